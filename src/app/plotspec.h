/* Which plot a position of the explorer offers: per stage (by architecture
 * and stage id) or per trace tensor (show NAME --plot), the figure of
 * trace/plots.h that draws it, whether the stage opens as a plot, and the
 * trace tensors its points are read from; those are the panels of the
 * stage while it shows the plot, so selecting a point is selecting a
 * panel's cell and `explain` works unchanged. No session here (the session
 * asks this module), no curses. */
#ifndef SEQSTEP_APP_PLOTSPEC_H
#define SEQSTEP_APP_PLOTSPEC_H

#include "engine/stages.h"
#include "trace/plots.h"
#include "trace/trace.h"

enum plot_kind {
	PLOT_NONE,
	PLOT_POOLING,      /* the Nadaraya-Watson figure */
	PLOT_POOL_WEIGHTS, /* rows of pool.weights / pool.scores over the keys */
	PLOT_POSENC,       /* columns of P over the positions (with P as a heatmap) */
	PLOT_GRADNORM,     /* ‖∂L/∂h_t‖ per source step, log axis */
	PLOT_TOPK,         /* the top-k next tokens of decoder step t */
	PLOT_TRAINING,     /* loss and scores over the training steps */
	PLOT_VECTOR,       /* any vector over its index */
	PLOT_BPTT,         /* gradient ratios against the distance (the BPTT lab) */
};

struct plot_spec {
	enum plot_kind kind;
	int by_default;     /* a natural curve: the stage opens as this plot */
	char source[STAGE_NAME * 2]; /* the tensor the figure is built around */
	int n;              /* the tensors its points come from = the panels */
	char name[STAGE_PANELS][STAGE_NAME * 2];
	int primary;        /* the panel the cursor starts in */
};

/* The plot of a tensor on its own (show NAME --plot); 0 when it has none. */
int plot_spec_tensor(const struct trace *tr, const char *name, struct plot_spec *p);
/* The plot a stage offers at a layer (st NULL: none); 0 when none. */
int plot_spec_stage(const struct pipeline *pipe, const struct stage *st, int layer,
		    const struct trace *tr, struct plot_spec *p);
/* Builds the figure for the cursor: cell (row, col) of the focused tensor
 * picks the positional encoding's dimension, the decoder step, the query. */
enum status plot_spec_build(const struct plot_spec *p, const struct trace *tr, const char *focused,
			    int row, int col, struct figure *f, struct err *e);
/* "keys & values, output" : the titles of the pipeline's stages that
 * offer a plot, for messages. */
void plot_spec_stage_list(const struct pipeline *pipe, const struct trace *tr, char *buf, size_t n);

#endif

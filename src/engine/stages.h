/* The pipeline: the stages a model's computation is stepped through, per
 * architecture, each naming the trace tensors it shows. Names are templates
 * ("enc.{L}.self_attn.h{H}.weights") so one stage serves every layer and
 * head; the walk is the stage order with each layer block repeated, which is
 * what n / p step through. No curses here: batch mode prints stages too. */
#ifndef SEQSTEP_STAGES_H
#define SEQSTEP_STAGES_H

#include "io/config.h"
#include "trace/trace.h"

#include <stddef.h>
#include <stdio.h>

enum view_kind {
	VIEW_MATRIX,   /* the panels side by side as heatmaps or numbers */
	VIEW_TOKENS,   /* tokens and ids (and BPE merges when traced) */
	VIEW_EMBEDPOS, /* embedding, positions, their sum, and sinusoid curves */
	VIEW_STEP,     /* decoder step t: attention rows and the top-k next tokens */
	VIEW_GATES,    /* recurrent gates over time plus bars for one step */
	VIEW_BARS,     /* a vector per time step as bars (gradient norms) */
	VIEW_GRAD,     /* vectors per time step against the distance from the
			* last step, log scale (the BPTT lab: two models and a bound) */
	VIEW_COUNT
};

enum section { SEC_INPUT, SEC_ENCODER, SEC_DECODER, SEC_OUTPUT, SEC_BLOCK, SEC_TRAINING };

enum { STAGE_PANELS = 4, STAGE_NAME = 64, PIPE_MAX_STAGES = 32, PIPE_MAX_BLOCKS = 4 };

struct stage {
	const char *id;     /* for goto: "softmax", "dec.cross" */
	const char *title;  /* for the pipeline pane: "softmax" */
	const char *intro;  /* one line on why the stage exists */
	enum view_kind view;
	enum section section;
	int block;          /* index in pipeline.blk, -1 when not repeated per layer */
	int npanels;
	int primary;        /* the panel the cursor starts in */
	int mask;           /* mark -inf cells as masked */
	int head_cols;      /* highlight the selected head's columns (q, k, v, concat) */
	/* Templates: {L} the layer, {H} the head, {LAST} the last decoder layer.
	 * avg[i] replaces panel[i] when every head is selected ("" = head 0). */
	char panel[STAGE_PANELS][STAGE_NAME];
	char avg[STAGE_PANELS][STAGE_NAME];
};

struct block {
	int first, last;    /* stage indices, inclusive */
	int nlayers;
	const char *what;   /* "encoder layer" */
};

struct walkpos {
	int stage, layer;
};

struct pipeline {
	enum arch arch;
	struct stage st[PIPE_MAX_STAGES];
	int n;
	struct block blk[PIPE_MAX_BLOCKS];
	int nblk;
	struct walkpos *walk; /* every (stage, layer) in stepping order */
	int nwalk;
	int nheads, dhead;    /* transformer heads; 1 and 0 otherwise */
	int last_dec;         /* {LAST} */
};

/* Builds the stage list for the configuration, keeping only stages whose
 * first panel exists in the trace (so optional tensors such as gradients
 * appear only when recorded). Returns ST_NOMEM or ST_OK. */
enum status pipeline_build(struct pipeline *p, const struct config *c, const struct trace *tr,
			   struct err *e);
void pipeline_release(struct pipeline *p);

/* Stage index by id or title (case-insensitive), -1 when none. */
int pipeline_find(const struct pipeline *p, const char *name);
/* Walk index of (stage, layer), the layer clamped to the stage's block. */
int pipeline_walk_index(const struct pipeline *p, int stage, int layer);
/* Layers of the stage's block (1 when not repeated). */
int stage_nlayers(const struct pipeline *p, int stage);

/* Expands panel i of the stage for a layer and head (head < 0: all heads). */
void stage_panel_name(const struct pipeline *p, const struct stage *s, int i, int layer, int head,
		      char *buf, size_t n);

/* Finds the walk position and head that show the trace name in one of
 * their panels; returns 1 and fills them, 0 when no stage shows it. */
int pipeline_locate(const struct pipeline *p, const char *name, int *walk, int *head, int *panel);

const char *section_name(enum section s);

#endif

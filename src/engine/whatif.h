/* What-if runs: switches the engine honours (scale, mask, positions, one
 * head, temperature, the pooling query and width) and one-cell edits of the
 * given tensors (weights, embedding tables, a block model's inputs), for a
 * session's counterfactual runs. Every path that computes the same numbers
 * honours the switches: the teacher-forced pass, the incremental decoder
 * (greedy and beam) and the trace recorders, whose formulas then describe
 * what was computed. A run records them as its trace's what-if line. */
#ifndef SEQSTEP_WHATIF_H
#define SEQSTEP_WHATIF_H

#include "base/status.h"
#include "engine/weights.h"
#include "io/config.h"
#include "trace/trace.h"

#include <stddef.h>
#include <stdint.h>

/* The attention blocks a head can be switched off in. */
enum head_block { HB_ENC_SELF, HB_DEC_SELF, HB_DEC_CROSS, HB_COUNT };

struct switches {
	int no_scale;      /* scores q·k without 1/√d_k (transformer, self_attention,
			    * rnn scaled_dot) */
	int no_mask;       /* decoder self-attention without the causal mask; the
			    * incremental decoder stays causal (it cannot see tokens
			    * not yet written), so this is for the teacher-forced pass */
	int no_positions;  /* transformer: embeddings without positional encoding */
	float temperature; /* output softmax of logits / T; 1 (or 0) = as trained */
	uint64_t head_off[HB_COUNT][CFG_MAX_LAYERS]; /* bit h: head h's output zeroed before W_o */
	int has_query;     /* attention pooling: one more query point, appended */
	float query;
	int has_width;     /* attention pooling: the kernel's w in -((x - x_i) w)² / 2 */
	float width;
};

/* One edited cell: the trace name and cell the student named, and the
 * weight it is (params[param].data[index]). */
struct whatif_edit {
	char name[96];
	int row, col;
	size_t param, index;
	float before, after;
};

enum { WHATIF_MAX_EDITS = 64 };

struct whatif {
	struct switches sw;
	struct whatif_edit edits[WHATIF_MAX_EDITS];
	int n_edits;
};

void whatif_init(struct whatif *w);
/* Any switch or edit in effect for this architecture. */
int whatif_active(const struct whatif *w, const struct config *c);

/* The numbers the kernels use; sw may be NULL (the model as trained). */
float switches_scale(const struct switches *sw, int d_k);
int switches_causal(const struct switches *sw);
int switches_positions(const struct switches *sw);
float switches_temperature(const struct switches *sw);
uint64_t switches_heads_off(const struct switches *sw, enum head_block b, int layer);

/* Records "probs" [rows x V] = softmax(logits / T) per row, its formula
 * naming the temperature of the run (both seq2seq recorders use it). */
void switches_record_probs(struct trace *tr, const struct switches *sw, int rows, int V,
			   const float *probs, const char *row_title, const char *const *row_labels,
			   const char *const *vocab);

/* The one line a trace records: "scale off; head enc.0.self_attn.h1 off;
 * edit self_attn.w_q[0, 0] = 1.67 (was 0.67)"; "" when nothing is on.
 * Only what the architecture honours is named. */
void whatif_describe(const struct whatif *w, const struct config *c, char *buf, size_t n);

/* The attention block named as in the trace ("enc.0.self_attn",
 * "dec.1.cross_attn") and its layer; 0 when name is none of them. */
int whatif_head_block(const struct config *c, const char *name, enum head_block *b, int *layer);
/* The trace prefix of a block: "enc.0.self_attn". */
void whatif_block_name(enum head_block b, int layer, char *buf, size_t n);

/* The weight behind cell (r, c) of the given trace tensor name, in the
 * trace's orientation (x W: PyTorch's [out, in] weights transposed):
 * params[*param].data[*index]; *transposed (may be NULL) says whether the
 * trace shows the weight transposed. ST_USAGE, saying why, for a tensor
 * that is computed rather than given, or a cell outside it. */
enum status whatif_locate(const struct config *c, const struct weights *w, const char *name,
			  int r, int col, size_t *param, size_t *index, int *transposed,
			  struct err *e);

/* Sets the cell of trace tensor t (of the model's current trace) to value
 * in the weights, remembering the value before so whatif_undo_edits can put
 * it back; editing a cell again keeps its first "before". */
enum status whatif_edit(struct whatif *w, const struct config *c, struct weights *wt,
			const struct tensor *t, int r, int col, float value, struct err *e);
/* Puts every edited weight back, newest first, and forgets the edits. */
void whatif_undo_edits(struct whatif *w, struct weights *wt);

#endif

/* The figures of the course, each built from trace tensors only (names as
 * in README "The trace"), into a struct figure (plot.h) that any front end
 * draws. Each returns ST_USAGE, with a message naming the missing or
 * misshapen tensor, when the trace cannot make it; nothing is computed
 * but positions on the axes. */
#ifndef SEQSTEP_PLOTS_H
#define SEQSTEP_PLOTS_H

#include "trace/plot.h"

/* Attention pooling, the Nadaraya-Watson figure: the training pairs
 * (pool.keys, pool.values) as points, the true function (pool.truth) and
 * the pooled predictions (pool.out) at the queries (pool.queries) as
 * lines, over x. */
enum status plot_pooling(struct figure *f, const struct trace *tr, struct err *e);
/* Rows of pool.weights or pool.scores (the queries given, n of them) as
 * curves over the keys' x values: each query's kernel. */
enum status plot_pool_weights(struct figure *f, const struct trace *tr, const char *name,
			      const int *rows, int n, struct err *e);
/* Columns of a positional encoding (src.pos, tgt.pos) as curves over the
 * positions; cols NULL picks 0, 1 and a slower pair (plot_posenc_cols). */
enum status plot_posenc(struct figure *f, const struct trace *tr, const char *name, const int *cols,
			int n, struct err *e);
/* The columns plot_posenc shows by default for d dimensions, sel first
 * when sel >= 0 (the explorer's cursor); returns how many (at most 4). */
int plot_posenc_cols(int d, int sel, int cols[4]);
/* A gradient norm per source step (grad.enc.lL.h) on a log axis, the
 * steps named by their tokens. */
enum status plot_gradnorm(struct figure *f, const struct trace *tr, const char *name,
			  struct err *e);
/* The BPTT lab (plot_bptt.c): vectors over the source steps (the gradient
 * ratios grad.enc.lL.ratio, cmp.grad.enc.lL.ratio, the bound
 * grad.enc.lL.jacprod) as lines against the distance from the last step,
 * T-1-t, on a log axis. */
enum status plot_bptt(struct figure *f, const struct trace *tr, const char *const *names, int n,
		      struct err *e);
/* Row `row` of decode.topk.probs as bars, each named by its candidate
 * token (the tensor's cell labels), on a 0..1 axis like the step view. */
enum status plot_topk(struct figure *f, const struct trace *tr, const char *name, int row,
		      struct err *e);
/* The training history: train.loss and train.valid.loss over the steps
 * (train.step and train.valid.step, else the column labels), then
 * train.valid.exact and train.valid.bleu (both 0..100) in a second plot. */
enum status plot_training(struct figure *f, const struct trace *tr, struct err *e);
/* Any vector as a line over its index (named by its labels when few). */
enum status plot_vector(struct figure *f, const struct trace *tr, const char *name, struct err *e);

#endif

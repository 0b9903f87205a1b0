/* What changed between two runs: compares a trace with a baseline (the run
 * before, or a snapshot) entry by entry, in pipeline order. For every entry
 * it says whether it changed, by how much (max |Δ|) and in how many cells;
 * it keeps Δ = now - before of each changed entry as a trace of its own
 * (same names, shapes and labels), which the views draw as a diverging
 * heatmap; and for a translation it lines up the tokens written at each
 * step with their probabilities. Only reads the two traces. */
#ifndef SEQSTEP_DIFF_H
#define SEQSTEP_DIFF_H

#include "base/status.h"
#include "trace/trace.h"

#include <stdio.h>

enum diff_kind {
	DIFF_CHANGED, /* same shape, some cell differs */
	DIFF_SHAPE,   /* the shape differs (a longer translation, say) */
	DIFF_NEW,     /* only in the current trace */
	DIFF_GONE,    /* only in the baseline */
};

struct diff_entry {
	const char *name;  /* interned in the diff's delta trace */
	enum diff_kind kind;
	int edited;        /* the current run's what-if line edits a cell of it */
	double max_abs;    /* max |now - before| (inf when a cell became or stopped being -inf) */
	size_t changed, cells;
	int rows, cols;    /* now */
	int brows, bcols;  /* before */
};

/* One step of a translation: the token each run wrote there. */
struct diff_step {
	const char *before, *after; /* interned labels; NULL when that run stopped earlier */
	float p_before, p_after;    /* each run's probability of its own token at this step */
	float p_now_of_before;      /* the current run's probability of the baseline's token,
				     * when both read the same prefix; NAN otherwise */
};

struct trace_diff {
	struct trace delta;      /* Δ of every DIFF_CHANGED entry, under its name */
	struct diff_entry *v;    /* the entries that differ, in pipeline order */
	size_t n;
	size_t unchanged;        /* entries in both traces with every cell equal */
	const char *now_whatif, *before_whatif; /* the runs' what-if lines ("" for none) */
	struct diff_step *steps; /* both traces translate (decode.output and probs) */
	int nsteps;
	int translation;
};

void trace_diff_init(struct trace_diff *d);
/* Compares now with before (d is released first). */
enum status trace_diff_build(struct trace_diff *d, const struct trace *now,
			     const struct trace *before, struct err *e);
void trace_diff_release(struct trace_diff *d);
/* The entry of that name, NULL when it did not change. */
const struct diff_entry *trace_diff_find(const struct trace_diff *d, const char *name);

/* The comparison as text: the what-if lines, the translation's steps, and
 * one line per entry that differs ("baseline" names what it is compared
 * with); lines fit width columns where the names allow. */
void trace_diff_print(FILE *f, const struct trace_diff *d, const char *baseline, int width);
/* One entry's line: "enc.0.self_attn.q [7 x 32]  max|Δ| 0.1234    224/224
 * cells", the name and shape padded to pad display columns (0: none). */
void trace_diff_entry_text(const struct diff_entry *x, int pad, char *buf, size_t n);

#endif

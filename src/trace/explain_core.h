/* What every explanation is written with (explain.h), shared by the
 * explain*.c files: the bounded output, numbers, labels and symbols, the
 * context one cell is explained in, references to cells, and sums.
 *
 * Each provenance kind has a pair of functions in one family file
 * (explain_ops.h, explain_attention.h, explain_recurrent.h, explain_given.h):
 * X_cell explains cell (x->r, x->c) into x->o and sets x->val from the very
 * numbers it writes, or with x->o NULL only computes x->val (so a quiz
 * answer and the explanation cannot drift apart); it returns 0 with the
 * reason in x->why when it cannot. X_tensor writes the tensor's formula with
 * the shapes filled in. explain.c dispatches on the kind. */
#ifndef SEQSTEP_EXPLAIN_CORE_H
#define SEQSTEP_EXPLAIN_CORE_H

#include <stddef.h>

#include "trace/trace.h"

enum {
	SHOW_ALL = 8,  /* sums of at most this many terms are written out */
	SHOW_HEAD = 4, /* otherwise the first 4 ... */
	SHOW_TAIL = 2, /* ... and the last 2 */
};

/* ---- bounded output ---- */

struct out {
	char *buf;
	size_t n, len;
	int full; /* a put did not fit: the rest is dropped */
};

/* The longest prefix of s[0..len) that does not end inside a UTF-8 character. */
size_t ex_utf8_boundary(const char *s, size_t len);
/* Appends; safe on a NULL out (nothing is written). */
void ex_put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies the composed text s (len chars) into buf (capacity n). When it does
 * not fit, whole lines are dropped from the end of the body and replaced by
 * "..." so the last line (the value) survives whenever it fits at all. */
size_t ex_deliver(const char *s, size_t len, char *buf, size_t n);

/* ---- numbers ---- */

struct nb {
	char s[48];
};

/* v with %.4f (%.4e from a million on), "nan", "inf", "-inf". */
const char *ex_numstr(struct nb *b, double v);
void ex_num(struct out *o, double v);
/* A number as a factor: negative ones in parentheses, "(-0.6500)". */
void ex_fac(struct out *o, double v);
/* op, then v as a factor: " + (-0.6500)". */
void ex_opfac(struct out *o, const char *op, double v);
/* "√8" when v = √k for a whole k, else v itself. */
void ex_root_text(char *b, size_t n, double v);

/* ---- labels and symbols ---- */

/* Label i of an axis (the token, or the index), made safe for a terminal;
 * a label that occurs twice on the axis gets "#index" so cells stay unique. */
void ex_label(char *b, size_t n, const struct axis *a, int i);
/* t's own symbol: its name without the block prefix, in the notes' spelling. */
void ex_sym_out(char *b, size_t n, const struct tensor *t);
/* An input's symbol, relative to the explained tensor's block. */
void ex_sym_in(char *b, size_t n, const struct tensor *out, const char *in,
	       const struct tensor *it);
/* name with the suffix `from` replaced by `to`; 0 when name does not end in `from`. */
int ex_swap_suffix(char *b, size_t n, const char *name, const char *from, const char *to);

/* ---- the explanation of one cell ---- */

struct ctx {
	const struct trace *tr;
	const struct tensor *t;
	int r, c;
	struct out *o; /* NULL: only compute val */
	int indent;    /* column of the '=' of the continuation lines */
	double val;
	char why[240];
};

/* Input k of the provenance; NULL (with why) when unnamed or not in the trace. */
const struct tensor *ex_input(struct ctx *x, int k);
/* Sets why; returns 0. */
int ex_fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int ex_in_range(const struct tensor *t, int r, int c);
/* The row of an elementwise input for output row r; a one-row input broadcasts. */
int ex_ew(const struct tensor *a, const struct tensor *out, int r, int *ar);
/* "sym[row, col]" (spaced) or "sym[row,col]"; a vector is "sym[col]". */
void ex_ref(struct ctx *x, const struct tensor *t, const char *sym, int r, int c, int spaced);
/* The explained cell as "sym[r, c]", remembering where its '=' goes. */
void ex_lhs_named(struct ctx *x, const char *sym);
/* Starts the explanation: "sym[r, c] = " with the tensor's own symbol. */
void ex_lhs(struct ctx *x);
/* A continuation line: "\n<spaces>= ". */
void ex_cont(struct ctx *x);

/* ---- sums ---- */

typedef void (*termfn)(struct ctx *x, int i, int numeric, void *arg);

/* Terms 0..n-1 joined by " + "; more than SHOW_ALL are abbreviated. */
void ex_terms(struct ctx *x, int n, termfn f, void *arg, int numeric);

/* Cell i of a line through a tensor: (r0 + i rs, c0 + i cs). */
struct lin {
	const struct tensor *t;
	const char *sym;
	int r0, rs, c0, cs;
};

int ex_lin_ok(const struct lin *l, int n);
double ex_lin_at(const struct lin *l, int i);
void ex_lin_ref(struct ctx *x, const struct lin *l, int i);

/* Σ_i a_i · b_i */
struct dot {
	struct lin a, b;
};

/* termfn of a dot product: "a·b" as references or numbers. */
void ex_dot_term(struct ctx *x, int i, int numeric, void *arg);
double ex_dot_sum(const struct dot *d, int n);
/* A named sub-sum on its own lines, indented by two:
 *   name = a·b + ...
 *        = 0.1·0.2 + ...
 *        = 0.0200 */
void ex_sub_dot(struct ctx *x, const char *name, struct dot *d, int n, double sum);

/* ---- the formula of a whole tensor ---- */

struct form {
	struct out *o;
	const struct trace *tr;
	const struct tensor *t;
	const struct tensor *in[PROV_MAX_IN]; /* the inputs; NULL: not in the trace */
	char sym[PROV_MAX_IN][96];            /* their symbols; "" when not named */
	char self[96];                        /* the tensor's own symbol */
};

void ex_form_init(struct form *f, struct out *o, const struct trace *tr, const struct tensor *t);
/* "[rows x cols]", or "[?]" for a missing tensor. */
void ex_shape(struct out *o, const struct tensor *t);

#endif

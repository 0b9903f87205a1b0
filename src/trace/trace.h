/* The trace: every intermediate the engine computes, under a stable
 * hierarchical name ("enc.0.self_attn.h1.weights"), with its shape, row and
 * column labels, a one-line formula, and where it came from (provenance), so
 * views, dumps, lessons and quizzes read numbers and never recompute them. */
#ifndef SEQSTEP_TRACE_H
#define SEQSTEP_TRACE_H

#include "base/arena.h"
#include "base/status.h"

/* How a tensor was computed, so a cell can be explained as the sum of
 * products that made it (see explain.c). Inputs are other trace names. */
enum prov_kind {
	PROV_NONE,       /* given (input matrix, weight) */
	PROV_LOOKUP,     /* out[r,:] = table[id_r,:]; in0 = table (V x d), in1 = ids (1 x rows) */
	PROV_MATMUL,     /* out[r,c] = sum_i in0[r,i] in1[i,c] (+ in2[0,c]); when out and in1
			  * are both row vectors (1 x m, 1 x n): out[0,c] = sum_j in0[c,j] in1[0,j] */
	PROV_SCORES,     /* out[r,c] = scale * sum_i in0[r,off+i] in1[c,off+i], i < len; masked cells -inf */
	PROV_SOFTMAX,    /* out[r,c] = exp(in0[r,c]) / sum_j exp(in0[r,j]) */
	PROV_WSUM,       /* out[r,c] = sum_j in0[r,j] in1[j,off+c] */
	PROV_ADD,        /* out = in0 + in1 */
	PROV_EMBED_POS,  /* out = scale * in0 + in1 */
	PROV_LAYERNORM,  /* out[r,c] = (in0[r,c]-mean_r)/sqrt(var_r+eps) * in1[0,c] + in2[0,c]; scale = eps */
	PROV_RELU,       /* out = max(0, in0) */
	PROV_GELU,       /* out = in0 * Phi(in0) */
	PROV_SINUSOID,   /* out[i,2j] = sin(i/10000^(2j/d)), out[i,2j+1] = cos(..) */
	/* A recurrent gate (or a plain RNN's h): out[t,c] = act(x[t]·W_x[:,off+c] +
	 * h[t-1]·W_h[:,off+c] + b_ih[off+c] + b_hh[off+c]). in0 = x (the layer's
	 * input sequence), in1 = W_x, in2 = h (the layer's own h; at t = 0 the
	 * entry named in2 with "0" appended, e.g. "enc.l0.h0"), in3 = W_h, in4 =
	 * b_ih (b_hh: the same name with "b_hh"). len = 0 sigmoid, 1 tanh. A GRU's
	 * "gate.n" multiplies (h W_hn + b_hn) by its sibling "gate.r". */
	PROV_GATE,
	PROV_LSTM_C,     /* c_t = f*c_{t-1} + i*g: in0 = f, in1 = i, in2 = g, in3 = c (self), in4 = c0 */
	PROV_LSTM_H,     /* h_t = o * tanh(c_t): in0 = o, in1 = c */
	PROV_GRU_H,      /* h_t = (1-z)*n + z*h_{t-1}: in0 = z, in1 = n, in2 = h (self), in3 = h0 */
	PROV_ADDITIVE,   /* out[r,c] = sum_a w_v[a] tanh(qW[r,a] + kW[c,a]): in0 = query proj, in1 = key proj, in2 = w_v */
	PROV_KERNEL,     /* out[r,c] = -((q_r - k_c) * w)^2 / 2: in0 = queries, in1 = keys, scale = w */
	PROV_MEAN,       /* out[r,c] = mean_j in0[j,c] */
};

#define PROV_MAX_IN 5

struct prov {
	enum prov_kind kind;
	const char *in[PROV_MAX_IN];
	int off, len;
	float scale;
};

/* One axis of a tensor: a title ("source token", "dim") and n labels, or
 * NULL labels meaning plain indices 0..n-1. */
struct axis {
	const char *title;
	int n;
	const char *const *labels;
};

struct tensor {
	const char *name;
	int ndim;          /* 1 (a vector, stored as rows = 1) or 2 */
	int rows, cols;
	float *data;       /* (rows, cols) row-major */
	struct axis row, col;
	const char *desc;  /* one line: what it is and its formula */
	struct prov prov;
	int integer;       /* ids, ranks, counts: shown without decimals */
	const char *const *cells; /* NULL, or a label per cell (rows*cols, row-major):
				   * what an id stands for, e.g. each top-k candidate's token */
};

struct trace_slot;

struct trace {
	struct arena arena;
	struct tensor **items; /* in insertion order, which is pipeline order */
	size_t n, cap;
	struct trace_slot *slots; /* open-addressing name index */
	size_t nslots;
	int oom;               /* sticky: some add failed for lack of memory */
	/* The what-if switches and edits the run used, one line ("scale off;
	 * head enc.0.self_attn.h1 off"), NULL for the model as trained: the
	 * title bar, dumps and captions show it (engine/whatif.h). */
	const char *whatif;
};

void trace_init(struct trace *tr);
void trace_release(struct trace *tr);
/* Drops every entry (and the what-if line) but keeps the trace usable. */
void trace_clear(struct trace *tr);
/* A deep copy of src into dst (initialised here; trace_release it). */
enum status trace_copy(struct trace *dst, const struct trace *src, struct err *e);
/* Sets the what-if line; "" or NULL clears it. */
void trace_set_whatif(struct trace *tr, const char *line);
/* The what-if line, "" when none. */
const char *trace_whatif(const struct trace *tr);

/* Copies data (rows*cols floats, or zeros when data is NULL) under name.
 * Replaces an existing entry of that name. Returns NULL and sets tr->oom on
 * failure; engines check trace_status() once at the end. */
struct tensor *trace_add(struct trace *tr, const char *name, int rows, int cols,
			 const float *data, const char *desc);
/* Same with a printf-style name. */
struct tensor *trace_addf(struct trace *tr, int rows, int cols, const float *data,
			  const char *desc, const char *namefmt, ...)
	__attribute__((format(printf, 6, 7)));
/* trace_add with the axes and a printf-style description in one call; a
 * single row without row labels is recorded as a vector (ndim 1). */
struct tensor *trace_put(struct trace *tr, const char *name, int rows, int cols,
			 const float *data, const char *row_title, const char *const *row_labels,
			 const char *col_title, const char *const *col_labels, const char *descfmt,
			 ...) __attribute__((format(printf, 10, 11)));
/* Adds (rows, cols) read from a strided source: element (r,c) at src[r*ld + c]. */
struct tensor *trace_add_strided(struct trace *tr, const char *name, int rows, int cols,
				 const float *src, int ld, const char *desc);
/* Adds the transpose of a (rows, cols) row-major matrix: result is (cols, rows). */
struct tensor *trace_add_transposed(struct trace *tr, const char *name, int rows, int cols,
				    const float *src, const char *desc);

const struct tensor *trace_get(const struct trace *tr, const char *name);
struct tensor *trace_get_mut(struct trace *tr, const char *name);

/* Interned copies owned by the trace. */
const char *trace_str(struct trace *tr, const char *s);
const char *const *trace_labels(struct trace *tr, int n, const char *const *labels);

void tensor_set_rows(struct tensor *t, const char *title, const char *const *labels);
void tensor_set_cols(struct tensor *t, const char *title, const char *const *labels);
/* rows*cols labels, copied into the trace. */
void tensor_set_cells(struct trace *tr, struct tensor *t, const char *const *labels);
void tensor_set_prov(struct trace *tr, struct tensor *t, enum prov_kind kind,
		     const char *in0, const char *in1, const char *in2, const char *in3,
		     const char *in4);

/* Writes the label of row/col i (the label or the index) into buf. */
const char *axis_label(const struct axis *a, int i, char *buf, size_t n);
/* The row/col of the n that s names, as an index or as its label; -1 if
 * none does. */
int axis_find(const struct axis *a, int n, const char *s);

static inline float tensor_at(const struct tensor *t, int r, int c)
{
	return t->data[(size_t)r * (size_t)t->cols + (size_t)c];
}

/* One value as the views print it: "4" for an integer tensor, "0.2380"
 * otherwise, "-inf" and "nan" as such. */
const char *tensor_fmt(const struct tensor *t, float v, char *buf, size_t n);

/* ST_NOMEM with a message if any add failed. */
enum status trace_status(const struct trace *tr, struct err *e);

/* Calls fn for every entry whose name matches the glob (fnmatch without
 * FNM_PATHNAME, so '*' crosses dots); returns how many matched. */
size_t trace_match(const struct trace *tr, const char *glob,
		   void (*fn)(const struct tensor *t, void *ctx), void *ctx);

#endif

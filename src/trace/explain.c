/* Explains trace tensors and cells from their provenance (see explain.h).
 *
 * Each provenance kind has one function that both writes the explanation and
 * computes the value from the very numbers it writes; explain_recompute runs
 * the same function without output, so a quiz answer and the explanation
 * cannot drift apart. The explanation's last line is the trace's stored
 * value, never the recomputed one. */
#include "trace/explain.h"
#include "base/textwidth.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	SHOW_ALL = 8,   /* sums of at most this many terms are written out */
	SHOW_HEAD = 4,  /* otherwise the first 4 ... */
	SHOW_TAIL = 2,  /* ... and the last 2 */
	SCRATCH = 16384 /* explanations are composed here, then fitted to the caller's buffer */
};

/* ------------------------------------------------------------------ */
/* Bounded output                                                      */

struct out {
	char *buf;
	size_t n, len;
	int full;
};

/* The longest prefix of s[0..len) that does not end inside a UTF-8 character. */
static size_t utf8_boundary(const char *s, size_t len)
{
	size_t i = len, k = 0;
	while (i > 0 && k < 3 && ((unsigned char)s[i - 1] & 0xC0) == 0x80) {
		i--;
		k++;
	}
	if (i == 0)
		return len;
	unsigned char lead = (unsigned char)s[i - 1];
	if (lead < 0xC0)
		return len; /* ASCII (or stray continuation bytes): nothing to cut */
	size_t need = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : 2;
	return k + 1 >= need ? len : i - 1;
}

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	if (!o || !o->buf || o->full)
		return;
	size_t room = o->n - o->len;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(o->buf + o->len, room, fmt, ap);
	va_end(ap);
	if (k < 0) {
		o->buf[o->len] = 0;
	} else if ((size_t)k >= room) {
		o->full = 1;
		o->len = utf8_boundary(o->buf, o->n - 1);
		o->buf[o->len] = 0;
	} else {
		o->len += (size_t)k;
	}
}

/* Copies the composed text s (len chars) into buf (capacity n). When it does
 * not fit, whole lines are dropped from the end of the body and replaced by
 * "..." so the last line (the value) survives whenever it fits at all. */
static size_t deliver(const char *s, size_t len, char *buf, size_t n)
{
	if (!buf || n == 0)
		return 0;
	if (len < n) {
		memcpy(buf, s, len);
		buf[len] = 0;
		return len;
	}
	const char *last = strrchr(s, '\n');
	static const char dots[] = "...";
	size_t tail = last ? len - (size_t)(last - s) : 0; /* with its '\n' */
	if (last && tail + sizeof dots < n) {
		size_t head = n - 1 - tail - (sizeof dots - 1) - 1; /* room for "\n..." */
		head = utf8_boundary(s, head);
		while (head > 0 && s[head] != '\n')
			head--;
		size_t k = 0;
		if (head > 0) {
			memcpy(buf, s, head);
			k = head;
			buf[k++] = '\n';
		}
		memcpy(buf + k, dots, sizeof dots - 1);
		k += sizeof dots - 1;
		memcpy(buf + k, last, tail);
		k += tail;
		buf[k] = 0;
		return k;
	}
	size_t k = utf8_boundary(s, n - 1);
	memcpy(buf, s, k);
	buf[k] = 0;
	return k;
}

/* ------------------------------------------------------------------ */
/* Numbers, labels, symbols                                            */

struct nb {
	char s[48];
};

static const char *num(struct nb *b, double v)
{
	if (isnan(v))
		return "nan";
	if (isinf(v))
		return v < 0 ? "-inf" : "inf";
	snprintf(b->s, sizeof b->s, fabs(v) >= 1e6 ? "%.4e" : "%.4f", v);
	return b->s;
}

/* A number as a factor: negative ones in parentheses, "(-0.6500)". */
static void put_fac(struct out *o, double v)
{
	struct nb b;
	put(o, v < 0 || (v == 0 && signbit(v)) ? "(%s)" : "%s", num(&b, v));
}

static void put_num(struct out *o, double v)
{
	struct nb b;
	put(o, "%s", num(&b, v));
}

/* Label i of an axis (the token, or the index), made safe for a terminal;
 * a label that occurs twice on the axis gets "#index" so cells stay unique. */
static void label(char *b, size_t n, const struct axis *a, int i)
{
	char idx[24], raw[200];
	const char *s = axis_label(a, i, idx, sizeof idx);
	if (!s || !*s) {
		snprintf(idx, sizeof idx, "%d", i);
		s = idx;
	}
	text_sanitize(raw, sizeof raw, s);
	int dup = 0;
	if (a->labels && s != idx)
		for (int j = 0; j < a->n && !dup; j++)
			dup = j != i && a->labels[j] && strcmp(a->labels[j], s) == 0;
	if (dup)
		snprintf(b, n, "%s#%d", raw, i);
	else
		snprintf(b, n, "%s", raw);
}

static int all_digits(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* Length of the block prefix of a name: the name minus the symbol it is shown
 * as. The symbol is the last component, or the last two when the one before
 * is a head ("h1.weights") or "gate" ("gate.i"). Includes the trailing dot. */
static size_t block_prefix_len(const char *name)
{
	const char *l = strrchr(name, '.');
	if (!l)
		return 0;
	const char *s = l;
	while (s > name && s[-1] != '.')
		s--;
	size_t plen = (size_t)(l - s);
	int two = (plen == 4 && strncmp(s, "gate", 4) == 0) ||
		  (plen >= 2 && s[0] == 'h' && all_digits(s + 1, plen - 1));
	return two ? (size_t)(s - name) : (size_t)(l + 1 - name);
}

/* Writes the symbol s with its last component in the notes' spelling:
 * weight matrices w_q -> W_q, w1 -> W_1; biases b1 -> b_1. */
static void pretty(char *b, size_t n, const char *s, const struct tensor *t)
{
	const char *l = strrchr(s, '.');
	int pre = l ? (int)(l + 1 - s) : 0;
	const char *c = s + pre;
	int matrix = t && t->rows > 1 && t->cols > 1;
	if (matrix && c[0] == 'w' && c[1] == '_' && c[2])
		snprintf(b, n, "%.*sW_%s", pre, s, c + 2);
	else if (matrix && c[0] == 'w' && isdigit((unsigned char)c[1]) && !c[2])
		snprintf(b, n, "%.*sW_%c", pre, s, c[1]);
	else if (c[0] == 'b' && isdigit((unsigned char)c[1]) && !c[2])
		snprintf(b, n, "%.*sb_%c", pre, s, c[1]);
	else
		snprintf(b, n, "%s", s);
}

static void sym_out(char *b, size_t n, const struct tensor *t)
{
	pretty(b, n, t->name + block_prefix_len(t->name), t);
}

/* An input's symbol, relative to the explained tensor's block. */
static void sym_in(char *b, size_t n, const struct tensor *out, const char *in,
		   const struct tensor *it)
{
	size_t p = block_prefix_len(out->name);
	const char *s = in;
	if (p > 0 && strncmp(in, out->name, p) == 0 && in[p])
		s = in + p;
	pretty(b, n, s, it);
}

/* name with the suffix `from` replaced by `to`; 0 when name does not end in `from`. */
static int swap_suffix(char *b, size_t n, const char *name, const char *from, const char *to)
{
	size_t ln = strlen(name), lf = strlen(from);
	if (ln < lf || strcmp(name + ln - lf, from) != 0)
		return 0;
	snprintf(b, n, "%.*s%s", (int)(ln - lf), name, to);
	return 1;
}

/* "√8" when v = √k for a whole k, else v itself. */
static void root_text(char *b, size_t n, double v)
{
	double k = v * v, rk = floor(k + 0.5);
	if (rk >= 1 && fabs(k - rk) <= 1e-4 * rk)
		snprintf(b, n, "√%.0f", rk);
	else {
		struct nb t;
		snprintf(b, n, "%s", num(&t, v));
	}
}

/* ------------------------------------------------------------------ */
/* The explanation context                                             */

struct ctx {
	const struct trace *tr;
	const struct tensor *t;
	int r, c;
	struct out *o; /* NULL: only compute val */
	int indent;    /* column of the '=' of the continuation lines */
	double val;
	char why[240];
};

static const struct tensor *input(struct ctx *x, int k)
{
	const char *nm = x->t->prov.in[k];
	if (!nm) {
		snprintf(x->why, sizeof x->why, "its provenance does not name input %d", k);
		return NULL;
	}
	const struct tensor *t = trace_get(x->tr, nm);
	if (!t)
		snprintf(x->why, sizeof x->why, "its input %s is not in the trace", nm);
	return t;
}

static int fail(struct ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ctx *x, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(x->why, sizeof x->why, fmt, ap);
	va_end(ap);
	return 0;
}

static int in_range(const struct tensor *t, int r, int c)
{
	return t && r >= 0 && c >= 0 && r < t->rows && c < t->cols;
}

/* "sym[row, col]" (spaced) or "sym[row,col]"; a vector is "sym[col]". */
static void ref(struct ctx *x, const struct tensor *t, const char *sym, int r, int c, int spaced)
{
	if (!x->o)
		return;
	char a[224], b[224];
	label(b, sizeof b, &t->col, c);
	if (t->ndim == 1) {
		put(x->o, "%s[%s]", sym, b);
		return;
	}
	label(a, sizeof a, &t->row, r);
	put(x->o, spaced ? "%s[%s, %s]" : "%s[%s,%s]", sym, a, b);
}

/* Starts the explanation: "sym[r, c] = ", remembering where '=' is. */
static void lhs(struct ctx *x)
{
	if (!x->o)
		return;
	char s[96];
	sym_out(s, sizeof s, x->t);
	size_t start = x->o->len;
	ref(x, x->t, s, x->r, x->c, 1);
	x->indent = x->o->buf ? text_width(x->o->buf + start) + 1 : 0;
	put(x->o, " = ");
}

/* A continuation line: "\n<spaces>= ". */
static void cont(struct ctx *x)
{
	put(x->o, "\n%*s= ", x->indent, "");
}

/* ------------------------------------------------------------------ */
/* Sums                                                                */

typedef void (*termfn)(struct ctx *x, int i, int numeric, void *arg);

/* Terms 0..n-1 joined by " + "; more than SHOW_ALL are abbreviated. */
static void terms(struct ctx *x, int n, termfn f, void *arg, int numeric)
{
	if (!x->o)
		return;
	if (n <= 0) {
		put(x->o, "0");
		return;
	}
	if (n <= SHOW_ALL) {
		for (int i = 0; i < n; i++) {
			if (i)
				put(x->o, " + ");
			f(x, i, numeric, arg);
		}
		return;
	}
	for (int i = 0; i < SHOW_HEAD; i++) {
		if (i)
			put(x->o, " + ");
		f(x, i, numeric, arg);
	}
	put(x->o, " + ... (%d terms)", n);
	for (int i = n - SHOW_TAIL; i < n; i++) {
		put(x->o, " + ");
		f(x, i, numeric, arg);
	}
}

/* Cell i of a line through a tensor: (r0 + i rs, c0 + i cs). */
struct lin {
	const struct tensor *t;
	const char *sym;
	int r0, rs, c0, cs;
};

static int lin_ok(const struct lin *l, int n)
{
	return n > 0 && in_range(l->t, l->r0, l->c0) &&
	       in_range(l->t, l->r0 + (n - 1) * l->rs, l->c0 + (n - 1) * l->cs);
}

static double lin_at(const struct lin *l, int i)
{
	return tensor_at(l->t, l->r0 + i * l->rs, l->c0 + i * l->cs);
}

static void lin_ref(struct ctx *x, const struct lin *l, int i)
{
	ref(x, l->t, l->sym, l->r0 + i * l->rs, l->c0 + i * l->cs, 0);
}

/* Σ_i a_i · b_i */
struct dot {
	struct lin a, b;
};

static void dot_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct dot *d = arg;
	if (numeric) {
		put_fac(x->o, lin_at(&d->a, i));
		put(x->o, "·");
		put_fac(x->o, lin_at(&d->b, i));
	} else {
		lin_ref(x, &d->a, i);
		put(x->o, "·");
		lin_ref(x, &d->b, i);
	}
}

static double dot_sum(const struct dot *d, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += lin_at(&d->a, i) * lin_at(&d->b, i);
	return s;
}

/* A named sub-sum on its own lines, indented by two:
 *   name = a·b + ...
 *        = 0.1·0.2 + ...
 *        = 0.0200 */
static void sub_dot(struct ctx *x, const char *name, struct dot *d, int n, double sum)
{
	if (!x->o)
		return;
	put(x->o, "\n  %s = ", name);
	int ind = 2 + text_width(name) + 1;
	terms(x, n, dot_term, d, 0);
	put(x->o, "\n%*s= ", ind, "");
	terms(x, n, dot_term, d, 1);
	put(x->o, "\n%*s= ", ind, "");
	put_num(x->o, sum);
}

/* ------------------------------------------------------------------ */
/* One function per provenance kind                                    */

static int ex_lookup(struct ctx *x)
{
	const struct tensor *ids = input(x, 1);
	if (!ids)
		return 0;
	int n = ids->rows == 1 ? ids->cols : ids->rows;
	if (x->r >= n)
		return fail(x, "%s has no id for row %d", ids->name, x->r);
	float fid = ids->rows == 1 ? ids->data[x->r] : ids->data[(size_t)x->r * ids->cols];
	int id = (int)lrintf(fid);
	const struct tensor *E = x->t->prov.in[0] ? trace_get(x->tr, x->t->prov.in[0]) : NULL;
	char es[96] = "E", tok[224];
	if (E) {
		if (!in_range(E, id, x->c))
			return fail(x, "id %d, column %d is outside %s [%d x %d]", id, x->c, E->name,
				    E->rows, E->cols);
		sym_in(es, sizeof es, x->t, E->name, E);
		x->val = tensor_at(E, id, x->c);
	} else {
		x->val = NAN;
	}
	if (!x->o)
		return 1;
	if (ids->col.labels && ids->rows == 1)
		label(tok, sizeof tok, &ids->col, x->r);
	else
		label(tok, sizeof tok, &x->t->row, x->r);
	lhs(x);
	put(x->o, "%s[%d,%d]: row id %d ('%s') of the embedding table%s, column %d", es, id, x->c, id,
	    tok, E ? "" : " (the table itself is not in the trace)", x->c);
	if (E) {
		cont(x);
		put_num(x->o, x->val);
	}
	return 1;
}

static int ex_matmul(struct ctx *x)
{
	const struct tensor *A = input(x, 0), *B = input(x, 1), *bias = NULL;
	if (!A || !B)
		return 0;
	if (x->t->prov.in[2] && !(bias = input(x, 2)))
		return 0;
	char sa[96], sb[96], sc[96] = "";
	sym_in(sa, sizeof sa, x->t, A->name, A);
	sym_in(sb, sizeof sb, x->t, B->name, B);
	if (bias)
		sym_in(sc, sizeof sc, x->t, bias->name, bias);
	struct dot d;
	int n;
	if (A->rows == x->t->rows && A->cols == B->rows && B->cols == x->t->cols) {
		n = A->cols;
		d.a = (struct lin){A, sa, x->r, 0, 0, 1};
		d.b = (struct lin){B, sb, 0, 1, x->c, 0};
	} else if (x->t->rows == 1 && A->rows == x->t->cols && B->rows == 1 && B->cols == A->cols) {
		/* A vector stored as a row: out[c] = Σ_j A[c,j] B[j]. */
		n = A->cols;
		d.a = (struct lin){A, sa, x->c, 0, 0, 1};
		d.b = (struct lin){B, sb, 0, 0, 0, 1};
	} else {
		return fail(x, "%s [%d x %d] · %s [%d x %d] does not give [%d x %d]", A->name, A->rows,
			    A->cols, B->name, B->rows, B->cols, x->t->rows, x->t->cols);
	}
	if (!lin_ok(&d.a, n) || !lin_ok(&d.b, n))
		return fail(x, "the product's cells are outside its inputs");
	if (bias && !in_range(bias, 0, x->c))
		return fail(x, "bias %s has no column %d", bias->name, x->c);
	double s = dot_sum(&d, n), bv = bias ? tensor_at(bias, 0, x->c) : 0;
	x->val = s + bv;
	if (!x->o)
		return 1;
	lhs(x);
	terms(x, n, dot_term, &d, 0);
	if (bias) {
		put(x->o, " + ");
		ref(x, bias, sc, 0, x->c, 0);
	}
	cont(x);
	terms(x, n, dot_term, &d, 1);
	if (bias) {
		put(x->o, " + ");
		put_fac(x->o, bv);
	}
	if (n > SHOW_ALL && bias) { /* the abbreviated sum, then the bias */
		cont(x);
		put_num(x->o, s);
		put(x->o, " + ");
		put_fac(x->o, bv);
	}
	return 1;
}

/* "-inf: ..." for a masked cell, with t's labels. */
static void put_mask_reason(struct ctx *x, const struct tensor *t)
{
	if (!x->o)
		return;
	char a[224], b[224];
	int causal = t->rows == t->cols && x->c > x->r;
	if (causal) {
		put(x->o, "position %d", x->c);
		if (t->col.labels) {
			label(b, sizeof b, &t->col, x->c);
			put(x->o, " ('%s')", b);
		}
		put(x->o, " is in the future of position %d", x->r);
		if (t->row.labels) {
			label(a, sizeof a, &t->row, x->r);
			put(x->o, " ('%s')", a);
		}
		put(x->o, " (causal mask), so its weight is 0");
	} else {
		label(a, sizeof a, &t->row, x->r);
		label(b, sizeof b, &t->col, x->c);
		put(x->o, "masked: key %s is hidden from query %s, so its weight is 0", b, a);
	}
}

static int ex_scores(struct ctx *x)
{
	const struct tensor *Q = input(x, 0), *K = input(x, 1);
	if (!Q || !K)
		return 0;
	int off = x->t->prov.off, len = x->t->prov.len;
	if (len <= 0)
		len = (Q->cols < K->cols ? Q->cols : K->cols) - off;
	char sq[96], sk[96];
	sym_in(sq, sizeof sq, x->t, Q->name, Q);
	sym_in(sk, sizeof sk, x->t, K->name, K);
	struct dot d = {{Q, sq, x->r, 0, off, 1}, {K, sk, x->c, 0, off, 1}};
	if (!lin_ok(&d.a, len) || !lin_ok(&d.b, len))
		return fail(x, "columns %d..%d of %s [%d x %d] and %s [%d x %d] do not hold row %d / %d",
			    off, off + len - 1, Q->name, Q->rows, Q->cols, K->name, K->rows, K->cols,
			    x->r, x->c);
	float stored = tensor_at(x->t, x->r, x->c);
	if (isinf(stored) && stored < 0) {
		x->val = -INFINITY;
		lhs(x);
		put(x->o, "-inf: ");
		put_mask_reason(x, x->t);
		return 1;
	}
	double scale = x->t->prov.scale != 0 ? x->t->prov.scale : 1.0;
	double s = dot_sum(&d, len);
	x->val = s * scale;
	if (!x->o)
		return 1;
	char st[48] = "";
	int scaled = scale != 1.0;
	if (scaled) {
		char rt[48];
		root_text(rt, sizeof rt, 1.0 / scale);
		if (rt[0] == '\xe2') /* "√k" */
			snprintf(st, sizeof st, " / %s", rt);
		else {
			struct nb b;
			snprintf(st, sizeof st, " · %s", num(&b, scale));
		}
	}
	lhs(x);
	put(x->o, scaled ? "(" : "");
	terms(x, len, dot_term, &d, 0);
	put(x->o, "%s%s", scaled ? ")" : "", st);
	cont(x);
	put(x->o, scaled ? "(" : "");
	terms(x, len, dot_term, &d, 1);
	put(x->o, "%s%s", scaled ? ")" : "", st);
	if (scaled) {
		cont(x);
		put_num(x->o, s);
		if (st[1] == '/') {
			put(x->o, " / ");
			put_num(x->o, 1.0 / scale);
		} else {
			put(x->o, " · ");
			put_fac(x->o, scale);
		}
	}
	return 1;
}

struct sm {
	const struct tensor *S;
	int r, *idx;
	double shift;
};

static void sm_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct sm *m = arg;
	double v = tensor_at(m->S, m->r, m->idx[i]);
	if (!numeric) {
		put(x->o, "exp(");
		put_num(x->o, v - m->shift);
		put(x->o, ")");
	} else {
		put_num(x->o, exp(v - m->shift));
	}
}

static int ex_softmax(struct ctx *x)
{
	const struct tensor *S = input(x, 0);
	if (!S)
		return 0;
	if (S->rows != x->t->rows || S->cols != x->t->cols)
		return fail(x, "%s is [%d x %d], not [%d x %d]", S->name, S->rows, S->cols, x->t->rows,
			    x->t->cols);
	int n = S->cols, r = x->r;
	const float *row = S->data + (size_t)r * n;
	double m = -INFINITY;
	int nf = 0;
	for (int j = 0; j < n; j++)
		if (!(isinf(row[j]) && row[j] < 0)) {
			nf++;
			if (row[j] > m)
				m = row[j];
		}
	double s = row[x->c];
	char ss[96], rl[224];
	sym_in(ss, sizeof ss, x->t, S->name, S);
	if (nf == 0 || (isinf(s) && s < 0)) {
		x->val = 0;
		if (!x->o)
			return 1;
		lhs(x);
		put(x->o, "exp(");
		ref(x, S, ss, r, x->c, 0);
		label(rl, sizeof rl, &S->row, r);
		put(x->o, ") / Σ_j exp(%s[%s,j]) = exp(-inf) / ... = 0: ", ss, rl);
		if (nf == 0)
			put(x->o, "every cell of this row is masked, so every weight is 0");
		else
			put_mask_reason(x, S);
		return 1;
	}
	double shift = m > 80 ? m : 0; /* keeps exp() finite for huge scores */
	double sum = 0;
	for (int j = 0; j < n; j++)
		if (!(isinf(row[j]) && row[j] < 0))
			sum += exp(row[j] - shift);
	x->val = exp(s - shift) / sum;
	if (!x->o)
		return 1;
	int *idx = malloc((size_t)nf * sizeof *idx);
	if (!idx)
		return fail(x, "out of memory");
	for (int j = 0, k = 0; j < n; j++)
		if (!(isinf(row[j]) && row[j] < 0))
			idx[k++] = j;
	struct sm a = {S, r, idx, shift};
	label(rl, sizeof rl, &S->row, r);
	lhs(x);
	put(x->o, "exp(");
	ref(x, S, ss, r, x->c, 0);
	put(x->o, ") / Σ_j exp(%s[%s,j])", ss, rl);
	cont(x);
	if (shift) {
		struct nb b;
		put(x->o, "(every exponent shifted by -%s, which cancels) ", num(&b, shift));
	}
	put(x->o, "exp(");
	put_num(x->o, s - shift);
	put(x->o, ") / (");
	terms(x, nf, sm_term, &a, 0);
	put(x->o, ")");
	if (nf < n)
		put(x->o, "   (%d masked cell%s: exp(-inf) = 0)", n - nf, n - nf == 1 ? "" : "s");
	cont(x);
	put_num(x->o, exp(s - shift));
	put(x->o, " / ");
	if (nf <= SHOW_ALL) {
		put(x->o, "(");
		terms(x, nf, sm_term, &a, 1);
		put(x->o, ")");
		cont(x);
		put_num(x->o, exp(s - shift));
		put(x->o, " / ");
	}
	put_num(x->o, sum);
	free(idx);
	return 1;
}

static int ex_wsum(struct ctx *x)
{
	const struct tensor *W = input(x, 0), *V = input(x, 1);
	if (!W || !V)
		return 0;
	int n = W->cols, off = x->t->prov.off;
	if (V->rows != n)
		return fail(x, "%s has %d columns but %s has %d rows", W->name, n, V->name, V->rows);
	char sw[96], sv[96];
	sym_in(sw, sizeof sw, x->t, W->name, W);
	sym_in(sv, sizeof sv, x->t, V->name, V);
	struct dot d = {{W, sw, x->r, 0, 0, 1}, {V, sv, 0, 1, off + x->c, 0}};
	if (!lin_ok(&d.a, n) || !lin_ok(&d.b, n))
		return fail(x, "the weighted sum's cells are outside its inputs");
	x->val = dot_sum(&d, n);
	if (!x->o)
		return 1;
	lhs(x);
	terms(x, n, dot_term, &d, 0);
	cont(x);
	terms(x, n, dot_term, &d, 1);
	return 1;
}

/* The row of an elementwise input for output row r; a one-row input broadcasts. */
static int ew(const struct tensor *a, const struct tensor *out, int r, int *ar)
{
	if (a->cols != out->cols || (a->rows != out->rows && a->rows != 1))
		return 0;
	*ar = a->rows == 1 ? 0 : r;
	return 1;
}

static int ex_add(struct ctx *x)
{
	const struct tensor *A = input(x, 0), *B = input(x, 1);
	int ra, rb;
	if (!A || !B)
		return 0;
	if (!ew(A, x->t, x->r, &ra) || !ew(B, x->t, x->r, &rb))
		return fail(x, "%s [%d x %d] + %s [%d x %d] does not give [%d x %d]", A->name, A->rows,
			    A->cols, B->name, B->rows, B->cols, x->t->rows, x->t->cols);
	double a = tensor_at(A, ra, x->c), b = tensor_at(B, rb, x->c);
	x->val = a + b;
	if (!x->o)
		return 1;
	char sa[96], sb[96];
	sym_in(sa, sizeof sa, x->t, A->name, A);
	sym_in(sb, sizeof sb, x->t, B->name, B);
	lhs(x);
	ref(x, A, sa, ra, x->c, 0);
	put(x->o, " + ");
	ref(x, B, sb, rb, x->c, 0);
	cont(x);
	put_num(x->o, a);
	put(x->o, " + ");
	put_fac(x->o, b);
	return 1;
}

static int ex_embed_pos(struct ctx *x)
{
	const struct tensor *E = input(x, 0), *P = input(x, 1);
	int re, rp;
	if (!E || !P)
		return 0;
	if (!ew(E, x->t, x->r, &re) || !ew(P, x->t, x->r, &rp))
		return fail(x, "%s and %s do not have the shape [%d x %d]", E->name, P->name,
			    x->t->rows, x->t->cols);
	double k = x->t->prov.scale != 0 ? x->t->prov.scale : 1.0;
	double e = tensor_at(E, re, x->c), p = tensor_at(P, rp, x->c);
	x->val = k * e + p;
	if (!x->o)
		return 1;
	char se[96], sp[96], kt[48];
	sym_in(se, sizeof se, x->t, E->name, E);
	sym_in(sp, sizeof sp, x->t, P->name, P);
	root_text(kt, sizeof kt, k);
	lhs(x);
	if (k != 1.0)
		put(x->o, "%s·", kt);
	ref(x, E, se, re, x->c, 0);
	put(x->o, " + ");
	ref(x, P, sp, rp, x->c, 0);
	cont(x);
	if (k != 1.0) {
		put_num(x->o, k);
		put(x->o, "·");
	}
	put_fac(x->o, e);
	put(x->o, " + ");
	put_fac(x->o, p);
	if (k != 1.0) {
		cont(x);
		put_num(x->o, k * e);
		put(x->o, " + ");
		put_fac(x->o, p);
	}
	return 1;
}

struct lnrow {
	const float *v;
	double mean;
};

static void ln_mean_term(struct ctx *x, int i, int numeric, void *arg)
{
	(void)numeric;
	put_fac(x->o, ((struct lnrow *)arg)->v[i]);
}

static void ln_var_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct lnrow *l = arg;
	(void)numeric;
	put(x->o, "(");
	put_num(x->o, l->v[i] - l->mean);
	put(x->o, ")²");
}

static int ex_layernorm(struct ctx *x)
{
	const struct tensor *X = input(x, 0), *G = NULL, *B = NULL;
	if (!X)
		return 0;
	if (x->t->prov.in[1] && !(G = input(x, 1)))
		return 0;
	if (x->t->prov.in[2] && !(B = input(x, 2)))
		return 0;
	if (X->rows != x->t->rows || X->cols != x->t->cols)
		return fail(x, "%s is [%d x %d], not [%d x %d]", X->name, X->rows, X->cols, x->t->rows,
			    x->t->cols);
	if ((G && !in_range(G, 0, x->c)) || (B && !in_range(B, 0, x->c)))
		return fail(x, "γ or β has no column %d", x->c);
	int n = X->cols;
	const float *v = X->data + (size_t)x->r * n;
	double m = 0, var = 0, eps = x->t->prov.scale;
	for (int i = 0; i < n; i++)
		m += v[i];
	m /= n;
	for (int i = 0; i < n; i++)
		var += (v[i] - m) * (v[i] - m);
	var /= n;
	double g = G ? tensor_at(G, 0, x->c) : 1, b = B ? tensor_at(B, 0, x->c) : 0;
	double sd = sqrt(var + eps), xv = v[x->c];
	x->val = (xv - m) / sd * g + b;
	if (!x->o)
		return 1;
	char sx[96], sg[96], sb[96], rl[224];
	sym_in(sx, sizeof sx, x->t, X->name, X);
	label(rl, sizeof rl, &X->row, x->r);
	lhs(x);
	put(x->o, "(");
	ref(x, X, sx, x->r, x->c, 0);
	put(x->o, " - mean) / √(var + ε)");
	if (G)
		put(x->o, " · γ[%d]", x->c);
	if (B)
		put(x->o, " + β[%d]", x->c);
	put(x->o, "\n  mean and var over row %s of %s (%d values), ε = %g", rl, sx, n, eps);
	if (G) {
		sym_in(sg, sizeof sg, x->t, G->name, G);
		put(x->o, ", γ = %s", sg);
	}
	if (B) {
		sym_in(sb, sizeof sb, x->t, B->name, B);
		put(x->o, ", β = %s", sb);
	}
	struct lnrow l = {v, m};
	put(x->o, "\n  mean = (");
	terms(x, n, ln_mean_term, &l, 1);
	put(x->o, ") / %d = ", n);
	put_num(x->o, m);
	put(x->o, "\n  var = (");
	terms(x, n, ln_var_term, &l, 1);
	put(x->o, ") / %d = ", n);
	put_num(x->o, var);
	struct nb nb;
	cont(x);
	put(x->o, "(");
	put_num(x->o, xv);
	put(x->o, " - ");
	put_fac(x->o, m);
	put(x->o, ") / √(");
	put_num(x->o, var);
	put(x->o, " + %g)", eps);
	if (G) {
		put(x->o, " · ");
		put_fac(x->o, g);
	}
	if (B) {
		put(x->o, " + ");
		put_fac(x->o, b);
	}
	cont(x);
	put_num(x->o, xv - m);
	put(x->o, " / %s", num(&nb, sd));
	if (G) {
		put(x->o, " · ");
		put_fac(x->o, g);
	}
	if (B) {
		put(x->o, " + ");
		put_fac(x->o, b);
	}
	return 1;
}

static int ex_act(struct ctx *x, int gelu)
{
	const struct tensor *A = input(x, 0);
	int ra;
	if (!A)
		return 0;
	if (!ew(A, x->t, x->r, &ra))
		return fail(x, "%s is [%d x %d], not [%d x %d]", A->name, A->rows, A->cols, x->t->rows,
			    x->t->cols);
	double a = tensor_at(A, ra, x->c);
	double phi = 0.5 * (1.0 + erf(a / sqrt(2.0)));
	x->val = gelu ? a * phi : (a > 0 ? a : 0);
	if (!x->o)
		return 1;
	char sa[96];
	sym_in(sa, sizeof sa, x->t, A->name, A);
	lhs(x);
	if (!gelu) {
		put(x->o, "max(0, ");
		ref(x, A, sa, ra, x->c, 0);
		put(x->o, ")");
		cont(x);
		put(x->o, "max(0, ");
		put_num(x->o, a);
		put(x->o, ")");
		return 1;
	}
	put(x->o, "GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2 with x = ");
	ref(x, A, sa, ra, x->c, 0);
	cont(x);
	put_fac(x->o, a);
	put(x->o, "·(1 + erf(");
	put_num(x->o, a / sqrt(2.0));
	put(x->o, "))/2");
	cont(x);
	put_fac(x->o, a);
	put(x->o, "·");
	put_num(x->o, phi);
	return 1;
}

static int ex_sinusoid(struct ctx *x)
{
	int i = x->r, c = x->c, d = x->t->cols, j = c / 2;
	double div = pow(10000.0, (double)(2 * j) / d), ang = i / div;
	int odd = c % 2;
	x->val = odd ? cos(ang) : sin(ang);
	if (!x->o)
		return 1;
	lhs(x);
	put(x->o, "%s(%d / 10000^(2·%d/%d))   (position i = %d, pair j = %d, d = %d)",
	    odd ? "cos" : "sin", i, j, d, i, j, d);
	cont(x);
	put(x->o, "%s(%d / ", odd ? "cos" : "sin", i);
	put_num(x->o, div);
	put(x->o, ")");
	cont(x);
	put(x->o, "%s(", odd ? "cos" : "sin");
	put_num(x->o, ang);
	put(x->o, ")");
	return 1;
}

static double sigmoid(double v)
{
	return 1.0 / (1.0 + exp(-v));
}

/* The recurrent state h_{t-1} (or c_{t-1}) a step reads: row t-1 of the
 * state tensor, or the initial state (the name with "0" appended) at t = 0. */
static int prev_state(struct ctx *x, const char *name, int t, int width, struct lin *l,
		      char *sym, size_t n)
{
	if (!name)
		return fail(x, "its provenance does not name the previous state");
	const struct tensor *S;
	if (t > 0) {
		S = trace_get(x->tr, name);
		if (!S)
			return fail(x, "the state %s is not in the trace", name);
		*l = (struct lin){S, sym, t - 1, 0, 0, 1};
	} else {
		char nm[256];
		snprintf(nm, sizeof nm, "%s0", name);
		S = trace_get(x->tr, nm);
		if (!S)
			return fail(x, "the initial state %s is not in the trace", nm);
		*l = (struct lin){S, sym, 0, 0, 0, 1};
	}
	sym_in(sym, n, x->t, S->name, S);
	if (!lin_ok(l, width))
		return fail(x, "%s [%d x %d] has no state row for step %d", S->name, S->rows, S->cols,
			    t);
	return 1;
}

static int ex_gate(struct ctx *x)
{
	const struct tensor *X = input(x, 0), *Wx = input(x, 1), *Wh = X && Wx ? input(x, 3) : NULL;
	const struct tensor *B = NULL, *Bh = NULL, *R = NULL;
	if (!X || !Wx || !Wh)
		return 0;
	int t = x->r, col = x->t->prov.off + x->c, H = Wh->rows, tanh_act = x->t->prov.len == 1;
	char sx[96], swx[96], swh[96], sh[96], sbi[96] = "", sbh[96] = "", sr[96] = "", nm[256];
	sym_in(sx, sizeof sx, x->t, X->name, X);
	sym_in(swx, sizeof swx, x->t, Wx->name, Wx);
	sym_in(swh, sizeof swh, x->t, Wh->name, Wh);
	struct dot dx = {{X, sx, t, 0, 0, 1}, {Wx, swx, 0, 1, col, 0}}, dh;
	if (X->cols != Wx->rows || !lin_ok(&dx.a, X->cols) || !lin_ok(&dx.b, X->cols))
		return fail(x, "%s row %d · %s column %d does not fit", X->name, t, Wx->name, col);
	if (!prev_state(x, x->t->prov.in[2], t, H, &dh.a, sh, sizeof sh))
		return 0;
	dh.b = (struct lin){Wh, swh, 0, 1, col, 0};
	if (!lin_ok(&dh.b, H))
		return fail(x, "%s has no column %d", Wh->name, col);
	if (x->t->prov.in[4]) {
		if (!(B = input(x, 4)))
			return 0;
		if (!in_range(B, 0, col))
			return fail(x, "%s has no column %d", B->name, col);
		sym_in(sbi, sizeof sbi, x->t, B->name, B);
		if (swap_suffix(nm, sizeof nm, B->name, "b_ih", "b_hh") &&
		    (Bh = trace_get(x->tr, nm)) && in_range(Bh, 0, col))
			sym_in(sbh, sizeof sbh, x->t, Bh->name, Bh);
		else
			Bh = NULL;
	}
	if (swap_suffix(nm, sizeof nm, x->t->name, "gate.n", "gate.r")) {
		R = trace_get(x->tr, nm);
		if (!R || !in_range(R, t, x->c))
			return fail(x, "the GRU candidate needs the reset gate %s", nm);
		sym_in(sr, sizeof sr, x->t, R->name, R);
	}
	double xs = dot_sum(&dx, X->cols), hs = dot_sum(&dh, H);
	double bi = B ? tensor_at(B, 0, col) : 0, bh = Bh ? tensor_at(Bh, 0, col) : 0;
	double rv = R ? tensor_at(R, t, x->c) : 1;
	double pre = R ? xs + bi + rv * (hs + bh) : xs + hs + bi + bh;
	x->val = tanh_act ? tanh(pre) : sigmoid(pre);
	if (!x->o)
		return 1;
	const char *act = tanh_act ? "tanh" : "σ";
	char xt[128], ht[128], tl[224], pl[224];
	snprintf(xt, sizeof xt, "x_t·%s[:,%d]", swx, col);
	snprintf(ht, sizeof ht, "h_{t-1}·%s[:,%d]", swh, col);
	lhs(x);
	if (R) {
		put(x->o, "%s(%s", act, xt);
		if (B)
			put(x->o, " + %s[%d]", sbi, col);
		put(x->o, " + ");
		ref(x, R, sr, t, x->c, 0);
		put(x->o, "·(%s", ht);
		if (Bh)
			put(x->o, " + %s[%d]", sbh, col);
		put(x->o, "))");
	} else {
		put(x->o, "%s(%s + %s", act, xt, ht);
		if (B)
			put(x->o, " + %s[%d]", sbi, col);
		if (Bh)
			put(x->o, " + %s[%d]", sbh, col);
		put(x->o, ")");
	}
	label(tl, sizeof tl, &X->row, t);
	put(x->o, "\n  step t = %d (%s): x_t = row %s of %s, ", t, tl, tl, sx);
	if (t > 0) {
		label(pl, sizeof pl, &dh.a.t->row, t - 1);
		put(x->o, "h_{t-1} = row %s of %s", pl, sh);
	} else {
		put(x->o, "h_{t-1} = %s (the initial state)", sh);
	}
	sub_dot(x, xt, &dx, X->cols, xs);
	sub_dot(x, ht, &dh, H, hs);
	cont(x);
	put(x->o, "%s(", act);
	put_num(x->o, xs);
	if (R) {
		if (B) {
			put(x->o, " + ");
			put_fac(x->o, bi);
		}
		put(x->o, " + ");
		put_fac(x->o, rv);
		put(x->o, "·(");
		put_num(x->o, hs);
		if (Bh) {
			put(x->o, " + ");
			put_fac(x->o, bh);
		}
		put(x->o, ")");
	} else {
		put(x->o, " + ");
		put_fac(x->o, hs);
		if (B) {
			put(x->o, " + ");
			put_fac(x->o, bi);
		}
		if (Bh) {
			put(x->o, " + ");
			put_fac(x->o, bh);
		}
	}
	put(x->o, ")");
	cont(x);
	put(x->o, "%s(", act);
	put_num(x->o, pre);
	put(x->o, ")");
	return 1;
}

/* Input k at the explained cell; a one-row input broadcasts. */
static int at_cell(struct ctx *x, int k, const struct tensor **t, double *v, char *sym, size_t n)
{
	int rr;
	if (!(*t = input(x, k)))
		return 0;
	if (!ew(*t, x->t, x->r, &rr))
		return fail(x, "%s is [%d x %d], not [%d x %d]", (*t)->name, (*t)->rows, (*t)->cols,
			    x->t->rows, x->t->cols);
	*v = tensor_at(*t, rr, x->c);
	sym_in(sym, n, x->t, (*t)->name, *t);
	return 1;
}

static void ref_at(struct ctx *x, const struct tensor *t, const char *sym)
{
	ref(x, t, sym, t->rows == 1 ? 0 : x->r, x->c, 0);
}

/* The previous step's value of a state (c_{t-1}, h_{t-1}) at column c. */
static int prev_cell(struct ctx *x, const char *name, const char *init, const struct tensor **t,
		     int *row, char *sym, size_t n)
{
	const char *nm = name;
	char buf[256];
	if (x->r == 0) {
		if (init)
			nm = init;
		else if (name) {
			snprintf(buf, sizeof buf, "%s0", name);
			nm = buf;
		}
	}
	if (!nm)
		return fail(x, "its provenance does not name the previous state");
	*t = trace_get(x->tr, nm);
	*row = x->r == 0 ? 0 : x->r - 1;
	if (!*t || !in_range(*t, *row, x->c))
		return fail(x, "the state %s (row %d) is not in the trace", nm, *row);
	sym_in(sym, n, x->t, (*t)->name, *t);
	return 1;
}

static int ex_lstm_c(struct ctx *x)
{
	const struct tensor *F, *I, *G, *C;
	double f, i, g;
	char sf[96], si[96], sg[96], sc[96];
	int cr;
	if (!at_cell(x, 0, &F, &f, sf, sizeof sf) || !at_cell(x, 1, &I, &i, si, sizeof si) ||
	    !at_cell(x, 2, &G, &g, sg, sizeof sg) ||
	    !prev_cell(x, x->t->prov.in[3], x->t->prov.in[4], &C, &cr, sc, sizeof sc))
		return 0;
	double cp = tensor_at(C, cr, x->c);
	x->val = f * cp + i * g;
	if (!x->o)
		return 1;
	lhs(x);
	ref_at(x, F, sf);
	put(x->o, "·");
	ref(x, C, sc, cr, x->c, 0);
	put(x->o, " + ");
	ref_at(x, I, si);
	put(x->o, "·");
	ref_at(x, G, sg);
	if (x->r == 0)
		put(x->o, "   (t = 0: c_{t-1} = %s, the initial memory cell)", sc);
	cont(x);
	put_fac(x->o, f);
	put(x->o, "·");
	put_fac(x->o, cp);
	put(x->o, " + ");
	put_fac(x->o, i);
	put(x->o, "·");
	put_fac(x->o, g);
	cont(x);
	put_num(x->o, f * cp);
	put(x->o, " + ");
	put_fac(x->o, i * g);
	return 1;
}

static int ex_lstm_h(struct ctx *x)
{
	const struct tensor *O, *C;
	double o, c;
	char so[96], sc[96];
	if (!at_cell(x, 0, &O, &o, so, sizeof so) || !at_cell(x, 1, &C, &c, sc, sizeof sc))
		return 0;
	x->val = o * tanh(c);
	if (!x->o)
		return 1;
	lhs(x);
	ref_at(x, O, so);
	put(x->o, "·tanh(");
	ref_at(x, C, sc);
	put(x->o, ")");
	cont(x);
	put_fac(x->o, o);
	put(x->o, "·tanh(");
	put_num(x->o, c);
	put(x->o, ")");
	cont(x);
	put_fac(x->o, o);
	put(x->o, "·");
	put_fac(x->o, tanh(c));
	return 1;
}

static int ex_gru_h(struct ctx *x)
{
	const struct tensor *Z, *N, *Hp;
	double z, nn;
	char sz[96], sn[96], sh[96];
	int hr;
	if (!at_cell(x, 0, &Z, &z, sz, sizeof sz) || !at_cell(x, 1, &N, &nn, sn, sizeof sn) ||
	    !prev_cell(x, x->t->prov.in[2], x->t->prov.in[3], &Hp, &hr, sh, sizeof sh))
		return 0;
	double hp = tensor_at(Hp, hr, x->c);
	x->val = (1 - z) * nn + z * hp;
	if (!x->o)
		return 1;
	lhs(x);
	put(x->o, "(1 - ");
	ref_at(x, Z, sz);
	put(x->o, ")·");
	ref_at(x, N, sn);
	put(x->o, " + ");
	ref_at(x, Z, sz);
	put(x->o, "·");
	ref(x, Hp, sh, hr, x->c, 0);
	if (x->r == 0)
		put(x->o, "   (t = 0: h_{t-1} = %s, the initial state)", sh);
	cont(x);
	put(x->o, "(1 - ");
	put_fac(x->o, z);
	put(x->o, ")·");
	put_fac(x->o, nn);
	put(x->o, " + ");
	put_fac(x->o, z);
	put(x->o, "·");
	put_fac(x->o, hp);
	cont(x);
	put_num(x->o, (1 - z) * nn);
	put(x->o, " + ");
	put_fac(x->o, z * hp);
	return 1;
}

struct addv {
	struct lin q, k, w;
	int stage; /* 0 symbols, 1 numbers inside tanh, 2 tanh evaluated */
};

static void add_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct addv *a = arg;
	(void)numeric;
	if (a->stage == 0) {
		lin_ref(x, &a->w, i);
		put(x->o, "·tanh(");
		lin_ref(x, &a->q, i);
		put(x->o, " + ");
		lin_ref(x, &a->k, i);
		put(x->o, ")");
	} else if (a->stage == 1) {
		put_fac(x->o, lin_at(&a->w, i));
		put(x->o, "·tanh(");
		put_num(x->o, lin_at(&a->q, i));
		put(x->o, " + ");
		put_fac(x->o, lin_at(&a->k, i));
		put(x->o, ")");
	} else {
		put_fac(x->o, lin_at(&a->w, i));
		put(x->o, "·");
		put_fac(x->o, tanh(lin_at(&a->q, i) + lin_at(&a->k, i)));
	}
}

static int ex_additive(struct ctx *x)
{
	const struct tensor *Q = input(x, 0), *K = input(x, 1), *W = input(x, 2);
	if (!Q || !K || !W)
		return 0;
	int n = Q->cols;
	char sq[96], sk[96], sw[96];
	sym_in(sq, sizeof sq, x->t, Q->name, Q);
	sym_in(sk, sizeof sk, x->t, K->name, K);
	sym_in(sw, sizeof sw, x->t, W->name, W);
	struct addv a = {{Q, sq, x->r, 0, 0, 1}, {K, sk, x->c, 0, 0, 1}, {W, sw, 0, 0, 0, 1}, 0};
	if (K->cols != n || !lin_ok(&a.q, n) || !lin_ok(&a.k, n) || !lin_ok(&a.w, n))
		return fail(x, "%s, %s and %s do not share %d attention units", Q->name, K->name,
			    W->name, n);
	double s = 0;
	for (int i = 0; i < n; i++)
		s += lin_at(&a.w, i) * tanh(lin_at(&a.q, i) + lin_at(&a.k, i));
	x->val = s;
	if (!x->o)
		return 1;
	lhs(x);
	terms(x, n, add_term, &a, 0);
	a.stage = 1;
	cont(x);
	terms(x, n, add_term, &a, 1);
	a.stage = 2;
	cont(x);
	terms(x, n, add_term, &a, 1);
	return 1;
}

/* Element i of a vector stored as one row (or one column). */
static int vec(const struct tensor *t, int i, double *v)
{
	if (t->rows == 1 && i < t->cols)
		*v = t->data[i];
	else if (t->cols == 1 && i < t->rows)
		*v = t->data[i];
	else
		return 0;
	return 1;
}

static void vec_ref(struct ctx *x, const struct tensor *t, const char *sym, int i)
{
	if (t->rows == 1)
		ref(x, t, sym, 0, i, 0);
	else
		ref(x, t, sym, i, 0, 0);
}

static int ex_kernel(struct ctx *x)
{
	const struct tensor *Q = input(x, 0), *K = input(x, 1);
	double q, k, w = x->t->prov.scale;
	if (!Q || !K)
		return 0;
	if (!vec(Q, x->r, &q) || !vec(K, x->c, &k))
		return fail(x, "%s has no query %d or %s no key %d", Q->name, x->r, K->name, x->c);
	double d = (q - k) * w;
	x->val = -d * d / 2;
	if (!x->o)
		return 1;
	char sq[96], sk[96];
	sym_in(sq, sizeof sq, x->t, Q->name, Q);
	sym_in(sk, sizeof sk, x->t, K->name, K);
	int one = w == 1.0;
	lhs(x);
	put(x->o, "-(");
	if (!one)
		put(x->o, "(");
	vec_ref(x, Q, sq, x->r);
	put(x->o, " - ");
	vec_ref(x, K, sk, x->c);
	put(x->o, one ? ")² / 2" : ")·w)² / 2");
	if (!one) {
		put(x->o, ", w = ");
		put_num(x->o, w);
	}
	cont(x);
	put(x->o, "-(");
	if (!one)
		put(x->o, "(");
	put_num(x->o, q);
	put(x->o, " - ");
	put_fac(x->o, k);
	if (!one) {
		put(x->o, ")·");
		put_fac(x->o, w);
	}
	put(x->o, ")² / 2");
	cont(x);
	put(x->o, "-");
	put_fac(x->o, d);
	put(x->o, "² / 2");
	return 1;
}

static void col_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct lin *l = arg;
	if (numeric)
		put_fac(x->o, lin_at(l, i));
	else
		lin_ref(x, l, i);
}

static int ex_mean(struct ctx *x)
{
	const struct tensor *A = input(x, 0);
	if (!A)
		return 0;
	char sa[96];
	sym_in(sa, sizeof sa, x->t, A->name, A);
	struct lin l = {A, sa, 0, 1, x->c, 0};
	int n = A->rows;
	if (!lin_ok(&l, n))
		return fail(x, "%s has no column %d", A->name, x->c);
	double s = 0;
	for (int i = 0; i < n; i++)
		s += lin_at(&l, i);
	x->val = s / n;
	if (!x->o)
		return 1;
	lhs(x);
	put(x->o, "(");
	terms(x, n, col_term, &l, 0);
	put(x->o, ") / %d", n);
	cont(x);
	put(x->o, "(");
	terms(x, n, col_term, &l, 1);
	put(x->o, ") / %d", n);
	cont(x);
	put_num(x->o, s);
	put(x->o, " / %d", n);
	return 1;
}

/* ------------------------------------------------------------------ */
/* No provenance: given, or a copy we can identify                     */

static int same_float(float a, float b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* A source whose cell equals ours exactly; its cell in *sr, *sc. */
static int copy_candidate(struct ctx *x, const char *name, int sr, int sc,
			  const struct tensor **src)
{
	const struct tensor *s = trace_get(x->tr, name);
	if (!s || s == x->t || !in_range(s, sr, sc))
		return 0;
	if (!same_float(tensor_at(s, sr, sc), tensor_at(x->t, x->r, x->c)))
		return 0;
	*src = s;
	return 1;
}

/* Finds where an unprovenanced cell was copied from: a trace name in the
 * description with the same shape, or one of the engine's known copies. */
static const struct tensor *find_copy(struct ctx *x, int *sr, int *sc)
{
	const struct tensor *t = x->t, *s = NULL;
	const char *d = t->desc ? t->desc : "";
	char nm[256];
	*sr = x->r;
	*sc = x->c;
	/* names mentioned in the description */
	for (const char *p = d; *p;) {
		size_t k = 0;
		while (p[k] && (isalnum((unsigned char)p[k]) || p[k] == '_' || p[k] == '.'))
			k++;
		if (k == 0) {
			p++;
			continue;
		}
		size_t kk = k;
		while (kk > 0 && p[kk - 1] == '.')
			kk--;
		if (kk > 0 && kk < sizeof nm) {
			memcpy(nm, p, kk);
			nm[kk] = 0;
			const struct tensor *c = trace_get(x->tr, nm);
			if (c && c->rows == t->rows && c->cols == t->cols &&
			    copy_candidate(x, nm, x->r, x->c, &s))
				return s;
		}
		p += k;
	}
	/* a recurrent layer's input: the layer below, or the embeddings */
	int l;
	char side[8];
	if (sscanf(t->name, "%3[a-z].l%d.%255s", side, &l, nm) == 3 && strcmp(nm, "x") == 0) {
		if (l > 0)
			snprintf(nm, sizeof nm, "%s.l%d.h", side, l - 1);
		else
			snprintf(nm, sizeof nm, "%s", strcmp(side, "enc") ? "dec.x" : "src.embed");
		if (copy_candidate(x, nm, x->r, x->c, &s))
			return s;
	}
	/* the decoder's initial state: the encoder's final state, layer by layer */
	char st[8];
	if (sscanf(t->name, "dec.l%d.%7s", &l, st) == 2 && (!strcmp(st, "h0") || !strcmp(st, "c0"))) {
		snprintf(nm, sizeof nm, "enc.l%d.%c", l, st[0]);
		const struct tensor *e = trace_get(x->tr, nm);
		if (e && e->rows > 0 && copy_candidate(x, nm, e->rows - 1, x->c, &s)) {
			*sr = e->rows - 1;
			return s;
		}
	}
	/* the recurrent encoder's outputs and the decoder's query: the top layer */
	if (!strcmp(t->name, "enc.out") || !strcmp(t->name, "dec.query")) {
		int top = -1;
		const char *sd = t->name[0] == 'e' ? "enc" : "dec";
		for (int k = 0; k < 64; k++) {
			snprintf(nm, sizeof nm, "%s.l%d.h", sd, k);
			if (trace_get(x->tr, nm))
				top = k;
		}
		if (top >= 0) {
			snprintf(nm, sizeof nm, "%s.l%d.h", sd, top);
			if (sd[0] == 'e' && copy_candidate(x, nm, x->r, x->c, &s))
				return s;
			if (sd[0] == 'd') {
				if (x->r > 0 && copy_candidate(x, nm, x->r - 1, x->c, &s)) {
					*sr = x->r - 1;
					return s;
				}
				snprintf(nm, sizeof nm, "dec.l%d.h0", top);
				if (x->r == 0 && copy_candidate(x, nm, 0, x->c, &s)) {
					*sr = 0;
					return s;
				}
			}
		}
	}
	/* the recurrent decoder's input [embedding ; context] */
	if (!strcmp(t->name, "dec.x")) {
		const struct tensor *e = trace_get(x->tr, "tgt.embed");
		if (e && x->c < e->cols) {
			if (copy_candidate(x, "tgt.embed", x->r, x->c, &s))
				return s;
		} else if (e && copy_candidate(x, "dec.context", x->r, x->c - e->cols, &s)) {
			*sc = x->c - e->cols;
			return s;
		}
	}
	/* the fixed context of a decoder without attention: the encoder's last output */
	if (!strcmp(t->name, "dec.context")) {
		const struct tensor *e = trace_get(x->tr, "enc.out");
		if (e && e->rows > 0 && copy_candidate(x, "enc.out", e->rows - 1, x->c, &s)) {
			*sr = e->rows - 1;
			return s;
		}
	}
	/* multi-head concat: head h's output in columns h·d_head .. */
	if (swap_suffix(nm, sizeof nm, t->name, ".concat", ".h0.out")) {
		const struct tensor *h0 = trace_get(x->tr, nm);
		if (h0 && h0->cols > 0) {
			int h = x->c / h0->cols;
			char base[256];
			swap_suffix(base, sizeof base, t->name, ".concat", "");
			snprintf(nm, sizeof nm, "%s.h%d.out", base, h);
			if (copy_candidate(x, nm, x->r, x->c % h0->cols, &s)) {
				*sc = x->c % h0->cols;
				return s;
			}
		}
	}
	return NULL;
}

/* weights_avg: the mean over the heads' weights. */
static int heads_avg(struct ctx *x, int *nh, char *base, size_t bn)
{
	if (!swap_suffix(base, bn, x->t->name, ".weights_avg", ""))
		return 0;
	char nm[300];
	double s = 0;
	int h;
	for (h = 0; h < 256; h++) {
		snprintf(nm, sizeof nm, "%s.h%d.weights", base, h);
		const struct tensor *w = trace_get(x->tr, nm);
		if (!w)
			break;
		if (w->rows != x->t->rows || w->cols != x->t->cols)
			return 0;
		s += tensor_at(w, x->r, x->c);
	}
	if (h == 0)
		return 0;
	double v = s / h, st = tensor_at(x->t, x->r, x->c);
	if (fabs(v - st) > 1e-5 * (1 + fabs(st)))
		return 0;
	*nh = h;
	x->val = v;
	return 1;
}

/* For a recurrent weight or bias: which gate and unit column c feeds,
 * from the README's gate order (LSTM i f g o, GRU r z n). */
static void put_gate_column(struct ctx *x)
{
	static const char *const lstm[] = {"i", "f", "g", "o"}, *const gru[] = {"r", "z", "n"};
	static const char *const kinds[] = {".w_ih", ".w_hh", ".b_ih", ".b_hh"};
	char base[256], nm[300];
	for (int k = 0; k < 4; k++) {
		if (!swap_suffix(base, sizeof base, x->t->name, kinds[k], ""))
			continue;
		snprintf(nm, sizeof nm, "%s.gate.i", base);
		int is_lstm = trace_get(x->tr, nm) != NULL;
		snprintf(nm, sizeof nm, "%s.gate.r", base);
		int is_gru = trace_get(x->tr, nm) != NULL;
		snprintf(nm, sizeof nm, "%s.h0", base);
		const struct tensor *h0 = trace_get(x->tr, nm);
		int G = is_lstm ? 4 : is_gru ? 3 : 1, H = h0 ? h0->cols : 0;
		if (H <= 0 || x->t->cols != G * H)
			return;
		int g = x->c / H;
		if (G > 1)
			put(x->o, " (column %d: gate %s, unit %d)", x->c, is_lstm ? lstm[g] : gru[g],
			    x->c % H);
		return;
	}
}

static int ex_none(struct ctx *x)
{
	const struct tensor *t = x->t;
	char a[224], b[224], base[256];
	int sr, sc, nh;
	const struct tensor *s = find_copy(x, &sr, &sc);
	if (s) {
		x->val = tensor_at(s, sr, sc);
		if (!x->o)
			return 1;
		size_t start = x->o->len;
		ref(x, t, t->name, x->r, x->c, 1);
		x->indent = x->o->buf ? text_width(x->o->buf + start) + 1 : 0;
		put(x->o, " = ");
		ref(x, s, s->name, sr, sc, 0);
		put(x->o, "   (copied: %s)", t->desc && *t->desc ? t->desc : "the same number");
		return 1;
	}
	if (heads_avg(x, &nh, base, sizeof base)) {
		if (!x->o)
			return 1;
		lhs(x);
		put(x->o, "(");
		for (int h = 0; h < nh; h++) {
			if (h)
				put(x->o, " + ");
			label(a, sizeof a, &t->row, x->r);
			label(b, sizeof b, &t->col, x->c);
			put(x->o, "h%d.weights[%s,%s]", h, a, b);
		}
		put(x->o, ") / %d", nh);
		cont(x);
		put(x->o, "(");
		for (int h = 0; h < nh; h++) {
			char nm[300];
			snprintf(nm, sizeof nm, "%s.h%d.weights", base, h);
			if (h)
				put(x->o, " + ");
			put_num(x->o, tensor_at(trace_get(x->tr, nm), x->r, x->c));
		}
		put(x->o, ") / %d", nh);
		return 1;
	}
	x->val = NAN;
	if (!x->o)
		return 0;
	size_t start = x->o->len;
	ref(x, t, t->name, x->r, x->c, 1);
	x->indent = x->o->buf ? text_width(x->o->buf + start) + 1 : 0;
	put(x->o, " is given: %s", t->desc && *t->desc ? t->desc : "an input or weight");
	put_gate_column(x);
	return 1;
}

/* ------------------------------------------------------------------ */
/* Entry points                                                        */

static int run_kind(struct ctx *x)
{
	switch (x->t->prov.kind) {
	case PROV_NONE:
		return ex_none(x);
	case PROV_LOOKUP:
		return ex_lookup(x);
	case PROV_MATMUL:
		return ex_matmul(x);
	case PROV_SCORES:
		return ex_scores(x);
	case PROV_SOFTMAX:
		return ex_softmax(x);
	case PROV_WSUM:
		return ex_wsum(x);
	case PROV_ADD:
		return ex_add(x);
	case PROV_EMBED_POS:
		return ex_embed_pos(x);
	case PROV_LAYERNORM:
		return ex_layernorm(x);
	case PROV_RELU:
		return ex_act(x, 0);
	case PROV_GELU:
		return ex_act(x, 1);
	case PROV_SINUSOID:
		return ex_sinusoid(x);
	case PROV_GATE:
		return ex_gate(x);
	case PROV_LSTM_C:
		return ex_lstm_c(x);
	case PROV_LSTM_H:
		return ex_lstm_h(x);
	case PROV_GRU_H:
		return ex_gru_h(x);
	case PROV_ADDITIVE:
		return ex_additive(x);
	case PROV_KERNEL:
		return ex_kernel(x);
	case PROV_MEAN:
		return ex_mean(x);
	}
	return fail(x, "unknown provenance kind %d", (int)x->t->prov.kind);
}

size_t explain_cell(const struct trace *tr, const struct tensor *t, int r, int c, char *buf,
		    size_t n)
{
	if (!buf || n == 0)
		return 0;
	char scratch[SCRATCH];
	struct out o = {scratch, sizeof scratch, 0, 0};
	scratch[0] = 0;
	if (!t) {
		put(&o, "no tensor");
		return deliver(scratch, o.len, buf, n);
	}
	if (!in_range(t, r, c)) {
		put(&o, "%s has no cell [%d, %d]: it is [%d x %d]", t->name, r, c, t->rows, t->cols);
		return deliver(scratch, o.len, buf, n);
	}
	struct trace empty;
	if (!tr) {
		memset(&empty, 0, sizeof empty);
		tr = &empty;
	}
	struct ctx x = {tr, t, r, c, &o, 0, NAN, ""};
	if (!run_kind(&x)) {
		/* Start over with what is known: the description and the reason. */
		o.len = 0;
		o.full = 0;
		scratch[0] = 0;
		size_t start = o.len;
		ref(&x, t, t->name, r, c, 1);
		x.indent = text_width(scratch + start) + 1;
		put(&o, ": %s", t->desc && *t->desc ? t->desc : "(no description)");
		put(&o, "\n  (cannot be worked out here: %s)", x.why);
	}
	/* The last line: the stored value as the views print it. Make room for it. */
	if (o.full) {
		o.len = o.len > 64 ? utf8_boundary(scratch, o.len - 64) : 0;
		o.full = 0;
		scratch[o.len] = 0;
	}
	cont(&x);
	char v[48];
	put(&o, "%s", tensor_fmt(t, tensor_at(t, r, c), v, sizeof v));
	return deliver(scratch, o.len, buf, n);
}

double explain_recompute(const struct trace *tr, const struct tensor *t, int r, int c)
{
	if (!tr || !t || !in_range(t, r, c))
		return NAN;
	struct ctx x = {tr, t, r, c, NULL, 0, NAN, ""};
	if (!run_kind(&x))
		return NAN;
	return x.val;
}

/* ------------------------------------------------------------------ */
/* The whole tensor                                                    */

static void shape(struct out *o, const struct tensor *t)
{
	if (t)
		put(o, "[%d x %d]", t->rows, t->cols);
	else
		put(o, "[?]");
}

/* The tensor-level story of an entry without provenance: a copy, one of
 * the engine's known rearrangements, or given. */
static void none_formula(struct out *o, const struct trace *tr, const struct tensor *t)
{
	struct ctx x = {tr, t, 0, 0, NULL, 0, NAN, ""};
	char base[256], nm[300];
	int sr = 0, sc = 0, nh = 0;
	const struct tensor *s = t->rows && t->cols ? find_copy(&x, &sr, &sc) : NULL;
	const struct tensor *e = trace_get(tr, "tgt.embed"), *ctx = trace_get(tr, "dec.context");
	if (swap_suffix(base, sizeof base, t->name, ".weights_avg", "") ||
	    swap_suffix(base, sizeof base, t->name, ".concat", "")) {
		int avg = strstr(t->name, "weights_avg") != NULL;
		const struct tensor *h0 = NULL;
		for (nh = 0; nh < 256; nh++) {
			snprintf(nm, sizeof nm, avg ? "%s.h%d.weights" : "%s.h%d.out", base, nh);
			const struct tensor *h = trace_get(tr, nm);
			if (!h)
				break;
			if (!h0)
				h0 = h;
		}
		if (nh > 0 && avg) {
			put(o, "(h0.weights + ... + h%d.weights) / %d, cell by cell: ", nh - 1, nh);
			shape(o, t);
			return;
		}
		if (nh > 0) {
			put(o, "Concat(h0.out, ..., h%d.out), the heads side by side: ", nh - 1);
			shape(o, t);
			put(o, " = %d x ", nh);
			shape(o, h0);
			return;
		}
	}
	if (!strcmp(t->name, "dec.x") && e && ctx && e->cols + ctx->cols == t->cols) {
		put(o, "[tgt.embed ; dec.context], each row the embedding then the context: ");
		shape(o, t);
		put(o, " = [");
		shape(o, e);
		put(o, " ; ");
		shape(o, ctx);
		put(o, "]");
		return;
	}
	if (s && !strcmp(t->name, "dec.query")) {
		put(o, "row t = row t-1 of %s (its initial state at t = 0): ", s->name);
		shape(o, t);
		return;
	}
	if (s && !strcmp(t->name, "dec.context")) {
		put(o, "every row = the last row of %s: ", s->name);
		shape(o, t);
		return;
	}
	if (s && t->rows == 1 && s->rows > 1 && sr == s->rows - 1 && s->cols == t->cols) {
		put(o, "the last row of %s: ", s->name);
		shape(o, t);
		return;
	}
	if (s && sr == 0 && sc == 0 && s->rows == t->rows && s->cols == t->cols) {
		put(o, "copied from %s: ", s->name);
		shape(o, t);
		return;
	}
	put(o, "given (not computed from other trace entries): ");
	shape(o, t);
}

struct syms {
	const struct tensor *in[PROV_MAX_IN];
	char s[PROV_MAX_IN][96];
	char self[96];
};

static void get_syms(const struct trace *tr, const struct tensor *t, struct syms *y)
{
	sym_out(y->self, sizeof y->self, t);
	for (int k = 0; k < PROV_MAX_IN; k++) {
		const char *nm = t->prov.in[k];
		y->in[k] = nm ? trace_get(tr, nm) : NULL;
		if (nm)
			sym_in(y->s[k], sizeof y->s[k], t, nm, y->in[k]);
		else
			y->s[k][0] = 0;
	}
}

size_t explain_tensor(const struct trace *tr, const struct tensor *t, char *buf, size_t n)
{
	if (!buf || n == 0)
		return 0;
	char scratch[SCRATCH];
	struct out o = {scratch, sizeof scratch, 0, 0};
	scratch[0] = 0;
	if (!t) {
		put(&o, "no tensor");
		return deliver(scratch, o.len, buf, n);
	}
	struct trace empty;
	if (!tr) {
		memset(&empty, 0, sizeof empty);
		tr = &empty;
	}
	put(&o, "%s [%d x %d]: %s", t->name, t->rows, t->cols,
	    t->desc && *t->desc ? t->desc : "(no description)");
	struct syms y;
	get_syms(tr, t, &y);
	const struct prov *p = &t->prov;
	const char *S = y.self, *A = y.s[0], *B = y.s[1], *C = y.s[2];
	const struct tensor *tA = y.in[0], *tB = y.in[1], *tC = y.in[2];
	struct nb nb;
	char rt[300];
	put(&o, "\n");
	switch (p->kind) {
	case PROV_NONE:
		none_formula(&o, tr, t);
		break;
	case PROV_LOOKUP:
		put(&o, "%s[t,:] = E[id_t,:]: ", S);
		shape(&o, t);
		put(&o, " = the rows of %s", tA ? A : "the embedding table");
		if (tA) {
			put(&o, " ");
			shape(&o, tA);
		}
		put(&o, " picked by the ids %s ", B);
		shape(&o, tB);
		break;
	case PROV_MATMUL:
		if (tA && tB && tA->rows != t->rows && t->rows == 1) {
			put(&o, "%s[c] = Σ_j %s[c,j]·%s[j]: ", S, A, B);
			shape(&o, t);
			put(&o, " from ");
			shape(&o, tA);
			put(&o, " and ");
			shape(&o, tB);
			break;
		}
		put(&o, "%s = %s %s%s%s: ", S, A, B, p->in[2] ? " + " : "", p->in[2] ? C : "");
		shape(&o, t);
		put(&o, " = ");
		shape(&o, tA);
		put(&o, "·");
		shape(&o, tB);
		if (p->in[2]) {
			put(&o, " + ");
			shape(&o, tC);
		}
		break;
	case PROV_SCORES: {
		double sc = p->scale != 0 ? p->scale : 1.0;
		char st[64] = "";
		if (sc != 1.0) {
			root_text(rt, sizeof rt, 1.0 / sc);
			if (rt[0] == '\xe2')
				snprintf(st, sizeof st, " / %s", rt);
			else
				snprintf(st, sizeof st, " · %s", num(&nb, sc));
		}
		int len = p->len > 0 ? p->len : (tA ? tA->cols : 0);
		int part = tA && (p->off != 0 || len != tA->cols);
		put(&o, "%s = %s%s %s%sᵀ%s: ", S, A, part ? "_h" : "", B, part ? "_h" : "", st);
		shape(&o, t);
		put(&o, " = [%d x %d]·[%d x %d]ᵀ%s", tA ? tA->rows : 0, len, tB ? tB->rows : 0, len, st);
		if (part) {
			put(&o, "; %s_h, %s_h = columns %d..%d of %s ", A, B, p->off, p->off + len - 1, A);
			shape(&o, tA);
			put(&o, " and %s ", B);
			shape(&o, tB);
		}
		if (t->desc && strstr(t->desc, "mask"))
			put(&o, "; masked cells are -inf");
		break;
	}
	case PROV_SOFTMAX:
		put(&o, "%s[r,c] = exp(%s[r,c]) / Σ_j exp(%s[r,j]): ", S, A, A);
		shape(&o, t);
		put(&o, ", softmax of each row of %s ", A);
		shape(&o, tA);
		put(&o, "; each row sums to 1");
		break;
	case PROV_WSUM: {
		int part = tB && (p->off != 0 || t->cols != tB->cols);
		put(&o, "%s = %s %s%s: ", S, A, B, part ? "_h" : "");
		shape(&o, t);
		put(&o, " = ");
		shape(&o, tA);
		put(&o, "·[%d x %d]", tB ? tB->rows : 0, t->cols);
		if (part)
			put(&o, "; %s_h = columns %d..%d of %s", B, p->off, p->off + t->cols - 1, B);
		break;
	}
	case PROV_ADD:
		put(&o, "%s = %s + %s: ", S, A, B);
		shape(&o, t);
		put(&o, " = ");
		shape(&o, tA);
		put(&o, " + ");
		shape(&o, tB);
		break;
	case PROV_EMBED_POS: {
		double k = p->scale != 0 ? p->scale : 1.0;
		root_text(rt, sizeof rt, k);
		put(&o, "%s = %s%s%s + %s: ", S, k != 1.0 ? rt : "", k != 1.0 ? "·" : "", A, B);
		shape(&o, t);
		put(&o, " = %s%s", k != 1.0 ? rt : "", k != 1.0 ? "·" : "");
		shape(&o, tA);
		put(&o, " + ");
		shape(&o, tB);
		break;
	}
	case PROV_LAYERNORM:
		put(&o, "%s = (%s - mean) / √(var + ε)%s%s per row, ε = %g: ", S, A,
		    p->in[1] ? " · γ" : "", p->in[2] ? " + β" : "", p->scale);
		shape(&o, t);
		put(&o, " from ");
		shape(&o, tA);
		if (p->in[1])
			put(&o, ", γ = %s", B);
		if (p->in[2])
			put(&o, ", β = %s", C);
		if (tB) {
			put(&o, " ");
			shape(&o, tB);
		}
		break;
	case PROV_RELU:
	case PROV_GELU:
		if (p->kind == PROV_RELU)
			put(&o, "%s = max(0, %s): ", S, A);
		else
			put(&o, "%s = GELU(%s) = %s·Φ(%s), Φ the standard normal CDF: ", S, A, A, A);
		shape(&o, t);
		put(&o, ", elementwise");
		break;
	case PROV_SINUSOID:
		put(&o, "%s[i,2j] = sin(i / 10000^(2j/%d)), %s[i,2j+1] = cos(i / 10000^(2j/%d)): ", S,
		    t->cols, S, t->cols);
		shape(&o, t);
		put(&o, ", i = position");
		break;
	case PROV_GATE: {
		const struct tensor *Wh = y.in[3];
		char nm[256], bh[96] = "", rs[96] = "";
		const char *act = p->len == 1 ? "tanh" : "σ";
		int H = t->cols, c0 = p->off, c1 = p->off + H - 1, hin = Wh ? Wh->rows : H;
		if (p->in[4] && swap_suffix(nm, sizeof nm, p->in[4], "b_ih", "b_hh") &&
		    trace_get(tr, nm))
			sym_in(bh, sizeof bh, t, nm, trace_get(tr, nm));
		int gru_n = swap_suffix(nm, sizeof nm, t->name, "gate.n", "gate.r") && trace_get(tr, nm);
		if (gru_n)
			sym_in(rs, sizeof rs, t, nm, trace_get(tr, nm));
		put(&o, "%s_t = %s(x_t %s[:,%d..%d]", S, act, B, c0, c1);
		if (gru_n) {
			if (p->in[4])
				put(&o, " + %s[%d..%d]", y.s[4], c0, c1);
			put(&o, " + %s_t ⊙ (", rs);
		} else {
			put(&o, " + ");
		}
		put(&o, "h_{t-1} %s[:,%d..%d]", y.s[3], c0, c1);
		if (!gru_n && p->in[4])
			put(&o, " + %s[%d..%d]", y.s[4], c0, c1);
		if (bh[0])
			put(&o, " + %s[%d..%d]", bh, c0, c1);
		put(&o, gru_n ? "))" : ")");
		put(&o, " per step t: ");
		shape(&o, t);
		put(&o, " = %s([%d x %d]·[%d x %d] + ", act, t->rows, tA ? tA->cols : 0,
		    tA ? tA->cols : 0, H);
		if (gru_n)
			put(&o, "[1 x %d] + [%d x %d] ⊙ ([%d x %d]·[%d x %d] + [1 x %d]))", H, t->rows, H,
			    t->rows, hin, hin, H, H);
		else {
			put(&o, "[%d x %d]·[%d x %d] + [1 x %d]", t->rows, hin, hin, H, H);
			if (bh[0])
				put(&o, " + [1 x %d]", H);
			put(&o, ")");
		}
		put(&o, "; x_t = row t of %s, h_{t-1} = row t-1 of %s (%s0 at t = 0)", A, C, C);
		break;
	}
	case PROV_LSTM_C:
		put(&o, "%s_t = %s_t ⊙ %s_{t-1} + %s_t ⊙ %s_t per step: ", S, A, S, B, C);
		shape(&o, t);
		put(&o, "; %s_{t-1} at t = 0 is %s", S,
		    p->in[4] ? p->in[4] : p->in[3] ? (snprintf(rt, sizeof rt, "%s0", p->in[3]), rt) : "c0");
		break;
	case PROV_LSTM_H:
		put(&o, "%s_t = %s_t ⊙ tanh(%s_t): ", S, A, B);
		shape(&o, t);
		put(&o, ", elementwise");
		break;
	case PROV_GRU_H:
		put(&o, "%s_t = (1 - %s_t) ⊙ %s_t + %s_t ⊙ %s_{t-1} per step: ", S, A, B, A, S);
		shape(&o, t);
		put(&o, "; %s_{t-1} at t = 0 is %s", S,
		    p->in[3] ? p->in[3] : p->in[2] ? (snprintf(rt, sizeof rt, "%s0", p->in[2]), rt) : "h0");
		break;
	case PROV_ADDITIVE:
		put(&o, "%s[t,j] = Σ_a %s[a]·tanh(%s[t,a] + %s[j,a]): ", S, C, A, B);
		shape(&o, t);
		put(&o, " from %s ", A);
		shape(&o, tA);
		put(&o, ", %s ", B);
		shape(&o, tB);
		put(&o, ", %s ", C);
		shape(&o, tC);
		break;
	case PROV_KERNEL:
		put(&o, "%s[i,j] = -((%s[i] - %s[j])·w)² / 2, w = %s: ", S, A, B,
		    num(&nb, p->scale));
		shape(&o, t);
		put(&o, " from %s ", A);
		shape(&o, tA);
		put(&o, " and %s ", B);
		shape(&o, tB);
		break;
	case PROV_MEAN:
		put(&o, "%s[0,c] = mean over the rows of %s: ", S, A);
		shape(&o, t);
		put(&o, " from ");
		shape(&o, tA);
		break;
	}
	/* what the symbols stand for */
	int any = strcmp(S, t->name) != 0, first = 1;
	for (int k = 0; k < PROV_MAX_IN; k++)
		if (p->in[k] && strcmp(y.s[k], p->in[k]) != 0)
			any = 1;
	if (p->kind != PROV_NONE && any) {
		put(&o, "\nwhere ");
		if (strcmp(S, t->name) != 0) {
			put(&o, "%s = %s", S, t->name);
			first = 0;
		}
		for (int k = 0; k < PROV_MAX_IN; k++) {
			int dup = 0;
			for (int j = 0; j < k; j++)
				dup |= p->in[j] && p->in[k] && !strcmp(p->in[j], p->in[k]);
			if (p->in[k] && !dup && strcmp(p->in[k], t->name) != 0 &&
			    strcmp(p->in[k], y.s[k]) != 0) {
				put(&o, "%s%s = %s%s", first ? "" : ", ", y.s[k], p->in[k],
				    y.in[k] ? "" : " (not in the trace)");
				first = 0;
			}
		}
		char nm[300], sy[96];
		if (p->kind == PROV_GATE && p->in[4] &&
		    swap_suffix(nm, sizeof nm, p->in[4], "b_ih", "b_hh") && trace_get(tr, nm)) {
			sym_in(sy, sizeof sy, t, nm, trace_get(tr, nm));
			put(&o, "%s%s = %s", first ? "" : ", ", sy, nm);
			first = 0;
		}
		if (p->kind == PROV_GATE && swap_suffix(nm, sizeof nm, t->name, "gate.n", "gate.r") &&
		    trace_get(tr, nm)) {
			sym_in(sy, sizeof sy, t, nm, trace_get(tr, nm));
			put(&o, "%s%s = %s", first ? "" : ", ", sy, nm);
			first = 0;
		}
	}
	return deliver(scratch, o.len, buf, n);
}

/* Explanations of attention (see explain_core.h): dot-product scores and
 * their masks, the softmax over a row, the weighted sum of the values, and
 * the additive and Gaussian-kernel scores of the other attentions. */
#include "trace/explain_attention.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A masked score: the engines write -inf, so its weight is exactly 0. */
static int masked(double v)
{
	return isinf(v) && v < 0;
}

/* How a scale is written after the product: " / √8" when it is 1/√k for
 * a whole k, " · 0.2000" otherwise, "" for 1. */
static void scale_text(char *st, size_t n, double scale)
{
	st[0] = 0;
	if (scale == 1.0)
		return;
	char rt[300];
	ex_root_text(rt, sizeof rt, 1.0 / scale);
	if (rt[0] == '\xe2') { /* "√k" */
		snprintf(st, n, " / %s", rt);
	} else {
		struct nb b;
		snprintf(st, n, " · %s", ex_numstr(&b, scale));
	}
}

/* "-inf: ..." for a masked cell, with t's labels. */
static void put_mask_reason(struct ctx *x, const struct tensor *t)
{
	if (!x->o)
		return;
	char a[224], b[224];
	int causal = t->rows == t->cols && x->c > x->r;
	if (causal) {
		ex_put(x->o, "position %d", x->c);
		if (t->col.labels) {
			ex_label(b, sizeof b, &t->col, x->c);
			ex_put(x->o, " ('%s')", b);
		}
		ex_put(x->o, " is in the future of position %d", x->r);
		if (t->row.labels) {
			ex_label(a, sizeof a, &t->row, x->r);
			ex_put(x->o, " ('%s')", a);
		}
		ex_put(x->o, " (causal mask), so its weight is 0");
	} else {
		ex_label(a, sizeof a, &t->row, x->r);
		ex_label(b, sizeof b, &t->col, x->c);
		ex_put(x->o, "masked: key %s is hidden from query %s, so its weight is 0", b, a);
	}
}

int ex_scores_cell(struct ctx *x)
{
	const struct tensor *Q = ex_input(x, 0), *K = ex_input(x, 1);
	if (!Q || !K)
		return 0;
	int off = x->t->prov.off, len = x->t->prov.len;
	if (len <= 0)
		len = (Q->cols < K->cols ? Q->cols : K->cols) - off;
	char sq[96], sk[96];
	ex_sym_in(sq, sizeof sq, x->t, Q->name, Q);
	ex_sym_in(sk, sizeof sk, x->t, K->name, K);
	struct dot d = {{Q, sq, x->r, 0, off, 1}, {K, sk, x->c, 0, off, 1}};
	if (!ex_lin_ok(&d.a, len) || !ex_lin_ok(&d.b, len))
		return ex_fail(x, "columns %d..%d of %s [%d x %d] and %s [%d x %d] do not hold row %d / %d",
			       off, off + len - 1, Q->name, Q->rows, Q->cols, K->name, K->rows, K->cols,
			       x->r, x->c);
	float stored = tensor_at(x->t, x->r, x->c);
	if (masked(stored)) {
		x->val = -INFINITY;
		ex_lhs(x);
		ex_put(x->o, "-inf: ");
		put_mask_reason(x, x->t);
		return 1;
	}
	double scale = x->t->prov.scale != 0 ? x->t->prov.scale : 1.0;
	double s = ex_dot_sum(&d, len);
	x->val = s * scale;
	if (!x->o)
		return 1;
	char st[48];
	int scaled = scale != 1.0;
	scale_text(st, sizeof st, scale);
	ex_lhs(x);
	ex_put(x->o, scaled ? "(" : "");
	ex_terms(x, len, ex_dot_term, &d, 0);
	ex_put(x->o, "%s%s", scaled ? ")" : "", st);
	ex_cont(x);
	ex_put(x->o, scaled ? "(" : "");
	ex_terms(x, len, ex_dot_term, &d, 1);
	ex_put(x->o, "%s%s", scaled ? ")" : "", st);
	if (scaled) {
		ex_cont(x);
		ex_num(x->o, s);
		if (st[1] == '/') {
			ex_put(x->o, " / ");
			ex_num(x->o, 1.0 / scale);
		} else {
			ex_opfac(x->o, " · ", scale);
		}
	}
	return 1;
}

void ex_scores_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	char st[64];
	scale_text(st, sizeof st, p->scale != 0 ? p->scale : 1.0);
	int len = p->len > 0 ? p->len : (f->in[0] ? f->in[0]->cols : 0);
	int part = f->in[0] && (p->off != 0 || len != f->in[0]->cols);
	ex_put(f->o, "%s = %s%s %s%sᵀ%s: ", f->self, f->sym[0], part ? "_h" : "", f->sym[1],
	       part ? "_h" : "", st);
	ex_shape(f->o, f->t);
	ex_put(f->o, " = [%d x %d]·[%d x %d]ᵀ%s", f->in[0] ? f->in[0]->rows : 0, len,
	       f->in[1] ? f->in[1]->rows : 0, len, st);
	if (part) {
		ex_put(f->o, "; %s_h, %s_h = columns %d..%d of %s ", f->sym[0], f->sym[1], p->off,
		       p->off + len - 1, f->sym[0]);
		ex_shape(f->o, f->in[0]);
		ex_put(f->o, " and %s ", f->sym[1]);
		ex_shape(f->o, f->in[1]);
	}
	if (f->t->desc && strstr(f->t->desc, "mask"))
		ex_put(f->o, "; masked cells are -inf");
}

struct sm {
	const struct tensor *S;
	int r, *idx;
	double shift, k; /* k: the factor on the inputs (1 / temperature), 1 if none */
};

/* The factor a softmax applies to its inputs: prov.scale = 1/T for a
 * what-if temperature T, 0 or 1 for a plain softmax. */
static double sm_factor(const struct tensor *t)
{
	return t->prov.scale != 0 ? t->prov.scale : 1.0;
}

static void sm_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct sm *m = arg;
	double v = tensor_at(m->S, m->r, m->idx[i]) * m->k;
	if (!numeric) {
		ex_put(x->o, "exp(");
		ex_num(x->o, v - m->shift);
		ex_put(x->o, ")");
	} else {
		ex_num(x->o, exp(v - m->shift));
	}
}

int ex_softmax_cell(struct ctx *x)
{
	const struct tensor *S = ex_input(x, 0);
	if (!S)
		return 0;
	if (S->rows != x->t->rows || S->cols != x->t->cols)
		return ex_fail(x, "%s is [%d x %d], not [%d x %d]", S->name, S->rows, S->cols, x->t->rows,
			       x->t->cols);
	int n = S->cols, r = x->r;
	double k = sm_factor(x->t);
	const float *row = S->data + (size_t)r * n;
	double m = -INFINITY;
	int nf = 0;
	for (int j = 0; j < n; j++)
		if (!masked(row[j])) {
			nf++;
			if (row[j] * k > m)
				m = row[j] * k;
		}
	double s = row[x->c] * k;
	char ss[96], rl[224], temp[64] = "";
	ex_sym_in(ss, sizeof ss, x->t, S->name, S);
	if (k != 1.0) {
		struct nb b;
		snprintf(temp, sizeof temp, " / %s", ex_numstr(&b, 1.0 / k));
	}
	if (nf == 0 || masked(row[x->c])) {
		x->val = 0;
		if (!x->o)
			return 1;
		ex_lhs(x);
		ex_put(x->o, "exp(");
		ex_ref(x, S, ss, r, x->c, 0);
		ex_label(rl, sizeof rl, &S->row, r);
		ex_put(x->o, "%s) / Σ_j exp(%s[%s,j]%s) = exp(-inf) / ... = 0: ", temp, ss, rl, temp);
		if (nf == 0)
			ex_put(x->o, "every cell of this row is masked, so every weight is 0");
		else
			put_mask_reason(x, S);
		return 1;
	}
	double shift = m > 80 ? m : 0; /* keeps exp() finite for huge scores */
	double sum = 0;
	for (int j = 0; j < n; j++)
		if (!masked(row[j]))
			sum += exp(row[j] * k - shift);
	x->val = exp(s - shift) / sum;
	if (!x->o)
		return 1;
	int *idx = malloc((size_t)nf * sizeof *idx);
	if (!idx)
		return ex_fail(x, "out of memory");
	for (int j = 0, q = 0; j < n; j++)
		if (!masked(row[j]))
			idx[q++] = j;
	struct sm a = {S, r, idx, shift, k};
	ex_label(rl, sizeof rl, &S->row, r);
	ex_lhs(x);
	ex_put(x->o, "exp(");
	ex_ref(x, S, ss, r, x->c, 0);
	ex_put(x->o, "%s) / Σ_j exp(%s[%s,j]%s)", temp, ss, rl, temp);
	if (k != 1.0)
		ex_put(x->o, "   (temperature T = %s)", temp + 3);
	ex_cont(x);
	if (k != 1.0)
		ex_put(x->o, "(every %s divided by T) ", ss);
	if (shift) {
		struct nb b;
		ex_put(x->o, "(every exponent shifted by -%s, which cancels) ", ex_numstr(&b, shift));
	}
	ex_put(x->o, "exp(");
	ex_num(x->o, s - shift);
	ex_put(x->o, ") / (");
	ex_terms(x, nf, sm_term, &a, 0);
	ex_put(x->o, ")");
	if (nf < n)
		ex_put(x->o, "   (%d masked cell%s: exp(-inf) = 0)", n - nf, n - nf == 1 ? "" : "s");
	ex_cont(x);
	ex_num(x->o, exp(s - shift));
	ex_put(x->o, " / ");
	if (nf <= SHOW_ALL) {
		ex_put(x->o, "(");
		ex_terms(x, nf, sm_term, &a, 1);
		ex_put(x->o, ")");
		ex_cont(x);
		ex_num(x->o, exp(s - shift));
		ex_put(x->o, " / ");
	}
	ex_num(x->o, sum);
	free(idx);
	return 1;
}

void ex_softmax_tensor(const struct form *f)
{
	double k = sm_factor(f->t);
	char temp[64] = "";
	if (k != 1.0) {
		struct nb b;
		snprintf(temp, sizeof temp, " / T");
		ex_put(f->o, "%s[r,c] = exp(%s[r,c]%s) / Σ_j exp(%s[r,j]%s), temperature T = %s: ",
		       f->self, f->sym[0], temp, f->sym[0], temp, ex_numstr(&b, 1.0 / k));
	} else {
		ex_put(f->o, "%s[r,c] = exp(%s[r,c]) / Σ_j exp(%s[r,j]): ", f->self, f->sym[0],
		       f->sym[0]);
	}
	ex_shape(f->o, f->t);
	ex_put(f->o, ", softmax of each row of %s%s ", f->sym[0], k != 1.0 ? " / T" : "");
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, "; each row sums to 1");
}

int ex_wsum_cell(struct ctx *x)
{
	const struct tensor *W = ex_input(x, 0), *V = ex_input(x, 1);
	if (!W || !V)
		return 0;
	int n = W->cols, off = x->t->prov.off;
	if (V->rows != n)
		return ex_fail(x, "%s has %d columns but %s has %d rows", W->name, n, V->name, V->rows);
	char sw[96], sv[96];
	ex_sym_in(sw, sizeof sw, x->t, W->name, W);
	ex_sym_in(sv, sizeof sv, x->t, V->name, V);
	struct dot d = {{W, sw, x->r, 0, 0, 1}, {V, sv, 0, 1, off + x->c, 0}};
	if (!ex_lin_ok(&d.a, n) || !ex_lin_ok(&d.b, n))
		return ex_fail(x, "the weighted sum's cells are outside its inputs");
	x->val = ex_dot_sum(&d, n);
	if (!x->o)
		return 1;
	ex_lhs(x);
	ex_terms(x, n, ex_dot_term, &d, 0);
	ex_cont(x);
	ex_terms(x, n, ex_dot_term, &d, 1);
	return 1;
}

void ex_wsum_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	int part = f->in[1] && (p->off != 0 || f->t->cols != f->in[1]->cols);
	ex_put(f->o, "%s = %s %s%s: ", f->self, f->sym[0], f->sym[1], part ? "_h" : "");
	ex_shape(f->o, f->t);
	ex_put(f->o, " = ");
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, "·[%d x %d]", f->in[1] ? f->in[1]->rows : 0, f->t->cols);
	if (part)
		ex_put(f->o, "; %s_h = columns %d..%d of %s", f->sym[1], p->off,
		       p->off + f->t->cols - 1, f->sym[1]);
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
		ex_lin_ref(x, &a->w, i);
		ex_put(x->o, "·tanh(");
		ex_lin_ref(x, &a->q, i);
		ex_put(x->o, " + ");
		ex_lin_ref(x, &a->k, i);
		ex_put(x->o, ")");
	} else if (a->stage == 1) {
		ex_fac(x->o, ex_lin_at(&a->w, i));
		ex_put(x->o, "·tanh(");
		ex_num(x->o, ex_lin_at(&a->q, i));
		ex_opfac(x->o, " + ", ex_lin_at(&a->k, i));
		ex_put(x->o, ")");
	} else {
		ex_fac(x->o, ex_lin_at(&a->w, i));
		ex_opfac(x->o, "·", tanh(ex_lin_at(&a->q, i) + ex_lin_at(&a->k, i)));
	}
}

int ex_additive_cell(struct ctx *x)
{
	const struct tensor *Q = ex_input(x, 0), *K = ex_input(x, 1), *W = ex_input(x, 2);
	if (!Q || !K || !W)
		return 0;
	int n = Q->cols;
	char sq[96], sk[96], sw[96];
	ex_sym_in(sq, sizeof sq, x->t, Q->name, Q);
	ex_sym_in(sk, sizeof sk, x->t, K->name, K);
	ex_sym_in(sw, sizeof sw, x->t, W->name, W);
	struct addv a = {{Q, sq, x->r, 0, 0, 1}, {K, sk, x->c, 0, 0, 1}, {W, sw, 0, 0, 0, 1}, 0};
	if (K->cols != n || !ex_lin_ok(&a.q, n) || !ex_lin_ok(&a.k, n) || !ex_lin_ok(&a.w, n))
		return ex_fail(x, "%s, %s and %s do not share %d attention units", Q->name, K->name,
			       W->name, n);
	double s = 0;
	for (int i = 0; i < n; i++)
		s += ex_lin_at(&a.w, i) * tanh(ex_lin_at(&a.q, i) + ex_lin_at(&a.k, i));
	x->val = s;
	if (!x->o)
		return 1;
	ex_lhs(x);
	ex_terms(x, n, add_term, &a, 0);
	a.stage = 1;
	ex_cont(x);
	ex_terms(x, n, add_term, &a, 1);
	a.stage = 2;
	ex_cont(x);
	ex_terms(x, n, add_term, &a, 1);
	return 1;
}

void ex_additive_tensor(const struct form *f)
{
	ex_put(f->o, "%s[t,j] = Σ_a %s[a]·tanh(%s[t,a] + %s[j,a]): ", f->self, f->sym[2],
	       f->sym[0], f->sym[1]);
	ex_shape(f->o, f->t);
	ex_put(f->o, " from %s ", f->sym[0]);
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, ", %s ", f->sym[1]);
	ex_shape(f->o, f->in[1]);
	ex_put(f->o, ", %s ", f->sym[2]);
	ex_shape(f->o, f->in[2]);
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
		ex_ref(x, t, sym, 0, i, 0);
	else
		ex_ref(x, t, sym, i, 0, 0);
}

int ex_kernel_cell(struct ctx *x)
{
	const struct tensor *Q = ex_input(x, 0), *K = ex_input(x, 1);
	double q, k, w = x->t->prov.scale;
	if (!Q || !K)
		return 0;
	if (!vec(Q, x->r, &q) || !vec(K, x->c, &k))
		return ex_fail(x, "%s has no query %d or %s no key %d", Q->name, x->r, K->name, x->c);
	double d = (q - k) * w;
	x->val = -d * d / 2;
	if (!x->o)
		return 1;
	char sq[96], sk[96];
	ex_sym_in(sq, sizeof sq, x->t, Q->name, Q);
	ex_sym_in(sk, sizeof sk, x->t, K->name, K);
	int one = w == 1.0;
	ex_lhs(x);
	ex_put(x->o, "-(");
	if (!one)
		ex_put(x->o, "(");
	vec_ref(x, Q, sq, x->r);
	ex_put(x->o, " - ");
	vec_ref(x, K, sk, x->c);
	ex_put(x->o, one ? ")² / 2" : ")·w)² / 2");
	if (!one) {
		ex_put(x->o, ", w = ");
		ex_num(x->o, w);
	}
	ex_cont(x);
	ex_put(x->o, "-(");
	if (!one)
		ex_put(x->o, "(");
	ex_num(x->o, q);
	ex_opfac(x->o, " - ", k);
	if (!one)
		ex_opfac(x->o, ")·", w);
	ex_put(x->o, ")² / 2");
	ex_cont(x);
	ex_opfac(x->o, "-", d);
	ex_put(x->o, "² / 2");
	return 1;
}

void ex_kernel_tensor(const struct form *f)
{
	struct nb nb;
	ex_put(f->o, "%s[i,j] = -((%s[i] - %s[j])·w)² / 2, w = %s: ", f->self, f->sym[0], f->sym[1],
	       ex_numstr(&nb, f->t->prov.scale));
	ex_shape(f->o, f->t);
	ex_put(f->o, " from %s ", f->sym[0]);
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, " and %s ", f->sym[1]);
	ex_shape(f->o, f->in[1]);
}


/* Explanations of the plain operations (see explain_core.h): the embedding
 * lookup, matrix products, sums, the scaled embedding plus positions, layer
 * norm, ReLU and GELU, the sinusoidal positions, and means. */
#include "trace/explain_ops.h"

#include <math.h>
#include <stdio.h>

int ex_lookup_cell(struct ctx *x)
{
	const struct tensor *ids = ex_input(x, 1);
	if (!ids)
		return 0;
	int n = ids->rows == 1 ? ids->cols : ids->rows;
	if (x->r >= n)
		return ex_fail(x, "%s has no id for row %d", ids->name, x->r);
	float fid = ids->rows == 1 ? ids->data[x->r] : ids->data[(size_t)x->r * ids->cols];
	int id = (int)lrintf(fid);
	const struct tensor *E = x->t->prov.in[0] ? trace_get(x->tr, x->t->prov.in[0]) : NULL;
	char es[96] = "E", tok[224];
	if (E) {
		if (!ex_in_range(E, id, x->c))
			return ex_fail(x, "id %d, column %d is outside %s [%d x %d]", id, x->c, E->name,
				       E->rows, E->cols);
		ex_sym_in(es, sizeof es, x->t, E->name, E);
		x->val = tensor_at(E, id, x->c);
	} else {
		x->val = NAN;
	}
	if (!x->o)
		return 1;
	if (ids->col.labels && ids->rows == 1)
		ex_label(tok, sizeof tok, &ids->col, x->r);
	else
		ex_label(tok, sizeof tok, &x->t->row, x->r);
	ex_lhs(x);
	ex_put(x->o, "%s[%d,%d]: row id %d ('%s') of the embedding table%s, column %d", es, id, x->c, id,
	       tok, E ? "" : " (the table itself is not in the trace)", x->c);
	if (E) {
		ex_cont(x);
		ex_num(x->o, x->val);
	}
	return 1;
}

void ex_lookup_tensor(const struct form *f)
{
	ex_put(f->o, "%s[t,:] = E[id_t,:]: ", f->self);
	ex_shape(f->o, f->t);
	ex_put(f->o, " = the rows of %s", f->in[0] ? f->sym[0] : "the embedding table");
	if (f->in[0]) {
		ex_put(f->o, " ");
		ex_shape(f->o, f->in[0]);
	}
	ex_put(f->o, " picked by the ids %s ", f->sym[1]);
	ex_shape(f->o, f->in[1]);
}

int ex_matmul_cell(struct ctx *x)
{
	const struct tensor *A = ex_input(x, 0), *B = ex_input(x, 1), *bias = NULL;
	if (!A || !B)
		return 0;
	if (x->t->prov.in[2] && !(bias = ex_input(x, 2)))
		return 0;
	char sa[96], sb[96], sc[96] = "";
	ex_sym_in(sa, sizeof sa, x->t, A->name, A);
	ex_sym_in(sb, sizeof sb, x->t, B->name, B);
	if (bias)
		ex_sym_in(sc, sizeof sc, x->t, bias->name, bias);
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
		return ex_fail(x, "%s [%d x %d] · %s [%d x %d] does not give [%d x %d]", A->name, A->rows,
			       A->cols, B->name, B->rows, B->cols, x->t->rows, x->t->cols);
	}
	if (!ex_lin_ok(&d.a, n) || !ex_lin_ok(&d.b, n))
		return ex_fail(x, "the product's cells are outside its inputs");
	if (bias && !ex_in_range(bias, 0, x->c))
		return ex_fail(x, "bias %s has no column %d", bias->name, x->c);
	double s = ex_dot_sum(&d, n), bv = bias ? tensor_at(bias, 0, x->c) : 0;
	x->val = s + bv;
	if (!x->o)
		return 1;
	ex_lhs(x);
	ex_terms(x, n, ex_dot_term, &d, 0);
	if (bias) {
		ex_put(x->o, " + ");
		ex_ref(x, bias, sc, 0, x->c, 0);
	}
	ex_cont(x);
	ex_terms(x, n, ex_dot_term, &d, 1);
	if (bias)
		ex_opfac(x->o, " + ", bv);
	if (n > SHOW_ALL && bias) { /* the abbreviated sum, then the bias */
		ex_cont(x);
		ex_num(x->o, s);
		ex_opfac(x->o, " + ", bv);
	}
	return 1;
}

void ex_matmul_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	if (f->in[0] && f->in[1] && f->in[0]->rows != f->t->rows && f->t->rows == 1) {
		ex_put(f->o, "%s[c] = Σ_j %s[c,j]·%s[j]: ", f->self, f->sym[0], f->sym[1]);
		ex_shape(f->o, f->t);
		ex_put(f->o, " from ");
		ex_shape(f->o, f->in[0]);
		ex_put(f->o, " and ");
		ex_shape(f->o, f->in[1]);
		return;
	}
	ex_put(f->o, "%s = %s %s%s%s: ", f->self, f->sym[0], f->sym[1], p->in[2] ? " + " : "",
	       p->in[2] ? f->sym[2] : "");
	ex_shape(f->o, f->t);
	ex_put(f->o, " = ");
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, "·");
	ex_shape(f->o, f->in[1]);
	if (p->in[2]) {
		ex_put(f->o, " + ");
		ex_shape(f->o, f->in[2]);
	}
}

int ex_add_cell(struct ctx *x)
{
	const struct tensor *A = ex_input(x, 0), *B = ex_input(x, 1);
	int ra, rb;
	if (!A || !B)
		return 0;
	if (!ex_ew(A, x->t, x->r, &ra) || !ex_ew(B, x->t, x->r, &rb))
		return ex_fail(x, "%s [%d x %d] + %s [%d x %d] does not give [%d x %d]", A->name, A->rows,
			       A->cols, B->name, B->rows, B->cols, x->t->rows, x->t->cols);
	double a = tensor_at(A, ra, x->c), b = tensor_at(B, rb, x->c);
	x->val = a + b;
	if (!x->o)
		return 1;
	char sa[96], sb[96];
	ex_sym_in(sa, sizeof sa, x->t, A->name, A);
	ex_sym_in(sb, sizeof sb, x->t, B->name, B);
	ex_lhs(x);
	ex_ref(x, A, sa, ra, x->c, 0);
	ex_put(x->o, " + ");
	ex_ref(x, B, sb, rb, x->c, 0);
	ex_cont(x);
	ex_num(x->o, a);
	ex_opfac(x->o, " + ", b);
	return 1;
}

void ex_add_tensor(const struct form *f)
{
	ex_put(f->o, "%s = %s + %s: ", f->self, f->sym[0], f->sym[1]);
	ex_shape(f->o, f->t);
	ex_put(f->o, " = ");
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, " + ");
	ex_shape(f->o, f->in[1]);
}

int ex_embed_pos_cell(struct ctx *x)
{
	const struct tensor *E = ex_input(x, 0), *P = ex_input(x, 1);
	int re, rp;
	if (!E || !P)
		return 0;
	if (!ex_ew(E, x->t, x->r, &re) || !ex_ew(P, x->t, x->r, &rp))
		return ex_fail(x, "%s and %s do not have the shape [%d x %d]", E->name, P->name,
			       x->t->rows, x->t->cols);
	double k = x->t->prov.scale != 0 ? x->t->prov.scale : 1.0;
	double e = tensor_at(E, re, x->c), p = tensor_at(P, rp, x->c);
	x->val = k * e + p;
	if (!x->o)
		return 1;
	char se[96], sp[96], kt[48];
	ex_sym_in(se, sizeof se, x->t, E->name, E);
	ex_sym_in(sp, sizeof sp, x->t, P->name, P);
	ex_root_text(kt, sizeof kt, k);
	ex_lhs(x);
	if (k != 1.0)
		ex_put(x->o, "%s·", kt);
	ex_ref(x, E, se, re, x->c, 0);
	ex_put(x->o, " + ");
	ex_ref(x, P, sp, rp, x->c, 0);
	ex_cont(x);
	if (k != 1.0) {
		ex_num(x->o, k);
		ex_put(x->o, "·");
	}
	ex_fac(x->o, e);
	ex_opfac(x->o, " + ", p);
	if (k != 1.0) {
		ex_cont(x);
		ex_num(x->o, k * e);
		ex_opfac(x->o, " + ", p);
	}
	return 1;
}

void ex_embed_pos_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	double k = p->scale != 0 ? p->scale : 1.0;
	char rt[300];
	ex_root_text(rt, sizeof rt, k);
	ex_put(f->o, "%s = %s%s%s + %s: ", f->self, k != 1.0 ? rt : "", k != 1.0 ? "·" : "",
	       f->sym[0], f->sym[1]);
	ex_shape(f->o, f->t);
	ex_put(f->o, " = %s%s", k != 1.0 ? rt : "", k != 1.0 ? "·" : "");
	ex_shape(f->o, f->in[0]);
	ex_put(f->o, " + ");
	ex_shape(f->o, f->in[1]);
}

struct lnrow {
	const float *v;
	double mean;
};

static void ln_mean_term(struct ctx *x, int i, int numeric, void *arg)
{
	(void)numeric;
	ex_fac(x->o, ((struct lnrow *)arg)->v[i]);
}

static void ln_var_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct lnrow *l = arg;
	(void)numeric;
	ex_put(x->o, "(");
	ex_num(x->o, l->v[i] - l->mean);
	ex_put(x->o, ")²");
}

int ex_layernorm_cell(struct ctx *x)
{
	const struct tensor *X = ex_input(x, 0), *G = NULL, *B = NULL;
	if (!X)
		return 0;
	if (x->t->prov.in[1] && !(G = ex_input(x, 1)))
		return 0;
	if (x->t->prov.in[2] && !(B = ex_input(x, 2)))
		return 0;
	if (X->rows != x->t->rows || X->cols != x->t->cols)
		return ex_fail(x, "%s is [%d x %d], not [%d x %d]", X->name, X->rows, X->cols, x->t->rows,
			       x->t->cols);
	if ((G && !ex_in_range(G, 0, x->c)) || (B && !ex_in_range(B, 0, x->c)))
		return ex_fail(x, "γ or β has no column %d", x->c);
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
	ex_sym_in(sx, sizeof sx, x->t, X->name, X);
	ex_label(rl, sizeof rl, &X->row, x->r);
	ex_lhs(x);
	ex_put(x->o, "(");
	ex_ref(x, X, sx, x->r, x->c, 0);
	ex_put(x->o, " - mean) / √(var + ε)");
	if (G)
		ex_put(x->o, " · γ[%d]", x->c);
	if (B)
		ex_put(x->o, " + β[%d]", x->c);
	ex_put(x->o, "\n  mean and var over row %s of %s (%d values), ε = %g", rl, sx, n, eps);
	if (G) {
		ex_sym_in(sg, sizeof sg, x->t, G->name, G);
		ex_put(x->o, ", γ = %s", sg);
	}
	if (B) {
		ex_sym_in(sb, sizeof sb, x->t, B->name, B);
		ex_put(x->o, ", β = %s", sb);
	}
	struct lnrow l = {v, m};
	ex_put(x->o, "\n  mean = (");
	ex_terms(x, n, ln_mean_term, &l, 1);
	ex_put(x->o, ") / %d = ", n);
	ex_num(x->o, m);
	ex_put(x->o, "\n  var = (");
	ex_terms(x, n, ln_var_term, &l, 1);
	ex_put(x->o, ") / %d = ", n);
	ex_num(x->o, var);
	struct nb nb;
	ex_cont(x);
	ex_put(x->o, "(");
	ex_num(x->o, xv);
	ex_opfac(x->o, " - ", m);
	ex_put(x->o, ") / √(");
	ex_num(x->o, var);
	ex_put(x->o, " + %g)", eps);
	if (G)
		ex_opfac(x->o, " · ", g);
	if (B)
		ex_opfac(x->o, " + ", b);
	ex_cont(x);
	ex_num(x->o, xv - m);
	ex_put(x->o, " / %s", ex_numstr(&nb, sd));
	if (G)
		ex_opfac(x->o, " · ", g);
	if (B)
		ex_opfac(x->o, " + ", b);
	return 1;
}

void ex_layernorm_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	ex_put(f->o, "%s = (%s - mean) / √(var + ε)%s%s per row, ε = %g: ", f->self, f->sym[0],
	       p->in[1] ? " · γ" : "", p->in[2] ? " + β" : "", p->scale);
	ex_shape(f->o, f->t);
	ex_put(f->o, " from ");
	ex_shape(f->o, f->in[0]);
	if (p->in[1])
		ex_put(f->o, ", γ = %s", f->sym[1]);
	if (p->in[2])
		ex_put(f->o, ", β = %s", f->sym[2]);
	if (f->in[1]) {
		ex_put(f->o, " ");
		ex_shape(f->o, f->in[1]);
	}
}

int ex_act_cell(struct ctx *x)
{
	int gelu = x->t->prov.kind == PROV_GELU;
	const struct tensor *A = ex_input(x, 0);
	int ra;
	if (!A)
		return 0;
	if (!ex_ew(A, x->t, x->r, &ra))
		return ex_fail(x, "%s is [%d x %d], not [%d x %d]", A->name, A->rows, A->cols, x->t->rows,
			       x->t->cols);
	double a = tensor_at(A, ra, x->c);
	double phi = 0.5 * (1.0 + erf(a / sqrt(2.0)));
	x->val = gelu ? a * phi : (a > 0 ? a : 0);
	if (!x->o)
		return 1;
	char sa[96];
	ex_sym_in(sa, sizeof sa, x->t, A->name, A);
	ex_lhs(x);
	if (!gelu) {
		ex_put(x->o, "max(0, ");
		ex_ref(x, A, sa, ra, x->c, 0);
		ex_put(x->o, ")");
		ex_cont(x);
		ex_put(x->o, "max(0, ");
		ex_num(x->o, a);
		ex_put(x->o, ")");
		return 1;
	}
	ex_put(x->o, "GELU(x) = x·Φ(x) = x·(1 + erf(x/√2))/2 with x = ");
	ex_ref(x, A, sa, ra, x->c, 0);
	ex_cont(x);
	ex_fac(x->o, a);
	ex_put(x->o, "·(1 + erf(");
	ex_num(x->o, a / sqrt(2.0));
	ex_put(x->o, "))/2");
	ex_cont(x);
	ex_fac(x->o, a);
	ex_put(x->o, "·");
	ex_num(x->o, phi);
	return 1;
}

void ex_act_tensor(const struct form *f)
{
	if (f->t->prov.kind == PROV_RELU)
		ex_put(f->o, "%s = max(0, %s): ", f->self, f->sym[0]);
	else
		ex_put(f->o, "%s = GELU(%s) = %s·Φ(%s), Φ the standard normal CDF: ", f->self,
		       f->sym[0], f->sym[0], f->sym[0]);
	ex_shape(f->o, f->t);
	ex_put(f->o, ", elementwise");
}

int ex_sinusoid_cell(struct ctx *x)
{
	int i = x->r, c = x->c, d = x->t->cols, j = c / 2;
	double div = pow(10000.0, (double)(2 * j) / d), ang = i / div;
	int odd = c % 2;
	x->val = odd ? cos(ang) : sin(ang);
	if (!x->o)
		return 1;
	ex_lhs(x);
	ex_put(x->o, "%s(%d / 10000^(2·%d/%d))   (position i = %d, pair j = %d, d = %d)",
	       odd ? "cos" : "sin", i, j, d, i, j, d);
	ex_cont(x);
	ex_put(x->o, "%s(%d / ", odd ? "cos" : "sin", i);
	ex_num(x->o, div);
	ex_put(x->o, ")");
	ex_cont(x);
	ex_put(x->o, "%s(", odd ? "cos" : "sin");
	ex_num(x->o, ang);
	ex_put(x->o, ")");
	return 1;
}

void ex_sinusoid_tensor(const struct form *f)
{
	ex_put(f->o, "%s[i,2j] = sin(i / 10000^(2j/%d)), %s[i,2j+1] = cos(i / 10000^(2j/%d)): ", f->self,
	       f->t->cols, f->self, f->t->cols);
	ex_shape(f->o, f->t);
	ex_put(f->o, ", i = position");
}

static void col_term(struct ctx *x, int i, int numeric, void *arg)
{
	struct lin *l = arg;
	if (numeric)
		ex_fac(x->o, ex_lin_at(l, i));
	else
		ex_lin_ref(x, l, i);
}

int ex_mean_cell(struct ctx *x)
{
	const struct tensor *A = ex_input(x, 0);
	if (!A)
		return 0;
	char sa[96];
	ex_sym_in(sa, sizeof sa, x->t, A->name, A);
	struct lin l = {A, sa, 0, 1, x->c, 0};
	int n = A->rows;
	if (!ex_lin_ok(&l, n))
		return ex_fail(x, "%s has no column %d", A->name, x->c);
	double s = 0;
	for (int i = 0; i < n; i++)
		s += ex_lin_at(&l, i);
	x->val = s / n;
	if (!x->o)
		return 1;
	ex_lhs(x);
	ex_put(x->o, "(");
	ex_terms(x, n, col_term, &l, 0);
	ex_put(x->o, ") / %d", n);
	ex_cont(x);
	ex_put(x->o, "(");
	ex_terms(x, n, col_term, &l, 1);
	ex_put(x->o, ") / %d", n);
	ex_cont(x);
	ex_num(x->o, s);
	ex_put(x->o, " / %d", n);
	return 1;
}

void ex_mean_tensor(const struct form *f)
{
	ex_put(f->o, "%s[0,c] = mean over the rows of %s: ", f->self, f->sym[0]);
	ex_shape(f->o, f->t);
	ex_put(f->o, " from ");
	ex_shape(f->o, f->in[0]);
}


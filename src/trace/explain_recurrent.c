/* Explanations of the recurrent cells (see explain_core.h): a gate (or a
 * plain RNN's h) from x_t and h_{t-1}, an LSTM's memory cell and output,
 * and a GRU's new state. */
#include "trace/explain_recurrent.h"

#include <math.h>
#include <stdio.h>

static double sigmoid(double v)
{
	return 1.0 / (1.0 + exp(-v));
}

/* A gate's b_hh, which its provenance has no room for: named like its
 * b_ih. NULL when there is none; nm receives the name. */
static const struct tensor *gate_bhh(const struct trace *tr, const struct tensor *t, char *nm,
				     size_t n)
{
	const char *bih = t->prov.in[4];
	return bih && ex_swap_suffix(nm, n, bih, "b_ih", "b_hh") ? trace_get(tr, nm) : NULL;
}

/* A GRU candidate's reset gate: "gate.r" beside "gate.n". 0 when t is no
 * candidate; nm receives the name. */
static int reset_name(char *nm, size_t n, const struct tensor *t)
{
	return ex_swap_suffix(nm, n, t->name, "gate.n", "gate.r");
}

/* The initial state a recurrence starts from: init, or the state's name
 * with "0" appended ("enc.l0.c0"); none when neither is named. */
static const char *initial_state(const char *init, const char *state, char *buf, size_t n,
				 const char *none)
{
	if (init)
		return init;
	if (!state)
		return none;
	snprintf(buf, n, "%s0", state);
	return buf;
}

/* The recurrent state h_{t-1} (or c_{t-1}) a step reads: row t-1 of the
 * state tensor, or the initial state (the name with "0" appended) at t = 0. */
static int prev_state(struct ctx *x, const char *name, int t, int width, struct lin *l,
		      char *sym, size_t n)
{
	if (!name)
		return ex_fail(x, "its provenance does not name the previous state");
	const struct tensor *S;
	if (t > 0) {
		S = trace_get(x->tr, name);
		if (!S)
			return ex_fail(x, "the state %s is not in the trace", name);
		*l = (struct lin){S, sym, t - 1, 0, 0, 1};
	} else {
		char nm[256];
		snprintf(nm, sizeof nm, "%s0", name);
		S = trace_get(x->tr, nm);
		if (!S)
			return ex_fail(x, "the initial state %s is not in the trace", nm);
		*l = (struct lin){S, sym, 0, 0, 0, 1};
	}
	ex_sym_in(sym, n, x->t, S->name, S);
	if (!ex_lin_ok(l, width))
		return ex_fail(x, "%s [%d x %d] has no state row for step %d", S->name, S->rows, S->cols,
			       t);
	return 1;
}

int ex_gate_cell(struct ctx *x)
{
	const struct tensor *X = ex_input(x, 0), *Wx = ex_input(x, 1), *Wh = X && Wx ? ex_input(x, 3) : NULL;
	const struct tensor *B = NULL, *Bh = NULL, *R = NULL;
	if (!X || !Wx || !Wh)
		return 0;
	int t = x->r, col = x->t->prov.off + x->c, H = Wh->rows, tanh_act = x->t->prov.len == 1;
	char sx[96], swx[96], swh[96], sh[96], sbi[96] = "", sbh[96] = "", sr[96] = "", nm[256];
	ex_sym_in(sx, sizeof sx, x->t, X->name, X);
	ex_sym_in(swx, sizeof swx, x->t, Wx->name, Wx);
	ex_sym_in(swh, sizeof swh, x->t, Wh->name, Wh);
	struct dot dx = {{X, sx, t, 0, 0, 1}, {Wx, swx, 0, 1, col, 0}}, dh;
	if (X->cols != Wx->rows || !ex_lin_ok(&dx.a, X->cols) || !ex_lin_ok(&dx.b, X->cols))
		return ex_fail(x, "%s row %d · %s column %d does not fit", X->name, t, Wx->name, col);
	if (!prev_state(x, x->t->prov.in[2], t, H, &dh.a, sh, sizeof sh))
		return 0;
	dh.b = (struct lin){Wh, swh, 0, 1, col, 0};
	if (!ex_lin_ok(&dh.b, H))
		return ex_fail(x, "%s has no column %d", Wh->name, col);
	if (x->t->prov.in[4]) {
		if (!(B = ex_input(x, 4)))
			return 0;
		if (!ex_in_range(B, 0, col))
			return ex_fail(x, "%s has no column %d", B->name, col);
		ex_sym_in(sbi, sizeof sbi, x->t, B->name, B);
		Bh = gate_bhh(x->tr, x->t, nm, sizeof nm);
		if (Bh && ex_in_range(Bh, 0, col))
			ex_sym_in(sbh, sizeof sbh, x->t, Bh->name, Bh);
		else
			Bh = NULL;
	}
	if (reset_name(nm, sizeof nm, x->t)) {
		R = trace_get(x->tr, nm);
		if (!R || !ex_in_range(R, t, x->c))
			return ex_fail(x, "the GRU candidate needs the reset gate %s", nm);
		ex_sym_in(sr, sizeof sr, x->t, R->name, R);
	}
	double xs = ex_dot_sum(&dx, X->cols), hs = ex_dot_sum(&dh, H);
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
	ex_lhs(x);
	if (R) {
		ex_put(x->o, "%s(%s", act, xt);
		if (B)
			ex_put(x->o, " + %s[%d]", sbi, col);
		ex_put(x->o, " + ");
		ex_ref(x, R, sr, t, x->c, 0);
		ex_put(x->o, "·(%s", ht);
		if (Bh)
			ex_put(x->o, " + %s[%d]", sbh, col);
		ex_put(x->o, "))");
	} else {
		ex_put(x->o, "%s(%s + %s", act, xt, ht);
		if (B)
			ex_put(x->o, " + %s[%d]", sbi, col);
		if (Bh)
			ex_put(x->o, " + %s[%d]", sbh, col);
		ex_put(x->o, ")");
	}
	ex_label(tl, sizeof tl, &X->row, t);
	ex_put(x->o, "\n  step t = %d (%s): x_t = row %s of %s, ", t, tl, tl, sx);
	if (t > 0) {
		ex_label(pl, sizeof pl, &dh.a.t->row, t - 1);
		ex_put(x->o, "h_{t-1} = row %s of %s", pl, sh);
	} else {
		ex_put(x->o, "h_{t-1} = %s (the initial state)", sh);
	}
	ex_sub_dot(x, xt, &dx, X->cols, xs);
	ex_sub_dot(x, ht, &dh, H, hs);
	ex_cont(x);
	ex_put(x->o, "%s(", act);
	ex_num(x->o, xs);
	if (R) {
		if (B)
			ex_opfac(x->o, " + ", bi);
		ex_opfac(x->o, " + ", rv);
		ex_put(x->o, "·(");
		ex_num(x->o, hs);
		if (Bh)
			ex_opfac(x->o, " + ", bh);
		ex_put(x->o, ")");
	} else {
		ex_opfac(x->o, " + ", hs);
		if (B)
			ex_opfac(x->o, " + ", bi);
		if (Bh)
			ex_opfac(x->o, " + ", bh);
	}
	ex_put(x->o, ")");
	ex_cont(x);
	ex_put(x->o, "%s(", act);
	ex_num(x->o, pre);
	ex_put(x->o, ")");
	return 1;
}

void ex_gate_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	const struct tensor *Wh = f->in[3];
	char nm[256], bh[96] = "", rs[96] = "";
	const char *act = p->len == 1 ? "tanh" : "σ";
	int H = f->t->cols, c0 = p->off, c1 = p->off + H - 1, hin = Wh ? Wh->rows : H;
	const struct tensor *Bh = gate_bhh(f->tr, f->t, nm, sizeof nm), *R;
	if (Bh)
		ex_sym_in(bh, sizeof bh, f->t, nm, Bh);
	R = reset_name(nm, sizeof nm, f->t) ? trace_get(f->tr, nm) : NULL;
	int gru_n = R != NULL;
	if (gru_n)
		ex_sym_in(rs, sizeof rs, f->t, nm, R);
	ex_put(f->o, "%s_t = %s(x_t %s[:,%d..%d]", f->self, act, f->sym[1], c0, c1);
	if (gru_n) {
		if (p->in[4])
			ex_put(f->o, " + %s[%d..%d]", f->sym[4], c0, c1);
		ex_put(f->o, " + %s_t ⊙ (", rs);
	} else {
		ex_put(f->o, " + ");
	}
	ex_put(f->o, "h_{t-1} %s[:,%d..%d]", f->sym[3], c0, c1);
	if (!gru_n && p->in[4])
		ex_put(f->o, " + %s[%d..%d]", f->sym[4], c0, c1);
	if (bh[0])
		ex_put(f->o, " + %s[%d..%d]", bh, c0, c1);
	ex_put(f->o, gru_n ? "))" : ")");
	ex_put(f->o, " per step t: ");
	ex_shape(f->o, f->t);
	ex_put(f->o, " = %s([%d x %d]·[%d x %d] + ", act, f->t->rows, f->in[0] ? f->in[0]->cols : 0,
	       f->in[0] ? f->in[0]->cols : 0, H);
	if (gru_n)
		ex_put(f->o, "[1 x %d] + [%d x %d] ⊙ ([%d x %d]·[%d x %d] + [1 x %d]))", H, f->t->rows, H,
		       f->t->rows, hin, hin, H, H);
	else {
		ex_put(f->o, "[%d x %d]·[%d x %d] + [1 x %d]", f->t->rows, hin, hin, H, H);
		if (bh[0])
			ex_put(f->o, " + [1 x %d]", H);
		ex_put(f->o, ")");
	}
	ex_put(f->o, "; x_t = row t of %s, h_{t-1} = row t-1 of %s (%s0 at t = 0)", f->sym[0],
	       f->sym[2], f->sym[2]);
}

/* One more name for the "where" line. */
static int where_one(const struct form *f, const struct tensor *e, const char *nm, int first)
{
	if (!e)
		return first;
	char sy[96];
	ex_sym_in(sy, sizeof sy, f->t, nm, e);
	ex_put(f->o, "%s%s = %s", first ? "" : ", ", sy, nm);
	return 0;
}

void ex_gate_where(const struct form *f, int first)
{
	char nm[300];
	first = where_one(f, gate_bhh(f->tr, f->t, nm, sizeof nm), nm, first);
	where_one(f, reset_name(nm, sizeof nm, f->t) ? trace_get(f->tr, nm) : NULL, nm, first);
}

/* Input k at the explained cell; a one-row input broadcasts. */
static int at_cell(struct ctx *x, int k, const struct tensor **t, double *v, char *sym, size_t n)
{
	int rr;
	if (!(*t = ex_input(x, k)))
		return 0;
	if (!ex_ew(*t, x->t, x->r, &rr))
		return ex_fail(x, "%s is [%d x %d], not [%d x %d]", (*t)->name, (*t)->rows, (*t)->cols,
			       x->t->rows, x->t->cols);
	*v = tensor_at(*t, rr, x->c);
	ex_sym_in(sym, n, x->t, (*t)->name, *t);
	return 1;
}

static void ref_at(struct ctx *x, const struct tensor *t, const char *sym)
{
	ex_ref(x, t, sym, t->rows == 1 ? 0 : x->r, x->c, 0);
}

/* The previous step's value of a state (c_{t-1}, h_{t-1}) at column c. */
static int prev_cell(struct ctx *x, const char *name, const char *init, const struct tensor **t,
		     int *row, char *sym, size_t n)
{
	char buf[256];
	const char *nm = x->r == 0 ? initial_state(init, name, buf, sizeof buf, NULL) : name;
	if (!nm)
		return ex_fail(x, "its provenance does not name the previous state");
	*t = trace_get(x->tr, nm);
	*row = x->r == 0 ? 0 : x->r - 1;
	if (!*t || !ex_in_range(*t, *row, x->c))
		return ex_fail(x, "the state %s (row %d) is not in the trace", nm, *row);
	ex_sym_in(sym, n, x->t, (*t)->name, *t);
	return 1;
}

int ex_lstm_c_cell(struct ctx *x)
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
	ex_lhs(x);
	ref_at(x, F, sf);
	ex_put(x->o, "·");
	ex_ref(x, C, sc, cr, x->c, 0);
	ex_put(x->o, " + ");
	ref_at(x, I, si);
	ex_put(x->o, "·");
	ref_at(x, G, sg);
	if (x->r == 0)
		ex_put(x->o, "   (t = 0: c_{t-1} = %s, the initial memory cell)", sc);
	ex_cont(x);
	ex_fac(x->o, f);
	ex_opfac(x->o, "·", cp);
	ex_opfac(x->o, " + ", i);
	ex_opfac(x->o, "·", g);
	ex_cont(x);
	ex_num(x->o, f * cp);
	ex_opfac(x->o, " + ", i * g);
	return 1;
}

void ex_lstm_c_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	char rt[300];
	ex_put(f->o, "%s_t = %s_t ⊙ %s_{t-1} + %s_t ⊙ %s_t per step: ", f->self, f->sym[0], f->self,
	       f->sym[1], f->sym[2]);
	ex_shape(f->o, f->t);
	ex_put(f->o, "; %s_{t-1} at t = 0 is %s", f->self,
	       initial_state(p->in[4], p->in[3], rt, sizeof rt, "c0"));
}

int ex_lstm_h_cell(struct ctx *x)
{
	const struct tensor *O, *C;
	double o, c;
	char so[96], sc[96];
	if (!at_cell(x, 0, &O, &o, so, sizeof so) || !at_cell(x, 1, &C, &c, sc, sizeof sc))
		return 0;
	x->val = o * tanh(c);
	if (!x->o)
		return 1;
	ex_lhs(x);
	ref_at(x, O, so);
	ex_put(x->o, "·tanh(");
	ref_at(x, C, sc);
	ex_put(x->o, ")");
	ex_cont(x);
	ex_fac(x->o, o);
	ex_put(x->o, "·tanh(");
	ex_num(x->o, c);
	ex_put(x->o, ")");
	ex_cont(x);
	ex_fac(x->o, o);
	ex_opfac(x->o, "·", tanh(c));
	return 1;
}

void ex_lstm_h_tensor(const struct form *f)
{
	ex_put(f->o, "%s_t = %s_t ⊙ tanh(%s_t): ", f->self, f->sym[0], f->sym[1]);
	ex_shape(f->o, f->t);
	ex_put(f->o, ", elementwise");
}

int ex_gru_h_cell(struct ctx *x)
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
	ex_lhs(x);
	ex_put(x->o, "(1 - ");
	ref_at(x, Z, sz);
	ex_put(x->o, ")·");
	ref_at(x, N, sn);
	ex_put(x->o, " + ");
	ref_at(x, Z, sz);
	ex_put(x->o, "·");
	ex_ref(x, Hp, sh, hr, x->c, 0);
	if (x->r == 0)
		ex_put(x->o, "   (t = 0: h_{t-1} = %s, the initial state)", sh);
	ex_cont(x);
	ex_opfac(x->o, "(1 - ", z);
	ex_opfac(x->o, ")·", nn);
	ex_opfac(x->o, " + ", z);
	ex_opfac(x->o, "·", hp);
	ex_cont(x);
	ex_num(x->o, (1 - z) * nn);
	ex_opfac(x->o, " + ", z * hp);
	return 1;
}

void ex_gru_h_tensor(const struct form *f)
{
	const struct prov *p = &f->t->prov;
	char rt[300];
	ex_put(f->o, "%s_t = (1 - %s_t) ⊙ %s_t + %s_t ⊙ %s_{t-1} per step: ", f->self, f->sym[0],
	       f->sym[1], f->sym[0], f->self);
	ex_shape(f->o, f->t);
	ex_put(f->o, "; %s_{t-1} at t = 0 is %s", f->self,
	       initial_state(p->in[3], p->in[2], rt, sizeof rt, "h0"));
}


/* Explanations of the entries without provenance (see explain_core.h): a
 * cell copied from another entry (found by value: in the description, or
 * one of the engines' known copies), the mean over the heads' weights, or
 * a number that is given (an input, a weight). */
#include "trace/explain_given.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static int same_float(float a, float b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* A source whose cell equals ours exactly; its cell in *sr, *sc. */
static int copy_candidate(struct ctx *x, const char *name, int sr, int sc,
			  const struct tensor **src)
{
	const struct tensor *s = trace_get(x->tr, name);
	if (!s || s == x->t || !ex_in_range(s, sr, sc))
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
	if (ex_swap_suffix(nm, sizeof nm, t->name, ".concat", ".h0.out")) {
		const struct tensor *h0 = trace_get(x->tr, nm);
		if (h0 && h0->cols > 0) {
			int h = x->c / h0->cols;
			char base[256];
			ex_swap_suffix(base, sizeof base, t->name, ".concat", "");
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
	if (!ex_swap_suffix(base, bn, x->t->name, ".weights_avg", ""))
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
	static const char *const params[] = {".w_ih", ".w_hh", ".b_ih", ".b_hh"};
	char base[256], nm[300];
	for (int k = 0; k < 4; k++) {
		if (!ex_swap_suffix(base, sizeof base, x->t->name, params[k], ""))
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
			ex_put(x->o, " (column %d: gate %s, unit %d)", x->c, is_lstm ? lstm[g] : gru[g],
			       x->c % H);
		return;
	}
}

/* A what-if run that switched a head off records concat with zeros in that
 * head's columns (engine/whatif.h): the head h whose zero this cell is. */
static const struct tensor *ablated_concat(struct ctx *x, int *h, int *hc)
{
	char nm[256], base[256];
	const struct tensor *t = x->t;
	if (!t->desc || !strstr(t->desc, "switched off") || tensor_at(t, x->r, x->c) != 0 ||
	    !ex_swap_suffix(nm, sizeof nm, t->name, ".concat", ".h0.out"))
		return NULL;
	const struct tensor *h0 = trace_get(x->tr, nm);
	if (!h0 || h0->cols <= 0 || h0->rows != t->rows)
		return NULL;
	*h = x->c / h0->cols;
	*hc = x->c % h0->cols;
	ex_swap_suffix(base, sizeof base, t->name, ".concat", "");
	snprintf(nm, sizeof nm, "%s.h%d.out", base, *h);
	const struct tensor *ho = trace_get(x->tr, nm);
	return ho && ex_in_range(ho, x->r, *hc) ? ho : NULL;
}

int ex_none_cell(struct ctx *x)
{
	const struct tensor *t = x->t;
	char a[224], b[224], base[256];
	int sr, sc, nh;
	const struct tensor *s = find_copy(x, &sr, &sc);
	if (s) {
		x->val = tensor_at(s, sr, sc);
		if (!x->o)
			return 1;
		ex_lhs_named(x, t->name);
		ex_put(x->o, " = ");
		ex_ref(x, s, s->name, sr, sc, 0);
		ex_put(x->o, "   (copied: %s)", t->desc && *t->desc ? t->desc : "the same number");
		return 1;
	}
	int ah, ac;
	const struct tensor *ho = ablated_concat(x, &ah, &ac);
	if (ho) {
		x->val = 0;
		if (!x->o)
			return 1;
		ex_lhs_named(x, t->name);
		ex_put(x->o, " = 0: head %d is switched off (what-if), so W_o gets a zero instead of ", ah);
		ex_ref(x, ho, ho->name, x->r, ac, 0);
		ex_put(x->o, " = ");
		ex_num(x->o, tensor_at(ho, x->r, ac));
		return 1;
	}
	if (heads_avg(x, &nh, base, sizeof base)) {
		if (!x->o)
			return 1;
		ex_lhs(x);
		ex_put(x->o, "(");
		for (int h = 0; h < nh; h++) {
			if (h)
				ex_put(x->o, " + ");
			ex_label(a, sizeof a, &t->row, x->r);
			ex_label(b, sizeof b, &t->col, x->c);
			ex_put(x->o, "h%d.weights[%s,%s]", h, a, b);
		}
		ex_put(x->o, ") / %d", nh);
		ex_cont(x);
		ex_put(x->o, "(");
		for (int h = 0; h < nh; h++) {
			char nm[300];
			snprintf(nm, sizeof nm, "%s.h%d.weights", base, h);
			if (h)
				ex_put(x->o, " + ");
			ex_num(x->o, tensor_at(trace_get(x->tr, nm), x->r, x->c));
		}
		ex_put(x->o, ") / %d", nh);
		return 1;
	}
	x->val = NAN;
	if (!x->o)
		return 0;
	ex_lhs_named(x, t->name);
	ex_put(x->o, " is given: %s", t->desc && *t->desc ? t->desc : "an input or weight");
	put_gate_column(x);
	return 1;
}

/* The tensor-level story: a copy, one of the engine's known rearrangements,
 * or given. */
void ex_none_tensor(const struct form *f)
{
	struct out *o = f->o;
	const struct trace *tr = f->tr;
	const struct tensor *t = f->t;
	struct ctx x = {tr, t, 0, 0, NULL, 0, NAN, ""};
	char base[256], nm[300];
	int sr = 0, sc = 0, nh = 0;
	const struct tensor *s = t->rows && t->cols ? find_copy(&x, &sr, &sc) : NULL;
	const struct tensor *e = trace_get(tr, "tgt.embed"), *ctx = trace_get(tr, "dec.context");
	if (ex_swap_suffix(base, sizeof base, t->name, ".weights_avg", "") ||
	    ex_swap_suffix(base, sizeof base, t->name, ".concat", "")) {
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
			ex_put(o, "(h0.weights + ... + h%d.weights) / %d, cell by cell: ", nh - 1, nh);
			ex_shape(o, t);
			return;
		}
		if (nh > 0) {
			ex_put(o, "Concat(h0.out, ..., h%d.out), the heads side by side: ", nh - 1);
			ex_shape(o, t);
			ex_put(o, " = %d x ", nh);
			ex_shape(o, h0);
			if (t->desc && strstr(t->desc, "switched off"))
				ex_put(o, "; a head switched off (what-if) gives zeros");
			return;
		}
	}
	if (!strcmp(t->name, "dec.x") && e && ctx && e->cols + ctx->cols == t->cols) {
		ex_put(o, "[tgt.embed ; dec.context], each row the embedding then the context: ");
		ex_shape(o, t);
		ex_put(o, " = [");
		ex_shape(o, e);
		ex_put(o, " ; ");
		ex_shape(o, ctx);
		ex_put(o, "]");
		return;
	}
	if (s && !strcmp(t->name, "dec.query")) {
		ex_put(o, "row t = row t-1 of %s (its initial state at t = 0): ", s->name);
		ex_shape(o, t);
		return;
	}
	if (s && !strcmp(t->name, "dec.context")) {
		ex_put(o, "every row = the last row of %s: ", s->name);
		ex_shape(o, t);
		return;
	}
	if (s && t->rows == 1 && s->rows > 1 && sr == s->rows - 1 && s->cols == t->cols) {
		ex_put(o, "the last row of %s: ", s->name);
		ex_shape(o, t);
		return;
	}
	if (s && sr == 0 && sc == 0 && s->rows == t->rows && s->cols == t->cols) {
		ex_put(o, "copied from %s: ", s->name);
		ex_shape(o, t);
		return;
	}
	ex_put(o, "given (not computed from other trace entries): ");
	ex_shape(o, t);
}


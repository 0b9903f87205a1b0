/* The course's figures (plots.h), built from trace tensors: every point is
 * a trace cell, every x value a trace value or a tensor's own label. */
#include "trace/plots.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct tensor *need(const struct trace *tr, const char *name, struct err *e)
{
	const struct tensor *t = trace_get(tr, name);
	if (!t)
		err_set(e, ST_USAGE, "%s is not in this trace", name);
	return t;
}

/* A vector's length (one row or one column), 0 for a matrix. */
static int vec_len(const struct tensor *t)
{
	return t->rows == 1 ? t->cols : t->cols == 1 ? t->rows : 0;
}

static float vec_at(const struct tensor *t, int i)
{
	return t->data[i];
}

static int vec_row(const struct tensor *t, int i)
{
	return t->rows == 1 ? 0 : i;
}

static int vec_col(const struct tensor *t, int i)
{
	return t->rows == 1 ? i : 0;
}

static const struct axis *vec_axis(const struct tensor *t)
{
	return t->rows == 1 ? &t->col : &t->row;
}

static enum status need_vec(const struct tensor *t, int n, const char *what, struct err *e)
{
	if (!vec_len(t))
		return err_set(e, ST_USAGE, "%s is a %d x %d matrix, not a vector", t->name, t->rows, t->cols);
	if (n >= 0 && vec_len(t) != n)
		return err_set(e, ST_USAGE, "%s has %d values but %s has %d", t->name, vec_len(t), what, n);
	return ST_OK;
}

/* A vector the trace must have: NULL with the message otherwise. */
static const struct tensor *need_vector(const struct trace *tr, const char *name, struct err *e)
{
	const struct tensor *t = need(tr, name, e);
	return t && need_vec(t, -1, "", e) == ST_OK ? t : NULL;
}

static enum status nomem(struct err *e)
{
	return err_set(e, ST_NOMEM, "out of memory for the plot");
}

/* A series of a vector's values over the values of another (xs), or over
 * positions 0..n-1 when xs is NULL. */
static enum status vec_series_range(struct plot *p, const struct tensor *ys, const struct tensor *xs,
				    int from, int to, const char *name, int mark, int style,
				    struct err *e)
{
	struct plot_series *s = plot_series_add(p, name, mark, style);
	if (!s)
		return err_set(e, ST_USAGE, "too many series for one plot");
	for (int i = from; i < to; i++)
		if (!plot_point_add(s, xs ? vec_at(xs, i) : i, vec_at(ys, i), ys->name, vec_row(ys, i),
				    vec_col(ys, i)))
			return nomem(e);
	return ST_OK;
}

static enum status vec_series(struct plot *p, const struct tensor *ys, const struct tensor *xs,
			      const char *name, int mark, int style, struct err *e)
{
	return vec_series_range(p, ys, xs, 0, vec_len(ys), name, mark, style, e);
}

static struct plot *first_plot(struct figure *f)
{
	figure_init(f);
	f->n = 1;
	return &f->p[0];
}

/* The words in the last parentheses of a description: the kernel of
 * pool.scores ("... (Nadaraya-Watson Gaussian kernel)"). */
static void paren_tail(const char *desc, char *buf, size_t n)
{
	buf[0] = 0;
	const char *open = desc ? strrchr(desc, '(') : NULL;
	const char *close = open ? strchr(open, ')') : NULL;
	if (open && close && close > open + 1)
		snprintf(buf, n, "%.*s", (int)(close - open - 1), open + 1);
}

enum status plot_pooling(struct figure *f, const struct trace *tr, struct err *e)
{
	struct plot *p = first_plot(f);
	const struct tensor *k = need(tr, "pool.keys", e), *v = k ? need(tr, "pool.values", e) : NULL;
	const struct tensor *q = v ? need(tr, "pool.queries", e) : NULL;
	const struct tensor *o = q ? need(tr, "pool.out", e) : NULL;
	if (!o)
		return ST_USAGE;
	const struct tensor *truth = trace_get(tr, "pool.truth");
	enum status st;
	if ((st = need_vec(k, -1, "", e)) || (st = need_vec(v, vec_len(k), k->name, e)) ||
	    (st = need_vec(q, -1, "", e)) || (st = need_vec(o, vec_len(q), q->name, e)) ||
	    (truth && (st = need_vec(truth, -1, "", e))))
		return st;
	/* The model's queries, then (what-if `set query`) one more: its truth
	 * is not given, and it is drawn as a point of its own, not on the line. */
	int nq = truth ? vec_len(truth) : vec_len(q) - (vec_len(q) > 1 && vec_at(q, vec_len(q) - 1) <
								 vec_at(q, vec_len(q) - 2));
	if (nq > vec_len(q) || nq < vec_len(q) - 1)
		return err_set(e, ST_USAGE, "pool.truth has %d values but pool.queries has %d",
			       vec_len(truth), vec_len(q));
	char kernel[PLOT_TEXT];
	const struct tensor *sc = trace_get(tr, "pool.scores");
	paren_tail(sc ? sc->desc : NULL, kernel, sizeof kernel);
	snprintf(p->title, sizeof p->title, "attention pooling%s%s: f(x) = Σ_i α(x, x_i) y_i",
		 kernel[0] ? ", " : "", kernel);
	snprintf(p->x.label, sizeof p->x.label, "x");
	snprintf(p->y.label, sizeof p->y.label, "y");
	if ((st = vec_series(p, v, k, "training data (x_i, y_i)", PLOT_POINTS, 0, e)))
		return st;
	if (truth && (st = vec_series(p, truth, q, "true f(x) (pool.truth)", PLOT_LINE, 1, e)))
		return st;
	if ((st = vec_series_range(p, o, q, 0, nq, "pooled f(x) at the queries (pool.out)",
				   PLOT_LINE | PLOT_POINTS, 2, e)))
		return st;
	if (nq < vec_len(q) &&
	    (st = vec_series_range(p, o, q, nq, vec_len(q), "the what-if query (set query)", PLOT_POINTS,
				   3, e)))
		return st;
	if (!truth)
		snprintf(p->note, sizeof p->note, "pool.truth is not in this trace: no true curve");
	plot_fit(p, 0, 0);
	return ST_OK;
}

enum status plot_pool_weights(struct figure *f, const struct trace *tr, const char *name,
			      const int *rows, int n, struct err *e)
{
	struct plot *p = first_plot(f);
	const struct tensor *w = need(tr, name, e), *k = w ? need(tr, "pool.keys", e) : NULL;
	if (!k)
		return ST_USAGE;
	enum status st = need_vec(k, w->cols, w->name, e);
	if (st)
		return st;
	int weights = strstr(name, "weights") != NULL;
	snprintf(p->title, sizeof p->title, "%s: %s of each query over the keys x_i", name,
		 weights ? "the attention weights α(x, x_i)" : "the scores");
	snprintf(p->x.label, sizeof p->x.label, "key x_i");
	snprintf(p->y.label, sizeof p->y.label, "%s", weights ? "α(x, x_i)" : "score(x, x_i)");
	for (int i = 0; i < n && p->nseries < PLOT_MAX_SERIES; i++) {
		int r = rows[i];
		if (r < 0 || r >= w->rows)
			continue;
		char lab[64], sname[PLOT_TEXT];
		snprintf(sname, sizeof sname, "query x = %s", axis_label(&w->row, r, lab, sizeof lab));
		struct plot_series *s = plot_series_add(p, sname, PLOT_LINE | PLOT_POINTS, i);
		for (int j = 0; s && j < w->cols; j++)
			if (!plot_point_add(s, vec_at(k, j), tensor_at(w, r, j), w->name, r, j))
				return nomem(e);
	}
	plot_fit(p, 0, 0);
	return ST_OK;
}

int plot_posenc_cols(int d, int sel, int cols[4])
{
	/* The fastest sine and cosine, and a pair about d/8 further on,
	 * whose wavelength is some ten times longer. */
	int slow = (d / 8) & ~1;
	slow = slow < 2 ? 2 : slow;
	int want[5] = {sel, 0, 1, slow, slow + 1}, n = 0;
	for (int i = 0; i < 5 && n < 4; i++) {
		int c = want[i], dup = c < 0 || c >= d;
		for (int j = 0; j < n && !dup; j++)
			dup = cols[j] == c;
		if (!dup)
			cols[n++] = c;
	}
	return n;
}

enum status plot_posenc(struct figure *f, const struct trace *tr, const char *name, const int *cols,
			int n, struct err *e)
{
	struct plot *p = first_plot(f);
	const struct tensor *P = need(tr, name, e);
	if (!P)
		return ST_USAGE;
	int def[4];
	if (!cols) {
		n = plot_posenc_cols(P->cols, -1, def);
		cols = def;
	}
	int sinus = P->prov.kind == PROV_SINUSOID;
	snprintf(p->title, sizeof p->title, "%s: columns of P over the positions", name);
	snprintf(p->x.label, sizeof p->x.label, "position i");
	snprintf(p->y.label, sizeof p->y.label, "P[i, dim]");
	for (int i = 0; i < n && p->nseries < PLOT_MAX_SERIES; i++) {
		int c = cols[i];
		if (c < 0 || c >= P->cols)
			continue;
		char sname[PLOT_TEXT];
		snprintf(sname, sizeof sname, "dim %d%s", c, sinus ? (c % 2 ? " (cos)" : " (sin)") : "");
		struct plot_series *s = plot_series_add(p, sname, PLOT_LINE | PLOT_POINTS, i);
		for (int r = 0; s && r < P->rows; r++)
			if (!plot_point_add(s, r, tensor_at(P, r, c), P->name, r, c))
				return nomem(e);
	}
	plot_fit(p, 0, 0);
	return ST_OK;
}

enum status plot_gradnorm(struct figure *f, const struct trace *tr, const char *name, struct err *e)
{
	struct plot *p = first_plot(f);
	const struct tensor *g = need_vector(tr, name, e);
	if (!g)
		return ST_USAGE;
	enum status st;
	int n = vec_len(g), zero = 0;
	const struct axis *ax = vec_axis(g);
	p->y.scale = PLOT_LOG10;
	snprintf(p->title, sizeof p->title, "%s: how much gradient reaches each source step", name);
	snprintf(p->x.label, sizeof p->x.label, "source step t");
	snprintf(p->y.label, sizeof p->y.label, "‖∂loss/∂h_t‖ (log scale)");
	const char *labels[PLOT_MAX_TICKS];
	char buf[PLOT_MAX_TICKS][24];
	for (int i = 0; i < n && i < PLOT_MAX_TICKS; i++)
		labels[i] = axis_label(ax, i, buf[i], sizeof buf[i]);
	if (n <= PLOT_MAX_TICKS)
		plot_axis_categories(&p->x, n, labels);
	char sname[PLOT_TEXT];
	const char *l = strstr(name, ".l");
	snprintf(sname, sizeof sname, "‖∂loss/∂h_t‖%s%.*s", l ? ", layer " : "",
		 l ? (int)strcspn(l + 2, ".") : 0, l ? l + 2 : "");
	if ((st = vec_series(p, g, NULL, sname, PLOT_LINE | PLOT_POINTS, 0, e)))
		return st;
	for (int i = 0; i < n; i++)
		zero += !(vec_at(g, i) > 0);
	if (zero)
		snprintf(p->note, sizeof p->note, "%d step%s with no gradient (0) not shown on the log axis",
			 zero, zero > 1 ? "s" : "");
	plot_fit(p, 0, 0);
	return ST_OK;
}

enum status plot_topk(struct figure *f, const struct trace *tr, const char *name, int row, struct err *e)
{
	struct plot *p = first_plot(f);
	const struct tensor *tp = need(tr, name, e);
	if (!tp)
		return ST_USAGE;
	if (row < 0 || row >= tp->rows)
		return err_set(e, ST_USAGE, "%s has no row %d (rows 0..%d)", name, row, tp->rows - 1);
	int k = tp->cols < PLOT_MAX_TICKS ? tp->cols : PLOT_MAX_TICKS;
	const char *labels[PLOT_MAX_TICKS];
	char buf[PLOT_MAX_TICKS][24];
	for (int i = 0; i < k; i++) {
		labels[i] = tp->cells ? tp->cells[(size_t)row * tp->cols + i] : NULL;
		if (!labels[i]) {
			snprintf(buf[i], sizeof buf[i], "rank %d", i);
			labels[i] = buf[i];
		}
	}
	plot_axis_categories(&p->x, k, labels);
	char lab[64];
	snprintf(p->title, sizeof p->title, "decoder step t=%d: the %d most likely next tokens (output: %s)",
		 row, k, axis_label(&tp->row, row, lab, sizeof lab));
	snprintf(p->x.label, sizeof p->x.label, "candidate token");
	snprintf(p->y.label, sizeof p->y.label, "probability");
	struct plot_series *s = plot_series_add(p, "p(next token)", PLOT_BARS, 0);
	for (int i = 0; s && i < k; i++)
		if (!plot_point_add(s, i, tensor_at(tp, row, i), tp->name, row, i))
			return nomem(e);
	/* probabilities on 0..1, as the step view's bars */
	p->y.lo = 0;
	p->y.hi = 1;
	plot_fit(p, 0, 1);
	return ST_OK;
}

/* A history series: values over the steps, read from the steps tensor
 * (train.step, train.valid.step) when it fits, else from the column
 * labels, which are the step numbers. */
static enum status history(struct plot *p, const struct tensor *t, const struct tensor *steps,
			   const char *name, int mark, int style, struct err *e)
{
	enum status st = need_vec(t, -1, "", e);
	if (st)
		return st;
	if (steps && (!vec_len(steps) || vec_len(steps) != vec_len(t)))
		steps = NULL;
	struct plot_series *s = plot_series_add(p, name, mark, style);
	const struct axis *ax = vec_axis(t);
	for (int i = 0; s && i < vec_len(t); i++) {
		char buf[32], *end;
		const char *l = axis_label(ax, i, buf, sizeof buf);
		double x = steps ? vec_at(steps, i) : strtod(l, &end);
		if (!steps && (end == l || *end))
			return err_set(e, ST_USAGE, "%s: column %d is labelled '%s', not a step number", t->name, i,
				       l);
		if (!plot_point_add(s, x, vec_at(t, i), t->name, vec_row(t, i), vec_col(t, i)))
			return nomem(e);
	}
	return ST_OK;
}

enum status plot_training(struct figure *f, const struct trace *tr, struct err *e)
{
	figure_init(f);
	const struct tensor *loss = need(tr, "train.loss", e);
	if (!loss)
		return ST_USAGE;
	const struct tensor *step = trace_get(tr, "train.step"), *vstep = trace_get(tr, "train.valid.step");
	const struct tensor *vl = trace_get(tr, "train.valid.loss");
	const struct tensor *ex = trace_get(tr, "train.valid.exact"), *bl = trace_get(tr, "train.valid.bleu");
	struct plot *p = &f->p[0];
	f->n = 1;
	snprintf(p->title, sizeof p->title, "training history: loss");
	snprintf(p->x.label, sizeof p->x.label, "training step");
	snprintf(p->y.label, sizeof p->y.label, "cross-entropy loss per target token");
	enum status st;
	if ((st = history(p, loss, step, "training loss (train.loss)", PLOT_LINE, 0, e)) ||
	    (vl && (st = history(p, vl, vstep, "validation loss (train.valid.loss)", PLOT_LINE | PLOT_POINTS,
				 1, e))))
		return st;
	plot_fit(p, 0, 0);
	if (!ex && !bl)
		return ST_OK;
	struct plot *q = &f->p[f->n++];
	snprintf(q->title, sizeof q->title, "training history: validation scores");
	snprintf(q->y.label, sizeof q->y.label, "%s",
		 ex && bl ? "exact match (%), BLEU" : ex ? "exact match (%)" : "BLEU");
	if ((ex && (st = history(q, ex, vstep, "exact match, % (train.valid.exact)", PLOT_LINE | PLOT_POINTS,
				 2, e))) ||
	    (bl && (st = history(q, bl, vstep, "BLEU (train.valid.bleu)", PLOT_LINE | PLOT_POINTS, 3, e))))
		return st;
	/* both panes over the same steps, so they read one above the other */
	q->x = p->x;
	plot_fit(q, 1, 0);
	return ST_OK;
}

enum status plot_vector(struct figure *f, const struct trace *tr, const char *name, struct err *e)
{
	struct plot *p = first_plot(f);
	const struct tensor *t = need_vector(tr, name, e);
	if (!t)
		return ST_USAGE;
	enum status st;
	int n = vec_len(t);
	const struct axis *ax = vec_axis(t);
	snprintf(p->title, sizeof p->title, "%s", name);
	snprintf(p->x.label, sizeof p->x.label, "%s", ax->title ? ax->title : "index");
	snprintf(p->y.label, sizeof p->y.label, "value");
	if (ax->labels && n <= 40) {
		const char *labels[40];
		for (int i = 0; i < n; i++)
			labels[i] = ax->labels[i];
		plot_axis_categories(&p->x, n, labels);
	}
	if ((st = vec_series(p, t, NULL, name, PLOT_LINE | PLOT_POINTS, 0, e)))
		return st;
	plot_fit(p, 0, 0);
	return ST_OK;
}

/* The comparison of two traces (see diff.h). */
#include "trace/diff.h"
#include "base/textwidth.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void trace_diff_init(struct trace_diff *d)
{
	memset(d, 0, sizeof *d);
	trace_init(&d->delta);
}

void trace_diff_release(struct trace_diff *d)
{
	trace_release(&d->delta);
	free(d->v);
	free(d->steps);
	trace_diff_init(d);
}

static struct diff_entry *add_entry(struct trace_diff *d, size_t *cap, const struct tensor *t,
				    enum diff_kind kind)
{
	if (d->n == *cap) {
		size_t nc = *cap ? *cap * 2 : 64;
		struct diff_entry *v = realloc(d->v, nc * sizeof *v);
		if (!v)
			return NULL;
		d->v = v;
		*cap = nc;
	}
	struct diff_entry *x = &d->v[d->n++];
	memset(x, 0, sizeof *x);
	x->name = trace_str(&d->delta, t->name);
	x->kind = kind;
	char key[300];
	snprintf(key, sizeof key, "edit %s[", t->name);
	x->edited = d->now_whatif && strstr(d->now_whatif, key) != NULL;
	x->cells = (size_t)t->rows * (size_t)t->cols;
	return x;
}

/* Cells that differ at all (both -inf, or both NaN, is no change). */
static int same(float a, float b)
{
	return a == b || (isnan(a) && isnan(b));
}

/* Compares one entry present in both with the same shape; adds it (and its
 * Δ) when some cell differs. Returns 0 when out of memory. */
static int compare(struct trace_diff *d, size_t *cap, const struct tensor *a,
		   const struct tensor *b)
{
	size_t n = (size_t)a->rows * (size_t)a->cols, changed = 0;
	double mx = 0;
	for (size_t i = 0; i < n; i++)
		if (!same(a->data[i], b->data[i])) {
			changed++;
			double dv = fabs((double)a->data[i] - (double)b->data[i]);
			if (!(dv <= mx))
				mx = isnan(dv) ? INFINITY : dv;
		}
	if (!changed) {
		d->unchanged++;
		return 1;
	}
	struct diff_entry *x = add_entry(d, cap, a, DIFF_CHANGED);
	if (!x)
		return 0;
	x->changed = changed;
	x->max_abs = mx;
	x->rows = x->brows = a->rows;
	x->cols = x->bcols = a->cols;
	char desc[320];
	snprintf(desc, sizeof desc, "Δ = now - before of %s: %zu of %zu cells changed", a->name,
		 changed, n);
	struct tensor *t = trace_add(&d->delta, a->name, a->rows, a->cols, NULL, desc);
	if (!t)
		return 0;
	t->ndim = a->ndim;
	t->integer = a->integer && b->integer;
	tensor_set_rows(t, trace_str(&d->delta, a->row.title),
			trace_labels(&d->delta, a->rows, a->row.labels));
	tensor_set_cols(t, trace_str(&d->delta, a->col.title),
			trace_labels(&d->delta, a->cols, a->col.labels));
	for (size_t i = 0; i < n; i++)
		t->data[i] = same(a->data[i], b->data[i]) ? 0.0f : a->data[i] - b->data[i];
	return !d->delta.oom;
}

/* The probability a run gave token id at step t (row t of probs). */
static float prob_at(const struct tensor *p, int t, float id)
{
	int v = (int)id;
	if (!p || t < 0 || t >= p->rows || v < 0 || v >= p->cols)
		return NAN;
	return tensor_at(p, t, v);
}

static int tokens_of(struct trace_diff *d, const struct trace *now, const struct trace *before)
{
	const struct tensor *on = trace_get(now, "decode.output"), *ob = trace_get(before, "decode.output");
	const struct tensor *pn = trace_get(now, "probs"), *pb = trace_get(before, "probs");
	if (!on || !ob || !pn || !pb || pn->cols != pb->cols)
		return 1;
	int n = on->cols > ob->cols ? on->cols : ob->cols;
	d->translation = 1;
	d->steps = calloc((size_t)(n ? n : 1), sizeof *d->steps);
	if (!d->steps)
		return 0;
	d->nsteps = n;
	int prefix = 1; /* tokens 0..t-1 are the same in both */
	char buf[32];
	for (int t = 0; t < n; t++) {
		struct diff_step *s = &d->steps[t];
		int hb = t < ob->cols, ha = t < on->cols;
		s->before = hb ? trace_str(&d->delta, axis_label(&ob->col, t, buf, sizeof buf)) : NULL;
		s->after = ha ? trace_str(&d->delta, axis_label(&on->col, t, buf, sizeof buf)) : NULL;
		s->p_before = hb ? prob_at(pb, t, ob->data[t]) : NAN;
		s->p_after = ha ? prob_at(pn, t, on->data[t]) : NAN;
		s->p_now_of_before = hb && ha && prefix ? prob_at(pn, t, ob->data[t]) : NAN;
		if (!hb || !ha || ob->data[t] != on->data[t])
			prefix = 0;
	}
	return !d->delta.oom;
}

enum status trace_diff_build(struct trace_diff *d, const struct trace *now,
			     const struct trace *before, struct err *e)
{
	trace_diff_release(d);
	size_t cap = 0;
	int ok = 1;
	d->now_whatif = trace_str(&d->delta, trace_whatif(now));
	d->before_whatif = trace_str(&d->delta, trace_whatif(before));
	for (size_t k = 0; k < now->n && ok; k++) {
		const struct tensor *a = now->items[k], *b = trace_get(before, a->name);
		if (!b) {
			struct diff_entry *x = add_entry(d, &cap, a, DIFF_NEW);
			if ((ok = x != NULL)) {
				x->rows = a->rows;
				x->cols = a->cols;
			}
		} else if (a->rows != b->rows || a->cols != b->cols) {
			struct diff_entry *x = add_entry(d, &cap, a, DIFF_SHAPE);
			if ((ok = x != NULL)) {
				x->rows = a->rows;
				x->cols = a->cols;
				x->brows = b->rows;
				x->bcols = b->cols;
			}
		} else {
			ok = compare(d, &cap, a, b);
		}
	}
	for (size_t k = 0; k < before->n && ok; k++) {
		const struct tensor *b = before->items[k];
		if (trace_get(now, b->name))
			continue;
		struct diff_entry *x = add_entry(d, &cap, b, DIFF_GONE);
		if ((ok = x != NULL)) {
			x->brows = b->rows;
			x->bcols = b->cols;
		}
	}
	if (ok)
		ok = tokens_of(d, now, before);
	if (!ok || d->delta.oom) {
		trace_diff_release(d);
		return err_set(e, ST_NOMEM, "out of memory comparing the traces");
	}
	return ST_OK;
}

const struct diff_entry *trace_diff_find(const struct trace_diff *d, const char *name)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].name, name) == 0)
			return &d->v[i];
	return NULL;
}

/* "name [r x c]", padded to pad columns. */
static void name_shape(const struct diff_entry *x, int pad, char *buf, size_t n)
{
	char nm[256];
	text_fit(nm, sizeof nm, x->name, 200);
	int w = snprintf(buf, n, "%s [%d x %d]", nm, x->kind == DIFF_GONE ? x->brows : x->rows,
			 x->kind == DIFF_GONE ? x->bcols : x->cols);
	int cells = text_width(buf);
	if (w > 0 && (size_t)w + (size_t)(pad > cells ? pad - cells : 0) + 1 < n)
		snprintf(buf + w, n - (size_t)w, "%*s", pad > cells ? pad - cells : 0, "");
}

void trace_diff_entry_text(const struct diff_entry *x, int pad, char *buf, size_t n)
{
	char ns[300];
	name_shape(x, pad, ns, sizeof ns);
	switch (x->kind) {
	case DIFF_CHANGED:
		if (isinf(x->max_abs))
			snprintf(buf, n, "%s  max|Δ| inf       %zu/%zu cells (a mask changed)%s", ns,
				 x->changed, x->cells, x->edited ? ", edited" : "");
		else
			snprintf(buf, n, "%s  max|Δ| %-9.4g %zu/%zu cells%s", ns, x->max_abs, x->changed,
				 x->cells, x->edited ? ", edited" : "");
		break;
	case DIFF_SHAPE:
		snprintf(buf, n, "%s  was [%d x %d]", ns, x->brows, x->bcols);
		break;
	case DIFF_NEW:
		snprintf(buf, n, "%s  new in this run", ns);
		break;
	case DIFF_GONE:
		snprintf(buf, n, "%s  not in this run", ns);
		break;
	}
}

/* A token padded to cells display columns. */
static void put_token(FILE *f, const char *tok, int cells)
{
	char buf[64];
	int w = text_fit(buf, sizeof buf, tok ? tok : "-", cells);
	fprintf(f, "%s%*s", buf, cells - w, "");
}

static void put_prob(FILE *f, float p)
{
	if (isnan(p))
		fprintf(f, "      -");
	else
		fprintf(f, " %6.4f", (double)p);
}

static void print_steps(FILE *f, const struct trace_diff *d)
{
	int changed = 0;
	for (int t = 0; t < d->nsteps; t++) {
		const struct diff_step *s = &d->steps[t];
		changed |= !s->before || !s->after || strcmp(s->before, s->after) != 0 ||
			   !same(s->p_before, s->p_after);
	}
	if (!changed) {
		fprintf(f, "translation: the same tokens with the same probabilities\n");
		return;
	}
	fprintf(f, "translation, step by step (p: the probability of the token written):\n");
	fprintf(f, "   t  before  p       now     p       shift\n");
	int tokens = 0;
	for (int t = 0; t < d->nsteps; t++) {
		const struct diff_step *s = &d->steps[t];
		int diff = !s->before || !s->after || strcmp(s->before, s->after) != 0;
		tokens |= diff;
		fprintf(f, "%4d  ", t);
		put_token(f, s->before, 6);
		put_prob(f, s->p_before);
		fprintf(f, " %s ", diff ? "*" : " ");
		put_token(f, s->after, 6);
		put_prob(f, s->p_after);
		if (!diff && !isnan(s->p_before) && !isnan(s->p_after))
			fprintf(f, "  %+.4f", (double)(s->p_after - s->p_before));
		else if (!isnan(s->p_now_of_before)) {
			char tok[64];
			text_fit(tok, sizeof tok, s->before, 12);
			fprintf(f, "  %s now %.4f", tok, (double)s->p_now_of_before);
		}
		fputc('\n', f);
	}
	fprintf(f, tokens ? "(* the token changed; shift: the change of p, or what the old token gets now)\n"
			  : "(the same tokens; shift: the change of their probability)\n");
}

void trace_diff_print(FILE *f, const struct trace_diff *d, const char *baseline, int width)
{
	fprintf(f, "now:    %s\n", d->now_whatif && d->now_whatif[0] ? d->now_whatif : "the model as trained");
	fprintf(f, "before: %s (%s)\n", d->before_whatif && d->before_whatif[0] ? d->before_whatif
										 : "the model as trained",
		baseline);
	if (d->translation)
		print_steps(f, d);
	if (d->n == 0) {
		fprintf(f, "nothing changed: all %zu tensors are equal cell by cell\n", d->unchanged);
		return;
	}
	fprintf(f, "%zu tensor%s changed, in pipeline order (%zu unchanged):\n", d->n,
		d->n == 1 ? "" : "s", d->unchanged);
	/* The names and shapes in one column, as wide as the longest that
	 * leaves room for the numbers. */
	int pad = 0;
	char line[512];
	for (size_t i = 0; i < d->n; i++) {
		name_shape(&d->v[i], 0, line, sizeof line);
		int w = text_width(line);
		pad = w > pad ? w : pad;
	}
	if (pad > width - 36)
		pad = width - 36 > 0 ? width - 36 : 0;
	for (size_t i = 0; i < d->n; i++) {
		trace_diff_entry_text(&d->v[i], pad, line, sizeof line);
		fprintf(f, "  %s\n", line);
	}
}

/* The plot model (plot.h): series and points, nice axes and ticks, and
 * moving a selection between points. */
#include "trace/plot.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void plot_init(struct plot *p)
{
	memset(p, 0, sizeof *p);
	p->x.lo = p->y.lo = 0;
	p->x.hi = p->y.hi = 1;
}

void plot_release(struct plot *p)
{
	for (int i = 0; i < p->nseries; i++)
		free(p->series[i].pts);
	plot_init(p);
}

void figure_init(struct figure *f)
{
	memset(f, 0, sizeof *f);
	for (int i = 0; i < FIG_MAX_PLOTS; i++)
		plot_init(&f->p[i]);
}

void figure_release(struct figure *f)
{
	for (int i = 0; i < FIG_MAX_PLOTS; i++)
		plot_release(&f->p[i]);
	f->n = 0;
}

struct plot_series *plot_series_add(struct plot *p, const char *name, int mark, int style)
{
	if (p->nseries >= PLOT_MAX_SERIES)
		return NULL;
	struct plot_series *s = &p->series[p->nseries++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name ? name : "");
	s->mark = mark;
	s->style = style < 0 ? 0 : style % PLOT_MAX_SERIES;
	return s;
}

int plot_point_add(struct plot_series *s, double x, double y, const char *tensor, int row, int col)
{
	/* Grows by doubling; series are at most a few thousand points. */
	if ((s->n & (s->n - 1)) == 0) {
		size_t cap = s->n ? (size_t)s->n * 2 : 8;
		struct plot_point *np = realloc(s->pts, cap * sizeof *np);
		if (!np)
			return 0;
		s->pts = np;
	}
	s->pts[s->n++] = (struct plot_point){x, y, tensor, row, col};
	return 1;
}

/* ---- ticks ---- */

static double nice_step(double raw)
{
	double e = floor(log10(raw)), m = pow(10, e), f = raw / m;
	return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * m;
}

static void tick(struct plot_axis *a, double v, const char *fmt, int decimals)
{
	if (a->nticks >= PLOT_MAX_TICKS)
		return;
	struct plot_tick *t = &a->ticks[a->nticks++];
	t->v = v;
	if (decimals >= 0)
		snprintf(t->label, sizeof t->label, fmt, decimals, v);
	else
		snprintf(t->label, sizeof t->label, fmt, v);
	if (strcmp(t->label, "-0") == 0 || strncmp(t->label, "-0.", 3) == 0) {
		/* -0.00 is 0.00: a tick at zero never carries a sign */
		int zero = 1;
		for (const char *c = t->label + 1; *c; c++)
			zero &= *c == '0' || *c == '.';
		if (zero)
			memmove(t->label, t->label + 1, strlen(t->label));
	}
}

static void ticks_log(struct plot_axis *a, double lo, double hi, int want)
{
	if (!(hi > 0) || !isfinite(hi))
		hi = 1;
	if (!(lo > 0) || !isfinite(lo) || lo > hi)
		lo = hi / 10;
	/* the slack absorbs a float's error: 1e-4f is 0.99999997e-4 */
	int klo = (int)floor(log10(lo) + 1e-6), khi = (int)ceil(log10(hi) - 1e-6);
	if (khi <= klo)
		khi = klo + 1;
	if (khi - klo <= 2) {
		/* a decade or two: ticks at 1, 2, 5 (one decade: 1 .. 9) times
		 * the powers of ten, the range cut to the ticks around the data */
		static const int m125[] = {1, 2, 5}, m19[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
		const int *m = khi - klo == 1 ? m19 : m125;
		int nm = khi - klo == 1 ? 9 : 3;
		double v[40];
		int n = 0;
		for (int k = klo; k <= khi; k++)
			for (int i = 0; i < nm && n < 40; i++)
				v[n++] = m[i] * pow(10, k);
		int i0 = 0, i1 = n - 1;
		while (i0 + 1 < n && v[i0 + 1] <= lo * (1 + 1e-6))
			i0++;
		while (i1 - 1 > i0 && v[i1 - 1] >= hi * (1 - 1e-6))
			i1--;
		if (i1 <= i0)
			i1 = i0 + 1 < n ? i0 + 1 : i0;
		a->lo = v[i0];
		a->hi = v[i1] > v[i0] ? v[i1] : v[i0] * 10;
		for (int i = i0; i <= i1; i++) {
			int k = (int)floor(log10(v[i]) + 1e-9);
			tick(a, v[i], "%.*f", k < 0 ? -k : 0);
		}
		return;
	}
	int every = (khi - klo + want - 2) / (want > 1 ? want - 1 : 1);
	every = every < 1 ? 1 : every;
	/* the range ends on a tick */
	khi = klo + (khi - klo + every - 1) / every * every;
	a->lo = pow(10, klo);
	a->hi = pow(10, khi);
	for (int k = klo; k <= khi; k += every) {
		/* 0.001 .. 10000 read as they are; beyond, powers of ten */
		if (k >= -3 && k <= 4)
			tick(a, pow(10, k), "%.*f", k < 0 ? -k : 0);
		else if (a->nticks < PLOT_MAX_TICKS) {
			struct plot_tick *t = &a->ticks[a->nticks++];
			t->v = pow(10, k);
			snprintf(t->label, sizeof t->label, "1e%d", k);
		}
	}
}

void plot_axis_ticks(struct plot_axis *a, double lo, double hi, int want)
{
	a->nticks = 0;
	a->categorical = 0;
	want = want < 2 ? 2 : want;
	if (a->scale == PLOT_LOG10) {
		ticks_log(a, lo, hi, want);
		return;
	}
	if (!isfinite(lo) || !isfinite(hi) || lo > hi)
		lo = 0, hi = 1;
	if (hi - lo < 1e-12 * fmax(1.0, fabs(hi))) {
		/* one value: a range around it */
		double d = lo != 0 ? fabs(lo) * 0.1 : 1;
		lo -= d;
		hi += d;
	}
	double step = nice_step((hi - lo) / (want - 1));
	double t0 = floor(lo / step + 1e-9) * step, t1 = ceil(hi / step - 1e-9) * step;
	a->lo = t0;
	a->hi = t1 > t0 ? t1 : t0 + step;
	int decimals = step >= 1 ? 0 : (int)ceil(-log10(step) - 1e-9);
	int n = (int)lround((a->hi - a->lo) / step);
	for (int i = 0; i <= n && a->nticks < PLOT_MAX_TICKS; i++)
		tick(a, a->lo + i * step, "%.*f", decimals);
}

void plot_axis_categories(struct plot_axis *a, int n, const char *const *labels)
{
	a->scale = PLOT_LINEAR;
	a->categorical = 1;
	a->nticks = 0;
	a->lo = -0.5;
	a->hi = n > 0 ? n - 0.5 : 0.5;
	for (int i = 0; i < n && i < PLOT_MAX_TICKS; i++) {
		struct plot_tick *t = &a->ticks[a->nticks++];
		t->v = i;
		if (labels && labels[i])
			snprintf(t->label, sizeof t->label, "%s", labels[i]);
		else
			snprintf(t->label, sizeof t->label, "%d", i);
	}
}

double plot_axis_frac(const struct plot_axis *a, double v)
{
	if (!isfinite(v))
		return NAN;
	if (a->scale == PLOT_LOG10) {
		if (!(v > 0) || !(a->lo > 0))
			return NAN;
		return (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	}
	return a->hi > a->lo ? (v - a->lo) / (a->hi - a->lo) : 0.5;
}

/* The range of the drawable values along one coordinate. */
static int data_range(const struct plot *p, int want_y, enum plot_scale sc, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	int bars = 0;
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		bars |= s->mark & PLOT_BARS;
		for (int j = 0; j < s->n; j++) {
			double v = want_y ? s->pts[j].y : s->pts[j].x;
			if (!isfinite(v) || (sc == PLOT_LOG10 && !(v > 0)))
				continue;
			*lo = v < *lo ? v : *lo;
			*hi = v > *hi ? v : *hi;
		}
	}
	if (*lo > *hi)
		return 0;
	if (want_y && bars && sc == PLOT_LINEAR) {
		/* bars stand on zero */
		*lo = *lo > 0 ? 0 : *lo;
		*hi = *hi < 0 ? 0 : *hi;
	}
	return 1;
}

/* Ticks for one axis over the data (or over its own lo..hi when fixed). */
static void fit_axis(struct plot *p, struct plot_axis *a, int is_y, int fixed, int want)
{
	double lo = a->lo, hi = a->hi, keep_lo = a->lo, keep_hi = a->hi;
	if (!fixed && !data_range(p, is_y, a->scale, &lo, &hi))
		lo = 0, hi = 1;
	plot_axis_ticks(a, lo, hi, want);
	if (fixed)
		a->lo = keep_lo, a->hi = keep_hi;
}

void plot_fit(struct plot *p, int x_fixed, int y_fixed)
{
	if (!p->x.categorical)
		fit_axis(p, &p->x, 0, x_fixed, 6);
	fit_axis(p, &p->y, 1, y_fixed, 5);
}

/* ---- points and selection ---- */

const struct plot_point *plot_point(const struct plot *p, int si, int pi)
{
	if (si < 0 || si >= p->nseries || pi < 0 || pi >= p->series[si].n)
		return NULL;
	return &p->series[si].pts[pi];
}

int plot_find_cell(const struct plot *p, const char *tensor, int row, int col, int *si, int *pi)
{
	for (int i = 0; i < p->nseries; i++)
		for (int j = 0; j < p->series[i].n; j++) {
			const struct plot_point *q = &p->series[i].pts[j];
			if (q->row == row && q->col == col && q->tensor && tensor &&
			    strcmp(q->tensor, tensor) == 0) {
				*si = i;
				*pi = j;
				return 1;
			}
		}
	return 0;
}

static int drawable(const struct plot *p, const struct plot_point *q, double *fx, double *fy)
{
	*fx = plot_axis_frac(&p->x, q->x);
	*fy = plot_axis_frac(&p->y, q->y);
	return !isnan(*fx) && !isnan(*fy);
}

int plot_step_along(const struct plot *p, int dir, int *si, int *pi)
{
	const struct plot_series *s = *si >= 0 && *si < p->nseries ? &p->series[*si] : NULL;
	if (!s)
		return 0;
	double fx, fy;
	for (int j = *pi + dir; j >= 0 && j < s->n; j += dir)
		if (drawable(p, &s->pts[j], &fx, &fy)) {
			*pi = j;
			return 1;
		}
	return 0;
}

int plot_step_across(const struct plot *p, int dir, int *si, int *pi)
{
	const struct plot_point *cur = plot_point(p, *si, *pi);
	double fx0, fy0;
	if (!cur || !drawable(p, cur, &fx0, &fy0))
		return 0;
	int best_s = -1, best_p = -1;
	double best = INFINITY;
	for (int i = 0; i < p->nseries; i++) {
		if (i == *si)
			continue;
		for (int j = 0; j < p->series[i].n; j++) {
			double fx, fy;
			if (!drawable(p, &p->series[i].pts[j], &fx, &fy))
				continue;
			double dy = (fy - fy0) * dir;
			if (dy < -1e-9)
				continue;
			/* the same x first, then the nearest value in that direction */
			double cost = fabs(fx - fx0) * 10 + fabs(dy);
			if (cost < best) {
				best = cost;
				best_s = i;
				best_p = j;
			}
		}
	}
	if (best_s < 0)
		return 0;
	*si = best_s;
	*pi = best_p;
	return 1;
}

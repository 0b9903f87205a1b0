/* A plot in a grid of character cells (plot.h): where the title, legend,
 * axes and tick labels go in a w x h box, which cell and dot each value
 * falls on, and the data area rasterized, the same for the screen and the
 * text so both put every point in the same place. */
#include "trace/plot.h"
#include "base/textwidth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int legend_lines(const struct plot *p, int w)
{
	int line[PLOT_MAX_SERIES], col[PLOT_MAX_SERIES];
	return plot_legend_place(p, w, 0, line, col);
}

void plot_layout(const struct plot *p, int w, int h, struct plot_layout *L)
{
	memset(L, 0, sizeof *L);
	L->w = w;
	L->h = h;
	L->ylabel_y = L->note_y = -1;
	int yw = 1;
	for (int i = 0; i < p->y.nticks; i++) {
		int tw = text_width(p->y.ticks[i].label);
		yw = tw > yw ? tw : yw;
	}
	L->area_x = yw + 1; /* the y axis line sits in column yw */
	L->area_w = w - L->area_x - 1;
	if (L->area_w < 4 || h < 6)
		return;
	L->title_y = 0;
	L->legend_y = 1;
	L->legend_h = legend_lines(p, w);
	int top = L->legend_y + L->legend_h;
	int note = p->note[0] != 0;
	int xl = p->x.label[0] != 0, xl_own = xl; /* the x label on a row of its own */
	int yl = p->y.label[0] != 0;
	/* A short box gives up rows until the data area has `want` of them:
	 * the note, the x label's own row (it moves to the end of the tick
	 * labels), the legend beyond one line, the y label. */
	int want = h - 6 < 8 ? (h - 6 < 3 ? 3 : h - 6) : 8;
	for (int pass = 0; pass < 4; pass++) {
		int rows = h - top - note - yl - 2 - xl_own;
		if (rows >= want)
			break;
		if (pass == 0)
			note = 0;
		else if (pass == 1)
			xl_own = 0;
		else if (pass == 2 && L->legend_h > 1)
			top = L->legend_y + (L->legend_h = 1);
		else if (pass == 3)
			yl = 0;
	}
	int bottom = h;
	if (note)
		L->note_y = --bottom;
	int xlabel_row = xl_own ? --bottom : -1;
	L->ticks_y = --bottom;
	L->axis_y = --bottom;
	if (yl)
		L->ylabel_y = top++;
	L->area_y = top;
	L->area_h = L->axis_y - L->area_y;
	if (L->area_h < 2)
		return;
	/* The x label: on its own row, or at the right end of the tick labels
	 * when there is room, else left out. */
	int lw = text_width(p->x.label);
	L->xlabel_x = w - lw > 0 ? w - lw : 0;
	L->xlabel_y = -1;
	if (xlabel_row >= 0) {
		L->xlabel_y = xlabel_row;
	} else if (xl) {
		int lab[PLOT_MAX_TICKS], last = 0;
		plot_xtick_labels(p, L, lab);
		for (int i = 0; i < p->x.nticks; i++)
			if (lab[i] >= 0)
				last = lab[i] + text_width(p->x.ticks[i].label);
		if (last + 2 + lw <= w)
			L->xlabel_y = L->ticks_y;
	}
	L->ok = 1;
}

int plot_place(const struct plot *p, const struct plot_layout *L, int sx, int sy, double x, double y,
	       int *cx, int *cy, int *dx, int *dy)
{
	double fx = plot_axis_frac(&p->x, x), fy = plot_axis_frac(&p->y, y);
	if (isnan(fx) || isnan(fy) || fx < -1e-9 || fx > 1 + 1e-9 || fy < -1e-9 || fy > 1 + 1e-9)
		return 0;
	int W = L->area_w * sx, H = L->area_h * sy;
	int px = (int)lround(fx * (W - 1)), py = (int)lround((1 - fy) * (H - 1));
	px = px < 0 ? 0 : px >= W ? W - 1 : px;
	py = py < 0 ? 0 : py >= H ? H - 1 : py;
	if (cx)
		*cx = px / sx;
	if (cy)
		*cy = py / sy;
	if (dx)
		*dx = px;
	if (dy)
		*dy = py;
	return 1;
}

int plot_tick_col(const struct plot *p, const struct plot_layout *L, int i)
{
	int cx, cy;
	if (i < 0 || i >= p->x.nticks)
		return -1;
	double y = p->y.scale == PLOT_LOG10 ? p->y.lo : (p->y.lo + p->y.hi) / 2;
	if (!plot_place(p, L, 1, 1, p->x.ticks[i].v, y, &cx, &cy, NULL, NULL))
		return -1;
	return L->area_x + cx;
}

int plot_tick_row(const struct plot *p, const struct plot_layout *L, int i)
{
	int cx, cy;
	if (i < 0 || i >= p->y.nticks)
		return -1;
	double x = p->x.categorical ? 0 : p->x.lo;
	if (!plot_place(p, L, 1, 1, x, p->y.ticks[i].v, &cx, &cy, NULL, NULL))
		return -1;
	return cy;
}

/* Keeps every k-th of n labels (the rest become -1), the smallest k whose
 * kept labels are in order along dir (+1: growing, -1: shrinking) with a
 * gap: each starts at least len + 1 past the one before (len NULL: 0). */
static void thin(int *pos, const int *len, int n, int dir)
{
	for (int k = 1; k <= n; k++) {
		int ok = 1, have = 0, next = 0;
		for (int i = 0; i < n && ok; i += k) {
			if (pos[i] < 0)
				continue;
			int at = dir * pos[i];
			ok = !have || at >= next;
			next = at + (len ? len[i] : 0) + 1;
			have = 1;
		}
		if (!ok)
			continue;
		for (int i = 0; i < n; i++)
			if (i % k)
				pos[i] = -1;
		return;
	}
}

void plot_ytick_rows(const struct plot *p, const struct plot_layout *L, int row[PLOT_MAX_TICKS])
{
	for (int i = 0; i < p->y.nticks; i++)
		row[i] = plot_tick_row(p, L, i);
	thin(row, NULL, p->y.nticks, -1); /* ticks go up, rows down */
}

void plot_xtick_labels(const struct plot *p, const struct plot_layout *L, int x[PLOT_MAX_TICKS])
{
	int n = p->x.nticks, w[PLOT_MAX_TICKS];
	for (int i = 0; i < n; i++) {
		w[i] = text_width(p->x.ticks[i].label);
		int c = plot_tick_col(p, L, i);
		x[i] = c < 0 ? -1 : c - (w[i] - 1) / 2;
		if (x[i] >= 0 && x[i] + w[i] > L->w)
			x[i] = L->w - w[i];
		if (c >= 0 && x[i] < 0)
			x[i] = 0;
	}
	thin(x, w, n, 1); /* a blank between labels, evenly thinned */
}

/* Where legend entry i goes ("G name", three spaces apart, wrapped to w):
 * lines from 0, -1 for entries beyond max_lines. Returns the lines used. */
int plot_legend_place(const struct plot *p, int w, int max_lines, int *line, int *col)
{
	int y = 0, x = 0;
	for (int i = 0; i < p->nseries; i++) {
		int ew = 2 + text_width(p->series[i].name);
		if (x > 0 && x + 3 + ew > w) {
			y++;
			x = 0;
		}
		x += x ? 3 : 0;
		line[i] = max_lines > 0 && y >= max_lines ? -1 : y;
		col[i] = x;
		x += ew;
	}
	return p->nseries ? y + 1 : 0;
}

void plot_canvas_release(struct plot_canvas *c)
{
	free(c->dots);
	free(c->series);
	free(c->what);
	free(c->bar);
	memset(c, 0, sizeof *c);
}

static void set_dot(struct plot_canvas *c, int px, int py, int s)
{
	int cx = px / c->sx, cy = py / c->sy;
	if (cx < 0 || cx >= c->w || cy < 0 || cy >= c->h)
		return;
	size_t k = (size_t)cy * c->w + cx;
	c->dots[k] |= (unsigned char)(1u << ((py % c->sy) * c->sx + px % c->sx));
	if (c->what[k] == CANVAS_EMPTY || c->what[k] == CANVAS_LINE) {
		c->what[k] = CANVAS_LINE;
		c->series[k] = (signed char)s;
	}
}

/* Bresenham between two dots. */
static void line(struct plot_canvas *c, int x0, int y0, int x1, int y1, int s)
{
	int dx = abs(x1 - x0), sx = x0 < x1 ? 1 : -1;
	int dy = -abs(y1 - y0), sy = y0 < y1 ? 1 : -1;
	int err = dx + dy;
	for (;;) {
		set_dot(c, x0, y0, s);
		if (x0 == x1 && y0 == y1)
			break;
		int e2 = 2 * err;
		if (e2 >= dy) {
			err += dy;
			x0 += sx;
		}
		if (e2 <= dx) {
			err += dx;
			y0 += sy;
		}
	}
}

/* A bar of category point q: the middle of its slot, from the bottom of
 * the area up to its value, in eighths of a cell. */
static void bar(struct plot_canvas *c, const struct plot *p, const struct plot_layout *L,
		const struct plot_point *q, int s, int nbars)
{
	int cx, cy;
	if (!plot_place(p, L, 1, 1, q->x, q->y, &cx, &cy, NULL, NULL))
		return;
	double fy = plot_axis_frac(&p->y, q->y);
	int eighths = (int)lround(fy * c->h * 8);
	int slot = nbars > 0 ? c->w / nbars : c->w;
	int bw = slot * 3 / 5;
	bw = bw < 1 ? 1 : bw;
	int x0 = cx - (bw - 1) / 2;
	for (int x = x0; x < x0 + bw; x++) {
		if (x < 0 || x >= c->w)
			continue;
		for (int r = 0; r < c->h && eighths > r * 8; r++) {
			int row = c->h - 1 - r, fill = eighths - r * 8;
			size_t k = (size_t)row * c->w + x;
			c->what[k] = CANVAS_BAR;
			c->series[k] = (signed char)s;
			c->bar[k] = (unsigned char)(fill > 8 ? 8 : fill);
		}
	}
}

enum status plot_canvas_draw(const struct plot *p, const struct plot_layout *L, int sx, int sy,
			     struct plot_canvas *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	if (!L->ok)
		return err_set(e, ST_USAGE, "no room for the plot");
	c->w = L->area_w;
	c->h = L->area_h;
	c->sx = sx;
	c->sy = sy;
	size_t n = (size_t)c->w * c->h;
	c->dots = calloc(n, 1);
	c->series = malloc(n);
	c->what = calloc(n, 1);
	c->bar = calloc(n, 1);
	if (!c->dots || !c->series || !c->what || !c->bar) {
		plot_canvas_release(c);
		return err_set(e, ST_NOMEM, "out of memory for the plot");
	}
	memset(c->series, -1, n);
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		if (!(s->mark & PLOT_LINE))
			continue;
		int have = 0, px0 = 0, py0 = 0;
		for (int j = 0; j < s->n; j++) {
			int px, py;
			if (!plot_place(p, L, sx, sy, s->pts[j].x, s->pts[j].y, NULL, NULL, &px, &py)) {
				have = 0; /* a gap: the line breaks */
				continue;
			}
			if (have)
				line(c, px0, py0, px, py, i);
			else
				set_dot(c, px, py, i);
			px0 = px;
			py0 = py;
			have = 1;
		}
	}
	int nbars = 0;
	for (int i = 0; i < p->nseries; i++)
		if (p->series[i].mark & PLOT_BARS)
			nbars = p->series[i].n > nbars ? p->series[i].n : nbars;
	if (p->x.categorical)
		nbars = p->x.nticks;
	for (int i = 0; i < p->nseries; i++)
		if (p->series[i].mark & PLOT_BARS)
			for (int j = 0; j < p->series[i].n; j++)
				bar(c, p, L, &p->series[i].pts[j], i, nbars);
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		if (!(s->mark & PLOT_POINTS))
			continue;
		for (int j = 0; j < s->n; j++) {
			int cx, cy;
			if (!plot_place(p, L, sx, sy, s->pts[j].x, s->pts[j].y, &cx, &cy, NULL, NULL))
				continue;
			size_t k = (size_t)cy * c->w + cx;
			c->what[k] = CANVAS_MARK;
			c->series[k] = (signed char)i;
		}
	}
	return ST_OK;
}

int plot_bar_label(const struct plot *p, const struct plot_layout *L, const struct plot_point *q,
		   int *y, int *x, char *buf, size_t n)
{
	int cx, cy;
	if (!L->ok || !plot_place(p, L, 1, 1, q->x, q->y, &cx, &cy, NULL, NULL))
		return 0;
	int slots = p->x.categorical && p->x.nticks > 0 ? p->x.nticks : 1;
	int slot = L->area_w / slots;
	if (slot >= 7)
		snprintf(buf, n, "%.4f", q->y);
	else if (slot >= 5)
		snprintf(buf, n, "%.2f", q->y);
	else
		return 0;
	int eighths = (int)lround(plot_axis_frac(&p->y, q->y) * L->area_h * 8);
	int top = L->area_h - 1 - (eighths > 0 ? (eighths - 1) / 8 : -1); /* the bar's top cell row */
	int row = top - 1 >= 0 ? top - 1 : 0;
	int w = (int)strlen(buf);
	*y = L->area_y + row;
	*x = L->area_x + cx - (w - 1) / 2;
	return 1;
}

int plot_nearest(const struct plot *p, const struct plot_layout *L, int cx, int cy, int *si, int *pi)
{
	long best = -1;
	for (int i = 0; i < p->nseries; i++)
		for (int j = 0; j < p->series[i].n; j++) {
			int x, y;
			const struct plot_point *q = &p->series[i].pts[j];
			if (!plot_place(p, L, 1, 1, q->x, q->y, &x, &y, NULL, NULL))
				continue;
			/* a cell is about twice as tall as wide */
			long d = (long)(x - cx) * (x - cx) + 4L * (y - cy) * (y - cy);
			if (best < 0 || d < best) {
				best = d;
				*si = i;
				*pi = j;
			}
		}
	return best >= 0;
}

/* A plot of trace/plot.h drawn with cairo (figure.h): the title, the
 * legend, both axes with their ticks and labels (a log axis by decades,
 * categories named by their tokens), the series as lines, markers and
 * bars in the theme's series colours (with a dash and a marker shape per
 * style, so a grey print still tells them apart), and the note. Positions
 * come from plot_axis_frac, like every other front end's. */
#include "app/figure_plot.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const double P = 8, F_TICK = 8.5, F_LABEL = 9, F_TITLE = 11, F_NOTE = 8.5, F_BAR = 7.5;

#define area fig_area

static struct rgb grid_rgb(enum cmap_theme th)
{
	return th == CMAP_CONTRAST ? (struct rgb){0x48, 0x48, 0x48} : (struct rgb){0xe0, 0xe0, 0xe0};
}

static void set_dash(cairo_t *cr, enum cmap_theme th, int style)
{
	static const double dash[][2] = {{0, 0}, {6, 3}, {1.5, 2.5}, {8, 2}, {3, 3}, {1, 4}, {10, 4}, {4, 1.5}};
	int i = style < 0 ? 0 : style % 8;
	if (th == CMAP_MONO && i > 0)
		cairo_set_dash(cr, dash[i], 2, 0);
	else
		cairo_set_dash(cr, NULL, 0, 0);
}

/* One marker shape per style: circle, square, triangle, diamond, ... */
static void marker(cairo_t *cr, int style, double x, double y, double r)
{
	switch ((style < 0 ? 0 : style) % 5) {
	case 0: cairo_arc(cr, x, y, r, 0, 2 * M_PI); break;
	case 1: cairo_rectangle(cr, x - r * 0.85, y - r * 0.85, r * 1.7, r * 1.7); break;
	case 2:
		cairo_move_to(cr, x, y - r * 1.1);
		cairo_line_to(cr, x + r, y + r * 0.75);
		cairo_line_to(cr, x - r, y + r * 0.75);
		cairo_close_path(cr);
		break;
	case 3:
		cairo_move_to(cr, x, y - r * 1.15);
		cairo_line_to(cr, x + r * 1.15, y);
		cairo_line_to(cr, x, y + r * 1.15);
		cairo_line_to(cr, x - r * 1.15, y);
		cairo_close_path(cr);
		break;
	default:
		cairo_move_to(cr, x, y + r * 1.1);
		cairo_line_to(cr, x + r, y - r * 0.75);
		cairo_line_to(cr, x - r, y - r * 0.75);
		cairo_close_path(cr);
		break;
	}
	cairo_fill(cr);
}

static int place(const struct plot *p, const struct area *a, double x, double y, double *px, double *py)
{
	double fx = plot_axis_frac(&p->x, x), fy = plot_axis_frac(&p->y, y);
	if (isnan(fx) || isnan(fy))
		return 0;
	*px = a->x + fx * a->w;
	*py = a->y + (1 - fy) * a->h;
	return 1;
}

/* The legend's entries left to right, wrapped to w; draws them when draw,
 * returns the lines. */
static int legend(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, int draw)
{
	cairo_t *cr = fc->cr;
	double cx = 0, lh;
	int lines = p->nseries > 0;
	fig_text_size(fc, "Ag", F_LABEL, 0, 0, NULL, &lh);
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		double tw;
		fig_text_size(fc, s->name, F_LABEL, 0, 0, &tw, NULL);
		double ew = 22 + tw;
		if (cx > 0 && cx + ew > w) {
			cx = 0;
			lines++;
		}
		if (draw) {
			double ex = x + cx, ey = y + (lines - 1) * (lh + 3), mid = ey + lh / 2;
			struct rgb c = cmap_series(fc->theme, s->style);
			fig_set_rgb(cr, c);
			if (s->mark & PLOT_BARS) {
				cairo_rectangle(cr, ex + 3, mid - 5, 10, 10);
				cairo_fill(cr);
			}
			if (s->mark & PLOT_LINE) {
				set_dash(cr, fc->theme, s->style);
				cairo_set_line_width(cr, 1.8);
				cairo_move_to(cr, ex, mid);
				cairo_line_to(cr, ex + 16, mid);
				cairo_stroke(cr);
				set_dash(cr, fc->theme, 0);
			}
			if (s->mark & PLOT_POINTS)
				marker(cr, s->style, ex + 8, mid, 3.2);
			fig_text(fc, s->name, F_LABEL, 0, 0, ex + 20, ey, FIG_LEFT, 0, cmap_foreground(fc->theme));
		}
		cx += ew + 14;
	}
	return lines;
}

/* Every k-th tick label, the smallest k at which neighbours keep a gap. */
static int thin(struct fig_ctx *fc, const struct plot_axis *ax, double span, int horizontal)
{
	if (ax->nticks < 2)
		return 1;
	double need = 0, lh;
	fig_text_size(fc, "Ag", F_TICK, 0, 0, NULL, &lh);
	for (int i = 0; i < ax->nticks; i++) {
		double w;
		fig_text_size(fc, ax->ticks[i].label, F_TICK, 0, 0, &w, NULL);
		need = fmax(need, horizontal ? w + 6 : lh);
	}
	double per = span / (ax->nticks - 1 > 0 ? ax->nticks - 1 : 1);
	if (ax->categorical)
		per = span / ax->nticks;
	int k = 1;
	while (k < ax->nticks && per * k < need)
		k++;
	return k;
}

static void bars(struct fig_ctx *fc, const struct plot *p, const struct area *a)
{
	cairo_t *cr = fc->cr;
	int slots = plot_bar_slots(p);
	if (slots <= 0)
		return;
	double slot = a->w / slots, bw = slot * 0.6;
	double f0 = p->y.scale == PLOT_LOG10 ? 0 : plot_axis_frac(&p->y, 0);
	f0 = isnan(f0) ? 0 : f0 < 0 ? 0 : f0 > 1 ? 1 : f0;
	double base = a->y + (1 - f0) * a->h;
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		if (!(s->mark & PLOT_BARS))
			continue;
		for (int j = 0; j < s->n; j++) {
			double px, py;
			if (!place(p, a, s->pts[j].x, s->pts[j].y, &px, &py))
				continue;
			py = py < a->y ? a->y : py > a->y + a->h ? a->y + a->h : py;
			fig_set_rgb(cr, cmap_series(fc->theme, s->style));
			cairo_rectangle(cr, px - bw / 2, fmin(py, base), bw, fabs(base - py));
			cairo_fill(cr);
			char buf[32];
			if (slot >= 34)
				snprintf(buf, sizeof buf, "%.4f", s->pts[j].y);
			else if (slot >= 24)
				snprintf(buf, sizeof buf, "%.2f", s->pts[j].y);
			else
				continue;
			double lh, top = fmin(py, base);
			fig_text_size(fc, buf, F_BAR, 0, 0, NULL, &lh);
			/* above the bar, or inside it when it reaches the top */
			struct rgb bar = cmap_series(fc->theme, s->style);
			if (top - lh - 1 >= a->y - 4)
				fig_text(fc, buf, F_BAR, 0, 0, px, top - lh - 1, FIG_CENTER, 0, cmap_foreground(fc->theme));
			else
				fig_text(fc, buf, F_BAR, 0, 0, px, top + 1, FIG_CENTER, 0,
					 cmap_dark_text(bar) ? (struct rgb){0, 0, 0} : (struct rgb){255, 255, 255});
		}
	}
}

static void series(struct fig_ctx *fc, const struct plot *p, const struct area *a)
{
	cairo_t *cr = fc->cr;
	cairo_save(cr);
	cairo_rectangle(cr, a->x - 5, a->y - 5, a->w + 10, a->h + 10);
	cairo_clip(cr);
	bars(fc, p, a);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		if (!(s->mark & PLOT_LINE))
			continue;
		int have = 0;
		for (int j = 0; j < s->n; j++) {
			double px, py;
			if (!place(p, a, s->pts[j].x, s->pts[j].y, &px, &py)) {
				have = 0; /* a gap: the line breaks */
				continue;
			}
			if (have)
				cairo_line_to(cr, px, py);
			else
				cairo_move_to(cr, px, py);
			have = 1;
		}
		fig_set_rgb(cr, cmap_series(fc->theme, s->style));
		set_dash(cr, fc->theme, s->style);
		cairo_set_line_width(cr, 1.8);
		cairo_stroke(cr);
	}
	set_dash(cr, fc->theme, 0);
	for (int i = 0; i < p->nseries; i++) {
		const struct plot_series *s = &p->series[i];
		if (!(s->mark & PLOT_POINTS))
			continue;
		fig_set_rgb(cr, cmap_series(fc->theme, s->style));
		for (int j = 0; j < s->n; j++) {
			double px, py;
			if (place(p, a, s->pts[j].x, s->pts[j].y, &px, &py))
				marker(cr, s->style, px, py, 3.2);
		}
	}
	cairo_restore(cr);
}

static void axes(struct fig_ctx *fc, const struct plot *p, const struct area *a, int xrot, int xk, int yk)
{
	cairo_t *cr = fc->cr;
	struct rgb fg = cmap_foreground(fc->theme);
	double lh;
	fig_text_size(fc, "Ag", F_TICK, 0, 0, NULL, &lh);
	cairo_set_line_width(cr, 0.6);
	fig_set_rgb(cr, grid_rgb(fc->theme));
	for (int i = 0; i < p->y.nticks; i++) {
		double f = plot_axis_frac(&p->y, p->y.ticks[i].v);
		if (isnan(f) || f < -1e-9 || f > 1 + 1e-9)
			continue;
		cairo_move_to(cr, a->x, a->y + (1 - f) * a->h);
		cairo_line_to(cr, a->x + a->w, a->y + (1 - f) * a->h);
	}
	cairo_stroke(cr);
	fig_set_rgb(cr, fg);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, a->x, a->y);
	cairo_line_to(cr, a->x, a->y + a->h);
	cairo_line_to(cr, a->x + a->w, a->y + a->h);
	cairo_stroke(cr);
	for (int i = 0; i < p->y.nticks; i++) {
		double f = plot_axis_frac(&p->y, p->y.ticks[i].v);
		if (isnan(f) || f < -1e-9 || f > 1 + 1e-9)
			continue;
		double py = a->y + (1 - f) * a->h;
		cairo_move_to(cr, a->x - 3, py);
		cairo_line_to(cr, a->x, py);
		cairo_stroke(cr);
		if (i % yk == 0)
			fig_text(fc, p->y.ticks[i].label, F_TICK, 0, 0, a->x - 5, py - lh / 2, FIG_RIGHT, 0, fg);
	}
	for (int i = 0; i < p->x.nticks; i++) {
		double f = plot_axis_frac(&p->x, p->x.ticks[i].v);
		if (isnan(f) || f < -1e-9 || f > 1 + 1e-9)
			continue;
		double px = a->x + f * a->w, by = a->y + a->h;
		cairo_move_to(cr, px, by);
		cairo_line_to(cr, px, by + 3);
		cairo_stroke(cr);
		if (i % xk)
			continue;
		if (xrot)
			fig_text(fc, p->x.ticks[i].label, F_TICK, 0, 80, px - lh / 2, by + 5, FIG_RIGHT, -90, fg);
		else
			fig_text(fc, p->x.ticks[i].label, F_TICK, 0, 0, px, by + 4, FIG_CENTER, 0, fg);
	}
}

/* Where everything goes in the w x h box at (x, y). */
struct plot_box {
	struct area a;
	double top, leg_h, note_h, xt_h, tick_h;
	int xrot;
};

static int plot_box(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h,
		    struct plot_box *b)
{
	double tw, th = 0, lh;
	fig_text_size(fc, "Ag", F_LABEL, 0, 0, NULL, &lh);
	fig_text_size(fc, "Ag", F_TICK, 0, 0, NULL, &b->tick_h);
	if (p->title[0])
		fig_text_size(fc, p->title, F_TITLE, FIG_BOLD, w - 2 * P, NULL, &th);
	b->top = y + P + (th > 0 ? th + 4 : 0);
	b->leg_h = legend(fc, p, x + P, b->top, w - 2 * P, 0) * (lh + 3);
	/* y tick labels set the area's left edge */
	double ytw = 0;
	for (int i = 0; i < p->y.nticks; i++) {
		fig_text_size(fc, p->y.ticks[i].label, F_TICK, 0, 0, &tw, NULL);
		ytw = fmax(ytw, tw);
	}
	double ylab_w = p->y.label[0] ? lh + 4 : 0;
	struct area *a = &b->a;
	a->x = x + P + ylab_w + ytw + 6;
	a->w = x + w - P - 12 - a->x;
	/* x tick labels: level, or turned upright when a category's name is
	 * wider than its slot */
	double xtw = 0;
	for (int i = 0; i < p->x.nticks; i++) {
		fig_text_size(fc, p->x.ticks[i].label, F_TICK, 0, 0, &tw, NULL);
		xtw = fmax(xtw, tw);
	}
	b->xrot = p->x.categorical && p->x.nticks > 0 && xtw + 4 > a->w / p->x.nticks;
	b->xt_h = b->xrot ? fmin(xtw, 80) + 6 : b->tick_h + 5;
	b->note_h = 0;
	if (p->note[0])
		fig_text_size(fc, p->note, F_NOTE, FIG_ITALIC, w - 2 * P, NULL, &b->note_h);
	double xlab_h = p->x.label[0] ? lh + 2 : 0;
	a->y = b->top + b->leg_h + 6;
	a->h = y + h - P - (b->note_h > 0 ? b->note_h + 4 : 0) - xlab_h - b->xt_h - a->y;
	return a->w >= 40 && a->h >= 30;
}

int fig_plot_area(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h,
		  struct fig_area *a)
{
	struct plot_box b;
	int ok = plot_box(fc, p, x, y, w, h, &b);
	*a = b.a;
	return ok;
}

void fig_plot_draw(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h)
{
	struct rgb fg = cmap_foreground(fc->theme);
	struct plot_box b;
	if (!plot_box(fc, p, x, y, w, h, &b))
		return;
	const struct area *a = &b.a;
	if (p->title[0])
		fig_text(fc, p->title, F_TITLE, FIG_BOLD, w - 2 * P, x + P, y + P, FIG_LEFT, 0, fg);
	legend(fc, p, x + P, b.top, w - 2 * P, 1);
	int xk = b.xrot ? (int)ceil(b.tick_h * 1.1 / (a->w / p->x.nticks)) : thin(fc, &p->x, a->w, 1);
	int yk = thin(fc, &p->y, a->h, 0);
	axes(fc, p, a, b.xrot, xk < 1 ? 1 : xk, yk);
	series(fc, p, a);
	if (p->y.label[0])
		fig_text(fc, p->y.label, F_LABEL, 0, a->h, x + P, a->y + a->h / 2, FIG_CENTER, -90, fg);
	if (p->x.label[0])
		fig_text(fc, p->x.label, F_LABEL, 0, 0, a->x + a->w / 2, a->y + a->h + b.xt_h, FIG_CENTER, 0, fg);
	if (p->note[0])
		fig_text(fc, p->note, F_NOTE, FIG_ITALIC, w - 2 * P, x + P, y + h - P - b.note_h, FIG_LEFT, 0, fg);
}

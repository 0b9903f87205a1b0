/* The plot view: the figure the session's position shows (app/plotspec.h,
 * trace/plots.h) drawn with Unicode braille, markers and block bars in the
 * palette's series colours, or with the text renderer's ASCII glyphs under
 * NO_COLOR, the mono theme or a terminal without UTF-8. The cursor is the
 * session's cell, which is a plot point (the plot's tensors are the
 * panels): arrows move between points, Enter explains the point, a click
 * selects the nearest one. */
#include "base/textwidth.h"
#include "trace/plot_text.h"
#include "tui/tui.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int ascii_mode(const struct tui *t)
{
	return t->pal.mode == PAL_MONO || !t->utf8;
}

static attr_t series_attr(const struct tui *t, const struct plot *p, int s)
{
	int style = s >= 0 && s < p->nseries ? p->series[s].style : 0;
	return t->pal.series[style % PAL_SERIES];
}

/* U+2800 + the dots of a 2 x 4 canvas cell, as UTF-8. */
static void braille(unsigned dots, char out[4])
{
	static const unsigned char bit[8] = {0x01, 0x08, 0x02, 0x10, 0x04, 0x20, 0x40, 0x80};
	unsigned b = 0;
	for (int k = 0; k < 8; k++) /* canvas bit j*2+i: dot column i, row j */
		if (dots & (1u << k))
			b |= bit[k];
	out[0] = (char)0xe2;
	out[1] = (char)(0xa0 | (b >> 6));
	out[2] = (char)(0x80 | (b & 0x3f));
	out[3] = 0;
}

static const char *const EIGHTHS[9] = {" ", "\xe2\x96\x81", "\xe2\x96\x82", "\xe2\x96\x83", "\xe2\x96\x84",
				      "\xe2\x96\x85", "\xe2\x96\x86", "\xe2\x96\x87", "\xe2\x96\x88"};
#define MARKER "\xe2\x97\x8f" /* ● */
#define SELECTED "\xe2\x97\x86" /* ◆ */

static const char *legend_glyph(const struct tui *t, const struct plot_series *s, char buf[2])
{
	if (ascii_mode(t)) {
		buf[0] = plot_glyph(s);
		buf[1] = 0;
		return buf;
	}
	if (s->mark & PLOT_BARS)
		return EIGHTHS[8];
	return s->mark == PLOT_POINTS ? MARKER : "\xe2\x94\x81"; /* ━ */
}

/* The plot and point the cursor's cell is, or 0. */
static int current(const struct tui *t, const struct figure *f, int *pl, int *si, int *pi)
{
	char name[STAGE_NAME * 2];
	session_panel(t->s, t->s->panel, name, sizeof name);
	for (int k = 0; k < f->n; k++)
		if (plot_find_cell(&f->p[k], name, t->s->row, t->s->col, si, pi)) {
			*pl = k;
			return 1;
		}
	return 0;
}

static void select_point(struct tui *t, const struct plot_point *q)
{
	char name[STAGE_NAME * 2];
	for (int i = 0; i < session_npanels(t->s); i++)
		if (session_panel(t->s, i, name, sizeof name) && strcmp(name, q->tensor) == 0) {
			session_select(t->s, i, q->row, q->col);
			return;
		}
}

static void draw_one(struct tui *t, struct rect r, const struct plot *p, int index, int sel_s, int sel_p)
{
	struct plot_layout L;
	plot_layout(p, r.w, r.h, &L);
	attr_t dim = palette_ui(&t->pal, PAL_DIM), lab = palette_ui(&t->pal, PAL_LABEL);
	if (!L.ok) {
		tui_put(t, r.y, r.x, r.w, dim, "no room for the plot here (v: the matrices)");
		return;
	}
	int ascii = ascii_mode(t);
	struct plot_canvas c;
	struct err e;
	if (plot_canvas_draw(p, &L, ascii ? 1 : 2, ascii ? 1 : 4, &c, &e)) {
		tui_put(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_ERROR), e.msg);
		return;
	}
	tui_put(t, r.y + L.title_y, r.x, r.w, palette_ui(&t->pal, PAL_SECTION), p->title);
	int line[PLOT_MAX_SERIES], col[PLOT_MAX_SERIES];
	plot_legend_place(p, r.w, L.legend_h, line, col);
	for (int i = 0; i < p->nseries; i++) {
		char g[2];
		if (line[i] < 0)
			continue;
		int y = r.y + L.legend_y + line[i], x = r.x + col[i];
		tui_put(t, y, x, 1, series_attr(t, p, i), legend_glyph(t, &p->series[i], g));
		tui_put(t, y, x + 2, r.x + r.w - x - 2, palette_ui(&t->pal, PAL_TEXT), p->series[i].name);
	}
	if (L.ylabel_y >= 0)
		tui_put(t, r.y + L.ylabel_y, r.x, r.w, dim, p->y.label);
	int ax = r.x + L.area_x - 1, ay = r.y + L.area_y;
	for (int y = 0; y < L.area_h; y++)
		tui_put(t, ay + y, ax, 1, dim, ascii ? "|" : "\xe2\x94\x82");
	int rows[PLOT_MAX_TICKS];
	plot_ytick_rows(p, &L, rows);
	for (int i = 0; i < p->y.nticks; i++) {
		int row = rows[i];
		if (row < 0)
			continue;
		int tw = text_width(p->y.ticks[i].label);
		tui_put(t, ay + row, ax - tw, tw, lab, p->y.ticks[i].label);
		tui_put(t, ay + row, ax, 1, dim, ascii ? "+" : "\xe2\x94\xa4");
	}
	for (int y = 0; y < c.h; y++)
		for (int x = 0; x < c.w; x++) {
			size_t k = (size_t)y * c.w + x;
			if (c.what[k] == CANVAS_EMPTY)
				continue;
			attr_t a = series_attr(t, p, c.series[k]);
			char g[4];
			const char *s = g;
			if (ascii) {
				g[0] = plot_cell_glyph(p, &c, x, y);
				g[1] = 0;
			} else if (c.what[k] == CANVAS_LINE) {
				braille(c.dots[k], g);
			} else if (c.what[k] == CANVAS_MARK) {
				s = MARKER;
			} else {
				s = EIGHTHS[c.bar[k] > 8 ? 8 : c.bar[k]];
			}
			tui_put(t, ay + y, r.x + L.area_x + x, 1, a, s);
		}
	for (int i = 0; i < p->nseries; i++)
		for (int j = 0; (p->series[i].mark & PLOT_BARS) && j < p->series[i].n; j++) {
			int by, bx;
			char num[32];
			if (plot_bar_label(p, &L, &p->series[i].pts[j], &by, &bx, num, sizeof num))
				tui_put(t, r.y + by, r.x + bx, (int)strlen(num),
					i == sel_s && j == sel_p ? palette_ui(&t->pal, PAL_SELLABEL)
								 : palette_ui(&t->pal, PAL_TEXT),
					num);
		}
	/* the x axis, its ticks and labels */
	char rule[4096];
	size_t o = 0;
	for (int x = 0; x < L.area_w && o + 4 < sizeof rule; x++)
		o += (size_t)snprintf(rule + o, sizeof rule - o, "%s", ascii ? "-" : "\xe2\x94\x80");
	tui_put(t, r.y + L.axis_y, ax, 1, dim, ascii ? "+" : "\xe2\x94\x94");
	tui_put(t, r.y + L.axis_y, ax + 1, L.area_w, dim, rule);
	const struct plot_point *sel = plot_point(p, sel_s, sel_p);
	int labx[PLOT_MAX_TICKS];
	plot_xtick_labels(p, &L, labx);
	for (int i = 0; i < p->x.nticks; i++) {
		int col = plot_tick_col(p, &L, i);
		if (col >= 0)
			tui_put(t, r.y + L.axis_y, r.x + col, 1, dim, ascii ? "+" : "\xe2\x94\xac");
		int on = sel && p->x.categorical && lround(sel->x) == i;
		if (labx[i] >= 0 || on) {
			int tx = labx[i] >= 0 ? labx[i] : col;
			tui_put(t, r.y + L.ticks_y, r.x + tx, r.w - tx,
				on ? palette_ui(&t->pal, PAL_SELLABEL) : lab, p->x.ticks[i].label);
		}
	}
	if (L.xlabel_y >= 0)
		tui_put(t, r.y + L.xlabel_y, r.x + L.xlabel_x, r.w - L.xlabel_x, dim, p->x.label);
	if (L.note_y >= 0)
		tui_put(t, r.y + L.note_y, r.x, r.w, dim, p->note);
	/* the cursor: the selected point, reversed */
	int cx, cy;
	if (sel && plot_place(p, &L, 1, 1, sel->x, sel->y, &cx, &cy, NULL, NULL)) {
		attr_t a = series_attr(t, p, sel_s) | A_REVERSE | A_BOLD;
		if (p->series[sel_s].mark & PLOT_BARS) {
			/* a bar: its top cell, so the whole bar stays readable */
			cy = c.h - 1;
			for (int y = 0; y < c.h; y++)
				if (c.what[(size_t)y * c.w + cx] == CANVAS_BAR) {
					cy = y;
					break;
				}
		}
		tui_put(t, ay + cy, r.x + L.area_x + cx, 1, a, ascii ? "@" : SELECTED);
	}
	plot_canvas_release(&c);
	if (t->nhits < (int)(sizeof t->hits / sizeof *t->hits)) {
		struct hit *h = &t->hits[t->nhits++];
		memset(h, 0, sizeof *h);
		h->r = r;
		h->panel = index;
		h->cw = HIT_PLOT;
	}
}

/* The positional encoding's heatmap above its curves, when there is room
 * for both; returns the rectangle left for the plot. */
static struct rect posenc_heatmap(struct tui *t, struct rect r)
{
	char name[STAGE_NAME * 2];
	const struct tensor *P = session_panel(t->s, 0, name, sizeof name);
	if (!P)
		return r;
	int want = P->rows + 3, min_plot = 14;
	if (want > r.h / 2)
		want = r.h / 2;
	if (r.h - want - 1 < min_plot || want < 5) {
		tui_put(t, r.y + r.h - 1, r.x, r.w, palette_ui(&t->pal, PAL_DIM),
			"(P as a heatmap needs a taller window; v: the matrices)");
		return (struct rect){r.y, r.x, r.h - 1, r.w};
	}
	struct matrix_opts o = {0};
	o.panel = 0;
	o.focused = t->s->panel == 0;
	o.sel_row = t->s->row;
	o.sel_col = t->s->col;
	o.numbers = t->s->numbers;
	o.legend = 1;
	o.head_c1 = -1;
	tui_matrix(t, (struct rect){r.y, r.x, want, r.w}, P, name, &o);
	return (struct rect){r.y + want + 1, r.x, r.h - want - 1, r.w};
}

static void plot_draw(struct tui *t, struct rect r)
{
	struct plot_spec ps;
	struct figure f;
	struct err e = {0};
	session_plotting(t->s, &ps);
	if (session_plot_build(t->s, &f, &e)) {
		tui_put(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_ERROR), e.msg);
		figure_release(&f);
		return;
	}
	int pl = -1, si = -1, pi = -1;
	current(t, &f, &pl, &si, &pi);
	if (ps.kind == PLOT_POSENC)
		r = posenc_heatmap(t, r);
	/* two plots: one above the other over the same x, or side by side
	 * when stacking would leave each too short to read */
	int side = f.n > 1 && (r.h - 1) / f.n < 12 && r.w >= 76;
	int h = f.n > 1 && !side ? (r.h - 1) / f.n : r.h, w = side ? (r.w - 2) / f.n : r.w;
	for (int k = 0; k < f.n; k++) {
		struct rect pr = {r.y, r.x, r.h, r.w};
		if (side) {
			pr.x = r.x + k * (w + 2);
			pr.w = k == f.n - 1 ? r.x + r.w - pr.x : w;
		} else if (f.n > 1) {
			pr.y = r.y + k * (h + 1);
			pr.h = k == f.n - 1 ? r.y + r.h - pr.y : h;
		}
		draw_one(t, pr, &f.p[k], k, k == pl ? si : -1, k == pl ? pi : -1);
	}
	figure_release(&f);
}

/* The point of the other plot nearest in x to q, for moving between the
 * two plots of a figure. */
static int nearest_x(const struct plot *p, double x, int *si, int *pi)
{
	double best = INFINITY;
	for (int i = 0; i < p->nseries; i++)
		for (int j = 0; j < p->series[i].n; j++) {
			double d = fabs(p->series[i].pts[j].x - x);
			if (d < best && !isnan(plot_axis_frac(&p->y, p->series[i].pts[j].y))) {
				best = d;
				*si = i;
				*pi = j;
			}
		}
	return best < INFINITY;
}

static int plot_key(struct tui *t, int key)
{
	int along = key == KEY_LEFT || key == 'h' ? -1 : key == KEY_RIGHT || key == 'l' ? 1 : 0;
	int across = key == KEY_UP || key == 'k' ? 1 : key == KEY_DOWN || key == 'j' ? -1 : 0;
	if (!along && !across)
		return 0;
	struct figure f;
	struct err e;
	if (session_plot_build(t->s, &f, &e)) {
		figure_release(&f);
		return 0;
	}
	int pl, si, pi, used = 1;
	if (!current(t, &f, &pl, &si, &pi)) {
		/* the cursor is on no point yet: the first one */
		pl = 0, si = 0, pi = 0;
		if (plot_point(&f.p[0], 0, 0))
			select_point(t, plot_point(&f.p[0], 0, 0));
	} else if (along) {
		/* at either end of the series the cursor stays */
		if (plot_step_along(&f.p[pl], along, &si, &pi))
			select_point(t, plot_point(&f.p[pl], si, pi));
	} else if (plot_step_across(&f.p[pl], across, &si, &pi)) {
		select_point(t, plot_point(&f.p[pl], si, pi));
	} else {
		/* the other plot of the figure (up: the one above), else the
		 * stage's own keys (the decoder step t for the top-k bars) */
		int other = pl - across;
		double x = plot_point(&f.p[pl], si, pi)->x;
		if (other >= 0 && other < f.n && nearest_x(&f.p[other], x, &si, &pi))
			select_point(t, plot_point(&f.p[other], si, pi));
		else
			used = 0;
	}
	figure_release(&f);
	return used;
}

void tui_plot_click(struct tui *t, const struct hit *h, int y, int x)
{
	struct figure f;
	struct err e;
	if (session_plot_build(t->s, &f, &e) || h->panel < 0 || h->panel >= f.n) {
		figure_release(&f);
		return;
	}
	const struct plot *p = &f.p[h->panel];
	struct plot_layout L;
	plot_layout(p, h->r.w, h->r.h, &L);
	int cx = x - h->r.x - L.area_x, cy = y - h->r.y - L.area_y, si, pi;
	/* a click on the plot, its axes or labels picks the nearest point */
	cx = cx < 0 ? 0 : cx >= L.area_w ? L.area_w - 1 : cx;
	cy = cy < 0 ? 0 : cy >= L.area_h ? L.area_h - 1 : cy;
	if (L.ok && plot_nearest(p, &L, cx, cy, &si, &pi))
		select_point(t, plot_point(p, si, pi));
	figure_release(&f);
}

static void nothing(struct tui *t)
{
	(void)t;
}

const struct view_ops view_plot = {"plot", plot_draw, plot_key, nothing, nothing};

/* A plot as plain text (plot_text.h): the layout and canvas of plot.h with
 * one ASCII glyph per series, for batch mode, handouts and tests, and for
 * the explorer's fallback on terminals without colour or UTF-8. */
#include "trace/plot_text.h"
#include "base/textwidth.h"

#include <stdlib.h>
#include <string.h>

const char PLOT_GLYPHS[PLOT_MAX_SERIES + 1] = "o*x%&=~^";

char plot_glyph(const struct plot_series *s)
{
	return s->mark == PLOT_BARS ? '#' : PLOT_GLYPHS[s->style % PLOT_MAX_SERIES];
}

char plot_cell_glyph(const struct plot *p, const struct plot_canvas *c, int cx, int cy)
{
	size_t k = (size_t)cy * c->w + cx;
	int s = c->series[k];
	switch (c->what[k]) {
	case CANVAS_LINE:
	case CANVAS_MARK:
		return s >= 0 && s < p->nseries ? plot_glyph(&p->series[s]) : '?';
	case CANVAS_BAR:
		return c->bar[k] >= 5 ? '#' : '_';
	}
	return ' ';
}

/* A box of cells holding UTF-8 text; a wide character's second cell is
 * marked so rows print with the right widths. */
struct grid {
	int w, h;
	char (*cell)[8];
	unsigned char *tail;
};

static int grid_init(struct grid *g, int w, int h)
{
	g->w = w;
	g->h = h;
	g->cell = calloc((size_t)w * h, sizeof *g->cell);
	g->tail = calloc((size_t)w * h, 1);
	return g->cell && g->tail;
}

static void grid_release(struct grid *g)
{
	free(g->cell);
	free(g->tail);
}

static void grid_ch(struct grid *g, int y, int x, char ch)
{
	if (y < 0 || y >= g->h || x < 0 || x >= g->w)
		return;
	size_t k = (size_t)y * g->w + x;
	g->cell[k][0] = ch;
	g->cell[k][1] = 0;
	g->tail[k] = 0;
}

/* Writes text (cut to fit, control characters replaced) from (y, x). */
static int grid_put(struct grid *g, int y, int x, const char *text)
{
	if (y < 0 || y >= g->h || x < 0 || x >= g->w)
		return 0;
	char buf[512];
	text_fit(buf, sizeof buf, text, g->w - x);
	int col = x;
	for (const char *s = buf; *s && col < g->w;) {
		uint32_t cp;
		size_t n = utf8_decode(s, strlen(s), &cp);
		n = n ? n : 1;
		int cw = codepoint_width(cp);
		cw = cw < 1 ? 1 : cw;
		if (col + cw > g->w)
			break;
		size_t k = (size_t)y * g->w + col;
		memcpy(g->cell[k], s, n < 7 ? n : 7);
		g->cell[k][n < 7 ? n : 7] = 0;
		g->tail[k] = 0;
		if (cw == 2) {
			g->cell[k + 1][0] = 0;
			g->tail[k + 1] = 1;
		}
		col += cw;
		s += n;
	}
	return col - x;
}

static void grid_print(FILE *f, const struct grid *g)
{
	for (int y = 0; y < g->h; y++) {
		int end = g->w;
		while (end > 0 && !g->tail[(size_t)y * g->w + end - 1] &&
		       (!g->cell[(size_t)y * g->w + end - 1][0] || g->cell[(size_t)y * g->w + end - 1][0] == ' '))
			end--;
		for (int x = 0; x < end; x++) {
			size_t k = (size_t)y * g->w + x;
			if (g->tail[k])
				continue;
			fputs(g->cell[k][0] ? g->cell[k] : " ", f);
		}
		fputc('\n', f);
	}
}

void plot_text(FILE *f, const struct plot *p, int w, int h)
{
	struct plot_layout L;
	plot_layout(p, w, h, &L);
	struct grid g;
	struct plot_canvas c;
	struct err e;
	if (!L.ok || !grid_init(&g, w, h)) {
		fprintf(f, "%s\n(no room for the plot in %d x %d)\n", p->title, w, h);
		if (L.ok)
			grid_release(&g);
		return;
	}
	if (plot_canvas_draw(p, &L, 1, 1, &c, &e)) {
		fprintf(f, "%s\n(%s)\n", p->title, e.msg);
		grid_release(&g);
		return;
	}
	grid_put(&g, L.title_y, 0, p->title);
	int line[PLOT_MAX_SERIES], col[PLOT_MAX_SERIES];
	plot_legend_place(p, w, L.legend_h, line, col);
	for (int i = 0; i < p->nseries; i++)
		if (line[i] >= 0) {
			grid_ch(&g, L.legend_y + line[i], col[i], plot_glyph(&p->series[i]));
			grid_put(&g, L.legend_y + line[i], col[i] + 2, p->series[i].name);
		}
	if (L.ylabel_y >= 0)
		grid_put(&g, L.ylabel_y, 0, p->y.label);
	/* The y axis with its ticks, the data area, the x axis. */
	int ax = L.area_x - 1;
	for (int r = 0; r < L.area_h; r++)
		grid_ch(&g, L.area_y + r, ax, '|');
	int rows[PLOT_MAX_TICKS];
	plot_ytick_rows(p, &L, rows);
	for (int i = 0; i < p->y.nticks; i++) {
		int r = rows[i];
		if (r < 0)
			continue;
		int tw = text_width(p->y.ticks[i].label);
		grid_put(&g, L.area_y + r, ax - tw, p->y.ticks[i].label);
		grid_ch(&g, L.area_y + r, ax, '+');
	}
	for (int y = 0; y < c.h; y++)
		for (int x = 0; x < c.w; x++) {
			char ch = plot_cell_glyph(p, &c, x, y);
			if (ch != ' ')
				grid_ch(&g, L.area_y + y, L.area_x + x, ch);
		}
	for (int i = 0; i < p->nseries; i++)
		for (int j = 0; (p->series[i].mark & PLOT_BARS) && j < p->series[i].n; j++) {
			int by, bx;
			char num[32];
			if (plot_bar_label(p, &L, &p->series[i].pts[j], &by, &bx, num, sizeof num))
				grid_put(&g, by, bx, num);
		}
	grid_ch(&g, L.axis_y, ax, '+');
	for (int x = 0; x < L.area_w; x++)
		grid_ch(&g, L.axis_y, L.area_x + x, '-');
	int lab[PLOT_MAX_TICKS];
	plot_xtick_labels(p, &L, lab);
	for (int i = 0; i < p->x.nticks; i++) {
		int col = plot_tick_col(p, &L, i);
		if (col >= 0)
			grid_ch(&g, L.axis_y, col, '+');
		if (lab[i] >= 0)
			grid_put(&g, L.ticks_y, lab[i], p->x.ticks[i].label);
	}
	if (L.xlabel_y >= 0)
		grid_put(&g, L.xlabel_y, L.xlabel_x, p->x.label);
	if (L.note_y >= 0)
		grid_put(&g, L.note_y, 0, p->note);
	grid_print(f, &g);
	grid_release(&g);
	plot_canvas_release(&c);
}

void figure_text(FILE *f, const struct figure *fg, int w, int h)
{
	for (int i = 0; i < fg->n; i++) {
		if (i)
			fputc('\n', f);
		plot_text(f, &fg->p[i], w, h);
	}
}

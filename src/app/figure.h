/* Figures drawn with cairo and pango: the context they are drawn on, text
 * (laid out by pango, CJK included through fontconfig's fallback), and a
 * tensor as a heatmap (row and column labels, a colour bar, the masked
 * cells). Plots are app/figure_plot.h's, pictures of several figures with
 * their caption app/picture.h's. One drawing code for every surface: the
 * same calls draw a PNG (image surface), an SVG and a PDF page
 * (app/export.c) and a handout's pages (app/handout_pdf.c). Sizes are in
 * points; colours are trace/colormap.h's, so a figure looks like the
 * screen. The figures only read the trace. */
#ifndef SEQSTEP_APP_FIGURE_H
#define SEQSTEP_APP_FIGURE_H

#include "base/status.h"
#include "trace/colormap.h"
#include "trace/trace.h"

#include <cairo.h>
#include <stddef.h>

/* A line of text as drawn, so an SVG can carry it as text too (cairo's SVG
 * surface draws glyph outlines): device coordinates of the baseline's
 * start, the angle in degrees, the font size and the drawn width. */
struct fig_text {
	char *s;
	double x, y, angle, size, w;
	int bold, mono;
};
struct fig_texts {
	struct fig_text *v;
	size_t n, cap;
	int oom;
};
void fig_texts_release(struct fig_texts *t);

/* Where figures are drawn: a cairo context (any surface), the theme's
 * colours, and where the text drawn is recorded (NULL: nowhere). */
struct fig_ctx {
	cairo_t *cr;
	enum cmap_theme theme;
	struct fig_texts *texts;
};

/* A context for measuring only (a 1 x 1 image surface): layouts computed
 * with it hold on every surface, since text is laid out without hinting. */
enum status fig_measure_open(struct fig_ctx *fc, enum cmap_theme th, struct err *e);
void fig_measure_close(struct fig_ctx *fc);
/* Sets up a context for drawing figures (no hinting, the same text
 * metrics on every surface). */
void fig_ctx_prepare(cairo_t *cr);

/* ---- text ---- */
enum { FIG_BOLD = 1, FIG_MONO = 2, FIG_ITALIC = 4, FIG_MARKUP = 8 };
enum { FIG_LEFT, FIG_CENTER, FIG_RIGHT };
/* The size of text at size points, wrapped at wrap points (0: one line
 * per line of text). */
void fig_text_size(struct fig_ctx *fc, const char *text, double size, int flags, double wrap,
		   double *w, double *h);
/* Draws it with its top left at (x, y) (align: x is the left, the middle
 * or the right), turned by angle degrees about (x, y), in colour c. */
void fig_text(struct fig_ctx *fc, const char *text, double size, int flags, double wrap, double x,
	      double y, int align, double angle, struct rgb c);
void fig_set_rgb(cairo_t *cr, struct rgb c);

/* ---- a heatmap of one tensor ---- */
struct fig_heatmap {
	const struct tensor *t;
	const char *title;  /* NULL: "NAME [R × C]" */
	int diverging;      /* Δ: a symmetric diverging scale (the diff view) */
	int numbers;        /* each cell's value written on it */
	double max_w;       /* the width to fit (0: a slide's) */
	/* set by fig_heatmap_layout, relative to the heatmap's top left */
	struct scale sc;
	double w, h;        /* the whole heatmap */
	double x0, y0;      /* cell (0, 0)'s top left */
	double cw, ch;      /* one cell */
	double title_h, ctitle_h, clab_h, rtitle_w, rlab_w, bar_x, bar_h;
	int rot;            /* column labels turned upright */
	int row_every, col_every; /* every k-th label drawn */
	int masked;         /* some cell is -inf */
};
void fig_heatmap_layout(struct fig_ctx *fc, struct fig_heatmap *h);
void fig_heatmap_draw(struct fig_ctx *fc, const struct fig_heatmap *h, double x, double y);

#endif

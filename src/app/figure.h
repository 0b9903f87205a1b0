/* Figures drawn with cairo and pango: a tensor as a heatmap (row and column
 * labels, CJK included through fontconfig's fallback, a colour bar, the
 * masked cells), a plot of trace/plot.h (axes, ticks, legend, title), and
 * a picture of several of them with a title and a caption (the tensors'
 * formulas, the trace's what-if line). One drawing code for every surface:
 * the same calls draw a PNG (image surface), an SVG and a PDF page
 * (app/export.c) and a handout's pages (app/handout_pdf.c). Sizes are in
 * points; colours are trace/colormap.h's, so a figure looks like the
 * screen. The figures only read the trace. */
#ifndef SEQSTEP_APP_FIGURE_H
#define SEQSTEP_APP_FIGURE_H

#include "base/status.h"
#include "trace/colormap.h"
#include "trace/plot.h"
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

/* ---- a plot (figure_plot.c) ---- */
struct fig_area {
	double x, y, w, h;
};
/* The data area of the plot drawn in the w x h box at (x, y): x values
 * from lo to hi run left to right across it, y values bottom to top
 * (plot_axis_frac); 0 when the box is too small to draw the plot. */
int fig_plot_area(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h,
		  struct fig_area *a);
void fig_plot_draw(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h);

/* ---- a picture: items side by side (wrapping), a title, a caption ---- */
enum { PIC_MAX_ITEMS = 10, PIC_TEXT = 4096 };
struct pic_item {
	struct fig_heatmap hm; /* hm.t set: a heatmap */
	const struct plot *p;  /* else a plot */
	char title[256];       /* a heatmap's own title ("Δ NAME"), "" default */
	double x, y, w, h;     /* placed by picture_layout */
};
struct picture {
	char title[512];     /* "" none */
	char caption[PIC_TEXT]; /* lines under it: formulas, "" none */
	char whatif[2048];   /* the trace's what-if line, "" none */
	int n;
	struct pic_item item[PIC_MAX_ITEMS];
	struct figure fig;   /* the plots the items draw (owned) */
	double max_w;        /* the width to fit (0: a slide's; items wrap to new rows) */
	/* set by picture_layout */
	double w, h, title_h, caption_y, caption_w;
};
void picture_init(struct picture *pic);
void picture_release(struct picture *pic);
/* Adds a heatmap of t; 0 when the picture is full. */
int picture_add_tensor(struct picture *pic, const struct tensor *t, const char *title, int diverging,
		       int numbers);
/* Adds every plot of pic->fig (after it is built). */
void picture_add_plots(struct picture *pic);
void picture_layout(struct fig_ctx *fc, struct picture *pic);
/* Draws a laid-out picture with its top left at (x, y) on the theme's
 * background. */
void picture_draw(struct fig_ctx *fc, const struct picture *pic, double x, double y);

/* The size a plot gets in a picture, in points. */
enum { FIG_PLOT_W = 520, FIG_PLOT_H = 320 };

#endif

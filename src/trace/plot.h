/* A plot as data: built from trace tensors only (plot_build.c), then drawn
 * by a front end: the explorer's braille view (tui/tui_plot.c), the ASCII
 * text of batch mode (plot_text.c), and later a cairo renderer. A plot has
 * a title, an x and a y axis (label, range, "nice" ticks with their labels,
 * linear or log10), a legend and several series (lines, scatter points,
 * bars); every point remembers the trace cell (tensor name, row, col) its y
 * value was read from, so a front end can select a point and explain it
 * exactly like a matrix cell (trace/explain.h).
 *
 * plot_layout and plot_canvas (plot_canvas.c) place a plot in a grid of
 * character cells, the same for every character front end, so the screen
 * and the text agree on where each point is. No curses here. */
#ifndef SEQSTEP_PLOT_H
#define SEQSTEP_PLOT_H

#include "base/status.h"
#include "trace/trace.h"

enum plot_scale { PLOT_LINEAR, PLOT_LOG10 };

/* What a series draws: any of these (a line through its points with a
 * marker on each is PLOT_LINE | PLOT_POINTS). */
enum { PLOT_LINE = 1, PLOT_POINTS = 2, PLOT_BARS = 4 };

enum {
	PLOT_MAX_SERIES = 8,
	PLOT_MAX_TICKS = 64,
	PLOT_TEXT = 96,     /* bytes of a title, axis label or legend entry */
	PLOT_TICK_TEXT = 40 /* bytes of a tick label (a token, a number) */
};

struct plot_point {
	double x, y;
	const char *tensor; /* the trace entry y was read from (the trace's own name) */
	int row, col;       /* and its cell */
};

struct plot_series {
	char name[PLOT_TEXT]; /* the legend entry */
	int mark;             /* PLOT_LINE | PLOT_POINTS | PLOT_BARS */
	int style;            /* a colour and glyph per meaning, 0 .. PLOT_MAX_SERIES-1 */
	int n;
	struct plot_point *pts; /* in x order */
};

struct plot_tick {
	double v;
	char label[PLOT_TICK_TEXT];
};

struct plot_axis {
	char label[PLOT_TEXT];
	enum plot_scale scale;
	double lo, hi;     /* the range drawn, lo < hi (both > 0 on a log axis) */
	int categorical;   /* ticks at 0, 1, ..., n-1 named by labels (tokens) */
	int nticks;
	struct plot_tick ticks[PLOT_MAX_TICKS];
};

struct plot {
	char title[PLOT_TEXT * 2];
	char note[PLOT_TEXT * 2]; /* one line under the plot, or "" */
	struct plot_axis x, y;
	int nseries;
	struct plot_series series[PLOT_MAX_SERIES];
};

/* Up to two plots over the same x (the training history: loss, scores). */
enum { FIG_MAX_PLOTS = 2 };
struct figure {
	int n;
	struct plot p[FIG_MAX_PLOTS];
};

void plot_init(struct plot *p);
void plot_release(struct plot *p);
void figure_init(struct figure *f);
void figure_release(struct figure *f);

/* A new empty series (NULL when there are PLOT_MAX_SERIES already). */
struct plot_series *plot_series_add(struct plot *p, const char *name, int mark, int style);
/* Appends a point read from tensor cell (row, col); 0 when out of memory. */
int plot_point_add(struct plot_series *s, double x, double y, const char *tensor, int row, int col);

/* Fits both axes to the points (after all series are added): nice ranges
 * and ticks, bars standing on 0, a log axis over the positive values.
 * Categorical axes keep the ticks they were given. An axis with fixed
 * set to 1 in *_fixed keeps lo and hi as they are and only gets ticks. */
void plot_fit(struct plot *p, int x_fixed, int y_fixed);
/* Nice ticks for [lo, hi] (about `want` of them): widens lo and hi to
 * tick values on a linear axis, to whole decades on a log axis. */
void plot_axis_ticks(struct plot_axis *a, double lo, double hi, int want);
/* A categorical axis of n named positions (labels may be NULL: 0..n-1). */
void plot_axis_categories(struct plot_axis *a, int n, const char *const *labels);

/* Where v falls along the axis, 0 at lo and 1 at hi; NAN when it cannot
 * be drawn (not finite, or not positive on a log axis). */
double plot_axis_frac(const struct plot_axis *a, double v);

/* The point of series si at index pi, or NULL. */
const struct plot_point *plot_point(const struct plot *p, int si, int pi);
/* The point that shows trace cell (tensor, row, col): returns 1 and sets
 * *si, *pi; 0 when no point does. */
int plot_find_cell(const struct plot *p, const char *tensor, int row, int col, int *si, int *pi);

/* ---- placing a plot in a grid of character cells (plot_canvas.c) ---- */

/* Rows and columns of a w x h box, from its top left (0, 0). */
struct plot_layout {
	int w, h;
	int title_y;
	int legend_y, legend_h;  /* wrapped legend lines */
	int ylabel_y;            /* -1: no room */
	int area_x, area_y, area_w, area_h; /* the data area */
	int axis_y;              /* the x axis line, under the area */
	int ticks_y;             /* x tick labels */
	int xlabel_y, xlabel_x;  /* the x axis label (may share ticks_y) */
	int note_y;              /* -1: none or no room */
	int ok;                  /* 0: the box is too small for a plot */
};

/* Legend entries are drawn as "G name" (a one-cell glyph, a space) with
 * three spaces between entries, wrapped to w. */
void plot_layout(const struct plot *p, int w, int h, struct plot_layout *L);
/* The column of x and the row of y inside the area (0-based from its top
 * left), for a canvas of sx x sy dots per cell: returns 0 when the value
 * cannot be drawn. Dot coordinates go to *dx, *dy when not NULL. */
int plot_place(const struct plot *p, const struct plot_layout *L, int sx, int sy, double x, double y,
	       int *cx, int *cy, int *dx, int *dy);
/* The screen column of x tick i, or -1 when it is outside the area. */
int plot_tick_col(const struct plot *p, const struct plot_layout *L, int i);
/* The area row of y tick i, or -1. */
int plot_tick_row(const struct plot *p, const struct plot_layout *L, int i);
/* Where legend entry i goes in a box w wide: its line (from the legend's
 * first, -1 beyond max_lines; 0: no limit) and column. Returns the lines. */
int plot_legend_place(const struct plot *p, int w, int max_lines, int *line, int *col);
/* The area row of each y tick's label, -1 for ticks left out: every k-th
 * is kept, the smallest k that puts each on a row of its own. */
void plot_ytick_rows(const struct plot *p, const struct plot_layout *L, int row[PLOT_MAX_TICKS]);
/* Where each x tick's label starts (column in the box; centred under its
 * tick, kept inside the box), -1 for labels left out: every k-th is kept,
 * the smallest k with a blank between neighbours. */
void plot_xtick_labels(const struct plot *p, const struct plot_layout *L, int x[PLOT_MAX_TICKS]);

/* The data area rasterized: per cell the dots set (bit j*sx + i for dot
 * column i, row j of the cell, rows from the top), the series that drew it
 * last, whether a marker sits there, and how many eighths of it a bar fills
 * from the bottom. Lines first, then bars, then markers, in series order. */
enum { CANVAS_EMPTY = 0, CANVAS_LINE = 1, CANVAS_MARK = 2, CANVAS_BAR = 3 };
struct plot_canvas {
	int w, h, sx, sy;
	unsigned char *dots;   /* (h, w) */
	signed char *series;   /* (h, w) -1: none */
	unsigned char *what;   /* (h, w) CANVAS_* */
	unsigned char *bar;    /* (h, w) eighths 0..8 */
};
enum status plot_canvas_draw(const struct plot *p, const struct plot_layout *L, int sx, int sy,
			     struct plot_canvas *c, struct err *e);
void plot_canvas_release(struct plot_canvas *c);

/* A bar's value as text ("%.4f", or "%.2f" in a narrow slot) and where it
 * goes: the row above the bar's top (inside the bar when it reaches the
 * top), centred on it, as box coordinates; 0 when the slot is too narrow. */
int plot_bar_label(const struct plot *p, const struct plot_layout *L, const struct plot_point *q,
		   int *y, int *x, char *buf, size_t n);

/* The point nearest to area cell (cx, cy) (cells wider than tall count
 * double across): returns 1 and sets *si, *pi; 0 for an empty plot. */
int plot_nearest(const struct plot *p, const struct plot_layout *L, int cx, int cy, int *si, int *pi);

/* Moving a selection: the next point of the same series (dir -1/+1), or
 * the nearest point above (dir +1) or below (dir -1) in another series
 * near the same x. Return 1 and set *si, *pi; 0 when there is none. */
int plot_step_along(const struct plot *p, int dir, int *si, int *pi);
int plot_step_across(const struct plot *p, int dir, int *si, int *pi);

#endif

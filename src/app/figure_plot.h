/* A plot of trace/plot.h drawn with cairo (figure_plot.c): the title, the
 * legend, both axes with their ticks and labels, the series as lines,
 * markers and bars in the theme's series colours. */
#ifndef SEQSTEP_APP_FIGURE_PLOT_H
#define SEQSTEP_APP_FIGURE_PLOT_H

#include "app/figure.h"
#include "trace/plot.h"

struct fig_area {
	double x, y, w, h;
};
/* The data area of the plot drawn in the w x h box at (x, y): x values
 * from lo to hi run left to right across it, y values bottom to top
 * (plot_axis_frac); 0 when the box is too small to draw the plot. */
int fig_plot_area(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h,
		  struct fig_area *a);
void fig_plot_draw(struct fig_ctx *fc, const struct plot *p, double x, double y, double w, double h);

/* The size a plot gets in a picture, in points. */
enum { FIG_PLOT_W = 520, FIG_PLOT_H = 320 };

#endif

/* A picture: heatmaps and plots side by side with a title and a caption
 * (the tensors' formulas, the trace's what-if line), laid out and drawn on
 * any cairo surface; and what a picture shows, chosen like the screen
 * chooses it: one trace tensor as a heatmap, or the session's position
 * (its plot, the positional encoding's P beside its curves, or every panel
 * of the stage as a heatmap; in the diff view each panel's Δ on a
 * diverging scale), titled where it is. Files are app/export.c's. */
#ifndef SEQSTEP_APP_PICTURE_H
#define SEQSTEP_APP_PICTURE_H

#include "app/figure.h"
#include "app/figure_plot.h"
#include "app/session.h"

/* A picture: items side by side (wrapping), a title, a caption. */
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

/* The theme setting as the figures' palette. */
enum cmap_theme picture_theme(enum theme t);

/* One tensor of tr (ST_BADINPUT when tr has none of that name). */
enum status picture_of_tensor(struct picture *pic, const struct trace *tr, const char *name, int numbers,
			      struct err *e);
/* What the session's position shows now. */
enum status picture_of_stage(struct picture *pic, const struct session *s, struct err *e);

#endif

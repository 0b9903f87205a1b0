/* What a figure shows, chosen like the screen chooses it: one trace tensor
 * as a heatmap, or the session's position (its plot, the positional
 * encoding's P beside its curves, or every panel of the stage as a
 * heatmap; in the diff view each panel's Δ on a diverging scale), titled
 * where it is, with the tensors' formulas and the what-if line as the
 * caption. Drawing is app/figure.c's; files are app/export.c's. */
#ifndef SEQSTEP_APP_PICTURE_H
#define SEQSTEP_APP_PICTURE_H

#include "app/figure.h"
#include "app/session.h"

/* The theme setting as the figures' palette. */
enum cmap_theme picture_theme(enum theme t);

/* One tensor of tr (ST_BADINPUT when tr has none of that name). */
enum status picture_of_tensor(struct picture *pic, const struct trace *tr, const char *name, int numbers,
			      struct err *e);
/* What the session's position shows now. */
enum status picture_of_stage(struct picture *pic, const struct session *s, struct err *e);

#endif

/* Tensors as plain text for stdout, handouts and tests: a labelled matrix of
 * numbers and an ASCII heatmap with a legend. */
#ifndef SEQSTEP_RENDER_TEXT_H
#define SEQSTEP_RENDER_TEXT_H

#include "trace/trace.h"
#include <stdio.h>

enum { RENDER_NUMBERS = 1, RENDER_HEATMAP = 2 };

/* Prints the header (name, shape, description), then numbers and/or the
 * heatmap. Wide tensors are printed in column blocks that fit `width`. */
void render_tensor_text(FILE *f, const struct tensor *t, int what, int width);
/* One line: name [rows x cols] description. */
void render_tensor_line(FILE *f, const struct tensor *t);

/* Whether values are shares in [0, 1] (attention weights, probabilities,
 * sigmoid gates) that read best on a fixed 0..1 scale. */
int render_is_probability(const struct tensor *t);

/* A log-scale axis of whole decades 10^lo .. 10^hi over the positive
 * finite values of n tensors (NULL ones skipped), for values that span
 * many orders of magnitude (gradient norms against the distance). At most
 * LOG_AXIS_DECADES decades from the smallest value up; larger values are
 * at the top. */
enum { LOG_AXIS_DECADES = 24 };
struct log_axis {
	int lo, hi;
};
void log_axis_fit(struct log_axis *a, const struct tensor *const *v, int n);
/* Where v falls on the axis, 0..1; 0 for v at or below 10^lo or not
 * positive, 1 at or above 10^hi (inf included). */
double log_axis_at(const struct log_axis *a, double v);

/* The ramp used for heatmaps, light to dark, and the glyph of a value. */
#define RENDER_RAMP_LEN 10 /* glyphs, light to dark */
extern const char RENDER_RAMP[RENDER_RAMP_LEN + 1];
char render_glyph(float v, float lo, float hi);

#endif

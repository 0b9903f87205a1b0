/* The colours of values, in RGB, for every front end: which ramp a tensor
 * gets (struct scale: sequential on [0, 1] for weights, diverging around 0
 * for signed values), the ramps' steps (viridis and ColorBrewer RdBu; hot
 * and blue-white-red in the contrast theme for projectors; greys in the
 * mono theme), which step a value falls on, and the plot series colours
 * (Okabe-Ito). The explorer (tui/palette.c) maps these steps to terminal
 * colours and the figures (app/figure.c) draw them as they are, so a slide
 * looks like the screen. Colours are for display only: no number is
 * computed from them. */
#ifndef SEQSTEP_COLORMAP_H
#define SEQSTEP_COLORMAP_H

#include <stddef.h>

struct rgb {
	unsigned char r, g, b;
};

enum cmap_theme { CMAP_DEFAULT, CMAP_CONTRAST, CMAP_MONO };

/* Steps of the ramps the 256-colour screen and the figures draw. */
enum { CMAP_SEQ_STEPS = 16, CMAP_DIV_STEPS = 17, CMAP_SERIES = 8 };

/* How a tensor's values map to the ramp: chosen from its finite values
 * (for display only): [0,1] for weights and probabilities, symmetric
 * around 0 when both signs occur, [lo, hi] otherwise. */
struct scale {
	float lo, hi;
	int diverging;
};

void scale_of(const float *v, size_t n, struct scale *s);
/* The diff view's scale: diverging and symmetric around 0 (Δ = 0 in the
 * middle), [-1, 1] when every value is 0. */
void scale_symmetric(struct scale *s);
/* Where v falls on the scale, 0..1 (clamped; 1 when lo == hi). */
float scale_unit(const struct scale *s, float v);
/* The step of n that a position 0..1 on the ramp falls on. */
int cmap_index(float unit, int n);
/* The number of steps of the scale's ramp. */
int cmap_steps(const struct scale *s);

/* Step i of n of a theme's sequential or diverging ramp. */
struct rgb cmap_step(enum cmap_theme th, int diverging, int i, int n);
/* The colour of a finite value: its step of cmap_steps(s). */
struct rgb cmap_value(enum cmap_theme th, const struct scale *s, float v);
/* A masked (-inf) cell, the '×' on it, and a nan cell. */
struct rgb cmap_masked(enum cmap_theme th);
struct rgb cmap_masked_mark(enum cmap_theme th);
struct rgb cmap_nan(enum cmap_theme th);
/* The colour of plot series style i (Okabe-Ito; saturated in the contrast
 * theme; black in mono). */
struct rgb cmap_series(enum cmap_theme th, int style);
/* The page and the text and axes on it: white and black, or black and
 * white in the contrast theme (as on its screen). */
struct rgb cmap_background(enum cmap_theme th);
struct rgb cmap_foreground(enum cmap_theme th);
/* Whether text on c should be black (else white), by relative luminance. */
int cmap_dark_text(struct rgb c);

#endif

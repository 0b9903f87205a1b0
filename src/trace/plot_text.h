/* A plot as plain text, ASCII glyphs and deterministic: the title, the
 * legend, the axes with their tick labels and one glyph per series
 * ("o*x%&=~^" by style; '#' for bars, '_' for a bar's low top). Batch mode
 * and handouts print it; the explorer uses the same glyphs without colour
 * or UTF-8. Labels and titles keep their UTF-8 text. */
#ifndef SEQSTEP_PLOT_TEXT_H
#define SEQSTEP_PLOT_TEXT_H

#include "trace/plot.h"

#include <stdio.h>

extern const char PLOT_GLYPHS[PLOT_MAX_SERIES + 1];
/* The glyph of a series in the legend and the area. */
char plot_glyph(const struct plot_series *s);
/* The glyph of area cell (cx, cy) of a 1 x 1 canvas, ' ' when empty. */
char plot_cell_glyph(const struct plot *p, const struct plot_canvas *c, int cx, int cy);

/* The plot in a w x h box of text lines (trailing blanks trimmed). */
void plot_text(FILE *f, const struct plot *p, int w, int h);
/* Each plot of the figure, h lines each, a blank line between. */
void figure_text(FILE *f, const struct figure *fg, int w, int h);

#endif

/* Colours for the screen: perceptual ramps for values (sequential for
 * weights in [0,1], diverging around 0 for signed values), picked from the
 * terminal's 256 colours, or 16/8, or a monochrome ASCII ramp when NO_COLOR
 * is set or the terminal has none; and a high-contrast theme for projectors. */
#ifndef SEQSTEP_PALETTE_H
#define SEQSTEP_PALETTE_H

#include <curses.h>

enum pal_mode { PAL_MONO, PAL_8, PAL_16, PAL_256 };

enum pal_theme { PAL_THEME_DEFAULT, PAL_THEME_CONTRAST, PAL_THEME_MONO };

/* The interface's own colours. */
enum pal_ui {
	PAL_TEXT,
	PAL_TITLE,    /* top bar */
	PAL_CURRENT,  /* the current stage in the pipeline pane */
	PAL_SECTION,  /* section headers */
	PAL_LABEL,    /* row and column labels */
	PAL_SELLABEL, /* the selected row's and column's labels */
	PAL_HEADCOL,  /* the selected head's columns */
	PAL_MASK,     /* a masked (-inf) cell */
	PAL_ERROR,
	PAL_STATUS,
	PAL_BAR,      /* probability bars */
	PAL_DIM,
	PAL_FRAME,
	PAL_UI_COUNT
};

enum { PAL_MAX_STEPS = 17, PAL_SERIES = 8 };

struct palette {
	enum pal_mode mode;
	enum pal_theme theme;
	int glyphs;        /* draw ramp glyphs in heatmap cells too (mono, contrast, 8 colours) */
	int nseq, ndiv;    /* ramp lengths */
	short seq_pair[PAL_MAX_STEPS], div_pair[PAL_MAX_STEPS];
	attr_t ui[PAL_UI_COUNT];
	attr_t series[PAL_SERIES]; /* plot lines and points, one per style */
};

/* How a tensor's values map to the ramp: chosen from its finite values
 * (for display only): [0,1] for weights and probabilities, symmetric
 * around 0 when both signs occur, [lo, hi] otherwise. */
struct scale {
	float lo, hi;
	int diverging;
};

/* Decides the mode from the terminal and NO_COLOR (call after start_color
 * when the terminal has colours) and allocates the colour pairs. */
void palette_init(struct palette *p, enum pal_theme theme, int no_color);
void scale_of(const float *v, size_t n, struct scale *s);
/* The attribute (colour pair, bold...) for a value, and the glyph drawn in
 * heatmap mode (a space when colour alone shows it). */
attr_t palette_value(const struct palette *p, const struct scale *s, float v, char *glyph);
/* Step i of n of the ramp, for legends. */
attr_t palette_step(const struct palette *p, const struct scale *s, int i, int n, char *glyph);
static inline attr_t palette_ui(const struct palette *p, enum pal_ui u)
{
	return p->ui[u];
}

#endif

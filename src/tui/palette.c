#include "tui/palette.h"
#include "trace/render_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The ramps' RGB values, the scale of a tensor and the step of a value
 * are trace/colormap.c's (the figures draw the same numbers); this file
 * maps them to the terminal's colours. */

static int dist2(struct rgb a, struct rgb b)
{
	int dr = a.r - b.r, dg = a.g - b.g, db = a.b - b.b;
	return dr * dr + dg * dg + db * db;
}

/* The nearest of the xterm 256 colours (the 6x6x6 cube and the greys). */
static short xterm256(struct rgb c)
{
	static const int lv[6] = {0, 95, 135, 175, 215, 255};
	int best = 16, bd = 1 << 30;
	for (int r = 0; r < 6; r++)
		for (int g = 0; g < 6; g++)
			for (int b = 0; b < 6; b++) {
				int d = dist2(c, (struct rgb){(unsigned char)lv[r], (unsigned char)lv[g],
							      (unsigned char)lv[b]});
				if (d < bd)
					bd = d, best = 16 + 36 * r + 6 * g + b;
			}
	for (int i = 0; i < 24; i++) {
		int v = 8 + 10 * i;
		int d = dist2(c, (struct rgb){(unsigned char)v, (unsigned char)v, (unsigned char)v});
		if (d < bd)
			bd = d, best = 232 + i;
	}
	return (short)best;
}

static short text_on(struct rgb c, int mode)
{
	/* Relative luminance decides black or white text on the cell. */
	int dark = cmap_dark_text(c);
	if (mode == PAL_256)
		return dark ? 16 : 231;
	return dark ? COLOR_BLACK : COLOR_WHITE;
}

/* The rgb of the basic colours, to pick text colour on them. */
static struct rgb basic_rgb(short c)
{
	static const struct rgb b[16] = {
		{0, 0, 0},       {205, 0, 0},   {0, 205, 0},   {205, 205, 0},   {0, 0, 238},     {205, 0, 205},
		{0, 205, 205},   {229, 229, 229}, {127, 127, 127}, {255, 0, 0},  {0, 255, 0},     {255, 255, 0},
		{92, 92, 255},   {255, 0, 255}, {0, 255, 255}, {255, 255, 255},
	};
	return b[c & 15];
}

static short next_pair = 1;

static short pair(short fg, short bg)
{
	short n = next_pair++;
	if (n >= COLOR_PAIRS)
		return 0;
	init_pair(n, fg, bg);
	return n;
}

static void ramp_256(enum cmap_theme th, int diverging, short *pairs, int n)
{
	for (int i = 0; i < n; i++) {
		struct rgb c = cmap_step(th, diverging, i, n);
		pairs[i] = pair(text_on(c, PAL_256), xterm256(c));
	}
}

static void ramp_basic(short *pairs, const short *cols, int n)
{
	for (int i = 0; i < n; i++)
		pairs[i] = pair(text_on(basic_rgb(cols[i]), PAL_8), cols[i]);
}

void palette_init(struct palette *p, enum pal_theme theme, int no_color)
{
	memset(p, 0, sizeof *p);
	p->theme = theme;
	p->mode = PAL_MONO;
	if (!no_color && theme != PAL_THEME_MONO && has_colors())
		p->mode = COLORS >= 256 ? PAL_256 : COLORS >= 16 ? PAL_16 : PAL_8;
	int contrast = theme == PAL_THEME_CONTRAST;
	attr_t bold = contrast ? A_BOLD : 0;
	p->ui[PAL_TEXT] = bold;
	p->ui[PAL_TITLE] = A_REVERSE | A_BOLD;
	p->ui[PAL_CURRENT] = A_REVERSE | A_BOLD;
	p->ui[PAL_SECTION] = A_BOLD | (contrast ? 0 : A_UNDERLINE);
	p->ui[PAL_LABEL] = bold;
	p->ui[PAL_SELLABEL] = A_REVERSE | A_BOLD;
	p->ui[PAL_HEADCOL] = A_BOLD | A_UNDERLINE;
	p->ui[PAL_MASK] = A_DIM;
	p->ui[PAL_ERROR] = A_BOLD | A_REVERSE;
	p->ui[PAL_STATUS] = A_REVERSE;
	p->ui[PAL_BAR] = A_REVERSE;
	p->ui[PAL_DIM] = contrast ? A_BOLD : A_DIM;
	p->ui[PAL_FRAME] = bold;
	p->glyphs = 1;
	p->nseq = (int)sizeof RENDER_RAMP - 1;
	p->ndiv = p->nseq;
	for (int i = 0; i < PAL_SERIES; i++) /* without colour the glyphs tell series apart */
		p->series[i] = i == 0 ? A_BOLD : 0;
	if (p->mode == PAL_MONO)
		return;
	next_pair = 1;
	/* -1 keeps the terminal's own background behind the interface. */
	short bg = -1, fg = -1;
	if (contrast)
		bg = COLOR_BLACK, fg = COLOR_WHITE;
	p->ui[PAL_TEXT] = (attr_t)COLOR_PAIR(pair(fg, bg)) | bold;
	p->ui[PAL_TITLE] = (attr_t)COLOR_PAIR(pair(COLOR_WHITE, COLOR_BLUE)) | A_BOLD;
	p->ui[PAL_CURRENT] = (attr_t)COLOR_PAIR(pair(COLOR_BLACK, contrast ? COLOR_YELLOW : COLOR_CYAN)) | A_BOLD;
	p->ui[PAL_SECTION] = (attr_t)COLOR_PAIR(pair(contrast ? COLOR_YELLOW : COLOR_CYAN, bg)) | A_BOLD;
	p->ui[PAL_LABEL] = (attr_t)COLOR_PAIR(pair(contrast ? COLOR_WHITE : COLOR_CYAN, bg)) | bold;
	p->ui[PAL_SELLABEL] = (attr_t)COLOR_PAIR(pair(COLOR_BLACK, COLOR_YELLOW)) | A_BOLD;
	p->ui[PAL_HEADCOL] = (attr_t)COLOR_PAIR(pair(COLOR_YELLOW, bg)) | A_BOLD | A_UNDERLINE;
	p->ui[PAL_MASK] = (attr_t)COLOR_PAIR(pair(COLOR_RED, p->mode == PAL_256 ? 236 : COLOR_BLACK)) | A_BOLD;
	p->ui[PAL_ERROR] = (attr_t)COLOR_PAIR(pair(COLOR_WHITE, COLOR_RED)) | A_BOLD;
	p->ui[PAL_STATUS] = (attr_t)COLOR_PAIR(pair(COLOR_BLACK, COLOR_WHITE));
	p->ui[PAL_BAR] = (attr_t)COLOR_PAIR(pair(COLOR_BLACK, contrast ? COLOR_YELLOW : COLOR_GREEN));
	p->ui[PAL_DIM] = contrast ? (attr_t)COLOR_PAIR(pair(COLOR_WHITE, bg)) : (attr_t)A_DIM;
	p->ui[PAL_FRAME] = (attr_t)COLOR_PAIR(pair(contrast ? COLOR_WHITE : COLOR_BLUE, bg)) | bold;
	/* Plot series: cmap_series' colours (Okabe-Ito); the projector theme
	 * and fewer colours take the saturated basic colours, bold. */
	static const short basic[PAL_SERIES] = {COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_RED,
						COLOR_MAGENTA, COLOR_WHITE, COLOR_BLUE, COLOR_WHITE};
	for (int i = 0; i < PAL_SERIES; i++) {
		short fgc = p->mode == PAL_256 && !contrast ? xterm256(cmap_series(CMAP_DEFAULT, i)) : basic[i];
		p->series[i] = (attr_t)COLOR_PAIR(pair(fgc, bg)) | (contrast || p->mode != PAL_256 ? A_BOLD : 0);
	}
	if (p->mode == PAL_256) {
		enum cmap_theme th = contrast ? CMAP_CONTRAST : CMAP_DEFAULT;
		p->nseq = CMAP_SEQ_STEPS;
		p->ndiv = CMAP_DIV_STEPS;
		ramp_256(th, 0, p->seq_pair, p->nseq);
		ramp_256(th, 1, p->div_pair, p->ndiv);
		p->glyphs = contrast;
	} else if (p->mode == PAL_16) {
		static const short seq[] = {0, 4, 12, 6, 14, 2, 10, 3, 11, 15};
		static const short dv[] = {4, 12, 6, 14, 7, 11, 3, 9, 1};
		p->nseq = 10;
		p->ndiv = 9;
		ramp_basic(p->seq_pair, seq, p->nseq);
		ramp_basic(p->div_pair, dv, p->ndiv);
		p->glyphs = contrast;
	} else {
		static const short seq[] = {COLOR_BLACK, COLOR_BLUE, COLOR_CYAN, COLOR_GREEN, COLOR_YELLOW, COLOR_WHITE};
		static const short dv[] = {COLOR_BLUE, COLOR_CYAN, COLOR_WHITE, COLOR_YELLOW, COLOR_RED};
		p->nseq = 6;
		p->ndiv = 5;
		ramp_basic(p->seq_pair, seq, p->nseq);
		ramp_basic(p->div_pair, dv, p->ndiv);
		p->glyphs = 1; /* six colours are too few to read values by */
	}
}

static attr_t at_unit(const struct palette *p, const struct scale *s, float x, char *glyph)
{
	int n = (int)sizeof RENDER_RAMP - 2;
	int gi = (int)lrintf(x * (float)n);
	if (glyph)
		*glyph = p->glyphs ? RENDER_RAMP[gi < 0 ? 0 : gi > n ? n : gi] : ' ';
	if (p->mode == PAL_MONO)
		return 0;
	int steps = s->diverging ? p->ndiv : p->nseq;
	const short *pairs = s->diverging ? p->div_pair : p->seq_pair;
	return (attr_t)COLOR_PAIR(pairs[cmap_index(x, steps)]);
}

attr_t palette_value(const struct palette *p, const struct scale *s, float v, char *glyph)
{
	if (isinf(v) && v < 0) {
		if (glyph)
			*glyph = 'x';
		return p->ui[PAL_MASK];
	}
	if (isnan(v)) {
		if (glyph)
			*glyph = '?';
		return p->ui[PAL_ERROR];
	}
	return at_unit(p, s, scale_unit(s, v), glyph);
}

attr_t palette_step(const struct palette *p, const struct scale *s, int i, int n, char *glyph)
{
	return at_unit(p, s, n > 1 ? (float)i / (float)(n - 1) : 1, glyph);
}

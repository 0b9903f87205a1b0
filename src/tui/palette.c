#include "tui/palette.h"
#include "trace/render_text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct rgb {
	int r, g, b;
};

/* viridis: dark to light, perceptually even, readable by colour-blind
 * students; the diverging ramp is ColorBrewer RdBu, blue below 0. */
static const struct rgb viridis[] = {
	{0x44, 0x01, 0x54}, {0x48, 0x28, 0x78}, {0x3e, 0x49, 0x89}, {0x31, 0x68, 0x8e},
	{0x26, 0x82, 0x8e}, {0x1f, 0x9e, 0x89}, {0x35, 0xb7, 0x79}, {0x6e, 0xce, 0x58},
	{0xb5, 0xde, 0x2b}, {0xfd, 0xe7, 0x25},
};
static const struct rgb rdbu[] = {
	{0x21, 0x66, 0xac}, {0x43, 0x93, 0xc3}, {0x92, 0xc5, 0xde}, {0xd1, 0xe5, 0xf0},
	{0xf7, 0xf7, 0xf7}, {0xfd, 0xdb, 0xc7}, {0xf4, 0xa5, 0x82}, {0xd6, 0x60, 0x4d},
	{0xb2, 0x18, 0x2b},
};
/* Projectors wash out dark blues: black through red and yellow to white,
 * and fully saturated ends for signed values. */
static const struct rgb hot[] = {
	{0x00, 0x00, 0x00}, {0x80, 0x00, 0x00}, {0xff, 0x00, 0x00},
	{0xff, 0x87, 0x00}, {0xff, 0xff, 0x00}, {0xff, 0xff, 0xff},
};
static const struct rgb bwr[] = {
	{0x00, 0x00, 0xff}, {0x00, 0xaf, 0xff}, {0xff, 0xff, 0xff}, {0xff, 0xaf, 0x00}, {0xff, 0x00, 0x00},
};

static struct rgb interp(const struct rgb *a, int n, float x)
{
	float f = x * (float)(n - 1);
	int i = (int)f;
	if (i >= n - 1)
		return a[n - 1];
	float t = f - (float)i;
	return (struct rgb){(int)lrintf((float)a[i].r + t * (float)(a[i + 1].r - a[i].r)),
			    (int)lrintf((float)a[i].g + t * (float)(a[i + 1].g - a[i].g)),
			    (int)lrintf((float)a[i].b + t * (float)(a[i + 1].b - a[i].b))};
}

static int dist2(struct rgb a, struct rgb b)
{
	return (a.r - b.r) * (a.r - b.r) + (a.g - b.g) * (a.g - b.g) + (a.b - b.b) * (a.b - b.b);
}

/* The nearest of the xterm 256 colours (the 6x6x6 cube and the greys). */
static short xterm256(struct rgb c)
{
	static const int lv[6] = {0, 95, 135, 175, 215, 255};
	int best = 16, bd = 1 << 30;
	for (int r = 0; r < 6; r++)
		for (int g = 0; g < 6; g++)
			for (int b = 0; b < 6; b++) {
				int d = dist2(c, (struct rgb){lv[r], lv[g], lv[b]});
				if (d < bd)
					bd = d, best = 16 + 36 * r + 6 * g + b;
			}
	for (int i = 0; i < 24; i++) {
		int v = 8 + 10 * i;
		int d = dist2(c, (struct rgb){v, v, v});
		if (d < bd)
			bd = d, best = 232 + i;
	}
	return (short)best;
}

static short text_on(struct rgb c, int mode)
{
	/* Relative luminance decides black or white text on the cell. */
	float y = 0.2126f * (float)c.r + 0.7152f * (float)c.g + 0.0722f * (float)c.b;
	if (mode == PAL_256)
		return y > 140 ? 16 : 231;
	return y > 140 ? COLOR_BLACK : COLOR_WHITE;
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

static void ramp_256(struct palette *p, const struct rgb *a, int na, short *pairs, int n)
{
	for (int i = 0; i < n; i++) {
		struct rgb c = interp(a, na, n > 1 ? (float)i / (float)(n - 1) : 0);
		pairs[i] = pair(text_on(c, PAL_256), xterm256(c));
	}
	(void)p;
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
	/* Plot series: Okabe-Ito's colour-blind safe set (sky blue, orange,
	 * bluish green, vermillion, reddish purple, yellow, blue, grey); the
	 * projector theme takes the saturated basic colours, bold. */
	static const struct rgb okabe[PAL_SERIES] = {
		{0x56, 0xb4, 0xe9}, {0xe6, 0x9f, 0x00}, {0x00, 0x9e, 0x73}, {0xd5, 0x5e, 0x00},
		{0xcc, 0x79, 0xa7}, {0xf0, 0xe4, 0x42}, {0x00, 0x72, 0xb2}, {0x99, 0x99, 0x99},
	};
	static const short basic[PAL_SERIES] = {COLOR_CYAN, COLOR_YELLOW, COLOR_GREEN, COLOR_RED,
						COLOR_MAGENTA, COLOR_WHITE, COLOR_BLUE, COLOR_WHITE};
	for (int i = 0; i < PAL_SERIES; i++) {
		short fgc = p->mode == PAL_256 && !contrast ? xterm256(okabe[i]) : basic[i];
		p->series[i] = (attr_t)COLOR_PAIR(pair(fgc, bg)) | (contrast || p->mode != PAL_256 ? A_BOLD : 0);
	}
	if (p->mode == PAL_256) {
		p->nseq = 16;
		p->ndiv = 17;
		ramp_256(p, contrast ? hot : viridis, contrast ? 6 : 10, p->seq_pair, p->nseq);
		ramp_256(p, contrast ? bwr : rdbu, contrast ? 5 : 9, p->div_pair, p->ndiv);
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

void scale_of(const float *v, size_t n, struct scale *s)
{
	float lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(v[i]))
			continue;
		lo = v[i] < lo ? v[i] : lo;
		hi = v[i] > hi ? v[i] : hi;
	}
	if (lo > hi)
		lo = hi = 0;
	s->diverging = 0;
	if (lo >= 0 && hi <= 1) {
		s->lo = 0;
		s->hi = 1;
	} else if (lo < 0 && hi > 0) {
		float m = fmaxf(-lo, hi);
		s->lo = -m;
		s->hi = m;
		s->diverging = 1;
	} else {
		s->lo = lo;
		s->hi = hi;
	}
}

static float unit(const struct scale *s, float v)
{
	if (!(s->hi > s->lo))
		return 1;
	float x = (v - s->lo) / (s->hi - s->lo);
	return x < 0 ? 0 : x > 1 ? 1 : x;
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
	int i = (int)lrintf(x * (float)(steps - 1));
	return (attr_t)COLOR_PAIR(pairs[i < 0 ? 0 : i >= steps ? steps - 1 : i]);
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
	return at_unit(p, s, unit(s, v), glyph);
}

attr_t palette_step(const struct palette *p, const struct scale *s, int i, int n, char *glyph)
{
	return at_unit(p, s, n > 1 ? (float)i / (float)(n - 1) : 1, glyph);
}

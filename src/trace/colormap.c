#include "trace/colormap.h"

#include <math.h>

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
/* Mono: light to dark like the text heatmap's glyph ramp (" .:-=+*#%@"). */
static const struct rgb greys[] = {{0xff, 0xff, 0xff}, {0x00, 0x00, 0x00}};

#define N(a) ((int)(sizeof a / sizeof *a))

static struct rgb interp(const struct rgb *a, int n, float x)
{
	float f = x * (float)(n - 1);
	int i = (int)f;
	if (i >= n - 1)
		return a[n - 1];
	float t = f - (float)i;
	return (struct rgb){(unsigned char)lrintf((float)a[i].r + t * (float)(a[i + 1].r - a[i].r)),
			    (unsigned char)lrintf((float)a[i].g + t * (float)(a[i + 1].g - a[i].g)),
			    (unsigned char)lrintf((float)a[i].b + t * (float)(a[i + 1].b - a[i].b))};
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

void scale_symmetric(struct scale *s)
{
	float m = fmaxf(fabsf(s->lo), fabsf(s->hi));
	s->lo = m > 0 ? -m : -1;
	s->hi = m > 0 ? m : 1;
	s->diverging = 1;
}

float scale_unit(const struct scale *s, float v)
{
	if (!(s->hi > s->lo))
		return 1;
	float x = (v - s->lo) / (s->hi - s->lo);
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

int cmap_index(float unit, int n)
{
	int i = (int)lrintf(unit * (float)(n - 1));
	return i < 0 ? 0 : i >= n ? n - 1 : i;
}

int cmap_steps(const struct scale *s)
{
	return s->diverging ? CMAP_DIV_STEPS : CMAP_SEQ_STEPS;
}

struct rgb cmap_step(enum cmap_theme th, int diverging, int i, int n)
{
	float x = n > 1 ? (float)i / (float)(n - 1) : 0;
	if (th == CMAP_MONO)
		return interp(greys, N(greys), x);
	if (th == CMAP_CONTRAST)
		return diverging ? interp(bwr, N(bwr), x) : interp(hot, N(hot), x);
	return diverging ? interp(rdbu, N(rdbu), x) : interp(viridis, N(viridis), x);
}

struct rgb cmap_value(enum cmap_theme th, const struct scale *s, float v)
{
	int n = cmap_steps(s);
	return cmap_step(th, s->diverging, cmap_index(scale_unit(s, v), n), n);
}

struct rgb cmap_masked(enum cmap_theme th)
{
	/* the screen's xterm grey 236 under a red cross */
	return th == CMAP_MONO ? (struct rgb){0xd0, 0xd0, 0xd0} : (struct rgb){0x30, 0x30, 0x30};
}

struct rgb cmap_masked_mark(enum cmap_theme th)
{
	return th == CMAP_MONO ? (struct rgb){0, 0, 0} : (struct rgb){0xff, 0x30, 0x30};
}

struct rgb cmap_nan(enum cmap_theme th)
{
	(void)th;
	return (struct rgb){0xcd, 0x00, 0x00};
}

struct rgb cmap_series(enum cmap_theme th, int style)
{
	/* Okabe-Ito's colour-blind safe set (sky blue, orange, bluish green,
	 * vermillion, reddish purple, yellow, blue, grey); the projector theme
	 * takes the terminal's saturated basic colours (cyan, yellow, green,
	 * red, magenta, white, blue, white). */
	static const struct rgb okabe[CMAP_SERIES] = {
		{0x56, 0xb4, 0xe9}, {0xe6, 0x9f, 0x00}, {0x00, 0x9e, 0x73}, {0xd5, 0x5e, 0x00},
		{0xcc, 0x79, 0xa7}, {0xf0, 0xe4, 0x42}, {0x00, 0x72, 0xb2}, {0x99, 0x99, 0x99},
	};
	static const struct rgb basic[CMAP_SERIES] = {
		{0x00, 0xcd, 0xcd}, {0xcd, 0xcd, 0x00}, {0x00, 0xcd, 0x00}, {0xcd, 0x00, 0x00},
		{0xcd, 0x00, 0xcd}, {0xe5, 0xe5, 0xe5}, {0x00, 0x00, 0xee}, {0xe5, 0xe5, 0xe5},
	};
	int i = style < 0 ? 0 : style % CMAP_SERIES;
	if (th == CMAP_MONO)
		return (struct rgb){0, 0, 0};
	return th == CMAP_CONTRAST ? basic[i] : okabe[i];
}

struct rgb cmap_background(enum cmap_theme th)
{
	return th == CMAP_CONTRAST ? (struct rgb){0, 0, 0} : (struct rgb){0xff, 0xff, 0xff};
}

struct rgb cmap_foreground(enum cmap_theme th)
{
	return th == CMAP_CONTRAST ? (struct rgb){0xff, 0xff, 0xff} : (struct rgb){0, 0, 0};
}

int cmap_dark_text(struct rgb c)
{
	float y = 0.2126f * (float)c.r + 0.7152f * (float)c.g + 0.0722f * (float)c.b;
	return y > 140;
}

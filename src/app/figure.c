/* Text, heatmaps and pictures with cairo + pango (figure.h); plots are
 * figure_plot.c's. */
#include "app/figure.h"
#include "base/textwidth.h"

#include <fontconfig/fontconfig.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DejaVu for Latin, Greek and math; WenQuanYi Micro Hei for the Chinese
 * tokens (fontconfig would find a CJK font anyway; naming it keeps the
 * figures the same on every machine with the Debian packages). */
#define FONT_SANS "DejaVu Sans, WenQuanYi Micro Hei"
#define FONT_MONO "DejaVu Sans Mono, WenQuanYi Micro Hei Mono"

enum { LABEL_CAP = 140 }; /* points: longer labels are cut with an ellipsis */
static const double PAD = 8, F_LAB = 9, F_TITLE = 11;

void fig_set_rgb(cairo_t *cr, struct rgb c)
{
	cairo_set_source_rgb(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0);
}

void fig_texts_release(struct fig_texts *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->v[i].s);
	free(t->v);
	memset(t, 0, sizeof *t);
}

/* The font caches of pango, cairo and fontconfig, released at exit so a
 * leak checker sees only what the program itself lost. Pango matches and
 * sorts fonts on a thread of its own, and each job it has not finished
 * holds the font map: so the map may be finalized on that thread, later.
 * Its object data is destroyed at the very end of its finalization, after
 * every font is gone: only then are cairo's and fontconfig's caches
 * dropped (and not at all if that takes longer than a few seconds). */
static GMutex map_mutex;
static GCond map_cond;
static int map_gone;

static void map_finalized(gpointer data)
{
	(void)data;
	g_mutex_lock(&map_mutex);
	map_gone = 1;
	g_cond_broadcast(&map_cond);
	g_mutex_unlock(&map_mutex);
}

static void fonts_release(void)
{
	PangoFontMap *fm = pango_cairo_font_map_get_default();
	g_object_set_data_full(G_OBJECT(fm), "seqstep-at-exit", &map_gone, map_finalized);
	pango_cairo_font_map_set_default(NULL);
	gint64 until = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
	g_mutex_lock(&map_mutex);
	while (!map_gone && g_cond_wait_until(&map_cond, &map_mutex, until))
		;
	int gone = map_gone;
	g_mutex_unlock(&map_mutex);
	if (!gone)
		return;
	cairo_debug_reset_static_data();
	FcFini();
}

void fig_ctx_prepare(cairo_t *cr)
{
	static int registered;
	if (!registered) {
		registered = 1;
		atexit(fonts_release);
	}
	/* Hinting moves glyphs to pixels: metrics would differ between the
	 * PNG and the vector surfaces, and a layout measured once would not
	 * fit both. */
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	cairo_font_options_set_antialias(fo, CAIRO_ANTIALIAS_GRAY);
	cairo_set_font_options(cr, fo);
	cairo_font_options_destroy(fo);
}

enum status fig_measure_open(struct fig_ctx *fc, enum cmap_theme th, struct err *e)
{
	memset(fc, 0, sizeof *fc);
	fc->theme = th;
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
	fc->cr = cairo_create(s);
	cairo_surface_destroy(s);
	if (cairo_status(fc->cr) != CAIRO_STATUS_SUCCESS) {
		cairo_destroy(fc->cr);
		fc->cr = NULL;
		return err_set(e, ST_NOMEM, "out of memory for a figure");
	}
	fig_ctx_prepare(fc->cr);
	return ST_OK;
}

void fig_measure_close(struct fig_ctx *fc)
{
	if (fc->cr)
		cairo_destroy(fc->cr);
	fc->cr = NULL;
}

/* ---- text ---- */

static PangoLayout *layout_of(struct fig_ctx *fc, const char *text, double size, int flags, double wrap)
{
	PangoLayout *l = pango_cairo_create_layout(fc->cr);
	PangoFontDescription *d = pango_font_description_from_string(flags & FIG_MONO ? FONT_MONO : FONT_SANS);
	pango_font_description_set_absolute_size(d, size * PANGO_SCALE);
	if (flags & FIG_BOLD)
		pango_font_description_set_weight(d, PANGO_WEIGHT_BOLD);
	if (flags & FIG_ITALIC)
		pango_font_description_set_style(d, PANGO_STYLE_OBLIQUE);
	pango_layout_set_font_description(l, d);
	pango_font_description_free(d);
	if (wrap > 0) {
		pango_layout_set_width(l, (int)(wrap * PANGO_SCALE));
		pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	}
	/* Labels come from model files: never let invalid UTF-8 reach pango. */
	gchar *valid = g_utf8_validate(text, -1, NULL) ? NULL : g_utf8_make_valid(text, -1);
	const char *s = valid ? valid : text;
	if (flags & FIG_MARKUP)
		pango_layout_set_markup(l, s, -1);
	else
		pango_layout_set_text(l, s, -1);
	g_free(valid);
	return l;
}

void fig_text_size(struct fig_ctx *fc, const char *text, double size, int flags, double wrap,
		   double *w, double *h)
{
	PangoLayout *l = layout_of(fc, text, size, flags, wrap);
	int pw, ph;
	pango_layout_get_size(l, &pw, &ph);
	g_object_unref(l);
	if (w)
		*w = (double)pw / PANGO_SCALE;
	if (h)
		*h = (double)ph / PANGO_SCALE;
}

static void record_lines(struct fig_ctx *fc, PangoLayout *l, double offx, double size, double angle,
			 int flags)
{
	struct fig_texts *T = fc->texts;
	const char *all = pango_layout_get_text(l);
	PangoLayoutIter *it = pango_layout_get_iter(l);
	double sx = 1, sy = 0;
	cairo_user_to_device_distance(fc->cr, &sx, &sy);
	double zoom = hypot(sx, sy);
	do {
		PangoLayoutLine *line = pango_layout_iter_get_line_readonly(it);
		PangoRectangle lr;
		pango_layout_iter_get_line_extents(it, NULL, &lr);
		if (!line || line->length <= 0)
			continue;
		if (T->n == T->cap) {
			size_t cap = T->cap ? T->cap * 2 : 64;
			struct fig_text *v = realloc(T->v, cap * sizeof *v);
			if (!v) {
				T->oom = 1;
				break;
			}
			T->v = v;
			T->cap = cap;
		}
		char *s = malloc((size_t)line->length + 1);
		if (!s) {
			T->oom = 1;
			break;
		}
		memcpy(s, all + line->start_index, (size_t)line->length);
		s[line->length] = 0;
		double x = offx + (double)lr.x / PANGO_SCALE, y = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
		cairo_user_to_device(fc->cr, &x, &y);
		struct fig_text *t = &T->v[T->n++];
		*t = (struct fig_text){s, x, y, angle, size * zoom, (double)lr.width / PANGO_SCALE * zoom,
				       !!(flags & FIG_BOLD), !!(flags & FIG_MONO)};
	} while (pango_layout_iter_next_line(it));
	pango_layout_iter_free(it);
}

void fig_text(struct fig_ctx *fc, const char *text, double size, int flags, double wrap, double x,
	      double y, int align, double angle, struct rgb c)
{
	if (!text || !*text)
		return;
	PangoLayout *l = layout_of(fc, text, size, flags, wrap);
	int pw, ph;
	pango_layout_get_size(l, &pw, &ph);
	double w = (double)pw / PANGO_SCALE;
	double offx = align == FIG_CENTER ? -w / 2 : align == FIG_RIGHT ? -w : 0;
	cairo_t *cr = fc->cr;
	cairo_save(cr);
	cairo_translate(cr, x, y);
	if (angle != 0)
		cairo_rotate(cr, angle * M_PI / 180);
	fig_set_rgb(cr, c);
	cairo_move_to(cr, offx, 0);
	pango_cairo_show_layout(cr, l);
	if (fc->texts)
		record_lines(fc, l, offx, size, angle, flags);
	cairo_restore(cr);
	g_object_unref(l);
}

/* ---- heatmaps ---- */

static const char *label_at(const struct axis *a, int i, char *buf, size_t n)
{
	char raw[256];
	text_sanitize(buf, n, axis_label(a, i, raw, sizeof raw));
	return buf;
}

static double widest_label(struct fig_ctx *fc, const struct axis *a, int n)
{
	char buf[256];
	double m = 0;
	int step = n > 512 ? n / 256 : 1; /* long axes: a sample is enough */
	for (int i = 0; i < n; i += step) {
		double w;
		fig_text_size(fc, label_at(a, i, buf, sizeof buf), F_LAB, 0, 0, &w, NULL);
		m = w > m ? w : m;
	}
	return m > LABEL_CAP ? LABEL_CAP : m;
}

static void heatmap_title(const struct fig_heatmap *h, char *buf, size_t n)
{
	if (h->title && h->title[0])
		snprintf(buf, n, "%s", h->title);
	else if (h->t->ndim == 1)
		snprintf(buf, n, "%s [%d]", h->t->name, h->t->cols);
	else
		snprintf(buf, n, "%s [%d \xc3\x97 %d]", h->t->name, h->t->rows, h->t->cols);
}

static void bar_label(const struct scale *sc, int which, char *buf, size_t n)
{
	float v = which < 0 ? sc->lo : which > 0 ? sc->hi : (sc->diverging ? 0 : (sc->lo + sc->hi) / 2);
	snprintf(buf, n, "%.3g", (double)v);
}

static int ceil_div(double a, double b)
{
	int k = (int)ceil(a / b - 1e-9);
	return k < 1 ? 1 : k;
}

void fig_heatmap_layout(struct fig_ctx *fc, struct fig_heatmap *h)
{
	const struct tensor *t = h->t;
	int R = t->rows, C = t->cols;
	size_t n = (size_t)R * (size_t)C;
	scale_of(t->data, n, &h->sc);
	if (h->diverging)
		scale_symmetric(&h->sc);
	h->masked = 0;
	for (size_t i = 0; i < n && !h->masked; i++)
		h->masked = isinf(t->data[i]) && t->data[i] < 0;
	int rows_labelled = t->ndim == 2;
	double lh;
	fig_text_size(fc, "Ag", F_LAB, 0, 0, NULL, &lh);
	h->rlab_w = rows_labelled ? widest_label(fc, &t->row, R) : 0;
	h->rtitle_w = rows_labelled && t->row.title && t->row.title[0] ? lh + 4 : 0;
	h->ctitle_h = t->col.title && t->col.title[0] ? lh + 2 : 0;
	double blw = 0, w;
	char buf[32];
	for (int k = -1; k <= 1; k++) {
		bar_label(&h->sc, k, buf, sizeof buf);
		fig_text_size(fc, buf, F_LAB, 0, 0, &w, NULL);
		blw = w > blw ? w : blw;
	}
	double mw = 0;
	if (h->masked)
		fig_text_size(fc, "= \xe2\x88\x92inf (masked)", F_LAB, 0, 0, &mw, NULL);
	/* Whole points, so cells fall on whole pixels of a PNG. */
	h->x0 = ceil(PAD + h->rtitle_w + h->rlab_w + (rows_labelled ? 4 : 0));
	double bar_w = 16 + fmax(12 + 4 + blw, 16 + mw);
	/* Square cells as big as a slide reads well, smaller for big tensors
	 * or a narrow page. */
	double grid_w = 640;
	if (h->max_w > 0)
		grid_w = fmin(grid_w, h->max_w - h->x0 - bar_w - PAD);
	double cell = floor(fmin(grid_w / C, 480.0 / R));
	cell = cell > 28 ? 28 : cell < 3 ? 3 : cell;
	h->cw = h->ch = cell;
	if (h->numbers) {
		double m = 0;
		for (size_t i = 0; i < n; i += n > 4096 ? n / 1024 : 1) {
			fig_text_size(fc, tensor_fmt(t, t->data[i], buf, sizeof buf), F_LAB - 1, FIG_MONO, 0, &w, NULL);
			m = w > m ? w : m;
		}
		h->cw = ceil(m + 8);
		h->ch = 16;
	}
	h->row_every = ceil_div(F_LAB * 1.25, h->ch);
	double cl = widest_label(fc, &t->col, C);
	h->rot = 0;
	h->col_every = 1;
	if (cl + 3 > h->cw) {
		if (!t->col.labels) { /* indices: every k-th, level */
			h->col_every = ceil_div(cl + 6, h->cw);
		} else {
			h->rot = 1;
			h->col_every = ceil_div(F_LAB * 1.25, h->cw);
		}
	}
	h->clab_h = h->rot ? cl + 3 : lh + 2;
	char title[512];
	double tw, th;
	heatmap_title(h, title, sizeof title);
	fig_text_size(fc, title, F_TITLE, FIG_BOLD, 0, &tw, &th);
	h->title_h = th + 4;
	h->y0 = ceil(PAD + h->title_h + h->ctitle_h + h->clab_h + 2);
	double gw = C * h->cw, gh = R * h->ch;
	h->bar_h = gh < 90 ? 90 : gh > 240 ? 240 : gh;
	h->bar_x = h->x0 + gw + 16;
	double right = h->bar_x + 12 + 4 + blw;
	if (h->masked)
		right = fmax(right, h->bar_x + 16 + mw);
	h->w = ceil(fmax(right, PAD + tw) + PAD);
	h->h = ceil(h->y0 + fmax(gh, h->bar_h + (h->masked ? 22 : 0)) + PAD);
}

static void cross(cairo_t *cr, double x, double y, double w, double h)
{
	double m = fmin(w, h) * 0.25;
	cairo_move_to(cr, x + m, y + m);
	cairo_line_to(cr, x + w - m, y + h - m);
	cairo_move_to(cr, x + w - m, y + m);
	cairo_line_to(cr, x + m, y + h - m);
	cairo_set_line_width(cr, fmax(0.5, fmin(w, h) / 10));
	cairo_stroke(cr);
}

static void draw_labels(struct fig_ctx *fc, const struct fig_heatmap *h, double x, double y)
{
	const struct tensor *t = h->t;
	struct rgb fg = cmap_foreground(fc->theme);
	char buf[256];
	double lh;
	fig_text_size(fc, "Ag", F_LAB, 0, 0, NULL, &lh);
	double gw = t->cols * h->cw, gh = t->rows * h->ch;
	if (h->ctitle_h > 0)
		fig_text(fc, t->col.title, F_LAB, FIG_ITALIC, 0, x + h->x0 + gw / 2,
			 y + h->y0 - 2 - h->clab_h - h->ctitle_h, FIG_CENTER, 0, fg);
	if (h->rtitle_w > 0)
		fig_text(fc, t->row.title, F_LAB, FIG_ITALIC, 0, x + PAD, y + h->y0 + gh / 2, FIG_CENTER, -90, fg);
	for (int c = 0; c < t->cols; c += h->col_every) {
		double cx = x + h->x0 + (c + 0.5) * h->cw;
		label_at(&t->col, c, buf, sizeof buf);
		if (h->rot)
			fig_text(fc, buf, F_LAB, 0, LABEL_CAP, cx - lh / 2, y + h->y0 - 3, FIG_LEFT, -90, fg);
		else
			fig_text(fc, buf, F_LAB, 0, 0, cx, y + h->y0 - 2 - lh, FIG_CENTER, 0, fg);
	}
	if (t->ndim == 2)
		for (int r = 0; r < t->rows; r += h->row_every)
			fig_text(fc, label_at(&t->row, r, buf, sizeof buf), F_LAB, 0, 0, x + h->x0 - 4,
				 y + h->y0 + (r + 0.5) * h->ch - lh / 2, FIG_RIGHT, 0, fg);
}

static void draw_bar(struct fig_ctx *fc, const struct fig_heatmap *h, double x, double y)
{
	cairo_t *cr = fc->cr;
	struct rgb fg = cmap_foreground(fc->theme);
	int n = cmap_steps(&h->sc);
	double bx = x + h->bar_x, by = y + h->y0, step = h->bar_h / n, lh;
	for (int i = 0; i < n; i++) { /* step 0 (lo) at the bottom */
		fig_set_rgb(cr, cmap_step(fc->theme, h->sc.diverging, i, n));
		cairo_rectangle(cr, bx, by + h->bar_h - (i + 1) * step, 12, step);
		cairo_fill(cr);
	}
	fig_set_rgb(cr, fg);
	cairo_set_line_width(cr, 0.5);
	cairo_rectangle(cr, bx, by, 12, h->bar_h);
	cairo_stroke(cr);
	fig_text_size(fc, "Ag", F_LAB, 0, 0, NULL, &lh);
	char buf[32];
	bar_label(&h->sc, 1, buf, sizeof buf);
	fig_text(fc, buf, F_LAB, 0, 0, bx + 16, by - lh / 2 + 1, FIG_LEFT, 0, fg);
	bar_label(&h->sc, 0, buf, sizeof buf);
	fig_text(fc, buf, F_LAB, 0, 0, bx + 16, by + h->bar_h / 2 - lh / 2, FIG_LEFT, 0, fg);
	bar_label(&h->sc, -1, buf, sizeof buf);
	fig_text(fc, buf, F_LAB, 0, 0, bx + 16, by + h->bar_h - lh / 2 - 1, FIG_LEFT, 0, fg);
	if (h->masked) {
		double my = by + h->bar_h + 10;
		fig_set_rgb(cr, cmap_masked(fc->theme));
		cairo_rectangle(cr, bx, my, 12, 12);
		cairo_fill(cr);
		fig_set_rgb(cr, cmap_masked_mark(fc->theme));
		cross(cr, bx, my, 12, 12);
		fig_text(fc, "= \xe2\x88\x92inf (masked)", F_LAB, 0, 0, bx + 16, my + 6 - lh / 2, FIG_LEFT, 0, fg);
	}
}

void fig_heatmap_draw(struct fig_ctx *fc, const struct fig_heatmap *h, double x, double y)
{
	cairo_t *cr = fc->cr;
	const struct tensor *t = h->t;
	struct rgb fg = cmap_foreground(fc->theme);
	char title[512];
	heatmap_title(h, title, sizeof title);
	fig_text(fc, title, F_TITLE, FIG_BOLD, 0, x + PAD, y + PAD, FIG_LEFT, 0, fg);
	draw_labels(fc, h, x, y);
	double nh = 0;
	if (h->numbers)
		fig_text_size(fc, "0", F_LAB - 1, FIG_MONO, 0, NULL, &nh);
	for (int r = 0; r < t->rows; r++)
		for (int c = 0; c < t->cols; c++) {
			float v = tensor_at(t, r, c);
			double cx = x + h->x0 + c * h->cw, cy = y + h->y0 + r * h->ch;
			int minf = isinf(v) && v < 0;
			struct rgb col = minf ? cmap_masked(fc->theme) : isnan(v) ? cmap_nan(fc->theme)
										      : cmap_value(fc->theme, &h->sc, v);
			fig_set_rgb(cr, col);
			cairo_rectangle(cr, cx, cy, h->cw, h->ch);
			cairo_fill(cr);
			if (minf && h->cw >= 6 && !h->numbers) {
				fig_set_rgb(cr, cmap_masked_mark(fc->theme));
				cross(cr, cx, cy, h->cw, h->ch);
			}
			if (h->numbers) {
				char num[32];
				struct rgb ink = cmap_dark_text(col) ? (struct rgb){0, 0, 0} : (struct rgb){255, 255, 255};
				fig_text(fc, tensor_fmt(t, v, num, sizeof num), F_LAB - 1, FIG_MONO, 0, cx + h->cw / 2,
					 cy + (h->ch - nh) / 2, FIG_CENTER, 0, ink);
			}
		}
	draw_bar(fc, h, x, y);
}

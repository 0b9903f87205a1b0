#include "trace/render_text.h"
#include "base/textwidth.h"

#include <math.h>
#include <string.h>

const char RENDER_RAMP[RENDER_RAMP_LEN + 1] = " .:-=+*#%@";

enum { LABEL_CELLS = 10, NUM_CELLS = 10, MASK_GLYPH = 'x' };

char render_glyph(float v, float lo, float hi)
{
	if (isinf(v) && v < 0)
		return MASK_GLYPH;
	if (isnan(v))
		return '?';
	int n = (int)sizeof RENDER_RAMP - 2;
	float x = hi > lo ? (v - lo) / (hi - lo) : 1.0f;
	int i = (int)lrintf(x * n);
	return RENDER_RAMP[i < 0 ? 0 : i > n ? n : i];
}

static void pad_label(FILE *f, const char *s, int cells, int right)
{
	char buf[256];
	int w = text_fit(buf, sizeof buf, s, cells);
	if (right)
		fprintf(f, "%*s%s", cells - w, "", buf);
	else
		fprintf(f, "%s%*s", buf, cells - w, "");
}

void render_tensor_line(FILE *f, const struct tensor *t)
{
	char desc[400];
	text_sanitize(desc, sizeof desc, t->desc ? t->desc : "");
	if (t->ndim == 1)
		fprintf(f, "%-40s [%d]  %s\n", t->name, t->cols, desc);
	else
		fprintf(f, "%-40s [%d x %d]  %s\n", t->name, t->rows, t->cols, desc);
}

int render_is_probability(const struct tensor *t)
{
	const char *n = t->name;
	return strstr(n, "weights") || strstr(n, "probs") || strstr(n, ".gate.") != NULL;
}

static void range(const struct tensor *t, float *lo, float *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (size_t i = 0; i < (size_t)t->rows * t->cols; i++) {
		float v = t->data[i];
		if (!isfinite(v))
			continue;
		*lo = v < *lo ? v : *lo;
		*hi = v > *hi ? v : *hi;
	}
	if (*lo > *hi)
		*lo = *hi = 0;
	/* Attention weights, probabilities and gates read best on a fixed 0..1
	 * scale, so two heads or two steps compare by eye; anything else spans
	 * its own range. */
	if (*lo >= 0 && *hi <= 1 && render_is_probability(t))
		*lo = 0, *hi = 1;
}

static void numbers(FILE *f, const struct tensor *t, int width)
{
	char lb[32];
	int per = (width - LABEL_CELLS - 1) / (NUM_CELLS + 1);
	per = per < 1 ? 1 : per;
	for (int c0 = 0; c0 < t->cols; c0 += per) {
		int c1 = c0 + per < t->cols ? c0 + per : t->cols;
		if (t->cols > per)
			fprintf(f, "columns %d..%d\n", c0, c1 - 1);
		pad_label(f, t->row.title ? t->row.title : "", LABEL_CELLS, 0);
		for (int c = c0; c < c1; c++) {
			fputc(' ', f);
			pad_label(f, axis_label(&t->col, c, lb, sizeof lb), NUM_CELLS, 1);
		}
		fputc('\n', f);
		for (int r = 0; r < t->rows; r++) {
			pad_label(f, t->ndim == 1 ? "" : axis_label(&t->row, r, lb, sizeof lb),
				  LABEL_CELLS, 0);
			for (int c = c0; c < c1; c++) {
				float v = tensor_at(t, r, c);
				if (isinf(v))
					fprintf(f, " %*s", NUM_CELLS, v < 0 ? "-inf" : "inf");
				else
					fprintf(f, " %*.*f", NUM_CELLS, t->integer ? 0 : 4, v);
			}
			fputc('\n', f);
		}
	}
}

static void heatmap(FILE *f, const struct tensor *t, int width)
{
	char lb[32];
	float lo, hi;
	range(t, &lo, &hi);
	int per = width - LABEL_CELLS - 1;
	per = per < 1 ? 1 : per;
	int n = (int)sizeof RENDER_RAMP - 2;
	fprintf(f, "heatmap: '%c' = %.4g ... '%c' = %.4g", RENDER_RAMP[0], lo, RENDER_RAMP[n], hi);
	fprintf(f, " (ramp \"%s\"", RENDER_RAMP);
	for (size_t i = 0; i < (size_t)t->rows * t->cols; i++)
		if (isinf(t->data[i]) && t->data[i] < 0) {
			fprintf(f, ", '%c' = -inf (masked)", MASK_GLYPH);
			break;
		}
	fprintf(f, ")\n");
	for (int c0 = 0; c0 < t->cols; c0 += per) {
		int c1 = c0 + per < t->cols ? c0 + per : t->cols;
		for (int r = 0; r < t->rows; r++) {
			pad_label(f, t->ndim == 1 ? "" : axis_label(&t->row, r, lb, sizeof lb),
				  LABEL_CELLS, 0);
			fputc('|', f);
			for (int c = c0; c < c1; c++)
				fputc(render_glyph(tensor_at(t, r, c), lo, hi), f);
			fputs("|\n", f);
		}
	}
}

void render_tensor_text(FILE *f, const struct tensor *t, int what, int width)
{
	char title[64];
	render_tensor_line(f, t);
	if (t->ndim == 2)
		fprintf(f, "rows: %s; cols: %s\n",
			text_fit(title, sizeof title, t->row.title ? t->row.title : "index", 40) ? title : "",
			t->col.title ? t->col.title : "index");
	if (what & RENDER_NUMBERS)
		numbers(f, t, width);
	if (what & RENDER_HEATMAP)
		heatmap(f, t, width);
}

void log_axis_fit(struct log_axis *a, const struct tensor *const *v, int n)
{
	double lo = INFINITY, hi = -INFINITY;
	for (int k = 0; k < n; k++)
		for (size_t i = 0; v[k] && i < (size_t)v[k]->rows * v[k]->cols; i++) {
			double x = v[k]->data[i];
			if (isfinite(x) && x > 0) {
				lo = x < lo ? x : lo;
				hi = x > hi ? x : hi;
			}
		}
	if (!(hi >= lo)) {
		a->lo = -1;
		a->hi = 0;
		return;
	}
	a->hi = (int)ceil(log10(hi));
	a->lo = (int)floor(log10(lo));
	if (a->lo >= a->hi)
		a->lo = a->hi - 1;
	/* The small values are the point (a vanishing gradient); what grows
	 * beyond the top is drawn full. */
	if (a->hi - a->lo > LOG_AXIS_DECADES)
		a->hi = a->lo + LOG_AXIS_DECADES;
}

double log_axis_at(const struct log_axis *a, double v)
{
	if (!(v > 0) || !isfinite(v))
		return v > 0 ? 1 : 0;
	double x = (log10(v) - a->lo) / (double)(a->hi - a->lo);
	return x < 0 ? 0 : x > 1 ? 1 : x;
}

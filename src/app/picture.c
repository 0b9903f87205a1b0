#include "app/picture.h"

#include <glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const double F_CAPTION = 9, F_PIC_TITLE = 13, GAP = 24;

/* ---- laying out and drawing ---- */

void picture_init(struct picture *pic)
{
	memset(pic, 0, sizeof *pic);
	figure_init(&pic->fig);
}

void picture_release(struct picture *pic)
{
	figure_release(&pic->fig);
	memset(pic, 0, sizeof *pic);
}

int picture_add_tensor(struct picture *pic, const struct tensor *t, const char *title, int diverging,
		       int numbers)
{
	if (pic->n >= PIC_MAX_ITEMS)
		return 0;
	struct pic_item *it = &pic->item[pic->n++];
	memset(it, 0, sizeof *it);
	snprintf(it->title, sizeof it->title, "%s", title ? title : "");
	it->hm.t = t;
	it->hm.diverging = diverging;
	it->hm.numbers = numbers;
	return 1;
}

void picture_add_plots(struct picture *pic)
{
	for (int k = 0; k < pic->fig.n && pic->n < PIC_MAX_ITEMS; k++) {
		struct pic_item *it = &pic->item[pic->n++];
		memset(it, 0, sizeof *it);
		it->p = &pic->fig.p[k];
	}
}

/* The caption's text: the formulas, then the what-if line in bold. */
static void caption_markup(const struct picture *pic, char *buf, size_t n)
{
	gchar *cap = g_markup_escape_text(pic->caption, -1);
	gchar *wi = g_markup_escape_text(pic->whatif, -1);
	snprintf(buf, n, "%s%s%s%s%s", cap, cap[0] && wi[0] ? "\n" : "", wi[0] ? "<b>WHAT-IF: " : "", wi,
		 wi[0] ? "</b>" : "");
	g_free(cap);
	g_free(wi);
}

void picture_layout(struct fig_ctx *fc, struct picture *pic)
{
	const double P = 12, MAXW = pic->max_w > 0 ? pic->max_w : 1400;
	double tw = 0, th = 0;
	if (pic->title[0])
		fig_text_size(fc, pic->title, F_PIC_TITLE, FIG_BOLD, 0, &tw, &th);
	pic->title_h = pic->title[0] ? th + 8 : 0;
	double x = P, y = P + pic->title_h, row_h = 0, right = P;
	for (int i = 0; i < pic->n; i++) {
		struct pic_item *it = &pic->item[i];
		if (it->hm.t) {
			it->hm.title = it->title[0] ? it->title : NULL;
			it->hm.max_w = pic->max_w;
			fig_heatmap_layout(fc, &it->hm);
			it->w = it->hm.w;
			it->h = it->hm.h;
		} else {
			it->w = pic->max_w > 0 && pic->max_w < FIG_PLOT_W ? pic->max_w : FIG_PLOT_W;
			it->h = FIG_PLOT_H;
		}
		if (x > P && x + it->w > MAXW) {
			x = P;
			y += row_h + 8;
			row_h = 0;
		}
		it->x = x;
		it->y = y;
		x += it->w + GAP;
		row_h = it->h > row_h ? it->h : row_h;
		right = x - GAP > right ? x - GAP : right;
	}
	double content = right - P;
	content = fmax(content, tw);
	char cap[PIC_TEXT + 2200];
	caption_markup(pic, cap, sizeof cap);
	double cw = 0, ch = 0;
	if (cap[0]) {
		double natural;
		fig_text_size(fc, cap, F_CAPTION, FIG_MARKUP, 0, &natural, NULL);
		cw = fmin(natural, fmax(content, 420)) + 1;
		fig_text_size(fc, cap, F_CAPTION, FIG_MARKUP, cw, NULL, &ch);
	}
	pic->caption_w = cw;
	pic->caption_y = y + row_h + 6;
	pic->w = ceil(P + fmax(content, cw) + P);
	pic->h = ceil(pic->caption_y + (cap[0] ? ch + 4 : 0) + P);
}

void picture_draw(struct fig_ctx *fc, const struct picture *pic, double x, double y)
{
	cairo_t *cr = fc->cr;
	struct rgb fg = cmap_foreground(fc->theme);
	fig_set_rgb(cr, cmap_background(fc->theme));
	cairo_rectangle(cr, x, y, pic->w, pic->h);
	cairo_fill(cr);
	if (pic->title[0])
		fig_text(fc, pic->title, F_PIC_TITLE, FIG_BOLD, 0, x + 12, y + 12, FIG_LEFT, 0, fg);
	for (int i = 0; i < pic->n; i++) {
		const struct pic_item *it = &pic->item[i];
		if (it->hm.t)
			fig_heatmap_draw(fc, &it->hm, x + it->x, y + it->y);
		else
			fig_plot_draw(fc, it->p, x + it->x, y + it->y, it->w, it->h);
	}
	char cap[PIC_TEXT + 2200];
	caption_markup(pic, cap, sizeof cap);
	if (cap[0])
		fig_text(fc, cap, F_CAPTION, FIG_MARKUP, pic->caption_w, x + 12, y + pic->caption_y, FIG_LEFT, 0, fg);
}

/* ---- what a picture shows ---- */

enum cmap_theme picture_theme(enum theme t)
{
	return t == THEME_CONTRAST ? CMAP_CONTRAST : t == THEME_MONO ? CMAP_MONO : CMAP_DEFAULT;
}

/* "NAME: formula" as a caption line, once per tensor. */
static void caption_line(struct picture *pic, const struct tensor *t)
{
	char line[1024];
	snprintf(line, sizeof line, "%s: %s", t->name, t->desc && t->desc[0] ? t->desc : "(given)");
	if (strstr(pic->caption, line))
		return;
	size_t k = strlen(pic->caption);
	snprintf(pic->caption + k, sizeof pic->caption - k, "%s%s", k ? "\n" : "", line);
}

static void set_whatif(struct picture *pic, const struct trace *tr)
{
	snprintf(pic->whatif, sizeof pic->whatif, "%s", trace_whatif(tr));
}

enum status picture_of_tensor(struct picture *pic, const struct trace *tr, const char *name, int numbers,
			      struct err *e)
{
	picture_init(pic);
	const struct tensor *t = trace_get(tr, name);
	if (!t)
		return err_set(e, ST_BADINPUT, "no trace entry named '%.200s' (list shows them all)", name);
	picture_add_tensor(pic, t, NULL, 0, numbers);
	caption_line(pic, t);
	set_whatif(pic, tr);
	return ST_OK;
}

static enum status stage_plot(struct picture *pic, const struct session *s, const struct plot_spec *ps,
			      struct err *e)
{
	enum status st = session_plot_build(s, &pic->fig, e);
	if (st)
		return st;
	/* The positional encoding's curves come with P itself, as on a tall
	 * screen. */
	const struct tensor *src = ps->kind == PLOT_POSENC ? trace_get(&s->trace, ps->source) : NULL;
	if (src) {
		picture_add_tensor(pic, src, NULL, 0, s->numbers);
		caption_line(pic, src);
	}
	picture_add_plots(pic);
	for (int i = 0; i < ps->n; i++) {
		const struct tensor *t = trace_get(&s->trace, ps->name[i]);
		if (t)
			caption_line(pic, t);
	}
	return ST_OK;
}

enum status picture_of_stage(struct picture *pic, const struct session *s, struct err *e)
{
	picture_init(pic);
	if (!s->have_trace)
		return err_set(e, ST_USAGE, "nothing to draw yet: translate a sentence first");
	session_where(s, pic->title, sizeof pic->title);
	set_whatif(pic, &s->trace);
	struct plot_spec ps;
	if (session_plotting(s, &ps))
		return stage_plot(pic, s, &ps, e);
	int diff = s->diff_mode && s->have_diff, n = session_npanels(s), drawn = 0;
	const char *base = NULL;
	if (diff) {
		session_baseline(s, &base);
		size_t k = strlen(pic->title);
		snprintf(pic->title + k, sizeof pic->title - k, " \xc2\xb7 \xce\x94 against %s", base ? base : "?");
	}
	for (int i = 0; i < n; i++) {
		char name[STAGE_NAME * 2], title[STAGE_NAME * 2 + 8];
		const struct tensor *t = session_panel(s, i, name, sizeof name);
		if (!t)
			continue;
		caption_line(pic, t);
		if (diff) {
			/* Δ = now - baseline, as the screen's diff view draws it */
			const struct tensor *d = trace_get(&s->diff.delta, name);
			if (!d)
				continue;
			snprintf(title, sizeof title, "\xce\x94 %s", name);
			drawn += picture_add_tensor(pic, d, title, 1, s->numbers);
		} else {
			drawn += picture_add_tensor(pic, t, NULL, 0, s->numbers);
		}
	}
	if (!drawn)
		return err_set(e, ST_BADINPUT, "%s", diff ? "nothing here changed against the baseline"
							   : "this stage shows no tensor");
	return ST_OK;
}

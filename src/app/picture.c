#include "app/picture.h"

#include <stdio.h>
#include <string.h>

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

#include "app/handout_pdf.h"
#include "app/export.h"
#include "app/figure.h"
#include "app/handout.h"
#include "app/picture.h"
#include "app/textview.h"
#include "base/atomicfile.h"
#include "base/strbuf.h"
#include "base/textwidth.h"

#include <cairo-pdf.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A4 in points, 2 cm margins. */
static const double PAGE_W = 595.28, PAGE_H = 841.89, MARGIN = 56, TOP = 60, BOTTOM = 56;
#define CONTENT_W (PAGE_W - 2 * MARGIN)
static const struct rgb GREY = {0x70, 0x70, 0x70};

struct solution {
	int step, page;
	char *question, *answer, *explain, *why;
};

struct hdoc {
	cairo_surface_t *sf;
	struct fig_ctx fc;
	const struct lesson *L;
	int page;
	char where[256];      /* the header's right side */
	double y;
	int figures;
	unsigned long long sig; /* the last figure drawn in this step */
	struct solution *sol;
	int nsol;
	int oom;
	char cmd[LESSON_MAX_LINE + 8]; /* a command line waiting for its output, "" none */
};

static void cmd_flush(struct hdoc *d, double next_h);

static struct rgb ink(const struct hdoc *d)
{
	(void)d;
	return (struct rgb){0, 0, 0}; /* paper stays white: the theme colours the figures */
}

static void page_begin(struct hdoc *d)
{
	cairo_t *cr = d->fc.cr;
	if (d->page)
		cairo_show_page(cr);
	d->page++;
	char buf[64];
	fig_text(&d->fc, d->L->title, 8, 0, CONTENT_W * 0.6, MARGIN, 30, FIG_LEFT, 0, GREY);
	fig_text(&d->fc, d->where, 8, 0, 0, PAGE_W - MARGIN, 30, FIG_RIGHT, 0, GREY);
	cairo_set_source_rgb(cr, 0.7, 0.7, 0.7);
	cairo_set_line_width(cr, 0.5);
	cairo_move_to(cr, MARGIN, 43);
	cairo_line_to(cr, PAGE_W - MARGIN, 43);
	cairo_stroke(cr);
	snprintf(buf, sizeof buf, "%d", d->page);
	fig_text(&d->fc, buf, 8, 0, 0, PAGE_W / 2, PAGE_H - 34, FIG_CENTER, 0, GREY);
	d->y = TOP;
}

/* A new page when h more points do not fit (and the page has something). */
static void need(struct hdoc *d, double h)
{
	if (d->y + h > PAGE_H - BOTTOM && d->y > TOP + 1)
		page_begin(d);
}

static void block(struct hdoc *d, const char *text, double size, int flags, double indent, double after)
{
	double h;
	fig_text_size(&d->fc, text, size, flags, CONTENT_W - indent, NULL, &h);
	cmd_flush(d, h);
	need(d, h);
	fig_text(&d->fc, text, size, flags, CONTENT_W - indent, MARGIN + indent, d->y, FIG_LEFT, 0, ink(d));
	d->y += h + after;
}

/* Monospaced text line by line (command output, formulas, tables), so a
 * long explanation runs on to the next page. */
static void mono(struct hdoc *d, const char *text, double size, double indent)
{
	char line[LESSON_SHOWN_CLEAN];
	double lh;
	fig_text_size(&d->fc, "Ag", size, FIG_MONO, 0, NULL, &lh);
	for (const char *p = text; *p;) {
		p = lesson_next_line(p, LESSON_SHOWN_CUT, line);
		if (line[0])
			block(d, line, size, FIG_MONO, indent, 0);
		else
			d->y += lh * 0.6;
	}
	d->y += 4;
}

/* Markdown's **bold** and `code` as pango markup, the rest escaped. */
static char *markup(const char *s, size_t n)
{
	struct strbuf b = {0};
	gchar *esc = g_markup_escape_text(s, (gssize)n);
	int bold = 0, code = 0;
	for (const char *p = esc; *p; p++) {
		if (p[0] == '*' && p[1] == '*' && !code) {
			strbuf_puts(&b, bold ? "</b>" : "<b>");
			bold = !bold;
			p++;
		} else if (*p == '`') {
			strbuf_puts(&b, code ? "</tt>" : "<tt>");
			code = !code;
		} else {
			strbuf_putn(&b, p, 1);
		}
	}
	if (code)
		strbuf_puts(&b, "</tt>");
	if (bold)
		strbuf_puts(&b, "</b>");
	g_free(esc);
	char *m = strbuf_take(&b);
	if (m && !pango_parse_markup(m, -1, 0, NULL, NULL, NULL, NULL)) {
		free(m); /* unbalanced marks: the text as it is */
		esc = g_markup_escape_text(s, (gssize)n);
		m = strdup(esc);
		g_free(esc);
	}
	return m;
}

static void marked(struct hdoc *d, const char *text, size_t n, double size, int flags, double indent,
		   double after)
{
	char *m = markup(text, n);
	if (!m) {
		d->oom = 1;
		return;
	}
	block(d, m, size, flags | FIG_MARKUP, indent, after);
	free(m);
}

/* A Markdown table as aligned columns: the cells trimmed, ** marks
 * dropped, the |---| row a rule. */
static void table(struct hdoc *d, const char *rows)
{
	enum { MAXC = 16 };
	int width[MAXC] = {0}, ncol = 0;
	for (int pass = 0; pass < 2; pass++) {
		struct strbuf out = {0};
		for (const char *p = rows; *p;) {
			char line[LESSON_SHOWN_CLEAN];
			p = lesson_next_line(p, LESSON_SHOWN_CUT, line);
			int rule = strspn(line, "|-: ") == strlen(line);
			char *cell = line + (line[0] == '|');
			for (int c = 0; c < MAXC && *cell; c++) {
				char *bar = strchr(cell, '|');
				if (bar)
					*bar = 0;
				char clean[LESSON_SHOWN_CLEAN];
				size_t k = 0;
				for (const char *q = cell + strspn(cell, " "); *q && k + 1 < sizeof clean; q++)
					if (!(q[0] == '*' && q[1] == '*') && !(q > cell && q[-1] == '*' && q[0] == '*'))
						clean[k++] = *q;
				while (k > 0 && clean[k - 1] == ' ')
					k--;
				clean[k] = 0;
				int w = text_width(clean);
				if (pass == 0) {
					width[c] = rule || w < width[c] ? width[c] : w;
					ncol = c + 1 > ncol ? c + 1 : ncol;
				} else if (rule) {
					for (int i = 0; i < width[c] + 2; i++)
						strbuf_puts(&out, "\xe2\x94\x80"); /* ─ */
				} else {
					strbuf_printf(&out, "%s%*s  ", clean, width[c] - w, "");
				}
				if (!bar)
					break;
				cell = bar + 1;
			}
			if (pass)
				strbuf_puts(&out, "\n");
		}
		if (pass) {
			d->oom |= out.oom;
			mono(d, out.s ? out.s : "", 8.5, 12);
		}
		strbuf_release(&out);
	}
	(void)ncol;
}

enum para { P_NONE, P_TEXT, P_ITEM, P_MONO, P_TABLE };

struct prose_state {
	struct strbuf buf;
	enum para kind;
};

static void flush(struct hdoc *d, struct prose_state *ps)
{
	const char *t = ps->buf.s ? ps->buf.s : "";
	if (ps->kind == P_TEXT)
		marked(d, t, strlen(t), 10, 0, 0, 6);
	else if (ps->kind == P_ITEM)
		marked(d, t, strlen(t), 10, 0, 14, 3);
	else if (ps->kind == P_MONO)
		mono(d, t, 8.5, 12);
	else if (ps->kind == P_TABLE)
		table(d, t);
	d->oom |= ps->buf.oom;
	strbuf_clear(&ps->buf);
	ps->kind = P_NONE;
}

/* A lesson's prose: paragraphs (reflowed), "- " items, indented lines,
 * tables and fenced blocks as they are, "#" headings (the lesson's own
 * title is the page's already). */
static void prose(struct hdoc *d, const char *text)
{
	struct prose_state ps = {{0}, P_NONE};
	int fence = 0;
	for (const char *p = text; *p;) {
		char line[LESSON_SHOWN_CLEAN];
		p = lesson_next_line(p, LESSON_SHOWN_CUT, line);
		const char *lead = line + strspn(line, " ");
		if (strncmp(lead, "```", 3) == 0) {
			flush(d, &ps);
			fence = !fence;
			continue;
		}
		if (line[0] == '|' && !fence) {
			if (ps.kind != P_TABLE)
				flush(d, &ps);
			ps.kind = P_TABLE;
			strbuf_printf(&ps.buf, "%s\n", line);
			continue;
		}
		if (fence || strncmp(line, "    ", 4) == 0 || line[0] == '\t') {
			if (ps.kind != P_MONO)
				flush(d, &ps);
			ps.kind = P_MONO;
			strbuf_printf(&ps.buf, "%s\n", line);
			continue;
		}
		if (!*lead) {
			flush(d, &ps);
			continue;
		}
		if (line[0] == '#') {
			flush(d, &ps);
			const char *h = line + strspn(line, "#");
			h += strspn(h, " ");
			if (strcmp(h, d->L->title) != 0)
				marked(d, h, strlen(h), line[1] == '#' ? 11 : 14, FIG_BOLD, 0, 6);
			continue;
		}
		int item = (line[0] == '-' || line[0] == '*') && line[1] == ' ';
		int num = !item && line[0] >= '0' && line[0] <= '9' && strstr(line, ". ") &&
			  strspn(line, "0123456789") == (size_t)(strstr(line, ". ") - line);
		if (item || num) {
			flush(d, &ps);
			ps.kind = P_ITEM;
			strbuf_printf(&ps.buf, "%s%s", item ? "\xe2\x80\xa2 " : "", item ? line + 2 : line);
			continue;
		}
		if (ps.kind == P_MONO || ps.kind == P_TABLE)
			flush(d, &ps);
		if (ps.kind == P_NONE)
			ps.kind = P_TEXT;
		strbuf_printf(&ps.buf, "%s%s", ps.buf.n ? " " : "", lead);
	}
	flush(d, &ps);
	strbuf_release(&ps.buf);
}

/* FNV-1a over what a picture shows, so an explain that shows the same
 * tensor again does not draw it twice. */
static unsigned long long fnv(unsigned long long h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 1099511628211ULL;
	return h;
}

static unsigned long long picture_sig(const struct picture *pic)
{
	unsigned long long h = fnv(14695981039346656037ULL, pic->title, strlen(pic->title));
	for (int i = 0; i < pic->n; i++) {
		const struct pic_item *it = &pic->item[i];
		if (it->hm.t) {
			h = fnv(h, it->hm.t->name, strlen(it->hm.t->name));
			h = fnv(h, it->hm.t->data, sizeof(float) * (size_t)it->hm.t->rows * (size_t)it->hm.t->cols);
		} else {
			h = fnv(h, it->p->title, strlen(it->p->title));
			for (int s = 0; s < it->p->nseries; s++)
				h = fnv(h, it->p->series[s].pts, sizeof *it->p->series[s].pts * (size_t)it->p->series[s].n);
		}
	}
	return h ? h : 1;
}

static void draw_picture(struct hdoc *d, struct picture *pic)
{
	pic->max_w = CONTENT_W;
	picture_layout(&d->fc, pic);
	unsigned long long sig = picture_sig(pic);
	if (sig == d->sig)
		return;
	d->sig = sig;
	double s = fmin(1, fmin(CONTENT_W / pic->w, (PAGE_H - TOP - BOTTOM - 40) / pic->h));
	cmd_flush(d, pic->h * s);
	need(d, pic->h * s);
	cairo_t *cr = d->fc.cr;
	cairo_save(cr);
	cairo_translate(cr, MARGIN, d->y);
	cairo_scale(cr, s, s);
	picture_draw(&d->fc, pic, 0, 0);
	cairo_restore(cr);
	d->y += pic->h * s + 10;
	d->figures++;
}

/* After each command: its text, then the view it shows as a figure (the
 * tokens as text: they are a list, not a picture). */
static void on_view(struct cmd_ctx *c, void *arg)
{
	struct hdoc *d = arg;
	if (c->out.len)
		mono(d, c->out.text, 8, 12);
	if (c->out.view == CMD_VIEW_NONE)
		return;
	const struct stage *st = session_stage(c->s);
	if (c->out.view == CMD_VIEW_STAGE && !session_plotting(c->s, NULL) && st && st->view == VIEW_TOKENS) {
		char *text = NULL;
		size_t n = 0;
		FILE *f = open_memstream(&text, &n);
		if (!f) {
			d->oom = 1;
			return;
		}
		textview_stage(f, c->s, 90);
		fclose(f);
		mono(d, text, 8, 12);
		free(text);
		return;
	}
	struct picture *pic = malloc(sizeof *pic);
	if (!pic) {
		d->oom = 1;
		return;
	}
	struct err e = {0};
	enum status s = c->out.view == CMD_VIEW_STAGE ? picture_of_stage(pic, c->s, &e)
						      : picture_of_tensor(pic, &c->s->trace, c->out.tensor, c->s->numbers, &e);
	if (s) {
		char buf[600];
		snprintf(buf, sizeof buf, "(no figure: %s)", e.msg);
		block(d, buf, 9, FIG_ITALIC, 12, 4);
	} else {
		draw_picture(d, pic);
	}
	picture_release(pic);
	free(pic);
}

/* A command's line is drawn with the start of its output, so a page never
 * ends between the two. */
static void cmd_flush(struct hdoc *d, double next_h)
{
	if (!d->cmd[0])
		return;
	char buf[LESSON_MAX_LINE + 16];
	snprintf(buf, sizeof buf, "$ %s", d->cmd);
	d->cmd[0] = 0;
	double h;
	fig_text_size(&d->fc, buf, 9, FIG_MONO | FIG_BOLD, CONTENT_W - 12, NULL, &h);
	need(d, h + 6 + (next_h < PAGE_H / 2 ? next_h : 0));
	cairo_t *cr = d->fc.cr;
	cairo_set_source_rgb(cr, 0.93, 0.93, 0.93);
	cairo_rectangle(cr, MARGIN, d->y - 1, CONTENT_W, h + 3);
	cairo_fill(cr);
	fig_text(&d->fc, buf, 9, FIG_MONO | FIG_BOLD, CONTENT_W - 12, MARGIN + 6, d->y, FIG_LEFT, 0, ink(d));
	d->y += h + 6;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static enum status check_step(struct hdoc *d, struct session *s, int i, struct err *e)
{
	const struct lesson_step *p = &d->L->steps[i];
	const struct lesson_check *c = &p->check;
	char head[64];
	snprintf(head, sizeof head, "Check %d", d->nsol + 1);
	block(d, head, 11, FIG_BOLD, 0, 2);
	marked(d, c->question, strlen(c->question), 10, 0, 0, 10);
	block(d, "Your answer: ______________________________", 10, 0, 0, 4);
	block(d, "(the worked answer is in the solutions at the end)", 8, FIG_ITALIC, 0, 8);
	struct solution *v = realloc(d->sol, (size_t)(d->nsol + 1) * sizeof *v);
	if (!v)
		return err_set(e, ST_NOMEM, "out of memory");
	d->sol = v;
	struct solution *so = &d->sol[d->nsol];
	memset(so, 0, sizeof *so);
	so->step = i + 1;
	so->page = d->page;
	char ans[512] = "", val[64];
	const char *explain = "";
	struct lesson_answer *a = NULL;
	if (!c->is_text) {
		if (!(a = malloc(sizeof *a)))
			return err_set(e, ST_NOMEM, "out of memory");
		enum status st = lesson_check_eval(d->L, p, &s->trace, a, e);
		if (!st)
			st = handout_expect(d->L, p, a, e);
		if (st) {
			free(a);
			return st;
		}
		snprintf(ans, sizeof ans, "%s = %s", a->cell, lesson_fmt_value(a->value, val, sizeof val));
		explain = a->explain;
	}
	so->question = dup_or_empty(c->question);
	so->answer = dup_or_empty(c->is_text ? c->text : ans);
	so->explain = dup_or_empty(explain);
	so->why = dup_or_empty(p->why);
	free(a);
	d->nsol++;
	if (!so->question || !so->answer || !so->explain || !so->why)
		return err_set(e, ST_NOMEM, "out of memory");
	return ST_OK;
}

static void solutions(struct hdoc *d, struct handout_pdf_info *info)
{
	if (!d->nsol)
		return;
	snprintf(d->where, sizeof d->where, "Solutions");
	page_begin(d);
	info->solutions = d->page;
	char buf[128];
	snprintf(buf, sizeof buf, "page=%d", d->page);
	cairo_pdf_surface_add_outline(d->sf, CAIRO_PDF_OUTLINE_ROOT, "Solutions", buf, 0);
	block(d, "Solutions", 16, FIG_BOLD, 0, 10);
	for (int i = 0; i < d->nsol; i++) {
		const struct solution *so = &d->sol[i];
		snprintf(buf, sizeof buf, "Check %d (step %d, page %d)", i + 1, so->step, so->page);
		block(d, buf, 11, FIG_BOLD, 0, 2);
		marked(d, so->question, strlen(so->question), 10, 0, 0, 4);
		char *m = markup(so->answer, strlen(so->answer));
		if (m) {
			char line[8300];
			snprintf(line, sizeof line, "<b>Answer:</b> %s", m);
			block(d, line, 10, FIG_MARKUP, 0, 4);
			free(m);
		}
		if (so->explain[0])
			mono(d, so->explain, 8, 12);
		if (so->why[0])
			prose(d, so->why);
		d->y += 10;
	}
}

static void solutions_free(struct hdoc *d)
{
	for (int i = 0; i < d->nsol; i++) {
		free(d->sol[i].question);
		free(d->sol[i].answer);
		free(d->sol[i].explain);
		free(d->sol[i].why);
	}
	free(d->sol);
}

static enum status lesson_pages(struct hdoc *d, struct session *s, struct commands *cmds, struct err *e)
{
	const struct lesson *L = d->L;
	enum status st = handout_start_model(s, L, e);
	char buf[LESSON_MAX_FIELD + 32];
	int sec = -1;
	for (int i = 0; i < L->nsteps && !st && !d->oom; i++) {
		const struct lesson_step *p = &L->steps[i];
		const char *stitle = L->sections[p->section].title;
		snprintf(d->where, sizeof d->where, "%.200s%sstep %d of %d", stitle, stitle[0] ? " \xc2\xb7 " : "", i + 1,
			 L->nsteps);
		page_begin(d);
		d->sig = 0;
		if (i == 0) {
			block(d, L->title, 18, FIG_BOLD, 0, 2);
			snprintf(buf, sizeof buf, "model: %s", L->model);
			block(d, buf, 9, FIG_ITALIC, 0, 10);
		}
		if (p->section != sec) {
			sec = p->section;
			if (stitle[0]) {
				block(d, stitle, 14, FIG_BOLD, 0, 6);
				char dest[32];
				snprintf(dest, sizeof dest, "page=%d", d->page);
				cairo_pdf_surface_add_outline(d->sf, CAIRO_PDF_OUTLINE_ROOT, stitle, dest, 0);
			}
		}
		if (p->prose && p->prose[0])
			prose(d, p->prose);
		if (p->kind == LESSON_RUN) {
			for (int k = 0; k < p->nlines && !st; k++) {
				snprintf(d->cmd, sizeof d->cmd, "%s", p->lines[k].text);
				st = handout_run_line(s, cmds, L, &p->lines[k], on_view, d, NULL, 0, e);
				cmd_flush(d, 0);
			}
		} else if (p->kind == LESSON_CHECK) {
			st = check_step(d, s, i, e);
		}
	}
	if (!st && d->oom)
		st = err_set(e, ST_NOMEM, "out of memory");
	return st;
}

enum status handout_pdf(struct commands *cmds, const struct lesson *L, enum theme theme, const char *path,
			int force, struct handout_pdf_info *info, struct err *e)
{
	memset(info, 0, sizeof *info);
	struct session *s = malloc(sizeof *s);
	if (!s)
		return err_set(e, ST_NOMEM, "out of memory");
	session_init(s);
	s->theme = theme;
	struct atomic_file af;
	enum status st = atomic_open(&af, path, force, e);
	if (st) {
		session_release(s);
		free(s);
		return st;
	}
	struct hdoc d = {0};
	d.L = L;
	d.sf = cairo_pdf_surface_create_for_stream(export_write_stream, af.f, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(d.sf, CAIRO_PDF_METADATA_TITLE, L->title);
	cairo_pdf_surface_set_metadata(d.sf, CAIRO_PDF_METADATA_CREATOR, "seqstep");
	d.fc.cr = cairo_create(d.sf);
	d.fc.theme = picture_theme(theme);
	fig_ctx_prepare(d.fc.cr);
	st = lesson_pages(&d, s, cmds, e);
	if (!st)
		solutions(&d, info);
	cairo_show_page(d.fc.cr);
	cairo_status_t cs = cairo_status(d.fc.cr);
	cairo_destroy(d.fc.cr);
	cairo_surface_finish(d.sf);
	cs = cs ? cs : cairo_surface_status(d.sf);
	cairo_surface_destroy(d.sf);
	if (!st && cs)
		st = err_set(e, cs == CAIRO_STATUS_NO_MEMORY ? ST_NOMEM : ST_IO, "%s: cannot write the handout: %s", path,
			     cairo_status_to_string(cs));
	info->pages = d.page;
	info->figures = d.figures;
	solutions_free(&d);
	session_release(s);
	free(s);
	if (st) {
		atomic_abort(&af);
		return st;
	}
	return atomic_commit(&af, e);
}

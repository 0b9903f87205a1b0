/* The frame of the explorer screen around the view: the layout, the
 * pipeline pane, the detail pane, the title and status bars, the pager
 * overlay and the rules between them; tui_draw draws it all, the view
 * (tui_views.c) and the command line (tui_readline.c) included. */
#include "base/textwidth.h"
#include "tui/tui.h"

#include <math.h>
#include <string.h>

void tui_apply_theme(struct tui *t)
{
	enum pal_theme th = t->s->theme == THEME_CONTRAST ? PAL_THEME_CONTRAST
			    : t->s->theme == THEME_MONO   ? PAL_THEME_MONO
							  : PAL_THEME_DEFAULT;
	palette_init(&t->pal, th, t->no_color);
	t->theme_applied = (int)t->s->theme;
	bkgdset(' ' | palette_ui(&t->pal, PAL_TEXT));
}

/* A bar of colour: w blanks in attribute a (the title, status and cursor bars). */
static void band(int y, int x, int w, attr_t a)
{
	attrset(a);
	mvhline(y, x, ' ', w);
	attrset(A_NORMAL);
}

/* Box drawing as text: ACS line characters come out as letters on some
 * terminal and multiplexer combinations. */
static void vrule(struct tui *t, int y, int x, int h)
{
	for (int i = 0; i < h; i++)
		tui_put(t, y + i, x, 1, palette_ui(&t->pal, PAL_FRAME), t->utf8 ? "\xe2\x94\x82" : "|");
}

static void hrule(struct tui *t, int y, int x, int w)
{
	char buf[4096];
	size_t o = 0;
	for (int i = 0; i < w && o + 4 < sizeof buf; i++)
		o += (size_t)snprintf(buf + o, sizeof buf - o, "%s", t->utf8 ? "\xe2\x94\x80" : "-");
	tui_put(t, y, x, w, palette_ui(&t->pal, PAL_FRAME), buf);
}

/* ---- layout ---- */

/* Lines a plain matrix stage wants (its tallest panel), 0 for other views. */
static int main_need(const struct tui *t)
{
	const struct session *s = t->s;
	const struct stage *st = session_stage(s);
	if (!s->have_trace || (st && st->view != VIEW_MATRIX) || session_plotting(s, NULL))
		return 0;
	int need = 0;
	for (int i = 0; i < session_npanels(s); i++) {
		const struct tensor *tn = session_panel(s, i, NULL, 0);
		int h = tn ? tn->rows + 4 : 2;
		need = h > need ? h : need;
	}
	return need < 6 ? 6 : need;
}

static void do_layout(struct tui *t)
{
	int R = t->rows, C = t->cols;
	t->title = (struct rect){0, 0, 1, C};
	t->cmd = (struct rect){R - 1, 0, 1, C};
	t->status = (struct rect){R - 2, 0, 1, C};
	int body_y = 1, body_h = R - 3;
	int pw = C >= 160 ? 26 : C >= 100 ? 22 : 19;
	t->pipe = (struct rect){body_y, 0, body_h, pw};
	int mx = pw + 1, mw = C - mx;
	if (C >= 150) {
		/* Wide (a projector): the explanation gets its own column. */
		int dw = C >= 190 ? 58 : 46;
		t->main = (struct rect){body_y, mx, body_h, mw - dw - 1};
		t->detail = (struct rect){body_y, C - dw, body_h, dw};
	} else {
		int dh = R >= 40 ? 12 : R >= 30 ? 9 : 6;
		/* A lesson or quiz in progress: its text needs half the body. */
		const char *pr = t->s->hook.prose ? t->s->hook.prose(t->s->hook.arg) : NULL;
		if (pr && pr[0] && dh < body_h / 2)
			dh = body_h / 2;
		/* A small matrix leaves its spare lines to the explanation. */
		int need = main_need(t), mh = body_h - dh - 1;
		if (need > 0 && need < mh)
			dh += mh - need;
		t->main = (struct rect){body_y, mx, body_h - dh - 1, mw};
		t->detail = (struct rect){body_y + body_h - dh, mx, dh, mw};
	}
}

/* ---- the pipeline pane ---- */

static void draw_pipeline(struct tui *t)
{
	const struct session *s = t->s;
	const struct pipeline *p = &s->pipe;
	struct rect r = t->pipe;
	attr_t sec = palette_ui(&t->pal, PAL_SECTION), dim = palette_ui(&t->pal, PAL_DIM);
	struct {
		char text[64];
		attr_t a;
		int walk;
	} lines[PIPE_MAX_STAGES * 3];
	int n = 0, cur_line = 0;
	if (!s->have_trace || p->n == 0) {
		tui_put(t, r.y, r.x, r.w, sec, "pipeline");
		tui_put(t, r.y + 1, r.x, r.w, dim, "(no model)");
		return;
	}
	const struct stage *cur = session_stage(s);
	int cur_stage = s->walk < p->nwalk ? p->walk[s->walk].stage : -1;
	int layer = session_layer(s);
	int sec_prev = -1;
	const char *vbar = t->utf8 ? "\xe2\x94\x82 " : "| ";
	for (int i = 0; i < p->n; i++) {
		const struct stage *st = &p->st[i];
		if ((int)st->section != sec_prev) {
			sec_prev = (int)st->section;
			if (st->section == SEC_DECODER && p->arch != ARCH_SELF_ATTENTION) {
				/* The decoder works one step t at a time; the row is t. */
				snprintf(lines[n].text, sizeof lines[n].text, "DECODER  step t=%d", s->row);
			} else {
				snprintf(lines[n].text, sizeof lines[n].text, "%s",
					 st->section == SEC_INPUT ? "INPUT" : st->section == SEC_ENCODER ? "ENCODER"
					 : st->section == SEC_DECODER ? "DECODER" : st->section == SEC_OUTPUT ? "OUTPUT"
					 : st->section == SEC_TRAINING ? "TRAINING" : "STAGES");
			}
			lines[n].a = sec;
			lines[n++].walk = -1;
		}
		int b = st->block;
		if (b >= 0 && p->blk[b].first == i) {
			int in = cur_stage >= p->blk[b].first && cur_stage <= p->blk[b].last;
			if (in)
				snprintf(lines[n].text, sizeof lines[n].text, "%s layer %d of %d",
					 t->utf8 ? "\xe2\x94\x8c" : "+", layer, p->blk[b].nlayers);
			else
				snprintf(lines[n].text, sizeof lines[n].text, "%s %d layer%s", t->utf8 ? "\xe2\x94\x8c" : "+",
					 p->blk[b].nlayers, p->blk[b].nlayers == 1 ? "" : "s");
			lines[n].a = dim;
			lines[n++].walk = -1;
		}
		int in_blk = b >= 0 && cur_stage >= p->blk[b].first && cur_stage <= p->blk[b].last;
		snprintf(lines[n].text, sizeof lines[n].text, "%s%s", b >= 0 ? vbar : "  ", st->title);
		lines[n].a = st == cur ? palette_ui(&t->pal, PAL_CURRENT) : palette_ui(&t->pal, PAL_TEXT);
		lines[n].walk = pipeline_walk_index(p, i, in_blk ? layer : 0);
		if (st == cur)
			cur_line = n;
		n++;
		if (b >= 0 && p->blk[b].last == i) {
			snprintf(lines[n].text, sizeof lines[n].text, "%s next layer %s",
				 t->utf8 ? "\xe2\x94\x94" : "`", t->utf8 ? "\xe2\x86\xba" : "(loop)");
			lines[n].a = dim;
			lines[n++].walk = -1;
		}
	}
	/* Keep the current stage in view, with a line of context. */
	if (cur_line < t->pipe_top + 1)
		t->pipe_top = cur_line - 1;
	if (cur_line > t->pipe_top + r.h - 2)
		t->pipe_top = cur_line - r.h + 2;
	if (t->pipe_top > n - r.h)
		t->pipe_top = n - r.h;
	if (t->pipe_top < 0)
		t->pipe_top = 0;
	struct hit *h = t->nhits < (int)(sizeof t->hits / sizeof *t->hits) ? &t->hits[t->nhits++] : NULL;
	if (h) {
		memset(h, 0, sizeof *h);
		h->r = r;
		h->panel = -1;
		for (int i = 0; i < 64; i++)
			h->walk[i] = -1;
	}
	for (int i = 0; i < r.h && t->pipe_top + i < n; i++) {
		int li = t->pipe_top + i;
		attr_t a = lines[li].a;
		if (a == palette_ui(&t->pal, PAL_CURRENT)) {
			/* The highlight spans the pane, so it reads as a cursor. */
			band(r.y + i, r.x, r.w, a);
		}
		tui_put(t, r.y + i, r.x + 1, r.w - 1, a, lines[li].text);
		if (a == palette_ui(&t->pal, PAL_CURRENT)) /* readable without colour too */
			tui_put(t, r.y + i, r.x, 1, a, ">");
		if (h && i < 64)
			h->walk[i] = lines[li].walk;
	}
	if (t->pipe_top > 0)
		tui_put(t, r.y, r.x, 1, dim, "^");
	if (t->pipe_top + r.h < n)
		tui_put(t, r.y + r.h - 1, r.x, 1, dim, "v");
}

/* ---- the detail pane ---- */

static void draw_detail(struct tui *t)
{
	const struct session *s = t->s;
	struct rect r = t->detail;
	attr_t dim = palette_ui(&t->pal, PAL_DIM);
	attr_t sec = palette_ui(&t->pal, PAL_SECTION);
	const struct tensor *tn = session_focused(s);
	const struct stage *st = session_stage(s);
	static char buf[16384];
	int y = r.y, end = r.y + r.h;
	int wide = r.h > 20;
	const char *prose = s->hook.prose ? s->hook.prose(s->hook.arg) : NULL;
	if (prose && prose[0]) {
		/* A lesson's text first: half a tall pane, two thirds of a short one. */
		int h = wide ? r.h / 2 : r.h * 2 / 3;
		int used = tui_text(t, (struct rect){y, r.x, h, r.w}, 0, palette_ui(&t->pal, PAL_TEXT), prose);
		y += used < h ? used : h; /* tui_text counts the lines it clipped too */
		if (y < end)
			y++;
	}
	if (!tn) {
		tui_put(t, y, r.x, r.w, dim, s->have_trace ? "nothing selected" : "");
		return;
	}
	if (s->diff_mode && s->have_diff)
		y += tui_diff_detail(t, (struct rect){y, r.x, end - y, r.w});
	char rl[64], cl[64], val[48];
	float v = tensor_at(tn, s->row, s->col);
	if (isinf(v))
		snprintf(val, sizeof val, "%s", v < 0 ? "-inf (masked)" : "inf");
	else
		snprintf(val, sizeof val, "%.4f", v);
	/* The selected cell first: it is what the student is looking at. */
	int w = tn->ndim == 1
			? tui_putf(t, y, r.x, r.w, sec, "%s[%s] = %s", tn->name,
				   axis_label(&tn->col, s->col, cl, sizeof cl), val)
			: tui_putf(t, y, r.x, r.w, sec, "%s[%s, %s] = %s", tn->name,
				   axis_label(&tn->row, s->row, rl, sizeof rl),
				   axis_label(&tn->col, s->col, cl, sizeof cl), val);
	tui_putf(t, y, r.x + w + 2, r.w - w - 2, dim, "(row %d, col %d)", s->row, s->col);
	y++;
	if (wide && st && st->intro) {
		y += tui_text(t, (struct rect){y, r.x, end - y, r.w}, 0, dim, st->intro);
		y++;
	}
	session_explain_tensor(s, tn, buf, sizeof buf);
	if (wide) {
		y += tui_text(t, (struct rect){y, r.x, end - y, r.w}, 0, palette_ui(&t->pal, PAL_TEXT), buf);
		y++;
	} else {
		/* Small screens: the formula with the shapes (explain's second
		 * line) on one line, then the cell's sum of products. */
		char *f = strchr(buf, '\n');
		f = f && f[1] ? f + 1 : buf;
		char *nl = strchr(f, '\n');
		if (nl)
			*nl = 0;
		tui_put(t, y++, r.x, r.w, dim, f);
	}
	session_explain_cell(s, tn, s->row, s->col, buf, sizeof buf);
	y += tui_text(t, (struct rect){y, r.x, end - y, r.w}, 0, palette_ui(&t->pal, PAL_TEXT), buf);
	if (!wide && st && st->intro && y < end)
		tui_text(t, (struct rect){y, r.x, end - y, r.w}, 0, dim, st->intro);
}

/* ---- bars ---- */

static void draw_title(struct tui *t)
{
	const struct session *s = t->s;
	attr_t a = palette_ui(&t->pal, PAL_TITLE);
	band(0, 0, t->cols, a);
	char model[300] = "";
	if (s->model) {
		const struct config *c = &s->model->cfg;
		if (c->arch == ARCH_TRANSFORMER)
			snprintf(model, sizeof model, "transformer: %d+%d layers, %d heads, d_model %d",
				 c->n_enc_layers, c->n_dec_layers, c->n_heads, c->d_model);
		else if (c->arch == ARCH_RNN_SEQ2SEQ)
			snprintf(model, sizeof model, "%s: %d layer%s, hidden %d, attention %s", cell_name(c->cell),
				 c->n_layers, c->n_layers > 1 ? "s" : "", c->hidden, attn_name(c->attention));
		else
			snprintf(model, sizeof model, "%s", arch_name(c->arch));
	}
	int x = 1 + tui_putf(t, 0, 1, t->cols - 1, a, "seqstep  %s", s->model ? s->model->name : "(no model)");
	x += tui_whatif_badge(t, x);
	char subject[SESSION_TEXT + 64];
	session_subject(s, subject, sizeof subject, t->utf8);
	if (subject[0])
		x += 2 + tui_putf(t, 0, x + 2, t->cols - x - 3, a, "%s", subject);
	/* The architecture at the right, when it fits. */
	int mw = text_width(model);
	if (model[0] && x + 4 + mw < t->cols)
		tui_put(t, 0, t->cols - mw - 1, mw, a, model);
}

static void draw_status(struct tui *t)
{
	const struct session *s = t->s;
	struct rect r = t->status;
	attr_t a = palette_ui(&t->pal, PAL_STATUS);
	band(r.y, 0, t->cols, a);
	/* Right: where we are, compactly; the detail pane has the rest. */
	char where[256] = "";
	const struct stage *st = session_stage(s);
	if (st) {
		size_t o = (size_t)snprintf(where, sizeof where, "%s", st->title);
		if (st->block >= 0)
			o += (size_t)snprintf(where + o, sizeof where - o, "  layer %d", session_layer(s));
		if (s->pipe.nheads > 1 && s->head < 0)
			o += (size_t)snprintf(where + o, sizeof where - o, "  all heads");
		else if (s->pipe.nheads > 1)
			o += (size_t)snprintf(where + o, sizeof where - o, "  head %d", s->head);
		o += (size_t)snprintf(where + o, sizeof where - o, "  %d/%d", s->walk + 1, s->pipe.nwalk);
		if (s->diff_mode && s->have_diff)
			snprintf(where + o, sizeof where - o, "  Δ");
	} else if (s->show[0]) {
		snprintf(where, sizeof where, "show %s", s->show);
	}
	/* A running task (live training) says how far it is instead. */
	if (s->task.status[0])
		snprintf(where, sizeof where, "%s", s->task.status);
	const char *left = t->cmd_focus && t->rl_matches[0] ? t->rl_matches : t->msg;
	int rw = (int)strlen(where) + 2;
	/* A message has priority over the position, which is in the pane too. */
	int task = s->task.status[0] != 0;
	if (left[0] && text_width(left) + rw + 2 > t->cols && !task)
		rw = 0;
	if (rw > (task ? t->cols - 12 : t->cols / 2))
		rw = task ? t->cols - 12 : t->cols / 2;
	if (rw)
		tui_put(t, r.y, t->cols - rw, rw - 1, a, where);
	int lw = t->cols - rw - 2;
	if (t->cmd_focus && t->rl_matches[0])
		tui_put(t, r.y, 1, lw, a, t->rl_matches);
	else if (t->msg[0])
		tui_put(t, r.y, 1, lw, t->msg_err ? palette_ui(&t->pal, PAL_ERROR) : a, t->msg);
	else if (!s->have_trace)
		tui_put(t, r.y, 1, lw, a, ": command   load MODEL, then translate SENTENCE");
	else if (session_plot_offer(s, NULL)) /* the plot is one key away */
		tui_put(t, r.y, 1, lw, a,
			session_plotting(s, NULL) ? "n next  p back  arrows points  Enter explain  v matrices  : command  ? help"
						  : "n next  p back  Enter explain  v plot  : command  ? help  q quit");
	else
		tui_put(t, r.y, 1, lw, a, "n next  p back  Enter explain  : command  ? help  q quit");
}

static void draw_pager(struct tui *t)
{
	int w = t->cols - 4 < 100 ? t->cols - 4 : 100, h = t->rows - 4;
	int y = 2, x = (t->cols - w) / 2;
	attr_t fr = palette_ui(&t->pal, PAL_FRAME), tx = palette_ui(&t->pal, PAL_TEXT);
	for (int i = 0; i < h; i++) {
		attrset(tx);
		mvhline(y + i, x, ' ', w);
	}
	vrule(t, y, x, h);
	vrule(t, y, x + w - 1, h);
	hrule(t, y, x, w);
	hrule(t, y + h - 1, x, w);
	static const char *const corner[2][4] = {{"+", "+", "+", "+"},
						 {"\xe2\x94\x8c", "\xe2\x94\x90", "\xe2\x94\x94", "\xe2\x94\x98"}};
	tui_put(t, y, x, 1, fr, corner[t->utf8][0]);
	tui_put(t, y, x + w - 1, 1, fr, corner[t->utf8][1]);
	tui_put(t, y + h - 1, x, 1, fr, corner[t->utf8][2]);
	tui_put(t, y + h - 1, x + w - 1, 1, fr, corner[t->utf8][3]);
	tui_putf(t, y, x + 2, w - 4, palette_ui(&t->pal, PAL_SECTION), " %s ", t->pager_title);
	struct rect in = {y + 1, x + 2, h - 2, w - 4};
	/* Count the wrapped lines once to bound the scroll. */
	int total = tui_text(t, (struct rect){in.y, in.x, 0, in.w}, 0, tx, t->pager);
	if (t->pager_top > total - in.h)
		t->pager_top = total - in.h > 0 ? total - in.h : 0;
	tui_text(t, in, t->pager_top, tx, t->pager);
	tui_put(t, y + h - 1, x + 2, w - 4, fr, " arrows/PgUp/PgDn scroll, q or Esc closes ");
}

void tui_draw(struct tui *t, int full)
{
	struct session *s = t->s;
	if ((int)s->theme != t->theme_applied)
		tui_apply_theme(t);
	t->nhits = 0;
	erase();
	if (full)
		clearok(curscr, TRUE);
	if (t->cols < TUI_MIN_COLS || t->rows < TUI_MIN_ROWS) {
		char m[128];
		snprintf(m, sizeof m, "enlarge the terminal: at least %dx%d (now %dx%d)", TUI_MIN_COLS, TUI_MIN_ROWS,
			 t->cols, t->rows);
		int y = t->rows / 2, x = (t->cols - (int)strlen(m)) / 2;
		tui_put(t, y < 0 ? 0 : y, x < 0 ? 0 : x, t->cols, A_BOLD, m);
		curs_set(0);
		refresh();
		return;
	}
	do_layout(t);
	draw_title(t);
	/* Frames: a rule between the pipeline and the rest, and one above
	 * the detail pane (or beside it on wide screens). */
	vrule(t, t->pipe.y, t->pipe.w, t->pipe.h);
	if (t->detail.y > t->main.y)
		hrule(t, t->detail.y - 1, t->main.x, t->main.w);
	else
		vrule(t, t->detail.y, t->detail.x - 1, t->detail.h);
	draw_pipeline(t);
	if (s->have_trace) {
		tui_view_current(t)->draw(t, t->main);
	} else {
		tui_text(t, t->main, 0, palette_ui(&t->pal, PAL_TEXT),
			 "No model is loaded.\n\nType : then\n  models            to list the shipped models\n"
			 "  load NAME|FOLDER  to open one\n  translate SENTENCE");
	}
	if (t->detail.y > t->main.y)
		tui_put(t, t->detail.y - 1, t->main.x + 2, t->main.w - 4, palette_ui(&t->pal, PAL_SECTION), " detail ");
	draw_detail(t);
	draw_status(t);
	if (t->pager)
		draw_pager(t);
	tui_rl_draw(t);
	refresh();
}

/* The stage views. Each is an ops table; most draw the stage's panels with
 * tui_panels and add what that stage needs underneath (sinusoid curves,
 * gate bars). Every number drawn is read from the trace. */
#include "base/textwidth.h"
#include "tui/tui.h"

#include <math.h>
#include <string.h>

#define MIDDOT "\xc2\xb7"

static int nothing_key(struct tui *t, int key)
{
	(void)t;
	(void)key;
	return 0;
}

static void nothing(struct tui *t)
{
	(void)t;
}

static void hit_vertical(struct tui *t, struct rect r, int panel, int first)
{
	if (t->nhits >= (int)(sizeof t->hits / sizeof *t->hits))
		return;
	struct hit *h = &t->hits[t->nhits++];
	memset(h, 0, sizeof *h);
	h->r = r;
	h->panel = panel;
	h->c0 = first;
	h->cw = -1; /* one tensor column per screen line */
}

/* ---- matrix: the panels and nothing else ---- */

static void matrix_draw(struct tui *t, struct rect r)
{
	tui_panels(t, r, 0);
}

const struct view_ops view_matrix = {"matrix", matrix_draw, nothing_key, nothing, nothing};

/* ---- embedding + positions: the panels, then curves of a few dims ---- */

static void curve(struct tui *t, struct rect r, const struct tensor *pos, int dim, float m, int sel_row,
		  int highlight)
{
	char title[64];
	int sinus = pos->prov.kind == PROV_SINUSOID;
	snprintf(title, sizeof title, "dim %d%s", dim, sinus ? (dim % 2 ? " (cos)" : " (sin)") : "");
	tui_put(t, r.y, r.x, r.w, highlight ? palette_ui(&t->pal, PAL_SELLABEL) : palette_ui(&t->pal, PAL_LABEL),
		title);
	int h = r.h - 1, T = pos->rows;
	int step = T * 2 <= r.w ? 2 : 1;
	int zero = (h - 1) / 2;
	for (int x = 0; x < T * step && x < r.w; x++)
		tui_put(t, r.y + 1 + zero, r.x + x, 1, palette_ui(&t->pal, PAL_DIM), "-");
	for (int p = 0; p < T && p * step < r.w; p++) {
		float v = tensor_at(pos, p, dim);
		if (!isfinite(v))
			continue;
		int row = (int)lrintf((m - v) / (2 * m) * (float)(h - 1));
		row = row < 0 ? 0 : row >= h ? h - 1 : row;
		attr_t a = p == sel_row ? palette_ui(&t->pal, PAL_SELLABEL)
					: highlight ? palette_ui(&t->pal, PAL_HEADCOL) : palette_ui(&t->pal, PAL_SECTION);
		tui_put(t, r.y + 1 + row, r.x + p * step, 1, a, t->utf8 ? "\xe2\x97\x8f" : "*");
	}
}

static void embedpos_draw(struct tui *t, struct rect r)
{
	int want = r.h >= 24 ? 8 : 6;
	struct rect below = tui_panels(t, r, want);
	const struct tensor *pos = session_panel(t->s, 1, NULL, 0);
	if (!pos || below.h < 4 || pos->cols < 1)
		return;
	float m = 0;
	for (size_t i = 0; i < (size_t)pos->rows * (size_t)pos->cols; i++)
		if (isfinite(pos->data[i]) && fabsf(pos->data[i]) > m)
			m = fabsf(pos->data[i]);
	if (m == 0)
		m = 1;
	tui_putf(t, below.y, below.x, below.w, palette_ui(&t->pal, PAL_DIM),
		 "%s, by position (x) - the cursor's dim first:", pos->name);
	int T = pos->rows;
	int cw = (T * 2 <= 40 ? T * 2 : T) + 2;
	if (cw < 14)
		cw = 14;
	int n = below.w / cw;
	n = n > 4 ? 4 : n < 1 ? 1 : n;
	int sel = t->s->panel == 1 || t->s->panel == 0 || t->s->panel == 2 ? t->s->col : 0;
	int dims[4] = {sel, 0, 1, pos->cols / 2 - pos->cols / 2 % 2};
	int shown = 0;
	for (int i = 0; i < 4 && shown < n; i++) {
		int d = dims[i];
		if (d < 0 || d >= pos->cols)
			continue;
		int dup = 0;
		for (int j = 0; j < i; j++)
			dup |= dims[j] == d;
		if (dup)
			continue;
		struct rect cr = {below.y + 1, below.x + shown * cw, below.h - 1, cw - 2};
		if (cr.h > 7)
			cr.h = 7;
		curve(t, cr, pos, d, m, t->s->row, i == 0);
		shown++;
	}
}

const struct view_ops view_embedpos = {"embedpos", embedpos_draw, nothing_key, nothing, nothing};

/* ---- tokens: the source and decoder input as tables ---- */

static void token_table(struct tui *t, struct rect r, const struct tensor *tn, const char *title,
			int panel)
{
	const struct session *s = t->s;
	int focused = s->panel == panel;
	tui_put(t, r.y, r.x, r.w, focused ? palette_ui(&t->pal, PAL_SECTION) : palette_ui(&t->pal, PAL_DIM),
		title);
	if (!tn)
		return;
	tui_put(t, r.y + 1, r.x, r.w, palette_ui(&t->pal, PAL_DIM), "  #  token            id");
	int vis = r.h - 2, n = tn->cols;
	int first = focused ? t->c0[panel] : 0;
	if (focused) {
		if (s->col < first)
			first = s->col;
		if (s->col >= first + vis)
			first = s->col - vis + 1;
	}
	first = first > n - vis ? n - vis : first;
	first = first < 0 ? 0 : first;
	t->c0[panel] = first;
	char lab[64], cell[128];
	for (int i = first; i < n && i - first < vis; i++) {
		int y = r.y + 2 + i - first;
		attr_t a = focused && i == s->col ? palette_ui(&t->pal, PAL_SELLABEL) : palette_ui(&t->pal, PAL_TEXT);
		char tok[64];
		text_fit(tok, sizeof tok, axis_label(&tn->col, i, lab, sizeof lab), 14);
		int pad = 14 - text_width(tok);
		snprintf(cell, sizeof cell, "%3d  %s%*s %5.0f", i, tok, pad > 0 ? pad : 0, "", tensor_at(tn, 0, i));
		tui_put(t, y, r.x, r.w, a, cell);
	}
	hit_vertical(t, (struct rect){r.y + 2, r.x, vis < n - first ? vis : n - first, r.w}, panel, first);
}

static void tokens_draw(struct tui *t, struct rect r)
{
	const struct session *s = t->s;
	attr_t dim = palette_ui(&t->pal, PAL_DIM);
	int y = r.y;
	char sent[SESSION_TEXT];
	text_sanitize(sent, sizeof sent, s->source);
	tui_putf(t, y++, r.x, r.w, palette_ui(&t->pal, PAL_TEXT), "sentence:    %s", sent);
	tui_putf(t, y++, r.x, r.w, palette_ui(&t->pal, PAL_TEXT), "translation: %s", s->translation);
	if (s->target[0])
		tui_putf(t, y++, r.x, r.w, dim, "(teacher forcing: the decoder reads the given target)");
	if (s->n_unknown)
		tui_putf(t, y++, r.x, r.w, palette_ui(&t->pal, PAL_ERROR), "%d unknown word%s became <unk>: %s",
			 s->n_unknown, s->n_unknown > 1 ? "s" : "", s->unknown);
	y++;
	const struct tensor *src = session_panel(s, 0, NULL, 0), *tgt = session_panel(s, 1, NULL, 0);
	const struct tensor *merges = trace_get(&s->trace, "src.bpe.merges");
	int ncol = merges ? 3 : 2;
	int w = r.w / ncol - 1;
	if (w > 34)
		w = 34;
	struct rect a = {y, r.x, r.y + r.h - y, w};
	token_table(t, a, src, "source tokens (src.tokens)", 0);
	a.x += w + 2;
	token_table(t, a, tgt, "decoder input (tgt.tokens)", 1);
	if (merges) {
		/* The merges the tokenizer applied, in order, with their rank. */
		a.x += w + 2;
		a.w = r.x + r.w - a.x;
		tui_put(t, a.y, a.x, a.w, palette_ui(&t->pal, PAL_SECTION), "BPE merges applied (src.bpe.merges)");
		tui_put(t, a.y + 1, a.x, a.w, dim, "  #  left + right       rank");
		char lab[64];
		for (int i = 0; i < merges->rows && i < a.h - 2; i++)
			tui_putf(t, a.y + 2 + i, a.x, a.w, palette_ui(&t->pal, PAL_TEXT), "%3d  %-18s %5.0f", i,
				 axis_label(&merges->row, i, lab, sizeof lab), tensor_at(merges, i, 0));
		if (merges->rows > a.h - 2 && a.h > 2)
			tui_putf(t, a.y + a.h - 1, a.x, a.w, dim, "... %d merges in all (show src.bpe.merges)",
				 merges->rows);
	}
}

static int tokens_key(struct tui *t, int key)
{
	switch (key) {
	case KEY_UP: case 'k': session_move(t->s, 0, -1); return 1;
	case KEY_DOWN: case 'j': session_move(t->s, 0, 1); return 1;
	case KEY_LEFT: case 'h': session_focus(t->s, 0); return 1;
	case KEY_RIGHT: case 'l': session_focus(t->s, 1); return 1;
	}
	return 0;
}

const struct view_ops view_tokens = {"tokens", tokens_draw, tokens_key, nothing, nothing};

/* ---- decoder step t: the attention rows and the top-k next tokens ---- */

/* One row of attention weights as bars; masked cells read from the scores
 * of the same head (their -inf), never guessed. */
static int weight_row(struct tui *t, struct rect r, const struct tensor *w, const struct tensor *sc,
		      int row, const char *title)
{
	attr_t dim = palette_ui(&t->pal, PAL_DIM);
	tui_put(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_SECTION), title);
	if (!w) {
		tui_put(t, r.y + 1, r.x, r.w, dim, "(not in this trace)");
		return 2;
	}
	int y = r.y + 1, lw = r.w < 40 ? 8 : 12, bw = r.w - lw - 9;
	bw = bw > 40 ? 40 : bw < 4 ? 4 : bw;
	char lab[64];
	int masked_from = -1;
	int c = 0;
	for (; c < w->cols && y < r.y + r.h; c++) {
		int masked = sc && sc->rows == w->rows && sc->cols == w->cols && isinf(tensor_at(sc, row, c)) &&
			     tensor_at(sc, row, c) < 0;
		if (masked) {
			if (masked_from < 0)
				masked_from = c;
			continue;
		}
		if (y == r.y + r.h - 1 && c < w->cols - 1) {
			/* No room for the rest: say so rather than cut silently. */
			tui_putf(t, y++, r.x, r.w, dim, "... %d more (a taller window shows all)", w->cols - c);
			break;
		}
		tui_put(t, y, r.x, lw - 1, palette_ui(&t->pal, PAL_LABEL), axis_label(&w->col, c, lab, sizeof lab));
		float v = tensor_at(w, row, c);
		tui_bar(t, y, r.x + lw, bw, v, palette_ui(&t->pal, PAL_BAR));
		tui_putf(t, y, r.x + lw + bw + 1, 8, palette_ui(&t->pal, PAL_TEXT), "%.4f", v);
		y++;
	}
	if (masked_from >= 0 && y < r.y + r.h) {
		tui_putf(t, y, r.x, r.w, palette_ui(&t->pal, PAL_MASK), " x ");
		tui_putf(t, y, r.x + 4, r.w - 4, dim, "%d later position%s masked (-inf before softmax)",
			 w->cols - masked_from, w->cols - masked_from > 1 ? "s" : "");
		y++;
	}
	return y - r.y;
}

static const struct tensor *scores_for(const struct session *s, const char *weights_name)
{
	char sc[STAGE_NAME * 2];
	snprintf(sc, sizeof sc, "%s", weights_name);
	char *p = strstr(sc, "weights_avg");
	if (p) /* every head shares the causal mask: head 0's scores show it */
		snprintf(p, sizeof sc - (size_t)(p - sc), "h0.scores");
	else if ((p = strstr(sc, ".weights")))
		snprintf(p, sizeof sc - (size_t)(p - sc), ".scores");
	return trace_get(&s->trace, sc);
}

static void topk_bars(struct tui *t, struct rect r, const struct tensor *tp, const struct tensor *ids,
		      int row)
{
	const struct session *s = t->s;
	tui_putf(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_SECTION), "top-%d next tokens (decode.topk, row %d)",
		 tp->cols, row);
	int tw = r.w < 40 ? 8 : 10;
	int bw = r.w - 3 - tw - 1 - 8;
	bw = bw > 50 ? 50 : bw < 3 ? 3 : bw;
	int y = r.y + 1;
	for (int i = 0; i < tp->cols && y < r.y + r.h; i++, y++) {
		char tok[64] = "?";
		if (ids) {
			int id = (int)tensor_at(ids, row, i);
			if (s->model && s->model->cfg.arch != ARCH_SELF_ATTENTION)
				snprintf(tok, sizeof tok, "%s", vocab_token(&s->model->tgt_vocab, id));
			else
				snprintf(tok, sizeof tok, "%d", id);
		}
		attr_t la = i == s->col ? palette_ui(&t->pal, PAL_SELLABEL) : palette_ui(&t->pal, PAL_LABEL);
		tui_putf(t, y, r.x, 3, palette_ui(&t->pal, PAL_DIM), "%d.", i + 1);
		tui_put(t, y, r.x + 3, tw, la, tok);
		float v = tensor_at(tp, row, i);
		tui_bar(t, y, r.x + 3 + tw + 1, bw, v, palette_ui(&t->pal, PAL_BAR));
		tui_putf(t, y, r.x + 3 + tw + 2 + bw, 7, palette_ui(&t->pal, PAL_TEXT), "%.4f", v);
	}
	hit_vertical(t, (struct rect){r.y + 1, r.x, y - r.y - 1, r.w}, 0, 0);
}

static void step_draw(struct tui *t, struct rect r)
{
	const struct session *s = t->s;
	char n1[STAGE_NAME * 2], n2[STAGE_NAME * 2], lab[64], title[256];
	const struct tensor *tp = session_panel(s, 0, NULL, 0);
	const struct tensor *ids = trace_get(&s->trace, "decode.topk.ids");
	const struct tensor *self = session_panel(s, 1, n1, sizeof n1);
	const struct tensor *cross = session_panel(s, 2, n2, sizeof n2);
	const struct tensor *tgt = trace_get(&s->trace, "tgt.tokens");
	if (!tp) {
		tui_put(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_DIM), "decode.topk.probs is not in this trace");
		return;
	}
	int row = s->row < tp->rows ? s->row : tp->rows - 1;
	const char *in = tgt && row < tgt->cols ? axis_label(&tgt->col, row, lab, sizeof lab) : "?";
	tui_putf(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_SECTION),
		 "decoder step t=%d of %d: reads '%s', predicts the next token", row, tp->rows, in);
	tui_put(t, r.y + 1, r.x, r.w, palette_ui(&t->pal, PAL_DIM), "j/k: step t   h/l: candidate");
	struct rect a = {r.y + 3, r.x, r.h - 3, r.w};
	if (!self && !cross) {
		topk_bars(t, a, tp, ids, row);
		return;
	}
	/* Wide: attention rows side by side and the candidates on the right;
	 * narrow: the rows stacked on the left. */
	int three = r.w >= 120 && self && cross;
	int colw = three ? (r.w - 4) / 3 : (r.w - 2) / 2;
	struct rect left = {a.y, a.x, a.h, colw};
	struct rect mid = three ? (struct rect){a.y, a.x + colw + 2, a.h, colw} : left;
	struct rect right = {a.y, a.x + (three ? 2 * colw + 4 : colw + 2), a.h, 0};
	right.w = r.x + r.w - right.x;
	int used = 0;
	if (self) {
		snprintf(title, sizeof title, "masked self-attn, row %d", row);
		used = weight_row(t, left, self, scores_for(s, n1), row, title);
	}
	if (cross) {
		if (!three && self) {
			mid.y = left.y + used + 1;
			mid.h = left.h - used - 1;
		}
		snprintf(title, sizeof title, "%s, row %d", s->pipe.arch == ARCH_TRANSFORMER ? "cross-attention" : "alignment",
			 row);
		if (mid.h >= 2)
			weight_row(t, mid, cross, NULL, row, title);
	}
	topk_bars(t, right, tp, ids, row);
}

static int step_key(struct tui *t, int key)
{
	switch (key) {
	case KEY_UP: case 'k': session_move(t->s, -1, 0); return 1;
	case KEY_DOWN: case 'j': session_move(t->s, 1, 0); return 1;
	}
	return 0;
}

const struct view_ops view_step = {"step", step_draw, step_key, nothing, nothing};

/* ---- recurrent gates: heatmaps over time, bars for the selected step ---- */

static const char *gate_name(const char *tensor)
{
	const char *g = strrchr(tensor, '.');
	g = g ? g + 1 : tensor;
	static const char *const names[][2] = {
		{"i", "input gate"}, {"f", "forget gate"}, {"g", "candidate"}, {"o", "output gate"},
		{"r", "reset gate"}, {"z", "update gate"}, {"n", "candidate"},
	};
	for (size_t i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(g, names[i][0]) == 0)
			return names[i][1];
	return g;
}

/* A bar centred on 0 for values in [-1, 1] (tanh). */
static void signed_bar(struct tui *t, int y, int x, int w, float v)
{
	int half = w / 2;
	v = v < -1 ? -1 : v > 1 ? 1 : v;
	int n = (int)lrintf(fabsf(v) * (float)half);
	for (int i = 0; i < w; i++) {
		int on = v >= 0 ? (i >= half && i < half + n) : (i < half && i >= half - n);
		if (on)
			tui_put(t, y, x + i, 1, t->pal.mode == PAL_MONO ? A_BOLD : palette_ui(&t->pal, PAL_BAR),
				t->pal.mode == PAL_MONO ? "#" : " ");
		else
			tui_put(t, y, x + i, 1, palette_ui(&t->pal, PAL_DIM), i == half ? "|" : t->utf8 ? MIDDOT : ".");
	}
}

static void gates_draw(struct tui *t, struct rect r)
{
	const struct session *s = t->s;
	int n = session_npanels(s);
	struct rect below = tui_panels(t, r, n + 3);
	if (below.h < 3)
		return;
	const struct tensor *f = session_focused(s);
	if (!f)
		return;
	char lab[64], name[STAGE_NAME * 2];
	tui_putf(t, below.y, below.x, below.w, palette_ui(&t->pal, PAL_SECTION), "step t=%d (%s), unit %d:",
		 s->row, axis_label(&f->row, s->row, lab, sizeof lab), s->col);
	int y = below.y + 1, bw = below.w - 31;
	bw = bw > 40 ? 40 : bw;
	for (int i = 0; i < n && y < below.y + below.h; i++, y++) {
		const struct tensor *g = session_panel(s, i, name, sizeof name);
		if (!g || s->row >= g->rows || s->col >= g->cols)
			continue;
		float v = tensor_at(g, s->row, s->col);
		int tanh_gate = g->prov.kind == PROV_GATE && g->prov.len == 1;
		tui_putf(t, y, below.x, 20, i == s->panel ? palette_ui(&t->pal, PAL_SELLABEL) : palette_ui(&t->pal, PAL_LABEL),
			 "%-2s %s%s", strrchr(name, '.') ? strrchr(name, '.') + 1 : name, gate_name(name),
			 tanh_gate ? " (tanh)" : "");
		if (tanh_gate)
			signed_bar(t, y, below.x + 20, bw, v);
		else
			tui_bar(t, y, below.x + 20, bw, v, palette_ui(&t->pal, PAL_BAR));
		tui_putf(t, y, below.x + 21 + bw, 9, palette_ui(&t->pal, PAL_TEXT), "%8.4f", v);
	}
	/* The states the gates produce, from the same layer. */
	char pfx[STAGE_NAME * 2];
	session_panel(s, 0, pfx, sizeof pfx);
	char *gp = strstr(pfx, ".gate.");
	if (!gp || y >= below.y + below.h)
		return;
	*gp = 0;
	char cn[STAGE_NAME * 2 + 8], hn[STAGE_NAME * 2 + 8], c0n[STAGE_NAME * 2 + 8];
	snprintf(cn, sizeof cn, "%s.c", pfx);
	snprintf(hn, sizeof hn, "%s.h", pfx);
	snprintf(c0n, sizeof c0n, "%s.c0", pfx);
	const struct tensor *c = trace_get(&s->trace, cn), *h = trace_get(&s->trace, hn);
	const struct tensor *c0 = trace_get(&s->trace, c0n);
	int x = below.x;
	if (c && s->row < c->rows && s->col < c->cols) {
		const struct tensor *prev = s->row > 0 ? c : c0;
		int pr = s->row > 0 ? s->row - 1 : 0;
		if (prev && pr < prev->rows && s->col < prev->cols)
			x += tui_putf(t, y, x, below.x + below.w - x, palette_ui(&t->pal, PAL_TEXT),
				      "c_{t-1} = %.4f   ", tensor_at(prev, pr, s->col));
		x += tui_putf(t, y, x, below.x + below.w - x, palette_ui(&t->pal, PAL_TEXT), "c_t = %.4f   ",
			      tensor_at(c, s->row, s->col));
	}
	if (h && s->row < h->rows && s->col < h->cols)
		tui_putf(t, y, x, below.x + below.w - x, palette_ui(&t->pal, PAL_TEXT), "h_t = %.4f",
			 tensor_at(h, s->row, s->col));
}

const struct view_ops view_gates = {"gates", gates_draw, nothing_key, nothing, nothing};

/* ---- bars: one value per time step (gradient norms) ---- */

static void bars_draw(struct tui *t, struct rect r)
{
	const struct session *s = t->s;
	char name[STAGE_NAME * 2], lab[64];
	const struct tensor *v = session_panel(s, 0, name, sizeof name);
	if (!v) {
		tui_putf(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_DIM), "%s: not in this trace", name);
		return;
	}
	tui_putf(t, r.y, r.x, r.w, palette_ui(&t->pal, PAL_SECTION), "%s [%d]", name, v->rows * v->cols);
	tui_put(t, r.y + 1, r.x, r.w, palette_ui(&t->pal, PAL_DIM), v->desc ? v->desc : "");
	int n = v->rows * v->cols;
	int along_cols = v->rows == 1;
	float m = 0;
	for (int i = 0; i < n; i++)
		if (isfinite(v->data[i]) && fabsf(v->data[i]) > m)
			m = fabsf(v->data[i]);
	int sel = along_cols ? s->col : s->row;
	int vis = r.h - 3, first = tui_scroll(&t->c0[0], sel, vis, n);
	int bw = r.w - 26;
	bw = bw > 60 ? 60 : bw;
	for (int i = first; i < n && i - first < vis; i++) {
		int y = r.y + 3 + i - first;
		const struct axis *ax = along_cols ? &v->col : &v->row;
		attr_t la = i == sel ? palette_ui(&t->pal, PAL_SELLABEL) : palette_ui(&t->pal, PAL_LABEL);
		tui_putf(t, y, r.x, 12, la, "%3d %s", i, axis_label(ax, i, lab, sizeof lab));
		float x = v->data[i];
		tui_bar(t, y, r.x + 13, bw, m > 0 ? fabsf(x) / m : 0, palette_ui(&t->pal, PAL_BAR));
		tui_putf(t, y, r.x + 14 + bw, 12, palette_ui(&t->pal, PAL_TEXT), "%.4g", x);
	}
	hit_vertical(t, (struct rect){r.y + 3, r.x, n - first < vis ? n - first : vis, r.w}, 0, first);
}

static int bars_key(struct tui *t, int key)
{
	const struct tensor *v = session_focused(t->s);
	int along_cols = v && v->rows == 1;
	switch (key) {
	case KEY_UP: case 'k': session_move(t->s, along_cols ? 0 : -1, along_cols ? -1 : 0); return 1;
	case KEY_DOWN: case 'j': session_move(t->s, along_cols ? 0 : 1, along_cols ? 1 : 0); return 1;
	}
	return 0;
}

const struct view_ops view_bars = {"bars", bars_draw, bars_key, nothing, nothing};

const struct view_ops *tui_view_current(const struct tui *t)
{
	if (session_plotting(t->s, NULL))
		return &view_plot;
	const struct stage *st = session_stage(t->s);
	return tui_view_for(st ? st->view : VIEW_MATRIX);
}

const struct view_ops *tui_view_for(enum view_kind k)
{
	switch (k) {
	case VIEW_TOKENS: return &view_tokens;
	case VIEW_EMBEDPOS: return &view_embedpos;
	case VIEW_STEP: return &view_step;
	case VIEW_GATES: return &view_gates;
	case VIEW_BARS: return &view_bars;
	case VIEW_GRAD: return &view_grad;
	case VIEW_MATRIX:
	case VIEW_COUNT: break;
	}
	return &view_matrix;
}

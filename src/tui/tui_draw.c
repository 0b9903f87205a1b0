/* Drawing primitives shared by the views: clipped UTF-8 text, the labelled
 * matrix (heatmap or numbers), legends, bars, word-wrapped text, and the
 * layout of a stage's panels. */
#include "trace/render_text.h"
#include "base/textwidth.h"
#include "tui/tui.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

/* Without a UTF-8 terminal every non-ASCII character becomes '?' per cell,
 * so widths stay right and no raw bytes reach the terminal. */
static void asciify(char *s)
{
	char *o = s;
	for (const char *p = s; *p;) {
		unsigned char ch = (unsigned char)*p;
		if (ch < 0x80) {
			*o++ = *p++;
			continue;
		}
		uint32_t cp;
		size_t n = utf8_decode(p, strlen(p), &cp);
		int w = n ? codepoint_width(cp) : 1;
		p += n ? n : 1;
		for (int i = 0; i < (w < 1 ? 1 : w); i++)
			*o++ = '?';
	}
	*o = 0;
}

int tui_put(struct tui *t, int y, int x, int w, attr_t a, const char *s)
{
	if (w <= 0 || y < 0 || y >= t->rows || x < 0 || x >= t->cols)
		return 0;
	if (x + w > t->cols)
		w = t->cols - x;
	char buf[1024];
	int n = text_fit(buf, sizeof buf, s ? s : "", w);
	if (!t->utf8)
		asciify(buf);
	attrset(a);
	mvaddstr(y, x, buf);
	attrset(A_NORMAL);
	return n;
}

int tui_putf(struct tui *t, int y, int x, int w, attr_t a, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return tui_put(t, y, x, w, a, buf);
}

static void fill(struct tui *t, int y, int x, int w, attr_t a, char ch)
{
	if (y < 0 || y >= t->rows || w <= 0)
		return;
	attrset(a);
	for (int i = 0; i < w && x + i < t->cols; i++)
		mvaddch(y, x + i, (chtype)(unsigned char)ch);
	attrset(A_NORMAL);
}

int tui_scroll(int *first, int sel, int vis, int n)
{
	int f = *first;
	if (sel < f)
		f = sel;
	if (sel >= f + vis)
		f = sel - vis + 1;
	f = f > n - vis ? n - vis : f;
	f = f < 0 ? 0 : f;
	return *first = f;
}

void tui_bar(struct tui *t, int y, int x, int w, float v, attr_t a)
{
	if (w <= 0 || !isfinite(v))
		return;
	v = v < 0 ? 0 : v > 1 ? 1 : v;
	int n = (int)lrintf(v * (float)w);
	if (t->pal.mode == PAL_MONO) {
		fill(t, y, x, n, A_BOLD, '#');
		fill(t, y, x + n, w - n, A_DIM, '.');
		return;
	}
	fill(t, y, x, n, a, ' ');
	/* A faint track shows the bar's full length (1.0). */
	for (int i = n; i < w; i++)
		tui_put(t, y, x + i, 1, palette_ui(&t->pal, PAL_DIM), t->utf8 ? "\xc2\xb7" : ".");
}

static void fmt_value(char *buf, size_t n, float v, int decimals)
{
	if (isinf(v))
		snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
	else if (isnan(v))
		snprintf(buf, n, "nan");
	else if (decimals < 0)
		snprintf(buf, n, "%.1e", v);
	else
		snprintf(buf, n, "%.*f", decimals, v);
}

void tui_legend(struct tui *t, int y, int x, int w, const struct scale *sc, int masked)
{
	char lo[32], hi[32];
	snprintf(lo, sizeof lo, "%.3g", sc->lo);
	snprintf(hi, sizeof hi, "%.3g", sc->hi);
	int steps = t->pal.mode == PAL_MONO ? (int)sizeof RENDER_RAMP - 1
					       : sc->diverging ? t->pal.ndiv : t->pal.nseq;
	int cw = t->pal.mode == PAL_MONO ? 1 : 2;
	int need = (int)strlen(lo) + 2 + steps * cw + 2 + (int)strlen(hi);
	if (need > w) {
		steps = (w - (int)strlen(lo) - (int)strlen(hi) - 4) / cw;
		if (steps < 2)
			return;
	}
	int cx = x;
	cx += tui_put(t, y, cx, w, palette_ui(&t->pal, PAL_DIM), lo);
	cx++;
	for (int i = 0; i < steps; i++) {
		char g = ' ';
		attr_t a = palette_step(&t->pal, sc, i, steps, &g);
		if (t->pal.mode == PAL_MONO)
			g = RENDER_RAMP[(int)lrintf((float)i / (float)(steps > 1 ? steps - 1 : 1) *
						    (float)(sizeof RENDER_RAMP - 2))];
		fill(t, y, cx, cw, a, t->pal.mode == PAL_MONO || t->pal.glyphs ? g : ' ');
		cx += cw;
	}
	cx++;
	cx += tui_put(t, y, cx, x + w - cx, palette_ui(&t->pal, PAL_DIM), hi);
	if (sc->diverging && cx + 8 < x + w)
		cx += 1 + tui_put(t, y, cx + 1, x + w - cx - 1, palette_ui(&t->pal, PAL_DIM), "(0 mid)");
	if (masked && cx + 12 < x + w) {
		cx += 2;
		fill(t, y, cx, 1, palette_ui(&t->pal, PAL_MASK), 'x');
		tui_put(t, y, cx + 2, x + w - cx - 2, palette_ui(&t->pal, PAL_DIM), "= -inf (masked)");
	}
}

/* How a tensor is laid out in a rectangle: label column, cell width and
 * height (heatmaps grow to fill a big screen), and the number format. */
struct mlayout {
	int lw, cw, rh, decimals, vis_rows, vis_cols, label_every;
};

static int max_label(const struct axis *a, int n, int cap)
{
	char buf[64];
	int m = 1;
	int step = n > 256 ? n / 256 : 1; /* long axes: a sample is enough */
	for (int i = 0; i < n; i += step) {
		int w = text_width(axis_label(a, i, buf, sizeof buf));
		m = w > m ? w : m;
		if (m >= cap)
			return cap;
	}
	return m;
}

static int decimals_for(const struct tensor *tn)
{
	if (tn->integer)
		return 0;
	float m = 0;
	size_t n = (size_t)tn->rows * (size_t)tn->cols;
	for (size_t i = 0; i < n; i++)
		if (isfinite(tn->data[i]) && fabsf(tn->data[i]) > m)
			m = fabsf(tn->data[i]);
	return m < 10 ? 4 : m < 100 ? 3 : m < 1000 ? 2 : m < 10000 ? 1 : -1;
}

static void layout(const struct tensor *tn, int w, int h, int numbers, int legend, int hide_rows,
		   struct mlayout *L)
{
	int cap = w < 40 ? 6 : 12;
	L->lw = (hide_rows || tn->ndim == 1 ? 0 : max_label(&tn->row, tn->rows, cap)) + 1;
	L->decimals = numbers ? decimals_for(tn) : 4;
	L->rh = 1;
	int avail = w - L->lw;
	int lab = max_label(&tn->col, tn->cols, 7);
	int body_h = h - 2 - (legend ? 1 : 0);
	if (numbers) {
		L->cw = L->decimals < 0 ? 9 : 8;
	} else {
		/* Token labels get cells they fit in; plain indices get square
		 * cells (two columns), and wide tensors shrink to one. */
		L->cw = tn->col.labels ? (lab + 1 < 3 ? 3 : lab + 1 > 6 ? 6 : lab + 1) : 2;
		while (L->cw > 2 && tn->cols * L->cw > avail)
			L->cw--;
		if (tn->cols * L->cw > avail && tn->cols > avail / 2)
			L->cw = 1;
		/* Room to spare (a projector): bigger, roughly square cells. */
		if (tn->cols * L->cw <= avail && tn->rows <= body_h) {
			int cw = avail / tn->cols, rh = body_h / tn->rows;
			cw = cw > 12 ? 12 : cw;
			rh = rh > 3 ? 3 : rh < 1 ? 1 : rh;
			if (rh > (cw + 1) / 2)
				rh = (cw + 1) / 2 < 1 ? 1 : (cw + 1) / 2;
			if (cw > 2 * rh + 2)
				cw = 2 * rh + 2 > L->cw ? 2 * rh + 2 : L->cw;
			if (cw > L->cw)
				L->cw = cw;
			L->rh = rh;
		}
	}
	L->vis_cols = avail / L->cw;
	if (L->vis_cols < 1)
		L->vis_cols = 1;
	L->vis_rows = body_h / L->rh;
	if (L->vis_rows < 1)
		L->vis_rows = 1;
	/* Cells too narrow for a label: every k-th column shows its index. */
	L->label_every = 1;
	if (L->cw < 3 || (!tn->col.labels && lab + 1 > L->cw)) {
		int digits = tn->cols > 1000 ? 4 : tn->cols > 100 ? 3 : tn->cols > 10 ? 2 : 1;
		L->label_every = (digits + 1 + L->cw - 1) / L->cw;
		if (L->label_every < 1)
			L->label_every = 1;
		if (tn->col.labels && L->label_every < 2)
			L->label_every = 2;
	}
}

static void scroll_to(int *first, int sel, int vis, int n)
{
	if (sel >= 0) {
		if (sel < *first)
			*first = sel;
		if (sel >= *first + vis)
			*first = sel - vis + 1;
	}
	if (*first > n - vis)
		*first = n - vis;
	if (*first < 0)
		*first = 0;
}

void tui_matrix(struct tui *t, struct rect r, const struct tensor *tn, const char *name,
		const struct matrix_opts *o)
{
	const struct palette *pal = &t->pal;
	if (r.h < 3 || r.w < 8)
		return;
	if (!tn) {
		tui_putf(t, r.y, r.x, r.w, palette_ui(pal, PAL_DIM), "%s: not in this trace", name);
		return;
	}
	struct mlayout L;
	layout(tn, r.w, r.h, o->numbers, o->legend, o->hide_rows, &L);
	int p = o->panel < 0 || o->panel >= STAGE_PANELS ? 0 : o->panel;
	scroll_to(&t->r0[p], o->sel_row, L.vis_rows, tn->rows);
	scroll_to(&t->c0[p], o->focused ? o->sel_col : -1, L.vis_cols, tn->cols);
	int r0 = t->r0[p], c0 = t->c0[p];
	int r1 = r0 + L.vis_rows < tn->rows ? r0 + L.vis_rows : tn->rows;
	int c1 = c0 + L.vis_cols < tn->cols ? c0 + L.vis_cols : tn->cols;

	/* Title: the name and shape, and what is off screen. */
	char title[256];
	if (tn->ndim == 1)
		snprintf(title, sizeof title, "%s [%d]", name, tn->cols);
	else
		snprintf(title, sizeof title, "%s [%d x %d]", name, tn->rows, tn->cols);
	/* A long name loses its leading parts first: the end says what it is. */
	const char *tshow = title;
	while (text_width(tshow) > r.w && strchr(tshow, '.') && strchr(tshow, '.') < strchr(tshow, ' '))
		tshow = strchr(tshow, '.') + 1;
	attr_t ta = o->focused ? palette_ui(pal, PAL_SECTION) : palette_ui(pal, PAL_DIM);
	int tw = tui_put(t, r.y, r.x, r.w, ta, tshow);
	if (tn->rows > L.vis_rows || tn->cols > L.vis_cols)
		tui_putf(t, r.y, r.x + tw + 1, r.w - tw - 1, palette_ui(pal, PAL_DIM),
			 "rows %d-%d, cols %d-%d", r0, r1 - 1, c0, c1 - 1);

	/* Column labels. */
	char buf[64], lab[64];
	int y = r.y + 1;
	tui_put(t, y, r.x, L.lw - 1, palette_ui(pal, PAL_DIM), c0 > 0 ? "<" : "");
	for (int c = c0; c < c1; c++) {
		int x = r.x + L.lw + (c - c0) * L.cw;
		attr_t a = palette_ui(pal, PAL_LABEL);
		if (c >= o->head_c0 && c < o->head_c1)
			a = palette_ui(pal, PAL_HEADCOL);
		if (o->focused && c == o->sel_col)
			a = palette_ui(pal, PAL_SELLABEL);
		if (L.label_every > 1) {
			if (c % L.label_every && !(o->focused && c == o->sel_col))
				continue;
			snprintf(lab, sizeof lab, "%d", c);
			tui_put(t, y, x, r.x + r.w - x, a, lab);
			continue;
		}
		int lw = text_fit(lab, sizeof lab, axis_label(&tn->col, c, buf, sizeof buf),
				  L.cw > 1 ? L.cw - 1 : 1);
		if (o->numbers) /* numbers are right-aligned, so are their labels */
			tui_put(t, y, x + L.cw - lw, lw, a, lab);
		else
			tui_put(t, y, x, L.cw - 1, a, lab);
	}
	if (c1 < tn->cols)
		tui_put(t, y, r.x + L.lw + (c1 - c0) * L.cw, 1, palette_ui(pal, PAL_DIM), ">");

	struct scale sc;
	scale_of(tn->data, (size_t)tn->rows * (size_t)tn->cols, &sc);
	if (o->diverging)
		scale_symmetric(&sc);
	int masked = 0;
	for (int rr = r0; rr < r1; rr++) {
		int y0 = r.y + 2 + (rr - r0) * L.rh, mid = y0 + (L.rh - 1) / 2;
		attr_t la = rr == o->sel_row ? palette_ui(pal, PAL_SELLABEL) : palette_ui(pal, PAL_LABEL);
		const char *rl = tn->ndim == 1 ? "" : axis_label(&tn->row, rr, buf, sizeof buf);
		tui_put(t, mid, r.x, L.lw - 1, la, rl);
		for (int c = c0; c < c1; c++) {
			int x = r.x + L.lw + (c - c0) * L.cw;
			float v = tensor_at(tn, rr, c);
			char g = ' ';
			attr_t a = palette_value(pal, &sc, v, &g);
			int sel = o->focused && rr == o->sel_row && c == o->sel_col;
			int minf = isinf(v) && v < 0;
			masked |= minf;
			if (o->numbers) {
				char num[32], cell[32];
				fmt_value(num, sizeof num, v, L.decimals);
				snprintf(cell, sizeof cell, "%*s", L.cw, num);
				if (pal->mode == PAL_MONO)
					a = minf ? A_DIM : 0;
				tui_put(t, y0, x, L.cw, sel ? (a | A_REVERSE | A_BOLD) : a, cell);
				continue;
			}
			for (int k = 0; k < L.rh; k++)
				fill(t, y0 + k, x, L.cw, a, minf && t->utf8 ? ' ' : g);
			if (minf && t->utf8)
				tui_put(t, mid, x + (L.cw - 1) / 2, 1, a, "\xc3\x97");
			if (sel) {
				attr_t s = (pal->mode == PAL_MONO ? A_REVERSE : a) | A_BOLD;
				if (L.cw >= 2) {
					fill(t, mid, x, 1, s, '[');
					fill(t, mid, x + L.cw - 1, 1, s, ']');
				} else {
					fill(t, mid, x, 1, s | A_REVERSE, '@');
				}
			}
		}
	}
	if (o->legend) {
		/* -inf cells off screen still count: the legend says they exist. */
		for (size_t i = 0; !masked && i < (size_t)tn->rows * (size_t)tn->cols; i++)
			masked = isinf(tn->data[i]) && tn->data[i] < 0;
		int ly = r.y + 2 + (r1 - r0) * L.rh;
		if (ly < r.y + r.h)
			tui_legend(t, ly, r.x, r.w, &sc, masked || o->mask);
	}
	if (t->nhits < (int)(sizeof t->hits / sizeof *t->hits)) {
		struct hit *h = &t->hits[t->nhits++];
		memset(h, 0, sizeof *h);
		h->r = (struct rect){r.y + 2, r.x + L.lw, (r1 - r0) * L.rh, (c1 - c0) * L.cw};
		h->panel = o->panel;
		h->r0 = r0;
		h->c0 = c0;
		h->cw = L.cw;
		h->rh = L.rh;
	}
}

/* The width and height a tensor would like. */
static void natural(const struct tensor *tn, int numbers, int hide_rows, int *w, int *h)
{
	if (!tn) {
		*w = 30;
		*h = 2;
		return;
	}
	struct mlayout L;
	layout(tn, 4096, 4096, numbers, 1, hide_rows, &L);
	*w = L.lw + tn->cols * L.cw + 1;
	if (*w < 16)
		*w = 16;
	*h = tn->rows + 3;
}

/* Diff mode: the Δ of the trace tensor name from the session's comparison,
 * with its title ("Δ name"), or NULL with why it has none ("unchanged"). */
static const struct tensor *diff_tensor(const struct tui *t, const char *name, char *title, size_t tn,
			       char *why, size_t wn)
{
	const struct session *s = t->s;
	const char *base;
	session_baseline(s, &base);
	snprintf(title, tn, "Δ %s", name);
	const struct tensor *d = trace_get(&s->diff.delta, name);
	if (d)
		return d;
	const struct diff_entry *x = trace_diff_find(&s->diff, name);
	if (!x)
		snprintf(why, wn, "Δ %s: unchanged against %s", name, base);
	else if (x->kind == DIFF_SHAPE)
		snprintf(why, wn, "Δ %s: was [%d x %d], now [%d x %d]: no cell-by-cell Δ", name, x->brows,
			 x->bcols, x->rows, x->cols);
	else
		snprintf(why, wn, "Δ %s: not in %s", name, base);
	return NULL;
}

struct rect tui_panels(struct tui *t, struct rect r, int reserve)
{
	const struct session *s = t->s;
	const struct stage *st = session_stage(s);
	int n = session_npanels(s);
	const struct tensor *tn[STAGE_PANELS] = {0};
	char names[STAGE_PANELS][STAGE_NAME * 2];
	int nw[STAGE_PANELS], nh[STAGE_PANELS], hide[STAGE_PANELS], sw = 0, sh = 0;
	char titles[STAGE_PANELS][STAGE_NAME * 2 + 8], why[STAGE_PANELS][160];
	for (int i = 0; i < n; i++) {
		tn[i] = session_panel(s, i, names[i], sizeof names[i]);
		snprintf(titles[i], sizeof titles[i], "%s", names[i]);
		why[i][0] = 0;
		if (s->diff_mode && s->have_diff && tn[i])
			tn[i] = diff_tensor(t, names[i], titles[i], sizeof titles[i], why[i], sizeof why[i]);
		/* Side by side, panels with the first one's rows share its labels. */
		hide[i] = i > 0 && tn[i] && tn[0] && tn[i]->rows == tn[0]->rows && tn[0]->ndim == 2;
		natural(tn[i], s->numbers, hide[i], &nw[i], &nh[i]);
		sw += nw[i] + (i ? 1 : 0);
		sh += nh[i];
	}
	int avail_h = r.h - reserve;
	if (avail_h < 5)
		avail_h = r.h;
	int head_c0 = 0, head_c1 = 0;
	if (st && st->head_cols && s->head >= 0 && s->pipe.nheads > 1) {
		head_c0 = s->head * s->pipe.dhead;
		head_c1 = head_c0 + s->pipe.dhead;
	}
	struct matrix_opts o = {0};
	o.numbers = s->numbers;
	o.legend = 1;
	o.sel_col = s->col;
	o.mask = st ? st->mask : 0;
	o.diverging = s->diff_mode && s->have_diff;
	const struct tensor *ft = session_focused(s);
	enum { SIDE, SPLIT, STACK, ONE } mode;
	if (n <= 1 || sw <= r.w)
		mode = SIDE;
	else if (sh <= avail_h)
		mode = STACK;
	else if (r.w / n >= 18)
		mode = SPLIT;
	else
		mode = ONE;
	int x = r.x, y = r.y, used_h = 0;
	for (int i = 0; i < n; i++) {
		struct rect pr;
		o.panel = i;
		o.focused = i == s->panel;
		/* The cursor's row is shared by panels with as many rows (one
		 * step t, one token): the other panels highlight it too. */
		o.sel_row = tn[i] && ft && tn[i]->rows == ft->rows ? s->row : -1;
		o.head_c0 = head_c0;
		o.head_c1 = head_c1;
		if (strstr(names[i], ".out") && strstr(names[i], ".h"))
			o.head_c0 = o.head_c1 = 0; /* a head's own output is all its columns */
		o.hide_rows = (mode == SIDE || mode == SPLIT) && hide[i];
		if (mode == SIDE || mode == SPLIT) {
			/* Spare width is shared, so big screens get big cells. */
			int w = mode == SIDE ? nw[i] + (r.w - sw) / n : (r.w - (n - 1)) / n;
			if (i == n - 1 || n == 1)
				w = r.x + r.w - x;
			int h = avail_h;
			pr = (struct rect){y, x, h, w};
			x += w + 1;
			used_h = pr.h > used_h ? pr.h : used_h;
		} else if (mode == STACK) {
			pr = (struct rect){y, r.x, nh[i], r.w};
			y += nh[i];
			used_h = y - r.y;
		} else {
			if (i != s->panel)
				continue;
			/* One at a time, with a line naming the others. */
			int cx = r.x;
			cx += tui_put(t, r.y, cx, r.w, palette_ui(&t->pal, PAL_DIM), "panels (Tab):");
			for (int j = 0; j < n; j++) {
				const char *nm = strrchr(names[j], '.');
				cx += 1 + tui_putf(t, r.y, cx + 1, r.x + r.w - cx - 1,
						   j == s->panel ? palette_ui(&t->pal, PAL_CURRENT)
								 : palette_ui(&t->pal, PAL_LABEL),
						   "%s", nm ? nm + 1 : names[j]);
			}
			int h = nh[i] + 1 < avail_h ? nh[i] : avail_h - 1;
			pr = (struct rect){r.y + 1, r.x, h, r.w};
			used_h = h + 1;
		}
		if (why[i][0])
			tui_putf(t, pr.y, pr.x, pr.w, palette_ui(&t->pal, PAL_DIM), "%s", why[i]);
		else
			tui_matrix(t, pr, tn[i], titles[i], &o);
	}
	return (struct rect){r.y + used_h + 1, r.x, r.h - used_h - 1, r.w};
}

/* Where wrapped continuation lines start: under the text after a gap of
 * two spaces (help's second column, the "= ..." of an explanation), else
 * under the line's own indent. */
static int hang_indent(const char *p, size_t len, int w)
{
	size_t i = 0;
	while (i < len && p[i] == ' ')
		i++;
	size_t lead = i;
	for (; i + 1 < len; i++)
		if (p[i] == ' ' && p[i + 1] == ' ' && i > lead) {
			size_t j = i;
			while (j < len && p[j] == ' ')
				j++;
			char tmp[512];
			size_t m = j < sizeof tmp - 1 ? j : sizeof tmp - 1;
			memcpy(tmp, p, m);
			tmp[m] = 0;
			int cells = text_width(tmp);
			return cells < w / 2 ? cells : (int)lead;
		}
	return (int)lead < w / 2 ? (int)lead : 0;
}

int tui_text(struct tui *t, struct rect r, int skip, attr_t a, const char *text)
{
	int line = 0;
	const char *p = text;
	char buf[1024];
	while (*p && (r.h <= 0 || line - skip < r.h)) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		int indent = 0, hang = hang_indent(p, len, r.w);
		/* One source line, wrapped into display lines of r.w cells. */
		for (int first = 1;; first = 0) {
			int w = r.w - indent;
			size_t take = 0, brk = 0;
			int cells = 0;
			while (take < len) {
				uint32_t cp;
				size_t n = utf8_decode(p + take, len - take, &cp);
				int cw = n ? codepoint_width(cp) : 1;
				if (cw < 0)
					cw = 1;
				if (cells + cw > w)
					break;
				cells += cw;
				take += n ? n : 1;
				if (p[take - 1] == ' ')
					brk = take;
			}
			if (take < len && brk > 0)
				take = brk;
			if (take == 0 && len > 0)
				take = 1;
			if (line >= skip && (r.h <= 0 || line - skip < r.h)) {
				size_t m = take < sizeof buf - 1 ? take : sizeof buf - 1;
				memcpy(buf, p, m);
				buf[m] = 0;
				if (r.h > 0)
					tui_put(t, r.y + line - skip, r.x + indent, w, a, buf);
			}
			line++;
			p += take;
			len -= take;
			while (len > 0 && *p == ' ')
				p++, len--;
			(void)first;
			indent = hang;
			if (len == 0)
				break;
		}
		if (nl)
			p = nl + 1;
		else
			break;
	}
	return line - skip;
}

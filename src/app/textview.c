#include "app/textview.h"
#include "base/textwidth.h"
#include "trace/plot_text.h"
#include "trace/render_text.h"

#include <math.h>
#include <string.h>

int textview_plot_height(int width)
{
	/* a plot about as tall as it reads well: a quarter of the width */
	int h = width / 4;
	return h < 16 ? 16 : h > 40 ? 40 : h;
}

void textview_tensor(FILE *f, const struct tensor *t, int width)
{
	render_tensor_text(f, t, RENDER_NUMBERS | RENDER_HEATMAP, width);
}

static void text_bar(FILE *f, float v, int w)
{
	v = isfinite(v) ? (v < 0 ? 0 : v > 1 ? 1 : v) : 0;
	int n = (int)lrintf(v * (float)w);
	for (int i = 0; i < w; i++)
		fputc(i < n ? '#' : '.', f);
}

static void label(FILE *f, const char *s, int cells)
{
	char buf[128];
	int w = text_fit(buf, sizeof buf, s, cells);
	fprintf(f, "%s%*s", buf, cells - w, "");
}

static void text_tokens(FILE *f, const struct session *s)
{
	char buf[SESSION_TEXT], lab[64];
	text_sanitize(buf, sizeof buf, s->source);
	fprintf(f, "sentence:    %s\ntranslation: %s\n", buf, s->translation);
	for (int p = 0; p < 2; p++) {
		char name[STAGE_NAME * 2];
		const struct tensor *t = session_panel(s, p, name, sizeof name);
		if (!t)
			continue;
		fprintf(f, "%s (%s):\n    #  token            id\n", p ? "decoder input" : "source tokens", name);
		for (int i = 0; i < t->cols; i++) {
			fprintf(f, "  %3d  ", i);
			label(f, axis_label(&t->col, i, lab, sizeof lab), 14);
			fprintf(f, " %5.0f\n", tensor_at(t, 0, i));
		}
	}
	const struct tensor *m = trace_get(&s->trace, "src.bpe.merges");
	if (m)
		fprintf(f, "BPE merges applied (src.bpe.merges):\n    #  left + right       rank\n");
	for (int i = 0; m && i < m->rows; i++)
		fprintf(f, "  %3d  %-18s %5.0f\n", i, axis_label(&m->row, i, lab, sizeof lab), tensor_at(m, i, 0));
}

static void text_row(FILE *f, const char *title, const struct tensor *w, int row)
{
	char lab[64];
	fprintf(f, "%s\n", title);
	if (!w || row >= w->rows) {
		fprintf(f, "  (not in this trace)\n");
		return;
	}
	for (int c = 0; c < w->cols; c++) {
		float v = tensor_at(w, row, c);
		fprintf(f, "  ");
		label(f, axis_label(&w->col, c, lab, sizeof lab), 12);
		text_bar(f, v, 30);
		fprintf(f, " %.4f\n", v);
	}
}

static void text_step(FILE *f, const struct session *s, int width)
{
	char n1[STAGE_NAME * 2], n2[STAGE_NAME * 2], title[300], lab[64];
	const struct tensor *tp = session_panel(s, 0, NULL, 0);
	const struct tensor *ids = trace_get(&s->trace, "decode.topk.ids");
	const struct tensor *tgt = trace_get(&s->trace, "tgt.tokens");
	(void)width;
	if (!tp) {
		fprintf(f, "decode.topk.probs is not in this trace\n");
		return;
	}
	int row = s->row < tp->rows ? s->row : tp->rows - 1;
	fprintf(f, "decoder step t=%d of %d: reads '%s'\n", row, tp->rows,
		tgt && row < tgt->cols ? axis_label(&tgt->col, row, lab, sizeof lab) : "?");
	const struct tensor *self = session_panel(s, 1, n1, sizeof n1);
	const struct tensor *cross = session_panel(s, 2, n2, sizeof n2);
	if (self) {
		snprintf(title, sizeof title, "masked self-attention (%s, row %d):", n1, row);
		text_row(f, title, self, row);
	}
	if (cross) {
		snprintf(title, sizeof title, "%s (%s, row %d):",
			 s->pipe.arch == ARCH_TRANSFORMER ? "cross-attention" : "alignment", n2, row);
		text_row(f, title, cross, row);
	}
	fprintf(f, "top-%d next tokens (decode.topk.*, row %d):\n", tp->cols, row);
	for (int i = 0; i < tp->cols; i++) {
		char tok[64] = "?";
		if (ids) {
			int id = (int)tensor_at(ids, row, i);
			if (s->model)
				snprintf(tok, sizeof tok, "%s", vocab_token(&s->model->tgt_vocab, id));
		}
		fprintf(f, "  %d. ", i + 1);
		label(f, tok, 12);
		text_bar(f, tensor_at(tp, row, i), 30);
		fprintf(f, " %.4f\n", tensor_at(tp, row, i));
	}
}

static void text_gates(FILE *f, const struct session *s, int width)
{
	int n = session_npanels(s);
	char name[STAGE_NAME * 2], lab[64];
	for (int i = 0; i < n; i++) {
		const struct tensor *g = session_panel(s, i, name, sizeof name);
		if (g)
			render_tensor_text(f, g, RENDER_HEATMAP, width);
	}
	const struct tensor *ft = session_focused(s);
	if (!ft)
		return;
	fprintf(f, "step t=%d (%s), unit %d:\n", s->row, axis_label(&ft->row, s->row, lab, sizeof lab), s->col);
	for (int i = 0; i < n; i++) {
		const struct tensor *g = session_panel(s, i, name, sizeof name);
		if (!g || s->row >= g->rows || s->col >= g->cols)
			continue;
		float v = tensor_at(g, s->row, s->col);
		fprintf(f, "  %-22s", name);
		text_bar(f, g->prov.kind == PROV_GATE && g->prov.len == 1 ? (v + 1) / 2 : v, 30);
		fprintf(f, " %.4f\n", v);
	}
}

static void text_bars(FILE *f, const struct session *s)
{
	char name[STAGE_NAME * 2], lab[64];
	const struct tensor *v = session_panel(s, 0, name, sizeof name);
	if (!v)
		return;
	render_tensor_line(f, v);
	int n = v->rows * v->cols;
	float m = 0;
	for (int i = 0; i < n; i++)
		if (isfinite(v->data[i]) && fabsf(v->data[i]) > m)
			m = fabsf(v->data[i]);
	for (int i = 0; i < n; i++) {
		fprintf(f, "  %3d ", i);
		label(f, axis_label(v->rows == 1 ? &v->col : &v->row, i, lab, sizeof lab), 10);
		text_bar(f, m > 0 ? fabsf(v->data[i]) / m : 0, 40);
		fprintf(f, " %.4g\n", v->data[i]);
	}
}

/* The BPTT view: one line per distance from the last step, a log-scale
 * bar per series (the stage's panels that are in the trace). */
static void text_grad(FILE *f, const struct session *s)
{
	char names[STAGE_PANELS][STAGE_NAME * 2], lab[64];
	const struct tensor *v[STAGE_PANELS];
	int n = session_panels(s, v, names);
	if (!n)
		return;
	struct log_axis ax;
	log_axis_fit(&ax, v, n);
	fprintf(f, "log scale: a bar runs from 1e%+d to 1e%+d, a '#' per %.2g decades\n", ax.lo,
		ax.hi, (ax.hi - ax.lo) / 20.0);
	for (int k = 0; k < n; k++) {
		fprintf(f, "%c  ", 'A' + k);
		render_tensor_line(f, v[k]);
	}
	fprintf(f, "  dist token     ");
	for (int k = 0; k < n; k++)
		fprintf(f, " %-20s %-9c", "", 'A' + k);
	fputc('\n', f);
	int T = v[0]->cols;
	for (int d = 0; d < T; d++) {
		int t = T - 1 - d;
		fprintf(f, "  %4d ", d);
		label(f, axis_label(&v[0]->col, t, lab, sizeof lab), 10);
		for (int k = 0; k < n; k++) {
			float x = t < v[k]->cols ? v[k]->data[t] : NAN;
			fputc(' ', f);
			text_bar(f, (float)log_axis_at(&ax, x), 20);
			fprintf(f, " %-9.3g", x);
		}
		fputc('\n', f);
	}
}

void textview_whatif(FILE *f, const struct trace *tr)
{
	if (trace_whatif(tr)[0])
		fprintf(f, "WHAT-IF: %s\n", trace_whatif(tr));
}

void textview_stage(FILE *f, const struct session *s, int width)
{
	char where[256];
	session_where(s, where, sizeof where);
	fprintf(f, "== %s ==\n", where);
	textview_whatif(f, &s->trace);
	const struct stage *st = session_stage(s);
	if (st && st->intro)
		fprintf(f, "%s\n", st->intro);
	if (session_plotting(s, NULL)) {
		struct figure fig;
		struct err e;
		if (session_plot_build(s, &fig, &e))
			fprintf(f, "(no plot: %s)\n", e.msg);
		else
			figure_text(f, &fig, width, textview_plot_height(width));
		figure_release(&fig);
		return;
	}
	enum view_kind k = st ? st->view : VIEW_MATRIX;
	switch (k) {
	case VIEW_TOKENS: text_tokens(f, s); return;
	case VIEW_STEP: text_step(f, s, width); return;
	case VIEW_GATES: text_gates(f, s, width); return;
	case VIEW_BARS: text_bars(f, s); return;
	case VIEW_GRAD: text_grad(f, s); return;
	case VIEW_MATRIX:
	case VIEW_EMBEDPOS:
	case VIEW_COUNT:
		break;
	}
	int n = session_npanels(s);
	for (int i = 0; i < n; i++) {
		char name[STAGE_NAME * 2];
		const struct tensor *t = session_panel(s, i, name, sizeof name);
		if (i)
			fputc('\n', f);
		if (t)
			textview_tensor(f, t, width);
		else
			fprintf(f, "%s: not in this trace\n", name);
	}
}

#include "app/session.h"
#include "base/textwidth.h"
#include "io/datadir.h"
#include "trace/explain.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void session_init(struct session *s)
{
	memset(s, 0, sizeof *s);
	snprintf(s->model_arg, sizeof s->model_arg, "%s", SESSION_DEFAULT_MODEL);
	trace_init(&s->trace);
	run_opts_default(&s->opts);
	s->plot = -1;
	whatif_init(&s->whatif);
	trace_init(&s->prev);
	trace_init(&s->snap);
	trace_diff_init(&s->diff);
}

static void drop_model(struct session *s)
{
	if (s->model) {
		model_release(s->model);
		free(s->model);
		s->model = NULL;
	}
}

void session_release(struct session *s)
{
	if (s->hook.release)
		s->hook.release(s->hook.arg);
	memset(&s->hook, 0, sizeof s->hook);
	if (s->task.release)
		s->task.release(s->task.arg);
	memset(&s->task, 0, sizeof s->task);
	if (s->after_run.release)
		s->after_run.release(s->after_run.arg);
	memset(&s->after_run, 0, sizeof s->after_run);
	pipeline_release(&s->pipe);
	trace_release(&s->trace);
	trace_release(&s->prev);
	trace_release(&s->snap);
	trace_diff_release(&s->diff);
	drop_model(s);
}

const struct trace *session_baseline(const struct session *s, const char **what)
{
	const char *w = s->have_snap ? "the snapshot" : "the previous run";
	if (what)
		*what = w;
	return s->have_snap ? &s->snap : s->have_prev ? &s->prev : NULL;
}

/* The comparison with the baseline, after each run or snapshot. */
static void rediff(struct session *s)
{
	const struct trace *base = session_baseline(s, NULL);
	struct err e;
	s->have_diff = base && s->have_trace && trace_diff_build(&s->diff, &s->trace, base, &e) == ST_OK;
	if (!s->have_diff)
		trace_diff_release(&s->diff);
}

/* A new model: its weights carry no edits, and nothing before compares. */
static void forget_runs(struct session *s)
{
	whatif_init(&s->whatif);
	trace_release(&s->prev);
	trace_release(&s->snap);
	trace_diff_release(&s->diff);
	s->have_prev = s->have_snap = s->have_diff = s->diff_mode = 0;
}

enum status session_snapshot(struct session *s, int take, struct err *e)
{
	trace_release(&s->snap);
	s->have_snap = 0;
	if (take) {
		if (!s->have_trace)
			return err_set(e, ST_USAGE, "nothing to keep yet: translate a sentence first");
		enum status st = trace_copy(&s->snap, &s->trace, e);
		if (st)
			return st;
		s->have_snap = 1;
	}
	rediff(s);
	s->gen++;
	return ST_OK;
}

static const struct stage *cur_stage(const struct session *s)
{
	if (!s->have_trace || s->pipe.nwalk == 0 || s->walk < 0 || s->walk >= s->pipe.nwalk)
		return NULL;
	return &s->pipe.st[s->pipe.walk[s->walk].stage];
}

const struct stage *session_stage(const struct session *s)
{
	return s->show[0] ? NULL : cur_stage(s);
}

int session_layer(const struct session *s)
{
	return cur_stage(s) ? s->pipe.walk[s->walk].layer : 0;
}

int session_plot_offer(const struct session *s, struct plot_spec *p)
{
	struct plot_spec tmp;
	p = p ? p : &tmp;
	if (!s->have_trace) {
		memset(p, 0, sizeof *p);
		return 0;
	}
	if (s->show[0])
		return plot_spec_tensor(&s->trace, s->show, p);
	return plot_spec_stage(&s->pipe, cur_stage(s), session_layer(s), &s->trace, p);
}

int session_plotting(const struct session *s, struct plot_spec *p)
{
	struct plot_spec tmp;
	p = p ? p : &tmp;
	if (s->show[0] && s->show_plot)
		return session_plot_offer(s, p);
	return s->plot != 0 && session_plot_offer(s, p) && (s->plot > 0 || p->by_default);
}

int session_npanels(const struct session *s)
{
	struct plot_spec ps;
	if (session_plotting(s, &ps))
		return ps.n;
	if (s->show[0])
		return 1;
	const struct stage *st = cur_stage(s);
	return st ? st->npanels : 0;
}

const struct tensor *session_panel(const struct session *s, int i, char *name, size_t n)
{
	char buf[STAGE_NAME * 2];
	if (!name) {
		name = buf;
		n = sizeof buf;
	}
	name[0] = 0;
	if (!s->have_trace)
		return NULL;
	struct plot_spec ps;
	if (session_plotting(s, &ps)) {
		if (i < 0 || i >= ps.n)
			return NULL;
		snprintf(name, n, "%s", ps.name[i]);
		return trace_get(&s->trace, name);
	}
	if (s->show[0]) {
		if (i != 0)
			return NULL;
		snprintf(name, n, "%s", s->show);
		return trace_get(&s->trace, s->show);
	}
	const struct stage *st = cur_stage(s);
	if (!st || i < 0 || i >= st->npanels)
		return NULL;
	stage_panel_name(&s->pipe, st, i, session_layer(s), s->head, name, n);
	return name[0] ? trace_get(&s->trace, name) : NULL;
}

int session_panels(const struct session *s, const struct tensor *v[STAGE_PANELS],
		   char names[STAGE_PANELS][STAGE_NAME * 2])
{
	int n = 0;
	for (int i = 0; i < session_npanels(s) && n < STAGE_PANELS; i++)
		if ((v[n] = session_panel(s, i, names[n], sizeof names[n])))
			n++;
	return n;
}

const struct tensor *session_focused(const struct session *s)
{
	const struct tensor *t = session_panel(s, s->panel, NULL, 0);
	for (int i = 0; !t && i < session_npanels(s); i++)
		t = session_panel(s, i, NULL, 0);
	return t;
}

static void clamp_cell(struct session *s)
{
	const struct tensor *t = session_focused(s);
	int rows = t ? t->rows : 1, cols = t ? t->cols : 1;
	s->row = s->row < 0 ? 0 : s->row >= rows ? rows - 1 : s->row;
	s->col = s->col < 0 ? 0 : s->col >= cols ? cols - 1 : s->col;
}

/* Entering a stage focuses its primary panel; the cell is kept (clamped),
 * so decoder step t stays selected from one decoder stage to the next. */
static void enter(struct session *s, int walk)
{
	s->walk = walk;
	s->show[0] = 0;
	s->show_plot = 0;
	const struct stage *st = cur_stage(s);
	struct plot_spec ps;
	s->panel = session_plotting(s, &ps) ? ps.primary : st ? st->primary : 0;
	if (st && !session_panel(s, s->panel, NULL, 0))
		for (int i = 0; i < session_npanels(s); i++)
			if (session_panel(s, i, NULL, 0)) {
				s->panel = i;
				break;
			}
	clamp_cell(s);
	s->gen++;
}

int session_step(struct session *s, int delta)
{
	if (!s->have_trace)
		return 0;
	if (s->show[0]) {
		enter(s, s->walk);
		return 1;
	}
	int w = s->walk + delta;
	if (w < 0 || w >= s->pipe.nwalk)
		return 0;
	enter(s, w);
	if (s->pipe.st[s->pipe.walk[w].stage].block >= 0)
		s->layer_pref = s->pipe.walk[w].layer;
	return 1;
}

void session_jump(struct session *s, int walk)
{
	if (!s->have_trace || walk < 0 || walk >= s->pipe.nwalk)
		return;
	enter(s, walk);
	if (s->pipe.st[s->pipe.walk[walk].stage].block >= 0)
		s->layer_pref = s->pipe.walk[walk].layer;
}

enum status session_goto(struct session *s, const char *stage, struct err *e)
{
	if (!s->have_trace)
		return err_set(e, ST_USAGE, "nothing to show yet: translate a sentence first");
	int i = pipeline_find(&s->pipe, stage);
	if (i < 0) {
		char list[400] = "";
		size_t o = 0;
		for (int j = 0; j < s->pipe.n && o < sizeof list; j++)
			o += (size_t)snprintf(list + o, sizeof list - o, "%s%s", j ? ", " : "",
					      s->pipe.st[j].id);
		return err_set(e, ST_USAGE, "no stage '%s'; stages: %s", stage, list);
	}
	enter(s, pipeline_walk_index(&s->pipe, i, s->layer_pref));
	return ST_OK;
}

static int max_layers(const struct pipeline *p)
{
	int m = 0;
	for (int b = 0; b < p->nblk; b++)
		m = p->blk[b].nlayers > m ? p->blk[b].nlayers : m;
	return m;
}

enum status session_set_layer(struct session *s, int layer, struct err *e)
{
	if (!s->have_trace)
		return err_set(e, ST_USAGE, "nothing to show yet: translate a sentence first");
	int m = max_layers(&s->pipe);
	if (m == 0)
		return err_set(e, ST_USAGE, "this model has no layers to choose from");
	const struct stage *st = cur_stage(s);
	int nl = st && st->block >= 0 ? stage_nlayers(&s->pipe, s->pipe.walk[s->walk].stage) : m;
	if (layer < 0 || layer >= nl)
		return err_set(e, ST_USAGE, "layer %d does not exist: this %s has layers 0..%d", layer,
			       st && st->block >= 0 ? s->pipe.blk[st->block].what : "model", nl - 1);
	s->layer_pref = layer;
	if (st && st->block >= 0 && !s->show[0]) {
		int keep_panel = s->panel;
		enter(s, pipeline_walk_index(&s->pipe, s->pipe.walk[s->walk].stage, layer));
		s->panel = keep_panel;
		clamp_cell(s);
	}
	s->gen++;
	return ST_OK;
}

enum status session_set_head(struct session *s, int head, struct err *e)
{
	int n = s->have_trace ? s->pipe.nheads : 1;
	if (head < -1 || head >= n) {
		if (n == 1)
			return err_set(e, ST_USAGE, "head %d does not exist: this model has one attention head (0)",
				       head);
		return err_set(e, ST_USAGE, "head %d does not exist: this model has %d heads (0..%d, or all)",
			       head, n, n - 1);
	}
	s->head = head;
	clamp_cell(s);
	s->gen++;
	return ST_OK;
}

enum status session_show(struct session *s, const char *name, struct err *e)
{
	if (!s->have_trace)
		return err_set(e, ST_USAGE, "nothing to show yet: translate a sentence first");
	if (!trace_get(&s->trace, name))
		return err_set(e, ST_USAGE, "no trace entry named '%s' (list shows them all)", name);
	s->show_plot = 0;
	int w, h, p;
	if (pipeline_locate(&s->pipe, name, &w, &h, &p)) {
		enter(s, w);
		s->head = h;
		s->panel = p;
		if (s->pipe.st[s->pipe.walk[w].stage].block >= 0)
			s->layer_pref = s->pipe.walk[w].layer;
		if (session_plotting(s, NULL)) {
			/* the stage shows its plot: the cursor on the tensor when the
			 * plot has it, else the tensor on its own */
			s->panel = -1;
			char buf[STAGE_NAME * 2];
			for (int i = 0; i < session_npanels(s) && s->panel < 0; i++)
				if (session_panel(s, i, buf, sizeof buf) && strcmp(buf, name) == 0)
					s->panel = i;
			if (s->panel < 0) {
				snprintf(s->show, sizeof s->show, "%s", name);
				s->panel = 0;
			}
		}
	} else {
		snprintf(s->show, sizeof s->show, "%s", name);
		s->panel = 0;
	}
	clamp_cell(s);
	s->gen++;
	return ST_OK;
}

enum status session_plot_build(const struct session *s, struct figure *f, struct err *e)
{
	struct plot_spec ps;
	figure_init(f);
	if (!session_plotting(s, &ps))
		return err_set(e, ST_USAGE, "this stage shows no plot");
	char name[STAGE_NAME * 2];
	session_panel(s, s->panel, name, sizeof name);
	return plot_spec_build(&ps, &s->trace, name, s->row, s->col, f, e);
}

void session_set_view(struct session *s, int plot, int numbers)
{
	char name[STAGE_NAME * 2];
	const struct tensor *was = session_panel(s, s->panel, name, sizeof name);
	int row = s->row, col = s->col;
	s->plot = plot;
	s->numbers = numbers;
	if (!plot)
		s->show_plot = 0;
	int n = session_npanels(s), found = 0;
	for (int i = 0; was && i < n && !found; i++)
		if (session_panel(s, i, NULL, 0) == was) {
			s->panel = i;
			found = 1;
		}
	if (!found) {
		/* another set of panels: start where the stage (or plot) starts */
		struct plot_spec ps;
		const struct stage *st = session_stage(s);
		s->panel = session_plotting(s, &ps) ? ps.primary : st ? st->primary : 0;
		if (s->panel >= n || !session_panel(s, s->panel, NULL, 0))
			s->panel = 0;
	}
	s->row = row;
	s->col = col;
	clamp_cell(s);
	s->gen++;
}

enum status session_show_plot(struct session *s, const char *name, struct err *e)
{
	struct plot_spec ps;
	if (!s->have_trace)
		return err_set(e, ST_USAGE, "nothing to show yet: translate a sentence first");
	if (!trace_get(&s->trace, name))
		return err_set(e, ST_USAGE, "no trace entry named '%s' (list shows them all)", name);
	if (!plot_spec_tensor(&s->trace, name, &ps))
		return err_set(e, ST_USAGE, "%s has no plot (plots are drawn for vectors and the figures README lists)",
			       name);
	/* from the stage that shows it, if one does, so n and p go on from there */
	enum status st = session_show(s, name, e);
	if (st)
		return st;
	snprintf(s->show, sizeof s->show, "%s", name);
	s->show_plot = 1;
	/* the cursor on the tensor asked for, when the plot has it */
	char buf[STAGE_NAME * 2];
	s->panel = ps.primary;
	for (int i = 0; i < session_npanels(s); i++)
		if (session_panel(s, i, buf, sizeof buf) && strcmp(buf, name) == 0)
			s->panel = i;
	clamp_cell(s);
	s->gen++;
	return ST_OK;
}

void session_move(struct session *s, int drow, int dcol)
{
	s->row += drow;
	s->col += dcol;
	clamp_cell(s);
	s->gen++;
}

void session_select(struct session *s, int panel, int row, int col)
{
	if (panel >= 0 && panel < session_npanels(s) && session_panel(s, panel, NULL, 0))
		s->panel = panel;
	s->row = row;
	s->col = col;
	clamp_cell(s);
	s->gen++;
}

void session_focus(struct session *s, int panel)
{
	session_select(s, panel, s->row, s->col);
}

void session_where(const struct session *s, char *buf, size_t n)
{
	if (!s->have_trace) {
		snprintf(buf, n, "no translation yet");
		return;
	}
	if (s->show[0]) {
		snprintf(buf, n, "show %s", s->show);
		return;
	}
	const struct stage *st = cur_stage(s);
	if (!st) {
		snprintf(buf, n, "no stages");
		return;
	}
	size_t o = (size_t)snprintf(buf, n, "%s", st->title);
	if (st->block >= 0 && o < n)
		o += (size_t)snprintf(buf + o, n - o, " | %s %d of %d", s->pipe.blk[st->block].what,
				      session_layer(s), stage_nlayers(&s->pipe, s->pipe.walk[s->walk].stage));
	int headed = 0;
	for (int i = 0; i < st->npanels; i++)
		headed |= strstr(st->panel[i], "{H}") != NULL || st->head_cols;
	if (headed && s->pipe.nheads > 1 && o < n) {
		if (s->head < 0)
			snprintf(buf + o, n - o, " | all %d heads", s->pipe.nheads);
		else
			snprintf(buf + o, n - o, " | head %d of %d", s->head, s->pipe.nheads);
	}
}

void session_subject(const struct session *s, char *buf, size_t n, int utf8)
{
	buf[0] = 0;
	if (!s->model || !s->have_trace)
		return;
	const struct config *c = &s->model->cfg;
	static const char *const pools[] = {"average pooling", "Nadaraya-Watson kernel",
					    "parametric kernel"};
	size_t o = 0;
	switch (c->arch) {
	case ARCH_TRANSFORMER:
	case ARCH_RNN_SEQ2SEQ: {
		char src[SESSION_TEXT];
		text_sanitize(src, sizeof src, s->source);
		snprintf(buf, n, "%s %s %s", src, utf8 ? "\xe2\x86\x92" : "->", s->translation);
		break;
	}
	case ARCH_SELF_ATTENTION:
		o = (size_t)snprintf(buf, n, "X: %d tokens,", c->n_tokens);
		for (int i = 0; i < c->n_tokens && o < n; i++) {
			char tok[64];
			text_sanitize(tok, sizeof tok, c->tokens[i]);
			o += (size_t)snprintf(buf + o, n - o, " %s", tok);
		}
		break;
	case ARCH_ATTENTION_POOLING:
		snprintf(buf, n, "%d (x, y) training pairs, %d queries, %s", c->n_keys, c->n_queries,
			 pools[c->pooling]);
		break;
	}
}

/* Where we were, by stage id, so a re-run can come back to it. */
struct spot {
	const char *id;
	int layer, head, panel, row, col, had, show_plot;
	char show[STAGE_NAME * 2];
};

static void remember(const struct session *s, struct spot *p)
{
	const struct stage *st = cur_stage(s);
	p->had = st != NULL;
	p->id = st ? st->id : NULL;
	p->layer = session_layer(s);
	p->head = s->head;
	p->panel = s->panel;
	p->row = s->row;
	p->col = s->col;
	snprintf(p->show, sizeof p->show, "%s", s->show);
	p->show_plot = s->show_plot;
}

static void restore(struct session *s, const struct spot *p)
{
	s->head = p->head >= s->pipe.nheads ? 0 : p->head;
	int i = p->had ? pipeline_find(&s->pipe, p->id) : -1;
	enter(s, i >= 0 ? pipeline_walk_index(&s->pipe, i, p->layer) : 0);
	if (i >= 0 && p->panel < session_npanels(s) && session_panel(s, p->panel, NULL, 0))
		s->panel = p->panel;
	if (p->show[0] && trace_get(&s->trace, p->show)) {
		snprintf(s->show, sizeof s->show, "%s", p->show);
		s->show_plot = p->show_plot;
	}
	s->row = p->row;
	s->col = p->col;
	clamp_cell(s);
}

static enum status run(struct session *s, const char *text, struct err *e)
{
	struct trace tmp;
	struct run_result res = {0};
	struct run_opts o = s->opts;
	o.target = s->target[0] ? s->target : NULL;
	o.whatif = &s->whatif;
	trace_init(&tmp);
	enum status st = model_run(s->model, text, &o, &tmp, &res, e);
	if (st) {
		trace_release(&tmp);
		run_result_release(&res);
		return st;
	}
	if (s->after_run.fn)
		s->after_run.fn(s->after_run.arg, text, &o, &tmp);
	struct pipeline p;
	if ((st = pipeline_build(&p, &s->model->cfg, &tmp, e))) {
		trace_release(&tmp);
		run_result_release(&res);
		return st;
	}
	struct spot spot;
	remember(s, &spot);
	/* The run before stays, as the diff's baseline. */
	trace_release(&s->prev);
	if (s->have_trace)
		s->prev = s->trace;
	else
		trace_release(&s->trace);
	s->have_prev = s->have_trace;
	s->trace = tmp;
	s->have_trace = 1;
	pipeline_release(&s->pipe);
	s->pipe = p;
	if (text != s->source)
		snprintf(s->source, sizeof s->source, "%s", text);
	text_sanitize(s->translation, sizeof s->translation, res.translation ? res.translation : "");
	s->n_unknown = res.n_unknown;
	snprintf(s->unknown, sizeof s->unknown, "%s", res.unknown);
	run_result_release(&res);
	restore(s, &spot);
	rediff(s);
	s->gen++;
	return ST_OK;
}

static enum status load_into(struct session *s, const char *name, struct err *e)
{
	char dir[PATH_MAX];
	datadir_resolve_model(name, dir, sizeof dir);
	struct model *m = calloc(1, sizeof *m);
	if (!m)
		return err_set(e, ST_NOMEM, "out of memory loading %s", dir);
	enum status st = model_load(m, dir, e);
	if (st) {
		free(m);
		return st;
	}
	drop_model(s);
	s->model = m;
	s->model_gen++;
	forget_runs(s);
	s->opts.whh_radius = 0; /* the lab's rescaled W_hh was the old model's */
	snprintf(s->warning, sizeof s->warning, "%s", m->warning);
	snprintf(s->model_arg, sizeof s->model_arg, "%s", name);
	return ST_OK;
}

enum status session_ensure(struct session *s, struct err *e)
{
	enum status st;
	if (!s->model && (st = load_into(s, s->model_arg, e)))
		return st;
	if (!s->have_trace) {
		char text[SESSION_TEXT];
		session_default_sentence(s, text, sizeof text);
		return run(s, text, e);
	}
	return ST_OK;
}

enum status session_load(struct session *s, const char *name, struct err *e)
{
	enum status st = load_into(s, name, e);
	if (st)
		return st;
	/* A new vocabulary: the old forced target and position rarely fit. */
	s->target[0] = 0;
	s->show[0] = 0;
	s->show_plot = 0;
	s->head = 0;
	s->layer_pref = 0;
	s->row = s->col = 0;
	s->walk = 0;
	s->have_trace = 0;
	char text[SESSION_TEXT];
	if (s->source[0]) {
		snprintf(text, sizeof text, "%s", s->source);
		if (run(s, text, e) == ST_OK && s->n_unknown == 0)
			goto top;
	}
	session_default_sentence(s, text, sizeof text);
	if ((st = run(s, text, e)))
		return st;
top:
	forget_runs(s); /* a first try with the old sentence is no baseline */
	enter(s, 0);
	return ST_OK;
}

enum status session_adopt(struct session *s, struct model *m, struct err *e)
{
	drop_model(s);
	s->model = m;
	s->model_gen++;
	/* Edits were made to the old weights; a snapshot stays, so the class
	 * can diff what training made against what was there before. */
	whatif_init(&s->whatif);
	trace_release(&s->prev);
	trace_diff_release(&s->diff);
	s->have_prev = s->have_diff = s->diff_mode = 0;
	char text[SESSION_TEXT];
	snprintf(text, sizeof text, "%s", s->source);
	if (!text[0])
		session_default_sentence(s, text, sizeof text);
	return run(s, text, e);
}

enum status session_translate(struct session *s, const char *text, struct err *e)
{
	enum status st;
	if (!s->model && (st = load_into(s, s->model_arg, e)))
		return st;
	char copy[SESSION_TEXT];
	snprintf(copy, sizeof copy, "%s", text);
	return run(s, copy, e);
}

enum status session_set_target(struct session *s, const char *text, struct err *e)
{
	char old[SESSION_TEXT];
	snprintf(old, sizeof old, "%s", s->target);
	snprintf(s->target, sizeof s->target, "%s", text ? text : "");
	enum status st = session_ensure(s, e);
	if (!st) {
		char src[SESSION_TEXT];
		snprintf(src, sizeof src, "%s", s->source);
		st = run(s, src, e);
	}
	if (st)
		snprintf(s->target, sizeof s->target, "%s", old);
	return st;
}

enum status session_set_beam(struct session *s, int beam, struct err *e)
{
	if (beam < 1 || beam > 64)
		return err_set(e, ST_USAGE, "beam takes a number 1..64, not %d", beam);
	int old = s->opts.beam;
	s->opts.beam = beam;
	if (!s->have_trace)
		return ST_OK;
	char src[SESSION_TEXT];
	snprintf(src, sizeof src, "%s", s->source);
	enum status st = run(s, src, e);
	if (st)
		s->opts.beam = old;
	return st;
}

enum status session_rerun(struct session *s, struct err *e)
{
	enum status st = session_ensure(s, e);
	if (st)
		return st;
	char src[SESSION_TEXT];
	snprintf(src, sizeof src, "%s", s->source);
	return run(s, src, e);
}

void session_default_sentence(const struct session *s, char *buf, size_t n)
{
	snprintf(buf, n, "%s", SESSION_DEFAULT_SENTENCE);
	const struct model *m = s->model;
	if (!m || m->cfg.arch == ARCH_SELF_ATTENTION || m->cfg.arch == ARCH_ATTENTION_POOLING)
		return;
	struct encoding enc;
	struct err e;
	if (tokenizer_encode(&m->src_tok, buf, &enc, &e) == ST_OK && enc.n_unknown == 0) {
		encoding_release(&enc);
		return;
	}
	encoding_release(&enc);
	/* A vocabulary without the English sentence (a test or exam model):
	 * its first few ordinary tokens make a sentence it can run. */
	const struct vocab *v = &m->src_vocab;
	size_t o = 0;
	buf[0] = 0;
	for (int id = 0, k = 0; id < v->n && k < 4; id++) {
		const char *t = v->tokens[id];
		if (id == v->pad || id == v->unk || id == v->bos || id == v->eos || t[0] == '<' ||
		    strcmp(t, TOK_SPACE) == 0)
			continue;
		size_t len = strlen(t);
		if (len >= sizeof TOK_EOW - 1 && strcmp(t + len - (sizeof TOK_EOW - 1), TOK_EOW) == 0)
			len -= sizeof TOK_EOW - 1;
		if (len == 0 || o + len + 2 > n)
			continue;
		if (k++)
			buf[o++] = ' ';
		memcpy(buf + o, t, len);
		o += len;
		buf[o] = 0;
	}
	if (!buf[0])
		snprintf(buf, n, "%s", SESSION_DEFAULT_SENTENCE);
}

size_t session_explain_tensor(const struct session *s, const struct tensor *t, char *buf, size_t n)
{
	if (!n)
		return 0;
	buf[0] = 0;
	if (!t)
		return 0;
	size_t len = explain_tensor(&s->trace, t, buf, n);
	if (len && buf[0])
		return len < n ? len : n - 1;
	int w = snprintf(buf, n, "%s", t->desc ? t->desc : t->name);
	return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

size_t session_explain_cell(const struct session *s, const struct tensor *t, int r, int c,
			    char *buf, size_t n)
{
	if (!n)
		return 0;
	buf[0] = 0;
	if (!t || r < 0 || c < 0 || r >= t->rows || c >= t->cols)
		return 0;
	size_t len = explain_cell(&s->trace, t, r, c, buf, n);
	if (len && buf[0])
		return len < n ? len : n - 1;
	char rl[64], cl[64];
	float v = tensor_at(t, r, c);
	char val[32];
	if (isinf(v) && v < 0)
		snprintf(val, sizeof val, "-inf (masked)");
	else
		tensor_fmt(t, v, val, sizeof val);
	int w = snprintf(buf, n, "%s[%s, %s] = %s\n%s", t->name, axis_label(&t->row, r, rl, sizeof rl),
			 axis_label(&t->col, c, cl, sizeof cl), val, t->desc ? t->desc : "");
	return w < 0 ? 0 : (size_t)w < n ? (size_t)w : n - 1;
}

void session_message(struct session *s, int error, const char *msg)
{
	if (s->sink.message)
		s->sink.message(s->sink.arg, error, msg);
}

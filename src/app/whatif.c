/* The what-if commands and set keys (see whatif.h): each changes the
 * session's switches or edits, re-runs the engine and reports what the run
 * now uses and the translation; diff and snapshot compare runs. */
#include "app/whatif.h"
#include "app/textview.h"
#include "base/textwidth.h"
#include "engine/whatif.h"
#include "teach/quiz.h"
#include "trace/diff.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int seq2seq(const struct config *c)
{
	return c->arch == ARCH_TRANSFORMER || c->arch == ARCH_RNN_SEQ2SEQ;
}

static enum status key_usage(struct cmd_ctx *c, const char *key, struct err *e)
{
	const struct setting *k = commands_find_setting(c->cmds, key);
	return err_set(e, ST_USAGE, "usage: %s", k ? k->usage : "set KEY VALUE");
}

/* The model, loaded and run, or the error. */
static enum status ready(struct cmd_ctx *c, struct err *e)
{
	return session_ensure(c->s, e);
}

/* A switch the loaded model does not have is an error naming the models
 * that do. */
static enum status applies(struct cmd_ctx *c, int ok, const char *key, const char *which,
			   struct err *e)
{
	if (ok)
		return ST_OK;
	const struct model *m = c->s->model;
	return err_set(e, ST_USAGE, "set %s: %s (%s) has nothing to switch: %s", key, m->name,
		       arch_name(m->cfg.arch), which);
}

/* What the run uses now, and the translation against the one before. */
static void report(struct cmd_ctx *c, const char *what, const char *before)
{
	struct session *s = c->s;
	const char *line = trace_whatif(&s->trace);
	cmd_printf(c, "what-if: %s\n", line[0] ? line : "none (the model as trained)");
	char tr[160];
	text_fit(tr, sizeof tr, s->translation, 50);
	if (seq2seq(&s->model->cfg)) {
		if (strcmp(before, s->translation) != 0) {
			char was[160];
			text_fit(was, sizeof was, before, 40);
			cmd_printf(c, "translation: %s (before: %s)\n", s->translation, before);
			cmd_note(c, "%s: %s (before: %s); diff shows what changed", what, tr, was);
		} else {
			cmd_printf(c, "translation: %s (unchanged)\n", s->translation);
			cmd_note(c, "%s: %s (unchanged); diff shows what changed", what, tr);
		}
	} else {
		cmd_note(c, "%s; diff shows what changed", what);
	}
	if (s->have_diff)
		cmd_printf(c, "%zu tensor%s changed against %s (diff lists them)\n", s->diff.n,
			   s->diff.n == 1 ? "" : "s", s->have_snap ? "the snapshot" : "the previous run");
}

/* Re-runs with the switches changed from `before`; puts them back when the
 * run fails. */
static enum status apply(struct cmd_ctx *c, const struct whatif *before, const char *what,
			 struct err *e)
{
	char old[SESSION_TEXT];
	snprintf(old, sizeof old, "%s", c->s->translation);
	enum status st = session_rerun(c->s, e);
	if (st) {
		c->s->whatif = *before;
		return st;
	}
	report(c, what, old);
	return ST_OK;
}

/* "off" -> 1, "on" -> 0, else -1. */
static int off_word(const char *s)
{
	return strcmp(s, "off") == 0 ? 1 : strcmp(s, "on") == 0 ? 0 : -1;
}

/* set KEY off|on for a flag of the switches. */
static enum status set_flag(struct cmd_ctx *c, int argc, char **argv, int *(*flag)(struct switches *),
			    int ok, const char *which, const char *off_what, const char *on_what,
			    struct err *e)
{
	enum status st;
	int off;
	if (argc != 3 || (off = off_word(argv[2])) < 0)
		return key_usage(c, argv[1], e);
	if ((st = ready(c, e)) || (st = applies(c, ok, argv[1], which, e)))
		return st;
	struct whatif before = c->s->whatif;
	*flag(&c->s->whatif.sw) = off;
	return apply(c, &before, off ? off_what : on_what, e);
}

static int *flag_scale(struct switches *s)
{
	return &s->no_scale;
}

static int *flag_mask(struct switches *s)
{
	return &s->no_mask;
}

static int *flag_positions(struct switches *s)
{
	return &s->no_positions;
}

static const struct config *cfg_of(struct cmd_ctx *c)
{
	return &c->s->model->cfg;
}

static enum status set_scale(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	enum status st = ready(c, e);
	if (st)
		return st;
	const struct config *m = cfg_of(c);
	int ok = m->arch == ARCH_TRANSFORMER || m->arch == ARCH_SELF_ATTENTION ||
		 (m->arch == ARCH_RNN_SEQ2SEQ && m->attention == ATTN_SCALED_DOT);
	return set_flag(c, argc, argv, flag_scale, ok,
			"the 1/√d_k of dot-product attention is in transformer and self_attention "
			"models, and recurrent ones with scaled_dot attention",
			"scale off: scores are q·k without 1/√d_k",
			"scale on: scores are q·k / √d_k again", e);
}

static enum status set_mask(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	enum status st = ready(c, e);
	if (st)
		return st;
	st = set_flag(c, argc, argv, flag_mask, cfg_of(c)->arch == ARCH_TRANSFORMER,
		      "the causal mask is in the decoder of transformer models",
		      "mask off: the decoder's self-attention sees later positions",
		      "mask on: the decoder's self-attention is causal again", e);
	if (!st && c->s->whatif.sw.no_mask && !c->s->target[0]) {
		cmd_printf(c, "note: only the teacher-forced pass runs without the mask. Decoding "
			      "stays causal (a decoder cannot read tokens it has not written), so the "
			      "tokens above come from the masked decoder and the trace shows the "
			      "unmasked pass over them; target SENTENCE forces a target.\n");
		cmd_note(c, "mask off: the trace's pass over the decoded tokens sees later positions; "
			    "decoding itself stays causal (target SENTENCE forces a target)");
	}
	return st;
}

static enum status set_positions(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	enum status st = ready(c, e);
	if (st)
		return st;
	return set_flag(c, argc, argv, flag_positions, cfg_of(c)->arch == ARCH_TRANSFORMER,
			"positional encoding is in transformer models",
			"positions off: the embeddings carry no word order",
			"positions on: the positional encoding is added again", e);
}

/* A finite number typed by the user (a Unicode minus is fine). */
static int number(const char *s, float lo, float hi, float *v)
{
	double d;
	if (!quiz_parse_value(s, &d) || !isfinite(d) || d < lo || d > hi)
		return 0;
	*v = (float)d;
	return 1;
}

static enum status set_temperature(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	enum status st;
	float t;
	if (argc != 3)
		return key_usage(c, "temperature", e);
	if ((st = ready(c, e)) || (st = applies(c, seq2seq(cfg_of(c)), "temperature",
						 "the output softmax is in translation models", e)))
		return st;
	if (!number(argv[2], 0.01f, 100.0f, &t))
		return err_set(e, ST_USAGE, "set temperature takes a number from 0.01 to 100 (1: as "
			       "trained), not '%s'", argv[2]);
	struct whatif before = c->s->whatif;
	c->s->whatif.sw.temperature = t;
	char what[96];
	snprintf(what, sizeof what, "temperature %g: probs = softmax(logits / %g)", (double)t,
		 (double)t);
	return apply(c, &before, t == 1.0f ? "temperature 1: the softmax as trained" : what, e);
}

/* set query X|off and set width W|off: one number of the pooling. */
static enum status set_pool(struct cmd_ctx *c, int argc, char **argv, int width, struct err *e)
{
	enum status st;
	const char *key = width ? "width" : "query";
	if (argc != 3)
		return key_usage(c, key, e);
	if ((st = ready(c, e)) ||
	    (st = applies(c, cfg_of(c)->arch == ARCH_ATTENTION_POOLING, key,
			  "a query point and a kernel width are in attention pooling models", e)))
		return st;
	if (width && cfg_of(c)->pooling == POOL_AVERAGE)
		return err_set(e, ST_USAGE, "set width: average pooling has no kernel (load pooling-nw "
			       "or pooling-parametric)");
	struct whatif before = c->s->whatif;
	struct switches *sw = &c->s->whatif.sw;
	int *has = width ? &sw->has_width : &sw->has_query;
	float *v = width ? &sw->width : &sw->query, x;
	char what[128];
	if (strcmp(argv[2], "off") == 0) {
		*has = 0;
		snprintf(what, sizeof what, width ? "width: the model's own kernel again"
						  : "query: the added query point removed");
	} else if (number(argv[2], width ? 0.0f : -1e6f, width ? 1000.0f : 1e6f, &x)) {
		*has = 1;
		*v = x;
		if (width)
			snprintf(what, sizeof what, "width w = %g: scores = -((x - x_i)·%g)² / 2", (double)x,
				 (double)x);
		else
			snprintf(what, sizeof what, "query x = %g added as query %d", (double)x,
				 cfg_of(c)->n_queries);
	} else {
		return err_set(e, ST_USAGE, "set %s takes a number%s or off, not '%s'", key,
			       width ? " from 0 to 1000" : "", argv[2]);
	}
	return apply(c, &before, what, e);
}

static enum status set_query(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	return set_pool(c, argc, argv, 0, e);
}

static enum status set_width(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	return set_pool(c, argc, argv, 1, e);
}

/* ---- set head: the view's head, or a head switched off ---- */

static cmd_fn builtin_head; /* set head N|all (commands_builtin.c) */

static enum status set_head(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc == 3 && builtin_head)
		return builtin_head(c, argc, argv, e);
	int off = argc >= 4 ? off_word(argv[argc - 1]) : -1;
	if ((argc != 4 && argc != 5) || off < 0)
		return key_usage(c, "head", e);
	enum status st;
	if ((st = ready(c, e)) ||
	    (st = applies(c, cfg_of(c)->arch == ARCH_TRANSFORMER, "head",
			  "switching a head off is for the heads of transformer models", e)))
		return st;
	const struct config *m = cfg_of(c);
	struct whatif before = c->s->whatif;
	struct switches *sw = &c->s->whatif.sw;
	if (argc == 4 && strcmp(argv[2], "all") == 0) {
		if (off)
			return err_set(e, ST_USAGE, "set head all on switches every head back on; to "
				       "switch one off, name it: set head enc.0.self_attn 1 off");
		memset(sw->head_off, 0, sizeof sw->head_off);
		return apply(c, &before, "every head on again", e);
	}
	char block[96];
	int h = -1;
	if (argc == 5) {
		snprintf(block, sizeof block, "%s", argv[2]);
		char *end;
		long v = strtol(argv[3], &end, 10);
		h = *argv[3] && !*end && v >= 0 && v < m->n_heads ? (int)v : -1;
		if (h < 0)
			return err_set(e, ST_USAGE, "%s has heads 0..%d, not '%s'", block, m->n_heads - 1,
				       argv[3]);
	} else {
		/* BLOCK.hH, as the trace names a head's tensors */
		snprintf(block, sizeof block, "%s", argv[2]);
		char *dot = strrchr(block, '.');
		char *end = NULL;
		long v = dot && dot[1] == 'h' ? strtol(dot + 2, &end, 10) : -1;
		if (!dot || dot[1] != 'h' || !dot[2] || *end || v < 0 || v >= m->n_heads)
			return err_set(e, ST_USAGE, "set head: name a head as BLOCK H or BLOCK.hH, e.g. "
				       "set head enc.0.self_attn 1 off (heads 0..%d)", m->n_heads - 1);
		*dot = 0;
		h = (int)v;
	}
	enum head_block b;
	int layer;
	if (!whatif_head_block(m, block, &b, &layer))
		return err_set(e, ST_USAGE, "no attention block '%s': enc.L.self_attn (L < %d), "
			       "dec.L.self_attn or dec.L.cross_attn (L < %d)", block, m->n_enc_layers,
			       m->n_dec_layers);
	if (off)
		sw->head_off[b][layer] |= (uint64_t)1 << h;
	else
		sw->head_off[b][layer] &= ~((uint64_t)1 << h);
	char what[160];
	snprintf(what, sizeof what, "head %s.h%d %s", block, h,
		 off ? "off: zeroed before W_o" : "on again");
	return apply(c, &before, what, e);
}

/* ---- edit, diff, snapshot, reset ---- */

static enum status cmd_edit(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	const struct command *me = commands_find(c->cmds, "edit");
	if (argc != 4 && argc != 5)
		return err_set(e, ST_USAGE, "usage: %s", me->usage);
	enum status st = ready(c, e);
	if (st)
		return st;
	struct session *s = c->s;
	const struct tensor *t = trace_get(&s->trace, argv[1]);
	if (!t)
		return err_set(e, ST_USAGE, "no trace entry named '%s' (list shows them all)", argv[1]);
	int r = 0, col;
	if (argc == 5) {
		r = axis_find(&t->row, t->rows, argv[2]);
		if (r < 0)
			return err_set(e, ST_USAGE, "%s has no row '%s' (rows 0..%d)", t->name, argv[2],
				       t->rows - 1);
	} else if (t->rows != 1) {
		return err_set(e, ST_USAGE, "usage: %s (%s has %d rows)", me->usage, t->name, t->rows);
	}
	col = axis_find(&t->col, t->cols, argv[argc - 2]);
	if (col < 0)
		return err_set(e, ST_USAGE, "%s has no column '%s' (columns 0..%d)", t->name,
			       argv[argc - 2], t->cols - 1);
	float v;
	if (!number(argv[argc - 1], -1e30f, 1e30f, &v))
		return err_set(e, ST_USAGE, "edit takes a number for the new value, not '%s'",
			       argv[argc - 1]);
	struct whatif before = s->whatif;
	float old = tensor_at(t, r, col);
	char name[96], rl[64], cl[64], ob[64], lb[64];
	snprintf(name, sizeof name, "%s", t->name);
	text_fit(rl, sizeof rl, axis_label(&t->row, r, lb, sizeof lb), 24);
	text_fit(cl, sizeof cl, axis_label(&t->col, col, lb, sizeof lb), 24);
	if ((st = whatif_edit(&s->whatif, &s->model->cfg, &s->model->w, t, r, col, v, e)))
		return st;
	size_t pi = 0, idx = 0;
	int tp = 0;
	whatif_locate(&s->model->cfg, &s->model->w, name, r, col, &pi, &idx, &tp, NULL);
	const struct param *p = &s->model->w.params[pi];
	char what[300];
	snprintf(what, sizeof what, "edit %s[%d, %d] = %g (was %s)", name, r, col, (double)v,
		 tensor_fmt(NULL, old, ob, sizeof ob));
	char old_tr[SESSION_TEXT];
	snprintf(old_tr, sizeof old_tr, "%s", s->translation);
	if ((st = session_rerun(s, e))) {
		p->data[idx] = old;
		s->whatif = before;
		return st;
	}
	if (p->ndim == 2)
		cmd_printf(c, "edited %s[%s, %s]: %s -> %g, the model's %s[%zu, %zu]%s\n", name, rl, cl,
			   ob, (double)v, p->name, idx / (size_t)p->dims[1], idx % (size_t)p->dims[1],
			   tp ? " (stored [out, in], the transpose of x W)" : "");
	else
		cmd_printf(c, "edited %s[%s, %s]: %s -> %g, the model's %s[%zu]\n", name, rl, cl, ob,
			   (double)v, p->name, idx);
	report(c, what, old_tr);
	return ST_OK;
}

/* The diff's text into the command's output. */
static enum status print_diff(struct cmd_ctx *c, struct err *e)
{
	const char *what;
	session_baseline(c->s, &what);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_set(e, ST_NOMEM, "out of memory");
	trace_diff_print(f, &c->s->diff, what, 72); /* fits the pager of an 80-column screen */
	fclose(f);
	cmd_printf(c, "%s", buf ? buf : "");
	free(buf);
	return ST_OK;
}

static enum status need_diff(struct cmd_ctx *c, struct err *e)
{
	enum status st = ready(c, e);
	if (st)
		return st;
	if (!c->s->have_diff)
		return err_set(e, ST_USAGE, "nothing to compare with yet: change something (set scale "
			       "off, edit ...) or take a snapshot, then diff");
	return ST_OK;
}

static enum status cmd_diff(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	struct session *s = c->s;
	const char *what;
	enum status st;
	if (argc > 2)
		return err_set(e, ST_USAGE, "usage: %s", commands_find(c->cmds, "diff")->usage);
	if (argc == 2 && strcmp(argv[1], "off") == 0) {
		s->diff_mode = 0;
		s->gen++;
		cmd_note(c, "diff off: the views show the values");
		c->out.view = c->batch ? CMD_VIEW_NONE : CMD_VIEW_STAGE;
		return ST_OK;
	}
	if ((st = need_diff(c, e)))
		return st;
	session_baseline(s, &what);
	if (argc == 1) {
		if ((st = print_diff(c, e)))
			return st;
		s->diff_mode = 1;
		s->gen++;
		c->out.pager = 1;
		cmd_note(c, "diff against %s: %zu tensor%s changed (the views show Δ; d or diff off: "
			 "the values)", what, s->diff.n, s->diff.n == 1 ? "" : "s");
		return ST_OK;
	}
	if ((st = session_show(s, argv[1], e)))
		return st;
	s->diff_mode = 1;
	s->gen++;
	const struct diff_entry *x = trace_diff_find(&s->diff, argv[1]);
	char line[512];
	if (!x) {
		cmd_printf(c, "%s did not change against %s\n", argv[1], what);
		cmd_note(c, "%s did not change against %s", argv[1], what);
	} else {
		trace_diff_entry_text(x, 0, line, sizeof line);
		cmd_printf(c, "%s (against %s)\n", line, what);
		cmd_note(c, "Δ %s", line);
		const struct tensor *d = trace_get(&s->diff.delta, argv[1]);
		if (d && c->batch) {
			char *buf = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&buf, &len);
			if (!f)
				return err_set(e, ST_NOMEM, "out of memory");
			textview_tensor(f, d, 100);
			fclose(f);
			cmd_printf(c, "%s", buf ? buf : "");
			free(buf);
		}
	}
	c->out.view = c->batch ? CMD_VIEW_NONE : CMD_VIEW_STAGE;
	return ST_OK;
}

static enum status cmd_snapshot(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc > 2 || (argc == 2 && strcmp(argv[1], "off") != 0))
		return err_set(e, ST_USAGE, "usage: %s", commands_find(c->cmds, "snapshot")->usage);
	enum status st = ready(c, e);
	if (st)
		return st;
	int take = argc == 1;
	if ((st = session_snapshot(c->s, take, e)))
		return st;
	if (take) {
		cmd_printf(c, "snapshot taken: diff compares the runs from now on with this one\n");
		cmd_note(c, "snapshot taken: diff compares with it (snapshot off: with the previous run)");
	} else {
		cmd_printf(c, "snapshot dropped: diff compares with the previous run\n");
		cmd_note(c, "snapshot dropped: diff compares with the previous run");
	}
	return ST_OK;
}

static enum status cmd_reset(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return err_set(e, ST_USAGE, "usage: reset");
	enum status st = ready(c, e);
	if (st)
		return st;
	struct session *s = c->s;
	int edits = s->whatif.n_edits, active = whatif_active(&s->whatif, &s->model->cfg);
	struct whatif before = s->whatif;
	whatif_undo_edits(&s->whatif, &s->model->w);
	whatif_init(&s->whatif);
	char what[128];
	if (!active)
		snprintf(what, sizeof what, "reset: nothing was switched or edited");
	else
		snprintf(what, sizeof what, "reset: the model as trained (%d edit%s undone)", edits,
			 edits == 1 ? "" : "s");
	char old[SESSION_TEXT];
	snprintf(old, sizeof old, "%s", s->translation);
	if ((st = session_rerun(s, e))) {
		/* Put the edits back as they were, so the state matches the trace. */
		for (int i = 0; i < before.n_edits; i++)
			s->model->w.params[before.edits[i].param].data[before.edits[i].index] =
				before.edits[i].after;
		s->whatif = before;
		return st;
	}
	report(c, what, old);
	return ST_OK;
}

/* ---- completion ---- */

static void complete_onoff(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi != 2)
		return;
	strlist_add(out, "off");
	strlist_add(out, "on");
}

static void complete_head(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	char buf[96];
	if (argi == 2) {
		complete_set_head(c, argi, word, out);
		const struct config *m = c->s->model ? &c->s->model->cfg : NULL;
		for (int b = 0; m && m->arch == ARCH_TRANSFORMER && b < HB_COUNT; b++)
			for (int l = 0; l < (b == HB_ENC_SELF ? m->n_enc_layers : m->n_dec_layers); l++) {
				whatif_block_name((enum head_block)b, l, buf, sizeof buf);
				strlist_add(out, buf);
			}
		return;
	}
	if (argi == 3)
		for (int h = 0; c->s->model && h < c->s->pipe.nheads; h++)
			strlist_add(out, (snprintf(buf, sizeof buf, "%d", h), buf));
	if (argi == 3 || argi == 4) {
		strlist_add(out, "off");
		strlist_add(out, "on");
	}
}

static void complete_diff(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi != 1)
		return;
	strlist_add(out, "off");
	for (size_t i = 0; c->s->have_diff && i < c->s->diff.n; i++)
		if (c->s->diff.v[i].kind == DIFF_CHANGED)
			strlist_add(out, c->s->diff.v[i].name);
	(void)word;
}

static void complete_snapshot(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 1)
		strlist_add(out, "off");
}

static const struct setting settings[] = {
	{"scale", set_scale, "set scale off|on",
	 "what-if: attention scores without the 1/√d_k (off), or with it", complete_onoff},
	{"mask", set_mask, "set mask off|on",
	 "what-if: the decoder's self-attention without the causal mask (teacher-forced pass)",
	 complete_onoff},
	{"positions", set_positions, "set positions off|on", "what-if: no positional encoding",
	 complete_onoff},
	{"head", set_head, "set head N|all|BLOCK H off|on",
	 "the head the views show; or (what-if) head H of BLOCK (enc.0.self_attn, "
	 "dec.1.cross_attn, ...) zeroed before W_o", complete_head},
	{"temperature", set_temperature, "set temperature T",
	 "what-if: probs = softmax(logits / T), for decoding too (1: as trained)", NULL},
	{"query", set_query, "set query X|off", "what-if (pooling): one more query point x", NULL},
	{"width", set_width, "set width W|off",
	 "what-if (pooling): the kernel's w in -((x - x_i) w)² / 2", NULL},
};

static const struct command commands[] = {
	{"edit", NULL, cmd_edit, "edit NAME ROW COL VALUE",
	 "what-if: set one cell of a given tensor (a weight, an embedding, an input) and run again",
	 complete_trace_names},
	{"diff", NULL, cmd_diff, "diff [NAME|off]",
	 "what changed against the previous run (or the snapshot); the views show Δ", complete_diff},
	{"snapshot", NULL, cmd_snapshot, "snapshot [off]",
	 "keep this run as what diff compares with (off: the previous run again)", complete_snapshot},
	{"reset", NULL, cmd_reset, "reset", "undo every what-if switch and edit", NULL},
};

enum status whatif_register(struct commands *c, struct err *e)
{
	const struct setting *h = commands_find_setting(c, "head");
	if (h && h->run != set_head)
		builtin_head = h->run;
	enum status st = ST_OK;
	for (size_t i = 0; i < sizeof commands / sizeof *commands && !st; i++)
		st = commands_add(c, &commands[i], e);
	for (size_t i = 0; i < sizeof settings / sizeof *settings && !st; i++)
		st = commands_add_setting(c, &settings[i], e);
	return st;
}

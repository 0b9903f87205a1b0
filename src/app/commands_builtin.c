/* The built-in commands (see commands.h): running the model, moving through
 * the stages, showing, explaining, listing and dumping tensors, settings and
 * help; and the table that names them with their usage, help and completer. */
#include "app/commands.h"
#include "io/datadir.h"
#include "io/dump.h"
#include "base/parse.h"
#include "trace/render_text.h"
#include "base/textwidth.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The arguments joined by single spaces: a sentence typed without quotes. */
static void join(int argc, char **argv, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < argc && o + 1 < n; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s", i ? " " : "", argv[i]);
}

static enum status need_trace(struct cmd_ctx *c, struct err *e)
{
	return session_ensure(c->s, e);
}

static enum status usage(const struct command *cmd, struct err *e)
{
	return err_set(e, ST_USAGE, "usage: %s", cmd->usage);
}

#define USAGE(c, name, e) usage(commands_find((c)->cmds, name), e)

/* After a move: the new position in the message line, the stage redrawn. */
static enum status note_moved(struct cmd_ctx *c)
{
	char where[256];
	session_where(c->s, where, sizeof where);
	cmd_note(c, "%s", where);
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static void print_tokens(struct cmd_ctx *c)
{
	const struct trace *tr = &c->s->trace;
	const struct tensor *s = trace_get(tr, "src.tokens"), *t = trace_get(tr, "tgt.tokens");
	char buf[256], lab[256];
	if (!s && !t) {
		cmd_printf(c, "ran %s (it has no sentence input)\n", c->s->model->name);
		return;
	}
	cmd_printf(c, "source tokens:");
	for (int i = 0; s && i < s->cols; i++)
		cmd_printf(c, " %s", (text_sanitize(buf, sizeof buf, axis_label(&s->col, i, lab, sizeof lab)), buf));
	cmd_printf(c, "\ntarget tokens:");
	for (int i = 0; t && i < t->cols; i++)
		cmd_printf(c, " %s", (text_sanitize(buf, sizeof buf, axis_label(&t->col, i, lab, sizeof lab)), buf));
	const struct tensor *d = trace_get(tr, "decode.output");
	if (d && d->cols && d->col.labels)
		cmd_printf(c, " %s",
			   (text_sanitize(buf, sizeof buf, d->col.labels[d->cols - 1]), buf));
	cmd_printf(c, "\ntranslation: %s\n", c->s->translation);
	if (c->s->n_unknown)
		cmd_printf(c, "note: %d unknown source word%s became <unk>: %s\n", c->s->n_unknown,
			   c->s->n_unknown > 1 ? "s" : "", c->s->unknown);
}

static void note_translation(struct cmd_ctx *c)
{
	char src[160];
	text_fit(src, sizeof src, c->s->source, 60);
	if (c->s->n_unknown)
		cmd_note(c, "%s -> %s  (%d unknown word%s: %s)", src, c->s->translation,
			 c->s->n_unknown, c->s->n_unknown > 1 ? "s" : "", c->s->unknown);
	else
		cmd_note(c, "%s -> %s", src, c->s->translation);
}

static enum status cmd_translate(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc < 2)
		return USAGE(c, "translate", e);
	char text[SESSION_TEXT];
	join(argc - 1, argv + 1, text, sizeof text);
	enum status st = session_translate(c->s, text, e);
	if (st)
		return st;
	print_tokens(c);
	note_translation(c);
	return ST_OK;
}

static enum status cmd_target(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	char text[SESSION_TEXT];
	join(argc - 1, argv + 1, text, sizeof text);
	enum status st = session_set_target(c->s, text, e);
	if (st)
		return st;
	print_tokens(c);
	if (text[0])
		cmd_note(c, "teacher forcing: the decoder reads '%s' (target alone goes back to decoding)",
			 c->s->target);
	else
		note_translation(c);
	return ST_OK;
}

static enum status cmd_load(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc != 2)
		return USAGE(c, "load", e);
	enum status st = session_load(c->s, argv[1], e);
	if (st)
		return st;
	const struct config *cfg = &c->s->model->cfg;
	cmd_printf(c, "loaded %s (%s)\n", c->s->model->name, arch_name(cfg->arch));
	print_tokens(c);
	char subject[SESSION_TEXT + 64];
	session_subject(c->s, subject, sizeof subject, 0);
	cmd_note(c, "loaded %s (%s): %s", c->s->model->name, arch_name(cfg->arch), subject);
	return ST_OK;
}

static enum status cmd_models(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return USAGE(c, "models", e);
	struct strlist l = {0};
	commands_model_names(&l);
	if (!l.n) {
		cmd_printf(c, "no models in %s (make models trains them; load PATH opens any model folder)\n",
			   datadir_models());
	} else {
		cmd_printf(c, "models in %s:\n", datadir_models());
		for (size_t i = 0; i < l.n; i++) {
			char p[PATH_MAX];
			struct config cfg;
			struct err ce;
			snprintf(p, sizeof p, "%s/%s/config.json", datadir_models(), l.v[i]);
			int cur = c->s->model && strcmp(c->s->model->name, l.v[i]) == 0;
			if (config_load(&cfg, p, &ce) == ST_OK)
				cmd_printf(c, "%c %-28s %s%s%s\n", cur ? '*' : ' ', l.v[i], arch_name(cfg.arch),
					   cfg.arch == ARCH_RNN_SEQ2SEQ ? " " : "",
					   cfg.arch == ARCH_RNN_SEQ2SEQ ? cell_name(cfg.cell) : "");
			else
				cmd_printf(c, "%c %-28s (config.json unreadable)\n", cur ? '*' : ' ', l.v[i]);
		}
	}
	strlist_release(&l);
	c->out.pager = 1;
	return ST_OK;
}

static enum status cmd_step(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int back = strcmp(argv[0], "back") == 0;
	int n = 1;
	if (argc > 2 || (argc == 2 && !parse_int(argv[1], 1, 100000, &n)))
		return USAGE(c, back ? "back" : "step", e);
	enum status st = need_trace(c, e);
	if (st)
		return st;
	for (int i = 0; i < n; i++)
		if (!session_step(c->s, back ? -1 : 1)) {
			if (i == 0)
				return err_set(e, ST_USAGE, "already at the %s stage", back ? "first" : "last");
			break;
		}
	return note_moved(c);
}

static enum status cmd_goto(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int layer = -1;
	if (argc < 2 || argc > 3 || (argc == 3 && !parse_int(argv[2], 0, CFG_MAX_LAYERS, &layer)))
		return USAGE(c, "goto", e);
	enum status st = need_trace(c, e);
	if (!st && layer >= 0)
		st = session_set_layer(c->s, layer, e);
	if (!st)
		st = session_goto(c->s, argv[1], e);
	if (st)
		return st;
	return note_moved(c);
}

static enum status cmd_show(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int plot = argc == 3 && strcmp(argv[2], "--plot") == 0;
	if (argc != 2 && !plot)
		return USAGE(c, "show", e);
	enum status st = need_trace(c, e);
	if (!st)
		st = plot ? session_show_plot(c->s, argv[1], e) : session_show(c->s, argv[1], e);
	if (st)
		return st;
	const struct tensor *t = trace_get(&c->s->trace, argv[1]);
	cmd_note(c, "%s [%d x %d]%s", t->name, t->rows, t->cols, plot ? " as a plot (v: the matrices)" : "");
	/* a plot is the stage's view; batch mode prints it as text */
	c->out.view = plot ? CMD_VIEW_STAGE : CMD_VIEW_TENSOR;
	snprintf(c->out.tensor, sizeof c->out.tensor, "%s", argv[1]);
	return ST_OK;
}

static enum status cmd_dump(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	const char *pattern = NULL, *dir = NULL;
	int force = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = 1;
		else if (!pattern)
			pattern = argv[i];
		else if (!dir)
			dir = argv[i];
		else
			return USAGE(c, "dump", e);
	}
	if (!pattern)
		return USAGE(c, "dump", e);
	dir = dir ? dir : ".";
	enum status st = need_trace(c, e);
	if (st)
		return st;
	if (!trace_match(&c->s->trace, pattern, NULL, NULL))
		return err_set(e, ST_USAGE, "no trace entry matches '%s' (list shows them all)", pattern);
	int written;
	if ((st = dump_tensors(&c->s->trace, pattern, dir, 0, force, &written, e)))
		return st;
	cmd_printf(c, "wrote %d file%s to %s\n", written, written == 1 ? "" : "s", dir);
	cmd_note(c, "wrote %d file%s to %s", written, written == 1 ? "" : "s", dir);
	return ST_OK;
}

/* ---- set KEY VALUE: the built-in settings ---- */

static enum status set_usage(struct cmd_ctx *c, const char *key, struct err *e)
{
	const struct setting *k = commands_find_setting(c->cmds, key);
	return err_set(e, ST_USAGE, "usage: %s", k ? k->usage : "set KEY VALUE");
}

static enum status set_beam(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int n;
	enum status st;
	if (argc != 3)
		return set_usage(c, "beam", e);
	if (!parse_int(argv[2], 1, 64, &n))
		return err_set(e, ST_USAGE, "set beam takes a number 1..64, not '%s'", argv[2]);
	if ((st = need_trace(c, e)) || (st = session_set_beam(c->s, n, e)))
		return st;
	print_tokens(c);
	cmd_note(c, "beam %d: %s", n, c->s->translation);
	return ST_OK;
}

static enum status set_head(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int n;
	enum status st;
	if (argc != 3)
		return set_usage(c, "head", e);
	if ((st = need_trace(c, e)))
		return st;
	if (strcmp(argv[2], "all") == 0)
		n = -1;
	else if (!parse_int(argv[2], 0, CFG_MAX_HEADS, &n))
		return err_set(e, ST_USAGE, "set head takes a head number or all, not '%s'", argv[2]);
	if ((st = session_set_head(c->s, n, e)))
		return st;
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static enum status set_layer(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int n;
	enum status st;
	if (argc != 3)
		return set_usage(c, "layer", e);
	if ((st = need_trace(c, e)))
		return st;
	if (!parse_int(argv[2], 0, CFG_MAX_LAYERS, &n))
		return err_set(e, ST_USAGE, "set layer takes a layer number, not '%s'", argv[2]);
	if ((st = session_set_layer(c->s, n, e)))
		return st;
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static enum status set_theme(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc != 3)
		return set_usage(c, "theme", e);
	const char *v = argv[2];
	if (strcmp(v, "default") == 0)
		c->s->theme = THEME_DEFAULT;
	else if (strcmp(v, "contrast") == 0)
		c->s->theme = THEME_CONTRAST;
	else if (strcmp(v, "mono") == 0)
		c->s->theme = THEME_MONO;
	else
		return err_set(e, ST_USAGE, "set theme takes default, contrast or mono, not '%s'", v);
	c->s->gen++;
	return ST_OK;
}

static enum status set_view(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc != 3)
		return set_usage(c, "view", e);
	const char *v = argv[2];
	struct session *s = c->s;
	if (strcmp(v, "numbers") == 0 || strcmp(v, "heatmap") == 0) {
		session_set_view(s, 0, v[0] == 'n');
	} else if (strcmp(v, "plot") == 0) {
		enum status st = need_trace(c, e);
		if (st)
			return st;
		/* the mode stays as it was where a plot makes no sense */
		if (!session_plot_offer(s, NULL)) {
			char where[256], list[400];
			session_where(s, where, sizeof where);
			plot_spec_stage_list(&s->pipe, &s->trace, list, sizeof list);
			return err_set(e, ST_USAGE, "this stage (%s) has no plot; %s%s", where,
				       list[0] ? "stages with a plot: " : "this model has no stage with a plot",
				       list);
		}
		session_set_view(s, 1, s->numbers);
	} else {
		return err_set(e, ST_USAGE, "set view takes plot, heatmap or numbers, not '%s'", v);
	}
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static const struct setting builtin_settings[] = {
	{"beam", set_beam, "set beam N", "decode with a beam of N (1 = greedy)", NULL},
	{"head", set_head, "set head N|all", "which attention head the views show (all: their average)",
	 complete_set_head},
	{"layer", set_layer, "set layer N", "which layer the views show", complete_set_layer},
	{"theme", set_theme, "set theme default|contrast|mono",
	 "colours: default, high contrast for projectors, or none", complete_set_theme},
	{"view", set_view, "set view plot|heatmap|numbers",
	 "the main view: a plot (where the stage has one), a heatmap or numbers", complete_set_view},
};

static enum status cmd_set(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc < 3)
		return USAGE(c, "set", e);
	const struct setting *k = commands_find_setting(c->cmds, argv[1]);
	if (!k) {
		char keys[512];
		size_t o = 0;
		keys[0] = 0;
		for (size_t i = 0; i < c->cmds->nset && o < sizeof keys; i++)
			o += (size_t)snprintf(keys + o, sizeof keys - o, "%s%s", i ? ", " : "",
					      c->cmds->set[i].key);
		char shown[64];
		text_fit(shown, sizeof shown, argv[1], 30);
		return err_set(e, ST_USAGE, "set what? %s (not '%s')", keys, shown);
	}
	enum status st = k->run(c, argc, argv, e);
	if (st)
		return st;
	if (!c->out.note[0]) {
		char where[256], value[256];
		size_t o = 0;
		value[0] = 0;
		for (int i = 2; i < argc && o < sizeof value; i++)
			o += (size_t)snprintf(value + o, sizeof value - o, "%s%s", i > 2 ? " " : "", argv[i]);
		session_where(c->s, where, sizeof where);
		cmd_note(c, "%s %s  (%s)", argv[1], value, where);
	}
	return ST_OK;
}

static const char keys_help[] =
	"keys:\n"
	"  n, space    next stage             p           previous stage\n"
	"  arrows hjkl move the cell          Enter       explain the cell\n"
	"  [ ]         previous / next head   { }         previous / next layer\n"
	"  t           numbers / heatmap      Tab         next panel\n"
	"  v           plot / matrices        (where the stage has a plot)\n"
	"  PgUp PgDn   scroll a page          mouse       click a cell or a stage\n"
	"  :           command line           ?           this help\n"
	"  d           Δ against the run before (after set / edit: diff, reset)\n"
	"  q           quit                   Esc         close an overlay\n";

static enum status cmd_help(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc > 2)
		return USAGE(c, "help", e);
	if (argc == 2) {
		const struct command *cmd = commands_find(c->cmds, argv[1]);
		if (!cmd)
			return commands_unknown(c->cmds, argv[1], e);
		cmd_printf(c, "%s\n  %s\n", cmd->usage, cmd->help);
		if (cmd->alias)
			cmd_printf(c, "  (also: %s)\n", cmd->alias);
		if (strcmp(cmd->name, "goto") == 0 && c->s->have_trace) {
			cmd_printf(c, "  stages:");
			for (int i = 0; i < c->s->pipe.n; i++)
				cmd_printf(c, " %s", c->s->pipe.st[i].id);
			cmd_printf(c, "\n");
		}
		if (strcmp(cmd->name, "set") == 0)
			for (size_t i = 0; i < c->cmds->nset; i++)
				cmd_printf(c, "  %-36s %s\n", c->cmds->set[i].usage, c->cmds->set[i].help);
		cmd_note(c, "%s: %s", cmd->usage, cmd->help);
		return ST_OK;
	}
	cmd_printf(c, "commands (help CMD for one; several on a line with ';'):\n");
	for (size_t i = 0; i < c->cmds->n; i++) {
		const struct command *cmd = &c->cmds->v[i];
		cmd_printf(c, "  %-30s %s\n", cmd->usage, cmd->help);
	}
	if (!c->batch)
		cmd_printf(c, "\n%s", keys_help);
	c->out.pager = 1;
	return ST_OK;
}

static enum status cmd_quit(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return USAGE(c, "quit", e);
	c->s->quit = 1;
	return ST_OK;
}

static enum status cmd_explain(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc > 4)
		return USAGE(c, "explain", e);
	enum status st = need_trace(c, e);
	if (st)
		return st;
	struct session *s = c->s;
	/* explain NAME [ROW COL] shows that tensor first (the lessons' form). */
	int a = 1;
	if (argc == 2 || argc == 4) {
		if ((st = session_show(s, argv[1], e)))
			return st;
		a = 2;
		c->out.view = CMD_VIEW_STAGE;
	}
	const struct tensor *t = session_focused(s);
	if (!t)
		return err_set(e, ST_USAGE, "this stage shows no tensor to explain");
	if (argc - a == 2) {
		int r = axis_find(&t->row, t->rows, argv[a]), col = axis_find(&t->col, t->cols, argv[a + 1]);
		if (r < 0)
			return err_set(e, ST_USAGE, "%s has no row '%s' (rows 0..%d)", t->name, argv[a],
				       t->rows - 1);
		if (col < 0)
			return err_set(e, ST_USAGE, "%s has no column '%s' (columns 0..%d)", t->name,
				       argv[a + 1], t->cols - 1);
		session_select(s, s->panel, r, col);
		t = session_focused(s);
	}
	static char buf[16384];
	session_explain_tensor(s, t, buf, sizeof buf);
	cmd_printf(c, "%s\n\n", buf);
	session_explain_cell(s, t, s->row, s->col, buf, sizeof buf);
	cmd_printf(c, "%s\n", buf);
	char rl[64], cl[64];
	cmd_note(c, "explain %s[%s, %s]", t->name, axis_label(&t->row, s->row, rl, sizeof rl),
		 axis_label(&t->col, s->col, cl, sizeof cl));
	c->out.pager = 1;
	if (c->batch)
		c->out.view = CMD_VIEW_NONE; /* the explanation is the output */
	return ST_OK;
}

struct list_ctx {
	FILE *f;
};

static void list_one(const struct tensor *t, void *p)
{
	render_tensor_line(((struct list_ctx *)p)->f, t);
}

static enum status cmd_list(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc > 2)
		return USAGE(c, "list", e);
	enum status st = need_trace(c, e);
	if (st)
		return st;
	char pat[256];
	const char *p = argc == 2 ? argv[1] : "*";
	/* A plain name lists everything under it: "list enc.0" */
	snprintf(pat, sizeof pat, "%s%s", p, strpbrk(p, "*?[") ? "" : "*");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return err_set(e, ST_NOMEM, "out of memory");
	struct list_ctx l = {f};
	size_t n = trace_match(&c->s->trace, pat, list_one, &l);
	fclose(f);
	if (!n) {
		free(buf);
		return err_set(e, ST_USAGE, "no trace entry matches '%s'", p);
	}
	cmd_printf(c, "%s", buf ? buf : "");
	free(buf);
	cmd_note(c, "%zu trace entr%s", n, n == 1 ? "y" : "ies");
	c->out.pager = 1;
	return ST_OK;
}

static enum status cmd_stages(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return USAGE(c, "stages", e);
	enum status st = need_trace(c, e);
	if (st)
		return st;
	const struct pipeline *p = &c->s->pipe;
	const struct stage *cur = session_stage(c->s);
	for (int i = 0; i < p->n; i++) {
		const struct stage *s = &p->st[i];
		char layers[32] = "";
		if (s->block >= 0)
			snprintf(layers, sizeof layers, "x%d layers", p->blk[s->block].nlayers);
		cmd_printf(c, "%c %-14s %-18s %-9s %s\n", s == cur ? '>' : ' ', s->id, s->title,
			   section_name(s->section), layers);
	}
	c->out.pager = 1;
	return ST_OK;
}

/* ---- the table ---- */

static const struct command builtin[] = {
	{"load", NULL, cmd_load, "load MODEL", "load a model: a name from 'models' or a folder", complete_models},
	{"models", NULL, cmd_models, "models", "list the shipped models", NULL},
	{"translate", "t", cmd_translate, "translate SENTENCE", "run the model on a sentence", NULL},
	{"target", NULL, cmd_target, "target [SENTENCE]",
	 "teacher forcing: the decoder reads this target (no sentence: decode again)", NULL},
	{"step", NULL, cmd_step, "step [N]", "go to the next stage (N stages)", NULL},
	{"back", NULL, cmd_step, "back [N]", "go to the previous stage (N stages)", NULL},
	{"goto", NULL, cmd_goto, "goto STAGE [LAYER]", "jump to a stage (stages lists them)", complete_stages},
	{"stages", NULL, cmd_stages, "stages", "list the pipeline's stages", NULL},
	{"show", NULL, cmd_show, "show NAME [--plot]", "show one trace tensor by name (--plot: as a plot)",
	 complete_show},
	{"list", NULL, cmd_list, "list [PATTERN]", "list trace tensors (all, or matching a glob or prefix)",
	 complete_list},
	{"explain", NULL, cmd_explain, "explain [NAME] [ROW COL]",
	 "how the selected cell (or ROW COL, indices or labels) was computed", complete_explain},
	{"dump", NULL, cmd_dump, "dump PATTERN [DIR] [--force]",
	 "write matching tensors as CSV files into DIR (default .)", complete_dump},
	{"set", NULL, cmd_set, "set KEY VALUE", "change a setting (help set lists them)", complete_set},
	{"help", NULL, cmd_help, "help [CMD]", "list the commands, or explain one", complete_help},
	{"quit", "q", cmd_quit, "quit", "leave seqstep", NULL},
};

enum status commands_init(struct commands *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	enum status st = ST_OK;
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin && !st; i++)
		st = commands_add(c, &builtin[i], e);
	for (size_t i = 0; i < sizeof builtin_settings / sizeof *builtin_settings && !st; i++)
		st = commands_add_setting(c, &builtin_settings[i], e);
	if (st)
		commands_release(c);
	return st;
}

#include "app/commands.h"
#include "app/cli.h"
#include "io/datadir.h"
#include "io/dump.h"
#include "base/parse.h"
#include "trace/render_text.h"
#include "base/textwidth.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* ---- small helpers ---- */

void strlist_add(struct strlist *l, const char *s)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return;
		l->v = v;
		l->cap = cap;
	}
	char *d = strdup(s);
	if (d)
		l->v[l->n++] = d;
}

void strlist_release(struct strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

void cmd_out_reset(struct cmd_out *o)
{
	o->len = 0;
	if (o->text)
		o->text[0] = 0;
	o->note[0] = 0;
	o->pager = 0;
	o->view = CMD_VIEW_NONE;
	o->tensor[0] = 0;
	o->warning[0] = 0;
}

void cmd_out_release(struct cmd_out *o)
{
	free(o->text);
	memset(o, 0, sizeof *o);
}

static void out_vprintf(struct cmd_out *o, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return;
	if (o->len + (size_t)n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 256;
		while (cap < o->len + (size_t)n + 1)
			cap *= 2;
		char *t = realloc(o->text, cap);
		if (!t)
			return;
		o->text = t;
		o->cap = cap;
	}
	vsnprintf(o->text + o->len, o->cap - o->len, fmt, ap);
	o->len += (size_t)n;
}

void cmd_printf(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	out_vprintf(&c->out, fmt, ap);
	va_end(ap);
}

void cmd_note(struct cmd_ctx *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->out.note, sizeof c->out.note, fmt, ap);
	va_end(ap);
}

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

/* ---- the table ---- */

const struct command *commands_find(const struct commands *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].alias && strcmp(c->v[i].alias, name) == 0)
			return &c->v[i];
	return NULL;
}

enum status commands_add(struct commands *c, const struct command *cmd, struct err *e)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, cmd->name) == 0) {
			c->v[i] = *cmd;
			return ST_OK;
		}
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 32;
		struct command *v = realloc(c->v, cap * sizeof *v);
		if (!v)
			return err_set(e, ST_NOMEM, "out of memory adding command %s", cmd->name);
		c->v = v;
		c->cap = cap;
	}
	c->v[c->n++] = *cmd;
	return ST_OK;
}

void commands_release(struct commands *c)
{
	free(c->v);
	memset(c, 0, sizeof *c);
}

static int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 30 || lb > 30)
		return 99;
	int d[31][31];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int x = d[i - 1][j] + 1, y = d[i][j - 1] + 1;
			int z = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
		}
	return d[la][lb];
}

static enum status unknown_command(const struct commands *c, const char *name, struct err *e)
{
	const char *best = NULL;
	int bd = 3;
	for (size_t i = 0; i < c->n; i++) {
		int d = edit_distance(name, c->v[i].name);
		if (strncmp(c->v[i].name, name, strlen(name)) == 0 && strlen(name) >= 2)
			d = 1;
		if (d < bd) {
			bd = d;
			best = c->v[i].name;
		}
	}
	char shown[64];
	text_fit(shown, sizeof shown, name, 30);
	if (best)
		return err_set(e, ST_USAGE, "unknown command '%s' (did you mean '%s'? help lists the commands)",
			       shown, best);
	return err_set(e, ST_USAGE, "unknown command '%s' (help lists the commands)", shown);
}

enum status commands_run(struct commands *c, struct cmd_ctx *ctx, const char *line,
			 void (*after)(struct cmd_ctx *ctx, void *arg), void *arg, struct err *e)
{
	struct cmdline l;
	enum status st = cmdline_parse(line, &l, e);
	if (st)
		return st;
	for (int i = 0; i < l.n && !st && !ctx->s->quit; i++) {
		const struct command *cmd = commands_find(c, l.cmd[i].argv[0]);
		cmd_out_reset(&ctx->out);
		if (!cmd) {
			st = unknown_command(c, l.cmd[i].argv[0], e);
			break;
		}
		st = cmd->run(ctx, l.cmd[i].argc, l.cmd[i].argv, e);
		if (ctx->s->warning[0]) {
			snprintf(ctx->out.warning, sizeof ctx->out.warning, "%s", ctx->s->warning);
			ctx->s->warning[0] = 0;
		}
		if (!st && after)
			after(ctx, arg);
	}
	cmdline_release(&l);
	return st;
}

static enum status usage(const struct command *cmd, struct err *e)
{
	return err_set(e, ST_USAGE, "usage: %s", cmd->usage);
}

#define USAGE(c, name, e) usage(commands_find((c)->cmds, name), e)

/* ---- the built-in commands ---- */

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

static int is_model_dir(const char *dir)
{
	char p[PATH_MAX];
	struct stat sb;
	snprintf(p, sizeof p, "%s/config.json", dir);
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void model_names(struct strlist *out)
{
	const char *root = datadir_models();
	DIR *d = opendir(root);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[PATH_MAX];
		snprintf(p, sizeof p, "%s/%s", root, de->d_name);
		if (is_model_dir(p))
			strlist_add(out, de->d_name);
	}
	closedir(d);
	if (out->n)
		qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

static enum status cmd_models(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return USAGE(c, "models", e);
	struct strlist l = {0};
	model_names(&l);
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
	char where[256];
	session_where(c->s, where, sizeof where);
	cmd_note(c, "%s", where);
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
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
	char where[256];
	session_where(c->s, where, sizeof where);
	cmd_note(c, "%s", where);
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static enum status cmd_show(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc != 2)
		return USAGE(c, "show", e);
	enum status st = need_trace(c, e);
	if (!st)
		st = session_show(c->s, argv[1], e);
	if (st)
		return st;
	const struct tensor *t = trace_get(&c->s->trace, argv[1]);
	cmd_note(c, "%s [%d x %d]", t->name, t->rows, t->cols);
	c->out.view = CMD_VIEW_TENSOR;
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

static enum status cmd_set(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc != 3)
		return USAGE(c, "set", e);
	const char *k = argv[1], *v = argv[2];
	struct session *s = c->s;
	enum status st;
	int n;
	if (strcmp(k, "beam") == 0) {
		if (!parse_int(v, 1, 64, &n))
			return err_set(e, ST_USAGE, "set beam takes a number 1..64, not '%s'", v);
		if ((st = need_trace(c, e)) || (st = session_set_beam(s, n, e)))
			return st;
		print_tokens(c);
		cmd_note(c, "beam %d: %s", n, s->translation);
	} else if (strcmp(k, "head") == 0) {
		if ((st = need_trace(c, e)))
			return st;
		if (strcmp(v, "all") == 0)
			n = -1;
		else if (!parse_int(v, 0, CFG_MAX_HEADS, &n))
			return err_set(e, ST_USAGE, "set head takes a head number or all, not '%s'", v);
		if ((st = session_set_head(s, n, e)))
			return st;
		c->out.view = CMD_VIEW_STAGE;
	} else if (strcmp(k, "layer") == 0) {
		if ((st = need_trace(c, e)))
			return st;
		if (!parse_int(v, 0, CFG_MAX_LAYERS, &n))
			return err_set(e, ST_USAGE, "set layer takes a layer number, not '%s'", v);
		if ((st = session_set_layer(s, n, e)))
			return st;
		c->out.view = CMD_VIEW_STAGE;
	} else if (strcmp(k, "theme") == 0) {
		if (strcmp(v, "default") == 0)
			s->theme = THEME_DEFAULT;
		else if (strcmp(v, "contrast") == 0)
			s->theme = THEME_CONTRAST;
		else if (strcmp(v, "mono") == 0)
			s->theme = THEME_MONO;
		else
			return err_set(e, ST_USAGE, "set theme takes default, contrast or mono, not '%s'", v);
		s->gen++;
	} else if (strcmp(k, "view") == 0) {
		if (strcmp(v, "numbers") == 0)
			s->numbers = 1;
		else if (strcmp(v, "heatmap") == 0)
			s->numbers = 0;
		else
			return err_set(e, ST_USAGE, "set view takes numbers or heatmap, not '%s'", v);
		s->gen++;
	} else {
		return err_set(e, ST_USAGE, "set what? beam, head, layer, theme or view (not '%s')", k);
	}
	if (!c->out.note[0]) {
		char where[256];
		session_where(s, where, sizeof where);
		cmd_note(c, "%s %s  (%s)", k, v, where);
	}
	return ST_OK;
}

static const char keys_help[] =
	"keys:\n"
	"  n, space    next stage             p           previous stage\n"
	"  arrows hjkl move the cell          Enter       explain the cell\n"
	"  [ ]         previous / next head   { }         previous / next layer\n"
	"  t           numbers / heatmap      Tab         next panel\n"
	"  PgUp PgDn   scroll a page          mouse       click a cell or a stage\n"
	"  :           command line           ?           this help\n"
	"  q           quit                   Esc         close an overlay\n";

static enum status cmd_help(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	if (argc > 2)
		return USAGE(c, "help", e);
	if (argc == 2) {
		const struct command *cmd = commands_find(c->cmds, argv[1]);
		if (!cmd)
			return unknown_command(c->cmds, argv[1], e);
		cmd_printf(c, "%s\n  %s\n", cmd->usage, cmd->help);
		if (cmd->alias)
			cmd_printf(c, "  (also: %s)\n", cmd->alias);
		if (strcmp(cmd->name, "goto") == 0 && c->s->have_trace) {
			cmd_printf(c, "  stages:");
			for (int i = 0; i < c->s->pipe.n; i++)
				cmd_printf(c, " %s", c->s->pipe.st[i].id);
			cmd_printf(c, "\n");
		}
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

/* ---- completion ---- */

void complete_commands(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)argi;
	(void)word;
	for (size_t i = 0; i < c->cmds->n; i++)
		strlist_add(out, c->cmds->v[i].name);
}

void complete_trace_names(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)argi;
	if (!c->s->have_trace)
		return;
	size_t wl = strlen(word);
	const struct trace *tr = &c->s->trace;
	for (size_t i = 0; i < tr->n; i++) {
		const char *name = tr->items[i]->name;
		if (strncmp(name, word, wl) != 0)
			continue;
		/* One dotted level at a time: hundreds of names stay browsable. */
		const char *dot = strchr(name + wl, '.');
		if (dot && dot[1]) {
			char buf[STAGE_NAME * 2];
			size_t n = (size_t)(dot - name) + 1;
			if (n >= sizeof buf)
				n = sizeof buf - 1;
			memcpy(buf, name, n);
			buf[n] = 0;
			strlist_add(out, buf);
		} else {
			strlist_add(out, name);
		}
	}
}

static void complete_stages(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)word;
	if (argi != 1 || !c->s->have_trace)
		return;
	for (int i = 0; i < c->s->pipe.n; i++)
		strlist_add(out, c->s->pipe.st[i].id);
}

/* Folders under the directory part of word ("tests/ref/fi" -> tests/ref/fixtures/). */
static void complete_dirs(const char *word, struct strlist *out, int models)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(word, '/');
	size_t dl = slash ? (size_t)(slash - word) + 1 : 0;
	snprintf(dir, sizeof dir, "%.*s", (int)dl, word);
	DIR *d = opendir(dl ? dir : ".");
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' && (!slash || word[dl] != '.'))
			continue;
		char p[PATH_MAX], cand[PATH_MAX];
		snprintf(p, sizeof p, "%s%s", dir, de->d_name);
		struct stat sb;
		if (stat(p, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		snprintf(cand, sizeof cand, "%s%s", p, models && is_model_dir(p) ? "" : "/");
		strlist_add(out, cand);
	}
	closedir(d);
}

void complete_models(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	if (argi != 1)
		return;
	if (strchr(word, '/') || word[0] == '.') {
		complete_dirs(word, out, 1);
		return;
	}
	model_names(out);
}

void complete_lessons(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi != 1)
		return;
	DIR *d = opendir(datadir_lessons());
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] == '.' || n < 4 || strcmp(de->d_name + n - 3, ".md") != 0)
			continue;
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(n - 3), de->d_name);
		strlist_add(out, name);
	}
	closedir(d);
}

static void complete_set(struct cmd_ctx *c, int argi, const char *word, struct strlist *out,
			 const char *key)
{
	(void)word;
	static const char *const keys[] = {"beam", "head", "layer", "theme", "view"};
	if (argi == 1) {
		for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
			strlist_add(out, keys[i]);
		return;
	}
	if (argi != 2 || !key)
		return;
	char buf[16];
	if (strcmp(key, "head") == 0) {
		strlist_add(out, "all");
		for (int h = 0; c->s->have_trace && h < c->s->pipe.nheads; h++)
			strlist_add(out, (snprintf(buf, sizeof buf, "%d", h), buf));
	} else if (strcmp(key, "layer") == 0) {
		int m = 0;
		for (int b = 0; c->s->have_trace && b < c->s->pipe.nblk; b++)
			m = c->s->pipe.blk[b].nlayers > m ? c->s->pipe.blk[b].nlayers : m;
		for (int l = 0; l < m; l++)
			strlist_add(out, (snprintf(buf, sizeof buf, "%d", l), buf));
	} else if (strcmp(key, "theme") == 0) {
		strlist_add(out, "default");
		strlist_add(out, "contrast");
		strlist_add(out, "mono");
	} else if (strcmp(key, "view") == 0) {
		strlist_add(out, "numbers");
		strlist_add(out, "heatmap");
	}
}

static void complete_dump(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_trace_names(c, argi, word, out);
	else if (argi >= 2) {
		complete_dirs(word, out, 0);
		strlist_add(out, "--force");
	}
}

static void complete_show(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_trace_names(c, argi, word, out);
}

static void complete_explain(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1 && !(word[0] >= '0' && word[0] <= '9'))
		complete_trace_names(c, argi, word, out);
}

static void complete_help(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_commands(c, argi, word, out);
}

static void complete_set_stub(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	complete_set(c, argi, word, out, NULL);
}

void commands_complete(struct commands *c, struct cmd_ctx *ctx, const char *line,
		       struct strlist *out)
{
	/* Only the last command of the line matters. */
	const char *start = line;
	char q = 0;
	for (const char *p = line; *p; p++) {
		if (q) {
			q = *p == q ? 0 : q;
		} else if (*p == '"' || *p == '\'') {
			if (p == line || isspace((unsigned char)p[-1]) || p[-1] == ';')
				q = *p;
		} else if (*p == ';') {
			start = p + 1;
		}
	}
	struct cmdline l;
	struct err e;
	if (cmdline_parse(start, &l, &e) != ST_OK)
		return;
	int ends_blank = !*start || isspace((unsigned char)start[strlen(start) - 1]);
	int argc = l.n ? l.cmd[0].argc : 0;
	char **argv = l.n ? l.cmd[0].argv : NULL;
	int argi = ends_blank ? argc : argc - 1;
	const char *word = ends_blank || argc == 0 ? "" : argv[argc - 1];
	struct strlist all = {0};
	if (argi <= 0) {
		complete_commands(ctx, 0, word, &all);
	} else {
		const struct command *cmd = commands_find(c, argv[0]);
		if (cmd && strcmp(cmd->name, "set") == 0)
			complete_set(ctx, argi, word, &all, argc > 1 ? argv[1] : NULL);
		else if (cmd && cmd->complete)
			cmd->complete(ctx, argi, word, &all);
	}
	size_t wl = strlen(word);
	if (all.n)
		qsort(all.v, all.n, sizeof *all.v, cmp_str);
	for (size_t i = 0; i < all.n; i++)
		if (strncmp(all.v[i], word, wl) == 0 && (!out->n || strcmp(out->v[out->n - 1], all.v[i])))
			strlist_add(out, all.v[i]);
	strlist_release(&all);
	cmdline_release(&l);
}

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
	{"show", NULL, cmd_show, "show NAME", "show one trace tensor by name", complete_show},
	{"list", NULL, cmd_list, "list [PATTERN]", "list trace tensors (all, or matching a glob or prefix)",
	 complete_show},
	{"explain", NULL, cmd_explain, "explain [NAME] [ROW COL]",
	 "how the selected cell (or ROW COL, indices or labels) was computed", complete_explain},
	{"dump", NULL, cmd_dump, "dump PATTERN [DIR] [--force]",
	 "write matching tensors as CSV files into DIR (default .)", complete_dump},
	{"set", NULL, cmd_set, "set beam|head|layer|theme|view V",
	 "beam N, head N|all, layer N, theme default|contrast|mono, view numbers|heatmap", complete_set_stub},
	{"help", NULL, cmd_help, "help [CMD]", "list the commands, or explain one", complete_help},
	{"quit", "q", cmd_quit, "quit", "leave seqstep", NULL},
};

enum status commands_init(struct commands *c, struct err *e)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < sizeof builtin / sizeof *builtin; i++) {
		enum status st = commands_add(c, &builtin[i], e);
		if (st) {
			commands_release(c);
			return st;
		}
	}
	return ST_OK;
}

/* The command interpreter (see commands.h): the table and its dispatch,
 * the output a command writes, and the list completion collects. The
 * built-in commands are in commands_builtin.c, completion in
 * commands_complete.c. */
#include "app/commands.h"
#include "base/textwidth.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- strings and output ---- */

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

enum status commands_add_setting(struct commands *c, const struct setting *s, struct err *e)
{
	for (size_t i = 0; i < c->nset; i++)
		if (strcmp(c->set[i].key, s->key) == 0) {
			c->set[i] = *s;
			return ST_OK;
		}
	if (c->nset == c->capset) {
		size_t cap = c->capset ? c->capset * 2 : 16;
		struct setting *v = realloc(c->set, cap * sizeof *v);
		if (!v)
			return err_set(e, ST_NOMEM, "out of memory adding setting %s", s->key);
		c->set = v;
		c->capset = cap;
	}
	c->set[c->nset++] = *s;
	return ST_OK;
}

enum status commands_add_module(struct commands *c, const struct command *cmds, size_t n,
				const struct setting *sets, size_t nsets, struct err *e)
{
	enum status st = ST_OK;
	for (size_t i = 0; i < n && !st; i++)
		st = commands_add(c, &cmds[i], e);
	for (size_t i = 0; i < nsets && !st; i++)
		st = commands_add_setting(c, &sets[i], e);
	return st;
}

const struct setting *commands_find_setting(const struct commands *c, const char *key)
{
	for (size_t i = 0; i < c->nset; i++)
		if (strcmp(c->set[i].key, key) == 0)
			return &c->set[i];
	return NULL;
}

void commands_release(struct commands *c)
{
	free(c->v);
	free(c->set);
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

enum status commands_unknown(const struct commands *c, const char *name, struct err *e)
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
			st = commands_unknown(c, l.cmd[i].argv[0], e);
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

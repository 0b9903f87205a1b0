/* Tab completion (see commands.h): the candidates for a command's
 * arguments (trace names, stages, models, folders, lessons, settings) and
 * the completion of a typed line. */
#include "app/commands.h"
#include "io/datadir.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

void commands_model_names(struct strlist *out)
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

void complete_stages(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
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
	commands_model_names(out);
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

/* set KEY VALUE...: the registered keys, then the key's own values. */
static void complete_set_key(struct cmd_ctx *c, int argi, const char *word, struct strlist *out,
			     const char *key)
{
	if (argi == 1) {
		for (size_t i = 0; i < c->cmds->nset; i++)
			strlist_add(out, c->cmds->set[i].key);
		return;
	}
	const struct setting *k = key ? commands_find_setting(c->cmds, key) : NULL;
	if (k && k->complete)
		k->complete(c, argi, word, out);
}

void complete_set(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	complete_set_key(c, argi, word, out, NULL);
}

void complete_set_head(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)word;
	char buf[16];
	if (argi != 2)
		return;
	strlist_add(out, "all");
	for (int h = 0; c->s->have_trace && h < c->s->pipe.nheads; h++)
		strlist_add(out, (snprintf(buf, sizeof buf, "%d", h), buf));
}

void complete_set_layer(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)word;
	char buf[16];
	int m = 0;
	if (argi != 2)
		return;
	for (int b = 0; c->s->have_trace && b < c->s->pipe.nblk; b++)
		m = c->s->pipe.blk[b].nlayers > m ? c->s->pipe.blk[b].nlayers : m;
	for (int l = 0; l < m; l++)
		strlist_add(out, (snprintf(buf, sizeof buf, "%d", l), buf));
}

void complete_set_theme(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi != 2)
		return;
	strlist_add(out, "default");
	strlist_add(out, "contrast");
	strlist_add(out, "mono");
}

void complete_set_view(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi != 2)
		return;
	strlist_add(out, "plot");
	strlist_add(out, "heatmap");
	strlist_add(out, "numbers");
}

void complete_dump(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_trace_names(c, argi, word, out);
	else if (argi >= 2) {
		complete_dirs(word, out, 0);
		strlist_add(out, "--force");
	}
}

void complete_show(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_trace_names(c, argi, word, out);
	else if (argi == 2)
		strlist_add(out, "--plot");
}

void complete_list(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_trace_names(c, argi, word, out);
}

void complete_explain(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1 && !(word[0] >= '0' && word[0] <= '9'))
		complete_trace_names(c, argi, word, out);
}

void complete_help(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	if (argi == 1)
		complete_commands(c, argi, word, out);
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
			complete_set_key(ctx, argi, word, &all, argc > 1 ? argv[1] : NULL);
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


#include "base/cmdline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct words {
	char **v;
	int n, cap;
};

static int words_push(struct words *w, char *s)
{
	if (w->n + 1 >= w->cap) {
		int cap = w->cap ? w->cap * 2 : 8;
		char **v = realloc(w->v, (size_t)cap * sizeof *v);
		if (!v)
			return 0;
		w->v = v;
		w->cap = cap;
	}
	w->v[w->n++] = s;
	w->v[w->n] = NULL;
	return 1;
}

static int line_push(struct cmdline *l, struct words *w)
{
	if (w->n == 0) {
		free(w->v);
		memset(w, 0, sizeof *w);
		return 1;
	}
	struct cmd_words *v = realloc(l->cmd, (size_t)(l->n + 1) * sizeof *v);
	if (!v)
		return 0;
	l->cmd = v;
	l->cmd[l->n].argc = w->n;
	l->cmd[l->n].argv = w->v;
	l->n++;
	memset(w, 0, sizeof *w);
	return 1;
}

void cmdline_release(struct cmdline *l)
{
	for (int i = 0; i < l->n; i++) {
		for (int j = 0; j < l->cmd[i].argc; j++)
			free(l->cmd[i].argv[j]);
		free(l->cmd[i].argv);
	}
	free(l->cmd);
	memset(l, 0, sizeof *l);
}

enum status cmdline_parse(const char *line, struct cmdline *out, struct err *e)
{
	memset(out, 0, sizeof *out);
	size_t n = strlen(line);
	char *word = malloc(n + 1);
	struct words w = {0};
	if (!word)
		return err_set(e, ST_NOMEM, "out of memory");
	size_t wl = 0;
	int in_word = 0, ok = 1;
	char quote = 0;
	for (size_t i = 0; i < n && ok; i++) {
		char ch = line[i];
		if (quote) {
			if (ch == quote)
				quote = 0;
			else if (ch == '\\' && quote == '"' && (line[i + 1] == '"' || line[i + 1] == '\\'))
				word[wl++] = line[++i];
			else
				word[wl++] = ch;
			continue;
		}
		/* Quotes open only at the start of a word, so "don't" and
		 * "l'homme" stay words a sentence may contain. */
		if ((ch == '"' || ch == '\'') && !in_word) {
			quote = ch;
			in_word = 1;
		} else if (ch == '\\' && i + 1 < n) {
			word[wl++] = line[++i];
			in_word = 1;
		} else if (ch == '#' && !in_word) {
			break;
		} else if (ch == ';' || isspace((unsigned char)ch)) {
			if (in_word) {
				word[wl] = 0;
				char *d = strdup(word);
				ok = d && words_push(&w, d);
				if (!ok)
					free(d);
				wl = 0;
				in_word = 0;
			}
			if (ch == ';' && ok)
				ok = line_push(out, &w);
		} else {
			word[wl++] = ch;
			in_word = 1;
		}
	}
	if (ok && quote) {
		free(word);
		for (int i = 0; i < w.n; i++)
			free(w.v[i]);
		free(w.v);
		cmdline_release(out);
		return err_set(e, ST_USAGE, "unterminated %s quote", quote == '"' ? "double" : "single");
	}
	if (ok && in_word) {
		word[wl] = 0;
		char *d = strdup(word);
		ok = d && words_push(&w, d);
		if (!ok)
			free(d);
	}
	if (ok)
		ok = line_push(out, &w);
	free(word);
	if (!ok) {
		for (int i = 0; i < w.n; i++)
			free(w.v[i]);
		free(w.v);
		cmdline_release(out);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	return ST_OK;
}

/* Vocabularies (vocab.h). */
#include "text/vocab.h"
#include "base/atomicfile.h"
#include "text/codepoint.h"
#include "text/split.h"
#include "text/strtab.h"
#include "text/token.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void vocab_release(struct vocab *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->n; i++)
		free(v->tokens[i]);
	free(v->tokens);
	free(v->slots);
	memset(v, 0, sizeof *v);
	v->pad = v->unk = v->bos = v->eos = -1;
}

int vocab_find(const struct vocab *v, const char *tok, size_t len)
{
	return strtab_find(v->slots, v->nslots, v->tokens, tok, len, NULL);
}

int vocab_id(const struct vocab *v, const char *tok)
{
	if (!v || !tok)
		return -1;
	return vocab_find(v, tok, strlen(tok));
}

const char *vocab_token(const struct vocab *v, int id)
{
	if (!v || id < 0 || id >= v->n)
		return "<?>";
	return v->tokens[id];
}

/* Appends a checked token; from_file picks "line N" (1-based) or "id N"
 * wording for the duplicate's first place. */
static enum status vocab_push(struct vocab *v, int *cap, const char *tok, size_t len,
			      size_t base, const char *at, int from_file, struct err *e)
{
	enum status st = token_check(tok, len, base, at, e);
	if (st)
		return st;
	if (v->n >= CFG_MAX_VOCAB)
		return err_set(e, ST_BADINPUT, "%s: too many tokens (at most %d)", at,
			       CFG_MAX_VOCAB);
	if (!strtab_reserve(&v->slots, &v->nslots, v->tokens, v->n))
		return err_set(e, ST_NOMEM, "%s: out of memory", at);
	size_t where = 0;
	int dup = strtab_find(v->slots, v->nslots, v->tokens, tok, len, &where);
	if (dup >= 0) {
		char sh[64];
		return err_set(e, ST_BADINPUT, "%s: duplicate token \"%s\" (first %s %d)", at,
			       utf8_shorten(sh, tok, len), from_file ? "on line" : "at id",
			       from_file ? dup + 1 : dup);
	}
	if (v->n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		char **t = realloc(v->tokens, (size_t)ncap * sizeof *t);
		if (!t)
			return err_set(e, ST_NOMEM, "%s: out of memory", at);
		v->tokens = t;
		*cap = ncap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return err_set(e, ST_NOMEM, "%s: out of memory", at);
	memcpy(copy, tok, len);
	copy[len] = 0;
	v->tokens[v->n] = copy;
	v->slots[where] = v->n + 1;
	v->n++;
	return ST_OK;
}

/* Finds the four specials; name prefixes the message. */
static enum status vocab_finish(struct vocab *v, const char *name, struct err *e)
{
	int *ids[4] = {&v->pad, &v->unk, &v->bos, &v->eos};
	char missing[64] = "";
	for (int i = 0; i < 4; i++) {
		*ids[i] = vocab_id(v, token_specials[i]);
		if (*ids[i] < 0) {
			strcat(missing, " ");
			strcat(missing, token_specials[i]);
		}
	}
	if (missing[0])
		return err_set(e, ST_BADINPUT,
			       "%s: missing%s (a vocabulary needs <pad> <unk> <bos> <eos>)", name,
			       missing);
	return ST_OK;
}

enum status vocab_load(struct vocab *v, const char *path, struct err *e)
{
	memset(v, 0, sizeof *v);
	vocab_release(v);
	char *buf;
	size_t len;
	enum status st = token_file_read(path, &buf, &len, e);
	if (st)
		return st;
	struct token_lines l;
	token_lines_init(&l, buf, len);
	size_t start, n;
	int cap = 0;
	char at[448]; /* messages hold 512 bytes: long paths are cut */
	while (token_lines_next(&l, &start, &n)) {
		snprintf(at, sizeof at, "%.400s: line %d", path, l.no);
		st = vocab_push(v, &cap, buf + start, n, start, at, 1, e);
		if (st)
			break;
	}
	free(buf);
	if (!st)
		st = vocab_finish(v, path, e);
	if (st)
		vocab_release(v);
	return st;
}

enum status vocab_from_tokens(struct vocab *v, const char *const *tokens, int n, struct err *e)
{
	memset(v, 0, sizeof *v);
	vocab_release(v);
	if (n < 0 || (n > 0 && !tokens))
		return err_set(e, ST_BADINPUT, "vocabulary: bad token list");
	enum status st = ST_OK;
	int cap = 0;
	char at[64];
	for (int i = 0; i < n && !st; i++) {
		snprintf(at, sizeof at, "vocabulary: token %d", i);
		if (!tokens[i])
			st = err_set(e, ST_BADINPUT, "%s is missing", at);
		else
			st = vocab_push(v, &cap, tokens[i], strlen(tokens[i]), 0, at, 0, e);
	}
	if (!st)
		st = vocab_finish(v, "vocabulary", e);
	if (st)
		vocab_release(v);
	return st;
}

enum status vocab_save(const struct vocab *v, const char *path, struct err *e)
{
	/* Atomic, so a model folder never holds half a vocabulary. */
	struct atomic_file af;
	enum status st = atomic_open(&af, path, 1, e);
	if (st)
		return st;
	for (int i = 0; i < v->n; i++) {
		fputs(v->tokens[i], af.f);
		fputc('\n', af.f);
	}
	return atomic_commit(&af, e);
}

/* ---- building one from text ---- */

struct counted {
	const char *s;
	int64_t count;
};

static int by_count(const void *pa, const void *pb)
{
	const struct counted *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->s, b->s);
}

static int is_special(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, token_specials[i]) == 0)
			return 1;
	return 0;
}

enum status vocab_write(const char *const *toks, int n, const char *path, struct err *e)
{
	struct vocab v;
	enum status st = vocab_from_tokens(&v, toks, n, e);
	if (st)
		return err_prefix(e, "%s", path);
	st = vocab_save(&v, path, e);
	vocab_release(&v);
	return st;
}

enum status vocab_build(enum tok_kind kind, int lowercase, const char *const *lines,
			size_t n_lines, int min_count, const char *path, struct err *e)
{
	if (kind != TOK_WORD && kind != TOK_CHAR)
		return err_set(e, ST_USAGE, "%s: vocab_build makes word or char vocabularies; "
			       "BPE ones come from bpe_learn", path);
	struct strtab tab = {0};
	enum status st = split_count(kind, lowercase, 0, lines, n_lines, &tab, e);
	struct counted *keep = NULL;
	const char **toks = NULL;
	if (st)
		goto out;
	keep = malloc(((size_t)tab.n + 1) * sizeof *keep);
	toks = malloc(((size_t)tab.n + 4) * sizeof *toks);
	if (!keep || !toks) {
		st = err_set(e, ST_NOMEM, "%s: out of memory", path);
		goto out;
	}
	int nk = 0;
	for (int i = 0; i < tab.n; i++)
		if (tab.count[i] >= min_count && !is_special(tab.s[i]))
			keep[nk++] = (struct counted){tab.s[i], tab.count[i]};
	qsort(keep, (size_t)nk, sizeof *keep, by_count);
	if (nk > CFG_MAX_VOCAB - 4)
		nk = CFG_MAX_VOCAB - 4; /* the rarest go: they would be <unk> anyway */
	for (int i = 0; i < 4; i++)
		toks[i] = token_specials[i];
	for (int i = 0; i < nk; i++)
		toks[4 + i] = keep[i].s;
	st = vocab_write(toks, nk + 4, path, e);
out:
	free(keep);
	free(toks);
	strtab_release(&tab);
	return st;
}

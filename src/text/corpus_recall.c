/* The BPTT lab's recall task (corpus.h): random symbol sequences whose
 * answer is their first k symbols reversed. Integer arithmetic on
 * splitmix64 only, so a seed writes the same files everywhere. */
#include "base/rng.h"
#include "text/corpus.h"
#include "text/corpus_write.h"

#include <stdlib.h>

enum { RECALL_MAX_SPLIT = 1000000, RECALL_MAX_LEN = 1000 };

void recall_opts_default(struct recall_opts *o)
{
	o->seed = 1;
	o->n_train = 10000;
	o->n_valid = 500;
	o->n_test = 500;
	o->min_len = 10;
	o->max_len = 100;
	o->k = 3;
	o->symbols = 8;
}

/* A uniform draw in [0, n) without modulo bias worth mentioning (n <= 1000). */
static int draw(struct rng *r, int n)
{
	return (int)(rng_next(r) % (uint64_t)n);
}

/* One pair: "a b c ..." (L symbols) and its first k reversed, in one
 * allocation (tgt points into it). */
static char *recall_pair(struct rng *r, const struct recall_opts *o, char **tgt)
{
	int L = o->min_len + draw(r, o->max_len - o->min_len + 1);
	char *mem = malloc((size_t)(2 * L + 2 * o->k + 2));
	if (!mem)
		return NULL;
	char *p = mem;
	for (int i = 0; i < L; i++) {
		*p++ = (char)('a' + draw(r, o->symbols));
		*p++ = i + 1 < L ? ' ' : '\0';
	}
	*tgt = p;
	for (int i = o->k - 1; i >= 0; i--) {
		*p++ = mem[2 * i];
		*p++ = i ? ' ' : '\0';
	}
	return mem;
}

enum status recall_generate(const struct recall_opts *o, const char *dir, struct err *e)
{
	const int sizes[3] = {o->n_train, o->n_valid, o->n_test};
	for (int i = 0; i < 3; i++)
		if (sizes[i] < 1 || sizes[i] > RECALL_MAX_SPLIT)
			return err_set(e, ST_USAGE, "%s size %d: must be 1..%d", corpus_split_names[i],
				       sizes[i], RECALL_MAX_SPLIT);
	if (o->symbols < 2 || o->symbols > 26)
		return err_set(e, ST_USAGE, "recall: %d symbols; must be 2..26", o->symbols);
	if (o->min_len < 1 || o->max_len < o->min_len || o->max_len > RECALL_MAX_LEN)
		return err_set(e, ST_USAGE, "recall: lengths %d..%d; must be within 1..%d", o->min_len,
			       o->max_len, RECALL_MAX_LEN);
	if (o->k < 1 || o->k > o->min_len)
		return err_set(e, ST_USAGE, "recall: k = %d; must be 1..%d (the shortest length)", o->k,
			       o->min_len);
	enum status st = corpus_make_dirs(dir, e);
	if (st)
		return st;
	struct rng r = {o->seed};
	for (int sp = 0; sp < 3 && !st; sp++) {
		struct corpus_pair *v = calloc((size_t)sizes[sp], sizeof *v);
		if (!v)
			return err_set(e, ST_NOMEM, "out of memory generating the corpus");
		for (int i = 0; i < sizes[sp] && !st; i++)
			if (!(v[i].src = recall_pair(&r, o, &v[i].tgt)))
				st = err_set(e, ST_NOMEM, "out of memory generating the corpus");
		if (!st)
			st = corpus_write_split(dir, corpus_split_names[sp], v, (size_t)sizes[sp], e);
		for (int i = 0; i < sizes[sp]; i++)
			free(v[i].src);
		free(v);
	}
	return st;
}

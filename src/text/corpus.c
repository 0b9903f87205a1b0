/* The toy corpora: drawing unique sentence pairs into the three splits
 * and writing them (corpus.h). A sentence is drawn as a structure
 * (corpus_grammar.c) and rendered in English and the target language
 * (corpus_render.c); the English rendering keeps enough of the structure
 * (see the ambiguity check in draw_pair) that each English sentence has one
 * translation. Reading a split back is corpus_load.c. */
#include "text/corpus.h"
#include "base/atomicfile.h"
#include "base/rng.h"
#include "text/corpus_grammar.h"
#include "text/corpus_lexicon.h"
#include "text/corpus_render.h"
#include "text/corpus_write.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- the lexicon's size ---------------------------------------------- */

/* Distinct tokens as (pointer, length) into the tables. */
struct distinct {
	const char *p[512];
	int len[512];
	int n;
};

static void distinct_add(struct distinct *l, const char *s)
{
	struct toks t = {0};
	toks_add(&t, s);
	for (int i = 0; i < t.n; i++) {
		int found = 0;
		for (int j = 0; j < l->n && !found; j++)
			found = l->len[j] == t.len[i] && memcmp(l->p[j], t.p[i], (size_t)t.len[i]) == 0;
		if (!found && l->n < 512) {
			l->p[l->n] = t.p[i];
			l->len[l->n++] = t.len[i];
		}
	}
}

int corpus_lexicon_size(enum corpus_lang lang)
{
	(void)lang; /* both pairs share the English grammar */
	struct distinct l = {.n = 0};
	for (int i = 0; i < N_NOUNS; i++) {
		distinct_add(&l, lex_nouns[i].en);
		if (!(lex_nouns[i].flags & N_SGONLY))
			distinct_add(&l, lex_nouns[i].en_pl);
	}
	for (int i = 0; i < N_ADJS; i++)
		distinct_add(&l, lex_adjs[i].en);
	for (int i = 0; i < N_VERBS; i++) {
		distinct_add(&l, lex_verbs[i].en);
		distinct_add(&l, lex_verbs[i].en3);
	}
	for (int i = 0; i < N_PRONS; i++) {
		distinct_add(&l, lex_prons[i].en);
		distinct_add(&l, lex_prons[i].en_obj);
		distinct_add(&l, lex_prons[i].be);
	}
	for (int i = 0; i < N_DETS; i++)
		if (lex_dets[i].en)
			distinct_add(&l, lex_dets[i].en);
	for (int i = 0; i < P_COUNT; i++)
		distinct_add(&l, lex_preps[i].en);
	for (int i = 0; i < N_TIMES; i++)
		distinct_add(&l, lex_times[i].en);
	for (int i = 0; i < N_FRAME_WORDS; i++)
		distinct_add(&l, lex_frame_words[i]);
	return l.n;
}

/* ---- generation ------------------------------------------------------- */


/* Every pair drawn so far, with an open-addressing index on the English
 * side: it keeps splits disjoint and sentences unique, and checks that a
 * sentence drawn twice got the same translation both times. */
struct pairset {
	struct corpus_pair *v;
	size_t n;
	uint32_t *slot; /* pair index + 1; 0 = empty */
	size_t mask;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
	return h;
}

static void pairset_release(struct pairset *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].src); /* tgt shares the allocation */
	free(ps->v);
	free(ps->slot);
	memset(ps, 0, sizeof *ps);
}

static int bucket_lo(int b)
{
	static const int lo[4] = {3, 6, 9, 12};
	return lo[b];
}

static int bucket_hi(int b)
{
	static const int hi[4] = {5, 8, 11, 15};
	return hi[b];
}

enum { MAX_SPLIT = 1000000, MAX_DRAWS = 2000000 };

/* Renders English (returning its token count, -1 when too long for the
 * buffers) and the target. */
static int render(const struct sent *s, enum corpus_lang lang, struct textbuf *en,
		  struct textbuf *tgt)
{
	int k = sent_render_en(s, en);
	if (k < 0)
		return -1;
	int t = lang == CORPUS_EN_ZH ? sent_render_zh(s, tgt) : sent_render_fr(s, tgt);
	return t < 0 ? -1 : k;
}

/* Draws one new pair whose English has a token count in bucket b. */
static enum status draw_pair(struct rng *r, enum corpus_lang lang, int b, struct pairset *ps, struct err *e)
{
	struct textbuf en, tgt;
	for (long draw = 0; draw < MAX_DRAWS; draw++) {
		struct sent s;
		sent_draw(r, &s);
		int k = render(&s, lang, &en, &tgt);
		if (k < bucket_lo(b) || k > bucket_hi(b))
			continue;
		size_t j = hash_str(en.b) & ps->mask;
		int dup = 0;
		for (; ps->slot[j]; j = (j + 1) & ps->mask) {
			const struct corpus_pair *p = &ps->v[ps->slot[j] - 1];
			if (strcmp(p->src, en.b) == 0) {
				if (strcmp(p->tgt, tgt.b) != 0)
					return err_set(e, ST_BADINPUT,
						       "corpus grammar bug: \"%s\" has two translations \"%s\" and \"%s\"",
						       en.b, p->tgt, tgt.b);
				dup = 1;
				break;
			}
		}
		if (dup)
			continue;
		char *mem = malloc(en.n + 1 + tgt.n + 1);
		if (!mem)
			return err_set(e, ST_NOMEM, "out of memory generating the corpus");
		memcpy(mem, en.b, en.n + 1);
		memcpy(mem + en.n + 1, tgt.b, tgt.n + 1);
		ps->v[ps->n].src = mem;
		ps->v[ps->n].tgt = mem + en.n + 1;
		ps->n++;
		ps->slot[j] = (uint32_t)ps->n;
		return ST_OK;
	}
	return err_set(e, ST_BADINPUT, "cannot draw another unique sentence of %d-%d tokens after %d tries",
		       bucket_lo(b), bucket_hi(b), MAX_DRAWS);
}

void corpus_opts_default(struct corpus_opts *o, enum corpus_lang lang)
{
	o->lang = lang;
	o->seed = 1;
	o->n_train = 10000;
	o->n_valid = 500;
	o->n_test = 500;
}

enum status corpus_generate(const struct corpus_opts *o, const char *dir, struct err *e)
{
	if (o->lang != CORPUS_EN_ZH && o->lang != CORPUS_EN_FR)
		return err_set(e, ST_USAGE, "unknown corpus language %d", (int)o->lang);
	const int sizes[3] = {o->n_train, o->n_valid, o->n_test};
	size_t total = 0;
	for (int i = 0; i < 3; i++) {
		if (sizes[i] < 1 || sizes[i] > MAX_SPLIT)
			return err_set(e, ST_USAGE, "%s size %d: must be 1..%d", corpus_split_names[i], sizes[i], MAX_SPLIT);
		total += (size_t)sizes[i];
	}
	enum status st = corpus_make_dirs(dir, e);
	if (st)
		return st;

	struct pairset ps = {0};
	size_t nslot = 1;
	while (nslot < 2 * total)
		nslot <<= 1;
	ps.v = calloc(total, sizeof *ps.v);
	ps.slot = calloc(nslot, sizeof *ps.slot);
	ps.mask = nslot - 1;
	if (!ps.v || !ps.slot) {
		pairset_release(&ps);
		return err_set(e, ST_NOMEM, "out of memory generating the corpus");
	}
	struct rng r = {o->seed};
	for (int sp = 0; sp < 3 && !st; sp++)
		for (int i = 0; i < sizes[sp] && !st; i++)
			st = draw_pair(&r, o->lang, i % 4, &ps, e);
	/* Write only once everything is drawn, so a failure leaves old files. */
	size_t off = 0;
	for (int sp = 0; sp < 3 && !st; sp++) {
		st = corpus_write_split(dir, corpus_split_names[sp], ps.v + off, (size_t)sizes[sp], e);
		off += (size_t)sizes[sp];
	}
	pairset_release(&ps);
	return st;
}

const char *corpus_lang_name(enum corpus_lang lang)
{
	return lang == CORPUS_EN_ZH ? "zh" : "fr";
}

const char *corpus_lang_dir(enum corpus_lang lang)
{
	return lang == CORPUS_EN_ZH ? "en-zh" : "en-fr";
}

int corpus_lang_parse(const char *s, enum corpus_lang *out)
{
	if (!strcmp(s, "zh") || !strcmp(s, "en-zh")) {
		*out = CORPUS_EN_ZH;
		return 0;
	}
	if (!strcmp(s, "fr") || !strcmp(s, "en-fr")) {
		*out = CORPUS_EN_FR;
		return 0;
	}
	return -1;
}

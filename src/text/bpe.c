/* Byte-pair encoding (bpe.h): the merge table, applying it, learning it. */
#include "text/bpe.h"
#include "text/codepoint.h"
#include "text/split.h"
#include "text/strtab.h"
#include "text/token.h"
#include "text/vocab.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the merge table ---- */

static size_t pair_hash(const char *a, size_t alen, const char *b, size_t blen)
{
	return strtab_hash(strtab_hash(strtab_hash(STRTAB_SEED, a, alen), " ", 1), b, blen);
}

static int same(const char *str, const char *s, size_t n)
{
	return strncmp(str, s, n) == 0 && str[n] == 0;
}

/* Rank of the merge (a, b), or -1; *empty gets the free slot. */
static int table_find(const struct bpe_table *t, const char *a, size_t alen, const char *b,
		      size_t blen, size_t *empty)
{
	if (!t->nslots)
		return -1;
	size_t mask = t->nslots - 1, i = pair_hash(a, alen, b, blen) & mask;
	for (;;) {
		int s = t->slots[i];
		if (!s) {
			if (empty)
				*empty = i;
			return -1;
		}
		if (same(t->left[s - 1], a, alen) && same(t->right[s - 1], b, blen))
			return s - 1;
		i = (i + 1) & mask;
	}
}

enum status bpe_table_load(struct bpe_table *t, const char *path, struct err *e)
{
	char *buf;
	size_t len;
	enum status st = token_file_read(path, &buf, &len, e);
	if (st)
		return st;
	/* One pass to count lines sizes the table, so it is never rehashed. */
	size_t lines_n = 1;
	for (size_t i = 0; i < len; i++)
		lines_n += buf[i] == '\n';
	if (lines_n > (size_t)CFG_MAX_VOCAB + 2) {
		free(buf);
		return err_set(e, ST_BADINPUT, "%s: too many merges (at most %d)", path,
			       CFG_MAX_VOCAB);
	}
	size_t ns = 16;
	while (ns < lines_n * 2)
		ns *= 2;
	t->left = calloc(lines_n, sizeof *t->left);
	t->right = calloc(lines_n, sizeof *t->right);
	t->slots = calloc(ns, sizeof *t->slots);
	if (!t->left || !t->right || !t->slots) {
		free(buf);
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	}
	t->nslots = ns;
	int header = 0; /* lines before the first merge, for line numbers */
	struct token_lines l;
	token_lines_init(&l, buf, len);
	size_t start, n;
	char at[448]; /* messages hold 512 bytes: long paths are cut */
	while (token_lines_next(&l, &start, &n)) {
		const char *s = buf + start;
		if (l.no == 1 && n >= 8 && memcmp(s, "#version", 8) == 0) {
			header = 1;
			continue;
		}
		snprintf(at, sizeof at, "%.400s: line %d", path, l.no);
		if (n == 0) {
			st = err_set(e, ST_BADINPUT, "%s is empty", at);
			break;
		}
		const char *sp = memchr(s, ' ', n);
		size_t alen = sp ? (size_t)(sp - s) : n, blen = sp ? n - alen - 1 : 0;
		if (!sp || alen == 0 || blen == 0 || memchr(sp + 1, ' ', blen)) {
			size_t bad = utf8_invalid_at(s, n);
			if (bad < n)
				st = err_set(e, ST_BADINPUT, "%s: invalid UTF-8 at byte %zu", at,
					     start + bad);
			else
				st = err_set(e, ST_BADINPUT,
					     "%s: expected \"left right\" (two symbols and one space)",
					     at);
			break;
		}
		if ((st = token_check(s, alen, start, at, e)) ||
		    (st = token_check(sp + 1, blen, start + alen + 1, at, e)))
			break;
		size_t where = 0;
		int dup = table_find(t, s, alen, sp + 1, blen, &where);
		if (dup >= 0) {
			char sh[64];
			st = err_set(e, ST_BADINPUT, "%s: duplicate merge \"%s\" (first on line %d)",
				     at, utf8_shorten(sh, s, n), dup + 1 + header);
			break;
		}
		char *a = malloc(alen + 1), *b = malloc(blen + 1);
		if (!a || !b) {
			free(a);
			free(b);
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
			break;
		}
		memcpy(a, s, alen);
		a[alen] = 0;
		memcpy(b, sp + 1, blen);
		b[blen] = 0;
		t->left[t->n] = a;
		t->right[t->n] = b;
		t->slots[where] = ++t->n;
	}
	free(buf);
	return st;
}

void bpe_table_release(struct bpe_table *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->left[i]);
		free(t->right[i]);
	}
	free(t->left);
	free(t->right);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* ---- applying it ---- */

struct sym {
	size_t off, len; /* a byte range of the word + "</w>" */
};

/* Rank of merging symbols i and i + 1, or INT_MAX. */
static int sym_rank(const struct bpe_table *t, const char *w, const struct sym *s, int i)
{
	int r = table_find(t, w + s[i].off, s[i].len, w + s[i + 1].off, s[i + 1].len, NULL);
	return r < 0 ? INT_MAX : r;
}

/* Merged symbols stay contiguous byte ranges of "word</w>", so no strings
 * are built. */
int bpe_apply(const struct bpe_table *t, const char *word, size_t wn, const struct bpe_sink *sink)
{
	size_t eow = strlen(TOK_EOW), wlen = wn + eow;
	char *w = malloc(wlen + 1);
	struct sym *s = malloc((wn + 1) * sizeof *s);
	int *rank = malloc((wn + 1) * sizeof *rank);
	int fail = !w || !s || !rank;
	if (fail)
		goto out;
	memcpy(w, word, wn);
	memcpy(w + wn, TOK_EOW, eow + 1);
	int n = 0;
	size_t pos = 0, next;
	while (pos < wn) {
		cp_at(w, wn, pos, &next);
		s[n++] = (struct sym){pos, next - pos};
		pos = next;
	}
	if (n > 0) /* words are never empty, but keep the index in range */
		s[n - 1].len += eow;
	for (int i = 0; i + 1 < n; i++)
		rank[i] = sym_rank(t, w, s, i);
	for (;;) {
		int best = -1;
		for (int i = 0; i + 1 < n; i++)
			if (rank[i] != INT_MAX && (best < 0 || rank[i] < rank[best]))
				best = i;
		if (best < 0)
			break;
		if ((fail = sink->merge(sink->ctx, rank[best], w + s[best].off, s[best].len,
					w + s[best + 1].off, s[best + 1].len)))
			goto out;
		/* pair best and best + 1 become one symbol; pair entry best + 1 goes */
		s[best].len += s[best + 1].len;
		memmove(&s[best + 1], &s[best + 2], (size_t)(n - best - 2) * sizeof *s);
		if (best + 2 <= n - 2)
			memmove(&rank[best + 1], &rank[best + 2],
				(size_t)(n - 3 - best) * sizeof *rank);
		n--;
		if (best > 0)
			rank[best - 1] = sym_rank(t, w, s, best - 1);
		if (best + 1 < n)
			rank[best] = sym_rank(t, w, s, best);
	}
	for (int i = 0; i < n && !fail; i++) {
		size_t shown = s[i].len;
		if (i == n - 1)
			shown -= eow;
		fail = sink->symbol(sink->ctx, w + s[i].off, s[i].len, shown);
	}
out:
	free(w);
	free(s);
	free(rank);
	return fail;
}

/* ---- learning it ---- */

static int by_bytes(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

/* bpe_learn state: words as symbol-id sequences, and counts of adjacent
 * symbol pairs weighted by word frequency, updated word by word as merges
 * rewrite them. */
struct bword {
	int *sym;       /* (n) symbol ids */
	int n;
	int64_t freq;
};

struct pair {
	int a, b;
	int64_t count;
};

struct pairtab {
	struct pair *p; /* (n) */
	int n, cap;
	int *slots;     /* (nslots) index + 1 */
	size_t nslots;
};

static size_t pair_key_hash(int a, int b)
{
	uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
	k *= 0x9E3779B97F4A7C15u;
	return (size_t)(k ^ (k >> 29));
}

static int pairtab_grow(struct pairtab *pt)
{
	size_t ns = pt->nslots ? pt->nslots * 2 : 1024;
	int *s = calloc(ns, sizeof *s);
	if (!s)
		return 0;
	for (int i = 0; i < pt->n; i++) {
		size_t j = pair_key_hash(pt->p[i].a, pt->p[i].b) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = i + 1;
	}
	free(pt->slots);
	pt->slots = s;
	pt->nslots = ns;
	return 1;
}

/* Adds delta to the count of (a, b); 0 on OOM. */
static int pairtab_add(struct pairtab *pt, int a, int b, int64_t delta)
{
	if (((size_t)pt->n + 1) * 2 > pt->nslots && !pairtab_grow(pt))
		return 0;
	size_t mask = pt->nslots - 1, i = pair_key_hash(a, b) & mask;
	while (pt->slots[i]) {
		struct pair *p = &pt->p[pt->slots[i] - 1];
		if (p->a == a && p->b == b) {
			p->count += delta;
			return 1;
		}
		i = (i + 1) & mask;
	}
	void *arr = pt->p;
	if (!strtab_grow(&arr, &pt->cap, pt->n, sizeof *pt->p))
		return 0;
	pt->p = arr;
	pt->p[pt->n] = (struct pair){a, b, delta};
	pt->slots[i] = ++pt->n;
	return 1;
}

static int word_pairs(struct pairtab *pt, const struct bword *w, int64_t sign)
{
	for (int i = 0; i + 1 < w->n; i++)
		if (!pairtab_add(pt, w->sym[i], w->sym[i + 1], sign * w->freq))
			return 0;
	return 1;
}

/* Whether pair x beats pair y: higher count, then bytewise smaller. */
static int pair_better(const struct strtab *sy, const struct pair *x, const struct pair *y)
{
	if (x->count != y->count)
		return x->count > y->count;
	int c = strcmp(sy->s[x->a], sy->s[y->a]);
	if (c)
		return c < 0;
	return strcmp(sy->s[x->b], sy->s[y->b]) < 0;
}

static enum status write_merges(const struct strtab *sy, const int *ma, const int *mb, int n,
				const char *path, struct err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(errno));
	for (int i = 0; i < n; i++)
		fprintf(f, "%s %s\n", sy->s[ma[i]], sy->s[mb[i]]);
	int bad = ferror(f);
	int saved = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad)
		return err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(saved));
	return ST_OK;
}

struct sym_ctx {
	struct strtab *sy;
	int *out;
	int n;
};

static int collect_sym(void *ctx, const char *u, size_t n)
{
	struct sym_ctx *c = ctx;
	int id = strtab_add(c->sy, u, n);
	if (id < 0)
		return 1;
	c->out[c->n++] = id;
	return 0;
}

enum status bpe_learn(const char *const *lines, size_t n_lines, int n_merges, int lowercase,
		      const char *merges_path, const char *vocab_path, struct err *e)
{
	if (n_merges < 0 || n_merges > CFG_MAX_VOCAB)
		return err_set(e, ST_USAGE, "BPE: merges must be between 0 and %d (got %d)",
			       CFG_MAX_VOCAB, n_merges);
	struct strtab words = {0}, sy = {0};
	struct pairtab pt = {0};
	struct bword *bw = NULL;
	int *ma = NULL, *mb = NULL, *mr = NULL, nm = 0; /* merges: left, right, result */
	char *listed = NULL, *joined = NULL;
	const char **toks = NULL;
	enum status st = split_count(TOK_WORD, lowercase, 1, lines, n_lines, &words, e);
	if (st)
		goto out;
	bw = calloc((size_t)words.n + 1, sizeof *bw);
	ma = malloc(((size_t)n_merges + 1) * sizeof *ma);
	mb = malloc(((size_t)n_merges + 1) * sizeof *mb);
	mr = malloc(((size_t)n_merges + 1) * sizeof *mr);
	if (!bw || !ma || !mb || !mr)
		goto oom;
	int nw = words.n;
	/* Initial symbols, interned in first-seen order (deterministic). */
	for (int k = 0; k < nw; k++) {
		size_t wl = strlen(words.s[k]);
		struct sym_ctx c = {&sy, malloc((wl + 1) * sizeof(int)), 0};
		bw[k].sym = c.out;
		if (!c.out)
			goto oom;
		if (split_bpe_symbols(words.s[k], wl, collect_sym, &c))
			goto oom;
		bw[k].n = c.n;
		bw[k].freq = words.count[k];
		if (!word_pairs(&pt, &bw[k], 1))
			goto oom;
	}
	int n_initial = sy.n;
	size_t cap_joined = 0;
	for (; nm < n_merges; nm++) {
		int best = -1;
		for (int i = 0; i < pt.n; i++) {
			if (pt.p[i].count < 2 || (best >= 0 && !pair_better(&sy, &pt.p[i], &pt.p[best])))
				continue;
			/* a longer symbol could not be loaded back */
			if (strlen(sy.s[pt.p[i].a]) + strlen(sy.s[pt.p[i].b]) > TOK_MAX_TOKEN)
				continue;
			best = i;
		}
		if (best < 0)
			break;
		int a = pt.p[best].a, b = pt.p[best].b;
		size_t al = strlen(sy.s[a]), bl = strlen(sy.s[b]);
		if (al + bl + 1 > cap_joined) {
			char *j = realloc(joined, al + bl + 1);
			if (!j)
				goto oom;
			joined = j;
			cap_joined = al + bl + 1;
		}
		memcpy(joined, sy.s[a], al);
		memcpy(joined + al, sy.s[b], bl);
		int ab = strtab_add(&sy, joined, al + bl);
		if (ab < 0)
			goto oom;
		ma[nm] = a;
		mb[nm] = b;
		mr[nm] = ab;
		for (int k = 0; k < nw; k++) {
			struct bword *w = &bw[k];
			int has = 0;
			for (int i = 0; i + 1 < w->n && !has; i++)
				has = w->sym[i] == a && w->sym[i + 1] == b;
			if (!has)
				continue;
			if (!word_pairs(&pt, w, -1))
				goto oom;
			int o = 0;
			for (int i = 0; i < w->n; i++) {
				if (i + 1 < w->n && w->sym[i] == a && w->sym[i + 1] == b) {
					w->sym[o++] = ab;
					i++;
				} else {
					w->sym[o++] = w->sym[i];
				}
			}
			w->n = o;
			if (!word_pairs(&pt, w, 1))
				goto oom;
		}
	}
	if ((st = write_merges(&sy, ma, mb, nm, merges_path, e)))
		goto out;
	/* Vocabulary: specials, initial symbols bytewise, merge results in
	 * merge order (each once: two merges can spell the same symbol). */
	listed = calloc((size_t)sy.n + 1, 1);
	toks = malloc(((size_t)sy.n + 4) * sizeof *toks);
	if (!listed || !toks)
		goto oom;
	int nt = 0;
	for (int i = 0; i < 4; i++)
		toks[nt++] = token_specials[i];
	for (int i = 0; i < n_initial; i++)
		toks[nt++] = sy.s[i];
	qsort(toks + 4, (size_t)n_initial, sizeof *toks, by_bytes);
	for (int i = 0; i < n_initial; i++)
		listed[i] = 1;
	for (int m = 0; m < nm; m++) {
		if (!listed[mr[m]]) {
			listed[mr[m]] = 1;
			toks[nt++] = sy.s[mr[m]];
		}
	}
	st = vocab_write(toks, nt, vocab_path, e);
	goto out;
oom:
	st = err_set(e, ST_NOMEM, "BPE: out of memory");
out:
	for (int i = 0; bw && i < words.n; i++)
		free(bw[i].sym);
	free(bw);
	free(ma);
	free(mb);
	free(mr);
	free(listed);
	free(joined);
	free(toks);
	free(pt.p);
	free(pt.slots);
	strtab_release(&words);
	strtab_release(&sy);
	return st;
}

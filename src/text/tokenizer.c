/* The tokenizer: a vocabulary, a kind and, for BPE, a merge table;
 * encoding text into ids with the pieces, unknowns and merges shown, and
 * decoding ids back into text (tokenizer.h). */
#include "text/tokenizer.h"
#include "text/codepoint.h"
#include "text/split.h"
#include "text/strtab.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the tokenizer ---- */

/* The merge table as text/bpe.h handles it: the tokenizer's own fields. */
static struct bpe_table merges_of(const struct tokenizer *t)
{
	return (struct bpe_table){t->n_merges, t->merge_left, t->merge_right, t->merge_slots,
				  t->merge_nslots};
}

void tokenizer_release(struct tokenizer *t)
{
	if (!t)
		return;
	struct bpe_table m = merges_of(t);
	bpe_table_release(&m);
	memset(t, 0, sizeof *t);
	t->space_id = -1;
}

enum status tokenizer_init(struct tokenizer *t, const struct tok_config *cfg,
			   const struct vocab *v, const char *model_dir, struct err *e)
{
	memset(t, 0, sizeof *t);
	t->space_id = -1;
	if (!cfg || !v || v->n <= 0)
		return err_set(e, ST_BADINPUT, "tokenizer: no vocabulary");
	if (cfg->kind != TOK_WORD && cfg->kind != TOK_CHAR && cfg->kind != TOK_BPE)
		return err_set(e, ST_BADINPUT, "%s: unknown tokenizer kind %d", cfg->vocab,
			       (int)cfg->kind);
	t->kind = cfg->kind;
	t->lowercase = cfg->lowercase;
	t->vocab = v;
	if (t->kind == TOK_CHAR)
		t->space_id = vocab_id(v, TOK_SPACE);
	if (t->kind != TOK_BPE)
		return ST_OK;
	if (!cfg->merges[0])
		return err_set(e, ST_BADINPUT,
			       "%s: a BPE tokenizer needs a merges file (\"merges\" in config.json)",
			       cfg->vocab);
	char path[4096];
	int w = model_dir && model_dir[0] && cfg->merges[0] != '/'
			? snprintf(path, sizeof path, "%s/%s", model_dir, cfg->merges)
			: snprintf(path, sizeof path, "%s", cfg->merges);
	if (w < 0 || (size_t)w >= sizeof path)
		return err_set(e, ST_BADINPUT, "%s: path too long", cfg->merges);
	struct bpe_table m = {0};
	enum status st = bpe_table_load(&m, path, e);
	t->n_merges = m.n;
	t->merge_left = m.left;
	t->merge_right = m.right;
	t->merge_slots = m.slots;
	t->merge_nslots = m.nslots;
	if (st)
		tokenizer_release(t);
	return st;
}

/* ---- encoding ---- */

void encoding_release(struct encoding *enc)
{
	if (!enc)
		return;
	for (int i = 0; i < enc->n; i++)
		free(enc->pieces[i]);
	for (int i = 0; i < enc->n_unknown; i++)
		free(enc->unknown[i]);
	for (int i = 0; i < enc->n_merges; i++) {
		free(enc->merges[i].left);
		free(enc->merges[i].right);
	}
	free(enc->ids);
	free(enc->pieces);
	free(enc->unknown);
	free(enc->merges);
	memset(enc, 0, sizeof *enc);
}

struct enc_ctx {
	const struct tokenizer *t;
	struct encoding *out;
	int cap, ucap, mcap;  /* capacities of ids/pieces, unknown, merges */
};

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* Appends a token: id from the vocabulary, or <unk> with the unit (without
 * shown_len's tail, e.g. "</w>") listed as unknown. */
static int enc_push(void *ctx, const char *u, size_t n, size_t shown_len)
{
	struct enc_ctx *c = ctx;
	struct encoding *o = c->out;
	if (o->n == c->cap) {
		if (c->cap > INT_MAX / 2)
			return 1;
		int cap = c->cap ? c->cap * 2 : 16;
		int *ids = realloc(o->ids, (size_t)cap * sizeof *ids);
		if (!ids)
			return 1;
		o->ids = ids;
		char **pieces = realloc(o->pieces, (size_t)cap * sizeof *pieces);
		if (!pieces)
			return 1;
		o->pieces = pieces;
		c->cap = cap;
	}
	int id = vocab_find(c->t->vocab, u, n);
	char *piece = dup_n(u, n);
	if (!piece)
		return 1;
	if (id < 0) {
		void *unk = o->unknown;
		int g = strtab_grow(&unk, &c->ucap, o->n_unknown, sizeof *o->unknown);
		o->unknown = unk;
		char *word = g ? dup_n(u, shown_len) : NULL;
		if (!word) {
			free(piece);
			return 1;
		}
		o->unknown[o->n_unknown++] = word;
		id = c->t->vocab->unk;
	}
	o->ids[o->n] = id;
	o->pieces[o->n++] = piece;
	return 0;
}

static int enc_unit(void *ctx, const char *u, size_t n)
{
	return enc_push(ctx, u, n, n);
}

static int enc_merge(void *ctx, int rank, const char *a, size_t alen, const char *b,
		     size_t blen)
{
	struct enc_ctx *c = ctx;
	struct encoding *o = c->out;
	void *m = o->merges;
	int g = strtab_grow(&m, &c->mcap, o->n_merges, sizeof *o->merges);
	o->merges = m;
	if (!g)
		return 1;
	char *l = dup_n(a, alen), *r = dup_n(b, blen);
	if (!l || !r) {
		free(l);
		free(r);
		return 1;
	}
	o->merges[o->n_merges++] = (struct bpe_merge_rec){rank, l, r};
	return 0;
}

/* A BPE word: its merges and symbols into the encoding. */
static int enc_bpe_word(void *ctx, const char *word, size_t n)
{
	struct enc_ctx *c = ctx;
	struct bpe_table m = merges_of(c->t);
	struct bpe_sink sink = {enc_merge, enc_push, c};
	return bpe_apply(&m, word, n, &sink);
}

enum status tokenizer_encode(const struct tokenizer *t, const char *text, struct encoding *out,
			     struct err *e)
{
	memset(out, 0, sizeof *out);
	if (!t || !t->vocab)
		return err_set(e, ST_BADINPUT, "tokenizer not initialised");
	if (!text)
		text = "";
	size_t n = strlen(text);
	if (n > TOK_MAX_TEXT)
		return err_set(e, ST_BADINPUT, "sentence too long (%zu bytes, at most %d)", n,
			       TOK_MAX_TEXT);
	struct enc_ctx c = {t, out, 0, 0, 0};
	enum status st = split_text(t->kind, t->lowercase, t->space_id >= 0, 1, text,
				    t->kind == TOK_BPE ? enc_bpe_word : enc_unit, &c, e);
	if (!st && out->n == 0)
		st = err_set(e, ST_BADINPUT, "empty sentence");
	if (st)
		encoding_release(out);
	return st;
}

/* ---- decoding ---- */

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	size_t need;
	if (!size_add(b->n, n + 1, &need)) {
		b->oom = 1;
		return;
	}
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

/* Returns the malloc'd string ("" when empty), or NULL after OOM. */
static char *sb_finish(struct sbuf *b)
{
	if (!b->oom && !b->p)
		sb_add(b, "", 0);
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

enum { GLUE_LEFT = 1, GLUE_RIGHT = 2, GLUE_QUOTE = 4 };

/* How a word-level token attaches to its neighbours in rebuilt text. */
static int token_glue(const char *s, size_t n)
{
	size_t pos = 0;
	uint32_t c;
	if (n == 0 || !utf8_next(s, n, &pos, &c))
		return 0;
	if (pos == n) {
		switch (c) {
		case '"':
			return GLUE_QUOTE;
		case ',': case '.': case '!': case '?': case ';': case ':':
		case ')': case ']': case '}': case '%':
		case 0x2026: case 0x201D: case 0x2019: /* … ” ’ */
			return GLUE_LEFT;
		case '(': case '[': case '{': case 0xBF: case 0xA1: /* ¿ ¡ */
		case 0x201C: case 0x2018:                          /* “ ‘ */
			return GLUE_RIGHT;
		}
		return cp_cjk_punct(c) ? GLUE_LEFT | GLUE_RIGHT : 0;
	}
	/* an elided word: "l'" + "homme" -> "l'homme" */
	if (s[n - 1] == '\'' || (n >= 3 && memcmp(s + n - 3, "\xe2\x80\x99", 3) == 0))
		return GLUE_RIGHT;
	return 0;
}

static void join_words(struct sbuf *b, const char *const *w, const size_t *wl, int n)
{
	int quote_open = 0, glue_next = 1;
	for (int i = 0; i < n; i++) {
		if (wl[i] == 0)
			continue;
		int g = token_glue(w[i], wl[i]);
		int left = g & GLUE_LEFT, right = g & GLUE_RIGHT;
		if (g & GLUE_QUOTE) {
			if (quote_open)
				left = 1;
			else
				right = 1;
			quote_open = !quote_open;
		}
		if (!glue_next && !left)
			sb_add(b, " ", 1);
		sb_add(b, w[i], wl[i]);
		glue_next = right;
	}
}

static int skipped(const struct vocab *v, int id)
{
	return id == v->pad || id == v->bos || id == v->eos;
}

char *tokenizer_decode(const struct tokenizer *t, const int *ids, int n)
{
	struct sbuf out = {0};
	if (!t || !t->vocab || !ids || n <= 0)
		return sb_finish(&out);
	const struct vocab *v = t->vocab;
	if (t->kind == TOK_CHAR) {
		for (int i = 0; i < n; i++) {
			if (skipped(v, ids[i]))
				continue;
			const char *tok = vocab_token(v, ids[i]);
			if (strcmp(tok, TOK_SPACE) == 0) {
				if (out.n && out.p[out.n - 1] != ' ')
					sb_add(&out, " ", 1);
			} else {
				sb_add(&out, tok, strlen(tok));
			}
		}
		while (!out.oom && out.n && out.p[out.n - 1] == ' ')
			out.p[--out.n] = 0;
		return sb_finish(&out);
	}
	const char **w = malloc((size_t)n * sizeof *w);
	size_t *wl = malloc((size_t)n * sizeof *wl);
	size_t *off = malloc((size_t)n * sizeof *off);
	struct sbuf words = {0};
	int nw = 0;
	if (!w || !wl || !off) {
		out.oom = 1;
		goto done;
	}
	if (t->kind == TOK_WORD) {
		for (int i = 0; i < n; i++) {
			if (skipped(v, ids[i]))
				continue;
			w[nw] = vocab_token(v, ids[i]);
			wl[nw] = strlen(w[nw]);
			nw++;
		}
	} else {
		/* BPE: glue symbols; "</w>" ends a word. Offsets, not pointers,
		 * since the buffer moves as it grows. */
		size_t eow = strlen(TOK_EOW), start = 0;
		for (int i = 0; i < n; i++) {
			if (skipped(v, ids[i]))
				continue;
			const char *tok = vocab_token(v, ids[i]);
			size_t tl = strlen(tok);
			int end = tl >= eow && memcmp(tok + tl - eow, TOK_EOW, eow) == 0;
			sb_add(&words, tok, end ? tl - eow : tl);
			if (end) {
				off[nw] = start;
				wl[nw++] = words.n - start;
				start = words.n;
			}
		}
		if (words.n > start) {
			off[nw] = start;
			wl[nw++] = words.n - start;
		}
		if (words.oom) {
			out.oom = 1;
			goto done;
		}
		for (int i = 0; i < nw; i++)
			w[i] = words.p + off[i];
	}
	join_words(&out, w, wl, nw);
done:
	free(w);
	free(wl);
	free(off);
	free(words.p);
	return sb_finish(&out);
}

/* ---- splitting, for training ---- */

struct public_split {
	void (*fn)(const char *unit, void *ctx);
	void *ctx;
	char *buf;      /* scratch for the NUL-terminated unit */
	size_t cap;
};

static int public_unit(void *ctx, const char *u, size_t n)
{
	struct public_split *p = ctx;
	if (n + 1 > p->cap) {
		char *b = realloc(p->buf, n + 1);
		if (!b)
			return 1;
		p->buf = b;
		p->cap = n + 1;
	}
	memcpy(p->buf, u, n);
	p->buf[n] = 0;
	p->fn(p->buf, p->ctx);
	return 0;
}

enum status tokenizer_split(enum tok_kind kind, int lowercase, const char *text,
			    void (*fn)(const char *unit, void *ctx), void *ctx, struct err *e)
{
	struct public_split p = {fn, ctx, NULL, 0};
	enum status st = split_text(kind, lowercase, 1, 0, text, public_unit, &p, e);
	free(p.buf);
	return st;
}


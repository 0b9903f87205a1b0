/* Shared by fuzz_merges.c and fuzz_encode.c: a fixed vocabulary covering
 * Latin, French, Greek, Cyrillic and Chinese words, characters and BPE
 * symbols, and the invariants every encoding must satisfy. */
#ifndef SEQSTEP_FUZZ_TOK_COMMON_H
#define SEQSTEP_FUZZ_TOK_COMMON_H

#include "fuzz_common.h"
#include "text/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char fuzz_vocab_text[] =
	"<pad>\n<unk>\n<bos>\n<eos>\n"
	"the\ncat\nis\nsleeping\non\nmat\nl'\nhomme\nqu'\nil\ndon't\nit's\n3.14\n1,000\n"
	"le\nchat\ndort\nsur\ntapis\n猫\n在\n睡觉\n。\n，\n«\n»\n¿\n¡\n…\n“\n”\n"
	"a\nb\nc\nd\ne\nf\ng\nh\ni\nl\nm\nn\no\np\nr\ns\nt\nu\nw\ny\n'\n.\n,\n!\n?\n-\n"
	"é\nè\nà\nç\nα\nβ\nж\nя\n"
	"a</w>\nb</w>\ne</w>\nd</w>\nh</w>\nl</w>\nn</w>\no</w>\nr</w>\ns</w>\nt</w>\ny</w>\n"
	".</w>\n,</w>\n!</w>\n?</w>\n'</w>\n猫</w>\n。</w>\n"
	"th\nthe</w>\nat</w>\nca\ncat</w>\nis</w>\non</w>\nin\ning</w>\nsl\nslee\nsleeping</w>\n"
	"ma\nmat</w>\nl'</w>\nho\nhom\nhomme</w>\n";

static const char fuzz_merges_text[] =
	"#version: 0.2\n"
	"t h\nth e</w>\na t</w>\nc a\nca t</w>\ni s</w>\no n</w>\ni n\nin g</w>\ns l\n"
	"sl e\nsle e\n"
	"m a\nma t</w>\nl '</w>\nh o\nho m\nhom m\nhomm e</w>\ne e\n";

/* Loads the fixed vocabulary (with "▁" when space) once per process. */
static const struct vocab *fuzz_fixed_vocab(int space)
{
	static struct vocab v[2];
	static int loaded[2];
	if (!loaded[space]) {
		char buf[sizeof fuzz_vocab_text + 16];
		snprintf(buf, sizeof buf, "%s%s", fuzz_vocab_text, space ? TOK_SPACE "\n" : "");
		const char *p = fuzz_write(space ? "fixed-space.vocab" : "fixed.vocab", buf,
					   strlen(buf));
		struct err e = {0};
		if (vocab_load(&v[space], p, &e) != ST_OK) {
			fprintf(stderr, "fixed vocabulary: %s\n", e.msg);
			abort();
		}
		loaded[space] = 1;
	}
	return &v[space];
}

struct fuzz_cat {
	char *s;
	size_t n, cap;
};

static void fuzz_cat_add(const char *unit, void *ctx)
{
	struct fuzz_cat *c = ctx;
	size_t k = strlen(unit);
	if (c->n + k + 1 > c->cap) {
		c->cap = (c->n + k + 1) * 2;
		c->s = realloc(c->s, c->cap);
		FUZZ_CHECK(c->s != NULL, "oom");
	}
	memcpy(c->s + c->n, unit, k + 1);
	c->n += k;
}

/* Checks enc (a successful encoding of text by t). */
static void fuzz_check_encoding(const struct tokenizer *t, const char *text,
				const struct encoding *enc)
{
	const struct vocab *v = t->vocab;
	FUZZ_CHECK(enc->n > 0, "empty encoding accepted");
	int unknown = 0;
	struct fuzz_cat pieces = {0};
	for (int i = 0; i < enc->n; i++) {
		FUZZ_CHECK(enc->ids[i] >= 0 && enc->ids[i] < v->n, "id %d", enc->ids[i]);
		FUZZ_CHECK(enc->pieces[i] && enc->pieces[i][0], "piece %d", i);
		int id = vocab_id(v, enc->pieces[i]);
		if (id >= 0) {
			FUZZ_CHECK(id == enc->ids[i], "piece '%s' has id %d, encoded %d",
				   enc->pieces[i], id, enc->ids[i]);
		} else {
			FUZZ_CHECK(enc->ids[i] == v->unk, "unknown piece not <unk>");
			unknown++;
		}
		fuzz_cat_add(enc->pieces[i], &pieces);
	}
	FUZZ_CHECK(unknown == enc->n_unknown, "%d unknown pieces, %d listed", unknown,
		   enc->n_unknown);
	for (int i = 0; i < enc->n_unknown; i++)
		FUZZ_CHECK(enc->unknown[i] != NULL, "unknown %d", i);
	for (int i = 0; i < enc->n_merges; i++) {
		const struct bpe_merge_rec *m = &enc->merges[i];
		FUZZ_CHECK(t->kind == TOK_BPE && m->rank >= 0 && m->rank < t->n_merges,
			   "merge rank %d", m->rank);
		FUZZ_CHECK(!strcmp(m->left, t->merge_left[m->rank]) &&
				   !strcmp(m->right, t->merge_right[m->rank]),
			   "merge %d is not the table's rank %d", i, m->rank);
	}
	/* The pieces are the units tokenizer_split reports, merged: their
	 * concatenations agree (char level drops "▁" when the vocabulary has
	 * none, so compare only with it). */
	if (t->kind != TOK_CHAR || t->space_id >= 0) {
		struct fuzz_cat units = {0};
		struct err e = {0};
		FUZZ_CHECK(tokenizer_split(t->kind, t->lowercase, text, fuzz_cat_add, &units, &e) ==
				   ST_OK,
			   "split fails after encode: %s", e.msg);
		FUZZ_CHECK(units.n == pieces.n && !memcmp(units.s, pieces.s, units.n),
			   "pieces '%s' differ from units '%s'", pieces.s, units.s ? units.s : "");
		free(units.s);
	}
	free(pieces.s);
	char *back = tokenizer_decode(t, enc->ids, enc->n);
	FUZZ_CHECK(back != NULL, "decode failed");
	free(back);
}

/* Encodes text, checking the result or the error. */
static void fuzz_encode_one(const struct tokenizer *t, const char *text)
{
	struct encoding enc;
	struct err e = {0};
	enum status st = tokenizer_encode(t, text, &enc, &e);
	if (st == ST_OK)
		fuzz_check_encoding(t, text, &enc);
	else {
		FUZZ_CHECK(st == ST_BADINPUT, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(enc.n == 0 && enc.ids == NULL, "not zeroed on failure");
	}
	encoding_release(&enc);
}

#endif

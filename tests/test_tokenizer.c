/* Vocabularies and the word, char and BPE tokenizers. Files go to a mkdtemp
 * directory that the group teardown removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "text/tokenizer.h"

static char tmpdir[256];

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/seqstep_tok_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	DIR *d = opendir(tmpdir);
	if (d) {
		struct dirent *de;
		char p[512];
		while ((de = readdir(d))) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(p, sizeof p, "%s/%s", tmpdir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	return rmdir(tmpdir);
}

/* Writes len bytes to tmpdir/name; returns the path (static buffer). */
static const char *write_file(const char *name, const char *data, size_t len)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static char *read_all(const char *path)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[8192];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* ---- tokenizer_split ---- */

struct units {
	char *u[128];
	int n;
};

static void collect(const char *unit, void *ctx)
{
	struct units *l = ctx;
	if (l->n < 128)
		l->u[l->n++] = strdup(unit);
}

static void units_free(struct units *l)
{
	for (int i = 0; i < l->n; i++)
		free(l->u[i]);
	l->n = 0;
}

static void expect_split(enum tok_kind kind, int lowercase, const char *text,
			 const char *const *want, int n)
{
	struct units l = {.n = 0};
	struct err e = {0};
	assert_int_equal(tokenizer_split(kind, lowercase, text, collect, &l, &e), ST_OK);
	for (int i = 0; i < l.n && i < n; i++)
		assert_string_equal(l.u[i], want[i]);
	assert_int_equal(l.n, n);
	units_free(&l);
}

#define EXPECT_SPLIT(kind, lc, text, ...)                                           \
	do {                                                                        \
		const char *const want_[] = {__VA_ARGS__};                          \
		expect_split(kind, lc, text, want_, (int)(sizeof want_ / sizeof *want_)); \
	} while (0)

static void test_split_words_punct_elision(void **state)
{
	(void)state;
	EXPECT_SPLIT(TOK_WORD, 0, "Hello, world! (yes)", "Hello", ",", "world", "!", "(", "yes",
		     ")");
	/* French elision splits after the apostrophe; English contractions stay */
	EXPECT_SPLIT(TOK_WORD, 0, "L'homme qu'il voit: don't, it's", "L'", "homme", "qu'", "il",
		     "voit", ":", "don't", ",", "it's");
	EXPECT_SPLIT(TOK_WORD, 0, "l\xe2\x80\x99" "ami", "l\xe2\x80\x99", "ami");
	/* a lone or trailing apostrophe is punctuation */
	EXPECT_SPLIT(TOK_WORD, 0, "dogs' 'tis", "dogs", "'", "'", "tis");
	/* numbers keep their separators; other dots split */
	EXPECT_SPLIT(TOK_WORD, 0, "pi is 3.14, not 1,000...", "pi", "is", "3.14", ",", "not",
		     "1,000", ".", ".", ".");
	/* Unicode spaces and tabs separate; repeated ones make no tokens */
	EXPECT_SPLIT(TOK_WORD, 0, "  a\t\xc2\xa0 b\xe3\x80\x80" "c\n", "a", "b", "c");
	/* CJK: split at spaces and punctuation only */
	EXPECT_SPLIT(TOK_WORD, 0, "我爱你，世界。「猫 在」", "我爱你", "，", "世界", "。", "「",
		     "猫", "在", "」");
	/* full-width forms */
	EXPECT_SPLIT(TOK_WORD, 0, "好！真的？", "好", "！", "真的", "？");
}

static void test_split_lowercase(void **state)
{
	(void)state;
	EXPECT_SPLIT(TOK_WORD, 1, "ÉCOLE Été ÀÇÕ İstanbul ŸES ŁÓDŹ Straße ΑΒΓ ДОМ",
		     "école", "été", "àçõ", "istanbul", "ÿes", "łódź", "straße", "αβγ", "дом");
	EXPECT_SPLIT(TOK_WORD, 0, "ÉCOLE Été", "ÉCOLE", "Été");
	EXPECT_SPLIT(TOK_CHAR, 1, "ÀB", "à", "b");
}

static void test_split_char_and_bpe(void **state)
{
	(void)state;
	/* tokenizer_split always reports the space marker for char level */
	EXPECT_SPLIT(TOK_CHAR, 0, " hi  yo ", "h", "i", TOK_SPACE, "y", "o");
	EXPECT_SPLIT(TOK_CHAR, 0, "猫在垫子上睡觉。", "猫", "在", "垫", "子", "上", "睡", "觉", "。");
	EXPECT_SPLIT(TOK_BPE, 1, "Low, a", "l", "o", "w</w>", ",</w>", "a</w>");
	EXPECT_SPLIT(TOK_BPE, 0, "猫在", "猫", "在</w>");

	struct units l = {.n = 0};
	struct err e = {0};
	assert_int_equal(tokenizer_split(TOK_WORD, 0, "", collect, &l, &e), ST_OK);
	assert_int_equal(l.n, 0);
	assert_int_equal(tokenizer_split(TOK_WORD, 0, "ok \xff", collect, &l, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "invalid UTF-8 at byte 3");
	units_free(&l);
}

/* ---- encoding ---- */

static void make_vocab(struct vocab *v, const char *const *extra, int n)
{
	const char *toks[64] = {"<pad>", "<unk>", "<bos>", "<eos>"};
	assert_true(n <= 60);
	for (int i = 0; i < n; i++)
		toks[4 + i] = extra[i];
	struct err e = {0};
	enum status st = vocab_from_tokens(v, toks, n + 4, &e);
	if (st)
		fail_msg("vocab_from_tokens: %s", e.msg);
}

static void make_tok(struct tokenizer *t, const struct vocab *v, enum tok_kind kind, int lc)
{
	struct tok_config cfg = {.kind = kind, .lowercase = lc};
	snprintf(cfg.vocab, sizeof cfg.vocab, "test.vocab");
	struct err e = {0};
	assert_int_equal(tokenizer_init(t, &cfg, v, NULL, &e), ST_OK);
}

static void test_encode_word(void **state)
{
	(void)state;
	const char *w[] = {"the", "cat", "sleeps", ".", "l'", "homme"};
	struct vocab v;
	make_vocab(&v, w, 6);
	struct tokenizer t;
	make_tok(&t, &v, TOK_WORD, 1);
	struct encoding enc;
	struct err e = {0};
	assert_int_equal(tokenizer_encode(&t, "The cat sleeps. L'homme", &enc, &e), ST_OK);
	int want[] = {4, 5, 6, 7, 8, 9};
	assert_int_equal(enc.n, 6);
	for (int i = 0; i < 6; i++)
		assert_int_equal(enc.ids[i], want[i]);
	assert_string_equal(enc.pieces[0], "the");
	assert_string_equal(enc.pieces[4], "l'");
	assert_int_equal(enc.n_unknown, 0);
	assert_int_equal(enc.n_merges, 0);
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);
}

static void test_encode_unknown(void **state)
{
	(void)state;
	const char *w[] = {"the", "cat", "sleeps"};
	struct vocab v;
	make_vocab(&v, w, 3);
	struct tokenizer t;
	make_tok(&t, &v, TOK_WORD, 1);
	struct encoding enc;
	struct err e = {0};
	assert_int_equal(tokenizer_encode(&t, "The zebra sleeps , Quietly", &enc, &e), ST_OK);
	assert_int_equal(enc.n, 5);
	assert_int_equal(enc.ids[0], 4);
	assert_int_equal(enc.ids[1], v.unk);
	assert_int_equal(enc.ids[2], 6);
	assert_int_equal(enc.ids[3], v.unk);
	assert_int_equal(enc.ids[4], v.unk);
	assert_string_equal(enc.pieces[1], "zebra"); /* the word, not "<unk>" */
	assert_int_equal(enc.n_unknown, 3);
	assert_string_equal(enc.unknown[0], "zebra");
	assert_string_equal(enc.unknown[1], ",");
	assert_string_equal(enc.unknown[2], "quietly");
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);
}

static void test_encode_char_chinese(void **state)
{
	(void)state;
	const char *c[] = {"猫", "在", "垫", "子", "上", "睡", "觉", "。"};
	struct vocab v;
	make_vocab(&v, c, 8);
	struct tokenizer t;
	make_tok(&t, &v, TOK_CHAR, 0);
	assert_int_equal(t.space_id, -1);
	struct encoding enc;
	struct err e = {0};
	assert_int_equal(tokenizer_encode(&t, "猫在垫子上睡觉。", &enc, &e), ST_OK);
	assert_int_equal(enc.n, 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(enc.ids[i], 4 + i);
		assert_string_equal(enc.pieces[i], c[i]);
	}
	char *back = tokenizer_decode(&t, enc.ids, enc.n);
	assert_string_equal(back, "猫在垫子上睡觉。");
	free(back);
	encoding_release(&enc);

	/* no "▁" in this vocabulary: spaces are dropped; unknown chars reported */
	assert_int_equal(tokenizer_encode(&t, "猫 在 狗", &enc, &e), ST_OK);
	assert_int_equal(enc.n, 3);
	assert_int_equal(enc.ids[2], v.unk);
	assert_int_equal(enc.n_unknown, 1);
	assert_string_equal(enc.unknown[0], "狗");
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);
}

static void test_encode_char_space(void **state)
{
	(void)state;
	const char *c[] = {"h", "i", "y", "o", TOK_SPACE};
	struct vocab v;
	make_vocab(&v, c, 5);
	struct tokenizer t;
	make_tok(&t, &v, TOK_CHAR, 1);
	assert_int_equal(t.space_id, 8);
	struct encoding enc;
	struct err e = {0};
	assert_int_equal(tokenizer_encode(&t, " Hi   yo ", &enc, &e), ST_OK);
	int want[] = {4, 5, 8, 6, 7};
	assert_int_equal(enc.n, 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(enc.ids[i], want[i]);
	char *back = tokenizer_decode(&t, enc.ids, enc.n);
	assert_string_equal(back, "hi yo");
	free(back);
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);

	/* the same text without "▁" in the vocabulary */
	make_vocab(&v, c, 4);
	make_tok(&t, &v, TOK_CHAR, 1);
	assert_int_equal(tokenizer_encode(&t, "hi yo", &enc, &e), ST_OK);
	assert_int_equal(enc.n, 4);
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);
}

static void test_encode_errors(void **state)
{
	(void)state;
	const char *w[] = {"a"};
	struct vocab v;
	make_vocab(&v, w, 1);
	struct tokenizer t;
	make_tok(&t, &v, TOK_WORD, 0);
	struct encoding enc;
	struct err e = {0};
	char *big = malloc(TOK_MAX_TEXT + 2);
	memset(big, 'a', TOK_MAX_TEXT + 1);
	big[TOK_MAX_TEXT + 1] = 0;
	assert_int_equal(tokenizer_encode(&t, big, &enc, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "sentence too long (4097 bytes, at most 4096)");
	assert_int_equal(enc.n, 0);
	assert_null(enc.ids);
	big[TOK_MAX_TEXT] = 0; /* exactly the limit is fine */
	assert_int_equal(tokenizer_encode(&t, big, &enc, &e), ST_OK);
	assert_int_equal(enc.n, 1);
	encoding_release(&enc);
	free(big);

	assert_int_equal(tokenizer_encode(&t, "a b\xc3", &enc, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "invalid UTF-8 at byte 3");
	assert_int_equal(tokenizer_encode(&t, "\xc0\xaf", &enc, &e), ST_BADINPUT); /* overlong */
	assert_string_equal(e.msg, "invalid UTF-8 at byte 0");
	assert_int_equal(tokenizer_encode(&t, "a\xed\xa0\x80", &enc, &e), ST_BADINPUT); /* surrogate */
	assert_string_equal(e.msg, "invalid UTF-8 at byte 1");
	assert_int_equal(tokenizer_encode(&t, " \t\n ", &enc, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "empty sentence");
	assert_int_equal(tokenizer_encode(&t, "", &enc, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "empty sentence");
	encoding_release(&enc); /* harmless on the zeroed result */
	tokenizer_release(&t);
	vocab_release(&v);
}

/* ---- BPE ---- */

static const char *const toy_corpus[] = {
	"low low low low low", "Lower lower", "newest newest newest newest newest newest",
	"widest widest widest", "",
};

static void test_bpe_learn_encode_decode(void **state)
{
	(void)state;
	char mpath[512], vpath[512];
	snprintf(mpath, sizeof mpath, "%s/toy.merges", tmpdir);
	snprintf(vpath, sizeof vpath, "%s/toy.vocab", tmpdir);
	struct err e = {0};
	enum status st = bpe_learn(toy_corpus, 5, 10, 1, mpath, vpath, &e);
	if (st)
		fail_msg("bpe_learn: %s", e.msg);
	/* most frequent pair first, ties to the bytewise smaller pair */
	assert_string_equal(read_all(mpath), "e s\n"
					     "es t</w>\n"
					     "l o\n"
					     "e w\n"
					     "ew est</w>\n"
					     "n ewest</w>\n"
					     "lo w</w>\n"
					     "d est</w>\n"
					     "i dest</w>\n"
					     "w idest</w>\n");
	assert_string_equal(read_all(vpath), "<pad>\n<unk>\n<bos>\n<eos>\n"
					     "d\ne\ni\nl\nn\no\nr</w>\ns\nt</w>\nw\nw</w>\n"
					     "es\nest</w>\nlo\new\newest</w>\nnewest</w>\nlow</w>\n"
					     "dest</w>\nidest</w>\nwidest</w>\n");

	struct vocab v;
	assert_int_equal(vocab_load(&v, vpath, &e), ST_OK);
	assert_int_equal(v.n, 25);
	struct tok_config cfg = {.kind = TOK_BPE, .lowercase = 1};
	snprintf(cfg.vocab, sizeof cfg.vocab, "toy.vocab");
	snprintf(cfg.merges, sizeof cfg.merges, "toy.merges");
	struct tokenizer t;
	st = tokenizer_init(&t, &cfg, &v, tmpdir, &e);
	if (st)
		fail_msg("tokenizer_init: %s", e.msg);
	assert_int_equal(t.n_merges, 10);

	/* "lowest" was never seen: l o w e s t</w> -> lo w est</w> */
	struct encoding enc;
	assert_int_equal(tokenizer_encode(&t, "Lowest", &enc, &e), ST_OK);
	assert_int_equal(enc.n, 3);
	assert_string_equal(enc.pieces[0], "lo");
	assert_string_equal(enc.pieces[1], "w");
	assert_string_equal(enc.pieces[2], "est</w>");
	assert_int_equal(enc.ids[0], vocab_id(&v, "lo"));
	assert_int_equal(enc.n_unknown, 0);
	assert_int_equal(enc.n_merges, 3);
	assert_int_equal(enc.merges[0].rank, 0);
	assert_string_equal(enc.merges[0].left, "e");
	assert_string_equal(enc.merges[0].right, "s");
	assert_int_equal(enc.merges[1].rank, 1);
	assert_string_equal(enc.merges[1].left, "es");
	assert_string_equal(enc.merges[1].right, "t</w>");
	assert_int_equal(enc.merges[2].rank, 2);
	assert_string_equal(enc.merges[2].left, "l");
	assert_string_equal(enc.merges[2].right, "o");
	char *back = tokenizer_decode(&t, enc.ids, enc.n);
	assert_string_equal(back, "lowest");
	free(back);
	encoding_release(&enc);

	/* round trip with specials around it, and an unknown character */
	assert_int_equal(tokenizer_encode(&t, "newest low widest lowz", &enc, &e), ST_OK);
	assert_string_equal(enc.pieces[0], "newest</w>");
	assert_string_equal(enc.pieces[1], "low</w>");
	assert_string_equal(enc.pieces[2], "widest</w>");
	assert_int_equal(enc.n, 6); /* ... lo w z</w> */
	assert_int_equal(enc.ids[5], v.unk);
	assert_int_equal(enc.n_unknown, 1);
	assert_string_equal(enc.unknown[0], "z");
	int ids[16];
	ids[0] = v.bos;
	for (int i = 0; i < 3; i++)
		ids[1 + i] = enc.ids[i];
	ids[4] = v.eos;
	ids[5] = v.pad;
	back = tokenizer_decode(&t, ids, 6);
	assert_string_equal(back, "newest low widest");
	free(back);
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);
}

/* A pair seen once is not merged: learning stops before n_merges. */
static void test_bpe_learn_stops(void **state)
{
	(void)state;
	const char *lines[] = {"ab ab", "cd"};
	char mpath[512], vpath[512];
	snprintf(mpath, sizeof mpath, "%s/stop.merges", tmpdir);
	snprintf(vpath, sizeof vpath, "%s/stop.vocab", tmpdir);
	struct err e = {0};
	assert_int_equal(bpe_learn(lines, 2, 10, 0, mpath, vpath, &e), ST_OK);
	assert_string_equal(read_all(mpath), "a b</w>\n");
	assert_string_equal(read_all(vpath),
			    "<pad>\n<unk>\n<bos>\n<eos>\na\nb</w>\nc\nd</w>\nab</w>\n");
	assert_int_equal(bpe_learn(lines, 2, 0, 0, mpath, vpath, &e), ST_OK);
	assert_string_equal(read_all(mpath), "");
	assert_int_equal(bpe_learn(lines, 2, -1, 0, mpath, vpath, &e), ST_USAGE);
	const char *bad[] = {"ok", "\xc3("};
	assert_int_equal(bpe_learn(bad, 2, 10, 0, mpath, vpath, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "line 2: invalid UTF-8 at byte 0");
}

static void test_bpe_merges_errors(void **state)
{
	(void)state;
	const char *w[] = {"e", "s", "es"};
	struct vocab v;
	make_vocab(&v, w, 3);
	struct tok_config cfg = {.kind = TOK_BPE};
	snprintf(cfg.vocab, sizeof cfg.vocab, "x.vocab");
	struct tokenizer t;
	struct err e = {0};

	/* no merges file named */
	assert_int_equal(tokenizer_init(&t, &cfg, &v, tmpdir, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "merges"));

	static const struct {
		const char *data, *want;
	} bad[] = {
		{"e s\n\nl o\n", "line 2 is empty"},
		{"e s\nl o\ne s\n", "line 3: duplicate merge \"e s\" (first on line 1)"},
		{"es\n", "line 1: expected \"left right\""},
		{"e  s\n", "line 1: expected \"left right\""},
		{"e s\nl \xff\n", "line 2: invalid UTF-8 at byte 6"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *path = write_file("bad.merges", bad[i].data, strlen(bad[i].data));
		snprintf(cfg.merges, sizeof cfg.merges, "bad.merges");
		assert_int_equal(tokenizer_init(&t, &cfg, &v, tmpdir, &e), ST_BADINPUT);
		assert_non_null(strstr(e.msg, path));
		if (!strstr(e.msg, bad[i].want))
			fail_msg("case %zu: \"%s\" lacks \"%s\"", i, e.msg, bad[i].want);
		assert_int_equal(t.n_merges, 0);
	}
	snprintf(cfg.merges, sizeof cfg.merges, "missing.merges");
	assert_int_equal(tokenizer_init(&t, &cfg, &v, tmpdir, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "missing.merges: cannot open"));

	/* subword-nmt header, CRLF, no final newline */
	{
		const char *okm = "#version: 0.2\r\ne s\r\nes t</w>";
		write_file("ok.merges", okm, strlen(okm));
	}
	snprintf(cfg.merges, sizeof cfg.merges, "ok.merges");
	assert_int_equal(tokenizer_init(&t, &cfg, &v, tmpdir, &e), ST_OK);
	assert_int_equal(t.n_merges, 2);
	assert_string_equal(t.merge_left[0], "e");
	assert_string_equal(t.merge_right[1], "t</w>");
	struct encoding enc;
	assert_int_equal(tokenizer_encode(&t, "ess", &enc, &e), ST_OK);
	assert_int_equal(enc.n, 2); /* es s</w> (s</w> unknown) */
	assert_string_equal(enc.pieces[0], "es");
	assert_int_equal(enc.ids[0], 6);
	assert_int_equal(enc.n_merges, 1);
	encoding_release(&enc);
	tokenizer_release(&t);
	vocab_release(&v);
}

/* ---- vocabulary files ---- */

static void test_vocab_load_errors(void **state)
{
	(void)state;
	static const struct {
		const char *name, *data, *want;
	} bad[] = {
		{"empty_line.vocab", "<pad>\n<unk>\n\n<bos>\n<eos>\n", "line 3 is empty"},
		{"dup.vocab", "<pad>\n<unk>\n<bos>\n<eos>\ncat\ncat\n",
		 "line 6: duplicate token \"cat\" (first on line 5)"},
		{"no_unk.vocab", "<pad>\n<bos>\n<eos>\ncat\n", "missing <unk>"},
		{"utf8.vocab", "<pad>\n<unk>\n<bos>\n<eos>\nca\xfft\n",
		 "line 5: invalid UTF-8 at byte 26"},
		{"ctrl.vocab", "<pad>\n<unk>\n<bos>\n<eos>\nc\tt\n", "line 5: control character"},
		{"space.vocab", "<pad>\n<unk>\n<bos>\n<eos>\ncat \n", "leading or trailing space"},
		{"blank_end.vocab", "<pad>\n<unk>\n<bos>\n<eos>\n\n", "line 5 is empty"},
		{"nothing.vocab", "", "missing <pad> <unk> <bos> <eos>"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		const char *path = write_file(bad[i].name, bad[i].data, strlen(bad[i].data));
		struct vocab v;
		struct err e = {0};
		assert_int_equal(vocab_load(&v, path, &e), ST_BADINPUT);
		assert_non_null(strstr(e.msg, path));
		if (!strstr(e.msg, bad[i].want))
			fail_msg("%s: \"%s\" lacks \"%s\"", bad[i].name, e.msg, bad[i].want);
		assert_int_equal(v.n, 0);
		assert_null(v.tokens);
		vocab_release(&v);
	}
	char path[512];
	snprintf(path, sizeof path, "%s/does_not_exist.vocab", tmpdir);
	struct vocab v;
	struct err e = {0};
	assert_int_equal(vocab_load(&v, path, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "cannot open"));

	/* vocab_from_tokens applies the same checks */
	const char *dup[] = {"<pad>", "<unk>", "<bos>", "<eos>", "a", "a"};
	assert_int_equal(vocab_from_tokens(&v, dup, 6, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "duplicate token \"a\""));
}

static void test_vocab_load_save(void **state)
{
	(void)state;
	/* BOM, CRLF and no final newline are all fine; specials anywhere */
	const char *data = "\xef\xbb\xbf" "cat\r\n<unk>\r\n<pad>\r\n<eos>\r\n<bos>\r\nl'\r\n猫";
	const char *path = write_file("ok.vocab", data, strlen(data));
	struct vocab v, w;
	struct err e = {0};
	assert_int_equal(vocab_load(&v, path, &e), ST_OK);
	assert_int_equal(v.n, 7);
	assert_int_equal(v.unk, 1);
	assert_int_equal(v.pad, 2);
	assert_int_equal(v.eos, 3);
	assert_int_equal(v.bos, 4);
	assert_int_equal(vocab_id(&v, "cat"), 0);
	assert_int_equal(vocab_id(&v, "猫"), 6);
	assert_int_equal(vocab_id(&v, "dog"), -1);
	assert_int_equal(vocab_id(&v, "ca"), -1);
	assert_string_equal(vocab_token(&v, 5), "l'");
	assert_string_equal(vocab_token(&v, 7), "<?>");
	assert_string_equal(vocab_token(&v, -1), "<?>");

	char out[512];
	snprintf(out, sizeof out, "%s/saved.vocab", tmpdir);
	assert_int_equal(vocab_save(&v, out, &e), ST_OK);
	assert_string_equal(read_all(out), "cat\n<unk>\n<pad>\n<eos>\n<bos>\nl'\n猫\n");
	assert_int_equal(vocab_load(&w, out, &e), ST_OK);
	assert_int_equal(w.n, v.n);
	for (int i = 0; i < v.n; i++)
		assert_string_equal(w.tokens[i], v.tokens[i]);
	vocab_release(&w);
	vocab_release(&v);
	vocab_release(&v); /* twice is harmless */

	/* a bigger vocabulary exercises the index growth */
	const char *toks[1004] = {"<pad>", "<unk>", "<bos>", "<eos>"};
	static char names[1000][8];
	for (int i = 0; i < 1000; i++) {
		snprintf(names[i], sizeof names[i], "w%d", i);
		toks[4 + i] = names[i];
	}
	assert_int_equal(vocab_from_tokens(&v, toks, 1004, &e), ST_OK);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(vocab_id(&v, names[i]), 4 + i);
	vocab_release(&v);
}

static void test_vocab_build(void **state)
{
	(void)state;
	const char *lines[] = {"the cat sat", "the dog sat.", "The end"};
	char path[512];
	snprintf(path, sizeof path, "%s/built.vocab", tmpdir);
	struct err e = {0};
	assert_int_equal(vocab_build(TOK_WORD, 1, lines, 3, 1, path, &e), ST_OK);
	assert_string_equal(read_all(path),
			    "<pad>\n<unk>\n<bos>\n<eos>\nthe\nsat\n.\ncat\ndog\nend\n");
	assert_int_equal(vocab_build(TOK_WORD, 1, lines, 3, 2, path, &e), ST_OK);
	assert_string_equal(read_all(path), "<pad>\n<unk>\n<bos>\n<eos>\nthe\nsat\n");

	const char *chars[] = {"ab a", "猫"};
	assert_int_equal(vocab_build(TOK_CHAR, 0, chars, 2, 1, path, &e), ST_OK);
	assert_string_equal(read_all(path),
			    "<pad>\n<unk>\n<bos>\n<eos>\na\nb\n" TOK_SPACE "\n猫\n");

	const char *bad[] = {"fine", "not \xe2\x82 fine"};
	assert_int_equal(vocab_build(TOK_WORD, 0, bad, 2, 1, path, &e), ST_BADINPUT);
	assert_string_equal(e.msg, "line 2: invalid UTF-8 at byte 4");
}

/* ---- decoding ---- */

static void test_decode_punctuation(void **state)
{
	(void)state;
	const char *w[] = {"hello", ",",  "world", "!",  "l'", "homme", "est", "là",
			   ".",     "(",  "yes",   ")",  "\"", "hi",    "ok",  "?",
			   "我爱你", "，", "世界",  "。", ":",  ";"};
	struct vocab v;
	make_vocab(&v, w, 22);
	struct tokenizer t;
	make_tok(&t, &v, TOK_WORD, 0);
#define ID(s) vocab_id(&v, s)
	int a[] = {v.bos, ID("hello"), ID(","), ID("world"), ID("!"), v.eos, v.pad, v.pad};
	char *s = tokenizer_decode(&t, a, 8);
	assert_string_equal(s, "hello, world!");
	free(s);
	int b[] = {ID("l'"), ID("homme"), ID("est"), ID("là"), ID(".")};
	s = tokenizer_decode(&t, b, 5);
	assert_string_equal(s, "l'homme est là.");
	free(s);
	int c[] = {ID("("), ID("yes"), ID(")"), ID("\""), ID("hi"), ID("\""), ID("ok"), ID("?")};
	s = tokenizer_decode(&t, c, 8);
	assert_string_equal(s, "(yes) \"hi\" ok?");
	free(s);
	int d[] = {ID("我爱你"), ID("，"), ID("世界"), ID("。")};
	s = tokenizer_decode(&t, d, 4);
	assert_string_equal(s, "我爱你，世界。");
	free(s);
	int f[] = {ID("hello"), ID(":"), v.unk, ID(";"), 99};
	s = tokenizer_decode(&t, f, 5);
	assert_string_equal(s, "hello: <unk>; <?>");
	free(s);
	s = tokenizer_decode(&t, a, 0);
	assert_string_equal(s, "");
	free(s);
#undef ID
	tokenizer_release(&t);
	vocab_release(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_words_punct_elision),
		cmocka_unit_test(test_split_lowercase),
		cmocka_unit_test(test_split_char_and_bpe),
		cmocka_unit_test(test_encode_word),
		cmocka_unit_test(test_encode_unknown),
		cmocka_unit_test(test_encode_char_chinese),
		cmocka_unit_test(test_encode_char_space),
		cmocka_unit_test(test_encode_errors),
		cmocka_unit_test(test_bpe_learn_encode_decode),
		cmocka_unit_test(test_bpe_learn_stops),
		cmocka_unit_test(test_bpe_merges_errors),
		cmocka_unit_test(test_vocab_load_errors),
		cmocka_unit_test(test_vocab_load_save),
		cmocka_unit_test(test_vocab_build),
		cmocka_unit_test(test_decode_punctuation),
	};
	return cmocka_run_group_tests_name("tokenizer", tests, group_setup, group_teardown);
}

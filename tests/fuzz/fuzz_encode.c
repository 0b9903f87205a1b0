/* tokenizer_encode on arbitrary text for each tokenizer kind. The first
 * byte picks the tokenizer: bits 0-1 word/char/bpe, bit 2 lowercase, bit 3
 * whether the vocabulary has "▁" (char level keeps spaces then); the rest is
 * the sentence (a NUL in it ends the sentence, as in a C string). */
#include "fuzz_tok_common.h"

static struct tokenizer toks[3][2]; /* kind x space */

static void init(void)
{
	static int done;
	if (done)
		return;
	fuzz_write("fixed.merges", fuzz_merges_text, strlen(fuzz_merges_text));
	for (int k = 0; k < 3; k++)
		for (int sp = 0; sp < 2; sp++) {
			struct tok_config cfg = {.kind = (enum tok_kind)k};
			strcpy(cfg.vocab, "fixed.vocab");
			if (k == TOK_BPE)
				strcpy(cfg.merges, "fixed.merges");
			struct err e = {0};
			if (tokenizer_init(&toks[k][sp], &cfg, fuzz_fixed_vocab(sp), fuzz_dir(), &e)) {
				fprintf(stderr, "fixed tokenizer: %s\n", e.msg);
				abort();
			}
		}
	done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	init();
	if (size < 1)
		return 0;
	int kind = data[0] & 3, lc = (data[0] >> 2) & 1, sp = (data[0] >> 3) & 1;
	if (kind == 3)
		kind = TOK_WORD;
	struct tokenizer *t = &toks[kind][sp];
	t->lowercase = lc;
	char *text = fuzz_strndup(data + 1, size - 1);
	fuzz_encode_one(t, text);
	/* The splitter the trainers use must agree on validity. */
	struct fuzz_cat units = {0};
	struct err e = {0};
	enum status st = tokenizer_split((enum tok_kind)kind, lc, text, fuzz_cat_add, &units, &e);
	FUZZ_CHECK(st == ST_OK || st == ST_BADINPUT, "split status %d", st);
	if (st)
		fuzz_check_msg(e.msg);
	free(units.s);
	/* Decoding arbitrary ids (two bytes each) never fails. */
	int ids[64], n = 0;
	for (size_t i = 1; i + 1 < size && n < 64; i += 2)
		ids[n++] = (int)(int16_t)(data[i] | data[i + 1] << 8) % (t->vocab->n + 8);
	char *s = tokenizer_decode(t, ids, n);
	FUZZ_CHECK(s != NULL, "decode of arbitrary ids failed");
	free(s);
	free(text);
	return 0;
}

/* tokenizer_init with an arbitrary BPE merges file, then encoding a few
 * fixed sentences plus one built from the merges themselves (so the merges
 * actually fire). */
#include "fuzz_tok_common.h"

static const char *const sentences[] = {
	"the cat is sleeping on the mat",
	"The Cat is SLEEPING on the mat!",
	"l'homme qu'il voit, don't it's 3.14 and 1,000.",
	"猫在睡觉。 «Le chat» dort… ¿qué? ¡sí! “quoted” Ωμέγα Жизнь",
	"aaaa bbbb eeee thththe homme hommes",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vocab *v = fuzz_fixed_vocab(0);
	fuzz_write("src.merges", data, size);
	struct tok_config cfg = {.kind = TOK_BPE, .lowercase = 0};
	strcpy(cfg.vocab, "fixed.vocab");
	strcpy(cfg.merges, "src.merges");
	struct tokenizer t;
	struct err e = {0};
	enum status st = tokenizer_init(&t, &cfg, v, fuzz_dir(), &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(t.n_merges == 0 && t.merge_left == NULL, "not released on failure");
		tokenizer_release(&t);
		return 0;
	}
	FUZZ_CHECK(t.kind == TOK_BPE && t.n_merges >= 0, "merges %d", t.n_merges);
	for (int i = 0; i < t.n_merges; i++)
		FUZZ_CHECK(t.merge_left[i][0] && t.merge_right[i][0] &&
				   !strchr(t.merge_left[i], ' ') && !strchr(t.merge_right[i], ' '),
			   "merge %d", i);
	for (int lc = 0; lc < 2; lc++) {
		t.lowercase = lc;
		for (size_t i = 0; i < sizeof sentences / sizeof *sentences; i++)
			fuzz_encode_one(&t, sentences[i]);
	}
	/* One word per merge: its left and right glued, "</w>" dropped. */
	char text[TOK_MAX_TEXT + 1];
	size_t n = 0;
	for (int i = 0; i < t.n_merges && i < 64; i++) {
		char w[2 * TOK_MAX_TOKEN + 2];
		snprintf(w, sizeof w, "%s%s", t.merge_left[i], t.merge_right[i]);
		char *eow = strstr(w, TOK_EOW);
		if (eow)
			*eow = 0;
		size_t k = strlen(w);
		if (n + k + 1 >= sizeof text)
			break;
		memcpy(text + n, w, k);
		n += k;
		text[n++] = ' ';
	}
	text[n] = 0;
	t.lowercase = 0;
	fuzz_encode_one(&t, text);
	tokenizer_release(&t);
	return 0;
}

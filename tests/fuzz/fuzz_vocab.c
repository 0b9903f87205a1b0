/* vocab_load on arbitrary bytes (src.vocab / tgt.vocab). A vocabulary that
 * loads must map every id to its token and back, have the four specials, and
 * survive vocab_save + vocab_load unchanged. */
#include "fuzz_common.h"
#include "text/tokenizer.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("src.vocab", data, size);
	struct vocab v;
	struct err e = {0};
	enum status st = vocab_load(&v, path, &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(v.n == 0 && v.tokens == NULL, "not zeroed on failure");
		vocab_release(&v);
		return 0;
	}
	FUZZ_CHECK(v.n >= 4 && v.n <= CFG_MAX_VOCAB, "n %d", v.n);
	int sp[4] = {v.pad, v.unk, v.bos, v.eos};
	const char *names[4] = {"<pad>", "<unk>", "<bos>", "<eos>"};
	for (int i = 0; i < 4; i++)
		FUZZ_CHECK(sp[i] >= 0 && sp[i] < v.n && !strcmp(vocab_token(&v, sp[i]), names[i]),
			   "special %s", names[i]);
	for (int i = 0; i < v.n; i++) {
		const char *t = vocab_token(&v, i);
		FUZZ_CHECK(t[0] != 0 && strlen(t) <= TOK_MAX_TOKEN, "token %d", i);
		FUZZ_CHECK(vocab_id(&v, t) == i, "id of token %d is %d", i, vocab_id(&v, t));
	}
	FUZZ_CHECK(!strcmp(vocab_token(&v, -1), "<?>") && !strcmp(vocab_token(&v, v.n), "<?>"),
		   "out of range ids");
	FUZZ_CHECK(vocab_id(&v, "") == -1, "empty token found");

	/* Save and load again: the same tokens in the same order. */
	const char *out = fuzz_path("rt.vocab");
	struct vocab r;
	FUZZ_CHECK(vocab_save(&v, out, &e) == ST_OK, "%s", e.msg);
	FUZZ_CHECK(vocab_load(&r, out, &e) == ST_OK, "saved vocabulary does not load: %s", e.msg);
	FUZZ_CHECK(r.n == v.n, "round trip: %d tokens, saved %d", r.n, v.n);
	for (int i = 0; i < v.n; i++)
		FUZZ_CHECK(!strcmp(r.tokens[i], v.tokens[i]), "round trip changed token %d", i);
	vocab_release(&r);

	/* vocab_from_tokens agrees with the file. */
	FUZZ_CHECK(vocab_from_tokens(&r, (const char *const *)v.tokens, v.n, &e) == ST_OK, "%s",
		   e.msg);
	FUZZ_CHECK(r.n == v.n && r.unk == v.unk && r.eos == v.eos, "from_tokens differs");
	vocab_release(&r);
	vocab_release(&v);
	vocab_release(&v); /* safe twice */
	return 0;
}

/* config_parse on arbitrary bytes (config.json of a model folder). A config
 * that parses must satisfy every documented limit, since later stages size
 * their allocations from it. */
#include "io/config.h"
#include "fuzz_common.h"

#include <string.h>

static int bounded(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

/* A file name inside the model folder: no '/', "..", '\\' or control. */
static int plain_name(const char *s)
{
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return 0;
	return s[0] && !strchr(s, '/') && !strstr(s, "..") && !strchr(s, '\\') &&
	       strlen(s) < 256;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct err e = {0};
	enum status st = config_parse(&c, (const char *)data, size, "m/config.json", &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		return 0;
	}
	FUZZ_CHECK(arch_name(c.arch) != NULL, "arch");
	switch (c.arch) {
	case ARCH_TRANSFORMER:
		FUZZ_CHECK(bounded(c.d_model, 1, CFG_MAX_DIM) && bounded(c.n_heads, 1, CFG_MAX_HEADS) &&
				   c.d_model % c.n_heads == 0 &&
				   bounded(c.n_enc_layers, 1, CFG_MAX_LAYERS) &&
				   bounded(c.n_dec_layers, 1, CFG_MAX_LAYERS) &&
				   bounded(c.d_ff, 1, 4 * CFG_MAX_DIM),
			   "transformer sizes");
		FUZZ_CHECK(c.layer_norm_eps > 0 && c.layer_norm_eps <= 1, "eps %g",
			   (double)c.layer_norm_eps);
		FUZZ_CHECK(c.activation == ACT_RELU || c.activation == ACT_GELU, "activation");
		FUZZ_CHECK(c.positional == POS_SINUSOIDAL || c.positional == POS_LEARNED, "pos");
		break;
	case ARCH_RNN_SEQ2SEQ:
		FUZZ_CHECK(bounded(c.embed_dim, 1, CFG_MAX_DIM) && bounded(c.hidden, 1, CFG_MAX_DIM) &&
				   bounded(c.n_layers, 1, CFG_MAX_LAYERS) &&
				   bounded(c.attn_dim, 1, CFG_MAX_DIM),
			   "rnn sizes");
		FUZZ_CHECK(cell_name(c.cell) && attn_name(c.attention), "names");
		FUZZ_CHECK(bounded(cell_gates(c.cell), 1, 4), "gates");
		break;
	case ARCH_SELF_ATTENTION:
		FUZZ_CHECK(bounded(c.d_model, 1, 64) && bounded(c.d_k, 1, 64) &&
				   bounded(c.n_tokens, 1, 64),
			   "self_attention sizes");
		for (int i = 0; i < c.n_tokens; i++)
			FUZZ_CHECK(memchr(c.tokens[i], 0, sizeof c.tokens[i]) != NULL, "token %d", i);
		break;
	case ARCH_ATTENTION_POOLING:
		FUZZ_CHECK(bounded(c.n_keys, 1, 4096) && bounded(c.n_queries, 1, 4096) &&
				   bounded((int)c.pooling, 0, 2),
			   "pooling sizes");
		break;
	default:
		FUZZ_CHECK(0, "unknown arch %d", (int)c.arch);
	}
	if (c.arch == ARCH_TRANSFORMER || c.arch == ARCH_RNN_SEQ2SEQ) {
		FUZZ_CHECK(bounded(c.max_len, 2, CFG_MAX_LEN) &&
				   bounded(c.max_decode_len, 1, c.max_len - 1),
			   "lengths %d %d", c.max_len, c.max_decode_len);
		const struct tok_config *t[2] = {&c.src, &c.tgt};
		for (int i = 0; i < 2; i++) {
			FUZZ_CHECK(t[i]->kind == TOK_WORD || t[i]->kind == TOK_CHAR ||
					   t[i]->kind == TOK_BPE,
				   "tok kind");
			FUZZ_CHECK(plain_name(t[i]->vocab), "vocab name %s", t[i]->vocab);
			FUZZ_CHECK(t[i]->kind != TOK_BPE || plain_name(t[i]->merges),
				   "merges name %s", t[i]->merges);
			FUZZ_CHECK(!t[i]->merges[0] || plain_name(t[i]->merges), "merges name");
		}
	}
	return 0;
}

/* config.json of a model directory, parsed and validated. */
#ifndef SEQSTEP_CONFIG_H
#define SEQSTEP_CONFIG_H

#include "base/status.h"

enum arch {
	ARCH_TRANSFORMER,
	ARCH_RNN_SEQ2SEQ,
	ARCH_SELF_ATTENTION,
	ARCH_ATTENTION_POOLING,
};

enum activation { ACT_RELU, ACT_GELU };
enum positional { POS_SINUSOIDAL, POS_LEARNED };
enum cell_kind { CELL_RNN, CELL_LSTM, CELL_GRU };
enum attn_kind { ATTN_NONE, ATTN_ADDITIVE, ATTN_DOT, ATTN_SCALED_DOT };
enum pooling_kind { POOL_AVERAGE, POOL_NADARAYA_WATSON, POOL_PARAMETRIC };
enum tok_kind { TOK_WORD, TOK_CHAR, TOK_BPE };

/* Limits that keep untrusted configs from asking for absurd allocations. */
enum {
	CFG_MAX_DIM = 8192,
	CFG_MAX_LAYERS = 64,
	CFG_MAX_HEADS = 64,
	CFG_MAX_LEN = 4096,
	CFG_MAX_VOCAB = 1000000,
};

struct tok_config {
	enum tok_kind kind;
	int lowercase;
	char vocab[256];  /* file name inside the model directory */
	char merges[256]; /* BPE merges file, "" otherwise */
};

struct config {
	enum arch arch;
	/* transformer */
	int d_model, n_heads, n_enc_layers, n_dec_layers, d_ff;
	enum activation activation;
	int norm_first;     /* pre-norm when 1, post-norm (PyTorch default) when 0 */
	int final_norm;     /* transformer.encoder.norm / decoder.norm present */
	float layer_norm_eps;
	enum positional positional;
	int max_len;        /* longest sequence (positions, decode length) */
	int embed_scale_sqrt; /* embeddings multiplied by sqrt(d_model) when 1 */
	int tie_output;     /* generator reuses tgt_embed.weight when 1 */
	/* rnn_seq2seq */
	enum cell_kind cell;
	int embed_dim, hidden, n_layers;
	enum attn_kind attention;
	int attn_dim;
	/* self_attention: d_model, d_k, and the labels of the input rows */
	int d_k, n_tokens;
	char tokens[64][32];
	/* attention_pooling */
	enum pooling_kind pooling;
	int n_keys, n_queries;
	int truth;          /* tensors/truth.csv: the true f(x) at each query (a toy's noise-free curve) */
	/* tokenizers (seq2seq only) */
	struct tok_config src, tgt;
	int max_decode_len;
};

/* Gates per recurrent cell: RNN 1, LSTM 4 (i,f,g,o), GRU 3 (r,z,n). */
static inline int cell_gates(enum cell_kind k)
{
	return k == CELL_LSTM ? 4 : k == CELL_GRU ? 3 : 1;
}

/* Parses a JSON text (path is only for messages). */
enum status config_parse(struct config *c, const char *json, size_t len, const char *path,
			 struct err *e);
enum status config_load(struct config *c, const char *path, struct err *e);

const char *arch_name(enum arch a);
const char *cell_name(enum cell_kind k);
const char *attn_name(enum attn_kind k);

#endif

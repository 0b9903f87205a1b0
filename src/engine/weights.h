/* Model weights: one contiguous block of floats, described by a table of
 * PyTorch state_dict names and shapes, and typed pointers into it. The same
 * layout serves the weights, their gradients and the optimiser moments. */
#ifndef SEQSTEP_WEIGHTS_H
#define SEQSTEP_WEIGHTS_H

#include "io/config.h"
#include <stddef.h>

struct param {
	const char *name;  /* PyTorch state_dict name, e.g. "decoder.out.weight" */
	int ndim;          /* 1 or 2 */
	int dims[2];       /* dims[0] x dims[1]; PyTorch layout (nn.Linear: [out, in]) */
	size_t count;
	float *data;       /* into the block */
};

struct tf_layer {
	float *in_proj_w;   /* (3 d_model, d_model) packed W_q; W_k; W_v */
	float *in_proj_b;   /* (3 d_model) */
	float *out_w;       /* (d_model, d_model) W_o */
	float *out_b;       /* (d_model) */
	float *x_in_proj_w; /* (3 d_model, d_model) decoder cross-attention (multihead_attn) */
	float *x_in_proj_b; /* (3 d_model) */
	float *x_out_w;     /* (d_model, d_model) */
	float *x_out_b;     /* (d_model) */
	float *lin1_w;      /* (d_ff, d_model) */
	float *lin1_b;      /* (d_ff) */
	float *lin2_w;      /* (d_model, d_ff) */
	float *lin2_b;      /* (d_model) */
	float *norm1_w, *norm1_b; /* (d_model) */
	float *norm2_w, *norm2_b; /* (d_model) */
	float *norm3_w, *norm3_b; /* (d_model) decoder only */
};

struct tf_weights {
	float *src_embed;  /* (V_src, d_model) */
	float *tgt_embed;  /* (V_tgt, d_model) */
	float *src_pos;    /* (max_len, d_model) learned positions only */
	float *tgt_pos;    /* (max_len, d_model) learned positions only */
	struct tf_layer enc[CFG_MAX_LAYERS];
	struct tf_layer dec[CFG_MAX_LAYERS];
	float *enc_norm_w, *enc_norm_b; /* (d_model) final_norm only */
	float *dec_norm_w, *dec_norm_b; /* (d_model) final_norm only */
	float *gen_w;      /* (V_tgt, d_model); == tgt_embed when tied */
	float *gen_b;      /* (V_tgt) */
};

/* nn.RNN / nn.LSTM / nn.GRU layer, G = 1, 4 (i,f,g,o) or 3 (r,z,n) gates. */
struct rnn_layer {
	float *w_ih; /* (G hidden, in) */
	float *w_hh; /* (G hidden, hidden) */
	float *b_ih; /* (G hidden) */
	float *b_hh; /* (G hidden) */
};

struct rnn_weights {
	float *enc_embed;  /* (V_src, embed_dim) */
	float *dec_embed;  /* (V_tgt, embed_dim) */
	struct rnn_layer enc[CFG_MAX_LAYERS]; /* layer 0 input: embed_dim */
	struct rnn_layer dec[CFG_MAX_LAYERS]; /* layer 0 input: embed_dim + hidden (context) */
	float *attn_wq;    /* (attn_dim, hidden) additive only */
	float *attn_wk;    /* (attn_dim, hidden) additive only */
	float *attn_wv;    /* (1, attn_dim) additive only */
	float *out_w;      /* (V_tgt, hidden) */
	float *out_b;      /* (V_tgt) */
};

struct sa_weights {
	float *x;   /* (n_tokens, d_model) the given input rows */
	float *w_q; /* (d_model, d_k) math orientation: q = x W_q */
	float *w_k; /* (d_model, d_k) */
	float *w_v; /* (d_model, d_k) */
};

struct pool_weights {
	float *keys;    /* (n_keys) x_i */
	float *values;  /* (n_keys) y_i */
	float *queries; /* (n_queries) */
	float *w;       /* (1) parametric kernel width */
	float *truth;   /* (n_queries) the true f at each query; config "truth" only */
};

struct weights {
	struct param *params;
	size_t n_params;
	float *block;
	size_t total; /* floats in block */
	union {
		struct tf_weights tf;
		struct rnn_weights rnn;
		struct sa_weights sa;
		struct pool_weights pool;
	};
	char *names; /* storage for param names */
};

/* The most floats a model may have (8 GiB of weights). */
#define WEIGHTS_MAX_PARAMS ((size_t)1 << 31)

/* Lays out every tensor the config needs (vocab sizes given separately):
 * names, shapes and counts, without reserving the block, so a loader can
 * check the files hold that much before it reserves anything. Too many
 * parameters is ST_BADINPUT naming cfg_path (NULL: "config") and the sizes
 * that multiply to it. */
enum status weights_plan(struct weights *w, const struct config *c, int v_src, int v_tgt,
			 const char *cfg_path, struct err *e);
/* Reserves the zeroed block of a planned layout and binds the typed
 * pointers; the same c and vocab sizes as weights_plan. */
enum status weights_alloc(struct weights *w, const struct config *c, int v_src, int v_tgt,
			  struct err *e);
/* Both at once. */
enum status weights_init(struct weights *w, const struct config *c, int v_src, int v_tgt,
			 struct err *e);
void weights_release(struct weights *w);
const struct param *weights_find(const struct weights *w, const char *name);
void weights_zero(struct weights *w);

#endif

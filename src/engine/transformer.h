/* The Transformer encoder-decoder (torch.nn.Transformer semantics). */
#ifndef SEQSTEP_TRANSFORMER_H
#define SEQSTEP_TRANSFORMER_H

#include "base/arena.h"
#include "io/config.h"
#include "trace/trace.h"
#include "engine/weights.h"
#include "engine/decode.h"
#include "engine/whatif.h"

struct attn_acts {
	float *x;       /* (T, d) input of the Q projection (alias of another buffer) */
	float *q;       /* (T, d) */
	float *k, *v;   /* (S, d) */
	float *scores;  /* (NH, T, S) scaled, masked cells -inf */
	float *weights; /* (NH, T, S) */
	float *heads;   /* (T, d) the heads' outputs side by side: alias of concat,
			 * or of heads_buf when a what-if run zeroes a head */
	float *heads_buf; /* (T, d) */
	float *concat;  /* (T, d) what W_o reads */
	float *out;     /* (T, d) concat W_oᵀ + b_o */
};

struct ln_acts {
	float *out;        /* (T, d) */
	float *mean, *rstd; /* (T) */
};

struct ffn_acts {
	float *x;      /* (T, d) alias */
	float *pre;    /* (T, d_ff) */
	float *hidden; /* (T, d_ff) */
	float *out;    /* (T, d) */
};

struct tf_layer_acts {
	float *in;              /* (T, d) alias: the layer input */
	struct attn_acts sa, ca; /* ca: decoder only */
	struct ln_acts ln1, ln2, ln3;
	struct ffn_acts ffn;
	float *add1, *add2, *add3; /* (T, d) residual sums */
	float *out;             /* (T, d) alias */
	/* Dropout masks (T, d), 0 or 1/(1-p) per entry, on the sublayer outputs
	 * before each residual add (sa.out, ca.out, ffn.out hold the dropped
	 * values). Set only by the trainer; NULL (tf_acts_init) = no dropout. */
	const float *drop_sa, *drop_ca, *drop_ffn;
};

struct tf_acts {
	struct arena arena;
	int Ts, Tt;
	int *src_ids, *tgt_ids;      /* (Ts), (Tt) */
	float *src_pos, *tgt_pos;    /* (T, d) */
	float *src_in, *tgt_in;      /* (T, d) embed × scale + pos */
	struct tf_layer_acts enc[CFG_MAX_LAYERS], dec[CFG_MAX_LAYERS];
	struct ln_acts enc_norm, dec_norm;
	float *memory;  /* (Ts, d) alias: encoder output */
	float *dec_out; /* (Tt, d) alias */
	float *logits;  /* (Tt, V_tgt) */
	float *probs;   /* (Tt, V_tgt) */
	/* Dropout masks on src_in / tgt_in (T, d), as the layers' masks above. */
	const float *drop_src, *drop_tgt;
	/* What-if switches (whatif.h); NULL (tf_acts_init) = the model as trained. */
	const struct switches *sw;
};

enum status tf_acts_init(struct tf_acts *a, const struct config *c, int v_tgt, int Ts, int Tt,
			 struct err *e);
void tf_acts_release(struct tf_acts *a);

/* Full teacher-forced forward pass: src (Ts) and decoder input tgt (Tt). */
void tf_forward(const struct config *c, const struct weights *w, int v_tgt, struct tf_acts *a,
		const int *src, const int *tgt);
/* The encoder half only (fills a->memory). */
void tf_encode(const struct config *c, const struct weights *w, struct tf_acts *a,
	       const int *src);

/* Records every intermediate under the README's trace names. Labels: src/tgt
 * token strings (Ts / Tt) and the target vocabulary (v_tgt). */
void tf_record(const struct config *c, const struct weights *w, const struct tf_acts *a,
	       int v_src, int v_tgt, const char *const *src_labels, const char *const *tgt_labels,
	       const char *const *src_vocab, const char *const *vocab, struct trace *tr);

/* A stepper (decode.h) that runs the decoder one token at a time with a KV
 * cache per beam slot; memory is the encoder output (Ts, d). It honours the
 * switches sw (may be NULL) but stays causal: it cannot see the future. */
struct tf_stepper;
struct tf_stepper *tf_stepper_new(const struct config *c, const struct weights *w, int v_tgt,
				  const float *memory, int Ts, int beam, const struct switches *sw);
void tf_stepper_free(struct tf_stepper *s);
struct stepper tf_stepper_ops(struct tf_stepper *s);

#endif

/* The recurrent encoder-decoder: RNN/LSTM/GRU cells, 1..n layers, with no
 * attention (fixed context), additive (Bahdanau), dot or scaled-dot attention. */
#ifndef SEQSTEP_RNN_H
#define SEQSTEP_RNN_H

#include "base/arena.h"
#include "io/config.h"
#include "engine/decode.h"
#include "trace/trace.h"
#include "engine/weights.h"
#include "engine/whatif.h"

struct rnn_layer_acts {
	float *x;     /* (T, in) alias: the layer's input sequence */
	float *gx;    /* (T, G H) W_ih x + b_ih */
	float *cache; /* (T, 4H) gate activations (LSTM i,f,g,o; GRU r,z,n,W_hn h+b_hn) */
	float *h;     /* (T, H) */
	float *c;     /* (T, H) LSTM cell */
	float *h0, *c0; /* (H) initial state */
};

struct rnn_acts {
	struct arena arena;
	int Ts, Tt;
	int *src_ids, *tgt_ids;        /* (Ts), (Tt) */
	float *src_emb;                /* (Ts, E) */
	float *tgt_emb;                /* (Tt, E) */
	struct rnn_layer_acts enc[CFG_MAX_LAYERS], dec[CFG_MAX_LAYERS];
	float *query;   /* (Tt, H) previous top hidden state */
	float *kproj;   /* (Ts, A) additive: enc W_kᵀ */
	float *qproj;   /* (Tt, A) additive: query W_qᵀ */
	float *scores;  /* (Tt, Ts) */
	float *weights; /* (Tt, Ts) */
	float *context; /* (Tt, H) */
	float *dec_x;   /* (Tt, E + H) [embedding ; context] */
	float *logits;  /* (Tt, V) */
	float *probs;   /* (Tt, V) */
	float *scratch; /* (4H) */
	/* Dropout masks on the source embeddings (Ts, E) and on the decoder's
	 * input embeddings (Tt, E), 0 or 1/(1-p) per entry. Set only by the
	 * trainer; NULL (rnn_acts_init) = no dropout. */
	const float *drop_src, *drop_tgt;
	/* What-if switches (whatif.h); NULL (rnn_acts_init) = the model as trained.
	 * The stepper reads them here too. */
	const struct switches *sw;
};

/* The factor of a dot-product score: 1/√hidden for scaled_dot (unless the
 * switches turn the scale off), 1 for dot. */
float rnn_dot_scale(const struct config *c, const struct switches *sw);

enum status rnn_acts_init(struct rnn_acts *a, const struct config *c, int v_tgt, int Ts, int Tt,
			  struct err *e);
void rnn_acts_release(struct rnn_acts *a);

void rnn_encode(const struct config *c, const struct weights *w, struct rnn_acts *a,
		const int *src);
void rnn_forward(const struct config *c, const struct weights *w, int v_tgt, struct rnn_acts *a,
		 const int *src, const int *tgt);
void rnn_record(const struct config *c, const struct weights *w, const struct rnn_acts *a,
		int v_src, int v_tgt, const char *const *src_labels, const char *const *tgt_labels,
		const char *const *src_vocab, const char *const *vocab, struct trace *tr);

/* Incremental decoder after rnn_encode(a). */
struct rnn_stepper;
struct rnn_stepper *rnn_stepper_new(const struct config *c, const struct weights *w, int v_tgt,
				    const struct rnn_acts *a, int beam);
void rnn_stepper_free(struct rnn_stepper *s);
struct stepper rnn_stepper_ops(struct rnn_stepper *s);

#endif

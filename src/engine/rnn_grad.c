/* Backpropagation through time for the recurrent encoder-decoder (rnn.c's
 * forward, in reverse), and the per-step encoder gradient norms. */
#include "engine/grad.h"
#include "engine/ops.h"
#include "engine/ops_grad.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void zero(float *p, size_t n)
{
	if (p)
		memset(p, 0, n * sizeof *p);
}

static void layer_zero(struct rnn_layer_acts *y, const struct config *c, int T)
{
	int H = c->hidden, G = cell_gates(c->cell);
	zero(y->gx, (size_t)T * G * H);
	zero(y->cache, (size_t)T * 4 * H);
	zero(y->h, (size_t)T * H);
	zero(y->c, (size_t)T * H);
	zero(y->h0, (size_t)H);
	zero(y->c0, (size_t)H);
}

/* Dropout's backward (the trainer's masks, rnn.h): the gradient of a dropped
 * embedding entry is the gradient of its dropped value times the mask. */
static void undrop(float *g, const float *mask, size_t n)
{
	if (mask)
		for (size_t i = 0; i < n; i++)
			g[i] *= mask[i];
}

/* Zeroes every buffer of da (sizes as rnn_acts_init) and sets its x aliases. */
static void rnn_grad_prepare(const struct config *c, int v_tgt, struct rnn_acts *da)
{
	int Ts = da->Ts, Tt = da->Tt, E = c->embed_dim, H = c->hidden, A = c->attn_dim;
	zero(da->src_emb, (size_t)Ts * E);
	zero(da->tgt_emb, (size_t)Tt * E);
	for (int l = 0; l < c->n_layers; l++) {
		layer_zero(&da->enc[l], c, Ts);
		layer_zero(&da->dec[l], c, Tt);
		da->enc[l].x = l ? da->enc[l - 1].h : da->src_emb;
		da->dec[l].x = l ? da->dec[l - 1].h : da->dec_x;
	}
	zero(da->query, (size_t)Tt * H);
	zero(da->kproj, (size_t)Ts * A);
	zero(da->qproj, (size_t)Tt * A);
	zero(da->scores, (size_t)Tt * Ts);
	zero(da->weights, (size_t)Tt * Ts);
	zero(da->context, (size_t)Tt * H);
	zero(da->dec_x, (size_t)Tt * (E + H));
	zero(da->logits, (size_t)Tt * v_tgt);
	zero(da->probs, (size_t)Tt * v_tgt);
	zero(da->scratch, (size_t)4 * H);
}

/* BPTT through one layer's step t. g->h[t] (and g->c[t]) must be complete. */
static void layer_step_backward(const struct config *c, const struct rnn_layer *W,
				struct rnn_layer *gW, const struct rnn_layer_acts *y,
				struct rnn_layer_acts *g, int t, float *scratch)
{
	int H = c->hidden, GH = cell_gates(c->cell) * H;
	size_t o = (size_t)t * H;
	const float *hp = t ? y->h + o - H : y->h0, *cp = t ? y->c + o - H : y->c0;
	float *dhp = t ? g->h + o - H : g->h0, *dcp = t ? g->c + o - H : g->c0;
	cell_step_backward(c->cell, g->gx + (size_t)t * GH, dhp, dcp, gW->w_hh, gW->b_hh, g->h + o,
			   g->c + o, y->h + o, y->c + o, y->cache + (size_t)t * 4 * H, hp, cp,
			   W->w_hh, H, scratch);
}

void rnn_backward(const struct config *c, const struct weights *w, struct weights *grads,
		  int v_tgt, const struct rnn_acts *a, struct rnn_acts *da, const float *dlogits,
		  float *h_grad_norm)
{
	const struct rnn_weights *W = &w->rnn;
	struct rnn_weights *gW = &grads->rnn;
	int Ts = a->Ts, Tt = a->Tt, E = c->embed_dim, H = c->hidden, A = c->attn_dim;
	int L = c->n_layers, GH = cell_gates(c->cell) * H, EH = E + H;
	rnn_grad_prepare(c, v_tgt, da);
	memcpy(da->logits, dlogits, (size_t)Tt * v_tgt * sizeof *dlogits);

	/* logits = h_top out_wᵀ + out_b, every step at once */
	matmul_backward(da->dec[L - 1].h, gW->out_w, gW->out_b, dlogits, a->dec[L - 1].h, W->out_w,
			Tt, H, v_tgt);

	/* The decoder, newest step first. Step t's top h also feeds step t+1's
	 * attention query, and that gradient arrives when step t+1 is undone, so
	 * each step's dh is complete by the time its cell is reached. */
	const float *enc = a->enc[L - 1].h; /* (Ts, H) keys = values */
	float *denc = da->enc[L - 1].h;
	float scale = c->attention == ATTN_SCALED_DOT ? 1.0f / sqrtf((float)H) : 1.0f;
	for (int t = Tt - 1; t >= 0; t--) {
		for (int l = L - 1; l >= 0; l--) {
			struct rnn_layer_acts *g = &da->dec[l];
			layer_step_backward(c, &W->dec[l], &gW->dec[l], &a->dec[l], g, t, da->scratch);
			/* dx_t += W_ihᵀ dgx_t now: layer l-1's h_t (or the context) needs it
			 * this step; dW_ih waits for one gemm over all steps below. */
			float *dx = l ? da->dec[l - 1].h + (size_t)t * H : da->dec_x + (size_t)t * EH;
			matmul_backward(dx, NULL, NULL, g->gx + (size_t)t * GH, NULL, W->dec[l].w_ih, 1,
					l ? H : EH, GH);
		}
		float *dctx = da->context + (size_t)t * H;
		add_backward(dctx, NULL, da->dec_x + (size_t)t * EH + E, (size_t)H);
		if (c->attention == ATTN_NONE) {
			/* the fixed context is the encoder's last top-layer state */
			add_backward(denc + (size_t)(Ts - 1) * H, NULL, dctx, (size_t)H);
			continue;
		}
		size_t ts = (size_t)t * Ts;
		float *dq = da->query + (size_t)t * H;
		if (c->attention == ATTN_ADDITIVE) {
			weighted_sum_backward(da->weights + ts, denc, dctx, a->weights + ts, enc, 1, Ts, H);
			softmax_backward(da->scores + ts, da->weights + ts, a->weights + ts, 1, Ts);
			additive_scores_backward(da->qproj + (size_t)t * A, da->kproj, gW->attn_wv,
						 da->scores + ts, a->qproj + (size_t)t * A, a->kproj,
						 W->attn_wv, 1, Ts, A);
			matmul_backward(dq, gW->attn_wq, NULL, da->qproj + (size_t)t * A,
					a->query + (size_t)t * H, W->attn_wq, 1, H, A);
		} else {
			dot_attention_backward(dq, denc, denc, da->scores + ts, da->weights + ts, dctx,
					       a->query + (size_t)t * H, enc, enc, a->weights + ts, 1, Ts,
					       H, scale);
		}
		/* the query is the top layer's previous state */
		float *dh_prev = t ? da->dec[L - 1].h + (size_t)(t - 1) * H : da->dec[L - 1].h0;
		add_backward(dh_prev, NULL, dq, (size_t)H);
	}
	for (int t = 0; t < Tt; t++)
		memcpy(da->tgt_emb + (size_t)t * E, da->dec_x + (size_t)t * EH, (size_t)E * sizeof(float));
	undrop(da->tgt_emb, a->drop_tgt, (size_t)Tt * E);
	embed_backward(gW->dec_embed, NULL, da->tgt_emb, a->tgt_ids, 1.0f, Tt, E);
	for (int l = 0; l < L; l++)
		matmul_backward(NULL, gW->dec[l].w_ih, gW->dec[l].b_ih, da->dec[l].gx, a->dec[l].x,
				W->dec[l].w_ih, Tt, l ? H : EH, GH);
	if (c->attention == ATTN_ADDITIVE) /* kproj = enc W_kᵀ */
		matmul_backward(denc, gW->attn_wk, NULL, da->kproj, enc, W->attn_wk, Ts, H, A);

	/* The decoder started from the encoder's final state, every layer. */
	for (int l = 0; l < L; l++) {
		size_t last = (size_t)(Ts - 1) * H;
		add_backward(da->enc[l].h + last, NULL, da->dec[l].h0, (size_t)H);
		add_backward(da->enc[l].c + last, NULL, da->dec[l].c0, (size_t)H);
	}

	/* The encoder, top layer first: a layer's dh is complete once the layer
	 * above has been undone over every step. */
	for (int l = L - 1; l >= 0; l--) {
		struct rnn_layer_acts *g = &da->enc[l];
		for (int t = Ts - 1; t >= 0; t--) {
			if (h_grad_norm) {
				const float *dh = g->h + (size_t)t * H;
				double s = 0;
				for (int j = 0; j < H; j++)
					s += (double)dh[j] * dh[j];
				h_grad_norm[(size_t)l * Ts + t] = (float)sqrt(s);
			}
			layer_step_backward(c, &W->enc[l], &gW->enc[l], &a->enc[l], g, t, da->scratch);
		}
		float *dx = l ? da->enc[l - 1].h : da->src_emb;
		matmul_backward(dx, gW->enc[l].w_ih, gW->enc[l].b_ih, g->gx, a->enc[l].x,
				W->enc[l].w_ih, Ts, l ? H : E, GH);
	}
	undrop(da->src_emb, a->drop_src, (size_t)Ts * E);
	embed_backward(gW->enc_embed, NULL, da->src_emb, a->src_ids, 1.0f, Ts, E);
}

void rnn_record_grad_norms(const struct config *c, const float *h_grad_norm, int Ts,
			   const char *const *src_labels, struct trace *tr)
{
	const char *const *labels = trace_labels(tr, Ts, src_labels);
	for (int l = 0; l < c->n_layers; l++) {
		char desc[320];
		snprintf(desc, sizeof desc,
			 "‖∂loss/∂h_t‖ of encoder layer %d at each source step: the whole gradient "
			 "reaching h_t (from the layer above, later steps and the decoder); small "
			 "values at early steps show the gradient vanishing back through time",
			 l);
		struct tensor *t = trace_addf(tr, 1, Ts, h_grad_norm + (size_t)l * Ts, desc,
					      "grad.enc.l%d.h", l);
		if (!t)
			continue;
		t->ndim = 1;
		tensor_set_rows(t, "", NULL);
		tensor_set_cols(t, "source token", labels);
	}
}

#include "engine/transformer.h"
#include "engine/ops.h"

#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- activations ---------- */

static float *fbuf(struct arena *ar, size_t n, int *ok)
{
	float *p = arena_calloc(ar, n ? n : 1, sizeof(float));
	if (!p)
		*ok = 0;
	return p;
}

static void attn_alloc(struct arena *ar, struct attn_acts *a, int T, int S, int d, int NH,
		       int *ok)
{
	a->q = fbuf(ar, (size_t)T * d, ok);
	a->k = fbuf(ar, (size_t)S * d, ok);
	a->v = fbuf(ar, (size_t)S * d, ok);
	a->scores = fbuf(ar, (size_t)NH * T * S, ok);
	a->weights = fbuf(ar, (size_t)NH * T * S, ok);
	a->concat = fbuf(ar, (size_t)T * d, ok);
	a->heads_buf = fbuf(ar, (size_t)T * d, ok);
	a->heads = a->concat;
	a->out = fbuf(ar, (size_t)T * d, ok);
}

static void ln_alloc(struct arena *ar, struct ln_acts *l, int T, int d, int *ok)
{
	l->out = fbuf(ar, (size_t)T * d, ok);
	l->mean = fbuf(ar, (size_t)T, ok);
	l->rstd = fbuf(ar, (size_t)T, ok);
}

static void layer_alloc(struct arena *ar, struct tf_layer_acts *y, const struct config *c,
			int T, int S, int decoder, int *ok)
{
	int d = c->d_model;
	attn_alloc(ar, &y->sa, T, T, d, c->n_heads, ok);
	if (decoder)
		attn_alloc(ar, &y->ca, T, S, d, c->n_heads, ok);
	ln_alloc(ar, &y->ln1, T, d, ok);
	ln_alloc(ar, &y->ln2, T, d, ok);
	if (decoder)
		ln_alloc(ar, &y->ln3, T, d, ok);
	y->ffn.pre = fbuf(ar, (size_t)T * c->d_ff, ok);
	y->ffn.hidden = fbuf(ar, (size_t)T * c->d_ff, ok);
	y->ffn.out = fbuf(ar, (size_t)T * d, ok);
	y->add1 = fbuf(ar, (size_t)T * d, ok);
	y->add2 = fbuf(ar, (size_t)T * d, ok);
	if (decoder)
		y->add3 = fbuf(ar, (size_t)T * d, ok);
}

enum status tf_acts_init(struct tf_acts *a, const struct config *c, int v_tgt, int Ts, int Tt,
			 struct err *e)
{
	memset(a, 0, sizeof *a);
	arena_init(&a->arena);
	struct arena *ar = &a->arena;
	int ok = 1, d = c->d_model;
	a->Ts = Ts;
	a->Tt = Tt;
	a->src_ids = arena_calloc(ar, (size_t)Ts + 1, sizeof(int));
	a->tgt_ids = arena_calloc(ar, (size_t)Tt + 1, sizeof(int));
	ok = a->src_ids && a->tgt_ids;
	a->src_pos = fbuf(ar, (size_t)Ts * d, &ok);
	a->tgt_pos = fbuf(ar, (size_t)Tt * d, &ok);
	a->src_in = fbuf(ar, (size_t)Ts * d, &ok);
	a->tgt_in = fbuf(ar, (size_t)Tt * d, &ok);
	for (int l = 0; l < c->n_enc_layers; l++)
		layer_alloc(ar, &a->enc[l], c, Ts, Ts, 0, &ok);
	for (int l = 0; l < c->n_dec_layers; l++)
		layer_alloc(ar, &a->dec[l], c, Tt, Ts, 1, &ok);
	ln_alloc(ar, &a->enc_norm, Ts, d, &ok);
	ln_alloc(ar, &a->dec_norm, Tt, d, &ok);
	a->logits = fbuf(ar, (size_t)Tt * v_tgt, &ok);
	a->probs = fbuf(ar, (size_t)Tt * v_tgt, &ok);
	if (!ok) {
		tf_acts_release(a);
		return err_set(e, ST_NOMEM, "out of memory for activations");
	}
	return ST_OK;
}

void tf_acts_release(struct tf_acts *a)
{
	arena_release(&a->arena);
	memset(a, 0, sizeof *a);
}

/* ---------- forward ---------- */

/* Inverted dropout with a mask the trainer drew (0 or 1/(1-p) per entry);
 * no mask, as everywhere outside training, leaves x alone. */
static void drop(float *x, const float *mask, size_t n)
{
	if (mask)
		for (size_t i = 0; i < n; i++)
			x[i] *= mask[i];
}

static float embed_scale(const struct config *c)
{
	return c->embed_scale_sqrt ? sqrtf((float)c->d_model) : 1.0f;
}

static void positions(const struct config *c, const struct switches *sw, const float *learned,
		      float *pos, int T)
{
	if (!switches_positions(sw))
		memset(pos, 0, (size_t)T * c->d_model * sizeof *pos);
	else if (c->positional == POS_LEARNED)
		memcpy(pos, learned, (size_t)T * c->d_model * sizeof *pos);
	else
		sinusoid_fill(pos, T, c->d_model);
}

/* How one attention block runs: causal or not, the score scale, and the
 * heads a what-if run zeroes (bit h) before W_o. */
struct attn_how {
	int causal;
	float scale;
	uint64_t off;
};

/* Q from x (T, d); K, V from kv (S, d); packed in_proj rows q | k | v. */
static void mha_forward(struct attn_acts *a, const float *x, const float *kv, int T, int S,
			const float *in_w, const float *in_b, const float *out_w,
			const float *out_b, int d, int NH, const struct attn_how *how)
{
	size_t dd = (size_t)d * d;
	int dh = d / NH;
	a->x = (float *)x;
	matmul_forward(a->q, x, in_w, in_b, T, d, d);
	matmul_forward(a->k, kv, in_w + dd, in_b + d, S, d, d);
	matmul_forward(a->v, kv, in_w + 2 * dd, in_b + 2 * d, S, d, d);
	a->heads = how->off ? a->heads_buf : a->concat;
	attention_forward(a->heads, a->scores, a->weights, a->q, a->k, a->v, T, S, d, NH,
			  how->causal, how->scale);
	if (how->off) {
		/* Ablation: the heads keep what they computed; W_o sees zeros. */
		memcpy(a->concat, a->heads, (size_t)T * d * sizeof(float));
		for (int h = 0; h < NH && h < 64; h++)
			if (how->off >> h & 1)
				for (int t = 0; t < T; t++)
					memset(a->concat + (size_t)t * d + h * dh, 0, (size_t)dh * sizeof(float));
	}
	matmul_forward(a->out, a->concat, out_w, out_b, T, d, d);
}

static void ffn_forward(struct ffn_acts *f, const float *x, const struct tf_layer *w,
			const struct config *c, int T)
{
	size_t n = (size_t)T * c->d_ff;
	f->x = (float *)x;
	matmul_forward(f->pre, x, w->lin1_w, w->lin1_b, T, c->d_model, c->d_ff);
	if (c->activation == ACT_GELU)
		gelu_forward(f->hidden, f->pre, n);
	else
		relu_forward(f->hidden, f->pre, n);
	matmul_forward(f->out, f->hidden, w->lin2_w, w->lin2_b, T, c->d_ff, c->d_model);
}

static void ln(struct ln_acts *l, const float *x, const float *w, const float *b, int T,
	       const struct config *c)
{
	layernorm_forward(l->out, l->mean, l->rstd, x, w, b, T, c->d_model, c->layer_norm_eps);
}

/* The residual sublayers of a layer: self-attention, cross-attention
 * (decoder only), feed-forward. */
enum sublayer { SUB_SELF, SUB_CROSS, SUB_FFN };

/* One residual sublayer on the stream x: pre-norm sum = x + f(LN(x)),
 * post-norm LN(x + f(x)). l, norm_w/norm_b and sum are the sublayer's own
 * norm and residual sum (ln1/add1 for the first, and so on). Returns the
 * stream after it. */
static const float *sublayer_forward(const struct config *c, const struct tf_layer *w,
				     struct tf_layer_acts *y, enum sublayer kind, const float *x,
				     struct ln_acts *l, const float *norm_w, const float *norm_b,
				     float *sum, const float *mem, int T, int S,
				     const struct attn_how *how)
{
	int d = c->d_model;
	size_t n = (size_t)T * d;
	const float *h = x;
	if (c->norm_first) {
		ln(l, x, norm_w, norm_b, T, c);
		h = l->out;
	}
	float *out;
	const float *mask;
	switch (kind) {
	case SUB_SELF:
		mha_forward(&y->sa, h, h, T, T, w->in_proj_w, w->in_proj_b, w->out_w, w->out_b, d,
			    c->n_heads, how);
		out = y->sa.out;
		mask = y->drop_sa;
		break;
	case SUB_CROSS:
		mha_forward(&y->ca, h, mem, T, S, w->x_in_proj_w, w->x_in_proj_b, w->x_out_w,
			    w->x_out_b, d, c->n_heads, how);
		out = y->ca.out;
		mask = y->drop_ca;
		break;
	case SUB_FFN:
	default:
		ffn_forward(&y->ffn, h, w, c, T);
		out = y->ffn.out;
		mask = y->drop_ffn;
		break;
	}
	drop(out, mask, n);
	add_forward(sum, x, out, n);
	if (c->norm_first)
		return sum;
	ln(l, sum, norm_w, norm_b, T, c);
	return l->out;
}

/* An encoder layer (self-attention, feed-forward) or, with decoder set, a
 * decoder layer (causal self-attention, cross-attention to mem (S, d),
 * feed-forward); layer l, for the what-if switches sw. */
static void layer_forward(const struct config *c, const struct tf_layer *w,
			  struct tf_layer_acts *y, const float *in, const float *mem, int T, int S,
			  int decoder, const struct switches *sw, int l)
{
	float scale = switches_scale(sw, c->d_model / c->n_heads);
	struct attn_how self = {decoder && switches_causal(sw), scale,
				switches_heads_off(sw, decoder ? HB_DEC_SELF : HB_ENC_SELF, l)};
	struct attn_how cross = {0, scale, switches_heads_off(sw, HB_DEC_CROSS, l)};
	y->in = (float *)in;
	const float *x = sublayer_forward(c, w, y, SUB_SELF, in, &y->ln1, w->norm1_w, w->norm1_b,
					  y->add1, NULL, T, T, &self);
	if (decoder) {
		x = sublayer_forward(c, w, y, SUB_CROSS, x, &y->ln2, w->norm2_w, w->norm2_b, y->add2,
				     mem, T, S, &cross);
		x = sublayer_forward(c, w, y, SUB_FFN, x, &y->ln3, w->norm3_w, w->norm3_b, y->add3,
				     NULL, T, S, NULL);
	} else {
		x = sublayer_forward(c, w, y, SUB_FFN, x, &y->ln2, w->norm2_w, w->norm2_b, y->add2,
				     NULL, T, S, NULL);
	}
	y->out = (float *)x;
}

void tf_encode(const struct config *c, const struct weights *w, struct tf_acts *a,
	       const int *src)
{
	const struct tf_weights *t = &w->tf;
	int T = a->Ts;
	memcpy(a->src_ids, src, (size_t)T * sizeof *src);
	positions(c, a->sw, t->src_pos, a->src_pos, T);
	embed_forward(a->src_in, src, t->src_embed, a->src_pos, embed_scale(c), T, c->d_model);
	drop(a->src_in, a->drop_src, (size_t)T * c->d_model);
	const float *x = a->src_in;
	for (int l = 0; l < c->n_enc_layers; l++) {
		layer_forward(c, &t->enc[l], &a->enc[l], x, NULL, T, T, 0, a->sw, l);
		x = a->enc[l].out;
	}
	if (c->final_norm) {
		ln(&a->enc_norm, x, t->enc_norm_w, t->enc_norm_b, T, c);
		x = a->enc_norm.out;
	}
	a->memory = (float *)x;
}

void tf_forward(const struct config *c, const struct weights *w, int v_tgt, struct tf_acts *a,
		const int *src, const int *tgt)
{
	const struct tf_weights *t = &w->tf;
	int T = a->Tt;
	tf_encode(c, w, a, src);
	memcpy(a->tgt_ids, tgt, (size_t)T * sizeof *tgt);
	positions(c, a->sw, t->tgt_pos, a->tgt_pos, T);
	embed_forward(a->tgt_in, tgt, t->tgt_embed, a->tgt_pos, embed_scale(c), T, c->d_model);
	drop(a->tgt_in, a->drop_tgt, (size_t)T * c->d_model);
	const float *x = a->tgt_in;
	for (int l = 0; l < c->n_dec_layers; l++) {
		layer_forward(c, &t->dec[l], &a->dec[l], x, a->memory, T, a->Ts, 1, a->sw, l);
		x = a->dec[l].out;
	}
	if (c->final_norm) {
		ln(&a->dec_norm, x, t->dec_norm_w, t->dec_norm_b, T, c);
		x = a->dec_norm.out;
	}
	a->dec_out = (float *)x;
	matmul_forward(a->logits, x, t->gen_w, t->gen_b, T, c->d_model, v_tgt);
	softmax_temperature(a->probs, a->logits, T, v_tgt, switches_temperature(a->sw));
}

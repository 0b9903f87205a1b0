/* Backward pass of the Transformer (transformer.c's forward, in reverse). */
#include "engine/grad.h"
#include "engine/ops_grad.h"

#include <math.h>
#include <string.h>

static void zero(float *p, size_t n)
{
	if (p)
		memset(p, 0, n * sizeof *p);
}

static void attn_zero(struct attn_acts *a, int T, int S, int d, int NH)
{
	zero(a->q, (size_t)T * d);
	zero(a->k, (size_t)S * d);
	zero(a->v, (size_t)S * d);
	zero(a->scores, (size_t)NH * T * S);
	zero(a->weights, (size_t)NH * T * S);
	zero(a->concat, (size_t)T * d);
	zero(a->out, (size_t)T * d);
}

static void layer_zero(struct tf_layer_acts *y, const struct config *c, int T, int S,
		       int decoder)
{
	int d = c->d_model;
	size_t n = (size_t)T * d;
	attn_zero(&y->sa, T, T, d, c->n_heads);
	zero(y->ln1.out, n);
	zero(y->ln2.out, n);
	zero(y->ffn.pre, (size_t)T * c->d_ff);
	zero(y->ffn.hidden, (size_t)T * c->d_ff);
	zero(y->ffn.out, n);
	zero(y->add1, n);
	zero(y->add2, n);
	if (decoder) {
		attn_zero(&y->ca, T, S, d, c->n_heads);
		zero(y->ln3.out, n);
		zero(y->add3, n);
	}
}

/* Zeroes every gradient buffer of da (sizes as tf_acts_init) and points its
 * aliases at the gradient buffers they stand for, mirroring the forward. */
static void tf_grad_prepare(const struct config *c, int v_tgt, struct tf_acts *da)
{
	int d = c->d_model, Ts = da->Ts, Tt = da->Tt, pre = c->norm_first;
	zero(da->src_pos, (size_t)Ts * d);
	zero(da->tgt_pos, (size_t)Tt * d);
	zero(da->src_in, (size_t)Ts * d);
	zero(da->tgt_in, (size_t)Tt * d);
	zero(da->enc_norm.out, (size_t)Ts * d);
	zero(da->dec_norm.out, (size_t)Tt * d);
	zero(da->logits, (size_t)Tt * v_tgt);
	zero(da->probs, (size_t)Tt * v_tgt);
	float *x = da->src_in;
	for (int l = 0; l < c->n_enc_layers; l++) {
		struct tf_layer_acts *y = &da->enc[l];
		layer_zero(y, c, Ts, Ts, 0);
		y->in = x;
		y->sa.x = pre ? y->ln1.out : x;
		y->ffn.x = pre ? y->ln2.out : y->ln1.out;
		y->out = x = pre ? y->add2 : y->ln2.out;
	}
	da->memory = c->final_norm ? da->enc_norm.out : x;
	x = da->tgt_in;
	for (int l = 0; l < c->n_dec_layers; l++) {
		struct tf_layer_acts *y = &da->dec[l];
		layer_zero(y, c, Tt, Ts, 1);
		y->in = x;
		y->sa.x = pre ? y->ln1.out : x;
		y->ca.x = pre ? y->ln2.out : y->ln1.out;
		y->ffn.x = pre ? y->ln3.out : y->ln2.out;
		y->out = x = pre ? y->add3 : y->ln3.out;
	}
	da->dec_out = c->final_norm ? da->dec_norm.out : x;
}

/* Dropout's backward (the trainer's masks, transformer.h): the gradient of a
 * sublayer output that was dropped is dout ⊙ mask, written to buf, that
 * output's own gradient buffer. Without a mask, dout itself. */
static const float *dropped(const float *mask, float *buf, const float *dout, size_t n)
{
	if (!mask)
		return dout;
	for (size_t i = 0; i < n; i++)
		buf[i] = dout[i] * mask[i];
	return buf;
}

/* The same in place, for the embedding sums. */
static void undrop(float *g, const float *mask, size_t n)
{
	if (mask)
		for (size_t i = 0; i < n; i++)
			g[i] *= mask[i];
}

/* Backward of mha_forward. dout (T, d) = d loss / d a->out; dx (T, d) gets the
 * query side, dkv (S, d) the key/value side (the same buffer for self-attention). */
static void mha_backward(const struct attn_acts *a, struct attn_acts *g, float *dx /* (T, d) */,
			 float *dkv /* (S, d) */, const float *dout /* (T, d) */,
			 const float *kv /* (S, d) */, const float *in_w, const float *out_w,
			 float *din_w, float *din_b, float *dout_w, float *dout_b, int T, int S,
			 int d, int NH)
{
	size_t dd = (size_t)d * d;
	if (g->out != dout)
		add_backward(g->out, NULL, dout, (size_t)T * d);
	matmul_backward(g->concat, dout_w, dout_b, dout, a->concat, out_w, T, d, d);
	attention_backward(g->q, g->k, g->v, g->scores, g->weights, g->concat, a->q, a->k, a->v,
			   a->weights, T, S, d, NH);
	matmul_backward(dx, din_w, din_b, g->q, a->x, in_w, T, d, d);
	matmul_backward(dkv, din_w + dd, din_b + d, g->k, kv, in_w + dd, S, d, d);
	matmul_backward(dkv, din_w + 2 * dd, din_b + 2 * d, g->v, kv, in_w + 2 * dd, S, d, d);
}

/* Backward of ffn_forward; dout (T, d) = d loss / d f->out, dx (T, d) accumulated. */
static void ffn_backward(const struct ffn_acts *f, struct ffn_acts *g, float *dx,
			 const float *dout, const struct tf_layer *w, struct tf_layer *gw,
			 const struct config *c, int T)
{
	size_t n = (size_t)T * c->d_ff;
	if (g->out != dout)
		add_backward(g->out, NULL, dout, (size_t)T * c->d_model);
	matmul_backward(g->hidden, gw->lin2_w, gw->lin2_b, dout, f->hidden, w->lin2_w, T, c->d_ff,
			c->d_model);
	if (c->activation == ACT_GELU)
		gelu_backward(g->pre, g->hidden, f->pre, n);
	else
		relu_backward(g->pre, g->hidden, f->pre, n);
	matmul_backward(dx, gw->lin1_w, gw->lin1_b, g->pre, f->x, w->lin1_w, T, c->d_model,
			c->d_ff);
}

/* dx (T, d) += LN backward of dout given the LN's input x. */
static void ln_backward(float *dx, float *dw, float *db, const float *dout, const float *x,
			const struct ln_acts *l, const float *w, int T, int d)
{
	layernorm_backward(dx, dw, db, dout, x, w, l->mean, l->rstd, T, d);
}

/* The residual sublayers of a layer, as in transformer.c. */
enum sublayer { SUB_SELF, SUB_CROSS, SUB_FFN };

/* Residual sublayer k (1-based) of a layer: its norm, the norm's weights and
 * its residual sum, each with its gradient. */
struct resid {
	const struct ln_acts *ln;
	struct ln_acts *dln;
	const float *norm_w;
	float *dnorm_w, *dnorm_b;
	const float *sum;
	float *dsum;
};

static struct resid resid_at(const struct tf_layer *w, struct tf_layer *gw,
			     const struct tf_layer_acts *y, struct tf_layer_acts *g, int k)
{
	switch (k) {
	case 1:
		return (struct resid){&y->ln1, &g->ln1, w->norm1_w, gw->norm1_w, gw->norm1_b,
				      y->add1, g->add1};
	case 2:
		return (struct resid){&y->ln2, &g->ln2, w->norm2_w, gw->norm2_w, gw->norm2_b,
				      y->add2, g->add2};
	default:
		return (struct resid){&y->ln3, &g->ln3, w->norm3_w, gw->norm3_w, gw->norm3_b,
				      y->add3, g->add3};
	}
}

/* Backward of one sublayer on the stream x (dx += d loss / d x):
 * pre-norm sum = x + f(LN(x)), the sum's gradient complete on entry;
 * post-norm out = LN(x + f(x)), the norm output's gradient complete. */
static void sublayer_backward(const struct config *c, const struct tf_layer *w,
			      struct tf_layer *gw, const struct tf_layer_acts *y,
			      struct tf_layer_acts *g, enum sublayer kind, const struct resid *r,
			      const float *x, float *dx, const float *mem, float *dmem, int T, int S)
{
	int d = c->d_model, NH = c->n_heads;
	size_t n = (size_t)T * d;
	const float *h = x; /* the sublayer's input, and where its gradient goes */
	float *dh = dx;
	if (c->norm_first) {
		add_backward(dx, NULL, r->dsum, n);
		h = r->ln->out;
		dh = r->dln->out;
	} else {
		ln_backward(r->dsum, r->dnorm_w, r->dnorm_b, r->dln->out, r->sum, r->ln, r->norm_w, T,
			    d);
		add_backward(dx, NULL, r->dsum, n);
	}
	switch (kind) {
	case SUB_SELF:
		mha_backward(&y->sa, &g->sa, dh, dh, dropped(y->drop_sa, g->sa.out, r->dsum, n), h,
			     w->in_proj_w, w->out_w, gw->in_proj_w, gw->in_proj_b, gw->out_w,
			     gw->out_b, T, T, d, NH);
		break;
	case SUB_CROSS:
		mha_backward(&y->ca, &g->ca, dh, dmem, dropped(y->drop_ca, g->ca.out, r->dsum, n),
			     mem, w->x_in_proj_w, w->x_out_w, gw->x_in_proj_w, gw->x_in_proj_b,
			     gw->x_out_w, gw->x_out_b, T, S, d, NH);
		break;
	case SUB_FFN:
	default:
		ffn_backward(&y->ffn, &g->ffn, dh, dropped(y->drop_ffn, g->ffn.out, r->dsum, n), w,
			     gw, c, T);
		break;
	}
	if (c->norm_first)
		ln_backward(dx, r->dnorm_w, r->dnorm_b, r->dln->out, x, r->ln, r->norm_w, T, d);
}

/* An encoder layer's backward, or with decoder set a decoder layer's (then
 * dmem (S, d) += d loss / d memory). g->out (the layer output's gradient)
 * is complete on entry; din += d loss / d in. */
static void layer_backward(const struct config *c, const struct tf_layer *w,
			   struct tf_layer *gw, const struct tf_layer_acts *y,
			   struct tf_layer_acts *g, float *din, const float *mem, float *dmem,
			   int T, int S, int decoder)
{
	int last = decoder ? 3 : 2;
	for (int k = last; k >= 1; k--) {
		struct resid r = resid_at(w, gw, y, g, k);
		/* the stream into sublayer k: pre-norm the previous residual
		 * sum, post-norm the previous norm's output */
		const float *x = y->in;
		float *dx = din;
		if (k > 1) {
			struct resid p = resid_at(w, gw, y, g, k - 1);
			x = c->norm_first ? p.sum : p.ln->out;
			dx = c->norm_first ? p.dsum : p.dln->out;
		}
		enum sublayer kind = k == 1 ? SUB_SELF : k == last ? SUB_FFN : SUB_CROSS;
		sublayer_backward(c, w, gw, y, g, kind, &r, x, dx, mem, dmem, T, S);
	}
}

static float embed_scale(const struct config *c)
{
	return c->embed_scale_sqrt ? sqrtf((float)c->d_model) : 1.0f;
}

void tf_backward(const struct config *c, const struct weights *w, struct weights *grads,
		 int v_tgt, const struct tf_acts *a, struct tf_acts *da, const float *dlogits)
{
	const struct tf_weights *t = &w->tf;
	struct tf_weights *gt = &grads->tf;
	int d = c->d_model, Ts = a->Ts, Tt = a->Tt;
	int Le = c->n_enc_layers, Ld = c->n_dec_layers;
	tf_grad_prepare(c, v_tgt, da);
	memcpy(da->logits, dlogits, (size_t)Tt * v_tgt * sizeof *dlogits);

	/* logits = dec_out gen_wᵀ + gen_b; tied: gen_w is tgt_embed in both the
	 * model and grads, so its gradient lands in the embedding's rows. */
	matmul_backward(da->dec_out, gt->gen_w, gt->gen_b, dlogits, a->dec_out, t->gen_w, Tt, d,
			v_tgt);
	if (c->final_norm) {
		const float *x = Ld ? a->dec[Ld - 1].out : a->tgt_in;
		float *dx = Ld ? da->dec[Ld - 1].out : da->tgt_in;
		ln_backward(dx, gt->dec_norm_w, gt->dec_norm_b, da->dec_norm.out, x, &a->dec_norm,
			    t->dec_norm_w, Tt, d);
	}
	for (int l = Ld - 1; l >= 0; l--)
		layer_backward(c, &t->dec[l], &gt->dec[l], &a->dec[l], &da->dec[l], da->dec[l].in,
			       a->memory, da->memory, Tt, Ts, 1);
	undrop(da->tgt_in, a->drop_tgt, (size_t)Tt * d);
	embed_backward(gt->tgt_embed, c->positional == POS_LEARNED ? gt->tgt_pos : NULL,
		       da->tgt_in, a->tgt_ids, embed_scale(c), Tt, d);
	add_backward(da->tgt_pos, NULL, da->tgt_in, (size_t)Tt * d);

	if (c->final_norm) {
		const float *x = Le ? a->enc[Le - 1].out : a->src_in;
		float *dx = Le ? da->enc[Le - 1].out : da->src_in;
		ln_backward(dx, gt->enc_norm_w, gt->enc_norm_b, da->enc_norm.out, x, &a->enc_norm,
			    t->enc_norm_w, Ts, d);
	}
	for (int l = Le - 1; l >= 0; l--)
		layer_backward(c, &t->enc[l], &gt->enc[l], &a->enc[l], &da->enc[l], da->enc[l].in,
			       NULL, NULL, Ts, Ts, 0);
	undrop(da->src_in, a->drop_src, (size_t)Ts * d);
	embed_backward(gt->src_embed, c->positional == POS_LEARNED ? gt->src_pos : NULL,
		       da->src_in, a->src_ids, embed_scale(c), Ts, d);
	add_backward(da->src_pos, NULL, da->src_in, (size_t)Ts * d);
}

/* Incremental Transformer decoding: one token at a time with a KV cache.
 * tf_forward computes the same numbers for a whole sequence at once; a test
 * proves the two agree. */
#include "engine/ops.h"
#include "engine/transformer.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct tf_stepper {
	const struct config *c;
	const struct weights *w;
	const struct switches *sw; /* what-if switches, NULL: as trained */
	int V, Ts, beam, maxT, L, d;
	float *kc[2], *vc[2]; /* (beam, L, maxT, d) self-attention cache, two generations */
	int gen;
	float *ck, *cv;       /* (L, Ts, d) cross-attention keys and values of the memory */
	float *pos;           /* (maxT, d) */
	float *x, *h, *qkv, *ctx, *att, *tmp, *ff; /* scratch */
};

void tf_stepper_free(struct tf_stepper *s)
{
	if (!s)
		return;
	void *bufs[] = {s->kc[0], s->kc[1], s->vc[0], s->vc[1], s->ck, s->cv, s->pos, s->x,
			s->h, s->qkv, s->ctx, s->att, s->tmp, s->ff};
	for (size_t i = 0; i < sizeof bufs / sizeof *bufs; i++)
		free(bufs[i]);
	free(s);
}

struct tf_stepper *tf_stepper_new(const struct config *c, const struct weights *w, int v_tgt,
				  const float *memory, int Ts, int beam, const struct switches *sw)
{
	struct tf_stepper *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	int d = c->d_model, L = c->n_dec_layers, maxT = c->max_len;
	*s = (struct tf_stepper){.c = c, .w = w, .sw = sw, .V = v_tgt, .Ts = Ts, .beam = beam,
				 .maxT = maxT, .L = L, .d = d};
	size_t cache = (size_t)beam * L * maxT * d, cross = (size_t)L * Ts * d;
	int ok = 1;
	for (int g = 0; g < 2; g++) {
		s->kc[g] = calloc(cache, sizeof(float));
		s->vc[g] = calloc(cache, sizeof(float));
		ok = ok && s->kc[g] && s->vc[g];
	}
	s->ck = calloc(cross ? cross : 1, sizeof(float));
	s->cv = calloc(cross ? cross : 1, sizeof(float));
	s->pos = calloc((size_t)maxT * d, sizeof(float));
	s->x = calloc((size_t)d, sizeof(float));
	s->h = calloc((size_t)d, sizeof(float));
	s->qkv = calloc((size_t)3 * d, sizeof(float));
	s->ctx = calloc((size_t)d, sizeof(float));
	s->att = calloc((size_t)(maxT > Ts ? maxT : Ts), sizeof(float));
	s->tmp = calloc((size_t)d, sizeof(float));
	s->ff = calloc((size_t)c->d_ff, sizeof(float));
	if (!ok || !s->ck || !s->cv || !s->pos || !s->x || !s->h || !s->qkv || !s->ctx || !s->att ||
	    !s->tmp || !s->ff) {
		tf_stepper_free(s);
		return NULL;
	}
	/* With positions off s->pos stays zero. */
	if (switches_positions(sw) && c->positional == POS_LEARNED)
		memcpy(s->pos, w->tf.tgt_pos, (size_t)maxT * d * sizeof(float));
	else if (switches_positions(sw))
		sinusoid_fill(s->pos, maxT, d);
	size_t dd = (size_t)d * d;
	for (int l = 0; l < L; l++) {
		const struct tf_layer *y = &w->tf.dec[l];
		matmul_forward(s->ck + (size_t)l * Ts * d, memory, y->x_in_proj_w + dd,
			       y->x_in_proj_b + d, Ts, d, d);
		matmul_forward(s->cv + (size_t)l * Ts * d, memory, y->x_in_proj_w + 2 * dd,
			       y->x_in_proj_b + 2 * d, Ts, d, d);
	}
	return s;
}

/* One query row against n cached keys/values (ld = d), all heads; the
 * heads whose bit is set in off (a what-if ablation) give zeros. */
static void attend(struct tf_stepper *s, float *ctx, const float *q, const float *K,
		   const float *Vv, int n, uint64_t off)
{
	int d = s->d, NH = s->c->n_heads, dh = d / NH;
	float scale = switches_scale(s->sw, dh);
	for (int h = 0; h < NH; h++) {
		if (h < 64 && off >> h & 1) {
			memset(ctx + h * dh, 0, (size_t)dh * sizeof(float));
			continue;
		}
		cblas_sgemv(CblasRowMajor, CblasNoTrans, n, dh, scale, K + h * dh, d, q + h * dh, 1,
			    0.0f, s->att, 1);
		softmax_forward(s->att, s->att, 1, n);
		cblas_sgemv(CblasRowMajor, CblasTrans, n, dh, 1.0f, Vv + h * dh, d, s->att, 1, 0.0f,
			    ctx + h * dh, 1);
	}
}

/* x += sublayer(x) with the norm before (pre-norm) or after (post-norm). */
static const float *pre_norm(struct tf_stepper *s, const float *nw, const float *nb)
{
	if (!s->c->norm_first)
		return s->x;
	layernorm_forward(s->h, NULL, NULL, s->x, nw, nb, 1, s->d, s->c->layer_norm_eps);
	return s->h;
}

static void residual(struct tf_stepper *s, const float *delta, const float *nw, const float *nb)
{
	for (int i = 0; i < s->d; i++)
		s->x[i] += delta[i];
	if (!s->c->norm_first)
		layernorm_forward(s->x, NULL, NULL, s->x, nw, nb, 1, s->d, s->c->layer_norm_eps);
}

static void step(void *ctx, int slot, int token, int t, float *logits)
{
	struct tf_stepper *s = ctx;
	const struct config *c = s->c;
	const struct tf_weights *W = &s->w->tf;
	int d = s->d;
	size_t dd = (size_t)d * d;
	embed_forward(s->x, &token, W->tgt_embed, s->pos + (size_t)t * d,
		      c->embed_scale_sqrt ? sqrtf((float)d) : 1.0f, 1, d);
	for (int l = 0; l < s->L; l++) {
		const struct tf_layer *y = &W->dec[l];
		size_t base = (((size_t)slot * s->L + l) * s->maxT) * d;
		float *K = s->kc[s->gen] + base, *Vv = s->vc[s->gen] + base;
		const float *h = pre_norm(s, y->norm1_w, y->norm1_b);
		matmul_forward(s->qkv, h, y->in_proj_w, y->in_proj_b, 1, d, 3 * d);
		memcpy(K + (size_t)t * d, s->qkv + d, (size_t)d * sizeof(float));
		memcpy(Vv + (size_t)t * d, s->qkv + 2 * d, (size_t)d * sizeof(float));
		attend(s, s->ctx, s->qkv, K, Vv, t + 1, switches_heads_off(s->sw, HB_DEC_SELF, l));
		matmul_forward(s->tmp, s->ctx, y->out_w, y->out_b, 1, d, d);
		residual(s, s->tmp, y->norm1_w, y->norm1_b);

		h = pre_norm(s, y->norm2_w, y->norm2_b);
		matmul_forward(s->qkv, h, y->x_in_proj_w, y->x_in_proj_b, 1, d, d);
		attend(s, s->ctx, s->qkv, s->ck + (size_t)l * s->Ts * d,
		       s->cv + (size_t)l * s->Ts * d, s->Ts, switches_heads_off(s->sw, HB_DEC_CROSS, l));
		matmul_forward(s->tmp, s->ctx, y->x_out_w, y->x_out_b, 1, d, d);
		residual(s, s->tmp, y->norm2_w, y->norm2_b);

		h = pre_norm(s, y->norm3_w, y->norm3_b);
		matmul_forward(s->ff, h, y->lin1_w, y->lin1_b, 1, d, c->d_ff);
		if (c->activation == ACT_GELU)
			gelu_forward(s->ff, s->ff, (size_t)c->d_ff);
		else
			relu_forward(s->ff, s->ff, (size_t)c->d_ff);
		matmul_forward(s->tmp, s->ff, y->lin2_w, y->lin2_b, 1, c->d_ff, d);
		residual(s, s->tmp, y->norm3_w, y->norm3_b);
	}
	const float *out = s->x;
	if (c->final_norm) {
		layernorm_forward(s->h, NULL, NULL, s->x, W->dec_norm_w, W->dec_norm_b, 1, d,
				  c->layer_norm_eps);
		out = s->h;
	}
	matmul_forward(logits, out, W->gen_w, W->gen_b, 1, d, s->V);
	(void)dd;
}

static void reorder(void *ctx, const int *parents, int n, int t)
{
	struct tf_stepper *s = ctx;
	size_t slot = (size_t)s->L * s->maxT * s->d, rows = (size_t)t * s->d;
	int g = s->gen, ng = 1 - g;
	for (int i = 0; i < n; i++)
		for (int l = 0; l < s->L; l++) {
			size_t dst = i * slot + (size_t)l * s->maxT * s->d;
			size_t src = parents[i] * slot + (size_t)l * s->maxT * s->d;
			memcpy(s->kc[ng] + dst, s->kc[g] + src, rows * sizeof(float));
			memcpy(s->vc[ng] + dst, s->vc[g] + src, rows * sizeof(float));
		}
	s->gen = ng;
}

struct stepper tf_stepper_ops(struct tf_stepper *s)
{
	return (struct stepper){.ctx = s, .step = step, .reorder = reorder};
}

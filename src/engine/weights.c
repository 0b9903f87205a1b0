#include "engine/weights.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The layout is walked to count, then to describe the params (names and
 * shapes, no block yet), then to bind the typed pointers into the block. */
enum lay_pass { LAY_COUNT, LAY_DESCRIBE, LAY_BIND };

struct layout {
	struct weights *w;
	size_t n, floats, name_bytes;
	enum lay_pass pass;
	int overflow;
	size_t largest;          /* LAY_COUNT: the biggest tensor, for messages */
	char largest_name[160];
	int largest_dims[2];
};

static void lay(struct layout *L, float **slot, int ndim, int d0, int d1, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void lay(struct layout *L, float **slot, int ndim, int d0, int d1, const char *fmt, ...)
{
	char name[160];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(name, sizeof name, fmt, ap);
	va_end(ap);
	size_t count = (size_t)d0 * (size_t)(ndim == 2 ? d1 : 1);
	if (L->pass == LAY_COUNT) {
		if (!size_add(L->floats, count, &L->floats) ||
		    !size_add(L->name_bytes, strlen(name) + 1, &L->name_bytes))
			L->overflow = 1;
		if (count > L->largest) {
			L->largest = count;
			snprintf(L->largest_name, sizeof L->largest_name, "%s", name);
			L->largest_dims[0] = d0;
			L->largest_dims[1] = ndim == 2 ? d1 : 0;
		}
		L->n++;
		return;
	}
	struct weights *w = L->w;
	struct param *p = &w->params[L->n++];
	if (L->pass == LAY_DESCRIBE) {
		char *dst = w->names + L->name_bytes;
		strcpy(dst, name);
		L->name_bytes += strlen(name) + 1;
		p->name = dst;
		p->ndim = ndim;
		p->dims[0] = d0;
		p->dims[1] = ndim == 2 ? d1 : 1;
		p->count = count;
		return;
	}
	p->data = w->block + L->floats;
	L->floats += count;
	if (slot)
		*slot = p->data;
}

/* Attention `name` of the layer at prefix p. */
static void lay_mha(struct layout *L, float **in_w, float **in_b, float **out_w, float **out_b,
		    int d, const char *p, const char *name)
{
	lay(L, in_w, 2, 3 * d, d, "%s.%s.in_proj_weight", p, name);
	lay(L, in_b, 1, 3 * d, 0, "%s.%s.in_proj_bias", p, name);
	lay(L, out_w, 2, d, d, "%s.%s.out_proj.weight", p, name);
	lay(L, out_b, 1, d, 0, "%s.%s.out_proj.bias", p, name);
}

/* The feed-forward net and norms 1 and 2 of a layer, which encoder and
 * decoder layers list alike after their attention (state_dict order). */
static void lay_ffn_norms(struct layout *L, struct tf_layer *y, int d, int ff, const char *p)
{
	lay(L, &y->lin1_w, 2, ff, d, "%s.linear1.weight", p);
	lay(L, &y->lin1_b, 1, ff, 0, "%s.linear1.bias", p);
	lay(L, &y->lin2_w, 2, d, ff, "%s.linear2.weight", p);
	lay(L, &y->lin2_b, 1, d, 0, "%s.linear2.bias", p);
	lay(L, &y->norm1_w, 1, d, 0, "%s.norm1.weight", p);
	lay(L, &y->norm1_b, 1, d, 0, "%s.norm1.bias", p);
	lay(L, &y->norm2_w, 1, d, 0, "%s.norm2.weight", p);
	lay(L, &y->norm2_b, 1, d, 0, "%s.norm2.bias", p);
}

static void lay_transformer(struct layout *L, const struct config *c, int vs, int vt)
{
	struct tf_weights *t = &L->w->tf;
	int d = c->d_model, ff = c->d_ff;
	char p[96];
	lay(L, &t->src_embed, 2, vs, d, "src_embed.weight");
	lay(L, &t->tgt_embed, 2, vt, d, "tgt_embed.weight");
	if (c->positional == POS_LEARNED) {
		lay(L, &t->src_pos, 2, c->max_len, d, "src_pos.weight");
		lay(L, &t->tgt_pos, 2, c->max_len, d, "tgt_pos.weight");
	}
	for (int l = 0; l < c->n_enc_layers; l++) {
		struct tf_layer *y = &t->enc[l];
		snprintf(p, sizeof p, "transformer.encoder.layers.%d", l);
		lay_mha(L, &y->in_proj_w, &y->in_proj_b, &y->out_w, &y->out_b, d, p, "self_attn");
		lay_ffn_norms(L, y, d, ff, p);
	}
	if (c->final_norm) {
		lay(L, &t->enc_norm_w, 1, d, 0, "transformer.encoder.norm.weight");
		lay(L, &t->enc_norm_b, 1, d, 0, "transformer.encoder.norm.bias");
	}
	for (int l = 0; l < c->n_dec_layers; l++) {
		struct tf_layer *y = &t->dec[l];
		snprintf(p, sizeof p, "transformer.decoder.layers.%d", l);
		lay_mha(L, &y->in_proj_w, &y->in_proj_b, &y->out_w, &y->out_b, d, p, "self_attn");
		lay_mha(L, &y->x_in_proj_w, &y->x_in_proj_b, &y->x_out_w, &y->x_out_b, d, p,
			"multihead_attn");
		lay_ffn_norms(L, y, d, ff, p);
		lay(L, &y->norm3_w, 1, d, 0, "%s.norm3.weight", p);
		lay(L, &y->norm3_b, 1, d, 0, "%s.norm3.bias", p);
	}
	if (c->final_norm) {
		lay(L, &t->dec_norm_w, 1, d, 0, "transformer.decoder.norm.weight");
		lay(L, &t->dec_norm_b, 1, d, 0, "transformer.decoder.norm.bias");
	}
	if (!c->tie_output) {
		lay(L, &t->gen_w, 2, vt, d, "generator.weight");
		lay(L, &t->gen_b, 1, vt, 0, "generator.bias");
	} else if (L->pass == LAY_BIND) {
		t->gen_w = t->tgt_embed;
		t->gen_b = NULL;
	}
}

static void lay_rnn_stack(struct layout *L, struct rnn_layer *layers, const struct config *c,
			  int in0, const char *prefix)
{
	int G = cell_gates(c->cell), H = c->hidden;
	for (int l = 0; l < c->n_layers; l++) {
		int in = l == 0 ? in0 : H;
		lay(L, &layers[l].w_ih, 2, G * H, in, "%s.weight_ih_l%d", prefix, l);
		lay(L, &layers[l].w_hh, 2, G * H, H, "%s.weight_hh_l%d", prefix, l);
		lay(L, &layers[l].b_ih, 1, G * H, 0, "%s.bias_ih_l%d", prefix, l);
		lay(L, &layers[l].b_hh, 1, G * H, 0, "%s.bias_hh_l%d", prefix, l);
	}
}

static void lay_rnn(struct layout *L, const struct config *c, int vs, int vt)
{
	struct rnn_weights *r = &L->w->rnn;
	int E = c->embed_dim, H = c->hidden, A = c->attn_dim;
	lay(L, &r->enc_embed, 2, vs, E, "encoder.embedding.weight");
	lay_rnn_stack(L, r->enc, c, E, "encoder.rnn");
	lay(L, &r->dec_embed, 2, vt, E, "decoder.embedding.weight");
	lay_rnn_stack(L, r->dec, c, E + H, "decoder.rnn");
	if (c->attention == ATTN_ADDITIVE) {
		lay(L, &r->attn_wq, 2, A, H, "decoder.attention.W_q.weight");
		lay(L, &r->attn_wk, 2, A, H, "decoder.attention.W_k.weight");
		lay(L, &r->attn_wv, 2, 1, A, "decoder.attention.w_v.weight");
	}
	lay(L, &r->out_w, 2, vt, H, "decoder.out.weight");
	lay(L, &r->out_b, 1, vt, 0, "decoder.out.bias");
}

static void lay_all(struct layout *L, const struct config *c, int vs, int vt)
{
	switch (c->arch) {
	case ARCH_TRANSFORMER:
		lay_transformer(L, c, vs, vt);
		break;
	case ARCH_RNN_SEQ2SEQ:
		lay_rnn(L, c, vs, vt);
		break;
	case ARCH_SELF_ATTENTION: {
		struct sa_weights *s = &L->w->sa;
		lay(L, &s->x, 2, c->n_tokens, c->d_model, "X");
		lay(L, &s->w_q, 2, c->d_model, c->d_k, "W_q");
		lay(L, &s->w_k, 2, c->d_model, c->d_k, "W_k");
		lay(L, &s->w_v, 2, c->d_model, c->d_k, "W_v");
		break;
	}
	case ARCH_ATTENTION_POOLING: {
		struct pool_weights *p = &L->w->pool;
		lay(L, &p->keys, 1, c->n_keys, 0, "keys");
		lay(L, &p->values, 1, c->n_keys, 0, "values");
		lay(L, &p->queries, 1, c->n_queries, 0, "queries");
		lay(L, &p->w, 1, 1, 0, "w");
		if (c->truth)
			lay(L, &p->truth, 1, c->n_queries, 0, "truth");
		break;
	}
	}
}

/* The config fields whose product made a layout too large, for the message. */
static void describe_sizes(const struct config *c, int vs, int vt, char *buf, size_t n)
{
	switch (c->arch) {
	case ARCH_TRANSFORMER:
		snprintf(buf, n, "d_model %d, dim_feedforward %d, %d + %d layers, vocabularies of %d and %d",
			 c->d_model, c->d_ff, c->n_enc_layers, c->n_dec_layers, vs, vt);
		break;
	case ARCH_RNN_SEQ2SEQ:
		snprintf(buf, n, "embed_dim %d, hidden_size %d, num_layers %d, vocabularies of %d and %d",
			 c->embed_dim, c->hidden, c->n_layers, vs, vt);
		break;
	case ARCH_SELF_ATTENTION:
		snprintf(buf, n, "d_model %d, d_k %d, %d tokens", c->d_model, c->d_k, c->n_tokens);
		break;
	case ARCH_ATTENTION_POOLING:
		snprintf(buf, n, "n_keys %d, n_queries %d", c->n_keys, c->n_queries);
		break;
	}
}

enum status weights_plan(struct weights *w, const struct config *c, int v_src, int v_tgt,
			 const char *cfg_path, struct err *e)
{
	memset(w, 0, sizeof *w);
	struct layout L = {.w = w, .pass = LAY_COUNT};
	lay_all(&L, c, v_src, v_tgt);
	/* Sizes come from an untrusted config: refuse before allocating. */
	if (L.overflow || L.floats > WEIGHTS_MAX_PARAMS) {
		char sizes[256], shape[64];
		describe_sizes(c, v_src, v_tgt, sizes, sizeof sizes);
		if (L.largest_dims[1])
			snprintf(shape, sizeof shape, "%d x %d", L.largest_dims[0], L.largest_dims[1]);
		else
			snprintf(shape, sizeof shape, "%d", L.largest_dims[0]);
		return err_set(e, ST_BADINPUT,
			       "%s: model too large: %s need %zu%s parameters (at most 2^31; "
			       "largest tensor %s [%s])",
			       cfg_path ? cfg_path : "config", sizes, L.floats,
			       L.overflow ? " or more" : "", L.largest_name, shape);
	}
	w->n_params = L.n;
	w->total = L.floats;
	w->params = calloc(L.n ? L.n : 1, sizeof *w->params);
	w->names = malloc(L.name_bytes ? L.name_bytes : 1);
	if (!w->params || !w->names) {
		weights_release(w);
		return err_set(e, ST_NOMEM, "out of memory for the tensor table");
	}
	struct layout D = {.w = w, .pass = LAY_DESCRIBE};
	lay_all(&D, c, v_src, v_tgt);
	return ST_OK;
}

enum status weights_alloc(struct weights *w, const struct config *c, int v_src, int v_tgt,
			  struct err *e)
{
	w->block = calloc(w->total ? w->total : 1, sizeof *w->block);
	if (!w->block) {
		weights_release(w);
		return err_set(e, ST_NOMEM, "out of memory for %zu parameters", w->total);
	}
	struct layout B = {.w = w, .pass = LAY_BIND};
	lay_all(&B, c, v_src, v_tgt);
	return ST_OK;
}

enum status weights_init(struct weights *w, const struct config *c, int v_src, int v_tgt,
			 struct err *e)
{
	enum status st = weights_plan(w, c, v_src, v_tgt, NULL, e);
	return st ? st : weights_alloc(w, c, v_src, v_tgt, e);
}

void weights_release(struct weights *w)
{
	free(w->params);
	free(w->names);
	free(w->block);
	memset(w, 0, sizeof *w);
}

const struct param *weights_find(const struct weights *w, const char *name)
{
	for (size_t i = 0; i < w->n_params; i++)
		if (strcmp(w->params[i].name, name) == 0)
			return &w->params[i];
	return NULL;
}

void weights_zero(struct weights *w)
{
	memset(w->block, 0, w->total * sizeof *w->block);
}

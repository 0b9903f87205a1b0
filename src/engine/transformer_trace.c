/* Copies a Transformer forward pass into the trace under the README's names. */
#include "engine/transformer.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct rec {
	struct trace *tr;
	const struct config *c;
	const struct switches *sw; /* the run's what-if switches, NULL: none */
	const char *const *src, *const *tgt, *const *vocab; /* interned labels */
	int Ts, Tt, V, d, dh;
};

/* trace_put into this recording's trace. */
#define put(r, ...) trace_put((r)->tr, __VA_ARGS__)

static void prov(struct rec *r, struct tensor *t, enum prov_kind k, const char *a, const char *b,
		 const char *c)
{
	tensor_set_prov(r->tr, t, k, a, b, c, NULL, NULL);
}

static void cat(char *dst, size_t n, const char *a, const char *b)
{
	snprintf(dst, n, "%s.%s", a, b);
}

/* A PyTorch Linear weight (out, in) as the x W matrix (in, out) a student writes. */
static struct tensor *put_weight(struct rec *r, const char *name, int out, int in, const float *w,
				 const char *what)
{
	struct tensor *t = trace_add_transposed(r->tr, name, out, in, w, NULL);
	if (t) {
		char desc[200];
		snprintf(desc, sizeof desc, "%s, [%d x %d] (the transpose of PyTorch's [out, in] weight)",
			 what, in, out);
		t->desc = trace_str(r->tr, desc);
		tensor_set_rows(t, "input dim", NULL);
		tensor_set_cols(t, "output dim", NULL);
	}
	return t;
}

static void put_bias(struct rec *r, const char *name, int n, const float *b, const char *what)
{
	struct tensor *t = put(r, name, 1, n, b, "", NULL, "output dim", NULL, "%s", what);
	if (t)
		t->ndim = 1;
}

/* Attention block P; decoder: the decoder's self-attention (masked unless
 * the mask is switched off); off: the heads a what-if run zeroed. */
static void record_mha(struct rec *r, const char *P, const struct attn_acts *a, const float *in_w,
		       const float *in_b, const float *out_w, const float *out_b, int T, int S,
		       const char *const *ql, const char *const *kl, const char *xname, int decoder,
		       int cross, uint64_t off)
{
	int d = r->d, NH = r->c->n_heads, dh = r->dh;
	int causal = decoder && switches_causal(r->sw);
	float scale = switches_scale(r->sw, dh);
	size_t dd = (size_t)d * d;
	char n[160], n2[160], n3[160], n4[160];
	const char *qt = cross ? "target position (query)" : decoder ? "target position" : "position";
	const char *kt = cross ? "source position (key)" : qt;
	struct tensor *t;

	cat(n, sizeof n, P, "x");
	t = put(r, n, T, d, a->x, qt, ql, "dim", NULL,
		"input to the Q projection (%s), [%d x %d]", xname, T, d);
	prov(r, t, PROV_NONE, NULL, NULL, NULL);
	static const char *const qkv[3] = {"q", "k", "v"};
	static const char *const Q[3] = {"W_q", "W_k", "W_v"};
	for (int i = 0; i < 3; i++) {
		char what[80];
		snprintf(what, sizeof what, "%s: rows %d..%d of in_proj_weight", Q[i], i * d,
			 i * d + d - 1);
		snprintf(n, sizeof n, "%s.w_%s", P, qkv[i]);
		put_weight(r, n, d, d, in_w + i * dd, what);
		snprintf(what, sizeof what, "b_%s: in_proj_bias[%d..%d]", qkv[i], i * d, i * d + d - 1);
		snprintf(n, sizeof n, "%s.b_%s", P, qkv[i]);
		put_bias(r, n, d, in_b + i * d, what);
	}
	put_weight(r, (cat(n, sizeof n, P, "w_o"), n), d, d, out_w, "W_o: out_proj.weight");
	put_bias(r, (cat(n, sizeof n, P, "b_o"), n), d, out_b, "b_o: out_proj.bias");

	const float *src[3] = {a->q, a->k, a->v};
	for (int i = 0; i < 3; i++) {
		int rows = i == 0 ? T : S;
		cat(n, sizeof n, P, qkv[i]);
		t = put(r, n, rows, d, src[i], i == 0 ? qt : kt, i == 0 ? ql : kl, "dim (head h: cols h*d_head..)",
			NULL, "%s = %s W_%s + b_%s, [%d x %d]; head h uses columns h*%d .. h*%d+%d",
			qkv[i], i == 0 || !cross ? "x" : "enc.out", qkv[i], qkv[i], rows, d, dh, dh,
			dh - 1);
		snprintf(n2, sizeof n2, "%s.w_%s", P, qkv[i]);
		snprintf(n3, sizeof n3, "%s.b_%s", P, qkv[i]);
		cat(n4, sizeof n4, P, "x");
		prov(r, t, PROV_MATMUL, i == 0 || !cross ? n4 : "enc.out", n2, n3);
	}
	for (int h = 0; h < NH; h++) {
		size_t soff = (size_t)h * T * S;
		snprintf(n, sizeof n, "%s.h%d.scores", P, h);
		char how[160];
		if (scale == 1.0f / sqrtf((float)dh))
			snprintf(how, sizeof how, "scores = Q_h K_hᵀ / √d_k (d_k = %d)", dh);
		else
			snprintf(how, sizeof how,
				 "scores = Q_h K_hᵀ without the 1/√d_k (what-if: scale off; d_k = %d)", dh);
		t = put(r, n, T, S, a->scores + soff, qt, ql, kt, kl, "%s%s, before softmax; rows: %s; cols: %s",
			how, causal ? ", future positions masked to -inf"
			     : decoder ? ", no causal mask (what-if: mask off)" : "", qt, kt);
		if (t) {
			cat(n2, sizeof n2, P, "q");
			cat(n3, sizeof n3, P, "k");
			prov(r, t, PROV_SCORES, n2, n3, NULL);
			t->prov.off = h * dh;
			t->prov.len = dh;
			t->prov.scale = scale;
		}
		snprintf(n2, sizeof n2, "%s.h%d.weights", P, h);
		t = put(r, n2, T, S, a->weights + soff, qt, ql, kt, kl,
			"attention weights = softmax(scores) per row (head %d); each row sums to 1", h);
		prov(r, t, PROV_SOFTMAX, n, NULL, NULL);
		snprintf(n, sizeof n, "%s.h%d.out", P, h);
		int zeroed = h < 64 && (off >> h & 1);
		t = put(r, n, T, dh, NULL, qt, ql, "dim", NULL,
			"head %d output = weights V_h, [%d x %d]·[%d x %d]%s", h, T, S, S, dh,
			zeroed ? "; switched off (what-if): W_o gets zeros instead" : "");
		if (t) {
			for (int i = 0; i < T; i++)
				memcpy(t->data + (size_t)i * dh, a->heads + (size_t)i * d + h * dh,
				       (size_t)dh * sizeof(float));
			cat(n3, sizeof n3, P, "v");
			prov(r, t, PROV_WSUM, n2, n3, NULL);
			t->prov.off = h * dh;
		}
	}
	cat(n, sizeof n, P, "weights_avg");
	t = put(r, n, T, S, NULL, qt, ql, kt, kl, "attention weights averaged over the %d heads", NH);
	if (t)
		for (size_t i = 0; i < (size_t)T * S; i++) {
			float s = 0;
			for (int h = 0; h < NH; h++)
				s += a->weights[(size_t)h * T * S + i];
			t->data[i] = s / NH;
		}
	cat(n, sizeof n, P, "concat");
	char offs[200] = "";
	for (int h = 0; h < NH && h < 64; h++)
		if (off >> h & 1)
			snprintf(offs + strlen(offs), sizeof offs - strlen(offs), "%s%d",
				 offs[0] ? ", " : "; heads switched off (what-if), their columns zero: ", h);
	put(r, n, T, d, a->concat, qt, ql, "dim", NULL,
	    "Concat(head_0 .. head_%d): the heads' outputs side by side, [%d x %d]%s", NH - 1, T, d,
	    offs);
	cat(n, sizeof n, P, "out");
	t = put(r, n, T, d, a->out, qt, ql, "dim", NULL, "attention output = Concat W_o + b_o, [%d x %d]",
		T, d);
	cat(n2, sizeof n2, P, "concat");
	cat(n3, sizeof n3, P, "w_o");
	cat(n4, sizeof n4, P, "b_o");
	prov(r, t, PROV_MATMUL, n2, n3, n4);
}

static void record_ln(struct rec *r, const char *name, const struct ln_acts *l, const float *w,
		      const float *b, const char *in, int T, const char *const *rl, const char *rt)
{
	char n[160], n2[160];
	snprintf(n, sizeof n, "%s.w", name);
	put_bias(r, n, r->d, w, "LayerNorm gain γ");
	snprintf(n2, sizeof n2, "%s.b", name);
	put_bias(r, n2, r->d, b, "LayerNorm bias β");
	struct tensor *t = put(r, name, T, r->d, l->out, rt, rl, "dim", NULL,
			       "LayerNorm(%s) = (x - mean) / √(var + ε) · γ + β, per row", in);
	if (t) {
		tensor_set_prov(r->tr, t, PROV_LAYERNORM, in, n, n2, NULL, NULL);
		t->prov.scale = r->c->layer_norm_eps;
	}
}

static void record_add(struct rec *r, const char *name, const float *x, const char *a,
		       const char *b, int T, const char *const *rl, const char *rt)
{
	struct tensor *t = put(r, name, T, r->d, x, rt, rl, "dim", NULL,
			       "residual: %s + %s", a, b);
	prov(r, t, PROV_ADD, a, b, NULL);
}

static void record_ffn(struct rec *r, const char *P, const struct ffn_acts *f,
		       const struct tf_layer *w, const char *xname, int T, const char *const *rl,
		       const char *rt)
{
	int d = r->d, ff = r->c->d_ff;
	char n[160], a[160], b[160], c[160];
	struct tensor *t;
	snprintf(n, sizeof n, "%s.x", P);
	t = put(r, n, T, d, f->x, rt, rl, "dim", NULL, "FFN input (%s)", xname);
	snprintf(n, sizeof n, "%s.w1", P);
	put_weight(r, n, ff, d, w->lin1_w, "W_1: linear1.weight");
	snprintf(n, sizeof n, "%s.b1", P);
	put_bias(r, n, ff, w->lin1_b, "b_1: linear1.bias");
	snprintf(n, sizeof n, "%s.w2", P);
	put_weight(r, n, d, ff, w->lin2_w, "W_2: linear2.weight");
	snprintf(n, sizeof n, "%s.b2", P);
	put_bias(r, n, d, w->lin2_b, "b_2: linear2.bias");
	snprintf(n, sizeof n, "%s.pre", P);
	t = put(r, n, T, ff, f->pre, rt, rl, "hidden unit", NULL, "x W_1 + b_1, [%d x %d]", T, ff);
	snprintf(a, sizeof a, "%s.x", P);
	snprintf(b, sizeof b, "%s.w1", P);
	snprintf(c, sizeof c, "%s.b1", P);
	prov(r, t, PROV_MATMUL, a, b, c);
	snprintf(a, sizeof a, "%s.hidden", P);
	int gelu = r->c->activation == ACT_GELU;
	t = put(r, a, T, ff, f->hidden, rt, rl, "hidden unit", NULL, "%s(x W_1 + b_1)",
		gelu ? "GELU" : "ReLU");
	prov(r, t, gelu ? PROV_GELU : PROV_RELU, n, NULL, NULL);
	snprintf(n, sizeof n, "%s.out", P);
	t = put(r, n, T, d, f->out, rt, rl, "dim", NULL, "FFN(x) = act(x W_1 + b_1) W_2 + b_2, [%d x %d]",
		T, d);
	snprintf(b, sizeof b, "%s.w2", P);
	snprintf(c, sizeof c, "%s.b2", P);
	prov(r, t, PROV_MATMUL, a, b, c);
}

static void record_layer(struct rec *r, const char *pre, int l, const struct tf_layer_acts *y,
			 const struct tf_layer *w, int decoder, const char *in_name)
{
	int T = decoder ? r->Tt : r->Ts;
	const char *const *rl = decoder ? r->tgt : r->src;
	const char *rt = decoder ? "target position" : "position";
	int pn = r->c->norm_first;
	char P[64], n[160], a[160], b[160];
	snprintf(P, sizeof P, "%s.%d", pre, l);
#define NM(buf, suffix) (snprintf(buf, sizeof buf, "%s.%s", P, suffix), buf)
	char n1[160], n2[160], n3[160], a1[160], a2[160], a3[160];
	NM(n1, "norm1");
	NM(n2, "norm2");
	NM(n3, "norm3");
	NM(a1, "add1");
	NM(a2, "add2");
	NM(a3, "add3");
	snprintf(n, sizeof n, "%s.self_attn", P);
	record_mha(r, n, &y->sa, w->in_proj_w, w->in_proj_b, w->out_w, w->out_b, T, T, rl, rl,
		   pn ? n1 : in_name, decoder, 0,
		   switches_heads_off(r->sw, decoder ? HB_DEC_SELF : HB_ENC_SELF, l));
	NM(b, "self_attn.out");
	if (pn) {
		record_ln(r, n1, &y->ln1, w->norm1_w, w->norm1_b, in_name, T, rl, rt);
		record_add(r, a1, y->add1, in_name, b, T, rl, rt);
	} else {
		record_add(r, a1, y->add1, in_name, b, T, rl, rt);
		record_ln(r, n1, &y->ln1, w->norm1_w, w->norm1_b, a1, T, rl, rt);
	}
	const char *resid = pn ? a1 : n1; /* what the next residual adds to */
	if (decoder) {
		snprintf(n, sizeof n, "%s.cross_attn", P);
		if (pn)
			record_ln(r, n2, &y->ln2, w->norm2_w, w->norm2_b, a1, T, rl, rt);
		record_mha(r, n, &y->ca, w->x_in_proj_w, w->x_in_proj_b, w->x_out_w, w->x_out_b, T,
			   r->Ts, rl, r->src, pn ? n2 : n1, 0, 1, switches_heads_off(r->sw, HB_DEC_CROSS, l));
		NM(b, "cross_attn.out");
		record_add(r, a2, y->add2, resid, b, T, rl, rt);
		if (!pn)
			record_ln(r, n2, &y->ln2, w->norm2_w, w->norm2_b, a2, T, rl, rt);
		resid = pn ? a2 : n2;
	}
	const char *ffn_norm = decoder ? n3 : n2, *ffn_add = decoder ? a3 : a2;
	const struct ln_acts *fl = decoder ? &y->ln3 : &y->ln2;
	const float *fw = decoder ? w->norm3_w : w->norm2_w, *fb = decoder ? w->norm3_b : w->norm2_b;
	if (pn)
		record_ln(r, ffn_norm, fl, fw, fb, resid, T, rl, rt);
	NM(a, "ffn");
	record_ffn(r, a, &y->ffn, w, pn ? ffn_norm : resid, T, rl, rt);
	NM(b, "ffn.out");
	record_add(r, ffn_add, decoder ? y->add3 : y->add2, resid, b, T, rl, rt);
	if (!pn)
		record_ln(r, ffn_norm, fl, fw, fb, ffn_add, T, rl, rt);
	NM(n, "out");
	struct tensor *t = put(r, n, T, r->d, y->out, rt, rl, "dim", NULL,
			       "output of %s layer %d (= %s)", decoder ? "decoder" : "encoder", l,
			       pn ? ffn_add : ffn_norm);
	prov(r, t, PROV_NONE, NULL, NULL, NULL);
#undef NM
}

static void record_side(struct rec *r, const char *side, const int *ids, const float *table,
			int V, const char *const *vocab, const float *pos, const float *input, int T,
			const char *const *lab)
{
	const struct config *c = r->c;
	int d = r->d;
	char n[64], e[64], p[64], tb[64];
	snprintf(tb, sizeof tb, "%s.embed.table", side);
	put(r, tb, V, d, table, "token", vocab, "dim", NULL,
	    "the embedding table %s_embed.weight, one row per vocabulary token, [%d x %d]", side, V, d);
	struct tensor *t = put(r, (snprintf(n, sizeof n, "%s.tokens", side), n), 1, T, NULL, "",
			       NULL, "token", lab, "token ids of the %s sequence", strcmp(side, "src") ? "target (decoder input)" : "source");
	if (t) {
		t->ndim = 1;
		t->integer = 1;
		for (int i = 0; i < T; i++)
			t->data[i] = (float)ids[i];
	}
	snprintf(e, sizeof e, "%s.embed", side);
	t = put(r, e, T, d, NULL, "position", lab, "dim", NULL,
		"embedding rows E[id] of %s_embed.weight, [%d x %d]", side, T, d);
	if (t)
		for (int i = 0; i < T; i++)
			memcpy(t->data + (size_t)i * d, table + (size_t)ids[i] * d, (size_t)d * sizeof(float));
	prov(r, t, PROV_LOOKUP, tb, n, NULL);
	snprintf(p, sizeof p, "%s.pos", side);
	int on = switches_positions(r->sw);
	t = put(r, p, T, d, pos, "position", lab, "dim", NULL,
		!on ? "%s positions switched off (what-if: positions off): all zeros, so the input "
		      "carries no word order"
		: c->positional == POS_LEARNED
			? "learned positions: rows of %s_pos.weight"
			: "%s positions: p[i,2j] = sin(i/10000^(2j/d)), p[i,2j+1] = cos(i/10000^(2j/d))",
		side);
	prov(r, t, on && c->positional != POS_LEARNED ? PROV_SINUSOID : PROV_NONE, NULL, NULL, NULL);
	snprintf(n, sizeof n, "%s.input", side);
	t = put(r, n, T, d, input, "position", lab, "dim", NULL, "embed × %s + pos",
		c->embed_scale_sqrt ? "√d_model" : "1");
	if (t) {
		prov(r, t, PROV_EMBED_POS, e, p, NULL);
		t->prov.scale = c->embed_scale_sqrt ? sqrtf((float)d) : 1.0f;
	}
}

void tf_record(const struct config *c, const struct weights *w, const struct tf_acts *a,
	       int v_src, int v_tgt, const char *const *src_labels, const char *const *tgt_labels,
	       const char *const *src_vocab, const char *const *vocab, struct trace *tr)
{
	struct rec r = {tr, c, a->sw, NULL, NULL, NULL, a->Ts, a->Tt, v_tgt, c->d_model,
			c->d_model / c->n_heads};
	r.src = trace_labels(tr, a->Ts, src_labels);
	r.tgt = trace_labels(tr, a->Tt, tgt_labels);
	r.vocab = trace_labels(tr, v_tgt, vocab);
	const struct tf_weights *t = &w->tf;
	record_side(&r, "src", a->src_ids, t->src_embed, v_src, trace_labels(tr, v_src, src_vocab),
		    a->src_pos, a->src_in, a->Ts, r.src);
	const char *in = "src.input";
	char buf[2][64];
	for (int l = 0; l < c->n_enc_layers; l++) {
		record_layer(&r, "enc", l, &a->enc[l], &t->enc[l], 0, in);
		snprintf(buf[l % 2], sizeof buf[0], "enc.%d.out", l);
		in = buf[l % 2];
	}
	struct tensor *x;
	if (c->final_norm) {
		record_ln(&r, "enc.norm", &a->enc_norm, t->enc_norm_w, t->enc_norm_b, in, a->Ts, r.src,
			  "position");
		in = "enc.norm";
	}
	x = put(&r, "enc.out", a->Ts, r.d, a->memory, "position", r.src, "dim", NULL,
		"encoder output (the memory the decoder attends to) = %s", in);
	prov(&r, x, PROV_NONE, NULL, NULL, NULL);

	record_side(&r, "tgt", a->tgt_ids, t->tgt_embed, v_tgt, r.vocab, a->tgt_pos, a->tgt_in,
		    a->Tt, r.tgt);
	in = "tgt.input";
	for (int l = 0; l < c->n_dec_layers; l++) {
		record_layer(&r, "dec", l, &a->dec[l], &t->dec[l], 1, in);
		snprintf(buf[l % 2], sizeof buf[0], "dec.%d.out", l);
		in = buf[l % 2];
	}
	if (c->final_norm) {
		record_ln(&r, "dec.norm", &a->dec_norm, t->dec_norm_w, t->dec_norm_b, in, a->Tt,
			  r.tgt, "target position");
		in = "dec.norm";
	}
	x = put(&r, "dec.out", a->Tt, r.d, a->dec_out, "target position", r.tgt, "dim", NULL,
		"decoder output = %s", in);
	prov(&r, x, PROV_NONE, NULL, NULL, NULL);
	x = trace_add_transposed(tr, "generator.w", v_tgt, r.d, t->gen_w,
				 c->tie_output ? "output projection: tgt_embed.weightᵀ (tied)"
					       : "output projection: generator.weightᵀ");
	tensor_set_rows(x, "dim", NULL);
	tensor_set_cols(x, "token", r.vocab);
	if (t->gen_b) {
		x = put(&r, "generator.b", 1, v_tgt, t->gen_b, "", NULL, "token", r.vocab,
			"output bias: generator.bias");
		if (x)
			x->ndim = 1;
	}
	x = put(&r, "logits", a->Tt, v_tgt, a->logits, "target position", r.tgt, "next token",
		r.vocab, "logits = dec.out W_out + b, [%d x %d]; row t scores the token after position t",
		a->Tt, v_tgt);
	prov(&r, x, PROV_MATMUL, "dec.out", "generator.w", t->gen_b ? "generator.b" : NULL);
	switches_record_probs(tr, a->sw, a->Tt, v_tgt, a->probs, "target position", r.tgt, r.vocab);
}

/* Copies a recurrent seq2seq forward pass into the trace (README names). */
#include "engine/rnn.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

struct rec {
	struct trace *tr;
	const struct config *c;
	const char *const *src, *const *tgt, *const *vocab, *const *svocab;
};

/* trace_put into this recording's trace. */
#define put(r, ...) trace_put((r)->tr, __VA_ARGS__)

static void put_weight(struct rec *r, const char *name, int out, int in, const float *w,
		       const char *what)
{
	char desc[200];
	snprintf(desc, sizeof desc, "%s, [%d x %d] (transpose of PyTorch's [out, in])", what, in, out);
	struct tensor *t = trace_add_transposed(r->tr, name, out, in, w, desc);
	tensor_set_rows(t, "input dim", NULL);
	tensor_set_cols(t, "output unit", NULL);
}

static const char *const lstm_gates[] = {"i", "f", "g", "o"};
static const char *const gru_gates[] = {"r", "z", "n"};
static const char *const lstm_what[] = {
	"input gate I_t = σ(X_t W_xi + H_{t-1} W_hi + b_i)",
	"forget gate F_t = σ(X_t W_xf + H_{t-1} W_hf + b_f)",
	"candidate memory C̃_t = tanh(X_t W_xc + H_{t-1} W_hc + b_c)",
	"output gate O_t = σ(X_t W_xo + H_{t-1} W_ho + b_o)"};
static const char *const gru_what[] = {
	"reset gate R_t = σ(X_t W_xr + H_{t-1} W_hr + b_r)",
	"update gate Z_t = σ(X_t W_xz + H_{t-1} W_hz + b_z)",
	"candidate state H̃_t = tanh(X_t W_xh + R_t ⊙ (H_{t-1} W_hh + b_hh) + b_xh)"};

static void record_stack(struct rec *r, const char *side, const struct rnn_layer_acts *acts,
			 const struct rnn_layer *W, int T, const char *const *rl, const char *rt,
			 int in0)
{
	const struct config *c = r->c;
	int H = c->hidden, G = cell_gates(c->cell);
	for (int l = 0; l < c->n_layers; l++) {
		const struct rnn_layer_acts *y = &acts[l];
		int in = l ? H : in0;
		char P[48], n[96], x[96], wih[96], whh[96], bih[96], hn[96], cn[96];
		snprintf(P, sizeof P, "%s.l%d", side, l);
		snprintf(x, sizeof x, "%s.x", P);
		put(r, x, T, in, y->x, rt, rl, "dim", NULL, "input sequence of layer %d, [%d x %d]", l, T,
		    in);
		snprintf(wih, sizeof wih, "%s.w_ih", P);
		put_weight(r, wih, G * H, in, W[l].w_ih, "input weights weight_ih (gates side by side)");
		snprintf(whh, sizeof whh, "%s.w_hh", P);
		put_weight(r, whh, G * H, H, W[l].w_hh, "recurrent weights weight_hh");
		snprintf(bih, sizeof bih, "%s.b_ih", P);
		put(r, bih, 1, G * H, W[l].b_ih, "", NULL, "output unit", NULL, "bias_ih");
		snprintf(n, sizeof n, "%s.b_hh", P);
		put(r, n, 1, G * H, W[l].b_hh, "", NULL, "output unit", NULL, "bias_hh");
		snprintf(hn, sizeof hn, "%s.h", P);
		snprintf(cn, sizeof cn, "%s.c", P);
		snprintf(n, sizeof n, "%s.h0", P);
		put(r, n, 1, H, y->h0, "", NULL, "unit", NULL, "initial hidden state H_0%s",
		    strcmp(side, "dec") ? " (zeros)" : " = the encoder's final state");
		if (c->cell == CELL_LSTM) {
			snprintf(n, sizeof n, "%s.c0", P);
			put(r, n, 1, H, y->c0, "", NULL, "unit", NULL, "initial memory cell C_0");
		}
		struct tensor *t;
		char gn[4][96];
		for (int g = 0; c->cell != CELL_RNN && g < G; g++) {
			const char *name = c->cell == CELL_LSTM ? lstm_gates[g] : gru_gates[g];
			snprintf(gn[g], sizeof gn[g], "%s.gate.%s", P, name);
			t = put(r, gn[g], T, H, NULL, "time step", rl, "unit", NULL, "%s",
				c->cell == CELL_LSTM ? lstm_what[g] : gru_what[g]);
			if (!t)
				continue;
			for (int s = 0; s < T; s++)
				memcpy(t->data + (size_t)s * H, y->cache + (size_t)s * 4 * H + (size_t)g * H,
				       (size_t)H * sizeof(float));
			tensor_set_prov(r->tr, t, PROV_GATE, x, wih, hn, whh, bih);
			t->prov.off = g * H;
			t->prov.len = (c->cell == CELL_LSTM && g == 2) || (c->cell == CELL_GRU && g == 2);
		}
		char h0n[96], c0n[96];
		snprintf(h0n, sizeof h0n, "%s.h0", P);
		snprintf(c0n, sizeof c0n, "%s.c0", P);
		if (c->cell == CELL_LSTM) {
			t = put(r, cn, T, H, y->c, "time step", rl, "unit", NULL,
				"memory cell C_t = F_t ⊙ C_{t-1} + I_t ⊙ C̃_t");
			tensor_set_prov(r->tr, t, PROV_LSTM_C, gn[1], gn[0], gn[2], cn, c0n);
			t = put(r, hn, T, H, y->h, "time step", rl, "unit", NULL,
				"hidden state H_t = O_t ⊙ tanh(C_t)");
			tensor_set_prov(r->tr, t, PROV_LSTM_H, gn[3], cn, NULL, NULL, NULL);
		} else if (c->cell == CELL_GRU) {
			t = put(r, hn, T, H, y->h, "time step", rl, "unit", NULL,
				"hidden state H_t = Z_t ⊙ H_{t-1} + (1 - Z_t) ⊙ H̃_t");
			tensor_set_prov(r->tr, t, PROV_GRU_H, gn[1], gn[2], hn, h0n, NULL);
		} else {
			t = put(r, hn, T, H, y->h, "time step", rl, "unit", NULL,
				"hidden state H_t = tanh(X_t W_xh + H_{t-1} W_hh + b_h)");
			tensor_set_prov(r->tr, t, PROV_GATE, x, wih, hn, whh, bih);
			if (t)
				t->prov.len = 1;
		}
	}
}

static void record_tokens(struct rec *r, const char *side, const int *ids, const float *emb,
			  const float *table, int V, const char *const *vocab, int T, int E,
			  const char *const *lab)
{
	char n[64], e[64], tb[64];
	snprintf(tb, sizeof tb, "%s.embed.table", side);
	put(r, tb, V, E, table, "token", vocab, "dim", NULL,
	    "the embedding table (%s.embedding.weight), one row per vocabulary token, [%d x %d]",
	    strcmp(side, "src") ? "decoder" : "encoder", V, E);
	snprintf(n, sizeof n, "%s.tokens", side);
	struct tensor *t = put(r, n, 1, T, NULL, "", NULL, "token", lab, "token ids of the %s sequence", strcmp(side, "src") ? "target (decoder input)" : "source");
	if (t) {
		t->integer = 1;
		for (int i = 0; i < T; i++)
			t->data[i] = (float)ids[i];
	}
	snprintf(e, sizeof e, "%s.embed", side);
	t = put(r, e, T, E, emb, "position", lab, "dim", NULL, "embedding rows E[id], [%d x %d]", T, E);
	tensor_set_prov(r->tr, t, PROV_LOOKUP, tb, n, NULL, NULL, NULL);
}

void rnn_record(const struct config *c, const struct weights *w, const struct rnn_acts *a,
		int v_src, int v_tgt, const char *const *src_labels, const char *const *tgt_labels,
		const char *const *src_vocab, const char *const *vocab, struct trace *tr)
{
	const struct rnn_weights *W = &w->rnn;
	struct rec r = {tr, c, NULL, NULL, NULL, NULL};
	int Ts = a->Ts, Tt = a->Tt, E = c->embed_dim, H = c->hidden, A = c->attn_dim;
	int L = c->n_layers, vs = v_src;
	r.src = trace_labels(tr, Ts, src_labels);
	r.tgt = trace_labels(tr, Tt, tgt_labels);
	r.vocab = trace_labels(tr, v_tgt, vocab);
	r.svocab = trace_labels(tr, vs, src_vocab);
	record_tokens(&r, "src", a->src_ids, a->src_emb, W->enc_embed, vs, r.svocab, Ts, E, r.src);
	record_stack(&r, "enc", a->enc, W->enc, Ts, r.src, "time step", E);
	char top[64];
	snprintf(top, sizeof top, "enc.l%d.h", L - 1);
	put(&r, "enc.out", Ts, H, a->enc[L - 1].h, "source position", r.src, "unit", NULL,
	    "encoder outputs (top layer hidden states) = the keys and values of attention");
	record_tokens(&r, "tgt", a->tgt_ids, a->tgt_emb, W->dec_embed, v_tgt, r.vocab, Tt, E, r.tgt);
	struct tensor *t;
	t = put(&r, "dec.query", Tt, H, a->query, "decoder step", r.tgt, "unit", NULL,
		"query: the decoder's top hidden state before this step");
	if (c->attention == ATTN_NONE) {
		t = put(&r, "dec.context", Tt, H, a->context, "decoder step", r.tgt, "unit", NULL,
			"fixed context: the encoder's final top-layer hidden state, the same every step");
	} else {
		float dot_scale = rnn_dot_scale(c, a->sw);
		const char *how = c->attention == ATTN_ADDITIVE
					  ? "additive: w_v · tanh(W_q q + W_k k_j)"
				  : c->attention == ATTN_DOT ? "dot product: q · k_j"
				  : dot_scale == 1.0f
					  ? "scaled dot product without the 1/√hidden (what-if: scale off): q · k_j"
					  : "scaled dot product: q · k_j / √hidden";
		if (c->attention == ATTN_ADDITIVE) {
			put_weight(&r, "dec.attn.w_q", A, H, W->attn_wq, "W_q: attention.W_q.weight");
			put_weight(&r, "dec.attn.w_k", A, H, W->attn_wk, "W_k: attention.W_k.weight");
			put(&r, "dec.attn.w_v", 1, A, W->attn_wv, "", NULL, "unit", NULL,
			    "w_v: attention.w_v.weight");
			t = put(&r, "dec.attn.qproj", Tt, A, a->qproj, "decoder step", r.tgt, "unit",
				NULL, "W_q q for each step's query");
			tensor_set_prov(tr, t, PROV_MATMUL, "dec.query", "dec.attn.w_q", NULL, NULL, NULL);
			t = put(&r, "dec.attn.kproj", Ts, A, a->kproj, "source position", r.src, "unit",
				NULL, "W_k k_j for each encoder output");
			tensor_set_prov(tr, t, PROV_MATMUL, "enc.out", "dec.attn.w_k", NULL, NULL, NULL);
		}
		t = put(&r, "dec.attn.scores", Tt, Ts, a->scores, "target step", r.tgt, "source token",
			r.src, "alignment scores, %s", how);
		if (t) {
			if (c->attention == ATTN_ADDITIVE) {
				tensor_set_prov(tr, t, PROV_ADDITIVE, "dec.attn.qproj", "dec.attn.kproj",
						"dec.attn.w_v", NULL, NULL);
			} else {
				tensor_set_prov(tr, t, PROV_SCORES, "dec.query", "enc.out", NULL, NULL, NULL);
				t->prov.len = H;
				t->prov.scale = dot_scale;
			}
		}
		t = put(&r, "dec.attn.weights", Tt, Ts, a->weights, "target step", r.tgt,
			"source token", r.src, "alignment: softmax of the scores per row");
		tensor_set_prov(tr, t, PROV_SOFTMAX, "dec.attn.scores", NULL, NULL, NULL, NULL);
		t = put(&r, "dec.context", Tt, H, a->context, "decoder step", r.tgt, "unit", NULL,
			"context c_t = Σ_j α_tj enc_j");
		tensor_set_prov(tr, t, PROV_WSUM, "dec.attn.weights", "enc.out", NULL, NULL, NULL);
	}
	(void)top;
	put(&r, "dec.x", Tt, E + H, a->dec_x, "decoder step", r.tgt, "dim", NULL,
	    "decoder input [embedding(y_{t-1}) ; context_t], [%d x %d]", Tt, E + H);
	record_stack(&r, "dec", a->dec, W->dec, Tt, r.tgt, "decoder step", E + H);
	char hn[64];
	snprintf(hn, sizeof hn, "dec.l%d.h", L - 1);
	put_weight(&r, "dec.out.w", v_tgt, H, W->out_w, "output projection decoder.out.weight");
	tensor_set_cols(trace_get_mut(tr, "dec.out.w"), "token", r.vocab);
	put(&r, "dec.out.b", 1, v_tgt, W->out_b, "", NULL, "token", r.vocab, "decoder.out.bias");
	t = put(&r, "logits", Tt, v_tgt, a->logits, "decoder step", r.tgt, "next token", r.vocab,
		"logits = H_t W_out + b, [%d x %d]", Tt, v_tgt);
	tensor_set_prov(tr, t, PROV_MATMUL, hn, "dec.out.w", "dec.out.b", NULL, NULL);
	switches_record_probs(tr, a->sw, Tt, v_tgt, a->probs, "decoder step", r.tgt, r.vocab);
}

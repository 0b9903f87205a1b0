/* Numerical kernels, llm.c style: kernel_forward(out, cache.., in, params.., dims).
 * Row-major everywhere; weights in PyTorch layout ([out, in]) unless noted.
 * Each BLAS path has a naive reference (suffix _naive) tested to agree. */
#ifndef SEQSTEP_OPS_H
#define SEQSTEP_OPS_H

#include <stddef.h>

/* out (T, OC) = in (T, C) · weightᵀ (weight (OC, C)) + bias (OC, may be NULL).
 * T == 1 goes through gemv, which is several times faster than gemm at M = 1. */
void matmul_forward(float *out, const float *in, const float *weight, const float *bias,
		    int T, int C, int OC);
void matmul_forward_naive(float *out, const float *in, const float *weight, const float *bias,
			  int T, int C, int OC);

/* out (T, C) = (in - mean) * rstd * w + b per row; mean, rstd (T) kept for backward (may be NULL). */
void layernorm_forward(float *out, float *mean, float *rstd, const float *in, const float *w,
		       const float *b, int T, int C, float eps);

/* Row-wise softmax of (R, C); -inf entries get weight 0; a row that is all
 * -inf becomes all zeros rather than NaN. In place allowed. */
void softmax_forward(float *out, const float *in, int R, int C);
/* softmax(in / temp) per row; temp 1 is softmax_forward exactly. */
void softmax_temperature(float *out, const float *in, int R, int C, float temp);

/* Multi-head scaled dot-product attention on projected q (T, C), k, v (S, C):
 * for head h (columns h·dh .. h·dh+dh-1): scores = q_h k_hᵀ · scale (the model's
 * 1/√dh, or 1 for a what-if run without it), masked cells (causal: s > t) =
 * -inf; weights = softmax(scores); out_h = weights v_h.
 * scores, weights: (NH, T, S); out: (T, C) heads side by side (the concat). */
void attention_forward(float *out, float *scores, float *weights, const float *q,
		       const float *k, const float *v, int T, int S, int C, int NH, int causal,
		       float scale);
void attention_forward_naive(float *out, float *scores, float *weights, const float *q,
			     const float *k, const float *v, int T, int S, int C, int NH,
			     int causal, float scale);

void relu_forward(float *out, const float *in, size_t n);
/* Exact GELU: x Φ(x) = x (1 + erf(x/√2)) / 2, as torch's default. */
void gelu_forward(float *out, const float *in, size_t n);
void add_forward(float *out, const float *a, const float *b, size_t n);

/* out (T, C) = table[ids[t]] * scale + (pos ? pos[t] : 0). */
void embed_forward(float *out, const int *ids, const float *table, const float *pos,
		   float scale, int T, int C);
/* p[i,2j] = sin(i / 10000^(2j/C)), p[i,2j+1] = cos(i / 10000^(2j/C)); (T, C). */
void sinusoid_fill(float *p, int T, int C);

static inline float sigmoidf(float x)
{
	return 1.0f / (1.0f + __builtin_expf(-x));
}

/* Recurrent cells (PyTorch semantics). gx = W_ih x + b_ih (G·H) precomputed
 * for the step; h_prev (H); w_hh (G·H, H); b_hh (G·H).
 * cache holds what backward needs: LSTM (4H) i,f,g,o after activation;
 * GRU (4H) r,z,n and W_hn h + b_hn; RNN (0). c/c_prev are LSTM only. */
int cell_cache_width(int cell, int H);
void cell_step_forward(int cell, float *h, float *c, float *cache, const float *gx,
		       const float *h_prev, const float *c_prev, const float *w_hh,
		       const float *b_hh, int H, float *scratch /* (G·H) */);

/* Additive attention scores: out[t, s] = Σ_a w_v[a] tanh(qp[t, a] + kp[s, a]). */
void additive_scores_forward(float *out, const float *qp, const float *kp, const float *w_v,
			     int T, int S, int A);

#endif

/* Backward kernels, llm.c style: kernel_backward(din, dparams.., dout, cache/inputs.., dims).
 * Every gradient output is ACCUMULATED (+=), so a tensor read by two
 * consumers (residual branches, K and V from one input, the tied output
 * projection) just receives both contributions; callers zero gradient storage
 * once before a backward pass. Any output pointer documented "may be NULL" is
 * skipped. Exceptions (written, not accumulated) are marked "written": they
 * are per-call intermediates that have exactly one consumer.
 * Row-major everywhere; weights in PyTorch layout ([out, in]) as in ops.h.
 * Each BLAS path has a naive reference (suffix _naive) tested to agree. */
#ifndef SEQSTEP_OPS_GRAD_H
#define SEQSTEP_OPS_GRAD_H

#include <stddef.h>

/* Backward of out = in · weightᵀ + bias (matmul_forward).
 * din (T, C) += dout · weight; dweight (OC, C) += doutᵀ · in; dbias (OC) += Σ_t dout.
 * din, dweight, dbias may be NULL. T == 1 uses gemv / ger. */
void matmul_backward(float *din /* (T, C) */, float *dweight /* (OC, C) */,
		     float *dbias /* (OC) */, const float *dout /* (T, OC) */,
		     const float *in /* (T, C) */, const float *weight /* (OC, C) */, int T, int C,
		     int OC);
void matmul_backward_naive(float *din /* (T, C) */, float *dweight /* (OC, C) */,
			   float *dbias /* (OC) */, const float *dout /* (T, OC) */,
			   const float *in /* (T, C) */, const float *weight /* (OC, C) */, int T,
			   int C, int OC);

/* Backward of layernorm_forward; mean, rstd (T) are the forward's. dw, db may be NULL. */
void layernorm_backward(float *din /* (T, C) */, float *dw /* (C) */, float *db /* (C) */,
			const float *dout /* (T, C) */, const float *in /* (T, C) */,
			const float *w /* (C) */, const float *mean /* (T) */,
			const float *rstd /* (T) */, int T, int C);

/* Backward of a row-wise softmax given its output y:
 * din += y ⊙ (dout - Σ_c dout ⊙ y). Cells with y = 0 (-inf inputs) get 0. */
void softmax_backward(float *din /* (R, C) */, const float *dout /* (R, C) */,
		      const float *out /* (R, C) */, int R, int C);

/* Backward of attention_forward (multi-head, scale 1/√dh) from its saved
 * weights. Masked cells (causal, or any -inf score) have weight 0 and so get
 * exactly zero gradient; no mask argument is needed.
 * dscores, dweights (NH, T, S) are written: d loss / d scores and / d weights. */
void attention_backward(float *dq /* (T, C) */, float *dk /* (S, C) */, float *dv /* (S, C) */,
			float *dscores /* (NH, T, S) */, float *dweights /* (NH, T, S) */,
			const float *dout /* (T, C) */, const float *q /* (T, C) */,
			const float *k /* (S, C) */, const float *v /* (S, C) */,
			const float *weights /* (NH, T, S) */, int T, int S, int C, int NH);
void attention_backward_naive(float *dq /* (T, C) */, float *dk /* (S, C) */,
			      float *dv /* (S, C) */, float *dscores /* (NH, T, S) */,
			      float *dweights /* (NH, T, S) */, const float *dout /* (T, C) */,
			      const float *q /* (T, C) */, const float *k /* (S, C) */,
			      const float *v /* (S, C) */, const float *weights /* (NH, T, S) */,
			      int T, int S, int C, int NH);

/* Single-head dot-product attention with any scale (the RNN decoder's dot:
 * scale 1, scaled_dot: 1/√H): scores = scale · q kᵀ, weights = softmax,
 * out = weights v. dk and dv may be the same buffer (keys = values).
 * dscores, dweights (T, S) written. */
void dot_attention_backward(float *dq /* (T, C) */, float *dk /* (S, C) */,
			    float *dv /* (S, C) */, float *dscores /* (T, S) */,
			    float *dweights /* (T, S) */, const float *dout /* (T, C) */,
			    const float *q /* (T, C) */, const float *k /* (S, C) */,
			    const float *v /* (S, C) */, const float *weights /* (T, S) */, int T,
			    int S, int C, float scale);
void dot_attention_backward_naive(float *dq /* (T, C) */, float *dk /* (S, C) */,
				  float *dv /* (S, C) */, float *dscores /* (T, S) */,
				  float *dweights /* (T, S) */, const float *dout /* (T, C) */,
				  const float *q /* (T, C) */, const float *k /* (S, C) */,
				  const float *v /* (S, C) */, const float *weights /* (T, S) */,
				  int T, int S, int C, float scale);

/* Backward of out = weights · v (the context of the RNN decoder's attention).
 * dweights (T, S) written; dv (S, C) accumulated (may be NULL). */
void weighted_sum_backward(float *dweights /* (T, S) */, float *dv /* (S, C) */,
			   const float *dout /* (T, C) */, const float *weights /* (T, S) */,
			   const float *v /* (S, C) */, int T, int S, int C);

/* Elementwise: din += dout ⊙ f'(in), in = the forward input (pre-activation).
 * relu'(0) = 0 as torch. gelu is the exact erf form: Φ(x) + x φ(x). */
void relu_backward(float *din, const float *dout, const float *in, size_t n);
void gelu_backward(float *din, const float *dout, const float *in, size_t n);
/* out = a + b: da += dout, db += dout (either may be NULL). */
void add_backward(float *da, float *db, const float *dout, size_t n);

/* Backward of embed_forward: dtable[ids[t]] += scale · dout[t] (scatter-add:
 * a repeated token sums), dpos[t] += dout[t] (learned positions; may be NULL). */
void embed_backward(float *dtable /* (V, C) */, float *dpos /* (T, C) */,
		    const float *dout /* (T, C) */, const int *ids /* (T) */, float scale, int T,
		    int C);

/* Backward of one cell_step_forward. dh (H) is the TOTAL gradient reaching
 * this step's h (from the layer above or the output, and from step t+1); dc
 * (H) likewise for the LSTM cell (may be NULL = 0; ignored for RNN/GRU).
 * h, c (H) are this step's outputs; cache is the forward's; h_prev, c_prev
 * its inputs. Accumulates dgx (G·H) = d/d(W_ih x + b_ih) (the input-side
 * pre-activations, which the caller turns into dx, dW_ih, db_ih), dh_prev,
 * dc_prev (LSTM; may be NULL otherwise), dw_hh, db_hh (may be NULL).
 * scratch (G·H). */
void cell_step_backward(int cell, float *dgx /* (G H) */, float *dh_prev /* (H) */,
			float *dc_prev /* (H) */, float *dw_hh /* (G H, H) */,
			float *db_hh /* (G H) */, const float *dh /* (H) */,
			const float *dc /* (H) */, const float *h /* (H) */, const float *c /* (H) */,
			const float *cache /* (4H) */, const float *h_prev /* (H) */,
			const float *c_prev /* (H) */, const float *w_hh /* (G H, H) */, int H,
			float *scratch /* (G H) */);

/* Backward of additive_scores_forward; any output may be NULL. */
void additive_scores_backward(float *dqp /* (T, A) */, float *dkp /* (S, A) */,
			      float *dw_v /* (A) */, const float *dout /* (T, S) */,
			      const float *qp /* (T, A) */, const float *kp /* (S, A) */,
			      const float *w_v /* (A) */, int T, int S, int A);

#endif

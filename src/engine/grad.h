/* Whole-model backward passes (backpropagation through the Transformer, and
 * through time for the recurrent models), built from ops_grad.h.
 *
 * Gradient storage for activations is a second acts struct of the same shape
 * as the forward's (tf_acts_init / rnn_acts_init with the same sizes): every
 * buffer holds d loss / d (that activation). The backward zeroes it first and
 * sets its alias pointers (in, out, x, memory, dec_out) to the gradient
 * buffers they stand for. Buffers that are statistics in the forward
 * (ln.mean, ln.rstd) and the RNN scratch are left unused. Parameter gradients
 * are ACCUMULATED into grads (weights_init with the model's config and vocab
 * sizes, so the same layout), which lets several examples add up before an
 * optimiser step; a tied output projection accumulates into tgt_embed. */
#ifndef SEQSTEP_GRAD_H
#define SEQSTEP_GRAD_H

#include "io/config.h"
#include "engine/rnn.h"
#include "trace/trace.h"
#include "engine/transformer.h"
#include "engine/weights.h"

/* a: the forward's activations (tf_forward). da: gradient storage (see
 * above); da->logits gets a copy of dlogits. dlogits (Tt, v_tgt): d loss / d logits. */
void tf_backward(const struct config *c, const struct weights *w, struct weights *grads,
		 int v_tgt, const struct tf_acts *a, struct tf_acts *da, const float *dlogits);

/* Same for the recurrent model (BPTT through every cell, attention none /
 * additive / dot / scaled_dot). In da, enc[l].gx / dec[l].gx hold d loss /
 * d(W_ih x + b_ih), enc[l].h the total d loss / d h_t, h0/c0 the gradients of
 * the initial states; query, qproj, kproj, scores, weights, context, dec_x,
 * src_emb, tgt_emb the gradients of those activations.
 * h_grad_norm: if not NULL, (n_layers, Ts) filled with the L2 norm of
 * d loss / d h_t of each ENCODER layer at each source step (the total
 * gradient reaching h_t, including through later steps and the decoder). */
void rnn_backward(const struct config *c, const struct weights *w, struct weights *grads,
		  int v_tgt, const struct rnn_acts *a, struct rnn_acts *da, const float *dlogits,
		  float *h_grad_norm);

/* Records grad.enc.l{L}.h ([Ts], column labels = source tokens) from
 * h_grad_norm (n_layers, Ts) into the trace. */
void rnn_record_grad_norms(const struct config *c, const float *h_grad_norm, int Ts,
			   const char *const *src_labels, struct trace *tr);

#endif

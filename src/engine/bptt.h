/* The BPTT lab's measurements, from one backward pass of a recurrent
 * encoder-decoder (model.c runs it on every sentence of an rnn_seq2seq
 * model). Per encoder layer L, over the source steps t = 0..T-1, with the
 * state s_t = h_t (RNN, GRU) or (h_t, c_t) (LSTM):
 *
 *   grad.enc.lL.ratio [T]   ‖∂L/∂s_t‖ / ‖∂L/∂s_{T-1}‖: the gradient at t
 *                           relative to where it enters the encoder
 *   grad.enc.lL.decades [T] log10 of the ratio: powers of ten lost (or gained)
 *   grad.enc.lL.state [T]   ‖∂L/∂s_t‖ (LSTM), which the ratio divides
 *   grad.enc.lL.c [T]       ‖∂L/∂c_t‖ (LSTM): what the memory cell passes on to
 *                           the next step (and the decoder), h_t held fixed
 *   grad.enc.lL.jac [T]     ‖∂s_t/∂s_{t-1}‖₂, the spectral norm (largest
 *                           singular value) of step t's Jacobian
 *   grad.enc.lL.jacprod [T] ∏_{j=t+1..T-1} ‖∂s_j/∂s_{j-1}‖₂ (1 at t = T-1)
 *   grad.enc.lL.bound [T]   ‖∂L/∂s_{T-1}‖ · jacprod[t], an upper bound of
 *                           ‖∂L/∂h_t‖ when the gradient enters the encoder at
 *                           its last step only (one layer, no attention)
 *   grad.enc.lL.fprod [T]   LSTM: max over units of ∏_{j=t+1..T-1} f_j, the
 *                           share of c_t the best-kept unit still holds at the
 *                           end: along that path ∂c_{T-1}/∂c_t is this product
 *   enc.lL.radius [1]       RNN: the spectral radius of W_hh (largest |eigenvalue|)
 *
 * The Jacobians are built from the engine's own backward step (one
 * vector-Jacobian product per state unit), so they are the derivative BPTT
 * uses; singular values and eigenvalues come from LAPACK (in OpenBLAS).
 * Models with a state larger than BPTT_MAX_STATE skip jac, jacprod, bound. */
#ifndef SEQSTEP_ENGINE_BPTT_H
#define SEQSTEP_ENGINE_BPTT_H

#include "base/status.h"
#include "engine/rnn.h"
#include "engine/weights.h"
#include "io/config.h"
#include "trace/trace.h"

enum { BPTT_MAX_STATE = 512 };

/* a: the forward's activations; da: the gradients rnn_backward left (its
 * enc[l].h and enc[l].c are the total ∂L/∂h_t and ∂L/∂c_t). src_labels
 * (T) label the columns. */
enum status bptt_record(const struct config *c, const struct weights *w, const struct rnn_acts *a,
			const struct rnn_acts *da, const char *const *src_labels, struct trace *tr,
			struct err *e);

/* With clip > 0, the parameter gradient grads (of the same pass) under
 * global norm clipping at clip, as the trainer applies it:
 *   grad.norm [1]            ‖∇θ L‖₂ over every parameter, before clipping
 *   grad.clip [1]            min(1, clip / ‖∇θ L‖), the factor clipping scales it by
 *   grad.enc.lL.clipped [T]  ‖∂L/∂s_t‖ times that factor: each step's
 *                            share of the update after clipping
 * Without clip, grad.norm alone. */
enum status bptt_record_clip(const struct config *c, const struct weights *grads,
			     const struct rnn_acts *a, const struct rnn_acts *da, float clip,
			     const char *const *src_labels, struct trace *tr, struct err *e);

/* Rescales the H x H matrix w_hh (in place) so its spectral radius is r. */
enum status bptt_set_radius(float *w_hh, int H, float r, struct err *e);

/* The spectral norm of the n x n row-major matrix m (double precision);
 * -1 when LAPACK fails. */
double bptt_spectral_norm(const double *m, int n);
/* The spectral radius of the n x n row-major matrix m; -1 on failure. */
double bptt_spectral_radius(const double *m, int n);

#endif

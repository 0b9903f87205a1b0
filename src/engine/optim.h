/* The optimiser side of training: Adam / AdamW (PyTorch semantics), global
 * gradient-norm clipping, and the learning-rate schedule (linear warmup, then
 * a decay). Everything works on flat float arrays, so it applies to the one
 * contiguous block a struct weights keeps. */
#ifndef SEQSTEP_OPTIM_H
#define SEQSTEP_OPTIM_H

#include "base/status.h"

#include <stddef.h>

struct adam_config {
	float beta1, beta2, eps;
	float weight_decay;
	int decoupled; /* 1: AdamW (p -= lr·wd·p), 0: Adam (g += wd·p, L2) */
};

/* beta1 0.9, beta2 0.999 (0.98 is common for transformers; set it), eps 1e-8,
 * no weight decay, decoupled. */
void adam_config_default(struct adam_config *c);

struct adam {
	size_t n;
	float *m, *v; /* (n) first and second moments */
	long t;       /* updates taken so far (bias correction) */
};

enum status adam_init(struct adam *a, size_t n, struct err *e);
void adam_release(struct adam *a);

/* One update of params (n) from grads (n), as torch.optim.Adam/AdamW:
 *   m = b1 m + (1-b1) g;  v = b2 v + (1-b2) g²
 *   p -= lr · (m / (1-b1^t)) / (sqrt(v / (1-b2^t)) + eps)
 * decay_mask (n, may be NULL = decay everything) says which entries get weight
 * decay: biases and LayerNorm gains are usually spared. a->t is incremented. */
void adam_step(struct adam *a, const struct adam_config *c, float lr, float *params,
	       const float *grads, const unsigned char *decay_mask);

/* Global L2 norm of g (n), accumulated in double. */
double grad_norm(const float *g, size_t n);
/* torch.nn.utils.clip_grad_norm_: scales g so its norm is at most max_norm
 * (max_norm <= 0: no clipping). Returns the norm before clipping. */
double grad_clip(float *g, size_t n, double max_norm);

enum lr_decay { LR_CONSTANT, LR_LINEAR, LR_COSINE, LR_INV_SQRT };

struct lr_schedule {
	float lr;        /* peak learning rate */
	long warmup;     /* steps of linear warmup from lr/warmup to lr */
	long total;      /* steps of the whole run (decay horizon) */
	enum lr_decay decay;
	float min_ratio; /* linear/cosine end at lr·min_ratio */
};

/* The learning rate of 0-based step s: warmup gives lr·(s+1)/warmup for
 * s < warmup; after it, constant / linear / cosine from lr down to
 * lr·min_ratio at s = total - 1 / lr·sqrt(warmup / (s+1)) (inv_sqrt). */
float lr_at(const struct lr_schedule *s, long step);
/* "constant", "linear", "cosine", "inv_sqrt"; -1 when unknown. */
int lr_decay_parse(const char *name);
const char *lr_decay_name(enum lr_decay d);

#endif

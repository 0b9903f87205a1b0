/* The random streams of training and the initial weights. Every stream
 * derives from (seed, purpose, index), never from a running state, so a run
 * resumed at step s draws what a run reaching s would. */
#ifndef SEQSTEP_TRAIN_INIT_H
#define SEQSTEP_TRAIN_INIT_H

#include "io/config.h"
#include "base/rng.h"
#include "engine/weights.h"

#include <stdint.h>

enum { RNG_INIT = 1, RNG_EPOCH = 2, RNG_DROPOUT = 3 }; /* purposes */

/* The stream of (seed, purpose, index). */
struct rng train_rng(uint64_t seed, uint64_t purpose, uint64_t index);
/* Uniform in [0, 1) with 24 random bits, exactly representable as a float. */
float train_uniform(struct rng *r);

/* PyTorch's default initialisation of the model's weights, from the seed:
 * transformer: xavier_uniform on every matrix, zero attention biases, unit
 * LayerNorm gains, nn.Linear's U(±1/√fan_in) for the other biases;
 * recurrent: nn.LSTM/GRU/RNN's U(±1/√hidden) for every cell tensor, N(0, 1)
 * embeddings, nn.Linear defaults for the rest. */
void train_init_weights(const struct config *c, struct weights *w, uint64_t seed);
/* 1 for each weight decay applies to (matrices), 0 for biases and LayerNorm
 * parameters, as is usual for AdamW; (w->total) malloc'd, NULL on OOM. */
unsigned char *train_decay_mask_new(const struct weights *w);

#endif

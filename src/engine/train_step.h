/* One optimiser step's gradient. A batch is B sentence pairs; each runs
 * its own forward and backward (no padding, so no padding masks to get
 * wrong), with dropout masks drawn from its own stream; the gradients add
 * up in TRAIN_SHARDS fixed shards, summed in a fixed order and divided by
 * the batch's target token count. One or two threads give the same bits. */
#ifndef SEQSTEP_TRAIN_STEP_H
#define SEQSTEP_TRAIN_STEP_H

#include "engine/model.h"
#include "engine/train_config.h"
#include "engine/train_data.h"
#include "engine/weights.h"
#include "base/status.h"

#include <stdint.h>

struct shard {
	struct weights grads;
	float *dlogits;
	size_t dl_cap;
	float *mask;      /* dropout masks of the current example */
	size_t mask_cap;
	double loss_sum; /* token-weighted */
	long tokens;
	/* work of the current step */
	const struct model *m;
	const struct train_opts *o;
	const struct example *const *items;
	int n_items;
	float inv_tokens; /* 1 / target tokens of the whole batch */
	uint64_t seed;
	long step;
	int first_item;   /* batch position of items[0]; items[i] is at first + i·SHARDS */
	enum status st;
	struct err e;
};

/* Gradient storage of the model's shape, for m trained with o. */
enum status shard_init(struct shard *s, const struct model *m, const struct train_opts *o,
		       struct err *e);
void shard_release(struct shard *s);

/* The mean-over-tokens gradient of the batch (B examples, ntok target
 * tokens in all) into shards[0].grads, and the token-weighted loss sum into
 * *loss_sum. seed and step pick the dropout streams; threads >= 2 runs the
 * second shard on a thread of its own. */
enum status train_batch_grad(struct shard shards[TRAIN_SHARDS],
			     const struct example *const *batch, int B, long ntok, uint64_t seed,
			     long step, int threads, double *loss_sum, struct err *e);

#endif

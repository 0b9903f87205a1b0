/* The training config file: a model config.json plus a "train" object of
 * options, read and split in two (the model's config.json, with the
 * vocabulary and merges file names filled in, and the options). */
#ifndef SEQSTEP_TRAIN_CONFIG_H
#define SEQSTEP_TRAIN_CONFIG_H

#include "io/config.h"
#include "engine/optim.h"
#include "base/status.h"

#include <stdint.h>

/* Gradients add up in this many shards whatever the thread count, so one
 * and two threads give the same floating-point sums; "threads" is at most
 * this. */
enum { TRAIN_SHARDS = 2 };

/* The "train" object of a training config. */
struct train_opts {
	long steps;            /* optimiser steps (the schedule's horizon) */
	int batch_size;        /* sentence pairs per step */
	float lr;              /* peak learning rate */
	long warmup;           /* linear warmup steps */
	enum lr_decay decay;   /* "decay": constant, linear, cosine, inv_sqrt */
	float min_lr_ratio;    /* linear/cosine end at lr · this */
	int adamw;             /* "optimizer": "adamw" (1) or "adam" (0) */
	float beta1, beta2, eps;
	float weight_decay;    /* applied to matrices only, not biases/norms */
	float clip;            /* max global gradient norm, 0 = off */
	float label_smoothing;
	float dropout;         /* transformer: embedding sums and sublayer outputs;
				* recurrent: the input embeddings. Training only. */
	long eval_every;       /* validate (and checkpoint) every K steps, 0 = at the end only */
	long log_every;        /* plain progress lines when not a terminal, 0 = auto */
	int eval_max;          /* validation pairs decoded per evaluation, 0 = all */
	uint64_t seed;
	int min_count;         /* word/char vocabularies: keep units seen this often */
	int bpe_merges;        /* BPE sides: merges to learn */
	int threads;           /* 1 or 2 (the shard count); results do not depend on it */
};

void train_opts_default(struct train_opts *o);

/* Reads a config file (at most 4 MB) into *text, malloc'd. */
enum status train_config_read(const char *path, char **text, struct err *e);
/* Splits CONFIG's text into the model's config.json (*model_json,
 * malloc'd; cfg parsed from it) and the train options o. */
enum status train_config_split(const char *path, const char *text, char **model_json,
			       struct config *cfg, struct train_opts *o, struct err *e);

#endif

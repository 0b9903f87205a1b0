/* Training a seq2seq model (transformer or rnn_seq2seq) on a parallel corpus,
 * and evaluating one. Training: vocabularies built from the training split,
 * deterministic initialisation from a seed, teacher forcing, cross-entropy
 * with optional label smoothing, Adam/AdamW with gradient clipping and a
 * warmup + decay schedule, periodic validation, atomic checkpoints, resume.
 *
 * A batch is B sentence pairs. Each pair runs its own forward and backward
 * (no padding, so no padding masks to get wrong); the gradients add up in
 * two fixed shards, summed in a fixed order and divided by the batch's target
 * token count. The result is the same whether one or two threads run the
 * shards, so a seed reproduces the weights bit for bit on one machine. */
#ifndef SEQSTEP_TRAIN_H
#define SEQSTEP_TRAIN_H

#include "text/corpus.h"
#include "engine/eval.h"
#include "engine/model.h"
#include "engine/train_config.h"
#include "base/status.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

/* One training run, as `seqstep train` asks for it. */
struct train_run {
	const char *config_path; /* CONFIG (model config + "train"); NULL with resume:
				  * out_dir/train.json */
	const char *corpus_dir;  /* train.tsv, valid.tsv */
	const char *out_dir;
	long steps;              /* > 0: overrides train.steps */
	int have_seed;
	uint64_t seed;           /* overrides train.seed when have_seed */
	int threads;             /* > 0: overrides train.threads */
	int resume;
	int force;               /* start over in a folder that already has a model */
	volatile sig_atomic_t *stop; /* set (by a SIGINT handler): save and return */
	long stop_at;            /* > 0: behave as if stop were set after this step */
	FILE *out;               /* progress and results; NULL = silent */
	int tty;                 /* out is a terminal: one line updated in place */
};

struct train_result {
	long step;           /* steps done when it returned */
	int interrupted;     /* stopped by the flag (state saved) */
	double seconds;      /* wall time of this run's steps */
	double tokens_per_s; /* target tokens per second */
	float last_loss;     /* mean training loss of the last logged window */
};

enum status train_run(const struct train_run *r, struct train_result *res, struct err *e);

#endif

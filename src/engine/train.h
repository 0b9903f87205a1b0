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
#include "engine/model.h"
#include "engine/optim.h"
#include "base/status.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

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

/* ---------- evaluation ---------- */

enum { EVAL_BUCKETS = 4 };

struct eval_bucket {
	int lo, hi;    /* source length in English word tokens */
	int n, exact;
	double bleu;   /* corpus BLEU-4 of the bucket, 0..100 */
};

struct eval_result {
	int n, exact;
	double bleu;        /* corpus BLEU-4, 0..100 */
	double loss;        /* teacher-forced mean cross-entropy per target token */
	struct eval_bucket bucket[EVAL_BUCKETS + 1]; /* the last: outside 3..15 */
	double seconds;
};

/* Decodes up to max_n pairs of c (0 = all) with beam width beam and scores
 * them: exact match of the target token sequences, corpus BLEU over target
 * tokens, per source-length bucket too, and the teacher-forced loss. */
enum status eval_corpus(struct model *m, const struct corpus *c, size_t max_n, int beam,
			struct eval_result *r, struct err *e);
void eval_print(FILE *f, const struct eval_result *r);

/* The greedy/beam translation of one sentence as target token ids (without
 * <eos>); *ids malloc'd. */
enum status eval_translate(struct model *m, const char *text, int beam, int **ids, int *n,
			   struct err *e);

#endif

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
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One training run, as `seqstep train` asks for it. */
struct train_run {
	const char *config_path; /* CONFIG (model config + "train"); NULL with resume:
				  * out_dir/train.json */
	const char *corpus_dir;  /* train.tsv, valid.tsv */
	const char *out_dir;     /* checkpoints go here; NULL (the explorer): none */
	long steps;              /* > 0: overrides train.steps */
	int have_seed;
	uint64_t seed;           /* overrides train.seed when have_seed */
	int threads;             /* > 0: overrides train.threads */
	float lr;                /* > 0: overrides train.lr */
	int have_clip;
	float clip;              /* overrides train.clip when have_clip (0 = off) */
	int resume;
	int force;               /* start over in a folder that already has a model */
	int from_model;          /* trainer_open: train the model given as it is
				  * (vocabularies, tokenizers and weights), with a
				  * fresh optimiser: the explorer's --from current */
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

/* The whole run: trainer_open, trainer_step until the end (or the stop
 * flag), trainer_finish, with progress lines on r->out. */
enum status train_run(const struct train_run *r, struct train_result *res, struct err *e);

/* The same run a step at a time, for a caller with its own loop (the
 * explorer trains between redraws). Every step is exactly train_run's, so
 * both give the same weights bit for bit. The caller owns m: zeroed for a
 * fresh run (the trainer builds the vocabularies and weights into it),
 * loaded with from_model. It must outlive the trainer. */
struct trainer;

/* What one step did. */
struct train_tick {
	double loss;    /* the batch's mean loss per target token */
	long tokens;    /* target tokens in the batch */
	int validated;  /* a validation ran after the step (m->log has it) */
};

enum status trainer_open(struct trainer **out, const struct train_run *r, struct model *m,
			 struct err *e);
/* One optimiser step, then what falls due after it: the history entry
 * (m->log), and at eval_every a validation and, with out_dir, a checkpoint. */
enum status trainer_step(struct trainer *t, struct train_tick *k, struct err *e);
/* The end of a run: the last validation (unless interrupted or nothing
 * ran) and, with out_dir, the checkpoint. */
enum status trainer_finish(struct trainer *t, int interrupted, struct err *e);
/* Writes the model as it is now into dir, as `seqstep train` would (model
 * files, train.json with the history, the train state); a folder that
 * already holds a model only with force. */
enum status trainer_save(struct trainer *t, const char *dir, int force, struct err *e);
void trainer_free(struct trainer *t);

long trainer_steps_done(const struct trainer *t);
long trainer_total(const struct trainer *t);
/* The learning rate of the last step done (the first one's before any). */
double trainer_lr(const struct trainer *t);
/* "m:ss" or "h:mm:ss", as the progress line writes times. */
void train_fmt_duration(char *buf, size_t n, double seconds);
/* One line: architecture, parameters, data, schedule (train_run prints it). */
void trainer_describe(const struct trainer *t, char *buf, size_t n);

#endif

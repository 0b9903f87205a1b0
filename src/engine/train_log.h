/* What training did: the mean training loss and the learning rate at each
 * logged step, and each validation (loss, exact match, BLEU). The trainer
 * keeps it, writes it into the model folder's train.json as "log", and a
 * loaded model records it in the trace (train.*) so views can plot it:
 *
 *   train.step [n]          the logged steps (integers)
 *   train.loss [n]          mean training loss over the steps since the last log
 *   train.lr [n]            the learning rate of that step
 *   train.valid.step [m]    the steps validated at
 *   train.valid.loss [m]    validation loss (teacher forced, per target token)
 *   train.valid.exact [m]   exact match, percent of sentences (greedy decoding)
 *   train.valid.bleu [m]    corpus BLEU-4
 *
 * train.json is untrusted like every model file: the log's arrays are
 * bounded, of equal lengths, finite, and their steps increase. */
#ifndef SEQSTEP_ENGINE_TRAIN_LOG_H
#define SEQSTEP_ENGINE_TRAIN_LOG_H

#include "base/status.h"
#include "trace/trace.h"

#include <stddef.h>

#define TRAIN_LOG_MAX 100000 /* entries of either kind */
#define TRAIN_LOG_FILE_MAX (16 << 20) /* bytes of a train.json */

struct train_log {
	int n;            /* logged steps */
	long *step;       /* (n) */
	float *loss;      /* (n) */
	float *lr;        /* (n) */
	int n_valid;
	long *valid_step; /* (n_valid) */
	float *valid_loss, *valid_exact, *valid_bleu; /* (n_valid); exact in percent */
	int cap, cap_valid;
};

void train_log_init(struct train_log *l);
void train_log_release(struct train_log *l);
/* Forgets the entries after step (a run resumed from an earlier state). */
void train_log_truncate(struct train_log *l, long step);
enum status train_log_add(struct train_log *l, long step, float loss, float lr, struct err *e);
enum status train_log_add_valid(struct train_log *l, long step, float loss, float exact,
				float bleu, struct err *e);

/* The log as the value of train.json's "log" key: one line of JSON. */
char *train_log_json(const struct train_log *l);
/* text (a train.json) with its "log" replaced by l; NULL when out of memory. */
char *train_log_merge(const char *train_json, const struct train_log *l);
/* Reads the "log" of a train.json text (none: an empty log). Problems are
 * ST_BADINPUT naming path and the field. */
enum status train_log_parse(struct train_log *l, const char *text, size_t len, const char *path,
			    struct err *e);

/* The train.* entries above (nothing when the log is empty). */
void train_log_record(const struct train_log *l, struct trace *tr);

#endif

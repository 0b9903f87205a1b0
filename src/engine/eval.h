/* Evaluating a seq2seq model on a corpus split: decoding each source
 * sentence (greedy or beam) and scoring the translations against the
 * references, overall and by source length, with the teacher-forced loss. */
#ifndef SEQSTEP_EVAL_H
#define SEQSTEP_EVAL_H

#include "text/corpus.h"
#include "engine/model.h"
#include "base/status.h"

#include <stddef.h>
#include <stdio.h>

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

/* Monotonic seconds: the clock evaluation and training time themselves by. */
double eval_now(void);

#endif

/* What training reads: the vocabularies built from the training split,
 * and the sentence pairs encoded as examples. */
#ifndef SEQSTEP_TRAIN_DATA_H
#define SEQSTEP_TRAIN_DATA_H

#include "text/corpus.h"
#include "engine/model.h"
#include "engine/train_config.h"
#include "base/status.h"

#include <stddef.h>

struct example {
	int ns, nt;   /* source with <eos>; decoder input with <bos> (= targets with <eos>) */
	int *src;     /* (ns) */
	int *tgt_in;  /* (nt) <bos> y1 .. yn */
	int *tgt_out; /* (nt) y1 .. yn <eos> */
};

struct dataset {
	size_t n, skipped;
	struct example *ex;
	long tokens; /* target tokens (with <eos>) in all examples */
};

void dataset_release(struct dataset *d);
/* Encodes every pair of c (path names it in messages); pairs longer than the
 * model's max_len are skipped and counted. */
enum status dataset_build(struct dataset *d, const struct model *m, const struct corpus *c,
			  const char *path, struct err *e);

/* Builds one side's vocabulary (and merges) from the training lines into the
 * model, through temp files that are removed again: checkpoint_save writes
 * the real ones atomically. */
enum status train_build_side(const char *out_dir, const struct tok_config *tc,
			     const struct train_opts *o, char **lines, size_t n, struct vocab *v,
			     struct tokenizer *t, const char *side, struct err *e);

#endif

/* Writing a generated corpus: the folder, and each split as one file of
 * "source<TAB>target" lines (shared by the toy translation corpora and the
 * BPTT lab's recall task). */
#ifndef SEQSTEP_CORPUS_WRITE_H
#define SEQSTEP_CORPUS_WRITE_H

#include "base/status.h"

#include <stddef.h>

struct corpus_pair {
	char *src, *tgt;
};

/* "train", "valid", "test": the files of a corpus folder, in this order. */
extern const char *const corpus_split_names[3];

/* mkdir -p dir. */
enum status corpus_make_dirs(const char *dir, struct err *e);
/* dir/NAME.tsv, atomically, so a reader never sees a half-written split. */
enum status corpus_write_split(const char *dir, const char *name, const struct corpus_pair *v,
			       size_t n, struct err *e);

#endif

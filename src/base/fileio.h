/* Reading a whole file into memory with a size limit: the one loop behind
 * the loaders that parse a file as a whole (config, CSV, corpus, vocabulary
 * and merges, the training config). Each loader opens the file and words
 * its own messages, so this says what went wrong rather than writing text. */
#ifndef SEQSTEP_FILEIO_H
#define SEQSTEP_FILEIO_H

#include <stddef.h>
#include <stdio.h>

enum file_read {
	FILE_READ_OK = 0,
	FILE_READ_TOO_LARGE, /* more than the limit */
	FILE_READ_NOMEM,
	FILE_READ_FAILED, /* the read failed; *err holds its errno */
};

/* Reads f to its end into *buf (malloc'd, NUL-terminated, *len bytes before
 * the NUL). Reads at most limit + 1 bytes, so an oversized file costs no
 * more than that; limit must be below SIZE_MAX / 2. On failure *buf is NULL
 * and *len 0. */
enum file_read file_read_limited(FILE *f, size_t limit, char **buf, size_t *len, int *err);

#endif

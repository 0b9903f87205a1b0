#include "base/fileio.h"

#include <errno.h>
#include <stdlib.h>

enum file_read file_read_limited(FILE *f, size_t limit, char **buf, size_t *len, int *err)
{
	*buf = NULL;
	*len = 0;
	*err = 0;
	size_t cap = limit < 65536 ? limit + 1 : 65536, n = 0;
	char *b = malloc(cap + 1);
	if (!b)
		return FILE_READ_NOMEM;
	for (;;) {
		size_t want = cap - n, got = fread(b + n, 1, want, f);
		n += got;
		if (got < want) {
			if (ferror(f)) {
				*err = errno;
				free(b);
				return FILE_READ_FAILED;
			}
			break; /* the end of the file */
		}
		if (n > limit) {
			free(b);
			return FILE_READ_TOO_LARGE;
		}
		/* Grows to at most limit + 1, enough to notice the excess. */
		size_t ncap = cap > limit / 2 ? limit + 1 : cap * 2;
		char *nb = realloc(b, ncap + 1);
		if (!nb) {
			free(b);
			return FILE_READ_NOMEM;
		}
		b = nb;
		cap = ncap;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	return FILE_READ_OK;
}

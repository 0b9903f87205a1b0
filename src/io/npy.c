#include "io/npy.h"
#include "base/atomicfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

enum status npy_write_tensor(const char *path, const struct tensor *t, int force, struct err *e)
{
	size_t count;
	if (t->rows < 0 || t->cols < 0 || !size_mul((size_t)t->rows, (size_t)t->cols, &count) ||
	    (count && !t->data))
		return err_set(e, ST_USAGE, "%s: tensor '%s' has no valid data", path,
			       t->name ? t->name : "?");

	/* The header is a Python dict literal; NumPy wants the magic, version,
	 * length and dict padded with spaces and a final '\n' to a multiple of
	 * 64 bytes so the data is aligned. */
	char dict[160];
	int n = t->ndim == 1
			? snprintf(dict, sizeof dict,
				   "{'descr': '<f4', 'fortran_order': False, 'shape': (%zu,), }",
				   count)
			: snprintf(dict, sizeof dict,
				   "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d), }",
				   t->rows, t->cols);
	if (n < 0 || (size_t)n >= sizeof dict)
		return err_set(e, ST_USAGE, "%s: cannot format the .npy header", path);
	size_t total = 10 + (size_t)n + 1;
	size_t pad = (64 - total % 64) % 64;
	size_t hlen = (size_t)n + pad + 1;
	unsigned char head[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
				  (unsigned char)(hlen & 0xff), (unsigned char)(hlen >> 8)};

	struct atomic_file af;
	enum status st = atomic_open(&af, path, force, e);
	if (st != ST_OK)
		return st;
	int ok = fwrite(head, 1, sizeof head, af.f) == sizeof head &&
		 fwrite(dict, 1, (size_t)n, af.f) == (size_t)n;
	for (size_t i = 0; ok && i < pad; i++)
		ok = fputc(' ', af.f) != EOF;
	ok = ok && fputc('\n', af.f) != EOF;
	/* Little-endian bytes whatever the host order. */
	for (size_t i = 0; ok && i < count; i++) {
		uint32_t u;
		memcpy(&u, &t->data[i], 4);
		unsigned char b[4] = {(unsigned char)u, (unsigned char)(u >> 8),
				      (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
		ok = fwrite(b, 1, 4, af.f) == 4;
	}
	if (!ok) {
		int err = errno;
		atomic_abort(&af);
		return err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(err ? err : EIO));
	}
	return atomic_commit(&af, e);
}

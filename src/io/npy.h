/* NumPy .npy export of a trace tensor, for numpy.load(). */
#ifndef SEQSTEP_NPY_H
#define SEQSTEP_NPY_H

#include "base/status.h"
#include "trace/trace.h"

/* Format 1.0, '<f4', fortran_order False, shape (rows, cols), or (cols,) for
 * ndim 1; header padded to 64 bytes. Written atomically; refuses an existing
 * file unless force (ST_IO "<path>: exists; use --force to overwrite"). */
enum status npy_write_tensor(const char *path, const struct tensor *t, int force, struct err *e);

#endif

/* Where a folder shipped with seqstep (models/, lessons/) is found, so the
 * program runs from the build tree, an install, or the repository root. */
#ifndef SEQSTEP_DATADIR_H
#define SEQSTEP_DATADIR_H

#include <limits.h>

/* Fills dir with $ENV when set and not empty, else the real path of
 * ../NAME next to the executable when that is a folder, else NAME (relative
 * to the working folder); returns dir. */
const char *datadir_find(const char *env, const char *name, char dir[PATH_MAX]);

#endif

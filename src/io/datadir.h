/* Where a folder shipped with seqstep (models/, lessons/) is found, so the
 * program runs from the build tree, an install, or the repository root. */
#ifndef SEQSTEP_DATADIR_H
#define SEQSTEP_DATADIR_H

#include <limits.h>
#include <stddef.h>

/* Fills dir with $ENV when set and not empty, else the real path of
 * ../NAME next to the executable when that is a folder, else NAME (relative
 * to the working folder); returns dir. */
const char *datadir_find(const char *env, const char *name, char dir[PATH_MAX]);

/* Where the shipped models live: $SEQSTEP_MODELS, else ../models next to
 * the executable, else ./models. */
const char *datadir_models(void);
/* Where the lessons live: $SEQSTEP_LESSONS, else ../lessons, else ./lessons. */
const char *datadir_lessons(void);
/* A model named on the command line or in `load`: a bare name is a shipped
 * model in datadir_models(); a path (or an existing folder) is itself. */
void datadir_resolve_model(const char *name, char *out, size_t n);

#endif

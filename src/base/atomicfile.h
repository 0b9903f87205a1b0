/* Atomic file writes: the data goes to a temp file in the destination's
 * folder (so rename stays on one file system), is fsync'd, then renamed over
 * the destination, so a crash or full disk never leaves a half-written
 * dump or model behind. */
#ifndef SEQSTEP_ATOMICFILE_H
#define SEQSTEP_ATOMICFILE_H

#include "base/status.h"

#include <stdio.h>

struct atomic_file {
	FILE *f;         /* write here between open and commit/abort */
	char tmp[4096];  /* the temp file; empty when none is pending */
	char path[4096]; /* the destination */
	int force;       /* overwrite an existing destination */
};

/* Opens a temp file in the destination's folder; if !force and path exists ->
 * ST_IO "<path>: exists; use --force to overwrite". */
enum status atomic_open(struct atomic_file *af, const char *path, int force, struct err *e);
/* fflush + fsync + close + rename; on any failure removes the temp file.
 * Without force the final step refuses (ST_IO) a destination that appeared
 * since atomic_open, rather than clobbering it. */
enum status atomic_commit(struct atomic_file *af, struct err *e);
/* Closes and removes the temp file; harmless after commit or a second call. */
void atomic_abort(struct atomic_file *af);

/* Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGPIPE that
 * remove every pending temp file, then die of the signal as before. Parts
 * of the program with handlers of their own (training, the screen) install
 * theirs afterwards. */
void atomic_cleanup_on_signals(void);

#endif

/* Trace tensors written to a folder, one file each: --dump in batch mode
 * and the explorer's dump command. */
#ifndef SEQSTEP_DUMP_H
#define SEQSTEP_DUMP_H

#include "base/status.h"
#include "trace/trace.h"

/* Creates the output folder dir unless it is one already (ST_USAGE when it
 * is something else); also the folder of `seqstep corpus`. */
enum status dump_make_dir(const char *dir, struct err *e);

/* dump_make_dir, then every tensor of tr whose name matches glob to
 * dir/NAME.csv (.npy when npy), refusing existing files unless force;
 * stops at the first failure. *written counts the files written. A trace
 * of a what-if run puts "# what-if: ..." at the top of each CSV file. */
enum status dump_tensors(const struct trace *tr, const char *glob, const char *dir, int npy,
			 int force, int *written, struct err *e);

#endif

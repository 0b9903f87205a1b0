#include "io/dump.h"
#include "io/csvio.h"
#include "io/npy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

enum status dump_make_dir(const char *dir, struct err *e)
{
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? ST_OK
					   : err_set(e, ST_USAGE, "%s: exists and is not a folder", dir);
	if (mkdir(dir, 0777) != 0)
		return err_set(e, ST_IO, "%s: cannot create folder: %s", dir, strerror(errno));
	return ST_OK;
}

struct dump_ctx {
	const char *note; /* the trace's what-if line, for the CSV header comment */
	const char *dir;
	int npy, force, written;
	enum status st;
	struct err *e;
};

static void dump_one(const struct tensor *t, void *p)
{
	struct dump_ctx *d = p;
	if (d->st)
		return;
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s.%s", d->dir, t->name, d->npy ? "npy" : "csv");
	d->st = d->npy ? npy_write_tensor(path, t, d->force, d->e)
		       : csv_write_tensor_noted(path, t, d->note, d->force, d->e);
	if (!d->st)
		d->written++;
}

enum status dump_tensors(const struct trace *tr, const char *glob, const char *dir, int npy,
			 int force, int *written, struct err *e)
{
	char note[2100] = "";
	if (trace_whatif(tr)[0])
		snprintf(note, sizeof note, "what-if: %s", trace_whatif(tr));
	struct dump_ctx d = {note, dir, npy, force, 0, ST_OK, e};
	*written = 0;
	enum status st = dump_make_dir(dir, e);
	if (st)
		return st;
	trace_match(tr, glob, dump_one, &d);
	*written = d.written;
	return d.st;
}

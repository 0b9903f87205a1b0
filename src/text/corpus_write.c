#include "text/corpus_write.h"
#include "base/atomicfile.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *const corpus_split_names[3] = {"train", "valid", "test"};

enum status corpus_make_dirs(const char *dir, struct err *e)
{
	char buf[4096];
	size_t n = strlen(dir);
	if (n == 0 || n >= sizeof buf)
		return err_set(e, ST_USAGE, "bad output directory name");
	memcpy(buf, dir, n + 1);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(buf, 0755) != 0 && errno != EEXIST)
			return err_set(e, ST_IO, "%s: cannot create directory: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) != 0 && errno != EEXIST)
		return err_set(e, ST_IO, "%s: cannot create directory: %s", buf, strerror(errno));
	struct stat st;
	if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
		return err_set(e, ST_IO, "%s: not a directory", dir);
	return ST_OK;
}

enum status corpus_write_split(const char *dir, const char *name, const struct corpus_pair *v,
			       size_t n, struct err *e)
{
	char path[4096];
	int w = snprintf(path, sizeof path, "%s/%s.tsv", dir, name);
	if (w < 0 || (size_t)w >= sizeof path)
		return err_set(e, ST_USAGE, "%s: path too long", dir);
	struct atomic_file af;
	enum status st = atomic_open(&af, path, 1, e);
	if (st)
		return st;
	for (size_t i = 0; i < n; i++)
		fprintf(af.f, "%s\t%s\n", v[i].src, v[i].tgt);
	return atomic_commit(&af, e);
}

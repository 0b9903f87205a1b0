/* The files a loader's tests read and write: the shipped files under
 * tests/data (SEQSTEP_TESTDATA overrides it), the expected message of each
 * bad one (tests/data/bad/EXPECT), files written whole, and a scratch
 * folder in $TMPDIR.
 * Header-only because each tests/test_*.c is a binary of its own; include
 * it after <cmocka.h>. */
#ifndef SEQSTEP_TESTS_TESTDATA_H
#define SEQSTEP_TESTS_TESTDATA_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/status.h"

static inline const char *data_dir(void)
{
	const char *d = getenv("SEQSTEP_TESTDATA");
	return d ? d : "tests/data";
}

/* Looks name up in tests/data/bad/EXPECT; returns 0 if absent. */
static inline int expect_for(const char *name, char *sub, size_t n)
{
	char path[4200], line[1024];
	snprintf(path, sizeof path, "%s/bad/EXPECT", data_dir());
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\r\n")] = 0;
		char *tab = strchr(line, '\t');
		if (!tab)
			continue;
		*tab = 0;
		if (strcmp(line, name) == 0) {
			snprintf(sub, n, "%s", tab + 1);
			found = 1;
		}
	}
	fclose(f);
	return found;
}

/* The path of tests/data/bad/NAME and the words its message must contain;
 * fails the test when EXPECT has no line for it. */
static inline void bad_file(const char *name, char *path, size_t np, char *sub, size_t ns)
{
	snprintf(path, np, "%s/bad/%s", data_dir(), name);
	if (!expect_for(name, sub, ns))
		fail_msg("%s: no line in EXPECT", name);
}

/* A loader's answer to a bad file: ST_BADINPUT and one line naming the file
 * and containing the words EXPECT gives for it. */
static inline void bad_file_check(const char *name, enum status st, const char *msg,
				  const char *sub)
{
	if (st != ST_BADINPUT || !strstr(msg, name) || !strstr(msg, sub) || strchr(msg, '\n'))
		fail_msg("%s: status %d, message \"%s\", expected \"%s\"", name, (int)st, msg, sub);
}

static inline void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

/* A fresh folder $TMPDIR/seqstep-TAG-XXXXXX in dir. */
static inline void make_tmpdir(char *dir, size_t n, const char *tag)
{
	snprintf(dir, n, "%s/seqstep-%s-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 tag);
	assert_non_null(mkdtemp(dir));
}

/* Removes dir and the files in it (the tests write no subfolders). */
static inline void remove_tmpdir(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *de;
	char p[4200];
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
			unlink(p);
		}
	closedir(d);
	assert_int_equal(rmdir(dir), 0);
}

#endif

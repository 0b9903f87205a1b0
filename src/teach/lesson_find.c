/* Finding lessons on disk (lesson.h): listing a folder's lesson files and
 * resolving what a user typed (a path, a number, a stem) to one. */
#include "teach/lesson.h"
#include "base/parse.h"
#include "base/textwidth.h"
#include "io/datadir.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lesson files of dir (*.md but README.md), sorted. */
int lesson_list(const char *dir, char ***out)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **v = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 1000) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 3, ".md") != 0 ||
		    strcasecmp(de->d_name, "README.md") == 0)
			continue;
		char **nv = realloc(v, (size_t)(n + 1) * sizeof *nv);
		if (!nv)
			break;
		v = nv;
		if ((v[n] = strdup(de->d_name)))
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
	*out = v;
	return n;
}

void lesson_list_free(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "09-self-attention.md" -> 9, or -1. */
static int lesson_number(const char *file)
{
	int n = 0, k = 0;
	for (; file[k] >= '0' && file[k] <= '9' && k < 6; k++)
		n = n * 10 + (file[k] - '0');
	return k > 0 && (file[k] == '-' || file[k] == '_' || file[k] == '.') ? n : -1;
}

static const char *after_number(const char *file)
{
	const char *s = file;
	while (*s >= '0' && *s <= '9')
		s++;
	return s != file && (*s == '-' || *s == '_') ? s + 1 : file;
}

enum status lesson_resolve(const char *arg, char *path, size_t n, struct err *e)
{
	size_t al = strlen(arg);
	if (!al)
		return err_set(e, ST_USAGE, "which lesson? (lessons lists them)");
	if (strchr(arg, '/') || (al > 3 && strcmp(arg + al - 3, ".md") == 0)) {
		struct stat sb;
		if (stat(arg, &sb) != 0)
			return err_set(e, ST_USAGE, "%s: no such lesson file", arg);
		snprintf(path, n, "%s", arg);
		return ST_OK;
	}
	const char *dir = datadir_lessons();
	char **v;
	int nv = lesson_list(dir, &v), found = -1, nfound = 0;
	char shown[64];
	text_fit(shown, sizeof shown, arg, 40);
	int num;
	if (parse_int(arg, 0, 99999, &num)) {
		for (int i = 0; i < nv; i++)
			if (lesson_number(v[i]) == num) {
				found = i;
				nfound++;
			}
	} else {
		/* the stem, the stem without its number, or a unique prefix */
		for (int pass = 0; pass < 3 && nfound == 0; pass++)
			for (int i = 0; i < nv; i++) {
				char stem[256];
				snprintf(stem, sizeof stem, "%.*s", (int)(strlen(v[i]) - 3), v[i]);
				const char *bare = after_number(stem);
				int hit = pass == 0   ? strcmp(stem, arg) == 0
					  : pass == 1 ? strcmp(bare, arg) == 0
						      : strncmp(bare, arg, al) == 0 || strncmp(stem, arg, al) == 0;
				if (hit) {
					found = i;
					nfound++;
				}
			}
	}
	enum status st = ST_OK;
	if (nfound == 1)
		snprintf(path, n, "%s/%s", dir, v[found]);
	else if (nfound > 1)
		st = err_set(e, ST_USAGE, "lesson '%s' is ambiguous in %s (lessons lists them)", shown, dir);
	else if (nv == 0)
		st = err_set(e, ST_USAGE, "no lesson '%s': %s has no lessons (set SEQSTEP_LESSONS, or give a path)",
			     shown, dir);
	else
		st = err_set(e, ST_USAGE, "no lesson '%s' in %s (lessons lists them)", shown, dir);
	lesson_list_free(v, nv);
	return st;
}

#include "io/datadir.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *datadir_find(const char *env, const char *name, char dir[PATH_MAX])
{
	const char *v = getenv(env);
	if (v && *v) {
		snprintf(dir, PATH_MAX, "%s", v);
		return dir;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = 0;
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = 0;
			char cand[PATH_MAX + 64];
			snprintf(cand, sizeof cand, "%s/../%s", exe, name);
			struct stat sb;
			if (stat(cand, &sb) == 0 && S_ISDIR(sb.st_mode) && realpath(cand, dir))
				return dir;
		}
	}
	snprintf(dir, PATH_MAX, "%s", name);
	return dir;
}

const char *datadir_models(void)
{
	static char dir[PATH_MAX];
	if (!dir[0])
		datadir_find("SEQSTEP_MODELS", "models", dir);
	return dir;
}

const char *datadir_lessons(void)
{
	static char dir[PATH_MAX];
	if (!dir[0])
		datadir_find("SEQSTEP_LESSONS", "lessons", dir);
	return dir;
}

void datadir_resolve_model(const char *name, char *out, size_t n)
{
	struct stat sb;
	if (strchr(name, '/') || (stat(name, &sb) == 0 && S_ISDIR(sb.st_mode)))
		snprintf(out, n, "%s", name);
	else
		snprintf(out, n, "%s/%s", datadir_models(), name);
}

#include "datadir.h"

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

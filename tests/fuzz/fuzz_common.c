#include "fuzz_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];
static char pathbuf[1024];

static void rm_tree(const char *path, int keep_top)
{
	DIR *d = opendir(path);
	if (d) {
		struct dirent *de;
		char sub[1024];
		while ((de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
			struct stat sb;
			if (lstat(sub, &sb) == 0 && S_ISDIR(sb.st_mode))
				rm_tree(sub, 0);
			else
				unlink(sub);
		}
		closedir(d);
	}
	if (!keep_top)
		rmdir(path);
}

static void cleanup(void)
{
	if (dir[0])
		rm_tree(dir, 0);
}

const char *fuzz_dir(void)
{
	if (!dir[0]) {
		const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : NULL;
		if (!base)
			base = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(dir, sizeof dir, "%s/seqstep-fuzz.XXXXXX", base);
		if (!mkdtemp(dir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(cleanup);
	}
	return dir;
}

const char *fuzz_path(const char *name)
{
	snprintf(pathbuf, sizeof pathbuf, "%s/%s", fuzz_dir(), name);
	return pathbuf;
}

const char *fuzz_try_write(const char *name, const void *data, size_t n)
{
	const char *slash = strrchr(name, '/');
	if (slash) {
		char sub[512];
		snprintf(sub, sizeof sub, "%.*s", (int)(slash - name), name);
		mkdir(fuzz_path(sub), 0700);
	}
	const char *p = fuzz_path(name);
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return NULL;
	const char *b = data;
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			close(fd);
			return NULL;
		}
		b += w;
		n -= (size_t)w;
	}
	close(fd);
	return p;
}

const char *fuzz_write(const char *name, const void *data, size_t n)
{
	const char *p = fuzz_try_write(name, data, n);
	if (!p) {
		perror(fuzz_path(name));
		abort();
	}
	return p;
}

void fuzz_clean(void)
{
	rm_tree(fuzz_dir(), 1);
}

char *fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);
	if (!s)
		abort();
	memcpy(s, data, n);
	s[n] = 0;
	return s;
}

void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "%s:%d: invariant failed: %s: ", file, line, cond);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void fuzz_check_msg(const char *msg)
{
	FUZZ_CHECK(msg[0] != 0, "empty error message");
	FUZZ_CHECK(strchr(msg, '\n') == NULL && strchr(msg, '\r') == NULL,
		   "error message is not one line: %s", msg);
	/* nor may it carry an escape sequence or other control to the terminal */
	for (const char *p = msg; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f,
			   "control character 0x%02x in error message: %s", (unsigned char)*p, msg);
}

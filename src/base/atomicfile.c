#include "base/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Temp files being written, so a signal handler can remove them before the
 * process dies: a killed writer leaves neither a partial file nor a stray
 * temp file (SIGKILL cannot be caught, but it still never leaves a partial
 * file under the final name). */
enum { PENDING_MAX = 8 };
static char pending[PENDING_MAX][4096];
static volatile sig_atomic_t pending_used[PENDING_MAX];

static void pending_add(const char *tmp)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (!pending_used[i]) {
			snprintf(pending[i], sizeof pending[i], "%s", tmp);
			pending_used[i] = 1;
			return;
		}
}

static void pending_remove(const char *tmp)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (pending_used[i] && strcmp(pending[i], tmp) == 0)
			pending_used[i] = 0;
}

static void on_fatal_signal(int sig)
{
	for (int i = 0; i < PENDING_MAX; i++)
		if (pending_used[i])
			unlink(pending[i]); /* async-signal-safe */
	signal(sig, SIG_DFL);
	raise(sig);
}

void atomic_cleanup_on_signals(void)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE};
	for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fatal_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(sigs[i], &sa, NULL);
	}
}

static enum status exists_error(const char *path, struct err *e)
{
	return err_set(e, ST_IO, "%s: exists; use --force to overwrite", path);
}

/* Length of the folder part of path including its final '/', 0 for none. */
static size_t dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? (size_t)(slash - path) + 1 : 0;
}

enum status atomic_open(struct atomic_file *af, const char *path, int force, struct err *e)
{
	/* A process-wide counter plus the pid makes names unique between threads
	 * and processes; O_EXCL makes a collision a retry, never a clobber. */
	static atomic_uint counter;
	struct stat st;

	memset(af, 0, sizeof *af);
	size_t len = strlen(path);
	if (len == 0)
		return err_set(e, ST_IO, "empty output path");
	if (len >= sizeof af->path)
		return err_set(e, ST_IO, "%.64s...: path is too long", path);
	memcpy(af->path, path, len + 1);
	af->force = force;
	if (!force && lstat(path, &st) == 0)
		return exists_error(path, e);

	size_t dl = dir_len(path);
	const char *base = path + dl;
	if (*base == '\0')
		return err_set(e, ST_IO, "%s: is a folder, not a file name", path);
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned n = atomic_fetch_add(&counter, 1);
		int w = snprintf(af->tmp, sizeof af->tmp, "%.*s.%s.%ld.%u.tmp", (int)dl, path,
				 base, (long)getpid(), n);
		if (w < 0 || (size_t)w >= sizeof af->tmp) {
			af->tmp[0] = '\0';
			return err_set(e, ST_IO, "%.64s...: path is too long", path);
		}
		/* 0666 so the final file gets the usual umask-derived mode. */
		int fd = open(af->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			int err = errno;
			af->tmp[0] = '\0';
			return err_set(e, ST_IO, "%s: cannot create a temporary file next to it: %s",
				       path, strerror(err));
		}
		pending_add(af->tmp);
		af->f = fdopen(fd, "wb");
		if (!af->f) {
			pending_remove(af->tmp);
			int err = errno;
			close(fd);
			unlink(af->tmp);
			af->tmp[0] = '\0';
			return err_set(e, ST_IO, "%s: %s", path, strerror(err));
		}
		return ST_OK;
	}
	af->tmp[0] = '\0';
	return err_set(e, ST_IO, "%s: cannot pick a temporary file name", path);
}

/* Makes the rename itself durable; best effort, as some file systems refuse
 * fsync on folders. */
static void sync_dir(const char *path)
{
	char dir[4096];
	size_t dl = dir_len(path);
	if (dl == 0) {
		strcpy(dir, ".");
	} else {
		memcpy(dir, path, dl);
		dir[dl] = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

enum status atomic_commit(struct atomic_file *af, struct err *e)
{
	if (!af->f || !af->tmp[0])
		return err_set(e, ST_IO, "%s: no pending write to commit", af->path);
	int bad = fflush(af->f) != 0 || ferror(af->f);
	int err = bad ? errno : 0;
	if (!bad && fsync(fileno(af->f)) != 0) {
		bad = 1;
		err = errno;
	}
	if (fclose(af->f) != 0 && !bad) {
		bad = 1;
		err = errno;
	}
	af->f = NULL;
	if (bad) {
		atomic_abort(af);
		return err_set(e, ST_IO, "%s: cannot write: %s", af->path,
			       strerror(err ? err : EIO));
	}
	if (af->force) {
		if (rename(af->tmp, af->path) != 0) {
			err = errno;
			atomic_abort(af);
			return err_set(e, ST_IO, "%s: cannot replace: %s", af->path, strerror(err));
		}
	} else {
		/* link() fails with EEXIST instead of overwriting, closing the race
		 * with a file created since atomic_open. File systems without hard
		 * links fall back to a checked rename. */
		if (link(af->tmp, af->path) == 0) {
			unlink(af->tmp);
			pending_remove(af->tmp);
		} else {
			err = errno;
			struct stat st;
			if (err == EEXIST || lstat(af->path, &st) == 0) {
				atomic_abort(af);
				return exists_error(af->path, e);
			}
			if (rename(af->tmp, af->path) != 0) {
				err = errno;
				atomic_abort(af);
				return err_set(e, ST_IO, "%s: cannot create: %s", af->path,
					       strerror(err));
			}
		}
	}
	pending_remove(af->tmp);
	af->tmp[0] = '\0';
	sync_dir(af->path);
	return ST_OK;
}

void atomic_abort(struct atomic_file *af)
{
	if (af->f) {
		fclose(af->f);
		af->f = NULL;
	}
	if (af->tmp[0]) {
		unlink(af->tmp);
		pending_remove(af->tmp);
		af->tmp[0] = '\0';
	}
}

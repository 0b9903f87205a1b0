/* A writer killed mid-way leaves no partial file: the data goes to a temp
 * file that only becomes the destination at commit. SIGTERM (and the other
 * catchable signals) also removes the temp file; SIGKILL cannot, but still
 * leaves nothing under the final name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "base/atomicfile.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	if (d)
		closedir(d);
	return n;
}

/* Forks a writer that writes half a file, tells us, and waits to be killed. */
static void kill_mid_write(int sig, int expect_entries)
{
	char dir[] = "/tmp/seqstep-kill-XXXXXX", path[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/enc.0.self_attn.q.csv", dir);
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		atomic_cleanup_on_signals();
		struct atomic_file af;
		struct err e;
		if (atomic_open(&af, path, 0, &e))
			_exit(3);
		for (int i = 0; i < 1000; i++)
			fprintf(af.f, "row%d,%d,%d\n", i, i, i * 2);
		fflush(af.f);
		if (write(fds[1], "x", 1) != 1)
			_exit(4);
		for (;;)
			pause();
	}
	close(fds[1]);
	char c;
	assert_int_equal(read(fds[0], &c, 1), 1);
	close(fds[0]);
	kill(pid, sig);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), sig);
	/* Never a file under the final name... */
	assert_int_not_equal(access(path, F_OK), 0);
	/* ...and for a catchable signal not even the temp file. */
	assert_int_equal(count_entries(dir), expect_entries);
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_sigterm_leaves_nothing(void **state)
{
	(void)state;
	kill_mid_write(SIGTERM, 0);
}

static void test_sigint_leaves_nothing(void **state)
{
	(void)state;
	kill_mid_write(SIGINT, 0);
}

static void test_sigkill_leaves_no_partial_file(void **state)
{
	(void)state;
	kill_mid_write(SIGKILL, 1); /* the hidden temp file only */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigterm_leaves_nothing),
		cmocka_unit_test(test_sigint_leaves_nothing),
		cmocka_unit_test(test_sigkill_leaves_no_partial_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

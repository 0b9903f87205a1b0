/* Allocation failure on the load and run paths: for k = 1, 2, ... the k-th
 * allocation (malloc, calloc, realloc, strdup; jansson's and libc's
 * internal ones included) fails, and model_load + model_run must return a
 * clean error (ST_NOMEM, or ST_BADINPUT/ST_IO with a message), never crash,
 * and (under `make asan`) never leak. The loop ends at the first k whose
 * run finishes without reaching the k-th allocation.
 *
 * The allocator is interposed by defining malloc & co. in this binary; the
 * real ones are glibc's __libc_* (or, under AddressSanitizer, its
 * __interceptor_* entry points, so ASan still sees every block).
 *
 * Two libraries crash on an allocation failure of their own: jansson 2.14
 * aborts (assert) or reads past its buffer when its lexer's token buffer
 * cannot grow (lex_save() drops strbuffer_append_byte()'s failure,
 * akheron/jansson#362, still open), and OpenBLAS's AVX-512 small-matrix
 * sgemm kernel writes through an unchecked malloc() (sgemm_small_kernel_nn).
 * So an allocation made by either library is failed in a forked child, where
 * a crash inside that library (SIGABRT, or a fault whose instruction is in
 * it) is recorded as the library's and does not stop the test; any other
 * outcome there (a crash in seqstep's code, a leak that LSan reports when the
 * child exits) fails it like the rest. */
#define _GNU_SOURCE /* dladdr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/model.h"

#include <cblas.h>

#include <dlfcn.h>
#include <signal.h>
#include <ucontext.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define ALLOC_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ALLOC_ASAN 1
#endif
#endif

#ifdef ALLOC_ASAN
void *__interceptor_malloc(size_t n);
void *__interceptor_calloc(size_t n, size_t size);
void *__interceptor_realloc(void *p, size_t n);
#define REAL_MALLOC __interceptor_malloc
#define REAL_CALLOC __interceptor_calloc
#define REAL_REALLOC __interceptor_realloc
#else
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
#define REAL_MALLOC __libc_malloc
#define REAL_CALLOC __libc_calloc
#define REAL_REALLOC __libc_realloc
#endif

static volatile int counting; /* count (and maybe fail) only while set */
static long n_allocs;         /* allocations counted so far */
static long fail_at;          /* the allocation to fail (1-based), 0 = none */
static int failed;            /* the fail_at-th allocation was reached */
static void *failed_caller;   /* who asked for it, for messages */
enum { MAX_RECORD = 1 << 20 };
static void *callers[MAX_RECORD]; /* the caller of each allocation of a clean run */

static size_t largest;        /* the largest block asked for while counting */

static int should_fail_n(void *caller, size_t bytes)
{
	if (counting && bytes > largest)
		largest = bytes;
	if (!counting)
		return 0;
	++n_allocs;
	if (!fail_at && n_allocs <= MAX_RECORD)
		callers[n_allocs - 1] = caller;
	if (n_allocs != fail_at)
		return 0;
	failed = 1;
	failed_caller = caller;
	return 1;
}

#define should_fail(caller) should_fail_n(caller, 0)

void *malloc(size_t n)
{
	if (should_fail_n(__builtin_return_address(0), n))
		return NULL;
	return REAL_MALLOC(n);
}

void *calloc(size_t n, size_t size)
{
	if (should_fail_n(__builtin_return_address(0), size && n > SIZE_MAX / size ? SIZE_MAX : n * size))
		return NULL;
	return REAL_CALLOC(n, size);
}

void *realloc(void *p, size_t n)
{
	if (should_fail_n(__builtin_return_address(0), n))
		return NULL; /* p stays valid, as a real failure leaves it */
	return REAL_REALLOC(p, n);
}

char *strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	if (should_fail(__builtin_return_address(0)))
		return NULL;
	char *p = REAL_MALLOC(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *strndup(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	if (should_fail(__builtin_return_address(0)))
		return NULL;
	char *p = REAL_MALLOC(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

static const char *where(void *caller)
{
	static char buf[256];
	Dl_info info;
	if (caller && dladdr(caller, &info) && info.dli_fname)
		snprintf(buf, sizeof buf, "%s (%s+%#lx)", info.dli_sname ? info.dli_sname : "?",
			 strrchr(info.dli_fname, '/') ? strrchr(info.dli_fname, '/') + 1
						      : info.dli_fname,
			 (unsigned long)((char *)caller - (char *)info.dli_fbase));
	else
		snprintf(buf, sizeof buf, "%p", caller);
	return buf;
}

/* Allocations whose failure libc itself absorbs by design: glibc's qsort
 * falls back to an in-place sort without its merge buffer, and a stdio
 * stream without its buffer runs unbuffered. */
static const char *const absorbed[] = {"qsort", "qsort_r", "_IO_file_doallocate"};

static int tolerated(void *caller)
{
	Dl_info info;
	if (!caller || !dladdr(caller, &info) || !info.dli_fname || !info.dli_sname ||
	    !strstr(info.dli_fname, "libc.so"))
		return 0;
	for (size_t i = 0; i < sizeof absorbed / sizeof *absorbed; i++)
		if (!strcmp(info.dli_sname, absorbed[i]))
			return 1;
	return 0;
}

struct alloc_case {
	const char *dir;
	const char *text;   /* NULL for block models */
	const char *target; /* teacher forcing, or NULL */
	int beam;
	int run_only;       /* start after model_load (another case covers it) */
};

static long load_allocs; /* allocations model_load made in the last attempt */

/* Runs the case once with allocation fail_at failing; returns its status. */
static enum status attempt(const struct alloc_case *c, struct err *e)
{
	struct model m;
	struct trace tr;
	struct run_result r;
	struct run_opts o;
	run_opts_default(&o);
	o.beam = c->beam;
	o.target = c->target;
	trace_init(&tr);
	n_allocs = 0;
	failed = 0;
	failed_caller = NULL;
	counting = 1;
	enum status st = model_load(&m, c->dir, e);
	load_allocs = n_allocs;
	if (st == ST_OK) {
		st = model_run(&m, c->text, &o, &tr, &r, e);
		if (st == ST_OK)
			run_result_release(&r);
		model_release(&m);
	}
	trace_release(&tr);
	counting = 0;
	return st;
}

/* Made by (or executing in) one of the libraries above. */
static int in_library(void *addr)
{
	Dl_info info;
	return addr && dladdr(addr, &info) && info.dli_fname &&
	       (strstr(info.dli_fname, "libjansson") || strstr(info.dli_fname, "libopenblas"));
}

/* What one attempt reports. */
struct outcome {
	enum status st;
	int failed;
	void *caller;
	char msg[sizeof ((struct err *)0)->msg];
	int aborted; /* the child crashed inside the library (an assert, a fault) */
};

static void attempt_here(const struct alloc_case *c, struct outcome *out)
{
	struct err e = {0};
	out->st = attempt(c, &e);
	out->failed = failed;
	out->caller = failed_caller;
	memcpy(out->msg, e.msg, sizeof out->msg);
	out->aborted = 0;
}

enum { CHILD_LIBRARY_CRASH = 77 };

/* In the child: a SIGSEGV/SIGBUS whose faulting instruction is in jansson or
 * OpenBLAS exits with CHILD_LIBRARY_CRASH; any other dies of the signal. */
static void child_fault(int sig, siginfo_t *si, void *ctx)
{
	(void)si;
	void *pc = NULL;
#if defined(__x86_64__)
	pc = (void *)((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	pc = (void *)((ucontext_t *)ctx)->uc_mcontext.pc;
#else
	(void)ctx;
#endif
	if (in_library(pc))
		_exit(CHILD_LIBRARY_CRASH);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* The same in a child process, which may crash inside the library. */
static void attempt_forked(const struct alloc_case *c, struct outcome *out)
{
	int fd[2];
	if (pipe(fd) != 0)
		fail_msg("pipe failed");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail_msg("fork failed");
	if (pid == 0) {
		close(fd[0]);
		/* cmocka's handlers would deadlock on a corrupted heap */
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_sigaction = child_fault;
		sa.sa_flags = SA_SIGINFO;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGBUS, &sa, NULL);
		signal(SIGABRT, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
#ifndef ALLOC_ASAN
		/* jansson's assert message would read like a test failure; under
		 * ASan stderr stays, for its reports */
		if (!freopen("/dev/null", "w", stderr))
			exit(97);
#endif
		attempt_here(c, out);
		ssize_t w = write(fd[1], out, sizeof *out);
		close(fd[1]);
		exit(w == (ssize_t)sizeof *out ? 0 : 98); /* exit, not _exit: LSan checks */
	}
	close(fd[1]);
	memset(out, 0, sizeof *out);
	ssize_t r = read(fd[0], out, sizeof *out);
	close(fd[0]);
	int ws;
	if (waitpid(pid, &ws, 0) != pid)
		fail_msg("waitpid failed");
	/* seqstep has no assert() or abort(): an abort is the library's */
	if (r <= 0 && ((WIFSIGNALED(ws) && WTERMSIG(ws) == SIGABRT) ||
		       (WIFEXITED(ws) && WEXITSTATUS(ws) == CHILD_LIBRARY_CRASH))) {
		out->aborted = 1;
		return;
	}
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0 || r != (ssize_t)sizeof *out)
		fail_msg("%s: allocation %ld failed in a child, which then %s %d (leak or crash)",
			 c->dir, fail_at, WIFSIGNALED(ws) ? "died of signal" : "exited with",
			 WIFSIGNALED(ws) ? WTERMSIG(ws) : WEXITSTATUS(ws));
}

static void run_case(const struct alloc_case *c)
{
	struct err e = {0};
	/* Once without failures: the case must work, and the run records how
	 * many allocations there are and who makes each. A first run warms up
	 * what libraries allocate once per process (OpenBLAS's buffers, stdio's),
	 * so the counted runs all make the same allocations. */
	fail_at = 0;
	enum status st = attempt(c, &e);
	if (st == ST_OK)
		st = attempt(c, &e);
	if (st != ST_OK)
		fail_msg("%s: fails without an allocation failure: %s", c->dir, e.msg);
	long total = n_allocs, first = c->run_only ? load_allocs + 1 : 1;
	if (total > MAX_RECORD)
		fail_msg("%s: %ld allocations; raise MAX_RECORD", c->dir, total);
	long k, tolerated_n = 0, lib_n = 0, lib_crash = 0;
	struct outcome o;
	/* ALLOC_FAIL_K=k runs only that k, in this process (for a debugger). */
	const char *only = getenv("ALLOC_FAIL_K");
	for (k = only ? atol(only) : first;; k++) {
		fail_at = k;
		if (only) {
			attempt_here(c, &o);
			print_message("%s: k = %ld (from %s): status %d: %s\n", c->dir, k,
				      where(o.caller), o.st, o.msg);
			return;
		}
		if (k <= total && in_library(callers[k - 1])) {
			lib_n++;
			attempt_forked(c, &o);
			if (o.aborted) {
				lib_crash++;
				continue;
			}
		} else {
			attempt_here(c, &o);
		}
		if (!o.failed) {
			if (o.st != ST_OK)
				fail_msg("%s: k = %ld: no failure injected, yet: %s", c->dir, k, o.msg);
			break;
		}
		if (o.st == ST_OK) {
			if (tolerated(o.caller)) {
				tolerated_n++;
				continue;
			}
			fail_msg("%s: allocation %ld (from %s) failed, yet the run succeeded", c->dir,
				 k, where(o.caller));
		}
		if (!(o.st == ST_NOMEM || o.st == ST_BADINPUT || o.st == ST_IO))
			fail_msg("%s: allocation %ld (from %s): status %d: %s", c->dir, k,
				 where(o.caller), o.st, o.msg);
		if (!o.msg[0] || strchr(o.msg, '\n'))
			fail_msg("%s: allocation %ld (from %s): bad message '%s'", c->dir, k,
				 where(o.caller), o.msg);
	}
	print_message("%s%s: allocations %ld..%ld failed in turn: %ld absorbed by libc (qsort, "
		      "stdio buffers), %ld made by jansson or OpenBLAS (%ld of them crash there)\n",
		      c->dir, c->target ? " (teacher forcing)" : c->beam > 1 ? " (beam)" : "", first,
		      total, tolerated_n, lib_n, lib_crash);
	assert_int_equal(k - 1, total);
}

#define TF "tests/ref/fixtures/tf-post-relu-h2"
#define LSTM "tests/ref/fixtures/lstm-additive-2l"

static void test_transformer(void **state)
{
	(void)state;
	static const struct alloc_case c = {.dir = TF, .text = "s4 s5 s6", .beam = 1};
	run_case(&c);
}

/* The run only (the load is the case above): teacher forcing, an unknown
 * word, beam search. */
static void test_transformer_forced_beam(void **state)
{
	(void)state;
	static const struct alloc_case c = {
		.dir = TF, .text = "s4 s5 s6 zz", .target = "t4 t5", .beam = 2, .run_only = 1};
	run_case(&c);
}

static void test_lstm(void **state)
{
	(void)state;
	static const struct alloc_case c = {.dir = LSTM, .text = "s4 s5 s6", .beam = 1};
	run_case(&c);
}

static void test_lstm_beam(void **state)
{
	(void)state;
	static const struct alloc_case c = {
		.dir = LSTM, .text = "s4 s5 s6", .beam = 3, .run_only = 1};
	run_case(&c);
}

static void test_qkv_csv(void **state)
{
	(void)state;
	static const struct alloc_case c = {.dir = "models/qkv-example", .beam = 1};
	run_case(&c);
}

/* A hostile config.json (a few hundred bytes asking for 1.9e9 parameters,
 * under the 2^31 limit) beside a tiny safetensors file: the load fails on
 * the first tensor's shape, naming the file, before it reserves the 7.5 GB
 * weight block. */
static void test_hostile_config_reserves_little(void **state)
{
	(void)state;
	char dir[] = "/tmp/seqstep-alloc-XXXXXX", cmd[512];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp %s/model.safetensors %s/*.vocab %s/ && cp "
		 "tests/data/bad/config-big-tiny-file.json %s/config.json", TF, TF, dir, dir);
	assert_int_equal(system(cmd), 0);
	struct model m;
	struct err e = {0};
	fail_at = 0;
	largest = 0;
	counting = 1;
	enum status st = model_load(&m, dir, &e);
	counting = 0;
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(st, ST_BADINPUT);
	if (!strstr(e.msg, "model.safetensors: tensor src_embed.weight has shape"))
		fail_msg("unexpected message: %s", e.msg);
	if (largest > ((size_t)16 << 20))
		fail_msg("reserved a block of %zu bytes for a model the files cannot fill", largest);
}

int main(void)
{
	/* One BLAS thread: a pool's lazily made per-thread buffers would make
	 * the count of allocations depend on timing. */
	openblas_set_num_threads(1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_transformer), cmocka_unit_test(test_transformer_forced_beam),
		cmocka_unit_test(test_lstm),        cmocka_unit_test(test_lstm_beam),
		cmocka_unit_test(test_qkv_csv),
		cmocka_unit_test(test_hostile_config_reserves_little),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

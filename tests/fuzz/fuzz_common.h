/* Shared helpers for the libFuzzer harnesses in tests/fuzz (see README.md).
 * The loaders take paths, so each harness writes its input to files in a
 * private scratch folder (on /dev/shm when it is writable), created once per
 * process and removed at exit. */
#ifndef SEQSTEP_FUZZ_COMMON_H
#define SEQSTEP_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* The scratch folder, e.g. "/dev/shm/seqstep-fuzz.ab12CD". */
const char *fuzz_dir(void);
/* fuzz_dir() + "/" + name, in a static buffer that the next call reuses. */
const char *fuzz_path(const char *name);
/* Writes n bytes to fuzz_dir()/name (replacing it; "sub/name" creates sub);
 * aborts on failure, which is a harness problem, not a finding. */
const char *fuzz_write(const char *name, const void *data, size_t n);
/* The same, but returns NULL when the file cannot be made (the name is
 * already a folder, say): for file names that come from the input. */
const char *fuzz_try_write(const char *name, const void *data, size_t n);
/* Removes every file and folder inside fuzz_dir(). */
void fuzz_clean(void);
/* A malloc'd NUL-terminated copy of data (n bytes). */
char *fuzz_strndup(const uint8_t *data, size_t n);
/* Aborts (a finding) with a message when !cond: for invariants. */
#define FUZZ_CHECK(cond, ...) \
	do { \
		if (!(cond)) \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__); \
	} while (0)
void fuzz_fail(const char *file, int line, const char *cond, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));
/* An error message must be one non-empty line (README: every error is one
 * line naming the file) without control characters (it goes to a terminal). */
void fuzz_check_msg(const char *msg);

#endif

/* Errors are values: every fallible function below main returns enum status
 * and fills a struct err with one human-readable line. */
#ifndef SEQSTEP_STATUS_H
#define SEQSTEP_STATUS_H

#include <stddef.h>
#include <stdint.h>

enum status {
	ST_OK = 0,
	ST_USAGE = 1,    /* the command line or a command was wrong */
	ST_BADINPUT = 2, /* a model, config, vocab, CSV or text was wrong */
	ST_NOMEM = 3,
	ST_IO = 4,
	ST_INTERRUPTED = 5,
};

struct err {
	enum status st;
	char msg[512];
};

/* Sets e (when not NULL) and returns st, so callers can `return err_set(...)`. */
enum status err_set(struct err *e, enum status st, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Prefixes an existing message with context, e.g. the file name. */
enum status err_prefix(struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Exit code for batch mode: 0 ok, 1 usage, 2 bad input (and other failures). */
int status_exit_code(enum status st);

/* Checked size arithmetic for untrusted sizes: return 0 on overflow. */
static inline int size_mul(size_t a, size_t b, size_t *out)
{
	return !__builtin_mul_overflow(a, b, out);
}
static inline int size_add(size_t a, size_t b, size_t *out)
{
	return !__builtin_add_overflow(a, b, out);
}

#endif

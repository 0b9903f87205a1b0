/* A growing string. Out of memory is sticky (oom) and later appends do
 * nothing, so builders check once at the end. */
#ifndef SEQSTEP_BASE_STRBUF_H
#define SEQSTEP_BASE_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;      /* NUL-terminated, NULL until the first append */
	size_t n, cap;
	int oom;
};

void strbuf_putn(struct strbuf *b, const char *s, size_t n);
void strbuf_puts(struct strbuf *b, const char *s);
void strbuf_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties the text, keeping the memory. */
void strbuf_clear(struct strbuf *b);
/* The text, or a fresh "" (NULL when out of memory); b is empty after. */
char *strbuf_take(struct strbuf *b);
void strbuf_release(struct strbuf *b);

#endif

/* Display width of UTF-8 text in terminal cells (CJK wide = 2), and
 * stripping of control characters from text that came from files. */
#ifndef SEQSTEP_TEXTWIDTH_H
#define SEQSTEP_TEXTWIDTH_H

#include <stddef.h>
#include <stdint.h>

/* Decodes one code point at s (n bytes available); returns its length, or 0
 * for invalid UTF-8 (then *cp = U+FFFD and the caller skips one byte). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
int codepoint_width(uint32_t cp);
/* Cells the string takes; invalid bytes count as one cell each. */
int text_width(const char *s);
/* Copies src to dst (capacity n) keeping at most `cells` display cells,
 * with control characters and escape sequences replaced by '?', invalid
 * UTF-8 by '?', and an ellipsis '~' when cut. Returns the cells used. */
int text_fit(char *dst, size_t n, const char *src, int cells);
/* Writes src into dst (capacity n) with control characters (C0, DEL, C1)
 * replaced by '?', so file text cannot drive the terminal. */
void text_sanitize(char *dst, size_t n, const char *src);
/* Untrusted text (a cell, a tensor name) for a one-line message, into buf
 * (capacity n >= 4): control characters (C0, DEL) become '?', and text
 * longer than n - 4 bytes is cut at a UTF-8 boundary and ends in "...".
 * Returns buf. */
const char *text_show(char *buf, size_t n, const char *s);

#endif

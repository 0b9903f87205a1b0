/* Code points for the tokenizers: UTF-8 decoding, checking and encoding,
 * the character classes the splitting rules (text/tokenizer.h) are made
 * of, and lowercasing. */
#ifndef SEQSTEP_CODEPOINT_H
#define SEQSTEP_CODEPOINT_H

#include <stddef.h>
#include <stdint.h>

/* Decodes the code point at s[*pos] (s has n bytes, *pos < n) and advances
 * *pos; 0 when the bytes there are not UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF are not). */
int utf8_next(const char *s, size_t n, size_t *pos, uint32_t *cp);
/* Offset of the first byte that is not valid UTF-8, or n when all are. */
size_t utf8_invalid_at(const char *s, size_t n);
/* Writes c as UTF-8 (1..4 bytes) to out; returns the length. */
size_t utf8_put(char *out, uint32_t c);
/* A copy of s (n bytes, valid UTF-8), lowercased when asked; *m gets its
 * length. malloc'd, NULL on OOM. */
char *utf8_copy(const char *s, size_t n, int lowercase, size_t *m);
/* Up to ~40 bytes of a token for messages, cut on a code point boundary. */
const char *utf8_shorten(char buf[64], const char *s, size_t n);

/* Simple case folding for the scripts teachers use most. Never lengthens
 * the UTF-8 encoding (İ -> i shortens it), so lowercasing fits in place. */
uint32_t cp_lower(uint32_t c);
/* Separators: White_Space, plus controls, ZWSP and BOM. */
int cp_space(uint32_t c);
/* CJK and full-width punctuation: written without spaces on either side. */
int cp_cjk_punct(uint32_t c);
/* Punctuation: every mark is a token of its own at word level. */
int cp_punct(uint32_t c);
/* Neither a separator nor punctuation: part of a word. */
int cp_wordy(uint32_t c);
/* The code point at pos of validated text; a space past the end, so
 * lookahead needs no bounds checks. *next gets the position after it. */
uint32_t cp_at(const char *s, size_t n, size_t pos, size_t *next);

#endif

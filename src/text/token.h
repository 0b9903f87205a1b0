/* Tokens as files hold them: the limits, the spellings the tokenizers add
 * ("</w>", "▁"), the four special tokens, reading a vocabulary or merges
 * file line by line, and checking one token. */
#ifndef SEQSTEP_TOKEN_H
#define SEQSTEP_TOKEN_H

#include "base/status.h"

#include <stddef.h>

enum {
	TOK_MAX_TOKEN = 1024,       /* bytes of one vocabulary token or merge symbol */
	TOK_MAX_FILE = 64 << 20,    /* bytes of a vocabulary or merges file */
};

#define TOK_EOW "</w>"            /* BPE end-of-word marker */
#define TOK_SPACE "\xe2\x96\x81"  /* "▁" U+2581: a space, character level */

/* <pad> <unk> <bos> <eos>, the ids a vocabulary built here gives them. */
extern const char *const token_specials[4];

/* Reads a whole input file, at most TOK_MAX_FILE bytes; *buf is
 * NUL-terminated and malloc'd. */
enum status token_file_read(const char *path, char **buf, size_t *len, struct err *e);

/* Lines of a file buffer: '\n' separated, an optional final '\n', a '\r'
 * before '\n' dropped, a UTF-8 BOM skipped. */
struct token_lines {
	const char *buf;
	size_t len, pos;
	int no;          /* 1-based number of the current line */
};

void token_lines_init(struct token_lines *l, const char *buf, size_t len);
/* The next line as buf[*start .. *start + *n); 0 at the end. */
int token_lines_next(struct token_lines *l, size_t *start, size_t *n);

/* Checks one token or merge symbol (s, n bytes): not empty, at most
 * TOK_MAX_TOKEN bytes, UTF-8, no control characters, no leading or trailing
 * space. at is "PATH: line N" or "token N" and base the offset of s in its
 * file, for the byte position. */
enum status token_check(const char *s, size_t n, size_t base, const char *at, struct err *e);

#endif

/* Vocabularies: one token per line of a file, id = line number - 1,
 * looked up both ways; and building one from training text (the word and
 * character levels: BPE vocabularies come from bpe_learn, text/bpe.h). */
#ifndef SEQSTEP_VOCAB_H
#define SEQSTEP_VOCAB_H

#include "io/config.h"
#include "base/status.h"

#include <stddef.h>

struct vocab {
	char **tokens;  /* (n) owned; id = index */
	int n;
	int pad, unk, bos, eos; /* ids of <pad> <unk> <bos> <eos>; all four must exist */
	int *slots;     /* private: (nslots) open-addressing index, id + 1, 0 = empty */
	size_t nslots;  /* private: a power of two, or 0 */
};

/* One token per line, line number - 1 = id; trailing '\n' optional, "\r\n"
 * and a leading UTF-8 BOM accepted. Every problem (missing file, empty line,
 * duplicate, invalid UTF-8, control character, missing special) is
 * ST_BADINPUT with a message naming path and line. v is zeroed on failure. */
enum status vocab_load(struct vocab *v, const char *path, struct err *e);
/* Copies tokens (ids 0..n-1) with the same checks as vocab_load. */
enum status vocab_from_tokens(struct vocab *v, const char *const *tokens, int n, struct err *e);
/* Safe on a zeroed or already released vocab. */
void vocab_release(struct vocab *v);
int vocab_id(const struct vocab *v, const char *tok);   /* -1 when absent */
const char *vocab_token(const struct vocab *v, int id); /* "<?>" when out of range */
/* One token per line, '\n' terminated, written atomically (temp file +
 * rename, replacing path); ST_IO naming path on failure. */
enum status vocab_save(const struct vocab *v, const char *path, struct err *e);
/* The id of tok (len bytes, not NUL-terminated), -1 when absent. */
int vocab_find(const struct vocab *v, const char *tok, size_t len);
/* Checks, then writes, a token list (specials already first) to path as
 * vocab_save does. */
enum status vocab_write(const char *const *toks, int n, const char *path, struct err *e);

/* Word- or char-level vocabulary from lines: <pad>=0 <unk>=1 <bos>=2 <eos>=3,
 * then units with count >= min_count by descending count, then bytewise;
 * written to path. */
enum status vocab_build(enum tok_kind kind, int lowercase, const char *const *lines,
			size_t n_lines, int min_count, const char *path, struct err *e);

#endif

/* Cutting text into the units the tokenizers count and encode: words,
 * characters, BPE initial symbols. The rules are in text/tokenizer.h. */
#ifndef SEQSTEP_SPLIT_H
#define SEQSTEP_SPLIT_H

#include "io/config.h"
#include "base/status.h"
#include "text/strtab.h"

#include <stddef.h>

/* Receives one unit (len bytes, not NUL-terminated); nonzero stops (OOM). */
typedef int (*split_fn)(void *ctx, const char *unit, size_t len);

/* Validates and lowercases text, then calls fn per unit of `kind` (BPE: per
 * word when words is set, else per initial symbol). spaces: character
 * level reports "▁" for a gap between characters. Errors: invalid UTF-8
 * (ST_BADINPUT), an unknown kind (ST_USAGE), fn stopping (ST_NOMEM). */
enum status split_text(enum tok_kind kind, int lowercase, int spaces, int words,
		       const char *text, split_fn fn, void *ctx, struct err *e);
/* A word's BPE initial symbols: its code points, "</w>" glued to the last. */
int split_bpe_symbols(const char *w, size_t n, split_fn fn, void *ctx);
/* Counts the units (words when words is set) of every line into tab;
 * errors say "line N: ...". */
enum status split_count(enum tok_kind kind, int lowercase, int words, const char *const *lines,
			size_t n_lines, struct strtab *tab, struct err *e);

#endif

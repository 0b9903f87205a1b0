/* Byte-pair encoding (Sennrich): the merge table read from a merges file,
 * applying it to one word with every merge reported, and learning one from
 * training text. The rules are in text/tokenizer.h. */
#ifndef SEQSTEP_BPE_H
#define SEQSTEP_BPE_H

#include "base/status.h"

#include <stddef.h>

/* A merge table: merge `rank` joins left[rank] and right[rank]. struct
 * tokenizer keeps the same fields under its own names (n_merges,
 * merge_left, ...), which callers read. Zero-initialise. */
struct bpe_table {
	int n;
	char **left, **right; /* (n) owned */
	int *slots;           /* (nslots) pair index, rank + 1, 0 = empty */
	size_t nslots;        /* a power of two, or 0 */
};

/* Loads a merges file: "left right" per line in merge order, an optional
 * "#version" first line (subword-nmt) skipped. Empty lines, malformed lines
 * and duplicate pairs are ST_BADINPUT naming the file and line. On failure
 * t holds what was read so far: release it. */
enum status bpe_table_load(struct bpe_table *t, const char *path, struct err *e);
void bpe_table_release(struct bpe_table *t);

/* What bpe_apply reports, in order: each merge performed, then each final
 * symbol (shown: its length without "</w>"). A nonzero return stops it. */
struct bpe_sink {
	int (*merge)(void *ctx, int rank, const char *a, size_t alen, const char *b, size_t blen);
	int (*symbol)(void *ctx, const char *sym, size_t len, size_t shown);
	void *ctx;
};
/* Splits word (n bytes of validated, normalised text) into code points,
 * "</w>" glued to the last, then merges the lowest-ranked adjacent pair
 * (leftmost first) until no pair has a merge. Nonzero on OOM or when the
 * sink stops. */
int bpe_apply(const struct bpe_table *t, const char *word, size_t n, const struct bpe_sink *sink);

/* Learns up to n_merges merges from the lines: the most frequent adjacent
 * pair first, ties to the bytewise smallest (left, right); stops early when
 * no pair occurs twice (merging a pair seen once only memorises a word).
 * Writes merges_path ("left right" per line) and vocab_path: <pad> <unk>
 * <bos> <eos>, then the initial symbols bytewise, then each merge's result
 * in merge order, so every symbol an encoding can produce is in it.
 * Line problems are reported as "line N: ...". */
enum status bpe_learn(const char *const *lines, size_t n_lines, int n_merges, int lowercase,
		      const char *merges_path, const char *vocab_path, struct err *e);

#endif

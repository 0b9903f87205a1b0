/* Vocabularies and the three tokenizers (word, character, BPE).
 *
 * Splitting rules, shared by encoding and by training (vocab_build, bpe_learn)
 * so a model always sees text cut the way its vocabulary was counted:
 *
 *  - Text is UTF-8; anything else is rejected ("invalid UTF-8 at byte N", N a
 *    0-based offset). Lowercasing (optional) covers ASCII, Latin-1, Latin
 *    Extended-A, basic Greek and Cyrillic (É -> é, İ -> i).
 *  - Separators: Unicode White_Space plus control characters, U+200B and
 *    U+FEFF. They are never tokens.
 *  - Word level: words end at separators and punctuation; every punctuation
 *    mark (ASCII, Latin-1 ¡¿«», General Punctuation “”…, CJK 、。「」 and
 *    full-width ，！？) is a token of its own. Inside a word, '.' or ','
 *    between two digits stays ("3.14", "1,000"). An apostrophe (' or ’)
 *    between letters keeps an English contraction whole when what follows is
 *    s t m d re ve ll ("don't", "it's", "we'll"); otherwise it ends an
 *    elided word, French/Italian style ("l'homme" -> "l'" "homme",
 *    "qu'il" -> "qu'" "il"). A run of CJK characters without spaces stays
 *    one word: Chinese is word-tokenized by its spaces only.
 *  - Character level: one token per code point, separators dropped. A run
 *    of separators between two characters becomes the token "▁" (U+2581)
 *    when the vocabulary has it (Latin text, where spaces matter), and is
 *    dropped otherwise (Chinese). tokenizer_split always reports "▁", so a
 *    vocabulary built from spaced text gets it.
 *  - BPE (Sennrich): words as at word level, each split into code points
 *    with "</w>" glued to the last ("low" -> "l" "o" "w</w>"); then the
 *    lowest-ranked adjacent pair in the merge table is merged (leftmost
 *    first) until no pair has a merge. Each merge performed is recorded.
 *
 * Units missing from the vocabulary become <unk> and are listed in
 * encoding.unknown, never dropped. */
#ifndef SEQSTEP_TOKENIZER_H
#define SEQSTEP_TOKENIZER_H

/* The parts, each usable alone: vocabularies (text/vocab.h), BPE merge
 * tables and learning (text/bpe.h), token files and limits (text/token.h). */
#include "text/bpe.h"
#include "text/token.h"
#include "text/vocab.h"
#include "io/config.h"
#include "base/status.h"

#include <stddef.h>

enum {
	TOK_MAX_TEXT = 4096,        /* bytes of one sentence to encode */
};

struct bpe_merge_rec {
	int rank;          /* 0-based line of the merge in the merges file */
	char *left, *right; /* owned */
};

struct encoding {
	int n;            /* tokens (no <bos>/<eos>: the caller adds those) */
	int *ids;         /* (n) */
	char **pieces;    /* (n) owned surface strings after lowercasing, e.g. the
			   * word itself for an <unk>, "low</w>" for a BPE symbol */
	int n_unknown;    /* how many became <unk> */
	char **unknown;   /* (n_unknown) owned: the units that were unknown (BPE:
			   * the symbol without its "</w>") */
	int n_merges;     /* BPE only: every merge performed, in order (one
			   * record per merge, so a pair merged twice in a word
			   * appears twice) */
	struct bpe_merge_rec *merges; /* (n_merges) */
};

struct tokenizer {
	enum tok_kind kind;
	int lowercase;
	const struct vocab *vocab; /* borrowed: outlives the tokenizer */
	int space_id;              /* char level: id of "▁", -1 when spaces are dropped */
	/* BPE only: the merge table (a struct bpe_table's fields, text/bpe.h);
	 * rank = index = order in the merges file */
	int n_merges;
	char **merge_left, **merge_right; /* (n_merges) owned */
	int *merge_slots;          /* private: (merge_nslots) pair index, rank + 1 */
	size_t merge_nslots;
};

/* Loads the merges file (tok_config.merges, relative to model_dir) for BPE:
 * "left right" per line in merge order, an optional "#version" first line
 * (subword-nmt) skipped. Empty lines, malformed lines and duplicate pairs are
 * ST_BADINPUT naming the file and line. */
enum status tokenizer_init(struct tokenizer *t, const struct tok_config *cfg,
			   const struct vocab *v, const char *model_dir, struct err *e);
void tokenizer_release(struct tokenizer *t);
/* out is always initialised (zeroed on failure). Errors: "sentence too long
 * (N bytes, at most 4096)", "invalid UTF-8 at byte N", "empty sentence". */
enum status tokenizer_encode(const struct tokenizer *t, const char *text, struct encoding *out,
			     struct err *e);
void encoding_release(struct encoding *enc);
/* Joins ids back into text, skipping <pad>/<bos>/<eos>. Word level: spaces
 * between words, none before , . ! ? ; : ) ] } % … ” nor after ( [ { ¿ ¡ “
 * or an elided "l'", none around CJK punctuation, '"' alternately opens and
 * closes. Char level: concatenation, "▁" -> space. BPE: symbols are glued,
 * "</w>" ends a word, and words are joined as at word level. Out-of-range
 * ids show as "<?>". Returns a malloc'd string, NULL on OOM. */
char *tokenizer_decode(const struct tokenizer *t, const int *ids, int n);

/* Training support (vocab_build is in text/vocab.h, bpe_learn in text/bpe.h). */
/* Calls fn for each unit the tokenizer of `kind` counts: words, characters
 * (with "▁" between words, see above) or BPE initial symbols ("l" "o"
 * "w</w>"). Empty text is fine (no calls). Invalid UTF-8 -> ST_BADINPUT. */
enum status tokenizer_split(enum tok_kind kind, int lowercase, const char *text,
			    void (*fn)(const char *unit, void *ctx), void *ctx, struct err *e);

#endif

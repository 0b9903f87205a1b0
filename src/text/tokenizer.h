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

#include "io/config.h"
#include "base/status.h"

#include <stddef.h>

enum {
	TOK_MAX_TEXT = 4096,        /* bytes of one sentence to encode */
	TOK_MAX_TOKEN = 1024,       /* bytes of one vocabulary token or merge symbol */
	TOK_MAX_FILE = 64 << 20,    /* bytes of a vocabulary or merges file */
};

#define TOK_EOW "</w>"            /* BPE end-of-word marker */
#define TOK_SPACE "\xe2\x96\x81"  /* "▁" U+2581: a space, character level */

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
	/* BPE only: the merge table; rank = index = order in the merges file */
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

/* Training support. */
/* Calls fn for each unit the tokenizer of `kind` counts: words, characters
 * (with "▁" between words, see above) or BPE initial symbols ("l" "o"
 * "w</w>"). Empty text is fine (no calls). Invalid UTF-8 -> ST_BADINPUT. */
enum status tokenizer_split(enum tok_kind kind, int lowercase, const char *text,
			    void (*fn)(const char *unit, void *ctx), void *ctx, struct err *e);
/* Learns up to n_merges merges from the lines: the most frequent adjacent
 * pair first, ties to the bytewise smallest (left, right); stops early when
 * no pair occurs twice (merging a pair seen once only memorises a word).
 * Writes merges_path ("left right" per line) and vocab_path: <pad> <unk>
 * <bos> <eos>, then the initial symbols bytewise, then each merge's result
 * in merge order, so every symbol an encoding can produce is in it.
 * Line problems are reported as "line N: ...". */
enum status bpe_learn(const char *const *lines, size_t n_lines, int n_merges, int lowercase,
		      const char *merges_path, const char *vocab_path, struct err *e);
/* Word- or char-level vocabulary from lines: <pad>=0 <unk>=1 <bos>=2 <eos>=3,
 * then units with count >= min_count by descending count, then bytewise;
 * written to path. */
enum status vocab_build(enum tok_kind kind, int lowercase, const char *const *lines,
			size_t n_lines, int min_count, const char *path, struct err *e);

#endif

/* Translation metrics: exact match and corpus BLEU-4 (Papineni et al. 2002),
 * without smoothing, on pre-tokenized sequences (token ids) or on text
 * split into words or characters. */
#ifndef SEQSTEP_METRICS_H
#define SEQSTEP_METRICS_H

#include "base/status.h"

#include <stddef.h>

/* The parts of a corpus BLEU score, for showing how it was computed. */
struct bleu_detail {
	long long match[4], total[4]; /* clipped n-gram matches / hypothesis n-grams, n = 1..4 */
	double precision[4];          /* match / total (0 when total is 0) */
	long long hyp_len, ref_len;   /* c and r, summed over the corpus */
	double bp;                    /* brevity penalty: 1 if c > r, else exp(1 - r/c) */
	double bleu;                  /* 100 * bp * exp(mean log precision), in [0, 100] */
};

/* Corpus BLEU-4: n-gram counts clipped by the reference and summed over all
 * n sentences before dividing, geometric mean of the four precisions, times
 * the brevity penalty; 0 when any precision is 0 (no smoothing) or n is 0.
 * One reference per sentence. Lengths below 0 count as 0. */
double bleu_corpus(const int *const *hyp, const int *hyp_len, const int *const *ref, const int *ref_len,
		   size_t n);
/* Same, filling d (when not NULL) with the counts behind the score. */
double bleu_corpus_detail(const int *const *hyp, const int *hyp_len, const int *const *ref, const int *ref_len,
			  size_t n, struct bleu_detail *d);

/* Fraction in [0, 1] of sentences identical to their reference (0 for n = 0). */
double exact_match(const int *const *hyp, const int *hyp_len, const int *const *ref, const int *ref_len, size_t n);
/* Same on strings compared byte for byte. */
double exact_match_text(const char *const *hyp, const char *const *ref, size_t n);

enum bleu_tok {
	BLEU_TOK_WORD, /* split at ASCII whitespace (English, French) */
	BLEU_TOK_CHAR, /* every UTF-8 character except ASCII whitespace (Chinese) */
};

/* BLEU on text: tokenizes each string, then as bleu_corpus_detail (d may be
 * NULL). Fails only when out of memory. */
enum status bleu_corpus_text(const char *const *hyp, const char *const *ref, size_t n, enum bleu_tok tok,
			     double *out, struct bleu_detail *d, struct err *e);

#endif

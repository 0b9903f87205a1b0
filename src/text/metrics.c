#include "text/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static int len_of(const int *const *seq, const int *len, size_t i)
{
	return seq[i] && len[i] > 0 ? len[i] : 0;
}

static int gram_eq(const int *a, const int *b, int k)
{
	for (int i = 0; i < k; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

/* Occurrences of the k-gram g in s[0..len). */
static long long gram_count(const int *s, int len, const int *g, int k)
{
	long long c = 0;
	for (int i = 0; i + k <= len; i++)
		c += gram_eq(s + i, g, k);
	return c;
}

double bleu_corpus_detail(const int *const *hyp, const int *hyp_len, const int *const *ref, const int *ref_len,
			  size_t n, struct bleu_detail *d)
{
	struct bleu_detail z;
	memset(&z, 0, sizeof z);
	for (size_t s = 0; s < n; s++) {
		int lh = len_of(hyp, hyp_len, s), lr = len_of(ref, ref_len, s);
		const int *h = hyp[s], *r = ref[s];
		z.hyp_len += lh;
		z.ref_len += lr;
		for (int k = 1; k <= 4; k++) {
			if (lh < k)
				continue;
			z.total[k - 1] += lh - k + 1;
			/* Each distinct hypothesis n-gram once: its count, clipped by
			 * the reference count. Quadratic, fine for sentence lengths. */
			for (int p = 0; p + k <= lh; p++) {
				int seen = 0;
				for (int q = 0; q < p && !seen; q++)
					seen = gram_eq(h + q, h + p, k);
				if (seen)
					continue;
				long long ch = gram_count(h, lh, h + p, k);
				long long cr = lr >= k ? gram_count(r, lr, h + p, k) : 0;
				z.match[k - 1] += ch < cr ? ch : cr;
			}
		}
	}
	int zero = 0;
	double logsum = 0;
	for (int k = 0; k < 4; k++) {
		if (z.total[k] == 0 || z.match[k] == 0) {
			zero = 1;
			continue;
		}
		z.precision[k] = (double)z.match[k] / (double)z.total[k];
		logsum += log(z.precision[k]);
	}
	if (z.hyp_len == 0)
		z.bp = 0;
	else if (z.hyp_len > z.ref_len)
		z.bp = 1;
	else
		z.bp = exp(1.0 - (double)z.ref_len / (double)z.hyp_len);
	z.bleu = zero ? 0 : 100.0 * z.bp * exp(logsum / 4);
	if (z.bleu > 100)
		z.bleu = 100; /* guard against rounding */
	if (d)
		*d = z;
	return z.bleu;
}

double bleu_corpus(const int *const *hyp, const int *hyp_len, const int *const *ref, const int *ref_len, size_t n)
{
	return bleu_corpus_detail(hyp, hyp_len, ref, ref_len, n, NULL);
}

double exact_match(const int *const *hyp, const int *hyp_len, const int *const *ref, const int *ref_len, size_t n)
{
	if (n == 0)
		return 0;
	size_t same = 0;
	for (size_t i = 0; i < n; i++) {
		int lh = len_of(hyp, hyp_len, i), lr = len_of(ref, ref_len, i);
		same += lh == lr && (lh == 0 || gram_eq(hyp[i], ref[i], lh));
	}
	return (double)same / (double)n;
}

double exact_match_text(const char *const *hyp, const char *const *ref, size_t n)
{
	if (n == 0)
		return 0;
	size_t same = 0;
	for (size_t i = 0; i < n; i++)
		same += strcmp(hyp[i] ? hyp[i] : "", ref[i] ? ref[i] : "") == 0;
	return (double)same / (double)n;
}

/* ---- text ------------------------------------------------------------- */

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static size_t utf8_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if ((c >> 5) == 6)
		return 2;
	if ((c >> 4) == 14)
		return 3;
	if ((c >> 3) == 30)
		return 4;
	return 1; /* a stray byte is a token of its own */
}

/* The next token at or after *pos; 0 at the end of s. */
static int tok_next(const char *s, size_t *pos, enum bleu_tok mode, const char **p, size_t *len)
{
	size_t i = *pos, j;
	while (s[i] && is_space((unsigned char)s[i]))
		i++;
	if (!s[i]) {
		*pos = i;
		return 0;
	}
	if (mode == BLEU_TOK_WORD) {
		for (j = i; s[j] && !is_space((unsigned char)s[j]); j++)
			;
	} else {
		size_t k = utf8_len((unsigned char)s[i]);
		for (j = i + 1; j < i + k && s[j]; j++)
			;
	}
	*p = s + i;
	*len = j - i;
	*pos = j;
	return 1;
}

struct intern {
	const char **p;
	size_t *len;
	int *id;
	size_t mask;
	int next;
};

static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 0x100000001b3ull;
	return h;
}

static int intern_id(struct intern *t, const char *p, size_t len)
{
	size_t j = hash_bytes(p, len) & t->mask;
	for (; t->p[j]; j = (j + 1) & t->mask)
		if (t->len[j] == len && memcmp(t->p[j], p, len) == 0)
			return t->id[j];
	t->p[j] = p;
	t->len[j] = len;
	t->id[j] = t->next++;
	return t->id[j];
}

enum status bleu_corpus_text(const char *const *hyp, const char *const *ref, size_t n, enum bleu_tok tok,
			     double *out, struct bleu_detail *d, struct err *e)
{
	const char *tp;
	size_t tl, total = 0, pos;
	for (size_t i = 0; i < 2 * n; i++) {
		const char *s = i < n ? hyp[i] : ref[i - n];
		if (!s)
			continue;
		for (pos = 0; tok_next(s, &pos, tok, &tp, &tl);)
			total++;
	}
	if (total > INT32_MAX / 2)
		return err_set(e, ST_NOMEM, "BLEU: too many tokens");
	size_t nslot = 16;
	while (nslot < 2 * total)
		nslot <<= 1;
	struct intern t = {0};
	t.p = calloc(nslot, sizeof *t.p);
	t.len = calloc(nslot, sizeof *t.len);
	t.id = calloc(nslot, sizeof *t.id);
	t.mask = nslot - 1;
	int *ids = malloc((total + 1) * sizeof *ids);
	int *lens = calloc(2 * n + 1, sizeof *lens);
	const int **seqs = calloc(2 * n + 1, sizeof *seqs);
	enum status st = ST_OK;
	if (!t.p || !t.len || !t.id || !ids || !lens || !seqs) {
		st = err_set(e, ST_NOMEM, "BLEU: out of memory");
	} else {
		size_t k = 0;
		for (size_t i = 0; i < 2 * n; i++) {
			const char *s = i < n ? hyp[i] : ref[i - n];
			seqs[i] = ids + k;
			if (!s)
				continue;
			for (pos = 0; tok_next(s, &pos, tok, &tp, &tl);) {
				ids[k++] = intern_id(&t, tp, tl);
				lens[i]++;
			}
		}
		double b = bleu_corpus_detail(seqs, lens, seqs + n, lens + n, n, d);
		if (out)
			*out = b;
	}
	free(t.p);
	free(t.len);
	free(t.id);
	free(ids);
	free(lens);
	free(seqs);
	return st;
}

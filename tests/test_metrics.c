/* BLEU and exact match against values worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "text/metrics.h"

#define NEAR(a, b) assert_true(fabs((a) - (b)) < 1e-9)

static void test_identical_is_100(void **state)
{
	(void)state;
	const int a[] = {1, 2, 3, 4, 5}, b[] = {7, 8, 9, 10, 11, 12, 13};
	const int *seq[] = {a, b};
	const int len[] = {5, 7};
	NEAR(bleu_corpus(seq, len, seq, len, 2), 100.0);
	NEAR(exact_match(seq, len, seq, len, 2), 1.0);
}

/* hyp 1 2 3 4 5 6, ref 1 2 3 4 5 7 8: p1..p4 = 5/6 4/5 3/4 2/3 (product
 * 1/3), c = 6 < r = 7, BP = exp(1 - 7/6). */
static void test_one_sentence_by_hand(void **state)
{
	(void)state;
	const int h[] = {1, 2, 3, 4, 5, 6}, r[] = {1, 2, 3, 4, 5, 7, 8};
	const int *hyp[] = {h}, *ref[] = {r};
	const int hl[] = {6}, rl[] = {7};
	struct bleu_detail d;
	double b = bleu_corpus_detail(hyp, hl, ref, rl, 1, &d);
	NEAR(b, 100.0 * exp(-1.0 / 6.0) * pow(1.0 / 3.0, 0.25));
	assert_true(fabs(b - 64.3188) < 1e-3);
	assert_int_equal(d.match[0], 5);
	assert_int_equal(d.total[0], 6);
	assert_int_equal(d.match[3], 2);
	assert_int_equal(d.total[3], 3);
	assert_int_equal(d.hyp_len, 6);
	assert_int_equal(d.ref_len, 7);
	NEAR(d.bp, exp(-1.0 / 6.0));
	NEAR(d.precision[1], 0.8);
}

/* Counts are summed over the corpus before dividing: sentence 2 alone has
 * no matching 3-gram (BLEU 0), but with sentence 1 p = 8/10, 5/8, 3/6, 2/4
 * (product 1/8), c = 10, r = 11. Sentence 2 also shows clipping: hyp
 * 9 9 9 9 against ref 9 9 8 9 matches "9" 3 times, "9 9" once. */
static void test_corpus_level_and_clipping(void **state)
{
	(void)state;
	const int h1[] = {1, 2, 3, 4, 5, 6}, r1[] = {1, 2, 3, 4, 5, 7, 8};
	const int h2[] = {9, 9, 9, 9}, r2[] = {9, 9, 8, 9};
	const int *hyp[] = {h1, h2}, *ref[] = {r1, r2};
	const int hl[] = {6, 4}, rl[] = {7, 4};
	struct bleu_detail d;
	NEAR(bleu_corpus_detail(hyp, hl, ref, rl, 2, &d), 100.0 * exp(1.0 - 1.1) * pow(0.125, 0.25));
	assert_true(fabs(d.bleu - 53.8028) < 1e-3);
	assert_int_equal(d.match[0], 8);
	assert_int_equal(d.match[1], 5);
	assert_int_equal(d.match[2], 3);
	assert_int_equal(d.total[2], 6);
	NEAR(bleu_corpus(hyp + 1, hl + 1, ref + 1, rl + 1, 1), 0.0);
	bleu_corpus_detail(hyp + 1, hl + 1, ref + 1, rl + 1, 1, &d);
	assert_int_equal(d.match[0], 3);
	assert_int_equal(d.match[1], 1);
}

/* Papineni's example: "the the the the the the the" has 2/7 unigram
 * precision against "the cat is on the mat". */
static void test_clipped_unigrams(void **state)
{
	(void)state;
	const int h[] = {1, 1, 1, 1, 1, 1, 1}, r[] = {1, 2, 3, 4, 1, 5};
	const int *hyp[] = {h}, *ref[] = {r};
	const int hl[] = {7}, rl[] = {6};
	struct bleu_detail d;
	NEAR(bleu_corpus_detail(hyp, hl, ref, rl, 1, &d), 0.0); /* no bigram matches: no smoothing */
	NEAR(d.precision[0], 2.0 / 7.0);
	NEAR(d.bp, 1.0);
}

static void test_zero_overlap_and_short(void **state)
{
	(void)state;
	const int h[] = {1, 2, 3, 4, 5}, r[] = {6, 7, 8, 9, 10};
	const int *hyp[] = {h}, *ref[] = {r};
	const int hl[] = {5}, rl[] = {5};
	NEAR(bleu_corpus(hyp, hl, ref, rl, 1), 0.0);
	NEAR(exact_match(hyp, hl, ref, rl, 1), 0.0);
	/* three tokens: no 4-grams at all, so BLEU-4 is 0 even when identical */
	const int s[] = {1, 2, 3};
	const int *ss[] = {s};
	const int sl[] = {3};
	NEAR(bleu_corpus(ss, sl, ss, sl, 1), 0.0);
	NEAR(bleu_corpus(NULL, NULL, NULL, NULL, 0), 0.0);
	NEAR(exact_match(NULL, NULL, NULL, NULL, 0), 0.0);
}

/* A longer hypothesis is not rewarded by the brevity penalty (BP = 1) but
 * pays in precision. */
static void test_longer_hypothesis(void **state)
{
	(void)state;
	const int h[] = {1, 2, 3, 4, 5, 6}, r[] = {1, 2, 3, 4, 5};
	const int *hyp[] = {h}, *ref[] = {r};
	const int hl[] = {6}, rl[] = {5};
	struct bleu_detail d;
	double b = bleu_corpus_detail(hyp, hl, ref, rl, 1, &d);
	NEAR(d.bp, 1.0);
	NEAR(b, 100.0 * pow((5.0 / 6) * (4.0 / 5) * (3.0 / 4) * (2.0 / 3), 0.25));
}

static void test_exact_match(void **state)
{
	(void)state;
	const int a[] = {1, 2, 3}, b[] = {1, 2}, c[] = {1, 2, 4}, e[] = {5};
	const int *hyp[] = {a, b, c, e}, *ref[] = {a, a, a, e};
	const int hl[] = {3, 2, 3, 1}, rl[] = {3, 3, 3, 1};
	NEAR(exact_match(hyp, hl, ref, rl, 4), 0.5);
	const char *th[] = {"le chat noir", "le chat", "猫睡觉"};
	const char *tr[] = {"le chat noir", "le chat noir", "猫睡觉"};
	NEAR(exact_match_text(th, tr, 3), 2.0 / 3.0);
}

/* Text BLEU tokenizes, then agrees with the id version. */
static void test_text(void **state)
{
	(void)state;
	const char *hyp[] = {"a b c d e f", "i i i i"};
	const char *ref[] = {"a  b c d e g h", "i i h i"};
	double b = -1;
	struct err e = {0};
	assert_int_equal(bleu_corpus_text(hyp, ref, 2, BLEU_TOK_WORD, &b, NULL, &e), ST_OK);
	NEAR(b, 100.0 * exp(1.0 - 1.1) * pow(0.125, 0.25));

	/* character level: 猫在垫子上睡觉 vs 猫早上在垫子上睡觉 matches 7/7
	 * unigrams, 5/6 bigrams, 4/5 trigrams, 3/4 4-grams; c = 7, r = 9 */
	const char *zh[] = {"猫在垫子上睡觉"}, *zr[] = {"猫早上在垫子上睡觉"};
	struct bleu_detail d;
	assert_int_equal(bleu_corpus_text(zh, zr, 1, BLEU_TOK_CHAR, &b, &d, &e), ST_OK);
	assert_int_equal(d.hyp_len, 7);
	assert_int_equal(d.ref_len, 9);
	assert_int_equal(d.match[0], 7);
	assert_int_equal(d.match[1], 5); /* 猫在 is not in the reference */
	NEAR(b, 100.0 * exp(1.0 - 9.0 / 7.0) * pow((7.0 / 7) * (5.0 / 6) * (4.0 / 5) * (3.0 / 4), 0.25));

	const char *same[] = {"the cat sleeps on the mat"};
	assert_int_equal(bleu_corpus_text(same, same, 1, BLEU_TOK_WORD, &b, NULL, &e), ST_OK);
	NEAR(b, 100.0);
	assert_int_equal(bleu_corpus_text(same, same, 0, BLEU_TOK_WORD, &b, NULL, &e), ST_OK);
	NEAR(b, 0.0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical_is_100),
		cmocka_unit_test(test_one_sentence_by_hand),
		cmocka_unit_test(test_corpus_level_and_clipping),
		cmocka_unit_test(test_clipped_unigrams),
		cmocka_unit_test(test_zero_overlap_and_short),
		cmocka_unit_test(test_longer_hypothesis),
		cmocka_unit_test(test_exact_match),
		cmocka_unit_test(test_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

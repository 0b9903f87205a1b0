/* The shipped models: each loads and reaches its promised accuracy on the
 * test split of its corpus (greedy decoding), and the plain RNN shows the
 * fixed-context bottleneck against the LSTM with attention on long inputs.
 * Run from the repository root (or set SEQSTEP_MODELS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "io/datadir.h"
#include "text/corpus.h"
#include "engine/model.h"
#include "engine/train.h"

static void evaluate(const char *name, const char *pair, struct eval_result *r)
{
	char dir[2048], path[2048];
	snprintf(dir, sizeof dir, "%s/%s", datadir_models(), name);
	snprintf(path, sizeof path, "%s/corpus/%s/test.tsv", datadir_models(), pair);
	struct model m;
	struct corpus c;
	struct err e = {0};
	enum status st = model_load(&m, dir, &e);
	if (st)
		fail_msg("%s", e.msg);
	st = corpus_load(&c, path, &e);
	if (st)
		fail_msg("%s", e.msg);
	st = eval_corpus(&m, &c, 0, 1, r, &e);
	if (st)
		fail_msg("%s", e.msg);
	printf("%s: exact %.1f%%, BLEU %.1f on %d test pairs (%.1f s)\n", name,
	       100.0 * r->exact / r->n, r->bleu, r->n, r->seconds);
	assert_int_equal(r->n, (int)c.n);
	corpus_release(&c);
	model_release(&m);
}

static double exact(const struct eval_result *r)
{
	return r->n ? (double)r->exact / r->n : 0;
}

static double bucket_exact(const struct eval_result *r, int b)
{
	return r->bucket[b].n ? (double)r->bucket[b].exact / r->bucket[b].n : 0;
}

static void test_en_zh_transformer(void **state)
{
	(void)state;
	struct eval_result r;
	evaluate("en-zh-transformer", "en-zh", &r);
	assert_true(exact(&r) >= 0.95);
}

static void test_en_fr_transformer(void **state)
{
	(void)state;
	struct eval_result r;
	evaluate("en-fr-transformer", "en-fr", &r);
	assert_true(exact(&r) >= 0.95);
}

static void test_rnn_bottleneck(void **state)
{
	(void)state;
	struct eval_result attn, rnn;
	evaluate("en-zh-lstm-attn", "en-zh", &attn);
	assert_true(exact(&attn) >= 0.90);
	evaluate("en-zh-rnn", "en-zh", &rnn);
	assert_true(exact(&rnn) > 0);
	/* Every length bucket is populated by the corpus generator. */
	for (int b = 0; b < EVAL_BUCKETS; b++) {
		assert_true(attn.bucket[b].n > 0);
		printf("  %2d-%-2d  lstm-attn %5.1f%%  rnn %5.1f%%\n", attn.bucket[b].lo,
		       attn.bucket[b].hi, 100 * bucket_exact(&attn, b), 100 * bucket_exact(&rnn, b));
	}
	int longest = EVAL_BUCKETS - 1;
	assert_true(bucket_exact(&rnn, longest) < bucket_exact(&attn, longest));
	/* The fixed context hurts more the longer the sentence. */
	assert_true(bucket_exact(&rnn, longest) <= bucket_exact(&rnn, 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_en_zh_transformer),
		cmocka_unit_test(test_en_fr_transformer),
		cmocka_unit_test(test_rnn_bottleneck),
	};
	return cmocka_run_group_tests_name("models", tests, NULL, NULL);
}

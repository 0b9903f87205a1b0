/* Incremental decoding (KV cache / recurrent state, one token at a time)
 * against the full teacher-forced pass over the decoded sequence: the
 * next-token probabilities of every step must agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/decode.h"
#include "engine/model.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const cases[] = {
	"tf-post-relu-h2", "tf-pre-gelu-h3-odd", "tf-learned-tied-nofinal", "lstm-additive-2l",
	"lstm-none", "gru-additive", "gru-none-2l", "rnn-additive", "rnn-none", "lstm-dot",
	"gru-scaled-dot",
};

static void check_case(const char *name, int beam)
{
	char dir[256];
	snprintf(dir, sizeof dir, "tests/ref/fixtures/%s", name);
	struct model m;
	struct err e = {0};
	struct trace tr;
	trace_init(&tr);
	if (model_load(&m, dir, &e))
		fail_msg("%s", e.msg);
	struct run_opts o;
	run_opts_default(&o);
	o.beam = beam;
	o.topk = 4;
	struct run_result res;
	if (model_run(&m, "s4 s5 s6 s7", &o, &tr, &res, &e))
		fail_msg("%s", e.msg);
	const struct tensor *probs = trace_get(&tr, "probs");
	const struct tensor *ids = trace_get(&tr, "decode.topk.ids");
	const struct tensor *ps = trace_get(&tr, "decode.topk.probs");
	const struct tensor *out = trace_get(&tr, "decode.output");
	assert_non_null(probs);
	assert_non_null(ids);
	assert_non_null(ps);
	assert_non_null(out);
	/* One decoder input row per decoded token. */
	assert_int_equal(probs->rows, out->cols);
	float worst = 0;
	for (int t = 0; t < probs->rows; t++) {
		for (int k = 0; k < ids->cols; k++) {
			int id = (int)tensor_at(ids, t, k);
			float inc = tensor_at(ps, t, k), full = tensor_at(probs, t, id);
			float d = fabsf(inc - full);
			worst = d > worst ? d : worst;
		}
		if (beam == 1) {
			/* Greedy: the emitted token is the full pass's argmax. */
			int best = 0;
			for (int v = 1; v < probs->cols; v++)
				if (tensor_at(probs, t, v) > tensor_at(probs, t, best))
					best = v;
			assert_int_equal((int)tensor_at(out, 0, t), best);
		}
	}
	printf("%s beam %d: %d steps, max |incremental - full| = %.2g\n", name, beam, probs->rows,
	       worst);
	assert_true(worst < 1e-5f);
	run_result_release(&res);
	trace_release(&tr);
	model_release(&m);
}

static void test_incremental_matches_full_greedy(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		check_case(cases[i], 1);
}

static void test_incremental_matches_full_beam(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		check_case(cases[i], 3);
}

/* A toy stepper whose best sequence is not the greedy one: beam search must
 * find it, greedy must not. Tokens: 0 bos, 1 eos, 2 a, 3 b. */
struct toy {
	int last[8];
};

static void toy_step(void *ctx, int slot, int token, int t, float *logits)
{
	struct toy *s = ctx;
	s->last[slot] = token;
	/* At t = 0: 'a' 0.6, 'b' 0.4. After 'a': eos 0.3 / a 0.35 / b 0.35.
	 * After 'b': eos 0.95. Greedy takes a then stays uncertain; beam takes b, eos. */
	float p[4] = {1e-9f, 1e-9f, 1e-9f, 1e-9f};
	if (t == 0) {
		p[2] = 0.6f, p[3] = 0.4f;
	} else if (token == 2) {
		p[1] = 0.3f, p[2] = 0.35f, p[3] = 0.35f;
	} else {
		p[1] = 0.95f, p[2] = 0.025f, p[3] = 0.025f;
	}
	for (int v = 0; v < 4; v++)
		logits[v] = logf(p[v]);
}

static void toy_reorder(void *ctx, const int *parents, int n, int t)
{
	struct toy *s = ctx;
	int tmp[8];
	(void)t;
	for (int i = 0; i < n; i++)
		tmp[i] = s->last[parents[i]];
	memcpy(s->last, tmp, (size_t)n * sizeof *tmp);
}

static void test_beam_beats_greedy_on_toy(void **state)
{
	(void)state;
	struct toy toy = {{0}};
	struct stepper s = {&toy, toy_step, toy_reorder};
	struct decode_out g, b;
	struct err e;
	assert_int_equal(decode_out_init(&g, 5, 2, &e), ST_OK);
	assert_int_equal(decode_out_init(&b, 5, 2, &e), ST_OK);
	assert_int_equal(decode_run(&s, 4, 0, 1, 1, 5, 2, &g, &e), ST_OK);
	assert_int_equal(decode_run(&s, 4, 0, 1, 2, 5, 2, &b, &e), ST_OK);
	assert_int_equal(g.ids[0], 2);
	assert_int_equal(b.n, 2);
	assert_int_equal(b.ids[0], 3);
	assert_int_equal(b.ids[1], 1);
	assert_float_equal(b.logprob, log(0.4) + log(0.95), 1e-5);
	assert_true(b.logprob > g.logprob);
	decode_out_release(&g);
	decode_out_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_incremental_matches_full_greedy),
		cmocka_unit_test(test_incremental_matches_full_beam),
		cmocka_unit_test(test_beam_beats_greedy_on_toy),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

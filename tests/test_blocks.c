/* The lesson-sized blocks: the hand-worked Q/K example of the course notes
 * (a CSV-only model), and attention pooling. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void run(const char *dir, struct model *m, struct trace *tr)
{
	struct err e = {0};
	struct run_opts o;
	struct run_result r;
	if (model_load(m, dir, &e))
		fail_msg("%s", e.msg);
	run_opts_default(&o);
	trace_init(tr);
	if (model_run(m, NULL, &o, tr, &r, &e))
		fail_msg("%s", e.msg);
	run_result_release(&r);
}

static void test_qkv_example_reproduces_notes(void **state)
{
	(void)state;
	struct model m;
	struct trace tr;
	run("models/qkv-example", &m, &tr);
	const struct tensor *q = trace_get(&tr, "self_attn.q"), *k = trace_get(&tr, "self_attn.k");
	const struct tensor *s = trace_get(&tr, "self_attn.scores");
	assert_non_null(q);
	assert_non_null(k);
	assert_non_null(s);
	assert_string_equal(q->row.labels[0], "Cat");
	const double qe[4] = {1.7167, 1.3801, 1.5265, 2.6427}, ke[4] = {1.1623, 1.9478, 1.3523, 1.2930};
	for (int j = 0; j < 4; j++) {
		/* to 4 decimals, as the note */
		assert_true(fabs(round(tensor_at(q, 0, j) * 1e4) / 1e4 - qe[j]) < 1e-9);
		assert_true(fabs(round(tensor_at(k, 0, j) * 1e4) / 1e4 - ke[j]) < 1e-9);
	}
	assert_true(fabs(round(tensor_at(s, 0, 0) * 1e4) / 1e4 - 5.0825) < 1e-9);
	const struct tensor *w = trace_get(&tr, "self_attn.weights");
	for (int r = 0; r < w->rows; r++) {
		double sum = 0;
		for (int c = 0; c < w->cols; c++)
			sum += tensor_at(w, r, c);
		assert_float_equal(sum, 1.0, 1e-5);
	}
	trace_release(&tr);
	model_release(&m);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Nadaraya-Watson with a Gaussian kernel, checked by hand on three points. */
static void test_pooling_by_hand(void **state)
{
	(void)state;
	char dir[] = "/tmp/seqstep-pool-XXXXXX", path[256];
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/tensors", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	const char *names[] = {"keys", "values", "queries", "w"};
	const char *vals[] = {"0,1,2", "1,3,2", "0.5,2", "2"};
	for (int i = 0; i < 4; i++) {
		char text[128];
		snprintf(path, sizeof path, "%s/tensors/%s.csv", dir, names[i]);
		snprintf(text, sizeof text, ",%s\n0,%s\n",
			 i == 2 ? "0,1" : i == 3 ? "0" : "0,1,2", vals[i]);
		write_file(path, text);
	}
	const char *modes[] = {"average", "nadaraya_watson", "parametric"};
	for (int k = 0; k < 3; k++) {
		char cfg[200];
		snprintf(cfg, sizeof cfg,
			 "{\"architecture\":\"attention_pooling\",\"pooling\":\"%s\",\"n_keys\":3,\"n_queries\":2}",
			 modes[k]);
		snprintf(path, sizeof path, "%s/config.json", dir);
		write_file(path, cfg);
		struct model m;
		struct trace tr;
		run(dir, &m, &tr);
		const struct tensor *o = trace_get(&tr, "pool.out");
		assert_non_null(o);
		for (int qi = 0; qi < 2; qi++) {
			double x = qi ? 2.0 : 0.5, keys[3] = {0, 1, 2}, ys[3] = {1, 3, 2}, num = 0, den = 0;
			double wd = k == 2 ? 2.0 : 1.0;
			for (int j = 0; j < 3; j++) {
				double d = (x - keys[j]) * wd, a = k == 0 ? 1.0 : exp(-d * d / 2);
				num += a * ys[j];
				den += a;
			}
			assert_float_equal(tensor_at(o, 0, qi), num / den, 1e-5);
		}
		trace_release(&tr);
		model_release(&m);
	}
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

/* The shipped toy carries its true function (make.py's f(x) = 2 sin x +
 * x^0.8) at each query, and the pooling tensors are labelled by x values. */
static void test_pooling_truth_and_x_labels(void **state)
{
	(void)state;
	struct model m;
	struct trace tr;
	run("models/pooling-nw", &m, &tr);
	const struct tensor *f = trace_get(&tr, "pool.truth"), *q = trace_get(&tr, "pool.queries");
	assert_non_null(f);
	assert_non_null(q);
	assert_int_equal(f->cols, q->cols);
	for (int i = 0; i < q->cols; i++) {
		double x = tensor_at(q, 0, i);
		assert_float_equal(tensor_at(f, 0, i), 2 * sin(x) + pow(x, 0.8), 1e-5);
	}
	const struct tensor *w = trace_get(&tr, "pool.weights"), *v = trace_get(&tr, "pool.values");
	assert_string_equal(w->row.labels[8], "2.0");
	assert_string_equal(w->row.labels[1], "0.25");
	assert_string_equal(w->col.labels[19], "2.079");
	assert_string_equal(v->col.labels[19], "2.079");
	assert_string_equal(f->col.labels[8], "2.0");
	assert_string_equal(trace_get(&tr, "pool.out")->col.labels[8], "2.0");
	trace_release(&tr);
	model_release(&m);

	/* "truth": true needs the file: one line naming what is missing */
	char dir[] = "/tmp/seqstep-truth-XXXXXX", path[256], cmd[300];
	assert_non_null(mkdtemp(dir));
	snprintf(cmd, sizeof cmd, "cp -r models/pooling-nw/. '%s' && rm '%s/tensors/truth.csv'", dir, dir);
	assert_int_equal(system(cmd), 0);
	struct err e = {0};
	assert_int_equal(model_load(&m, dir, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "missing tensor truth"));
	snprintf(path, sizeof path, "%s/config.json", dir);
	write_file(path, "{\"architecture\":\"attention_pooling\",\"pooling\":\"average\",\"n_keys\":40,"
			 "\"n_queries\":20,\"truth\":\"yes\"}");
	assert_int_equal(model_load(&m, dir, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "\"truth\" must be true or false"));
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qkv_example_reproduces_notes),
		cmocka_unit_test(test_pooling_by_hand),
		cmocka_unit_test(test_pooling_truth_and_x_labels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

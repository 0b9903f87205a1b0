/* The engine against PyTorch: every directory in tests/ref/fixtures/ is a
 * model (config.json, model.safetensors, vocabularies) plus expected.safetensors
 * written by tests/ref/gen_fixtures.py: the teacher-forced inputs and every
 * intermediate PyTorch computed, under its trace name. The engine runs the same
 * ids and each expected tensor must be in its trace, with the same shape, to
 * within 1e-4 (-inf matches -inf; NaN never matches). Runs from the repo root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/model.h"
#include "io/safetensors.h"
#include "base/status.h"
#include "trace/trace.h"

#include "fixtures.h"

#define TOL 1e-4
#define MAX_REPORTS 20 /* mismatch lines printed per case */

/* Absolute error of one cell; INFINITY for a NaN or an infinity mismatch. */
static double cell_err(float got, float want)
{
	if (isnan(got) || isnan(want))
		return INFINITY;
	if (isinf(got) || isinf(want))
		return got == want ? 0.0 : INFINITY;
	return fabs((double)got - (double)want);
}

static int shape_matches(const struct st_entry *x, const struct tensor *t)
{
	if ((uint64_t)t->rows * (uint64_t)t->cols != x->count)
		return 0;
	if (x->ndim == 2)
		return (uint64_t)t->rows == x->shape[0] && (uint64_t)t->cols == x->shape[1];
	if (x->ndim == 1)
		return t->rows == 1 && (uint64_t)t->cols == x->shape[0];
	return x->ndim == 0 && t->rows == 1 && t->cols == 1;
}

static void test_case(void **state)
{
	const char *dir = *state;
	struct err e = {0};
	struct safetensors s;
	struct trace tr;
	memset(&s, 0, sizeof s);
	trace_init(&tr);
	struct model *m = fixtures_load(dir, &s);

	int n_src = 0, n_tgt = 0;
	int *src = fixtures_read_ids(&s, "input.src_ids", &n_src, dir);
	int *tgt = fixtures_read_ids(&s, "input.tgt_ids", &n_tgt, dir);
	assert_non_null(src);
	assert_non_null(tgt);
	if (model_run_ids(m, src, n_src, tgt, n_tgt, &tr, &e) != ST_OK)
		fail_msg("%s: model_run_ids: %s", dir, e.msg);

	size_t compared = 0, failures = 0, reports = 0;
	double max_err = 0.0;
	const char *max_name = "-";
	for (size_t i = 0; i < s.n; i++) {
		const struct st_entry *x = &s.entries[i];
		if (starts_with(x->name, "input.") || starts_with(x->name, "grad.") ||
		    starts_with(x->name, "loss"))
			continue;
		const struct tensor *t = trace_get(&tr, x->name);
		if (!t) {
			failures++;
			if (reports++ < MAX_REPORTS)
				print_error("%s: %s: missing from the trace\n", dir, x->name);
			continue;
		}
		if (!shape_matches(x, t)) {
			failures++;
			if (reports++ < MAX_REPORTS) {
				char want[64] = "";
				for (int d = 0; d < x->ndim; d++)
					snprintf(want + strlen(want), sizeof want - strlen(want),
						 "%s%llu", d ? ", " : "",
						 (unsigned long long)x->shape[d]);
				print_error("%s: %s: trace shape [%d, %d], PyTorch [%s]\n", dir,
					    x->name, t->rows, t->cols, want);
			}
			continue;
		}
		float *want = malloc((size_t)x->count * sizeof *want);
		assert_non_null(want);
		if (safetensors_read_f32(&s, x, want, (size_t)x->count, &e) != ST_OK)
			fail_msg("%s: %s", dir, e.msg);
		double worst = 0.0;
		size_t worst_at = 0;
		for (size_t k = 0; k < x->count; k++) {
			double d = cell_err(t->data[k], want[k]);
			if (d > worst || isinf(d)) {
				worst = d;
				worst_at = k;
				if (isinf(d))
					break;
			}
		}
		compared++;
		if (compared == 1 || worst > max_err || isinf(worst)) {
			max_err = worst;
			max_name = x->name;
		}
		if (!(worst <= TOL)) {
			failures++;
			if (reports++ < MAX_REPORTS)
				print_error("%s: %s[%zu, %zu]: engine %.7g, PyTorch %.7g (error %.3g > %g)\n",
					    dir, x->name, worst_at / (size_t)t->cols,
					    worst_at % (size_t)t->cols, (double)t->data[worst_at],
					    (double)want[worst_at], worst, TOL);
		}
		free(want);
	}
	print_message("%s: %zu tensors compared, max error %.3g (%s), %zu failed\n", dir,
		      compared, max_err, max_name, failures);

	free(src);
	free(tgt);
	trace_release(&tr);
	safetensors_release(&s);
	model_release(m);
	free(m);
	if (failures)
		fail_msg("%s: %zu of the expected tensors do not match the engine's trace", dir,
			 failures);
	assert_true(compared > 0);
}

int main(void)
{
	return fixtures_run("test_ref", test_case);
}

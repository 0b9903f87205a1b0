/* Whole-model gradients against PyTorch autograd: for every directory in
 * tests/ref/fixtures/ (see tests/ref/README.md) the engine runs the
 * teacher-forced forward on input.src_ids / input.tgt_ids, the cross-entropy
 * against input.tgt_out_ids (no smoothing, nothing ignored), and the
 * backward; the loss must match `loss` to 1e-5 and every parameter gradient
 * its `grad.<state_dict name>` with max |g - ref| / max(max |ref|, 1e-6)
 * <= 1e-3 per tensor. Every parameter must have a reference and every
 * reference a parameter. For the recurrent fixtures, the encoder's
 * per-step gradient norms (grad.enc.l{L}.h) must be recorded, finite and
 * positive. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/grad.h"
#include "engine/loss.h"
#include "engine/model.h"
#include "engine/rnn.h"
#include "io/safetensors.h"
#include "base/status.h"
#include "trace/trace.h"
#include "engine/transformer.h"
#include "engine/weights.h"

#include "fixtures.h"

#define GRAD_TOL 1e-3
#define LOSS_TOL 1e-5

/* One fixture: forward, loss, backward, compare. */
static void test_case(void **state)
{
	const char *dir = *state;
	struct err e = {0};
	struct safetensors s;
	struct weights g;
	memset(&s, 0, sizeof s);
	memset(&g, 0, sizeof g);
	struct model *m = fixtures_load(dir, &s);
	const struct config *c = &m->cfg;
	int Vs = m->src_vocab.n, Vt = m->tgt_vocab.n;

	int Ts = 0, Tt = 0, To = 0;
	int *src = fixtures_read_ids(&s, "input.src_ids", &Ts, dir);
	int *tgt = fixtures_read_ids(&s, "input.tgt_ids", &Tt, dir);
	int *out = fixtures_read_ids(&s, "input.tgt_out_ids", &To, dir);
	assert_non_null(src);
	assert_non_null(tgt);
	assert_non_null(out);
	assert_int_equal(To, Tt);
	const struct st_entry *le = safetensors_get(&s, "loss");
	assert_non_null(le);
	float want_loss;
	assert_int_equal(safetensors_read_f32(&s, le, &want_loss, 1, &e), ST_OK);

	if (weights_init(&g, c, Vs, Vt, &e) != ST_OK)
		fail_msg("%s: %s", dir, e.msg);
	float *dlogits = calloc((size_t)Tt * Vt, sizeof *dlogits);
	float *norms = calloc((size_t)c->n_layers * Ts + 1, sizeof *norms);
	assert_non_null(dlogits);
	assert_non_null(norms);
	float loss;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a, da;
		assert_int_equal(tf_acts_init(&a, c, Vt, Ts, Tt, &e), ST_OK);
		assert_int_equal(tf_acts_init(&da, c, Vt, Ts, Tt, &e), ST_OK);
		tf_forward(c, &m->w, Vt, &a, src, tgt);
		loss = cross_entropy_forward_backward(a.logits, out, Tt, Vt, 0.0f, -1, dlogits);
		tf_backward(c, &m->w, &g, Vt, &a, &da, dlogits);
		tf_acts_release(&a);
		tf_acts_release(&da);
	} else {
		assert_int_equal(c->arch, ARCH_RNN_SEQ2SEQ);
		struct rnn_acts a, da;
		assert_int_equal(rnn_acts_init(&a, c, Vt, Ts, Tt, &e), ST_OK);
		assert_int_equal(rnn_acts_init(&da, c, Vt, Ts, Tt, &e), ST_OK);
		rnn_forward(c, &m->w, Vt, &a, src, tgt);
		loss = cross_entropy_forward_backward(a.logits, out, Tt, Vt, 0.0f, -1, dlogits);
		rnn_backward(c, &m->w, &g, Vt, &a, &da, dlogits, norms);
		rnn_acts_release(&a);
		rnn_acts_release(&da);

		/* the vanishing-gradient view: one positive norm per layer and step */
		struct trace tr;
		trace_init(&tr);
		const char **labels = calloc((size_t)Ts, sizeof *labels);
		assert_non_null(labels);
		for (int i = 0; i < Ts; i++)
			labels[i] = vocab_token(&m->src_vocab, src[i]);
		rnn_record_grad_norms(c, norms, Ts, labels, &tr);
		assert_int_equal(trace_status(&tr, &e), ST_OK);
		for (int l = 0; l < c->n_layers; l++) {
			char name[64];
			snprintf(name, sizeof name, "grad.enc.l%d.h", l);
			const struct tensor *t = trace_get(&tr, name);
			if (!t)
				fail_msg("%s: %s missing from the trace", dir, name);
			assert_int_equal(t->rows, 1);
			assert_int_equal(t->cols, Ts);
			assert_non_null(t->col.labels);
			assert_string_equal(t->col.labels[Ts - 1], labels[Ts - 1]);
			for (int i = 0; i < Ts; i++)
				if (!(t->data[i] > 0.0f) || !isfinite(t->data[i]))
					fail_msg("%s: %s[%d] = %g, expected a positive norm", dir, name, i,
						 (double)t->data[i]);
			print_message("%s: %s = [", dir, name);
			for (int i = 0; i < Ts; i++)
				print_message("%s%.3g", i ? " " : "", (double)t->data[i]);
			print_message("]\n");
		}
		free(labels);
		trace_release(&tr);
	}

	size_t failures = 0, compared = 0;
	double worst = 0;
	const char *worst_name = "-";
	if (!(fabs((double)loss - want_loss) <= LOSS_TOL)) {
		failures++;
		print_error("%s: loss: engine %.8g, PyTorch %.8g\n", dir, (double)loss,
			    (double)want_loss);
	}
	for (size_t p = 0; p < g.n_params; p++) {
		const struct param *P = &g.params[p];
		char name[256];
		snprintf(name, sizeof name, "grad.%s", P->name);
		const struct st_entry *x = safetensors_get(&s, name);
		if (!x) {
			failures++;
			print_error("%s: %s: no reference gradient\n", dir, name);
			continue;
		}
		float *want = malloc(P->count * sizeof *want);
		assert_non_null(want);
		int64_t shape[2] = {P->dims[0], P->dims[1]};
		if (safetensors_read_f32_shape(&s, x, want, P->ndim, shape, &e) != ST_OK)
			fail_msg("%s: %s", dir, e.msg);
		double maxdiff = 0, maxref = 0;
		size_t at = 0;
		for (size_t i = 0; i < P->count; i++) {
			double d = fabs((double)P->data[i] - want[i]);
			if (!(d <= maxdiff)) {
				maxdiff = d;
				at = i;
			}
			if (fabs(want[i]) > maxref)
				maxref = fabs(want[i]);
		}
		double rel = maxdiff / fmax(maxref, 1e-6);
		compared++;
		if (!(rel <= worst)) {
			worst = rel;
			worst_name = P->name;
		}
		if (!(rel <= GRAD_TOL)) {
			failures++;
			print_error("%s: %s[%zu]: engine %.7g, PyTorch %.7g (relative error %.3g > %g)\n",
				    dir, name, at, (double)P->data[at], (double)want[at], rel, GRAD_TOL);
		}
		free(want);
	}
	/* and no reference gradient without a parameter */
	for (size_t i = 0; i < s.n; i++)
		if (starts_with(s.entries[i].name, "grad.") &&
		    !weights_find(&g, s.entries[i].name + 5)) {
			failures++;
			print_error("%s: %s: the engine has no such parameter\n", dir,
				    s.entries[i].name);
		}
	print_message("%s: loss %.7g (PyTorch %.7g), %zu gradients, max relative error %.3g (%s)\n",
		      dir, (double)loss, (double)want_loss, compared, worst, worst_name);

	free(src);
	free(tgt);
	free(out);
	free(dlogits);
	free(norms);
	weights_release(&g);
	safetensors_release(&s);
	model_release(m);
	free(m);
	if (failures)
		fail_msg("%s: %zu gradient checks failed", dir, failures);
	assert_true(compared > 0);
}

int main(void)
{
	return fixtures_run("test_grad_ref", test_case);
}

/* Every BLAS path against its naive reference, and kernels against values
 * worked out by hand or from the lecture notes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "engine/ops.h"
#include "io/config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned long long rng_state = 42;
static float frand(void)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (float)((rng_state >> 40) & 0xFFFFFF) / (float)0x1000000 * 2.0f - 1.0f;
}

static float *rand_buf(size_t n)
{
	float *p = malloc(n * sizeof *p);
	for (size_t i = 0; i < n; i++)
		p[i] = frand();
	return p;
}

static float max_diff(const float *a, const float *b, size_t n)
{
	float m = 0;
	for (size_t i = 0; i < n; i++) {
		if (isinf(a[i]) && isinf(b[i]) && (a[i] < 0) == (b[i] < 0))
			continue;
		float d = fabsf(a[i] - b[i]);
		m = d > m ? d : m;
	}
	return m;
}

static void test_matmul_blas_matches_naive(void **state)
{
	(void)state;
	/* T = 1 exercises the gemv path, larger T the gemm path; with and without bias. */
	int shapes[][3] = {{1, 7, 5}, {1, 64, 33}, {9, 13, 6}, {32, 48, 40}, {3, 1, 4}};
	for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
		int T = shapes[s][0], C = shapes[s][1], OC = shapes[s][2];
		float *in = rand_buf((size_t)T * C), *w = rand_buf((size_t)OC * C),
		      *b = rand_buf((size_t)OC);
		float *o1 = calloc((size_t)T * OC, sizeof(float)), *o2 = calloc((size_t)T * OC, sizeof(float));
		for (int bias = 0; bias < 2; bias++) {
			matmul_forward(o1, in, w, bias ? b : NULL, T, C, OC);
			matmul_forward_naive(o2, in, w, bias ? b : NULL, T, C, OC);
			assert_true(max_diff(o1, o2, (size_t)T * OC) < 1e-5f);
		}
		free(in), free(w), free(b), free(o1), free(o2);
	}
}

static void test_matmul_known_values(void **state)
{
	(void)state;
	/* The hand-worked example in the course notes: q = x W_q, with W_q given
	 * as [d_model x d_k]; the kernel takes PyTorch's [out, in], so transpose. */
	const float x[6] = {0.54f, 1.601f, 1.13f, 1.031f, -0.65f, -0.28f};
	const float wq[6][4] = {{0.67f, 0.14f, 0.71f, 0.03f}, {0.85f, 0.31f, 0.14f, 0.95f},
				{0.24f, 0.57f, 0.76f, 0.93f}, {0.39f, 0.95f, 0.59f, 0.38f},
				{0.64f, 0.94f, 0.77f, 0.51f}, {0.94f, 0.73f, 0.17f, 0.02f}};
	float wt[4][6], q[4], qn[4];
	for (int i = 0; i < 6; i++)
		for (int j = 0; j < 4; j++)
			wt[j][i] = wq[i][j];
	matmul_forward(q, x, &wt[0][0], NULL, 1, 6, 4);
	matmul_forward_naive(qn, x, &wt[0][0], NULL, 1, 6, 4);
	const float expect[4] = {1.7167f, 1.3801f, 1.5265f, 2.6427f};
	for (int j = 0; j < 4; j++) {
		assert_float_equal(q[j], expect[j], 5e-5);
		assert_float_equal(qn[j], expect[j], 5e-5);
	}
}

static void test_attention_blas_matches_naive(void **state)
{
	(void)state;
	int cases[][5] = {/* T, S, C, NH, causal */
			  {5, 5, 8, 2, 0}, {5, 5, 8, 2, 1}, {4, 7, 9, 3, 0}, {6, 6, 12, 4, 1}, {1, 3, 4, 1, 0}};
	for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
		int T = cases[k][0], S = cases[k][1], C = cases[k][2], NH = cases[k][3],
		    causal = cases[k][4];
		float *q = rand_buf((size_t)T * C), *kk = rand_buf((size_t)S * C), *v = rand_buf((size_t)S * C);
		size_t ns = (size_t)NH * T * S;
		float *o1 = calloc((size_t)T * C, 4), *o2 = calloc((size_t)T * C, 4);
		float *s1 = calloc(ns, 4), *s2 = calloc(ns, 4), *w1 = calloc(ns, 4), *w2 = calloc(ns, 4);
		/* odd cases without the 1/√dh (a what-if run's scale off) */
		float scale = k % 2 ? 1.0f : 1.0f / sqrtf((float)(C / NH));
		attention_forward(o1, s1, w1, q, kk, v, T, S, C, NH, causal, scale);
		attention_forward_naive(o2, s2, w2, q, kk, v, T, S, C, NH, causal, scale);
		assert_true(max_diff(o1, o2, (size_t)T * C) < 1e-5f);
		assert_true(max_diff(s1, s2, ns) < 1e-5f);
		assert_true(max_diff(w1, w2, ns) < 1e-6f);
		for (int h = 0; h < NH; h++)
			for (int t = 0; t < T; t++) {
				float sum = 0;
				for (int s = 0; s < S; s++) {
					float w = w1[((size_t)h * T + t) * S + s];
					if (causal && s > t) {
						assert_true(isinf(s1[((size_t)h * T + t) * S + s]));
						assert_true(w == 0.0f);
					}
					sum += w;
				}
				assert_float_equal(sum, 1.0, 1e-5);
			}
		free(q), free(kk), free(v), free(o1), free(o2), free(s1), free(s2), free(w1), free(w2);
	}
}

static void test_softmax_masked_rows(void **state)
{
	(void)state;
	float in[6] = {1.0f, -INFINITY, 2.0f, -INFINITY, -INFINITY, -INFINITY}, out[6];
	softmax_forward(out, in, 2, 3);
	assert_float_equal(out[0], 1.0 / (1.0 + exp(1.0)), 1e-6);
	assert_true(out[1] == 0.0f);
	assert_float_equal(out[2], exp(1.0) / (1.0 + exp(1.0)), 1e-6);
	/* A fully masked row has no distribution: zeros, never NaN. */
	for (int i = 3; i < 6; i++)
		assert_true(out[i] == 0.0f);
	/* Large logits must not overflow. */
	float big[2] = {1000.0f, 1001.0f}, ob[2];
	softmax_forward(ob, big, 1, 2);
	assert_float_equal(ob[1], 1.0 / (1.0 + exp(-1.0)), 1e-6);
}

static void test_layernorm_known(void **state)
{
	(void)state;
	float x[4] = {1, 2, 3, 4}, w[4] = {1, 1, 2, 1}, b[4] = {0, 0, 0, 0.5f}, y[4], mean, rstd;
	layernorm_forward(y, &mean, &rstd, x, w, b, 1, 4, 1e-5f);
	double var = 1.25, s = 1.0 / sqrt(var + 1e-5);
	assert_float_equal(mean, 2.5, 1e-6);
	assert_float_equal(rstd, s, 1e-5);
	assert_float_equal(y[0], -1.5 * s, 1e-5);
	assert_float_equal(y[2], 2 * 0.5 * s, 1e-5);
	assert_float_equal(y[3], 1.5 * s + 0.5, 1e-5);
}

static void test_sinusoid_matches_notes(void **state)
{
	(void)state;
	/* The notes list sin(pos) for the first dimension of positions 0..5. */
	float p[6 * 6];
	sinusoid_fill(p, 6, 6);
	const float first[6] = {0, 0.841f, 0.909f, 0.141f, -0.757f, -0.959f};
	for (int i = 0; i < 6; i++)
		assert_float_equal(p[i * 6], first[i], 1e-3);
	/* p[i,2j+1] = cos(i / 10000^(2j/d)) */
	assert_float_equal(p[3 * 6 + 3], cos(3 / pow(10000.0, 2.0 / 6)), 1e-6);
	assert_float_equal(p[0 * 6 + 1], 1.0, 1e-7);
}

static void test_activations(void **state)
{
	(void)state;
	float in[4] = {-2, -0.5f, 0, 1.5f}, r[4], g[4];
	relu_forward(r, in, 4);
	gelu_forward(g, in, 4);
	assert_true(r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 1.5f);
	for (int i = 0; i < 4; i++)
		assert_float_equal(g[i], 0.5 * in[i] * (1 + erf(in[i] / sqrt(2.0))), 1e-6);
}

/* One LSTM step by hand: with zero weights the gates are σ(b) / tanh(b). */
static void test_lstm_cell_by_hand(void **state)
{
	(void)state;
	enum { H = 2 };
	float gx[4 * H] = {0.5f, -0.5f, 1.0f, 0.0f, 0.2f, 0.3f, -1.0f, 2.0f}; /* i f g o */
	float w_hh[4 * H * H] = {0}, b_hh[4 * H] = {0};
	float hp[H] = {0.3f, -0.2f}, cp[H] = {1.0f, -1.0f}, h[H], c[H], cache[4 * H], scratch[4 * H];
	cell_step_forward(CELL_LSTM, h, c, cache, gx, hp, cp, w_hh, b_hh, H, scratch);
	for (int j = 0; j < H; j++) {
		double i = 1 / (1 + exp(-gx[j])), f = 1 / (1 + exp(-gx[H + j]));
		double g = tanh(gx[2 * H + j]), o = 1 / (1 + exp(-gx[3 * H + j]));
		double cc = f * cp[j] + i * g;
		assert_float_equal(c[j], cc, 1e-6);
		assert_float_equal(h[j], o * tanh(cc), 1e-6);
		assert_float_equal(cache[H + j], f, 1e-6);
	}
}

/* GRU: h = (1 - z) n + z h_prev, and the reset gate scales W_hn h + b_hn. */
static void test_gru_cell_by_hand(void **state)
{
	(void)state;
	enum { H = 1 };
	float gx[3] = {0.4f, -0.3f, 0.2f};             /* r z n parts of W_ih x + b_ih */
	float w_hh[3] = {0.5f, 0.25f, -1.0f}, b_hh[3] = {0.1f, 0.0f, 0.3f};
	float hp[1] = {0.8f}, h[1], c[1], cache[4], scratch[3];
	cell_step_forward(CELL_GRU, h, c, cache, gx, hp, NULL, w_hh, b_hh, H, scratch);
	double r = 1 / (1 + exp(-(0.4 + 0.5 * 0.8 + 0.1)));
	double z = 1 / (1 + exp(-(-0.3 + 0.25 * 0.8)));
	double n = tanh(0.2 + r * (-1.0 * 0.8 + 0.3));
	assert_float_equal(h[0], (1 - z) * n + z * 0.8, 1e-6);
}

static void test_additive_scores(void **state)
{
	(void)state;
	float qp[2] = {0.5f, -0.25f}, kp[4] = {0.1f, 0.2f, -0.3f, 0.4f}, wv[2] = {1.5f, -2.0f}, out[2];
	additive_scores_forward(out, qp, kp, wv, 1, 2, 2);
	assert_float_equal(out[0], 1.5 * tanh(0.6) - 2.0 * tanh(-0.05), 1e-6);
	assert_float_equal(out[1], 1.5 * tanh(0.2) - 2.0 * tanh(0.15), 1e-6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matmul_blas_matches_naive),
		cmocka_unit_test(test_matmul_known_values),
		cmocka_unit_test(test_attention_blas_matches_naive),
		cmocka_unit_test(test_softmax_masked_rows),
		cmocka_unit_test(test_layernorm_known),
		cmocka_unit_test(test_sinusoid_matches_notes),
		cmocka_unit_test(test_activations),
		cmocka_unit_test(test_lstm_cell_by_hand),
		cmocka_unit_test(test_gru_cell_by_hand),
		cmocka_unit_test(test_additive_scores),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

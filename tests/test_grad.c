/* Every backward kernel against central finite differences: a random input,
 * loss = Σ dout ⊙ out with a random dout (so d loss / d out = dout), the
 * forward run in float and the sum taken in double. Per tensor, the relative
 * error is max |analytic - numeric| / max |numeric| and must stay <= 1e-2
 * (epsilon 1e-3 in float32). BLAS paths must agree with their _naive twins to
 * 1e-5. Then whole models (transformer and recurrent, configurations the
 * PyTorch fixtures do not cover) through tf_backward / rnn_backward with
 * the label-smoothed cross-entropy, on a sample of every parameter tensor
 * (step 1e-2, samples straddling a ReLU kink skipped), plus a check that a
 * second backward pass with the same gradient storage adds exactly as much
 * again. Deterministic: one fixed-seed generator. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/config.h"
#include "engine/grad.h"
#include "engine/loss.h"
#include "engine/ops.h"
#include "engine/ops_grad.h"
#include "engine/rnn.h"
#include "engine/transformer.h"
#include "engine/weights.h"

#define EPS 1e-3f
#define TOL 1e-2
#define AGREE 1e-5
/* A whole model's float32 loss carries ~1e-7 relative rounding noise, which a
 * 1e-3 step turns into ~1e-4 absolute gradient noise; 1e-2 keeps it near 1e-5
 * while the O(eps^2) truncation error stays far below the tolerance. */
#define MODEL_EPS 1e-2f
#define MODEL_FLOOR 5e-3

/* ---------- helpers ---------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static void rng_seed(uint64_t s)
{
	rng_state = s ? s : 1;
}

/* uniform in [-1, 1) (xorshift64*) */
static float urand(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	uint64_t r = rng_state * 2685821657736338717ull;
	return (float)((double)(r >> 11) / 9007199254740992.0 * 2.0 - 1.0);
}

static float *rnd(size_t n)
{
	float *p = malloc((n ? n : 1) * sizeof *p);
	assert_non_null(p);
	for (size_t i = 0; i < n; i++)
		p[i] = urand();
	return p;
}

static float *zeros(size_t n)
{
	float *p = calloc(n ? n : 1, sizeof *p);
	assert_non_null(p);
	return p;
}

static double dot_d(const float *a, const float *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		if (b[i] != 0.0f) /* a masked (-inf) score times a zero dout adds nothing */
			s += (double)a[i] * b[i];
	return s;
}

/* The worst error seen per kernel, for the summary. */
#define MAX_KERNELS 64
static struct kernel_err {
	const char *kernel;
	double worst;
} summary[MAX_KERNELS];
static int n_summary;

static void note(const char *kernel, double err)
{
	for (int i = 0; i < n_summary; i++)
		if (strcmp(summary[i].kernel, kernel) == 0) {
			if (err > summary[i].worst)
				summary[i].worst = err;
			return;
		}
	if (n_summary < MAX_KERNELS)
		summary[n_summary++] = (struct kernel_err){kernel, err};
}

typedef double (*loss_fn)(void *ctx);

/* Central differences of f over every element of x (n) against g. */
static double fd_rel_err(loss_fn f, void *ctx, float *x, size_t n, const float *g)
{
	double maxdiff = 0, maxref = 0;
	for (size_t i = 0; i < n; i++) {
		float save = x[i];
		double fd = 0;
		if (isfinite(save)) {
			float xp = save + EPS, xm = save - EPS;
			x[i] = xp;
			double lp = f(ctx);
			x[i] = xm;
			double lm = f(ctx);
			fd = (lp - lm) / ((double)xp - (double)xm);
		} /* a -inf (masked) input has no neighbourhood: its gradient must be 0 */
		x[i] = save;
		double d = fabs((double)g[i] - fd);
		if (!(d <= maxdiff))
			maxdiff = d; /* also catches NaN */
		if (fabs(fd) > maxref)
			maxref = fabs(fd);
	}
	return maxdiff / fmax(maxref, 1e-6);
}

static void fd_check(const char *kernel, const char *what, loss_fn f, void *ctx, float *x,
		     size_t n, const float *g)
{
	double r = fd_rel_err(f, ctx, x, n, g);
	note(kernel, r);
	print_message("  %-26s d%-8s FD rel err %.2e\n", kernel, what, r);
	if (!(r <= TOL))
		fail_msg("%s: d%s: finite-difference relative error %.3g > %g", kernel, what, r, TOL);
}

/* max |a - b| / max(max |b|, 1e-6) */
static double rel_diff(const float *a, const float *b, size_t n)
{
	double d = 0, m = 0;
	for (size_t i = 0; i < n; i++) {
		double e = fabs((double)a[i] - b[i]);
		if (!(e <= d))
			d = e;
		if (fabs(b[i]) > m)
			m = fabs(b[i]);
	}
	return d / fmax(m, 1e-6);
}

static void agree(const char *what, const float *a, const float *b, size_t n)
{
	double r = rel_diff(a, b, n);
	note("naive vs BLAS", r);
	print_message("  %-26s naive vs BLAS rel diff %.2e\n", what, r);
	if (!(r <= AGREE))
		fail_msg("%s: naive and BLAS backward differ by %.3g > %g", what, r, AGREE);
}

/* ---------- matmul ---------- */

struct mm {
	int T, C, OC;
	float *in, *w, *b, *dout, *out;
};

static double mm_loss(void *p)
{
	struct mm *m = p;
	matmul_forward(m->out, m->in, m->w, m->b, m->T, m->C, m->OC);
	return dot_d(m->out, m->dout, (size_t)m->T * m->OC);
}

static void matmul_case(int T, int C, int OC)
{
	struct mm m = {T, C, OC, rnd((size_t)T * C), rnd((size_t)OC * C), rnd(OC),
		       rnd((size_t)T * OC), zeros((size_t)T * OC)};
	size_t ni = (size_t)T * C, nw = (size_t)OC * C;
	float *din = zeros(ni), *dw = zeros(nw), *db = zeros(OC);
	float *din2 = zeros(ni), *dw2 = zeros(nw), *db2 = zeros(OC);
	matmul_backward(din, dw, db, m.dout, m.in, m.w, T, C, OC);
	matmul_backward_naive(din2, dw2, db2, m.dout, m.in, m.w, T, C, OC);
	const char *k = T == 1 ? "matmul_backward (T=1)" : "matmul_backward";
	fd_check(k, "in", mm_loss, &m, m.in, ni, din);
	fd_check(k, "weight", mm_loss, &m, m.w, nw, dw);
	fd_check(k, "bias", mm_loss, &m, m.b, OC, db);
	fd_check("matmul_backward_naive", "in", mm_loss, &m, m.in, ni, din2);
	fd_check("matmul_backward_naive", "weight", mm_loss, &m, m.w, nw, dw2);
	fd_check("matmul_backward_naive", "bias", mm_loss, &m, m.b, OC, db2);
	agree(k, din, din2, ni);
	agree(k, dw, dw2, nw);
	agree(k, db, db2, OC);

	/* accumulation: a second call adds the same again */
	matmul_backward(din, dw, db, m.dout, m.in, m.w, T, C, OC);
	for (size_t i = 0; i < ni; i++)
		assert_float_equal(din[i], 2 * din2[i], 1e-5 * (1 + fabs(din2[i])));
	for (size_t i = 0; i < nw; i++)
		assert_float_equal(dw[i], 2 * dw2[i], 1e-5 * (1 + fabs(dw2[i])));
	for (int i = 0; i < OC; i++)
		assert_float_equal(db[i], 2 * db2[i], 1e-5 * (1 + fabs(db2[i])));
	/* NULL outputs are skipped */
	matmul_backward(NULL, NULL, db, m.dout, m.in, m.w, T, C, OC);
	matmul_backward_naive(NULL, dw2, NULL, m.dout, NULL, m.w, 0, C, OC);

	free(m.in), free(m.w), free(m.b), free(m.dout), free(m.out);
	free(din), free(dw), free(db), free(din2), free(dw2), free(db2);
}

static void test_matmul(void **state)
{
	(void)state;
	rng_seed(1);
	matmul_case(5, 7, 6);
	matmul_case(1, 9, 4); /* gemv / ger path */
	matmul_case(3, 16, 33);
}

/* ---------- layernorm ---------- */

struct lnc {
	int T, C;
	float *in, *w, *b, *dout, *out, *mean, *rstd;
};

static double ln_loss(void *p)
{
	struct lnc *l = p;
	layernorm_forward(l->out, l->mean, l->rstd, l->in, l->w, l->b, l->T, l->C, 1e-5f);
	return dot_d(l->out, l->dout, (size_t)l->T * l->C);
}

static void test_layernorm(void **state)
{
	(void)state;
	rng_seed(2);
	int T = 4, C = 7;
	size_t n = (size_t)T * C;
	struct lnc l = {T, C, rnd(n), rnd(C), rnd(C), rnd(n), zeros(n), zeros(T), zeros(T)};
	for (size_t i = 0; i < n; i++)
		l.in[i] = 2.0f * l.in[i] + 0.5f; /* an offset and a spread, as real activations */
	for (int i = 0; i < C; i++)
		l.w[i] += 1.0f;
	ln_loss(&l);
	float *din = zeros(n), *dw = zeros(C), *db = zeros(C);
	layernorm_backward(din, dw, db, l.dout, l.in, l.w, l.mean, l.rstd, T, C);
	fd_check("layernorm_backward", "in", ln_loss, &l, l.in, n, din);
	fd_check("layernorm_backward", "weight", ln_loss, &l, l.w, C, dw);
	fd_check("layernorm_backward", "bias", ln_loss, &l, l.b, C, db);
	free(l.in), free(l.w), free(l.b), free(l.dout), free(l.out), free(l.mean), free(l.rstd);
	free(din), free(dw), free(db);
}

/* ---------- softmax ---------- */

struct smc {
	int R, C;
	float *in, *dout, *out;
};

static double sm_loss(void *p)
{
	struct smc *s = p;
	softmax_forward(s->out, s->in, s->R, s->C);
	return dot_d(s->out, s->dout, (size_t)s->R * s->C);
}

static void test_softmax(void **state)
{
	(void)state;
	rng_seed(3);
	int R = 4, C = 6;
	size_t n = (size_t)R * C;
	struct smc s = {R, C, rnd(n), rnd(n), zeros(n)};
	for (size_t i = 0; i < n; i++)
		s.in[i] *= 3.0f;
	s.in[1 * C + 2] = -INFINITY; /* masked cells */
	s.in[1 * C + 5] = -INFINITY;
	for (int c = 0; c < C; c++) /* a fully masked row: all-zero output */
		s.in[3 * C + c] = -INFINITY;
	sm_loss(&s);
	float *din = zeros(n);
	softmax_backward(din, s.dout, s.out, R, C);
	assert_true(din[1 * C + 2] == 0.0f && din[1 * C + 5] == 0.0f);
	for (int c = 0; c < C; c++)
		assert_true(din[3 * C + c] == 0.0f);
	fd_check("softmax_backward", "in", sm_loss, &s, s.in, n, din);
	free(s.in), free(s.dout), free(s.out), free(din);
}

/* ---------- multi-head attention ---------- */

struct atc {
	int T, S, C, NH, causal;
	float *q, *k, *v, *dout, *out, *scores, *weights;
};

static double at_loss(void *p)
{
	struct atc *a = p;
	attention_forward(a->out, a->scores, a->weights, a->q, a->k, a->v, a->T, a->S, a->C, a->NH,
			  a->causal, 1.0f / sqrtf((float)(a->C / a->NH)));
	return dot_d(a->out, a->dout, (size_t)a->T * a->C);
}

static void attention_case(int T, int S, int C, int NH, int causal)
{
	size_t nq = (size_t)T * C, nk = (size_t)S * C, ns = (size_t)NH * T * S;
	struct atc a = {T, S, C, NH, causal, rnd(nq), rnd(nk), rnd(nk), rnd(nq), zeros(nq),
			zeros(ns), zeros(ns)};
	for (size_t i = 0; i < nq; i++)
		a.q[i] *= 2.0f; /* peaked enough that the softmax matters */
	at_loss(&a);
	float *dq = zeros(nq), *dk = zeros(nk), *dv = zeros(nk), *dsc = zeros(ns), *dw = zeros(ns);
	float *dq2 = zeros(nq), *dk2 = zeros(nk), *dv2 = zeros(nk), *dsc2 = zeros(ns),
	      *dw2 = zeros(ns);
	attention_backward(dq, dk, dv, dsc, dw, a.dout, a.q, a.k, a.v, a.weights, T, S, C, NH);
	attention_backward_naive(dq2, dk2, dv2, dsc2, dw2, a.dout, a.q, a.k, a.v, a.weights, T, S,
				 C, NH);
	const char *k = causal ? "attention_backward causal" : "attention_backward";
	fd_check(k, "q", at_loss, &a, a.q, nq, dq);
	fd_check(k, "k", at_loss, &a, a.k, nk, dk);
	fd_check(k, "v", at_loss, &a, a.v, nk, dv);
	fd_check("attention_backward_naive", "q", at_loss, &a, a.q, nq, dq2);
	fd_check("attention_backward_naive", "k", at_loss, &a, a.k, nk, dk2);
	fd_check("attention_backward_naive", "v", at_loss, &a, a.v, nk, dv2);
	agree(k, dq, dq2, nq);
	agree(k, dk, dk2, nk);
	agree(k, dv, dv2, nk);
	agree(k, dsc, dsc2, ns);
	if (causal)
		for (int h = 0; h < NH; h++)
			for (int t = 0; t < T; t++)
				for (int s = t + 1; s < S; s++) {
					size_t i = ((size_t)h * T + t) * S + s;
					assert_true(a.scores[i] == -INFINITY);
					assert_true(dsc[i] == 0.0f && dsc2[i] == 0.0f);
				}
	free(a.q), free(a.k), free(a.v), free(a.dout), free(a.out), free(a.scores),
		free(a.weights);
	free(dq), free(dk), free(dv), free(dsc), free(dw);
	free(dq2), free(dk2), free(dv2), free(dsc2), free(dw2);
}

static void test_attention(void **state)
{
	(void)state;
	rng_seed(4);
	attention_case(5, 5, 8, 2, 1); /* decoder self-attention */
	attention_case(4, 6, 9, 3, 0); /* cross-attention, T != S, odd head size */
	attention_case(1, 7, 6, 1, 0);
}

/* ---------- single-head dot attention (RNN decoder) ---------- */

struct dac {
	int T, S, C;
	float scale;
	float *q, *k, *v, *dout, *out, *scores, *weights;
};

static double da_loss(void *p)
{
	struct dac *a = p;
	for (int t = 0; t < a->T; t++)
		for (int s = 0; s < a->S; s++) {
			double acc = 0;
			for (int i = 0; i < a->C; i++)
				acc += (double)a->q[t * a->C + i] * a->k[s * a->C + i];
			a->scores[t * a->S + s] = (float)acc * a->scale;
		}
	softmax_forward(a->weights, a->scores, a->T, a->S);
	for (int t = 0; t < a->T; t++)
		for (int i = 0; i < a->C; i++) {
			double acc = 0;
			for (int s = 0; s < a->S; s++)
				acc += (double)a->weights[t * a->S + s] * a->v[s * a->C + i];
			a->out[t * a->C + i] = (float)acc;
		}
	return dot_d(a->out, a->dout, (size_t)a->T * a->C);
}

static void dot_case(int T, int S, int C, float scale, int shared_kv)
{
	size_t nq = (size_t)T * C, nk = (size_t)S * C, ns = (size_t)T * S;
	struct dac a = {T, S, C, scale, rnd(nq), rnd(nk), NULL, rnd(nq), zeros(nq), zeros(ns),
			zeros(ns)};
	a.v = shared_kv ? a.k : rnd(nk); /* the RNN decoder: keys = values = encoder states */
	da_loss(&a);
	float *dq = zeros(nq), *dk = zeros(nk), *dv = shared_kv ? dk : zeros(nk);
	float *dsc = zeros(ns), *dw = zeros(ns);
	float *dq2 = zeros(nq), *dk2 = zeros(nk), *dv2 = shared_kv ? dk2 : zeros(nk);
	float *dsc2 = zeros(ns), *dw2 = zeros(ns);
	dot_attention_backward(dq, dk, dv, dsc, dw, a.dout, a.q, a.k, a.v, a.weights, T, S, C,
			       scale);
	dot_attention_backward_naive(dq2, dk2, dv2, dsc2, dw2, a.dout, a.q, a.k, a.v, a.weights, T,
				     S, C, scale);
	const char *k = shared_kv ? "dot_attention_backward k=v" : "dot_attention_backward";
	fd_check(k, "q", da_loss, &a, a.q, nq, dq);
	fd_check(k, "k", da_loss, &a, a.k, nk, dk);
	if (!shared_kv)
		fd_check(k, "v", da_loss, &a, a.v, nk, dv);
	fd_check("dot_attention_backward_naive", "q", da_loss, &a, a.q, nq, dq2);
	fd_check("dot_attention_backward_naive", "k", da_loss, &a, a.k, nk, dk2);
	agree(k, dq, dq2, nq);
	agree(k, dk, dk2, nk);
	agree(k, dv, dv2, nk);
	if (!shared_kv)
		free(a.v), free(dv), free(dv2);
	free(a.q), free(a.k), free(a.dout), free(a.out), free(a.scores), free(a.weights);
	free(dq), free(dk), free(dsc), free(dw), free(dq2), free(dk2), free(dsc2), free(dw2);
}

static void test_dot_attention(void **state)
{
	(void)state;
	rng_seed(5);
	dot_case(1, 6, 7, 1.0f, 1);                /* dot, one decoder step */
	dot_case(1, 5, 7, 1.0f / sqrtf(7.0f), 1);  /* scaled_dot */
	dot_case(3, 4, 5, 0.7f, 0);
}

/* ---------- weighted sum ---------- */

struct wsc {
	int T, S, C;
	float *w, *v, *dout, *out;
};

static double ws_loss(void *p)
{
	struct wsc *a = p;
	for (int t = 0; t < a->T; t++)
		for (int i = 0; i < a->C; i++) {
			double acc = 0;
			for (int s = 0; s < a->S; s++)
				acc += (double)a->w[t * a->S + s] * a->v[s * a->C + i];
			a->out[t * a->C + i] = (float)acc;
		}
	return dot_d(a->out, a->dout, (size_t)a->T * a->C);
}

static void test_weighted_sum(void **state)
{
	(void)state;
	rng_seed(6);
	int T = 3, S = 5, C = 4;
	struct wsc a = {T, S, C, rnd((size_t)T * S), rnd((size_t)S * C), rnd((size_t)T * C),
			zeros((size_t)T * C)};
	float *dw = zeros((size_t)T * S), *dv = zeros((size_t)S * C);
	weighted_sum_backward(dw, dv, a.dout, a.w, a.v, T, S, C);
	fd_check("weighted_sum_backward", "weights", ws_loss, &a, a.w, (size_t)T * S, dw);
	fd_check("weighted_sum_backward", "v", ws_loss, &a, a.v, (size_t)S * C, dv);
	free(a.w), free(a.v), free(a.dout), free(a.out), free(dw), free(dv);
}

/* ---------- elementwise ---------- */

struct ewc {
	size_t n;
	int kind; /* 0 relu, 1 gelu, 2 add */
	float *a, *b, *dout, *out;
};

static double ew_loss(void *p)
{
	struct ewc *e = p;
	if (e->kind == 0)
		relu_forward(e->out, e->a, e->n);
	else if (e->kind == 1)
		gelu_forward(e->out, e->a, e->n);
	else
		add_forward(e->out, e->a, e->b, e->n);
	return dot_d(e->out, e->dout, e->n);
}

static void test_elementwise(void **state)
{
	(void)state;
	rng_seed(7);
	size_t n = 64;
	struct ewc e = {n, 0, rnd(n), rnd(n), rnd(n), zeros(n)};
	for (size_t i = 0; i < n; i++) {
		e.a[i] *= 3.0f;
		if (fabsf(e.a[i]) < 0.05f) /* keep relu's kink out of the difference */
			e.a[i] = 0.5f;
	}
	float *da = zeros(n), *db = zeros(n);
	relu_backward(da, e.dout, e.a, n);
	fd_check("relu_backward", "in", ew_loss, &e, e.a, n, da);
	e.kind = 1;
	memset(da, 0, n * sizeof *da);
	gelu_backward(da, e.dout, e.a, n);
	fd_check("gelu_backward", "in", ew_loss, &e, e.a, n, da);
	e.kind = 2;
	memset(da, 0, n * sizeof *da);
	add_backward(da, db, e.dout, n);
	fd_check("add_backward", "a", ew_loss, &e, e.a, n, da);
	fd_check("add_backward", "b", ew_loss, &e, e.b, n, db);
	free(e.a), free(e.b), free(e.dout), free(e.out), free(da), free(db);
}

/* ---------- embedding ---------- */

struct emc {
	int T, C;
	const int *ids;
	float scale;
	float *table, *pos, *dout, *out;
};

static double em_loss(void *p)
{
	struct emc *e = p;
	embed_forward(e->out, e->ids, e->table, e->pos, e->scale, e->T, e->C);
	return dot_d(e->out, e->dout, (size_t)e->T * e->C);
}

static void test_embed(void **state)
{
	(void)state;
	rng_seed(8);
	static const int ids[] = {3, 1, 3, 0, 3, 5}; /* repeats: the scatter must add */
	int T = 6, C = 4, V = 7;
	struct emc e = {T, C, ids, 1.7f, rnd((size_t)V * C), rnd((size_t)T * C), rnd((size_t)T * C),
			zeros((size_t)T * C)};
	float *dt = zeros((size_t)V * C), *dp = zeros((size_t)T * C);
	embed_backward(dt, dp, e.dout, ids, e.scale, T, C);
	fd_check("embed_backward", "table", em_loss, &e, e.table, (size_t)V * C, dt);
	fd_check("embed_backward", "pos", em_loss, &e, e.pos, (size_t)T * C, dp);
	for (int i = 0; i < C; i++) /* rows of unused tokens stay zero */
		assert_true(dt[2 * C + i] == 0.0f && dt[6 * C + i] == 0.0f);
	free(e.table), free(e.pos), free(e.dout), free(e.out), free(dt), free(dp);
}

/* ---------- recurrent cells ---------- */

struct clc {
	int cell, H;
	float *gx, *h_prev, *c_prev, *w_hh, *b_hh, *dh, *dc, *h, *c, *cache, *scratch;
};

static double cl_loss(void *p)
{
	struct clc *k = p;
	cell_step_forward(k->cell, k->h, k->c, k->cache, k->gx, k->h_prev, k->c_prev, k->w_hh,
			  k->b_hh, k->H, k->scratch);
	double s = dot_d(k->h, k->dh, (size_t)k->H);
	if (k->cell == CELL_LSTM) /* c is an output too: the next step reads it */
		s += dot_d(k->c, k->dc, (size_t)k->H);
	return s;
}

static void cell_case(int cell, const char *name)
{
	int H = 6, GH = cell_gates(cell) * H;
	struct clc k = {cell, H, rnd(GH), rnd(H), rnd(H), rnd((size_t)GH * H), rnd(GH), rnd(H),
			rnd(H), zeros(H), zeros(H), zeros(4 * (size_t)H), zeros(GH)};
	for (int i = 0; i < GH; i++)
		k.gx[i] *= 1.5f;
	cl_loss(&k);
	float *dgx = zeros(GH), *dhp = zeros(H), *dcp = zeros(H), *dw = zeros((size_t)GH * H),
	      *db = zeros(GH), *scr = zeros(GH);
	cell_step_backward(cell, dgx, dhp, dcp, dw, db, k.dh, k.dc, k.h, k.c, k.cache, k.h_prev,
			   k.c_prev, k.w_hh, H, scr);
	fd_check(name, "gx", cl_loss, &k, k.gx, GH, dgx);
	fd_check(name, "h_prev", cl_loss, &k, k.h_prev, H, dhp);
	if (cell == CELL_LSTM)
		fd_check(name, "c_prev", cl_loss, &k, k.c_prev, H, dcp);
	fd_check(name, "w_hh", cl_loss, &k, k.w_hh, (size_t)GH * H, dw);
	fd_check(name, "b_hh", cl_loss, &k, k.b_hh, GH, db);
	free(k.gx), free(k.h_prev), free(k.c_prev), free(k.w_hh), free(k.b_hh), free(k.dh),
		free(k.dc), free(k.h), free(k.c), free(k.cache), free(k.scratch);
	free(dgx), free(dhp), free(dcp), free(dw), free(db), free(scr);
}

static void test_cells(void **state)
{
	(void)state;
	rng_seed(9);
	cell_case(CELL_RNN, "cell_step_backward rnn");
	cell_case(CELL_LSTM, "cell_step_backward lstm");
	cell_case(CELL_GRU, "cell_step_backward gru");
}

/* ---------- additive scores ---------- */

struct adc {
	int T, S, A;
	float *qp, *kp, *wv, *dout, *out;
};

static double ad_loss(void *p)
{
	struct adc *a = p;
	additive_scores_forward(a->out, a->qp, a->kp, a->wv, a->T, a->S, a->A);
	return dot_d(a->out, a->dout, (size_t)a->T * a->S);
}

static void test_additive(void **state)
{
	(void)state;
	rng_seed(10);
	int T = 3, S = 4, A = 5;
	struct adc a = {T, S, A, rnd((size_t)T * A), rnd((size_t)S * A), rnd(A), rnd((size_t)T * S),
			zeros((size_t)T * S)};
	float *dq = zeros((size_t)T * A), *dk = zeros((size_t)S * A), *dv = zeros(A);
	additive_scores_backward(dq, dk, dv, a.dout, a.qp, a.kp, a.wv, T, S, A);
	fd_check("additive_scores_backward", "qp", ad_loss, &a, a.qp, (size_t)T * A, dq);
	fd_check("additive_scores_backward", "kp", ad_loss, &a, a.kp, (size_t)S * A, dk);
	fd_check("additive_scores_backward", "w_v", ad_loss, &a, a.wv, A, dv);
	free(a.qp), free(a.kp), free(a.wv), free(a.dout), free(a.out), free(dq), free(dk), free(dv);
}

/* ---------- cross-entropy ---------- */

struct cec {
	int T, V, ignore;
	float smoothing;
	const int *targets;
	float *logits;
};

static double ce_loss(void *p)
{
	struct cec *c = p;
	return cross_entropy_forward_backward(c->logits, c->targets, c->T, c->V, c->smoothing,
					      c->ignore, NULL);
}

static void test_cross_entropy(void **state)
{
	(void)state;
	rng_seed(11);
	static const int targets[] = {2, 0, 6, 3, 0};
	int T = 5, V = 7;
	float *dl = zeros((size_t)T * V);
	struct cec c = {T, V, 0, 0.1f, targets, rnd((size_t)T * V)};
	for (int i = 0; i < T * V; i++)
		c.logits[i] *= 3.0f;
	/* value: against the definition, in double */
	double want = 0;
	int n = 0;
	for (int t = 0; t < T; t++) {
		if (targets[t] == c.ignore)
			continue;
		double z = 0, lp_mean = 0;
		for (int v = 0; v < V; v++)
			z += exp(c.logits[t * V + v]);
		for (int v = 0; v < V; v++)
			lp_mean += (c.logits[t * V + v] - log(z)) / V;
		double nll = -(c.logits[t * V + targets[t]] - log(z));
		want += 0.9 * nll - 0.1 * lp_mean;
		n++;
	}
	want /= n;
	for (int i = 0; i < T * V; i++)
		dl[i] = 123.0f; /* overwritten, not accumulated */
	float got = cross_entropy_forward_backward(c.logits, targets, T, V, c.smoothing, c.ignore,
						   dl);
	assert_float_equal(got, want, 1e-5);
	for (int v = 0; v < V; v++) /* ignored rows: no gradient */
		assert_true(dl[1 * V + v] == 0.0f && dl[4 * V + v] == 0.0f);
	fd_check("cross_entropy (eps 0.1)", "logits", ce_loss, &c, c.logits, (size_t)T * V, dl);
	c.smoothing = 0.0f;
	c.ignore = -1;
	cross_entropy_forward_backward(c.logits, targets, T, V, 0.0f, -1, dl);
	fd_check("cross_entropy", "logits", ce_loss, &c, c.logits, (size_t)T * V, dl);
	/* uniform logits: log V */
	float flat[7] = {0};
	int tgt0 = 4;
	assert_float_equal(cross_entropy_forward_backward(flat, &tgt0, 1, V, 0.0f, -1, NULL),
			   log(7.0), 1e-6);
	/* every row ignored: 0, not NaN, and no gradient */
	int pads[] = {0, 0};
	float two[14] = {1, 2};
	assert_true(cross_entropy_forward_backward(two, pads, 2, V, 0.0f, 0, dl) == 0.0f);
	for (int i = 0; i < 14; i++)
		assert_true(dl[i] == 0.0f);
	free(c.logits), free(dl);
}

/* ---------- whole models ---------- */

/* FD over a sample of every parameter tensor of a whole model, loss =
 * cross-entropy (with smoothing) of the teacher-forced logits. */
struct model_case {
	const struct config *c;
	struct weights *w;
	int vs, vt, Ts, Tt;
	const int *src, *tgt, *out;
	struct tf_acts ta;
	struct rnn_acts ra;
	uint64_t pattern; /* relu_pattern of the last forward */
};

/* Which side of its kink every ReLU input is on: a difference whose two
 * points straddle a kink measures no derivative, so such samples are skipped. */
static uint64_t relu_pattern(const struct model_case *m)
{
	const struct config *c = m->c;
	uint64_t h = 1469598103934665603ull;
	if (c->arch != ARCH_TRANSFORMER || c->activation != ACT_RELU)
		return 0;
	for (int l = 0; l < c->n_enc_layers + c->n_dec_layers; l++) {
		int enc = l < c->n_enc_layers, T = enc ? m->Ts : m->Tt;
		const float *pre = enc ? m->ta.enc[l].ffn.pre : m->ta.dec[l - c->n_enc_layers].ffn.pre;
		for (int i = 0; i < T * c->d_ff; i++)
			h = (h ^ (pre[i] > 0)) * 1099511628211ull;
	}
	return h;
}

static double model_loss(void *p)
{
	struct model_case *m = p;
	const float *logits;
	if (m->c->arch == ARCH_TRANSFORMER) {
		tf_forward(m->c, m->w, m->vt, &m->ta, m->src, m->tgt);
		logits = m->ta.logits;
	} else {
		rnn_forward(m->c, m->w, m->vt, &m->ra, m->src, m->tgt);
		logits = m->ra.logits;
	}
	m->pattern = relu_pattern(m);
	return cross_entropy_forward_backward(logits, m->out, m->Tt, m->vt, 0.1f, -1, NULL);
}

static int model_case(const char *name, const struct config *c)
{
	static const int src[] = {4, 7, 5, 9, 3}, tgt[] = {2, 6, 4, 8, 5, 10},
			 out[] = {6, 4, 8, 5, 10, 3};
	struct model_case m;
	memset(&m, 0, sizeof m);
	m.c = c;
	m.vs = 10;
	m.vt = 11;
	m.Ts = 5;
	m.Tt = 6;
	m.src = src;
	m.tgt = tgt;
	m.out = out;
	struct weights w, g;
	struct err e = {0};
	assert_int_equal(weights_init(&w, c, m.vs, m.vt, &e), ST_OK);
	assert_int_equal(weights_init(&g, c, m.vs, m.vt, &e), ST_OK);
	m.w = &w;
	for (size_t i = 0; i < w.total; i++)
		w.block[i] = 0.6f * urand();
	for (size_t p = 0; p < w.n_params; p++)
		if (strstr(w.params[p].name, "norm") && strstr(w.params[p].name, ".weight"))
			for (size_t i = 0; i < w.params[p].count; i++)
				w.params[p].data[i] = 1.0f + 0.2f * urand();
	float *dl = zeros((size_t)m.Tt * m.vt);
	float *norms = zeros((size_t)CFG_MAX_LAYERS * m.Ts);
	float *once = zeros(g.total);
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts da;
		assert_int_equal(tf_acts_init(&m.ta, c, m.vt, m.Ts, m.Tt, &e), ST_OK);
		assert_int_equal(tf_acts_init(&da, c, m.vt, m.Ts, m.Tt, &e), ST_OK);
		model_loss(&m);
		cross_entropy_forward_backward(m.ta.logits, out, m.Tt, m.vt, 0.1f, -1, dl);
		tf_backward(c, &w, &g, m.vt, &m.ta, &da, dl);
		memcpy(once, g.block, g.total * sizeof *once);
		tf_backward(c, &w, &g, m.vt, &m.ta, &da, dl); /* da reused: must be re-zeroed */
		tf_acts_release(&da);
	} else {
		struct rnn_acts da;
		assert_int_equal(rnn_acts_init(&m.ra, c, m.vt, m.Ts, m.Tt, &e), ST_OK);
		assert_int_equal(rnn_acts_init(&da, c, m.vt, m.Ts, m.Tt, &e), ST_OK);
		model_loss(&m);
		cross_entropy_forward_backward(m.ra.logits, out, m.Tt, m.vt, 0.1f, -1, dl);
		rnn_backward(c, &w, &g, m.vt, &m.ra, &da, dl, norms);
		memcpy(once, g.block, g.total * sizeof *once);
		rnn_backward(c, &w, &g, m.vt, &m.ra, &da, dl, norms);
		for (int i = 0; i < c->n_layers * m.Ts; i++)
			assert_true(norms[i] > 0.0f && isfinite(norms[i]));
		rnn_acts_release(&da);
	}
	/* Two backward passes accumulate exactly twice one pass's gradients;
	 * (to rounding; stale activation gradients would be far larger), then
	 * go back to one pass for the comparison below. */
	double gmax = 0;
	for (size_t i = 0; i < g.total; i++)
		gmax = fmax(gmax, fabs(once[i]));
	for (size_t i = 0; i < g.total; i++) {
		if (!(fabs((double)g.block[i] - 2.0 * once[i]) <= 1e-5 * gmax))
			fail_msg("%s: a second backward pass gave %g at %zu, want 2 x %g", name,
				 (double)g.block[i], i, (double)once[i]);
		g.block[i] = once[i];
	}
	free(once);
	/* Per tensor, up to 12 elements spread over it. */
	uint64_t base = m.pattern;
	int sampled = 0, skipped = 0;
	double worst = 0;
	const char *worst_name = "-";
	for (size_t p = 0; p < w.n_params; p++) {
		struct param *P = &w.params[p];
		const float *gp = g.params[p].data;
		size_t step = P->count > 12 ? P->count / 12 : 1;
		double maxdiff = 0, maxref = 0;
		for (size_t i = (p * 7) % step; i < P->count; i += step) {
			float save = P->data[i], xp = save + MODEL_EPS, xm = save - MODEL_EPS;
			P->data[i] = xp;
			double lp = model_loss(&m);
			uint64_t pp = m.pattern;
			P->data[i] = xm;
			double lm = model_loss(&m);
			P->data[i] = save;
			sampled++;
			if (pp != base || m.pattern != base) {
				skipped++;
				continue;
			}
			double fd = (lp - lm) / ((double)xp - (double)xm);
			double d = fabs(gp[i] - fd);
			if (!(d <= maxdiff))
				maxdiff = d;
			if (fabs(fd) > maxref)
				maxref = fabs(fd);
		}
		/* The float32 loss carries ~1e-5 absolute noise into each numeric
		 * derivative, so a tensor whose gradients are all tiny (or exactly 0:
		 * learned positions past the sequence, unused vocabulary rows) is
		 * held to an absolute 5e-5 instead. */
		double r = maxdiff / fmax(maxref, MODEL_FLOOR);
		if (r > worst || !(r == r)) {
			worst = r;
			worst_name = P->name;
		}
		if (!(r <= TOL))
			print_error("%s: %s: FD rel err %.3g (diff %.3g, ref %.3g)\n", name, P->name, r, maxdiff, maxref);
	}
	note("whole model (FD)", worst);
	print_message("  %-30s worst param FD rel err %.2e (%s); %d samples", name, worst,
		      worst_name, sampled);
	if (skipped)
		print_message(", %d skipped (straddled a ReLU kink)", skipped);
	print_message("\n");
	assert_true(skipped * 4 < sampled);
	int ok = worst <= TOL;
	if (!ok)
		print_error("%s: whole-model gradient differs from finite differences (%s: %.3g)\n",
			    name, worst_name, worst);
	if (c->arch == ARCH_TRANSFORMER)
		tf_acts_release(&m.ta);
	else
		rnn_acts_release(&m.ra);
	weights_release(&w);
	weights_release(&g);
	free(dl);
	free(norms);
	return ok;
}

static struct config tf_config(int norm_first, int act, int pos, int final_norm, int tie)
{
	struct config c;
	memset(&c, 0, sizeof c);
	c.arch = ARCH_TRANSFORMER;
	c.d_model = 6;
	c.n_heads = 2;
	c.n_enc_layers = 2;
	c.n_dec_layers = 1;
	c.d_ff = 10;
	c.activation = act;
	c.norm_first = norm_first;
	c.final_norm = final_norm;
	c.layer_norm_eps = 1e-5f;
	c.positional = pos;
	c.max_len = 8;
	c.max_decode_len = 7;
	c.embed_scale_sqrt = 1;
	c.tie_output = tie;
	return c;
}

static struct config rnn_config(int cell, int attn, int layers)
{
	struct config c;
	memset(&c, 0, sizeof c);
	c.arch = ARCH_RNN_SEQ2SEQ;
	c.cell = cell;
	c.embed_dim = 4;
	c.hidden = 5;
	c.n_layers = layers;
	c.attention = attn;
	c.attn_dim = 3;
	c.max_len = 8;
	c.max_decode_len = 7;
	return c;
}

static void test_model_transformer(void **state)
{
	(void)state;
	rng_seed(12);
	int ok = 1;
	struct config c = tf_config(0, ACT_GELU, POS_LEARNED, 1, 0);
	ok &= model_case("tf post-norm gelu learned", &c);
	c = tf_config(1, ACT_RELU, POS_SINUSOIDAL, 0, 1);
	ok &= model_case("tf pre-norm relu tied nofinal", &c);
	assert_true(ok);
}

static void test_model_rnn(void **state)
{
	(void)state;
	rng_seed(13);
	int ok = 1;
	struct config c = rnn_config(CELL_RNN, ATTN_DOT, 2);
	ok &= model_case("rnn dot 2l", &c);
	c = rnn_config(CELL_RNN, ATTN_SCALED_DOT, 1);
	ok &= model_case("rnn scaled_dot", &c);
	c = rnn_config(CELL_LSTM, ATTN_SCALED_DOT, 1);
	ok &= model_case("lstm scaled_dot", &c);
	c = rnn_config(CELL_GRU, ATTN_DOT, 1);
	ok &= model_case("gru dot", &c);
	c = rnn_config(CELL_GRU, ATTN_ADDITIVE, 2);
	ok &= model_case("gru additive 2l", &c);
	c = rnn_config(CELL_LSTM, ATTN_NONE, 3);
	ok &= model_case("lstm none 3l", &c);
	assert_true(ok);
}

static void test_summary(void **state)
{
	(void)state;
	print_message("worst relative error per kernel:\n");
	for (int i = 0; i < n_summary; i++)
		print_message("  %-30s %.2e\n", summary[i].kernel, summary[i].worst);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_matmul),
		cmocka_unit_test(test_layernorm),
		cmocka_unit_test(test_softmax),
		cmocka_unit_test(test_attention),
		cmocka_unit_test(test_dot_attention),
		cmocka_unit_test(test_weighted_sum),
		cmocka_unit_test(test_elementwise),
		cmocka_unit_test(test_embed),
		cmocka_unit_test(test_cells),
		cmocka_unit_test(test_additive),
		cmocka_unit_test(test_cross_entropy),
		cmocka_unit_test(test_model_transformer),
		cmocka_unit_test(test_model_rnn),
		cmocka_unit_test(test_summary),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

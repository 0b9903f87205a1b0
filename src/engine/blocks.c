#include "engine/blocks.h"
#include "engine/ops.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The block's matrices are in math orientation (q = x W_q); the kernels take
 * PyTorch's [out, in], so transpose once. */
static float *transposed(const float *m, int rows, int cols)
{
	float *t = malloc((size_t)rows * cols * sizeof *t);
	if (t)
		for (int r = 0; r < rows; r++)
			for (int c = 0; c < cols; c++)
				t[(size_t)c * rows + r] = m[(size_t)r * cols + c];
	return t;
}

enum status self_attention_run(const struct config *c, const struct weights *w,
			       const struct switches *sw, struct trace *tr, struct err *e)
{
	float scale = switches_scale(sw, c->d_k);
	const struct sa_weights *s = &w->sa;
	int T = c->n_tokens, D = c->d_model, K = c->d_k;
	const char *labels[64];
	for (int i = 0; i < T; i++)
		labels[i] = c->tokens[i];
	const char *const *rl = trace_labels(tr, T, labels);
	float *wt[3] = {transposed(s->w_q, D, K), transposed(s->w_k, D, K), transposed(s->w_v, D, K)};
	float *qkv = malloc((size_t)3 * T * K * sizeof(float));
	float *sc = malloc((size_t)T * T * sizeof(float)), *wg = malloc((size_t)T * T * sizeof(float));
	float *out = malloc((size_t)T * K * sizeof(float));
	enum status st = ST_OK;
	if (!wt[0] || !wt[1] || !wt[2] || !qkv || !sc || !wg || !out) {
		st = err_set(e, ST_NOMEM, "out of memory");
		goto out;
	}
	for (int i = 0; i < 3; i++)
		matmul_forward(qkv + (size_t)i * T * K, s->x, wt[i], NULL, T, D, K);
	attention_forward(out, sc, wg, qkv, qkv + (size_t)T * K, qkv + (size_t)2 * T * K, T, T, K, 1,
			  0, scale);
	struct tensor *t = trace_add(tr, "self_attn.x", T, D, s->x,
				     "input rows X (word embedding + positional encoding)");
	tensor_set_rows(t, "token", rl);
	tensor_set_cols(t, "dim", NULL);
	static const char *const nm[3][2] = {{"self_attn.w_q", "self_attn.q"},
					     {"self_attn.w_k", "self_attn.k"},
					     {"self_attn.w_v", "self_attn.v"}};
	static const char *const what[3][2] = {{"W_q, [d_model x d_k]", "queries Q = X W_q"},
					       {"W_k, [d_model x d_k]", "keys K = X W_k"},
					       {"W_v, [d_model x d_k]", "values V = X W_v"}};
	const float *ws[3] = {s->w_q, s->w_k, s->w_v};
	for (int i = 0; i < 3; i++) {
		t = trace_add(tr, nm[i][0], D, K, ws[i], what[i][0]);
		tensor_set_rows(t, "input dim", NULL);
		tensor_set_cols(t, "output dim", NULL);
		t = trace_add(tr, nm[i][1], T, K, qkv + (size_t)i * T * K, what[i][1]);
		tensor_set_rows(t, "token", rl);
		tensor_set_cols(t, "dim", NULL);
		tensor_set_prov(tr, t, PROV_MATMUL, "self_attn.x", nm[i][0], NULL, NULL, NULL);
	}
	t = trace_add(tr, "self_attn.scores", T, T, sc,
		      scale == 1.0f / sqrtf((float)K)
			      ? "scores = Q Kᵀ / √d_k; rows: queries; cols: keys"
			      : "scores = Q Kᵀ without the 1/√d_k (what-if: scale off); rows: queries; cols: keys");
	tensor_set_rows(t, "query", rl);
	tensor_set_cols(t, "key", rl);
	tensor_set_prov(tr, t, PROV_SCORES, "self_attn.q", "self_attn.k", NULL, NULL, NULL);
	if (t) {
		t->prov.len = K;
		t->prov.scale = scale;
	}
	t = trace_add(tr, "self_attn.weights", T, T, wg, "attention weights = softmax(scores) per row");
	tensor_set_rows(t, "query", rl);
	tensor_set_cols(t, "key", rl);
	tensor_set_prov(tr, t, PROV_SOFTMAX, "self_attn.scores", NULL, NULL, NULL, NULL);
	t = trace_add(tr, "self_attn.out", T, K, out, "output = weights V: each row a weighted sum of V's rows");
	tensor_set_rows(t, "token", rl);
	tensor_set_cols(t, "dim", NULL);
	tensor_set_prov(tr, t, PROV_WSUM, "self_attn.weights", "self_attn.v", NULL, NULL, NULL);
	st = trace_status(tr, e);
out:
	for (int i = 0; i < 3; i++)
		free(wt[i]);
	free(qkv);
	free(sc);
	free(wg);
	free(out);
	return st;
}

/* An x value as an axis label: the fewest decimals (at least one) that give
 * the value back, so "2.0" and "2.079" read as x values, never as the row
 * or column index a command also accepts. */
static void x_label(char *buf, size_t n, float v)
{
	for (int d = 1; d <= 6; d++) {
		snprintf(buf, n, "%.*f", d, (double)v);
		if (fabs(strtod(buf, NULL) - (double)v) <= 1e-6 * fmax(1.0, fabs((double)v)))
			return;
	}
}

/* Labels holding the values of xs (n of them), interned in the trace. */
static const char *const *x_labels(struct trace *tr, const float *xs, int n)
{
	char *buf = malloc((size_t)n * 24);
	const char **l = malloc((size_t)n * sizeof *l);
	const char *const *out = NULL;
	if (buf && l) {
		for (int i = 0; i < n; i++) {
			x_label(buf + (size_t)i * 24, 24, xs[i]);
			l[i] = buf + (size_t)i * 24;
		}
		out = trace_labels(tr, n, l);
	} else {
		tr->oom = 1;
	}
	free(buf);
	free(l);
	return out;
}

enum status attention_pooling_run(const struct config *c, const struct weights *w,
				  const struct switches *sw, struct trace *tr, struct err *e)
{
	const struct pool_weights *p = &w->pool;
	int n = c->n_keys, m = c->n_queries + (sw && sw->has_query);
	int kernel = c->pooling != POOL_AVERAGE;
	float width = kernel && sw && sw->has_width ? sw->width
		      : c->pooling == POOL_PARAMETRIC ? p->w[0] : 1.0f;
	char sdesc[200];
	if (!kernel)
		snprintf(sdesc, sizeof sdesc, "scores: all equal (average pooling)");
	else if (sw && sw->has_width)
		snprintf(sdesc, sizeof sdesc, "scores = -((x - x_i) w)² / 2, w = %g set by the what-if, "
			 "the model's w is %g (%s Gaussian kernel)", (double)width,
			 c->pooling == POOL_PARAMETRIC ? (double)p->w[0] : 1.0,
			 c->pooling == POOL_PARAMETRIC ? "parametric" : "Nadaraya-Watson");
	else if (c->pooling == POOL_PARAMETRIC)
		snprintf(sdesc, sizeof sdesc, "scores = -((x - x_i) w)² / 2 (parametric Gaussian kernel)");
	else
		snprintf(sdesc, sizeof sdesc, "scores = -(x - x_i)² / 2 (Nadaraya-Watson Gaussian kernel)");
	struct tensor *k = trace_add(tr, "pool.keys", 1, n, p->keys, "keys x_i (training inputs)");
	struct tensor *v = trace_add(tr, "pool.values", 1, n, p->values, "values y_i (training targets)");
	struct tensor *q = trace_add(tr, "pool.queries", 1, m, NULL,
				     m > c->n_queries ? "queries x (where f is estimated); the last one "
							"added by the what-if (set query)"
						      : "queries x (where f is estimated)");
	struct tensor *sc = trace_add(tr, "pool.scores", m, n, NULL, sdesc);
	struct tensor *wg = trace_add(tr, "pool.weights", m, n, NULL,
				      "attention weights α(x, x_i) = softmax over i of the scores");
	struct tensor *o = trace_add(tr, "pool.out", 1, m, NULL, "f(x) = Σ_i α(x, x_i) y_i");
	if (!k || !v || !q || !sc || !wg || !o)
		return trace_status(tr, e);
	k->ndim = v->ndim = q->ndim = o->ndim = 1;
	memcpy(q->data, p->queries, (size_t)c->n_queries * sizeof(float));
	if (m > c->n_queries)
		q->data[m - 1] = sw->query;
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			float d = (q->data[i] - p->keys[j]) * width;
			sc->data[(size_t)i * n + j] = kernel ? -d * d / 2 : 0.0f;
		}
	softmax_forward(wg->data, sc->data, m, n);
	/* f = weights · values: a (m x n)(n x 1) product through the same kernel. */
	matmul_forward(o->data, p->values, wg->data, NULL, 1, n, m);
	/* Queries and keys are x values: the matrices and the vectors read
	 * along x are labelled by them (a plot's axes, a heatmap's labels). */
	const char *const *kx = x_labels(tr, p->keys, n), *const *qx = x_labels(tr, q->data, m);
	tensor_set_cols(v, "key x_i", kx);
	tensor_set_cols(o, "query x", qx);
	tensor_set_rows(sc, "query x", qx);
	tensor_set_cols(sc, "key x_i", kx);
	tensor_set_rows(wg, "query x", qx);
	tensor_set_cols(wg, "key x_i", kx);
	tensor_set_prov(tr, sc, kernel ? PROV_KERNEL : PROV_NONE, "pool.queries", "pool.keys", NULL,
			NULL, NULL);
	sc->prov.scale = width;
	tensor_set_prov(tr, wg, PROV_SOFTMAX, "pool.scores", NULL, NULL, NULL, NULL);
	tensor_set_prov(tr, o, PROV_MATMUL, "pool.weights", "pool.values", NULL, NULL, NULL);
	if (c->pooling == POOL_PARAMETRIC) {
		struct tensor *wt = trace_add(tr, "pool.w", 1, 1, p->w, "learned kernel width w");
		if (wt)
			wt->ndim = 1;
	}
	if (c->truth) {
		/* Given with the data (the toy's noise-free function), so a plot
		 * draws the true curve from the trace like everything else. */
		/* at the model's queries only: a what-if query has no given truth */
		struct tensor *f = trace_add(tr, "pool.truth", 1, c->n_queries, p->truth,
					     "true function f(x) at each query: the curve the noisy values y_i were drawn from (given with the data)");
		if (f) {
			f->ndim = 1;
			tensor_set_cols(f, "query x", qx);
		}
	}
	return trace_status(tr, e);
}

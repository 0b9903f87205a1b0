#include "engine/ops_grad.h"
#include "io/config.h"
#include "engine/ops.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

/* ---------- matmul ---------- */

void matmul_backward_naive(float *din, float *dweight, float *dbias, const float *dout,
			   const float *in, const float *weight, int T, int C, int OC)
{
	if (din)
		for (int t = 0; t < T; t++)
			for (int i = 0; i < C; i++) {
				double acc = 0;
				for (int o = 0; o < OC; o++)
					acc += (double)dout[(size_t)t * OC + o] * weight[(size_t)o * C + i];
				din[(size_t)t * C + i] += (float)acc;
			}
	if (dweight)
		for (int o = 0; o < OC; o++)
			for (int i = 0; i < C; i++) {
				double acc = 0;
				for (int t = 0; t < T; t++)
					acc += (double)dout[(size_t)t * OC + o] * in[(size_t)t * C + i];
				dweight[(size_t)o * C + i] += (float)acc;
			}
	if (dbias)
		for (int o = 0; o < OC; o++) {
			double acc = 0;
			for (int t = 0; t < T; t++)
				acc += dout[(size_t)t * OC + o];
			dbias[o] += (float)acc;
		}
}

void matmul_backward(float *din, float *dweight, float *dbias, const float *dout,
		     const float *in, const float *weight, int T, int C, int OC)
{
	if (T <= 0 || OC <= 0)
		return;
	if (dbias)
		for (int t = 0; t < T; t++)
			for (int o = 0; o < OC; o++)
				dbias[o] += dout[(size_t)t * OC + o];
	if (C <= 0)
		return;
	/* At T = 1 (a decoder step) gemv/ger beat gemm, as in the forward. */
	if (T == 1) {
		if (din)
			cblas_sgemv(CblasRowMajor, CblasTrans, OC, C, 1.0f, weight, C, dout, 1, 1.0f,
				    din, 1);
		if (dweight)
			cblas_sger(CblasRowMajor, OC, C, 1.0f, dout, 1, in, 1, dweight, C);
		return;
	}
	if (din)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, C, OC, 1.0f, dout, OC,
			    weight, C, 1.0f, din, C);
	if (dweight)
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, OC, C, T, 1.0f, dout, OC, in, C,
			    1.0f, dweight, C);
}

/* ---------- layernorm ---------- */

void layernorm_backward(float *din, float *dw, float *db, const float *dout, const float *in,
			const float *w, const float *mean, const float *rstd, int T, int C)
{
	for (int t = 0; t < T; t++) {
		const float *x = in + (size_t)t * C, *dy = dout + (size_t)t * C;
		float *dx = din + (size_t)t * C;
		float m = mean[t], s = rstd[t];
		/* dx = rstd (g - mean(g) - x̂ mean(g x̂)), g = dy ⊙ w: the two means are
		 * the mean's and the variance's paths through rstd. */
		double g_mean = 0, gx_mean = 0;
		for (int i = 0; i < C; i++) {
			double xh = (double)(x[i] - m) * s, g = (double)dy[i] * w[i];
			g_mean += g;
			gx_mean += g * xh;
		}
		g_mean /= C;
		gx_mean /= C;
		for (int i = 0; i < C; i++) {
			double xh = (double)(x[i] - m) * s, g = (double)dy[i] * w[i];
			dx[i] += (float)((g - g_mean - xh * gx_mean) * s);
			if (dw)
				dw[i] += (float)(dy[i] * xh);
			if (db)
				db[i] += dy[i];
		}
	}
}

/* ---------- softmax ---------- */

void softmax_backward(float *din, const float *dout, const float *out, int R, int C)
{
	for (int r = 0; r < R; r++) {
		const float *y = out + (size_t)r * C, *dy = dout + (size_t)r * C;
		float *dx = din + (size_t)r * C;
		double dot = 0;
		for (int c = 0; c < C; c++)
			dot += (double)dy[c] * y[c];
		for (int c = 0; c < C; c++)
			dx[c] += (float)(y[c] * (dy[c] - dot));
	}
}

/* ---------- attention ---------- */

void weighted_sum_backward(float *dweights, float *dv, const float *dout, const float *weights,
			   const float *v, int T, int S, int C)
{
	for (int t = 0; t < T; t++)
		for (int s = 0; s < S; s++) {
			double acc = 0;
			for (int i = 0; i < C; i++)
				acc += (double)dout[(size_t)t * C + i] * v[(size_t)s * C + i];
			dweights[(size_t)t * S + s] = (float)acc;
		}
	if (dv)
		for (int s = 0; s < S; s++)
			for (int i = 0; i < C; i++) {
				double acc = 0;
				for (int t = 0; t < T; t++)
					acc += (double)weights[(size_t)t * S + s] * dout[(size_t)t * C + i];
				dv[(size_t)s * C + i] += (float)acc;
			}
}

/* Naive scaled dot-product backward of NH heads side by side in C columns. */
static void sdpa_backward_naive(float *dq, float *dk, float *dv, float *dscores, float *dweights,
				const float *dout, const float *q, const float *k, const float *v,
				const float *weights, int T, int S, int C, int NH, float scale)
{
	int dh = C / NH;
	for (int h = 0; h < NH; h++) {
		size_t o = (size_t)h * T * S;
		float *dsc = dscores + o, *dw = dweights + o;
		const float *w = weights + o;
		/* out_h = w v_h: dw = dout_h v_hᵀ, dv_h += wᵀ dout_h */
		for (int t = 0; t < T; t++)
			for (int s = 0; s < S; s++) {
				double acc = 0;
				for (int i = 0; i < dh; i++)
					acc += (double)dout[(size_t)t * C + h * dh + i] *
					       v[(size_t)s * C + h * dh + i];
				dw[(size_t)t * S + s] = (float)acc;
			}
		for (int s = 0; s < S; s++)
			for (int i = 0; i < dh; i++) {
				double acc = 0;
				for (int t = 0; t < T; t++)
					acc += (double)w[(size_t)t * S + s] * dout[(size_t)t * C + h * dh + i];
				dv[(size_t)s * C + h * dh + i] += (float)acc;
			}
		memset(dsc, 0, (size_t)T * S * sizeof *dsc);
		softmax_backward(dsc, dw, w, T, S);
		/* scores = scale q_h k_hᵀ */
		for (int t = 0; t < T; t++)
			for (int i = 0; i < dh; i++) {
				double acc = 0;
				for (int s = 0; s < S; s++)
					acc += (double)dsc[(size_t)t * S + s] * k[(size_t)s * C + h * dh + i];
				dq[(size_t)t * C + h * dh + i] += (float)(acc * scale);
			}
		for (int s = 0; s < S; s++)
			for (int i = 0; i < dh; i++) {
				double acc = 0;
				for (int t = 0; t < T; t++)
					acc += (double)dsc[(size_t)t * S + s] * q[(size_t)t * C + h * dh + i];
				dk[(size_t)s * C + h * dh + i] += (float)(acc * scale);
			}
	}
}

static void sdpa_backward(float *dq, float *dk, float *dv, float *dscores, float *dweights,
			  const float *dout, const float *q, const float *k, const float *v,
			  const float *weights, int T, int S, int C, int NH, float scale)
{
	int dh = C / NH;
	if (T <= 0 || S <= 0 || dh <= 0)
		return;
	for (int h = 0; h < NH; h++) {
		size_t o = (size_t)h * T * S;
		float *dsc = dscores + o, *dw = dweights + o;
		const float *w = weights + o;
		/* dw (T, S) = dout_h v_hᵀ; dv_h (S, dh) += wᵀ dout_h */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, S, dh, 1.0f, dout + h * dh, C,
			    v + h * dh, C, 0.0f, dw, S);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, S, dh, T, 1.0f, w, S,
			    dout + h * dh, C, 1.0f, dv + h * dh, C);
		memset(dsc, 0, (size_t)T * S * sizeof *dsc);
		softmax_backward(dsc, dw, w, T, S);
		/* dq_h (T, dh) += scale dsc k_h; dk_h (S, dh) += scale dscᵀ q_h */
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, dh, S, scale, dsc, S,
			    k + h * dh, C, 1.0f, dq + h * dh, C);
		cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, S, dh, T, scale, dsc, S,
			    q + h * dh, C, 1.0f, dk + h * dh, C);
	}
}

void attention_backward(float *dq, float *dk, float *dv, float *dscores, float *dweights,
			const float *dout, const float *q, const float *k, const float *v,
			const float *weights, int T, int S, int C, int NH)
{
	float scale = 1.0f / sqrtf((float)(C / NH)); /* exactly the forward's */
	sdpa_backward(dq, dk, dv, dscores, dweights, dout, q, k, v, weights, T, S, C, NH, scale);
}

void attention_backward_naive(float *dq, float *dk, float *dv, float *dscores, float *dweights,
			      const float *dout, const float *q, const float *k, const float *v,
			      const float *weights, int T, int S, int C, int NH)
{
	float scale = 1.0f / sqrtf((float)(C / NH));
	sdpa_backward_naive(dq, dk, dv, dscores, dweights, dout, q, k, v, weights, T, S, C, NH,
			    scale);
}

void dot_attention_backward(float *dq, float *dk, float *dv, float *dscores, float *dweights,
			    const float *dout, const float *q, const float *k, const float *v,
			    const float *weights, int T, int S, int C, float scale)
{
	sdpa_backward(dq, dk, dv, dscores, dweights, dout, q, k, v, weights, T, S, C, 1, scale);
}

void dot_attention_backward_naive(float *dq, float *dk, float *dv, float *dscores,
				  float *dweights, const float *dout, const float *q,
				  const float *k, const float *v, const float *weights, int T,
				  int S, int C, float scale)
{
	sdpa_backward_naive(dq, dk, dv, dscores, dweights, dout, q, k, v, weights, T, S, C, 1,
			    scale);
}

/* ---------- elementwise ---------- */

void relu_backward(float *din, const float *dout, const float *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (in[i] > 0)
			din[i] += dout[i];
}

void gelu_backward(float *din, const float *dout, const float *in, size_t n)
{
	const float inv_sqrt_2pi = 0.3989422804014327f;
	for (size_t i = 0; i < n; i++) {
		float x = in[i];
		float cdf = 0.5f * (1.0f + erff(x * (float)M_SQRT1_2));
		float pdf = inv_sqrt_2pi * expf(-0.5f * x * x);
		din[i] += dout[i] * (cdf + x * pdf);
	}
}

void add_backward(float *da, float *db, const float *dout, size_t n)
{
	if (da)
		for (size_t i = 0; i < n; i++)
			da[i] += dout[i];
	if (db)
		for (size_t i = 0; i < n; i++)
			db[i] += dout[i];
}

void embed_backward(float *dtable, float *dpos, const float *dout, const int *ids, float scale,
		    int T, int C)
{
	for (int t = 0; t < T; t++) {
		const float *g = dout + (size_t)t * C;
		if (dtable) {
			float *e = dtable + (size_t)ids[t] * C;
			for (int i = 0; i < C; i++)
				e[i] += g[i] * scale;
		}
		if (dpos) {
			float *p = dpos + (size_t)t * C;
			for (int i = 0; i < C; i++)
				p[i] += g[i];
		}
	}
}

/* ---------- recurrent cells ---------- */

void cell_step_backward(int cell, float *dgx, float *dh_prev, float *dc_prev, float *dw_hh,
			float *db_hh, const float *dh, const float *dc, const float *h,
			const float *c, const float *cache, const float *h_prev,
			const float *c_prev, const float *w_hh, int H, float *dgh)
{
	int G = cell_gates(cell);
	/* dgh = d/d(W_hh h_prev + b_hh); equal to dgx except GRU's n gate, where
	 * the recurrent part is multiplied by r. */
	switch (cell) {
	case CELL_RNN:
		for (int j = 0; j < H; j++)
			dgh[j] = dh[j] * (1.0f - h[j] * h[j]);
		for (int j = 0; j < H; j++)
			dgx[j] += dgh[j];
		break;
	case CELL_LSTM:
		for (int j = 0; j < H; j++) {
			float i = cache[j], f = cache[H + j], g = cache[2 * H + j], o = cache[3 * H + j];
			float tc = tanhf(c[j]);
			/* c reaches the loss directly (next step's dc) and through h = o tanh(c) */
			float dct = (dc ? dc[j] : 0.0f) + dh[j] * o * (1.0f - tc * tc);
			dgh[j] = dct * g * i * (1.0f - i);
			dgh[H + j] = dct * c_prev[j] * f * (1.0f - f);
			dgh[2 * H + j] = dct * i * (1.0f - g * g);
			dgh[3 * H + j] = dh[j] * tc * o * (1.0f - o);
			if (dc_prev)
				dc_prev[j] += dct * f;
		}
		for (int j = 0; j < 4 * H; j++)
			dgx[j] += dgh[j];
		break;
	case CELL_GRU:
		for (int j = 0; j < H; j++) {
			float r = cache[j], z = cache[H + j], n = cache[2 * H + j];
			float hn = cache[3 * H + j]; /* W_hn h_prev + b_hn */
			/* h = (1 - z) n + z h_prev */
			float dn = dh[j] * (1.0f - z);
			float dz = dh[j] * (h_prev[j] - n);
			float dpn = dn * (1.0f - n * n); /* n = tanh(gx_n + r hn) */
			float dr = dpn * hn;
			if (dh_prev) /* the direct path; W_hh's is added below */
				dh_prev[j] += dh[j] * z;
			dgx[j] += dgh[j] = dr * r * (1.0f - r);
			dgx[H + j] += dgh[H + j] = dz * z * (1.0f - z);
			dgx[2 * H + j] += dpn;
			dgh[2 * H + j] = dpn * r;
		}
		break;
	}
	matmul_backward(dh_prev, dw_hh, db_hh, dgh, h_prev, w_hh, 1, H, G * H);
}

void additive_scores_backward(float *dqp, float *dkp, float *dw_v, const float *dout,
			      const float *qp, const float *kp, const float *w_v, int T, int S,
			      int A)
{
	for (int t = 0; t < T; t++)
		for (int s = 0; s < S; s++) {
			float g = dout[(size_t)t * S + s];
			if (g == 0.0f)
				continue;
			for (int a = 0; a < A; a++) {
				float th = tanhf(qp[(size_t)t * A + a] + kp[(size_t)s * A + a]);
				if (dw_v)
					dw_v[a] += g * th;
				float d = g * w_v[a] * (1.0f - th * th);
				if (dqp)
					dqp[(size_t)t * A + a] += d;
				if (dkp)
					dkp[(size_t)s * A + a] += d;
			}
		}
}

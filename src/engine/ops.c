#include "engine/ops.h"
#include "io/config.h"

#include <cblas.h>
#include <math.h>
#include <string.h>

void matmul_forward_naive(float *out, const float *in, const float *weight, const float *bias,
			  int T, int C, int OC)
{
	for (int t = 0; t < T; t++)
		for (int o = 0; o < OC; o++) {
			double acc = bias ? bias[o] : 0.0;
			const float *x = in + (size_t)t * C, *w = weight + (size_t)o * C;
			for (int i = 0; i < C; i++)
				acc += (double)x[i] * w[i];
			out[(size_t)t * OC + o] = (float)acc;
		}
}

void matmul_forward(float *out, const float *in, const float *weight, const float *bias,
		    int T, int C, int OC)
{
	if (T <= 0 || OC <= 0)
		return;
	if (C <= 0) {
		for (int t = 0; t < T; t++)
			for (int o = 0; o < OC; o++)
				out[(size_t)t * OC + o] = bias ? bias[o] : 0.0f;
		return;
	}
	float beta = 0.0f;
	if (bias) {
		for (int t = 0; t < T; t++)
			memcpy(out + (size_t)t * OC, bias, (size_t)OC * sizeof *out);
		beta = 1.0f;
	}
	if (T == 1)
		cblas_sgemv(CblasRowMajor, CblasNoTrans, OC, C, 1.0f, weight, C, in, 1, beta, out, 1);
	else
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, OC, C, 1.0f, in, C, weight, C,
			    beta, out, OC);
}

void layernorm_forward(float *out, float *mean, float *rstd, const float *in, const float *w,
		       const float *b, int T, int C, float eps)
{
	for (int t = 0; t < T; t++) {
		const float *x = in + (size_t)t * C;
		float *y = out + (size_t)t * C;
		double m = 0, v = 0;
		for (int i = 0; i < C; i++)
			m += x[i];
		m /= C;
		for (int i = 0; i < C; i++)
			v += (x[i] - m) * (x[i] - m);
		v /= C; /* biased variance, as torch.nn.LayerNorm */
		float s = (float)(1.0 / sqrt(v + eps));
		for (int i = 0; i < C; i++)
			y[i] = (float)((x[i] - m) * s) * w[i] + b[i];
		if (mean)
			mean[t] = (float)m;
		if (rstd)
			rstd[t] = s;
	}
}

void softmax_forward(float *out, const float *in, int R, int C)
{
	for (int r = 0; r < R; r++) {
		const float *x = in + (size_t)r * C;
		float *y = out + (size_t)r * C;
		float mx = -INFINITY;
		for (int c = 0; c < C; c++)
			if (x[c] > mx)
				mx = x[c];
		if (mx == -INFINITY) {
			memset(y, 0, (size_t)C * sizeof *y);
			continue;
		}
		double sum = 0;
		for (int c = 0; c < C; c++) {
			y[c] = x[c] == -INFINITY ? 0.0f : expf(x[c] - mx);
			sum += y[c];
		}
		float inv = (float)(1.0 / sum);
		for (int c = 0; c < C; c++)
			y[c] *= inv;
	}
}

static void mask_and_softmax(float *scores, float *weights, int T, int S, int causal)
{
	if (causal)
		for (int t = 0; t < T; t++)
			for (int s = t + 1; s < S; s++)
				scores[(size_t)t * S + s] = -INFINITY;
	softmax_forward(weights, scores, T, S);
}

void softmax_temperature(float *out, const float *in, int R, int C, float temp)
{
	if (temp == 1.0f) {
		softmax_forward(out, in, R, C);
		return;
	}
	size_t n = (size_t)R * (size_t)C;
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] / temp;
	softmax_forward(out, out, R, C);
}

void attention_forward_naive(float *out, float *scores, float *weights, const float *q,
			     const float *k, const float *v, int T, int S, int C, int NH,
			     int causal, float scale)
{
	int dh = C / NH;
	for (int h = 0; h < NH; h++) {
		float *sc = scores + (size_t)h * T * S, *w = weights + (size_t)h * T * S;
		for (int t = 0; t < T; t++)
			for (int s = 0; s < S; s++) {
				double acc = 0;
				for (int i = 0; i < dh; i++)
					acc += (double)q[(size_t)t * C + h * dh + i] *
					       k[(size_t)s * C + h * dh + i];
				sc[(size_t)t * S + s] = (float)acc * scale;
			}
		mask_and_softmax(sc, w, T, S, causal);
		for (int t = 0; t < T; t++)
			for (int i = 0; i < dh; i++) {
				double acc = 0;
				for (int s = 0; s < S; s++)
					acc += (double)w[(size_t)t * S + s] * v[(size_t)s * C + h * dh + i];
				out[(size_t)t * C + h * dh + i] = (float)acc;
			}
	}
}

void attention_forward(float *out, float *scores, float *weights, const float *q,
		       const float *k, const float *v, int T, int S, int C, int NH, int causal,
		       float scale)
{
	int dh = C / NH;
	for (int h = 0; h < NH; h++) {
		float *sc = scores + (size_t)h * T * S, *w = weights + (size_t)h * T * S;
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, T, S, dh, scale, q + h * dh, C,
			    k + h * dh, C, 0.0f, sc, S);
		mask_and_softmax(sc, w, T, S, causal);
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, T, dh, S, 1.0f, w, S,
			    v + h * dh, C, 0.0f, out + h * dh, C);
	}
}

void relu_forward(float *out, const float *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = in[i] > 0 ? in[i] : 0.0f;
}

void gelu_forward(float *out, const float *in, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = 0.5f * in[i] * (1.0f + erff(in[i] * (float)M_SQRT1_2));
}

void add_forward(float *out, const float *a, const float *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = a[i] + b[i];
}

void embed_forward(float *out, const int *ids, const float *table, const float *pos,
		   float scale, int T, int C)
{
	for (int t = 0; t < T; t++) {
		const float *e = table + (size_t)ids[t] * C;
		float *y = out + (size_t)t * C;
		for (int i = 0; i < C; i++)
			y[i] = e[i] * scale + (pos ? pos[(size_t)t * C + i] : 0.0f);
	}
}

void sinusoid_fill(float *p, int T, int C)
{
	for (int t = 0; t < T; t++)
		for (int i = 0; i < C; i++) {
			double angle = t / pow(10000.0, (double)(i - i % 2) / C);
			p[(size_t)t * C + i] = (float)(i % 2 ? cos(angle) : sin(angle));
		}
}

int cell_cache_width(int cell, int H)
{
	return cell == CELL_RNN ? 0 : 4 * H;
}

void cell_step_forward(int cell, float *h, float *c, float *cache, const float *gx,
		       const float *h_prev, const float *c_prev, const float *w_hh,
		       const float *b_hh, int H, float *gh)
{
	int G = cell_gates(cell);
	/* gh = W_hh h_prev + b_hh */
	memcpy(gh, b_hh, (size_t)G * H * sizeof *gh);
	cblas_sgemv(CblasRowMajor, CblasNoTrans, G * H, H, 1.0f, w_hh, H, h_prev, 1, 1.0f, gh, 1);
	switch (cell) {
	case CELL_RNN:
		for (int j = 0; j < H; j++)
			h[j] = tanhf(gx[j] + gh[j]);
		break;
	case CELL_LSTM:
		for (int j = 0; j < H; j++) {
			float i = sigmoidf(gx[j] + gh[j]);
			float f = sigmoidf(gx[H + j] + gh[H + j]);
			float g = tanhf(gx[2 * H + j] + gh[2 * H + j]);
			float o = sigmoidf(gx[3 * H + j] + gh[3 * H + j]);
			c[j] = f * c_prev[j] + i * g;
			h[j] = o * tanhf(c[j]);
			cache[j] = i;
			cache[H + j] = f;
			cache[2 * H + j] = g;
			cache[3 * H + j] = o;
		}
		break;
	case CELL_GRU:
		for (int j = 0; j < H; j++) {
			float r = sigmoidf(gx[j] + gh[j]);
			float z = sigmoidf(gx[H + j] + gh[H + j]);
			float n = tanhf(gx[2 * H + j] + r * gh[2 * H + j]);
			h[j] = (1.0f - z) * n + z * h_prev[j];
			cache[j] = r;
			cache[H + j] = z;
			cache[2 * H + j] = n;
			cache[3 * H + j] = gh[2 * H + j];
		}
		break;
	}
}

void additive_scores_forward(float *out, const float *qp, const float *kp, const float *w_v,
			     int T, int S, int A)
{
	for (int t = 0; t < T; t++)
		for (int s = 0; s < S; s++) {
			double acc = 0;
			for (int a = 0; a < A; a++)
				acc += (double)w_v[a] * tanhf(qp[(size_t)t * A + a] + kp[(size_t)s * A + a]);
			out[(size_t)t * S + s] = (float)acc;
		}
}

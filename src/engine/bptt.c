/* The BPTT lab's measurements (bptt.h). */
#include "engine/bptt.h"
#include "engine/ops_grad.h"
#include "engine/optim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* LAPACK in OpenBLAS, Fortran calling convention (the trailing arguments
 * are the hidden lengths of the character arguments). */
extern void dgesvd_(const char *jobu, const char *jobvt, const int *m, const int *n, double *a,
		    const int *lda, double *s, double *u, const int *ldu, double *vt,
		    const int *ldvt, double *work, const int *lwork, int *info, size_t, size_t);
extern void dgeev_(const char *jobvl, const char *jobvr, const int *n, double *a, const int *lda,
		   double *wr, double *wi, double *vl, const int *ldvl, double *vr, const int *ldvr,
		   double *work, const int *lwork, int *info, size_t, size_t);

double bptt_spectral_norm(const double *m, int n)
{
	/* The singular values of m and of its transpose are the same, so the
	 * row-major matrix can go to LAPACK (column-major) as it is. */
	double *a = malloc((size_t)n * n * sizeof *a), *s = malloc((size_t)n * sizeof *s);
	int lwork = -1, info = 0, one = 1;
	double q, dummy = 0, r = -1;
	if (!a || !s)
		goto out;
	memcpy(a, m, (size_t)n * n * sizeof *a);
	dgesvd_("N", "N", &n, &n, a, &n, s, &dummy, &one, &dummy, &one, &q, &lwork, &info, 1, 1);
	lwork = info == 0 ? (int)q : 0;
	double *work = lwork > 0 ? malloc((size_t)lwork * sizeof *work) : NULL;
	if (work) {
		dgesvd_("N", "N", &n, &n, a, &n, s, &dummy, &one, &dummy, &one, work, &lwork, &info,
			1, 1);
		if (info == 0)
			r = s[0];
	}
	free(work);
out:
	free(a);
	free(s);
	return r;
}

double bptt_spectral_radius(const double *m, int n)
{
	double *a = malloc((size_t)n * n * sizeof *a), *wr = malloc((size_t)n * sizeof *wr),
	       *wi = malloc((size_t)n * sizeof *wi);
	int lwork = -1, info = 0, one = 1;
	double q, dummy = 0, r = -1;
	if (!a || !wr || !wi)
		goto out;
	memcpy(a, m, (size_t)n * n * sizeof *a);
	dgeev_("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, &q, &lwork, &info, 1, 1);
	lwork = info == 0 ? (int)q : 0;
	double *work = lwork > 0 ? malloc((size_t)lwork * sizeof *work) : NULL;
	if (work) {
		dgeev_("N", "N", &n, a, &n, wr, wi, &dummy, &one, &dummy, &one, work, &lwork, &info, 1,
		       1);
		if (info == 0) {
			r = 0;
			for (int i = 0; i < n; i++)
				r = fmax(r, hypot(wr[i], wi[i]));
		}
	}
	free(work);
out:
	free(a);
	free(wr);
	free(wi);
	return r;
}

static double norm2(const float *v, int n)
{
	double s = 0;
	for (int i = 0; i < n; i++)
		s += (double)v[i] * v[i];
	return sqrt(s);
}

/* Row k of step t's Jacobian ∂s_t/∂s_{t-1} (D = H, or 2H for the LSTM's
 * (h, c)) is the vector-Jacobian product of the unit vector e_k, which is
 * what the backward step computes. buf: 2D + 2·G·H floats. */
static void step_jacobian(const struct config *c, const struct rnn_layer *W,
			  const struct rnn_layer_acts *y, int t, double *J, float *buf)
{
	int H = c->hidden, G = cell_gates(c->cell), lstm = c->cell == CELL_LSTM;
	int D = lstm ? 2 * H : H;
	size_t o = (size_t)t * H;
	const float *hp = t ? y->h + o - H : y->h0;
	const float *cp = lstm ? (t ? y->c + o - H : y->c0) : NULL;
	float *seed = buf, *prev = buf + D, *dgx = prev + D, *dgh = dgx + G * H;
	for (int k = 0; k < D; k++) {
		memset(seed, 0, (size_t)D * sizeof *seed);
		memset(prev, 0, (size_t)D * sizeof *prev);
		memset(dgx, 0, (size_t)G * H * sizeof *dgx);
		seed[k] = 1.0f;
		cell_step_backward(c->cell, dgx, prev, lstm ? prev + H : NULL, NULL, NULL, seed,
				   lstm ? seed + H : NULL, y->h + o, lstm ? y->c + o : NULL,
				   y->cache + (size_t)t * 4 * H, hp, cp, W->w_hh, H, dgh);
		for (int j = 0; j < D; j++)
			J[(size_t)k * D + j] = prev[j];
	}
}

static struct tensor *put_steps(struct trace *tr, const char *fmt, int l, int T, const float *v,
				const char *const *labels, const char *desc)
{
	char name[64];
	snprintf(name, sizeof name, fmt, l);
	return trace_put(tr, name, 1, T, v, NULL, NULL, "source token", labels, "%s", desc);
}

/* jac, jacprod and bound of layer l. */
static enum status record_jacobians(const struct config *c, const struct weights *w,
				    const struct rnn_acts *a, const struct rnn_acts *da, int l,
				    const char *const *labels, float *out, struct trace *tr,
				    struct err *e)
{
	int T = a->Ts, H = c->hidden, G = cell_gates(c->cell), lstm = c->cell == CELL_LSTM;
	int D = lstm ? 2 * H : H;
	double *J = malloc((size_t)D * D * sizeof *J);
	float *buf = malloc((size_t)(2 * D + 2 * G * H) * sizeof *buf);
	if (!J || !buf) {
		free(J);
		free(buf);
		return err_set(e, ST_NOMEM, "out of memory for the step Jacobians");
	}
	/* The products in double (the bound too): they leave the float range
	 * only where the true value does. */
	double *jd = malloc((size_t)2 * T * sizeof *jd);
	if (!jd) {
		free(J);
		free(buf);
		return err_set(e, ST_NOMEM, "out of memory for the step Jacobians");
	}
	double *pd = jd + T;
	float *jac = out, *prod = out + T;
	int failed = 0;
	for (int t = 0; t < T && !failed; t++) {
		step_jacobian(c, &w->rnn.enc[l], &a->enc[l], t, J, buf);
		jac[t] = (float)(jd[t] = bptt_spectral_norm(J, D));
		failed = jd[t] < 0;
	}
	free(J);
	free(buf);
	if (failed) {
		free(jd);
		return err_set(e, ST_NOMEM, "out of memory for the singular values of the step Jacobians");
	}
	double p = 1;
	for (int t = T - 1; t >= 0; t--) {
		prod[t] = (float)(pd[t] = p);
		p *= jd[t];
	}
	put_steps(tr, "grad.enc.l%d.jac", l, T, jac, labels,
		  "‖∂s_t/∂s_{t-1}‖₂, the spectral norm of step t's Jacobian (s = h, or (h, c) for "
		  "the LSTM): how much one step can stretch a gradient passing back through it");
	put_steps(tr, "grad.enc.l%d.jacprod", l, T, prod, labels,
		  "∏_{j=t+1..T-1} ‖∂s_j/∂s_{j-1}‖₂: the product of the step Jacobians' spectral "
		  "norms from step t to the last step; the gradient from the end can grow by at "
		  "most this much on its way back to t (inf: beyond the float range)");
	if (l == c->n_layers - 1 && c->n_layers == 1 && c->attention == ATTN_NONE) {
		const float *dh = da->enc[l].h + (size_t)(T - 1) * H;
		double g = norm2(dh, H);
		if (lstm) {
			double gc = norm2(da->enc[l].c + (size_t)(T - 1) * H, H);
			g = sqrt(g * g + gc * gc);
		}
		float *bound = out + 2 * T;
		for (int t = 0; t < T; t++)
			bound[t] = (float)(g * pd[t]);
		put_steps(tr, "grad.enc.l%d.bound", l, T, bound, labels,
			  "‖∂L/∂s_{T-1}‖ · jacprod[t]: the gradient enters this encoder at its last "
			  "step only, so ‖∂L/∂h_t‖ can be at most this");
	}
	free(jd);
	return ST_OK;
}

/* ‖∂L/∂s_t‖ of layer l at every step: (h, c) for the LSTM, h otherwise. */
static void state_norms(const struct config *c, const struct rnn_acts *da, int l, int T,
			float *out)
{
	int H = c->hidden;
	const struct rnn_layer_acts *g = &da->enc[l];
	for (int t = 0; t < T; t++) {
		double n = norm2(g->h + (size_t)t * H, H);
		if (c->cell == CELL_LSTM) {
			double nc = norm2(g->c + (size_t)t * H, H);
			n = sqrt(n * n + nc * nc);
		}
		out[t] = (float)n;
	}
}

/* max over units of the forget gates' product from t+1 to the end. */
static void forget_products(const struct config *c, const struct rnn_layer_acts *y, int T,
			    float *out)
{
	int H = c->hidden;
	for (int t = 0; t < T; t++) {
		double best = 0;
		for (int j = 0; j < H; j++) {
			double p = 1;
			for (int s = t + 1; s < T; s++)
				p *= y->cache[(size_t)s * 4 * H + H + j];
			best = fmax(best, p);
		}
		out[t] = (float)best;
	}
}

/* The spectral radius of a float H x H matrix; -1 when out of memory. */
static double radius_of(const float *w, int H)
{
	double *m = calloc((size_t)H * H + 1, sizeof *m);
	if (!m)
		return -1;
	for (size_t i = 0; i < (size_t)H * H; i++)
		m[i] = w[i];
	double r = bptt_spectral_radius(m, H);
	free(m);
	return r;
}

static enum status record_radius(const float *w_hh, int H, int l, struct trace *tr,
				 struct err *e)
{
	float r = (float)radius_of(w_hh, H);
	if (r < 0)
		return err_set(e, ST_NOMEM, "out of memory");
	char name[64];
	snprintf(name, sizeof name, "enc.l%d.radius", l);
	trace_put(tr, name, 1, 1, &r, NULL, NULL, NULL, NULL,
		  "the spectral radius of W_hh (its largest |eigenvalue|): below 1, repeated "
		  "multiplication by W_hh shrinks every vector, and tanh' <= 1 only shrinks it further");
	return ST_OK;
}

enum status bptt_record(const struct config *c, const struct weights *w, const struct rnn_acts *a,
			const struct rnn_acts *da, const char *const *src_labels, struct trace *tr,
			struct err *e)
{
	int T = a->Ts, H = c->hidden, lstm = c->cell == CELL_LSTM;
	int D = lstm ? 2 * H : H;
	const char *const *labels = trace_labels(tr, T, src_labels);
	float *v = malloc((size_t)3 * T * sizeof *v);
	if (!v)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = ST_OK;
	for (int l = 0; l < c->n_layers && !st; l++) {
		state_norms(c, da, l, T, v);
		if (lstm) {
			put_steps(tr, "grad.enc.l%d.state", l, T, v, labels,
				  "‖∂L/∂s_t‖ for the LSTM's whole state s_t = (h_t, c_t): the gradient "
				  "that reaches step t through the hidden state and the memory cell");
			float *vc = v + T;
			for (int t = 0; t < T; t++)
				vc[t] = (float)norm2(da->enc[l].c + (size_t)t * H, H);
			put_steps(tr, "grad.enc.l%d.c", l, T, vc, labels,
				  "‖∂L/∂c_t‖, the gradient reaching the memory cell at step t; along "
				  "the cell it is multiplied by the forget gate only");
		}
		double last = v[T - 1];
		for (int t = 0; t < T; t++)
			v[t] = last > 0 ? (float)(v[t] / last) : 0.0f;
		put_steps(tr, "grad.enc.l%d.ratio", l, T, v, labels,
			  lstm ? "‖∂L/∂s_t‖ / ‖∂L/∂s_{T-1}‖ with s = (h, c): the gradient reaching step t "
				 "relative to where it enters the encoder"
			       : "‖∂L/∂h_t‖ / ‖∂L/∂h_{T-1}‖: the gradient reaching step t relative to "
				 "where it enters the encoder; far below 1 is the vanishing gradient");
		for (int t = 0; t < T; t++)
			v[t] = v[t] > 0 ? (float)log10(v[t]) : -INFINITY;
		put_steps(tr, "grad.enc.l%d.decades", l, T, v, labels,
			  "log10 of grad.enc.lL.ratio: how many powers of ten the gradient has lost "
			  "(negative) or gained by the time it reaches step t");
		if (lstm) {
			forget_products(c, &a->enc[l], T, v);
			put_steps(tr, "grad.enc.l%d.fprod", l, T, v, labels,
				  "max over units of ∏_{j=t+1..T-1} f_j: how much of c_t the best-kept "
				  "unit still holds at the last step, and the factor its gradient "
				  "keeps along the forget-gate path");
		}
		if (c->cell == CELL_RNN)
			st = record_radius(w->rnn.enc[l].w_hh, H, l, tr, e);
		if (!st && D <= BPTT_MAX_STATE)
			st = record_jacobians(c, w, a, da, l, labels, v, tr, e);
	}
	free(v);
	return st;
}

enum status bptt_record_clip(const struct config *c, const struct weights *grads,
			     const struct rnn_acts *a, const struct rnn_acts *da, float clip,
			     const char *const *src_labels, struct trace *tr, struct err *e)
{
	float n = (float)grad_norm(grads->block, grads->total);
	trace_put(tr, "grad.norm", 1, 1, &n, NULL, NULL, NULL, NULL,
		  "‖∇θ L‖₂: the norm of the whole parameter gradient of this sentence's loss, "
		  "before any clipping");
	if (!(clip > 0))
		return ST_OK;
	float k = n > clip ? clip / n : 1.0f;
	trace_put(tr, "grad.clip", 1, 1, &k, NULL, NULL, NULL, NULL,
		  "min(1, clip / ‖∇θ L‖) with clip = %g: global norm clipping multiplies every "
		  "gradient by this, so the update is at most clip long", clip);
	int T = a->Ts;
	const char *const *labels = trace_labels(tr, T, src_labels);
	float *v = malloc((size_t)T * sizeof *v);
	if (!v)
		return err_set(e, ST_NOMEM, "out of memory");
	for (int l = 0; l < c->n_layers; l++) {
		state_norms(c, da, l, T, v);
		for (int t = 0; t < T; t++)
			v[t] *= k;
		char desc[320];
		snprintf(desc, sizeof desc,
			 "‖∂L/∂s_t‖ · grad.clip: step t's gradient as it reaches the update once "
			 "clipping at %g has scaled the whole gradient; the shape over t is unchanged",
			 clip);
		put_steps(tr, "grad.enc.l%d.clipped", l, T, v, labels, desc);
	}
	free(v);
	return ST_OK;
}

enum status bptt_set_radius(float *w_hh, int H, float r, struct err *e)
{
	double r0 = radius_of(w_hh, H);
	if (!(r0 > 0))
		return err_set(e, r0 < 0 ? ST_NOMEM : ST_USAGE,
			       r0 < 0 ? "out of memory" : "W_hh has spectral radius 0: it cannot be rescaled");
	float k = (float)(r / r0);
	for (size_t i = 0; i < (size_t)H * H; i++)
		w_hh[i] *= k;
	return ST_OK;
}

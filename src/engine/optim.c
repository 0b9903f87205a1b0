#include "engine/optim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void adam_config_default(struct adam_config *c)
{
	c->beta1 = 0.9f;
	c->beta2 = 0.999f;
	c->eps = 1e-8f;
	c->weight_decay = 0.0f;
	c->decoupled = 1;
}

enum status adam_init(struct adam *a, size_t n, struct err *e)
{
	memset(a, 0, sizeof *a);
	a->m = calloc(n ? n : 1, sizeof *a->m);
	a->v = calloc(n ? n : 1, sizeof *a->v);
	if (!a->m || !a->v) {
		adam_release(a);
		return err_set(e, ST_NOMEM, "out of memory for the optimiser state");
	}
	a->n = n;
	return ST_OK;
}

void adam_release(struct adam *a)
{
	free(a->m);
	free(a->v);
	memset(a, 0, sizeof *a);
}

void adam_step(struct adam *a, const struct adam_config *c, float lr, float *params,
	       const float *grads, const unsigned char *decay_mask)
{
	a->t++;
	/* Bias corrections in double: at t = 1 with beta2 = 0.999 the float
	 * product would lose digits that torch (which uses Python floats) keeps. */
	double bc1 = 1.0 - pow(c->beta1, (double)a->t);
	double bc2 = 1.0 - pow(c->beta2, (double)a->t);
	float step = (float)(lr / bc1);
	float sqrt_bc2 = (float)sqrt(bc2);
	float b1 = c->beta1, b2 = c->beta2, wd = c->weight_decay;
	for (size_t i = 0; i < a->n; i++) {
		float g = grads[i];
		int decay = wd != 0.0f && (!decay_mask || decay_mask[i]);
		if (decay && !c->decoupled)
			g += wd * params[i];
		else if (decay)
			params[i] -= lr * wd * params[i];
		a->m[i] = b1 * a->m[i] + (1.0f - b1) * g;
		a->v[i] = b2 * a->v[i] + (1.0f - b2) * g * g;
		float denom = sqrtf(a->v[i]) / sqrt_bc2 + c->eps;
		params[i] -= step * a->m[i] / denom;
	}
}

double grad_norm(const float *g, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)g[i] * g[i];
	return sqrt(s);
}

double grad_clip(float *g, size_t n, double max_norm)
{
	double norm = grad_norm(g, n);
	if (max_norm > 0 && norm > max_norm) {
		/* torch adds 1e-6 to the norm so a zero gradient never divides by 0. */
		float scale = (float)(max_norm / (norm + 1e-6));
		for (size_t i = 0; i < n; i++)
			g[i] *= scale;
	}
	return norm;
}

float lr_at(const struct lr_schedule *s, long step)
{
	if (step < 0)
		step = 0;
	if (s->warmup > 0 && step < s->warmup)
		return s->lr * (float)(step + 1) / (float)s->warmup;
	long span = s->total - 1 - s->warmup;
	double frac = span > 0 ? (double)(step - s->warmup) / (double)span : 1.0;
	if (frac > 1)
		frac = 1;
	double lo = (double)s->lr * s->min_ratio;
	switch (s->decay) {
	case LR_LINEAR:
		return (float)(s->lr + (lo - s->lr) * frac);
	case LR_COSINE:
		return (float)(lo + (s->lr - lo) * 0.5 * (1.0 + cos(M_PI * frac)));
	case LR_INV_SQRT: {
		double w = s->warmup > 0 ? (double)s->warmup : 1.0;
		return (float)(s->lr * sqrt(w / (double)(step + 1)));
	}
	case LR_CONSTANT:
	default:
		return s->lr;
	}
}

static const char *const decay_names[] = {"constant", "linear", "cosine", "inv_sqrt"};

int lr_decay_parse(const char *name)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(name, decay_names[i]) == 0)
			return i;
	return -1;
}

const char *lr_decay_name(enum lr_decay d)
{
	return (unsigned)d < 4 ? decay_names[d] : "?";
}

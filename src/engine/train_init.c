/* Random streams and initial weights for training (train_init.h). */
#include "engine/train_init.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Uniform in [0, 1) with 24 random bits, exactly representable as a float. */
float train_uniform(struct rng *r)
{
	return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

static float rng_normal(struct rng *r)
{
	float u1 = train_uniform(r), u2 = train_uniform(r);
	if (u1 < 1e-7f)
		u1 = 1e-7f;
	return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

/* Every random stream derives from (seed, purpose, index), never from a
 * running state, so resuming at step s draws what a run reaching s would. */
struct rng train_rng(uint64_t seed, uint64_t purpose, uint64_t index)
{
	struct rng r = {rng_mix(seed ^ rng_mix(purpose * 0x632be59bd9b4e019ull ^ rng_mix(index)))};
	return r;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void fill_uniform(float *p, size_t n, float bound, struct rng *r)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (2.0f * train_uniform(r) - 1.0f) * bound;
}

/* Transformer: xavier_uniform on every matrix (as the PyTorch translation
 * tutorial does after building nn.Transformer), zero attention biases, unit
 * LayerNorm gains, nn.Linear's U(±1/√fan_in) for the other biases.
 * Recurrent: nn.LSTM/GRU/RNN's U(±1/√hidden) for every cell tensor, N(0, 1)
 * embeddings as nn.Embedding, nn.Linear defaults for the rest. */
void train_init_weights(const struct config *c, struct weights *w, uint64_t seed)
{
	for (size_t i = 0; i < w->n_params; i++) {
		struct param *p = &w->params[i];
		struct rng r = train_rng(seed, RNG_INIT, i);
		const char *n = p->name;
		int in = p->ndim == 2 ? p->dims[1] : 0;
		if (c->arch == ARCH_TRANSFORMER) {
			if (p->ndim == 2) {
				fill_uniform(p->data, p->count,
					     sqrtf(6.0f / (float)(p->dims[0] + p->dims[1])), &r);
			} else if (strstr(n, "norm")) {
				float v = ends_with(n, ".weight") ? 1.0f : 0.0f;
				for (size_t k = 0; k < p->count; k++)
					p->data[k] = v;
			} else if (strstr(n, "in_proj_bias") || strstr(n, "out_proj.bias")) {
				memset(p->data, 0, p->count * sizeof(float));
			} else {
				int fan = strstr(n, "linear2") ? c->d_ff : c->d_model;
				fill_uniform(p->data, p->count, 1.0f / sqrtf((float)fan), &r);
			}
		} else {
			if (strstr(n, "embedding")) {
				for (size_t k = 0; k < p->count; k++)
					p->data[k] = rng_normal(&r);
			} else if (strstr(n, ".rnn.")) {
				fill_uniform(p->data, p->count, 1.0f / sqrtf((float)c->hidden), &r);
			} else {
				int fan = in ? in : c->hidden; /* decoder.out.bias: fan_in hidden */
				fill_uniform(p->data, p->count, 1.0f / sqrtf((float)fan), &r);
			}
		}
	}
}

/* Weight decay applies to matrices; biases and LayerNorm parameters are
 * spared, as is usual for AdamW. */
unsigned char *train_decay_mask_new(const struct weights *w)
{
	unsigned char *m = calloc(w->total ? w->total : 1, 1);
	if (!m)
		return NULL;
	for (size_t i = 0; i < w->n_params; i++) {
		const struct param *p = &w->params[i];
		if (p->ndim == 2 && !strstr(p->name, "norm"))
			memset(m + (p->data - w->block), 1, p->count);
	}
	return m;
}

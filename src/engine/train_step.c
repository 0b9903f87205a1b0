/* A batch's gradient over the shards (train_step.h). */
#include "engine/train_step.h"
#include "engine/grad.h"
#include "engine/loss.h"
#include "engine/rnn.h"
#include "engine/train_init.h"
#include "engine/transformer.h"

#include <pthread.h>
#include <stdlib.h>

static enum status ensure_dlogits(struct shard *s, size_t n, struct err *e)
{
	if (n <= s->dl_cap)
		return ST_OK;
	float *p = realloc(s->dlogits, n * sizeof *p);
	if (!p)
		return err_set(e, ST_NOMEM, "out of memory");
	s->dlogits = p;
	s->dl_cap = n;
	return ST_OK;
}

/* Floats of dropout mask one example needs: transformer: the two embedding
 * sums and every sublayer output; recurrent: the two embedding sequences. */
static size_t mask_floats(const struct config *c, int ns, int nt)
{
	if (c->arch == ARCH_TRANSFORMER)
		return (size_t)c->d_model * ((size_t)ns * (1 + 2 * c->n_enc_layers) +
					     (size_t)nt * (1 + 3 * c->n_dec_layers));
	return (size_t)c->embed_dim * (size_t)(ns + nt);
}

/* Draws inverted-dropout masks (0 with probability p, else 1/(1-p)) from
 * the example's own stream (seed, step, batch position) and hangs them on
 * the activations, which is what turns dropout on in the forward and
 * backward passes. */
static enum status draw_masks(struct shard *s, const struct example *x, uint64_t pos,
			      struct tf_acts *ta, struct rnn_acts *ra, struct err *e)
{
	const struct config *c = &s->m->cfg;
	float p = s->o->dropout, keep = 1.0f / (1.0f - p);
	size_t n = mask_floats(c, x->ns, x->nt);
	if (n > s->mask_cap) {
		float *m = realloc(s->mask, n * sizeof *m);
		if (!m)
			return err_set(e, ST_NOMEM, "out of memory");
		s->mask = m;
		s->mask_cap = n;
	}
	struct rng r = train_rng(s->seed, RNG_DROPOUT,
			       (uint64_t)s->step * (uint64_t)s->o->batch_size + pos);
	for (size_t i = 0; i < n; i++)
		s->mask[i] = train_uniform(&r) < p ? 0.0f : keep;
	const float *m = s->mask;
	if (ta) {
		size_t ss = (size_t)x->ns * c->d_model, st = (size_t)x->nt * c->d_model;
		ta->drop_src = m;
		m += ss;
		ta->drop_tgt = m;
		m += st;
		for (int l = 0; l < c->n_enc_layers; l++) {
			ta->enc[l].drop_sa = m;
			ta->enc[l].drop_ffn = m + ss;
			m += 2 * ss;
		}
		for (int l = 0; l < c->n_dec_layers; l++) {
			ta->dec[l].drop_sa = m;
			ta->dec[l].drop_ca = m + st;
			ta->dec[l].drop_ffn = m + 2 * st;
			m += 3 * st;
		}
	} else {
		ra->drop_src = m;
		ra->drop_tgt = m + (size_t)x->ns * c->embed_dim;
	}
	return ST_OK;
}

/* The loss of one pair from its logits, and its d loss / d logits in
 * s->dlogits scaled by the pair's share of the batch's target tokens, so
 * the batch gradient is the mean over tokens, as a padded batch with
 * ignore_index would give. */
static float scaled_loss(struct shard *s, const struct example *x, const float *logits, int V,
			 float smoothing)
{
	float loss = cross_entropy_forward_backward(logits, x->tgt_out, x->nt, V, smoothing, -1,
						    s->dlogits);
	float k = (float)x->nt * s->inv_tokens;
	for (size_t i = 0; i < (size_t)x->nt * V; i++)
		s->dlogits[i] *= k;
	return loss;
}

/* Forward, loss and backward of one pair (see scaled_loss). */
static enum status example_step(struct shard *s, const struct example *x, uint64_t pos,
				float smoothing, double *loss_sum, struct err *e)
{
	const struct model *m = s->m;
	const struct config *c = &m->cfg;
	int V = m->tgt_vocab.n;
	enum status st = ensure_dlogits(s, (size_t)x->nt * V, e);
	if (st)
		return st;
	float loss;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a, da;
		if ((st = tf_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		if ((st = tf_acts_init(&da, c, V, x->ns, x->nt, e)) ||
		    (s->o->dropout > 0 && (st = draw_masks(s, x, pos, &a, NULL, e)))) {
			tf_acts_release(&a);
			tf_acts_release(&da);
			return st;
		}
		tf_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		loss = scaled_loss(s, x, a.logits, V, smoothing);
		tf_backward(c, &m->w, &s->grads, V, &a, &da, s->dlogits);
		tf_acts_release(&a);
		tf_acts_release(&da);
	} else {
		struct rnn_acts a, da;
		if ((st = rnn_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		if ((st = rnn_acts_init(&da, c, V, x->ns, x->nt, e)) ||
		    (s->o->dropout > 0 && (st = draw_masks(s, x, pos, NULL, &a, e)))) {
			rnn_acts_release(&a);
			rnn_acts_release(&da);
			return st;
		}
		rnn_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		loss = scaled_loss(s, x, a.logits, V, smoothing);
		rnn_backward(c, &m->w, &s->grads, V, &a, &da, s->dlogits, NULL);
		rnn_acts_release(&a);
		rnn_acts_release(&da);
	}
	*loss_sum += (double)loss * x->nt;
	return ST_OK;
}

static void *shard_run(void *arg)
{
	struct shard *s = arg;
	weights_zero(&s->grads);
	s->loss_sum = 0;
	s->tokens = 0;
	s->st = ST_OK;
	for (int i = 0; i < s->n_items && !s->st; i++) {
		uint64_t pos = (uint64_t)s->first_item + (uint64_t)i * TRAIN_SHARDS;
		s->st = example_step(s, s->items[i], pos, s->o->label_smoothing, &s->loss_sum,
				     &s->e);
		s->tokens += s->items[i]->nt;
	}
	return NULL;
}

enum status shard_init(struct shard *s, const struct model *m, const struct train_opts *o,
		       struct err *e)
{
	s->m = m;
	s->o = o;
	return weights_init(&s->grads, &m->cfg, m->src_vocab.n, m->tgt_vocab.n, e);
}

void shard_release(struct shard *s)
{
	weights_release(&s->grads);
	free(s->dlogits);
	free(s->mask);
}

enum status train_batch_grad(struct shard shards[TRAIN_SHARDS],
			     const struct example *const *batch, int B, long ntok, uint64_t seed,
			     long step, int threads, double *loss_sum, struct err *e)
{
	/* Items alternate between shards, so both get a similar mix of lengths. */
	const struct example *items[TRAIN_SHARDS][B];
	int counts[TRAIN_SHARDS] = {0};
	for (int k = 0; k < B; k++)
		items[k % TRAIN_SHARDS][counts[k % TRAIN_SHARDS]++] = batch[k];
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		struct shard *s = &shards[i];
		s->items = items[i];
		s->n_items = counts[i];
		s->inv_tokens = 1.0f / (float)ntok;
		s->seed = seed;
		s->step = step;
		s->first_item = i;
	}
	if (threads >= 2) {
		pthread_t th;
		int spawned = pthread_create(&th, NULL, shard_run, &shards[1]) == 0;
		shard_run(&shards[0]);
		if (spawned)
			pthread_join(th, NULL);
		else
			shard_run(&shards[1]);
	} else {
		for (int i = 0; i < TRAIN_SHARDS; i++)
			shard_run(&shards[i]);
	}
	double lsum = 0;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		if (shards[i].st) {
			*e = shards[i].e;
			return shards[i].st;
		}
		lsum += shards[i].loss_sum;
	}
	/* Shard 0 collects the sum, always in the same order. */
	float *g = shards[0].grads.block;
	size_t total = shards[0].grads.total;
	for (int i = 1; i < TRAIN_SHARDS; i++) {
		const float *h = shards[i].grads.block;
		for (size_t k = 0; k < total; k++)
			g[k] += h[k];
	}
	*loss_sum = lsum;
	return ST_OK;
}

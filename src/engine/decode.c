#include "engine/decode.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum status decode_out_init(struct decode_out *o, int max_len, int topk, struct err *e)
{
	memset(o, 0, sizeof *o);
	size_t n = (size_t)(max_len > 0 ? max_len : 1), k = (size_t)(topk > 0 ? topk : 1);
	o->ids = calloc(n, sizeof *o->ids);
	o->topk_ids = calloc(n * k, sizeof *o->topk_ids);
	o->topk_probs = calloc(n * k, sizeof *o->topk_probs);
	if (!o->ids || !o->topk_ids || !o->topk_probs) {
		decode_out_release(o);
		return err_set(e, ST_NOMEM, "out of memory for decoding");
	}
	return ST_OK;
}

void decode_out_release(struct decode_out *o)
{
	free(o->ids);
	free(o->topk_ids);
	free(o->topk_probs);
	memset(o, 0, sizeof *o);
}

void topk_select(const float *p, int n, int k, int *ids, float *vals)
{
	for (int j = 0; j < k; j++) {
		ids[j] = -1;
		vals[j] = -INFINITY;
	}
	for (int i = 0; i < n; i++) {
		if (k <= 0 || !(p[i] > vals[k - 1]))
			continue;
		int j = k - 1;
		while (j > 0 && p[i] > vals[j - 1]) {
			vals[j] = vals[j - 1];
			ids[j] = ids[j - 1];
			j--;
		}
		vals[j] = p[i];
		ids[j] = i;
	}
}

struct hyp {
	float score;
	int len, done;
	int *ids;        /* (max_len) */
	int *topk_ids;   /* (max_len, topk) */
	float *topk_p;   /* (max_len, topk) */
};

static int hyp_alloc(struct hyp *h, int max_len, int topk)
{
	h->ids = calloc((size_t)max_len, sizeof *h->ids);
	h->topk_ids = calloc((size_t)max_len * topk, sizeof *h->topk_ids);
	h->topk_p = calloc((size_t)max_len * topk, sizeof *h->topk_p);
	return h->ids && h->topk_ids && h->topk_p;
}

static void hyp_free(struct hyp *h)
{
	free(h->ids);
	free(h->topk_ids);
	free(h->topk_p);
}

static void hyp_copy(struct hyp *d, const struct hyp *s, int max_len, int topk)
{
	d->score = s->score;
	d->len = s->len;
	d->done = s->done;
	memcpy(d->ids, s->ids, (size_t)max_len * sizeof *d->ids);
	memcpy(d->topk_ids, s->topk_ids, (size_t)max_len * topk * sizeof *d->topk_ids);
	memcpy(d->topk_p, s->topk_p, (size_t)max_len * topk * sizeof *d->topk_p);
}

struct cand {
	float score;
	int parent, token;
};

enum status decode_run(const struct stepper *s, int V, int bos, int eos, int beam, int max_len,
		       int topk, struct decode_out *out, struct err *e)
{
	if (beam < 1 || beam > 64)
		return err_set(e, ST_USAGE, "beam width %d out of range 1..64", beam);
	/* topk may exceed V: topk_select pads with id -1, so the output keeps
	 * the caller's row stride. */
	enum status st = ST_OK;
	struct hyp *cur = calloc((size_t)beam, sizeof *cur), *nxt = calloc((size_t)beam, sizeof *nxt);
	struct hyp best = {0};
	float *logits = malloc((size_t)beam * V * sizeof *logits);
	float *probs = malloc((size_t)V * sizeof *probs);
	struct cand *cands = malloc((size_t)beam * beam * sizeof *cands);
	int *kid = malloc((size_t)beam * sizeof *kid);
	float *kval = malloc((size_t)beam * sizeof *kval);
	int *parents = malloc((size_t)beam * sizeof *parents);
	int ok = cur && nxt && logits && probs && cands && kid && kval && parents &&
		 hyp_alloc(&best, max_len, topk);
	for (int b = 0; ok && b < beam; b++)
		ok = hyp_alloc(&cur[b], max_len, topk) && hyp_alloc(&nxt[b], max_len, topk);
	if (!ok) {
		st = err_set(e, ST_NOMEM, "out of memory for beam search");
		goto out;
	}
	best.score = -INFINITY;
	int live = 1; /* slots 0..live-1 hold live hypotheses */
	cur[0].score = 0;
	for (int t = 0; t < max_len && live > 0; t++) {
		int nc = 0;
		for (int b = 0; b < live; b++) {
			int tok = t == 0 ? bos : cur[b].ids[t - 1];
			float *lg = logits + (size_t)b * V;
			s->step(s->ctx, b, tok, t, lg);
			float mx = -INFINITY;
			double sum = 0;
			for (int v = 0; v < V; v++)
				mx = lg[v] > mx ? lg[v] : mx;
			for (int v = 0; v < V; v++)
				sum += exp((double)lg[v] - mx);
			float lse = mx + (float)log(sum);
			for (int v = 0; v < V; v++)
				probs[v] = expf(lg[v] - lse);
			topk_select(probs, V, topk, cur[b].topk_ids + (size_t)t * topk,
				    cur[b].topk_p + (size_t)t * topk);
			/* This beam's best `beam` continuations are enough for the global best. */
			topk_select(lg, V, beam, kid, kval);
			for (int j = 0; j < beam && kid[j] >= 0; j++)
				cands[nc++] = (struct cand){cur[b].score + kval[j] - lse, b, kid[j]};
		}
		/* Sort candidates by score (small arrays: insertion sort). */
		for (int i = 1; i < nc; i++) {
			struct cand x = cands[i];
			int j = i;
			while (j > 0 && cands[j - 1].score < x.score) {
				cands[j] = cands[j - 1];
				j--;
			}
			cands[j] = x;
		}
		int nlive = 0;
		for (int i = 0; i < nc && nlive < beam; i++) {
			const struct hyp *p = &cur[cands[i].parent];
			if (cands[i].token == eos || t == max_len - 1) {
				if (cands[i].score > best.score) {
					hyp_copy(&best, p, max_len, topk);
					best.score = cands[i].score;
					best.ids[t] = cands[i].token;
					best.len = t + 1;
				}
				continue;
			}
			hyp_copy(&nxt[nlive], p, max_len, topk);
			nxt[nlive].score = cands[i].score;
			nxt[nlive].ids[t] = cands[i].token;
			nxt[nlive].len = t + 1;
			parents[nlive++] = cands[i].parent;
		}
		/* The model's state slots follow their hypotheses. */
		if (nlive > 0 && s->reorder)
			s->reorder(s->ctx, parents, nlive, t + 1);
		struct hyp *tmp = cur;
		cur = nxt;
		nxt = tmp;
		live = nlive;
		/* Scores only fall: stop once no live hypothesis can beat the best. */
		if (live > 0 && best.score >= cur[0].score)
			break;
	}
	out->n = best.len;
	out->logprob = best.score;
	memcpy(out->ids, best.ids, (size_t)best.len * sizeof *out->ids);
	memcpy(out->topk_ids, best.topk_ids, (size_t)best.len * topk * sizeof *out->topk_ids);
	memcpy(out->topk_probs, best.topk_p, (size_t)best.len * topk * sizeof *out->topk_probs);
out:
	for (int b = 0; b < beam && cur && nxt; b++) {
		hyp_free(&cur[b]);
		hyp_free(&nxt[b]);
	}
	hyp_free(&best);
	free(cur);
	free(nxt);
	free(logits);
	free(probs);
	free(cands);
	free(kid);
	free(kval);
	free(parents);
	return st;
}

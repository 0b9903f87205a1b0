/* Greedy and beam-search decoding over any model that can take one step. */
#ifndef SEQSTEP_DECODE_H
#define SEQSTEP_DECODE_H

#include "base/status.h"

/* A model's incremental decoder: `beam` independent state slots. */
struct stepper {
	void *ctx;
	/* Feeds token at position t to slot, writes next-token logits (V). */
	void (*step)(void *ctx, int slot, int token, int t, float *logits);
	/* After t tokens: new slot i becomes a copy of old slot parents[i],
	 * i < n (a parent may have several children, so copy via a second buffer). */
	void (*reorder)(void *ctx, const int *parents, int n, int t);
};

struct decode_out {
	int n;             /* tokens decoded, without <bos>, with <eos> if reached */
	int *ids;          /* (max_len) */
	int *topk_ids;     /* (max_len, topk) next-token candidates at each step */
	float *topk_probs; /* (max_len, topk) */
	float logprob;     /* of the chosen hypothesis */
};

enum status decode_out_init(struct decode_out *o, int max_len, int topk, struct err *e);
void decode_out_release(struct decode_out *o);

/* Beam search of width beam (1 = greedy): stops when every live hypothesis
 * is worse than the best finished one, or after max_len tokens. */
enum status decode_run(const struct stepper *s, int V, int bos, int eos, int beam, int max_len,
		       int topk, struct decode_out *out, struct err *e);

/* The k largest entries of p (n), in descending order. */
void topk_select(const float *p, int n, int k, int *ids, float *vals);

#endif

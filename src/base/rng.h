/* splitmix64: tiny, well mixed and fully specified, so the same seed draws
 * the same numbers on every machine; the generated corpora, the quiz
 * problems and training runs are reproducible because of it. Inline
 * because training draws one number per dropout-mask cell. */
#ifndef SEQSTEP_RNG_H
#define SEQSTEP_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s;
};

/* The output function: x advanced by the golden-ratio step, then mixed. */
static inline uint64_t rng_mix(uint64_t x)
{
	x += 0x9E3779B97F4A7C15ull;
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	return x ^ (x >> 31);
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t x = r->s;
	r->s += 0x9E3779B97F4A7C15ull;
	return rng_mix(x);
}

#endif

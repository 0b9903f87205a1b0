/* Hash indexes and growable tables for the tokenizers: an open-addressing
 * index over an array of strings (a vocabulary's tokens), interned strings
 * with a count each (counting units for training), and array growth. */
#ifndef SEQSTEP_STRTAB_H
#define SEQSTEP_STRTAB_H

#include <stddef.h>
#include <stdint.h>

/* FNV-1a over n bytes, continuing from h (STRTAB_SEED to start). */
size_t strtab_hash(size_t h, const char *s, size_t n);
#define STRTAB_SEED ((size_t)1469598103934665603u)

/* Index of key (len bytes) in strs, or -1; *empty (when not NULL) gets the
 * free slot where it would go. slots (nslots, a power of two, or 0) hold
 * index + 1, 0 = empty. */
int strtab_find(const int *slots, size_t nslots, char *const *strs, const char *key,
		size_t len, size_t *empty);
/* Makes room for entry n + 1 (load at most 1/2), rehashing; 0 on OOM. */
int strtab_reserve(int **slots, size_t *nslots, char *const *strs, int n);

/* Interned strings with a count each (training). Zero-initialise. */
struct strtab {
	char **s;        /* (n) owned */
	int64_t *count;  /* (n) */
	int n, cap;
	int *slots;      /* (nslots) index + 1 */
	size_t nslots;
};

void strtab_release(struct strtab *t);
/* Index of key, added with count 0 when new; -1 on OOM or when full. */
int strtab_add(struct strtab *t, const char *key, size_t len);

/* Grows *arr (elements of size sz) to hold n + 1; 0 on OOM. */
int strtab_grow(void **arr, int *cap, int n, size_t sz);

#endif

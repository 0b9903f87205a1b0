/* String indexes and tables for the tokenizers (strtab.h). */
#include "text/strtab.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

size_t strtab_hash(size_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211u;
	return h;
}

int strtab_find(const int *slots, size_t nslots, char *const *strs, const char *key,
		size_t len, size_t *empty)
{
	if (!nslots)
		return -1;
	size_t i = strtab_hash(STRTAB_SEED, key, len) & (nslots - 1);
	for (;;) {
		int s = slots[i];
		if (!s) {
			if (empty)
				*empty = i;
			return -1;
		}
		const char *c = strs[s - 1];
		if (strncmp(c, key, len) == 0 && c[len] == 0)
			return s - 1;
		i = (i + 1) & (nslots - 1);
	}
}

int strtab_reserve(int **slots, size_t *nslots, char *const *strs, int n)
{
	size_t need = ((size_t)n + 1) * 2;
	if (*nslots >= need)
		return 1;
	size_t ns = *nslots ? *nslots : 16;
	while (ns < need)
		ns *= 2;
	int *s = calloc(ns, sizeof *s);
	if (!s)
		return 0;
	for (int i = 0; i < n; i++) {
		size_t j = strtab_hash(STRTAB_SEED, strs[i], strlen(strs[i])) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = i + 1;
	}
	free(*slots);
	*slots = s;
	*nslots = ns;
	return 1;
}

void strtab_release(struct strtab *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->count);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

int strtab_add(struct strtab *t, const char *key, size_t len)
{
	if (t->n == INT_MAX - 1 || !strtab_reserve(&t->slots, &t->nslots, t->s, t->n))
		return -1;
	size_t where = 0;
	int i = strtab_find(t->slots, t->nslots, t->s, key, len, &where);
	if (i >= 0)
		return i;
	if (t->n == t->cap) {
		int cap = t->cap ? (t->cap > INT_MAX / 2 ? INT_MAX : t->cap * 2) : 64;
		char **s = realloc(t->s, (size_t)cap * sizeof *s);
		if (!s)
			return -1;
		t->s = s;
		int64_t *c = realloc(t->count, (size_t)cap * sizeof *c);
		if (!c)
			return -1;
		t->count = c;
		t->cap = cap;
	}
	char *k = malloc(len + 1);
	if (!k)
		return -1;
	memcpy(k, key, len);
	k[len] = 0;
	t->s[t->n] = k;
	t->count[t->n] = 0;
	t->slots[where] = t->n + 1;
	return t->n++;
}

int strtab_grow(void **arr, int *cap, int n, size_t sz)
{
	if (n < *cap)
		return 1;
	if (*cap > INT_MAX / 2)
		return 0;
	int ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, (size_t)ncap * sz);
	if (!p)
		return 0;
	*arr = p;
	*cap = ncap;
	return 1;
}

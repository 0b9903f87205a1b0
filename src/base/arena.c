#include "base/arena.h"
#include "base/status.h"

#include <stdlib.h>
#include <string.h>

struct arena_block {
	struct arena_block *next;
	size_t used, cap;
	_Alignas(16) unsigned char data[];
};

enum { ARENA_BLOCK = 64 * 1024 };

void arena_init(struct arena *a)
{
	a->head = NULL;
}

void arena_release(struct arena *a)
{
	struct arena_block *b = a->head;
	while (b) {
		struct arena_block *next = b->next;
		free(b);
		b = next;
	}
	a->head = NULL;
}

void *arena_alloc(struct arena *a, size_t size)
{
	size_t need;
	if (!size_add(size, 15, &need))
		return NULL;
	need &= ~(size_t)15;
	if (need == 0)
		need = 16;
	struct arena_block *b = a->head;
	if (!b || b->cap - b->used < need) {
		size_t cap = need > ARENA_BLOCK ? need : ARENA_BLOCK, total;
		if (!size_add(sizeof *b, cap, &total))
			return NULL;
		b = malloc(total);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		/* A big one-off block goes behind the head so the head keeps its free space. */
		if (a->head && need > ARENA_BLOCK) {
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	void *p = b->data + b->used;
	b->used += need;
	return p;
}

void *arena_calloc(struct arena *a, size_t n, size_t size)
{
	size_t total;
	if (!size_mul(n, size, &total))
		return NULL;
	void *p = arena_alloc(a, total);
	if (p)
		memset(p, 0, total);
	return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

/* Reading a corpus split back for training or evaluation (corpus.h). */
#include "text/corpus.h"
#include "base/fileio.h"
#include "text/codepoint.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum status read_all(const char *path, char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_IO, "%s: cannot open: %s", path, strerror(errno));
	int err;
	/* no limit of its own: memory runs out first */
	enum file_read r = file_read_limited(f, SIZE_MAX / 2 - 1, out, len, &err);
	fclose(f);
	if (r == FILE_READ_NOMEM || r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_IO, "%s: read error", path);
	return ST_OK;
}

void corpus_release(struct corpus *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->src[i]); /* tgt[i] lives in the same allocation */
	free(c->src);
	free(c->tgt);
	c->n = 0;
	c->src = c->tgt = NULL;
}

enum status corpus_load(struct corpus *c, const char *path, struct err *e)
{
	c->n = 0;
	c->src = c->tgt = NULL;
	char *buf = NULL;
	size_t len = 0;
	enum status st = read_all(path, &buf, &len, e);
	if (st)
		return st;
	size_t pos = 0, line = 0, cap = 0;
	if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
		pos = 3;
	while (pos < len && !st) {
		line++;
		const char *s = buf + pos;
		const char *nl = memchr(s, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - s) : len - pos;
		pos += ll + (nl ? 1 : 0);
		if (ll && s[ll - 1] == '\r')
			ll--;
		if (ll == 0) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: empty line", path, line);
			break;
		}
		size_t bad = utf8_invalid_at(s, ll);
		if (bad < ll) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: invalid UTF-8 at byte %zu", path, line, bad + 1);
			break;
		}
		if (memchr(s, 0, ll)) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: NUL byte", path, line);
			break;
		}
		size_t tabs = 0, tab = 0;
		for (size_t i = 0; i < ll; i++)
			if (s[i] == '\t') {
				tabs++;
				tab = i;
			}
		if (tabs != 1) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: expected exactly one TAB between source and target, found %zu",
				     path, line, tabs);
			break;
		}
		if (tab == 0 || tab == ll - 1) {
			st = err_set(e, ST_BADINPUT, "%s:%zu: empty %s side", path, line, tab == 0 ? "source" : "target");
			break;
		}
		if (c->n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			char **a = realloc(c->src, nc * sizeof *a);
			if (a)
				c->src = a;
			char **b = a ? realloc(c->tgt, nc * sizeof *b) : NULL;
			if (b)
				c->tgt = b;
			if (!a || !b) {
				st = err_set(e, ST_NOMEM, "%s: out of memory", path);
				break;
			}
			cap = nc;
		}
		char *mem = malloc(ll + 1);
		if (!mem) {
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
			break;
		}
		memcpy(mem, s, ll);
		mem[tab] = 0;
		mem[ll] = 0;
		c->src[c->n] = mem;
		c->tgt[c->n] = mem + tab + 1;
		c->n++;
	}
	free(buf);
	if (!st && c->n == 0)
		st = err_set(e, ST_BADINPUT, "%s: no sentence pairs", path);
	if (st)
		corpus_release(c);
	return st;
}

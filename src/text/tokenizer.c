/* Vocabularies and tokenizers; the splitting rules are described in
 * tokenizer.h. Sections: UTF-8 and character classes, string index,
 * files, vocabulary, splitting, BPE merge table, encoding, decoding,
 * training (vocab_build, bpe_learn). */
#include "text/tokenizer.h"
#include "base/atomicfile.h"
#include "base/fileio.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const specials[4] = {"<pad>", "<unk>", "<bos>", "<eos>"};

/* ---- UTF-8 and character classes ---- */

/* Decodes the code point at s[*pos] (s has n bytes) and advances *pos;
 * 0 when the bytes there are not UTF-8 (overlong forms, surrogates and
 * values past U+10FFFF are not). */
static int utf8_next(const char *s, size_t n, size_t *pos, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s + *pos;
	size_t left = n - *pos;
	uint32_t c = p[0], min;
	size_t len;
	if (c < 0x80) {
		*cp = c;
		*pos += 1;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (left < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	*pos += len;
	return 1;
}

/* Offset of the first byte that is not valid UTF-8, or n when all are. */
static size_t utf8_check(const char *s, size_t n)
{
	size_t pos = 0;
	uint32_t c;
	while (pos < n)
		if (!utf8_next(s, n, &pos, &c))
			return pos;
	return n;
}

static size_t utf8_put(char *out, uint32_t c)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

/* Simple case folding for the scripts teachers use most. Never lengthens
 * the UTF-8 encoding (İ -> i shortens it), so lowercasing fits in place. */
static uint32_t cp_lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c < 0xC0)
		return c;
	if (c <= 0xDE)
		return c == 0xD7 ? c : c + 32; /* × is not a letter */
	if (c >= 0x100 && c <= 0x137)
		return c == 0x130 ? 'i' : (c | 1); /* pairs: even upper, odd lower */
	if (c >= 0x139 && c <= 0x148)
		return (c & 1) ? c + 1 : c;        /* pairs: odd upper */
	if (c >= 0x14A && c <= 0x177)
		return c | 1;
	if (c == 0x178)
		return 0xFF;                       /* Ÿ -> ÿ */
	if (c >= 0x179 && c <= 0x17E)
		return (c & 1) ? c + 1 : c;
	if (c == 0x386)
		return 0x3AC;
	if (c >= 0x388 && c <= 0x38A)
		return c + 37;
	if (c == 0x38C)
		return 0x3CC;
	if (c == 0x38E || c == 0x38F)
		return c + 63;
	if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2)
		return c + 32;
	if (c >= 0x400 && c <= 0x40F)
		return c + 80;
	if (c >= 0x410 && c <= 0x42F)
		return c + 32;
	return c;
}

/* Separators: White_Space, plus controls, ZWSP and BOM, which are invisible
 * and would otherwise become baffling tokens. */
static int cp_space(uint32_t c)
{
	if (c <= 0x20 || (c >= 0x7F && c <= 0xA0))
		return 1;
	switch (c) {
	case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F:
	case 0x3000: case 0xFEFF:
		return 1;
	}
	return c >= 0x2000 && c <= 0x200B;
}

/* CJK and full-width punctuation: written without spaces on either side. */
static int cp_cjk_punct(uint32_t c)
{
	return (c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
	       (c >= 0x3014 && c <= 0x301F) || c == 0x3030 || c == 0x303D || c == 0x30FB ||
	       (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6B) ||
	       (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	       (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65);
}

static int cp_punct(uint32_t c)
{
	if (c < 0x80)
		return (c >= 0x21 && c <= 0x2F) || (c >= 0x3A && c <= 0x40) ||
		       (c >= 0x5B && c <= 0x60) || (c >= 0x7B && c <= 0x7E);
	if (c < 0x100) /* Latin-1 punctuation and symbols, not ª º µ ² ¼ */
		return (c >= 0xA1 && c <= 0xA9) || (c >= 0xAB && c <= 0xB1) || c == 0xB4 ||
		       (c >= 0xB6 && c <= 0xB8) || c == 0xBB || c == 0xBF || c == 0xD7 ||
		       c == 0xF7;
	if ((c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E))
		return 1;
	return cp_cjk_punct(c);
}

static int cp_wordy(uint32_t c)
{
	return !cp_space(c) && !cp_punct(c);
}

/* The code point at pos of validated text; a space past the end, so
 * lookahead needs no bounds checks. */
static uint32_t cp_at(const char *s, size_t n, size_t pos, size_t *next)
{
	uint32_t c = ' ';
	*next = pos;
	if (pos >= n || !utf8_next(s, n, next, &c)) {
		*next = pos < n ? pos + 1 : n;
		return ' ';
	}
	return c;
}

/* A copy of s (n bytes, valid UTF-8), lowercased when asked; *m gets its length. */
static char *text_copy(const char *s, size_t n, int lowercase, size_t *m)
{
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	if (!lowercase) {
		memcpy(out, s, n);
		*m = n;
	} else {
		size_t pos = 0, o = 0, next;
		while (pos < n) {
			uint32_t c = cp_at(s, n, pos, &next);
			o += utf8_put(out + o, cp_lower(c));
			pos = next;
		}
		*m = o;
	}
	out[*m] = 0;
	return out;
}

/* Up to ~40 bytes of a token for messages, cut on a code point boundary. */
static const char *shorten(char buf[64], const char *s, size_t n)
{
	if (n <= 40) {
		memcpy(buf, s, n);
		buf[n] = 0;
		return buf;
	}
	size_t cut = 40;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(buf, s, cut);
	memcpy(buf + cut, "...", 4);
	return buf;
}

/* ---- string index: open addressing over an array of strings ---- */

static size_t hash_bytes(size_t h, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * (size_t)1099511628211u;
	return h;
}

#define HASH_SEED ((size_t)1469598103934665603u)

/* Index of key (len bytes) in strs, or -1; *empty gets the free slot where it
 * would go. slots hold index + 1, 0 = empty. */
static int slots_find(const int *slots, size_t nslots, char *const *strs, const char *key,
		      size_t len, size_t *empty)
{
	if (!nslots)
		return -1;
	size_t i = hash_bytes(HASH_SEED, key, len) & (nslots - 1);
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

/* Makes room for entry n + 1 (load at most 1/2), rehashing; 0 on OOM. */
static int slots_reserve(int **slots, size_t *nslots, char *const *strs, int n)
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
		size_t j = hash_bytes(HASH_SEED, strs[i], strlen(strs[i])) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = i + 1;
	}
	free(*slots);
	*slots = s;
	*nslots = ns;
	return 1;
}

/* Interned strings with a count each (training). */
struct strtab {
	char **s;        /* (n) owned */
	int64_t *count;  /* (n) */
	int n, cap;
	int *slots;      /* (nslots) index + 1 */
	size_t nslots;
};

static void strtab_release(struct strtab *t)
{
	for (int i = 0; i < t->n; i++)
		free(t->s[i]);
	free(t->s);
	free(t->count);
	free(t->slots);
	memset(t, 0, sizeof *t);
}

/* Index of key, added with count 0 when new; -1 on OOM or when full. */
static int strtab_add(struct strtab *t, const char *key, size_t len)
{
	if (t->n == INT_MAX - 1 || !slots_reserve(&t->slots, &t->nslots, t->s, t->n))
		return -1;
	size_t where = 0;
	int i = slots_find(t->slots, t->nslots, t->s, key, len, &where);
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

/* ---- files ---- */

/* Reads a whole input file, at most TOK_MAX_FILE bytes; *buf is
 * NUL-terminated and malloc'd. */
static enum status file_read(const char *path, char **buf, size_t *len, struct err *e)
{
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_BADINPUT, "%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return err_set(e, ST_BADINPUT, "%s: is a directory, not a file", path);
	}
	int err;
	enum file_read r = file_read_limited(f, TOK_MAX_FILE, buf, len, &err);
	fclose(f);
	if (r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_BADINPUT, "%s: file too large (more than %d MiB)", path,
			       TOK_MAX_FILE >> 20);
	if (r == FILE_READ_NOMEM)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_IO, "%s: cannot read: %s", path, strerror(err));
	return ST_OK;
}

/* Lines of a file buffer: '\n' separated, an optional final '\n', a '\r'
 * before '\n' dropped, a UTF-8 BOM skipped. */
struct lines {
	const char *buf;
	size_t len, pos;
	int no;          /* 1-based number of the current line */
};

static void lines_init(struct lines *l, const char *buf, size_t len)
{
	l->buf = buf;
	l->len = len;
	l->pos = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	l->no = 0;
}

static int lines_next(struct lines *l, size_t *start, size_t *n)
{
	if (l->pos >= l->len)
		return 0;
	size_t s = l->pos;
	const char *nl = memchr(l->buf + s, '\n', l->len - s);
	size_t end = nl ? (size_t)(nl - l->buf) : l->len;
	l->pos = nl ? end + 1 : l->len;
	if (end > s && l->buf[end - 1] == '\r')
		end--;
	l->no++;
	*start = s;
	*n = end - s;
	return 1;
}

/* Checks one token or merge symbol; at is "PATH: line N" or "token N" and
 * base the offset of s in its file, for the byte position. */
static enum status token_check(const char *s, size_t n, size_t base, const char *at,
			       struct err *e)
{
	if (n == 0)
		return err_set(e, ST_BADINPUT, "%s is empty", at);
	if (n > TOK_MAX_TOKEN)
		return err_set(e, ST_BADINPUT, "%s is too long (%zu bytes, at most %d)", at, n,
			       TOK_MAX_TOKEN);
	size_t bad = utf8_check(s, n);
	if (bad < n)
		return err_set(e, ST_BADINPUT, "%s: invalid UTF-8 at byte %zu", at, base + bad);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			return err_set(e, ST_BADINPUT, "%s: control character 0x%02x at byte %zu",
				       at, c, base + i);
	}
	/* The tokenizers never produce such tokens, so they are typos. */
	if (s[0] == ' ' || s[n - 1] == ' ') {
		char sh[64];
		return err_set(e, ST_BADINPUT, "%s: token \"%s\" has a leading or trailing space",
			       at, shorten(sh, s, n));
	}
	return ST_OK;
}

/* ---- vocabulary ---- */

void vocab_release(struct vocab *v)
{
	if (!v)
		return;
	for (int i = 0; i < v->n; i++)
		free(v->tokens[i]);
	free(v->tokens);
	free(v->slots);
	memset(v, 0, sizeof *v);
	v->pad = v->unk = v->bos = v->eos = -1;
}

static int vocab_find(const struct vocab *v, const char *tok, size_t len)
{
	return slots_find(v->slots, v->nslots, v->tokens, tok, len, NULL);
}

int vocab_id(const struct vocab *v, const char *tok)
{
	if (!v || !tok)
		return -1;
	return vocab_find(v, tok, strlen(tok));
}

const char *vocab_token(const struct vocab *v, int id)
{
	if (!v || id < 0 || id >= v->n)
		return "<?>";
	return v->tokens[id];
}

/* Appends a checked token; from_file picks "line N" (1-based) or "id N"
 * wording for the duplicate's first place. */
static enum status vocab_push(struct vocab *v, int *cap, const char *tok, size_t len,
			      size_t base, const char *at, int from_file, struct err *e)
{
	enum status st = token_check(tok, len, base, at, e);
	if (st)
		return st;
	if (v->n >= CFG_MAX_VOCAB)
		return err_set(e, ST_BADINPUT, "%s: too many tokens (at most %d)", at,
			       CFG_MAX_VOCAB);
	if (!slots_reserve(&v->slots, &v->nslots, v->tokens, v->n))
		return err_set(e, ST_NOMEM, "%s: out of memory", at);
	size_t where = 0;
	int dup = slots_find(v->slots, v->nslots, v->tokens, tok, len, &where);
	if (dup >= 0) {
		char sh[64];
		return err_set(e, ST_BADINPUT, "%s: duplicate token \"%s\" (first %s %d)", at,
			       shorten(sh, tok, len), from_file ? "on line" : "at id",
			       from_file ? dup + 1 : dup);
	}
	if (v->n == *cap) {
		int ncap = *cap ? *cap * 2 : 64;
		char **t = realloc(v->tokens, (size_t)ncap * sizeof *t);
		if (!t)
			return err_set(e, ST_NOMEM, "%s: out of memory", at);
		v->tokens = t;
		*cap = ncap;
	}
	char *copy = malloc(len + 1);
	if (!copy)
		return err_set(e, ST_NOMEM, "%s: out of memory", at);
	memcpy(copy, tok, len);
	copy[len] = 0;
	v->tokens[v->n] = copy;
	v->slots[where] = v->n + 1;
	v->n++;
	return ST_OK;
}

/* Finds the four specials; name prefixes the message. */
static enum status vocab_finish(struct vocab *v, const char *name, struct err *e)
{
	int *ids[4] = {&v->pad, &v->unk, &v->bos, &v->eos};
	char missing[64] = "";
	for (int i = 0; i < 4; i++) {
		*ids[i] = vocab_id(v, specials[i]);
		if (*ids[i] < 0) {
			strcat(missing, " ");
			strcat(missing, specials[i]);
		}
	}
	if (missing[0])
		return err_set(e, ST_BADINPUT,
			       "%s: missing%s (a vocabulary needs <pad> <unk> <bos> <eos>)", name,
			       missing);
	return ST_OK;
}

enum status vocab_load(struct vocab *v, const char *path, struct err *e)
{
	memset(v, 0, sizeof *v);
	vocab_release(v);
	char *buf;
	size_t len;
	enum status st = file_read(path, &buf, &len, e);
	if (st)
		return st;
	struct lines l;
	lines_init(&l, buf, len);
	size_t start, n;
	int cap = 0;
	char at[448]; /* messages hold 512 bytes: long paths are cut */
	while (lines_next(&l, &start, &n)) {
		snprintf(at, sizeof at, "%.400s: line %d", path, l.no);
		st = vocab_push(v, &cap, buf + start, n, start, at, 1, e);
		if (st)
			break;
	}
	free(buf);
	if (!st)
		st = vocab_finish(v, path, e);
	if (st)
		vocab_release(v);
	return st;
}

enum status vocab_from_tokens(struct vocab *v, const char *const *tokens, int n, struct err *e)
{
	memset(v, 0, sizeof *v);
	vocab_release(v);
	if (n < 0 || (n > 0 && !tokens))
		return err_set(e, ST_BADINPUT, "vocabulary: bad token list");
	enum status st = ST_OK;
	int cap = 0;
	char at[64];
	for (int i = 0; i < n && !st; i++) {
		snprintf(at, sizeof at, "vocabulary: token %d", i);
		if (!tokens[i])
			st = err_set(e, ST_BADINPUT, "%s is missing", at);
		else
			st = vocab_push(v, &cap, tokens[i], strlen(tokens[i]), 0, at, 0, e);
	}
	if (!st)
		st = vocab_finish(v, "vocabulary", e);
	if (st)
		vocab_release(v);
	return st;
}

enum status vocab_save(const struct vocab *v, const char *path, struct err *e)
{
	/* Atomic, so a model folder never holds half a vocabulary. */
	struct atomic_file af;
	enum status st = atomic_open(&af, path, 1, e);
	if (st)
		return st;
	for (int i = 0; i < v->n; i++) {
		fputs(v->tokens[i], af.f);
		fputc('\n', af.f);
	}
	return atomic_commit(&af, e);
}

/* ---- splitting ---- */

/* Receives one unit (len bytes, not NUL-terminated); nonzero stops (OOM). */
typedef int (*unit_fn)(void *ctx, const char *unit, size_t len);

static int ascii_digit(uint32_t c)
{
	return c >= '0' && c <= '9';
}

static int apostrophe(uint32_t c)
{
	return c == '\'' || c == 0x2019;
}

/* English clitics after an apostrophe: "don't" "it's" "I'm" "I'd" "we're"
 * "I've" "we'll" stay whole words. */
static int clitic(const char *s, size_t n)
{
	static const char *const list[] = {"s", "t", "m", "d", "re", "ve", "ll"};
	for (size_t i = 0; i < sizeof list / sizeof *list; i++) {
		size_t k = strlen(list[i]), j;
		if (k != n)
			continue;
		for (j = 0; j < n; j++)
			if ((s[j] | 0x20) != list[i][j])
				break;
		if (j == n)
			return 1;
	}
	return 0;
}

/* End of the run of word characters starting at pos. */
static size_t word_run_end(const char *s, size_t n, size_t pos)
{
	size_t next;
	while (pos < n && cp_wordy(cp_at(s, n, pos, &next)))
		pos = next;
	return pos;
}

/* Word-level units of validated text (rules in tokenizer.h). */
static int split_words(const char *s, size_t n, unit_fn fn, void *ctx)
{
	size_t pos = 0, next;
	while (pos < n) {
		uint32_t c = cp_at(s, n, pos, &next);
		if (cp_space(c)) {
			pos = next;
			continue;
		}
		if (cp_punct(c)) {
			if (fn(ctx, s + pos, next - pos))
				return 1;
			pos = next;
			continue;
		}
		size_t start = pos;
		uint32_t prev = 0;
		while (pos < n) {
			c = cp_at(s, n, pos, &next);
			if (cp_space(c))
				break;
			if (cp_punct(c)) {
				size_t after;
				uint32_t d = cp_at(s, n, next, &after);
				if ((c == '.' || c == ',') && ascii_digit(prev) && ascii_digit(d)) {
					/* a number like 3.14 or 1,000 */
				} else if (apostrophe(c) && cp_wordy(d)) {
					size_t end = word_run_end(s, n, next);
					if (!clitic(s + next, end - next)) {
						/* elision: "l'" ends here, "homme" follows */
						if (fn(ctx, s + start, next - start))
							return 1;
						start = next;
					}
				} else {
					break;
				}
			}
			prev = c;
			pos = next;
		}
		if (fn(ctx, s + start, pos - start))
			return 1;
	}
	return 0;
}

/* Character-level units; spaces: report "▁" for a gap between characters. */
static int split_chars(const char *s, size_t n, int spaces, unit_fn fn, void *ctx)
{
	size_t pos = 0, next;
	int gap = 0, any = 0;
	while (pos < n) {
		uint32_t c = cp_at(s, n, pos, &next);
		if (cp_space(c)) {
			gap = 1;
		} else {
			if (gap && any && spaces && fn(ctx, TOK_SPACE, strlen(TOK_SPACE)))
				return 1;
			if (fn(ctx, s + pos, next - pos))
				return 1;
			gap = 0;
			any = 1;
		}
		pos = next;
	}
	return 0;
}

struct initial_ctx {
	unit_fn fn;
	void *ctx;
};

/* A word's BPE initial symbols: its code points, "</w>" on the last. */
static int bpe_initial(void *ctx, const char *w, size_t n)
{
	struct initial_ctx *ic = ctx;
	size_t pos = 0, next;
	while (pos < n) {
		cp_at(w, n, pos, &next);
		if (next < n) {
			if (ic->fn(ic->ctx, w + pos, next - pos))
				return 1;
		} else {
			char last[16];
			memcpy(last, w + pos, next - pos);
			memcpy(last + (next - pos), TOK_EOW, strlen(TOK_EOW));
			if (ic->fn(ic->ctx, last, next - pos + strlen(TOK_EOW)))
				return 1;
		}
		pos = next;
	}
	return 0;
}

/* The units of `kind` in validated, normalised text. */
static int split_units(enum tok_kind kind, int spaces, const char *s, size_t n, unit_fn fn,
		       void *ctx)
{
	switch (kind) {
	case TOK_CHAR:
		return split_chars(s, n, spaces, fn, ctx);
	case TOK_BPE: {
		struct initial_ctx ic = {fn, ctx};
		return split_words(s, n, bpe_initial, &ic);
	}
	case TOK_WORD:
	default:
		return split_words(s, n, fn, ctx);
	}
}

/* Validates and lowercases text, then calls fn per unit (BPE: per word when
 * words is set, else per initial symbol). */
static enum status split_text(enum tok_kind kind, int lowercase, int spaces, int words,
			      const char *text, unit_fn fn, void *ctx, struct err *e)
{
	if (kind != TOK_WORD && kind != TOK_CHAR && kind != TOK_BPE)
		return err_set(e, ST_USAGE, "unknown tokenizer kind %d", (int)kind);
	size_t n = strlen(text), m;
	size_t bad = utf8_check(text, n);
	if (bad < n)
		return err_set(e, ST_BADINPUT, "invalid UTF-8 at byte %zu", bad);
	char *s = text_copy(text, n, lowercase, &m);
	if (!s)
		return err_set(e, ST_NOMEM, "out of memory while tokenizing");
	int stop = (kind == TOK_BPE && words) ? split_words(s, m, fn, ctx)
					      : split_units(kind, spaces, s, m, fn, ctx);
	free(s);
	if (stop)
		return err_set(e, ST_NOMEM, "out of memory while tokenizing");
	return ST_OK;
}

struct public_split {
	void (*fn)(const char *unit, void *ctx);
	void *ctx;
	char *buf;      /* scratch for the NUL-terminated unit */
	size_t cap;
};

static int public_unit(void *ctx, const char *u, size_t n)
{
	struct public_split *p = ctx;
	if (n + 1 > p->cap) {
		char *b = realloc(p->buf, n + 1);
		if (!b)
			return 1;
		p->buf = b;
		p->cap = n + 1;
	}
	memcpy(p->buf, u, n);
	p->buf[n] = 0;
	p->fn(p->buf, p->ctx);
	return 0;
}

enum status tokenizer_split(enum tok_kind kind, int lowercase, const char *text,
			    void (*fn)(const char *unit, void *ctx), void *ctx, struct err *e)
{
	struct public_split p = {fn, ctx, NULL, 0};
	enum status st = split_text(kind, lowercase, 1, 0, text, public_unit, &p, e);
	free(p.buf);
	return st;
}

/* ---- BPE merge table ---- */

static size_t pair_hash(const char *a, size_t alen, const char *b, size_t blen)
{
	return hash_bytes(hash_bytes(hash_bytes(HASH_SEED, a, alen), " ", 1), b, blen);
}

static int same(const char *str, const char *s, size_t n)
{
	return strncmp(str, s, n) == 0 && str[n] == 0;
}

/* Rank of the merge (a, b), or -1; *empty gets the free slot. */
static int merge_find(const struct tokenizer *t, const char *a, size_t alen, const char *b,
		      size_t blen, size_t *empty)
{
	if (!t->merge_nslots)
		return -1;
	size_t mask = t->merge_nslots - 1, i = pair_hash(a, alen, b, blen) & mask;
	for (;;) {
		int s = t->merge_slots[i];
		if (!s) {
			if (empty)
				*empty = i;
			return -1;
		}
		if (same(t->merge_left[s - 1], a, alen) && same(t->merge_right[s - 1], b, blen))
			return s - 1;
		i = (i + 1) & mask;
	}
}

static enum status merges_load(struct tokenizer *t, const char *path, struct err *e)
{
	char *buf;
	size_t len;
	enum status st = file_read(path, &buf, &len, e);
	if (st)
		return st;
	/* One pass to count lines sizes the table, so it is never rehashed. */
	size_t lines_n = 1;
	for (size_t i = 0; i < len; i++)
		lines_n += buf[i] == '\n';
	if (lines_n > (size_t)CFG_MAX_VOCAB + 2) {
		free(buf);
		return err_set(e, ST_BADINPUT, "%s: too many merges (at most %d)", path,
			       CFG_MAX_VOCAB);
	}
	size_t ns = 16;
	while (ns < lines_n * 2)
		ns *= 2;
	t->merge_left = calloc(lines_n, sizeof *t->merge_left);
	t->merge_right = calloc(lines_n, sizeof *t->merge_right);
	t->merge_slots = calloc(ns, sizeof *t->merge_slots);
	if (!t->merge_left || !t->merge_right || !t->merge_slots) {
		free(buf);
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	}
	t->merge_nslots = ns;
	int header = 0; /* lines before the first merge, for line numbers */
	struct lines l;
	lines_init(&l, buf, len);
	size_t start, n;
	char at[448]; /* messages hold 512 bytes: long paths are cut */
	while (lines_next(&l, &start, &n)) {
		const char *s = buf + start;
		if (l.no == 1 && n >= 8 && memcmp(s, "#version", 8) == 0) {
			header = 1;
			continue;
		}
		snprintf(at, sizeof at, "%.400s: line %d", path, l.no);
		if (n == 0) {
			st = err_set(e, ST_BADINPUT, "%s is empty", at);
			break;
		}
		const char *sp = memchr(s, ' ', n);
		size_t alen = sp ? (size_t)(sp - s) : n, blen = sp ? n - alen - 1 : 0;
		if (!sp || alen == 0 || blen == 0 || memchr(sp + 1, ' ', blen)) {
			size_t bad = utf8_check(s, n);
			if (bad < n)
				st = err_set(e, ST_BADINPUT, "%s: invalid UTF-8 at byte %zu", at,
					     start + bad);
			else
				st = err_set(e, ST_BADINPUT,
					     "%s: expected \"left right\" (two symbols and one space)",
					     at);
			break;
		}
		if ((st = token_check(s, alen, start, at, e)) ||
		    (st = token_check(sp + 1, blen, start + alen + 1, at, e)))
			break;
		size_t where = 0;
		int dup = merge_find(t, s, alen, sp + 1, blen, &where);
		if (dup >= 0) {
			char sh[64];
			st = err_set(e, ST_BADINPUT, "%s: duplicate merge \"%s\" (first on line %d)",
				     at, shorten(sh, s, n), dup + 1 + header);
			break;
		}
		char *a = malloc(alen + 1), *b = malloc(blen + 1);
		if (!a || !b) {
			free(a);
			free(b);
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
			break;
		}
		memcpy(a, s, alen);
		a[alen] = 0;
		memcpy(b, sp + 1, blen);
		b[blen] = 0;
		t->merge_left[t->n_merges] = a;
		t->merge_right[t->n_merges] = b;
		t->merge_slots[where] = ++t->n_merges;
	}
	free(buf);
	return st;
}

void tokenizer_release(struct tokenizer *t)
{
	if (!t)
		return;
	for (int i = 0; i < t->n_merges; i++) {
		free(t->merge_left[i]);
		free(t->merge_right[i]);
	}
	free(t->merge_left);
	free(t->merge_right);
	free(t->merge_slots);
	memset(t, 0, sizeof *t);
	t->space_id = -1;
}

enum status tokenizer_init(struct tokenizer *t, const struct tok_config *cfg,
			   const struct vocab *v, const char *model_dir, struct err *e)
{
	memset(t, 0, sizeof *t);
	t->space_id = -1;
	if (!cfg || !v || v->n <= 0)
		return err_set(e, ST_BADINPUT, "tokenizer: no vocabulary");
	if (cfg->kind != TOK_WORD && cfg->kind != TOK_CHAR && cfg->kind != TOK_BPE)
		return err_set(e, ST_BADINPUT, "%s: unknown tokenizer kind %d", cfg->vocab,
			       (int)cfg->kind);
	t->kind = cfg->kind;
	t->lowercase = cfg->lowercase;
	t->vocab = v;
	if (t->kind == TOK_CHAR)
		t->space_id = vocab_id(v, TOK_SPACE);
	if (t->kind != TOK_BPE)
		return ST_OK;
	if (!cfg->merges[0])
		return err_set(e, ST_BADINPUT,
			       "%s: a BPE tokenizer needs a merges file (\"merges\" in config.json)",
			       cfg->vocab);
	char path[4096];
	int w = model_dir && model_dir[0] && cfg->merges[0] != '/'
			? snprintf(path, sizeof path, "%s/%s", model_dir, cfg->merges)
			: snprintf(path, sizeof path, "%s", cfg->merges);
	if (w < 0 || (size_t)w >= sizeof path)
		return err_set(e, ST_BADINPUT, "%s: path too long", cfg->merges);
	enum status st = merges_load(t, path, e);
	if (st)
		tokenizer_release(t);
	return st;
}

/* ---- encoding ---- */

void encoding_release(struct encoding *enc)
{
	if (!enc)
		return;
	for (int i = 0; i < enc->n; i++)
		free(enc->pieces[i]);
	for (int i = 0; i < enc->n_unknown; i++)
		free(enc->unknown[i]);
	for (int i = 0; i < enc->n_merges; i++) {
		free(enc->merges[i].left);
		free(enc->merges[i].right);
	}
	free(enc->ids);
	free(enc->pieces);
	free(enc->unknown);
	free(enc->merges);
	memset(enc, 0, sizeof *enc);
}

struct enc_ctx {
	const struct tokenizer *t;
	struct encoding *out;
	int cap, ucap, mcap;  /* capacities of ids/pieces, unknown, merges */
};

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s, n);
		p[n] = 0;
	}
	return p;
}

/* Grows *arr (elements of size sz) to hold n + 1; 0 on OOM. */
static int grow(void **arr, int *cap, int n, size_t sz)
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

/* Appends a token: id from the vocabulary, or <unk> with the unit (without
 * shown_len's tail, e.g. "</w>") listed as unknown. */
static int enc_push(struct enc_ctx *c, const char *u, size_t n, size_t shown_len)
{
	struct encoding *o = c->out;
	if (o->n == c->cap) {
		if (c->cap > INT_MAX / 2)
			return 1;
		int cap = c->cap ? c->cap * 2 : 16;
		int *ids = realloc(o->ids, (size_t)cap * sizeof *ids);
		if (!ids)
			return 1;
		o->ids = ids;
		char **pieces = realloc(o->pieces, (size_t)cap * sizeof *pieces);
		if (!pieces)
			return 1;
		o->pieces = pieces;
		c->cap = cap;
	}
	int id = vocab_find(c->t->vocab, u, n);
	char *piece = dup_n(u, n);
	if (!piece)
		return 1;
	if (id < 0) {
		void *unk = o->unknown;
		int g = grow(&unk, &c->ucap, o->n_unknown, sizeof *o->unknown);
		o->unknown = unk;
		char *word = g ? dup_n(u, shown_len) : NULL;
		if (!word) {
			free(piece);
			return 1;
		}
		o->unknown[o->n_unknown++] = word;
		id = c->t->vocab->unk;
	}
	o->ids[o->n] = id;
	o->pieces[o->n++] = piece;
	return 0;
}

static int enc_unit(void *ctx, const char *u, size_t n)
{
	return enc_push(ctx, u, n, n);
}

static int enc_merge(struct enc_ctx *c, int rank, const char *a, size_t alen, const char *b,
		     size_t blen)
{
	struct encoding *o = c->out;
	void *m = o->merges;
	int g = grow(&m, &c->mcap, o->n_merges, sizeof *o->merges);
	o->merges = m;
	if (!g)
		return 1;
	char *l = dup_n(a, alen), *r = dup_n(b, blen);
	if (!l || !r) {
		free(l);
		free(r);
		return 1;
	}
	o->merges[o->n_merges++] = (struct bpe_merge_rec){rank, l, r};
	return 0;
}

struct sym {
	size_t off, len; /* a byte range of the word + "</w>" */
};

/* Rank of merging symbols i and i + 1, or INT_MAX. */
static int sym_rank(const struct tokenizer *t, const char *w, const struct sym *s, int i)
{
	int r = merge_find(t, w + s[i].off, s[i].len, w + s[i + 1].off, s[i + 1].len, NULL);
	return r < 0 ? INT_MAX : r;
}

/* Applies the merges to one word and appends its symbols. Merged symbols
 * stay contiguous byte ranges of "word</w>", so no strings are built. */
static int enc_bpe_word(void *ctx, const char *word, size_t wn)
{
	struct enc_ctx *c = ctx;
	const struct tokenizer *t = c->t;
	size_t eow = strlen(TOK_EOW), wlen = wn + eow;
	char *w = malloc(wlen + 1);
	struct sym *s = malloc((wn + 1) * sizeof *s);
	int *rank = malloc((wn + 1) * sizeof *rank);
	int fail = !w || !s || !rank;
	if (fail)
		goto out;
	memcpy(w, word, wn);
	memcpy(w + wn, TOK_EOW, eow + 1);
	int n = 0;
	size_t pos = 0, next;
	while (pos < wn) {
		cp_at(w, wn, pos, &next);
		s[n++] = (struct sym){pos, next - pos};
		pos = next;
	}
	if (n > 0) /* words are never empty, but keep the index in range */
		s[n - 1].len += eow;
	for (int i = 0; i + 1 < n; i++)
		rank[i] = sym_rank(t, w, s, i);
	for (;;) {
		int best = -1;
		for (int i = 0; i + 1 < n; i++)
			if (rank[i] != INT_MAX && (best < 0 || rank[i] < rank[best]))
				best = i;
		if (best < 0)
			break;
		if ((fail = enc_merge(c, rank[best], w + s[best].off, s[best].len,
				      w + s[best + 1].off, s[best + 1].len)))
			goto out;
		/* pair best and best + 1 become one symbol; pair entry best + 1 goes */
		s[best].len += s[best + 1].len;
		memmove(&s[best + 1], &s[best + 2], (size_t)(n - best - 2) * sizeof *s);
		if (best + 2 <= n - 2)
			memmove(&rank[best + 1], &rank[best + 2],
				(size_t)(n - 3 - best) * sizeof *rank);
		n--;
		if (best > 0)
			rank[best - 1] = sym_rank(t, w, s, best - 1);
		if (best + 1 < n)
			rank[best] = sym_rank(t, w, s, best);
	}
	for (int i = 0; i < n && !fail; i++) {
		size_t shown = s[i].len;
		if (i == n - 1)
			shown -= eow;
		fail = enc_push(c, w + s[i].off, s[i].len, shown);
	}
out:
	free(w);
	free(s);
	free(rank);
	return fail;
}

enum status tokenizer_encode(const struct tokenizer *t, const char *text, struct encoding *out,
			     struct err *e)
{
	memset(out, 0, sizeof *out);
	if (!t || !t->vocab)
		return err_set(e, ST_BADINPUT, "tokenizer not initialised");
	if (!text)
		text = "";
	size_t n = strlen(text);
	if (n > TOK_MAX_TEXT)
		return err_set(e, ST_BADINPUT, "sentence too long (%zu bytes, at most %d)", n,
			       TOK_MAX_TEXT);
	struct enc_ctx c = {t, out, 0, 0, 0};
	enum status st = split_text(t->kind, t->lowercase, t->space_id >= 0, 1, text,
				    t->kind == TOK_BPE ? enc_bpe_word : enc_unit, &c, e);
	if (!st && out->n == 0)
		st = err_set(e, ST_BADINPUT, "empty sentence");
	if (st)
		encoding_release(out);
	return st;
}

/* ---- decoding ---- */

struct sbuf {
	char *p;
	size_t n, cap;
	int oom;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	size_t need;
	if (!size_add(b->n, n + 1, &need)) {
		b->oom = 1;
		return;
	}
	if (need > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		while (cap < need)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

/* Returns the malloc'd string ("" when empty), or NULL after OOM. */
static char *sb_finish(struct sbuf *b)
{
	if (!b->oom && !b->p)
		sb_add(b, "", 0);
	if (b->oom) {
		free(b->p);
		return NULL;
	}
	return b->p;
}

enum { GLUE_LEFT = 1, GLUE_RIGHT = 2, GLUE_QUOTE = 4 };

/* How a word-level token attaches to its neighbours in rebuilt text. */
static int token_glue(const char *s, size_t n)
{
	size_t pos = 0;
	uint32_t c;
	if (n == 0 || !utf8_next(s, n, &pos, &c))
		return 0;
	if (pos == n) {
		switch (c) {
		case '"':
			return GLUE_QUOTE;
		case ',': case '.': case '!': case '?': case ';': case ':':
		case ')': case ']': case '}': case '%':
		case 0x2026: case 0x201D: case 0x2019: /* … ” ’ */
			return GLUE_LEFT;
		case '(': case '[': case '{': case 0xBF: case 0xA1: /* ¿ ¡ */
		case 0x201C: case 0x2018:                          /* “ ‘ */
			return GLUE_RIGHT;
		}
		return cp_cjk_punct(c) ? GLUE_LEFT | GLUE_RIGHT : 0;
	}
	/* an elided word: "l'" + "homme" -> "l'homme" */
	if (s[n - 1] == '\'' || (n >= 3 && memcmp(s + n - 3, "\xe2\x80\x99", 3) == 0))
		return GLUE_RIGHT;
	return 0;
}

static void join_words(struct sbuf *b, const char *const *w, const size_t *wl, int n)
{
	int quote_open = 0, glue_next = 1;
	for (int i = 0; i < n; i++) {
		if (wl[i] == 0)
			continue;
		int g = token_glue(w[i], wl[i]);
		int left = g & GLUE_LEFT, right = g & GLUE_RIGHT;
		if (g & GLUE_QUOTE) {
			if (quote_open)
				left = 1;
			else
				right = 1;
			quote_open = !quote_open;
		}
		if (!glue_next && !left)
			sb_add(b, " ", 1);
		sb_add(b, w[i], wl[i]);
		glue_next = right;
	}
}

static int skipped(const struct vocab *v, int id)
{
	return id == v->pad || id == v->bos || id == v->eos;
}

char *tokenizer_decode(const struct tokenizer *t, const int *ids, int n)
{
	struct sbuf out = {0};
	if (!t || !t->vocab || !ids || n <= 0)
		return sb_finish(&out);
	const struct vocab *v = t->vocab;
	if (t->kind == TOK_CHAR) {
		for (int i = 0; i < n; i++) {
			if (skipped(v, ids[i]))
				continue;
			const char *tok = vocab_token(v, ids[i]);
			if (strcmp(tok, TOK_SPACE) == 0) {
				if (out.n && out.p[out.n - 1] != ' ')
					sb_add(&out, " ", 1);
			} else {
				sb_add(&out, tok, strlen(tok));
			}
		}
		while (!out.oom && out.n && out.p[out.n - 1] == ' ')
			out.p[--out.n] = 0;
		return sb_finish(&out);
	}
	const char **w = malloc((size_t)n * sizeof *w);
	size_t *wl = malloc((size_t)n * sizeof *wl);
	size_t *off = malloc((size_t)n * sizeof *off);
	struct sbuf words = {0};
	int nw = 0;
	if (!w || !wl || !off) {
		out.oom = 1;
		goto done;
	}
	if (t->kind == TOK_WORD) {
		for (int i = 0; i < n; i++) {
			if (skipped(v, ids[i]))
				continue;
			w[nw] = vocab_token(v, ids[i]);
			wl[nw] = strlen(w[nw]);
			nw++;
		}
	} else {
		/* BPE: glue symbols; "</w>" ends a word. Offsets, not pointers,
		 * since the buffer moves as it grows. */
		size_t eow = strlen(TOK_EOW), start = 0;
		for (int i = 0; i < n; i++) {
			if (skipped(v, ids[i]))
				continue;
			const char *tok = vocab_token(v, ids[i]);
			size_t tl = strlen(tok);
			int end = tl >= eow && memcmp(tok + tl - eow, TOK_EOW, eow) == 0;
			sb_add(&words, tok, end ? tl - eow : tl);
			if (end) {
				off[nw] = start;
				wl[nw++] = words.n - start;
				start = words.n;
			}
		}
		if (words.n > start) {
			off[nw] = start;
			wl[nw++] = words.n - start;
		}
		if (words.oom) {
			out.oom = 1;
			goto done;
		}
		for (int i = 0; i < nw; i++)
			w[i] = words.p + off[i];
	}
	join_words(&out, w, wl, nw);
done:
	free(w);
	free(wl);
	free(off);
	free(words.p);
	return sb_finish(&out);
}

/* ---- training ---- */

static int count_unit(void *ctx, const char *u, size_t n)
{
	struct strtab *tab = ctx;
	int i = strtab_add(tab, u, n);
	if (i < 0)
		return 1;
	tab->count[i]++;
	return 0;
}

/* Counts the units (words when words is set) of every line into tab. */
static enum status count_lines(enum tok_kind kind, int lowercase, int words,
			       const char *const *lines, size_t n_lines, struct strtab *tab,
			       struct err *e)
{
	for (size_t i = 0; i < n_lines; i++) {
		if (!lines[i])
			continue;
		enum status st = split_text(kind, lowercase, 1, words, lines[i], count_unit, tab, e);
		if (st)
			return err_prefix(e, "line %zu", i + 1);
	}
	return ST_OK;
}

struct counted {
	const char *s;
	int64_t count;
};

static int by_count(const void *pa, const void *pb)
{
	const struct counted *a = pa, *b = pb;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	return strcmp(a->s, b->s);
}

static int by_bytes(const void *pa, const void *pb)
{
	return strcmp(*(const char *const *)pa, *(const char *const *)pb);
}

static int is_special(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, specials[i]) == 0)
			return 1;
	return 0;
}

/* Checks, then writes, the token list (specials already first). */
static enum status write_vocab(const char *const *toks, int n, const char *path, struct err *e)
{
	struct vocab v;
	enum status st = vocab_from_tokens(&v, toks, n, e);
	if (st)
		return err_prefix(e, "%s", path);
	st = vocab_save(&v, path, e);
	vocab_release(&v);
	return st;
}

enum status vocab_build(enum tok_kind kind, int lowercase, const char *const *lines,
			size_t n_lines, int min_count, const char *path, struct err *e)
{
	if (kind != TOK_WORD && kind != TOK_CHAR)
		return err_set(e, ST_USAGE, "%s: vocab_build makes word or char vocabularies; "
			       "BPE ones come from bpe_learn", path);
	struct strtab tab = {0};
	enum status st = count_lines(kind, lowercase, 0, lines, n_lines, &tab, e);
	struct counted *keep = NULL;
	const char **toks = NULL;
	if (st)
		goto out;
	keep = malloc(((size_t)tab.n + 1) * sizeof *keep);
	toks = malloc(((size_t)tab.n + 4) * sizeof *toks);
	if (!keep || !toks) {
		st = err_set(e, ST_NOMEM, "%s: out of memory", path);
		goto out;
	}
	int nk = 0;
	for (int i = 0; i < tab.n; i++)
		if (tab.count[i] >= min_count && !is_special(tab.s[i]))
			keep[nk++] = (struct counted){tab.s[i], tab.count[i]};
	qsort(keep, (size_t)nk, sizeof *keep, by_count);
	if (nk > CFG_MAX_VOCAB - 4)
		nk = CFG_MAX_VOCAB - 4; /* the rarest go: they would be <unk> anyway */
	for (int i = 0; i < 4; i++)
		toks[i] = specials[i];
	for (int i = 0; i < nk; i++)
		toks[4 + i] = keep[i].s;
	st = write_vocab(toks, nk + 4, path, e);
out:
	free(keep);
	free(toks);
	strtab_release(&tab);
	return st;
}

/* bpe_learn state: words as symbol-id sequences, and counts of adjacent
 * symbol pairs weighted by word frequency, updated word by word as merges
 * rewrite them. */
struct bword {
	int *sym;       /* (n) symbol ids */
	int n;
	int64_t freq;
};

struct pair {
	int a, b;
	int64_t count;
};

struct pairtab {
	struct pair *p; /* (n) */
	int n, cap;
	int *slots;     /* (nslots) index + 1 */
	size_t nslots;
};

static size_t pair_key_hash(int a, int b)
{
	uint64_t k = ((uint64_t)(uint32_t)a << 32) | (uint32_t)b;
	k *= 0x9E3779B97F4A7C15u;
	return (size_t)(k ^ (k >> 29));
}

static int pairtab_grow(struct pairtab *pt)
{
	size_t ns = pt->nslots ? pt->nslots * 2 : 1024;
	int *s = calloc(ns, sizeof *s);
	if (!s)
		return 0;
	for (int i = 0; i < pt->n; i++) {
		size_t j = pair_key_hash(pt->p[i].a, pt->p[i].b) & (ns - 1);
		while (s[j])
			j = (j + 1) & (ns - 1);
		s[j] = i + 1;
	}
	free(pt->slots);
	pt->slots = s;
	pt->nslots = ns;
	return 1;
}

/* Adds delta to the count of (a, b); 0 on OOM. */
static int pairtab_add(struct pairtab *pt, int a, int b, int64_t delta)
{
	if (((size_t)pt->n + 1) * 2 > pt->nslots && !pairtab_grow(pt))
		return 0;
	size_t mask = pt->nslots - 1, i = pair_key_hash(a, b) & mask;
	while (pt->slots[i]) {
		struct pair *p = &pt->p[pt->slots[i] - 1];
		if (p->a == a && p->b == b) {
			p->count += delta;
			return 1;
		}
		i = (i + 1) & mask;
	}
	void *arr = pt->p;
	if (!grow(&arr, &pt->cap, pt->n, sizeof *pt->p))
		return 0;
	pt->p = arr;
	pt->p[pt->n] = (struct pair){a, b, delta};
	pt->slots[i] = ++pt->n;
	return 1;
}

static int word_pairs(struct pairtab *pt, const struct bword *w, int64_t sign)
{
	for (int i = 0; i + 1 < w->n; i++)
		if (!pairtab_add(pt, w->sym[i], w->sym[i + 1], sign * w->freq))
			return 0;
	return 1;
}

/* Whether pair x beats pair y: higher count, then bytewise smaller. */
static int pair_better(const struct strtab *sy, const struct pair *x, const struct pair *y)
{
	if (x->count != y->count)
		return x->count > y->count;
	int c = strcmp(sy->s[x->a], sy->s[y->a]);
	if (c)
		return c < 0;
	return strcmp(sy->s[x->b], sy->s[y->b]) < 0;
}

static enum status write_merges(const struct strtab *sy, const int *ma, const int *mb, int n,
				const char *path, struct err *e)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(errno));
	for (int i = 0; i < n; i++)
		fprintf(f, "%s %s\n", sy->s[ma[i]], sy->s[mb[i]]);
	int bad = ferror(f);
	int saved = errno;
	if (fclose(f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	if (bad)
		return err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(saved));
	return ST_OK;
}

struct sym_ctx {
	struct strtab *sy;
	int *out;
	int n;
};

static int collect_sym(void *ctx, const char *u, size_t n)
{
	struct sym_ctx *c = ctx;
	int id = strtab_add(c->sy, u, n);
	if (id < 0)
		return 1;
	c->out[c->n++] = id;
	return 0;
}

enum status bpe_learn(const char *const *lines, size_t n_lines, int n_merges, int lowercase,
		      const char *merges_path, const char *vocab_path, struct err *e)
{
	if (n_merges < 0 || n_merges > CFG_MAX_VOCAB)
		return err_set(e, ST_USAGE, "BPE: merges must be between 0 and %d (got %d)",
			       CFG_MAX_VOCAB, n_merges);
	struct strtab words = {0}, sy = {0};
	struct pairtab pt = {0};
	struct bword *bw = NULL;
	int *ma = NULL, *mb = NULL, *mr = NULL, nm = 0; /* merges: left, right, result */
	char *listed = NULL, *joined = NULL;
	const char **toks = NULL;
	enum status st = count_lines(TOK_WORD, lowercase, 1, lines, n_lines, &words, e);
	if (st)
		goto out;
	bw = calloc((size_t)words.n + 1, sizeof *bw);
	ma = malloc(((size_t)n_merges + 1) * sizeof *ma);
	mb = malloc(((size_t)n_merges + 1) * sizeof *mb);
	mr = malloc(((size_t)n_merges + 1) * sizeof *mr);
	if (!bw || !ma || !mb || !mr)
		goto oom;
	int nw = words.n;
	/* Initial symbols, interned in first-seen order (deterministic). */
	for (int k = 0; k < nw; k++) {
		size_t wl = strlen(words.s[k]);
		struct sym_ctx c = {&sy, malloc((wl + 1) * sizeof(int)), 0};
		bw[k].sym = c.out;
		if (!c.out)
			goto oom;
		struct initial_ctx ic = {collect_sym, &c};
		if (bpe_initial(&ic, words.s[k], wl))
			goto oom;
		bw[k].n = c.n;
		bw[k].freq = words.count[k];
		if (!word_pairs(&pt, &bw[k], 1))
			goto oom;
	}
	int n_initial = sy.n;
	size_t cap_joined = 0;
	for (; nm < n_merges; nm++) {
		int best = -1;
		for (int i = 0; i < pt.n; i++) {
			if (pt.p[i].count < 2 || (best >= 0 && !pair_better(&sy, &pt.p[i], &pt.p[best])))
				continue;
			/* a longer symbol could not be loaded back */
			if (strlen(sy.s[pt.p[i].a]) + strlen(sy.s[pt.p[i].b]) > TOK_MAX_TOKEN)
				continue;
			best = i;
		}
		if (best < 0)
			break;
		int a = pt.p[best].a, b = pt.p[best].b;
		size_t al = strlen(sy.s[a]), bl = strlen(sy.s[b]);
		if (al + bl + 1 > cap_joined) {
			char *j = realloc(joined, al + bl + 1);
			if (!j)
				goto oom;
			joined = j;
			cap_joined = al + bl + 1;
		}
		memcpy(joined, sy.s[a], al);
		memcpy(joined + al, sy.s[b], bl);
		int ab = strtab_add(&sy, joined, al + bl);
		if (ab < 0)
			goto oom;
		ma[nm] = a;
		mb[nm] = b;
		mr[nm] = ab;
		for (int k = 0; k < nw; k++) {
			struct bword *w = &bw[k];
			int has = 0;
			for (int i = 0; i + 1 < w->n && !has; i++)
				has = w->sym[i] == a && w->sym[i + 1] == b;
			if (!has)
				continue;
			if (!word_pairs(&pt, w, -1))
				goto oom;
			int o = 0;
			for (int i = 0; i < w->n; i++) {
				if (i + 1 < w->n && w->sym[i] == a && w->sym[i + 1] == b) {
					w->sym[o++] = ab;
					i++;
				} else {
					w->sym[o++] = w->sym[i];
				}
			}
			w->n = o;
			if (!word_pairs(&pt, w, 1))
				goto oom;
		}
	}
	if ((st = write_merges(&sy, ma, mb, nm, merges_path, e)))
		goto out;
	/* Vocabulary: specials, initial symbols bytewise, merge results in
	 * merge order (each once: two merges can spell the same symbol). */
	listed = calloc((size_t)sy.n + 1, 1);
	toks = malloc(((size_t)sy.n + 4) * sizeof *toks);
	if (!listed || !toks)
		goto oom;
	int nt = 0;
	for (int i = 0; i < 4; i++)
		toks[nt++] = specials[i];
	for (int i = 0; i < n_initial; i++)
		toks[nt++] = sy.s[i];
	qsort(toks + 4, (size_t)n_initial, sizeof *toks, by_bytes);
	for (int i = 0; i < n_initial; i++)
		listed[i] = 1;
	for (int m = 0; m < nm; m++) {
		if (!listed[mr[m]]) {
			listed[mr[m]] = 1;
			toks[nt++] = sy.s[mr[m]];
		}
	}
	st = write_vocab(toks, nt, vocab_path, e);
	goto out;
oom:
	st = err_set(e, ST_NOMEM, "BPE: out of memory");
out:
	for (int i = 0; bw && i < words.n; i++)
		free(bw[i].sym);
	free(bw);
	free(ma);
	free(mb);
	free(mr);
	free(listed);
	free(joined);
	free(toks);
	free(pt.p);
	free(pt.slots);
	strtab_release(&words);
	strtab_release(&sy);
	return st;
}

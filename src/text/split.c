/* The splitting rules (text/tokenizer.h) as code (split.h). */
#include "text/split.h"
#include "text/codepoint.h"
#include "text/token.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

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
static int split_words(const char *s, size_t n, split_fn fn, void *ctx)
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
static int split_chars(const char *s, size_t n, int spaces, split_fn fn, void *ctx)
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

int split_bpe_symbols(const char *w, size_t n, split_fn fn, void *ctx)
{
	size_t pos = 0, next;
	while (pos < n) {
		cp_at(w, n, pos, &next);
		if (next < n) {
			if (fn(ctx, w + pos, next - pos))
				return 1;
		} else {
			char last[16];
			memcpy(last, w + pos, next - pos);
			memcpy(last + (next - pos), TOK_EOW, strlen(TOK_EOW));
			if (fn(ctx, last, next - pos + strlen(TOK_EOW)))
				return 1;
		}
		pos = next;
	}
	return 0;
}

struct initial_ctx {
	split_fn fn;
	void *ctx;
};

/* split_words' callback at BPE: the word's initial symbols to ic->fn. */
static int bpe_initial(void *ctx, const char *w, size_t n)
{
	struct initial_ctx *ic = ctx;
	return split_bpe_symbols(w, n, ic->fn, ic->ctx);
}

/* The units of `kind` in validated, normalised text. */
static int split_units(enum tok_kind kind, int spaces, const char *s, size_t n, split_fn fn,
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
enum status split_text(enum tok_kind kind, int lowercase, int spaces, int words,
		       const char *text, split_fn fn, void *ctx, struct err *e)
{
	if (kind != TOK_WORD && kind != TOK_CHAR && kind != TOK_BPE)
		return err_set(e, ST_USAGE, "unknown tokenizer kind %d", (int)kind);
	size_t n = strlen(text), m;
	size_t bad = utf8_invalid_at(text, n);
	if (bad < n)
		return err_set(e, ST_BADINPUT, "invalid UTF-8 at byte %zu", bad);
	char *s = utf8_copy(text, n, lowercase, &m);
	if (!s)
		return err_set(e, ST_NOMEM, "out of memory while tokenizing");
	int stop = (kind == TOK_BPE && words) ? split_words(s, m, fn, ctx)
					      : split_units(kind, spaces, s, m, fn, ctx);
	free(s);
	if (stop)
		return err_set(e, ST_NOMEM, "out of memory while tokenizing");
	return ST_OK;
}

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
enum status split_count(enum tok_kind kind, int lowercase, int words,
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

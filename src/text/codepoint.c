/* UTF-8 and the character classes of the tokenizers (codepoint.h). */
#include "text/codepoint.h"
#include "base/textwidth.h"

#include <stdlib.h>
#include <string.h>

int utf8_next(const char *s, size_t n, size_t *pos, uint32_t *cp)
{
	size_t len = utf8_decode(s + *pos, n - *pos, cp);
	*pos += len;
	return len != 0;
}

size_t utf8_invalid_at(const char *s, size_t n)
{
	size_t pos = 0;
	uint32_t c;
	while (pos < n)
		if (!utf8_next(s, n, &pos, &c))
			return pos;
	return n;
}

size_t utf8_put(char *out, uint32_t c)
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
uint32_t cp_lower(uint32_t c)
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
int cp_space(uint32_t c)
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
int cp_cjk_punct(uint32_t c)
{
	return (c >= 0x3001 && c <= 0x3003) || (c >= 0x3008 && c <= 0x3011) ||
	       (c >= 0x3014 && c <= 0x301F) || c == 0x3030 || c == 0x303D || c == 0x30FB ||
	       (c >= 0xFE10 && c <= 0xFE19) || (c >= 0xFE30 && c <= 0xFE6B) ||
	       (c >= 0xFF01 && c <= 0xFF0F) || (c >= 0xFF1A && c <= 0xFF20) ||
	       (c >= 0xFF3B && c <= 0xFF40) || (c >= 0xFF5B && c <= 0xFF65);
}

int cp_punct(uint32_t c)
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

int cp_wordy(uint32_t c)
{
	return !cp_space(c) && !cp_punct(c);
}

/* The code point at pos of validated text; a space past the end, so
 * lookahead needs no bounds checks. */
uint32_t cp_at(const char *s, size_t n, size_t pos, size_t *next)
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
char *utf8_copy(const char *s, size_t n, int lowercase, size_t *m)
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
const char *utf8_shorten(char buf[64], const char *s, size_t n)
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

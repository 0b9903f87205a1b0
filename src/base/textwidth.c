#include "base/textwidth.h"

#include <string.h>

size_t utf8_decode(const char *str, size_t n, uint32_t *cp)
{
	const unsigned char *s = (const unsigned char *)str;
	*cp = 0xFFFD;
	if (n == 0)
		return 0;
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((s[0] & 0xE0) == 0xC0) {
		len = 2, c = s[0] & 0x1F, min = 0x80;
	} else if ((s[0] & 0xF0) == 0xE0) {
		len = 3, c = s[0] & 0x0F, min = 0x800;
	} else if ((s[0] & 0xF8) == 0xF0) {
		len = 4, c = s[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

int codepoint_width(uint32_t c)
{
	if (c == 0)
		return 0;
	if (c < 0x20 || (c >= 0x7F && c < 0xA0))
		return -1;
	/* Combining marks and zero-width characters. */
	if ((c >= 0x0300 && c <= 0x036F) || (c >= 0x200B && c <= 0x200F) || c == 0xFEFF ||
	    (c >= 0xFE20 && c <= 0xFE2F))
		return 0;
	/* East Asian wide and full-width ranges. */
	if ((c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0x303E) ||
	    (c >= 0x3041 && c <= 0x33FF) || (c >= 0x3400 && c <= 0x4DBF) ||
	    (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xA000 && c <= 0xA4CF) ||
	    (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
	    (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
	    (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x1F300 && c <= 0x1F64F) ||
	    (c >= 0x1F900 && c <= 0x1F9FF) || (c >= 0x20000 && c <= 0x3FFFD))
		return 2;
	return 1;
}

int text_width(const char *s)
{
	int w = 0;
	size_t n = strlen(s);
	while (n) {
		uint32_t cp;
		size_t k = utf8_decode(s, n, &cp);
		int cw = k ? codepoint_width(cp) : 1;
		w += cw < 0 ? 1 : cw;
		k = k ? k : 1;
		s += k;
		n -= k;
	}
	return w;
}

int text_fit(char *dst, size_t cap, const char *s, int cells)
{
	size_t n = strlen(s), o = 0;
	int w = 0, total = text_width(s);
	int budget = total > cells ? cells - 1 : cells; /* room for '~' when cut */
	while (n && o + 5 < cap) {
		uint32_t cp;
		size_t k = utf8_decode(s, n, &cp);
		int cw = k ? codepoint_width(cp) : 1;
		int bad = !k || cw < 0;
		if (bad)
			cw = 1;
		if (w + cw > budget)
			break;
		if (bad) {
			dst[o++] = '?';
		} else {
			memcpy(dst + o, s, k);
			o += k;
		}
		w += cw;
		k = k ? k : 1;
		s += k;
		n -= k;
	}
	if (total > cells && o + 1 < cap && cells > 0) {
		dst[o++] = '~';
		w++;
	}
	dst[o] = 0;
	return w;
}

void text_sanitize(char *dst, size_t cap, const char *s)
{
	size_t n = strlen(s), o = 0;
	while (n && o + 5 < cap) {
		uint32_t cp;
		size_t k = utf8_decode(s, n, &cp);
		if (!k || codepoint_width(cp) < 0) {
			dst[o++] = '?';
			k = k ? k : 1;
		} else {
			memcpy(dst + o, s, k);
			o += k;
		}
		s += k;
		n -= k;
	}
	dst[o] = 0;
}

const char *text_show(char *buf, size_t n, const char *s)
{
	size_t i = 0, max = n > 4 ? n - 4 : 0;
	for (; *s && i < max; s++)
		buf[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	if (*s) {
		while (i > 0 && ((unsigned char)buf[i - 1] & 0xc0) == 0x80)
			i--;
		if (i > 0 && (unsigned char)buf[i - 1] >= 0xc0)
			i--;
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

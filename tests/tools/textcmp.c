/* textcmp EXPECTED ACTUAL: compares two text outputs the way a reader
 * would, so a golden file does not depend on the last bit of a BLAS kernel.
 *
 * Text must match exactly. A number printed with a decimal point (or an
 * exponent) matches when the two values differ by at most one unit in the
 * last printed place plus 1e-5 relative:
 *   - every value in these outputs is rounded to what is printed, so two
 *     values a hair apart can print one unit apart in the last place;
 *   - OpenBLAS kernel sets (SSE, AVX2, AVX-512) sum in different orders; on
 *     the test models their results differ by a few float ulps (measured:
 *     below 2e-7 absolute, the same size as the error against PyTorch),
 *     far below 1e-5 relative.
 * Integers (ids, counts, shapes, indices) must match exactly. Runs of blanks
 * match runs of blanks (a "-0.0000" is one column wider than "0.0000").
 * Two glyphs that only a rounding can move are also tolerated:
 *   - inside a |...| heatmap row, a cell one step apart on the ramp
 *     " .:-=+*#%@" (a value at a bucket edge);
 *   - a bar "####......" one '#' longer or shorter, same width.
 * On a mismatch prints the line number, both lines, the two numbers and the
 * tolerance, and exits 1; 2 on a usage or read error. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char RAMP[] = " .:-=+*#%@";
#define REL_TOL 1e-5
#define MAX_REPORTS 5

struct seg {
	const char *s;
	size_t n;
	int number;   /* 1: a number token */
	int decimals; /* digits after the point; -1 for an integer */
	double v;
};

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "textcmp: %s: cannot open\n", path);
		return NULL;
	}
	size_t cap = 1 << 16, n = 0;
	char *buf = malloc(cap + 1);
	size_t got;
	while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
		n += got;
		if (n == cap) {
			char *nb = realloc(buf, 2 * cap + 1);
			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	fclose(f);
	if (!buf) {
		fprintf(stderr, "textcmp: %s: out of memory\n", path);
		return NULL;
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Splits text into lines in place; returns the count. */
static size_t split_lines(char *text, size_t len, char ***out)
{
	size_t n = 0, cap = 64;
	char **lines = malloc(cap * sizeof *lines);
	char *p = text, *end = text + len;
	while (lines && p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		if (nl)
			*nl = 0;
		if (n == cap) {
			char **nlines = realloc(lines, 2 * cap * sizeof *lines);
			if (!nlines) {
				free(lines);
				lines = NULL;
				break;
			}
			lines = nlines;
			cap *= 2;
		}
		lines[n++] = p;
		p = nl ? nl + 1 : end;
	}
	*out = lines;
	return lines ? n : 0;
}

static int word_char(int c)
{
	return isalnum(c) || c == '_' || (c & 0x80);
}

/* A number starts at p (a digit, or '-' then a digit) unless it continues a
 * word ("h0", "t6", "enc.l0" stay text). Returns its length, 0 if none. */
static size_t number_at(const char *line, const char *p, int *decimals)
{
	const char *q = p;
	if (p > line && (word_char((unsigned char)p[-1]) || p[-1] == '.'))
		return 0;
	if (*q == '-' || *q == '+')
		q++;
	if (!isdigit((unsigned char)*q))
		return 0;
	while (isdigit((unsigned char)*q))
		q++;
	*decimals = -1;
	if (*q == '.' && isdigit((unsigned char)q[1])) {
		const char *d = ++q;
		while (isdigit((unsigned char)*q))
			q++;
		*decimals = (int)(q - d);
	}
	if ((*q == 'e' || *q == 'E') &&
	    (isdigit((unsigned char)q[1]) ||
	     ((q[1] == '-' || q[1] == '+') && isdigit((unsigned char)q[2])))) {
		q += 2;
		while (isdigit((unsigned char)*q))
			q++;
		if (*decimals < 0)
			*decimals = 0;
	}
	if (word_char((unsigned char)*q))
		return 0; /* "2x", "3rd": a word */
	return (size_t)(q - p);
}

static size_t segment(const char *line, struct seg *segs, size_t max)
{
	size_t n = 0;
	const char *p = line, *text = line;
	while (*p) {
		int dec;
		size_t len = number_at(line, p, &dec);
		if (!len) {
			p++;
			continue;
		}
		if (p > text && n < max)
			segs[n++] = (struct seg){text, (size_t)(p - text), 0, 0, 0};
		if (n < max)
			segs[n++] = (struct seg){p, len, 1, dec, strtod(p, NULL)};
		p += len;
		text = p;
	}
	if (p > text && n < max)
		segs[n++] = (struct seg){text, (size_t)(p - text), 0, 0, 0};
	return n;
}

/* Text segments: equal, with any run of blanks equal to any other. */
static int text_equal(const char *a, size_t na, const char *b, size_t nb)
{
	size_t i = 0, j = 0;
	while (i < na && j < nb) {
		if (a[i] == ' ' && b[j] == ' ') {
			while (i < na && a[i] == ' ')
				i++;
			while (j < nb && b[j] == ' ')
				j++;
			continue;
		}
		if (a[i] != b[j])
			return 0;
		i++, j++;
	}
	return i == na && j == nb;
}

static int ramp_step(char a, char b)
{
	const char *pa = strchr(RAMP, a), *pb = strchr(RAMP, b);
	if (!a || !b || !pa || !pb)
		return 0;
	long d = pa - pb;
	return d == 1 || d == -1;
}

static int is_bar(const char *s, size_t n, size_t *hashes)
{
	size_t i = 0;
	while (i < n && s[i] == '#')
		i++;
	*hashes = i;
	while (i < n && s[i] == '.')
		i++;
	return i == n && n >= 4;
}

/* Whole-line glyph rules, for lines that have no numbers in the difference. */
static int glyphs_match(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (strlen(b) != n)
		return 0;
	int inside = 0; /* within |...| */
	for (size_t i = 0; i < n; i++) {
		if (a[i] == '|' && b[i] == '|') {
			inside = !inside;
			continue;
		}
		if (a[i] == b[i])
			continue;
		if (inside && ramp_step(a[i], b[i]))
			continue;
		/* a bar: the run of # and . around i */
		size_t s = i, e = i;
		while (s > 0 && (a[s - 1] == '#' || a[s - 1] == '.'))
			s--;
		while (e < n && (a[e] == '#' || a[e] == '.') && (b[e] == '#' || b[e] == '.'))
			e++;
		size_t ha, hb;
		if (e > i && is_bar(a + s, e - s, &ha) && is_bar(b + s, e - s, &hb) &&
		    (ha == hb + 1 || hb == ha + 1)) {
			i = e - 1;
			continue;
		}
		return 0;
	}
	return 1;
}

/* Compares one line pair; on a mismatch writes why into msg. */
static int line_match(const char *a, const char *b, char *msg, size_t nmsg)
{
	if (strcmp(a, b) == 0)
		return 1;
	enum { MAXSEG = 4096 };
	static struct seg sa[MAXSEG], sb[MAXSEG];
	size_t na = segment(a, sa, MAXSEG), nb = segment(b, sb, MAXSEG);
	int text_differs = 0;
	if (na == nb) {
		for (size_t i = 0; i < na; i++) {
			if (sa[i].number != sb[i].number) {
				text_differs = 1;
				break;
			}
			if (!sa[i].number) {
				if (!text_equal(sa[i].s, sa[i].n, sb[i].s, sb[i].n))
					text_differs = 1;
				continue;
			}
			if (sa[i].decimals < 0 && sb[i].decimals < 0) {
				if (sa[i].n != sb[i].n || memcmp(sa[i].s, sb[i].s, sa[i].n) != 0) {
					snprintf(msg, nmsg, "integers %.*s and %.*s differ (integers match exactly)",
						 (int)sa[i].n, sa[i].s, (int)sb[i].n, sb[i].s);
					return 0;
				}
				continue;
			}
			int d = sa[i].decimals > sb[i].decimals ? sa[i].decimals : sb[i].decimals;
			double mag = fmax(fabs(sa[i].v), fabs(sb[i].v));
			double tol = pow(10, -d) * (1 + 1e-9) + REL_TOL * mag;
			double diff = fabs(sa[i].v - sb[i].v);
			if (!(diff <= tol)) {
				snprintf(msg, nmsg, "%.*s and %.*s differ by %.3g (tolerance %.3g)",
					 (int)sa[i].n, sa[i].s, (int)sb[i].n, sb[i].s, diff, tol);
				return 0;
			}
		}
		if (!text_differs)
			return 1;
	}
	if (glyphs_match(a, b))
		return 1;
	snprintf(msg, nmsg, "the text differs");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: textcmp EXPECTED ACTUAL\n");
		return 2;
	}
	size_t la, lb;
	char *ta = read_all(argv[1], &la), *tb = ta ? read_all(argv[2], &lb) : NULL;
	if (!ta || !tb) {
		free(ta);
		return 2;
	}
	char **a, **b;
	size_t na = split_lines(ta, la, &a), nb = split_lines(tb, lb, &b);
	int bad = 0;
	char msg[512];
	size_t n = na < nb ? na : nb;
	for (size_t i = 0; i < n && bad < MAX_REPORTS; i++) {
		if (!line_match(a[i], b[i], msg, sizeof msg)) {
			printf("%s:%zu: %s\n  < %s\n  > %s\n", argv[1], i + 1, msg, a[i], b[i]);
			bad++;
		}
	}
	if (na != nb && bad < MAX_REPORTS) {
		printf("%s: %zu lines, %s: %zu lines\n", argv[1], na, argv[2], nb);
		bad++;
	}
	free(a);
	free(b);
	free(ta);
	free(tb);
	return bad ? 1 : 0;
}

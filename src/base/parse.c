#include "base/parse.h"

#include <errno.h>
#include <stdlib.h>

int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return 0;
	*out = (int)v;
	return 1;
}

int parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return 0;
	*out = (long)v;
	return 1;
}

int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	char *end;
	errno = 0;
	if (!s[0] || s[0] == '-')
		return 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return 0;
	*out = v;
	return 1;
}

int parse_double(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	/* NaN fails both comparisons, so it is refused with the range */
	if (errno || end == s || *end || !(v >= lo && v <= hi))
		return 0;
	*out = v;
	return 1;
}

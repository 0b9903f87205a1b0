/* Whole numbers typed by the user (options, command arguments): the whole
 * string must be the number, in range; nothing is accepted half-way. */
#ifndef SEQSTEP_PARSE_H
#define SEQSTEP_PARSE_H

#include <stdint.h>

/* Decimal s in [lo, hi] into *out: 1, or 0 (and *out untouched) when s is
 * empty, has anything after the digits, or is out of range. */
int parse_int(const char *s, int lo, int hi, int *out);
int parse_long(const char *s, long lo, long hi, long *out);
/* As above for [0, max]; a sign is refused (strtoull would wrap "-1"). */
int parse_u64(const char *s, uint64_t max, uint64_t *out);
/* A decimal number ("3e-3", "0.5") in [lo, hi]; same rules. It follows
 * LC_NUMERIC, which seqstep keeps at "C". */
int parse_double(const char *s, double lo, double hi, double *out);

#endif

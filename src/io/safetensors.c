#include "io/safetensors.h"
#include "base/atomicfile.h"
#include "base/textwidth.h"

#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small helpers ---------------------------------------------------- */

static uint64_t get_u64le(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = (v << 8) | p[i];
	return v;
}

static void put_u64le(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/* Byte-wise so the code is independent of host endianness and alignment. */
static float get_f32le(const unsigned char *p)
{
	uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
		     (uint32_t)p[3] << 24;
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

static uint16_t get_u16le(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static float bits_to_float(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

float st_half_to_float(uint16_t h)
{
	uint32_t sign = (uint32_t)(h >> 15) << 31;
	uint32_t exp = (h >> 10) & 0x1f;
	uint32_t mant = h & 0x3ff;

	if (exp == 0) {
		if (mant == 0)
			return bits_to_float(sign); /* keeps -0 */
		/* Subnormal half: every one is a normal float; renormalise. */
		int e = -14;
		while (!(mant & 0x400)) {
			mant <<= 1;
			e--;
		}
		mant &= 0x3ff;
		return bits_to_float(sign | (uint32_t)(e + 127) << 23 | mant << 13);
	}
	if (exp == 31) /* inf, or NaN with its payload kept (mant != 0) */
		return bits_to_float(sign | 0xffu << 23 | mant << 13);
	return bits_to_float(sign | (exp - 15 + 127) << 23 | mant << 13);
}

float st_bf16_to_float(uint16_t h)
{
	return bits_to_float((uint32_t)h << 16);
}

struct dtype_info {
	const char *name;
	enum st_dtype dt;
	unsigned size;
};

static const struct dtype_info dtypes[] = {
	{"F32", ST_DT_F32, 4},      {"F16", ST_DT_F16, 2},     {"BF16", ST_DT_BF16, 2},
	{"F64", ST_DT_F64, 8},      {"I64", ST_DT_I64, 8},     {"I32", ST_DT_I32, 4},
	{"BOOL", ST_DT_OTHER, 1},   {"U8", ST_DT_OTHER, 1},    {"I8", ST_DT_OTHER, 1},
	{"I16", ST_DT_OTHER, 2},    {"U16", ST_DT_OTHER, 2},   {"U32", ST_DT_OTHER, 4},
	{"U64", ST_DT_OTHER, 8},    {"F8_E4M3", ST_DT_OTHER, 1}, {"F8_E5M2", ST_DT_OTHER, 1},
};

static const struct dtype_info *dtype_find(const char *name)
{
	for (size_t i = 0; i < sizeof dtypes / sizeof dtypes[0]; i++)
		if (strcmp(dtypes[i].name, name) == 0)
			return &dtypes[i];
	return NULL;
}

static const char *fmt_shape(char *buf, size_t n, int ndim, const uint64_t *shape)
{
	size_t used = 0;
	int w = snprintf(buf, n, "[");
	used = w > 0 ? (size_t)w : 0;
	for (int i = 0; i < ndim && used < n; i++) {
		w = snprintf(buf + used, n - used, "%s%" PRIu64, i ? ", " : "", shape[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	if (used < n)
		snprintf(buf + used, n - used, "]");
	return buf;
}

/* ---- loading ------------------------------------------------------------ */

static enum status read_whole(const char *path, unsigned char **out, size_t *size,
			      struct err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(e, errno == ENOENT ? ST_BADINPUT : ST_IO, "%s: cannot open: %s",
			       path, strerror(errno));
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, ST_BADINPUT, "%s: not a regular file", path);
	}
	if ((uintmax_t)st.st_size > SIZE_MAX - 1) {
		close(fd);
		return err_set(e, ST_BADINPUT, "%s: file is too large for this machine", path);
	}
	size_t n = (size_t)st.st_size;
	unsigned char *buf = malloc(n ? n : 1);
	if (!buf) {
		close(fd);
		return err_set(e, ST_NOMEM, "%s: out of memory reading %zu bytes", path, n);
	}
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			int err = r < 0 ? errno : 0;
			free(buf);
			close(fd);
			return err_set(e, ST_IO, "%s: cannot read: %s", path,
				       err ? strerror(err) : "file shrank while being read");
		}
		got += (size_t)r;
	}
	close(fd);
	*out = buf;
	*size = n;
	return ST_OK;
}

static int entry_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct st_entry *)a)->name, ((const struct st_entry *)b)->name);
}

static int entry_cmp_offset(const void *a, const void *b)
{
	const struct st_entry *x = *(const struct st_entry *const *)a;
	const struct st_entry *y = *(const struct st_entry *const *)b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Reads a JSON value as a non-negative integer that fits in uint64_t. */
static int json_u64(const json_t *v, uint64_t *out)
{
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return 0;
	*out = (uint64_t)json_integer_value(v);
	return 1;
}

/* Validates one header entry against the data section of data_size bytes. */
static enum status parse_entry(const char *path, const char *key, json_t *v, uint64_t data_size,
			       struct st_entry *t, struct err *e)
{
	char nm[80], sh[200];
	text_show(nm, sizeof nm, key);

	if (!json_is_object(v))
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': entry is not a JSON object", path,
			       nm);
	json_t *dtype = json_object_get(v, "dtype");
	json_t *shape = json_object_get(v, "shape");
	json_t *offs = json_object_get(v, "data_offsets");
	if (!dtype)
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': missing \"dtype\"", path, nm);
	if (!shape)
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': missing \"shape\"", path, nm);
	if (!offs)
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': missing \"data_offsets\"", path,
			       nm);
	if (!json_is_string(dtype))
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': \"dtype\" is not a string", path,
			       nm);
	const struct dtype_info *di = dtype_find(json_string_value(dtype));
	if (!di) {
		char dn[40];
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': unknown dtype \"%s\"", path, nm,
			       text_show(dn, sizeof dn, json_string_value(dtype)));
	}
	if (!json_is_array(shape))
		return err_set(e, ST_BADINPUT, "%s: tensor '%s': \"shape\" is not an array", path,
			       nm);
	size_t ndim = json_array_size(shape);
	if (ndim > ST_MAX_DIMS)
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': shape has %zu dimensions, at most %d are supported",
			       path, nm, ndim, ST_MAX_DIMS);
	uint64_t count = 1;
	int overflow = 0;
	for (size_t i = 0; i < ndim; i++) {
		json_t *d = json_array_get(shape, i);
		if (!json_is_integer(d))
			return err_set(e, ST_BADINPUT,
				       "%s: tensor '%s': shape[%zu] is not an integer", path, nm, i);
		if (json_integer_value(d) < 0)
			return err_set(e, ST_BADINPUT,
				       "%s: tensor '%s': shape[%zu] is negative (%" JSON_INTEGER_FORMAT
				       ")",
				       path, nm, i, json_integer_value(d));
		t->shape[i] = (uint64_t)json_integer_value(d);
		if (__builtin_mul_overflow(count, t->shape[i], &count))
			overflow = 1;
	}
	t->ndim = (int)ndim;
	/* A 0 anywhere makes the tensor empty however large the rest is. */
	for (size_t i = 0; i < ndim; i++)
		if (t->shape[i] == 0)
			overflow = 0, count = 0;
	if (overflow)
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': shape %s: element count overflows 64 bits", path,
			       nm, fmt_shape(sh, sizeof sh, t->ndim, t->shape));

	uint64_t b, en;
	if (!json_is_array(offs) || json_array_size(offs) != 2 ||
	    !json_u64(json_array_get(offs, 0), &b) || !json_u64(json_array_get(offs, 1), &en))
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': \"data_offsets\" is not [begin, end] with two "
			       "non-negative integers",
			       path, nm);
	if (b > en)
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': data_offsets [%" PRIu64 ", %" PRIu64
			       "] are reversed (begin after end)",
			       path, nm, b, en);
	if (en > data_size)
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': data_offsets end %" PRIu64
			       " is past the end of the data section (%" PRIu64 " bytes)",
			       path, nm, en, data_size);
	uint64_t bytes;
	if (__builtin_mul_overflow(count, (uint64_t)di->size, &bytes))
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': shape %s of %s: byte length overflows 64 bits",
			       path, nm, fmt_shape(sh, sizeof sh, t->ndim, t->shape), di->name);
	if (bytes != en - b)
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s': shape %s of %s is %" PRIu64
			       " bytes but data_offsets span %" PRIu64,
			       path, nm, fmt_shape(sh, sizeof sh, t->ndim, t->shape), di->name,
			       bytes, en - b);
	t->dtype = di->dt;
	t->dtype_name = di->name;
	t->count = count;
	t->begin = (size_t)b; /* <= data_size, which is a size_t */
	t->end = (size_t)en;
	return ST_OK;
}

/* The sorted extents must tile [0, data_size) exactly: no overlap, no gap. */
static enum status check_tiling(const char *path, struct st_entry *entries, size_t n,
				size_t data_size, struct err *e)
{
	char a[80], b[80];
	struct st_entry **order = malloc((n ? n : 1) * sizeof *order);
	if (!order)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	for (size_t i = 0; i < n; i++)
		order[i] = &entries[i];
	qsort(order, n, sizeof *order, entry_cmp_offset);

	enum status st = ST_OK;
	size_t expect = 0;
	const struct st_entry *prev = NULL;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		const struct st_entry *t = order[i];
		if (t->begin < expect)
			st = err_set(e, ST_BADINPUT,
				     "%s: tensors '%s' [%zu, %zu) and '%s' [%zu, %zu) overlap in the "
				     "data section",
				     path, text_show(a, sizeof a, prev->name), prev->begin, prev->end,
				     text_show(b, sizeof b, t->name), t->begin, t->end);
		else if (t->begin > expect)
			st = err_set(e, ST_BADINPUT,
				     "%s: bytes %zu..%zu of the data section belong to no tensor "
				     "(a gap before '%s')",
				     path, expect, t->begin, text_show(b, sizeof b, t->name));
		if (t->end > expect) {
			expect = t->end;
			prev = t;
		}
	}
	if (st == ST_OK && expect != data_size)
		st = err_set(e, ST_BADINPUT,
			     "%s: bytes %zu..%zu of the data section belong to no tensor "
			     "(after the last one)",
			     path, expect, data_size);
	free(order);
	return st;
}

static enum status parse_header(struct safetensors *s, json_t *root, struct err *e)
{
	const char *path = s->path;
	uint64_t data_size = s->size - s->data_off;
	json_t *meta = json_object_get(root, "__metadata__");
	size_t n = json_object_size(root) - (meta ? 1 : 0);
	size_t nmeta = meta && json_is_object(meta) ? json_object_size(meta) : 0;
	const char *key;
	json_t *v;

	if (meta) {
		int ok = json_is_object(meta);
		json_object_foreach(meta, key, v) ok = ok && json_is_string(v);
		if (!ok)
			return err_set(e, ST_BADINPUT,
				       "%s: \"__metadata__\" is not an object of string values", path);
	}

	/* String storage; every length is bounded by the (<= 100 MB) header, but
	 * the sums are still checked. */
	size_t total = 1, len;
	json_object_foreach(root, key, v) {
		if (meta && v == meta)
			continue;
		if (!size_add(total, strlen(key) + 1, &total))
			return err_set(e, ST_BADINPUT, "%s: header is too large", path);
	}
	if (meta)
		json_object_foreach(meta, key, v) {
			if (!size_add(strlen(key), json_string_length(v), &len) ||
			    !size_add(len, 2, &len) || !size_add(total, len, &total))
				return err_set(e, ST_BADINPUT, "%s: header is too large", path);
		}
	size_t nptr;
	if (!size_mul(nmeta, 2, &nptr) || !size_add(nptr, 1, &nptr))
		return err_set(e, ST_BADINPUT, "%s: header is too large", path);
	s->strings_ = malloc(total);
	s->entries = calloc(n ? n : 1, sizeof *s->entries);
	if (meta)
		s->meta = calloc(nptr, sizeof *s->meta);
	if (!s->strings_ || !s->entries || (meta && !s->meta))
		return err_set(e, ST_NOMEM, "%s: out of memory reading the header", path);

	char *p = s->strings_;
	size_t i = 0;
	json_object_foreach(root, key, v) {
		if (meta && v == meta)
			continue;
		struct st_entry *t = &s->entries[i];
		enum status st = parse_entry(path, key, v, data_size, t, e);
		if (st != ST_OK)
			return st;
		size_t kl = strlen(key);
		memcpy(p, key, kl + 1);
		t->name = p;
		p += kl + 1;
		i++;
	}
	s->n = i;
	if (meta) {
		size_t m = 0;
		json_object_foreach(meta, key, v) {
			size_t kl = strlen(key), vl = json_string_length(v);
			memcpy(p, key, kl + 1);
			s->meta[m++] = p;
			p += kl + 1;
			/* A value with an embedded NUL is cut there; jansson only lets
			 * one through with JSON_ALLOW_NUL, which we do not pass. */
			memcpy(p, json_string_value(v), vl);
			p[vl] = '\0';
			s->meta[m++] = p;
			p += vl + 1;
		}
		s->meta[m] = NULL;
	}
	qsort(s->entries, s->n, sizeof *s->entries, entry_cmp_name);
	return check_tiling(path, s->entries, s->n, (size_t)data_size, e);
}

enum status safetensors_load(struct safetensors *s, const char *path, struct err *e)
{
	memset(s, 0, sizeof *s);
	s->path = strdup(path);
	if (!s->path)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	enum status st = read_whole(path, &s->file, &s->size, e);
	if (st != ST_OK)
		goto fail;

	if (s->size < 8) {
		st = err_set(e, ST_BADINPUT,
			     "%s: file is %zu bytes, too short for the 8-byte header length "
			     "(not a safetensors file?)",
			     path, s->size);
		goto fail;
	}
	uint64_t hlen = get_u64le(s->file);
	if (hlen > ST_MAX_HEADER) {
		st = err_set(e, ST_BADINPUT,
			     "%s: header length %" PRIu64
			     " is above the 100 MB limit (not a safetensors file?)",
			     path, hlen);
		goto fail;
	}
	if (hlen > s->size - 8) {
		st = err_set(e, ST_BADINPUT,
			     "%s: header length %" PRIu64
			     " runs past the end of the file (%zu bytes)",
			     path, hlen, s->size);
		goto fail;
	}
	s->data_off = 8 + (size_t)hlen;

	json_error_t jerr;
	json_t *root = json_loadb((const char *)s->file + 8, (size_t)hlen,
				 JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		char txt[sizeof jerr.text + 8];
		text_show(txt, sizeof txt, jerr.text);
		if (json_error_code(&jerr) == json_error_duplicate_key)
			st = err_set(e, ST_BADINPUT, "%s: header has a duplicate tensor name (%s)",
				     path, txt);
		else
			st = err_set(e, ST_BADINPUT,
				     "%s: header is not valid JSON: %s (at byte %d of the header)",
				     path, txt, jerr.position);
		goto fail;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		st = err_set(e, ST_BADINPUT, "%s: header is not a JSON object", path);
		goto fail;
	}
	st = parse_header(s, root, e);
	json_decref(root);
	if (st == ST_OK)
		return ST_OK;
fail:
	safetensors_release(s);
	return st;
}

void safetensors_release(struct safetensors *s)
{
	free(s->path);
	free(s->file);
	free(s->entries);
	free(s->meta);
	free(s->strings_);
	memset(s, 0, sizeof *s);
}

const struct st_entry *safetensors_get(const struct safetensors *s, const char *name)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(name, s->entries[mid].name);
		if (c == 0)
			return &s->entries[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

const char *safetensors_meta(const struct safetensors *s, const char *key)
{
	for (char **m = s->meta; m && m[0]; m += 2)
		if (strcmp(m[0], key) == 0)
			return m[1];
	return NULL;
}

const unsigned char *safetensors_data(const struct safetensors *s, const struct st_entry *t)
{
	return s->file + s->data_off + t->begin;
}

static enum status convert(const struct safetensors *s, const struct st_entry *t, float *dst,
			   struct err *e)
{
	const unsigned char *p = safetensors_data(s, t);
	size_t n = (size_t)t->count; /* count * size == end - begin <= file size */
	char nm[80];

	switch (t->dtype) {
	case ST_DT_F32:
		for (size_t i = 0; i < n; i++)
			dst[i] = get_f32le(p + 4 * i);
		return ST_OK;
	case ST_DT_F16:
		for (size_t i = 0; i < n; i++)
			dst[i] = st_half_to_float(get_u16le(p + 2 * i));
		return ST_OK;
	case ST_DT_BF16:
		for (size_t i = 0; i < n; i++)
			dst[i] = st_bf16_to_float(get_u16le(p + 2 * i));
		return ST_OK;
	case ST_DT_F64:
		for (size_t i = 0; i < n; i++) {
			uint64_t u = get_u64le(p + 8 * i);
			double d;
			memcpy(&d, &u, sizeof d);
			/* Out-of-range double -> float is undefined in C, and such a
			 * weight is surely a mistake; up to half an ulp past FLT_MAX
			 * still rounds to FLT_MAX. */
			if (d - d == 0 && (d >= 0x1.ffffffp127 || d <= -0x1.ffffffp127))
				return err_set(e, ST_BADINPUT,
					       "%s: tensor '%s': F64 value %g at index %zu is "
					       "outside the float range",
					       s->path, text_show(nm, sizeof nm, t->name), d, i);
			dst[i] = d > FLT_MAX && d - d == 0     ? FLT_MAX
				 : d < -FLT_MAX && d - d == 0 ? -FLT_MAX
							      : (float)d;
		}
		return ST_OK;
	default:
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s' has dtype %s, which cannot be read as floats "
			       "(expected F32, F16, BF16 or F64)",
			       s->path, text_show(nm, sizeof nm, t->name), t->dtype_name);
	}
}

enum status safetensors_read_f32(const struct safetensors *s, const struct st_entry *t,
				 float *dst, size_t count, struct err *e)
{
	if (t->count != (uint64_t)count) {
		char nm[80], sh[200];
		return err_set(e, ST_BADINPUT,
			       "%s: tensor '%s' has shape %s (%" PRIu64
			       " values), expected %zu values",
			       s->path, text_show(nm, sizeof nm, t->name),
			       fmt_shape(sh, sizeof sh, t->ndim, t->shape), t->count, count);
	}
	return convert(s, t, dst, e);
}

enum status safetensors_read_f32_shape(const struct safetensors *s, const struct st_entry *t,
				       float *dst, int ndim, const int64_t *shape,
				       struct err *e)
{
	int same = ndim == t->ndim;
	uint64_t want[ST_MAX_DIMS];
	int nd = ndim < 0 ? 0 : ndim > ST_MAX_DIMS ? ST_MAX_DIMS : ndim;
	for (int i = 0; i < nd; i++) {
		want[i] = shape[i] < 0 ? 0 : (uint64_t)shape[i];
		if (shape[i] < 0 || (same && want[i] != t->shape[i]))
			same = 0;
	}
	if (!same) {
		char nm[80], a[200], b[200];
		return err_set(e, ST_BADINPUT, "%s: tensor '%s' has shape %s, expected %s",
			       s->path, text_show(nm, sizeof nm, t->name),
			       fmt_shape(a, sizeof a, t->ndim, t->shape),
			       fmt_shape(b, sizeof b, nd, want));
	}
	return convert(s, t, dst, e);
}

/* ---- saving ------------------------------------------------------------- */

static int item_cmp(const void *a, const void *b)
{
	return strcmp((*(const struct st_item *const *)a)->name,
		      (*(const struct st_item *const *)b)->name);
}

static enum status build_header(const char *path, const struct st_item **order, size_t n,
				const char *const *meta, char **out, struct err *e)
{
	json_t *root = json_object();
	if (!root)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	enum status st = ST_OK;
	size_t off = 0;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		const struct st_item *it = order[i];
		size_t count = 1, bytes = 0, end = 0;
		json_t *shape = json_array();
		for (int d = 0; shape && d < it->ndim; d++) {
			if (!size_mul(count, (size_t)it->shape[d], &count))
				st = err_set(e, ST_BADINPUT, "%s: tensor '%s' is too large", path,
					     it->name);
			json_array_append_new(shape, json_integer(it->shape[d]));
		}
		if (st == ST_OK && (!size_mul(count, 4, &bytes) || !size_add(off, bytes, &end)))
			st = err_set(e, ST_BADINPUT, "%s: tensor '%s' is too large", path, it->name);
		if (st == ST_OK && count && !it->data)
			st = err_set(e, ST_BADINPUT, "%s: tensor '%s' has no data", path, it->name);
		if (st != ST_OK) {
			json_decref(shape);
			break;
		}
		json_t *ent = json_pack("{s:s, s:o, s:[I, I]}", "dtype", "F32", "shape", shape,
					"data_offsets", (json_int_t)off, (json_int_t)end);
		if (!ent || json_object_set_new(root, it->name, ent) != 0)
			st = err_set(e, ST_BADINPUT,
				     "%s: cannot store tensor '%s' (name not valid UTF-8?)", path,
				     it->name);
		off = end;
	}
	if (st == ST_OK && meta) {
		json_t *m = json_object();
		if (!m)
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
		for (size_t i = 0; st == ST_OK && meta[i]; i += 2) {
			if (!meta[i + 1])
				st = err_set(e, ST_BADINPUT, "%s: metadata key '%s' has no value",
					     path, meta[i]);
			else if (json_object_set_new(m, meta[i], json_string(meta[i + 1])) != 0)
				st = err_set(e, ST_BADINPUT,
					     "%s: metadata '%s' is not valid UTF-8", path, meta[i]);
		}
		if (st == ST_OK)
			json_object_set_new(root, "__metadata__", m);
		else
			json_decref(m);
	}
	if (st == ST_OK) {
		*out = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
		if (!*out)
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
	}
	json_decref(root);
	return st;
}

static enum status write_floats(FILE *f, const float *data, size_t count)
{
	unsigned char buf[4096];
	size_t k = 0;
	for (size_t i = 0; i < count; i++) {
		uint32_t u;
		memcpy(&u, &data[i], 4);
		for (int b = 0; b < 4; b++)
			buf[k++] = (unsigned char)(u >> (8 * b));
		if (k == sizeof buf) {
			if (fwrite(buf, 1, k, f) != k)
				return ST_IO;
			k = 0;
		}
	}
	if (k && fwrite(buf, 1, k, f) != k)
		return ST_IO;
	return ST_OK;
}

enum status safetensors_save(const char *path, const struct st_item *items, size_t n,
			     const char *const *meta, struct err *e)
{
	const struct st_item **order = malloc((n ? n : 1) * sizeof *order);
	if (!order)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	enum status st = ST_OK;
	for (size_t i = 0; i < n && st == ST_OK; i++) {
		const struct st_item *it = &items[i];
		order[i] = it;
		if (!it->name || strcmp(it->name, "__metadata__") == 0)
			st = err_set(e, ST_BADINPUT, "%s: tensor %zu has no usable name", path, i);
		else if (it->ndim < 0 || it->ndim > ST_MAX_DIMS)
			st = err_set(e, ST_BADINPUT, "%s: tensor '%s' has %d dimensions", path,
				     it->name, it->ndim);
		for (int d = 0; st == ST_OK && d < it->ndim; d++)
			if (it->shape[d] < 0 || (uint64_t)it->shape[d] > SIZE_MAX)
				st = err_set(e, ST_BADINPUT, "%s: tensor '%s': bad shape[%d]", path,
					     it->name, d);
	}
	if (st == ST_OK) {
		qsort(order, n, sizeof *order, item_cmp);
		for (size_t i = 1; i < n && st == ST_OK; i++)
			if (strcmp(order[i - 1]->name, order[i]->name) == 0)
				st = err_set(e, ST_BADINPUT, "%s: duplicate tensor name '%s'", path,
					     order[i]->name);
	}
	char *hdr = NULL;
	if (st == ST_OK)
		st = build_header(path, order, n, meta, &hdr, e);
	if (st != ST_OK) {
		free(order);
		return st;
	}

	/* Pad with spaces (valid JSON whitespace) so the data section starts
	 * 8-byte aligned, as the reference writer does. */
	size_t hl = strlen(hdr), pad = (8 - hl % 8) % 8;
	unsigned char len8[8];
	put_u64le(len8, (uint64_t)(hl + pad));

	struct atomic_file af;
	st = atomic_open(&af, path, 1, e);
	if (st == ST_OK) {
		int ok = fwrite(len8, 1, 8, af.f) == 8 && fwrite(hdr, 1, hl, af.f) == hl;
		for (size_t i = 0; ok && i < pad; i++)
			ok = fputc(' ', af.f) != EOF;
		for (size_t i = 0; ok && i < n; i++) {
			size_t count = 1;
			for (int d = 0; d < order[i]->ndim; d++)
				count *= (size_t)order[i]->shape[d]; /* checked in build_header */
			ok = write_floats(af.f, order[i]->data, count) == ST_OK;
		}
		if (!ok) {
			int err = errno;
			atomic_abort(&af);
			st = err_set(e, ST_IO, "%s: cannot write: %s", path, strerror(err ? err : EIO));
		} else {
			st = atomic_commit(&af, e);
		}
	}
	free(hdr);
	free(order);
	return st;
}

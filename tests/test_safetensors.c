/* safetensors: save/load round trips, exact F16/BF16 conversion, and every
 * bad file in tests/data/bad/ that belongs to this loader. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"

#include "testdata.h"

static unsigned char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	buf[len] = 0;
	*n = (size_t)len;
	return buf;
}

/* Builds a safetensors file from a header text and raw data bytes. */
static void write_st(const char *path, const char *header, const void *data, size_t n)
{
	size_t hl = strlen(header);
	unsigned char *buf = malloc(8 + hl + n + 1);
	assert_non_null(buf);
	for (int i = 0; i < 8; i++)
		buf[i] = (unsigned char)((uint64_t)hl >> (8 * i));
	memcpy(buf + 8, header, hl);
	if (n)
		memcpy(buf + 8 + hl, data, n);
	write_file(path, buf, 8 + hl + n);
	free(buf);
}

static int same_bits(float a, float b)
{
	return memcmp(&a, &b, sizeof a) == 0;
}

static void test_roundtrip(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "st");
	snprintf(path, sizeof path, "%s/m.safetensors", dir);

	const float w[6] = {1.5f, -0.0f, 0x1p-149f, 3.4028235e38f, 0.1f, -7.25f};
	const float b[4] = {1, 2, 3, 4};
	const float sc[1] = {42};
	struct st_item items[] = {
		{.name = "b.weight", .ndim = 2, .shape = {2, 3}, .data = w},
		{.name = "a.bias", .ndim = 1, .shape = {4}, .data = b},
		{.name = "z.empty", .ndim = 2, .shape = {0, 4}, .data = NULL},
		{.name = "scalar", .ndim = 0, .data = sc},
	};
	const char *meta[] = {"format", "pt", "note", "say \"hi\"", NULL};
	struct err e = {0};
	assert_int_equal(safetensors_save(path, items, 4, meta, &e), ST_OK);

	struct safetensors s;
	enum status st = safetensors_load(&s, path, &e);
	if (st != ST_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(s.n, 4);
	assert_int_equal(s.data_off % 8, 0);
	assert_int_equal(s.size, s.data_off + (6 + 4 + 0 + 1) * 4);
	assert_string_equal(s.entries[0].name, "a.bias"); /* sorted by name */
	assert_string_equal(s.entries[3].name, "z.empty");
	assert_null(safetensors_get(&s, "nope"));
	assert_string_equal(safetensors_meta(&s, "note"), "say \"hi\"");
	assert_string_equal(safetensors_meta(&s, "format"), "pt");
	assert_null(safetensors_meta(&s, "missing"));

	/* Header keys sorted and data laid out in the same order. */
	const char *h = (const char *)s.file + 8;
	const char *keys[] = {"\"__metadata__\"", "\"a.bias\"", "\"b.weight\"", "\"scalar\"",
			      "\"z.empty\""};
	const char *prev = h;
	for (int i = 0; i < 5; i++) {
		const char *k = strstr(h, keys[i]);
		assert_non_null(k);
		assert_true(k > prev || (i == 0 && k >= prev));
		prev = k;
	}
	assert_int_equal(safetensors_get(&s, "a.bias")->begin, 0);
	assert_int_equal(safetensors_get(&s, "b.weight")->begin, 16);

	const struct st_entry *t = safetensors_get(&s, "b.weight");
	assert_non_null(t);
	assert_int_equal(t->dtype, ST_DT_F32);
	assert_string_equal(t->dtype_name, "F32");
	assert_int_equal(t->ndim, 2);
	assert_int_equal(t->shape[0], 2);
	assert_int_equal(t->shape[1], 3);
	assert_int_equal(t->count, 6);
	float got[6];
	assert_int_equal(safetensors_read_f32(&s, t, got, 6, &e), ST_OK);
	for (int i = 0; i < 6; i++)
		assert_true(same_bits(got[i], w[i]));
	int64_t shp[2] = {2, 3};
	assert_int_equal(safetensors_read_f32_shape(&s, t, got, 2, shp, &e), ST_OK);

	t = safetensors_get(&s, "a.bias");
	assert_int_equal(t->ndim, 1);
	assert_int_equal(safetensors_read_f32(&s, t, got, 4, &e), ST_OK);
	assert_memory_equal(got, b, sizeof b);

	t = safetensors_get(&s, "z.empty");
	assert_int_equal(t->count, 0);
	assert_int_equal(t->shape[0], 0);
	assert_int_equal(t->shape[1], 4);
	assert_int_equal(safetensors_read_f32(&s, t, got, 0, &e), ST_OK);

	t = safetensors_get(&s, "scalar");
	assert_int_equal(t->ndim, 0);
	assert_int_equal(t->count, 1);
	assert_int_equal(safetensors_read_f32(&s, t, got, 1, &e), ST_OK);
	assert_true(got[0] == 42);
	safetensors_release(&s);
	safetensors_release(&s); /* harmless twice */

	/* Saving over an existing file replaces it; without metadata there is
	 * no "__metadata__" key. */
	assert_int_equal(safetensors_save(path, items + 1, 1, NULL, &e), ST_OK);
	assert_int_equal(safetensors_load(&s, path, &e), ST_OK);
	assert_int_equal(s.n, 1);
	assert_null(s.meta);
	assert_null(strstr((const char *)s.file + 8, "__metadata__"));
	safetensors_release(&s);

	/* Duplicate names are refused and leave the old file alone. */
	struct st_item dup[2] = {items[1], items[1]};
	assert_int_equal(safetensors_save(path, dup, 2, NULL, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "duplicate"));
	assert_int_equal(safetensors_load(&s, path, &e), ST_OK);
	safetensors_release(&s);

	remove_tmpdir(dir);
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void test_half_exhaustive(void **state)
{
	(void)state;
	/* Every half value against a double-precision reference. */
	for (unsigned h = 0; h < 65536; h++) {
		int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
		float f = st_half_to_float((uint16_t)h);
		if (exp == 31 && mant) {
			assert_true(isnan(f));
			continue;
		}
		double ref = exp == 31  ? INFINITY
			     : exp == 0 ? ldexp(mant, -24)
					: ldexp(1024 + mant, exp - 25);
		if (sign)
			ref = -ref;
		assert_true((double)f == ref);
		assert_int_equal(!!signbit(f), sign);
	}
	for (unsigned h = 0; h < 65536; h++) {
		float f = st_bf16_to_float((uint16_t)h);
		uint32_t u;
		memcpy(&u, &f, 4);
		assert_int_equal(u, (uint32_t)h << 16);
	}
}

static void test_half_file(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "st");
	snprintf(path, sizeof path, "%s/h.safetensors", dir);

	static const uint16_t f16[] = {0x0000, 0x8000, 0x3C00, 0xC000, 0x0001, 0x03FF, 0x0400,
				       0x7BFF, 0x3555, 0x7C00, 0xFC00, 0x7E00, 0x8001};
	static const float f16_want[] = {0.0f,        -0.0f,    1.0f,     -2.0f,    0x1p-24f,
					 0x1.ff8p-15f, 0x1p-14f, 65504.0f, 0x1.554p-2f, INFINITY,
					 -INFINITY,   NAN,      -0x1p-24f};
	static const uint16_t bf16[] = {0x3F80, 0xC0A0, 0x0001, 0x7F7F, 0x7F80,
					0xFF80, 0x8000, 0x7FC0, 0x3EAB};
	static const float bf16_want[] = {1.0f,     -5.0f,     0x1p-133f, 0x1.fep127f, INFINITY,
					  -INFINITY, -0.0f,     NAN,       0x1.56p-2f};
	unsigned char data[26 + 18 + 24 + 8 + 4 + 3];
	for (int i = 0; i < 13; i++)
		put16(data + 2 * i, f16[i]);
	for (int i = 0; i < 9; i++)
		put16(data + 26 + 2 * i, bf16[i]);
	/* 3.40282347e38 is FLT_MAX as "%.9g" prints it: just above, rounds to it. */
	const double f64[3] = {0.1, -3.5, 3.40282347e38};
	memcpy(data + 44, f64, 24); /* the test host is little-endian */
	const double big = 1e300;
	memcpy(data + 68, &big, 8);
	const int32_t i32 = 7;
	memcpy(data + 76, &i32, 4);
	memset(data + 80, 1, 3);
	write_st(path,
		 "{\"h\":{\"dtype\":\"F16\",\"shape\":[13],\"data_offsets\":[0,26]},"
		 "\"bf\":{\"dtype\":\"BF16\",\"shape\":[3,3],\"data_offsets\":[26,44]},"
		 "\"d\":{\"dtype\":\"F64\",\"shape\":[3],\"data_offsets\":[44,68]},"
		 "\"big\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[68,76]},"
		 "\"i\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[76,80]},"
		 "\"u\":{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[80,83]}}   ",
		 data, sizeof data);

	struct safetensors s;
	struct err e = {0};
	if (safetensors_load(&s, path, &e) != ST_OK)
		fail_msg("%s", e.msg);
	float got[13];
	const struct st_entry *t = safetensors_get(&s, "h");
	assert_int_equal(t->dtype, ST_DT_F16);
	assert_int_equal(safetensors_read_f32(&s, t, got, 13, &e), ST_OK);
	for (int i = 0; i < 13; i++) {
		if (isnan(f16_want[i]))
			assert_true(isnan(got[i]));
		else
			assert_true(same_bits(got[i], f16_want[i]));
	}
	t = safetensors_get(&s, "bf");
	assert_int_equal(t->dtype, ST_DT_BF16);
	assert_int_equal(safetensors_read_f32(&s, t, got, 9, &e), ST_OK);
	for (int i = 0; i < 9; i++) {
		if (isnan(bf16_want[i]))
			assert_true(isnan(got[i]));
		else
			assert_true(same_bits(got[i], bf16_want[i]));
	}
	t = safetensors_get(&s, "d");
	assert_int_equal(safetensors_read_f32(&s, t, got, 3, &e), ST_OK);
	assert_true(got[0] == 0.1f && got[1] == -3.5f && got[2] == FLT_MAX);

	assert_int_equal(safetensors_read_f32(&s, safetensors_get(&s, "big"), got, 1, &e),
			 ST_BADINPUT);
	assert_non_null(strstr(e.msg, "outside the float range"));
	assert_int_equal(safetensors_read_f32(&s, safetensors_get(&s, "i"), got, 1, &e),
			 ST_BADINPUT);
	assert_non_null(strstr(e.msg, "I32"));
	t = safetensors_get(&s, "u");
	assert_int_equal(t->dtype, ST_DT_OTHER);
	assert_string_equal(t->dtype_name, "U8");
	safetensors_release(&s);
	remove_tmpdir(dir);
}

static void test_count_mismatch(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "st");
	snprintf(path, sizeof path, "%s/c.safetensors", dir);
	float w[6] = {0};
	struct st_item it = {.name = "enc.w", .ndim = 2, .shape = {2, 3}, .data = w};
	struct err e = {0};
	assert_int_equal(safetensors_save(path, &it, 1, NULL, &e), ST_OK);
	struct safetensors s;
	assert_int_equal(safetensors_load(&s, path, &e), ST_OK);
	const struct st_entry *t = safetensors_get(&s, "enc.w");
	float got[8];
	assert_int_equal(safetensors_read_f32(&s, t, got, 8, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "'enc.w'"));
	assert_non_null(strstr(e.msg, "[2, 3]"));
	assert_non_null(strstr(e.msg, "8 values"));
	int64_t want[2] = {3, 2};
	assert_int_equal(safetensors_read_f32_shape(&s, t, got, 2, want, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "has shape [2, 3], expected [3, 2]"));
	safetensors_release(&s);
	remove_tmpdir(dir);
}

static const char *const bad_files[] = {
	"st-short.safetensors",
	"st-empty.safetensors",
	"st-header-past-end.safetensors",
	"st-header-huge.safetensors",
	"st-not-json.safetensors",
	"st-header-invalid-utf8.safetensors",
	"st-not-object.safetensors",
	"st-entry-not-object.safetensors",
	"st-missing-dtype.safetensors",
	"st-missing-shape.safetensors",
	"st-missing-offsets.safetensors",
	"st-dtype-not-string.safetensors",
	"st-unknown-dtype.safetensors",
	"st-shape-not-array.safetensors",
	"st-shape-float.safetensors",
	"st-negative-shape.safetensors",
	"st-too-many-dims.safetensors",
	"st-shape-overflow.safetensors",
	"st-bytes-mismatch.safetensors",
	"st-offsets-not-pair.safetensors",
	"st-offsets-reversed.safetensors",
	"st-offsets-past-end.safetensors",
	"st-offsets-overlap.safetensors",
	"st-offsets-gap.safetensors",
	"st-offsets-trailing.safetensors",
	"st-duplicate-name.safetensors",
	"st-metadata-not-strings.safetensors",
};

static void test_bad_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
		char path[4200], sub[1024];
		bad_file(bad_files[i], path, sizeof path, sub, sizeof sub);
		struct safetensors s;
		struct err e = {0};
		enum status st = safetensors_load(&s, path, &e);
		bad_file_check(bad_files[i], st, e.msg, sub);
		assert_null(s.file);
		assert_null(s.entries);
		safetensors_release(&s);
	}
}

static void test_good_zero_dim(void **state)
{
	(void)state;
	char path[4200];
	snprintf(path, sizeof path, "%s/good/st-zero-dim.safetensors", data_dir());
	struct safetensors s;
	struct err e = {0};
	if (safetensors_load(&s, path, &e) != ST_OK)
		fail_msg("%s", e.msg);
	const struct st_entry *t = safetensors_get(&s, "empty");
	assert_non_null(t);
	assert_int_equal(t->ndim, 2);
	assert_int_equal(t->shape[0], 0);
	assert_int_equal(t->shape[1], 4);
	assert_int_equal(t->count, 0);
	float x;
	assert_int_equal(safetensors_read_f32(&s, t, &x, 0, &e), ST_OK);
	assert_int_equal(safetensors_read_f32(&s, safetensors_get(&s, "one"), &x, 1, &e), ST_OK);
	assert_true(x == 1.5f);
	assert_string_equal(safetensors_meta(&s, "format"), "pt");
	safetensors_release(&s);
}

static void test_missing_file(void **state)
{
	(void)state;
	struct safetensors s;
	struct err e = {0};
	assert_int_not_equal(safetensors_load(&s, "/nonexistent/x.safetensors", &e), ST_OK);
	assert_non_null(strstr(e.msg, "/nonexistent/x.safetensors"));
	safetensors_release(&s);
}

/* Every truncation and many single-byte corruptions of a valid file must be
 * refused cleanly (or still load), never crash or leak. */
static void test_corruptions(void **state)
{
	(void)state;
	char dir[4096], path[4200], bad[4300];
	make_tmpdir(dir, sizeof dir, "st");
	snprintf(path, sizeof path, "%s/ok.safetensors", dir);
	snprintf(bad, sizeof bad, "%s/bad.safetensors", dir);
	const float w[6] = {1, 2, 3, 4, 5, 6};
	struct st_item items[] = {
		{.name = "w", .ndim = 2, .shape = {2, 3}, .data = w},
		{.name = "b", .ndim = 1, .shape = {2}, .data = w},
		{.name = "z", .ndim = 1, .shape = {0}, .data = NULL},
	};
	const char *meta[] = {"k", "v", NULL};
	struct err e = {0};
	assert_int_equal(safetensors_save(path, items, 3, meta, &e), ST_OK);
	size_t n;
	unsigned char *orig = read_file(path, &n);
	struct safetensors s;
	for (size_t len = 0; len < n; len++) {
		write_file(bad, orig, len);
		assert_int_equal(safetensors_load(&s, bad, &e), ST_BADINPUT);
		assert_non_null(strstr(e.msg, "bad.safetensors"));
	}
	unsigned char *copy = malloc(n);
	assert_non_null(copy);
	static const unsigned char flips[] = {0x01, 0x80, 0xff, '"', '[', ']', '-', '9'};
	for (size_t pos = 0; pos < n; pos++) {
		for (size_t k = 0; k < sizeof flips; k++) {
			memcpy(copy, orig, n);
			copy[pos] = k < 3 ? copy[pos] ^ flips[k] : flips[k];
			write_file(bad, copy, n);
			enum status st = safetensors_load(&s, bad, &e);
			assert_true(st == ST_OK || st == ST_BADINPUT);
			if (st == ST_OK) {
				for (size_t i = 0; i < s.n; i++) {
					assert_true(s.entries[i].end <= s.size - s.data_off);
					float buf[64];
					if (s.entries[i].count <= 64)
						safetensors_read_f32(&s, &s.entries[i], buf,
								     (size_t)s.entries[i].count, &e);
				}
			}
			safetensors_release(&s);
		}
	}
	free(copy);
	free(orig);
	remove_tmpdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_half_exhaustive),
		cmocka_unit_test(test_half_file),    cmocka_unit_test(test_count_mismatch),
		cmocka_unit_test(test_bad_corpus),   cmocka_unit_test(test_good_zero_dim),
		cmocka_unit_test(test_missing_file), cmocka_unit_test(test_corruptions),
	};
	return cmocka_run_group_tests_name("safetensors", tests, NULL, NULL);
}

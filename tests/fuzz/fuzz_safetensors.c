/* safetensors_load on arbitrary bytes: header length, JSON header, tensor
 * table, tiling of the data section. A file that loads must also convert
 * (F32/F16/BF16/F64 tensors), find every entry by name, and survive a
 * save/load round trip of its float tensors bit for bit. */
#include "fuzz_common.h"
#include "io/safetensors.h"

#include <stdlib.h>
#include <string.h>

static void roundtrip(const struct safetensors *s, float **vals, const int *ok)
{
	struct st_item *items = calloc(s->n ? s->n : 1, sizeof *items);
	FUZZ_CHECK(items != NULL, "oom");
	size_t k = 0;
	for (size_t i = 0; i < s->n; i++) {
		if (!ok[i])
			continue;
		const struct st_entry *t = &s->entries[i];
		int fits = 1;
		for (int d = 0; d < t->ndim; d++)
			fits &= t->shape[d] <= (uint64_t)INT64_MAX;
		if (!fits)
			continue;
		items[k].name = t->name;
		items[k].ndim = t->ndim;
		for (int d = 0; d < t->ndim; d++)
			items[k].shape[d] = (int64_t)t->shape[d];
		items[k].data = vals[i];
		k++;
	}
	struct err e = {0};
	const char *out = fuzz_path("rt.safetensors");
	enum status st = safetensors_save(out, items, k, (const char *const *)s->meta, &e);
	if (st == ST_OK) {
		struct safetensors r;
		st = safetensors_load(&r, out, &e);
		FUZZ_CHECK(st == ST_OK, "saved file does not load: %s", e.msg);
		FUZZ_CHECK(r.n == k, "round trip: %zu tensors, saved %zu", r.n, k);
		for (size_t i = 0; i < k; i++) {
			const struct st_entry *t = safetensors_get(&r, items[i].name);
			FUZZ_CHECK(t && t->dtype == ST_DT_F32 && t->ndim == items[i].ndim,
				   "round trip lost tensor %s", items[i].name);
			size_t bytes = (size_t)t->count * 4;
			FUZZ_CHECK(t->end - t->begin == bytes, "round trip size");
			float *v = malloc(bytes ? bytes : 1);
			FUZZ_CHECK(v != NULL, "oom");
			FUZZ_CHECK(safetensors_read_f32(&r, t, v, (size_t)t->count, &e) == ST_OK,
				   "%s", e.msg);
			FUZZ_CHECK(!bytes || memcmp(v, items[i].data, bytes) == 0,
				   "round trip changed the values of %s", items[i].name);
			free(v);
		}
		for (char **m = s->meta; m && m[0]; m += 2) {
			const char *v = safetensors_meta(&r, m[0]);
			FUZZ_CHECK(v != NULL, "round trip lost metadata %s", m[0]);
		}
		safetensors_release(&r);
	} else {
		fuzz_check_msg(e.msg);
	}
	free(items);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("model.safetensors", data, size);
	struct safetensors s;
	struct err e = {0};
	enum status st = safetensors_load(&s, path, &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(s.n == 0 && s.entries == NULL && s.file == NULL, "not left empty");
		safetensors_release(&s);
		return 0;
	}
	FUZZ_CHECK(s.data_off >= 8 && s.data_off <= s.size, "data_off %zu of %zu", s.data_off,
		   s.size);
	float **vals = calloc(s.n ? s.n : 1, sizeof *vals);
	int *ok = calloc(s.n ? s.n : 1, sizeof *ok);
	FUZZ_CHECK(vals && ok, "oom");
	for (size_t i = 0; i < s.n; i++) {
		const struct st_entry *t = &s.entries[i];
		FUZZ_CHECK(safetensors_get(&s, t->name) != NULL, "entry %s not found", t->name);
		FUZZ_CHECK(i == 0 || strcmp(s.entries[i - 1].name, t->name) < 0, "not sorted");
		FUZZ_CHECK(t->begin <= t->end && t->end <= s.size - s.data_off, "extent");
		/* count * dtype size == end - begin, so the float copy is bounded by
		 * twice the file (F16/BF16 -> F32). */
		if (t->count > (s.size - s.data_off) + 1)
			FUZZ_CHECK(0, "count %llu > data", (unsigned long long)t->count);
		float *v = malloc((size_t)t->count * sizeof *v + 1);
		FUZZ_CHECK(v != NULL, "oom");
		struct err e2 = {0};
		st = safetensors_read_f32(&s, t, v, (size_t)t->count, &e2);
		if (st == ST_OK) {
			vals[i] = v;
			ok[i] = 1;
		} else {
			fuzz_check_msg(e2.msg);
			free(v);
		}
		/* Wrong count and wrong shape are errors, never reads. */
		float one;
		if (t->count != 1)
			FUZZ_CHECK(safetensors_read_f32(&s, t, &one, 1, &e2) == ST_BADINPUT,
				   "count mismatch accepted");
		int64_t shp[ST_MAX_DIMS];
		for (int d = 0; d < t->ndim; d++)
			shp[d] = (int64_t)(t->shape[d] & 0x3fffffffffffffffu);
		if (ok[i]) {
			float *w = malloc((size_t)t->count * sizeof *w + 1);
			int exact = 1;
			for (int d = 0; d < t->ndim; d++)
				exact &= (uint64_t)shp[d] == t->shape[d];
			st = safetensors_read_f32_shape(&s, t, w, t->ndim, shp, &e2);
			FUZZ_CHECK(!exact || st == ST_OK, "own shape rejected: %s", e2.msg);
			free(w);
		}
		shp[0] = -1;
		FUZZ_CHECK(safetensors_read_f32_shape(&s, t, &one, t->ndim ? t->ndim : 1, shp,
						      &e2) == ST_BADINPUT,
			   "negative shape accepted");
	}
	FUZZ_CHECK(safetensors_get(&s, "\x01no such tensor") == NULL, "phantom tensor");
	for (char **m = s.meta; m && m[0]; m += 2)
		FUZZ_CHECK(m[1] != NULL && safetensors_meta(&s, m[0]) != NULL, "metadata");
	roundtrip(&s, vals, ok);
	for (size_t i = 0; i < s.n; i++)
		free(vals[i]);
	free(vals);
	free(ok);
	safetensors_release(&s);
	return 0;
}

/* safetensors (https://github.com/huggingface/safetensors): an 8-byte
 * little-endian header length, a JSON header mapping tensor names to
 * {dtype, shape, data_offsets}, then the raw little-endian data. Files come
 * from other people, so the loader validates every size and offset before
 * anything reads the data. */
#ifndef SEQSTEP_SAFETENSORS_H
#define SEQSTEP_SAFETENSORS_H

#include "base/status.h"

#include <stddef.h>
#include <stdint.h>

/* ST_DT_OTHER: a known safetensors dtype (BOOL, U8, I8, I16, U16, U32, U64,
 * F8_E4M3, F8_E5M2) that loads but cannot be read as floats. */
enum st_dtype { ST_DT_F32, ST_DT_F16, ST_DT_BF16, ST_DT_F64, ST_DT_I64, ST_DT_I32, ST_DT_OTHER };

#define ST_MAX_DIMS 8
#define ST_MAX_HEADER (100u * 1000u * 1000u) /* bytes, as the reference loader */

struct st_entry {
	const char *name;
	enum st_dtype dtype;
	int ndim;
	uint64_t shape[ST_MAX_DIMS];
	uint64_t count;     /* product of shape; 1 for ndim 0, 0 if any dim is 0 */
	size_t begin, end;  /* byte offsets into the data section */
	const char *dtype_name; /* "F32", "I8", ... (static string) */
};

struct safetensors {
	char *path;
	unsigned char *file;
	size_t size;
	size_t data_off;          /* start of the data section in file */
	struct st_entry *entries; /* sorted by name */
	size_t n;
	char **meta;              /* "__metadata__" as NULL-terminated key,value,... or NULL */
	char *strings_;           /* private: storage for names and metadata */
};

/* Reads the whole file and validates everything. On failure s is left empty
 * (safetensors_release is still safe). */
enum status safetensors_load(struct safetensors *s, const char *path, struct err *e);
void safetensors_release(struct safetensors *s);
/* NULL if absent. */
const struct st_entry *safetensors_get(const struct safetensors *s, const char *name);
/* The value of a "__metadata__" key, NULL if absent. */
const char *safetensors_meta(const struct safetensors *s, const char *key);
/* The entry's raw bytes (end - begin of them). */
const unsigned char *safetensors_data(const struct safetensors *s, const struct st_entry *t);

/* Converts F32/F16/BF16 (also F64) to float; count must equal t->count else
 * ST_BADINPUT naming the tensor and its shape. F64 values outside the float
 * range are ST_BADINPUT. */
enum status safetensors_read_f32(const struct safetensors *s, const struct st_entry *t,
				 float *dst, size_t count, struct err *e);
/* Same, but the tensor's shape must be exactly shape[0..ndim); the message
 * names both shapes. */
enum status safetensors_read_f32_shape(const struct safetensors *s, const struct st_entry *t,
				       float *dst, int ndim, const int64_t *shape,
				       struct err *e);

/* Exact conversions (subnormals, infinities, NaN payloads, signed zero). */
float st_half_to_float(uint16_t h);
float st_bf16_to_float(uint16_t h);

struct st_item {
	const char *name;
	int ndim;              /* 0..8 */
	int64_t shape[ST_MAX_DIMS];
	const float *data;     /* F32; may be NULL when the shape has a 0 */
};

/* Writes atomically (temp file in the same folder + fsync + rename), replacing
 * an existing file; header keys sorted, data in the same order, data section
 * 8-byte aligned; includes "__metadata__" only if meta != NULL (string->string
 * pairs, NULL-terminated array of key,value). */
enum status safetensors_save(const char *path, const struct st_item *items, size_t n,
			     const char *const *meta, struct err *e);

#endif

#include "trace/trace.h"
#include "base/parse.h"

#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct trace_slot {
	const char *name; /* NULL: empty */
	size_t index;
};

void trace_init(struct trace *tr)
{
	memset(tr, 0, sizeof *tr);
	arena_init(&tr->arena);
}

void trace_release(struct trace *tr)
{
	arena_release(&tr->arena);
	free(tr->items);
	free(tr->slots);
	memset(tr, 0, sizeof *tr);
}

void trace_clear(struct trace *tr)
{
	arena_release(&tr->arena);
	tr->n = 0;
	tr->oom = 0;
	tr->whatif = NULL;
	if (tr->slots)
		memset(tr->slots, 0, tr->nslots * sizeof *tr->slots);
}

void trace_set_whatif(struct trace *tr, const char *line)
{
	tr->whatif = line && line[0] ? trace_str(tr, line) : NULL;
}

const char *trace_whatif(const struct trace *tr)
{
	return tr && tr->whatif ? tr->whatif : "";
}

static size_t hash_name(const char *s)
{
	size_t h = 1469598103934665603u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static struct trace_slot *slot_find(const struct trace *tr, const char *name)
{
	if (!tr->nslots)
		return NULL;
	size_t i = hash_name(name) & (tr->nslots - 1);
	for (;;) {
		struct trace_slot *s = &tr->slots[i];
		if (!s->name || strcmp(s->name, name) == 0)
			return s;
		i = (i + 1) & (tr->nslots - 1);
	}
}

static int index_grow(struct trace *tr)
{
	size_t n = tr->nslots ? tr->nslots * 2 : 256;
	struct trace_slot *slots = calloc(n, sizeof *slots);
	if (!slots)
		return 0;
	free(tr->slots);
	tr->slots = slots;
	tr->nslots = n;
	for (size_t k = 0; k < tr->n; k++) {
		struct trace_slot *s = slot_find(tr, tr->items[k]->name);
		s->name = tr->items[k]->name;
		s->index = k;
	}
	return 1;
}

const char *trace_str(struct trace *tr, const char *s)
{
	if (!s)
		return NULL;
	char *p = arena_strdup(&tr->arena, s);
	if (!p)
		tr->oom = 1;
	return p;
}

const char *const *trace_labels(struct trace *tr, int n, const char *const *labels)
{
	if (!labels || n <= 0)
		return NULL;
	const char **out = arena_calloc(&tr->arena, (size_t)n, sizeof *out);
	if (!out) {
		tr->oom = 1;
		return NULL;
	}
	for (int i = 0; i < n; i++)
		out[i] = trace_str(tr, labels[i] ? labels[i] : "");
	return out;
}

struct tensor *trace_add(struct trace *tr, const char *name, int rows, int cols,
			 const float *data, const char *desc)
{
	size_t count;
	if (rows < 0 || cols < 0 || !size_mul((size_t)rows, (size_t)cols, &count)) {
		tr->oom = 1;
		return NULL;
	}
	if ((tr->n + 1) * 2 > tr->nslots && !index_grow(tr))
		goto oom;
	if (tr->n == tr->cap) {
		size_t cap = tr->cap ? tr->cap * 2 : 128;
		struct tensor **items = realloc(tr->items, cap * sizeof *items);
		if (!items)
			goto oom;
		tr->items = items;
		tr->cap = cap;
	}
	struct tensor *t = arena_calloc(&tr->arena, 1, sizeof *t);
	float *buf = arena_calloc(&tr->arena, count ? count : 1, sizeof *buf);
	const char *nm = trace_str(tr, name);
	if (!t || !buf || !nm)
		goto oom;
	if (data && count)
		memcpy(buf, data, count * sizeof *buf);
	t->name = nm;
	t->ndim = 2;
	t->rows = rows;
	t->cols = cols;
	t->data = buf;
	t->row.n = rows;
	t->col.n = cols;
	t->desc = trace_str(tr, desc ? desc : "");

	struct trace_slot *s = slot_find(tr, name);
	if (s->name) { /* replace in place, keeping pipeline order */
		tr->items[s->index] = t;
		s->name = t->name;
	} else {
		s->name = t->name;
		s->index = tr->n;
		tr->items[tr->n++] = t;
	}
	return t;
oom:
	tr->oom = 1;
	return NULL;
}

struct tensor *trace_addf(struct trace *tr, int rows, int cols, const float *data,
			  const char *desc, const char *namefmt, ...)
{
	char name[256];
	va_list ap;
	va_start(ap, namefmt);
	vsnprintf(name, sizeof name, namefmt, ap);
	va_end(ap);
	return trace_add(tr, name, rows, cols, data, desc);
}

struct tensor *trace_put(struct trace *tr, const char *name, int rows, int cols,
			 const float *data, const char *row_title, const char *const *row_labels,
			 const char *col_title, const char *const *col_labels, const char *descfmt,
			 ...)
{
	char desc[320];
	va_list ap;
	va_start(ap, descfmt);
	vsnprintf(desc, sizeof desc, descfmt, ap);
	va_end(ap);
	struct tensor *t = trace_add(tr, name, rows, cols, data, desc);
	tensor_set_rows(t, row_title, row_labels);
	tensor_set_cols(t, col_title, col_labels);
	if (t && rows == 1 && !row_labels)
		t->ndim = 1;
	return t;
}

struct tensor *trace_add_strided(struct trace *tr, const char *name, int rows, int cols,
				 const float *src, int ld, const char *desc)
{
	struct tensor *t = trace_add(tr, name, rows, cols, NULL, desc);
	if (t)
		for (int r = 0; r < rows; r++)
			memcpy(t->data + (size_t)r * cols, src + (size_t)r * ld,
			       (size_t)cols * sizeof(float));
	return t;
}

struct tensor *trace_add_transposed(struct trace *tr, const char *name, int rows, int cols,
				    const float *src, const char *desc)
{
	struct tensor *t = trace_add(tr, name, cols, rows, NULL, desc);
	if (t)
		for (int r = 0; r < rows; r++)
			for (int c = 0; c < cols; c++)
				t->data[(size_t)c * rows + r] = src[(size_t)r * cols + c];
	return t;
}

static void copy_axis(struct trace *dst, struct axis *to, const struct axis *from)
{
	to->title = trace_str(dst, from->title);
	to->labels = trace_labels(dst, from->n, from->labels);
}

enum status trace_copy(struct trace *dst, const struct trace *src, struct err *e)
{
	trace_init(dst);
	for (size_t k = 0; k < src->n && !dst->oom; k++) {
		const struct tensor *s = src->items[k];
		struct tensor *t = trace_add(dst, s->name, s->rows, s->cols, s->data, s->desc);
		if (!t)
			break;
		t->ndim = s->ndim;
		t->integer = s->integer;
		copy_axis(dst, &t->row, &s->row);
		copy_axis(dst, &t->col, &s->col);
		t->prov = s->prov;
		for (int i = 0; i < PROV_MAX_IN; i++)
			t->prov.in[i] = trace_str(dst, s->prov.in[i]);
	}
	trace_set_whatif(dst, src->whatif);
	if (dst->oom) {
		trace_release(dst);
		return err_set(e, ST_NOMEM, "out of memory copying the trace");
	}
	return ST_OK;
}

const struct tensor *trace_get(const struct trace *tr, const char *name)
{
	struct trace_slot *s = slot_find(tr, name);
	return s && s->name ? tr->items[s->index] : NULL;
}

struct tensor *trace_get_mut(struct trace *tr, const char *name)
{
	return (struct tensor *)trace_get(tr, name);
}

void tensor_set_rows(struct tensor *t, const char *title, const char *const *labels)
{
	if (!t)
		return;
	t->row.title = title;
	t->row.labels = labels;
}

void tensor_set_cols(struct tensor *t, const char *title, const char *const *labels)
{
	if (!t)
		return;
	t->col.title = title;
	t->col.labels = labels;
}

void tensor_set_cells(struct trace *tr, struct tensor *t, const char *const *labels)
{
	if (t)
		t->cells = trace_labels(tr, t->rows * t->cols, labels);
}

void tensor_set_prov(struct trace *tr, struct tensor *t, enum prov_kind kind,
		     const char *in0, const char *in1, const char *in2, const char *in3,
		     const char *in4)
{
	if (!t)
		return;
	const char *in[PROV_MAX_IN] = {in0, in1, in2, in3, in4};
	t->prov.kind = kind;
	for (int i = 0; i < PROV_MAX_IN; i++)
		t->prov.in[i] = trace_str(tr, in[i]);
}

const char *axis_label(const struct axis *a, int i, char *buf, size_t n)
{
	if (a->labels && i >= 0 && i < a->n)
		return a->labels[i];
	snprintf(buf, n, "%d", i);
	return buf;
}

int axis_find(const struct axis *a, int n, const char *s)
{
	int v;
	if (parse_int(s, 0, n - 1, &v))
		return v;
	char buf[64]; /* holds an index; labels are returned as they are */
	for (int i = 0; i < n; i++)
		if (strcmp(axis_label(a, i, buf, sizeof buf), s) == 0)
			return i;
	return -1;
}

enum status trace_status(const struct trace *tr, struct err *e)
{
	if (tr && tr->oom)
		return err_set(e, ST_NOMEM, "out of memory while recording the trace");
	return ST_OK;
}

size_t trace_match(const struct trace *tr, const char *glob,
		   void (*fn)(const struct tensor *t, void *ctx), void *ctx)
{
	size_t hits = 0;
	for (size_t k = 0; k < tr->n; k++) {
		if (fnmatch(glob, tr->items[k]->name, 0) == 0) {
			hits++;
			if (fn)
				fn(tr->items[k], ctx);
		}
	}
	return hits;
}

const char *tensor_fmt(const struct tensor *t, float v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "nan");
	else if (isinf(v))
		snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
	else if (t && t->integer)
		snprintf(buf, n, "%.0f", (double)v);
	else
		snprintf(buf, n, "%.4f", (double)v);
	return buf;
}

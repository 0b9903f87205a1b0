#include "engine/train_log.h"
#include "io/jsontext.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void train_log_init(struct train_log *l)
{
	memset(l, 0, sizeof *l);
}

void train_log_release(struct train_log *l)
{
	free(l->step);
	free(l->loss);
	free(l->lr);
	free(l->valid_step);
	free(l->valid_loss);
	free(l->valid_exact);
	free(l->valid_bleu);
	memset(l, 0, sizeof *l);
}

void train_log_truncate(struct train_log *l, long step)
{
	while (l->n > 0 && l->step[l->n - 1] > step)
		l->n--;
	while (l->n_valid > 0 && l->valid_step[l->n_valid - 1] > step)
		l->n_valid--;
}

/* Grows the k arrays of one kind (each elem bytes) to hold one more. */
static int grow(int n, int *cap, void **arrays[], const size_t *elem, int k)
{
	if (n < *cap)
		return 1;
	if (n >= TRAIN_LOG_MAX)
		return 0;
	int nc = *cap ? *cap * 2 : 64;
	if (nc > TRAIN_LOG_MAX)
		nc = TRAIN_LOG_MAX;
	for (int i = 0; i < k; i++) {
		void *p = realloc(*arrays[i], (size_t)nc * elem[i]);
		if (!p)
			return 0; /* arrays already grown keep working at the old cap */
		*arrays[i] = p;
	}
	*cap = nc;
	return 1;
}

enum status train_log_add(struct train_log *l, long step, float loss, float lr, struct err *e)
{
	void **a[] = {(void **)&l->step, (void **)&l->loss, (void **)&l->lr};
	static const size_t sz[] = {sizeof(long), sizeof(float), sizeof(float)};
	if (!grow(l->n, &l->cap, a, sz, 3))
		return err_set(e, ST_NOMEM, "training log: out of memory or more than %d entries",
			       TRAIN_LOG_MAX);
	l->step[l->n] = step;
	l->loss[l->n] = loss;
	l->lr[l->n] = lr;
	l->n++;
	return ST_OK;
}

enum status train_log_add_valid(struct train_log *l, long step, float loss, float exact,
				float bleu, struct err *e)
{
	void **a[] = {(void **)&l->valid_step, (void **)&l->valid_loss, (void **)&l->valid_exact,
		      (void **)&l->valid_bleu};
	static const size_t sz[] = {sizeof(long), sizeof(float), sizeof(float), sizeof(float)};
	if (!grow(l->n_valid, &l->cap_valid, a, sz, 4))
		return err_set(e, ST_NOMEM, "training log: out of memory or more than %d entries",
			       TRAIN_LOG_MAX);
	l->valid_step[l->n_valid] = step;
	l->valid_loss[l->n_valid] = loss;
	l->valid_exact[l->n_valid] = exact;
	l->valid_bleu[l->n_valid] = bleu;
	l->n_valid++;
	return ST_OK;
}

/* ---- JSON ---- */

static json_t *int_array(const long *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static json_t *real_array(const float *v, int n)
{
	json_t *a = json_array();
	for (int i = 0; a && i < n; i++)
		json_array_append_new(a, json_real((double)v[i]));
	return a;
}

static json_t *log_object(const struct train_log *l)
{
	json_t *o = json_object(), *v = json_object();
	if (!o || !v) {
		json_decref(o);
		json_decref(v);
		return NULL;
	}
	json_object_set_new(o, "step", int_array(l->step, l->n));
	json_object_set_new(o, "loss", real_array(l->loss, l->n));
	json_object_set_new(o, "lr", real_array(l->lr, l->n));
	json_object_set_new(v, "step", int_array(l->valid_step, l->n_valid));
	json_object_set_new(v, "loss", real_array(l->valid_loss, l->n_valid));
	json_object_set_new(v, "exact", real_array(l->valid_exact, l->n_valid));
	json_object_set_new(v, "bleu", real_array(l->valid_bleu, l->n_valid));
	json_object_set_new(o, "valid", v);
	return o;
}

char *train_log_json(const struct train_log *l)
{
	json_t *o = log_object(l);
	char *s = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6))
		    : NULL;
	json_decref(o);
	return s;
}

char *train_log_merge(const char *train_json, const struct train_log *l)
{
	json_t *root = json_loads(train_json, 0, NULL);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return NULL;
	}
	json_object_del(root, "log");
	/* The configuration as before, indented, then the log on one line: a
	 * reader sees the settings first and the numbers do not take a line
	 * each. */
	/* 15 digits print a decimal literal as written (0.003, not 0.0030000000000000001) */
	char *cfg = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	json_decref(root);
	char *log = train_log_json(l);
	char *out = NULL;
	if (cfg && log) {
		/* cfg ends with the object's closing brace: the log goes before it */
		size_t n = strlen(cfg);
		while (n > 0 && cfg[n - 1] != '}')
			n--;
		if (n > 0)
			n--;
		while (n > 0 && (cfg[n - 1] == '\n' || cfg[n - 1] == ' '))
			n--;
		int empty = n > 0 && cfg[n - 1] == '{';
		size_t cap = n + strlen(log) + 32;
		out = malloc(cap);
		if (out)
			snprintf(out, cap, "%.*s%s\n  \"log\": %s\n}\n", (int)n, cfg, empty ? "" : ",",
				 log);
	}
	free(cfg);
	free(log);
	return out;
}

static enum status bad(const char *path, const char *field, const char *what, struct err *e)
{
	return err_set(e, ST_BADINPUT, "%s: \"log\": \"%s\" %s", path, field, what);
}

/* One array of the log: at most TRAIN_LOG_MAX numbers, of length n (n < 0:
 * any, and it sets n). Steps must be whole, positive and increasing. */
static enum status read_array(json_t *obj, const char *key, const char *field, int *n, long *steps,
			      float *vals, const char *path, struct err *e)
{
	json_t *a = json_object_get(obj, key);
	if (!a)
		return bad(path, field, "is missing", e);
	if (!json_is_array(a))
		return bad(path, field, "must be an array of numbers", e);
	size_t len = json_array_size(a);
	if (len > TRAIN_LOG_MAX)
		return bad(path, field, "has more than 100000 entries", e);
	if (*n >= 0 && len != (size_t)*n)
		return bad(path, field, "must be as long as the steps", e);
	*n = (int)len;
	for (size_t i = 0; i < len; i++) {
		json_t *x = json_array_get(a, i);
		if (steps) {
			if (!json_is_integer(x) || json_integer_value(x) < 0 ||
			    json_integer_value(x) > 1000000000 ||
			    (i > 0 && json_integer_value(x) <= steps[i - 1]))
				return bad(path, field, "must hold increasing step numbers", e);
			steps[i] = (long)json_integer_value(x);
		} else {
			double v = json_is_number(x) ? json_number_value(x) : NAN;
			if (!isfinite(v) || fabs(v) > 1e30)
				return bad(path, field, "must hold finite numbers", e);
			vals[i] = (float)v;
		}
	}
	return ST_OK;
}

enum status train_log_parse(struct train_log *l, const char *text, size_t len, const char *path,
			    struct err *e)
{
	train_log_init(l);
	json_t *root = jsontext_parse(text, len, path, e);
	if (!root)
		return ST_BADINPUT;
	json_t *log = json_object_get(root, "log");
	enum status st = ST_OK;
	if (!log)
		goto out;
	json_t *v = json_object_get(log, "valid");
	if (!json_is_object(log) || (v && !json_is_object(v))) {
		st = err_set(e, ST_BADINPUT, "%s: \"log\" must be an object with step, loss, lr and valid",
			     path);
		goto out;
	}
	/* Sizes first, so the arrays are allocated once. */
	json_t *s = json_object_get(log, "step"), *vs = v ? json_object_get(v, "step") : NULL;
	size_t n = json_is_array(s) ? json_array_size(s) : 0;
	size_t m = json_is_array(vs) ? json_array_size(vs) : 0;
	n = n > TRAIN_LOG_MAX ? TRAIN_LOG_MAX : n;
	m = m > TRAIN_LOG_MAX ? TRAIN_LOG_MAX : m;
	l->step = calloc(n ? n : 1, sizeof *l->step);
	l->loss = calloc(n ? n : 1, sizeof *l->loss);
	l->lr = calloc(n ? n : 1, sizeof *l->lr);
	l->valid_step = calloc(m ? m : 1, sizeof *l->valid_step);
	l->valid_loss = calloc(m ? m : 1, sizeof *l->valid_loss);
	l->valid_exact = calloc(m ? m : 1, sizeof *l->valid_exact);
	l->valid_bleu = calloc(m ? m : 1, sizeof *l->valid_bleu);
	if (!l->step || !l->loss || !l->lr || !l->valid_step || !l->valid_loss || !l->valid_exact ||
	    !l->valid_bleu) {
		st = err_set(e, ST_NOMEM, "%s: out of memory", path);
		goto out;
	}
	l->cap = (int)(n ? n : 1);
	l->cap_valid = (int)(m ? m : 1);
	int k = -1, j = -1;
	if ((st = read_array(log, "step", "step", &k, l->step, NULL, path, e)) ||
	    (st = read_array(log, "loss", "loss", &k, NULL, l->loss, path, e)) ||
	    (st = read_array(log, "lr", "lr", &k, NULL, l->lr, path, e)))
		goto out;
	l->n = k;
	if (v) {
		if ((st = read_array(v, "step", "valid.step", &j, l->valid_step, NULL, path, e)) ||
		    (st = read_array(v, "loss", "valid.loss", &j, NULL, l->valid_loss, path, e)) ||
		    (st = read_array(v, "exact", "valid.exact", &j, NULL, l->valid_exact, path, e)) ||
		    (st = read_array(v, "bleu", "valid.bleu", &j, NULL, l->valid_bleu, path, e)))
			goto out;
		l->n_valid = j;
	}
out:
	if (st)
		train_log_release(l);
	json_decref(root);
	return st;
}

/* ---- the trace ---- */

/* Columns labelled by their step numbers, so a cell reads "loss at 2000". */
static void label_steps(struct trace *tr, struct tensor *t, const long *step, int n)
{
	char *buf = malloc((size_t)n * 24);
	const char **lab = malloc((size_t)n * sizeof *lab);
	if (buf && lab) {
		for (int i = 0; i < n; i++) {
			snprintf(buf + (size_t)i * 24, 24, "%ld", step[i]);
			lab[i] = buf + (size_t)i * 24;
		}
		tensor_set_cols(t, "step", trace_labels(tr, n, lab));
	} else {
		tr->oom = 1;
	}
	free(buf);
	free(lab);
}

static void record(struct trace *tr, const char *name, const long *step, const float *v, int n,
		   const char *desc)
{
	struct tensor *t = trace_add(tr, name, 1, n, v, desc);
	if (!t)
		return;
	t->ndim = 1;
	if (!v) {
		t->integer = 1;
		for (int i = 0; i < n; i++)
			t->data[i] = (float)step[i];
	}
	label_steps(tr, t, step, n);
}

void train_log_record(const struct train_log *l, struct trace *tr)
{
	if (l->n > 0) {
		record(tr, "train.step", l->step, NULL, l->n, "training steps at which the log was taken");
		record(tr, "train.loss", l->step, l->loss, l->n,
		       "mean training loss (cross-entropy per target token) over the steps since the last log");
		record(tr, "train.lr", l->step, l->lr, l->n, "learning rate at that step");
	}
	if (l->n_valid > 0) {
		record(tr, "train.valid.step", l->valid_step, NULL, l->n_valid,
		       "training steps at which the validation split was decoded");
		record(tr, "train.valid.loss", l->valid_step, l->valid_loss, l->n_valid,
		       "validation loss (teacher forced, per target token)");
		record(tr, "train.valid.exact", l->valid_step, l->valid_exact, l->n_valid,
		       "validation exact match, percent of sentences (greedy decoding)");
		record(tr, "train.valid.bleu", l->valid_step, l->valid_bleu, l->n_valid,
		       "validation corpus BLEU-4");
	}
}

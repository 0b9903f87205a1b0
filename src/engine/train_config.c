/* The training config file and its train options (train_config.h). */
#include "engine/train_config.h"
#include "io/jsontext.h"
#include "base/fileio.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- options ---------- */

void train_opts_default(struct train_opts *o)
{
	memset(o, 0, sizeof *o);
	o->steps = 2000;
	o->batch_size = 32;
	o->lr = 1e-3f;
	o->warmup = 100;
	o->decay = LR_COSINE;
	o->min_lr_ratio = 0.1f;
	o->adamw = 1;
	o->beta1 = 0.9f;
	o->beta2 = 0.98f;
	o->eps = 1e-9f;
	o->weight_decay = 0.0f;
	o->clip = 1.0f;
	o->label_smoothing = 0.0f;
	o->dropout = 0.0f;
	o->eval_every = 500;
	o->eval_max = 500;
	o->seed = 1;
	o->min_count = 1;
	o->bpe_merges = 1000;
	o->threads = 2;
}

static enum status opt_bad(const char *path, const char *field, const char *what,
			   struct err *e)
{
	return err_set(e, ST_BADINPUT, "%s: train.%s %s", path, field, what);
}

static enum status opt_num(json_t *t, const char *path, const char *field, double lo, double hi,
			   int integer, double *out, int *present, struct err *e)
{
	json_t *v = json_object_get(t, field);
	*present = v != NULL;
	if (!v)
		return ST_OK;
	if (integer ? !json_is_integer(v) : !json_is_number(v))
		return opt_bad(path, field, integer ? "must be an integer" : "must be a number", e);
	double x = json_number_value(v);
	if (!(x >= lo && x <= hi)) {
		char msg[128];
		snprintf(msg, sizeof msg, "is %g; expected %g..%g", x, lo, hi);
		return opt_bad(path, field, msg, e);
	}
	*out = x;
	return ST_OK;
}

static enum status train_opts_parse(struct train_opts *o, json_t *t, const char *path,
				    struct err *e)
{
	static const char *const known[] = {
		"steps", "batch_size", "lr", "warmup", "decay", "min_lr_ratio", "optimizer",
		"beta1", "beta2", "eps", "weight_decay", "clip", "label_smoothing", "dropout",
		"eval_every", "log_every", "eval_max", "seed", "min_count", "bpe_merges", "threads"};
	train_opts_default(o);
	if (!t)
		return ST_OK;
	if (!json_is_object(t))
		return err_set(e, ST_BADINPUT, "%s: \"train\" must be an object", path);
	const char *key;
	json_t *val;
	json_object_foreach(t, key, val) {
		size_t i = 0;
		while (i < sizeof known / sizeof *known && strcmp(key, known[i]))
			i++;
		/* A misspelt option silently taking its default would waste a run. */
		if (i == sizeof known / sizeof *known)
			return opt_bad(path, key, "is not a training option", e);
	}
	struct {
		const char *name;
		double lo, hi;
		int integer;
		int kind; /* 0 long, 1 int, 2 float, 3 u64 */
		void *dst;
	} f[] = {
		{"steps", 1, 1e9, 1, 0, &o->steps},
		{"batch_size", 1, 4096, 1, 1, &o->batch_size},
		{"lr", 0, 10, 0, 2, &o->lr},
		{"warmup", 0, 1e9, 1, 0, &o->warmup},
		{"min_lr_ratio", 0, 1, 0, 2, &o->min_lr_ratio},
		{"beta1", 0, 0.999999, 0, 2, &o->beta1},
		{"beta2", 0, 0.999999, 0, 2, &o->beta2},
		{"eps", 0, 1, 0, 2, &o->eps},
		{"weight_decay", 0, 10, 0, 2, &o->weight_decay},
		{"clip", 0, 1e9, 0, 2, &o->clip},
		{"label_smoothing", 0, 0.99, 0, 2, &o->label_smoothing},
		{"dropout", 0, 0.9, 0, 2, &o->dropout},
		{"eval_every", 0, 1e9, 1, 0, &o->eval_every},
		{"log_every", 0, 1e9, 1, 0, &o->log_every},
		{"eval_max", 0, 1e9, 1, 1, &o->eval_max},
		{"seed", 0, 9007199254740992.0, 1, 3, &o->seed},
		{"min_count", 1, 1e9, 1, 1, &o->min_count},
		{"bpe_merges", 0, 1e7, 1, 1, &o->bpe_merges},
		{"threads", 1, TRAIN_SHARDS, 1, 1, &o->threads},
	};
	for (size_t i = 0; i < sizeof f / sizeof *f; i++) {
		double x = 0;
		int present;
		enum status st = opt_num(t, path, f[i].name, f[i].lo, f[i].hi, f[i].integer, &x,
					 &present, e);
		if (st)
			return st;
		if (!present)
			continue;
		switch (f[i].kind) {
		case 0: *(long *)f[i].dst = (long)x; break;
		case 1: *(int *)f[i].dst = (int)x; break;
		case 2: *(float *)f[i].dst = (float)x; break;
		default: *(uint64_t *)f[i].dst = (uint64_t)x; break;
		}
	}
	json_t *v = json_object_get(t, "decay");
	if (v) {
		int d = json_is_string(v) ? lr_decay_parse(json_string_value(v)) : -1;
		if (d < 0)
			return opt_bad(path, "decay", "must be \"constant\", \"linear\", \"cosine\" or \"inv_sqrt\"", e);
		o->decay = d;
	}
	v = json_object_get(t, "optimizer");
	if (v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(s, "adamw") && strcmp(s, "adam"))
			return opt_bad(path, "optimizer", "must be \"adam\" or \"adamw\"", e);
		o->adamw = strcmp(s, "adamw") == 0;
	}
	return ST_OK;
}

/* ---------- the training config file ---------- */

enum status train_config_read(const char *path, char **text, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_BADINPUT, "%s: cannot open: %s", path, strerror(errno));
	size_t len;
	int err;
	/* at most 4 MB less 2 bytes, the most this has always accepted */
	enum file_read r = file_read_limited(f, (4u << 20) - 2, text, &len, &err);
	fclose(f);
	if (r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_BADINPUT, "%s: larger than 4 MB", path);
	if (r == FILE_READ_NOMEM)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_BADINPUT, "%s: read error", path);
	return ST_OK;
}

/* Splits CONFIG into the model's config.json (with the vocabulary and merges
 * file names filled in) and the train options. */
enum status train_config_split(const char *path, const char *text, char **model_json,
				struct config *cfg, struct train_opts *o, struct err *e)
{
	json_t *root = jsontext_parse(text, strlen(text), path, e);
	if (!root)
		return ST_BADINPUT;
	enum status st = ST_OK;
	*model_json = NULL;
	if (!json_is_object(root)) {
		st = err_set(e, ST_BADINPUT, "%s: must be a JSON object", path);
		goto out;
	}
	if ((st = train_opts_parse(o, json_object_get(root, "train"), path, e)))
		goto out;
	json_object_del(root, "train");
	json_object_del(root, "log"); /* the history a previous run wrote (train_log.h) */
	static const char *const sides[] = {"src", "tgt"};
	for (int i = 0; i < 2; i++) {
		json_t *s = json_object_get(root, sides[i]);
		if (!json_is_object(s))
			continue; /* config_parse names the problem */
		char name[32];
		snprintf(name, sizeof name, "%s.vocab", sides[i]);
		if (!json_object_get(s, "vocab"))
			json_object_set_new(s, "vocab", json_string(name));
		json_t *k = json_object_get(s, "tokenizer");
		if (json_is_string(k) && strcmp(json_string_value(k), "bpe") == 0 &&
		    !json_object_get(s, "merges")) {
			snprintf(name, sizeof name, "%s.merges", sides[i]);
			json_object_set_new(s, "merges", json_string(name));
		}
	}
	*model_json = json_dumps(root, JSON_INDENT(2));
	if (!*model_json) {
		st = err_set(e, ST_NOMEM, "%s: out of memory", path);
		goto out;
	}
	st = config_parse(cfg, *model_json, strlen(*model_json), path, e);
	if (!st && cfg->arch != ARCH_TRANSFORMER && cfg->arch != ARCH_RNN_SEQ2SEQ)
		st = err_set(e, ST_BADINPUT, "%s: only transformer and rnn_seq2seq models train",
			     path);
out:
	if (st) {
		free(*model_json);
		*model_json = NULL;
	}
	json_decref(root);
	return st;
}

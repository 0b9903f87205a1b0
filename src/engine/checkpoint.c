#include "engine/checkpoint.h"
#include "base/atomicfile.h"
#include "io/safetensors.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define STATE_FORMAT "seqstep-train-state-1"

static enum status join(char *out, size_t n, const char *dir, const char *name, struct err *e)
{
	if ((size_t)snprintf(out, n, "%s/%s", dir, name) >= n)
		return err_set(e, ST_IO, "%s/%s: path too long", dir, name);
	return ST_OK;
}

/* Finishes an atomic write: a write error seen by ferror is reported before
 * the rename, so a full disk never replaces a good file with a short one. */
static enum status finish(struct atomic_file *af, struct err *e)
{
	if (ferror(af->f)) {
		atomic_abort(af);
		return err_set(e, ST_IO, "%s: write error", af->path);
	}
	return atomic_commit(af, e);
}

enum status checkpoint_write_text(const char *path, const char *text, struct err *e)
{
	struct atomic_file af;
	enum status st = atomic_open(&af, path, 1, e);
	if (st)
		return st;
	fputs(text, af.f);
	size_t n = strlen(text);
	if (n == 0 || text[n - 1] != '\n')
		fputc('\n', af.f);
	return finish(&af, e);
}

static enum status write_vocab(const char *dir, const char *name, const struct vocab *v,
			       struct err *e)
{
	char path[4096];
	enum status st = join(path, sizeof path, dir, name, e);
	return st ? st : vocab_save(v, path, e);
}

static enum status write_merges(const char *dir, const char *name, const struct tokenizer *t,
				struct err *e)
{
	char path[4096];
	struct atomic_file af;
	enum status st;
	if ((st = join(path, sizeof path, dir, name, e)) || (st = atomic_open(&af, path, 1, e)))
		return st;
	for (int i = 0; i < t->n_merges; i++)
		fprintf(af.f, "%s %s\n", t->merge_left[i], t->merge_right[i]);
	return finish(&af, e);
}

static enum status make_dir(const char *dir, struct err *e)
{
	struct stat sb;
	if (stat(dir, &sb) == 0)
		return S_ISDIR(sb.st_mode) ? ST_OK : err_set(e, ST_IO, "%s: exists and is not a folder", dir);
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return err_set(e, ST_IO, "%s: cannot create the folder: %s", dir, strerror(errno));
	return ST_OK;
}

/* The items of a weights block, optionally under a name prefix ("m." ...). */
static enum status weight_items(const struct weights *w, const float *block, const char *prefix,
				struct st_item *items, char **names, struct err *e)
{
	for (size_t i = 0; i < w->n_params; i++) {
		const struct param *p = &w->params[i];
		size_t len = strlen(prefix) + strlen(p->name) + 1;
		names[i] = malloc(len);
		if (!names[i])
			return err_set(e, ST_NOMEM, "out of memory");
		snprintf(names[i], len, "%s%s", prefix, p->name);
		items[i].name = names[i];
		items[i].ndim = p->ndim;
		items[i].shape[0] = p->dims[0];
		items[i].shape[1] = p->dims[1];
		items[i].data = block + (p->data - w->block);
	}
	return ST_OK;
}

static enum status save_tensors(const char *path, const struct weights *w,
				const float *const *blocks, const char *const *prefixes,
				int n_blocks, const char *const *meta, struct err *e)
{
	size_t n = w->n_params * (size_t)n_blocks;
	struct st_item *items = calloc(n ? n : 1, sizeof *items);
	char **names = calloc(n ? n : 1, sizeof *names);
	enum status st = ST_OK;
	if (!items || !names)
		st = err_set(e, ST_NOMEM, "out of memory");
	for (int b = 0; b < n_blocks && !st; b++)
		st = weight_items(w, blocks[b], prefixes[b], items + b * w->n_params,
				  names + b * w->n_params, e);
	if (!st)
		st = safetensors_save(path, items, n, meta, e);
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
	free(items);
	return st;
}

enum status checkpoint_save(const char *dir, const struct checkpoint *ck, struct err *e)
{
	char path[4096];
	enum status st;
	const struct config *c = ck->cfg;
	if ((st = make_dir(dir, e)) || (st = write_vocab(dir, c->src.vocab, ck->src_vocab, e)) ||
	    (st = write_vocab(dir, c->tgt.vocab, ck->tgt_vocab, e)))
		return st;
	if (c->src.merges[0] && (st = write_merges(dir, c->src.merges, ck->src_tok, e)))
		return st;
	if (c->tgt.merges[0] && (st = write_merges(dir, c->tgt.merges, ck->tgt_tok, e)))
		return st;
	if ((st = join(path, sizeof path, dir, "config.json", e)) ||
	    (st = checkpoint_write_text(path, ck->config_json, e)))
		return st;
	if (ck->train_json && ((st = join(path, sizeof path, dir, "train.json", e)) ||
			       (st = checkpoint_write_text(path, ck->train_json, e))))
		return st;
	const float *blocks[3] = {ck->w->block};
	const char *prefixes[3] = {""};
	if ((st = join(path, sizeof path, dir, "model.safetensors", e)) ||
	    (st = save_tensors(path, ck->w, blocks, prefixes, 1, NULL, e)))
		return st;
	if (!ck->state)
		return ST_OK;
	/* The state repeats the weights so that it is consistent on its own: a
	 * crash between the two renames cannot pair new weights with old moments. */
	const struct train_state *ts = ck->state;
	char step[32], total[32], seed[32], t[32];
	snprintf(step, sizeof step, "%ld", ts->step);
	snprintf(total, sizeof total, "%ld", ts->total);
	snprintf(seed, sizeof seed, "%" PRIu64, ts->seed);
	snprintf(t, sizeof t, "%ld", ts->opt->t);
	const char *meta[] = {"format", STATE_FORMAT, "step", step, "total", total,
			      "seed", seed, "adam_t", t, NULL};
	blocks[1] = ts->opt->m;
	blocks[2] = ts->opt->v;
	prefixes[0] = "w.";
	prefixes[1] = "m.";
	prefixes[2] = "v.";
	if ((st = join(path, sizeof path, dir, CKPT_STATE_FILE, e)))
		return st;
	return save_tensors(path, ck->w, blocks, prefixes, 3, meta, e);
}

static enum status meta_long(const struct safetensors *s, const char *key, long *out,
			     struct err *e)
{
	const char *v = safetensors_meta(s, key);
	char *end;
	errno = 0;
	long long x = v ? strtoll(v, &end, 10) : 0;
	if (!v || errno || *end || x < 0)
		return err_set(e, ST_BADINPUT, "%s: metadata \"%s\" missing or not a count", s->path,
			       key);
	*out = (long)x;
	return ST_OK;
}

static enum status read_block(const struct safetensors *s, const struct weights *w,
			      const char *prefix, float *block, struct err *e)
{
	for (size_t i = 0; i < w->n_params; i++) {
		const struct param *p = &w->params[i];
		char name[512];
		snprintf(name, sizeof name, "%s%s", prefix, p->name);
		const struct st_entry *t = safetensors_get(s, name);
		if (!t)
			return err_set(e, ST_BADINPUT, "%s: missing tensor %s (the train state does not match the model)",
				       s->path, name);
		int64_t shape[2] = {p->dims[0], p->dims[1]};
		enum status st = safetensors_read_f32_shape(s, t, block + (p->data - w->block),
							    p->ndim, shape, e);
		if (st)
			return st;
	}
	return ST_OK;
}

enum status checkpoint_load_state(const char *dir, struct weights *w, struct adam *opt,
				  struct train_state *ts, struct err *e)
{
	char path[4096];
	struct safetensors s = {0};
	enum status st;
	if ((st = join(path, sizeof path, dir, CKPT_STATE_FILE, e)))
		return st;
	struct stat sb;
	if (stat(path, &sb) != 0)
		return err_set(e, ST_BADINPUT, "%s: no train state to resume from", path);
	if ((st = safetensors_load(&s, path, e)))
		return st;
	const char *fmt = safetensors_meta(&s, "format");
	long t = 0;
	if (!fmt || strcmp(fmt, STATE_FORMAT) != 0)
		st = err_set(e, ST_BADINPUT, "%s: not a seqstep train state", path);
	if (!st && opt->n != w->total)
		st = err_set(e, ST_BADINPUT, "%s: optimiser size does not match the model", path);
	if (!st && !(st = meta_long(&s, "step", &ts->step, e)) &&
	    !(st = meta_long(&s, "total", &ts->total, e)) && !(st = meta_long(&s, "adam_t", &t, e)) && !(st = read_block(&s, w, "w.", w->block, e)) &&
	    !(st = read_block(&s, w, "m.", opt->m, e)))
		st = read_block(&s, w, "v.", opt->v, e);
	const char *seed = safetensors_meta(&s, "seed");
	char *end = NULL;
	if (!st) {
		errno = 0;
		ts->seed = seed ? strtoull(seed, &end, 10) : 0;
		if (!seed || errno || *end)
			st = err_set(e, ST_BADINPUT, "%s: metadata \"seed\" missing or not a number", path);
		opt->t = t;
	}
	safetensors_release(&s);
	return st;
}

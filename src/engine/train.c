#include "engine/train.h"
#include "engine/checkpoint.h"
#include "engine/decode.h"
#include "base/fileio.h"
#include "engine/grad.h"
#include "engine/loss.h"
#include "text/metrics.h"
#include "base/rng.h"
#include "engine/rnn.h"
#include "engine/transformer.h"

#include <cblas.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Gradients add up in this many shards whatever the thread count, so one
 * and two threads give the same floating-point sums. */
enum { TRAIN_SHARDS = 2 };

/* ---------- random numbers (rng.h) ---------- */

/* Uniform in [0, 1) with 24 random bits, exactly representable as a float. */
static float rng_uniform(struct rng *r)
{
	return (float)(rng_next(r) >> 40) * (1.0f / 16777216.0f);
}

static float rng_normal(struct rng *r)
{
	float u1 = rng_uniform(r), u2 = rng_uniform(r);
	if (u1 < 1e-7f)
		u1 = 1e-7f;
	return (float)(sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
}

/* Every random stream derives from (seed, purpose, index), never from a
 * running state, so resuming at step s draws what a run reaching s would. */
static struct rng rng_for(uint64_t seed, uint64_t purpose, uint64_t index)
{
	struct rng r = {rng_mix(seed ^ rng_mix(purpose * 0x632be59bd9b4e019ull ^ rng_mix(index)))};
	return r;
}

enum { RNG_INIT = 1, RNG_EPOCH = 2, RNG_DROPOUT = 3 };

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

static enum status read_file(const char *path, char **text, struct err *e)
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
static enum status split_config(const char *path, const char *text, char **model_json,
				struct config *cfg, struct train_opts *o, struct err *e)
{
	json_error_t je;
	json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		/* jansson quotes the offending bytes: keep controls off the terminal */
		for (char *p = je.text; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		return err_set(e, ST_BADINPUT, "%s: line %d: not valid JSON: %s", path, je.line,
			       je.text);
	}
	enum status st = ST_OK;
	*model_json = NULL;
	if (!json_is_object(root)) {
		st = err_set(e, ST_BADINPUT, "%s: must be a JSON object", path);
		goto out;
	}
	if ((st = train_opts_parse(o, json_object_get(root, "train"), path, e)))
		goto out;
	json_object_del(root, "train");
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

/* ---------- vocabularies ---------- */

/* Builds one side's vocabulary (and merges) from the training lines into the
 * model, through temp files that are removed again: checkpoint_save writes
 * the real ones atomically. */
static enum status build_side(const char *out_dir, const struct tok_config *tc,
			      const struct train_opts *o, char **lines, size_t n,
			      struct vocab *v, struct tokenizer *t, const char *side, struct err *e)
{
	char vpath[4096], mname[64], mpath[4096];
	snprintf(vpath, sizeof vpath, "%s/.%s.vocab.%ld.building", out_dir, side, (long)getpid());
	snprintf(mname, sizeof mname, ".%s.merges.%ld.building", side, (long)getpid());
	snprintf(mpath, sizeof mpath, "%s/%s", out_dir, mname);
	enum status st;
	if (tc->kind == TOK_BPE)
		st = bpe_learn((const char *const *)lines, n, o->bpe_merges, tc->lowercase, mpath, vpath,
			       e);
	else
		st = vocab_build(tc->kind, tc->lowercase, (const char *const *)lines, n, o->min_count,
				 vpath, e);
	if (!st)
		st = vocab_load(v, vpath, e);
	if (!st) {
		struct tok_config tmp = *tc;
		if (tc->kind == TOK_BPE)
			snprintf(tmp.merges, sizeof tmp.merges, "%s", mname);
		st = tokenizer_init(t, &tmp, v, out_dir, e);
	}
	if (st)
		err_prefix(e, "building the %s vocabulary", side);
	unlink(vpath);
	if (tc->kind == TOK_BPE)
		unlink(mpath);
	return st;
}

/* ---------- data ---------- */

struct example {
	int ns, nt;   /* source with <eos>; decoder input with <bos> (= targets with <eos>) */
	int *src;     /* (ns) */
	int *tgt_in;  /* (nt) <bos> y1 .. yn */
	int *tgt_out; /* (nt) y1 .. yn <eos> */
};

struct dataset {
	size_t n, skipped;
	struct example *ex;
	long tokens; /* target tokens (with <eos>) in all examples */
};

static void dataset_release(struct dataset *d)
{
	for (size_t i = 0; d->ex && i < d->n; i++)
		free(d->ex[i].src);
	free(d->ex);
	memset(d, 0, sizeof *d);
}

static enum status dataset_build(struct dataset *d, const struct model *m,
				 const struct corpus *c, const char *path, struct err *e)
{
	memset(d, 0, sizeof *d);
	d->ex = calloc(c->n ? c->n : 1, sizeof *d->ex);
	if (!d->ex)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = ST_OK;
	for (size_t i = 0; i < c->n && !st; i++) {
		struct encoding se = {0}, te = {0};
		if ((st = tokenizer_encode(&m->src_tok, c->src[i], &se, e)) ||
		    (st = tokenizer_encode(&m->tgt_tok, c->tgt[i], &te, e))) {
			err_prefix(e, "%s: pair %zu", path, i + 1);
		} else if (se.n + 1 > m->cfg.max_len || te.n + 1 > m->cfg.max_len) {
			d->skipped++; /* longer than the positions the model has */
		} else {
			struct example *x = &d->ex[d->n];
			x->ns = se.n + 1;
			x->nt = te.n + 1;
			x->src = malloc((size_t)(x->ns + 2 * x->nt) * sizeof(int));
			if (!x->src) {
				st = err_set(e, ST_NOMEM, "out of memory");
			} else {
				x->tgt_in = x->src + x->ns;
				x->tgt_out = x->tgt_in + x->nt;
				memcpy(x->src, se.ids, (size_t)se.n * sizeof(int));
				x->src[se.n] = m->src_vocab.eos;
				x->tgt_in[0] = m->tgt_vocab.bos;
				memcpy(x->tgt_in + 1, te.ids, (size_t)te.n * sizeof(int));
				memcpy(x->tgt_out, te.ids, (size_t)te.n * sizeof(int));
				x->tgt_out[te.n] = m->tgt_vocab.eos;
				d->tokens += x->nt;
				d->n++;
			}
		}
		encoding_release(&se);
		encoding_release(&te);
	}
	if (!st && d->n == 0)
		st = err_set(e, ST_BADINPUT, "%s: no pair fits the model's max_len %d", path,
			     m->cfg.max_len);
	if (st)
		dataset_release(d);
	return st;
}

/* ---------- initialisation (PyTorch's defaults, from our own RNG) ---------- */

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void fill_uniform(float *p, size_t n, float bound, struct rng *r)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (2.0f * rng_uniform(r) - 1.0f) * bound;
}

/* Transformer: xavier_uniform on every matrix (as the PyTorch translation
 * tutorial does after building nn.Transformer), zero attention biases, unit
 * LayerNorm gains, nn.Linear's U(±1/√fan_in) for the other biases.
 * Recurrent: nn.LSTM/GRU/RNN's U(±1/√hidden) for every cell tensor, N(0, 1)
 * embeddings as nn.Embedding, nn.Linear defaults for the rest. */
static void init_weights(const struct config *c, struct weights *w, uint64_t seed)
{
	for (size_t i = 0; i < w->n_params; i++) {
		struct param *p = &w->params[i];
		struct rng r = rng_for(seed, RNG_INIT, i);
		const char *n = p->name;
		int in = p->ndim == 2 ? p->dims[1] : 0;
		if (c->arch == ARCH_TRANSFORMER) {
			if (p->ndim == 2) {
				fill_uniform(p->data, p->count,
					     sqrtf(6.0f / (float)(p->dims[0] + p->dims[1])), &r);
			} else if (strstr(n, "norm")) {
				float v = ends_with(n, ".weight") ? 1.0f : 0.0f;
				for (size_t k = 0; k < p->count; k++)
					p->data[k] = v;
			} else if (strstr(n, "in_proj_bias") || strstr(n, "out_proj.bias")) {
				memset(p->data, 0, p->count * sizeof(float));
			} else {
				int fan = strstr(n, "linear2") ? c->d_ff : c->d_model;
				fill_uniform(p->data, p->count, 1.0f / sqrtf((float)fan), &r);
			}
		} else {
			if (strstr(n, "embedding")) {
				for (size_t k = 0; k < p->count; k++)
					p->data[k] = rng_normal(&r);
			} else if (strstr(n, ".rnn.")) {
				fill_uniform(p->data, p->count, 1.0f / sqrtf((float)c->hidden), &r);
			} else {
				int fan = in ? in : c->hidden; /* decoder.out.bias: fan_in hidden */
				fill_uniform(p->data, p->count, 1.0f / sqrtf((float)fan), &r);
			}
		}
	}
}

/* Weight decay applies to matrices; biases and LayerNorm parameters are
 * spared, as is usual for AdamW. */
static unsigned char *decay_mask_new(const struct weights *w)
{
	unsigned char *m = calloc(w->total ? w->total : 1, 1);
	if (!m)
		return NULL;
	for (size_t i = 0; i < w->n_params; i++) {
		const struct param *p = &w->params[i];
		if (p->ndim == 2 && !strstr(p->name, "norm"))
			memset(m + (p->data - w->block), 1, p->count);
	}
	return m;
}

/* ---------- one example's forward + backward ---------- */

struct shard {
	struct weights grads;
	float *dlogits;
	size_t dl_cap;
	float *mask;      /* dropout masks of the current example */
	size_t mask_cap;
	double loss_sum; /* token-weighted */
	long tokens;
	/* work of the current step */
	const struct model *m;
	const struct train_opts *o;
	const struct example *const *items;
	int n_items;
	float inv_tokens; /* 1 / target tokens of the whole batch */
	uint64_t seed;
	long step;
	int first_item;   /* batch position of items[0]; items[i] is at first + i·SHARDS */
	enum status st;
	struct err e;
};

static enum status ensure_dlogits(struct shard *s, size_t n, struct err *e)
{
	if (n <= s->dl_cap)
		return ST_OK;
	float *p = realloc(s->dlogits, n * sizeof *p);
	if (!p)
		return err_set(e, ST_NOMEM, "out of memory");
	s->dlogits = p;
	s->dl_cap = n;
	return ST_OK;
}

/* Floats of dropout mask one example needs: transformer: the two embedding
 * sums and every sublayer output; recurrent: the two embedding sequences. */
static size_t mask_floats(const struct config *c, int ns, int nt)
{
	if (c->arch == ARCH_TRANSFORMER)
		return (size_t)c->d_model * ((size_t)ns * (1 + 2 * c->n_enc_layers) +
					     (size_t)nt * (1 + 3 * c->n_dec_layers));
	return (size_t)c->embed_dim * (size_t)(ns + nt);
}

/* Draws inverted-dropout masks (0 with probability p, else 1/(1-p)) from
 * the example's own stream (seed, step, batch position) and hangs them on
 * the activations, which is what turns dropout on in the forward and
 * backward passes. */
static enum status draw_masks(struct shard *s, const struct example *x, uint64_t pos,
			      struct tf_acts *ta, struct rnn_acts *ra, struct err *e)
{
	const struct config *c = &s->m->cfg;
	float p = s->o->dropout, keep = 1.0f / (1.0f - p);
	size_t n = mask_floats(c, x->ns, x->nt);
	if (n > s->mask_cap) {
		float *m = realloc(s->mask, n * sizeof *m);
		if (!m)
			return err_set(e, ST_NOMEM, "out of memory");
		s->mask = m;
		s->mask_cap = n;
	}
	struct rng r = rng_for(s->seed, RNG_DROPOUT,
			       (uint64_t)s->step * (uint64_t)s->o->batch_size + pos);
	for (size_t i = 0; i < n; i++)
		s->mask[i] = rng_uniform(&r) < p ? 0.0f : keep;
	const float *m = s->mask;
	if (ta) {
		size_t ss = (size_t)x->ns * c->d_model, st = (size_t)x->nt * c->d_model;
		ta->drop_src = m;
		m += ss;
		ta->drop_tgt = m;
		m += st;
		for (int l = 0; l < c->n_enc_layers; l++) {
			ta->enc[l].drop_sa = m;
			ta->enc[l].drop_ffn = m + ss;
			m += 2 * ss;
		}
		for (int l = 0; l < c->n_dec_layers; l++) {
			ta->dec[l].drop_sa = m;
			ta->dec[l].drop_ca = m + st;
			ta->dec[l].drop_ffn = m + 2 * st;
			m += 3 * st;
		}
	} else {
		ra->drop_src = m;
		ra->drop_tgt = m + (size_t)x->ns * c->embed_dim;
	}
	return ST_OK;
}

/* The loss of one pair from its logits, and its d loss / d logits in
 * s->dlogits scaled by the pair's share of the batch's target tokens, so
 * the batch gradient is the mean over tokens, as a padded batch with
 * ignore_index would give. */
static float scaled_loss(struct shard *s, const struct example *x, const float *logits, int V,
			 float smoothing)
{
	float loss = cross_entropy_forward_backward(logits, x->tgt_out, x->nt, V, smoothing, -1,
						    s->dlogits);
	float k = (float)x->nt * s->inv_tokens;
	for (size_t i = 0; i < (size_t)x->nt * V; i++)
		s->dlogits[i] *= k;
	return loss;
}

/* Forward, loss and backward of one pair (see scaled_loss). */
static enum status example_step(struct shard *s, const struct example *x, uint64_t pos,
				float smoothing, double *loss_sum, struct err *e)
{
	const struct model *m = s->m;
	const struct config *c = &m->cfg;
	int V = m->tgt_vocab.n;
	enum status st = ensure_dlogits(s, (size_t)x->nt * V, e);
	if (st)
		return st;
	float loss;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a, da;
		if ((st = tf_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		if ((st = tf_acts_init(&da, c, V, x->ns, x->nt, e)) ||
		    (s->o->dropout > 0 && (st = draw_masks(s, x, pos, &a, NULL, e)))) {
			tf_acts_release(&a);
			tf_acts_release(&da);
			return st;
		}
		tf_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		loss = scaled_loss(s, x, a.logits, V, smoothing);
		tf_backward(c, &m->w, &s->grads, V, &a, &da, s->dlogits);
		tf_acts_release(&a);
		tf_acts_release(&da);
	} else {
		struct rnn_acts a, da;
		if ((st = rnn_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		if ((st = rnn_acts_init(&da, c, V, x->ns, x->nt, e)) ||
		    (s->o->dropout > 0 && (st = draw_masks(s, x, pos, NULL, &a, e)))) {
			rnn_acts_release(&a);
			rnn_acts_release(&da);
			return st;
		}
		rnn_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		loss = scaled_loss(s, x, a.logits, V, smoothing);
		rnn_backward(c, &m->w, &s->grads, V, &a, &da, s->dlogits, NULL);
		rnn_acts_release(&a);
		rnn_acts_release(&da);
	}
	*loss_sum += (double)loss * x->nt;
	return ST_OK;
}

static void *shard_run(void *arg)
{
	struct shard *s = arg;
	weights_zero(&s->grads);
	s->loss_sum = 0;
	s->tokens = 0;
	s->st = ST_OK;
	for (int i = 0; i < s->n_items && !s->st; i++) {
		uint64_t pos = (uint64_t)s->first_item + (uint64_t)i * TRAIN_SHARDS;
		s->st = example_step(s, s->items[i], pos, s->o->label_smoothing, &s->loss_sum,
				     &s->e);
		s->tokens += s->items[i]->nt;
	}
	return NULL;
}

/* ---------- the trainer ---------- */

struct trainer {
	const struct train_run *run;
	struct train_opts o;
	struct model m;
	char *model_json, *train_json;
	struct dataset train;
	struct corpus valid;
	struct adam opt;
	struct adam_config acfg;
	struct lr_schedule sched;
	unsigned char *decay_mask;
	struct shard shards[TRAIN_SHARDS];
	const struct example **batch; /* (batch_size) */
	size_t *perm;                  /* (train.n) the current epoch's order */
	long perm_epoch;
	long step, total;
	uint64_t seed;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void epoch_perm(struct trainer *t, long epoch)
{
	if (t->perm_epoch == epoch)
		return;
	size_t n = t->train.n;
	struct rng r = rng_for(t->seed, RNG_EPOCH, (uint64_t)epoch);
	for (size_t i = 0; i < n; i++)
		t->perm[i] = i;
	for (size_t i = n - 1; i > 0; i--) {
		size_t j = (size_t)(rng_next(&r) % (i + 1));
		size_t tmp = t->perm[i];
		t->perm[i] = t->perm[j];
		t->perm[j] = tmp;
	}
	t->perm_epoch = epoch;
}

/* The batch of step s: positions s·B .. s·B+B-1 of the endless sequence of
 * shuffled epochs, a pure function of (seed, step). */
static long batch_fill(struct trainer *t, long step)
{
	int B = t->o.batch_size;
	long tokens = 0;
	for (int k = 0; k < B; k++) {
		unsigned long long g = (unsigned long long)step * B + k;
		epoch_perm(t, (long)(g / t->train.n));
		t->batch[k] = &t->train.ex[t->perm[g % t->train.n]];
		tokens += t->batch[k]->nt;
	}
	return tokens;
}

static void trainer_release(struct trainer *t)
{
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		weights_release(&t->shards[i].grads);
		free(t->shards[i].dlogits);
		free(t->shards[i].mask);
	}
	model_release(&t->m);
	free(t->model_json);
	free(t->train_json);
	dataset_release(&t->train);
	corpus_release(&t->valid);
	adam_release(&t->opt);
	free(t->decay_mask);
	free(t->batch);
	free(t->perm);
}

static int has_file(const char *dir, const char *name)
{
	char path[4096];
	struct stat sb;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

static enum status trainer_checkpoint(struct trainer *t, struct err *e)
{
	struct train_state ts = {.step = t->step, .total = t->total, .seed = t->seed,
				 .opt = &t->opt};
	struct checkpoint ck = {
		.config_json = t->model_json, .train_json = t->train_json, .cfg = &t->m.cfg,
		.src_vocab = &t->m.src_vocab, .tgt_vocab = &t->m.tgt_vocab,
		.src_tok = &t->m.src_tok, .tgt_tok = &t->m.tgt_tok, .w = &t->m.w, .state = &ts};
	return checkpoint_save(t->run->out_dir, &ck, e);
}

static void path_join(char *out, size_t n, const char *dir, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* Loads the config, corpus and vocabularies and sets up the weights: fresh
 * ones from the seed, or the saved state on --resume. */
static enum status trainer_setup(struct trainer *t, struct err *e)
{
	const struct train_run *r = t->run;
	char path[4096], cfg_path[4096];
	enum status st;
	t->perm_epoch = -1;
	if (r->config_path)
		snprintf(cfg_path, sizeof cfg_path, "%s", r->config_path);
	else if (r->resume)
		path_join(cfg_path, sizeof cfg_path, r->out_dir, "train.json");
	else
		return err_set(e, ST_USAGE, "train: --config is required");
	struct config cfg;
	if ((st = read_file(cfg_path, &t->train_json, e)) ||
	    (st = split_config(cfg_path, t->train_json, &t->model_json, &cfg, &t->o, e)))
		return st;
	if (r->steps > 0)
		t->o.steps = r->steps;
	if (r->have_seed)
		t->o.seed = r->seed;
	if (r->threads > 0)
		t->o.threads = r->threads > TRAIN_SHARDS ? TRAIN_SHARDS : r->threads;
	t->seed = t->o.seed;
	t->total = t->o.steps;

	struct stat sb;
	int exists = stat(r->out_dir, &sb) == 0;
	if (exists && !S_ISDIR(sb.st_mode))
		return err_set(e, ST_USAGE, "%s: exists and is not a folder", r->out_dir);
	if (!r->resume && !r->force && exists &&
	    (has_file(r->out_dir, "config.json") || has_file(r->out_dir, CKPT_STATE_FILE)))
		return err_set(e, ST_USAGE,
			       "%s: already holds a model; use --resume to continue it or --force to start over",
			       r->out_dir);
	path_join(path, sizeof path, r->corpus_dir, "valid.tsv");
	if ((st = corpus_load(&t->valid, path, e)))
		return st;
	struct corpus tc = {0};
	char train_path[4096];
	path_join(train_path, sizeof train_path, r->corpus_dir, "train.tsv");
	if ((st = corpus_load(&tc, train_path, e)))
		return st;
	/* Created only once the corpus has loaded, so a mistyped corpus path
	 * leaves nothing behind. */
	if (!exists && mkdir(r->out_dir, 0777) != 0) {
		corpus_release(&tc);
		return err_set(e, ST_IO, "%s: cannot create the folder: %s", r->out_dir,
			       strerror(errno));
	}

	if (r->resume) {
		/* The saved model defines the vocabularies and the architecture. */
		if ((st = model_load(&t->m, r->out_dir, e))) {
			corpus_release(&tc);
			return st;
		}
		free(t->model_json);
		path_join(path, sizeof path, r->out_dir, "config.json");
		if ((st = read_file(path, &t->model_json, e))) {
			corpus_release(&tc);
			return st;
		}
	} else {
		struct model *m = &t->m;
		memset(m, 0, sizeof *m);
		m->cfg = cfg;
		snprintf(m->dir, sizeof m->dir, "%s", r->out_dir);
		const char *base = strrchr(m->dir, '/');
		snprintf(m->name, sizeof m->name, "%s", base && base[1] ? base + 1 : m->dir);
		if (!(st = build_side(r->out_dir, &cfg.src, &t->o, tc.src, tc.n, &m->src_vocab,
				      &m->src_tok, "src", e)))
			st = build_side(r->out_dir, &cfg.tgt, &t->o, tc.tgt, tc.n, &m->tgt_vocab,
					&m->tgt_tok, "tgt", e);
		if (!st)
			st = weights_init(&m->w, &m->cfg, m->src_vocab.n, m->tgt_vocab.n, e);
		if (st) {
			corpus_release(&tc);
			return st;
		}
		init_weights(&m->cfg, &m->w, t->seed);
	}
	st = dataset_build(&t->train, &t->m, &tc, train_path, e);
	corpus_release(&tc);
	if (st)
		return st;

	const struct weights *w = &t->m.w;
	if ((st = adam_init(&t->opt, w->total, e)))
		return st;
	if (r->resume) {
		struct train_state ts = {0};
		if ((st = checkpoint_load_state(r->out_dir, &t->m.w, &t->opt, &ts, e)))
			return st;
		t->step = ts.step;
		t->seed = ts.seed; /* the data order of the run being continued */
		if (r->steps <= 0)
			t->total = ts.total;
	}
	adam_config_default(&t->acfg);
	t->acfg.beta1 = t->o.beta1;
	t->acfg.beta2 = t->o.beta2;
	t->acfg.eps = t->o.eps;
	t->acfg.weight_decay = t->o.weight_decay;
	t->acfg.decoupled = t->o.adamw;
	t->sched = (struct lr_schedule){.lr = t->o.lr, .warmup = t->o.warmup, .total = t->total,
					.decay = t->o.decay, .min_ratio = t->o.min_lr_ratio};
	t->decay_mask = decay_mask_new(w);
	t->batch = calloc((size_t)t->o.batch_size, sizeof *t->batch);
	t->perm = calloc(t->train.n, sizeof *t->perm);
	if (!t->decay_mask || !t->batch || !t->perm)
		return err_set(e, ST_NOMEM, "out of memory");
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		struct shard *s = &t->shards[i];
		if ((st = weights_init(&s->grads, &t->m.cfg, t->m.src_vocab.n, t->m.tgt_vocab.n, e)))
			return st;
		s->m = &t->m;
		s->o = &t->o;
	}
	return ST_OK;
}

/* One optimiser step; returns the batch's mean loss per target token. */
static enum status train_step(struct trainer *t, double *loss, long *tokens, struct err *e)
{
	long ntok = batch_fill(t, t->step);
	int B = t->o.batch_size;
	/* Items alternate between shards, so both get a similar mix of lengths. */
	const struct example *items[TRAIN_SHARDS][B];
	int counts[TRAIN_SHARDS] = {0};
	for (int k = 0; k < B; k++)
		items[k % TRAIN_SHARDS][counts[k % TRAIN_SHARDS]++] = t->batch[k];
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		struct shard *s = &t->shards[i];
		s->items = items[i];
		s->n_items = counts[i];
		s->inv_tokens = 1.0f / (float)ntok;
		s->seed = t->seed;
		s->step = t->step;
		s->first_item = i;
	}
	if (t->o.threads >= 2) {
		pthread_t th;
		int spawned = pthread_create(&th, NULL, shard_run, &t->shards[1]) == 0;
		shard_run(&t->shards[0]);
		if (spawned)
			pthread_join(th, NULL);
		else
			shard_run(&t->shards[1]);
	} else {
		for (int i = 0; i < TRAIN_SHARDS; i++)
			shard_run(&t->shards[i]);
	}
	double lsum = 0;
	for (int i = 0; i < TRAIN_SHARDS; i++) {
		if (t->shards[i].st) {
			*e = t->shards[i].e;
			return t->shards[i].st;
		}
		lsum += t->shards[i].loss_sum;
	}
	/* Shard 0 collects the sum, always in the same order. */
	float *g = t->shards[0].grads.block;
	for (int i = 1; i < TRAIN_SHARDS; i++) {
		const float *h = t->shards[i].grads.block;
		for (size_t k = 0; k < t->m.w.total; k++)
			g[k] += h[k];
	}
	grad_clip(g, t->m.w.total, t->o.clip);
	adam_step(&t->opt, &t->acfg, lr_at(&t->sched, t->step), t->m.w.block, g, t->decay_mask);
	t->step++;
	*loss = lsum / (double)ntok;
	*tokens = ntok;
	return ST_OK;
}

static void fmt_duration(char *buf, size_t n, double s)
{
	long x = (long)(s + 0.5);
	if (x >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", x / 3600, x / 60 % 60, x % 60);
	else
		snprintf(buf, n, "%ld:%02ld", x / 60, x % 60);
}

static enum status trainer_validate(struct trainer *t, struct err *e)
{
	struct eval_result er;
	enum status st = eval_corpus(&t->m, &t->valid, (size_t)t->o.eval_max, 1, &er, e);
	if (st)
		return st;
	FILE *f = t->run->out;
	if (f) {
		if (t->run->tty)
			fputs("\r\033[K", f);
		fprintf(f, "step %ld  valid loss %.4f  exact %.1f%%  BLEU %.1f  (%d sentences, %.1f s)\n",
			t->step, er.loss, 100.0 * er.exact / (er.n ? er.n : 1), er.bleu, er.n, er.seconds);
		fflush(f);
	}
	return ST_OK;
}

static size_t count_params(const struct weights *w)
{
	return w->total;
}

enum status train_run(const struct train_run *r, struct train_result *res, struct err *e)
{
	struct trainer t;
	memset(&t, 0, sizeof t);
	memset(res, 0, sizeof *res);
	t.run = r;
	/* One BLAS thread: the shards are the parallelism, and BLAS threads would
	 * make sums depend on scheduling. */
	openblas_set_num_threads(1);
	enum status st = trainer_setup(&t, e);
	FILE *f = r->out;
	if (!st && f) {
		const struct config *c = &t.m.cfg;
		if (c->arch == ARCH_TRANSFORMER)
			fprintf(f, "model: transformer d_model %d, %d heads, %d+%d layers, ffn %d",
				c->d_model, c->n_heads, c->n_enc_layers, c->n_dec_layers, c->d_ff);
		else
			fprintf(f, "model: %s seq2seq, embed %d, hidden %d, %d layer%s, attention %s",
				cell_name(c->cell), c->embed_dim, c->hidden, c->n_layers,
				c->n_layers > 1 ? "s" : "", attn_name(c->attention));
		fprintf(f, "; %zu parameters; vocab %d src / %d tgt\n", count_params(&t.m.w),
			t.m.src_vocab.n, t.m.tgt_vocab.n);
		fprintf(f, "data: %zu training pairs (%zu skipped as too long), %zu validation pairs\n",
			t.train.n, t.train.skipped, t.valid.n);
		fprintf(f, "%s: step %ld of %ld, batch %d, lr %g (%s, warmup %ld), seed %llu, %d thread%s\n",
			r->resume ? "resuming" : "training", t.step, t.total, t.o.batch_size, t.o.lr,
			lr_decay_name(t.o.decay), t.o.warmup, (unsigned long long)t.seed, t.o.threads,
			t.o.threads > 1 ? "s" : "");
		fflush(f);
	}
	double t0 = now_s(), last_print = 0, win_loss = 0;
	long run_tokens = 0, start = t.step, win_steps = 0;
	long log_every = t.o.log_every > 0 ? t.o.log_every : (t.total >= 20 ? t.total / 20 : 1);
	while (!st && t.step < t.total) {
		if ((r->stop && *r->stop) || (r->stop_at > 0 && t.step >= r->stop_at)) {
			res->interrupted = 1;
			break;
		}
		double loss;
		long ntok;
		if ((st = train_step(&t, &loss, &ntok, e)))
			break;
		run_tokens += ntok;
		win_loss += loss;
		win_steps++;
		res->last_loss = (float)loss;
		double el = now_s() - t0;
		double tps = el > 0 ? run_tokens / el : 0;
		if (f && r->tty && (now_s() - last_print > 0.1 || t.step == t.total)) {
			char eta[32];
			double per = el / (double)(t.step - start);
			fmt_duration(eta, sizeof eta, per * (double)(t.total - t.step));
			fprintf(f, "\r\033[Kstep %ld/%ld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s", t.step,
				t.total, win_loss / win_steps, lr_at(&t.sched, t.step - 1), tps, eta);
			fflush(f);
			last_print = now_s();
			if (win_steps >= 50) {
				win_loss = 0;
				win_steps = 0;
			}
		} else if (f && !r->tty && (t.step % log_every == 0 || t.step == t.total)) {
			char eta[32];
			double per = el / (double)(t.step - start);
			fmt_duration(eta, sizeof eta, per * (double)(t.total - t.step));
			fprintf(f, "step %ld/%ld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s\n", t.step,
				t.total, win_loss / win_steps, lr_at(&t.sched, t.step - 1), tps, eta);
			fflush(f);
			win_loss = 0;
			win_steps = 0;
		}
		if (t.o.eval_every > 0 && t.step % t.o.eval_every == 0 && t.step < t.total) {
			if (!(st = trainer_validate(&t, e)))
				st = trainer_checkpoint(&t, e);
		}
	}
	res->seconds = now_s() - t0;
	res->tokens_per_s = res->seconds > 0 ? run_tokens / res->seconds : 0;
	res->step = t.step;
	if (!st && !res->interrupted && t.step > start)
		st = trainer_validate(&t, e);
	if (!st) {
		/* Saved even when nothing ran, so a fresh --steps 0 run still
		 * leaves a loadable model. */
		st = trainer_checkpoint(&t, e);
	}
	if (!st && f) {
		char dur[32];
		fmt_duration(dur, sizeof dur, res->seconds);
		if (r->tty)
			fputs("\r\033[K", f);
		if (res->interrupted)
			fprintf(f, "interrupted at step %ld; saved to %s (continue with --resume)\n",
				t.step, r->out_dir);
		else
			fprintf(f, "trained %ld steps in %s (%.1f s, %.0f target tokens/s); saved to %s\n",
				t.step - start, dur, res->seconds, res->tokens_per_s, r->out_dir);
		fflush(f);
	}
	trainer_release(&t);
	return st;
}

/* ---------- evaluation ---------- */

enum status eval_translate(struct model *m, const char *text, int beam, int **ids, int *n,
			   struct err *e)
{
	const struct config *c = &m->cfg;
	struct encoding se = {0};
	*ids = NULL;
	*n = 0;
	enum status st = tokenizer_encode(&m->src_tok, text, &se, e);
	if (st)
		return st;
	int Ts = se.n + 1;
	int *src = malloc((size_t)Ts * sizeof *src);
	struct decode_out d = {0};
	if (!src) {
		encoding_release(&se);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	memcpy(src, se.ids, (size_t)se.n * sizeof *src);
	src[se.n] = m->src_vocab.eos;
	encoding_release(&se);
	if (Ts > c->max_len) {
		free(src);
		return err_set(e, ST_BADINPUT, "source sentence too long: %d tokens, at most %d", Ts,
			       c->max_len);
	}
	struct run_opts o;
	run_opts_default(&o);
	o.beam = beam;
	o.topk = 1; /* max_len 0: the config's max_decode_len */
	st = model_decode_ids(m, src, Ts, &o, &d, e);
	free(src);
	if (!st) {
		int k = d.n;
		if (k > 0 && d.ids[k - 1] == m->tgt_vocab.eos)
			k--;
		*ids = malloc((size_t)(k ? k : 1) * sizeof **ids);
		if (!*ids)
			st = err_set(e, ST_NOMEM, "out of memory");
		else {
			memcpy(*ids, d.ids, (size_t)k * sizeof **ids);
			*n = k;
		}
	}
	decode_out_release(&d);
	return st;
}

static int ids_equal(const int *a, const int *b, int n)
{
	for (int i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void count_word(const char *unit, void *ctx)
{
	(void)unit;
	(*(int *)ctx)++;
}

static const int bucket_lo[EVAL_BUCKETS] = {3, 6, 9, 12}, bucket_hi[EVAL_BUCKETS] = {5, 8, 11, 15};

/* Teacher-forced loss of one pair (mean over its tokens, no smoothing). */
static enum status pair_loss(struct model *m, const struct example *x, float *loss,
			     struct err *e)
{
	const struct config *c = &m->cfg;
	int V = m->tgt_vocab.n;
	enum status st;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a;
		if ((st = tf_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		tf_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		*loss = cross_entropy_forward_backward(a.logits, x->tgt_out, x->nt, V, 0, -1, NULL);
		tf_acts_release(&a);
	} else {
		struct rnn_acts a;
		if ((st = rnn_acts_init(&a, c, V, x->ns, x->nt, e)))
			return st;
		rnn_forward(c, &m->w, V, &a, x->src, x->tgt_in);
		*loss = cross_entropy_forward_backward(a.logits, x->tgt_out, x->nt, V, 0, -1, NULL);
		rnn_acts_release(&a);
	}
	return ST_OK;
}

enum status eval_corpus(struct model *m, const struct corpus *c, size_t max_n, int beam,
			struct eval_result *r, struct err *e)
{
	double t0 = now_s();
	/* Many tiny products: BLAS threads only add hand-offs (on a busy
	 * machine, waits of milliseconds each). */
	openblas_set_num_threads(1);
	memset(r, 0, sizeof *r);
	for (int b = 0; b < EVAL_BUCKETS; b++) {
		r->bucket[b].lo = bucket_lo[b];
		r->bucket[b].hi = bucket_hi[b];
	}
	r->bucket[EVAL_BUCKETS].lo = 0;
	r->bucket[EVAL_BUCKETS].hi = 0;
	size_t n = max_n && max_n < c->n ? max_n : c->n;
	/* Hypotheses and references kept for corpus BLEU (metrics.h), overall
	 * and per bucket. */
	int **hyps = calloc(n ? n : 1, sizeof *hyps), **refs = calloc(n ? n : 1, sizeof *refs);
	int *hl = calloc(n ? n : 1, sizeof *hl), *rl = calloc(n ? n : 1, sizeof *rl);
	int *bk = calloc(n ? n : 1, sizeof *bk);
	if (!hyps || !refs || !hl || !rl || !bk) {
		free(hyps);
		free(refs);
		free(hl);
		free(rl);
		free(bk);
		return err_set(e, ST_NOMEM, "out of memory");
	}
	double loss_sum = 0;
	long loss_tokens = 0;
	enum status st = ST_OK;
	int unk = m->tgt_vocab.unk;
	for (size_t i = 0; i < n && !st; i++) {
		int words = 0, *hyp = NULL, nh = 0;
		struct encoding te = {0}, se = {0};
		if ((st = tokenizer_split(TOK_WORD, 1, c->src[i], count_word, &words, e)) ||
		    (st = tokenizer_encode(&m->tgt_tok, c->tgt[i], &te, e)) ||
		    (st = eval_translate(m, c->src[i], beam, &hyp, &nh, e))) {
			encoding_release(&te);
			break;
		}
		/* A reference unit the vocabulary lacks can never be produced:
		 * give it an id no hypothesis has. */
		for (int k = 0; k < te.n; k++)
			if (te.ids[k] == unk)
				te.ids[k] = -1;
		int b = EVAL_BUCKETS;
		for (int k = 0; k < EVAL_BUCKETS; k++)
			if (words >= bucket_lo[k] && words <= bucket_hi[k])
				b = k;
		int exact = nh == te.n && ids_equal(hyp, te.ids, nh);
		r->n++;
		r->exact += exact;
		r->bucket[b].n++;
		r->bucket[b].exact += exact;
		refs[i] = malloc((size_t)(te.n ? te.n : 1) * sizeof **refs);
		if (!refs[i]) {
			st = err_set(e, ST_NOMEM, "out of memory");
		} else {
			memcpy(refs[i], te.ids, (size_t)te.n * sizeof **refs);
			rl[i] = te.n;
		}
		hyps[i] = hyp;
		hl[i] = nh;
		bk[i] = b;
		hyp = NULL;
		/* Teacher-forced loss, for pairs that fit. */
		if (!tokenizer_encode(&m->src_tok, c->src[i], &se, NULL) && se.n + 1 <= m->cfg.max_len &&
		    te.n + 1 <= m->cfg.max_len) {
			int ns = se.n + 1, nt = te.n + 1;
			int *buf = malloc((size_t)(ns + 2 * nt) * sizeof *buf);
			if (buf) {
				struct example x = {ns, nt, buf, buf + ns, buf + ns + nt};
				memcpy(x.src, se.ids, (size_t)se.n * sizeof *buf);
				x.src[se.n] = m->src_vocab.eos;
				x.tgt_in[0] = m->tgt_vocab.bos;
				for (int k = 0; k < te.n; k++) {
					int id = te.ids[k] < 0 ? unk : te.ids[k];
					x.tgt_in[k + 1] = id;
					x.tgt_out[k] = id;
				}
				x.tgt_out[te.n] = m->tgt_vocab.eos;
				float l;
				if (!(st = pair_loss(m, &x, &l, e))) {
					loss_sum += (double)l * nt;
					loss_tokens += nt;
				}
				free(buf);
			}
		}
		encoding_release(&se);
		encoding_release(&te);
		free(hyp);
	}
	if (!st) {
		r->bleu = bleu_corpus((const int *const *)hyps, hl, (const int *const *)refs, rl, n);
		/* Per bucket: the same arrays, gathered. */
		const int **bh = malloc((n ? n : 1) * sizeof *bh), **br = malloc((n ? n : 1) * sizeof *br);
		int *bhl = malloc((n ? n : 1) * sizeof *bhl), *brl = malloc((n ? n : 1) * sizeof *brl);
		if (!bh || !br || !bhl || !brl)
			st = err_set(e, ST_NOMEM, "out of memory");
		for (int b = 0; b <= EVAL_BUCKETS && !st; b++) {
			size_t k = 0;
			for (size_t i = 0; i < n; i++)
				if (bk[i] == b) {
					bh[k] = hyps[i];
					br[k] = refs[i];
					bhl[k] = hl[i];
					brl[k] = rl[i];
					k++;
				}
			r->bucket[b].bleu = bleu_corpus(bh, bhl, br, brl, k);
		}
		free(bh);
		free(br);
		free(bhl);
		free(brl);
	}
	for (size_t i = 0; i < n; i++) {
		free(hyps[i]);
		free(refs[i]);
	}
	free(hyps);
	free(refs);
	free(hl);
	free(rl);
	free(bk);
	if (st)
		return st;
	r->loss = loss_tokens ? loss_sum / loss_tokens : 0;
	r->seconds = now_s() - t0;
	return ST_OK;
}

void eval_print(FILE *f, const struct eval_result *r)
{
	fprintf(f, "%-8s %6s %8s %7s\n", "source", "pairs", "exact", "BLEU");
	for (int b = 0; b <= EVAL_BUCKETS; b++) {
		const struct eval_bucket *k = &r->bucket[b];
		if (b == EVAL_BUCKETS && k->n == 0)
			continue;
		char label[32];
		if (b < EVAL_BUCKETS)
			snprintf(label, sizeof label, "%d-%d", k->lo, k->hi);
		else
			snprintf(label, sizeof label, "other");
		if (k->n)
			fprintf(f, "%-8s %6d %7.1f%% %7.1f\n", label, k->n, 100.0 * k->exact / k->n,
				k->bleu);
		else
			fprintf(f, "%-8s %6d %8s %7s\n", label, 0, "-", "-");
	}
	fprintf(f, "%-8s %6d %7.1f%% %7.1f\n", "all", r->n, r->n ? 100.0 * r->exact / r->n : 0.0,
		r->bleu);
}

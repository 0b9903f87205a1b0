/* The trainer: setting a run up (fresh from the seed, or resumed from its
 * saved state), the loop of steps with progress lines, validation and
 * checkpoints (train.h). The parts: the config file (train_config.c), the
 * data (train_data.c), initial weights (train_init.c), one step's gradient
 * (train_step.c), evaluation (eval.c). */
#include "engine/train.h"
#include "engine/checkpoint.h"
#include "engine/eval.h"
#include "engine/optim.h"
#include "engine/train_config.h"
#include "engine/train_data.h"
#include "engine/train_init.h"
#include "engine/train_log.h"
#include "engine/train_step.h"

#include <cblas.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct trainer {
	struct train_run run;          /* the caller's, strings borrowed */
	struct train_opts o;
	struct model *m;               /* the caller's */
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
	long step, total, start;
	uint64_t seed;
	long hist_every;               /* a history entry every this many steps */
	double hist_loss;              /* loss summed since the last entry */
	long hist_steps;
};

static void epoch_perm(struct trainer *t, long epoch)
{
	if (t->perm_epoch == epoch)
		return;
	size_t n = t->train.n;
	struct rng r = train_rng(t->seed, RNG_EPOCH, (uint64_t)epoch);
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
	for (int i = 0; i < TRAIN_SHARDS; i++)
		shard_release(&t->shards[i]);
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

static enum status trainer_checkpoint(struct trainer *t, const char *dir, struct err *e)
{
	struct train_state ts = {.step = t->step, .total = t->total, .seed = t->seed,
				 .opt = &t->opt};
	/* train.json: the configuration with the history so far ("log") */
	char *train_json = train_log_merge(t->train_json, &t->m->log);
	if (!train_json)
		return err_set(e, ST_NOMEM, "out of memory writing train.json");
	struct checkpoint ck = {
		.config_json = t->model_json, .train_json = train_json, .cfg = &t->m->cfg,
		.src_vocab = &t->m->src_vocab, .tgt_vocab = &t->m->tgt_vocab,
		.src_tok = &t->m->src_tok, .tgt_tok = &t->m->tgt_tok, .w = &t->m->w, .state = &ts};
	enum status st = checkpoint_save(dir, &ck, e);
	free(train_json);
	return st;
}

static void path_join(char *out, size_t n, const char *dir, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

/* A folder to write a model into: absent (created here), or a folder that
 * holds no model unless force (or resume, which continues the one there). */
static enum status check_out_dir(const char *dir, int force, int resume, int *exists,
				 struct err *e)
{
	struct stat sb;
	*exists = stat(dir, &sb) == 0;
	if (*exists && !S_ISDIR(sb.st_mode))
		return err_set(e, ST_USAGE, "%s: exists and is not a folder", dir);
	if (!resume && !force && *exists &&
	    (has_file(dir, "config.json") || has_file(dir, CKPT_STATE_FILE)))
		return err_set(e, ST_USAGE,
			       "%s: already holds a model; use --resume to continue it or --force to start over",
			       dir);
	return ST_OK;
}

/* The vocabularies (and BPE merges) of a fresh run, learnt from the
 * training lines into m; without an out_dir the temp files go to a private
 * folder that is removed again. */
static enum status build_vocabularies(struct trainer *t, const struct config *cfg,
				      const struct corpus *tc, struct err *e)
{
	struct model *m = t->m;
	const char *dir = t->run.out_dir;
	char tmp[4096] = "";
	if (!dir) {
		const char *base = getenv("TMPDIR");
		snprintf(tmp, sizeof tmp, "%s/seqstep-vocab.XXXXXX", base && base[0] ? base : "/tmp");
		if (!mkdtemp(tmp))
			return err_set(e, ST_IO, "%s: cannot create a temporary folder: %s", tmp,
				       strerror(errno));
		dir = tmp;
	}
	enum status st = train_build_side(dir, &cfg->src, &t->o, tc->src, tc->n, &m->src_vocab,
					  &m->src_tok, "src", e);
	if (!st)
		st = train_build_side(dir, &cfg->tgt, &t->o, tc->tgt, tc->n, &m->tgt_vocab,
				      &m->tgt_tok, "tgt", e);
	if (tmp[0])
		rmdir(tmp);
	return st;
}

/* Loads the config, corpus and vocabularies and sets up the weights: fresh
 * ones from the seed, the saved state on --resume, or the model as given
 * (from_model). */
static enum status trainer_setup(struct trainer *t, struct err *e)
{
	const struct train_run *r = &t->run;
	char path[4096], cfg_path[4096];
	enum status st;
	t->perm_epoch = -1;
	if (r->resume && !r->out_dir)
		return err_set(e, ST_USAGE, "train: --resume needs the model folder (--out)");
	if (r->config_path)
		snprintf(cfg_path, sizeof cfg_path, "%s", r->config_path);
	else if (r->resume)
		path_join(cfg_path, sizeof cfg_path, r->out_dir, "train.json");
	else
		return err_set(e, ST_USAGE, "train: --config is required");
	struct config cfg;
	if ((st = train_config_read(cfg_path, &t->train_json, e)) ||
	    (st = train_config_split(cfg_path, t->train_json, &t->model_json, &cfg, &t->o, e)))
		return st;
	if (r->steps > 0)
		t->o.steps = r->steps;
	if (r->have_seed)
		t->o.seed = r->seed;
	if (r->threads > 0)
		t->o.threads = r->threads > TRAIN_SHARDS ? TRAIN_SHARDS : r->threads;
	if (r->lr > 0)
		t->o.lr = r->lr;
	if (r->have_clip)
		t->o.clip = r->clip;
	t->seed = t->o.seed;
	t->total = t->o.steps;

	int exists = 0;
	if (r->out_dir && (st = check_out_dir(r->out_dir, r->force, r->resume, &exists, e)))
		return st;
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
	if (r->out_dir && !exists && mkdir(r->out_dir, 0777) != 0) {
		corpus_release(&tc);
		return err_set(e, ST_IO, "%s: cannot create the folder: %s", r->out_dir,
			       strerror(errno));
	}

	struct model *m = t->m;
	if (r->resume || r->from_model) {
		/* The model defines the vocabularies and the architecture. */
		if (r->resume && (st = model_load(m, r->out_dir, e))) {
			corpus_release(&tc);
			return st;
		}
		free(t->model_json);
		t->model_json = NULL;
		path_join(path, sizeof path, m->dir, "config.json");
		if ((st = train_config_read(path, &t->model_json, e))) {
			corpus_release(&tc);
			return st;
		}
		if (r->from_model)
			train_log_truncate(&m->log, 0); /* a new run, a new history */
	} else {
		char dir[sizeof m->dir], name[sizeof m->name];
		snprintf(dir, sizeof dir, "%s", r->out_dir ? r->out_dir : m->dir);
		snprintf(name, sizeof name, "%s", m->name);
		memset(m, 0, sizeof *m);
		m->cfg = cfg;
		snprintf(m->dir, sizeof m->dir, "%s", dir);
		const char *base = strrchr(m->dir, '/');
		if (r->out_dir || !name[0])
			snprintf(m->name, sizeof m->name, "%s", base && base[1] ? base + 1 : m->dir);
		else
			snprintf(m->name, sizeof m->name, "%s", name);
		st = build_vocabularies(t, &cfg, &tc, e);
		if (!st)
			st = weights_init(&m->w, &m->cfg, m->src_vocab.n, m->tgt_vocab.n, e);
		if (st) {
			corpus_release(&tc);
			return st;
		}
		train_init_weights(&m->cfg, &m->w, t->seed);
	}
	st = dataset_build(&t->train, m, &tc, train_path, e);
	corpus_release(&tc);
	if (st)
		return st;
	if (t->train.n == 0)
		return err_set(e, ST_BADINPUT, "%s: no pair fits the model's max_len %d", train_path,
			       m->cfg.max_len);

	const struct weights *w = &m->w;
	if ((st = adam_init(&t->opt, w->total, e)))
		return st;
	if (r->resume) {
		struct train_state ts = {0};
		if ((st = checkpoint_load_state(r->out_dir, &m->w, &t->opt, &ts, e)))
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
	t->decay_mask = train_decay_mask_new(w);
	t->batch = calloc((size_t)t->o.batch_size, sizeof *t->batch);
	t->perm = calloc(t->train.n, sizeof *t->perm);
	if (!t->decay_mask || !t->batch || !t->perm)
		return err_set(e, ST_NOMEM, "out of memory");
	for (int i = 0; i < TRAIN_SHARDS; i++)
		if ((st = shard_init(&t->shards[i], m, &t->o, e)))
			return st;
	/* A resumed run continues the history from its saved step. */
	train_log_truncate(&m->log, t->step);
	/* The history (train.json "log") has about 100 points, enough for a curve. */
	t->hist_every = t->total >= 100 ? t->total / 100 : 1;
	t->start = t->step;
	return ST_OK;
}

/* One optimiser step; returns the batch's mean loss per target token. */
static enum status train_step(struct trainer *t, double *loss, long *tokens, struct err *e)
{
	long ntok = batch_fill(t, t->step);
	double lsum;
	enum status st = train_batch_grad(t->shards, t->batch, t->o.batch_size, ntok, t->seed,
					  t->step, t->o.threads, &lsum, e);
	if (st)
		return st;
	float *g = t->shards[0].grads.block;
	grad_clip(g, t->m->w.total, t->o.clip);
	adam_step(&t->opt, &t->acfg, lr_at(&t->sched, t->step), t->m->w.block, g, t->decay_mask);
	t->step++;
	*loss = lsum / (double)ntok;
	*tokens = ntok;
	return ST_OK;
}

void train_fmt_duration(char *buf, size_t n, double s)
{
	long x = (long)(s + 0.5);
	if (x >= 3600)
		snprintf(buf, n, "%ld:%02ld:%02ld", x / 3600, x / 60 % 60, x % 60);
	else
		snprintf(buf, n, "%ld:%02ld", x / 60, x % 60);
}

/* The progress line after a step: in place on a terminal (tty), one line
 * each otherwise. el: seconds since the run's first step. */
static void print_progress(FILE *f, int tty, const struct trainer *t, double el, double tps,
			   double loss)
{
	char eta[32];
	double per = el / (double)(t->step - t->start);
	train_fmt_duration(eta, sizeof eta, per * (double)(t->total - t->step));
	fprintf(f, "%sstep %ld/%ld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s%s", tty ? "\r\033[K" : "",
		t->step, t->total, loss, lr_at(&t->sched, t->step - 1), tps, eta, tty ? "" : "\n");
	fflush(f);
}

static enum status trainer_validate(struct trainer *t, struct err *e)
{
	struct eval_result er;
	enum status st = eval_corpus(t->m, &t->valid, (size_t)t->o.eval_max, 1, &er, e);
	if (st)
		return st;
	if ((st = train_log_add_valid(&t->m->log, t->step, (float)er.loss,
				      (float)(100.0 * er.exact / (er.n ? er.n : 1)), (float)er.bleu, e)))
		return st;
	FILE *f = t->run.out;
	if (f) {
		if (t->run.tty)
			fputs("\r\033[K", f);
		fprintf(f, "step %ld  valid loss %.4f  exact %.1f%%  BLEU %.1f  (%d sentences, %.1f s)\n",
			t->step, er.loss, 100.0 * er.exact / (er.n ? er.n : 1), er.bleu, er.n, er.seconds);
		fflush(f);
	}
	return ST_OK;
}

enum status trainer_open(struct trainer **out, const struct train_run *r, struct model *m,
			 struct err *e)
{
	*out = NULL;
	struct trainer *t = calloc(1, sizeof *t);
	if (!t)
		return err_set(e, ST_NOMEM, "out of memory");
	t->run = *r;
	t->m = m;
	/* One BLAS thread: the shards are the parallelism, and BLAS threads would
	 * make sums depend on scheduling. */
	openblas_set_num_threads(1);
	enum status st = trainer_setup(t, e);
	if (st) {
		trainer_release(t);
		free(t);
		return st;
	}
	*out = t;
	return ST_OK;
}

enum status trainer_step(struct trainer *t, struct train_tick *k, struct err *e)
{
	memset(k, 0, sizeof *k);
	if (t->step >= t->total)
		return err_set(e, ST_USAGE, "the run is complete (step %ld of %ld)", t->step, t->total);
	enum status st = train_step(t, &k->loss, &k->tokens, e);
	if (st)
		return st;
	t->hist_loss += k->loss;
	t->hist_steps++;
	if (t->step % t->hist_every == 0 || t->step == t->total) {
		st = train_log_add(&t->m->log, t->step, (float)(t->hist_loss / t->hist_steps),
				   (float)lr_at(&t->sched, t->step - 1), e);
		t->hist_loss = 0;
		t->hist_steps = 0;
		if (st)
			return st;
	}
	if (t->o.eval_every > 0 && t->step % t->o.eval_every == 0 && t->step < t->total) {
		k->validated = 1;
		if (!(st = trainer_validate(t, e)) && t->run.out_dir)
			st = trainer_checkpoint(t, t->run.out_dir, e);
	}
	return st;
}

enum status trainer_finish(struct trainer *t, int interrupted, struct err *e)
{
	enum status st = ST_OK;
	if (!interrupted && t->step > t->start)
		st = trainer_validate(t, e);
	/* Saved even when nothing ran, so a fresh --steps 0 run still leaves a
	 * loadable model. */
	if (!st && t->run.out_dir)
		st = trainer_checkpoint(t, t->run.out_dir, e);
	return st;
}

enum status trainer_save(struct trainer *t, const char *dir, int force, struct err *e)
{
	int exists;
	enum status st = check_out_dir(dir, force, 0, &exists, e);
	if (st)
		return st;
	if (!exists && mkdir(dir, 0777) != 0)
		return err_set(e, ST_IO, "%s: cannot create the folder: %s", dir, strerror(errno));
	return trainer_checkpoint(t, dir, e);
}

void trainer_free(struct trainer *t)
{
	if (!t)
		return;
	trainer_release(t);
	free(t);
}

long trainer_steps_done(const struct trainer *t)
{
	return t->step;
}

long trainer_total(const struct trainer *t)
{
	return t->total;
}

double trainer_lr(const struct trainer *t)
{
	return lr_at(&t->sched, t->step > 0 ? t->step - 1 : 0);
}

void trainer_describe(const struct trainer *t, char *buf, size_t n)
{
	const struct config *c = &t->m->cfg;
	size_t o;
	if (c->arch == ARCH_TRANSFORMER)
		o = (size_t)snprintf(buf, n, "model: transformer d_model %d, %d heads, %d+%d layers, ffn %d",
				     c->d_model, c->n_heads, c->n_enc_layers, c->n_dec_layers, c->d_ff);
	else
		o = (size_t)snprintf(buf, n, "model: %s seq2seq, embed %d, hidden %d, %d layer%s, attention %s",
				     cell_name(c->cell), c->embed_dim, c->hidden, c->n_layers,
				     c->n_layers > 1 ? "s" : "", attn_name(c->attention));
	if (o < n)
		o += (size_t)snprintf(buf + o, n - o, "; %zu parameters; vocab %d src / %d tgt\n",
				      t->m->w.total, t->m->src_vocab.n, t->m->tgt_vocab.n);
	if (o < n)
		o += (size_t)snprintf(buf + o, n - o,
				      "data: %zu training pairs (%zu skipped as too long), %zu validation pairs\n",
				      t->train.n, t->train.skipped, t->valid.n);
	if (o < n)
		snprintf(buf + o, n - o, "%s: step %ld of %ld, batch %d, lr %g (%s, warmup %ld), seed %llu, %d thread%s",
			 t->run.resume ? "resuming" : "training", t->step, t->total, t->o.batch_size,
			 t->o.lr, lr_decay_name(t->o.decay), t->o.warmup, (unsigned long long)t->seed,
			 t->o.threads, t->o.threads > 1 ? "s" : "");
}

enum status train_run(const struct train_run *r, struct train_result *res, struct err *e)
{
	memset(res, 0, sizeof *res);
	struct model m;
	memset(&m, 0, sizeof m);
	struct trainer *t;
	enum status st = trainer_open(&t, r, &m, e);
	if (st) {
		model_release(&m);
		return st;
	}
	FILE *f = r->out;
	if (f) {
		char desc[1024];
		trainer_describe(t, desc, sizeof desc);
		fprintf(f, "%s\n", desc);
		fflush(f);
	}
	double t0 = eval_now(), last_print = 0, win_loss = 0;
	long run_tokens = 0, win_steps = 0;
	long log_every = t->o.log_every > 0 ? t->o.log_every : (t->total >= 20 ? t->total / 20 : 1);
	while (!st && t->step < t->total) {
		if ((r->stop && *r->stop) || (r->stop_at > 0 && t->step >= r->stop_at)) {
			res->interrupted = 1;
			break;
		}
		struct train_tick k;
		if ((st = trainer_step(t, &k, e)))
			break;
		run_tokens += k.tokens;
		win_loss += k.loss;
		win_steps++;
		res->last_loss = (float)k.loss;
		double el = eval_now() - t0;
		double tps = el > 0 ? run_tokens / el : 0;
		if (f && r->tty && (eval_now() - last_print > 0.1 || t->step == t->total)) {
			print_progress(f, 1, t, el, tps, win_loss / win_steps);
			last_print = eval_now();
			if (win_steps >= 50) {
				win_loss = 0;
				win_steps = 0;
			}
		} else if (f && !r->tty && (t->step % log_every == 0 || t->step == t->total)) {
			print_progress(f, 0, t, el, tps, win_loss / win_steps);
			win_loss = 0;
			win_steps = 0;
		}
	}
	res->seconds = eval_now() - t0;
	res->tokens_per_s = res->seconds > 0 ? run_tokens / res->seconds : 0;
	res->step = t->step;
	if (!st)
		st = trainer_finish(t, res->interrupted, e);
	if (!st && f) {
		char dur[32];
		train_fmt_duration(dur, sizeof dur, res->seconds);
		if (r->tty)
			fputs("\r\033[K", f);
		if (res->interrupted)
			fprintf(f, "interrupted at step %ld; saved to %s (continue with --resume)\n",
				t->step, r->out_dir);
		else
			fprintf(f, "trained %ld steps in %s (%.1f s, %.0f target tokens/s); saved to %s\n",
				t->step - t->start, dur, res->seconds, res->tokens_per_s, r->out_dir);
		fflush(f);
	}
	trainer_free(t);
	model_release(&m);
	return st;
}

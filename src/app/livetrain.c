/* Live training in the explorer (livetrain.h).
 *
 * Why steps between redraws and not a worker thread: the steps then run on
 * the thread that draws, so the view can only ever see the weights between
 * two steps (no lock, no copy of the weight block, no half-updated
 * snapshot), the model being trained is simply the session's model, and
 * batch mode runs the very same calls. A slice is SLICE seconds of steps,
 * so a key waits at most that long; the trainer's own two gradient shards
 * still use both cores inside a step. */
#include "app/livetrain.h"
#include "base/parse.h"
#include "engine/eval.h"
#include "engine/train.h"
#include "io/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SLICE 0.08          /* seconds of training per screen tick */
#define STATUS_EVERY 0.25   /* seconds between status line updates */
#define EVERY_DEFAULT 50    /* steps between re-runs of the sentence */
#define LOSS_WINDOW 50      /* steps the status line's loss averages */

enum live_state { LIVE_NONE, LIVE_RUNNING, LIVE_PAUSED, LIVE_DONE };

struct live {
	struct session *s;
	struct trainer *tr;
	struct model *m;           /* the model trained: the session's */
	unsigned long model_gen;   /* the session's model_gen while m is its model */
	enum live_state state;
	long every;                /* re-run the sentence every this many steps */
	long last_rerun;           /* step of the last re-run */
	long first_step;           /* step the run started at */
	double run_seconds;        /* time spent in steps (pauses excluded) */
	double run_tokens;
	double last_status;
	float window[LOSS_WINDOW]; /* the last steps' losses */
	int nwin, win_pos;
	char corpus[PATH_MAX];
};

static int live_tick(void *arg);
static void live_free(void *arg);

static struct live *live_of(struct session *s)
{
	return s->task.tick == live_tick ? s->task.arg : NULL;
}

static struct live *live_get(struct session *s, struct err *e)
{
	struct live *L = live_of(s);
	if (L)
		return L;
	if (s->task.release) /* another task: it goes first */
		s->task.release(s->task.arg);
	L = calloc(1, sizeof *L);
	if (!L) {
		err_set(e, ST_NOMEM, "out of memory");
		return NULL;
	}
	L->s = s;
	L->every = EVERY_DEFAULT;
	memset(&s->task, 0, sizeof s->task);
	s->task.tick = live_tick;
	s->task.arg = L;
	s->task.release = live_free;
	return L;
}

static void live_end(struct live *L)
{
	trainer_free(L->tr);
	L->tr = NULL;
	L->m = NULL;
	L->state = LIVE_NONE;
	L->s->task.status[0] = 0;
}

static void live_free(void *arg)
{
	struct live *L = arg;
	live_end(L);
	free(L);
}

/* The trained model is still the session's (a load replaces it). */
static int live_model_ok(const struct live *L)
{
	return L->m && L->s->model == L->m && L->s->model_gen == L->model_gen;
}

static double window_mean(const struct live *L)
{
	double sum = 0;
	for (int i = 0; i < L->nwin; i++)
		sum += L->window[i];
	return L->nwin ? sum / L->nwin : 0;
}

/* The status bar's line: step, loss, speed, ETA and the last validation. */
static void live_status(struct live *L)
{
	struct session *s = L->s;
	long step = trainer_steps_done(L->tr), total = trainer_total(L->tr);
	long done = step - L->first_step;
	double tps = L->run_seconds > 0 ? L->run_tokens / L->run_seconds : 0;
	char eta[32] = "?";
	if (done > 0)
		train_fmt_duration(eta, sizeof eta, L->run_seconds / (double)done * (double)(total - step));
	size_t o = (size_t)snprintf(s->task.status, sizeof s->task.status, "%s %ld/%ld  loss %.4f",
				    L->state == LIVE_PAUSED ? "paused" : "training", step, total,
				    window_mean(L));
	const struct train_log *lg = &L->m->log;
	if (lg->n_valid && o < sizeof s->task.status)
		o += (size_t)snprintf(s->task.status + o, sizeof s->task.status - o, "  exact %.1f%%",
				      lg->valid_exact[lg->n_valid - 1]);
	if (o < sizeof s->task.status)
		snprintf(s->task.status + o, sizeof s->task.status - o, "  %.0f tok/s  ETA %s", tps, eta);
}

/* Runs the current sentence again with the weights as they are now: the
 * trace (and the train.* history in it) follows the training. */
static enum status live_rerun(struct live *L, struct err *e)
{
	L->last_rerun = trainer_steps_done(L->tr);
	if (!L->s->have_trace)
		return ST_OK;
	return session_translate(L->s, L->s->source, e);
}

/* One step, with its loss and timing kept for the status line. */
static enum status live_step(struct live *L, struct err *e)
{
	struct train_tick k;
	double t0 = eval_now();
	enum status st = trainer_step(L->tr, &k, e);
	L->run_seconds += eval_now() - t0;
	if (st)
		return st;
	L->run_tokens += (double)k.tokens;
	L->window[L->win_pos] = (float)k.loss;
	L->win_pos = (L->win_pos + 1) % LOSS_WINDOW;
	if (L->nwin < LOSS_WINDOW)
		L->nwin++;
	return ST_OK;
}

static int live_complete(const struct live *L)
{
	return trainer_steps_done(L->tr) >= trainer_total(L->tr);
}

/* The end of the steps: the last validation, a last re-run, one line. */
static enum status live_finish(struct live *L, char *msg, size_t n, struct err *e)
{
	enum status st = trainer_finish(L->tr, 0, e);
	if (!st)
		st = live_rerun(L, e);
	L->state = LIVE_DONE;
	L->s->task.status[0] = 0;
	if (st)
		return st;
	const struct train_log *lg = &L->m->log;
	char dur[32];
	train_fmt_duration(dur, sizeof dur, L->run_seconds);
	size_t o = (size_t)snprintf(msg, n, "trained %ld steps in %s: loss %.4f",
				    trainer_steps_done(L->tr) - L->first_step, dur, window_mean(L));
	if (lg->n_valid && o < n)
		o += (size_t)snprintf(msg + o, n - o, ", valid exact %.1f%%, BLEU %.1f",
				      lg->valid_exact[lg->n_valid - 1], lg->valid_bleu[lg->n_valid - 1]);
	if (o < n)
		snprintf(msg + o, n - o, " (train save DIR keeps it)");
	return ST_OK;
}

static int live_tick(void *arg)
{
	struct live *L = arg;
	struct session *s = L->s;
	if (L->state != LIVE_RUNNING)
		return 0;
	if (!live_model_ok(L)) {
		live_end(L);
		session_message(s, 1, "training stopped: another model was loaded");
		return SESSION_TASK_REDRAW;
	}
	struct err e = {0};
	enum status st = ST_OK;
	double t0 = eval_now();
	while (!st && !live_complete(L) && eval_now() - t0 < SLICE &&
	       trainer_steps_done(L->tr) - L->last_rerun < L->every)
		st = live_step(L, &e);
	if (!st && trainer_steps_done(L->tr) - L->last_rerun >= L->every && !live_complete(L))
		st = live_rerun(L, &e);
	if (st) {
		live_end(L);
		session_message(s, 1, e.msg);
		return SESSION_TASK_REDRAW;
	}
	if (live_complete(L)) {
		char msg[256];
		if ((st = live_finish(L, msg, sizeof msg, &e)))
			session_message(s, 1, e.msg);
		else
			session_message(s, 0, msg);
		return SESSION_TASK_REDRAW;
	}
	/* Redraw after a re-run, and now and then for the status line. */
	if (L->last_rerun == trainer_steps_done(L->tr) || eval_now() - L->last_status >= STATUS_EVERY) {
		live_status(L);
		L->last_status = eval_now();
		return SESSION_TASK_REDRAW | SESSION_TASK_BUSY;
	}
	return SESSION_TASK_BUSY;
}

/* ---- starting a run ---- */

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static int is_file(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISREG(sb.st_mode);
}

/* The shipped corpus of a model: models/corpus/P for the longest prefix P
 * of the model folder's name cut at a '-' (en-zh-transformer: en-zh). */
static int default_corpus(const struct model *m, char *out, size_t n)
{
	const char *base = strrchr(m->dir, '/');
	base = base && base[1] ? base + 1 : m->dir;
	char name[256];
	snprintf(name, sizeof name, "%s", base);
	for (;;) {
		snprintf(out, n, "%s/corpus/%s", datadir_models(), name);
		if (is_dir(out))
			return 1;
		char *dash = strrchr(name, '-');
		if (!dash)
			return 0;
		*dash = 0;
	}
}

struct train_args {
	long steps;
	int from_current;
	double lr, clip;
	int have_lr, have_clip, have_seed;
	uint64_t seed;
	const char *corpus;
};

static enum status parse_train(int argc, char **argv, struct train_args *a, struct err *e)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = strcmp(o, "--from") == 0 || strcmp(o, "--lr") == 0 ||
			    strcmp(o, "--clip") == 0 || strcmp(o, "--seed") == 0 ||
			    strcmp(o, "--corpus") == 0;
		if (takes && !v)
			return err_set(e, ST_USAGE, "train: %s needs a value", o);
		if (strcmp(o, "--from") == 0) {
			if (strcmp(v, "scratch") == 0)
				a->from_current = 0;
			else if (strcmp(v, "current") == 0)
				a->from_current = 1;
			else
				return err_set(e, ST_USAGE, "train --from takes scratch or current, not '%s'", v);
		} else if (strcmp(o, "--lr") == 0) {
			if (!parse_double(v, 1e-8, 10, &a->lr))
				return err_set(e, ST_USAGE, "train --lr takes a learning rate (0 < lr <= 10), not '%s'", v);
			a->have_lr = 1;
		} else if (strcmp(o, "--clip") == 0) {
			if (!parse_double(v, 0, 1e6, &a->clip))
				return err_set(e, ST_USAGE, "train --clip takes a gradient norm (0 = off), not '%s'", v);
			a->have_clip = 1;
		} else if (strcmp(o, "--seed") == 0) {
			if (!parse_u64(v, 2147483647u, &a->seed))
				return err_set(e, ST_USAGE, "train --seed takes a whole number, not '%s'", v);
			a->have_seed = 1;
		} else if (strcmp(o, "--corpus") == 0) {
			a->corpus = v;
		} else if (o[0] == '-' || a->steps) {
			return err_set(e, ST_USAGE,
				       "usage: train [STEPS] [--from scratch|current] [--lr X] [--clip X] [--seed N] [--corpus DIR]");
		} else if (!parse_long(o, 1, 10000000L, &a->steps)) {
			return err_set(e, ST_USAGE, "train takes a number of steps 1..10000000, not '%s'", o);
		}
		i += takes;
	}
	return ST_OK;
}

/* The stage a class watches sharpen: the alignment (cross-attention). */
static void goto_alignment(struct session *s)
{
	static const char *const ids[] = {"alignment", "align"};
	struct err e;
	for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
		if (pipeline_find(&s->pipe, ids[i]) >= 0) {
			session_goto(s, ids[i], &e);
			return;
		}
}

static enum status live_start(struct cmd_ctx *c, struct live *L, const struct train_args *a,
			      struct err *e)
{
	struct session *s = c->s;
	struct model *cur = s->model;
	if (cur->cfg.arch != ARCH_TRANSFORMER && cur->cfg.arch != ARCH_RNN_SEQ2SEQ)
		return err_set(e, ST_USAGE, "%s is a %s model: only translation models train here",
			       cur->name, arch_name(cur->cfg.arch));
	char recipe[PATH_MAX];
	snprintf(recipe, sizeof recipe, "%s/train.json", cur->dir);
	if (!is_file(recipe))
		return err_set(e, ST_USAGE,
			       "%s has no train.json, the recipe seqstep train writes; train needs it",
			       cur->dir);
	if (a->corpus)
		snprintf(L->corpus, sizeof L->corpus, "%s", a->corpus);
	else if (!default_corpus(cur, L->corpus, sizeof L->corpus))
		return err_set(e, ST_USAGE, "no shipped corpus for %s in %s/corpus: give --corpus DIR",
			       cur->name, datadir_models());
	struct train_run r = {
		.config_path = recipe, .corpus_dir = L->corpus, .steps = a->steps,
		.have_seed = a->have_seed, .seed = a->seed, .lr = a->have_lr ? (float)a->lr : 0,
		.have_clip = a->have_clip, .clip = (float)a->clip, .from_model = a->from_current};
	struct model *m = cur;
	if (!a->from_current) {
		/* A fresh model beside the session's, which stays until this one
		 * is built: a failed start changes nothing. */
		if (!(m = calloc(1, sizeof *m)))
			return err_set(e, ST_NOMEM, "out of memory");
		snprintf(m->dir, sizeof m->dir, "%s", cur->dir);
		snprintf(m->name, sizeof m->name, "%s", cur->name);
	}
	struct trainer *tr;
	enum status st = trainer_open(&tr, &r, m, e);
	if (st) {
		if (m != cur) {
			model_release(m);
			free(m);
		}
		return st;
	}
	trainer_free(L->tr);
	L->tr = tr;
	L->m = m;
	L->first_step = trainer_steps_done(tr);
	L->last_rerun = L->first_step;
	L->run_seconds = L->run_tokens = 0;
	L->nwin = L->win_pos = 0;
	L->last_status = 0;
	/* The title says the weights are not the ones on disk. */
	if (!strstr(m->name, " (trained here)")) {
		size_t len = strlen(m->name);
		snprintf(m->name + len, sizeof m->name - len, " (trained here)");
	}
	if (m != cur)
		st = session_adopt(s, m, e);
	else
		st = live_rerun(L, e);
	L->model_gen = s->model_gen;
	L->state = LIVE_RUNNING;
	if (st) {
		live_end(L);
		return st;
	}
	goto_alignment(s);
	c->out.view = CMD_VIEW_STAGE;
	live_status(L);
	return ST_OK;
}

/* Batch mode: every step now, a line per validation. */
static enum status live_run_all(struct cmd_ctx *c, struct live *L, struct err *e)
{
	enum status st = ST_OK;
	while (!st && !live_complete(L)) {
		if ((st = live_step(L, e)))
			break;
		const struct train_log *lg = &L->m->log;
		if (lg->n_valid && lg->valid_step[lg->n_valid - 1] == trainer_steps_done(L->tr))
			cmd_printf(c, "step %ld: loss %.4f, valid exact %.1f%%, BLEU %.1f\n",
				   trainer_steps_done(L->tr), window_mean(L),
				   lg->valid_exact[lg->n_valid - 1], lg->valid_bleu[lg->n_valid - 1]);
	}
	char msg[256];
	if (!st)
		st = live_finish(L, msg, sizeof msg, e);
	if (st) {
		live_end(L);
		return st;
	}
	cmd_printf(c, "%s\n", msg);
	cmd_note(c, "%s", msg);
	return ST_OK;
}

/* ---- the command ---- */

static enum status need_run(struct live *L, struct err *e)
{
	if (!L || L->state == LIVE_NONE || !L->tr)
		return err_set(e, ST_USAGE, "no training in this session (train STEPS starts one)");
	if (!live_model_ok(L))
		return err_set(e, ST_USAGE, "the trained model was replaced by another (load); train again");
	return ST_OK;
}

static enum status train_save(struct cmd_ctx *c, struct live *L, int argc, char **argv,
			      struct err *e)
{
	const char *dir = NULL;
	int force = 0;
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--force") == 0 || strcmp(argv[i], "-f") == 0)
			force = 1;
		else if (!dir)
			dir = argv[i];
		else
			return err_set(e, ST_USAGE, "usage: train save DIR [--force]");
	}
	if (!dir)
		return err_set(e, ST_USAGE, "usage: train save DIR [--force]");
	enum status st = need_run(L, e);
	if (st || (st = trainer_save(L->tr, dir, force, e)))
		return st;
	cmd_printf(c, "saved the model at step %ld to %s\n", trainer_steps_done(L->tr), dir);
	cmd_note(c, "saved the model at step %ld to %s (seqstep --model %s opens it)",
		 trainer_steps_done(L->tr), dir, dir);
	return ST_OK;
}

static enum status train_control(struct cmd_ctx *c, struct live *L, const char *what,
				 struct err *e)
{
	enum status st = need_run(L, e);
	if (st)
		return st;
	long step = trainer_steps_done(L->tr), total = trainer_total(L->tr);
	if (strcmp(what, "status") == 0) {
		static const char *const names[] = {"none", "running", "paused", "done"};
		cmd_printf(c, "training %s: step %ld of %ld, loss %.4f, corpus %s\n", names[L->state],
			   step, total, window_mean(L), L->corpus);
		cmd_note(c, "training %s: step %ld of %ld", names[L->state], step, total);
		return ST_OK;
	}
	if (L->state == LIVE_DONE)
		return err_set(e, ST_USAGE, "the run is over (step %ld of %ld): train STEPS --from current goes on",
			       step, total);
	if (strcmp(what, "pause") == 0) {
		if (L->state == LIVE_PAUSED)
			return err_set(e, ST_USAGE, "training is paused already (train resume)");
		L->state = LIVE_PAUSED;
		if ((st = live_rerun(L, e)))
			return st;
		live_status(L);
		cmd_note(c, "paused at step %ld of %ld (train resume goes on)", step, total);
	} else if (strcmp(what, "resume") == 0) {
		if (L->state == LIVE_RUNNING)
			return err_set(e, ST_USAGE, "training is running already");
		L->state = LIVE_RUNNING;
		live_status(L);
		cmd_note(c, "training again from step %ld", step);
		if (c->batch)
			return live_run_all(c, L, e);
	} else { /* stop */
		L->state = LIVE_DONE;
		L->s->task.status[0] = 0;
		if ((st = live_rerun(L, e)))
			return st;
		cmd_note(c, "stopped at step %ld of %ld (train save DIR keeps the model)", step, total);
	}
	cmd_printf(c, "%s\n", c->out.note);
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static enum status cmd_train(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	struct session *s = c->s;
	struct live *L = live_of(s);
	if (argc >= 2 && strcmp(argv[1], "save") == 0)
		return train_save(c, L, argc, argv, e);
	if (argc >= 2 && (strcmp(argv[1], "pause") == 0 || strcmp(argv[1], "resume") == 0 ||
			  strcmp(argv[1], "stop") == 0 || strcmp(argv[1], "status") == 0)) {
		if (argc != 2)
			return err_set(e, ST_USAGE, "usage: train %s", argv[1]);
		return train_control(c, L, argv[1], e);
	}
	struct train_args a;
	enum status st = parse_train(argc, argv, &a, e);
	if (st || (st = session_ensure(s, e)))
		return st;
	if (L && (L->state == LIVE_RUNNING || L->state == LIVE_PAUSED) && live_model_ok(L))
		return err_set(e, ST_USAGE, "training is %s (step %ld of %ld): train stop ends it first",
			       L->state == LIVE_RUNNING ? "running" : "paused",
			       trainer_steps_done(L->tr), trainer_total(L->tr));
	if (!(L = live_get(s, e)))
		return ST_NOMEM;
	if ((st = live_start(c, L, &a, e)))
		return st;
	long total = trainer_total(L->tr);
	if (c->batch)
		return live_run_all(c, L, e);
	cmd_printf(c, "training %s from %s: %ld steps on %s\n", s->model->name,
		   a.from_current ? "its current weights" : "scratch", total, L->corpus);
	cmd_note(c, "training from %s: %ld steps (train pause | resume | stop | save DIR)",
		 a.from_current ? "the current weights" : "scratch", total);
	return ST_OK;
}

static void complete_train(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	static const char *const sub[] = {"pause", "resume", "stop", "status", "save"};
	static const char *const opt[] = {"--from", "--lr", "--clip", "--seed", "--corpus"};
	if (argi == 1)
		for (size_t i = 0; i < sizeof sub / sizeof *sub; i++)
			strlist_add(out, sub[i]);
	for (size_t i = 0; i < sizeof opt / sizeof *opt; i++)
		strlist_add(out, opt[i]);
	strlist_add(out, "scratch");
	strlist_add(out, "current");
}

/* ---- set train-every N ---- */

static enum status set_train_every(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	long n;
	if (argc != 3)
		return err_set(e, ST_USAGE, "usage: set train-every N");
	if (!parse_long(argv[2], 1, 1000000L, &n))
		return err_set(e, ST_USAGE, "set train-every takes a number of steps 1..1000000, not '%s'",
			       argv[2]);
	struct live *L = live_get(c->s, e);
	if (!L)
		return ST_NOMEM;
	L->every = n;
	cmd_note(c, "training re-runs the sentence every %ld step%s", n, n == 1 ? "" : "s");
	return ST_OK;
}

static const struct command live_cmds[] = {
	{"train", NULL, cmd_train,
	 "train [STEPS] [--from scratch|current] [--lr X] [--clip X] [--seed N] [--corpus DIR]",
	 "train the model on its corpus while you watch; train pause|resume|stop|status|save DIR [--force]",
	 complete_train},
};

static const struct setting live_settings[] = {
	{"train-every", set_train_every, "set train-every N",
	 "while training, run the sentence again every N steps (default 50)", NULL},
};

enum status livetrain_register(struct commands *c, struct err *e)
{
	return commands_add_module(c, live_cmds, sizeof live_cmds / sizeof *live_cmds, live_settings,
				   sizeof live_settings / sizeof *live_settings, e);
}

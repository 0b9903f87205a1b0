/* The BPTT lab's commands (lab.h). */
#include "app/lab.h"
#include "base/parse.h"
#include "io/datadir.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct lab {
	struct model *partner; /* compared on every run; NULL: none */
	char name[256];        /* its name as given */
};

static void lab_after_run(void *arg, const char *text, const struct run_opts *o,
			  struct trace *tr);

static void lab_free(void *arg)
{
	struct lab *L = arg;
	if (L->partner) {
		model_release(L->partner);
		free(L->partner);
	}
	free(L);
}

static struct lab *lab_of(struct session *s)
{
	return s->after_run.fn == lab_after_run ? s->after_run.arg : NULL;
}

/* The partner's gradients, under cmp.: the same sentence (and target), its
 * own weights; W_hh's radius only where it applies. A sentence it cannot
 * run adds nothing. */
static void lab_after_run(void *arg, const char *text, const struct run_opts *o,
			  struct trace *tr)
{
	struct lab *L = arg;
	const struct model *p = L->partner;
	if (!p)
		return;
	struct run_opts po = *o;
	if (p->cfg.cell != CELL_RNN)
		po.whh_radius = 0;
	struct trace pt;
	struct run_result res;
	struct err e;
	trace_init(&pt);
	if (model_run(L->partner, text, &po, &pt, &res, &e) == ST_OK) {
		for (size_t i = 0; i < pt.n; i++) {
			const struct tensor *t = pt.items[i];
			if (strncmp(t->name, "grad.", 5) != 0 && !strstr(t->name, ".radius"))
				continue;
			char name[256], desc[400];
			snprintf(name, sizeof name, "cmp.%s", t->name);
			snprintf(desc, sizeof desc, "%s: %s", p->name, t->desc ? t->desc : "");
			struct tensor *c = trace_add(tr, name, t->rows, t->cols, t->data, desc);
			if (c) { /* the partner's trace goes: labels are copied into tr */
				c->ndim = t->ndim;
				tensor_set_rows(c, trace_str(tr, t->row.title),
						trace_labels(tr, t->row.n, t->row.labels));
				tensor_set_cols(c, trace_str(tr, t->col.title),
						trace_labels(tr, t->col.n, t->col.labels));
			}
		}
		run_result_release(&res);
	}
	trace_release(&pt);
}

/* recall-rnn <-> recall-lstm: the lab's two models differ only there. */
static int partner_name(const char *name, char *out, size_t n)
{
	static const char *const pairs[][2] = {{"-rnn", "-lstm"}, {"-lstm", "-rnn"}};
	size_t len = strlen(name);
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		size_t k = strlen(pairs[i][0]);
		if (len > k && strcmp(name + len - k, pairs[i][0]) == 0) {
			snprintf(out, n, "%.*s%s", (int)(len - k), name, pairs[i][1]);
			return 1;
		}
	}
	return 0;
}

static int is_dir(const char *p)
{
	struct stat sb;
	return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static enum status rerun(struct session *s, struct err *e)
{
	return session_translate(s, s->source, e);
}

static enum status cmd_grad(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	struct session *s = c->s;
	if (argc > 2)
		return err_set(e, ST_USAGE, "usage: grad [MODEL|off]");
	enum status st = session_ensure(s, e);
	if (st)
		return st;
	if (s->model->cfg.arch != ARCH_RNN_SEQ2SEQ)
		return err_set(e, ST_USAGE,
			       "grad compares recurrent models' gradients; %s is a %s (load recall-rnn)",
			       s->model->name, arch_name(s->model->cfg.arch));
	struct lab *L = lab_of(s);
	if (argc == 2 && strcmp(argv[1], "off") == 0) {
		if (L) {
			s->after_run.release(L);
			memset(&s->after_run, 0, sizeof s->after_run);
		}
		if ((st = rerun(s, e)))
			return st;
		cmd_note(c, "no second model");
		return ST_OK;
	}
	char name[256];
	const char *base = strrchr(s->model->dir, '/');
	base = base && base[1] ? base + 1 : s->model->dir;
	if (argc == 2)
		snprintf(name, sizeof name, "%s", argv[1]);
	else if (!partner_name(base, name, sizeof name))
		return err_set(e, ST_USAGE, "grad MODEL: which model to compare %s with", s->model->name);
	char dir[PATH_MAX];
	/* The partner beside the loaded model first (a folder of lab models
	 * anywhere), then by name among the shipped ones. */
	if (argc == 2 || base == s->model->dir ||
	    snprintf(dir, sizeof dir, "%.*s%s", (int)(base - s->model->dir), s->model->dir, name) < 0 ||
	    !is_dir(dir))
		datadir_resolve_model(name, dir, sizeof dir);
	struct model *m = calloc(1, sizeof *m);
	if (!m)
		return err_set(e, ST_NOMEM, "out of memory");
	if ((st = model_load(m, dir, e))) {
		free(m);
		return st;
	}
	if (m->cfg.arch != ARCH_RNN_SEQ2SEQ) {
		st = err_set(e, ST_USAGE, "%s is a %s model; grad compares recurrent ones", m->name,
			     arch_name(m->cfg.arch));
		model_release(m);
		free(m);
		return st;
	}
	if (!L) {
		if (s->after_run.release)
			s->after_run.release(s->after_run.arg);
		if (!(L = calloc(1, sizeof *L))) {
			model_release(m);
			free(m);
			return err_set(e, ST_NOMEM, "out of memory");
		}
		s->after_run = (struct session_after_run){lab_after_run, L, lab_free};
	}
	if (L->partner) {
		model_release(L->partner);
		free(L->partner);
	}
	L->partner = m;
	snprintf(L->name, sizeof L->name, "%s", name);
	if ((st = rerun(s, e)))
		return st;
	if (!trace_get(&s->trace, "cmp.grad.enc.l0.ratio"))
		cmd_printf(c, "%s could not run this sentence (its vocabulary?)\n", m->name);
	if ((st = session_goto(s, "bptt", e)))
		return st;
	/* Distance 0 first: the last step, where the gradient enters. */
	session_select(s, 0, 0, INT_MAX);
	c->out.view = CMD_VIEW_STAGE;
	cmd_note(c, "A = %s, B = %s, C = the bound: %s's step Jacobians' norms multiplied",
		 s->model->name, m->name, s->model->name);
	return ST_OK;
}

/* ---- set radius / set clip ---- */

static enum status set_run_option(struct cmd_ctx *c, float *opt, float v, struct err *e)
{
	float old = *opt;
	*opt = v;
	enum status st = session_ensure(c->s, e);
	if (!st)
		st = rerun(c->s, e);
	if (st) {
		*opt = old;
		return st;
	}
	c->out.view = CMD_VIEW_STAGE;
	return ST_OK;
}

static enum status set_radius(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	double r = 0;
	if (argc != 3)
		return err_set(e, ST_USAGE, "usage: set radius R|trained");
	if (strcmp(argv[2], "trained") != 0 && !parse_double(argv[2], 1e-3, 100, &r))
		return err_set(e, ST_USAGE, "set radius takes a spectral radius 0.001..100 or trained, not '%s'",
			       argv[2]);
	enum status st = set_run_option(c, &c->s->opts.whh_radius, (float)r, e);
	if (st)
		return st;
	const struct tensor *t = trace_get(&c->s->trace, "enc.l0.radius");
	if (r > 0)
		cmd_note(c, "W_hh rescaled for these runs: spectral radius %.4g (set radius trained undoes it)",
			 t ? t->data[0] : r);
	else
		cmd_note(c, "W_hh as trained: spectral radius %.4g", t ? t->data[0] : 0.0);
	return ST_OK;
}

static enum status set_clip(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	double x = 0;
	if (argc != 3)
		return err_set(e, ST_USAGE, "usage: set clip X|off");
	if (strcmp(argv[2], "off") != 0 && !parse_double(argv[2], 1e-6, 1e6, &x))
		return err_set(e, ST_USAGE, "set clip takes a gradient norm or off, not '%s'", argv[2]);
	enum status st = set_run_option(c, &c->s->opts.clip, (float)x, e);
	if (st)
		return st;
	const struct tensor *k = trace_get(&c->s->trace, "grad.clip");
	if (x > 0 && k)
		cmd_note(c, "clipping at %g scales this gradient by %.4g", x, k->data[0]);
	else
		cmd_note(c, "clipping %s", x > 0 ? "on" : "off");
	return ST_OK;
}

static void complete_radius(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 2) {
		strlist_add(out, "trained");
		strlist_add(out, "0.5");
		strlist_add(out, "3");
	}
}

static void complete_clip(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 2) {
		strlist_add(out, "off");
		strlist_add(out, "1");
	}
}

static const struct command lab_cmds[] = {
	{"grad", NULL, cmd_grad, "grad [MODEL|off]",
	 "the BPTT lab: another model's gradients beside this one's, against the distance (default partner: recall-rnn <-> recall-lstm)",
	 complete_models},
};

static const struct setting lab_settings[] = {
	{"radius", set_radius, "set radius R|trained",
	 "run with the RNN encoder's W_hh rescaled to spectral radius R (the BPTT lab)", complete_radius},
	{"clip", set_clip, "set clip X|off",
	 "record the gradients as clipping at global norm X leaves them (grad.clip)", complete_clip},
};

enum status lab_register(struct commands *c, struct err *e)
{
	return commands_add_module(c, lab_cmds, sizeof lab_cmds / sizeof *lab_cmds, lab_settings,
				   sizeof lab_settings / sizeof *lab_settings, e);
}

#include "app/tutor.h"
#include "app/handout.h"
#include "app/handout_pdf.h"
#include "base/parse.h"
#include "base/strbuf.h"
#include "base/textwidth.h"
#include "io/datadir.h"
#include "teach/lesson.h"
#include "teach/quiz.h"
#include "trace/explain.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum tutor_mode { TUTOR_NONE, TUTOR_LESSON, TUTOR_QUIZ };

struct tutor {
	struct session *s;
	struct commands *cmds;
	enum tutor_mode mode;
	struct lesson L;
	int step;
	int answered, right;     /* the current check */
	char given[256];         /* what the student typed */
	int have_answer;
	struct lesson_answer ans;
	char err[512];           /* the current step's problem, "" none */
	struct quiz_problem q;
	int have_q;
	struct strbuf prose;
};

static int tutor_step(void *arg, int delta);
static const char *tutor_prose(void *arg);
static void tutor_release(void *arg);

static struct tutor *tutor_of(struct session *s)
{
	return s->hook.step == tutor_step ? s->hook.arg : NULL;
}

static struct tutor *tutor_get(struct cmd_ctx *c, struct err *e)
{
	struct tutor *T = tutor_of(c->s);
	if (!T) {
		T = calloc(1, sizeof *T);
		if (!T) {
			err_set(e, ST_NOMEM, "out of memory");
			return NULL;
		}
		trace_init(&T->q.trace);
		c->s->hook.step = tutor_step;
		c->s->hook.prose = tutor_prose;
		c->s->hook.arg = T;
		c->s->hook.release = tutor_release;
	}
	T->s = c->s;
	T->cmds = c->cmds;
	return T;
}

static void tutor_clear(struct tutor *T)
{
	if (T->mode == TUTOR_LESSON)
		lesson_release(&T->L);
	if (T->have_q)
		quiz_problem_release(&T->q);
	T->have_q = 0;
	T->mode = TUTOR_NONE;
	T->err[0] = 0;
	strbuf_clear(&T->prose);
}

static void tutor_release(void *arg)
{
	struct tutor *T = arg;
	if (!T)
		return;
	tutor_clear(T);
	free(T->prose.s);
	free(T);
}

/* Ends whatever runs and gives n / p back to the stages. */
static void tutor_end(struct session *s)
{
	struct tutor *T = tutor_of(s);
	if (!T)
		return;
	memset(&s->hook, 0, sizeof s->hook);
	tutor_release(T);
}

static void tutor_message(struct tutor *T, int error, const char *msg)
{
	session_message(T->s, error, msg);
}

static const char *kind_word(enum lesson_step_kind k)
{
	return k == LESSON_RUN ? "commands" : k == LESSON_CHECK ? "check" : "text";
}

static void check_hint(struct strbuf *b, const struct lesson_check *c)
{
	if (c->is_text)
		strbuf_puts(b, "Think it through, then type :answer to compare with the model answer.\n");
	else
		strbuf_printf(b, "Type :answer VALUE (right within %g; -inf for a masked cell), or :answer "
			     "alone for the solution.\n",
			  c->tolerance);
}

/* Markdown prose for the screen's narrow pane: the author's hard-wrapped
 * lines joined into paragraphs (tables, indented code, headings and list
 * items stay lines of their own), ** dropped, control characters out. */
static int list_item(const char *l)
{
	if ((l[0] == '-' || l[0] == '*') && l[1] == ' ')
		return 1;
	int i = 0;
	while (l[i] >= '0' && l[i] <= '9')
		i++;
	return i > 0 && l[i] == '.' && l[i + 1] == ' ';
}

static void reflow(struct strbuf *b, const char *text)
{
	struct strbuf par = {0};
	int code = 0;
	char clean[LESSON_SHOWN_CLEAN];
	while (*text) {
		text = lesson_next_line(text, LESSON_SHOWN_CUT, clean);
		/* drop ** (bold) */
		char *w = clean;
		for (const char *r = clean; *r; r++) {
			if (r[0] == '*' && r[1] == '*' && !code) {
				r++;
				continue;
			}
			*w++ = *r;
		}
		*w = 0;
		size_t lead = strspn(clean, " ");
		const char *body = clean + lead;
		int fence = strncmp(body, "```", 3) == 0;
		int special = code || fence || !*body || lead >= 4 || body[0] == '|' || body[0] == '#' ||
			      (lead == 0 && list_item(body));
		if (special || !par.n) {
			if (par.n) {
				strbuf_puts(b, par.s);
				strbuf_puts(b, "\n");
				strbuf_clear(&par);
			}
			if (fence)
				code = !code;
			if (!*body) {
				if (b->n && (b->n < 2 || strcmp(b->s + b->n - 2, "\n\n") != 0))
					strbuf_puts(b, "\n");
			} else if (code || fence || lead >= 4 || body[0] == '|' || body[0] == '#') {
				strbuf_puts(b, clean);
				strbuf_puts(b, "\n");
			} else {
				strbuf_puts(&par, clean);
			}
		} else {
			strbuf_puts(&par, " ");
			strbuf_puts(&par, body);
		}
	}
	if (par.n) {
		strbuf_puts(b, par.s);
		strbuf_puts(b, "\n");
	}
	free(par.s);
}

static void build_prose(struct tutor *T)
{
	struct strbuf *b = &T->prose;
	strbuf_clear(b);
	char v[64], g[300];
	if (T->mode == TUTOR_QUIZ && T->have_q) {
		const struct quiz_problem *q = &T->q;
		strbuf_printf(b, "Exam practice: %s (quiz %s --seed %llu)\n", q->title, quiz_topic_name(q->topic),
			  (unsigned long long)q->seed);
		strbuf_printf(b, "%s\n", q->question);
		if (T->answered)
			strbuf_printf(b, "Your answer %s is %s. (:answer alone shows the solution again; quiz "
				     "gives a new problem)\n",
				  T->given, T->right ? "RIGHT" : "WRONG");
		else
			strbuf_printf(b, "Type :answer V%s (2 decimals; -inf for a masked cell), or :answer "
				     "alone for the solution.\n",
				  q->ncells > 1 ? " V ..." : "");
		strbuf_printf(b, "\n%s\nGiven:", q->setup);
		for (int i = 0; i < q->ngiven; i++)
			strbuf_printf(b, " %s", q->given[i]);
		strbuf_puts(b, " (show NAME shows one)\n");
		return;
	}
	if (T->mode != TUTOR_LESSON || T->L.nsteps == 0)
		return;
	const struct lesson *L = &T->L;
	const struct lesson_step *st = &L->steps[T->step];
	char tb[LESSON_MAX_FIELD * 2];
	text_sanitize(tb, sizeof tb, L->title);
	strbuf_printf(b, "%s · step %d/%d (%s) · n next, p back\n", tb, T->step + 1, L->nsteps,
		  kind_word(st->kind));
	const char *sec = L->sections[st->section].title;
	if (sec[0]) {
		text_sanitize(tb, sizeof tb, sec);
		strbuf_printf(b, "## %s\n", tb);
	}
	if (T->err[0])
		strbuf_printf(b, "! %s\n", T->err);
	if (st->kind == LESSON_CHECK) {
		char q[LESSON_MAX_FIELD * 2];
		text_sanitize(q, sizeof q, st->check.question);
		strbuf_printf(b, "Check: %s\n", q);
		if (T->answered) {
			if (st->check.is_text)
				strbuf_puts(b, "Compare with the model answer (shown by :answer).\n");
			else if (T->have_answer)
				strbuf_printf(b, "Your answer %s is %s: %s = %s.\n", T->given,
					  T->right ? "RIGHT" : "WRONG", T->ans.cell, lesson_fmt_value(T->ans.value, v, sizeof v));
		} else {
			check_hint(b, &st->check);
		}
		strbuf_puts(b, "\n");
	}
	if (st->prose && st->prose[0])
		reflow(b, st->prose);
	if (st->kind == LESSON_RUN) {
		strbuf_puts(b, "\n>");
		for (int i = 0; i < st->nlines; i++) {
			text_sanitize(g, sizeof g, st->lines[i].text);
			strbuf_printf(b, " %s%s", g, i + 1 < st->nlines ? ";" : "");
		}
		strbuf_puts(b, "\n");
	}
	if (T->answered && st->kind == LESSON_CHECK && st->why && st->why[0]) {
		strbuf_puts(b, "\n");
		reflow(b, st->why);
	}
	while (b->n && b->s[b->n - 1] == '\n')
		b->s[--b->n] = 0;
	/* at most one blank line in a row */
	for (char *q; b->s && (q = strstr(b->s, "\n\n\n"));) {
		memmove(q, q + 1, strlen(q + 1) + 1);
		b->n--;
	}
}

static const char *tutor_prose(void *arg)
{
	struct tutor *T = arg;
	return T && T->prose.s ? T->prose.s : NULL;
}

/* Enters step k: runs its commands (after replaying the lesson from its
 * start when going back) and evaluates a check. */
static enum status tutor_goto(struct tutor *T, int k, int replay, char *note, size_t note_n,
			      struct err *e)
{
	const struct lesson *L = &T->L;
	enum status st = ST_OK;
	T->err[0] = 0;
	T->answered = T->right = T->have_answer = 0;
	T->given[0] = 0;
	if (replay) {
		st = handout_start_model(T->s, L, e);
		for (int i = 0; i < k && !st; i++)
			for (int j = 0; L->steps[i].kind == LESSON_RUN && j < L->steps[i].nlines && !st; j++)
				st = handout_run_line(T->s, T->cmds, L, &L->steps[i].lines[j], NULL, NULL, NULL, 0, e);
	}
	T->step = k;
	const struct lesson_step *p = &L->steps[k];
	if (!st && p->kind == LESSON_RUN)
		for (int j = 0; j < p->nlines && !st; j++)
			st = handout_run_line(T->s, T->cmds, L, &p->lines[j], NULL, NULL, note, note_n, e);
	if (!st && p->kind == LESSON_CHECK && !p->check.is_text) {
		st = lesson_check_eval(L, p, &T->s->trace, &T->ans, e);
		T->have_answer = !st;
	}
	if (st)
		snprintf(T->err, sizeof T->err, "%s", e->msg);
	build_prose(T);
	return st;
}

static int tutor_step(void *arg, int delta)
{
	struct tutor *T = arg;
	if (!T || T->mode != TUTOR_LESSON)
		return 0; /* a quiz leaves n / p to the stages */
	int k = T->step + delta;
	char msg[600];
	if (k < 0) {
		tutor_message(T, 0, "this is the first step of the lesson");
		return 1;
	}
	if (k >= T->L.nsteps) {
		tutor_message(T, 0, "end of the lesson (:lesson stop gives n / p back to the stages)");
		return 1;
	}
	struct err e = {0};
	char note[256] = "";
	if (tutor_goto(T, k, delta < 0, note, sizeof note, &e)) {
		tutor_message(T, 1, e.msg);
		return 1;
	}
	const struct lesson_step *p = &T->L.steps[k];
	snprintf(msg, sizeof msg, "step %d/%d%s%s", k + 1, T->L.nsteps,
		 p->kind == LESSON_CHECK ? ": a check, :answer VALUE" : note[0] ? ": " : "",
		 p->kind == LESSON_CHECK ? "" : note);
	tutor_message(T, 0, msg);
	return 1;
}

/* ---- commands ---- */

static enum status usage(struct cmd_ctx *c, const char *name, struct err *e)
{
	const struct command *cmd = commands_find(c->cmds, name);
	return err_set(e, ST_USAGE, "usage: %s", cmd ? cmd->usage : name);
}

static void print_list(struct cmd_ctx *c)
{
	const char *dir = datadir_lessons();
	char **v;
	int n = lesson_list(dir, &v);
	if (!n) {
		cmd_printf(c, "no lessons in %s (set SEQSTEP_LESSONS, or lesson PATH runs a file)\n", dir);
		return;
	}
	cmd_printf(c, "lessons in %s (lesson N or lesson NAME starts one):\n", dir);
	struct tutor *T = tutor_of(c->s);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], stem[256], tb[200], mb[200];
		snprintf(path, sizeof path, "%s/%s", dir, v[i]);
		snprintf(stem, sizeof stem, "%.*s", (int)(strlen(v[i]) - 3), v[i]);
		struct lesson L;
		struct err e;
		int cur = T && T->mode == TUTOR_LESSON && strcmp(T->L.path, path) == 0;
		if (lesson_load(&L, path, NULL, &e) == ST_OK) {
			text_fit(tb, sizeof tb, L.title, 44);
			text_fit(mb, sizeof mb, L.model, 40);
			cmd_printf(c, "%c %-30s %-44s  %s\n", cur ? '*' : ' ', stem, tb, mb);
			lesson_release(&L);
		} else {
			text_fit(tb, sizeof tb, e.msg, 90);
			cmd_printf(c, "%c %-30s (cannot read: %s)\n", cur ? '*' : ' ', stem, tb);
		}
	}
	lesson_list_free(v, n);
}

static enum status cmd_lessons(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return usage(c, "lessons", e);
	print_list(c);
	c->out.pager = 1;
	cmd_note(c, "lessons in %s", datadir_lessons());
	return ST_OK;
}

static enum status lesson_text(struct cmd_ctx *c, struct tutor *T, struct err *e)
{
	if (!T || T->mode != TUTOR_LESSON)
		return err_set(e, ST_USAGE, "no lesson is running (lesson N starts one)");
	/* The whole step, unclipped, with its Why once answered. */
	cmd_printf(c, "%s", T->prose.s ? T->prose.s : "");
	const struct lesson_step *p = &T->L.steps[T->step];
	if (!T->answered && p->kind == LESSON_CHECK && p->why && p->why[0])
		cmd_printf(c, "\n(The explanation appears after you answer.)\n");
	c->out.pager = 1;
	cmd_note(c, "lesson step %d/%d", T->step + 1, T->L.nsteps);
	return ST_OK;
}

static enum status cmd_lesson(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int width = 100, force = 0;
	const char *name = NULL, *pdf = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--width") == 0 && i + 1 < argc) {
			if (!parse_int(argv[++i], 40, 1000, &width))
				return err_set(e, ST_USAGE, "--width takes a number 40..1000, not '%.20s'", argv[i]);
		} else if (strcmp(argv[i], "--pdf") == 0 && i + 1 < argc) {
			pdf = argv[++i];
		} else if (strcmp(argv[i], "--force") == 0) {
			force = 1;
		} else if (!name) {
			name = argv[i];
		} else {
			return usage(c, "lesson", e);
		}
	}
	if (!name) {
		print_list(c);
		c->out.pager = 1;
		cmd_note(c, "lessons in %s", datadir_lessons());
		return ST_OK;
	}
	struct tutor *T = tutor_of(c->s);
	if (strcmp(name, "stop") == 0 || strcmp(name, "end") == 0) {
		if (!T || T->mode != TUTOR_LESSON)
			return err_set(e, ST_USAGE, "no lesson is running");
		tutor_end(c->s);
		cmd_note(c, "lesson ended: n / p step through the stages again");
		c->out.view = CMD_VIEW_STAGE;
		return ST_OK;
	}
	if (strcmp(name, "text") == 0)
		return lesson_text(c, T, e);
	if (strcmp(name, "next") == 0 || strcmp(name, "prev") == 0 || strcmp(name, "back") == 0) {
		if (!T || T->mode != TUTOR_LESSON)
			return err_set(e, ST_USAGE, "no lesson is running (lesson N starts one)");
		int d = strcmp(name, "next") == 0 ? 1 : -1, k = T->step + d;
		if (k < 0 || k >= T->L.nsteps)
			return err_set(e, ST_USAGE, "%s", k < 0 ? "this is the first step of the lesson"
								: "end of the lesson (lesson stop ends it)");
		char note[256] = "";
		enum status st = tutor_goto(T, k, d < 0, note, sizeof note, e);
		c->out.view = CMD_VIEW_STAGE;
		if (st)
			return st;
		cmd_note(c, "step %d/%d%s", k + 1, T->L.nsteps,
			 T->L.steps[k].kind == LESSON_CHECK ? ": a check, answer VALUE" : "");
		if (c->batch)
			cmd_printf(c, "%s", T->prose.s ? T->prose.s : "");
		return ST_OK;
	}
	char path[PATH_MAX];
	enum status st = lesson_resolve(name, path, sizeof path, e);
	if (st)
		return st;
	struct lesson *L = calloc(1, sizeof *L);
	if (!L)
		return err_set(e, ST_NOMEM, "out of memory");
	struct lesson_commands known = handout_commands(c->cmds);
	if ((st = lesson_load(L, path, &known, e))) {
		free(L);
		return st;
	}
	if (pdf) {
		/* A printed handout: on a session of its own, so the explorer
		 * stays where it was. */
		struct handout_pdf_info info;
		st = handout_pdf(c->cmds, L, c->s->theme, pdf, force, &info, e);
		lesson_release(L);
		free(L);
		if (st)
			return st;
		cmd_printf(c, "wrote %s: %d pages, %d figures%s", pdf, info.pages, info.figures,
			   info.solutions ? "" : "\n");
		if (info.solutions)
			cmd_printf(c, ", solutions from page %d\n", info.solutions);
		cmd_note(c, "wrote %s (%d pages)", pdf, info.pages);
		return ST_OK;
	}
	if (c->batch) {
		/* A handout: straight to stdout, so a failure keeps what came before. */
		fflush(stdout);
		st = handout_print(stdout, c->s, c->cmds, L, width, e);
		lesson_release(L);
		free(L);
		return st;
	}
	T = tutor_get(c, e);
	if (!T) {
		lesson_release(L);
		free(L);
		return ST_NOMEM;
	}
	tutor_clear(T);
	T->L = *L;
	free(L);
	T->mode = TUTOR_LESSON;
	char note[256] = "";
	st = tutor_goto(T, 0, 1, note, sizeof note, e);
	c->out.view = CMD_VIEW_STAGE;
	if (st) {
		tutor_end(c->s);
		return st;
	}
	char tb[200];
	text_fit(tb, sizeof tb, T->L.title, 60);
	cmd_note(c, "lesson %s: step 1/%d (n next, p back, :lesson text, :lesson stop)", tb, T->L.nsteps);
	return ST_OK;
}

static uint64_t fresh_seed(void)
{
	static unsigned calls;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 8) ^ ++calls;
	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 32;
	return x % 100000;
}

static enum status cmd_quiz(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int topic = -1, have_seed = 0;
	uint64_t seed = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			const char *a = argv[++i];
			if (!parse_u64(a, QUIZ_MAX_SEED, &seed))
				return err_set(e, ST_USAGE, "--seed takes a whole number 0..%llu, not '%.20s'",
					       (unsigned long long)QUIZ_MAX_SEED, a);
			have_seed = 1;
		} else if (topic < 0 && argv[i][0] != '-') {
			if ((topic = quiz_topic_find(argv[i])) < 0) {
				char shown[64];
				text_fit(shown, sizeof shown, argv[i], 30);
				return err_set(e, ST_USAGE, "no quiz topic '%s' (topics: %s)", shown, quiz_topic_list());
			}
		} else {
			return usage(c, "quiz", e);
		}
	}
	if (!have_seed)
		seed = fresh_seed();
	if (topic < 0)
		topic = (int)(seed % QUIZ_NTOPICS);
	struct quiz_problem *q = calloc(1, sizeof *q);
	if (!q)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = quiz_build(q, (enum quiz_topic)topic, seed, e);
	if (st) {
		free(q);
		return st;
	}
	/* The problem's model in the explorer, so its tensors can be browsed. */
	struct err le = {0};
	st = session_load(c->s, q->dir, &le);
	if (!st && q->sentence[0]) {
		if (!(st = session_set_target(c->s, q->target, &le)))
			st = session_translate(c->s, q->sentence, &le);
	}
	if (!st && q->ngiven)
		st = session_show(c->s, q->given[0], &le);
	quiz_remove_dir(q);
	if (st) {
		quiz_problem_release(q);
		free(q);
		return err_set(e, st, "quiz: %s", le.msg);
	}
	struct tutor *T = tutor_get(c, e);
	if (!T) {
		quiz_problem_release(q);
		free(q);
		return ST_NOMEM;
	}
	tutor_clear(T);
	T->q = *q;
	free(q);
	T->have_q = 1;
	T->mode = TUTOR_QUIZ;
	T->answered = T->right = 0;
	T->given[0] = 0;
	build_prose(T);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		quiz_print_problem(f, &T->q, 0, NULL);
		fclose(f);
		cmd_printf(c, "%s", text ? text : "");
		free(text);
	}
	c->out.pager = 1;
	c->out.view = CMD_VIEW_STAGE;
	if (c->batch)
		c->out.view = CMD_VIEW_NONE; /* the problem text is the output */
	cmd_note(c, "quiz %s --seed %llu: answer V%s", quiz_topic_name(T->q.topic), (unsigned long long)seed,
		 T->q.ncells > 1 ? " V ..." : "");
	return ST_OK;
}

/* File text into a command's output, line by line without control characters. */
static void cmd_put_text(struct cmd_ctx *c, const char *text)
{
	char clean[LESSON_SHOWN_CLEAN];
	while (*text) {
		text = lesson_next_line(text, LESSON_SHOWN_CUT, clean);
		cmd_printf(c, "%s\n", clean);
	}
}

static enum status answer_quiz(struct cmd_ctx *c, struct tutor *T, int argc, char **argv, struct err *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = ST_OK;
	int right = 0;
	if (argc > 1) {
		char *lines = NULL;
		size_t ll = 0;
		FILE *g = open_memstream(&lines, &ll);
		if (!g) {
			fclose(f);
			free(text);
			return err_set(e, ST_NOMEM, "out of memory");
		}
		st = quiz_check(&T->q, argc - 1, argv + 1, g, &right, e);
		fclose(g);
		if (!st)
			fprintf(f, "%s\n%s", right ? "Right!" : "Not quite.", lines ? lines : "");
		free(lines);
		if (!st) {
			T->answered = 1;
			T->right = right;
			size_t o = 0;
			T->given[0] = 0;
			for (int i = 1; i < argc && o + 1 < sizeof T->given; i++)
				o += (size_t)snprintf(T->given + o, sizeof T->given - o, "%s%s", i > 1 ? " " : "",
						      argv[i]);
			char g[256];
			text_sanitize(g, sizeof g, T->given);
			snprintf(T->given, sizeof T->given, "%s", g);
			fprintf(f, "\nThe worked solution:\n\n");
		}
	} else {
		fprintf(f, "The worked solution:\n\n");
	}
	if (!st)
		quiz_print_solution(f, &T->q);
	fclose(f);
	if (!st) {
		cmd_printf(c, "%s", text ? text : "");
		c->out.pager = 1;
		if (argc > 1)
			cmd_note(c, "%s (quiz gives a new problem)", right ? "right" : "wrong: see the solution");
		else
			cmd_note(c, "the solution (quiz gives a new problem)");
		build_prose(T);
	}
	free(text);
	return st;
}

static enum status answer_lesson(struct cmd_ctx *c, struct tutor *T, int argc, char **argv, struct err *e)
{
	const struct lesson_step *p = &T->L.steps[T->step];
	const struct lesson_check *k = &p->check;
	char v[64];
	if (k->is_text) {
		T->answered = 1;
		cmd_printf(c, "Model answer: ");
		cmd_put_text(c, k->text);
		if (p->why && p->why[0]) {
			cmd_printf(c, "\n");
			cmd_put_text(c, p->why);
		}
		c->out.pager = 1;
		cmd_note(c, "compare your answer with the model answer (n: next step)");
		build_prose(T);
		return ST_OK;
	}
	if (!T->have_answer)
		return err_set(e, ST_BADINPUT, "%s", T->err[0] ? T->err : "this check has no value");
	if (argc > 2)
		return err_set(e, ST_USAGE, "this check wants one number (%s)", T->ans.cell);
	int right = 0;
	if (argc == 2) {
		double given;
		if (!quiz_parse_value(argv[1], &given)) {
			char shown[64];
			text_fit(shown, sizeof shown, argv[1], 20);
			return err_set(e, ST_USAGE, "'%s' is not a number (write -inf for a masked cell)", shown);
		}
		right = quiz_value_ok(given, T->ans.value, k->tolerance);
		T->answered = 1;
		T->right = right;
		text_sanitize(T->given, sizeof T->given, argv[1]);
		cmd_printf(c, "%s  You: %s   engine: %s = %s  (within %g)\n\n", right ? "Right!" : "Not quite.",
			   T->given, T->ans.cell, lesson_fmt_value(T->ans.value, v, sizeof v), k->tolerance);
	} else {
		T->answered = 1;
		snprintf(T->given, sizeof T->given, "(none)");
		cmd_printf(c, "The engine: %s = %s\n\n", T->ans.cell, lesson_fmt_value(T->ans.value, v, sizeof v));
	}
	cmd_printf(c, "%s\n", T->ans.explain);
	if (p->why && p->why[0]) {
		cmd_printf(c, "\n");
		cmd_put_text(c, p->why);
	}
	/* The cell on the screen, so the detail pane explains it too. */
	struct err se;
	const struct tensor *shown = trace_get(&c->s->trace, T->ans.name);
	if (shown && T->ans.row < shown->rows && T->ans.col < shown->cols &&
	    session_show(c->s, T->ans.name, &se) == ST_OK) {
		session_select(c->s, c->s->panel, T->ans.row, T->ans.col);
		c->out.view = CMD_VIEW_STAGE;
		if (c->batch)
			c->out.view = CMD_VIEW_NONE;
	}
	c->out.pager = 1;
	if (argc == 2)
		cmd_note(c, "%s: %s = %s (n: next step)", right ? "right" : "wrong", T->ans.cell,
			 lesson_fmt_value(T->ans.value, v, sizeof v));
	else
		cmd_note(c, "%s = %s (n: next step)", T->ans.cell, lesson_fmt_value(T->ans.value, v, sizeof v));
	build_prose(T);
	return ST_OK;
}

static enum status cmd_answer(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	struct tutor *T = tutor_of(c->s);
	if (T && T->mode == TUTOR_QUIZ && T->have_q)
		return answer_quiz(c, T, argc, argv, e);
	if (T && T->mode == TUTOR_LESSON && T->L.steps[T->step].kind == LESSON_CHECK)
		return answer_lesson(c, T, argc, argv, e);
	if (T && T->mode == TUTOR_LESSON)
		return err_set(e, ST_USAGE, "step %d/%d is not a check: n goes on to the next one", T->step + 1,
			       T->L.nsteps);
	return err_set(e, ST_USAGE,
		       "no question is waiting for an answer (a lesson's check: lesson N; exam practice: quiz)");
}

static void complete_quiz(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 1)
		for (int i = 0; i < QUIZ_NTOPICS; i++)
			strlist_add(out, quiz_topic_name((enum quiz_topic)i));
	else
		strlist_add(out, "--seed");
}

static void complete_lesson(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	complete_lessons(c, argi, word, out);
	if (argi == 1) {
		static const char *const sub[] = {"next", "prev", "text", "stop"};
		for (size_t i = 0; i < sizeof sub / sizeof *sub; i++)
			strlist_add(out, sub[i]);
	}
}

static const struct command lesson_cmds[] = {
	{"lessons", NULL, cmd_lessons, "lessons", "list the lessons", NULL},
	{"lesson", NULL, cmd_lesson, "lesson [N|NAME|FILE] [--pdf OUT.pdf [--force]]",
	 "start a lesson, n / p step (no argument: list); lesson next|prev|text|stop; --pdf: print it",
	 complete_lesson},
	{"quiz", NULL, cmd_quiz, "quiz [TOPIC] [--seed N]",
	 "exam practice, topics qrow score softmax masked posenc lstm-gate additive wsum", complete_quiz},
	{"answer", "a", cmd_answer, "answer [VALUE ...]",
	 "answer a lesson check or quiz (2 decimals, -inf if masked); alone: the solution", NULL},
};

enum status tutor_register(struct commands *c, struct err *e)
{
	for (size_t i = 0; i < sizeof lesson_cmds / sizeof *lesson_cmds; i++) {
		enum status st = commands_add(c, &lesson_cmds[i], e);
		if (st)
			return st;
	}
	return ST_OK;
}

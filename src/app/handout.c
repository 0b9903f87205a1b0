#include "app/handout.h"
#include "app/textview.h"
#include "base/textwidth.h"
#include "teach/quiz.h"

#include <stdlib.h>
#include <string.h>

static void put_sanitized(FILE *f, const char *s)
{
	char clean[LESSON_SHOWN_CLEAN];
	while (*s) {
		s = lesson_next_line(s, LESSON_MAX_LINE * 2, clean);
		fprintf(f, "%s\n", clean);
	}
}

struct view_out {
	FILE *f;
	int width;
};

static void print_view(struct cmd_ctx *c, void *arg)
{
	struct view_out *v = arg;
	if (c->out.len)
		fputs(c->out.text, v->f);
	if (c->out.view == CMD_VIEW_STAGE) {
		textview_stage(v->f, c->s, v->width);
	} else if (c->out.view == CMD_VIEW_TENSOR) {
		const struct tensor *t = trace_get(&c->s->trace, c->out.tensor);
		if (t)
			textview_whatif(v->f, &c->s->trace);
		if (t)
			textview_tensor(v->f, t, v->width);
	}
}

/* A fresh start on the lesson's model: greedy decoding, no forced target. */
static int known_command(void *arg, const char *name)
{
	return commands_find(arg, name) != NULL;
}

struct lesson_commands handout_commands(const struct commands *c)
{
	return (struct lesson_commands){known_command, (void *)c};
}

enum status handout_start_model(struct session *s, const struct lesson *L, struct err *e)
{
	struct err le = {0};
	s->opts.beam = 1;
	enum status st = session_load(s, L->model, &le);
	if (st) {
		return err_set(e, ST_BADINPUT, "%s:%d: model '%.200s' does not load: %s", L->path,
			       L->model_line, L->model, le.msg);
	}
	return ST_OK;
}

enum status handout_run_line(struct session *s, struct commands *cmds, const struct lesson *L,
			     const struct lesson_line *ln, void (*after)(struct cmd_ctx *, void *),
			     void *arg, char *note, size_t note_n, struct err *e)
{
	struct cmd_ctx sub = {.s = s, .cmds = cmds, .batch = after != NULL};
	struct err ce = {0};
	enum status st = commands_run(cmds, &sub, ln->text, after, arg, &ce);
	if (note && note_n && sub.out.note[0])
		snprintf(note, note_n, "%s", sub.out.note);
	cmd_out_release(&sub.out);
	if (st)
		return err_set(e, st == ST_NOMEM ? ST_NOMEM : ST_BADINPUT, "%s:%d: %s", L->path, ln->lineno,
			       ce.msg);
	return ST_OK;
}

enum status handout_print(FILE *f, struct session *s, struct commands *cmds, const struct lesson *L,
			  int width, struct err *e)
{
	char tb[LESSON_MAX_FIELD * 2];
	text_sanitize(tb, sizeof tb, L->title);
	fprintf(f, "Lesson: %s\n", tb);
	text_sanitize(tb, sizeof tb, L->model);
	fprintf(f, "Model:  %s\n", tb);
	enum status st = handout_start_model(s, L, e);
	if (st)
		return st;
	struct view_out vo = {f, width};
	int sec = 0;
	for (int i = 0; i < L->nsteps && !st; i++) {
		const struct lesson_step *p = &L->steps[i];
		if (p->section != sec) {
			sec = p->section;
			text_sanitize(tb, sizeof tb, L->sections[sec].title);
			fprintf(f, "\n## %s\n", tb);
		}
		if (p->prose && p->prose[0]) {
			fputc('\n', f);
			put_sanitized(f, p->prose);
		}
		if (p->kind == LESSON_RUN) {
			for (int k = 0; k < p->nlines && !st; k++) {
				text_sanitize(tb, sizeof tb, p->lines[k].text);
				fprintf(f, "\n$ %s\n", tb);
				st = handout_run_line(s, cmds, L, &p->lines[k], print_view, &vo, NULL, 0, e);
			}
		} else if (p->kind == LESSON_CHECK) {
			const struct lesson_check *c = &p->check;
			fputs("\nCheck: ", f);
			put_sanitized(f, c->question);
			if (c->is_text) {
				fputs("Answer: ", f);
				put_sanitized(f, c->text);
			} else {
				struct lesson_answer *a = malloc(sizeof *a);
				if (!a)
					return err_set(e, ST_NOMEM, "out of memory");
				char v[64], x[64];
				st = lesson_check_eval(L, p, &s->trace, a, e);
				if (!st) {
					fprintf(f, "Answer: %s = %s", a->cell, lesson_fmt_value(a->value, v, sizeof v));
					if (c->has_expect) {
						if (!quiz_value_ok(c->expect, a->value, c->tolerance)) {
							fputc('\n', f);
							st = err_set(e, ST_BADINPUT,
								     "%s:%d: the engine has %s = %s, the lesson expects %s "
								     "(tolerance %g)",
								     L->path, c->expect_line, a->cell,
								     lesson_fmt_value(a->value, v, sizeof v),
								     lesson_fmt_value(c->expect, x, sizeof x), c->tolerance);
						} else {
							fprintf(f, "   (expected %s ± %g: ok)", lesson_fmt_value(c->expect, x, sizeof x),
								c->tolerance);
						}
					}
					if (!st) {
						fprintf(f, "\n\n");
						put_sanitized(f, a->explain);
					}
				}
				free(a);
			}
			if (!st && p->why && p->why[0]) {
				fputc('\n', f);
				put_sanitized(f, p->why);
			}
		}
	}
	fflush(f);
	return st;
}

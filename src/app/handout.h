/* A lesson printed as a handout (seqstep --lesson FILE, or `lesson` in
 * batch mode): its prose as written, each step's commands with their views
 * as text, each check with the engine's value and its worked explanation.
 * Also the two pieces the explorer's tutor runs lessons with. */
#ifndef SEQSTEP_APP_HANDOUT_H
#define SEQSTEP_APP_HANDOUT_H

#include "app/commands.h"
#include "app/session.h"
#include "teach/lesson.h"

#include <stdio.h>

/* Prints the whole lesson to f (views as wide as width) and verifies every
 * expect:. Runs on s (loading the lesson's model). Stops at the first
 * problem: "FILE:LINE: ...". */
enum status handout_print(FILE *f, struct session *s, struct commands *cmds, const struct lesson *L,
			  int width, struct err *e);

/* A check's expect: against the engine's answer a: ST_BADINPUT naming the
 * lesson's line when they differ by more than the tolerance. */
enum status handout_expect(const struct lesson *L, const struct lesson_step *p, const struct lesson_answer *a,
			   struct err *e);

/* The command table as the lesson parser checks against it. */
struct lesson_commands handout_commands(const struct commands *c);

/* A fresh start on the lesson's model: greedy decoding, no forced target. */
enum status handout_start_model(struct session *s, const struct lesson *L, struct err *e);
/* Runs one line of a seqstep block; after (when not NULL: batch mode)
 * prints its output. The command's note goes to note. Errors name the
 * lesson file and the line. */
enum status handout_run_line(struct session *s, struct commands *cmds, const struct lesson *L,
			     const struct lesson_line *ln, void (*after)(struct cmd_ctx *, void *),
			     void *arg, char *note, size_t note_n, struct err *e);

#endif

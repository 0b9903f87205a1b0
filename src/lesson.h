/* Lessons: Markdown files that run on a real model (lessons/README.md
 * describes the format), and the explorer commands that run them and the
 * exam-practice quiz (quiz.h builds the problems):
 *
 *   lessons                 list the lessons in commands_lessons_dir()
 *   lesson [NAME|N|PATH]    no argument: list; else start one. In batch mode
 *                           (-c, --lesson) it prints the whole lesson as a
 *                           handout, every view rendered as text.
 *   lesson next|prev|text|stop   (n / p step on the screen; text shows the
 *                           current step's full prose; stop ends it)
 *   quiz [TOPIC] [--seed N] a hand-sized problem built from the engine
 *   answer [VALUE ...]      answers the current check or quiz problem;
 *                           alone it shows the solution
 *
 * Lesson files are untrusted (teachers share them): sizes are bounded, text
 * must be valid UTF-8 without control characters, and every problem is one
 * line "FILE:LINE: what is wrong". */
#ifndef SEQSTEP_LESSON_H
#define SEQSTEP_LESSON_H

#include "commands.h"
#include "session.h"
#include "status.h"

#include <stdio.h>

enum {
	LESSON_MAX_BYTES = 256 * 1024, /* a lesson file */
	LESSON_MAX_LINE = 2000,        /* bytes in one line */
	LESSON_MAX_STEPS = 400,
	LESSON_MAX_SECTIONS = 100,
	LESSON_MAX_BLOCK = 40,         /* lines in one block */
	LESSON_MAX_FIELD = 1000,       /* title, model, a check field */
};

enum lesson_step_kind {
	LESSON_PROSE, /* text only */
	LESSON_RUN,   /* a ```seqstep block: explorer commands */
	LESSON_CHECK, /* a ```check block: a question */
};

struct lesson_line {
	int lineno;
	char *text;
};

struct lesson_check {
	char *question;
	int is_text;     /* answer: text */
	char *text;      /* the model answer of a text check */
	char *tensor;    /* answer: NAME[ROW, COL] / NAME[COL] */
	char *row;       /* NULL for NAME[COL] (row 0) */
	char *col;
	int has_expect;
	double expect;
	double tolerance; /* the student's and the expect: check's; default 0.005 */
	int answer_line, expect_line;
};

struct lesson_step {
	enum lesson_step_kind kind;
	int section;     /* index into lesson.sections */
	int lineno;      /* the block's opening fence, or the prose's first line */
	char *prose;     /* the text before the block in its section ("" none) */
	char *why;       /* checks: the "Why:" paragraph after it ("" none) */
	struct lesson_line *lines; /* LESSON_RUN: the commands */
	int nlines;
	struct lesson_check check; /* LESSON_CHECK */
};

struct lesson_section {
	char *title;     /* "" for the text before the first ## heading */
	int lineno;
};

struct lesson {
	char path[1024];
	char title[LESSON_MAX_FIELD];
	char model[LESSON_MAX_FIELD];
	int model_line;  /* the model: line of the front matter */
	struct lesson_section *sections;
	int nsections;
	struct lesson_step *steps;
	int nsteps;
};

/* Parses lesson text (path names it in messages). cmds, when not NULL, is
 * the command table every seqstep line is checked against. */
enum status lesson_parse(struct lesson *L, const char *path, const char *text, size_t len,
			 const struct commands *cmds, struct err *e);
/* Reads and parses a file (at most LESSON_MAX_BYTES). */
enum status lesson_load(struct lesson *L, const char *path, const struct commands *cmds,
			struct err *e);
void lesson_release(struct lesson *L);

/* A lesson named by a path (anything with a '/' or ending in .md), a number
 * ("9" -> 09-*.md) or a file stem ("09-self-attention", "self-attention"),
 * looked up in commands_lessons_dir(). */
enum status lesson_resolve(const char *arg, char *path, size_t n, struct err *e);

/* The value a check asks for, read from the trace: the cell, its labels
 * and the worked explanation (explain_cell). */
struct lesson_answer {
	const struct tensor *t; /* valid while the trace is unchanged */
	char name[128];
	int row, col;
	double value;
	char cell[256];     /* "self_attn.q[Cat, 1]" */
	char explain[8192];
};
enum status lesson_check_eval(const struct lesson *L, const struct lesson_step *st,
			      const struct trace *tr, struct lesson_answer *a, struct err *e);

/* Prints the whole lesson to f: prose as written (sanitized), each step's
 * commands with their views as text (as wide as width), each check with
 * the engine's value and its worked explanation, and verifies every
 * expect:. Runs on s (loading the lesson's model). Stops at the first
 * problem: "FILE:LINE: ...". */
enum status lesson_handout(FILE *f, struct session *s, struct commands *cmds, const struct lesson *L,
			   int width, struct err *e);

/* Adds lessons, lesson, quiz and answer to the command table. */
enum status lesson_register(struct commands *c, struct err *e);

#endif

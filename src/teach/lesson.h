/* Lessons: Markdown files that run on a real model (lessons/README.md
 * describes the format). This module reads them: the front matter, the
 * sections, the steps (prose, ```seqstep command blocks, ```check
 * questions) and the "Why:" paragraphs, and answers a check from a trace.
 * Running a lesson on the explorer is app/tutor.c; printing one as a
 * handout is app/handout.c.
 *
 * Lesson files are untrusted (teachers share them): sizes are bounded, text
 * must be valid UTF-8 without control characters, and every problem is one
 * line "FILE:LINE: what is wrong". */
#ifndef SEQSTEP_LESSON_H
#define SEQSTEP_LESSON_H

#include "base/status.h"
#include "trace/trace.h"

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

/* The interpreter's command table as the parser sees it: whether a
 * command name exists (the lesson commands are a fixed subset of it). */
struct lesson_commands {
	int (*known)(void *arg, const char *name);
	void *arg;
};

/* Parses lesson text (path names it in messages). cmds, when not NULL, is
 * the command table every seqstep line is checked against. */
enum status lesson_parse(struct lesson *L, const char *path, const char *text, size_t len,
			 const struct lesson_commands *cmds, struct err *e);
/* Reads and parses a file (at most LESSON_MAX_BYTES). */
enum status lesson_load(struct lesson *L, const char *path, const struct lesson_commands *cmds,
			struct err *e);
void lesson_release(struct lesson *L);

/* The lesson files of dir (*.md but README.md), sorted; returns how many
 * (at most 1000). Free them with lesson_list_free. */
int lesson_list(const char *dir, char ***out);
void lesson_list_free(char **v, int n);

/* A lesson named by a path (anything with a '/' or ending in .md), a number
 * ("9" -> 09-*.md) or a file stem ("09-self-attention", "self-attention"),
 * looked up in datadir_lessons() (io/datadir.h). */
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

/* A check's value as the handout and the explorer print it ("1.3801",
 * "-inf"). */
const char *lesson_fmt_value(double v, char *buf, size_t n);

/* Lesson text goes out line by line because text_sanitize works on bounded
 * buffers: a line is cut at LESSON_SHOWN_CUT bytes (the handout's at
 * LESSON_MAX_LINE * 2), and its sanitized form fits LESSON_SHOWN_CLEAN. */
enum { LESSON_SHOWN_CUT = LESSON_MAX_LINE * 2 + 7, LESSON_SHOWN_CLEAN = LESSON_MAX_LINE * 4 + 8 };
/* The first line of text, at most cut (<= LESSON_SHOWN_CUT) bytes of it,
 * into clean without control characters; returns the text after it. */
const char *lesson_next_line(const char *text, size_t cut, char clean[LESSON_SHOWN_CLEAN]);

#endif

/* The explorer's command-line syntax, shared by the interpreter
 * (app/commands.c) and the lesson parser, which checks a lesson's commands
 * before anything runs. */
#ifndef SEQSTEP_BASE_CMDLINE_H
#define SEQSTEP_BASE_CMDLINE_H

#include "base/status.h"

/* A line parsed: commands separated by ';', words by blanks, "..." and
 * '...' quote, backslash escapes, '#' starts a comment at a word start. */
struct cmd_words {
	int argc;
	char **argv;
};
struct cmdline {
	struct cmd_words *cmd;
	int n;
};
enum status cmdline_parse(const char *line, struct cmdline *out, struct err *e);
void cmdline_release(struct cmdline *l);

#endif

/* The explorer's command interpreter without a screen: commands from -c, a
 * script file, a lesson or stdin, each command's output and view printed
 * as text (app/textview.c), for tests and handouts. */
#ifndef SEQSTEP_APP_SCRIPT_H
#define SEQSTEP_APP_SCRIPT_H

#include "app/commands.h"
#include "app/session.h"

struct script_opts {
	const char *cmds;   /* -c 'CMD; CMD' */
	const char *script; /* --script FILE ("-": stdin) */
	const char *lesson; /* --lesson FILE: the lesson as a handout */
	int width;          /* columns of the text views */
	const char *pdf;    /* --pdf OUT.pdf: the lesson's handout as a PDF instead */
	int force;          /* --force: over an existing OUT.pdf */
};

/* Runs the one source that is set (stdin when none) until its end or the
 * first error, which is one line on stderr ("FILE:LINE: ..." for a script).
 * Returns the process exit status (0, 1 usage, 2 bad input). */
int script_run(struct session *s, struct commands *cmds, const struct script_opts *o);

#endif

/* A lesson as a printable PDF handout (seqstep --lesson FILE --pdf OUT.pdf):
 * A4 pages, each step of the lesson starting a page of its own (its
 * section's heading, its prose, each command with its text and the view
 * it shows as a figure drawn by app/figure.c; a check as its question with
 * room for an answer), and at the end the solutions: each check's
 * question, the engine's answer, its worked explanation and the "Why:"
 * paragraph. Every expect: is verified as in the text handout; any problem
 * leaves no file behind. */
#ifndef SEQSTEP_APP_HANDOUT_PDF_H
#define SEQSTEP_APP_HANDOUT_PDF_H

#include "app/commands.h"
#include "teach/lesson.h"

struct handout_pdf_info {
	int pages;      /* all of them */
	int solutions;  /* the first solutions page, 0: no checks */
	int figures;
};

/* Runs the lesson on a fresh session of its own (theme: the figures'
 * palette) and writes path atomically (force: over an existing file). */
enum status handout_pdf(struct commands *cmds, const struct lesson *L, enum theme theme, const char *path,
			int force, struct handout_pdf_info *info, struct err *e);

#endif

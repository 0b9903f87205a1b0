/* Whether terminfo knows a terminal, asked before newterm(). Its own file
 * because <term.h> defines macros (lines, columns) that clash with
 * ordinary variable names. */
#ifndef SEQSTEP_TERMCHECK_H
#define SEQSTEP_TERMCHECK_H

/* term NULL means $TERM. */
int term_known(const char *term, int fd);

#endif

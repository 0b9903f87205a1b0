/* Lessons and the exam-practice quiz in the explorer: the commands
 *
 *   lessons                 list the lessons in datadir_lessons()
 *   lesson [NAME|N|PATH]    no argument: list; else start one. In batch mode
 *                           (-c, --lesson) it prints the whole lesson as a
 *                           handout (app/handout.c).
 *   lesson next|prev|text|stop   (n / p step on the screen; text shows the
 *                           current step's full prose; stop ends it)
 *   quiz [TOPIC] [--seed N] a hand-sized problem built from the engine
 *   answer [VALUE ...]      answers the current check or quiz problem;
 *                           alone it shows the solution
 *
 * While one runs it takes over n / p and the top of the detail pane through
 * the session's hook, and reports through the session's message sink. */
#ifndef SEQSTEP_APP_TUTOR_H
#define SEQSTEP_APP_TUTOR_H

#include "app/commands.h"

/* Adds lessons, lesson, quiz and answer to the command table. */
enum status tutor_register(struct commands *c, struct err *e);

#endif

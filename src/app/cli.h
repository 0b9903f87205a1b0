/* The command line without the explorer: the batch options (--translate,
 * --list, --show, --dump) and the subcommands (train, eval, corpus, quiz).
 * app/main.c asks cli_run first and opens the explorer otherwise. */
#ifndef SEQSTEP_APP_CLI_H
#define SEQSTEP_APP_CLI_H

/* What every run of the program sets up first: one BLAS thread unless
 * OPENBLAS_NUM_THREADS says otherwise, temp files removed on fatal signals. */
void cli_setup(void);

/* Runs a subcommand or the batch options when argv names one; returns 1
 * with the process exit status in *rc, or 0 when the explorer should open. */
int cli_run(int argc, char **argv, int *rc);

/* Entry points of the subcommands, each in its own file. */
int train_main(int argc, char **argv);    /* seqstep train ...  (train_cli.c) */
int eval_main(int argc, char **argv);     /* seqstep eval ...   (train_cli.c) */
int corpus_main(int argc, char **argv);   /* seqstep corpus ... (cli.c) */

#endif

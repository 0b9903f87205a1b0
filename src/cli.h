/* The command line: batch options, subcommands, and the default of opening
 * the explorer. Returns the process exit status. */
#ifndef SEQSTEP_CLI_H
#define SEQSTEP_CLI_H

#include <stddef.h>

int cli_main(int argc, char **argv);

/* Entry points of the subcommands, each in its own file. */
int train_main(int argc, char **argv);    /* seqstep train ...  (train_cli.c) */
int eval_main(int argc, char **argv);     /* seqstep eval ...   (train_cli.c) */
int corpus_main(int argc, char **argv);   /* seqstep corpus ... (cli.c) */
/* The explorer and its batch forms: seqstep [--model M] [-c CMDS | --script
 * FILE | --lesson FILE] (explorer.c). */
int explorer_main(int argc, char **argv);

/* A bare name means a shipped model in cli_models_dir(); a path is a path. */
void cli_resolve_model(const char *name, char *out, size_t n);

/* Where the shipped models live: $SEQSTEP_MODELS, else ../models next to
 * the executable, else ./models. */
const char *cli_models_dir(void);

#endif

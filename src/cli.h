/* The command line: batch options, subcommands, and the default of opening
 * the explorer. Returns the process exit status. */
#ifndef SEQSTEP_CLI_H
#define SEQSTEP_CLI_H

int cli_main(int argc, char **argv);

/* Where the shipped models live: $SEQSTEP_MODELS, else ../models next to
 * the executable, else ./models. */
const char *cli_models_dir(void);

#endif

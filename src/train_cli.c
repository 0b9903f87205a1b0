/* PLACEHOLDER until training lands (owned by the training work). */
#include "cli.h"
#include <stdio.h>
int train_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "seqstep: training is not built yet\n");
	return 1;
}
int eval_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "seqstep: eval is not built yet\n");
	return 1;
}

/* PLACEHOLDER until the explorer lands (owned by the explorer work). */
#include "cli.h"
#include <stdio.h>
int explorer_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "seqstep: the explorer is not built yet; use --translate\n");
	return 1;
}

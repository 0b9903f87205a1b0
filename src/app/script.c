#include "app/script.h"
#include "app/textview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

static void print_output(struct cmd_ctx *c, void *arg)
{
	const struct script_opts *b = arg;
	if (c->out.warning[0])
		fprintf(stderr, "seqstep: warning: %s\n", c->out.warning);
	if (c->out.len)
		fputs(c->out.text, stdout);
	if (c->out.view == CMD_VIEW_STAGE) {
		textview_stage(stdout, c->s, b->width);
	} else if (c->out.view == CMD_VIEW_TENSOR) {
		const struct tensor *t = trace_get(&c->s->trace, c->out.tensor);
		if (t)
			textview_whatif(stdout, &c->s->trace);
		if (t)
			textview_tensor(stdout, t, b->width);
	}
	fflush(stdout);
}

/* Runs lines from f until the end or the first error. where names the
 * source for messages ("script.txt", "stdin"). */
static enum status run_stream(struct commands *cmds, struct cmd_ctx *ctx, const struct script_opts *b, FILE *f,
			      const char *where)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	enum status st = ST_OK;
	while (!ctx->s->quit && (n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = 0;
		struct err e = {0};
		if ((st = commands_run(cmds, ctx, line, print_output, (void *)b, &e))) {
			fprintf(stderr, "seqstep: %s:%d: %s\n", where, lineno, e.msg);
			break;
		}
	}
	free(line);
	return st;
}

int script_run(struct session *s, struct commands *cmds, const struct script_opts *o)
{
	const struct script_opts *b = o;
	struct cmd_ctx ctx = {.s = s, .cmds = cmds, .batch = 1};
	enum status st = ST_OK;
	struct err e = {0};
	if (o->cmds) {
		if ((st = commands_run(cmds, &ctx, o->cmds, print_output, (void *)b, &e)))
			fprintf(stderr, "seqstep: %s\n", e.msg);
	} else if (o->lesson) {
		/* The lesson command prints the handout (lesson.c); the file
		 * name is quoted so blanks, quotes and ';' stay in it. */
		char line[8400];
		size_t k = (size_t)snprintf(line, sizeof line, "lesson \"");
		for (const char *p = o->lesson; *p && k + 40 < sizeof line; p++) {
			if (*p == '"' || *p == '\\')
				line[k++] = '\\';
			line[k++] = *p;
		}
		snprintf(line + k, sizeof line - k, "\" --width %d", b->width);
		if ((st = commands_run(cmds, &ctx, line, print_output, (void *)b, &e)))
			fprintf(stderr, "seqstep: %s\n", e.msg);
	} else if (o->script) {
		FILE *f = strcmp(o->script, "-") == 0 ? stdin : fopen(o->script, "r");
		if (!f) {
			fprintf(stderr, "seqstep: %s: cannot open: %s\n", o->script, strerror(errno));
			cmd_out_release(&ctx.out);
			return 2;
		}
		st = run_stream(cmds, &ctx, b, f, o->script);
		if (f != stdin)
			fclose(f);
	} else {
		st = run_stream(cmds, &ctx, b, stdin, "stdin");
	}
	cmd_out_release(&ctx.out);
	return status_exit_code(st);
}


/* seqstep [--model M] [-c CMDS | --script FILE | --lesson FILE]: the
 * explorer on a terminal, or the same command interpreter in batch mode
 * printing each view as text (for tests and handouts). */
#include "cli.h"
#include "commands.h"
#include "parse.h"
#include "session.h"
#include "tui.h"

/* Lessons and quizzes add their commands to the one table when their
 * module is there (lesson.h: enum status lesson_register(struct commands *,
 * struct err *)). */
#if defined(__has_include)
#if __has_include("lesson.h")
#include "lesson.h"
#define EXPLORER_HAVE_LESSONS 1
#endif
#endif

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xopts {
	const char *model, *cmds, *script, *lesson, *theme;
	int width;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: seqstep [--model M] [--theme default|contrast|mono]   open the explorer\n"
		"       seqstep [--model M] -c 'CMD; CMD ...' [--width N]    run commands, print the views as text\n"
		"       seqstep [--model M] --script FILE                    the same, commands from a file\n"
		"       seqstep [--model M] --lesson FILE                    print a lesson, views as text\n"
		"Without a terminal (TERM=dumb, or stdin not a terminal) commands are read from stdin.\n"
		"M is a folder, or the name of a shipped model in %s (default %s).\n"
		"Type help inside for the commands. Exit status: 0 ok, 1 usage error, 2 bad input.\n",
		cli_models_dir(), SESSION_DEFAULT_MODEL);
}

struct batch {
	int width;
};

static void print_output(struct cmd_ctx *c, void *arg)
{
	const struct batch *b = arg;
	if (c->out.warning[0])
		fprintf(stderr, "seqstep: warning: %s\n", c->out.warning);
	if (c->out.len)
		fputs(c->out.text, stdout);
	if (c->out.view == CMD_VIEW_STAGE) {
		tui_text_view(stdout, c->s, b->width);
	} else if (c->out.view == CMD_VIEW_TENSOR) {
		const struct tensor *t = trace_get(&c->s->trace, c->out.tensor);
		if (t)
			tui_text_tensor(stdout, t, b->width);
	}
	fflush(stdout);
}

/* Runs lines from f until the end or the first error. where names the
 * source for messages ("script.txt", "stdin"). */
static enum status run_stream(struct commands *cmds, struct cmd_ctx *ctx, struct batch *b, FILE *f,
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
		if ((st = commands_run(cmds, ctx, line, print_output, b, &e))) {
			fprintf(stderr, "seqstep: %s:%d: %s\n", where, lineno, e.msg);
			break;
		}
	}
	free(line);
	return st;
}

static int run_batch(struct session *s, struct commands *cmds, const struct xopts *o)
{
	struct batch b = {o->width};
	struct cmd_ctx ctx = {.s = s, .cmds = cmds, .batch = 1};
	enum status st = ST_OK;
	struct err e = {0};
	if (o->cmds) {
		if ((st = commands_run(cmds, &ctx, o->cmds, print_output, &b, &e)))
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
		snprintf(line + k, sizeof line - k, "\" --width %d", b.width);
		if ((st = commands_run(cmds, &ctx, line, print_output, &b, &e)))
			fprintf(stderr, "seqstep: %s\n", e.msg);
	} else if (o->script) {
		FILE *f = strcmp(o->script, "-") == 0 ? stdin : fopen(o->script, "r");
		if (!f) {
			fprintf(stderr, "seqstep: %s: cannot open: %s\n", o->script, strerror(errno));
			cmd_out_release(&ctx.out);
			return 2;
		}
		st = run_stream(cmds, &ctx, &b, f, o->script);
		if (f != stdin)
			fclose(f);
	} else {
		st = run_stream(cmds, &ctx, &b, stdin, "stdin");
	}
	cmd_out_release(&ctx.out);
	return status_exit_code(st);
}

static int run_screen(struct session *s, struct commands *cmds, const struct xopts *o, int *fallback)
{
	setlocale(LC_ALL, "");
	setlocale(LC_NUMERIC, "C"); /* numbers always print with a '.' */
	const char *nc = getenv("NO_COLOR");
	struct tui_opts to = {NULL, NULL, NULL, nc && nc[0], 1};
	struct err e = {0};
	/* The model loads before the screen starts, so a first frame shows a
	 * translated sentence; a failure is shown on screen, not fatal. */
	enum status lst = session_ensure(s, &e);
	struct tui *t;
	if (tui_open(&t, s, cmds, &to, &e)) {
		fprintf(stderr, "seqstep: %s; reading commands from stdin\n", e.msg);
		*fallback = 1;
		return 0;
	}
	if (lst)
		tui_message(t, 1, "%s (: load MODEL opens another)", e.msg);
	else if (s->warning[0]) {
		tui_message(t, 1, "warning: %s", s->warning);
		s->warning[0] = 0;
	} else
		tui_message(t, 0, "press n to step through the model, ? for help");
	(void)o;
	tui_run(t);
	tui_close(t);
	return 0;
}

int explorer_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, 0, 'm'},  {"command", required_argument, 0, 'c'},
		{"script", required_argument, 0, 's'}, {"lesson", required_argument, 0, 'L'},
		{"theme", required_argument, 0, 'T'},  {"width", required_argument, 0, 'w'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
	};
	struct xopts o = {.width = 100};
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': o.model = optarg; break;
		case 'c': o.cmds = optarg; break;
		case 's': o.script = optarg; break;
		case 'L': o.lesson = optarg; break;
		case 'T': o.theme = optarg; break;
		case 'w':
			if (!parse_int(optarg, 40, 1000, &o.width)) {
				fprintf(stderr, "seqstep: --width takes a number 40..1000, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "seqstep: unknown or incomplete option '%s' (seqstep --help lists them)\n",
				argv[optind - 1]);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "seqstep: unexpected argument '%s' (commands go after -c, in quotes)\n",
			argv[optind]);
		return 1;
	}
	if (!!o.cmds + !!o.script + !!o.lesson > 1) {
		fprintf(stderr, "seqstep: give one of -c, --script and --lesson\n");
		return 1;
	}
	struct session s;
	session_init(&s);
	if (o.model)
		snprintf(s.model_arg, sizeof s.model_arg, "%s", o.model);
	if (o.theme) {
		if (strcmp(o.theme, "default") == 0)
			s.theme = THEME_DEFAULT;
		else if (strcmp(o.theme, "contrast") == 0)
			s.theme = THEME_CONTRAST;
		else if (strcmp(o.theme, "mono") == 0)
			s.theme = THEME_MONO;
		else {
			fprintf(stderr, "seqstep: --theme takes default, contrast or mono, not '%s'\n", o.theme);
			session_release(&s);
			return 1;
		}
	}
	struct commands cmds;
	struct err e = {0};
	enum status cst = commands_init(&cmds, &e);
#ifdef EXPLORER_HAVE_LESSONS
	if (!cst)
		cst = lesson_register(&cmds, &e);
#endif
	if (cst) {
		fprintf(stderr, "seqstep: %s\n", e.msg);
		commands_release(&cmds); /* safe after a failed init: it is zeroed */
		session_release(&s);
		return 2;
	}
	const char *term = getenv("TERM");
	int batch = o.cmds || o.script || o.lesson || !term || !*term || strcmp(term, "dumb") == 0 ||
		    !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO);
	int rc = 0, fallback = 0;
	if (!batch)
		rc = run_screen(&s, &cmds, &o, &fallback);
	if (batch || fallback)
		rc = run_batch(&s, &cmds, &o);
	commands_release(&cmds);
	session_release(&s);
	return rc;
}

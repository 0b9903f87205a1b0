/* The program. seqstep's subcommands and batch options are app/cli.c's;
 * everything else opens the explorer: seqstep [--model M] [-c CMDS |
 * --script FILE | --lesson FILE] runs the one command interpreter on a
 * terminal (tui/), or without a screen printing each view as text
 * (app/script.c) for tests and handouts. The one file that sees every
 * layer: it links them and starts the screen. */
#include "app/cli.h"
#include "app/commands.h"
#include "app/export.h"
#include "app/lab.h"
#include "app/livetrain.h"
#include "app/script.h"
#include "app/session.h"
#include "app/tutor.h"
#include "app/whatif.h"
#include "base/parse.h"
#include "io/datadir.h"
#include "tui/tui.h"

#include <errno.h>
#include <getopt.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct xopts {
	const char *model, *cmds, *script, *lesson, *theme, *pdf;
	int width, force;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: seqstep [--model M] [--theme default|contrast|mono]   open the explorer\n"
		"       seqstep [--model M] -c 'CMD; CMD ...' [--width N]    run commands, print the views as text\n"
		"       seqstep [--model M] --script FILE                    the same, commands from a file\n"
		"       seqstep [--model M] --lesson FILE                    print a lesson, views as text\n"
		"       seqstep --lesson FILE --pdf OUT.pdf [--force]        the lesson as a PDF handout\n"
		"Without a terminal (TERM=dumb, or stdin not a terminal) commands are read from stdin.\n"
		"M is a folder, or the name of a shipped model in %s (default %s).\n"
		"Type help inside for the commands. Exit status: 0 ok, 1 usage error, 2 bad input.\n",
		datadir_models(), SESSION_DEFAULT_MODEL);
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

static int explorer_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, 0, 'm'},  {"command", required_argument, 0, 'c'},
		{"script", required_argument, 0, 's'}, {"lesson", required_argument, 0, 'L'},
		{"theme", required_argument, 0, 'T'},  {"width", required_argument, 0, 'w'},
		{"pdf", required_argument, 0, 'P'},    {"force", no_argument, 0, 'f'},
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
		case 'P': o.pdf = optarg; break;
		case 'f': o.force = 1; break;
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
	if ((o.pdf || o.force) && !o.lesson) {
		fprintf(stderr, "seqstep: --pdf%s goes with --lesson FILE\n", o.pdf ? "" : " and --force");
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
	if (!cst)
		cst = tutor_register(&cmds, &e);
	if (!cst)
		cst = whatif_register(&cmds, &e);
	if (!cst)
		cst = livetrain_register(&cmds, &e);
	if (!cst)
		cst = lab_register(&cmds, &e);
	if (!cst)
		cst = export_register(&cmds, &e);
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
	if (batch || fallback) {
		struct script_opts so = {o.cmds, o.script, o.lesson, o.width, o.pdf, o.force};
		rc = script_run(&s, &cmds, &so);
	}
	commands_release(&cmds);
	session_release(&s);
	return rc;
}

int main(int argc, char **argv)
{
	cli_setup();
	int rc;
	if (cli_run(argc, argv, &rc))
		return rc;
	return explorer_main(argc, argv);
}

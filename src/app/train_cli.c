/* seqstep train / seqstep eval: the command-line side of train.c. */
#include "app/cli.h"
#include "io/datadir.h"
#include "text/corpus.h"
#include "engine/model.h"
#include "base/parse.h"
#include "engine/train.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Set by SIGINT; the training loop checks it between steps, saves and
 * returns, so Ctrl-C never leaves a half-written checkpoint. */
static volatile sig_atomic_t stop_flag;

static void on_sigint(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static const char train_usage[] =
	"usage: seqstep train --config CONFIG --corpus DIR --out MODEL_DIR [--steps N] [--seed S]\n"
	"                     [--threads 1|2] [--resume] [--force]\n"
	"CONFIG is a model config.json plus a \"train\" object; DIR holds train.tsv and valid.tsv.\n"
	"--resume continues MODEL_DIR from its train state (CONFIG defaults to MODEL_DIR/train.json);\n"
	"--force starts over in a MODEL_DIR that already holds a model. Ctrl-C saves and stops.\n";

int train_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, 0, 'c'}, {"corpus", required_argument, 0, 'd'},
		{"out", required_argument, 0, 'o'},    {"steps", required_argument, 0, 's'},
		{"seed", required_argument, 0, 'S'},   {"threads", required_argument, 0, 't'},
		{"resume", no_argument, 0, 'r'},       {"force", no_argument, 0, 'f'},
		{"help", no_argument, 0, 'h'},         {0, 0, 0, 0},
	};
	struct train_run r;
	memset(&r, 0, sizeof r);
	int c;
	long v;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': r.config_path = optarg; break;
		case 'd': r.corpus_dir = optarg; break;
		case 'o': r.out_dir = optarg; break;
		case 'r': r.resume = 1; break;
		case 'f': r.force = 1; break;
		case 's':
			if (!parse_long(optarg, 1, 1000000000L, &r.steps)) {
				fprintf(stderr, "seqstep train: --steps takes a positive whole number, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'S':
			if (!parse_long(optarg, 0, 2147483647L, &v)) {
				fprintf(stderr, "seqstep train: --seed takes a whole number, not '%s'\n", optarg);
				return 1;
			}
			r.have_seed = 1;
			r.seed = (uint64_t)v;
			break;
		case 't':
			if (!parse_long(optarg, 1, 2, &v)) {
				fprintf(stderr, "seqstep train: --threads takes 1 or 2, not '%s'\n", optarg);
				return 1;
			}
			r.threads = (int)v;
			break;
		case 'h':
			fputs(train_usage, stdout);
			return 0;
		default:
			fprintf(stderr, "seqstep train: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], train_usage);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "seqstep train: unexpected argument '%s'\n%s", argv[optind], train_usage);
		return 1;
	}
	if (!r.corpus_dir || !r.out_dir || (!r.config_path && !r.resume)) {
		fputs(train_usage, stderr);
		return 1;
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	/* A second Ctrl-C falls back to the default and ends the process. */
	sa.sa_flags = SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	r.stop = &stop_flag;
	r.out = stdout;
	r.tty = isatty(STDOUT_FILENO);
	struct train_result res;
	struct err e = {0};
	enum status st = train_run(&r, &res, &e);
	signal(SIGINT, SIG_DFL);
	if (st) {
		if (r.tty)
			fputs("\n", stdout);
		fprintf(stderr, "seqstep train: %s\n", e.msg);
		return status_exit_code(st);
	}
	/* Interrupted but saved: the conventional 128 + SIGINT status tells a
	 * script the run is not complete. */
	return res.interrupted ? 130 : 0;
}

static const char eval_usage[] =
	"usage: seqstep eval --model DIR --corpus DIR [--split test] [--beam N] [--max N]\n"
	"Decodes DIR/SPLIT.tsv and prints exact match and corpus BLEU, overall and by source\n"
	"length (English words).\n";

int eval_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, 0, 'm'}, {"corpus", required_argument, 0, 'd'},
		{"split", required_argument, 0, 's'}, {"beam", required_argument, 0, 'b'},
		{"max", required_argument, 0, 'n'},   {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *model = NULL, *corpus_dir = NULL, *split = "test";
	long beam = 1, max = 0;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model = optarg; break;
		case 'd': corpus_dir = optarg; break;
		case 's': split = optarg; break;
		case 'b':
			if (!parse_long(optarg, 1, 64, &beam)) {
				fprintf(stderr, "seqstep eval: --beam takes 1..64, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'n':
			if (!parse_long(optarg, 0, 1000000000L, &max)) {
				fprintf(stderr, "seqstep eval: --max takes a whole number, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'h':
			fputs(eval_usage, stdout);
			return 0;
		default:
			fprintf(stderr, "seqstep eval: unknown or incomplete option '%s'\n%s",
				argv[optind - 1], eval_usage);
			return 1;
		}
	}
	if (optind < argc || !model || !corpus_dir || strchr(split, '/')) {
		fputs(eval_usage, stderr);
		return 1;
	}
	char dir[4096], path[4096];
	datadir_resolve_model(model, dir, sizeof dir);
	snprintf(path, sizeof path, "%s/%s.tsv", corpus_dir, split);
	struct model m;
	struct corpus cp = {0};
	struct err e = {0};
	enum status st = model_load(&m, dir, &e);
	if (!st && m.cfg.arch != ARCH_TRANSFORMER && m.cfg.arch != ARCH_RNN_SEQ2SEQ) {
		st = err_set(&e, ST_USAGE, "%s: a %s model does not translate", dir,
			     arch_name(m.cfg.arch));
		model_release(&m);
	}
	if (st) {
		fprintf(stderr, "seqstep eval: %s\n", e.msg);
		return status_exit_code(st);
	}
	if (m.warning[0])
		fprintf(stderr, "seqstep eval: warning: %s\n", m.warning);
	struct eval_result r;
	if (!(st = corpus_load(&cp, path, &e)) &&
	    !(st = eval_corpus(&m, &cp, (size_t)max, (int)beam, &r, &e))) {
		printf("%s on %s (beam %ld): exact match %.1f%%, BLEU %.1f, loss %.4f, %.1f s\n",
		       m.name, path, beam, r.n ? 100.0 * r.exact / r.n : 0.0, r.bleu, r.loss,
		       r.seconds);
		eval_print(stdout, &r);
	}
	corpus_release(&cp);
	model_release(&m);
	if (st) {
		fprintf(stderr, "seqstep eval: %s\n", e.msg);
		return status_exit_code(st);
	}
	return 0;
}

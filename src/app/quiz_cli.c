/* seqstep quiz: a printed problem, or a whole exam-practice sheet. */
#include "base/parse.h"
#include "teach/quiz.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
	fprintf(f,
		"usage: seqstep quiz --export DIR [--count N] [--seed S] [--topic T] [--force]\n"
		"       seqstep quiz [--topic T] [--seed S]      print one problem and its solution\n"
		"Topics: %s (default: all in turn).\n"
		"--export writes DIR/sheet.md, DIR/solutions.md, DIR/answers.csv and each problem's\n"
		"given matrices as DIR/pNN-TOPIC/NAME.csv; the same seed gives the same files.\n"
		"In the explorer: quiz [TOPIC] [--seed N], then answer VALUE ...\n",
		quiz_topic_list());
}

int quiz_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"export", required_argument, 0, 'x'}, {"count", required_argument, 0, 'n'},
		{"seed", required_argument, 0, 's'},   {"topic", required_argument, 0, 't'},
		{"force", no_argument, 0, 'f'},        {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct quiz_export_opts o = {.count = 8, .seed = 1, .topic = -1};
	int c, have_seed = 0;
	uint64_t v;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'x': o.dir = optarg; break;
		case 'n':
			if (!parse_u64(optarg, QUIZ_MAX_COUNT, &v) || v < 1) {
				fprintf(stderr, "seqstep quiz: --count takes a number 1..%d, not '%s'\n",
					QUIZ_MAX_COUNT, optarg);
				return 1;
			}
			o.count = (int)v;
			break;
		case 's':
			if (!parse_u64(optarg, QUIZ_MAX_SEED, &o.seed)) {
				fprintf(stderr, "seqstep quiz: --seed takes a whole number 0..%llu, not '%s'\n",
					(unsigned long long)QUIZ_MAX_SEED, optarg);
				return 1;
			}
			have_seed = 1;
			break;
		case 't':
			if ((o.topic = quiz_topic_find(optarg)) < 0) {
				fprintf(stderr, "seqstep quiz: unknown topic '%s' (topics: %s)\n", optarg,
					quiz_topic_list());
				return 1;
			}
			break;
		case 'f': o.force = 1; break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "seqstep quiz: unknown or incomplete option '%s' (seqstep quiz --help)\n",
				argv[optind - 1]);
			return 1;
		}
	}
	if (optind < argc) {
		/* seqstep quiz TOPIC: the topic without --topic. */
		if (optind + 1 == argc && o.topic < 0 && (o.topic = quiz_topic_find(argv[optind])) >= 0) {
			optind++;
		} else {
			fprintf(stderr, "seqstep quiz: unexpected argument '%s' (topics: %s)\n", argv[optind],
				quiz_topic_list());
			return 1;
		}
	}
	struct err e = {0};
	enum status st;
	if (o.dir) {
		if ((st = quiz_export(&o, &e))) {
			fprintf(stderr, "seqstep quiz: %s\n", e.msg);
			return status_exit_code(st);
		}
		fprintf(stderr, "seqstep quiz: wrote %d problem%s to %s (sheet.md, solutions.md, answers.csv)\n",
			o.count, o.count == 1 ? "" : "s", o.dir);
		return 0;
	}
	if (o.force) {
		fprintf(stderr, "seqstep quiz: --force only goes with --export\n");
		return 1;
	}
	(void)have_seed;
	struct quiz_problem p;
	if ((st = quiz_build(&p, o.topic >= 0 ? (enum quiz_topic)o.topic : (enum quiz_topic)(o.seed % QUIZ_NTOPICS),
			     o.seed, &e))) {
		fprintf(stderr, "seqstep quiz: %s\n", e.msg);
		return status_exit_code(st);
	}
	quiz_remove_dir(&p);
	quiz_print_problem(stdout, &p, 0, NULL);
	printf("\nSolution:\n\n");
	quiz_print_solution(stdout, &p);
	quiz_problem_release(&p);
	return 0;
}

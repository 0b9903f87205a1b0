#include "app/cli.h"
#include "app/export.h"
#include "base/atomicfile.h"
#include "text/corpus.h"
#include "io/datadir.h"
#include "io/dump.h"
#include "engine/model.h"
#include "base/parse.h"
#include "teach/quiz.h"
#include "trace/render_text.h"
#include "base/textwidth.h"

#include <cblas.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_MODEL "en-zh-transformer"

static int batch_main(int argc, char **argv);

struct batch {
	const char *model, *translate, *target, *show, *dump, *out, *export_;
	int list, npy, force, beam, max_len, topk;
	enum pic_format format;
	enum cmap_theme theme;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: seqstep [--model MODEL] [--theme contrast]   open the explorer\n"
		"       seqstep [--model MODEL] -c 'CMD; CMD...' | --script FILE | --lesson FILE\n"
		"                                                    run explorer commands, print views as text\n"
		"       seqstep --model MODEL --translate TEXT [--target TEXT] [--beam N] [--max-len N]\n"
		"               [--topk N] [--list] [--show NAME] [--dump PATTERN --out DIR [--npy] [--force]]\n"
		"               [--export PATTERN --out DIR --format png|svg|pdf [--theme T] [--force]]\n"
		"       seqstep train --config CONFIG --corpus DIR --out MODEL_DIR [--steps N] [--seed S] [--resume]\n"
		"       seqstep eval --model MODEL --corpus DIR [--split test] [--beam N]\n"
		"       seqstep quiz [--topic T] [--seed S] | quiz --export DIR --count N --seed S [--force]\n"
		"       seqstep corpus --lang zh|fr --out DIR [--seed N]   (or --task recall: the BPTT lab)\n"
		"MODEL is a folder, or the name of a shipped model in %s.\n"
		"Exit status: 0 ok, 1 usage error, 2 bad input.\n",
		datadir_models());
}

static int run_batch(const struct batch *b)
{
	struct err e = {0};
	struct model m;
	struct trace tr;
	struct run_result res = {0};
	char dir[PATH_MAX];
	datadir_resolve_model(b->model ? b->model : DEFAULT_MODEL, dir, sizeof dir);
	trace_init(&tr);
	enum status st = model_load(&m, dir, &e);
	if (st) {
		fprintf(stderr, "seqstep: %s\n", e.msg);
		trace_release(&tr);
		return status_exit_code(st);
	}
	if (m.warning[0])
		fprintf(stderr, "seqstep: warning: %s\n", m.warning);
	struct run_opts o;
	run_opts_default(&o);
	o.beam = b->beam;
	o.max_len = b->max_len;
	o.topk = b->topk;
	o.target = b->target;
	st = model_run(&m, b->translate, &o, &tr, &res, &e);
	if (st)
		goto out;
	if (res.n_unknown)
		fprintf(stderr, "seqstep: %d unknown source word%s became <unk>: %s\n", res.n_unknown,
			res.n_unknown > 1 ? "s" : "", res.unknown);
	if (b->translate && !b->list && !b->show && !b->dump && !b->export_) {
		const struct tensor *s = trace_get(&tr, "src.tokens"), *t = trace_get(&tr, "tgt.tokens");
		char buf[256];
		printf("source tokens:");
		for (int i = 0; s && i < s->cols; i++)
			printf(" %s", (text_sanitize(buf, sizeof buf, s->col.labels[i]), buf));
		/* What the decoder produced, <eos> included; under teacher forcing
		 * the forced tokens. */
		const struct tensor *d = trace_get(&tr, "decode.output");
		printf("\ntarget tokens:");
		for (int i = 0; d && d->col.labels && i < d->cols; i++)
			printf(" %s", (text_sanitize(buf, sizeof buf, d->col.labels[i]), buf));
		(void)t;
		text_sanitize(buf, sizeof buf, res.translation);
		printf("\ntranslation: %s\n", buf);
	}
	if (b->list)
		for (size_t i = 0; i < tr.n; i++)
			render_tensor_line(stdout, tr.items[i]);
	if (b->show) {
		const struct tensor *t = trace_get(&tr, b->show);
		if (!t) {
			st = err_set(&e, ST_USAGE, "no trace entry named '%s' (--list shows them all)",
				     b->show);
			goto out;
		}
		render_tensor_text(stdout, t, RENDER_NUMBERS | RENDER_HEATMAP, 100);
	}
	if (b->dump) {
		if (!trace_match(&tr, b->dump, NULL, NULL)) {
			st = err_set(&e, ST_USAGE, "no trace entry matches '%s' (--list shows them all)",
				     b->dump);
			goto out;
		}
		int written;
		if ((st = dump_tensors(&tr, b->dump, b->out, b->npy, b->force, &written, &e)))
			goto out;
		fprintf(stderr, "seqstep: wrote %d file%s to %s\n", written, written == 1 ? "" : "s",
			b->out);
	}
	if (b->export_) {
		int written;
		st = export_tensors(&tr, b->export_, b->out, b->format, b->theme, b->force, &written, &e);
		if (written)
			fprintf(stderr, "seqstep: wrote %d picture%s to %s\n", written, written == 1 ? "" : "s", b->out);
		if (st)
			goto out;
	}
out:
	if (st)
		fprintf(stderr, "seqstep: %s\n", e.msg);
	run_result_release(&res);
	trace_release(&tr);
	model_release(&m);
	return status_exit_code(st);
}

int corpus_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"lang", required_argument, 0, 'l'}, {"seed", required_argument, 0, 's'},
		{"out", required_argument, 0, 'o'},  {"task", required_argument, 0, 't'},
		{"help", no_argument, 0, 'h'},       {0, 0, 0, 0},
	};
	static const char usage[] = "usage: seqstep corpus --lang zh|fr --out DIR [--seed N]\n"
				    "       seqstep corpus --task recall --out DIR [--seed N]\n";
	const char *lang = NULL, *task = NULL, *out = NULL;
	int seed = 1, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'l': lang = optarg; break;
		case 't': task = optarg; break;
		case 'o': out = optarg; break;
		case 's':
			if (!parse_int(optarg, 0, INT_MAX, &seed)) {
				fprintf(stderr, "seqstep corpus: --seed takes a whole number, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fprintf(stderr, "seqstep corpus: unknown or incomplete option '%s'\n", argv[optind - 1]);
			return 1;
		}
	}
	if (!out || !!lang == !!task || (lang && strcmp(lang, "zh") && strcmp(lang, "fr")) ||
	    (task && strcmp(task, "recall"))) {
		fputs(usage, stderr);
		return 1;
	}
	struct err e = {0};
	enum status st = dump_make_dir(out, &e);
	if (!st && task) {
		struct recall_opts ro;
		recall_opts_default(&ro);
		ro.seed = (uint64_t)seed;
		st = recall_generate(&ro, out, &e);
	} else if (!st) {
		struct corpus_opts o;
		corpus_opts_default(&o, strcmp(lang, "zh") == 0 ? CORPUS_EN_ZH : CORPUS_EN_FR);
		o.seed = (uint64_t)seed;
		st = corpus_generate(&o, out, &e);
	}
	if (st)
		fprintf(stderr, "seqstep corpus: %s\n", e.msg);
	return status_exit_code(st);
}

static int is_batch_option(const char *a)
{
	static const char *const batch[] = {"--translate", "--list", "--show", "--dump", "--export", "-t"};
	for (size_t i = 0; i < sizeof batch / sizeof *batch; i++) {
		size_t n = strlen(batch[i]);
		if (strncmp(a, batch[i], n) == 0 && (a[n] == 0 || a[n] == '='))
			return 1;
	}
	return 0;
}

void cli_setup(void)
{
	/* The models seqstep runs are small: OpenBLAS's thread pool costs more
	 * than it gives, and on a busy machine far more. OPENBLAS_NUM_THREADS
	 * still decides when it is set. */
	if (!getenv("OPENBLAS_NUM_THREADS"))
		openblas_set_num_threads(1);
	atomic_cleanup_on_signals();
}

int cli_run(int argc, char **argv, int *rc)
{
	static const struct {
		const char *name;
		int (*run)(int argc, char **argv);
	} sub[] = {{"train", train_main}, {"eval", eval_main}, {"corpus", corpus_main},
		   {"quiz", quiz_main}};
	for (size_t i = 0; argc > 1 && i < sizeof sub / sizeof *sub; i++) {
		if (strcmp(argv[1], sub[i].name) == 0) {
			*rc = sub[i].run(argc - 1, argv + 1);
			return 1;
		}
	}
	int batch = 0;
	for (int i = 1; i < argc; i++)
		batch |= is_batch_option(argv[i]) || strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0;
	if (!batch)
		return 0;
	*rc = batch_main(argc, argv);
	return 1;
}

static int batch_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"model", required_argument, 0, 'm'},   {"translate", required_argument, 0, 't'},
		{"target", required_argument, 0, 'T'},  {"list", no_argument, 0, 'l'},
		{"show", required_argument, 0, 's'},    {"dump", required_argument, 0, 'd'},
		{"out", required_argument, 0, 'o'},     {"npy", no_argument, 0, 'N'},
		{"force", no_argument, 0, 'f'},         {"beam", required_argument, 0, 'b'},
		{"max-len", required_argument, 0, 'L'}, {"topk", required_argument, 0, 'k'},
		{"export", required_argument, 0, 'x'},  {"format", required_argument, 0, 'F'},
		{"theme", required_argument, 0, 'C'},   {"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	struct batch b = {.beam = 1, .topk = 5};
	const char *format = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "m:t:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm': b.model = optarg; break;
		case 't': b.translate = optarg; break;
		case 'T': b.target = optarg; break;
		case 'l': b.list = 1; break;
		case 's': b.show = optarg; break;
		case 'd': b.dump = optarg; break;
		case 'o': b.out = optarg; break;
		case 'N': b.npy = 1; break;
		case 'x': b.export_ = optarg; break;
		case 'F': format = optarg; break;
		case 'C':
			if (strcmp(optarg, "default") && strcmp(optarg, "contrast") && strcmp(optarg, "mono")) {
				fprintf(stderr, "seqstep: --theme takes default, contrast or mono, not '%s'\n", optarg);
				return 1;
			}
			b.theme = optarg[0] == 'c' ? CMAP_CONTRAST : optarg[0] == 'm' ? CMAP_MONO : CMAP_DEFAULT;
			break;
		case 'f': b.force = 1; break;
		case 'b':
			if (!parse_int(optarg, 1, 64, &b.beam)) {
				fprintf(stderr, "seqstep: --beam takes a number 1..64, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'L':
			if (!parse_int(optarg, 1, 4096, &b.max_len)) {
				fprintf(stderr, "seqstep: --max-len takes a number 1..4096, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'k':
			if (!parse_int(optarg, 1, 100, &b.topk)) {
				fprintf(stderr, "seqstep: --topk takes a number 1..100, not '%s'\n", optarg);
				return 1;
			}
			break;
		case 'h': usage(stdout); return 0;
		default:
			fprintf(stderr, "seqstep: unknown or incomplete option '%s'\n", argv[optind - 1]);
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "seqstep: unexpected argument '%s'\n", argv[optind]);
		usage(stderr);
		return 1;
	}
	if ((b.dump || b.export_) && !b.out) {
		fprintf(stderr, "seqstep: --%s needs --out DIR\n", b.dump ? "dump" : "export");
		return 1;
	}
	if (format && !b.export_) {
		fprintf(stderr, "seqstep: --format goes with --export\n");
		return 1;
	}
	/* A format that is not a picture format is bad input, like a bad file. */
	if (format && !export_format_parse(format, &b.format)) {
		fprintf(stderr, "seqstep: --format takes png, svg or pdf, not '%s'\n", format);
		return 2;
	}
	return run_batch(&b);
}

/* Training throughput (target tokens per second) of the shipped tiny
 * transformer and LSTM-attention configs on the en-zh corpus, one thread,
 * median of a few runs of a fixed number of steps. Prints one line each:
 *   train <model> seqstep <tok/s>
 * tests/bench/torch_train.py measures PyTorch on the same work.
 * Usage: bench_train [MODELS_DIR] (default "models", run from the repository
 * root); BENCH_STEPS and BENCH_RUNS override the steps and runs. */
#include "engine/train.h"

#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void rm_dir(const char *dir)
{
	static const char *const files[] = {"config.json", "train.json", "model.safetensors",
					    "train_state.safetensors", "src.vocab", "tgt.vocab",
					    "src.merges", "tgt.merges"};
	char p[4096];
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, files[i]);
		unlink(p);
	}
	rmdir(dir);
}

static int bench(const char *models, const char *name, long steps, int runs)
{
	char cfg[1024], corpus[1024], out[1024];
	snprintf(cfg, sizeof cfg, "%s/%s/train.json", models, name);
	snprintf(corpus, sizeof corpus, "%s/corpus/en-zh", models);
	snprintf(out, sizeof out, "%s/seqstep-bench-%ld-%s", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp",
		 (long)getpid(), name);
	double tps[16];
	for (int i = 0; i < runs; i++) {
		struct train_run r;
		memset(&r, 0, sizeof r);
		r.config_path = cfg;
		r.corpus_dir = corpus;
		r.out_dir = out;
		r.steps = steps;
		r.threads = 1; /* as torch.set_num_threads(1) */
		r.force = 1;
		struct train_result res;
		struct err e = {0};
		enum status st = train_run(&r, &res, &e);
		rm_dir(out);
		if (st) {
			fprintf(stderr, "bench_train: %s: %s\n", name, e.msg);
			return 1;
		}
		tps[i] = res.tokens_per_s;
	}
	qsort(tps, (size_t)runs, sizeof *tps, cmp_double);
	printf("train %s seqstep %.0f tok/s\n", name, tps[runs / 2]);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *models = argc > 1 ? argv[1] : "models";
	long steps = getenv("BENCH_STEPS") ? atol(getenv("BENCH_STEPS")) : 200;
	int runs = getenv("BENCH_RUNS") ? atoi(getenv("BENCH_RUNS")) : 3;
	if (steps < 1)
		steps = 1;
	if (runs < 1 || runs > 16)
		runs = 3;
	int rc = bench(models, "en-zh-transformer", steps, runs);
	rc |= bench(models, "en-zh-lstm-attn", steps, runs);
	return rc;
}

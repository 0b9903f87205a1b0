/* Training: the optimiser against hand-computed values, the schedule,
 * clipping, and whole runs on a tiny corpus (determinism, resume, the stop
 * flag, checkpoint atomicity). Files go to a mkdtemp folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/checkpoint.h"
#include "engine/grad.h"
#include "engine/loss.h"
#include "engine/model.h"
#include "engine/optim.h"
#include "engine/train.h"

static char tmpdir[256];

static void rm_tree(const char *path)
{
	DIR *d = opendir(path);
	if (!d) {
		unlink(path);
		return;
	}
	struct dirent *de;
	char p[1024];
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		snprintf(p, sizeof p, "%s/%s", path, de->d_name);
		rm_tree(p);
	}
	closedir(d);
	rmdir(path);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *path_in(const char *name)
{
	static char buf[4][1024];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

/* A toy task: English words to their initials in reverse order, so the
 * model has to look at the whole source. */
static const char *const pairs[] = {
	"the cat sleeps\tsct",       "a dog runs fast\tfrda",    "the bird sings\tsbt",
	"my cat eats fish\tfecm",    "a big dog sleeps\tsdba",   "the cat runs\trct",
	"birds sing\tsb",            "the dog eats\tedt",        "a cat sings now\tnsca",
	"my dog sleeps now\tnsdm",   "fish swim\tsf",            "the fish eats\teft",
};

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/seqstep_train_XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	char corpus[1024];
	snprintf(corpus, sizeof corpus, "%s/corpus", tmpdir);
	mkdir(corpus, 0777);
	char train[2048] = "", valid[1024] = "";
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		strcat(train, pairs[i]);
		strcat(train, "\n");
		if (i < 4) {
			strcat(valid, pairs[i]);
			strcat(valid, "\n");
		}
	}
	write_text(corpus, "train.tsv", train);
	write_text(corpus, "valid.tsv", valid);
	write_text(corpus, "test.tsv", valid);
	write_text(tmpdir, "tf.json",
		   "{\"architecture\": \"transformer\", \"d_model\": 8, \"nhead\": 2,\n"
		   " \"num_encoder_layers\": 1, \"num_decoder_layers\": 1, \"dim_feedforward\": 16,\n"
		   " \"max_len\": 16, \"src\": {\"tokenizer\": \"word\", \"lowercase\": true},\n"
		   " \"tgt\": {\"tokenizer\": \"char\"},\n"
		   " \"train\": {\"steps\": 8, \"batch_size\": 5, \"lr\": 0.01, \"warmup\": 2,\n"
		   "  \"eval_every\": 4, \"weight_decay\": 0.01, \"label_smoothing\": 0.1, \"seed\": 7}}\n");
	write_text(tmpdir, "lstm.json",
		   "{\"architecture\": \"rnn_seq2seq\", \"cell\": \"lstm\", \"embed_dim\": 8,\n"
		   " \"hidden_size\": 12, \"attention\": \"additive\", \"max_len\": 16,\n"
		   " \"src\": {\"tokenizer\": \"word\"}, \"tgt\": {\"tokenizer\": \"char\"},\n"
		   " \"train\": {\"steps\": 150, \"batch_size\": 6, \"lr\": 0.02, \"warmup\": 5,\n"
		   "  \"eval_every\": 0, \"seed\": 3}}\n");
	write_text(tmpdir, "bad.json",
		   "{\"architecture\": \"transformer\", \"d_model\": 8, \"nhead\": 2,\n"
		   " \"num_encoder_layers\": 1, \"num_decoder_layers\": 1, \"dim_feedforward\": 16,\n"
		   " \"src\": {\"tokenizer\": \"word\"}, \"tgt\": {\"tokenizer\": \"char\"},\n"
		   " \"train\": {\"stpes\": 8}}\n");
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	rm_tree(tmpdir);
	return 0;
}

/* ---------- optimiser ---------- */

static void test_adam_known(void **state)
{
	(void)state;
	struct adam a;
	struct adam_config c;
	struct err e = {0};
	adam_config_default(&c);
	assert_int_equal(adam_init(&a, 2, &e), ST_OK);
	float p[2] = {1.0f, -2.0f}, g1[2] = {0.5f, -1.0f}, g2[2] = {0.1f, 0.2f};
	/* Step 1: bias-corrected m̂ = g, v̂ = g², so p -= lr·g/(|g|+eps). */
	adam_step(&a, &c, 0.1f, p, g1, NULL);
	assert_float_equal(p[0], 1.0f - 0.1f * 0.5f / (0.5f + 1e-8f), 1e-6);
	assert_float_equal(p[1], -2.0f + 0.1f, 1e-6);
	/* Step 2 by hand. */
	adam_step(&a, &c, 0.1f, p, g2, NULL);
	for (int i = 0; i < 2; i++) {
		double m = 0.9 * (0.1 * g1[i]) + 0.1 * g2[i];
		double v = 0.999 * (0.001 * g1[i] * g1[i]) + 0.001 * g2[i] * g2[i];
		double mh = m / (1 - 0.81), vh = v / (1 - 0.999 * 0.999);
		double before = i == 0 ? 1.0 - 0.1 : -2.0 + 0.1;
		assert_float_equal(p[i], before - 0.1 * mh / (sqrt(vh) + 1e-8), 1e-5);
	}
	assert_int_equal(a.t, 2);
	adam_release(&a);

	/* AdamW: decoupled decay first (p·(1 - lr·wd)); the mask spares entry 1. */
	c.weight_decay = 0.5f;
	assert_int_equal(adam_init(&a, 2, &e), ST_OK);
	float q[2] = {2.0f, 2.0f}, g[2] = {1.0f, 1.0f};
	unsigned char mask[2] = {1, 0};
	adam_step(&a, &c, 0.1f, q, g, mask);
	assert_float_equal(q[0], 2.0f * (1 - 0.05f) - 0.1f, 1e-6);
	assert_float_equal(q[1], 2.0f - 0.1f, 1e-6);
	adam_release(&a);

	/* Adam with L2: the decay joins the gradient, g = 1 + 0.5·2 = 2. */
	c.decoupled = 0;
	assert_int_equal(adam_init(&a, 1, &e), ST_OK);
	float r[1] = {2.0f}, gr[1] = {1.0f};
	adam_step(&a, &c, 0.1f, r, gr, NULL);
	assert_float_equal(r[0], 2.0f - 0.1f, 1e-6); /* m̂/√v̂ = 1 still */
	assert_float_equal(a.m[0], 0.1f * 2.0f, 1e-6);
	adam_release(&a);
}

static void test_lr_schedule(void **state)
{
	(void)state;
	struct lr_schedule s = {.lr = 1.0f, .warmup = 10, .total = 110, .decay = LR_COSINE,
				.min_ratio = 0.1f};
	assert_float_equal(lr_at(&s, 0), 0.1f, 1e-6);
	assert_float_equal(lr_at(&s, 4), 0.5f, 1e-6);
	assert_float_equal(lr_at(&s, 9), 1.0f, 1e-6);
	assert_float_equal(lr_at(&s, 10), 1.0f, 1e-6);
	assert_float_equal(lr_at(&s, 109), 0.1f, 1e-6);
	assert_float_equal(lr_at(&s, 500), 0.1f, 1e-6);
	/* halfway through the decay, cosine is at the midpoint */
	struct lr_schedule h = {.lr = 1.0f, .warmup = 0, .total = 101, .decay = LR_COSINE,
				.min_ratio = 0.0f};
	assert_float_equal(lr_at(&h, 50), 0.5f, 1e-6);
	h.decay = LR_LINEAR;
	assert_float_equal(lr_at(&h, 25), 0.75f, 1e-6);
	h.decay = LR_CONSTANT;
	assert_float_equal(lr_at(&h, 99), 1.0f, 1e-6);
	s.decay = LR_INV_SQRT;
	assert_float_equal(lr_at(&s, 39), 0.5f, 1e-6); /* sqrt(10 / 40) */
	assert_int_equal(lr_decay_parse("cosine"), LR_COSINE);
	assert_int_equal(lr_decay_parse("nope"), -1);
}

static void test_clip(void **state)
{
	(void)state;
	float g[2] = {3.0f, 4.0f};
	assert_float_equal(grad_clip(g, 2, 10.0), 5.0, 1e-9);
	assert_float_equal(g[0], 3.0f, 0);
	assert_float_equal(grad_clip(g, 2, 1.0), 5.0, 1e-9);
	assert_float_equal(g[0], 0.6f, 1e-6);
	assert_float_equal(g[1], 0.8f, 1e-6);
	assert_float_equal(grad_norm(g, 2), 1.0, 1e-6);
	assert_float_equal(grad_clip(g, 2, 0), 1.0, 1e-6); /* 0: off */
	float z[3] = {0};
	assert_float_equal(grad_clip(z, 3, 1.0), 0.0, 0);
	assert_float_equal(z[0], 0.0f, 0);
}

/* ---------- whole runs ---------- */

static enum status run_train(const char *cfg, const char *out, long steps, long stop_at,
			     int resume, int threads, struct train_result *res, struct err *e)
{
	struct train_run r;
	memset(&r, 0, sizeof r);
	r.config_path = cfg ? path_in(cfg) : NULL;
	r.corpus_dir = path_in("corpus");
	r.out_dir = path_in(out);
	r.steps = steps;
	r.stop_at = stop_at;
	r.resume = resume;
	r.force = !resume;
	r.threads = threads;
	return train_run(&r, res, e);
}

static unsigned char *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc((size_t)len + 1);
	*n = fread(buf, 1, (size_t)len, f);
	fclose(f);
	return buf;
}

static void assert_same_file(const char *a, const char *b)
{
	size_t na, nb;
	unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
	assert_non_null(x);
	assert_non_null(y);
	assert_int_equal(na, nb);
	assert_memory_equal(x, y, na);
	free(x);
	free(y);
}

static int same_file(const char *a, const char *b)
{
	size_t na, nb;
	unsigned char *x = slurp(a, &na), *y = slurp(b, &nb);
	int same = x && y && na == nb && memcmp(x, y, na) == 0;
	free(x);
	free(y);
	return same;
}

static void test_determinism(void **state)
{
	(void)state;
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("tf.json", "det1", 0, 0, 0, 1, &res, &e), ST_OK);
	assert_int_equal(res.step, 8);
	assert_int_equal(run_train("tf.json", "det2", 0, 0, 0, 1, &res, &e), ST_OK);
	assert_same_file(path_in("det1/model.safetensors"), path_in("det2/model.safetensors"));
	assert_same_file(path_in("det1/train_state.safetensors"),
			 path_in("det2/train_state.safetensors"));
	/* Two threads sum the same fixed shards in the same order. */
	assert_int_equal(run_train("tf.json", "det3", 0, 0, 0, 2, &res, &e), ST_OK);
	assert_same_file(path_in("det1/model.safetensors"), path_in("det3/model.safetensors"));
	/* ...and the weights did move. */
	assert_int_equal(run_train("tf.json", "det4", 1, 0, 0, 1, &res, &e), ST_OK);
	assert_false(same_file(path_in("det1/model.safetensors"), path_in("det4/model.safetensors")));
	/* The result is a model folder seqstep loads. */
	struct model m;
	assert_int_equal(model_load(&m, path_in("det1"), &e), ST_OK);
	assert_int_equal(m.cfg.d_model, 8);
	model_release(&m);
}

static void test_resume(void **state)
{
	(void)state;
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("tf.json", "full", 0, 0, 0, 1, &res, &e), ST_OK);
	assert_int_equal(run_train("tf.json", "half", 0, 4, 0, 1, &res, &e), ST_OK);
	assert_int_equal(res.interrupted, 1);
	assert_int_equal(res.step, 4);
	assert_false(same_file(path_in("full/model.safetensors"), path_in("half/model.safetensors")));
	/* --resume without --config: train.json of the folder. */
	assert_int_equal(run_train(NULL, "half", 0, 0, 1, 2, &res, &e), ST_OK);
	assert_int_equal(res.interrupted, 0);
	assert_int_equal(res.step, 8);
	assert_same_file(path_in("full/model.safetensors"), path_in("half/model.safetensors"));
	assert_same_file(path_in("full/train_state.safetensors"),
			 path_in("half/train_state.safetensors"));
	/* The history continues where the saved state stopped: the same
	 * train.json as the run that never stopped. */
	assert_same_file(path_in("full/train.json"), path_in("half/train.json"));
	/* Resuming a finished run does nothing and still succeeds. */
	assert_int_equal(run_train(NULL, "half", 0, 0, 1, 1, &res, &e), ST_OK);
	assert_int_equal(res.step, 8);
	assert_same_file(path_in("full/model.safetensors"), path_in("half/model.safetensors"));
}

/* train.json's "log": a point per step on a short run (about 100 on a
 * long one), the final validation, read back by model_load and recorded
 * in the trace where the views plot it. */
static void test_history(void **state)
{
	(void)state;
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("tf.json", "hist", 0, 0, 0, 1, &res, &e), ST_OK);
	struct model m;
	assert_int_equal(model_load(&m, path_in("hist"), &e), ST_OK);
	assert_int_equal(m.log.n, 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(m.log.step[i], i + 1);
		assert_true(m.log.loss[i] > 0 && isfinite(m.log.loss[i]));
	}
	assert_float_equal(m.log.loss[7], res.last_loss, 1e-5 * res.last_loss);
	assert_int_equal(m.log.n_valid, 2); /* eval_every 4, and the end */
	assert_int_equal(m.log.valid_step[0], 4);
	assert_int_equal(m.log.valid_step[1], 8);
	assert_true(m.log.valid_exact[1] >= 0 && m.log.valid_exact[1] <= 100);
	struct trace tr;
	trace_init(&tr);
	struct run_opts o;
	run_opts_default(&o);
	struct run_result rr;
	assert_int_equal(model_run(&m, "the dog eats", &o, &tr, &rr, &e), ST_OK);
	run_result_release(&rr);
	const struct tensor *loss = trace_get(&tr, "train.loss"), *step = trace_get(&tr, "train.step");
	assert_non_null(loss);
	assert_non_null(step);
	assert_int_equal(loss->cols, 8);
	assert_true(step->integer);
	assert_float_equal(tensor_at(step, 0, 7), 8, 0);
	assert_float_equal(tensor_at(loss, 0, 7), m.log.loss[7], 0);
	char buf[32];
	assert_string_equal(axis_label(&loss->col, 7, buf, sizeof buf), "8");
	assert_non_null(trace_get(&tr, "train.valid.exact"));
	trace_release(&tr);
	model_release(&m);
}

static void test_stop_flag(void **state)
{
	(void)state;
	volatile sig_atomic_t flag = 1;
	struct train_run r;
	char cfg[1024], corpus[1024], out[1024];
	memset(&r, 0, sizeof r);
	r.config_path = strcpy(cfg, path_in("tf.json"));
	r.corpus_dir = strcpy(corpus, path_in("corpus"));
	r.out_dir = strcpy(out, path_in("stopped"));
	r.stop = &flag;
	struct train_result res;
	struct err e = {0};
	/* A flag already set (Ctrl-C during setup) stops before the first step,
	 * and the model is saved anyway. */
	assert_int_equal(train_run(&r, &res, &e), ST_OK);
	assert_int_equal(res.interrupted, 1);
	assert_int_equal(res.step, 0);
	struct stat sb;
	assert_int_equal(stat(path_in("stopped/model.safetensors"), &sb), 0);
	assert_int_equal(stat(path_in("stopped/" CKPT_STATE_FILE), &sb), 0);
	assert_int_equal(stat(path_in("stopped/train.json"), &sb), 0);
	/* Without --resume or --force an existing model is not overwritten. */
	flag = 0;
	assert_int_equal(train_run(&r, &res, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "--resume"));
	r.resume = 1;
	r.stop_at = 3;
	assert_int_equal(train_run(&r, &res, &e), ST_OK);
	assert_int_equal(res.interrupted, 1);
	assert_int_equal(res.step, 3);
	struct model m;
	assert_int_equal(model_load(&m, path_in("stopped"), &e), ST_OK);
	model_release(&m);
}

static int count_tmp_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	struct dirent *de;
	while (d && (de = readdir(d)))
		if (strstr(de->d_name, ".tmp") || strstr(de->d_name, "building"))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void test_checkpoint_atomic(void **state)
{
	(void)state;
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("tf.json", "atomic", 2, 0, 0, 1, &res, &e), ST_OK);
	size_t n0;
	unsigned char *before = slurp(path_in("atomic/model.safetensors"), &n0);
	assert_non_null(before);
	/* The train state cannot be replaced (a folder is in its way): the save
	 * fails, names the file, and leaves no temp file behind. */
	unlink(path_in("atomic/" CKPT_STATE_FILE));
	mkdir(path_in("atomic/" CKPT_STATE_FILE), 0777);
	write_text(path_in("atomic/" CKPT_STATE_FILE), "x", "keep me");
	enum status st = run_train("tf.json", "atomic", 0, 0, 0, 1, &res, &e);
	assert_int_not_equal(st, ST_OK);
	assert_non_null(strstr(e.msg, CKPT_STATE_FILE));
	assert_int_equal(count_tmp_files(path_in("atomic")), 0);
	/* Every file present is whole: the model still loads. */
	struct model m;
	assert_int_equal(model_load(&m, path_in("atomic"), &e), ST_OK);
	model_release(&m);
	free(before);
	/* A missing corpus is one line naming the file; nothing is written. */
	struct train_run r;
	char cfg[1024], corpus[1024], out[1024];
	memset(&r, 0, sizeof r);
	r.config_path = strcpy(cfg, path_in("tf.json"));
	r.corpus_dir = strcpy(corpus, path_in("nowhere"));
	r.out_dir = strcpy(out, path_in("nocorpus"));
	assert_int_not_equal(train_run(&r, &res, &e), ST_OK);
	assert_non_null(strstr(e.msg, "nowhere/valid.tsv"));
	struct stat sb;
	assert_int_not_equal(stat(path_in("nocorpus"), &sb), 0);
}

static void test_config_errors(void **state)
{
	(void)state;
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("bad.json", "bad", 0, 0, 0, 1, &res, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "bad.json"));
	assert_non_null(strstr(e.msg, "stpes"));
	assert_int_equal(run_train("missing.json", "bad", 0, 0, 0, 1, &res, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "missing.json"));
}

/* The recurrent model with attention learns the toy task well enough for
 * the loss to fall far below its starting value. */
static void test_lstm_learns(void **state)
{
	(void)state;
	struct train_result res;
	struct err e = {0};
	struct model m;
	assert_int_equal(run_train("lstm.json", "lstm", 1, 0, 0, 2, &res, &e), ST_OK);
	assert_int_equal(model_load(&m, path_in("lstm"), &e), ST_OK);
	struct corpus c;
	assert_int_equal(corpus_load(&c, path_in("corpus/train.tsv"), &e), ST_OK);
	struct eval_result r0, r1;
	assert_int_equal(eval_corpus(&m, &c, 0, 1, &r0, &e), ST_OK);
	model_release(&m);
	assert_int_equal(run_train("lstm.json", "lstm", 0, 0, 0, 2, &res, &e), ST_OK);
	assert_int_equal(model_load(&m, path_in("lstm"), &e), ST_OK);
	assert_int_equal(eval_corpus(&m, &c, 0, 2, &r1, &e), ST_OK);
	assert_true(r1.loss < 0.3 * r0.loss);
	assert_true(r1.exact >= (int)c.n / 2);
	assert_int_equal(r1.n, (int)c.n);
	corpus_release(&c);
	model_release(&m);
}

/* ---------- dropout: the backward through the trainer's masks ---------- */

static uint64_t lcg = 12345;
static float frand(void)
{
	lcg = lcg * 6364136223846793005ull + 1442695040888963407ull;
	return (float)((lcg >> 40) & 0xffffff) / 16777216.0f;
}

static const int g_src[] = {4, 5, 6, 4, 3}, g_tin[] = {2, 4, 5, 4}, g_tout[] = {4, 5, 4, 3};
enum { G_NS = 5, G_NT = 4, G_VS = 7, G_VT = 6 };

/* Loss of one pair under fixed masks; grads (when not NULL) get the backward. */
static double masked_loss(const struct config *c, struct weights *w, float *const *masks,
			  struct weights *grads)
{
	struct err e = {0};
	float dl[G_NT * G_VT];
	double loss;
	if (c->arch == ARCH_TRANSFORMER) {
		struct tf_acts a, da;
		assert_int_equal(tf_acts_init(&a, c, G_VT, G_NS, G_NT, &e), ST_OK);
		assert_int_equal(tf_acts_init(&da, c, G_VT, G_NS, G_NT, &e), ST_OK);
		a.drop_src = masks[0];
		a.drop_tgt = masks[1];
		a.enc[0].drop_sa = masks[2];
		a.enc[0].drop_ffn = masks[3];
		a.dec[0].drop_sa = masks[4];
		a.dec[0].drop_ca = masks[5];
		a.dec[0].drop_ffn = masks[6];
		tf_forward(c, w, G_VT, &a, g_src, g_tin);
		loss = cross_entropy_forward_backward(a.logits, g_tout, G_NT, G_VT, 0, -1, dl);
		if (grads)
			tf_backward(c, w, grads, G_VT, &a, &da, dl);
		tf_acts_release(&a);
		tf_acts_release(&da);
	} else {
		struct rnn_acts a, da;
		assert_int_equal(rnn_acts_init(&a, c, G_VT, G_NS, G_NT, &e), ST_OK);
		assert_int_equal(rnn_acts_init(&da, c, G_VT, G_NS, G_NT, &e), ST_OK);
		a.drop_src = masks[0];
		a.drop_tgt = masks[1];
		rnn_forward(c, w, G_VT, &a, g_src, g_tin);
		loss = cross_entropy_forward_backward(a.logits, g_tout, G_NT, G_VT, 0, -1, dl);
		if (grads)
			rnn_backward(c, w, grads, G_VT, &a, &da, dl, NULL);
		rnn_acts_release(&a);
		rnn_acts_release(&da);
	}
	return loss;
}

static void check_dropout_grad(const char *json)
{
	struct config c;
	struct weights w, g;
	struct err e = {0};
	assert_int_equal(config_parse(&c, json, strlen(json), "test", &e), ST_OK);
	assert_int_equal(weights_init(&w, &c, G_VS, G_VT, &e), ST_OK);
	assert_int_equal(weights_init(&g, &c, G_VS, G_VT, &e), ST_OK);
	for (size_t i = 0; i < w.total; i++)
		w.block[i] = frand() - 0.5f;
	int d = c.arch == ARCH_TRANSFORMER ? c.d_model : c.embed_dim;
	float *masks[7];
	for (int k = 0; k < 7; k++) {
		masks[k] = malloc(sizeof(float) * 16 * (size_t)d);
		for (int i = 0; i < 16 * d; i++)
			masks[k][i] = frand() < 0.3f ? 0.0f : 1.0f / 0.7f;
	}
	weights_zero(&g);
	masked_loss(&c, &w, masks, &g);
	int bad = 0, checked = 0;
	for (size_t i = 0; i < w.total; i++) {
		float keep = w.block[i], h = 1e-2f;
		w.block[i] = keep + h;
		double up = masked_loss(&c, &w, masks, NULL);
		w.block[i] = keep - h;
		double down = masked_loss(&c, &w, masks, NULL);
		w.block[i] = keep;
		double num = (up - down) / (2.0 * h), ana = g.block[i];
		checked++;
		if (fabs(num - ana) > 2e-3 + 2e-2 * fabs(ana)) {
			if (bad < 5)
				fprintf(stderr, "param %zu: numeric %g, backward %g\n", i, num, ana);
			bad++;
		}
	}
	assert_true(checked > 100);
	assert_int_equal(bad, 0);
	/* The masks matter: without them the gradient is a different one. */
	struct weights g0;
	assert_int_equal(weights_init(&g0, &c, G_VS, G_VT, &e), ST_OK);
	float *none[7] = {0};
	masked_loss(&c, &w, none, &g0);
	double diff = 0;
	for (size_t i = 0; i < w.total; i++)
		diff += fabs(g0.block[i] - g.block[i]);
	assert_true(diff > 1e-3);
	for (int k = 0; k < 7; k++)
		free(masks[k]);
	weights_release(&w);
	weights_release(&g);
	weights_release(&g0);
}

static void test_dropout_gradients(void **state)
{
	(void)state;
	const char *toks = "\"src\": {\"tokenizer\": \"word\", \"vocab\": \"s\"}, "
			   "\"tgt\": {\"tokenizer\": \"word\", \"vocab\": \"t\"}";
	char json[1024];
	for (int pre = 0; pre < 2; pre++) {
		snprintf(json, sizeof json,
			 "{\"architecture\": \"transformer\", \"d_model\": 4, \"nhead\": 2, "
			 "\"num_encoder_layers\": 1, \"num_decoder_layers\": 1, "
			 "\"dim_feedforward\": 6, \"activation\": \"gelu\", \"norm_first\": %s, %s}",
			 pre ? "true" : "false", toks);
		check_dropout_grad(json);
	}
	snprintf(json, sizeof json,
		 "{\"architecture\": \"rnn_seq2seq\", \"cell\": \"lstm\", \"embed_dim\": 4, "
		 "\"hidden_size\": 5, \"attention\": \"additive\", %s}", toks);
	check_dropout_grad(json);
}

/* BPE sides: merges learnt from the corpus, saved next to the vocabulary
 * and named in config.json, so the folder loads as it was trained. */
static void test_bpe_run(void **state)
{
	(void)state;
	write_text(tmpdir, "bpe.json",
		   "{\"architecture\": \"transformer\", \"d_model\": 8, \"nhead\": 2,\n"
		   " \"num_encoder_layers\": 1, \"num_decoder_layers\": 1, \"dim_feedforward\": 16,\n"
		   " \"max_len\": 24, \"src\": {\"tokenizer\": \"bpe\", \"lowercase\": true},\n"
		   " \"tgt\": {\"tokenizer\": \"bpe\"},\n"
		   " \"train\": {\"steps\": 3, \"batch_size\": 4, \"bpe_merges\": 10}}\n");
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("bpe.json", "bpe", 0, 0, 0, 1, &res, &e), ST_OK);
	struct model m;
	assert_int_equal(model_load(&m, path_in("bpe"), &e), ST_OK);
	assert_int_equal(m.cfg.src.kind, TOK_BPE);
	assert_string_equal(m.cfg.src.merges, "src.merges");
	assert_true(m.src_tok.n_merges > 0);
	assert_int_equal(count_tmp_files(path_in("bpe")), 0);
	model_release(&m);
}

/* A run with dropout is reproducible too, and differs from one without. */
static void test_dropout_run(void **state)
{
	(void)state;
	write_text(tmpdir, "tfdrop.json",
		   "{\"architecture\": \"transformer\", \"d_model\": 8, \"nhead\": 2,\n"
		   " \"num_encoder_layers\": 1, \"num_decoder_layers\": 1, \"dim_feedforward\": 16,\n"
		   " \"max_len\": 16, \"src\": {\"tokenizer\": \"word\", \"lowercase\": true},\n"
		   " \"tgt\": {\"tokenizer\": \"char\"},\n"
		   " \"train\": {\"steps\": 8, \"batch_size\": 5, \"lr\": 0.01, \"warmup\": 2,\n"
		   "  \"eval_every\": 4, \"weight_decay\": 0.01, \"label_smoothing\": 0.1, \"seed\": 7,\n"
		   "  \"dropout\": 0.2}}\n");
	struct train_result res;
	struct err e = {0};
	assert_int_equal(run_train("tfdrop.json", "drop1", 0, 0, 0, 1, &res, &e), ST_OK);
	assert_int_equal(run_train("tfdrop.json", "drop2", 0, 0, 0, 2, &res, &e), ST_OK);
	assert_same_file(path_in("drop1/model.safetensors"), path_in("drop2/model.safetensors"));
	assert_int_equal(run_train("tf.json", "nodrop", 0, 0, 0, 1, &res, &e), ST_OK);
	assert_false(same_file(path_in("drop1/model.safetensors"), path_in("nodrop/model.safetensors")));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adam_known),
		cmocka_unit_test(test_lr_schedule),
		cmocka_unit_test(test_clip),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_resume),
		cmocka_unit_test(test_history),
		cmocka_unit_test(test_stop_flag),
		cmocka_unit_test(test_checkpoint_atomic),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_lstm_learns),
		cmocka_unit_test(test_dropout_gradients),
		cmocka_unit_test(test_dropout_run),
		cmocka_unit_test(test_bpe_run),
	};
	return cmocka_run_group_tests_name("train", tests, group_setup, group_teardown);
}

/* Engine speed: encoder forward, greedy decoding and a recurrent seq2seq on a
 * Transformer-base-sized model with random weights, the tiny shipped size,
 * and the achieved GFLOP/s against the sgemm peak measured here.
 * Prints one line per measurement: "engine <what> seqstep <ms>". */
#include "engine/model.h"
#include "engine/ops.h"
#include "engine/rnn.h"
#include "engine/transformer.h"

#include "timing.h"

#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T_SRC = 32, T_DEC = 32 };

static void fill_random(struct weights *w, float scale)
{
	unsigned long long s = 12345;
	for (size_t i = 0; i < w->total; i++) {
		s = s * 6364136223846793005ULL + 1442695040888963407ULL;
		w->block[i] = ((float)((s >> 40) & 0xFFFFFF) / 16777216.0f * 2 - 1) * scale;
	}
}

static struct config tf_config(int d, int heads, int layers, int ff)
{
	struct config c = {0};
	c.arch = ARCH_TRANSFORMER;
	c.d_model = d;
	c.n_heads = heads;
	c.n_enc_layers = c.n_dec_layers = layers;
	c.d_ff = ff;
	c.final_norm = 1;
	c.layer_norm_eps = 1e-5f;
	c.embed_scale_sqrt = 1;
	c.max_len = 64;
	c.max_decode_len = 63;
	return c;
}

/* Runs the decoder for exactly `steps` tokens (no early <eos>). */
static void decode_fixed(struct stepper *s, int V, int steps, float *logits)
{
	int tok = 0;
	for (int t = 0; t < steps; t++) {
		s->step(s->ctx, 0, tok, t, logits);
		int best = 0;
		for (int v = 1; v < V; v++)
			best = logits[v] > logits[best] ? v : best;
		tok = best;
	}
}

static void bench_transformer(const char *label, struct config c, int V, int reps)
{
	struct weights w;
	struct err e;
	if (weights_init(&w, &c, V, V, &e)) {
		fprintf(stderr, "%s\n", e.msg);
		exit(1);
	}
	fill_random(&w, 0.05f);
	int src[T_SRC];
	for (int i = 0; i < T_SRC; i++)
		src[i] = (i * 7919) % V;
	struct tf_acts a;
	tf_acts_init(&a, &c, V, T_SRC, 1, &e);
	double enc[64], dec[64];
	float *logits = malloc((size_t)V * sizeof *logits);
	for (int r = 0; r < reps; r++) {
		double t0 = now_ms();
		tf_encode(&c, &w, &a, src);
		enc[r] = now_ms() - t0;
		struct tf_stepper *st = tf_stepper_new(&c, &w, V, a.memory, T_SRC, 1, NULL);
		struct stepper ops = tf_stepper_ops(st);
		t0 = now_ms();
		decode_fixed(&ops, V, T_DEC, logits);
		dec[r] = now_ms() - t0;
		tf_stepper_free(st);
	}
	double me = median(enc, reps), md = median(dec, reps);
	/* Matmul FLOPs of the encoder: per layer QKV+O 4 T d², FFN 2 T d ff,
	 * attention 2 T² d; ×2 for multiply-add. */
	double d = c.d_model, T = T_SRC;
	double flops = 2.0 * c.n_enc_layers * (4 * T * d * d + 2 * T * d * c.d_ff + 2 * T * T * d);
	printf("engine %s.encode32 seqstep %.3f ms  (%.1f GFLOP/s)\n", label, me, flops / me / 1e6);
	printf("engine %s.decode32 seqstep %.3f ms\n", label, md);
	free(logits);
	tf_acts_release(&a);
	weights_release(&w);
}

static void bench_lstm(int reps)
{
	struct config c = {0};
	c.arch = ARCH_RNN_SEQ2SEQ;
	c.cell = CELL_LSTM;
	c.embed_dim = 512;
	c.hidden = 512;
	c.n_layers = 2;
	c.attention = ATTN_ADDITIVE;
	c.attn_dim = 512;
	c.max_len = 64;
	c.max_decode_len = 63;
	int V = 8000;
	struct weights w;
	struct err e;
	weights_init(&w, &c, V, V, &e);
	fill_random(&w, 0.05f);
	int src[T_SRC];
	for (int i = 0; i < T_SRC; i++)
		src[i] = (i * 7919) % V;
	struct rnn_acts a;
	rnn_acts_init(&a, &c, V, T_SRC, 1, &e);
	float *logits = malloc((size_t)V * sizeof *logits);
	double enc[64], dec[64];
	for (int r = 0; r < reps; r++) {
		double t0 = now_ms();
		rnn_encode(&c, &w, &a, src);
		enc[r] = now_ms() - t0;
		struct rnn_stepper *st = rnn_stepper_new(&c, &w, V, &a, 1);
		struct stepper ops = rnn_stepper_ops(st);
		t0 = now_ms();
		decode_fixed(&ops, V, T_DEC, logits);
		dec[r] = now_ms() - t0;
		rnn_stepper_free(st);
	}
	printf("engine lstm512x2.encode32 seqstep %.3f ms\n", median(enc, reps));
	printf("engine lstm512x2.decode32 seqstep %.3f ms\n", median(dec, reps));
	free(logits);
	rnn_acts_release(&a);
	weights_release(&w);
}

static void bench_peak(void)
{
	int n = 1024;
	float *a = calloc((size_t)n * n, 4), *b = calloc((size_t)n * n, 4), *c = calloc((size_t)n * n, 4);
	double best = 1e30;
	for (int r = 0; r < 5; r++) {
		double t0 = now_ms();
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1, a, n, b, n, 0, c, n);
		double t = now_ms() - t0;
		best = t < best ? t : best;
	}
	printf("engine sgemm1024.peak seqstep %.3f ms  (%.1f GFLOP/s)\n", best,
	       2.0 * n * n * n / best / 1e6);
	free(a), free(b), free(c);
}

/* The whole user-visible path on the shipped default model: tokenize,
 * encode, decode, full pass and trace. */
static void bench_tiny_translate(const char *models)
{
	char dir[1024];
	snprintf(dir, sizeof dir, "%s/en-zh-transformer", models);
	struct model m;
	struct err e;
	if (model_load(&m, dir, &e)) {
		printf("engine tiny.translate skipped (%s)\n", e.msg);
		return;
	}
	struct trace tr;
	trace_init(&tr);
	struct run_opts o;
	run_opts_default(&o);
	double t[64];
	int reps = 51;
	for (int r = 0; r < reps; r++) {
		struct run_result res;
		double t0 = now_ms();
		if (model_run(&m, "the cat is sleeping on the mat", &o, &tr, &res, &e)) {
			printf("engine tiny.translate failed: %s\n", e.msg);
			return;
		}
		t[r] = now_ms() - t0;
		run_result_release(&res);
	}
	printf("engine tiny.translate+trace seqstep %.3f ms\n", median(t, reps));
	trace_release(&tr);
	model_release(&m);
}

int main(int argc, char **argv)
{
	const char *ct = getenv("OPENBLAS_CORETYPE");
	printf("engine openblas %s, OPENBLAS_CORETYPE=%s, threads %d\n", openblas_get_config(),
	       ct ? ct : "(unset: OpenBLAS picks the CPU's own kernels, AVX-512 where present)",
	       openblas_get_num_threads());
	bench_peak();
	bench_transformer("base", tf_config(512, 8, 6, 2048), 8000, 9);
	bench_transformer("tiny", tf_config(32, 2, 2, 64), 300, 31);
	bench_lstm(9);
	bench_tiny_translate(argc > 1 ? argv[1] : "models");
	return 0;
}

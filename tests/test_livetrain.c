/* Live training (app/livetrain.c) against `seqstep train` (train_run): the
 * same config, seed and steps give the same files byte for byte, whether
 * the steps run between screen ticks with a pause in the middle or all at
 * once in batch mode; the trace follows the training; save never
 * overwrites a model without --force; loading another model stops it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/commands.h"
#include "app/livetrain.h"
#include "app/session.h"
#include "base/fileio.h"
#include "engine/train.h"
#include "testdata.h"

static char tmp[256];

static char *path_in(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmp, name);
	return buf[k];
}

static void write_text(const char *path, const char *text)
{
	write_file(path, text, strlen(text));
}

/* Initials in reverse order: learnable, tiny (test_train.c's toy task). */
static const char pairs[] =
	"the cat sleeps\tsct\na dog runs fast\tfrda\nthe bird sings\tsbt\nmy cat eats fish\tfecm\n"
	"a big dog sleeps\tsdba\nthe cat runs\trct\nbirds sing\tsb\nthe dog eats\tedt\n";

static char *read_whole(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf;
	int err;
	enum file_read r = file_read_limited(f, 1 << 24, &buf, n, &err);
	fclose(f);
	return r == FILE_READ_OK ? buf : NULL;
}

static void rm_rf(const char *dir)
{
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

static int setup(void **state)
{
	(void)state;
	make_tmpdir(tmp, sizeof tmp, "livetrain");
	mkdir(path_in("corpus"), 0777);
	write_text(path_in("corpus/train.tsv"), pairs);
	write_text(path_in("corpus/valid.tsv"), "the cat sleeps\tsct\nbirds sing\tsb\n");
	write_text(path_in("tf.json"),
		   "{\"architecture\": \"transformer\", \"d_model\": 8, \"nhead\": 2,\n"
		   " \"num_encoder_layers\": 1, \"num_decoder_layers\": 1, \"dim_feedforward\": 16,\n"
		   " \"max_len\": 16, \"src\": {\"tokenizer\": \"word\", \"lowercase\": true},\n"
		   " \"tgt\": {\"tokenizer\": \"char\"},\n"
		   " \"train\": {\"steps\": 12, \"batch_size\": 5, \"lr\": 0.01, \"warmup\": 2,\n"
		   "  \"eval_every\": 4, \"dropout\": 0.1, \"seed\": 7}}\n");
	/* The reference: `seqstep train`, which also makes the model folder
	 * (with its train.json) that the explorer loads. */
	struct train_run r = {.config_path = path_in("tf.json"), .corpus_dir = path_in("corpus"),
			      .out_dir = path_in("ref")};
	struct train_result res;
	struct err e = {0};
	if (train_run(&r, &res, &e) != ST_OK) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rm_rf(tmp);
	return 0;
}

struct explorer {
	struct session s;
	struct commands cmds;
	struct cmd_ctx ctx;
};

static void explorer_open(struct explorer *x, int batch)
{
	struct err e = {0};
	session_init(&x->s);
	snprintf(x->s.model_arg, sizeof x->s.model_arg, "%s", path_in("ref"));
	assert_int_equal(commands_init(&x->cmds, &e), ST_OK);
	assert_int_equal(livetrain_register(&x->cmds, &e), ST_OK);
	memset(&x->ctx, 0, sizeof x->ctx);
	x->ctx.s = &x->s;
	x->ctx.cmds = &x->cmds;
	x->ctx.batch = batch;
}

static void explorer_close(struct explorer *x)
{
	cmd_out_release(&x->ctx.out);
	commands_release(&x->cmds);
	session_release(&x->s);
}

static enum status run(struct explorer *x, const char *line, struct err *e)
{
	return commands_run(&x->cmds, &x->ctx, line, NULL, NULL, e);
}

static void ok(struct explorer *x, const char *line)
{
	struct err e = {0};
	enum status st = run(x, line, &e);
	if (st)
		fail_msg("%s: %s", line, e.msg);
}

/* The step the status bar shows ("training 3/12 ..."), -1 when none. */
static long status_step(const struct session *s)
{
	long step, total;
	if (sscanf(s->task.status, "%*s %ld/%ld", &step, &total) != 2)
		return -1;
	return step;
}

static long logged_steps(const struct session *s)
{
	const struct tensor *t = trace_get(&s->trace, "train.step");
	return t ? (long)t->data[t->cols - 1] : 0;
}

static void same_files(const char *a, const char *b)
{
	static const char *const files[] = {"model.safetensors", "train_state.safetensors",
					    "train.json", "config.json", "src.vocab", "tgt.vocab"};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char pa[600], pb[600];
		snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
		snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
		size_t na, nb;
		char *x = read_whole(pa, &na), *y = read_whole(pb, &nb);
		assert_non_null(x);
		assert_non_null(y);
		if (na != nb || memcmp(x, y, na) != 0)
			fail_msg("%s differs from %s", pb, pa);
		free(x);
		free(y);
	}
}

/* The screen's way: steps between ticks, re-runs every 3 steps, a pause
 * in the middle; the weights are `seqstep train`'s. */
static void ticks_pause_resume_same_weights(void **state)
{
	(void)state;
	struct explorer x;
	explorer_open(&x, 0);
	char line[600];
	snprintf(line, sizeof line, "set train-every 3; train 12 --from scratch --corpus %s",
		 path_in("corpus"));
	ok(&x, line);
	assert_non_null(x.s.task.tick);
	assert_int_equal(status_step(&x.s), 0);
	/* The view went to the alignment a class watches. */
	assert_string_equal(session_stage(&x.s)->id, "alignment");
	int f = x.s.task.tick(x.s.task.arg);
	assert_true(f & SESSION_TASK_BUSY);
	assert_true(f & SESSION_TASK_REDRAW);
	assert_int_equal(status_step(&x.s), 3);
	/* The re-run put the history so far in the trace. */
	assert_int_equal(logged_steps(&x.s), 3);
	ok(&x, "train pause");
	for (int i = 0; i < 5; i++)
		assert_int_equal(x.s.task.tick(x.s.task.arg), 0);
	assert_int_equal(status_step(&x.s), 3);
	assert_non_null(strstr(x.s.task.status, "paused"));
	struct err e = {0};
	assert_int_equal(run(&x, "train pause", &e), ST_USAGE);
	assert_int_equal(run(&x, "train 5", &e), ST_USAGE); /* one run at a time */
	ok(&x, "train resume");
	int n = 0;
	while ((x.s.task.tick(x.s.task.arg) & SESSION_TASK_BUSY) && n < 100)
		n++;
	assert_int_equal(n, 2); /* 6, 9; the tick reaching 12 finishes */
	assert_string_equal(x.s.task.status, "");
	assert_int_equal(logged_steps(&x.s), 12);
	assert_non_null(trace_get(&x.s.trace, "train.valid.exact"));
	assert_int_equal(run(&x, "train resume", &e), ST_USAGE);
	snprintf(line, sizeof line, "train save %s", path_in("live"));
	ok(&x, line);
	same_files(path_in("ref"), path_in("live"));
	/* Never over a model without --force. */
	assert_int_equal(run(&x, line, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "--force"));
	snprintf(line, sizeof line, "train save %s --force", path_in("live"));
	ok(&x, line);
	explorer_close(&x);
}

/* Batch mode runs every step inside the command: the same weights again. */
static void batch_same_weights(void **state)
{
	(void)state;
	struct explorer x;
	explorer_open(&x, 1);
	char line[600];
	snprintf(line, sizeof line, "train --corpus %s; train save %s", path_in("corpus"),
		 path_in("batch"));
	ok(&x, line);
	same_files(path_in("ref"), path_in("batch"));
	assert_non_null(strstr(x.s.model->name, "trained here"));
	/* From the current weights: another run, weights move on. */
	snprintf(line, sizeof line, "train 3 --from current --lr 0.001 --corpus %s; train save %s",
		 path_in("corpus"), path_in("more"));
	ok(&x, line);
	size_t na, nb;
	char *a = read_whole(path_in("batch/model.safetensors"), &na);
	char *b = read_whole(path_in("more/model.safetensors"), &nb);
	assert_int_equal(na, nb);
	assert_true(memcmp(a, b, na) != 0);
	free(a);
	free(b);
	explorer_close(&x);
}

static void errors(void **state)
{
	(void)state;
	struct explorer x;
	explorer_open(&x, 0);
	struct err e = {0};
	assert_int_equal(run(&x, "train pause", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "no training"));
	assert_int_equal(run(&x, "train save", &e), ST_USAGE);
	assert_int_equal(run(&x, "train 0", &e), ST_USAGE);
	assert_int_equal(run(&x, "train --from nowhere", &e), ST_USAGE);
	assert_int_equal(run(&x, "train --lr", &e), ST_USAGE);
	assert_int_equal(run(&x, "train --lr -1", &e), ST_USAGE);
	assert_int_equal(run(&x, "set train-every 0", &e), ST_USAGE);
	/* No corpus next to a model outside models/: the message says --corpus. */
	assert_int_equal(run(&x, "train 4", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "--corpus"));
	/* A load during training stops it at the next tick. */
	char line[600];
	snprintf(line, sizeof line, "train 12 --corpus %s", path_in("corpus"));
	ok(&x, line);
	snprintf(line, sizeof line, "load %s", path_in("ref"));
	ok(&x, line);
	assert_int_equal(x.s.task.tick(x.s.task.arg), SESSION_TASK_REDRAW);
	assert_int_equal(run(&x, "train stop", &e), ST_USAGE);
	explorer_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ticks_pause_resume_same_weights),
		cmocka_unit_test(batch_same_weights),
		cmocka_unit_test(errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

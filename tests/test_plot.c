/* Plots (trace/plot*.c, trace/plots.h, app/plotspec.c): nice ticks and log
 * axes, the figures built from hand-filled traces and from the shipped
 * models (every point is its trace cell, exactly), layout and placement in
 * cells, moving between points, the ASCII text, and the explorer's view
 * mode (set view plot|heatmap|numbers, show NAME --plot). A plot reads the
 * trace only: the figures here are built from traces with no model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "app/plotspec.h"
#include "app/session.h"
#include "session_fixture.h"
#include "app/textview.h"
#include "engine/model.h"
#include "trace/plot_text.h"
#include "trace/plots.h"

static void ticks_are(const struct plot_axis *a, const char *const *want, int n)
{
	if (a->nticks != n) {
		for (int i = 0; i < a->nticks; i++)
			print_message("  tick %d: %s (%g)\n", i, a->ticks[i].label, a->ticks[i].v);
		fail_msg("%d ticks, want %d", a->nticks, n);
	}
	for (int i = 0; i < n; i++)
		assert_string_equal(a->ticks[i].label, want[i]);
}

static void nice_linear_ticks(void **state)
{
	(void)state;
	struct plot_axis a = {0};
	plot_axis_ticks(&a, 0.044, 4.999, 6);
	ticks_are(&a, (const char *const[]){"0", "1", "2", "3", "4", "5"}, 6);
	assert_true(a.lo == 0 && a.hi == 5);
	plot_axis_ticks(&a, -1, 1, 5);
	ticks_are(&a, (const char *const[]){"-1.0", "-0.5", "0.0", "0.5", "1.0"}, 5);
	/* the range widens to ticks; no "-0.0" */
	plot_axis_ticks(&a, -0.07, 0.31, 5);
	ticks_are(&a, (const char *const[]){"-0.1", "0.0", "0.1", "0.2", "0.3", "0.4"}, 6);
	assert_true(fabs(a.lo + 0.1) < 1e-12 && fabs(a.hi - 0.4) < 1e-12);
	plot_axis_ticks(&a, 100, 9000, 5);
	ticks_are(&a, (const char *const[]){"0", "2000", "4000", "6000", "8000", "10000"}, 6);
	/* one value: a range around it */
	plot_axis_ticks(&a, 2, 2, 5);
	assert_true(a.lo < 2 && a.hi > 2 && a.nticks >= 2);
	plot_axis_ticks(&a, 0, 0, 5);
	assert_true(a.lo < 0 && a.hi > 0);
}

static void log_ticks(void **state)
{
	(void)state;
	struct plot_axis a = {.scale = PLOT_LOG10};
	/* within a decade: 1..9 times the power, cut to the data */
	plot_axis_ticks(&a, 0.2366, 0.3727, 5);
	ticks_are(&a, (const char *const[]){"0.2", "0.3", "0.4"}, 3);
	/* two decades: 1, 2, 5 */
	plot_axis_ticks(&a, 0.013, 0.9, 5);
	ticks_are(&a, (const char *const[]){"0.01", "0.02", "0.05", "0.1", "0.2", "0.5", "1"}, 7);
	/* many decades: powers of ten, thinned */
	plot_axis_ticks(&a, 3e-7, 0.5, 5);
	ticks_are(&a, (const char *const[]){"1e-7", "1e-5", "0.001", "0.1", "10"}, 5);
	assert_true(a.lo == 1e-7 && a.hi == 10);
	/* places on a log axis: decades evenly, nothing at or below 0 */
	plot_axis_ticks(&a, 0.001, 1, 4);
	assert_float_equal(plot_axis_frac(&a, 0.001), 0, 1e-12);
	assert_float_equal(plot_axis_frac(&a, 0.01), 1.0 / 3, 1e-12);
	assert_float_equal(plot_axis_frac(&a, 1), 1, 1e-12);
	assert_true(isnan(plot_axis_frac(&a, 0)));
	assert_true(isnan(plot_axis_frac(&a, -1)));
	assert_true(isnan(plot_axis_frac(&a, NAN)));
}

static struct tensor *vec(struct trace *tr, const char *name, int n, const float *v)
{
	struct tensor *t = trace_add(tr, name, 1, n, v, name);
	assert_non_null(t);
	t->ndim = 1;
	return t;
}

/* Every point is the trace cell it names, bit for bit. */
static void points_are_cells(const struct trace *tr, const struct figure *f)
{
	int n = 0;
	for (int k = 0; k < f->n; k++)
		for (int i = 0; i < f->p[k].nseries; i++)
			for (int j = 0; j < f->p[k].series[i].n; j++) {
				const struct plot_point *q = &f->p[k].series[i].pts[j];
				const struct tensor *t = trace_get(tr, q->tensor);
				assert_non_null(t);
				assert_true(q->row >= 0 && q->row < t->rows && q->col >= 0 && q->col < t->cols);
				assert_true(q->y == (double)tensor_at(t, q->row, q->col));
				n++;
			}
	assert_true(n > 0);
}

static void pooling_figure(void **state)
{
	(void)state;
	struct trace tr;
	trace_init(&tr);
	float keys[4] = {0.5f, 1.5f, 2.5f, 4.0f}, values[4] = {1.2f, 2.9f, 3.1f, 0.7f};
	float queries[3] = {0, 2, 4}, out[3] = {1.5f, 2.6f, 1.1f}, truth[3] = {0, 3.5f, 1.0f};
	vec(&tr, "pool.keys", 4, keys);
	vec(&tr, "pool.values", 4, values);
	vec(&tr, "pool.queries", 3, queries);
	vec(&tr, "pool.out", 3, out);
	struct figure f;
	struct err e;
	assert_int_equal(plot_pooling(&f, &tr, &e), ST_OK);
	const struct plot *p = &f.p[0];
	assert_int_equal(f.n, 1);
	assert_int_equal(p->nseries, 2);
	assert_non_null(strstr(p->note, "pool.truth is not in this trace"));
	/* the scatter: (x_i, y_i) from the keys and the values' cells */
	const struct plot_series *s = &p->series[0];
	assert_int_equal(s->mark, PLOT_POINTS);
	assert_int_equal(s->n, 4);
	for (int i = 0; i < 4; i++) {
		assert_true(s->pts[i].x == keys[i] && s->pts[i].y == values[i]);
		assert_string_equal(s->pts[i].tensor, "pool.values");
		assert_int_equal(s->pts[i].row, 0);
		assert_int_equal(s->pts[i].col, i);
	}
	assert_string_equal(p->series[1].pts[2].tensor, "pool.out");
	assert_true(p->series[1].pts[2].x == 4);
	assert_true(p->x.lo == 0 && p->x.hi == 4);
	assert_true(p->y.lo <= 0.7 && p->y.hi >= 3.1);
	points_are_cells(&tr, &f);
	figure_release(&f);

	vec(&tr, "pool.truth", 3, truth);
	assert_int_equal(plot_pooling(&f, &tr, &e), ST_OK);
	assert_int_equal(f.p[0].nseries, 3);
	assert_string_equal(f.p[0].series[1].pts[1].tensor, "pool.truth");
	assert_string_equal(f.p[0].note, "");
	assert_true(f.p[0].y.hi >= 3.5);
	points_are_cells(&tr, &f);
	figure_release(&f);

	/* a misshapen trace: one line naming the tensors */
	vec(&tr, "pool.values", 3, values);
	assert_int_equal(plot_pooling(&f, &tr, &e), ST_USAGE);
	assert_string_equal(e.msg, "pool.values has 3 values but pool.keys has 4");
	figure_release(&f);
	trace_clear(&tr);
	assert_int_equal(plot_pooling(&f, &tr, &e), ST_USAGE);
	assert_string_equal(e.msg, "pool.keys is not in this trace");
	figure_release(&f);
	trace_release(&tr);
}

static void posenc_gradnorm_topk(void **state)
{
	(void)state;
	struct trace tr;
	trace_init(&tr);
	float P[5 * 8];
	for (int i = 0; i < 5; i++)
		for (int c = 0; c < 8; c++)
			P[i * 8 + c] = (float)(c % 2 ? cos(i / pow(10000, (c - 1) / 8.0)) : sin(i / pow(10000, c / 8.0)));
	struct tensor *pos = trace_add(&tr, "src.pos", 5, 8, P, "positions");
	pos->prov.kind = PROV_SINUSOID;
	struct figure f;
	struct err e;
	assert_int_equal(plot_posenc(&f, &tr, "src.pos", NULL, 0, &e), ST_OK);
	/* 0, 1 and the slower pair 2, 3 (d / 8 rounded to even, at least 2) */
	assert_int_equal(f.p[0].nseries, 4);
	assert_string_equal(f.p[0].series[0].name, "dim 0 (sin)");
	assert_string_equal(f.p[0].series[3].name, "dim 3 (cos)");
	assert_int_equal(f.p[0].series[2].pts[4].row, 4);
	assert_int_equal(f.p[0].series[2].pts[4].col, 2);
	assert_true(f.p[0].series[2].pts[4].x == 4);
	assert_true(f.p[0].y.lo == -1 && f.p[0].y.hi == 1);
	points_are_cells(&tr, &f);
	figure_release(&f);
	int cols[4];
	assert_int_equal(plot_posenc_cols(32, 7, cols), 4);
	assert_int_equal(cols[0], 7);
	assert_int_equal(cols[3], 4); /* 7, 0, 1, 4 */
	assert_int_equal(plot_posenc_cols(32, 4, cols), 4);
	assert_int_equal(cols[3], 5); /* 4, 0, 1, 5: no column twice */

	/* gradient norms: a log axis, the steps named by their tokens */
	float g[4] = {1e-4f, 0.003f, 0, 0.2f};
	struct tensor *gt = vec(&tr, "grad.enc.l1.h", 4, g);
	static const char *const toks[4] = {"the", "猫", "sat", "<eos>"};
	tensor_set_cols(gt, "source token", trace_labels(&tr, 4, toks));
	assert_int_equal(plot_gradnorm(&f, &tr, "grad.enc.l1.h", &e), ST_OK);
	const struct plot *p = &f.p[0];
	assert_int_equal(p->y.scale, PLOT_LOG10);
	assert_true(p->x.categorical);
	assert_string_equal(p->x.ticks[1].label, "猫");
	assert_string_equal(p->series[0].name, "‖∂loss/∂h_t‖, layer 1");
	assert_non_null(strstr(p->note, "1 step with no gradient"));
	assert_true(p->y.lo == 1e-4 && p->y.hi == 1);
	points_are_cells(&tr, &f);
	figure_release(&f);

	/* top-k: bars named by the tokens the trace gives each cell, on 0..1 */
	float probs[2 * 3] = {0.7f, 0.2f, 0.1f, 0.5f, 0.3f, 0.05f};
	struct tensor *tp = trace_add(&tr, "decode.topk.probs", 2, 3, probs, "probs");
	static const char *const cand[6] = {"猫", "狗", "在", "在", "上", "<eos>"};
	tensor_set_cells(&tr, tp, cand);
	assert_int_equal(plot_topk(&f, &tr, "decode.topk.probs", 1, &e), ST_OK);
	p = &f.p[0];
	assert_int_equal(p->series[0].mark, PLOT_BARS);
	assert_string_equal(p->x.ticks[2].label, "<eos>");
	assert_true(p->series[0].pts[1].y == probs[4]);
	assert_int_equal(p->series[0].pts[1].row, 1);
	assert_true(p->y.lo == 0 && p->y.hi == 1);
	assert_string_equal(p->y.ticks[p->y.nticks - 1].label, "1.0");
	points_are_cells(&tr, &f);
	figure_release(&f);
	assert_int_equal(plot_topk(&f, &tr, "decode.topk.probs", 2, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "has no row 2"));
	figure_release(&f);
	trace_release(&tr);
}

/* The training history as the model folder's train.json puts it in the
 * trace: per logged step, the step numbers as column labels. */
static void training_history(void **state)
{
	(void)state;
	struct trace tr;
	trace_init(&tr);
	float loss[5] = {4.1f, 2.5f, 1.2f, 0.6f, 0.4f}, vloss[2] = {1.4f, 0.5f};
	float exact[2] = {31.5f, 88.0f}, bleu[2] = {40.2f, 91.3f};
	static const char *const steps[5] = {"100", "200", "300", "400", "500"};
	static const char *const evals[2] = {"250", "500"};
	tensor_set_cols(vec(&tr, "train.loss", 5, loss), "step", trace_labels(&tr, 5, steps));
	tensor_set_cols(vec(&tr, "train.valid.loss", 2, vloss), "step", trace_labels(&tr, 2, evals));
	tensor_set_cols(vec(&tr, "train.valid.exact", 2, exact), "step", trace_labels(&tr, 2, evals));
	tensor_set_cols(vec(&tr, "train.valid.bleu", 2, bleu), "step", trace_labels(&tr, 2, evals));
	struct figure f;
	struct err e;
	assert_int_equal(plot_training(&f, &tr, &e), ST_OK);
	assert_int_equal(f.n, 2);
	assert_int_equal(f.p[0].nseries, 2);
	assert_true(f.p[0].series[0].pts[2].x == 300 && f.p[0].series[0].pts[2].y == loss[2]);
	assert_true(f.p[0].series[1].pts[0].x == 250);
	assert_string_equal(f.p[1].series[1].pts[1].tensor, "train.valid.bleu");
	/* both over the same steps */
	assert_true(f.p[0].x.lo == f.p[1].x.lo && f.p[0].x.hi == f.p[1].x.hi);
	assert_true(f.p[0].x.lo <= 100 && f.p[0].x.hi >= 500);
	points_are_cells(&tr, &f);
	figure_release(&f);
	/* the step tensors, when the trace has them, give the x values */
	float st[5] = {10, 20, 30, 40, 50};
	vec(&tr, "train.step", 5, st);
	assert_int_equal(plot_training(&f, &tr, &e), ST_OK);
	assert_true(f.p[0].series[0].pts[2].x == 30);
	assert_true(f.p[0].series[1].pts[0].x == 250); /* no train.valid.step: the labels */
	figure_release(&f);
	/* a history whose columns are not step numbers is refused, named */
	static const char *const words[2] = {"early", "late"};
	tensor_set_cols(vec(&tr, "train.valid.loss", 2, vloss), "when", trace_labels(&tr, 2, words));
	assert_int_equal(plot_training(&f, &tr, &e), ST_USAGE);
	assert_string_equal(e.msg, "train.valid.loss: column 0 is labelled 'early', not a step number");
	figure_release(&f);
	trace_release(&tr);
}

static void placement_and_moves(void **state)
{
	(void)state;
	struct plot p;
	plot_init(&p);
	struct plot_series *a = plot_series_add(&p, "a", PLOT_LINE | PLOT_POINTS, 0);
	struct plot_series *b = plot_series_add(&p, "b", PLOT_POINTS, 1);
	for (int i = 0; i <= 4; i++)
		assert_true(plot_point_add(a, i, i, "a", 0, i));
	assert_true(plot_point_add(b, 2, 3.5, "b", 0, 0));
	assert_true(plot_point_add(b, 2, 0.5, "b", 0, 1));
	plot_fit(&p, 0, 0);
	struct plot_layout L;
	plot_layout(&p, 60, 20, &L);
	assert_true(L.ok);
	int cx, cy;
	/* the corners of the range are the corners of the area */
	assert_true(plot_place(&p, &L, 1, 1, p.x.lo, p.y.lo, &cx, &cy, NULL, NULL));
	assert_int_equal(cx, 0);
	assert_int_equal(cy, L.area_h - 1);
	assert_true(plot_place(&p, &L, 2, 4, p.x.hi, p.y.hi, &cx, &cy, NULL, NULL));
	assert_int_equal(cx, L.area_w - 1);
	assert_int_equal(cy, 0);
	assert_false(plot_place(&p, &L, 1, 1, p.x.hi + 1, 0, &cx, &cy, NULL, NULL));
	int si = 0, pi = 2;
	assert_true(plot_step_along(&p, 1, &si, &pi));
	assert_int_equal(pi, 3);
	pi = 4;
	assert_false(plot_step_along(&p, 1, &si, &pi));
	pi = 2; /* (2, 2): up is (2, 3.5), down (2, 0.5) */
	assert_true(plot_step_across(&p, 1, &si, &pi));
	assert_int_equal(si, 1);
	assert_int_equal(pi, 0);
	si = 0, pi = 2;
	assert_true(plot_step_across(&p, -1, &si, &pi));
	assert_int_equal(pi, 1);
	si = 1, pi = 0; /* (2, 3.5): up is the highest, (4, 4) */
	assert_true(plot_step_across(&p, 1, &si, &pi));
	assert_int_equal(si, 0);
	assert_int_equal(pi, 4);
	/* nothing above the highest point */
	assert_false(plot_step_across(&p, 1, &si, &pi));
	int found_s, found_p;
	assert_true(plot_find_cell(&p, "b", 0, 1, &found_s, &found_p));
	assert_int_equal(found_s, 1);
	assert_false(plot_find_cell(&p, "b", 0, 7, &found_s, &found_p));
	/* a click lands on the nearest point */
	plot_place(&p, &L, 1, 1, 4, 4, &cx, &cy, NULL, NULL);
	assert_true(plot_nearest(&p, &L, cx - 1, cy + 1, &found_s, &found_p));
	assert_int_equal(found_s, 0);
	assert_int_equal(found_p, 4);
	/* too small a box is no plot; a short one gives up rows, not the area */
	plot_layout(&p, 10, 4, &L);
	assert_false(L.ok);
	plot_layout(&p, 60, 12, &L);
	assert_true(L.ok && L.area_h >= 5);
	plot_release(&p);
}

/* The text: title, legend, ticks, and a known point at its place. */
static void text_rendering(void **state)
{
	(void)state;
	struct plot p;
	plot_init(&p);
	snprintf(p.title, sizeof p.title, "a test plot");
	snprintf(p.x.label, sizeof p.x.label, "x axis");
	snprintf(p.y.label, sizeof p.y.label, "y axis");
	struct plot_series *a = plot_series_add(&p, "line", PLOT_LINE, 1);
	struct plot_series *b = plot_series_add(&p, "dots", PLOT_POINTS, 0);
	plot_point_add(a, 0, 0, "a", 0, 0);
	plot_point_add(a, 10, 10, "a", 0, 1);
	plot_point_add(b, 10, 0, "b", 0, 0);
	plot_fit(&p, 0, 0);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	plot_text(f, &p, 40, 16);
	fclose(f);
	print_message("%s", buf);
	char *line[16] = {0};
	int n = 0;
	for (char *s = strtok(buf, "\n"); s && n < 16; s = strtok(NULL, "\n"))
		line[n++] = s;
	assert_int_equal(n, 16);
	assert_string_equal(line[0], "a test plot");
	assert_string_equal(line[1], "* line   o dots");
	assert_string_equal(line[2], "y axis");
	assert_true(strncmp(line[3], "10+", 3) == 0);
	/* the line runs from the bottom left to the top right */
	assert_int_equal(line[3][strlen(line[3]) - 1], '*');
	/* the 0 row: the line's start, and the point (10, 0) at the right */
	const char *zero = line[12];
	assert_true(strncmp(zero, " 0+*", 4) == 0);
	assert_int_equal(zero[strlen(zero) - 1], 'o');
	assert_int_equal(strlen(zero), strlen(line[3])); /* under the line's end: both at x = 10 */
	assert_true(strncmp(line[13], "  ++------+", 11) == 0);
	assert_string_equal(line[14], "   0      2      4      6      8      10");
	assert_string_equal(line[15], "                                  x axis");
	free(buf);
	plot_release(&p);
}

/* ---- the shipped models: every figure's points are trace cells ---- */

static void run_model(const char *dir, struct model *m, struct trace *tr, const char *text)
{
	struct err e = {0};
	struct run_opts o;
	struct run_result r;
	if (model_load(m, dir, &e))
		fail_msg("%s: %s", dir, e.msg);
	run_opts_default(&o);
	trace_init(tr);
	if (model_run(m, text, &o, tr, &r, &e))
		fail_msg("%s: %s", dir, e.msg);
	run_result_release(&r);
}

static void figures_of_models(void **state)
{
	(void)state;
	static const struct {
		const char *dir, *text, *tensor;
		enum plot_kind kind;
	} cases[] = {
		{"models/pooling-nw", NULL, "pool.out", PLOT_POOLING},
		{"models/pooling-parametric", NULL, "pool.weights", PLOT_POOL_WEIGHTS},
		{"models/en-zh-transformer", "the cat sleeps on the mat", "src.pos", PLOT_POSENC},
		{"models/en-zh-transformer", "the cat sleeps on the mat", "decode.topk.probs", PLOT_TOPK},
		{"models/en-zh-rnn", "the cat sleeps on the mat", "grad.enc.l0.h", PLOT_GRADNORM},
		{"models/en-zh-rnn", "the cat sleeps on the mat", "decode.output", PLOT_VECTOR},
		{"models/en-zh-lstm-attn", "the cat sleeps on the mat", "train.valid.bleu", PLOT_TRAINING},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct model m;
		struct trace tr;
		run_model(cases[i].dir, &m, &tr, cases[i].text);
		/* the model is gone: the figure has the trace alone */
		model_release(&m);
		struct plot_spec ps;
		assert_true(plot_spec_tensor(&tr, cases[i].tensor, &ps));
		assert_int_equal(ps.kind, cases[i].kind);
		struct figure f;
		struct err e = {0};
		if (plot_spec_build(&ps, &tr, cases[i].tensor, 1, 2, &f, &e))
			fail_msg("%s %s: %s", cases[i].dir, cases[i].tensor, e.msg);
		points_are_cells(&tr, &f);
		if (cases[i].kind == PLOT_POOLING) {
			/* the Nadaraya-Watson figure: data, the true curve, the predictions */
			assert_int_equal(f.p[0].nseries, 3);
			assert_string_equal(f.p[0].series[1].pts[8].tensor, "pool.truth");
			assert_true(f.p[0].series[1].pts[8].x == 2.0);
			assert_true(f.p[0].x.lo == 0 && f.p[0].x.hi == 5);
		}
		if (cases[i].kind == PLOT_TOPK) { /* row 1 of the cursor, its tokens */
			const struct tensor *tp = trace_get(&tr, "decode.topk.probs");
			assert_string_equal(f.p[0].x.ticks[0].label, tp->cells[tp->cols]);
			assert_int_equal(f.p[0].series[0].pts[0].row, 1);
		}
		if (cases[i].kind == PLOT_TRAINING) { /* loss, then the scores, over train.step */
			const struct tensor *st = trace_get(&tr, "train.step");
			assert_int_equal(f.n, 2);
			assert_true(f.p[0].series[0].pts[3].x == tensor_at(st, 0, 3));
			assert_string_equal(f.p[1].series[1].pts[0].tensor, "train.valid.bleu");
		}
		if (cases[i].kind == PLOT_POSENC) /* the cursor's column first */
			assert_int_equal(f.p[0].series[0].pts[0].col, 2);
		figure_release(&f);
		trace_release(&tr);
	}
	struct trace tr;
	trace_init(&tr);
	struct plot_spec ps;
	assert_false(plot_spec_tensor(&tr, "src.pos", &ps));
	trace_release(&tr);
}

/* ---- the explorer's view mode ---- */

static int setup(void **state)
{
	*state = session_fixture_new("models/pooling-nw");
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	session_fixture_free(*state);
	return 0;
}

static enum status run(struct session_fixture *f, const char *line, struct err *e)
{
	return commands_run(&f->c, &f->ctx, line, NULL, NULL, e);
}

static void view_mode(void **state)
{
	struct session_fixture *f = *state;
	struct session *s = &f->s;
	struct err e = {0};
	char name[128];
	/* the pooling data opens as its plot: the panels are its tensors */
	assert_int_equal(run(f, "goto data", &e), ST_OK);
	assert_true(session_plotting(s, NULL));
	assert_int_equal(session_npanels(s), 3);
	session_panel(s, s->panel, name, sizeof name);
	assert_string_equal(name, "pool.values");
	/* the weights open as a heatmap and offer the plot */
	assert_int_equal(run(f, "goto softmax", &e), ST_OK);
	assert_false(session_plotting(s, NULL));
	assert_true(session_plot_offer(s, NULL));
	assert_int_equal(run(f, "explain pool.weights 8 19", &e), ST_OK);
	assert_int_equal(run(f, "set view plot", &e), ST_OK);
	assert_true(session_plotting(s, NULL));
	/* the cursor stayed on its cell, which the plot shows (query 8's kernel) */
	assert_int_equal(s->row, 8);
	assert_int_equal(s->col, 19);
	struct figure fig;
	assert_int_equal(session_plot_build(s, &fig, &e), ST_OK);
	int si, pi;
	assert_true(plot_find_cell(&fig.p[0], "pool.weights", 8, 19, &si, &pi));
	assert_string_equal(fig.p[0].series[si].name, "query x = 2.0");
	figure_release(&fig);
	/* plot is kept from stage to stage: the output stage too */
	assert_int_equal(run(f, "step", &e), ST_OK);
	assert_true(session_plotting(s, NULL));
	session_panel(s, s->panel, name, sizeof name);
	assert_string_equal(name, "pool.out");
	/* heatmap and numbers switch plots off everywhere */
	assert_int_equal(run(f, "set view numbers", &e), ST_OK);
	assert_false(session_plotting(s, NULL));
	assert_int_equal(s->numbers, 1);
	assert_int_equal(run(f, "goto data", &e), ST_OK);
	assert_false(session_plotting(s, NULL));
	assert_int_equal(session_npanels(s), 3);
	session_panel(s, 0, name, sizeof name);
	assert_string_equal(name, "pool.keys");
	assert_int_equal(run(f, "set view heatmap", &e), ST_OK);
	assert_int_equal(s->numbers, 0);
	assert_int_equal(run(f, "set view pie", &e), ST_USAGE);
	assert_string_equal(e.msg, "set view takes plot, heatmap or numbers, not 'pie'");

	/* a stage without a plot says so, and the mode stays */
	assert_int_equal(run(f, "load models/qkv-example", &e), ST_OK);
	assert_int_equal(run(f, "set view plot", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "this stage (input X) has no plot; this model has no stage with a plot"));
	assert_int_equal(s->plot, 0);
	assert_int_equal(run(f, "load en-zh-transformer; goto embed; set view plot", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "this stage (embed) has no plot; stages with a plot: positions, dec.input, next"));
	/* show NAME --plot: the tensor on its own as a plot, the mode as it was */
	assert_int_equal(run(f, "show src.pos --plot", &e), ST_OK);
	assert_string_equal(s->show, "src.pos");
	assert_true(session_plotting(s, NULL));
	assert_int_equal(session_npanels(s), 1);
	assert_int_equal(f->ctx.out.view, CMD_VIEW_STAGE);
	assert_int_equal(s->plot, 0);
	/* ... kept by a new sentence, left by a step (from its stage) */
	assert_int_equal(run(f, "translate the cat sleeps", &e), ST_OK);
	assert_true(session_plotting(s, NULL));
	assert_int_equal(run(f, "step", &e), ST_OK);
	assert_string_equal(session_stage(s)->id, "positions");
	assert_false(session_plotting(s, NULL));
	assert_int_equal(run(f, "set view plot", &e), ST_OK);
	/* a plain show of a tensor the stage's plot does not have shows it alone */
	assert_int_equal(run(f, "show src.input", &e), ST_OK);
	assert_string_equal(s->show, "src.input");
	assert_false(session_plotting(s, NULL));
	assert_int_equal(run(f, "show src.embed", &e), ST_OK);
	assert_string_equal(session_stage(s)->id, "embed");
	/* a vector no stage plots: its own plot */
	assert_int_equal(run(f, "show decode.output --plot", &e), ST_OK);
	assert_string_equal(s->show, "decode.output");
	assert_true(session_plotting(s, NULL));
	assert_int_equal(run(f, "show enc.0.self_attn.q --plot", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "enc.0.self_attn.q has no plot"));
	assert_int_equal(run(f, "show src.pos --plots", &e), ST_USAGE);
}

/* Batch mode prints a stage in plot view as text. */
static void batch_text(void **state)
{
	struct session_fixture *f = *state;
	struct err e = {0};
	assert_int_equal(run(f, "goto output", &e), ST_OK);
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	textview_stage(out, &f->s, 100);
	fclose(out);
	assert_non_null(strstr(buf, "== output ==\n"));
	assert_non_null(strstr(buf, "attention pooling, Nadaraya-Watson Gaussian kernel"));
	assert_non_null(strstr(buf, "o training data (x_i, y_i)   * true f(x) (pool.truth)"));
	assert_non_null(strstr(buf, "\n  0                  1                  2"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(nice_linear_ticks),
		cmocka_unit_test(log_ticks),
		cmocka_unit_test(pooling_figure),
		cmocka_unit_test(posenc_gradnorm_topk),
		cmocka_unit_test(training_history),
		cmocka_unit_test(placement_and_moves),
		cmocka_unit_test(text_rendering),
		cmocka_unit_test(figures_of_models),
		cmocka_unit_test_setup_teardown(view_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(batch_text, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

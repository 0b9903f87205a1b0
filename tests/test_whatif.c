/* What-if runs (engine/whatif.h, trace/diff.h), each switch against an
 * independent computation:
 *   - the PyTorch references of tests/ref/whatif/ (gen_whatif.py): scale
 *     off, mask off, positions off, heads zeroed before W_o, temperature,
 *     every tensor to 1e-4;
 *   - positions off makes the encoder permutation-equivariant: a shuffled
 *     sentence's encoder outputs are the original's rows shuffled (1e-6),
 *     and with positions on they are not;
 *   - the pooling width and an added query against the closed-form
 *     Nadaraya-Watson estimate;
 *   - the incremental decoder (greedy and beam) honours the switches: its
 *     step probabilities equal the full pass's over the decoded tokens;
 *   - edit + diff on qkv-example: W_q[0,0] + 1 changes exactly q, scores,
 *     weights and out, and q[., 0] by X[., 0];
 *   - every given trace tensor maps back to its weight cell by cell; undo
 *     restores the weights bit for bit.
 * Runs from the repository root. */
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

#include "engine/model.h"
#include "engine/whatif.h"
#include "io/safetensors.h"
#include "trace/diff.h"
#include "trace/trace.h"

#include "fixtures.h"

#define WHATIF_REF "tests/ref/whatif"
#define TOL 1e-4

static void run_or_fail(struct model *m, const char *text, const struct run_opts *o,
			struct trace *tr, const char *what)
{
	struct run_result res;
	struct err e = {0};
	if (model_run(m, text, o, tr, &res, &e) != ST_OK)
		fail_msg("%s: %s", what, e.msg);
	run_result_release(&res);
}

static struct model *load_or_fail(const char *dir)
{
	struct model *m = calloc(1, sizeof *m);
	struct err e = {0};
	assert_non_null(m);
	if (model_load(m, dir, &e) != ST_OK)
		fail_msg("%s: %s", dir, e.msg);
	return m;
}

static void free_model(struct model *m)
{
	model_release(m);
	free(m);
}

/* ---- the PyTorch references ---- */

static float read_one(const struct safetensors *s, const char *name, size_t i, const char *dir)
{
	const struct st_entry *x = safetensors_get(s, name);
	float buf[CFG_MAX_LAYERS];
	struct err e = {0};
	if (!x || x->count > CFG_MAX_LAYERS || i >= x->count ||
	    safetensors_read_f32(s, x, buf, (size_t)x->count, &e) != ST_OK)
		fail_msg("%s: expected.safetensors has no usable %s[%zu]", dir, name, i);
	return buf[i];
}

/* "s5 s9 s4" for ids (the fixtures' word vocabularies), without the
 * specials at either end. */
static void ids_text(const int *ids, int n, char prefix, char *buf, size_t cap)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < n; i++)
		if (ids[i] > 3)
			o += (size_t)snprintf(buf + o, cap - o, "%s%c%d", o ? " " : "", prefix, ids[i]);
}

static void test_reference(void **state)
{
	const char *dir = *state;
	char base[600], path[1200];
	const char *name = strrchr(dir, '/') + 1;
	snprintf(base, sizeof base, "%.*s", (int)(strstr(name, "--") - name), name);
	snprintf(path, sizeof path, "%s/%s", FIXTURES, base);
	struct model *m = load_or_fail(path);
	struct safetensors s;
	struct err e = {0};
	memset(&s, 0, sizeof s);
	snprintf(path, sizeof path, "%s/expected.safetensors", dir);
	if (safetensors_load(&s, path, &e) != ST_OK)
		fail_msg("%s", e.msg);

	struct whatif wi;
	whatif_init(&wi);
	wi.sw.no_scale = read_one(&s, "switch.no_scale", 0, dir) != 0;
	wi.sw.no_mask = read_one(&s, "switch.no_mask", 0, dir) != 0;
	wi.sw.no_positions = read_one(&s, "switch.no_positions", 0, dir) != 0;
	wi.sw.temperature = read_one(&s, "switch.temperature", 0, dir);
	static const char *const hb[HB_COUNT] = {"switch.heads_off.enc_self", "switch.heads_off.dec_self",
						 "switch.heads_off.dec_cross"};
	for (int b = 0; b < HB_COUNT; b++) {
		const struct st_entry *x = safetensors_get(&s, hb[b]);
		for (size_t l = 0; x && l < x->count; l++)
			wi.sw.head_off[b][l] = (uint64_t)read_one(&s, hb[b], l, dir);
	}
	int ns = 0, nt = 0;
	int *src = fixtures_read_ids(&s, "input.src_ids", &ns, dir);
	int *tgt = fixtures_read_ids(&s, "input.tgt_ids", &nt, dir);
	assert_non_null(src);
	assert_non_null(tgt);
	char text[1024], target[1024];
	ids_text(src, ns, 's', text, sizeof text);
	ids_text(tgt, nt, 't', target, sizeof target);
	struct run_opts o;
	run_opts_default(&o);
	o.target = target;
	o.whatif = &wi;
	struct trace tr;
	trace_init(&tr);
	run_or_fail(m, text, &o, &tr, dir);
	assert_true(trace_whatif(&tr)[0] != 0);

	size_t compared = 0, failures = 0;
	double worst_all = 0;
	for (size_t i = 0; i < s.n; i++) {
		const struct st_entry *x = &s.entries[i];
		if (starts_with(x->name, "input.") || starts_with(x->name, "switch."))
			continue;
		const struct tensor *t = trace_get(&tr, x->name);
		if (!t || (size_t)t->rows * (size_t)t->cols != x->count) {
			print_error("%s: %s: %s\n", dir, x->name, t ? "shape differs" : "not in the trace");
			failures++;
			continue;
		}
		float *want = malloc(x->count * sizeof *want);
		assert_non_null(want);
		assert_int_equal(safetensors_read_f32(&s, x, want, (size_t)x->count, &e), ST_OK);
		double worst = 0;
		size_t at = 0;
		for (size_t k = 0; k < x->count; k++) {
			float g = t->data[k], w = want[k];
			double d = isinf(g) || isinf(w) ? (g == w ? 0 : INFINITY) : fabs((double)g - w);
			if (isnan(g) || isnan(w))
				d = INFINITY;
			if (d > worst) {
				worst = d;
				at = k;
			}
		}
		if (!(worst <= TOL)) {
			print_error("%s: %s[%zu]: engine %.7g, PyTorch %.7g\n", dir, x->name, at,
				    (double)t->data[at], (double)want[at]);
			failures++;
		}
		worst_all = worst > worst_all ? worst : worst_all;
		compared++;
		free(want);
	}
	print_message("%s: %zu tensors compared, max error %.3g (what-if: %s)\n", name, compared,
		      worst_all, trace_whatif(&tr));
	free(src);
	free(tgt);
	trace_release(&tr);
	safetensors_release(&s);
	free_model(m);
	assert_int_equal(failures, 0);
	assert_true(compared > 40);
}

/* ---- positions off: permutation equivariance ---- */

/* Max over rows i of |enc.out(b)[i] - enc.out(a)[perm[i]]|. */
static double permuted_gap(const struct trace *a, const struct trace *b, const int *perm, int n)
{
	const struct tensor *ea = trace_get(a, "enc.out"), *eb = trace_get(b, "enc.out");
	assert_non_null(ea);
	assert_non_null(eb);
	assert_int_equal(ea->rows, n);
	double gap = 0;
	for (int i = 0; i < n; i++)
		for (int c = 0; c < ea->cols; c++)
			gap = fmax(gap, fabs((double)tensor_at(eb, i, c) - tensor_at(ea, perm[i], c)));
	return gap;
}

static void test_permutation(void **state)
{
	(void)state;
	struct model *m = load_or_fail("models/en-zh-transformer");
	const char *words = "the cat sleeps on the mat", *shuffled = "mat on the sleeps cat the";
	struct whatif wi;
	whatif_init(&wi);
	wi.sw.no_positions = 1;
	struct trace a, b;
	trace_init(&a);
	trace_init(&b);
	struct run_opts o;
	run_opts_default(&o);
	double gap[2];
	for (int off = 0; off < 2; off++) {
		o.whatif = off ? &wi : NULL;
		run_or_fail(m, words, &o, &a, words);
		run_or_fail(m, shuffled, &o, &b, shuffled);
		/* perm: the original row each shuffled token came from (<eos> last) */
		const struct tensor *ta = trace_get(&a, "src.tokens"), *tb = trace_get(&b, "src.tokens");
		int n = ta->cols, perm[64], used[64] = {0};
		assert_int_equal(tb->cols, n);
		for (int i = 0; i < n; i++) {
			perm[i] = -1;
			for (int j = 0; j < n && perm[i] < 0; j++)
				if (!used[j] && tensor_at(ta, 0, j) == tensor_at(tb, 0, i))
					used[perm[i] = j] = 1;
			assert_true(perm[i] >= 0);
		}
		gap[off] = permuted_gap(&a, &b, perm, n);
	}
	print_message("enc.out, shuffled rows vs the original's: max gap %.3g with positions, "
		      "%.3g without\n", gap[0], gap[1]);
	assert_true(gap[1] <= 1e-6);
	assert_true(gap[0] > 1e-2); /* the positions are what breaks the symmetry */
	trace_release(&a);
	trace_release(&b);
	free_model(m);
}

/* ---- pooling: width and query against the closed form ---- */

static double nw(const float *keys, const float *values, int n, double x, double w)
{
	double num = 0, den = 0, mx = -INFINITY;
	for (int i = 0; i < n; i++)
		mx = fmax(mx, -pow((x - keys[i]) * w, 2) / 2);
	for (int i = 0; i < n; i++) {
		double k = exp(-pow((x - keys[i]) * w, 2) / 2 - mx);
		num += k * values[i];
		den += k;
	}
	return num / den;
}

static void test_pooling(void **state)
{
	(void)state;
	static const char *const dirs[] = {"models/pooling-nw", "models/pooling-parametric",
					   "models/pooling-average"};
	for (int k = 0; k < 3; k++) {
		struct model *m = load_or_fail(dirs[k]);
		const struct pool_weights *p = &m->w.pool;
		int n = m->cfg.n_keys, q = m->cfg.n_queries;
		struct whatif wi;
		whatif_init(&wi);
		wi.sw.has_query = 1;
		wi.sw.query = 2.1f;
		if (k == 0) {
			wi.sw.has_width = 1;
			wi.sw.width = 2.5f;
		}
		double w = k == 0 ? 2.5 : k == 1 ? p->w[0] : 0.0; /* average: w = 0 weighs all alike */
		struct run_opts o;
		run_opts_default(&o);
		o.whatif = &wi;
		struct trace tr;
		trace_init(&tr);
		run_or_fail(m, NULL, &o, &tr, dirs[k]);
		const struct tensor *out = trace_get(&tr, "pool.out"), *qs = trace_get(&tr, "pool.queries");
		assert_int_equal(out->cols, q + 1);
		assert_true(tensor_at(qs, 0, q) == 2.1f);
		double worst = 0;
		for (int i = 0; i <= q; i++) {
			double x = i < q ? p->queries[i] : 2.1;
			worst = fmax(worst, fabs(tensor_at(out, 0, i) - nw(p->keys, p->values, n, x, w)));
		}
		print_message("%s (w = %g, query 2.1 added): max error %.3g\n", dirs[k], w, worst);
		assert_true(worst < 1e-5);
		trace_release(&tr);
		free_model(m);
	}
}

/* ---- the incremental decoder honours the switches ---- */

/* The decoder's candidates at every step (decode.topk: ids and their
 * probabilities, from the incremental decoder) against the full pass over
 * the decoded tokens (probs): the same under any switch but the mask. */
static double decode_gap(const struct trace *tr)
{
	const struct tensor *tp = trace_get(tr, "decode.topk.probs"), *ti = trace_get(tr, "decode.topk.ids");
	const struct tensor *pr = trace_get(tr, "probs");
	assert_non_null(tp);
	assert_non_null(ti);
	assert_non_null(pr);
	double gap = 0;
	for (int t = 0; t < tp->rows && t < pr->rows; t++)
		for (int j = 0; j < tp->cols; j++)
			gap = fmax(gap, fabs(tensor_at(tp, t, j) - tensor_at(pr, t, (int)tensor_at(ti, t, j))));
	return gap;
}

static void test_decoder_honours_switches(void **state)
{
	(void)state;
	char **dirs = NULL;
	size_t nd = fixtures_list("config.json", &dirs);
	assert_true(nd > 0);
	for (size_t i = 0; i < nd; i++) {
		struct model *m = load_or_fail(dirs[i]);
		struct whatif wi;
		whatif_init(&wi);
		wi.sw.no_scale = 1;
		wi.sw.no_positions = 1;
		wi.sw.temperature = 1.7f;
		wi.sw.head_off[HB_DEC_SELF][0] = 1;
		wi.sw.head_off[HB_DEC_CROSS][0] = 2;
		wi.sw.head_off[HB_ENC_SELF][0] = 1;
		for (int beam = 1; beam <= 3; beam += 2) {
			struct run_opts o;
			run_opts_default(&o);
			o.max_len = 6;
			o.beam = beam;
			struct trace plain, sw;
			trace_init(&plain);
			trace_init(&sw);
			run_or_fail(m, "s4 s5 s6 s7", &o, &plain, dirs[i]);
			o.whatif = &wi;
			run_or_fail(m, "s4 s5 s6 s7", &o, &sw, dirs[i]);
			double g = decode_gap(&sw);
			if (getenv("WHATIF_VERBOSE"))
				print_message("%s beam %d: gap %.3g switched, %.3g plain\n", dirs[i], beam, g,
					      decode_gap(&plain));
			if (g > 1e-5)
				fail_msg("%s, beam %d: the decoder's step probabilities differ from the "
					 "full pass by %.3g under the switches", dirs[i], beam, g);
			/* and the switches did change the decoding */
			const struct tensor *a = trace_get(&plain, "decode.topk.probs"),
					    *b = trace_get(&sw, "decode.topk.probs");
			assert_true(a->rows != b->rows || a->cols != b->cols ||
				    memcmp(a->data, b->data, (size_t)a->rows * a->cols * sizeof(float)));
			trace_release(&plain);
			trace_release(&sw);
		}
		free_model(m);
	}
	fixtures_free(dirs, nd);
}

/* ---- edit + diff on the hand-worked example ---- */

static void test_edit_diff_qkv(void **state)
{
	(void)state;
	struct model *m = load_or_fail("models/qkv-example");
	struct run_opts o;
	run_opts_default(&o);
	struct trace before, now;
	trace_init(&before);
	trace_init(&now);
	run_or_fail(m, NULL, &o, &before, "qkv-example");
	float *saved = malloc(m->w.total * sizeof *saved);
	assert_non_null(saved);
	memcpy(saved, m->w.block, m->w.total * sizeof *saved);

	struct whatif wi;
	whatif_init(&wi);
	struct err e = {0};
	const struct tensor *wq = trace_get(&before, "self_attn.w_q");
	assert_int_equal(whatif_edit(&wi, &m->cfg, &m->w, wq, 0, 0, tensor_at(wq, 0, 0) + 1.0f, &e),
			 ST_OK);
	o.whatif = &wi;
	run_or_fail(m, NULL, &o, &now, "qkv-example edited");
	assert_non_null(strstr(trace_whatif(&now), "edit self_attn.w_q[0, 0] = 1.67 (was 0.67)"));

	struct trace_diff d;
	trace_diff_init(&d);
	assert_int_equal(trace_diff_build(&d, &now, &before, &e), ST_OK);
	static const char *const want[] = {"self_attn.w_q", "self_attn.q", "self_attn.scores",
					   "self_attn.weights", "self_attn.out"};
	assert_int_equal(d.n, 5);
	for (size_t i = 0; i < d.n; i++) {
		assert_string_equal(d.v[i].name, want[i]);
		assert_int_equal(d.v[i].kind, DIFF_CHANGED);
		assert_int_equal(d.v[i].edited, i == 0);
	}
	assert_int_equal(d.v[0].changed, 1);
	/* Δq = X ΔW_q: column 0 moves by X[., 0] · 1, the others not at all. */
	const struct tensor *dq = trace_get(&d.delta, "self_attn.q"), *x = trace_get(&now, "self_attn.x");
	assert_non_null(dq);
	double xmax = 0;
	for (int r = 0; r < dq->rows; r++) {
		assert_true(fabs(tensor_at(dq, r, 0) - tensor_at(x, r, 0)) < 1e-6);
		for (int c = 1; c < dq->cols; c++)
			assert_true(tensor_at(dq, r, c) == 0.0f);
		xmax = fmax(xmax, fabs(tensor_at(x, r, 0)));
	}
	assert_true(fabs(d.v[1].max_abs - xmax) < 1e-6); /* the largest |X[., 0]| */

	/* The text lists them in this order, one line each. */
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	trace_diff_print(f, &d, "the previous run", 80);
	fclose(f);
	const char *p = buf;
	for (size_t i = 0; i < 5; i++) {
		char key[64];
		snprintf(key, sizeof key, "  %s [", want[i]);
		p = strstr(p, key);
		if (!p)
			fail_msg("diff text lacks '%s' in order:\n%s", key, buf);
	}
	assert_non_null(strstr(buf, "5 tensors changed, in pipeline order (5 unchanged)"));
	free(buf);

	/* Undo: the weights come back bit for bit, and nothing differs. */
	whatif_undo_edits(&wi, &m->w);
	assert_int_equal(wi.n_edits, 0);
	assert_memory_equal(saved, m->w.block, m->w.total * sizeof *saved);
	run_or_fail(m, NULL, &o, &now, "qkv-example undone");
	assert_int_equal(trace_diff_build(&d, &now, &before, &e), ST_OK);
	assert_int_equal(d.n, 0);
	assert_string_equal(trace_whatif(&now), "");

	/* A computed tensor cannot be edited, with a reason. */
	assert_int_equal(whatif_edit(&wi, &m->cfg, &m->w, trace_get(&now, "self_attn.q"), 0, 0, 1, &e),
			 ST_USAGE);
	assert_non_null(strstr(e.msg, "computed"));
	trace_diff_release(&d);
	trace_release(&before);
	trace_release(&now);
	free(saved);
	free_model(m);
}

/* ---- every given tensor maps back to its weight ---- */

static int editable_name(const char *n)
{
	static const char *const ends[] = {".w_q", ".w_k", ".w_v", ".w_o", ".b_q", ".b_k", ".b_v",
					   ".b_o", ".ffn.w1", ".ffn.b1", ".ffn.w2", ".ffn.b2",
					   ".embed.table", ".w_ih", ".w_hh", ".b_ih", ".b_hh"};
	size_t ln = strlen(n);
	for (size_t i = 0; i < sizeof ends / sizeof *ends; i++) {
		size_t le = strlen(ends[i]);
		if (ln > le && strcmp(n + ln - le, ends[i]) == 0)
			return 1;
	}
	return !strcmp(n, "generator.w") || !strcmp(n, "dec.out.w") || !strcmp(n, "dec.out.b") ||
	       (strstr(n, ".norm") && (n[ln - 2] == '.' && (n[ln - 1] == 'w' || n[ln - 1] == 'b')));
}

static void test_locate_every_given(void **state)
{
	(void)state;
	char **dirs = NULL;
	size_t nd = fixtures_list("config.json", &dirs);
	size_t located = 0, cells = 0;
	for (size_t i = 0; i < nd; i++) {
		struct model *m = load_or_fail(dirs[i]);
		struct run_opts o;
		run_opts_default(&o);
		o.target = "t4 t5";
		struct trace tr;
		trace_init(&tr);
		run_or_fail(m, "s4 s5 s6", &o, &tr, dirs[i]);
		for (size_t k = 0; k < tr.n; k++) {
			const struct tensor *t = tr.items[k];
			size_t pi, idx;
			struct err e = {0};
			if (whatif_locate(&m->cfg, &m->w, t->name, 0, 0, &pi, &idx, NULL, &e) != ST_OK) {
				if (editable_name(t->name))
					fail_msg("%s: %s is a weight but does not locate: %s", dirs[i], t->name,
						 e.msg);
				continue;
			}
			assert_int_equal(t->prov.kind, PROV_NONE);
			for (int r = 0; r < t->rows; r++)
				for (int c = 0; c < t->cols; c++) {
					assert_int_equal(whatif_locate(&m->cfg, &m->w, t->name, r, c, &pi, &idx,
								       NULL, &e), ST_OK);
					if (m->w.params[pi].data[idx] != tensor_at(t, r, c))
						fail_msg("%s: %s[%d, %d] = %g but %s[%zu] = %g", dirs[i], t->name,
							 r, c, (double)tensor_at(t, r, c), m->w.params[pi].name,
							 idx, (double)m->w.params[pi].data[idx]);
					cells++;
				}
			located++;
		}
		trace_release(&tr);
		free_model(m);
	}
	print_message("%zu given tensors, %zu cells, each equal to the weight it maps to\n", located,
		      cells);
	assert_true(located > 100);
	fixtures_free(dirs, nd);
}

static void test_describe(void **state)
{
	(void)state;
	struct config c = {0};
	c.arch = ARCH_TRANSFORMER;
	c.n_heads = 4;
	c.n_enc_layers = c.n_dec_layers = 2;
	struct whatif w;
	whatif_init(&w);
	char buf[512];
	whatif_describe(&w, &c, buf, sizeof buf);
	assert_string_equal(buf, "");
	assert_false(whatif_active(&w, &c));
	w.sw.no_scale = 1;
	w.sw.head_off[HB_DEC_CROSS][1] = 1u << 3;
	w.sw.temperature = 0.5f;
	w.sw.has_query = 1; /* not for a transformer: not named */
	whatif_describe(&w, &c, buf, sizeof buf);
	assert_string_equal(buf, "scale off; head dec.1.cross_attn.h3 off; temperature 0.5");
	enum head_block b;
	int l;
	assert_true(whatif_head_block(&c, "dec.1.cross_attn", &b, &l));
	assert_int_equal(b, HB_DEC_CROSS);
	assert_int_equal(l, 1);
	assert_false(whatif_head_block(&c, "enc.2.self_attn", &b, &l));
	assert_false(whatif_head_block(&c, "enc.0.cross_attn", &b, &l));
	c.arch = ARCH_RNN_SEQ2SEQ;
	c.attention = ATTN_ADDITIVE;
	whatif_describe(&w, &c, buf, sizeof buf);
	assert_string_equal(buf, "temperature 0.5"); /* no scale in additive attention */
}

/* ---- main: the references, then the rest ---- */

static size_t list_refs(char ***out)
{
	DIR *d = opendir(WHATIF_REF);
	char **v = NULL;
	size_t n = 0;
	*out = NULL;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && strstr(de->d_name, "--")) {
			char **nv = realloc(v, (n + 1) * sizeof *nv);
			if (!nv)
				break;
			v = nv;
			size_t len = strlen(WHATIF_REF) + strlen(de->d_name) + 2;
			v[n] = malloc(len);
			snprintf(v[n++], len, "%s/%s", WHATIF_REF, de->d_name);
		}
	closedir(d);
	if (n)
		qsort(v, n, sizeof *v, fixtures_cmp_str);
	*out = v;
	return n;
}

static void test_no_refs(void **state)
{
	(void)state;
	fail_msg("no references under %s/ (run from the repository root; regenerate with "
		 "/usr/bin/python3 tests/ref/gen_whatif.py)", WHATIF_REF);
}

int main(void)
{
	char **refs = NULL;
	size_t nr = list_refs(&refs);
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_permutation),
		cmocka_unit_test(test_pooling),
		cmocka_unit_test(test_decoder_honours_switches),
		cmocka_unit_test(test_edit_diff_qkv),
		cmocka_unit_test(test_locate_every_given),
	};
	size_t nf = sizeof fixed / sizeof *fixed, k = nf;
	struct CMUnitTest *tests = calloc(nf + (nr ? nr : 1), sizeof *tests);
	if (!tests)
		return 1;
	memcpy(tests, fixed, sizeof fixed);
	if (!nr)
		tests[k++] = (struct CMUnitTest){"references", test_no_refs, NULL, NULL, NULL};
	for (size_t i = 0; i < nr; i++)
		tests[k++] = (struct CMUnitTest){strrchr(refs[i], '/') + 1, test_reference, NULL, NULL,
						 refs[i]};
	int rc = _cmocka_run_group_tests("test_whatif", tests, k, NULL, NULL);
	for (size_t i = 0; i < nr; i++)
		free(refs[i]);
	free(refs);
	free(tests);
	return rc;
}

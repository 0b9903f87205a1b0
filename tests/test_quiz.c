/* quiz.c: every topic builds a hand-sized problem from the engine, its
 * answer is the trace's own cell and equals explain_recompute of that cell,
 * answers are accepted within 0.005 (and -inf for a masked cell) and
 * rejected outside, the temporary model folder goes away, the same seed
 * gives the same problem, and exported sheets are byte-for-byte
 * deterministic, refuse to overwrite without --force and never leave
 * partial files. Runs from the repository root. */
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

#include "trace/explain.h"
#include "teach/quiz.h"

static char tmp[256];

static int setup_tmp(void **state)
{
	(void)state;
	const char *t = getenv("TMPDIR");
	snprintf(tmp, sizeof tmp, "%s/test_quiz.XXXXXX", t && *t ? t : "/tmp");
	return mkdtemp(tmp) ? 0 : -1;
}

static void rm_rf(const char *path)
{
	struct stat sb;
	if (lstat(path, &sb) != 0)
		return;
	if (S_ISDIR(sb.st_mode)) {
		DIR *d = opendir(path);
		struct dirent *de;
		while (d && (de = readdir(d))) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char p[1024];
			snprintf(p, sizeof p, "%s/%s", path, de->d_name);
			rm_rf(p);
		}
		if (d)
			closedir(d);
		rmdir(path);
	} else {
		unlink(path);
	}
}

static int teardown_tmp(void **state)
{
	(void)state;
	rm_rf(tmp);
	return 0;
}

/* The problem's whole text and solution, for comparisons. */
static char *problem_text(const struct quiz_problem *p)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);
	assert_non_null(f);
	quiz_print_problem(f, p, 1, "dir");
	quiz_print_solution(f, p);
	fclose(f);
	return s;
}

/* ---- building ---- */

static void topic_names(void **state)
{
	(void)state;
	for (int t = 0; t < QUIZ_NTOPICS; t++) {
		assert_int_equal(quiz_topic_find(quiz_topic_name((enum quiz_topic)t)), t);
		assert_non_null(strstr(quiz_topic_list(), quiz_topic_name((enum quiz_topic)t)));
	}
	assert_int_equal(quiz_topic_find("lstm-gate"), QUIZ_LSTM_GATE);
	assert_int_equal(quiz_topic_find("posenc"), QUIZ_POSENC);
	assert_int_equal(quiz_topic_find("nonsense"), -1);
	struct quiz_problem p;
	struct err e;
	assert_int_equal(quiz_build(&p, QUIZ_NTOPICS, 1, &e), ST_USAGE);
}

/* Every topic, many seeds: the answer cells are the trace's, explain_recompute
 * of each cell gives the same number, the explanation ends with it, and the
 * sizes are hand-sized. */
static void every_topic_matches_the_engine(void **state)
{
	(void)state;
	static char buf[16384];
	for (int t = 0; t < QUIZ_NTOPICS; t++)
		for (uint64_t seed = 0; seed < 12; seed++) {
			struct quiz_problem p;
			struct err e = {0};
			if (quiz_build(&p, (enum quiz_topic)t, seed, &e) != ST_OK)
				fail_msg("topic %s seed %llu: %s", quiz_topic_name((enum quiz_topic)t),
					 (unsigned long long)seed, e.msg);
			assert_true(p.ncells >= 1 && p.ncells <= QUIZ_MAX_CELLS);
			assert_true(p.question[0] && p.setup[0] && p.title[0]);
			int masked = 0, finite = 0;
			for (int i = 0; i < p.ncells; i++) {
				const struct quiz_cell *c = &p.cells[i];
				/* the cell is in the problem's own trace */
				assert_ptr_equal(trace_get(&p.trace, c->t->name), c->t);
				double stored = (double)tensor_at(c->t, c->row, c->col);
				assert_true(stored == c->value || (isinf(stored) && isinf(c->value)));
				double re = explain_recompute(&p.trace, c->t, c->row, c->col);
				if (isinf(c->value)) {
					masked++;
					assert_true(c->value < 0);
					assert_true(isnan(re) || (isinf(re) && re < 0));
				} else {
					finite++;
					if (!(fabs(re - c->value) <= 1e-4 * (1 + fabs(c->value))))
						fail_msg("%s seed %llu: %s[%d,%d] engine %.6f, recomputed %.6f",
							 quiz_topic_name((enum quiz_topic)t), (unsigned long long)seed,
							 c->t->name, c->row, c->col, c->value, re);
				}
				explain_cell(&p.trace, c->t, c->row, c->col, buf, sizeof buf);
				char want[64];
				if (isinf(c->value))
					snprintf(want, sizeof want, "-inf");
				else
					snprintf(want, sizeof want, "%.4f", c->value);
				const char *last = strrchr(buf, '=');
				assert_non_null(last);
				assert_non_null(strstr(last, want));
			}
			if (t == QUIZ_MASKED)
				assert_true(masked >= 1 && finite >= 2);
			else
				assert_int_equal(masked, 0);
			for (int i = 0; i < p.ngiven; i++)
				assert_non_null(trace_get(&p.trace, p.given[i]));
			/* hand-sized: d = 3..6 */
			const struct tensor *x = trace_get(&p.trace, "self_attn.x");
			if (x)
				assert_true(x->cols >= 3 && x->cols <= 6 && x->rows >= 3 && x->rows <= 4);
			const struct tensor *pos = trace_get(&p.trace, "src.pos");
			if (pos)
				assert_true(pos->cols >= 3 && pos->cols <= 6);
			const struct tensor *w = trace_get(&p.trace, "enc.l0.x");
			if (w)
				assert_true(w->cols >= 3 && w->cols <= 6);
			/* the model folder can be removed, and is */
			char root[sizeof p.root];
			snprintf(root, sizeof root, "%s", p.root);
			struct stat sb;
			assert_int_equal(stat(root, &sb), 0);
			quiz_problem_release(&p);
			assert_int_not_equal(stat(root, &sb), 0);
		}
}

static void same_seed_same_problem(void **state)
{
	(void)state;
	for (int t = 0; t < QUIZ_NTOPICS; t++) {
		struct quiz_problem a, b, c;
		struct err e;
		assert_int_equal(quiz_build(&a, (enum quiz_topic)t, 42, &e), ST_OK);
		assert_int_equal(quiz_build(&b, (enum quiz_topic)t, 42, &e), ST_OK);
		assert_int_equal(quiz_build(&c, (enum quiz_topic)t, 43, &e), ST_OK);
		char *ta = problem_text(&a), *tb = problem_text(&b), *tc = problem_text(&c);
		assert_string_equal(ta, tb);
		assert_string_not_equal(ta, tc);
		free(ta);
		free(tb);
		free(tc);
		quiz_problem_release(&a);
		quiz_problem_release(&b);
		quiz_problem_release(&c);
	}
}

/* ---- answers ---- */

static void parse_values(void **state)
{
	(void)state;
	double v;
	assert_true(quiz_parse_value("1.38", &v) && v == 1.38);
	assert_true(quiz_parse_value("-0.5,", &v) && v == -0.5);
	assert_true(quiz_parse_value("(0.25", &v) && v == 0.25);
	assert_true(quiz_parse_value("0.75]", &v) && v == 0.75);
	assert_true(quiz_parse_value("−0.5", &v) && v == -0.5); /* Unicode minus */
	const char *masked[] = {"-inf", "−inf", "-∞", "−∞", "masked", "MASKED", "mask", "-Inf"};
	for (size_t i = 0; i < sizeof masked / sizeof *masked; i++) {
		v = 0;
		assert_true(quiz_parse_value(masked[i], &v));
		assert_true(isinf(v) && v < 0);
	}
	assert_false(quiz_parse_value("", &v));
	assert_false(quiz_parse_value("abc", &v));
	assert_false(quiz_parse_value("1.2.3", &v));
	assert_false(quiz_parse_value("nan", &v));
	assert_false(quiz_parse_value("inf", &v));
	assert_false(quiz_parse_value("1e999", &v));
}

static void tolerance(void **state)
{
	(void)state;
	assert_true(quiz_value_ok(1.38, 1.3801, QUIZ_TOLERANCE));
	assert_true(quiz_value_ok(1.385, 1.3801, QUIZ_TOLERANCE));
	assert_true(quiz_value_ok(1.375, 1.38, QUIZ_TOLERANCE));   /* exactly 0.005 */
	/* a half-way value whose float lands a few ulps to either side */
	assert_true(quiz_value_ok(0.13, 0.125f - 2e-7, QUIZ_TOLERANCE));
	assert_true(quiz_value_ok(0.12, 0.125f + 2e-7, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(0.13, 0.1249, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(1.386, 1.3801, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(1.37, 1.3801, QUIZ_TOLERANCE));
	assert_true(quiz_value_ok(-INFINITY, -INFINITY, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(-1e9, -INFINITY, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(-INFINITY, 0.0, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(INFINITY, -INFINITY, QUIZ_TOLERANCE));
	assert_false(quiz_value_ok(0.0, NAN, QUIZ_TOLERANCE));
}

/* quiz_check on real problems: the engine's value (printed as a student
 * would round it) is right, off by 0.006 is wrong, -inf only for masked
 * cells, and a wrong count or a non-number is a usage error. */
static void check_answers(void **state)
{
	(void)state;
	for (int t = 0; t < QUIZ_NTOPICS; t++) {
		struct quiz_problem p;
		struct err e;
		assert_int_equal(quiz_build(&p, (enum quiz_topic)t, 7, &e), ST_OK);
		char words[QUIZ_MAX_CELLS][64];
		char *argv[QUIZ_MAX_CELLS];
		for (int shift = 0; shift < 4; shift++) {
			/* 0: rounded to 2 decimals; 1: +0.004; 2: +0.006 on the last
			 * finite cell; 3: the last cell written as -inf */
			int last_finite = -1;
			for (int i = 0; i < p.ncells; i++) {
				double v = p.cells[i].value;
				if (isinf(v))
					snprintf(words[i], sizeof words[i], i % 2 ? "masked" : "-inf");
				else {
					last_finite = i;
					snprintf(words[i], sizeof words[i], "%.2f", v + (shift == 1 ? 0.004 : 0));
				}
				argv[i] = words[i];
			}
			if (shift == 2)
				snprintf(words[last_finite], sizeof words[0], "%.4f", p.cells[last_finite].value + 0.006);
			if (shift == 3)
				snprintf(words[p.ncells - 1], sizeof words[0], "%s",
					 isinf(p.cells[p.ncells - 1].value) ? "0" : "-inf");
			char *out = NULL;
			size_t n = 0;
			FILE *f = open_memstream(&out, &n);
			int right = -1;
			assert_int_equal(quiz_check(&p, p.ncells, argv, f, &right, &e), ST_OK);
			fclose(f);
			/* %.2f rounding plus 0.004 can exceed 0.005: only shift 0 is sure */
			if (shift == 0)
				assert_int_equal(right, 1);
			if (shift >= 2)
				assert_int_equal(right, 0);
			assert_non_null(strstr(out, shift >= 2 ? "wrong" : "right"));
			free(out);
		}
		/* exactly the engine's value +/- 0.0049 is right */
		for (int i = 0; i < p.ncells; i++) {
			if (isinf(p.cells[i].value))
				snprintf(words[i], sizeof words[i], "-inf");
			else
				snprintf(words[i], sizeof words[i], "%.6f", p.cells[i].value + (i % 2 ? 0.0049 : -0.0049));
			argv[i] = words[i];
		}
		FILE *f = fopen("/dev/null", "w");
		int right = 0;
		assert_int_equal(quiz_check(&p, p.ncells, argv, f, &right, &e), ST_OK);
		assert_int_equal(right, 1);
		/* the wrong count */
		assert_int_equal(quiz_check(&p, p.ncells + 1, argv, f, &right, &e), ST_USAGE);
		assert_non_null(strstr(e.msg, "wants"));
		/* not a number */
		char bad[] = "twelve";
		argv[0] = bad;
		assert_int_equal(quiz_check(&p, p.ncells, argv, f, &right, &e), ST_USAGE);
		assert_non_null(strstr(e.msg, "not a number"));
		fclose(f);
		quiz_problem_release(&p);
	}
}

/* ---- export ---- */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *s = NULL;
	size_t n = 0, cap = 0;
	int ch;
	while ((ch = fgetc(f)) != EOF) {
		if (n + 1 >= cap) {
			cap = cap ? cap * 2 : 4096;
			s = realloc(s, cap);
		}
		s[n++] = (char)ch;
	}
	fclose(f);
	if (!s)
		s = calloc(1, 1);
	else
		s[n] = 0;
	*len = n;
	return s;
}

/* Every regular file under dir, relative, sorted, with its bytes: one text. */
static void list_rec(const char *root, const char *rel, char ***v, int *n)
{
	char p[1024];
	snprintf(p, sizeof p, "%s%s%s", root, rel[0] ? "/" : "", rel);
	DIR *d = opendir(p);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char r[1024], full[2048];
		snprintf(r, sizeof r, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
		snprintf(full, sizeof full, "%s/%s", root, r);
		struct stat sb;
		stat(full, &sb);
		if (S_ISDIR(sb.st_mode))
			list_rec(root, r, v, n);
		else {
			*v = realloc(*v, (size_t)(*n + 1) * sizeof **v);
			(*v)[(*n)++] = strdup(r);
		}
	}
	closedir(d);
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *tree_text(const char *root, int *nfiles)
{
	char **v = NULL;
	int n = 0;
	list_rec(root, "", &v, &n);
	if (n)
		qsort(v, (size_t)n, sizeof *v, cmp);
	char *all = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&all, &len);
	for (int i = 0; i < n; i++) {
		char p[2048];
		size_t k;
		snprintf(p, sizeof p, "%s/%s", root, v[i]);
		char *s = slurp(p, &k);
		fprintf(f, "== %s %zu\n", v[i], k);
		fwrite(s, 1, k, f);
		free(s);
		free(v[i]);
	}
	free(v);
	fclose(f);
	if (nfiles)
		*nfiles = n;
	return all;
}

static void export_is_deterministic(void **state)
{
	(void)state;
	char a[512], b[512], c[512];
	snprintf(a, sizeof a, "%s/a", tmp);
	snprintf(b, sizeof b, "%s/b", tmp);
	snprintf(c, sizeof c, "%s/c", tmp);
	struct err e;
	struct quiz_export_opts o = {a, 10, 7, -1, 0};
	assert_int_equal(quiz_export(&o, &e), ST_OK);
	o.dir = b;
	assert_int_equal(quiz_export(&o, &e), ST_OK);
	o.dir = c;
	o.seed = 8;
	assert_int_equal(quiz_export(&o, &e), ST_OK);
	int na, nb;
	char *ta = tree_text(a, &na), *tb = tree_text(b, &nb), *tc = tree_text(c, NULL);
	assert_int_equal(na, nb);
	assert_true(na >= 13);
	assert_string_equal(ta, tb);
	assert_string_not_equal(ta, tc);
	/* every topic is on a 10-problem sheet, with its given CSVs */
	for (int t = 0; t < QUIZ_NTOPICS; t++) {
		char want[64];
		snprintf(want, sizeof want, "p%02d-%s/", t + 1, quiz_topic_name((enum quiz_topic)t));
		assert_non_null(strstr(ta, want));
	}
	assert_non_null(strstr(ta, "== sheet.md"));
	assert_non_null(strstr(ta, "== solutions.md"));
	assert_non_null(strstr(ta, "== answers.csv"));
	assert_non_null(strstr(ta, "problem,topic,seed,tensor,row,col,answer,rounded\n"));
	assert_non_null(strstr(ta, "## Problem 10:"));
	assert_non_null(strstr(ta, "-inf")); /* the masked problem's key */
	/* the temporary model folders are not named anywhere */
	assert_null(strstr(ta, "seqstep-quiz-"));
	free(ta);
	free(tb);
	free(tc);
}

static void export_answers_match_the_problems(void **state)
{
	(void)state;
	char d[512], p[600];
	snprintf(d, sizeof d, "%s/key", tmp);
	struct err e;
	struct quiz_export_opts o = {d, 8, 3, -1, 0};
	assert_int_equal(quiz_export(&o, &e), ST_OK);
	snprintf(p, sizeof p, "%s/answers.csv", d);
	size_t n;
	char *key = slurp(p, &n);
	assert_non_null(key);
	/* the answers of problem k are those of quiz_build(topic, seed*1000+k) */
	for (int k = 1; k <= 8; k++) {
		struct quiz_problem q;
		assert_int_equal(quiz_build(&q, (enum quiz_topic)((k - 1) % QUIZ_NTOPICS), 3000 + (uint64_t)k, &e),
				 ST_OK);
		char line[256];
		snprintf(line, sizeof line, "\n%d,%s,%llu,", k, quiz_topic_name(q.topic), (unsigned long long)q.seed);
		const char *at = key;
		for (int i = 0; i < q.ncells; i++) {
			char v[64];
			if (isinf(q.cells[i].value))
				snprintf(v, sizeof v, ",-inf\n");
			else
				snprintf(v, sizeof v, ",%.2f\n", fabs(q.cells[i].value) < 0.005 ? 0.0 : q.cells[i].value);
			/* the i-th line of problem k, in the order of the cells */
			at = strstr(at, line);
			assert_non_null(at);
			at++;
			const char *eol = strchr(at, '\n');
			assert_non_null(eol);
			assert_non_null(strstr(at, q.cells[i].t->name));
			assert_memory_equal(eol + 1 - strlen(v), v, strlen(v));
		}
		quiz_problem_release(&q);
	}
	free(key);
	/* one topic only */
	snprintf(d, sizeof d, "%s/onlyposenc", tmp);
	struct quiz_export_opts o2 = {d, 3, 3, QUIZ_POSENC, 0};
	assert_int_equal(quiz_export(&o2, &e), ST_OK);
	char *t = tree_text(d, NULL);
	assert_non_null(strstr(t, "p03-posenc/src.tokens.csv"));
	assert_null(strstr(t, "qrow"));
	free(t);
}

static void export_refuses_and_forces(void **state)
{
	(void)state;
	char d[512], p[600];
	snprintf(d, sizeof d, "%s/force", tmp);
	struct err e;
	struct quiz_export_opts o = {d, 3, 1, -1, 0};
	assert_int_equal(quiz_export(&o, &e), ST_OK);
	char *before = tree_text(d, NULL);
	/* again, another seed, no --force: refused, nothing changed */
	o.seed = 2;
	assert_int_equal(quiz_export(&o, &e), ST_IO);
	assert_non_null(strstr(e.msg, "exists; use --force to overwrite"));
	assert_null(strchr(e.msg, '\n'));
	char *same = tree_text(d, NULL);
	assert_string_equal(before, same);
	/* --force: replaced by the new seed's sheet */
	o.force = 1;
	assert_int_equal(quiz_export(&o, &e), ST_OK);
	char *after = tree_text(d, NULL);
	assert_string_not_equal(before, after);
	/* and exactly what a fresh export of seed 2 gives */
	char d2[512];
	snprintf(d2, sizeof d2, "%s/fresh2", tmp);
	struct quiz_export_opts o2 = {d2, 3, 2, -1, 0};
	assert_int_equal(quiz_export(&o2, &e), ST_OK);
	char *fresh = tree_text(d2, NULL);
	assert_string_equal(after, fresh);
	free(before);
	free(same);
	free(after);
	free(fresh);
	/* bad arguments */
	struct quiz_export_opts bad = {d, 0, 1, -1, 0};
	assert_int_equal(quiz_export(&bad, &e), ST_USAGE);
	bad.count = QUIZ_MAX_COUNT + 1;
	assert_int_equal(quiz_export(&bad, &e), ST_USAGE);
	bad.count = 1;
	bad.dir = "";
	assert_int_equal(quiz_export(&bad, &e), ST_USAGE);
	(void)p;
}

/* A failure half way (a problem folder's name is taken by a file) removes
 * every file this export had already written. */
static void export_never_leaves_partial_files(void **state)
{
	(void)state;
	char d[512], p[600];
	snprintf(d, sizeof d, "%s/partial", tmp);
	assert_int_equal(mkdir(d, 0777), 0);
	snprintf(p, sizeof p, "%s/p02-score", d);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs("in the way\n", f);
	fclose(f);
	struct err e;
	struct quiz_export_opts o = {d, 3, 5, -1, 1};
	assert_int_equal(quiz_export(&o, &e), ST_IO);
	assert_non_null(strstr(e.msg, "p02-score"));
	int n;
	char *t = tree_text(d, &n);
	assert_int_equal(n, 1); /* only the file that was there */
	assert_non_null(strstr(t, "== p02-score 11\nin the way\n"));
	free(t);
	/* a folder where a file goes: refused before anything is written */
	snprintf(d, sizeof d, "%s/dirclash", tmp);
	assert_int_equal(mkdir(d, 0777), 0);
	snprintf(p, sizeof p, "%s/answers.csv", d);
	assert_int_equal(mkdir(p, 0777), 0);
	struct quiz_export_opts o2 = {d, 2, 5, -1, 1};
	assert_int_equal(quiz_export(&o2, &e), ST_IO);
	assert_non_null(strstr(e.msg, "answers.csv"));
	t = tree_text(d, &n);
	assert_int_equal(n, 0);
	free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(topic_names),
		cmocka_unit_test(every_topic_matches_the_engine),
		cmocka_unit_test(same_seed_same_problem),
		cmocka_unit_test(parse_values),
		cmocka_unit_test(tolerance),
		cmocka_unit_test(check_answers),
		cmocka_unit_test(export_is_deterministic),
		cmocka_unit_test(export_answers_match_the_problems),
		cmocka_unit_test(export_refuses_and_forces),
		cmocka_unit_test(export_never_leaves_partial_files),
	};
	return cmocka_run_group_tests(tests, setup_tmp, teardown_tmp);
}

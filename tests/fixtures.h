/* The fixture models under tests/ref/fixtures (written by
 * tests/ref/gen_fixtures.py), for the tests that run over every one of them:
 * test_ref, test_grad_ref and test_explain. Header-only because each
 * tests/test_*.c is a binary of its own; include it after <cmocka.h>. The
 * functions are static inline so a test that uses only some of them still
 * builds under -Werror. */
#ifndef SEQSTEP_TESTS_FIXTURES_H
#define SEQSTEP_TESTS_FIXTURES_H

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "engine/model.h"
#include "io/safetensors.h"
#include "base/status.h"

#define FIXTURES "tests/ref/fixtures"

/* Tests compare some printed numbers as strings ("= 1.3801"). That is only
 * safe for a value that no BLAS kernel set can round the other way: OpenBLAS's
 * SSE, AVX2 and AVX-512 kernels differ by a few float ulps (below 2e-7 on
 * these small models), so a value at least 2e-6 (relative, 10x that) from
 * a rounding boundary of the printed place prints the same everywhere. A
 * test that string-compares a computed number first proves this of it. */
static inline void assert_prints_stably(double v, int decimals)
{
	double scaled = fabs(v) * pow(10, decimals);
	double frac = scaled - floor(scaled);
	double margin = 2e-6 * fmax(1.0, fabs(v)) * pow(10, decimals);
	if (fabs(frac - 0.5) < margin)
		fail_msg("%.9g is within %.1g of a rounding boundary at %d decimals: compare it "
			 "numerically, not as printed", v, margin / pow(10, decimals), decimals);
}

static inline int starts_with(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Reads an id vector stored as F32; NULL (with a message) on failure. */
static inline int *fixtures_read_ids(const struct safetensors *s, const char *name, int *n,
				     const char *dir)
{
	const struct st_entry *t = safetensors_get(s, name);
	if (!t || t->count == 0 || t->count > 4096) {
		print_error("%s: expected.safetensors has no usable %s\n", dir, name);
		return NULL;
	}
	float *f = malloc(t->count * sizeof *f);
	int *ids = malloc(t->count * sizeof *ids);
	struct err e = {0};
	if (!f || !ids || safetensors_read_f32(s, t, f, (size_t)t->count, &e) != ST_OK) {
		print_error("%s: %s: %s\n", dir, name, e.msg);
		free(f);
		free(ids);
		return NULL;
	}
	for (size_t i = 0; i < t->count; i++)
		ids[i] = (int)lrintf(f[i]);
	*n = (int)t->count;
	free(f);
	return ids;
}

/* The fixture's model (calloc'd; model_release and free it) and its
 * expected.safetensors in s; any failure fails the test. */
static inline struct model *fixtures_load(const char *dir, struct safetensors *s)
{
	char path[1200];
	struct err e = {0};
	struct model *m = calloc(1, sizeof *m);
	assert_non_null(m);
	if (model_load(m, dir, &e) != ST_OK)
		fail_msg("%s: model_load: %s", dir, e.msg);
	snprintf(path, sizeof path, "%s/expected.safetensors", dir);
	if (safetensors_load(s, path, &e) != ST_OK)
		fail_msg("%s", e.msg);
	return m;
}

static inline int fixtures_cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every fixture directory holding the file marker, as "FIXTURES/NAME",
 * sorted; *out is malloc'd (fixtures_free). */
static inline size_t fixtures_list(const char *marker, char ***out)
{
	DIR *d = opendir(FIXTURES);
	char **names = NULL;
	size_t n = 0, cap = 0;
	*out = NULL;
	if (!d)
		return 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		char p[1024];
		struct stat st;
		snprintf(p, sizeof p, "%s/%s/%s", FIXTURES, de->d_name, marker);
		if (stat(p, &st) != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			char **nn = realloc(names, cap * sizeof *nn);
			if (!nn)
				break;
			names = nn;
		}
		size_t len = strlen(FIXTURES) + 1 + strlen(de->d_name) + 1;
		if (!(names[n] = malloc(len)))
			break;
		snprintf(names[n], len, "%s/%s", FIXTURES, de->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, fixtures_cmp_str);
	*out = names;
	return n;
}

static inline void fixtures_free(char **dirs, size_t n)
{
	for (size_t i = 0; dirs && i < n; i++)
		free(dirs[i]);
	free(dirs);
}

/* The test's name for a fixture directory: NAME of "FIXTURES/NAME". */
static inline const char *fixtures_name(const char *dir)
{
	return dir + strlen(FIXTURES) + 1;
}

static inline void fixtures_none(void **state)
{
	(void)state;
	fail_msg("no fixtures under %s/ (run the tests from the repository root; "
		 "regenerate with /usr/bin/python3 tests/ref/gen_fixtures.py)", FIXTURES);
}

/* Runs test once per fixture with expected.safetensors (the directory as its
 * state), or one failing test when there is none: the whole of a main() that
 * has no other tests. */
static inline int fixtures_run(const char *group, CMUnitTestFunction test)
{
	char **dirs = NULL;
	size_t n = fixtures_list("expected.safetensors", &dirs);
	struct CMUnitTest *tests = calloc(n ? n : 1, sizeof *tests);
	if (!tests) {
		fixtures_free(dirs, n);
		return 1;
	}
	size_t k = 0;
	if (n == 0)
		tests[k++] = (struct CMUnitTest){"fixtures", fixtures_none, NULL, NULL, NULL};
	for (size_t i = 0; i < n; i++)
		tests[k++] = (struct CMUnitTest){fixtures_name(dirs[i]), test, NULL, NULL, dirs[i]};
	int rc = _cmocka_run_group_tests(group, tests, k, NULL, NULL);
	fixtures_free(dirs, n);
	free(tests);
	return rc;
}

#endif

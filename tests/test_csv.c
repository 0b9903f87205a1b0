/* CSV dump/load round trips with quoting and formula-injection prefixes,
 * atomic writes, the .npy writer, and every CSV bad file in tests/data/bad/. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomicfile.h"
#include "io/csvio.h"
#include "io/npy.h"
#include "trace/trace.h"

#include "testdata.h"

/* Number of entries in dir, other than . and .. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	assert_non_null(d);
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(d);
	return n;
}

static char *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	buf[len] = 0;
	if (n)
		*n = (size_t)len;
	return buf;
}

static int exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

static const char *const row_labels[] = {"=cmd", "a,b", "say \"hi\"", "'s", "tab\tx", "-1"};
static const char *const col_labels[] = {"@d0", "plain"};
static const float values[12] = {1.5f,     -0.25f, 1e-8f,  123456789.0f, 3.4028235e38f, 0x1p-149f,
				 0.1f,     -0.0f,  2.0f / 3, 1e10f,        -7.0f,          0.0f};
static const char expected_text[] = "token,'@d0,plain\n"
				    "'=cmd,1.5,-0.25\n"
				    "\"a,b\",9.99999994e-09,123456792\n"
				    "\"say \"\"hi\"\"\",3.40282347e+38,1.40129846e-45\n"
				    "''s,0.100000001,-0\n"
				    "tab\tx,0.666666687,1e+10\n"
				    "'-1,-7,0\n";

static struct tensor *labelled(struct trace *tr)
{
	struct tensor *t = trace_add(tr, "x", 6, 2, values, "test");
	assert_non_null(t);
	tensor_set_rows(t, "token", trace_labels(tr, 6, row_labels));
	tensor_set_cols(t, "dim", trace_labels(tr, 2, col_labels));
	return t;
}

static void test_roundtrip_quoting(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/x.csv", dir);
	struct trace tr;
	trace_init(&tr);
	struct tensor *t = labelled(&tr);
	struct err e = {0};
	assert_int_equal(csv_write_tensor(path, t, 0, &e), ST_OK);
	char *text = read_file(path, NULL);
	assert_string_equal(text, expected_text);
	free(text);
	assert_int_equal(count_entries(dir), 1); /* no temp file left */

	struct csv_matrix m;
	if (csv_read_matrix(path, &m, &e) != ST_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(m.rows, 6);
	assert_int_equal(m.cols, 2);
	assert_string_equal(m.corner, "token");
	for (int r = 0; r < 6; r++)
		assert_string_equal(m.row_labels[r], row_labels[r]);
	for (int c = 0; c < 2; c++)
		assert_string_equal(m.col_labels[c], col_labels[c]);
	assert_memory_equal(m.data, values, sizeof values); /* %.9g is exact for float */
	csv_matrix_release(&m);
	csv_matrix_release(&m); /* harmless twice */
	trace_release(&tr);
	remove_tmpdir(dir);
}

/* A what-if dump: a first comment line the reader skips, and a label that
 * begins with '#' written with the ' prefix so it never reads as one. */
static void test_noted(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/x.csv", dir);
	struct trace tr;
	trace_init(&tr);
	struct tensor *t = labelled(&tr);
	tensor_set_rows(t, "#rows", t->row.labels);
	struct err e = {0};
	assert_int_equal(csv_write_tensor_noted(path, t, "what-if: scale off\nx", 0, &e), ST_OK);
	char *text = read_file(path, NULL);
	assert_true(strncmp(text, "# what-if: scale off?x\n'#rows,'@d0,plain\n", 41) == 0);
	free(text);
	struct csv_matrix m;
	if (csv_read_matrix(path, &m, &e) != ST_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(m.rows, 6);
	assert_string_equal(m.corner, "#rows");
	assert_memory_equal(m.data, values, sizeof values);
	csv_matrix_release(&m);
	trace_release(&tr);
	remove_tmpdir(dir);
}

static void test_fprint(void **state)
{
	(void)state;
	struct trace tr;
	trace_init(&tr);
	struct tensor *t = labelled(&tr);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	assert_non_null(f);
	struct err e = {0};
	assert_int_equal(csv_fprint_tensor(f, t, &e), ST_OK);
	fclose(f);
	assert_string_equal(buf, expected_text);
	free(buf);
	trace_release(&tr);
}

static void test_nonfinite_written(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/scores.csv", dir);
	struct trace tr;
	trace_init(&tr);
	const float v[3] = {-INFINITY, INFINITY, -NAN};
	struct tensor *t = trace_add(&tr, "s", 1, 3, v, NULL); /* no labels: indices */
	struct err e = {0};
	assert_int_equal(csv_write_tensor(path, t, 0, &e), ST_OK);
	char *text = read_file(path, NULL);
	assert_string_equal(text, ",0,1,2\n0,-inf,inf,nan\n");
	free(text);
	/* A model cannot be loaded with -inf in it. */
	struct csv_matrix m;
	assert_int_equal(csv_read_matrix(path, &m, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "scores.csv: row 2, column 2: '-inf' is not a finite number"));
	assert_null(m.data);
	trace_release(&tr);
	remove_tmpdir(dir);
}

static void test_refuse_overwrite(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/x.csv", dir);
	write_file(path, "old\n", 4);
	struct trace tr;
	trace_init(&tr);
	struct tensor *t = labelled(&tr);
	struct err e = {0};
	assert_int_equal(csv_write_tensor(path, t, 0, &e), ST_IO);
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "exists; use --force"));
	char *text = read_file(path, NULL);
	assert_string_equal(text, "old\n");
	free(text);
	assert_int_equal(count_entries(dir), 1);

	assert_int_equal(csv_write_tensor(path, t, 1, &e), ST_OK);
	text = read_file(path, NULL);
	assert_string_equal(text, expected_text);
	free(text);
	assert_int_equal(count_entries(dir), 1);
	trace_release(&tr);
	remove_tmpdir(dir);
}

static void test_atomic(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/out.txt", dir);
	struct atomic_file af;
	struct err e = {0};

	/* Abort: the temp file existed, and nothing is left. */
	assert_int_equal(atomic_open(&af, path, 0, &e), ST_OK);
	fputs("hello\n", af.f);
	assert_int_equal(count_entries(dir), 1);
	assert_false(exists(path));
	assert_true(exists(af.tmp));
	atomic_abort(&af);
	atomic_abort(&af);
	assert_int_equal(count_entries(dir), 0);

	/* Commit. */
	assert_int_equal(atomic_open(&af, path, 0, &e), ST_OK);
	fputs("hello\n", af.f);
	assert_int_equal(atomic_commit(&af, &e), ST_OK);
	atomic_abort(&af); /* harmless after commit */
	char *text = read_file(path, NULL);
	assert_string_equal(text, "hello\n");
	free(text);
	assert_int_equal(count_entries(dir), 1);

	/* Refused at open without force. */
	assert_int_equal(atomic_open(&af, path, 0, &e), ST_IO);
	assert_non_null(strstr(e.msg, "out.txt: exists; use --force to overwrite"));
	assert_null(af.f);

	/* A file that appears between open and commit is not clobbered. */
	char other[4300];
	snprintf(other, sizeof other, "%s/late.txt", dir);
	assert_int_equal(atomic_open(&af, other, 0, &e), ST_OK);
	fputs("mine\n", af.f);
	write_file(other, "theirs\n", 7);
	assert_int_equal(atomic_commit(&af, &e), ST_IO);
	assert_non_null(strstr(e.msg, "exists; use --force"));
	text = read_file(other, NULL);
	assert_string_equal(text, "theirs\n");
	free(text);
	assert_int_equal(count_entries(dir), 2);

	/* With force it replaces. */
	assert_int_equal(atomic_open(&af, path, 1, &e), ST_OK);
	fputs("new\n", af.f);
	assert_int_equal(atomic_commit(&af, &e), ST_OK);
	text = read_file(path, NULL);
	assert_string_equal(text, "new\n");
	free(text);
	assert_int_equal(count_entries(dir), 2);

	/* A folder that does not exist. */
	snprintf(other, sizeof other, "%s/nope/x.txt", dir);
	assert_int_equal(atomic_open(&af, other, 1, &e), ST_IO);
	assert_non_null(strstr(e.msg, other));
	remove_tmpdir(dir);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Parses an .npy file written by npy_write_tensor; returns ndim and fills
 * shape, checking the fixed parts of the header on the way. */
static int check_npy(const char *path, int shape[2], const float *want, size_t count)
{
	size_t n;
	unsigned char *b = (unsigned char *)read_file(path, &n);
	assert_true(n >= 10);
	assert_memory_equal(b, "\x93NUMPY\x01\x00", 8);
	size_t hl = b[8] | (size_t)b[9] << 8;
	assert_int_equal((10 + hl) % 64, 0);
	assert_int_equal(n, 10 + hl + 4 * count);
	char *h = malloc(hl + 1);
	assert_non_null(h);
	memcpy(h, b + 10, hl);
	h[hl] = 0;
	assert_int_equal(h[hl - 1], '\n');
	assert_int_equal(strncmp(h, "{'descr': '<f4', 'fortran_order': False, 'shape': (", 51), 0);
	int ndim = 0;
	const char *s = strstr(h, "'shape': (");
	assert_non_null(s);
	if (sscanf(s, "'shape': (%d, %d)", &shape[0], &shape[1]) == 2)
		ndim = 2;
	else if (sscanf(s, "'shape': (%d,)", &shape[0]) == 1)
		ndim = 1;
	for (size_t i = hl - 1; i > 0 && h[i - 1] != '}'; i--)
		assert_true(h[i - 1] == ' ' || h[i - 1] == ',');
	for (size_t i = 0; i < count; i++) {
		uint32_t u = le32(b + 10 + hl + 4 * i), w;
		memcpy(&w, &want[i], 4);
		assert_int_equal(u, w);
	}
	free(h);
	free(b);
	return ndim;
}

static void test_npy(void **state)
{
	(void)state;
	char dir[4096], path[4200], path1[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/x.npy", dir);
	snprintf(path1, sizeof path1, "%s/v.npy", dir);
	struct trace tr;
	trace_init(&tr);
	struct tensor *t = trace_add(&tr, "x", 6, 2, values, NULL);
	struct err e = {0};
	assert_int_equal(npy_write_tensor(path, t, 0, &e), ST_OK);
	int shape[2];
	assert_int_equal(check_npy(path, shape, values, 12), 2);
	assert_int_equal(shape[0], 6);
	assert_int_equal(shape[1], 2);

	assert_int_equal(npy_write_tensor(path, t, 0, &e), ST_IO);
	assert_non_null(strstr(e.msg, "exists; use --force"));
	assert_int_equal(npy_write_tensor(path, t, 1, &e), ST_OK);

	struct tensor *v = trace_add(&tr, "v", 1, 3, values, NULL);
	v->ndim = 1;
	assert_int_equal(npy_write_tensor(path1, v, 0, &e), ST_OK);
	assert_int_equal(check_npy(path1, shape, values, 3), 1);
	assert_int_equal(shape[0], 3);
	assert_int_equal(count_entries(dir), 2);
	trace_release(&tr);
	remove_tmpdir(dir);
}

static void test_read_variants(void **state)
{
	(void)state;
	char dir[4096], path[4200];
	make_tmpdir(dir, sizeof dir, "csv");
	snprintf(path, sizeof path, "%s/in.csv", dir);
	/* BOM, CRLF, a quoted label across lines, a quoted number, spaces
	 * around numbers, no final newline, blank lines skipped. */
	static const char text[] = "\xEF\xBB\xBF,a,\"b\"\r\n"
				   "\"l1\r\nl2\", 1 ,\"2.5\"\r\n"
				   "\r\n"
				   "'x,-3e-2,+4";
	write_file(path, text, sizeof text - 1);
	struct csv_matrix m;
	struct err e = {0};
	if (csv_read_matrix(path, &m, &e) != ST_OK)
		fail_msg("%s", e.msg);
	assert_int_equal(m.rows, 2);
	assert_int_equal(m.cols, 2);
	assert_string_equal(m.corner, "");
	assert_string_equal(m.col_labels[1], "b");
	assert_string_equal(m.row_labels[0], "l1\r\nl2");
	assert_string_equal(m.row_labels[1], "'x"); /* hand-typed ' kept */
	assert_true(m.data[0] == 1 && m.data[1] == 2.5f && m.data[2] == -3e-2f && m.data[3] == 4);
	csv_matrix_release(&m);

	/* A trailing comma is one more (empty) cell. */
	write_file(path, "c,a\nx,1,\n", 9);
	assert_int_equal(csv_read_matrix(path, &m, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "row 2 has 2 values, expected 1"));
	write_file(path, "c,a\nx,", 6);
	assert_int_equal(csv_read_matrix(path, &m, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "row 2, column 2: empty cell"));

	/* Limits. */
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("c,a\n", f);
	for (int i = 0; i < CSV_MAX_CELLS / 2; i++)
		fputs("x,1\n", f);
	fclose(f);
	assert_int_equal(csv_read_matrix(path, &m, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "more than 1000000 cells"));
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), (off_t)CSV_MAX_BYTES + 1), 0);
	fclose(f);
	assert_int_equal(csv_read_matrix(path, &m, &e), ST_BADINPUT);
	assert_non_null(strstr(e.msg, "64 MB"));

	assert_int_not_equal(csv_read_matrix("/nonexistent/t.csv", &m, &e), ST_OK);
	assert_non_null(strstr(e.msg, "/nonexistent/t.csv"));
	remove_tmpdir(dir);
}

/* The file format is the same whatever LC_NUMERIC the UI has set. */
static void test_locale(void **state)
{
	(void)state;
	const char *locs[] = {"de_DE.UTF-8", "fr_FR.UTF-8", "de_DE.utf8", NULL};
	const char *got = NULL;
	for (int i = 0; locs[i] && !got; i++)
		got = setlocale(LC_NUMERIC, locs[i]);
	if (!got)
		skip();
	struct trace tr;
	trace_init(&tr);
	struct tensor *t = labelled(&tr);
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	struct err e = {0};
	assert_int_equal(csv_fprint_tensor(f, t, &e), ST_OK);
	fclose(f);
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(buf, expected_text);
	free(buf);
	trace_release(&tr);
}

static const char *const bad_files[] = {
	"csv-empty.csv",          "csv-no-rows.csv",      "csv-no-columns.csv",
	"csv-ragged.csv",         "csv-not-number.csv",   "csv-nan.csv",
	"csv-inf.csv",            "csv-out-of-range.csv", "csv-empty-value.csv",
	"csv-invalid-utf8.csv",   "csv-nul.csv",          "csv-unclosed-quote.csv",
	"csv-stray-quote.csv",    "csv-after-quote.csv",
};

static void test_bad_corpus(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof bad_files / sizeof bad_files[0]; i++) {
		char path[4200], sub[1024];
		bad_file(bad_files[i], path, sizeof path, sub, sizeof sub);
		struct csv_matrix m;
		struct err e = {0};
		enum status st = csv_read_matrix(path, &m, &e);
		bad_file_check(bad_files[i], st, e.msg, sub);
		assert_null(m.data);
		assert_null(m.row_labels);
		csv_matrix_release(&m);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_quoting), cmocka_unit_test(test_fprint),
		cmocka_unit_test(test_noted),
		cmocka_unit_test(test_nonfinite_written), cmocka_unit_test(test_refuse_overwrite),
		cmocka_unit_test(test_atomic),            cmocka_unit_test(test_npy),
		cmocka_unit_test(test_read_variants),     cmocka_unit_test(test_locale),
		cmocka_unit_test(test_bad_corpus),
	};
	return cmocka_run_group_tests_name("csv", tests, NULL, NULL);
}

/* csv_read_matrix on arbitrary bytes (tensors/NAME.csv, the --dump format).
 * A matrix that loads must be written back by csv_write_tensor and read
 * again to the same labels and bit-identical values (dump -> edit -> load). */
#include "io/csvio.h"
#include "fuzz_common.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_write("W_q.csv", data, size);
	struct csv_matrix m;
	struct err e = {0};
	enum status st = csv_read_matrix(path, &m, &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(m.data == NULL && m.rows == 0 && m.cols == 0, "not left empty");
		csv_matrix_release(&m);
		return 0;
	}
	FUZZ_CHECK(m.rows >= 1 && m.cols >= 1 && (size_t)m.rows * (size_t)m.cols <= CSV_MAX_CELLS,
		   "shape %d x %d", m.rows, m.cols);
	FUZZ_CHECK(m.corner != NULL, "corner");
	for (int i = 0; i < m.rows * m.cols; i++)
		FUZZ_CHECK(isfinite(m.data[i]), "value %d not finite", i);
	for (int r = 0; r < m.rows; r++)
		FUZZ_CHECK(m.row_labels[r] != NULL, "row label %d", r);
	for (int c = 0; c < m.cols; c++)
		FUZZ_CHECK(m.col_labels[c] != NULL, "col label %d", c);

	/* Write it as --dump does and read it back. */
	struct tensor t = {0};
	t.name = "W_q";
	t.ndim = 2;
	t.rows = m.rows;
	t.cols = m.cols;
	t.data = m.data;
	t.row.title = m.corner;
	t.row.n = m.rows;
	t.row.labels = (const char *const *)m.row_labels;
	t.col.n = m.cols;
	t.col.labels = (const char *const *)m.col_labels;
	const char *out = fuzz_path("rt.csv");
	FUZZ_CHECK(csv_write_tensor(out, &t, 1, &e) == ST_OK, "%s", e.msg);
	struct csv_matrix r;
	st = csv_read_matrix(out, &r, &e);
	FUZZ_CHECK(st == ST_OK, "the written file does not load: %s", e.msg);
	FUZZ_CHECK(r.rows == m.rows && r.cols == m.cols, "round trip shape %dx%d -> %dx%d", m.rows,
		   m.cols, r.rows, r.cols);
	FUZZ_CHECK(!strcmp(r.corner, m.corner), "round trip corner '%s' -> '%s'", m.corner,
		   r.corner);
	for (int i = 0; i < m.rows; i++)
		FUZZ_CHECK(!strcmp(r.row_labels[i], m.row_labels[i]),
			   "round trip row label '%s' -> '%s'", m.row_labels[i], r.row_labels[i]);
	for (int i = 0; i < m.cols; i++)
		FUZZ_CHECK(!strcmp(r.col_labels[i], m.col_labels[i]),
			   "round trip col label '%s' -> '%s'", m.col_labels[i], r.col_labels[i]);
	FUZZ_CHECK(!memcmp(r.data, m.data, (size_t)m.rows * m.cols * sizeof *m.data),
		   "round trip changed values");
	csv_matrix_release(&r);
	csv_matrix_release(&m);
	return 0;
}

/* Tensors as CSV, the --dump format, which also loads back as a weight
 * (dump -> edit by hand or in a spreadsheet -> load).
 *
 * RFC 4180 with "\n" line ends (readers also accept "\r\n"). The file may
 * start with comment lines beginning with '#' (a what-if run's dump names
 * its switches there); readers skip them. The first row is the corner cell
 * (the row-axis title, may be empty) then the column labels; each next row
 * is the row label then the values, printed with "%.9g" (exact for float)
 * in the C locale, non-finite values as "inf", "-inf" and "nan". Text cells
 * that begin with = + - @ # TAB or CR are prefixed with a single quote ' so
 * spreadsheets do not run them as formulas (and a label never reads as a
 * comment); a text cell that already begins with ' gets one too, so the
 * prefix is always undone unambiguously. Cells containing , " CR or LF are quoted with ""
 * doubling. Numbers are never quoted or prefixed. */
#ifndef SEQSTEP_CSVIO_H
#define SEQSTEP_CSVIO_H

#include "base/status.h"
#include "trace/trace.h"

#include <stdio.h>

#define CSV_MAX_CELLS 1000000
#define CSV_MAX_BYTES (64u * 1024u * 1024u)

struct csv_matrix {
	int rows, cols;
	float *data;       /* (rows, cols) row-major */
	char **row_labels; /* (rows) */
	char **col_labels; /* (cols) */
	char *corner;      /* the row-axis title; "" when empty */
};

/* Writes atomically; refuses to overwrite an existing file unless force
 * (ST_IO "<path>: exists; use --force to overwrite"). */
enum status csv_write_tensor(const char *path, const struct tensor *t, int force, struct err *e);
/* Writes the same text to an open FILE (for stdout). */
enum status csv_fprint_tensor(FILE *f, const struct tensor *t, struct err *e);
/* Both with a first comment line "# NOTE" (control characters replaced);
 * NULL or "" writes none. */
enum status csv_write_tensor_noted(const char *path, const struct tensor *t, const char *note,
				   int force, struct err *e);
enum status csv_fprint_tensor_noted(FILE *f, const struct tensor *t, const char *note,
				    struct err *e);
/* One text cell (NULL is empty), prefixed and quoted as above, so other
 * CSV writers (the quiz's answer key) read back the same way. */
void csv_put_text(FILE *f, const char *s);
/* Reads such a file back (at least one row and one column). Ragged rows,
 * non-numbers, NaN/Inf, invalid UTF-8 and the like are ST_BADINPUT naming
 * the file, with row and column numbers as a spreadsheet shows them (the
 * label row is row 1, the label column is column 1). Undoes the ' prefix and
 * quoting on labels; accepts "\r\n" and a UTF-8 byte-order mark. Bounded:
 * at most CSV_MAX_CELLS cells and CSV_MAX_BYTES bytes. */
enum status csv_read_matrix(const char *path, struct csv_matrix *m, struct err *e);
void csv_matrix_release(struct csv_matrix *m);

#endif

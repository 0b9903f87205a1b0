#include "io/csvio.h"
#include "base/atomicfile.h"
#include "base/fileio.h"
#include "base/textwidth.h"

#include <errno.h>
#include <float.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* printf/strtod follow LC_NUMERIC, which the UI may set from the user's
 * environment ("1,5" in some locales); the file format is always "1.5". */
struct c_locale {
	locale_t loc, old;
};

static void c_locale_enter(struct c_locale *c)
{
	c->loc = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	c->old = c->loc ? uselocale(c->loc) : (locale_t)0;
}

static void c_locale_leave(struct c_locale *c)
{
	if (c->loc) {
		uselocale(c->old);
		freelocale(c->loc);
	}
}

/* ---- writing ------------------------------------------------------------ */

static int needs_prefix(const char *s)
{
	return s[0] && strchr("=+-@#\t\r'", s[0]) != NULL;
}

void csv_put_text(FILE *f, const char *s)
{
	if (!s)
		s = "";
	/* A leading U+FEFF is quoted too: at the start of the file a reader would
	 * take it for the byte-order mark and drop it. */
	int quote = strpbrk(s, ",\"\r\n") != NULL || strncmp(s, "\xEF\xBB\xBF", 3) == 0;
	if (quote)
		fputc('"', f);
	if (needs_prefix(s))
		fputc('\'', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	if (quote)
		fputc('"', f);
}

static void put_value(FILE *f, float v)
{
	if (v != v)
		fputs("nan", f); /* never "-nan" */
	else if (v > FLT_MAX)
		fputs("inf", f);
	else if (v < -FLT_MAX)
		fputs("-inf", f);
	else
		fprintf(f, "%.9g", (double)v);
}

enum status csv_fprint_tensor(FILE *f, const struct tensor *t, struct err *e)
{
	return csv_fprint_tensor_noted(f, t, NULL, e);
}

enum status csv_fprint_tensor_noted(FILE *f, const struct tensor *t, const char *note,
				    struct err *e)
{
	size_t count;
	if (t->rows < 0 || t->cols < 0 || !size_mul((size_t)t->rows, (size_t)t->cols, &count) ||
	    (count && !t->data))
		return err_set(e, ST_USAGE, "tensor '%s' has no valid data",
			       t->name ? t->name : "?");
	if (note && note[0]) {
		fputs("# ", f);
		for (const unsigned char *p = (const unsigned char *)note; *p; p++)
			fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, f);
		fputc('\n', f);
	}
	struct c_locale loc;
	c_locale_enter(&loc);
	char buf[32];
	csv_put_text(f, t->row.title);
	for (int c = 0; c < t->cols; c++) {
		fputc(',', f);
		csv_put_text(f, axis_label(&t->col, c, buf, sizeof buf));
	}
	fputc('\n', f);
	for (int r = 0; r < t->rows; r++) {
		csv_put_text(f, axis_label(&t->row, r, buf, sizeof buf));
		for (int c = 0; c < t->cols; c++) {
			fputc(',', f);
			put_value(f, tensor_at(t, r, c));
		}
		fputc('\n', f);
	}
	c_locale_leave(&loc);
	if (fflush(f) != 0 || ferror(f))
		return err_set(e, ST_IO, "cannot write tensor '%s': %s", t->name ? t->name : "?",
			       strerror(errno ? errno : EIO));
	return ST_OK;
}

enum status csv_write_tensor(const char *path, const struct tensor *t, int force, struct err *e)
{
	return csv_write_tensor_noted(path, t, NULL, force, e);
}

enum status csv_write_tensor_noted(const char *path, const struct tensor *t, const char *note,
				   int force, struct err *e)
{
	struct atomic_file af;
	enum status st = atomic_open(&af, path, force, e);
	if (st != ST_OK)
		return st;
	st = csv_fprint_tensor_noted(af.f, t, note, e);
	if (st != ST_OK) {
		atomic_abort(&af);
		return err_prefix(e, "%s", path);
	}
	return atomic_commit(&af, e);
}

/* ---- reading ------------------------------------------------------------ */

static enum status read_limited(const char *path, char **out, size_t *len, struct err *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, errno == ENOENT ? ST_BADINPUT : ST_IO, "%s: cannot open: %s",
			       path, strerror(errno));
	struct stat st;
	int err = 0;
	enum file_read r = FILE_READ_TOO_LARGE;
	/* a regular file's size tells at once, without reading 64 MB */
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
	    (uintmax_t)st.st_size <= CSV_MAX_BYTES)
		r = file_read_limited(f, CSV_MAX_BYTES, out, len, &err);
	fclose(f);
	if (r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_BADINPUT, "%s: file is larger than the %u MB limit for a CSV "
			       "tensor", path, CSV_MAX_BYTES >> 20);
	if (r == FILE_READ_NOMEM)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_IO, "%s: cannot read: %s", path, strerror(err ? err : EIO));
	return ST_OK;
}

/* Returns the offset of the first invalid byte, or len if valid. Rejects
 * overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_check(const unsigned char *s, size_t len)
{
	size_t i = 0;
	while (i < len) {
		unsigned c = s[i];
		size_t n;
		unsigned min, cp;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1, min = 0x80, cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2, min = 0x800, cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3, min = 0x10000, cp = c & 0x07;
		} else {
			return i;
		}
		if (len - i <= n)
			return i;
		for (size_t k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

struct record {
	size_t first;  /* index of its first cell */
	size_t n;      /* cells */
	int row;       /* 1-based record number, as a spreadsheet numbers rows */
};

struct parser {
	const char *path;
	char **cells;
	size_t ncells, cap_cells;
	struct record *recs;
	size_t nrecs, cap_recs;
};

static int push_cell(struct parser *p, char *s)
{
	if (p->ncells == p->cap_cells) {
		size_t cap = p->cap_cells ? p->cap_cells * 2 : 256;
		if (cap > CSV_MAX_CELLS)
			cap = CSV_MAX_CELLS;
		char **c = realloc(p->cells, cap * sizeof *c);
		if (!c)
			return 0;
		p->cells = c;
		p->cap_cells = cap;
	}
	p->cells[p->ncells++] = s;
	return 1;
}

static int push_record(struct parser *p, size_t first, int row)
{
	if (p->nrecs == p->cap_recs) {
		size_t cap = p->cap_recs ? p->cap_recs * 2 : 64;
		struct record *r = realloc(p->recs, cap * sizeof *r);
		if (!r)
			return 0;
		p->recs = r;
		p->cap_recs = cap;
	}
	p->recs[p->nrecs++] = (struct record){first, p->ncells - first, row};
	return 1;
}

static int at_eol(const char *b, size_t r, size_t len)
{
	return r < len && (b[r] == '\n' || (b[r] == '\r' && r + 1 < len && b[r + 1] == '\n'));
}

static size_t eol_len(const char *b, size_t r)
{
	return b[r] == '\n' ? 1 : 2;
}

/* Splits buf into cells in place (unquoting shrinks, so the write position
 * never passes the read position). Empty lines are skipped but counted, and
 * so are comment lines ('#') before the label row. */
static enum status split(struct parser *p, char *b, size_t len, struct err *e)
{
	size_t r = 0, w = 0;
	int row = 0;
	while (r < len) {
		row++;
		if (at_eol(b, r, len)) {
			r += eol_len(b, r);
			continue;
		}
		if (p->nrecs == 0 && b[r] == '#') {
			while (r < len && !at_eol(b, r, len))
				r++;
			if (r < len)
				r += eol_len(b, r);
			continue;
		}
		size_t first = p->ncells;
		for (int col = 1;; col++) {
			if (p->ncells >= CSV_MAX_CELLS)
				return err_set(e, ST_BADINPUT, "%s: more than %d cells", p->path,
					       CSV_MAX_CELLS);
			char *cell = b + w;
			if (b[r] == '"') {
				r++;
				for (;;) {
					if (r >= len)
						return err_set(e, ST_BADINPUT,
							       "%s: row %d, column %d: quoted cell is "
							       "not closed",
							       p->path, row, col);
					if (b[r] == '"') {
						if (r + 1 < len && b[r + 1] == '"') {
							b[w++] = '"';
							r += 2;
							continue;
						}
						r++;
						break;
					}
					b[w++] = b[r++];
				}
				if (r < len && b[r] != ',' && !at_eol(b, r, len))
					return err_set(e, ST_BADINPUT,
						       "%s: row %d, column %d: unexpected text after "
						       "a closing quote",
						       p->path, row, col);
			} else {
				while (r < len && b[r] != ',' && !at_eol(b, r, len)) {
					if (b[r] == '"')
						return err_set(e, ST_BADINPUT,
							       "%s: row %d, column %d: a quote inside "
							       "an unquoted cell (quote the whole cell "
							       "and double the quote)",
							       p->path, row, col);
					b[w++] = b[r++];
				}
			}
			/* Read the separator before the NUL may overwrite it. */
			int more = r < len && b[r] == ',';
			size_t adv = more ? 1 : r < len ? eol_len(b, r) : 0;
			b[w++] = '\0';
			r += adv;
			if (!push_cell(p, cell))
				return err_set(e, ST_NOMEM, "%s: out of memory", p->path);
			if (!more)
				break;
			if (r >= len) { /* a trailing ',' at the end of the file */
				if (p->ncells >= CSV_MAX_CELLS)
					return err_set(e, ST_BADINPUT, "%s: more than %d cells",
						       p->path, CSV_MAX_CELLS);
				b[w] = '\0'; /* w <= r == len */
				if (!push_cell(p, b + w))
					return err_set(e, ST_NOMEM, "%s: out of memory", p->path);
				w++;
				break;
			}
		}
		if (!push_record(p, first, row))
			return err_set(e, ST_NOMEM, "%s: out of memory", p->path);
	}
	return ST_OK;
}

/* Undoes the formula-injection prefix (see csvio.h). */
static char *label_dup(const char *s)
{
	if (s[0] == '\'' && needs_prefix(s + 1))
		s++;
	return strdup(s);
}

static enum status parse_value(const char *path, const char *cell, int row, int col, float *out,
			       struct err *e)
{
	char shown[48];
	const char *s = cell;
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (n == 0)
		return err_set(e, ST_BADINPUT, "%s: row %d, column %d: empty cell, expected a number",
			       path, row, col);
	char num[64];
	if (n >= sizeof num)
		return err_set(e, ST_BADINPUT, "%s: row %d, column %d: '%s' is not a number", path,
			       row, col, text_show(shown, sizeof shown, cell));
	memcpy(num, s, n);
	num[n] = '\0';
	char *end;
	errno = 0;
	double d = strtod(num, &end);
	if (end == num || *end)
		return err_set(e, ST_BADINPUT, "%s: row %d, column %d: '%s' is not a number", path,
			       row, col, text_show(shown, sizeof shown, cell));
	if (d != d || d - d != 0)
		return err_set(e, ST_BADINPUT,
			       "%s: row %d, column %d: '%s' is not a finite number (NaN and "
			       "infinities cannot be loaded)",
			       path, row, col, text_show(shown, sizeof shown, cell));
	/* Values up to half an ulp past FLT_MAX round to it ("%.9g" of FLT_MAX
	 * reads back as such a value); beyond that float has only inf. */
	if (d >= 0x1.ffffffp127 || d <= -0x1.ffffffp127)
		return err_set(e, ST_BADINPUT,
			       "%s: row %d, column %d: '%s' is outside the float range", path, row,
			       col, text_show(shown, sizeof shown, cell));
	*out = d > FLT_MAX ? FLT_MAX : d < -FLT_MAX ? -FLT_MAX : (float)d;
	return ST_OK;
}

static enum status build(struct parser *p, struct csv_matrix *m, struct err *e)
{
	const char *path = p->path;
	if (p->nrecs == 0)
		return err_set(e, ST_BADINPUT, "%s: file is empty (expected a label row, then one "
			       "row per tensor row)", path);
	const struct record *h = &p->recs[0];
	if (h->n < 2)
		return err_set(e, ST_BADINPUT,
			       "%s: row %d has no column labels (expected the corner cell, then "
			       "one label per column)",
			       path, h->row);
	if (p->nrecs < 2)
		return err_set(e, ST_BADINPUT, "%s: has no data rows, only the label row", path);
	/* Both counts are below CSV_MAX_CELLS, so they fit int and their
	 * product fits size_t. */
	m->cols = (int)(h->n - 1);
	m->rows = (int)(p->nrecs - 1);
	m->corner = label_dup(p->cells[h->first]);
	m->col_labels = calloc((size_t)m->cols, sizeof *m->col_labels);
	m->row_labels = calloc((size_t)m->rows, sizeof *m->row_labels);
	m->data = malloc((size_t)m->rows * (size_t)m->cols * sizeof *m->data);
	if (!m->corner || !m->col_labels || !m->row_labels || !m->data)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	for (int c = 0; c < m->cols; c++)
		if (!(m->col_labels[c] = label_dup(p->cells[h->first + 1 + (size_t)c])))
			return err_set(e, ST_NOMEM, "%s: out of memory", path);

	struct c_locale loc;
	c_locale_enter(&loc);
	enum status st = ST_OK;
	for (int r = 0; r < m->rows && st == ST_OK; r++) {
		const struct record *rec = &p->recs[r + 1];
		if (rec->n - 1 != (size_t)m->cols) {
			st = err_set(e, ST_BADINPUT,
				     "%s: row %d has %zu values, expected %d (one per column label)",
				     path, rec->row, rec->n - 1, m->cols);
			break;
		}
		if (!(m->row_labels[r] = label_dup(p->cells[rec->first]))) {
			st = err_set(e, ST_NOMEM, "%s: out of memory", path);
			break;
		}
		for (int c = 0; c < m->cols && st == ST_OK; c++)
			st = parse_value(path, p->cells[rec->first + 1 + (size_t)c], rec->row, c + 2,
					 &m->data[(size_t)r * (size_t)m->cols + (size_t)c], e);
	}
	c_locale_leave(&loc);
	return st;
}

enum status csv_read_matrix(const char *path, struct csv_matrix *m, struct err *e)
{
	memset(m, 0, sizeof *m);
	char *buf = NULL;
	size_t len = 0;
	enum status st = read_limited(path, &buf, &len, e);
	if (st != ST_OK)
		return st;

	char *b = buf;
	if (len >= 3 && memcmp(b, "\xEF\xBB\xBF", 3) == 0) { /* BOM from spreadsheets */
		b += 3;
		len -= 3;
	}
	char *nul = memchr(b, '\0', len);
	size_t bad = utf8_check((const unsigned char *)b, len);
	if (nul || bad < len) {
		size_t at = nul ? (size_t)(nul - b) : bad;
		int line = 1;
		for (size_t i = 0; i < at; i++)
			line += b[i] == '\n';
		st = err_set(e, ST_BADINPUT, "%s: line %d: %s", path, line,
			     nul ? "contains a NUL byte (not a text file?)"
				 : "is not valid UTF-8 (save the file as UTF-8)");
		free(buf);
		return st;
	}

	struct parser p = {.path = path};
	st = split(&p, b, len, e);
	if (st == ST_OK)
		st = build(&p, m, e);
	free(p.cells);
	free(p.recs);
	free(buf);
	if (st != ST_OK)
		csv_matrix_release(m);
	return st;
}

void csv_matrix_release(struct csv_matrix *m)
{
	if (m->row_labels)
		for (int r = 0; r < m->rows; r++)
			free(m->row_labels[r]);
	if (m->col_labels)
		for (int c = 0; c < m->cols; c++)
			free(m->col_labels[c]);
	free(m->row_labels);
	free(m->col_labels);
	free(m->corner);
	free(m->data);
	memset(m, 0, sizeof *m);
}

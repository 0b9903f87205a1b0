/* Token files and single tokens (token.h). */
#include "text/token.h"
#include "base/fileio.h"
#include "text/codepoint.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

const char *const token_specials[4] = {"<pad>", "<unk>", "<bos>", "<eos>"};

enum status token_file_read(const char *path, char **buf, size_t *len, struct err *e)
{
	*buf = NULL;
	*len = 0;
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_BADINPUT, "%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	if (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode)) {
		fclose(f);
		return err_set(e, ST_BADINPUT, "%s: is a directory, not a file", path);
	}
	int err;
	enum file_read r = file_read_limited(f, TOK_MAX_FILE, buf, len, &err);
	fclose(f);
	if (r == FILE_READ_TOO_LARGE)
		return err_set(e, ST_BADINPUT, "%s: file too large (more than %d MiB)", path,
			       TOK_MAX_FILE >> 20);
	if (r == FILE_READ_NOMEM)
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	if (r == FILE_READ_FAILED)
		return err_set(e, ST_IO, "%s: cannot read: %s", path, strerror(err));
	return ST_OK;
}

void token_lines_init(struct token_lines *l, const char *buf, size_t len)
{
	l->buf = buf;
	l->len = len;
	l->pos = len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	l->no = 0;
}

int token_lines_next(struct token_lines *l, size_t *start, size_t *n)
{
	if (l->pos >= l->len)
		return 0;
	size_t s = l->pos;
	const char *nl = memchr(l->buf + s, '\n', l->len - s);
	size_t end = nl ? (size_t)(nl - l->buf) : l->len;
	l->pos = nl ? end + 1 : l->len;
	if (end > s && l->buf[end - 1] == '\r')
		end--;
	l->no++;
	*start = s;
	*n = end - s;
	return 1;
}

enum status token_check(const char *s, size_t n, size_t base, const char *at, struct err *e)
{
	if (n == 0)
		return err_set(e, ST_BADINPUT, "%s is empty", at);
	if (n > TOK_MAX_TOKEN)
		return err_set(e, ST_BADINPUT, "%s is too long (%zu bytes, at most %d)", at, n,
			       TOK_MAX_TOKEN);
	size_t bad = utf8_invalid_at(s, n);
	if (bad < n)
		return err_set(e, ST_BADINPUT, "%s: invalid UTF-8 at byte %zu", at, base + bad);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7F)
			return err_set(e, ST_BADINPUT, "%s: control character 0x%02x at byte %zu",
				       at, c, base + i);
	}
	/* The tokenizers never produce such tokens, so they are typos. */
	if (s[0] == ' ' || s[n - 1] == ' ') {
		char sh[64];
		return err_set(e, ST_BADINPUT, "%s: token \"%s\" has a leading or trailing space",
			       at, utf8_shorten(sh, s, n));
	}
	return ST_OK;
}

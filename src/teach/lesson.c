/* Lessons (lesson.h): reading one, its front matter, sections, steps and
 * checks; answering a check from a trace. Finding lessons on disk is
 * lesson_find.c. */
#include "teach/lesson.h"
#include "base/cmdline.h"
#include "base/strbuf.h"
#include "base/textwidth.h"
#include "teach/quiz.h"
#include "trace/explain.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- small text helpers ---- */

static const char *skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Copies s without leading and trailing blanks into buf. */
static void trim_copy(char *buf, size_t n, const char *s)
{
	s = skip_blank(s);
	size_t len = strlen(s);
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= n)
		len = n - 1;
	memmove(buf, s, len); /* buf may be s itself */
	buf[len] = 0;
}

static int is_blank(const char *s)
{
	return *skip_blank(s) == 0;
}

/* ---- the lesson structure ---- */

static void step_release(struct lesson_step *st)
{
	free(st->prose);
	free(st->why);
	for (int i = 0; i < st->nlines; i++)
		free(st->lines[i].text);
	free(st->lines);
	free(st->check.question);
	free(st->check.text);
	free(st->check.tensor);
	free(st->check.row);
	free(st->check.col);
}

void lesson_release(struct lesson *L)
{
	for (int i = 0; i < L->nsteps; i++)
		step_release(&L->steps[i]);
	free(L->steps);
	for (int i = 0; i < L->nsections; i++)
		free(L->sections[i].title);
	free(L->sections);
	memset(L, 0, sizeof *L);
}

/* ---- parsing ---- */

struct parser {
	struct lesson *L;
	const char *path;
	const struct lesson_commands *cmds;
	struct err *e;
	char **line;   /* into buf */
	int nlines;
	char *buf;
	int sec;       /* current section */
	int first_step_of_sec;
	struct strbuf prose;
	int prose_line; /* first non-blank line of the pending prose, 0 none */
};

static enum status perr(struct parser *p, int lineno, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static enum status perr(struct parser *p, int lineno, const char *fmt, ...)
{
	char msg[400], clean[400];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	/* Messages quote the lesson's own text: no control character from a
	 * shared file may reach the terminal (found by tests/fuzz/fuzz_lesson). */
	text_show(clean, sizeof clean, msg);
	if (lineno > 0)
		return err_set(p->e, ST_BADINPUT, "%s:%d: %s", p->path, lineno, clean);
	return err_set(p->e, ST_BADINPUT, "%s: %s", p->path, clean);
}

static enum status oom(struct parser *p)
{
	return err_set(p->e, ST_NOMEM, "%s: out of memory", p->path);
}

/* Every line: valid UTF-8, no control characters but TAB, bounded. */
static enum status check_line(struct parser *p, int lineno, const char *s)
{
	size_t n = strlen(s);
	if (n > LESSON_MAX_LINE)
		return perr(p, lineno, "line is %zu bytes long (at most %d)", n, LESSON_MAX_LINE);
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return perr(p, lineno, "control character 0x%02x at byte %zu (a lesson is plain text)",
					    c, i + 1);
			i++;
			continue;
		}
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k)
			return perr(p, lineno, "invalid UTF-8 (byte 0x%02x at byte %zu)", c, i + 1);
		if (cp >= 0x80 && cp < 0xa0)
			return perr(p, lineno, "control character U+%04X at byte %zu (a lesson is plain text)",
				    (unsigned)cp, i + 1);
		i += k;
	}
	return ST_OK;
}

static int add_section(struct parser *p, const char *title, int lineno)
{
	struct lesson *L = p->L;
	if (L->nsections >= LESSON_MAX_SECTIONS)
		return -2;
	struct lesson_section *v = realloc(L->sections, (size_t)(L->nsections + 1) * sizeof *v);
	if (!v)
		return -1;
	L->sections = v;
	char *t = strdup(title);
	if (!t)
		return -1;
	v[L->nsections].title = t;
	v[L->nsections].lineno = lineno;
	return L->nsections++;
}

static struct lesson_step *add_step(struct parser *p, enum lesson_step_kind kind, int lineno,
				    enum status *st)
{
	struct lesson *L = p->L;
	if (L->nsteps >= LESSON_MAX_STEPS) {
		*st = perr(p, lineno, "more than %d steps in one lesson", LESSON_MAX_STEPS);
		return NULL;
	}
	struct lesson_step *v = realloc(L->steps, (size_t)(L->nsteps + 1) * sizeof *v);
	if (!v) {
		*st = oom(p);
		return NULL;
	}
	L->steps = v;
	struct lesson_step *s = &v[L->nsteps++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	s->section = p->sec;
	s->lineno = lineno;
	return s;
}

/* The pending prose without leading and trailing blank lines, taken. */
static char *take_prose(struct parser *p)
{
	struct strbuf *b = &p->prose;
	if (b->oom)
		return NULL;
	char *s = strbuf_take(b);
	if (!s)
		return NULL;
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = 0;
	char *start = s;
	for (char *q = s; *q; q++) {
		if (*q == '\n')
			start = q + 1;
		else if (*q != ' ' && *q != '\t')
			break;
	}
	if (start != s)
		memmove(s, start, strlen(start) + 1);
	return s;
}

/* A "Why:" paragraph right after a check belongs to the check. */
static enum status take_why(struct parser *p, char **prose)
{
	struct lesson *L = p->L;
	if (L->nsteps <= p->first_step_of_sec)
		return ST_OK;
	struct lesson_step *last = &L->steps[L->nsteps - 1];
	if (last->kind != LESSON_CHECK || last->why || strncmp(*prose, "Why:", 4) != 0)
		return ST_OK;
	char *para_end = strstr(*prose, "\n\n");
	size_t n = para_end ? (size_t)(para_end - *prose) : strlen(*prose);
	last->why = strndup(*prose, n);
	if (!last->why)
		return oom(p);
	const char *rest = para_end ? para_end : "";
	while (*rest == '\n')
		rest++;
	memmove(*prose, rest, strlen(rest) + 1);
	return ST_OK;
}

/* Ends the pending prose: a check's Why, then a prose step for the rest. */
static enum status flush_section(struct parser *p)
{
	char *prose = take_prose(p);
	if (!prose)
		return oom(p);
	enum status st = take_why(p, &prose);
	if (!st && (prose[0] || (p->L->nsteps == p->first_step_of_sec &&
				 p->L->sections[p->sec].title[0]))) {
		struct lesson_step *s = add_step(p, LESSON_PROSE, p->prose_line ? p->prose_line
										  : p->L->sections[p->sec].lineno,
						 &st);
		if (s) {
			s->prose = prose;
			prose = NULL;
		}
	}
	free(prose);
	p->prose_line = 0;
	return st;
}

static const char *const lesson_commands[] = {"translate", "t",      "target", "load",   "show",
					      "explain",   "goto",   "set",    "step",   "back",
					      "list",      "stages", "models", "help",   "edit",
					      "diff",      "snapshot", "reset", "grad"};

static int allowed_command(const char *name)
{
	for (size_t i = 0; i < sizeof lesson_commands / sizeof *lesson_commands; i++)
		if (strcmp(name, lesson_commands[i]) == 0)
			return 1;
	return 0;
}

static enum status parse_run(struct parser *p, struct lesson_step *s, int from, int to)
{
	for (int i = from; i < to; i++) {
		int lineno = i + 1;
		char t[LESSON_MAX_LINE + 1];
		trim_copy(t, sizeof t, p->line[i]);
		if (!t[0] || t[0] == '#')
			continue;
		if (s->nlines >= LESSON_MAX_BLOCK)
			return perr(p, lineno, "more than %d commands in one seqstep block", LESSON_MAX_BLOCK);
		struct cmdline cl;
		struct err ce;
		if (cmdline_parse(t, &cl, &ce))
			return perr(p, lineno, "%s", ce.msg);
		enum status st = ST_OK;
		for (int k = 0; k < cl.n && !st; k++) {
			const char *name = cl.cmd[k].argv[0];
			char shown[64];
			text_fit(shown, sizeof shown, name, 30);
			int known = p->cmds ? p->cmds->known(p->cmds->arg, name) : allowed_command(name);
			if (!known)
				st = perr(p, lineno,
					  "unknown command '%s' (a seqstep block may use translate, target, load, "
					  "show, explain, goto, set, step, back, list, stages, edit, diff, "
					  "snapshot, reset, grad)",
					  shown);
			else if (!allowed_command(name))
				st = perr(p, lineno,
					  "command '%s' cannot run in a lesson (a seqstep block may use translate, "
					  "target, load, show, explain, goto, set, step, back, list, stages, edit, "
					  "diff, snapshot, reset, grad)",
					  shown);
		}
		cmdline_release(&cl);
		if (st)
			return st;
		struct lesson_line *v = realloc(s->lines, (size_t)(s->nlines + 1) * sizeof *v);
		if (!v)
			return oom(p);
		s->lines = v;
		v[s->nlines].lineno = lineno;
		v[s->nlines].text = strdup(t);
		if (!v[s->nlines].text)
			return oom(p);
		s->nlines++;
	}
	if (s->nlines == 0)
		return perr(p, s->lineno, "empty seqstep block (one explorer command per line)");
	return ST_OK;
}

static int is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
	       c == '.' || c == '-';
}

/* NAME[ROW, COL] or NAME[COL]. */
static enum status parse_cell(struct parser *p, struct lesson_check *c, const char *s, int lineno)
{
	const char *open = strchr(s, '[');
	size_t n = strlen(s);
	if (!open || open == s || n < 3 || s[n - 1] != ']')
		return perr(p, lineno,
			    "answer: expected a trace cell NAME[ROW, COL] or NAME[COL], or text (got '%.60s')", s);
	for (const char *q = s; q < open; q++)
		if (!is_name_char(*q))
			return perr(p, lineno, "answer: '%.*s' is not a trace name", (int)(open - s), s);
	char inner[LESSON_MAX_FIELD];
	snprintf(inner, sizeof inner, "%.*s", (int)(s + n - 1 - open - 1), open + 1);
	char *comma = strrchr(inner, ',');
	char a[LESSON_MAX_FIELD], b[LESSON_MAX_FIELD];
	if (comma) {
		*comma = 0;
		trim_copy(a, sizeof a, inner);
		trim_copy(b, sizeof b, comma + 1);
		if (!a[0] || !b[0])
			return perr(p, lineno, "answer: empty row or column in '%.60s'", s);
	} else {
		a[0] = 0;
		trim_copy(b, sizeof b, inner);
		if (!b[0])
			return perr(p, lineno, "answer: empty column in '%.60s'", s);
	}
	c->tensor = strndup(s, (size_t)(open - s));
	c->row = a[0] ? strdup(a) : NULL;
	c->col = strdup(b);
	if (!c->tensor || !c->col || (a[0] && !c->row))
		return oom(p);
	return ST_OK;
}

static enum status parse_number(struct parser *p, const char *field, const char *v, int lineno,
				double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (!v[0] || *skip_blank(end) || errno || !isfinite(x))
		return perr(p, lineno, "%s: '%.40s' is not a number", field, v);
	*out = x;
	return ST_OK;
}

static enum status parse_check(struct parser *p, struct lesson_step *s, int from, int to)
{
	enum { F_QUESTION, F_ANSWER, F_TEXT, F_EXPECT, F_TOLERANCE, F_N };
	static const char *const names[F_N] = {"question", "answer", "text", "expect", "tolerance"};
	struct strbuf f[F_N] = {{0}};
	int fline[F_N] = {0};
	int cur = -1;
	enum status st = ST_OK;
	for (int i = from; i < to && !st; i++) {
		int lineno = i + 1;
		const char *l = p->line[i];
		if (is_blank(l))
			continue;
		const char *k = skip_blank(l);
		const char *q = k;
		while (*q >= 'a' && *q <= 'z')
			q++;
		int key = -1;
		if (q > k && *q == ':') {
			for (int j = 0; j < F_N; j++)
				if ((size_t)(q - k) == strlen(names[j]) && strncmp(k, names[j], (size_t)(q - k)) == 0)
					key = j;
			if (key < 0 && k == l) {
				st = perr(p, lineno,
					  "unknown check field '%.*s' (question, answer, text, expect, tolerance)",
					  (int)(q - k), k);
				break;
			}
		}
		if (key >= 0) {
			if (fline[key]) {
				st = perr(p, lineno, "check field '%s' given twice", names[key]);
				break;
			}
			fline[key] = lineno;
			cur = key;
			char v[LESSON_MAX_LINE + 1];
			trim_copy(v, sizeof v, q + 1);
			strbuf_puts(&f[key], v);
		} else if (cur >= 0) {
			char v[LESSON_MAX_LINE + 1];
			trim_copy(v, sizeof v, l);
			strbuf_puts(&f[cur], " ");
			strbuf_puts(&f[cur], v);
		} else {
			st = perr(p, lineno, "expected 'question:' in a check block");
		}
		if (!st && cur >= 0 && f[cur].n > LESSON_MAX_FIELD)
			st = perr(p, lineno, "check field '%s' is longer than %d bytes", names[cur],
				  LESSON_MAX_FIELD);
	}
	for (int j = 0; j < F_N && !st; j++)
		if (f[j].oom)
			st = oom(p);
	struct lesson_check *c = &s->check;
	c->tolerance = QUIZ_TOLERANCE;
	if (!st && (!fline[F_QUESTION] || !f[F_QUESTION].n))
		st = perr(p, s->lineno, "check block without a question: line");
	if (!st && (!fline[F_ANSWER] || !f[F_ANSWER].n))
		st = perr(p, s->lineno, "check block without an answer: line");
	if (!st) {
		c->answer_line = fline[F_ANSWER];
		c->question = strbuf_take(&f[F_QUESTION]);
		if (!c->question)
			st = oom(p);
	}
	if (!st && strcmp(f[F_ANSWER].s, "text") == 0) {
		c->is_text = 1;
		if (!fline[F_TEXT] || !f[F_TEXT].n)
			st = perr(p, fline[F_ANSWER], "answer: text needs a text: line with the model answer");
		else if (fline[F_EXPECT] || fline[F_TOLERANCE])
			st = perr(p, fline[fline[F_EXPECT] ? F_EXPECT : F_TOLERANCE],
				  "a text answer has no expect: or tolerance:");
		else if (!(c->text = strbuf_take(&f[F_TEXT])))
			st = oom(p);
	} else if (!st) {
		if (fline[F_TEXT])
			st = perr(p, fline[F_TEXT], "text: only goes with answer: text");
		else
			st = parse_cell(p, c, f[F_ANSWER].s, fline[F_ANSWER]);
		if (!st && fline[F_EXPECT]) {
			c->has_expect = 1;
			c->expect_line = fline[F_EXPECT];
			st = parse_number(p, "expect", f[F_EXPECT].s, fline[F_EXPECT], &c->expect);
		}
		if (!st && fline[F_TOLERANCE]) {
			st = parse_number(p, "tolerance", f[F_TOLERANCE].s, fline[F_TOLERANCE], &c->tolerance);
			if (!st && !(c->tolerance > 0 && c->tolerance <= 1e6))
				st = perr(p, fline[F_TOLERANCE], "tolerance: must be above 0");
		}
	}
	for (int j = 0; j < F_N; j++)
		free(f[j].s);
	return st;
}

static int is_fence(const char *l)
{
	return strncmp(l, "```", 3) == 0;
}

static enum status parse_body(struct parser *p, int from)
{
	enum status st = ST_OK;
	int sec = add_section(p, "", from + 1);
	if (sec < 0)
		return oom(p);
	p->sec = sec;
	p->first_step_of_sec = 0;
	for (int i = from; i < p->nlines && !st; i++) {
		const char *l = p->line[i];
		int lineno = i + 1;
		if (is_fence(l)) {
			char info[64];
			trim_copy(info, sizeof info, l + 3);
			int close = -1;
			for (int j = i + 1; j < p->nlines; j++) {
				char t[8];
				trim_copy(t, sizeof t, p->line[j]);
				if (strcmp(t, "```") == 0) {
					close = j;
					break;
				}
			}
			if (close < 0)
				return perr(p, lineno, "unterminated ```%s block (no closing ``` line)", info);
			int run = strcmp(info, "seqstep") == 0, check = strcmp(info, "check") == 0;
			if (!run && !check) {
				/* Any other fenced block is prose, shown as written. */
				if (!p->prose_line)
					p->prose_line = lineno;
				for (int j = i; j <= close; j++) {
					strbuf_puts(&p->prose, p->line[j]);
					strbuf_puts(&p->prose, "\n");
				}
				i = close;
				continue;
			}
			char *prose = take_prose(p);
			if (!prose)
				return oom(p);
			if ((st = take_why(p, &prose))) {
				free(prose);
				return st;
			}
			struct lesson_step *s = add_step(p, run ? LESSON_RUN : LESSON_CHECK, lineno, &st);
			if (!s) {
				free(prose);
				return st;
			}
			s->prose = prose;
			p->prose_line = 0;
			st = run ? parse_run(p, s, i + 1, close) : parse_check(p, s, i + 1, close);
			i = close;
		} else if (strncmp(l, "## ", 3) == 0) {
			if ((st = flush_section(p)))
				return st;
			char title[LESSON_MAX_FIELD];
			trim_copy(title, sizeof title, l + 3);
			sec = add_section(p, title, lineno);
			if (sec == -2)
				return perr(p, lineno, "more than %d sections", LESSON_MAX_SECTIONS);
			if (sec < 0)
				return oom(p);
			p->sec = sec;
			p->first_step_of_sec = p->L->nsteps;
		} else {
			if (!p->prose_line && !is_blank(l))
				p->prose_line = lineno;
			strbuf_puts(&p->prose, l);
			strbuf_puts(&p->prose, "\n");
		}
		if (p->prose.oom)
			return oom(p);
	}
	if (!st)
		st = flush_section(p);
	return st;
}

static enum status parse_front(struct parser *p, int *body)
{
	char t[16];
	trim_copy(t, sizeof t, p->nlines ? p->line[0] : "");
	if (strcmp(t, "---") != 0)
		return perr(p, 1, "no front matter (a lesson starts with a --- line, then title: and model:)");
	int end = -1;
	for (int i = 1; i < p->nlines && i < 64; i++) {
		trim_copy(t, sizeof t, p->line[i]);
		if (strcmp(t, "---") == 0) {
			end = i;
			break;
		}
		const char *l = p->line[i];
		if (is_blank(l))
			continue;
		const char *colon = strchr(l, ':');
		if (!colon)
			return perr(p, i + 1, "front matter: expected 'key: value'");
		char key[32], val[LESSON_MAX_FIELD];
		snprintf(key, sizeof key, "%.*s", (int)(colon - l < 31 ? colon - l : 31), l);
		trim_copy(key, sizeof key, key);
		trim_copy(val, sizeof val, colon + 1);
		if (strlen(colon + 1) >= sizeof val)
			return perr(p, i + 1, "front matter: %s is too long", key);
		if (strcmp(key, "title") == 0)
			snprintf(p->L->title, sizeof p->L->title, "%s", val);
		else if (strcmp(key, "model") == 0) {
			snprintf(p->L->model, sizeof p->L->model, "%s", val);
			p->L->model_line = i + 1;
		}
		/* Other keys (author, level, ...) are the author's business. */
	}
	if (end < 0)
		return perr(p, 1, "front matter is not closed (a --- line after title: and model:)");
	if (!p->L->title[0])
		return perr(p, end + 1, "front matter has no title:");
	if (!p->L->model[0])
		return perr(p, end + 1, "front matter has no model:");
	*body = end + 1;
	return ST_OK;
}

enum status lesson_parse(struct lesson *L, const char *path, const char *text, size_t len,
			 const struct lesson_commands *cmds, struct err *e)
{
	memset(L, 0, sizeof *L);
	snprintf(L->path, sizeof L->path, "%s", path);
	struct parser p = {.L = L, .path = L->path, .cmds = cmds, .e = e};
	if (len > LESSON_MAX_BYTES) {
		int line = 1;
		for (size_t i = 0; i < LESSON_MAX_BYTES; i++)
			line += text[i] == '\n';
		return perr(&p, line, "lesson is longer than %d bytes", LESSON_MAX_BYTES);
	}
	p.buf = malloc(len + 1);
	if (!p.buf)
		return oom(&p);
	memcpy(p.buf, text, len);
	p.buf[len] = 0;
	char *s = p.buf, *end = p.buf + len;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	enum status st = ST_OK;
	char *nul = memchr(s, 0, (size_t)(end - s));
	if (nul) {
		int line = 1;
		char *bol = s;
		for (char *q = s; q < nul; q++)
			if (*q == '\n') {
				line++;
				bol = q + 1;
			}
		st = perr(&p, line, "control character 0x00 at byte %zu (a lesson is plain text)",
			  (size_t)(nul - bol) + 1);
	}
	/* Lines, with \r\n accepted. */
	int cap = 0;
	for (char *q = s; q < end && !st;) {
		char *nl = memchr(q, '\n', (size_t)(end - q));
		char *stop = nl ? nl : end;
		*stop = 0;
		if (stop > q && stop[-1] == '\r')
			stop[-1] = 0;
		if (p.nlines == cap) {
			cap = cap ? cap * 2 : 256;
			char **v = realloc(p.line, (size_t)cap * sizeof *v);
			if (!v) {
				st = oom(&p);
				break;
			}
			p.line = v;
		}
		p.line[p.nlines++] = q;
		st = check_line(&p, p.nlines, q);
		q = stop + 1;
	}
	int body = 0;
	if (!st)
		st = parse_front(&p, &body);
	if (!st)
		st = parse_body(&p, body);
	if (!st && L->nsteps == 0)
		st = perr(&p, body + 1, "lesson has no text and no steps");
	free(p.prose.s);
	free(p.line);
	free(p.buf);
	if (st) {
		char path_copy[sizeof L->path];
		snprintf(path_copy, sizeof path_copy, "%s", L->path);
		lesson_release(L);
		snprintf(L->path, sizeof L->path, "%s", path_copy);
	}
	return st;
}

enum status lesson_load(struct lesson *L, const char *path, const struct lesson_commands *cmds,
			struct err *e)
{
	memset(L, 0, sizeof *L);
	struct stat sb;
	/* stat first: opening a FIFO would wait for a writer */
	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode))
		return err_set(e, ST_BADINPUT, "%s: not a lesson file (not a regular file)", path);
	FILE *f = fopen(path, "rb");
	if (!f)
		return err_set(e, ST_BADINPUT, "%s: cannot open lesson: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return err_set(e, ST_BADINPUT, "%s: not a lesson file (not a regular file)", path);
	}
	size_t cap = LESSON_MAX_BYTES + 1;
	char *buf = malloc(cap);
	if (!buf) {
		fclose(f);
		return err_set(e, ST_NOMEM, "%s: out of memory", path);
	}
	size_t n = fread(buf, 1, cap, f);
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		return err_set(e, ST_BADINPUT, "%s: cannot read lesson", path);
	}
	enum status st = lesson_parse(L, path, buf, n, cmds, e);
	free(buf);
	return st;
}

/* ---- checks ---- */

enum status lesson_check_eval(const struct lesson *L, const struct lesson_step *st,
			      const struct trace *tr, struct lesson_answer *a, struct err *e)
{
	const struct lesson_check *c = &st->check;
	int line = c->answer_line ? c->answer_line : st->lineno;
	memset(a, 0, sizeof *a);
	if (c->is_text)
		return err_set(e, ST_USAGE, "%s:%d: a text check has no value", L->path, line);
	const struct tensor *t = trace_get(tr, c->tensor);
	if (!t)
		return err_set(e, ST_BADINPUT, "%s:%d: no trace entry named '%.100s' (list shows them all)",
			       L->path, line, c->tensor);
	int r = 0;
	if (c->row) {
		r = axis_find(&t->row, t->rows, c->row);
		if (r < 0)
			return err_set(e, ST_BADINPUT, "%s:%d: %s has no row '%.60s' (rows 0..%d)", L->path, line,
				       t->name, c->row, t->rows - 1);
	} else if (t->rows != 1) {
		return err_set(e, ST_BADINPUT, "%s:%d: %s has %d rows: name one, %s[ROW, COL]", L->path, line,
			       t->name, t->rows, t->name);
	}
	int col = axis_find(&t->col, t->cols, c->col);
	if (col < 0)
		return err_set(e, ST_BADINPUT, "%s:%d: %s has no column '%.60s' (columns 0..%d)", L->path,
			       line, t->name, c->col, t->cols - 1);
	a->t = t;
	snprintf(a->name, sizeof a->name, "%s", t->name);
	a->row = r;
	a->col = col;
	a->value = (double)tensor_at(t, r, col);
	char rl[128], cl[128], rs[128], cs[128];
	text_sanitize(rs, sizeof rs, axis_label(&t->row, r, rl, sizeof rl));
	text_sanitize(cs, sizeof cs, axis_label(&t->col, col, cl, sizeof cl));
	if (t->ndim == 1)
		snprintf(a->cell, sizeof a->cell, "%s[%s]", t->name, cs);
	else
		snprintf(a->cell, sizeof a->cell, "%s[%s, %s]", t->name, rs, cs);
	explain_cell(tr, t, r, col, a->explain, sizeof a->explain);
	return ST_OK;
}

const char *lesson_fmt_value(double v, char *buf, size_t n)
{
	if (isinf(v))
		snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
	else if (isnan(v))
		snprintf(buf, n, "nan");
	else if (v != 0 && fabs(v) < 5e-5)
		snprintf(buf, n, "%.3g", v); /* would print as 0.0000 (a vanishing gradient) */
	else
		snprintf(buf, n, "%.4f", v);
	return buf;
}

/* ---- file text on the screen and in the handout ---- */

const char *lesson_next_line(const char *text, size_t cut, char clean[LESSON_SHOWN_CLEAN])
{
	char line[LESSON_SHOWN_CUT + 1];
	const char *nl = strchr(text, '\n');
	size_t n = nl ? (size_t)(nl - text) : strlen(text);
	if (n > cut)
		n = cut;
	memcpy(line, text, n);
	line[n] = 0;
	text_sanitize(clean, LESSON_SHOWN_CLEAN, line);
	return nl ? nl + 1 : text + strlen(text);
}


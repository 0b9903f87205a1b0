#include "lesson.h"
#include "explain.h"
#include "parse.h"
#include "quiz.h"
#include "textwidth.h"
#include "tui.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* ---- growing strings ---- */

struct sbuf {
	char *s;
	size_t n, cap;
	int oom;
};

static void sb_putn(struct sbuf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *v = realloc(b->s, cap);
		if (!v) {
			b->oom = 1;
			return;
		}
		b->s = v;
		b->cap = cap;
	}
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void sb_puts(struct sbuf *b, const char *s)
{
	sb_putn(b, s, strlen(s));
}

static void sb_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(struct sbuf *b, const char *fmt, ...)
{
	char buf[2048];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n > 0)
		sb_putn(b, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void sb_clear(struct sbuf *b)
{
	b->n = 0;
	if (b->s)
		b->s[0] = 0;
}

/* The text, or a fresh "" (NULL when out of memory). */
static char *sb_take(struct sbuf *b)
{
	char *s = b->s ? b->s : strdup("");
	memset(b, 0, sizeof *b);
	return s;
}

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
	const struct commands *cmds;
	struct err *e;
	char **line;   /* into buf */
	int nlines;
	char *buf;
	int sec;       /* current section */
	int first_step_of_sec;
	struct sbuf prose;
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
	struct sbuf *b = &p->prose;
	if (b->oom)
		return NULL;
	char *s = sb_take(b);
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

static const char *const lesson_commands[] = {"translate", "t",    "target", "load",   "show",
					      "explain",   "goto", "set",    "step",   "back",
					      "list",      "stages", "models", "help"};

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
		struct cmd_line cl;
		struct err ce;
		if (cmd_parse(t, &cl, &ce))
			return perr(p, lineno, "%s", ce.msg);
		enum status st = ST_OK;
		for (int k = 0; k < cl.n && !st; k++) {
			const char *name = cl.cmd[k].argv[0];
			char shown[64];
			text_fit(shown, sizeof shown, name, 30);
			int known = p->cmds ? commands_find(p->cmds, name) != NULL : allowed_command(name);
			if (!known)
				st = perr(p, lineno,
					  "unknown command '%s' (a seqstep block may use translate, target, load, "
					  "show, explain, goto, set, step, back, list, stages)",
					  shown);
			else if (!allowed_command(name))
				st = perr(p, lineno,
					  "command '%s' cannot run in a lesson (a seqstep block may use translate, "
					  "target, load, show, explain, goto, set, step, back, list, stages)",
					  shown);
		}
		cmd_line_release(&cl);
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
	struct sbuf f[F_N] = {{0}};
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
			sb_puts(&f[key], v);
		} else if (cur >= 0) {
			char v[LESSON_MAX_LINE + 1];
			trim_copy(v, sizeof v, l);
			sb_puts(&f[cur], " ");
			sb_puts(&f[cur], v);
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
		c->question = sb_take(&f[F_QUESTION]);
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
		else if (!(c->text = sb_take(&f[F_TEXT])))
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
					sb_puts(&p->prose, p->line[j]);
					sb_puts(&p->prose, "\n");
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
			sb_puts(&p->prose, l);
			sb_puts(&p->prose, "\n");
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
			 const struct commands *cmds, struct err *e)
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

enum status lesson_load(struct lesson *L, const char *path, const struct commands *cmds,
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

/* ---- finding lessons ---- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lesson files of dir (*.md but README.md), sorted. */
static int list_lessons(const char *dir, char ***out)
{
	*out = NULL;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	char **v = NULL;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < 1000) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 4 || strcmp(de->d_name + len - 3, ".md") != 0 ||
		    strcasecmp(de->d_name, "README.md") == 0)
			continue;
		char **nv = realloc(v, (size_t)(n + 1) * sizeof *nv);
		if (!nv)
			break;
		v = nv;
		if ((v[n] = strdup(de->d_name)))
			n++;
	}
	closedir(d);
	if (n)
		qsort(v, (size_t)n, sizeof *v, cmp_str);
	*out = v;
	return n;
}

static void free_list(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "09-self-attention.md" -> 9, or -1. */
static int lesson_number(const char *file)
{
	int n = 0, k = 0;
	for (; file[k] >= '0' && file[k] <= '9' && k < 6; k++)
		n = n * 10 + (file[k] - '0');
	return k > 0 && (file[k] == '-' || file[k] == '_' || file[k] == '.') ? n : -1;
}

static const char *after_number(const char *file)
{
	const char *s = file;
	while (*s >= '0' && *s <= '9')
		s++;
	return s != file && (*s == '-' || *s == '_') ? s + 1 : file;
}

enum status lesson_resolve(const char *arg, char *path, size_t n, struct err *e)
{
	size_t al = strlen(arg);
	if (!al)
		return err_set(e, ST_USAGE, "which lesson? (lessons lists them)");
	if (strchr(arg, '/') || (al > 3 && strcmp(arg + al - 3, ".md") == 0)) {
		struct stat sb;
		if (stat(arg, &sb) != 0)
			return err_set(e, ST_USAGE, "%s: no such lesson file", arg);
		snprintf(path, n, "%s", arg);
		return ST_OK;
	}
	const char *dir = commands_lessons_dir();
	char **v;
	int nv = list_lessons(dir, &v), found = -1, nfound = 0;
	char shown[64];
	text_fit(shown, sizeof shown, arg, 40);
	int num;
	if (parse_int(arg, 0, 99999, &num)) {
		for (int i = 0; i < nv; i++)
			if (lesson_number(v[i]) == num) {
				found = i;
				nfound++;
			}
	} else {
		/* the stem, the stem without its number, or a unique prefix */
		for (int pass = 0; pass < 3 && nfound == 0; pass++)
			for (int i = 0; i < nv; i++) {
				char stem[256];
				snprintf(stem, sizeof stem, "%.*s", (int)(strlen(v[i]) - 3), v[i]);
				const char *bare = after_number(stem);
				int hit = pass == 0   ? strcmp(stem, arg) == 0
					  : pass == 1 ? strcmp(bare, arg) == 0
						      : strncmp(bare, arg, al) == 0 || strncmp(stem, arg, al) == 0;
				if (hit) {
					found = i;
					nfound++;
				}
			}
	}
	enum status st = ST_OK;
	if (nfound == 1)
		snprintf(path, n, "%s/%s", dir, v[found]);
	else if (nfound > 1)
		st = err_set(e, ST_USAGE, "lesson '%s' is ambiguous in %s (lessons lists them)", shown, dir);
	else if (nv == 0)
		st = err_set(e, ST_USAGE, "no lesson '%s': %s has no lessons (set SEQSTEP_LESSONS, or give a path)",
			     shown, dir);
	else
		st = err_set(e, ST_USAGE, "no lesson '%s' in %s (lessons lists them)", shown, dir);
	free_list(v, nv);
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

static const char *fmt_value(double v, char *buf, size_t n)
{
	if (isinf(v))
		snprintf(buf, n, "%s", v < 0 ? "-inf" : "inf");
	else if (isnan(v))
		snprintf(buf, n, "nan");
	else
		snprintf(buf, n, "%.4f", v);
	return buf;
}

/* ---- file text on the screen and in the handout ---- */

/* Text goes out line by line because text_sanitize works on bounded
 * buffers: a line is cut at SHOWN_CUT bytes (the handout's at
 * LESSON_MAX_LINE * 2), and its sanitized form fits SHOWN_CLEAN. */
enum { SHOWN_CUT = LESSON_MAX_LINE * 2 + 7, SHOWN_CLEAN = LESSON_MAX_LINE * 4 + 8 };

/* The first line of text, at most cut (<= SHOWN_CUT) bytes of it, into clean
 * without control characters; returns the text after that line. */
static const char *next_line(const char *text, size_t cut, char clean[SHOWN_CLEAN])
{
	char line[SHOWN_CUT + 1];
	const char *nl = strchr(text, '\n');
	size_t n = nl ? (size_t)(nl - text) : strlen(text);
	if (n > cut)
		n = cut;
	memcpy(line, text, n);
	line[n] = 0;
	text_sanitize(clean, SHOWN_CLEAN, line);
	return nl ? nl + 1 : text + strlen(text);
}

/* ---- the handout ---- */

static void put_sanitized(FILE *f, const char *s)
{
	char clean[SHOWN_CLEAN];
	while (*s) {
		s = next_line(s, LESSON_MAX_LINE * 2, clean);
		fprintf(f, "%s\n", clean);
	}
}

struct view_out {
	FILE *f;
	int width;
};

static void print_view(struct cmd_ctx *c, void *arg)
{
	struct view_out *v = arg;
	if (c->out.len)
		fputs(c->out.text, v->f);
	if (c->out.view == CMD_VIEW_STAGE) {
		tui_text_view(v->f, c->s, v->width);
	} else if (c->out.view == CMD_VIEW_TENSOR) {
		const struct tensor *t = trace_get(&c->s->trace, c->out.tensor);
		if (t)
			tui_text_tensor(v->f, t, v->width);
	}
}

/* A fresh start on the lesson's model: greedy decoding, no forced target. */
static enum status start_model(struct session *s, const struct lesson *L, struct err *e)
{
	struct err le = {0};
	s->opts.beam = 1;
	enum status st = session_load(s, L->model, &le);
	if (st) {
		return err_set(e, ST_BADINPUT, "%s:%d: model '%.200s' does not load: %s", L->path,
			       L->model_line, L->model, le.msg);
	}
	return ST_OK;
}

static enum status run_line(struct session *s, struct commands *cmds, const struct lesson *L,
			    const struct lesson_line *ln, void (*after)(struct cmd_ctx *, void *), void *arg,
			    void *ui, char *note, size_t note_n, struct err *e)
{
	struct cmd_ctx sub = {.s = s, .cmds = cmds, .batch = ui == NULL && after != NULL, .ui = ui};
	struct err ce = {0};
	enum status st = commands_run(cmds, &sub, ln->text, after, arg, &ce);
	if (note && note_n && sub.out.note[0])
		snprintf(note, note_n, "%s", sub.out.note);
	cmd_out_release(&sub.out);
	if (st)
		return err_set(e, st == ST_NOMEM ? ST_NOMEM : ST_BADINPUT, "%s:%d: %s", L->path, ln->lineno,
			       ce.msg);
	return ST_OK;
}

enum status lesson_handout(FILE *f, struct session *s, struct commands *cmds, const struct lesson *L,
			   int width, struct err *e)
{
	char tb[LESSON_MAX_FIELD * 2];
	text_sanitize(tb, sizeof tb, L->title);
	fprintf(f, "Lesson: %s\n", tb);
	text_sanitize(tb, sizeof tb, L->model);
	fprintf(f, "Model:  %s\n", tb);
	enum status st = start_model(s, L, e);
	if (st)
		return st;
	struct view_out vo = {f, width};
	int sec = 0;
	for (int i = 0; i < L->nsteps && !st; i++) {
		const struct lesson_step *p = &L->steps[i];
		if (p->section != sec) {
			sec = p->section;
			text_sanitize(tb, sizeof tb, L->sections[sec].title);
			fprintf(f, "\n## %s\n", tb);
		}
		if (p->prose && p->prose[0]) {
			fputc('\n', f);
			put_sanitized(f, p->prose);
		}
		if (p->kind == LESSON_RUN) {
			for (int k = 0; k < p->nlines && !st; k++) {
				text_sanitize(tb, sizeof tb, p->lines[k].text);
				fprintf(f, "\n$ %s\n", tb);
				st = run_line(s, cmds, L, &p->lines[k], print_view, &vo, NULL, NULL, 0, e);
			}
		} else if (p->kind == LESSON_CHECK) {
			const struct lesson_check *c = &p->check;
			fputs("\nCheck: ", f);
			put_sanitized(f, c->question);
			if (c->is_text) {
				fputs("Answer: ", f);
				put_sanitized(f, c->text);
			} else {
				struct lesson_answer *a = malloc(sizeof *a);
				if (!a)
					return err_set(e, ST_NOMEM, "out of memory");
				char v[64], x[64];
				st = lesson_check_eval(L, p, &s->trace, a, e);
				if (!st) {
					fprintf(f, "Answer: %s = %s", a->cell, fmt_value(a->value, v, sizeof v));
					if (c->has_expect) {
						if (!quiz_value_ok(c->expect, a->value, c->tolerance)) {
							fputc('\n', f);
							st = err_set(e, ST_BADINPUT,
								     "%s:%d: the engine has %s = %s, the lesson expects %s "
								     "(tolerance %g)",
								     L->path, c->expect_line, a->cell,
								     fmt_value(a->value, v, sizeof v),
								     fmt_value(c->expect, x, sizeof x), c->tolerance);
						} else {
							fprintf(f, "   (expected %s ± %g: ok)", fmt_value(c->expect, x, sizeof x),
								c->tolerance);
						}
					}
					if (!st) {
						fprintf(f, "\n\n");
						put_sanitized(f, a->explain);
					}
				}
				free(a);
			}
			if (!st && p->why && p->why[0]) {
				fputc('\n', f);
				put_sanitized(f, p->why);
			}
		}
	}
	fflush(f);
	return st;
}

/* ---- the explorer: lessons and quizzes on the screen ---- */

enum tutor_mode { TUTOR_NONE, TUTOR_LESSON, TUTOR_QUIZ };

struct tutor {
	struct session *s;
	struct commands *cmds;
	void *ui;
	enum tutor_mode mode;
	struct lesson L;
	int step;
	int answered, right;     /* the current check */
	char given[256];         /* what the student typed */
	int have_answer;
	struct lesson_answer ans;
	char err[512];           /* the current step's problem, "" none */
	struct quiz_problem q;
	int have_q;
	struct sbuf prose;
};

static int tutor_step(void *arg, int delta);
static const char *tutor_prose(void *arg);
static void tutor_release(void *arg);

static struct tutor *tutor_of(struct session *s)
{
	return s->hook.step == tutor_step ? s->hook.arg : NULL;
}

static struct tutor *tutor_get(struct cmd_ctx *c, struct err *e)
{
	struct tutor *T = tutor_of(c->s);
	if (!T) {
		T = calloc(1, sizeof *T);
		if (!T) {
			err_set(e, ST_NOMEM, "out of memory");
			return NULL;
		}
		trace_init(&T->q.trace);
		c->s->hook.step = tutor_step;
		c->s->hook.prose = tutor_prose;
		c->s->hook.arg = T;
		c->s->hook.release = tutor_release;
	}
	T->s = c->s;
	T->cmds = c->cmds;
	T->ui = c->ui;
	return T;
}

static void tutor_clear(struct tutor *T)
{
	if (T->mode == TUTOR_LESSON)
		lesson_release(&T->L);
	if (T->have_q)
		quiz_problem_release(&T->q);
	T->have_q = 0;
	T->mode = TUTOR_NONE;
	T->err[0] = 0;
	sb_clear(&T->prose);
}

static void tutor_release(void *arg)
{
	struct tutor *T = arg;
	if (!T)
		return;
	tutor_clear(T);
	free(T->prose.s);
	free(T);
}

/* Ends whatever runs and gives n / p back to the stages. */
static void tutor_end(struct session *s)
{
	struct tutor *T = tutor_of(s);
	if (!T)
		return;
	memset(&s->hook, 0, sizeof s->hook);
	tutor_release(T);
}

static void tutor_message(struct tutor *T, int error, const char *msg)
{
	if (T->ui)
		tui_message(T->ui, error, "%s", msg);
}

static const char *kind_word(enum lesson_step_kind k)
{
	return k == LESSON_RUN ? "commands" : k == LESSON_CHECK ? "check" : "text";
}

static void check_hint(struct sbuf *b, const struct lesson_check *c)
{
	if (c->is_text)
		sb_puts(b, "Think it through, then type :answer to compare with the model answer.\n");
	else
		sb_printf(b, "Type :answer VALUE (right within %g; -inf for a masked cell), or :answer "
			     "alone for the solution.\n",
			  c->tolerance);
}

/* Markdown prose for the screen's narrow pane: the author's hard-wrapped
 * lines joined into paragraphs (tables, indented code, headings and list
 * items stay lines of their own), ** dropped, control characters out. */
static int list_item(const char *l)
{
	if ((l[0] == '-' || l[0] == '*') && l[1] == ' ')
		return 1;
	int i = 0;
	while (l[i] >= '0' && l[i] <= '9')
		i++;
	return i > 0 && l[i] == '.' && l[i + 1] == ' ';
}

static void reflow(struct sbuf *b, const char *text)
{
	struct sbuf par = {0};
	int code = 0;
	char clean[SHOWN_CLEAN];
	while (*text) {
		text = next_line(text, SHOWN_CUT, clean);
		/* drop ** (bold) */
		char *w = clean;
		for (const char *r = clean; *r; r++) {
			if (r[0] == '*' && r[1] == '*' && !code) {
				r++;
				continue;
			}
			*w++ = *r;
		}
		*w = 0;
		size_t lead = strspn(clean, " ");
		const char *body = clean + lead;
		int fence = strncmp(body, "```", 3) == 0;
		int special = code || fence || !*body || lead >= 4 || body[0] == '|' || body[0] == '#' ||
			      (lead == 0 && list_item(body));
		if (special || !par.n) {
			if (par.n) {
				sb_puts(b, par.s);
				sb_puts(b, "\n");
				sb_clear(&par);
			}
			if (fence)
				code = !code;
			if (!*body) {
				if (b->n && (b->n < 2 || strcmp(b->s + b->n - 2, "\n\n") != 0))
					sb_puts(b, "\n");
			} else if (code || fence || lead >= 4 || body[0] == '|' || body[0] == '#') {
				sb_puts(b, clean);
				sb_puts(b, "\n");
			} else {
				sb_puts(&par, clean);
			}
		} else {
			sb_puts(&par, " ");
			sb_puts(&par, body);
		}
	}
	if (par.n) {
		sb_puts(b, par.s);
		sb_puts(b, "\n");
	}
	free(par.s);
}

static void build_prose(struct tutor *T)
{
	struct sbuf *b = &T->prose;
	sb_clear(b);
	char v[64], g[300];
	if (T->mode == TUTOR_QUIZ && T->have_q) {
		const struct quiz_problem *q = &T->q;
		sb_printf(b, "Exam practice: %s (quiz %s --seed %llu)\n", q->title, quiz_topic_name(q->topic),
			  (unsigned long long)q->seed);
		sb_printf(b, "%s\n", q->question);
		if (T->answered)
			sb_printf(b, "Your answer %s is %s. (:answer alone shows the solution again; quiz "
				     "gives a new problem)\n",
				  T->given, T->right ? "RIGHT" : "WRONG");
		else
			sb_printf(b, "Type :answer V%s (2 decimals; -inf for a masked cell), or :answer "
				     "alone for the solution.\n",
				  q->ncells > 1 ? " V ..." : "");
		sb_printf(b, "\n%s\nGiven:", q->setup);
		for (int i = 0; i < q->ngiven; i++)
			sb_printf(b, " %s", q->given[i]);
		sb_puts(b, " (show NAME shows one)\n");
		return;
	}
	if (T->mode != TUTOR_LESSON || T->L.nsteps == 0)
		return;
	const struct lesson *L = &T->L;
	const struct lesson_step *st = &L->steps[T->step];
	char tb[LESSON_MAX_FIELD * 2];
	text_sanitize(tb, sizeof tb, L->title);
	sb_printf(b, "%s · step %d/%d (%s) · n next, p back\n", tb, T->step + 1, L->nsteps,
		  kind_word(st->kind));
	const char *sec = L->sections[st->section].title;
	if (sec[0]) {
		text_sanitize(tb, sizeof tb, sec);
		sb_printf(b, "## %s\n", tb);
	}
	if (T->err[0])
		sb_printf(b, "! %s\n", T->err);
	if (st->kind == LESSON_CHECK) {
		char q[LESSON_MAX_FIELD * 2];
		text_sanitize(q, sizeof q, st->check.question);
		sb_printf(b, "Check: %s\n", q);
		if (T->answered) {
			if (st->check.is_text)
				sb_puts(b, "Compare with the model answer (shown by :answer).\n");
			else if (T->have_answer)
				sb_printf(b, "Your answer %s is %s: %s = %s.\n", T->given,
					  T->right ? "RIGHT" : "WRONG", T->ans.cell, fmt_value(T->ans.value, v, sizeof v));
		} else {
			check_hint(b, &st->check);
		}
		sb_puts(b, "\n");
	}
	if (st->prose && st->prose[0])
		reflow(b, st->prose);
	if (st->kind == LESSON_RUN) {
		sb_puts(b, "\n>");
		for (int i = 0; i < st->nlines; i++) {
			text_sanitize(g, sizeof g, st->lines[i].text);
			sb_printf(b, " %s%s", g, i + 1 < st->nlines ? ";" : "");
		}
		sb_puts(b, "\n");
	}
	if (T->answered && st->kind == LESSON_CHECK && st->why && st->why[0]) {
		sb_puts(b, "\n");
		reflow(b, st->why);
	}
	while (b->n && b->s[b->n - 1] == '\n')
		b->s[--b->n] = 0;
	/* at most one blank line in a row */
	for (char *q; b->s && (q = strstr(b->s, "\n\n\n"));) {
		memmove(q, q + 1, strlen(q + 1) + 1);
		b->n--;
	}
}

static const char *tutor_prose(void *arg)
{
	struct tutor *T = arg;
	return T && T->prose.s ? T->prose.s : NULL;
}

/* Enters step k: runs its commands (after replaying the lesson from its
 * start when going back) and evaluates a check. */
static enum status tutor_goto(struct tutor *T, int k, int replay, char *note, size_t note_n,
			      struct err *e)
{
	const struct lesson *L = &T->L;
	enum status st = ST_OK;
	T->err[0] = 0;
	T->answered = T->right = T->have_answer = 0;
	T->given[0] = 0;
	if (replay) {
		st = start_model(T->s, L, e);
		for (int i = 0; i < k && !st; i++)
			for (int j = 0; L->steps[i].kind == LESSON_RUN && j < L->steps[i].nlines && !st; j++)
				st = run_line(T->s, T->cmds, L, &L->steps[i].lines[j], NULL, NULL, T->ui, NULL, 0, e);
	}
	T->step = k;
	const struct lesson_step *p = &L->steps[k];
	if (!st && p->kind == LESSON_RUN)
		for (int j = 0; j < p->nlines && !st; j++)
			st = run_line(T->s, T->cmds, L, &p->lines[j], NULL, NULL, T->ui, note, note_n, e);
	if (!st && p->kind == LESSON_CHECK && !p->check.is_text) {
		st = lesson_check_eval(L, p, &T->s->trace, &T->ans, e);
		T->have_answer = !st;
	}
	if (st)
		snprintf(T->err, sizeof T->err, "%s", e->msg);
	build_prose(T);
	return st;
}

static int tutor_step(void *arg, int delta)
{
	struct tutor *T = arg;
	if (!T || T->mode != TUTOR_LESSON)
		return 0; /* a quiz leaves n / p to the stages */
	int k = T->step + delta;
	char msg[600];
	if (k < 0) {
		tutor_message(T, 0, "this is the first step of the lesson");
		return 1;
	}
	if (k >= T->L.nsteps) {
		tutor_message(T, 0, "end of the lesson (:lesson stop gives n / p back to the stages)");
		return 1;
	}
	struct err e = {0};
	char note[256] = "";
	if (tutor_goto(T, k, delta < 0, note, sizeof note, &e)) {
		tutor_message(T, 1, e.msg);
		return 1;
	}
	const struct lesson_step *p = &T->L.steps[k];
	snprintf(msg, sizeof msg, "step %d/%d%s%s", k + 1, T->L.nsteps,
		 p->kind == LESSON_CHECK ? ": a check, :answer VALUE" : note[0] ? ": " : "",
		 p->kind == LESSON_CHECK ? "" : note);
	tutor_message(T, 0, msg);
	return 1;
}

/* ---- commands ---- */

static enum status usage(struct cmd_ctx *c, const char *name, struct err *e)
{
	const struct command *cmd = commands_find(c->cmds, name);
	return err_set(e, ST_USAGE, "usage: %s", cmd ? cmd->usage : name);
}

static void print_list(struct cmd_ctx *c)
{
	const char *dir = commands_lessons_dir();
	char **v;
	int n = list_lessons(dir, &v);
	if (!n) {
		cmd_printf(c, "no lessons in %s (set SEQSTEP_LESSONS, or lesson PATH runs a file)\n", dir);
		return;
	}
	cmd_printf(c, "lessons in %s (lesson N or lesson NAME starts one):\n", dir);
	struct tutor *T = tutor_of(c->s);
	for (int i = 0; i < n; i++) {
		char path[PATH_MAX], stem[256], tb[200], mb[200];
		snprintf(path, sizeof path, "%s/%s", dir, v[i]);
		snprintf(stem, sizeof stem, "%.*s", (int)(strlen(v[i]) - 3), v[i]);
		struct lesson L;
		struct err e;
		int cur = T && T->mode == TUTOR_LESSON && strcmp(T->L.path, path) == 0;
		if (lesson_load(&L, path, NULL, &e) == ST_OK) {
			text_fit(tb, sizeof tb, L.title, 44);
			text_fit(mb, sizeof mb, L.model, 40);
			cmd_printf(c, "%c %-30s %-44s  %s\n", cur ? '*' : ' ', stem, tb, mb);
			lesson_release(&L);
		} else {
			text_fit(tb, sizeof tb, e.msg, 90);
			cmd_printf(c, "%c %-30s (cannot read: %s)\n", cur ? '*' : ' ', stem, tb);
		}
	}
	free_list(v, n);
}

static enum status cmd_lessons(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)argv;
	if (argc != 1)
		return usage(c, "lessons", e);
	print_list(c);
	c->out.pager = 1;
	cmd_note(c, "lessons in %s", commands_lessons_dir());
	return ST_OK;
}

static enum status lesson_text(struct cmd_ctx *c, struct tutor *T, struct err *e)
{
	if (!T || T->mode != TUTOR_LESSON)
		return err_set(e, ST_USAGE, "no lesson is running (lesson N starts one)");
	/* The whole step, unclipped, with its Why once answered. */
	cmd_printf(c, "%s", T->prose.s ? T->prose.s : "");
	const struct lesson_step *p = &T->L.steps[T->step];
	if (!T->answered && p->kind == LESSON_CHECK && p->why && p->why[0])
		cmd_printf(c, "\n(The explanation appears after you answer.)\n");
	c->out.pager = 1;
	cmd_note(c, "lesson step %d/%d", T->step + 1, T->L.nsteps);
	return ST_OK;
}

static enum status cmd_lesson(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int width = 100;
	const char *name = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--width") == 0 && i + 1 < argc) {
			if (!parse_int(argv[++i], 40, 1000, &width))
				return err_set(e, ST_USAGE, "--width takes a number 40..1000, not '%.20s'", argv[i]);
		} else if (!name) {
			name = argv[i];
		} else {
			return usage(c, "lesson", e);
		}
	}
	if (!name) {
		print_list(c);
		c->out.pager = 1;
		cmd_note(c, "lessons in %s", commands_lessons_dir());
		return ST_OK;
	}
	struct tutor *T = tutor_of(c->s);
	if (strcmp(name, "stop") == 0 || strcmp(name, "end") == 0) {
		if (!T || T->mode != TUTOR_LESSON)
			return err_set(e, ST_USAGE, "no lesson is running");
		tutor_end(c->s);
		cmd_note(c, "lesson ended: n / p step through the stages again");
		c->out.view = CMD_VIEW_STAGE;
		return ST_OK;
	}
	if (strcmp(name, "text") == 0)
		return lesson_text(c, T, e);
	if (strcmp(name, "next") == 0 || strcmp(name, "prev") == 0 || strcmp(name, "back") == 0) {
		if (!T || T->mode != TUTOR_LESSON)
			return err_set(e, ST_USAGE, "no lesson is running (lesson N starts one)");
		int d = strcmp(name, "next") == 0 ? 1 : -1, k = T->step + d;
		if (k < 0 || k >= T->L.nsteps)
			return err_set(e, ST_USAGE, "%s", k < 0 ? "this is the first step of the lesson"
								: "end of the lesson (lesson stop ends it)");
		char note[256] = "";
		enum status st = tutor_goto(T, k, d < 0, note, sizeof note, e);
		c->out.view = CMD_VIEW_STAGE;
		if (st)
			return st;
		cmd_note(c, "step %d/%d%s", k + 1, T->L.nsteps,
			 T->L.steps[k].kind == LESSON_CHECK ? ": a check, answer VALUE" : "");
		if (c->batch)
			cmd_printf(c, "%s", T->prose.s ? T->prose.s : "");
		return ST_OK;
	}
	char path[PATH_MAX];
	enum status st = lesson_resolve(name, path, sizeof path, e);
	if (st)
		return st;
	struct lesson *L = calloc(1, sizeof *L);
	if (!L)
		return err_set(e, ST_NOMEM, "out of memory");
	if ((st = lesson_load(L, path, c->cmds, e))) {
		free(L);
		return st;
	}
	if (c->batch) {
		/* A handout: straight to stdout, so a failure keeps what came before. */
		fflush(stdout);
		st = lesson_handout(stdout, c->s, c->cmds, L, width, e);
		lesson_release(L);
		free(L);
		return st;
	}
	T = tutor_get(c, e);
	if (!T) {
		lesson_release(L);
		free(L);
		return ST_NOMEM;
	}
	tutor_clear(T);
	T->L = *L;
	free(L);
	T->mode = TUTOR_LESSON;
	char note[256] = "";
	st = tutor_goto(T, 0, 1, note, sizeof note, e);
	c->out.view = CMD_VIEW_STAGE;
	if (st) {
		tutor_end(c->s);
		return st;
	}
	char tb[200];
	text_fit(tb, sizeof tb, T->L.title, 60);
	cmd_note(c, "lesson %s: step 1/%d (n next, p back, :lesson text, :lesson stop)", tb, T->L.nsteps);
	return ST_OK;
}

static uint64_t fresh_seed(void)
{
	static unsigned calls;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 8) ^ ++calls;
	x ^= x >> 29;
	x *= 0xBF58476D1CE4E5B9ULL;
	x ^= x >> 32;
	return x % 100000;
}

static enum status cmd_quiz(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	int topic = -1, have_seed = 0;
	uint64_t seed = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
			const char *a = argv[++i];
			if (!parse_u64(a, QUIZ_MAX_SEED, &seed))
				return err_set(e, ST_USAGE, "--seed takes a whole number 0..%llu, not '%.20s'",
					       (unsigned long long)QUIZ_MAX_SEED, a);
			have_seed = 1;
		} else if (topic < 0 && argv[i][0] != '-') {
			if ((topic = quiz_topic_find(argv[i])) < 0) {
				char shown[64];
				text_fit(shown, sizeof shown, argv[i], 30);
				return err_set(e, ST_USAGE, "no quiz topic '%s' (topics: %s)", shown, quiz_topic_list());
			}
		} else {
			return usage(c, "quiz", e);
		}
	}
	if (!have_seed)
		seed = fresh_seed();
	if (topic < 0)
		topic = (int)(seed % QUIZ_NTOPICS);
	struct quiz_problem *q = calloc(1, sizeof *q);
	if (!q)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = quiz_build(q, (enum quiz_topic)topic, seed, e);
	if (st) {
		free(q);
		return st;
	}
	/* The problem's model in the explorer, so its tensors can be browsed. */
	struct err le = {0};
	st = session_load(c->s, q->dir, &le);
	if (!st && q->sentence[0]) {
		if (!(st = session_set_target(c->s, q->target, &le)))
			st = session_translate(c->s, q->sentence, &le);
	}
	if (!st && q->ngiven)
		st = session_show(c->s, q->given[0], &le);
	quiz_remove_dir(q);
	if (st) {
		quiz_problem_release(q);
		free(q);
		return err_set(e, st, "quiz: %s", le.msg);
	}
	struct tutor *T = tutor_get(c, e);
	if (!T) {
		quiz_problem_release(q);
		free(q);
		return ST_NOMEM;
	}
	tutor_clear(T);
	T->q = *q;
	free(q);
	T->have_q = 1;
	T->mode = TUTOR_QUIZ;
	T->answered = T->right = 0;
	T->given[0] = 0;
	build_prose(T);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (f) {
		quiz_print_problem(f, &T->q, 0, NULL);
		fclose(f);
		cmd_printf(c, "%s", text ? text : "");
		free(text);
	}
	c->out.pager = 1;
	c->out.view = CMD_VIEW_STAGE;
	if (c->batch)
		c->out.view = CMD_VIEW_NONE; /* the problem text is the output */
	cmd_note(c, "quiz %s --seed %llu: answer V%s", quiz_topic_name(T->q.topic), (unsigned long long)seed,
		 T->q.ncells > 1 ? " V ..." : "");
	return ST_OK;
}

/* File text into a command's output, line by line without control characters. */
static void cmd_put_text(struct cmd_ctx *c, const char *text)
{
	char clean[SHOWN_CLEAN];
	while (*text) {
		text = next_line(text, SHOWN_CUT, clean);
		cmd_printf(c, "%s\n", clean);
	}
}

static enum status answer_quiz(struct cmd_ctx *c, struct tutor *T, int argc, char **argv, struct err *e)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		return err_set(e, ST_NOMEM, "out of memory");
	enum status st = ST_OK;
	int right = 0;
	if (argc > 1) {
		char *lines = NULL;
		size_t ll = 0;
		FILE *g = open_memstream(&lines, &ll);
		if (!g) {
			fclose(f);
			free(text);
			return err_set(e, ST_NOMEM, "out of memory");
		}
		st = quiz_check(&T->q, argc - 1, argv + 1, g, &right, e);
		fclose(g);
		if (!st)
			fprintf(f, "%s\n%s", right ? "Right!" : "Not quite.", lines ? lines : "");
		free(lines);
		if (!st) {
			T->answered = 1;
			T->right = right;
			size_t o = 0;
			T->given[0] = 0;
			for (int i = 1; i < argc && o + 1 < sizeof T->given; i++)
				o += (size_t)snprintf(T->given + o, sizeof T->given - o, "%s%s", i > 1 ? " " : "",
						      argv[i]);
			char g[256];
			text_sanitize(g, sizeof g, T->given);
			snprintf(T->given, sizeof T->given, "%s", g);
			fprintf(f, "\nThe worked solution:\n\n");
		}
	} else {
		fprintf(f, "The worked solution:\n\n");
	}
	if (!st)
		quiz_print_solution(f, &T->q);
	fclose(f);
	if (!st) {
		cmd_printf(c, "%s", text ? text : "");
		c->out.pager = 1;
		if (argc > 1)
			cmd_note(c, "%s (quiz gives a new problem)", right ? "right" : "wrong: see the solution");
		else
			cmd_note(c, "the solution (quiz gives a new problem)");
		build_prose(T);
	}
	free(text);
	return st;
}

static enum status answer_lesson(struct cmd_ctx *c, struct tutor *T, int argc, char **argv, struct err *e)
{
	const struct lesson_step *p = &T->L.steps[T->step];
	const struct lesson_check *k = &p->check;
	char v[64];
	if (k->is_text) {
		T->answered = 1;
		cmd_printf(c, "Model answer: ");
		cmd_put_text(c, k->text);
		if (p->why && p->why[0]) {
			cmd_printf(c, "\n");
			cmd_put_text(c, p->why);
		}
		c->out.pager = 1;
		cmd_note(c, "compare your answer with the model answer (n: next step)");
		build_prose(T);
		return ST_OK;
	}
	if (!T->have_answer)
		return err_set(e, ST_BADINPUT, "%s", T->err[0] ? T->err : "this check has no value");
	if (argc > 2)
		return err_set(e, ST_USAGE, "this check wants one number (%s)", T->ans.cell);
	int right = 0;
	if (argc == 2) {
		double given;
		if (!quiz_parse_value(argv[1], &given)) {
			char shown[64];
			text_fit(shown, sizeof shown, argv[1], 20);
			return err_set(e, ST_USAGE, "'%s' is not a number (write -inf for a masked cell)", shown);
		}
		right = quiz_value_ok(given, T->ans.value, k->tolerance);
		T->answered = 1;
		T->right = right;
		text_sanitize(T->given, sizeof T->given, argv[1]);
		cmd_printf(c, "%s  You: %s   engine: %s = %s  (within %g)\n\n", right ? "Right!" : "Not quite.",
			   T->given, T->ans.cell, fmt_value(T->ans.value, v, sizeof v), k->tolerance);
	} else {
		T->answered = 1;
		snprintf(T->given, sizeof T->given, "(none)");
		cmd_printf(c, "The engine: %s = %s\n\n", T->ans.cell, fmt_value(T->ans.value, v, sizeof v));
	}
	cmd_printf(c, "%s\n", T->ans.explain);
	if (p->why && p->why[0]) {
		cmd_printf(c, "\n");
		cmd_put_text(c, p->why);
	}
	/* The cell on the screen, so the detail pane explains it too. */
	struct err se;
	const struct tensor *shown = trace_get(&c->s->trace, T->ans.name);
	if (shown && T->ans.row < shown->rows && T->ans.col < shown->cols &&
	    session_show(c->s, T->ans.name, &se) == ST_OK) {
		session_select(c->s, c->s->panel, T->ans.row, T->ans.col);
		c->out.view = CMD_VIEW_STAGE;
		if (c->batch)
			c->out.view = CMD_VIEW_NONE;
	}
	c->out.pager = 1;
	if (argc == 2)
		cmd_note(c, "%s: %s = %s (n: next step)", right ? "right" : "wrong", T->ans.cell,
			 fmt_value(T->ans.value, v, sizeof v));
	else
		cmd_note(c, "%s = %s (n: next step)", T->ans.cell, fmt_value(T->ans.value, v, sizeof v));
	build_prose(T);
	return ST_OK;
}

static enum status cmd_answer(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	struct tutor *T = tutor_of(c->s);
	if (T && T->mode == TUTOR_QUIZ && T->have_q)
		return answer_quiz(c, T, argc, argv, e);
	if (T && T->mode == TUTOR_LESSON && T->L.steps[T->step].kind == LESSON_CHECK)
		return answer_lesson(c, T, argc, argv, e);
	if (T && T->mode == TUTOR_LESSON)
		return err_set(e, ST_USAGE, "step %d/%d is not a check: n goes on to the next one", T->step + 1,
			       T->L.nsteps);
	return err_set(e, ST_USAGE,
		       "no question is waiting for an answer (a lesson's check: lesson N; exam practice: quiz)");
}

static void complete_quiz(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 1)
		for (int i = 0; i < QUIZ_NTOPICS; i++)
			strlist_add(out, quiz_topic_name((enum quiz_topic)i));
	else
		strlist_add(out, "--seed");
}

static void complete_lesson(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	complete_lessons(c, argi, word, out);
	if (argi == 1) {
		static const char *const sub[] = {"next", "prev", "text", "stop"};
		for (size_t i = 0; i < sizeof sub / sizeof *sub; i++)
			strlist_add(out, sub[i]);
	}
}

static const struct command lesson_cmds[] = {
	{"lessons", NULL, cmd_lessons, "lessons", "list the lessons", NULL},
	{"lesson", NULL, cmd_lesson, "lesson [N|NAME|FILE]",
	 "start a lesson, n / p step (no argument: list); lesson next|prev|text|stop", complete_lesson},
	{"quiz", NULL, cmd_quiz, "quiz [TOPIC] [--seed N]",
	 "exam practice, topics qrow score softmax masked posenc lstm-gate additive wsum", complete_quiz},
	{"answer", "a", cmd_answer, "answer [VALUE ...]",
	 "answer a lesson check or quiz (2 decimals, -inf if masked); alone: the solution", NULL},
};

enum status lesson_register(struct commands *c, struct err *e)
{
	for (size_t i = 0; i < sizeof lesson_cmds / sizeof *lesson_cmds; i++) {
		enum status st = commands_add(c, &lesson_cmds[i], e);
		if (st)
			return st;
	}
	return ST_OK;
}

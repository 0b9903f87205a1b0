/* lesson.c: parsing (front matter, sections, steps, checks, Why
 * paragraphs), malformed lessons (each a one-line error naming the file and
 * the line), name resolution, the handout (views, check values, expect:),
 * every shipped lesson, and the explorer's lesson and quiz commands driven
 * without a screen. Runs from the repository root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "app/handout.h"
#include "app/tutor.h"
#include "app/lab.h"
#include "app/whatif.h"
#include "teach/lesson.h"
#include "app/session.h"

#include "fixtures.h"

static struct commands cmds;
static struct lesson_commands known; /* cmds as the lesson parser sees it */

static int setup(void **state)
{
	(void)state;
	struct err e;
	if (commands_init(&cmds, &e) || tutor_register(&cmds, &e) || whatif_register(&cmds, &e) ||
	    lab_register(&cmds, &e))
		return -1;
	known = handout_commands(&cmds);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	commands_release(&cmds);
	return 0;
}

static enum status parse(struct lesson *L, const char *text, struct err *e)
{
	return lesson_parse(L, "x.md", text, strlen(text), &known, e);
}

/* The text must fail with "x.md:LINE: ..." containing want, on one line. */
static void expect_error_len(const char *text, size_t len, int line, const char *want)
{
	struct lesson L;
	struct err e = {0};
	enum status st = lesson_parse(&L, "x.md", text, len, &known, &e);
	if (st == ST_OK) {
		lesson_release(&L);
		fail_msg("parsed, expected line %d: %s", line, want);
	}
	assert_int_equal(st, ST_BADINPUT);
	char prefix[32];
	snprintf(prefix, sizeof prefix, "x.md:%d: ", line);
	if (strncmp(e.msg, prefix, strlen(prefix)) != 0 || !strstr(e.msg, want) || strchr(e.msg, '\n'))
		fail_msg("want '%s...%s', got '%s'", prefix, want, e.msg);
	assert_int_equal(L.nsteps, 0);
	assert_null(L.steps);
}

static void expect_error(const char *text, int line, const char *want)
{
	expect_error_len(text, strlen(text), line, want);
}

#define FRONT "---\ntitle: T\nmodel: models/qkv-example\n---\n"

/* ---- parsing ---- */

static void parse_structure(void **state)
{
	(void)state;
	const char *text =
		"---\n"                                   /* 1 */
		"title: Self-attention\n"                 /* 2 */
		"model: qkv-example\n"                    /* 3 */
		"author: someone\n"                       /* 4 */
		"---\n"                                   /* 5 */
		"\n"                                      /* 6 */
		"# Heading\n"                             /* 7 */
		"Intro text.\n"                           /* 8 */
		"\n"                                      /* 9 */
		"## First\n"                              /* 10 */
		"Before the block.\n"                     /* 11 */
		"\n"                                      /* 12 */
		"```seqstep\n"                            /* 13 */
		"show self_attn.x\n"                      /* 14 */
		"\n"                                      /* 15 */
		"# a comment\n"                           /* 16 */
		"explain self_attn.q Cat 1; show self_attn.q\n" /* 17 */
		"```\n"                                   /* 18 */
		"\n"                                      /* 19 */
		"```check\n"                              /* 20 */
		"question: What is q for \"Cat\" in\n"    /* 21 */
		"  dimension 1?\n"                        /* 22 */
		"answer: self_attn.q[Cat, 1]\n"           /* 23 */
		"expect: 1.3801\n"                        /* 24 */
		"tolerance: 0.001\n"                      /* 25 */
		"```\n"                                   /* 26 */
		"\n"                                      /* 27 */
		"Why: a dot product\n"                    /* 28 */
		"of two rows.\n"                          /* 29 */
		"\n"                                      /* 30 */
		"More text after the why.\n"              /* 31 */
		"\n"                                      /* 32 */
		"```python\n"                             /* 33 */
		"print('## not a heading')\n"             /* 34 */
		"```\n"                                   /* 35 */
		"## Second\n"                             /* 36 */
		"```check\n"                              /* 37 */
		"question: Why?\n"                        /* 38 */
		"answer: text\n"                          /* 39 */
		"text: Because.\n"                        /* 40 */
		"```\n"                                   /* 41 */
		"Why: it is so.\n"                        /* 42 */
		"```check\n"                              /* 43 */
		"question: A vector\n"                    /* 44 */
		"answer: grad.enc.l0.h[0]\n"              /* 45 */
		"```\n"                                   /* 46 */
		"## Empty\n"                              /* 47 */
		"## Last\n"                               /* 48 */
		"Closing words.\n";                       /* 49 */
	struct lesson L;
	struct err e = {0};
	if (parse(&L, text, &e))
		fail_msg("%s", e.msg);
	assert_string_equal(L.title, "Self-attention");
	assert_string_equal(L.model, "qkv-example");
	assert_int_equal(L.nsections, 5);
	assert_string_equal(L.sections[0].title, "");
	assert_string_equal(L.sections[1].title, "First");
	assert_int_equal(L.sections[1].lineno, 10);
	assert_string_equal(L.sections[2].title, "Second");
	assert_string_equal(L.sections[4].title, "Last");
	/* intro prose, run, check, prose (after the why), check, check, empty
	 * section's heading, last prose */
	assert_int_equal(L.nsteps, 8);
	const struct lesson_step *s = L.steps;
	assert_int_equal(s[0].kind, LESSON_PROSE);
	assert_int_equal(s[0].section, 0);
	assert_string_equal(s[0].prose, "# Heading\nIntro text.");
	assert_int_equal(s[0].lineno, 7);
	assert_int_equal(s[1].kind, LESSON_RUN);
	assert_int_equal(s[1].section, 1);
	assert_int_equal(s[1].lineno, 13);
	assert_string_equal(s[1].prose, "Before the block.");
	assert_int_equal(s[1].nlines, 2);
	assert_string_equal(s[1].lines[0].text, "show self_attn.x");
	assert_int_equal(s[1].lines[0].lineno, 14);
	assert_string_equal(s[1].lines[1].text, "explain self_attn.q Cat 1; show self_attn.q");
	assert_int_equal(s[1].lines[1].lineno, 17);
	assert_int_equal(s[2].kind, LESSON_CHECK);
	assert_string_equal(s[2].prose, "");
	assert_string_equal(s[2].check.question, "What is q for \"Cat\" in dimension 1?");
	assert_false(s[2].check.is_text);
	assert_string_equal(s[2].check.tensor, "self_attn.q");
	assert_string_equal(s[2].check.row, "Cat");
	assert_string_equal(s[2].check.col, "1");
	assert_true(s[2].check.has_expect);
	assert_true(fabs(s[2].check.expect - 1.3801) < 1e-12);
	assert_true(fabs(s[2].check.tolerance - 0.001) < 1e-12);
	assert_int_equal(s[2].check.answer_line, 23);
	assert_string_equal(s[2].why, "Why: a dot product\nof two rows.");
	assert_int_equal(s[3].kind, LESSON_PROSE);
	assert_string_equal(s[3].prose, "More text after the why.\n\n```python\nprint('## not a heading')\n```");
	assert_int_equal(s[4].kind, LESSON_CHECK);
	assert_int_equal(s[4].section, 2);
	assert_true(s[4].check.is_text);
	assert_string_equal(s[4].check.text, "Because.");
	assert_string_equal(s[4].why, "Why: it is so.");
	assert_int_equal(s[5].kind, LESSON_CHECK);
	assert_null(s[5].check.row);
	assert_string_equal(s[5].check.col, "0");
	assert_true(fabs(s[5].check.tolerance - 0.005) < 1e-12); /* the default */
	assert_false(s[5].check.has_expect);
	assert_int_equal(s[6].kind, LESSON_PROSE);
	assert_int_equal(s[6].section, 3);
	assert_string_equal(s[6].prose, "");
	assert_int_equal(s[7].section, 4);
	assert_string_equal(s[7].prose, "Closing words.");
	lesson_release(&L);
}

static void parse_crlf_and_bom(void **state)
{
	(void)state;
	const char *text = "\xEF\xBB\xBF---\r\ntitle: T\r\nmodel: m\r\n---\r\n## S\r\n```seqstep\r\nshow x\r\n```\r\n";
	struct lesson L;
	struct err e = {0};
	if (parse(&L, text, &e))
		fail_msg("%s", e.msg);
	assert_int_equal(L.nsteps, 1);
	assert_string_equal(L.steps[0].lines[0].text, "show x");
	assert_int_equal(L.steps[0].lines[0].lineno, 7);
	lesson_release(&L);
}

static void malformed_lessons(void **state)
{
	(void)state;
	expect_error("", 1, "no front matter");
	expect_error("# Just prose\n", 1, "no front matter");
	expect_error("---\ntitle: T\nmodel: m\n", 1, "front matter is not closed");
	expect_error("---\nmodel: m\n---\ntext\n", 3, "no title:");
	expect_error("---\ntitle: T\n---\ntext\n", 3, "no model:");
	expect_error("---\ntitle T\n---\n", 2, "key: value");
	expect_error(FRONT, 5, "no text and no steps");
	/* unknown command, and a command a lesson may not run */
	expect_error(FRONT "## S\n```seqstep\nshow x\nshwo x\n```\n", 8, "unknown command 'shwo'");
	expect_error(FRONT "```seqstep\nshow a; frobnicate\n```\n", 6, "unknown command 'frobnicate'");
	expect_error(FRONT "```seqstep\ndump '*' /tmp\n```\n", 6, "command 'dump' cannot run in a lesson");
	expect_error(FRONT "```seqstep\nquit\n```\n", 6, "command 'quit' cannot run in a lesson");
	expect_error(FRONT "```seqstep\nlesson 1\n```\n", 6, "command 'lesson' cannot run in a lesson");
	expect_error(FRONT "```seqstep\ntranslate \"open\n```\n", 6, "unterminated double quote");
	expect_error(FRONT "```seqstep\n\n# only a comment\n```\n", 5, "empty seqstep block");
	/* unterminated blocks, any kind */
	expect_error(FRONT "text\n\n```seqstep\nshow x\n", 7, "unterminated ```seqstep block");
	expect_error(FRONT "```check\nquestion: q\n", 5, "unterminated ```check block");
	expect_error(FRONT "```python\nx = 1\n", 5, "unterminated ```python block");
	/* checks */
	expect_error(FRONT "```check\nanswer: a[0]\n```\n", 5, "without a question");
	expect_error(FRONT "```check\nquestion: q\n```\n", 5, "without an answer");
	expect_error(FRONT "```check\nquestion: q\nanswer: text\n```\n", 7, "needs a text:");
	expect_error(FRONT "```check\nquestion: q\nanswer: a[0]\ntext: t\n```\n", 8, "only goes with answer: text");
	expect_error(FRONT "```check\nquestion: q\nanswer: text\ntext: t\nexpect: 1\n```\n", 9,
		     "no expect: or tolerance:");
	expect_error(FRONT "```check\nquestion: q\nanswer: a.b\n```\n", 7, "expected a trace cell");
	expect_error(FRONT "```check\nquestion: q\nanswer: a b[1, 2]\n```\n", 7, "not a trace name");
	expect_error(FRONT "```check\nquestion: q\nanswer: a[, 2]\n```\n", 7, "empty row or column");
	expect_error(FRONT "```check\nquestion: q\nanswer: a[0]\nexpect: many\n```\n", 8, "not a number");
	expect_error(FRONT "```check\nquestion: q\nanswer: a[0]\ntolerance: 0\n```\n", 8, "above 0");
	expect_error(FRONT "```check\nquestion: q\nanswer: a[0]\nhint: h\n```\n", 8, "unknown check field 'hint'");
	expect_error(FRONT "```check\nquestion: q\nquestion: r\nanswer: a[0]\n```\n", 7, "given twice");
	expect_error(FRONT "```check\nnot a field\n```\n", 6, "expected 'question:'");
	/* text that is not plain text */
	expect_error(FRONT "## S\nok\nbad \xff byte\n", 7, "invalid UTF-8");
	expect_error(FRONT "## S\nbad \xe4\xb8 cut\n", 6, "invalid UTF-8");
	expect_error(FRONT "## S\ncolour \x1b[31mred\n", 6, "control character 0x1b");
	expect_error(FRONT "## S\nbell\a\n", 6, "control character 0x07");
	expect_error(FRONT "## S\nC1 \xc2\x9b here\n", 6, "control character U+009B");
	expect_error("---\ntitle: T\x7f\n", 2, "control character 0x7f");
	expect_error_len(FRONT "## S\nnul \0 here\n", strlen(FRONT) + 16, 6, "control character 0x00");
	/* sizes */
	char *longline = malloc(LESSON_MAX_LINE + 200);
	snprintf(longline, LESSON_MAX_LINE + 200, FRONT "## S\n%0*d\n", LESSON_MAX_LINE + 10, 7);
	expect_error(longline, 6, "bytes long");
	free(longline);
	size_t big = LESSON_MAX_BYTES + 1000;
	char *huge = malloc(big + 1);
	memcpy(huge, FRONT, strlen(FRONT));
	for (size_t i = strlen(FRONT); i < big; i++)
		huge[i] = (i % 80 == 79) ? '\n' : 'a';
	huge[big] = 0;
	/* the line where the limit is crossed */
	int line = 1;
	for (size_t i = 0; i < LESSON_MAX_BYTES; i++)
		line += huge[i] == '\n';
	expect_error_len(huge, big, line, "longer than");
	free(huge);
	char *steps = malloc((LESSON_MAX_STEPS + 10) * 40 + 100);
	size_t o = (size_t)sprintf(steps, FRONT);
	for (int i = 0; i < LESSON_MAX_STEPS + 5; i++)
		o += (size_t)sprintf(steps + o, "```seqstep\nshow x\n```\n");
	expect_error(steps, 5 + 3 * LESSON_MAX_STEPS, "more than");
	free(steps);
}

/* Mutated lessons never crash the parser; every failure is one line that
 * names the file and a line. */
static void parser_survives_mutations(void **state)
{
	(void)state;
	const char *base = FRONT "# H\nIntro.\n## A\ntext\n```seqstep\nshow self_attn.x\nexplain self_attn.q 0 1\n```\n"
			   "```check\nquestion: q?\nanswer: self_attn.q[Cat, 1]\nexpect: 1.38\n```\nWhy: w.\n"
			   "## B\n```check\nquestion: t\nanswer: text\ntext: x\n```\n";
	size_t n = strlen(base);
	char *buf = malloc(n + 64);
	uint64_t r = 88172645463325252ULL;
	for (int iter = 0; iter < 4000; iter++) {
		memcpy(buf, base, n);
		size_t len = n;
		int edits = 1 + (int)(r % 4);
		for (int k = 0; k < edits; k++) {
			r ^= r << 13;
			r ^= r >> 7;
			r ^= r << 17;
			if (len < 2)
				break;
			size_t at = (size_t)(r % len);
			switch ((r >> 20) % 4) {
			case 0: buf[at] = (char)(r >> 32); break;                   /* any byte */
			case 1: memmove(buf + at, buf + at + 1, len - at - 1); len--; break; /* delete */
			case 2: buf[at] = "`\n[]:,#-\"'"[(r >> 40) % 10]; break;   /* syntax */
			default: len = at + 1; break;                               /* cut */
			}
		}
		struct lesson L;
		struct err e = {0};
		enum status st = lesson_parse(&L, "x.md", buf, len, &known, &e);
		if (st == ST_OK) {
			assert_true(L.nsteps > 0);
			lesson_release(&L);
		} else {
			assert_int_equal(strncmp(e.msg, "x.md:", 5), 0);
			assert_null(strchr(e.msg, '\n'));
		}
	}
	free(buf);
}

/* ---- finding lessons ---- */

static void resolve_names(void **state)
{
	(void)state;
	char path[1024];
	struct err e;
	assert_int_equal(lesson_resolve("9", path, sizeof path, &e), ST_OK);
	assert_non_null(strstr(path, "/09-self-attention.md"));
	assert_int_equal(lesson_resolve("09", path, sizeof path, &e), ST_OK);
	assert_non_null(strstr(path, "/09-self-attention.md"));
	assert_int_equal(lesson_resolve("09-self-attention", path, sizeof path, &e), ST_OK);
	assert_non_null(strstr(path, "/09-self-attention.md"));
	assert_int_equal(lesson_resolve("self-attention", path, sizeof path, &e), ST_OK);
	assert_non_null(strstr(path, "/09-self-attention.md"));
	assert_int_equal(lesson_resolve("12", path, sizeof path, &e), ST_OK);
	assert_non_null(strstr(path, "/12-decoder-cross-attention.md"));
	assert_int_equal(lesson_resolve("lessons/01-tokens.md", path, sizeof path, &e), ST_OK);
	assert_string_equal(path, "lessons/01-tokens.md");
	assert_int_equal(lesson_resolve("99", path, sizeof path, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "no lesson '99'"));
	assert_int_equal(lesson_resolve("nonsense", path, sizeof path, &e), ST_USAGE);
	assert_int_equal(lesson_resolve("nope/x.md", path, sizeof path, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "no such lesson file"));
	/* "attention" is in several names: a prefix must be unique */
	assert_int_equal(lesson_resolve("m", path, sizeof path, &e), ST_OK); /* multi-head */
	assert_int_equal(lesson_resolve("README", path, sizeof path, &e), ST_USAGE);
}

/* Every shipped lesson parses against the real command table. */
static void shipped_lessons_parse(void **state)
{
	(void)state;
	glob_t g;
	assert_int_equal(glob("lessons/[0-9][0-9]-*.md", 0, NULL, &g), 0);
	assert_int_equal(g.gl_pathc, 12);
	for (size_t i = 0; i < g.gl_pathc; i++) {
		struct lesson L;
		struct err e = {0};
		if (lesson_load(&L, g.gl_pathv[i], &known, &e))
			fail_msg("%s", e.msg);
		int checks = 0, runs = 0;
		for (int k = 0; k < L.nsteps; k++) {
			checks += L.steps[k].kind == LESSON_CHECK;
			runs += L.steps[k].kind == LESSON_RUN;
		}
		assert_true(checks >= 2 && runs >= 2);
		assert_true(L.title[0] && L.model[0]);
		lesson_release(&L);
	}
	globfree(&g);
}

/* ---- the handout ---- */

static char *handout(const char *text, enum status *st, struct err *e)
{
	struct lesson L;
	*st = lesson_parse(&L, "x.md", text, strlen(text), &known, e);
	if (*st)
		return NULL;
	struct session s;
	session_init(&s);
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	*st = handout_print(f, &s, &cmds, &L, 100, e);
	fclose(f);
	session_release(&s);
	lesson_release(&L);
	return out;
}

/* The handout tests below compare q[Cat, 1] and k[Cat, 0] of qkv-example
 * as printed; the engine's values are far enough from a rounding boundary
 * for that to hold under every BLAS kernel set. */
static void qkv_values_print_stably(void **state)
{
	(void)state;
	struct session s;
	struct err e = {0};
	session_init(&s);
	if (session_load(&s, "qkv-example", &e))
		fail_msg("%s", e.msg);
	const struct tensor *q = trace_get(&s.trace, "self_attn.q"), *k = trace_get(&s.trace, "self_attn.k");
	assert_non_null(q);
	assert_non_null(k);
	assert_prints_stably(tensor_at(q, 0, 1), 4);
	assert_prints_stably(tensor_at(k, 0, 0), 4);
	session_release(&s);
}

static void handout_runs_and_checks(void **state)
{
	(void)state;
	const char *text = FRONT "# Q by hand\n\n## Query\nSome prose.\n\n```seqstep\nshow self_attn.q\n"
			   "explain self_attn.q Cat 1\n```\n\n```check\nquestion: q for Cat, dim 1?\n"
			   "answer: self_attn.q[Cat, 1]\nexpect: 1.3801\n```\n\nWhy: the dot product.\n\n"
			   "```check\nquestion: And the key, by index?\nanswer: self_attn.k[0, 0]\nexpect: 1.1623\n"
			   "tolerance: 0.0001\n```\n```check\nquestion: Why?\nanswer: text\ntext: Because.\n```\n";
	enum status st;
	struct err e = {0};
	char *out = handout(text, &st, &e);
	if (st)
		fail_msg("%s", e.msg);
	assert_non_null(strstr(out, "Lesson: T\n"));
	assert_non_null(strstr(out, "# Q by hand\n"));
	assert_non_null(strstr(out, "\n## Query\n\nSome prose.\n"));
	assert_non_null(strstr(out, "$ show self_attn.q\nself_attn.q "));
	assert_non_null(strstr(out, "$ explain self_attn.q Cat 1\n"));
	assert_non_null(strstr(out, "Check: q for Cat, dim 1?\nAnswer: self_attn.q[Cat, 1] = 1.3801"));
	assert_non_null(strstr(out, "(expected 1.3801 ± 0.005: ok)"));
	assert_non_null(strstr(out, "= 0.5400·0.1400 + 1.6010·0.3100"));
	assert_non_null(strstr(out, "Why: the dot product.\n"));
	assert_non_null(strstr(out, "Answer: self_attn.k[Cat, 0] = 1.1623"));
	assert_non_null(strstr(out, "Check: Why?\nAnswer: Because.\n"));
	free(out);
}

static void handout_errors_name_the_line(void **state)
{
	(void)state;
	struct {
		const char *text;
		const char *want;
	} cases[] = {
		/* an unknown tensor in a step: the step's line */
		{FRONT "## S\n```seqstep\nshow self_attn.q\nshow no.such.tensor\n```\n",
		 "x.md:8: no trace entry named 'no.such.tensor'"},
		{FRONT "```seqstep\nexplain self_attn.q Dog 0\n```\n", "x.md:6: self_attn.q has no row 'Dog'"},
		/* an unknown tensor or label in a check: the answer line */
		{FRONT "```check\nquestion: q\nanswer: self_attn.nothing[0, 0]\n```\n",
		 "x.md:7: no trace entry named 'self_attn.nothing'"},
		{FRONT "```check\nquestion: q\nanswer: self_attn.q[Dog, 0]\n```\n", "x.md:7: self_attn.q has no row 'Dog'"},
		{FRONT "```check\nquestion: q\nanswer: self_attn.q[Cat, 9]\n```\n", "x.md:7: self_attn.q has no column '9'"},
		{FRONT "```check\nquestion: q\nanswer: self_attn.q[1]\n```\n", "x.md:7: self_attn.q has 6 rows"},
		/* a wrong expect: */
		{FRONT "```check\nquestion: q\nanswer: self_attn.q[Cat, 1]\nexpect: 1.5\n```\n",
		 "x.md:8: the engine has self_attn.q[Cat, 1] = 1.3801, the lesson expects 1.5000"},
		/* a model that does not load */
		{"---\ntitle: T\nmodel: models/no-such-model\n---\ntext\n", "x.md:3: model 'models/no-such-model' does not load"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		enum status st;
		struct err e = {0};
		char *out = handout(cases[i].text, &st, &e);
		if (st == ST_OK)
			fail_msg("case %zu ran", i);
		assert_int_equal(st, ST_BADINPUT);
		if (!strstr(e.msg, cases[i].want) || strncmp(e.msg, "x.md", 4) || strchr(e.msg, '\n'))
			fail_msg("case %zu: want '%s', got '%s'", i, cases[i].want, e.msg);
		free(out);
	}
}

/* ---- the explorer's commands, without a screen ---- */

static enum status run(struct cmd_ctx *c, const char *line, struct err *e)
{
	return commands_run(&cmds, c, line, NULL, NULL, e);
}

static void lesson_in_the_explorer(void **state)
{
	(void)state;
	struct session s;
	session_init(&s);
	struct cmd_ctx c = {.s = &s, .cmds = &cmds, .batch = 0};
	struct err e = {0};
	/* no argument lists the lessons */
	assert_int_equal(run(&c, "lesson", &e), ST_OK);
	assert_non_null(strstr(c.out.text, "09-self-attention"));
	assert_non_null(strstr(c.out.text, "Self-attention by hand"));
	assert_int_equal(run(&c, "lessons", &e), ST_OK);
	assert_non_null(strstr(c.out.text, "12-decoder-cross-attention"));
	assert_int_equal(run(&c, "answer 1", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "no question is waiting"));
	assert_int_equal(run(&c, "lesson next", &e), ST_USAGE);
	/* start lesson 9: step 1 is its introduction */
	if (run(&c, "lesson 9", &e))
		fail_msg("%s", e.msg);
	assert_non_null(s.hook.step);
	assert_non_null(s.hook.release);
	assert_string_equal(s.model->name, "qkv-example");
	const char *p = s.hook.prose(s.hook.arg);
	assert_non_null(strstr(p, "Self-attention by hand · step 1/"));
	assert_non_null(strstr(p, "In self-attention (自注意力) the queries"));
	/* n: the next step shows its section's prose and runs its commands */
	assert_int_equal(s.hook.step(s.hook.arg, 1), 1);
	p = s.hook.prose(s.hook.arg);
	assert_non_null(strstr(p, "step 2/"));
	assert_non_null(strstr(p, "## The input rows"));
	assert_non_null(strstr(p, "Each row of X is a word embedding"));
	assert_non_null(strstr(p, "> show self_attn.x"));
	assert_string_equal(s.show[0] ? s.show : session_focused(&s)->name, "self_attn.x");
	assert_int_equal(s.hook.step(s.hook.arg, 1), 1);
	p = s.hook.prose(s.hook.arg);
	assert_non_null(strstr(p, "## A query, one product at a time"));
	/* answering now is not possible: this step is not a check */
	assert_int_equal(run(&c, "answer 1.38", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "not a check"));
	assert_int_equal(s.hook.step(s.hook.arg, 1), 1);
	p = s.hook.prose(s.hook.arg);
	assert_non_null(strstr(p, "Check: In the hand-worked example, what is q for \"Cat\" in dimension 1?"));
	assert_non_null(strstr(p, ":answer VALUE"));
	/* right, within 0.005 */
	assert_int_equal(run(&c, "answer 1.38", &e), ST_OK);
	assert_non_null(strstr(c.out.text, "Right!"));
	assert_non_null(strstr(c.out.text, "q[Cat, 1] = x[Cat,0]·W_q[0,1]"));
	assert_non_null(strstr(c.out.text, "Why: 0.54·0.14"));
	assert_non_null(strstr(c.out.note, "right"));
	p = s.hook.prose(s.hook.arg);
	assert_non_null(strstr(p, "Your answer 1.38 is RIGHT"));
	/* the cell is selected on the screen */
	const struct tensor *t = session_focused(&s);
	assert_string_equal(t->name, "self_attn.q");
	assert_int_equal(s.row, 0);
	assert_int_equal(s.col, 1);
	/* wrong */
	assert_int_equal(run(&c, "answer 1.39", &e), ST_OK);
	assert_non_null(strstr(c.out.text, "Not quite."));
	assert_non_null(strstr(c.out.note, "wrong"));
	assert_int_equal(run(&c, "a 1.3851", &e), ST_OK); /* alias; just outside */
	assert_non_null(strstr(c.out.note, "wrong"));
	assert_int_equal(run(&c, "answer x", &e), ST_USAGE);
	assert_int_equal(run(&c, "answer 1 2", &e), ST_USAGE);
	assert_int_equal(run(&c, "answer", &e), ST_OK); /* the solution */
	assert_non_null(strstr(c.out.text, "self_attn.q[Cat, 1] = 1.3801"));
	/* p goes back (replaying from the start), lesson next forward again */
	assert_int_equal(s.hook.step(s.hook.arg, -1), 1);
	assert_non_null(strstr(s.hook.prose(s.hook.arg), "step 3/"));
	assert_int_equal(run(&c, "lesson next", &e), ST_OK);
	assert_non_null(strstr(s.hook.prose(s.hook.arg), "step 4/"));
	assert_int_equal(run(&c, "lesson text", &e), ST_OK);
	assert_int_equal(c.out.pager, 1);
	assert_non_null(strstr(c.out.text, "Check: In the hand-worked example"));
	/* a student's own command between steps does not break the lesson */
	assert_int_equal(run(&c, "show self_attn.k", &e), ST_OK);
	assert_int_equal(run(&c, "answer 1.38", &e), ST_OK);
	assert_non_null(strstr(c.out.text, "Right!"));
	/* the first step cannot go back; stop gives n / p back */
	for (int i = 0; i < 10; i++)
		s.hook.step(s.hook.arg, -1);
	assert_non_null(strstr(s.hook.prose(s.hook.arg), "step 1/"));
	assert_int_equal(run(&c, "lesson stop", &e), ST_OK);
	assert_null(s.hook.step);
	assert_null(s.hook.prose);
	assert_int_equal(run(&c, "lesson stop", &e), ST_USAGE);
	/* a lesson left running is freed with the session */
	assert_int_equal(run(&c, "lesson self-attention", &e), ST_OK);
	assert_int_equal(run(&c, "lesson nowhere", &e), ST_USAGE);
	assert_non_null(s.hook.step); /* the old one still runs */
	cmd_out_release(&c.out);
	session_release(&s);
}

/* Every shipped lesson, stepped through on the "screen" from the first step
 * to the last: no step reports a problem, every check can be answered. */
static void every_lesson_steps_through(void **state)
{
	(void)state;
	for (int n = 1; n <= 12; n++) {
		struct session s;
		session_init(&s);
		struct cmd_ctx c = {.s = &s, .cmds = &cmds, .batch = 0};
		struct err e = {0};
		char line[32];
		snprintf(line, sizeof line, "lesson %d", n);
		if (run(&c, line, &e))
			fail_msg("%s: %s", line, e.msg);
		int steps = 0, checks = 0;
		do {
			const char *p = s.hook.prose(s.hook.arg);
			if (strstr(p, "\n! "))
				fail_msg("lesson %d step %d: %s", n, steps + 1, strstr(p, "\n! ") + 3);
			if (strstr(p, "\nCheck: ")) {
				checks++;
				if (run(&c, "answer", &e))
					fail_msg("lesson %d step %d: answer: %s", n, steps + 1, e.msg);
				assert_true(c.out.len > 0);
			}
			steps++;
		} while (run(&c, "lesson next", &e) == ST_OK);
		assert_non_null(strstr(e.msg, "end of the lesson"));
		assert_true(steps >= 5 && checks >= 2);
		/* back twice (a replay from the start) and forward again */
		assert_int_equal(run(&c, "lesson prev; lesson prev; lesson next", &e), ST_OK);
		assert_null(strstr(s.hook.prose(s.hook.arg), "\n! "));
		cmd_out_release(&c.out);
		session_release(&s);
	}
}

static void quiz_in_the_explorer(void **state)
{
	(void)state;
	struct session s;
	session_init(&s);
	struct cmd_ctx c = {.s = &s, .cmds = &cmds, .batch = 0};
	struct err e = {0};
	assert_int_equal(run(&c, "quiz nonsense", &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "topics: qrow"));
	assert_int_equal(run(&c, "quiz score --seed x", &e), ST_USAGE);
	if (run(&c, "quiz score --seed 12", &e))
		fail_msg("%s", e.msg);
	assert_int_equal(c.out.pager, 1);
	assert_non_null(strstr(c.out.text, "Exam practice: a scaled score (topic score, seed 12)"));
	assert_non_null(strstr(c.out.text, "self_attn.q "));
	assert_non_null(strstr(c.out.text, "Question: Compute the scaled score"));
	/* the problem's model is in the explorer, showing what is given */
	assert_string_equal(s.model->name, "quiz-score");
	assert_string_equal(session_focused(&s)->name, "self_attn.q");
	const char *p = s.hook.prose(s.hook.arg);
	assert_non_null(strstr(p, "Exam practice: a scaled score"));
	/* n / p stay with the stages */
	assert_int_equal(s.hook.step(s.hook.arg, 1), 0);
	/* the answer is the trace's */
	const struct tensor *t = trace_get(&s.trace, "self_attn.scores");
	assert_non_null(t);
	char word[64];
	float v;
	/* the asked cell, from the solution's answer line */
	assert_int_equal(run(&c, "answer", &e), ST_OK);
	const char *ans = strstr(c.out.text, "Answer: self_attn.scores[");
	assert_non_null(ans);
	const char *eq = strstr(ans, " = ");
	assert_non_null(eq);
	v = strtof(eq + 3, NULL);
	snprintf(word, sizeof word, "answer %.2f", v);
	assert_int_equal(run(&c, word, &e), ST_OK);
	assert_non_null(strstr(c.out.text, "Right!"));
	assert_non_null(strstr(c.out.text, "/ √"));
	snprintf(word, sizeof word, "answer %.3f", v + 0.01);
	assert_int_equal(run(&c, word, &e), ST_OK);
	assert_non_null(strstr(c.out.text, "Not quite."));
	assert_int_equal(run(&c, "answer 1 2", &e), ST_USAGE);
	/* a masked row wants -inf for the future */
	assert_int_equal(run(&c, "quiz masked --seed 3", &e), ST_OK);
	assert_int_equal(run(&c, "answer", &e), ST_OK);
	assert_non_null(strstr(c.out.text, "-inf"));
	/* a lesson replaces the quiz */
	assert_int_equal(run(&c, "lesson 9", &e), ST_OK);
	assert_int_equal(run(&c, "answer 1", &e), ST_USAGE);
	/* a quiz without a seed picks one and says which */
	assert_int_equal(run(&c, "quiz", &e), ST_OK);
	assert_non_null(strstr(c.out.note, "--seed"));
	cmd_out_release(&c.out);
	session_release(&s);
}

int main(void)
{
	setenv("SEQSTEP_LESSONS", "lessons", 1);
	setenv("SEQSTEP_MODELS", "models", 1);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_structure),
		cmocka_unit_test(parse_crlf_and_bom),
		cmocka_unit_test(malformed_lessons),
		cmocka_unit_test(parser_survives_mutations),
		cmocka_unit_test(resolve_names),
		cmocka_unit_test(shipped_lessons_parse),
		cmocka_unit_test(qkv_values_print_stably),
		cmocka_unit_test(handout_runs_and_checks),
		cmocka_unit_test(handout_errors_name_the_line),
		cmocka_unit_test(lesson_in_the_explorer),
		cmocka_unit_test(every_lesson_steps_through),
		cmocka_unit_test(quiz_in_the_explorer),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

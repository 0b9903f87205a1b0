/* commands.c and stages.c: parsing (quotes, ';', comments, errors),
 * dispatch through the one table (built-ins and commands added later, as
 * lessons will), the unknown-command message, completion candidates, and
 * the stage lists and walk of the fixture models. Runs from the
 * repository root (the fixture models are in tests/ref/fixtures). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/commands.h"
#include "app/session.h"
#include "session_fixture.h"
#include "engine/stages.h"

#define TF "tests/ref/fixtures/tf-post-relu-h2"
#define LSTM "tests/ref/fixtures/lstm-additive-2l"
#define GRU "tests/ref/fixtures/gru-none-2l"

/* ---- parsing ---- */

static void parse_words_and_separators(void **state)
{
	(void)state;
	struct cmdline l;
	struct err e;
	assert_int_equal(cmdline_parse("  goto  softmax ;show enc.0.q;;  step", &l, &e), ST_OK);
	assert_int_equal(l.n, 3);
	assert_int_equal(l.cmd[0].argc, 2);
	assert_string_equal(l.cmd[0].argv[0], "goto");
	assert_string_equal(l.cmd[0].argv[1], "softmax");
	assert_null(l.cmd[0].argv[2]);
	assert_string_equal(l.cmd[1].argv[1], "enc.0.q");
	assert_int_equal(l.cmd[2].argc, 1);
	assert_string_equal(l.cmd[2].argv[0], "step");
	cmdline_release(&l);
}

static void parse_quotes(void **state)
{
	(void)state;
	struct cmdline l;
	struct err e;
	/* Quotes keep blanks and ';'; "\"" and "\\" escape inside "..." only. */
	assert_int_equal(cmdline_parse("translate \"the cat; sleeps\" 'a \\b' \"q\\\"x\"", &l, &e), ST_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.cmd[0].argc, 4);
	assert_string_equal(l.cmd[0].argv[1], "the cat; sleeps");
	assert_string_equal(l.cmd[0].argv[2], "a \\b");
	assert_string_equal(l.cmd[0].argv[3], "q\"x");
	cmdline_release(&l);
	/* An apostrophe inside a word is a letter: English and French text. */
	assert_int_equal(cmdline_parse("translate don't l'homme", &l, &e), ST_OK);
	assert_int_equal(l.cmd[0].argc, 3);
	assert_string_equal(l.cmd[0].argv[1], "don't");
	assert_string_equal(l.cmd[0].argv[2], "l'homme");
	cmdline_release(&l);
	/* Empty quotes are an (empty) argument. */
	assert_int_equal(cmdline_parse("target \"\"", &l, &e), ST_OK);
	assert_int_equal(l.cmd[0].argc, 2);
	assert_string_equal(l.cmd[0].argv[1], "");
	cmdline_release(&l);
}

static void parse_comments_and_escapes(void **state)
{
	(void)state;
	struct cmdline l;
	struct err e;
	assert_int_equal(cmdline_parse("step # n; p", &l, &e), ST_OK);
	assert_int_equal(l.n, 1);
	assert_int_equal(l.cmd[0].argc, 1);
	cmdline_release(&l);
	assert_int_equal(cmdline_parse("# only a comment", &l, &e), ST_OK);
	assert_int_equal(l.n, 0);
	cmdline_release(&l);
	assert_int_equal(cmdline_parse("show a#b a\\;b", &l, &e), ST_OK);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.cmd[0].argv[1], "a#b");
	assert_string_equal(l.cmd[0].argv[2], "a;b");
	cmdline_release(&l);
	assert_int_equal(cmdline_parse("", &l, &e), ST_OK);
	assert_int_equal(l.n, 0);
	cmdline_release(&l);
}

static void parse_errors(void **state)
{
	(void)state;
	struct cmdline l;
	struct err e;
	assert_int_equal(cmdline_parse("translate \"the cat", &l, &e), ST_USAGE);
	assert_string_equal(e.msg, "unterminated double quote");
	assert_int_equal(l.n, 0);
	assert_int_equal(cmdline_parse("show 'x", &l, &e), ST_USAGE);
	assert_string_equal(e.msg, "unterminated single quote");
}

/* ---- dispatch ---- */

static int setup(void **state)
{
	*state = session_fixture_new(TF);
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	session_fixture_free(*state);
	return 0;
}

static int calls;
static char seen[256];

static enum status cmd_probe(struct cmd_ctx *c, int argc, char **argv, struct err *e)
{
	(void)e;
	calls++;
	seen[0] = 0;
	for (int i = 0; i < argc; i++)
		snprintf(seen + strlen(seen), sizeof seen - strlen(seen), "%s%s", i ? "|" : "", argv[i]);
	cmd_printf(c, "probe %d\n", argc);
	return ST_OK;
}

static void complete_probe(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 1) {
		strlist_add(out, "alpha");
		strlist_add(out, "beta");
		strlist_add(out, "alps");
	}
}

static int afters;
static void after(struct cmd_ctx *c, void *arg)
{
	(void)c;
	(void)arg;
	afters++;
}

static void dispatch_added_command(void **state)
{
	struct session_fixture *f = *state;
	struct err e;
	/* What a lesson does: add a command; it runs, completes and has help. */
	struct command probe = {"probe", "pr", cmd_probe, "probe [X...]", "a test command", complete_probe};
	assert_int_equal(commands_add(&f->c, &probe, &e), ST_OK);
	calls = afters = 0;
	assert_int_equal(commands_run(&f->c, &f->ctx, "probe a 'b c'; pr x", after, NULL, &e), ST_OK);
	assert_int_equal(calls, 2);
	assert_int_equal(afters, 2);
	assert_string_equal(seen, "pr|x");
	assert_string_equal(f->ctx.out.text, "probe 2\n");
	assert_ptr_equal(commands_find(&f->c, "pr"), commands_find(&f->c, "probe"));

	struct strlist l = {0};
	commands_complete(&f->c, &f->ctx, "probe al", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "alpha");
	assert_string_equal(l.v[1], "alps");
	strlist_release(&l);

	assert_int_equal(commands_run(&f->c, &f->ctx, "help probe", NULL, NULL, &e), ST_OK);
	assert_non_null(strstr(f->ctx.out.text, "a test command"));
}

static void complete_probe_value(struct cmd_ctx *c, int argi, const char *word, struct strlist *out)
{
	(void)c;
	(void)word;
	if (argi == 2) {
		strlist_add(out, "on");
		strlist_add(out, "off");
	}
}

static void dispatch_added_setting(void **state)
{
	struct session_fixture *f = *state;
	struct err e;
	/* What a module does: add a key to set; it runs with all its words,
	 * completes, is in help set and in set's error for an unknown key. */
	struct setting probe = {"probe", cmd_probe, "set probe on|off X", "a test setting",
				complete_probe_value};
	assert_int_equal(commands_add_setting(&f->c, &probe, &e), ST_OK);
	calls = 0;
	assert_int_equal(commands_run(&f->c, &f->ctx, "set probe off 3", NULL, NULL, &e), ST_OK);
	assert_int_equal(calls, 1);
	assert_string_equal(seen, "set|probe|off|3");
	assert_non_null(strstr(f->ctx.out.note, "probe off 3"));
	struct strlist l = {0};
	commands_complete(&f->c, &f->ctx, "set pr", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "probe");
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "set probe o", &l);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.v[0], "off");
	strlist_release(&l);
	assert_int_equal(commands_run(&f->c, &f->ctx, "help set", NULL, NULL, &e), ST_OK);
	assert_non_null(strstr(f->ctx.out.text, "set probe on|off X"));
	assert_non_null(strstr(f->ctx.out.text, "set beam N"));
	assert_int_equal(commands_run(&f->c, &f->ctx, "set colour red", NULL, NULL, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "beam, head, layer, theme, view, probe (not 'colour')"));
	/* a built-in key with the wrong number of values: its own usage */
	assert_int_equal(commands_run(&f->c, &f->ctx, "set beam", NULL, NULL, &e), ST_USAGE);
	assert_string_equal(e.msg, "usage: set KEY VALUE");
	assert_int_equal(commands_run(&f->c, &f->ctx, "set beam 1 2", NULL, NULL, &e), ST_USAGE);
	assert_string_equal(e.msg, "usage: set beam N");
}

static void dispatch_unknown_stops(void **state)
{
	struct session_fixture *f = *state;
	struct err e;
	struct command probe = {"probe", NULL, cmd_probe, "probe", "a test command", NULL};
	assert_int_equal(commands_add(&f->c, &probe, &e), ST_OK);
	calls = 0;
	assert_int_equal(commands_run(&f->c, &f->ctx, "probe; frobnicate now; probe", NULL, NULL, &e),
			 ST_USAGE);
	assert_int_equal(calls, 1); /* the first failing command stops the line */
	assert_string_equal(e.msg, "unknown command 'frobnicate' (help lists the commands)");
	assert_int_equal(commands_run(&f->c, &f->ctx, "lod x", NULL, NULL, &e), ST_USAGE);
	assert_string_equal(e.msg, "unknown command 'lod' (did you mean 'load'? help lists the commands)");
	/* Wrong arguments: the command's usage. */
	assert_int_equal(commands_run(&f->c, &f->ctx, "goto", NULL, NULL, &e), ST_USAGE);
	assert_string_equal(e.msg, "usage: goto STAGE [LAYER]");
	assert_int_equal(commands_run(&f->c, &f->ctx, "set colour red", NULL, NULL, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "set what?"));
}

static void dispatch_session(void **state)
{
	struct session_fixture *f = *state;
	struct err e = {0};
	struct session *s = &f->s;
	assert_int_equal(commands_run(&f->c, &f->ctx, "translate s4 s5 s6", NULL, NULL, &e), ST_OK);
	assert_string_equal(s->source, "s4 s5 s6");
	assert_non_null(strstr(f->ctx.out.text, "source tokens: s4 s5 s6 <eos>"));
	assert_int_equal(commands_run(&f->c, &f->ctx, "goto softmax 1; set head 1", NULL, NULL, &e), ST_OK);
	char name[128];
	session_panel(s, 0, name, sizeof name);
	assert_string_equal(name, "enc.1.self_attn.h1.weights");
	assert_int_equal(commands_run(&f->c, &f->ctx, "set head all", NULL, NULL, &e), ST_OK);
	session_panel(s, 0, name, sizeof name);
	assert_string_equal(name, "enc.1.self_attn.weights_avg");
	/* step and back walk layer by layer; show jumps to the stage showing it. */
	assert_int_equal(commands_run(&f->c, &f->ctx, "set head 0; step", NULL, NULL, &e), ST_OK);
	assert_string_equal(session_stage(s)->id, "weighted");
	assert_int_equal(commands_run(&f->c, &f->ctx, "show enc.0.ffn.hidden", NULL, NULL, &e), ST_OK);
	assert_string_equal(session_stage(s)->id, "ffn");
	assert_int_equal(session_layer(s), 0);
	assert_int_equal(s->panel, 1);
	assert_int_equal(f->ctx.out.view, CMD_VIEW_TENSOR);
	/* A tensor no stage shows is shown on its own. */
	assert_int_equal(commands_run(&f->c, &f->ctx, "show generator.w", NULL, NULL, &e), ST_OK);
	assert_null(session_stage(s));
	assert_string_equal(s->show, "generator.w");
	/* explain selects the cell and prints the trace's value. */
	assert_int_equal(commands_run(&f->c, &f->ctx, "explain enc.0.self_attn.h0.weights s5 s4", NULL, NULL, &e),
			 ST_OK);
	assert_int_equal(s->row, 1);
	assert_int_equal(s->col, 0);
	char want[32];
	snprintf(want, sizeof want, "%.4f", tensor_at(session_focused(s), 1, 0));
	assert_non_null(strstr(f->ctx.out.text, want));
	assert_int_equal(commands_run(&f->c, &f->ctx, "explain 9 0", NULL, NULL, &e), ST_USAGE);
	assert_non_null(strstr(e.msg, "has no row '9'"));
	assert_int_equal(commands_run(&f->c, &f->ctx, "set layer 5", NULL, NULL, &e), ST_USAGE);
	assert_int_equal(commands_run(&f->c, &f->ctx, "quit; step", NULL, NULL, &e), ST_OK);
	assert_int_equal(s->quit, 1);
}

/* ---- completion ---- */

static int has(const struct strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

static void completion_candidates(void **state)
{
	struct session_fixture *f = *state;
	struct err e;
	struct strlist l = {0};
	commands_complete(&f->c, &f->ctx, "", &l);
	assert_true(has(&l, "translate") && has(&l, "goto") && has(&l, "quit"));
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "sh", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "show");
	strlist_release(&l);
	/* Only the last command of the line counts. */
	commands_complete(&f->c, &f->ctx, "step; he", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "help");
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "set ", &l);
	assert_int_equal(l.n, 5);
	assert_true(has(&l, "beam") && has(&l, "head") && has(&l, "theme"));
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "set theme c", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "contrast");
	strlist_release(&l);

	/* Trace names and stages need a run. */
	assert_int_equal(commands_run(&f->c, &f->ctx, "translate s4 s5", NULL, NULL, &e), ST_OK);
	commands_complete(&f->c, &f->ctx, "show enc.", &l);
	/* One dotted level at a time. */
	assert_true(has(&l, "enc.0.") && has(&l, "enc.1.") && has(&l, "enc.out") && has(&l, "enc.norm"));
	assert_false(has(&l, "enc.0.out"));
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "show enc.0.self_attn.h0.w", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "enc.0.self_attn.h0.weights");
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "goto so", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "softmax");
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "goto dec.", &l);
	assert_true(has(&l, "dec.masked") && has(&l, "dec.cross") && has(&l, "dec.ffn"));
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "set head ", &l);
	assert_int_equal(l.n, 3);
	assert_true(has(&l, "all") && has(&l, "0") && has(&l, "1"));
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "dump probs ", &l);
	assert_true(has(&l, "--force"));
	strlist_release(&l);
	/* Models: a path completes folder by folder, a model folder ends it. */
	commands_complete(&f->c, &f->ctx, "load tests/ref/fixtures/tf-post", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "tests/ref/fixtures/tf-post-relu-h2");
	strlist_release(&l);
	commands_complete(&f->c, &f->ctx, "load tests/re", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "tests/ref/");
	strlist_release(&l);
	/* Nothing to complete after a sentence. */
	commands_complete(&f->c, &f->ctx, "translate s", &l);
	assert_int_equal(l.n, 0);
	strlist_release(&l);
}

static void completion_lessons(void **state)
{
	struct session_fixture *f = *state;
	struct strlist l = {0};
	setenv("SEQSTEP_LESSONS", "tests/ref", 1); /* no .md there but README.md */
	complete_lessons(&f->ctx, 1, "", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "README");
	strlist_release(&l);
}

/* ---- stages ---- */

static void stages_per_architecture(void **state)
{
	struct session_fixture *f = *state;
	struct err e;
	struct session *s = &f->s;
	assert_int_equal(session_ensure(s, &e), ST_OK);
	const struct pipeline *p = &s->pipe;
	static const char *const tf[] = {"tokenize", "embed", "positions", "qkv", "scores", "mask",
					 "softmax", "weighted", "concat", "addnorm1", "ffn", "addnorm2",
					 "memory", "dec.input", "dec.masked", "dec.cross", "dec.ffn",
					 "output", "next", "alignment"};
	assert_int_equal(p->n, (int)(sizeof tf / sizeof *tf));
	for (int i = 0; i < p->n; i++)
		assert_string_equal(p->st[i].id, tf[i]);
	/* 2 encoder and 2 decoder layers: 3 + 9*2 + 2 + 3*2 + 3 positions. */
	assert_int_equal(p->nwalk, 32);
	assert_int_equal(p->walk[3].stage, 3);
	assert_int_equal(p->walk[12].stage, 3); /* qkv again, */
	assert_int_equal(p->walk[12].layer, 1); /* for layer 1 */
	/* The walk reaches the end and stops there. */
	int n = 0;
	while (session_step(s, 1))
		n++;
	assert_int_equal(n, 31);
	assert_string_equal(session_stage(s)->id, "alignment");
	assert_int_equal(session_step(s, 1), 0);

	assert_int_equal(session_load(s, LSTM, &e), ST_OK);
	static const char *const lstm[] = {"tokenize", "embed", "gates", "state", "grads", "bptt", "memory", "dec.input",
					   "align.scores", "align", "context", "dec.gates", "dec.state",
					   "output", "next"};
	assert_int_equal(p->n, (int)(sizeof lstm / sizeof *lstm));
	for (int i = 0; i < p->n; i++)
		assert_string_equal(p->st[i].id, lstm[i]);
	assert_string_equal(session_stage(s)->id, "tokenize");
	assert_int_equal(commands_run(&f->c, &f->ctx, "goto gates 1", NULL, NULL, &e), ST_OK);
	assert_int_equal(session_npanels(s), 4);
	char name[128];
	session_panel(s, 1, name, sizeof name);
	assert_string_equal(name, "enc.l1.gate.f");

	assert_int_equal(session_load(s, GRU, &e), ST_OK);
	assert_int_equal(pipeline_find(p, "fixed context"), pipeline_find(p, "context"));
	assert_int_equal(pipeline_find(p, "align"), -1); /* no attention, no alignment */
	session_panel(s, 0, name, sizeof name);
	assert_int_equal(commands_run(&f->c, &f->ctx, "goto dec.gates", NULL, NULL, &e), ST_OK);
	assert_int_equal(session_npanels(s), 3);
	session_panel(s, 2, name, sizeof name);
	assert_string_equal(name, "dec.l0.gate.n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_words_and_separators),
		cmocka_unit_test(parse_quotes),
		cmocka_unit_test(parse_comments_and_escapes),
		cmocka_unit_test(parse_errors),
		cmocka_unit_test_setup_teardown(dispatch_added_command, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_added_setting, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_unknown_stops, setup, teardown),
		cmocka_unit_test_setup_teardown(dispatch_session, setup, teardown),
		cmocka_unit_test_setup_teardown(completion_candidates, setup, teardown),
		cmocka_unit_test_setup_teardown(completion_lessons, setup, teardown),
		cmocka_unit_test_setup_teardown(stages_per_architecture, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

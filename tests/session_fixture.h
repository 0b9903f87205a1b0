/* A session with the built-in commands in batch mode on a model, for the
 * tests that run commands (test_commands, test_plot). Header-only (each
 * test is a binary of its own); include it after <cmocka.h>. */
#ifndef SEQSTEP_TESTS_SESSION_FIXTURE_H
#define SEQSTEP_TESTS_SESSION_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>

#include "app/commands.h"
#include "app/session.h"

struct session_fixture {
	struct session s;
	struct commands c;
	struct cmd_ctx ctx;
};

/* NULL when out of memory or the commands cannot be set up. */
static inline struct session_fixture *session_fixture_new(const char *model)
{
	struct session_fixture *f = calloc(1, sizeof *f);
	struct err e;
	if (!f)
		return NULL;
	session_init(&f->s);
	snprintf(f->s.model_arg, sizeof f->s.model_arg, "%s", model);
	if (commands_init(&f->c, &e)) {
		session_release(&f->s);
		free(f);
		return NULL;
	}
	f->ctx.s = &f->s;
	f->ctx.cmds = &f->c;
	f->ctx.batch = 1;
	return f;
}

static inline void session_fixture_free(struct session_fixture *f)
{
	cmd_out_release(&f->ctx.out);
	commands_release(&f->c);
	session_release(&f->s);
	free(f);
}

#endif

/* The command interpreter's parser on arbitrary lines (what a student types
 * or a lesson block holds), and tab completion of the same line on a session
 * with no model loaded: no crash, every error one line. */
#include "app/commands.h"
#include "app/lab.h"
#include "app/whatif.h"
#include "fuzz_common.h"
#include "app/session.h"

#include <stdlib.h>
#include <string.h>

static struct commands cmds;
static struct session sess;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct err e = {0};
	if (!ready) {
		if (commands_init(&cmds, &e) || whatif_register(&cmds, &e) || lab_register(&cmds, &e))
			abort(); /* a harness problem, not a finding */
		session_init(&sess);
		ready = 1;
	}
	char *line = fuzz_strndup(data, size);
	struct cmdline cl;
	memset(&cl, 0, sizeof cl);
	enum status st = cmdline_parse(line, &cl, &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_USAGE || st == ST_BADINPUT || st == ST_NOMEM, "status %d", st);
		fuzz_check_msg(e.msg);
	} else {
		for (int i = 0; i < cl.n; i++) {
			FUZZ_CHECK(cl.cmd[i].argc >= 1, "command %d has no words", i);
			for (int j = 0; j < cl.cmd[i].argc; j++)
				FUZZ_CHECK(cl.cmd[i].argv[j] != NULL, "word %d of command %d", j, i);
		}
		cmdline_release(&cl);
	}
	struct cmd_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.s = &sess;
	ctx.cmds = &cmds;
	ctx.batch = 1;
	struct strlist out = {0};
	commands_complete(&cmds, &ctx, line, &out);
	for (size_t i = 0; i < out.n; i++)
		FUZZ_CHECK(out.v[i] != NULL, "candidate %zu", i);
	strlist_release(&out);
	cmd_out_release(&ctx.out);
	free(line);
	return 0;
}

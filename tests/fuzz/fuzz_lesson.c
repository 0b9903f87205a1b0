/* lesson_parse on arbitrary bytes (a lesson file a teacher shares), checked
 * against the real command table: every failure is one line naming the file
 * and line, and a lesson that parses has well-formed steps. */
#include "app/commands.h"
#include "app/handout.h"
#include "app/tutor.h"
#include "app/lab.h"
#include "app/whatif.h"
#include "fuzz_common.h"
#include "teach/lesson.h"

#include <stdlib.h>
#include <string.h>

static struct commands cmds;
static struct lesson_commands known;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct err e = {0};
	if (!ready) {
		if (commands_init(&cmds, &e) || tutor_register(&cmds, &e) || whatif_register(&cmds, &e) ||
		    lab_register(&cmds, &e))
			abort(); /* a harness problem, not a finding */
		known = handout_commands(&cmds);
		ready = 1;
	}
	struct lesson L;
	memset(&L, 0, sizeof L);
	enum status st = lesson_parse(&L, "fuzz.md", (const char *)data, size, &known, &e);
	if (st != ST_OK) {
		FUZZ_CHECK(st == ST_BADINPUT || st == ST_NOMEM, "status %d: %s", st, e.msg);
		fuzz_check_msg(e.msg);
		FUZZ_CHECK(strncmp(e.msg, "fuzz.md", 7) == 0, "message does not name the file: %s",
			   e.msg);
	} else {
		FUZZ_CHECK(L.nsteps >= 0 && L.nsections >= 0, "counts %d %d", L.nsteps, L.nsections);
		FUZZ_CHECK(L.nsteps == 0 || L.steps != NULL, "steps");
	}
	lesson_release(&L);
	return 0;
}

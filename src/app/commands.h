/* The one command interpreter: the screen's command line, `seqstep -c`,
 * `--script` and stdin all run lines through it. One table of
 * {name, handler, help, completer} drives dispatch, tab completion and
 * help; lessons and quizzes add their commands with commands_add.
 * commands.c holds the table, dispatch and output, commands_builtin.c the
 * built-in commands, commands_complete.c completion. */
#ifndef SEQSTEP_COMMANDS_H
#define SEQSTEP_COMMANDS_H

#include "app/session.h"
#include "base/cmdline.h"
#include "base/status.h"

#include <stddef.h>

/* A growable list of strings (completion candidates). */
struct strlist {
	char **v;
	size_t n, cap;
};
void strlist_add(struct strlist *l, const char *s);
void strlist_release(struct strlist *l);

enum cmd_view {
	CMD_VIEW_NONE,   /* nothing to redraw or print */
	CMD_VIEW_STAGE,  /* the current stage (or shown tensor) changed */
	CMD_VIEW_TENSOR, /* one tensor asked for by name (show) */
};

/* What one command produced. Batch mode prints text then the view; the
 * screen shows note in the message line, or text in a pager when pager. */
struct cmd_out {
	char *text;
	size_t len, cap;
	char note[256];
	int pager;
	enum cmd_view view;
	char tensor[STAGE_NAME * 2]; /* CMD_VIEW_TENSOR: its name */
	char warning[512]; /* a load's warning: batch prints it on stderr, the
			    * screen in the message line */
};

struct commands;

struct cmd_ctx {
	struct session *s;
	struct commands *cmds;
	struct cmd_out out;
	int batch;      /* output goes to stdout as text, not to the screen */
};

typedef enum status (*cmd_fn)(struct cmd_ctx *c, int argc, char **argv, struct err *e);
/* Adds every candidate for argument argi (1 = first after the name); the
 * caller keeps those starting with word. */
typedef void (*cmd_completer)(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);

struct command {
	const char *name;
	const char *alias;   /* another name ("t" for translate), or NULL */
	cmd_fn run;
	const char *usage;   /* "goto STAGE [LAYER]" */
	const char *help;    /* one line */
	cmd_completer complete;
};

/* One key of `set KEY VALUE...`: the set command dispatches on the key,
 * `help set` lists the keys, completion offers them; modules add their
 * own keys next to their commands. */
struct setting {
	const char *key;
	cmd_fn run;          /* argv[0] "set", argv[1] the key; argc >= 2 */
	const char *usage;   /* "set beam N" */
	const char *help;    /* one line */
	cmd_completer complete; /* argument argi of set (2 = the first value) */
};

struct commands {
	struct command *v;
	size_t n, cap;
	struct setting *set; /* in the order added */
	size_t nset, capset;
};

/* The built-in table (commands_builtin.c). */
enum status commands_init(struct commands *c, struct err *e);
void commands_release(struct commands *c);
/* Adds or replaces (same name) a command. */
enum status commands_add(struct commands *c, const struct command *cmd, struct err *e);
const struct command *commands_find(const struct commands *c, const char *name);
/* Adds or replaces (same key) a setting of the set command. */
enum status commands_add_setting(struct commands *c, const struct setting *s, struct err *e);
const struct setting *commands_find_setting(const struct commands *c, const char *key);
/* A module's commands and settings, added in order. */
enum status commands_add_module(struct commands *c, const struct command *cmds, size_t n,
				const struct setting *sets, size_t nsets, struct err *e);

/* Runs every command of the line in order, calling after() when each one
 * succeeds (batch prints its output there); stops at the first error. */
enum status commands_run(struct commands *c, struct cmd_ctx *ctx, const char *line,
			 void (*after)(struct cmd_ctx *ctx, void *arg), void *arg, struct err *e);
void cmd_out_reset(struct cmd_out *o);
void cmd_out_release(struct cmd_out *o);
/* Appends to the command's text output / sets its one-line note. */
void cmd_printf(struct cmd_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cmd_note(struct cmd_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Completion of the last word of line (the text before the cursor):
 * sorted, unique candidates. Trace names complete one dotted level at a
 * time ("enc." -> "enc.0.", "enc.out"). */
void commands_complete(struct commands *c, struct cmd_ctx *ctx, const char *line,
		       struct strlist *out);

/* Completers for commands added later. */
void complete_trace_names(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_models(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_lessons(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_commands(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);

/* ---- shared by commands*.c ---- */

/* The error for a name no command has, with the nearest one (commands.c). */
enum status commands_unknown(const struct commands *c, const char *name, struct err *e);
/* The model folders under datadir_models(), sorted (commands_complete.c). */
void commands_model_names(struct strlist *out);
/* The built-in commands' completers (commands_complete.c); set's completes
 * the keys, then hands a key's values to its setting. */
void complete_stages(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_show(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_list(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_explain(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_dump(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_help(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_set(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_set_head(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_set_layer(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_set_theme(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);
void complete_set_view(struct cmd_ctx *c, int argi, const char *word, struct strlist *out);

#endif

/* The explorer's state, apart from any drawing: the loaded model, the trace
 * of the last run, where in the pipeline we are, the selected cell, head,
 * layer and view mode. The command interpreter changes it; the screen and
 * batch mode only read it. */
#ifndef SEQSTEP_SESSION_H
#define SEQSTEP_SESSION_H

#include "app/plotspec.h"
#include "engine/model.h"
#include "engine/stages.h"
#include "base/status.h"
#include "trace/diff.h"
#include "trace/trace.h"

#include <stddef.h>

#define SESSION_DEFAULT_MODEL "en-zh-transformer"
#define SESSION_DEFAULT_SENTENCE "the cat sleeps on the mat"

enum theme { THEME_DEFAULT, THEME_CONTRAST, THEME_MONO };

enum { SESSION_TEXT = 4096 };

/* A lesson or quiz in progress (a later module) can take over n / p on the
 * screen and put its prose at the top of the detail pane. */
struct session_hook {
	int (*step)(void *arg, int delta);  /* 1 when it handled n (1) or p (-1) */
	const char *(*prose)(void *arg);    /* text for the detail pane, or NULL */
	void *arg;
	void (*release)(void *arg);         /* frees arg (session_release calls it) */
};

/* Where a module without a screen of its own (a lesson stepping on n / p)
 * reports a one-line message: the screen sets it, batch mode leaves it
 * NULL and the message is dropped (the command's output says it there). */
struct session_sink {
	void (*message)(void *arg, int error, const char *msg);
	void *arg;
};

/* Work the screen does between keys (live training): tick runs one slice
 * of it (a fraction of a second) and returns SESSION_TASK_* flags; status
 * is its line for the status bar ("" none). Batch mode has no time between
 * commands, so there a task's command does all its work itself. */
enum { SESSION_TASK_REDRAW = 1, SESSION_TASK_BUSY = 2 };
struct session_task {
	int (*tick)(void *arg);
	void *arg;
	void (*release)(void *arg);        /* frees arg (session_release calls it) */
	char status[192];
};

/* Called after every run, before the new trace is shown: a module adds
 * entries of its own (the BPTT lab runs a second model on the same
 * sentence and adds its gradients). text and o are the run's. */
struct session_after_run {
	void (*fn)(void *arg, const char *text, const struct run_opts *o, struct trace *tr);
	void *arg;
	void (*release)(void *arg);        /* frees arg (session_release calls it) */
};

struct session {
	char model_arg[1024];  /* the model to load on first use (name or path) */
	struct model *model;   /* NULL until loaded; on the heap because the
				* tokenizers point into it */
	struct trace trace;
	int have_trace;
	struct run_opts opts;
	char source[SESSION_TEXT];      /* the sentence last translated */
	char target[SESSION_TEXT];      /* teacher forcing text, "" when decoding */
	char translation[SESSION_TEXT]; /* sanitized for display */
	int n_unknown;
	char unknown[256];
	struct pipeline pipe;
	int walk;        /* position in pipe.walk */
	int layer_pref;  /* the layer asked for, used when entering a block */
	int head;        /* -1: all heads (averaged where the trace has it) */
	int panel;       /* focused panel of the current stage */
	int row, col;    /* selected cell of the focused panel's tensor */
	int numbers;     /* the main view shows numbers, not a heatmap */
	int plot;        /* -1: the stages that are curves open as plots; 1: every
			  * stage that has a plot shows it; 0: none does */
	enum theme theme;
	char show[STAGE_NAME * 2]; /* a tensor shown outside the pipeline, "" when none */
	int show_plot;   /* show NAME --plot: the shown tensor as a plot */
	int quit;
	struct session_hook hook;
	struct session_sink sink;
	struct session_task task;
	struct session_after_run after_run;
	unsigned long model_gen; /* bumped whenever the model is replaced */
	unsigned long gen;  /* bumped on every change, so views can cache */
	char warning[512];  /* set by a load (unused tensors); the command
			     * interpreter hands it to the front end once */
	/* What-if (app/whatif.c): the switches and edits every run uses, the
	 * run before this one and an optional snapshot to compare with, the
	 * comparison (rebuilt after each run) and whether the views draw Δ. */
	struct whatif whatif;
	struct trace prev, snap;
	int have_prev, have_snap;
	struct trace_diff diff;
	int have_diff;
	int diff_mode;
};

void session_init(struct session *s);
/* A one-line message to the screen through s->sink, when there is one. */
void session_message(struct session *s, int error, const char *msg);
void session_release(struct session *s);

/* Loads a model (a name in datadir_models() or a path), replacing the
 * current one only on success, and re-runs: the last sentence when the new
 * vocabulary knows all its words, the model's default sentence otherwise. */
enum status session_load(struct session *s, const char *name, struct err *e);
/* Makes m (on the heap, loaded or built by the caller) the session's model,
 * which then owns it, and re-runs the current sentence. */
enum status session_adopt(struct session *s, struct model *m, struct err *e);
/* Loads model_arg and translates the default sentence unless done already. */
enum status session_ensure(struct session *s, struct err *e);
/* Runs the model on text (with the current target and beam); keeps the stage,
 * layer and head where they still exist. */
enum status session_translate(struct session *s, const char *text, struct err *e);
/* Teacher forcing: NULL or "" goes back to decoding. Re-runs. */
enum status session_set_target(struct session *s, const char *text, struct err *e);
enum status session_set_beam(struct session *s, int beam, struct err *e);
/* Runs the current sentence again (after a what-if switch or edit). */
enum status session_rerun(struct session *s, struct err *e);
/* Keeps a copy of the current trace as the baseline of the diff (take 1),
 * or drops it (take 0: the previous run is the baseline again). */
enum status session_snapshot(struct session *s, int take, struct err *e);
/* The diff's baseline: the snapshot, the previous run, or NULL. */
const struct trace *session_baseline(const struct session *s, const char **what);
/* A sentence the model knows: SESSION_DEFAULT_SENTENCE when its vocabulary
 * has every word, else the first few ordinary vocabulary entries. */
void session_default_sentence(const struct session *s, char *buf, size_t n);

/* Navigation. step returns 0 (and changes nothing) at either end. */
int session_step(struct session *s, int delta);
/* Goes to a walk position (a click in the pipeline pane). */
void session_jump(struct session *s, int walk);
enum status session_goto(struct session *s, const char *stage, struct err *e);
enum status session_set_layer(struct session *s, int layer, struct err *e);
enum status session_set_head(struct session *s, int head, struct err *e);
/* Shows a trace tensor: jumps to the stage that shows it when there is one,
 * else shows it on its own until the next step. */
enum status session_show(struct session *s, const char *name, struct err *e);
/* Moves the cursor; clamped to the focused tensor. */
void session_move(struct session *s, int drow, int dcol);
void session_select(struct session *s, int panel, int row, int col);
void session_focus(struct session *s, int panel);

/* Plots. While a position shows its plot, its panels are the tensors the
 * plot's points come from (plotspec.h), so the cursor is on a point. */
/* The plot the position offers, shown or not (p may be NULL); 0: none. */
int session_plot_offer(const struct session *s, struct plot_spec *p);
/* Whether the position shows its plot now. */
int session_plotting(const struct session *s, struct plot_spec *p);
/* The figure the position shows, drawn around the cursor's cell. */
enum status session_plot_build(const struct session *s, struct figure *f, struct err *e);
/* The view mode (plot -1, 0 or 1; numbers 0 or 1); the cursor stays on
 * the same tensor cell when the new panels have that tensor. */
void session_set_view(struct session *s, int plot, int numbers);
/* Shows a tensor on its own as a plot (show NAME --plot) until the next
 * move, leaving the view mode as it is; ST_USAGE when it has no plot. */
enum status session_show_plot(struct session *s, const char *name, struct err *e);

/* What the current position shows. */
const struct stage *session_stage(const struct session *s); /* NULL in show mode or empty */
int session_layer(const struct session *s);
int session_npanels(const struct session *s);
/* The tensor of panel i, NULL when the trace lacks it; name gets its name. */
const struct tensor *session_panel(const struct session *s, int i, char *name, size_t n);
const struct tensor *session_focused(const struct session *s);
/* The panels that are in the trace, in order, with their names; returns
 * how many (at most STAGE_PANELS). */
int session_panels(const struct session *s, const struct tensor *v[STAGE_PANELS],
		   char names[STAGE_PANELS][STAGE_NAME * 2]);
/* "softmax · encoder layer 1/2 · head 0" */
void session_where(const struct session *s, char *buf, size_t n);
/* What the model runs on, for the title bar: "SOURCE → TRANSLATION" for
 * a translation model ("->" unless utf8), the inputs of a block model
 * ("X: 6 tokens, Cat is ..."; "40 (x, y) training pairs, ..."); "" before
 * the first run. */
void session_subject(const struct session *s, char *buf, size_t n, int utf8);

/* The explanations (explain.c when present, the tensor's description
 * otherwise). Return the length written. */
size_t session_explain_tensor(const struct session *s, const struct tensor *t, char *buf, size_t n);
size_t session_explain_cell(const struct session *s, const struct tensor *t, int r, int c,
			    char *buf, size_t n);

#endif

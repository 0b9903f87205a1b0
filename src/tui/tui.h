/* The explorer's screen: ncurses drawing of the session, GNU readline as
 * the command line, and the same views as plain text for batch mode.
 * The screen only reads the session; keys and commands change it through
 * session.h and commands.h. */
#ifndef SEQSTEP_TUI_H
#define SEQSTEP_TUI_H

#include "app/commands.h"
#include "tui/palette.h"
#include "app/session.h"

#include <curses.h>
#include <limits.h>
#include <stdio.h>

enum { TUI_MIN_COLS = 60, TUI_MIN_ROWS = 16 };

struct tui;

struct tui_opts {
	FILE *in, *out;      /* the terminal (NULL: stdin, stdout) */
	const char *term;    /* NULL: $TERM */
	int no_color;        /* NO_COLOR set */
	int history;         /* load and save the readline history */
};

/* Starts curses on the terminal and readline in it. */
enum status tui_open(struct tui **out, struct session *s, struct commands *c,
		     const struct tui_opts *o, struct err *e);
/* Restores the terminal. Safe on NULL. */
void tui_close(struct tui *t);
/* The key loop, until quit, Ctrl-C or a hang-up. */
void tui_run(struct tui *t);
/* Draws one frame; full repaints every cell (the benchmark's redraw). */
void tui_draw(struct tui *t, int full);
/* Sets the screen size without a terminal (the benchmark). */
void tui_resize(struct tui *t, int rows, int cols);
/* A one-line message under the view. */
void tui_message(struct tui *t, int error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Restores the terminal from a fatal signal handler, then the signal is
 * raised again by the caller. */
void tui_emergency_restore(void);

/* ---- shared by tui*.c ---- */

struct rect {
	int y, x, h, w;
};

/* A drawn block of cells, so a mouse click can find the cell under it. */
struct hit {
	struct rect r;      /* where the cells are */
	int panel;          /* -1: the pipeline pane (walk = walk + row) */
	int r0, c0;         /* the tensor cell at the top left */
	int cw;             /* screen columns per cell; -1: one tensor column per line;
			     * HIT_PLOT: a plot (panel = its index in the figure) */
	int rh;             /* screen lines per cell */
	int walk[64];       /* pipeline pane: the walk index of each line, -1 none */
};

/* Each view is an ops table: draw into the main area, handle its own keys
 * (return 1 when used), and react to size changes; free drops view state. */
struct view_ops {
	const char *name;
	void (*draw)(struct tui *t, struct rect r);
	int (*on_key)(struct tui *t, int key);
	void (*resize)(struct tui *t);
	void (*free)(struct tui *t);
};

enum { HIT_PLOT = -2 };

const struct view_ops *tui_view_for(enum view_kind k);
/* The view the session's position shows: its plot, or its stage's view. */
const struct view_ops *tui_view_current(const struct tui *t);
extern const struct view_ops view_matrix, view_tokens, view_embedpos, view_step, view_gates,
	view_bars, view_plot, view_grad;
/* A click at (y, x) on plot hit h selects the nearest point (tui_plot.c). */
void tui_plot_click(struct tui *t, const struct hit *h, int y, int x);

struct tui {
	struct session *s;
	struct commands *cmds;
	struct cmd_ctx ctx;
	SCREEN *scr;
	FILE *in, *out;
	int rows, cols;
	struct palette pal;
	int theme_applied, no_color;
	int utf8;            /* the terminal shows UTF-8: block glyphs, arrows */
	struct rect title, pipe, main, detail, status, cmd;
	int cmd_focus;       /* keys go to readline */
	char *pager;         /* text of a pager overlay, NULL when closed */
	char pager_title[128];
	int pager_top;
	char msg[512];
	int msg_err;
	struct hit hits[8];
	int nhits;
	int r0[STAGE_PANELS], c0[STAGE_PANELS]; /* scroll of each panel */
	int pipe_top;
	int rl_ready;
	int history;
	char hist_path[PATH_MAX];
	char rl_matches[512]; /* completion candidates shown above the command line */
	char *rl_line;        /* a line readline finished, for tui.c to run */
	int quit;
};

/* The palette of the session's theme, applied to the screen (tui_frame.c). */
void tui_apply_theme(struct tui *t);

/* Drawing helpers (tui_draw.c). */
/* Writes s clipped to w cells at (y, x); returns the cells written. */
int tui_put(struct tui *t, int y, int x, int w, attr_t a, const char *s);
int tui_putf(struct tui *t, int y, int x, int w, attr_t a, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/* Draws a tensor as a labelled heatmap or table in r, scrolled to keep the
 * cursor visible; records a hit region. sel: draw the cursor. */
struct matrix_opts {
	int panel;
	int focused;
	int sel_row;         /* the row to highlight (-1 none) */
	int sel_col;
	int mask;            /* mark -inf cells */
	int head_c0, head_c1; /* highlight these columns (head_c1 <= head_c0: none) */
	int numbers;
	int legend;          /* draw the value scale under it */
	int hide_rows;       /* no row labels: the panel to the left has them */
	int diverging;       /* a scale symmetric around 0 whatever the values (a Δ) */
};
void tui_matrix(struct tui *t, struct rect r, const struct tensor *tn, const char *name,
		const struct matrix_opts *o);
/* The first of n lines to show in vis lines so that line sel is visible,
 * moving the view (*first, kept between frames) as little as possible. */
int tui_scroll(int *first, int sel, int vis, int n);
/* Horizontal bar for v in [0, 1] at (y, x), w cells. */
void tui_bar(struct tui *t, int y, int x, int w, float v, attr_t a);
/* The legend: lo, the ramp, hi. */
void tui_legend(struct tui *t, int y, int x, int w, const struct scale *sc, int masked);
/* The panels of the current stage side by side (or stacked), for views
 * built on the matrix view; returns the rectangle left below them. */
struct rect tui_panels(struct tui *t, struct rect r, int reserve_below);
/* Wraps text into r (word wrap, UTF-8 aware); returns lines used. */
int tui_text(struct tui *t, struct rect r, int skip, attr_t a, const char *text);

/* Diff mode (tui_diff.c; tui_panels draws the Δ of each panel): the
 * detail pane's first line, the cell's Δ, before and now; returns the
 * lines used. */
int tui_diff_detail(struct tui *t, struct rect r);
/* The title bar's what-if badge after column x; returns the columns used. */
int tui_whatif_badge(struct tui *t, int x);

/* The command line (tui_readline.c). */
void tui_rl_init(struct tui *t);
void tui_rl_close(struct tui *t);
/* A key for readline: a character (is_key 0) or a curses KEY_ code. When
 * it finishes a line, the line is left in t->rl_line (the caller frees). */
void tui_rl_key(struct tui *t, int ch, int is_key);
void tui_rl_cancel(struct tui *t);
void tui_rl_draw(struct tui *t);

#endif

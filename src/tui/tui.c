/* The explorer screen: opening and closing it, signals, messages, and the
 * key loop with its keys, mouse and resize. The frame around the view is
 * drawn in tui_frame.c; views draw the main area (tui_views.c); readline
 * runs the command line (tui_readline.c). */
#include "tui/termcheck.h"
#include "tui/tui.h"

#include <errno.h>
#include <langinfo.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct view_ops *const all_views[] = {&view_matrix, &view_tokens, &view_embedpos,
						    &view_step, &view_gates, &view_bars, &view_plot,
						    &view_grad};

static volatile sig_atomic_t got_int, got_term;
static int curses_on;

static void on_int(int sig)
{
	(void)sig;
	got_int = 1;
}

static void on_term(int sig)
{
	(void)sig;
	got_term = 1;
}

void tui_emergency_restore(void)
{
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
}

/* A crash must not leave the terminal raw: restore it, then die of the
 * same signal so the exit status and core dump are the usual ones. */
static void on_fatal(int sig)
{
	tui_emergency_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_int; /* no SA_RESTART: the key wait returns */
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	static const int fatal[] = {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	sa.sa_handler = on_fatal;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < sizeof fatal / sizeof *fatal; i++)
		sigaction(fatal[i], &sa, NULL);
}

static void restore_signals(void)
{
	static const int all[] = {SIGINT, SIGTERM, SIGHUP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL};
	for (size_t i = 0; i < sizeof all / sizeof *all; i++)
		signal(all[i], SIG_DFL);
}

void tui_message(struct tui *t, int error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->msg, sizeof t->msg, fmt, ap);
	va_end(ap);
	t->msg_err = error;
}

/* The session's message sink: a lesson's message lands under the view. */
static void sink_message(void *arg, int error, const char *msg)
{
	tui_message(arg, error, "%s", msg);
}

enum status tui_open(struct tui **out, struct session *s, struct commands *c,
		     const struct tui_opts *o, struct err *e)
{
	struct tui *t = calloc(1, sizeof *t);
	if (!t)
		return err_set(e, ST_NOMEM, "out of memory");
	t->s = s;
	t->cmds = c;
	t->ctx.s = s;
	t->ctx.cmds = c;
	s->sink = (struct session_sink){sink_message, t};
	t->in = o->in ? o->in : stdin;
	t->out = o->out ? o->out : stdout;
	t->no_color = o->no_color;
	t->history = o->history;
	const char *cs = nl_langinfo(CODESET);
	t->utf8 = cs && (strcmp(cs, "UTF-8") == 0 || strcmp(cs, "utf8") == 0);
	/* Ask terminfo first: newterm on an unknown terminal fails but leaves
	 * an allocation of libtinfo's behind. */
	if (term_known(o->term, fileno(t->out)))
		t->scr = newterm(o->term, t->out, t->in);
	if (!t->scr) {
		free(t);
		return err_set(e, ST_USAGE, "cannot start the screen on terminal '%s'",
			       o->term ? o->term : getenv("TERM") ? getenv("TERM") : "(unset)");
	}
	set_term(t->scr);
	curses_on = 1;
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	mousemask(BUTTON1_PRESSED | BUTTON1_CLICKED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
	mouseinterval(0);
	if (!o->no_color && has_colors()) {
		start_color();
		use_default_colors();
	}
	tui_apply_theme(t);
	t->rows = LINES;
	t->cols = COLS;
	tui_rl_init(t);
	install_signals();
	/* A periodic wake-up notices Ctrl-C and hang-ups between keys. */
	wtimeout(stdscr, 200);
	*out = t;
	return ST_OK;
}

void tui_close(struct tui *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < sizeof all_views / sizeof *all_views; i++)
		all_views[i]->free(t);
	tui_rl_close(t);
	if (curses_on) {
		curses_on = 0;
		endwin();
	}
	delscreen(t->scr);
	restore_signals();
	free(t->pager);
	free(t->rl_line);
	cmd_out_release(&t->ctx.out);
	memset(&t->s->sink, 0, sizeof t->s->sink);
	free(t);
}

void tui_resize(struct tui *t, int rows, int cols)
{
	resizeterm(rows, cols);
	t->rows = rows;
	t->cols = cols;
}

/* ---- commands and keys ---- */

static void collect(struct cmd_ctx *c, void *arg)
{
	struct tui *t = arg;
	struct cmd_out *o = &c->out;
	if (o->pager && o->len) {
		free(t->pager);
		t->pager = strdup(o->text);
		t->pager_top = 0;
		snprintf(t->pager_title, sizeof t->pager_title, "%s", o->note[0] ? o->note : "output");
	}
	if (o->warning[0])
		tui_message(t, 1, "warning: %s", o->warning);
	else if (o->note[0])
		tui_message(t, 0, "%s", o->note);
	else if (o->len && !o->pager) {
		/* The last line of the output, for commands without a note. */
		char *end = o->text + o->len;
		while (end > o->text && end[-1] == '\n')
			end--;
		char *p = end;
		while (p > o->text && p[-1] != '\n')
			p--;
		tui_message(t, 0, "%.*s", (int)(end - p), p);
	}
	if (o->view != CMD_VIEW_NONE) {
		memset(t->r0, 0, sizeof t->r0);
		memset(t->c0, 0, sizeof t->c0);
	}
}

/* Runs a command line as typed, showing its messages. */
static void tui_exec(struct tui *t, const char *line)
{
	struct err e = {0};
	tui_message(t, 0, "%s", "");
	enum status st = commands_run(t->cmds, &t->ctx, line, collect, t, &e);
	if (st)
		tui_message(t, 1, "%s", e.msg);
	if (t->s->quit)
		t->quit = 1;
}

static void open_help(struct tui *t)
{
	tui_exec(t, "help");
	snprintf(t->pager_title, sizeof t->pager_title, "help");
}

static void cycle_head(struct tui *t, int d)
{
	struct session *s = t->s;
	int n = s->pipe.nheads;
	if (n <= 1) {
		tui_message(t, 0, "this model has one attention head");
		return;
	}
	/* Order: 0, 1, ..., n-1, all. */
	int i = s->head < 0 ? n : s->head;
	i = (i + d + n + 1) % (n + 1);
	struct err e;
	session_set_head(s, i == n ? -1 : i, &e);
	if (s->head < 0)
		tui_message(t, 0, "all %d heads (averaged where the trace has it)", n);
	else
		tui_message(t, 0, "head %d of %d", s->head, n);
}

static void change_layer(struct tui *t, int d)
{
	struct session *s = t->s;
	const struct stage *st = session_stage(s);
	if (!st || st->block < 0) {
		tui_message(t, 0, "this stage is not repeated per layer");
		return;
	}
	int nl = s->pipe.blk[st->block].nlayers, l = session_layer(s) + d;
	if (l < 0 || l >= nl) {
		tui_message(t, 0, "layers go from 0 to %d", nl - 1);
		return;
	}
	struct err e;
	if (session_set_layer(s, l, &e))
		tui_message(t, 1, "%s", e.msg);
	else
		tui_message(t, 0, "%s %d of %d", s->pipe.blk[st->block].what, l, nl);
}

static void on_mouse(struct tui *t)
{
	MEVENT ev;
	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		session_move(t->s, -3, 0);
		return;
	}
	if (ev.bstate & BUTTON5_PRESSED) {
		session_move(t->s, 3, 0);
		return;
	}
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	for (int i = 0; i < t->nhits; i++) {
		struct hit *h = &t->hits[i];
		if (ev.y < h->r.y || ev.y >= h->r.y + h->r.h || ev.x < h->r.x || ev.x >= h->r.x + h->r.w)
			continue;
		if (h->panel < 0) {
			int line = ev.y - h->r.y;
			if (line < 64 && h->walk[line] >= 0)
				session_jump(t->s, h->walk[line]);
			return;
		}
		if (h->cw == HIT_PLOT)
			tui_plot_click(t, h, ev.y, ev.x);
		else if (h->cw < 0)
			session_select(t->s, h->panel, t->s->row, h->c0 + (ev.y - h->r.y));
		else
			session_select(t->s, h->panel, h->r0 + (ev.y - h->r.y) / (h->rh > 0 ? h->rh : 1),
				       h->c0 + (ev.x - h->r.x) / h->cw);
		return;
	}
}

static void pager_key(struct tui *t, int key)
{
	int page = t->rows - 8;
	switch (key) {
	case KEY_UP: case 'k': t->pager_top -= t->pager_top > 0; break;
	case KEY_DOWN: case 'j': t->pager_top++; break;
	case KEY_PPAGE: t->pager_top -= page; break;
	case KEY_NPAGE: case ' ': t->pager_top += page; break;
	case KEY_HOME: case 'g': t->pager_top = 0; break;
	case KEY_MOUSE: { MEVENT ev; getmouse(&ev); } break;
	case KEY_RESIZE: break;
	default:
		free(t->pager);
		t->pager = NULL;
	}
	if (t->pager_top < 0)
		t->pager_top = 0;
}

static void view_key(struct tui *t, int key)
{
	struct session *s = t->s;
	const struct view_ops *v = tui_view_current(t);
	if (s->have_trace && v->on_key(t, key))
		return;
	int page = t->main.h > 6 ? t->main.h - 4 : 1;
	if ((key == 'n' || key == ' ' || key == 'p') && s->hook.step &&
	    s->hook.step(s->hook.arg, key == 'p' ? -1 : 1))
		return;
	switch (key) {
	case 'n': case ' ':
		if (!session_step(s, 1))
			tui_message(t, 0, "this is the last stage (p goes back, : goto STAGE jumps)");
		else
			t->msg[0] = 0;
		break;
	case 'p':
		if (!session_step(s, -1))
			tui_message(t, 0, "this is the first stage");
		else
			t->msg[0] = 0;
		break;
	case KEY_LEFT: case 'h': session_move(s, 0, -1); break;
	case KEY_RIGHT: case 'l': session_move(s, 0, 1); break;
	case KEY_UP: case 'k': session_move(s, -1, 0); break;
	case KEY_DOWN: case 'j': session_move(s, 1, 0); break;
	case KEY_PPAGE: session_move(s, -page, 0); break;
	case KEY_NPAGE: session_move(s, page, 0); break;
	case KEY_HOME: case 'g': session_select(s, s->panel, 0, 0); break;
	case KEY_END: case 'G': session_select(s, s->panel, 1 << 30, 1 << 30); break;
	case '\t': session_focus(s, (s->panel + 1) % (session_npanels(s) ? session_npanels(s) : 1)); break;
	case KEY_BTAB: {
		int n = session_npanels(s) ? session_npanels(s) : 1;
		session_focus(s, (s->panel + n - 1) % n);
		break;
	}
	case '\n': case '\r': case KEY_ENTER: tui_exec(t, "explain"); break;
	case '[': cycle_head(t, -1); break;
	case ']': cycle_head(t, 1); break;
	case '{': change_layer(t, -1); break;
	case '}': change_layer(t, 1); break;
	case 't':
		/* from a plot to the matrices as they were; then numbers / heatmap */
		if (session_plotting(s, NULL))
			session_set_view(s, 0, s->numbers);
		else
			session_set_view(s, s->plot, !s->numbers);
		memset(t->c0, 0, sizeof t->c0);
		tui_message(t, 0, "%s", s->numbers ? "numbers (t: heatmap)" : "heatmap (t: numbers)");
		break;
	case 'v':
		if (session_plotting(s, NULL))
			tui_exec(t, s->numbers ? "set view numbers" : "set view heatmap");
		else
			tui_exec(t, "set view plot");
		memset(t->c0, 0, sizeof t->c0);
		memset(t->r0, 0, sizeof t->r0);
		break;
	case ':':
		t->cmd_focus = 1;
		t->rl_matches[0] = 0;
		t->msg[0] = 0;
		break;
	case 'd':
		/* The diff mode of the views: Δ against the run before (or the snapshot). */
		if (!s->have_diff) {
			tui_message(t, 0, "nothing to compare with yet: set scale off, edit ..., or snapshot first");
		} else {
			s->diff_mode = !s->diff_mode;
			s->gen++;
			tui_message(t, 0, "%s", s->diff_mode ? "diff: the views show Δ = now - before (d: the values)"
							     : "the values (d: Δ against the run before)");
		}
		break;
	case '?': open_help(t); break;
	case 'q': t->quit = 1; break;
	case 12: tui_draw(t, 1); break; /* Ctrl-L */
	case KEY_MOUSE: on_mouse(t); break;
	default: break;
	}
}

static void on_key(struct tui *t, int ch, int is_key)
{
	if (is_key && ch == KEY_RESIZE) {
		t->rows = LINES;
		t->cols = COLS;
		for (size_t i = 0; i < sizeof all_views / sizeof *all_views; i++)
			all_views[i]->resize(t);
		return;
	}
	if (t->cmd_focus) {
		if (is_key && ch == KEY_MOUSE) {
			MEVENT ev;
			getmouse(&ev);
			return;
		}
		tui_rl_key(t, ch, is_key);
		if (t->rl_line) {
			char *line = t->rl_line;
			t->rl_line = NULL;
			tui_exec(t, line);
			free(line);
		}
		return;
	}
	if (t->pager) {
		pager_key(t, is_key ? ch : ch == 27 ? 'q' : ch);
		/* ':' always opens the command line: it closed the popup above,
		 * and the keys typed next are the command, not view keys */
		if (is_key || ch != ':')
			return;
	}
	if (!is_key && ch > 127)
		return;
	view_key(t, ch);
}

/* A slice of the session's background task (live training); returns 1
 * while it has more to do, so the key wait does not sleep. */
static int task_tick(struct tui *t)
{
	struct session *s = t->s;
	if (!s->task.tick)
		return 0;
	int f = s->task.tick(s->task.arg);
	if ((f & SESSION_TASK_REDRAW) && !t->quit && !s->quit)
		tui_draw(t, 0);
	return (f & SESSION_TASK_BUSY) != 0;
}

void tui_run(struct tui *t)
{
	tui_draw(t, 0);
	int busy = 0;
	while (!t->quit && !t->s->quit) {
		wint_t ch;
		/* A busy task gets the time between keys; keys still come first. */
		wtimeout(stdscr, busy ? 0 : 200);
		int r = wget_wch(stdscr, &ch);
		if (got_term)
			break;
		if (got_int) {
			/* Ctrl-C cancels a half-typed command, and quits otherwise. */
			got_int = 0;
			if (t->cmd_focus)
				tui_rl_cancel(t);
			else
				break;
			tui_draw(t, 0);
			continue;
		}
		if (r == ERR) {
			busy = task_tick(t);
			continue;
		}
		on_key(t, (int)ch, r == KEY_CODE_YES);
		if (!t->quit && !t->s->quit)
			tui_draw(t, 0);
		busy = t->s->task.tick != NULL;
	}
}

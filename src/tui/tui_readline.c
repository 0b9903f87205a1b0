/* GNU readline as the command line inside curses: the callback interface,
 * fed one byte at a time from curses' key loop (rl_getc_function), drawn by
 * us (rl_redisplay_function), with readline's own terminal handling and
 * signal handlers off so curses keeps the terminal. Emacs keys, history in
 * the XDG state directory, and tab completion from the command table. */
#include "base/textwidth.h"
#include "tui/tui.h"

#include <errno.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

enum { HISTORY_MAX = 1000 };

/* readline's hooks take no context: the one screen there is. */
static struct tui *rl_tui;
static int rl_byte, rl_has_byte;
static FILE *rl_null;

static int feed_getc(FILE *f)
{
	(void)f;
	rl_has_byte = 0;
	return rl_byte;
}

static int feed_avail(void)
{
	return rl_has_byte;
}

static void feed(int byte)
{
	rl_byte = byte;
	rl_has_byte = 1;
	rl_callback_read_char();
}

static void no_prep(int meta)
{
	(void)meta;
}

static void no_deprep(void)
{
}

static void redisplay(void)
{
	if (!rl_tui)
		return;
	tui_rl_draw(rl_tui);
	refresh();
}

void tui_rl_draw(struct tui *t)
{
	struct rect r = t->cmd;
	if (t->cols < TUI_MIN_COLS || t->rows < TUI_MIN_ROWS)
		return;
	attrset(palette_ui(&t->pal, PAL_TEXT));
	mvhline(r.y, 0, ' ', t->cols);
	attrset(A_NORMAL);
	if (!t->cmd_focus) {
		tui_put(t, r.y, 0, t->cols, palette_ui(&t->pal, PAL_DIM),
			t->s->have_trace ? ":  type a command (help lists them), or press n to step"
					 : ":  type a command (help lists them)");
		curs_set(0);
		return;
	}
	const char *line = rl_line_buffer ? rl_line_buffer : "";
	int point = rl_point;
	/* Scroll horizontally so the cursor stays on screen. */
	int w = t->cols - 2, start = 0;
	char pre[4096];
	for (;;) {
		int n = point - start;
		n = n < 0 ? 0 : n >= (int)sizeof pre ? (int)sizeof pre - 1 : n;
		memcpy(pre, line + start, (size_t)n);
		pre[n] = 0;
		if (text_width(pre) < w - 1 || start >= point)
			break;
		uint32_t cp;
		size_t k = utf8_decode(line + start, strlen(line + start), &cp);
		start += k ? (int)k : 1;
	}
	attr_t a = palette_ui(&t->pal, PAL_TEXT) | A_BOLD;
	tui_put(t, r.y, 0, 1, a, ":");
	tui_put(t, r.y, 1, w, palette_ui(&t->pal, PAL_TEXT), line + start);
	int cx = 1 + text_width(pre);
	curs_set(1);
	move(r.y, cx < t->cols ? cx : t->cols - 1);
}

static void on_line(char *line)
{
	struct tui *t = rl_tui;
	if (!t)
		return;
	t->cmd_focus = 0;
	t->rl_matches[0] = 0;
	if (!line) /* Ctrl-D on an empty line */
		return;
	char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p) {
		add_history(line);
		if (t->history && t->hist_path[0] && append_history(1, t->hist_path) != 0)
			write_history(t->hist_path);
		/* tui.c runs it when the key is handled: readline only edits */
		free(t->rl_line);
		t->rl_line = line;
		return;
	}
	free(line);
}

/* Completion from the command table: commands, trace names, stages,
 * models, lessons. */
static char **complete(const char *text, int start, int end)
{
	(void)start;
	struct tui *t = rl_tui;
	rl_attempted_completion_over = 1; /* never fall back to file names */
	if (!t)
		return NULL;
	char before[4096];
	int n = end < (int)sizeof before ? end : (int)sizeof before - 1;
	memcpy(before, rl_line_buffer, (size_t)n);
	before[n] = 0;
	struct strlist c = {0};
	commands_complete(t->cmds, &t->ctx, before, &c);
	/* readline's word may start later than ours (a quote): keep those
	 * candidates that extend what it sees. */
	size_t tl = strlen(text);
	size_t k = 0;
	for (size_t i = 0; i < c.n; i++)
		if (strncmp(c.v[i], text, tl) == 0)
			c.v[k++] = c.v[i];
		else
			free(c.v[i]);
	c.n = k;
	if (!c.n) {
		strlist_release(&c);
		return NULL;
	}
	char **m = calloc(c.n + 2, sizeof *m);
	if (!m) {
		strlist_release(&c);
		return NULL;
	}
	/* m[0] is what replaces the word: the longest common prefix. */
	size_t lcp = strlen(c.v[0]);
	for (size_t i = 1; i < c.n; i++) {
		size_t j = 0;
		while (j < lcp && c.v[i][j] == c.v[0][j])
			j++;
		lcp = j;
	}
	m[0] = strndup(c.v[0], lcp);
	if (c.n == 1) {
		const char *only = c.v[0];
		size_t ol = strlen(only);
		/* A dotted level or a folder continues: no space after it. */
		rl_completion_suppress_append = ol && (only[ol - 1] == '.' || only[ol - 1] == '/');
		free(c.v[0]);
	} else {
		for (size_t i = 0; i < c.n; i++)
			m[i + 1] = c.v[i];
	}
	free(c.v);
	return m;
}

static void show_matches(char **matches, int n, int maxlen)
{
	(void)maxlen;
	struct tui *t = rl_tui;
	if (!t)
		return;
	size_t o = 0;
	t->rl_matches[0] = 0;
	for (int i = 1; i <= n && o + 2 < sizeof t->rl_matches; i++)
		o += (size_t)snprintf(t->rl_matches + o, sizeof t->rl_matches - o, "%s%s", i > 1 ? "  " : "",
				      matches[i]);
}

static void history_path(struct tui *t)
{
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	char dir[PATH_MAX];
	t->hist_path[0] = 0;
	if (xdg && xdg[0] == '/')
		snprintf(dir, sizeof dir, "%s/seqstep", xdg);
	else if (home && home[0])
		snprintf(dir, sizeof dir, "%s/.local/state/seqstep", home);
	else
		return;
	/* mkdir -p, 0700: the history is the user's own. */
	for (char *p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = 0;
			mkdir(dir, 0700);
			*p = '/';
		}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return;
	snprintf(t->hist_path, sizeof t->hist_path, "%s/history", dir);
}

void tui_rl_init(struct tui *t)
{
	rl_tui = t;
	rl_catch_signals = 0;
	rl_catch_sigwinch = 0;
	rl_change_environment = 0; /* LINES/COLUMNS in the environment would freeze curses' size */
	rl_prep_term_function = no_prep;
	rl_deprep_term_function = no_deprep;
	rl_getc_function = feed_getc;
	rl_input_available_hook = feed_avail;
	rl_redisplay_function = redisplay;
	rl_attempted_completion_function = complete;
	rl_completion_display_matches_hook = show_matches;
	rl_readline_name = "seqstep";
	/* Nothing readline prints may reach the curses terminal. */
	rl_null = fopen("/dev/null", "w");
	if (rl_null)
		rl_outstream = rl_null;
	rl_variable_bind("bell-style", "none");
	rl_variable_bind("enable-bracketed-paste", "off");
	using_history();
	stifle_history(HISTORY_MAX);
	if (t->history) {
		history_path(t);
		if (t->hist_path[0])
			read_history(t->hist_path);
	}
	rl_callback_handler_install("", on_line);
	t->rl_ready = 1;
}

void tui_rl_close(struct tui *t)
{
	if (!t->rl_ready)
		return;
	rl_callback_handler_remove();
	if (t->history && t->hist_path[0])
		history_truncate_file(t->hist_path, HISTORY_MAX);
	clear_history();
	rl_tui = NULL;
	rl_outstream = stdout;
	if (rl_null)
		fclose(rl_null);
	rl_null = NULL;
	t->rl_ready = 0;
}

void tui_rl_cancel(struct tui *t)
{
	rl_replace_line("", 0);
	rl_point = rl_end = 0;
	using_history();
	t->cmd_focus = 0;
	t->rl_matches[0] = 0;
}

void tui_rl_key(struct tui *t, int ch, int is_key)
{
	t->rl_matches[0] = 0;
	if (is_key) {
		switch (ch) {
		case KEY_LEFT: rl_backward_char(1, 0); break;
		case KEY_RIGHT: rl_forward_char(1, 0); break;
		case KEY_UP: rl_get_previous_history(1, 0); break;
		case KEY_DOWN: rl_get_next_history(1, 0); break;
		case KEY_HOME: rl_beg_of_line(1, 0); break;
		case KEY_END: rl_end_of_line(1, 0); break;
		case KEY_DC: rl_delete(1, 0); break;
		case KEY_BACKSPACE: feed(127); return;
		case KEY_ENTER: feed('\n'); return;
		default: return;
		}
		redisplay();
		return;
	}
	if (ch == 27) {
		/* Esc alone leaves the command line; Esc then a key is Meta
		 * (Emacs M-b, M-f, M-d ...). */
		wtimeout(stdscr, 40);
		wint_t next;
		int r = wget_wch(stdscr, &next);
		wtimeout(stdscr, 200);
		if (r == ERR) {
			tui_rl_cancel(t);
			return;
		}
		feed(27);
		if (r == KEY_CODE_YES)
			return;
		ch = (int)next;
	}
	char mb[MB_LEN_MAX];
	mbstate_t st;
	memset(&st, 0, sizeof st);
	size_t n = wcrtomb(mb, (wchar_t)ch, &st);
	if (n == (size_t)-1)
		return;
	for (size_t i = 0; i < n && t->cmd_focus; i++)
		feed((unsigned char)mb[i]);
}

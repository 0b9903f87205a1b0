#include "tui/termcheck.h"

#include <curses.h>
#include <term.h>

int term_known(const char *term, int fd)
{
	int err = 0;
	TERMINAL *saved = cur_term;
	if (setupterm((char *)term, fd, &err) != OK)
		return 0;
	/* Only a probe: drop what setupterm loaded and put back the old one. */
	del_curterm(cur_term);
	set_curterm(saved);
	return 1;
}

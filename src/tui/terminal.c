/* terminal.c: whether the terminal the desk was started in can show it.
 *
 * initscr() on a TERM it does not know prints "Error opening terminal"
 * and exits the process; on one without cursor addressing ("dumb", the
 * Emacs shell, a serial console set up so) it draws one line over
 * another.  Asked first, the desk can say why it will not start and
 * what to do.  Kept apart from desk.c: <term.h> defines capability
 * names (lines, columns...) as macros. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <term.h>

#include <stdarg.h>

#include "tokendesk/text.h"
#include "tui/desk.h"

void desk_fail(const char *fmt, ...)
{
	char text[2048], shown[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	/* what is quoted (a terminal type, a path) is the caller's */
	td_printable(shown, sizeof shown, text);
	fprintf(stderr, "tokendesk: %s\n", shown);
}

static const char unknown_vi[] = "Không nhận ra loại màn hình; hãy chạy: "
                                 "TERM=xterm-256color tokendesk\n";

int desk_terminal_ok(void)
{
	const char *term = getenv("TERM"), *cup;
	int found = 0, addressable;

	if (!term || !*term) {
		desk_fail("TERM is not set, so the desk cannot tell what "
		            "terminal this is; try: TERM=xterm-256color tokendesk");
		fputs(unknown_vi, stderr);
		return 0;
	}
	if (setupterm(NULL, 1, &found) != OK) {
		desk_fail("the terminal type '%s' (TERM) is not known on this "
		            "machine; try: TERM=xterm-256color tokendesk", term);
		fputs(unknown_vi, stderr);
		return 0;
	}
	cup = tigetstr("cup");
	addressable = cup && cup != (const char *)-1;
	del_curterm(cur_term);
	cur_term = NULL;
	if (!addressable) {
		desk_fail("the terminal type '%s' cannot put text at a place on "
		            "the screen, which the desk needs; run it in a terminal "
		            "window, or use the commands (see `tokendesk --help`)",
		            term);
		return 0;
	}
	return 1;
}

/* tokendesk/desk.h: the full-screen desk (src/tui), the front end that
 * `tokendesk` with no command opens.
 *
 * The caller (src/cli/main.c) fills a session from the options and the
 * environment, checks with td_desk_check that the desk can run here,
 * opens the session's registry and hands it over; the desk opens the
 * token set through the session, and the caller closes the session
 * after td_desk_main returns.  Nothing here chooses an exit status. */
#ifndef TOKENDESK_DESK_H
#define TOKENDESK_DESK_H

struct td_session;

/* 0 when the desk can run in this process: standard input and output
 * are a terminal, the locale's characters are UTF-8, TERM names a known
 * terminal that can put text anywhere on the screen, and
 * $TOKENDESK_KEYS (a key script, for tests) is readable if set.  Else
 * TD_ERR_USAGE, having said why and what to do on stderr. */
int td_desk_check(void);

/* Run the desk on s (td_session_open done) until F10, q on the home
 * panel or a signal.  Returns 0; the number of the signal (SIGINT,
 * SIGTERM, SIGHUP) that ended it, the terminal restored; or a negative
 * td_code, having said why on stderr (the key script, the key log). */
int td_desk_main(struct td_session *s);

#endif

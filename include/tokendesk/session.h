/* tokendesk/session.h: what a front end works with, opened once: the
 * registry, the operator recorded in its audit rows, the place printed
 * on the records signed here, the token configuration and the token set.
 *
 * Both front ends (src/cli, one command per run, and src/tui, the desk)
 * fill one from their options and environment and open it the same way,
 * so a command and the desk see the same registry, operator and place
 * by the same rules.  The session borrows its strings and configuration
 * from the front end, which keeps them alive until td_session_close;
 * what it opens (the registry, the token set) it owns. */
#ifndef TOKENDESK_SESSION_H
#define TOKENDESK_SESSION_H

#include <stddef.h>

#include "tokendesk/error.h"

struct td_registry;
struct td_token_config;
struct td_tokens;

struct td_session {
	const char *db_path;                 /* the registry file */
	const char *operator_name;           /* goes on every audit row */
	const char *lang;                    /* "vi", "en", or NULL: the locale */
	const struct td_token_config *config;/* the --config file, or NULL */
	const char *const *modules;          /* --module paths (win over config) */
	size_t nmodules;
	struct td_registry *reg;             /* td_session_open; owned */
	struct td_tokens *tokens;            /* td_session_tokens; owned */
	void (*close_tokens)(struct td_tokens *); /* set with tokens */
};

/* Open s->reg at s->db_path with td_reg_open's flags, set the operator and
 * the configuration's busy-ms (the front end then sets how it shows a
 * wait: td_reg_set_busy).  An open session returns 0 at once.  0, or a
 * td_code with err filled and s->reg NULL. */
int td_session_open(struct td_session *s, int flags, struct td_error *err);

/* The token set (PKCS#11 modules: the --module ones, else the config
 * file's, else p11-kit's proxy; no_usb: no USB hot-plug), opened on the
 * first call and the same one after.  NULL with err filled when no
 * module loads (a desk still runs: it says why on its panel). */
struct td_tokens *td_session_tokens(struct td_session *s, int no_usb,
                                    struct td_error *err);

/* Where handovers are signed, printed on their records: given (--place)
 * when not NULL, else $TOKENDESK_PLACE when set and not empty, else the
 * config file's "place = ...", else NULL. */
const char *td_session_place(const struct td_session *s, const char *given);

/* Close what td_session_open and td_session_tokens opened (either may
 * not have been); the borrowed strings stay the front end's. */
void td_session_close(struct td_session *s);

/* The messages' language for the session: lang ("vi", "en") when not
 * NULL, else the locale as gettext reads it; the catalogues from
 * $TOKENDESK_LOCALEDIR, else the installed ones, else the build tree's.
 * Called before the first translated text (gettext caches the choice).
 * (session.c links the registry only; td_session_tokens, in its own
 * file, the token layer: the lean `tokendesk` does not link it.) */
void td_session_lang(const char *lang);
/* The folder td_session_lang binds the catalogues from. */
const char *td_session_catalogue_dir(void);

#endif

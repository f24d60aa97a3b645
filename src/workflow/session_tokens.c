/* session_tokens.c: a session's token set (tokendesk/session.h), apart
 * from session.c so that only the programs that open tokens link the
 * token layer (libp11, libusb): the lean `tokendesk` does not. */
#include <config.h>

#include "tokendesk/session.h"
#include "tokendesk/token.h"

struct td_tokens *td_session_tokens(struct td_session *s, int no_usb,
                                    struct td_error *err)
{
	if (!s->tokens) {
		s->tokens = td_tokens_open_with_config(s->modules, s->nmodules,
		                                       s->config, no_usb, err);
		s->close_tokens = td_tokens_close;
	}
	return s->tokens;
}


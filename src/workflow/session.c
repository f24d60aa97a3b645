/* session.c: the registry, operator and place a front end works with,
 * opened once (tokendesk/session.h); the token set is session_tokens.c's,
 * the language the last two functions here. */
#include <config.h>

#include <stdlib.h>
#include <unistd.h>
#if ENABLE_NLS
#include <libintl.h>
#endif

#include "tokendesk/registry.h"
#include "tokendesk/session.h"
#include "tokendesk/token.h"

int td_session_open(struct td_session *s, int flags, struct td_error *err)
{
	if (s->reg)
		return TD_OK;
	if (!(s->reg = td_reg_open(s->db_path, flags, err)))
		return err->code < 0 ? err->code : TD_ERR_IO;
	/* busy-ms in the config file; 0 when not set there: the default */
	td_reg_set_busy(s->reg, s->config ? s->config->busy_ms : 0, NULL, NULL);
	td_reg_set_operator(s->reg, s->operator_name);
	return TD_OK;
}

const char *td_session_place(const struct td_session *s, const char *given)
{
	const char *env = getenv("TOKENDESK_PLACE");

	if (given)
		return given;
	if (env && *env)
		return env;
	return s->config ? s->config->place : NULL;
}

void td_session_close(struct td_session *s)
{
	/* through the pointer td_session_tokens left: a program that never
	 * opens tokens (the lean tokendesk) does not link the token layer */
	if (s->tokens && s->close_tokens)
		s->close_tokens(s->tokens);
	s->tokens = NULL;
	td_reg_close(s->reg);
	s->reg = NULL;
}

const char *td_session_catalogue_dir(void)
{
	const char *env = getenv("TOKENDESK_LOCALEDIR");

	if (env && *env)
		return env;
	/* vi is the only translation, so its file tells */
	if (access(LOCALEDIR "/vi/LC_MESSAGES/" PACKAGE ".mo", R_OK) == 0)
		return LOCALEDIR;
	return TD_BUILD_LOCALEDIR;
}

void td_session_lang(const char *lang)
{
#if ENABLE_NLS
	/* before the first gettext call, which caches the choice */
	if (lang)
		setenv("LANGUAGE", lang, 1);
	bindtextdomain(PACKAGE, td_session_catalogue_dir());
	bind_textdomain_codeset(PACKAGE, "UTF-8");
#else
	(void)lang;
#endif
}

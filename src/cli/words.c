/* words.c: the registry's codes in the operator's words.  A code (an
 * action, a tag kind, a state) is its own English msgid: English output
 * keeps the codes scripts and docs know, Vietnamese output says them in
 * words ("change_info" -> "thay đổi thông tin"); --json keeps codes. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "tokendesk/plan.h"

#define N_(s) s

/* Every code a person may read; xgettext takes them through N_. */
static const char *const codes[] = {
	/* actions and tag kinds */
	N_("change_info"), N_("revoke"), N_("keep"), N_("collect"),
	N_("handover_dossiers"), N_("renew"), N_("recover_token"), N_("new_issue"),
	/* Decree 68 requests */
	N_("info_change"), N_("revocation"), N_("renewal"), N_("token_recovery"),
	/* tag states */
	N_("tagged"), N_("sent_to_dost"), N_("confirmed"),
	/* token states */
	N_("in_use"), N_("at_agency"), N_("at_dost"), N_("sent_to_ca"), N_("lost"),
	N_("damaged"),
	/* certificate states and kinds */
	N_("active"), N_("revoked"), N_("expired"), N_("org"), N_("person"),
	/* what a tag targets */
	N_("cert"), N_("token"), N_("agency"),
};

const char *td_cli_word(const char *code)
{
	for (size_t i = 0; code && i < sizeof codes / sizeof *codes; i++)
		if (strcmp(code, codes[i]) == 0)
			return td_cli_T(codes[i]);
	return code ? code : "";
}

int td_cli_speaks_other(void)
{
	static const char probe[] = "change_info";

	return td_cli_T(probe) != probe;
}

const char *td_cli_reason(const char *rule, const char *action, const char *reason,
                          char *buf, size_t size)
{
	const char *s = td_plan_rule_sentence(rule, action), *at;
	long line;

	/* English keeps the plan's own detailed reason */
	if (!s || !td_cli_speaks_other())
		return reason ? reason : "";
	if (reason && (at = strstr(reason, "plan line ")) &&
	    sscanf(at, "plan line %ld", &line) == 1) {
		char suffix[128];
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(suffix, sizeof suffix, td_cli_T(" (plan line %ld)"), line);
#pragma GCC diagnostic pop
		snprintf(buf, size, "%s%s", td_cli_T(s), suffix);
	} else {
		snprintf(buf, size, "%s", td_cli_T(s));
	}
	return buf;
}

void td_cli_snprintf(char *buf, size_t size, const char *en_fmt, ...)
{
	va_list ap;

	va_start(ap, en_fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, size, td_cli_T(en_fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

void td_cli_eprintf(const char *en_fmt, ...)
{
	va_list ap;

	va_start(ap, en_fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vfprintf(stderr, td_cli_T(en_fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

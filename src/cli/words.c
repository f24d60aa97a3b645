/* words.c: the registry's codes in the operator's words.  A code (an
 * action, a tag kind, a state) is its own English msgid: English output
 * keeps the codes scripts and docs know, Vietnamese output says them in
 * words ("change_info" -> "thay đổi thông tin"); --json keeps codes. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "tokendesk/handover.h"
#include "tokendesk/plan.h"
#include "tokendesk/text.h"

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
	N_("cert"), N_("token"), N_("agency"), N_("holder"), N_("dossier"),
	/* agency levels */
	N_("province"), N_("department"), N_("division"), N_("district"),
	N_("commune"), N_("other"),
	/* records, as "no certificate X" names them (registry/records.c) */
	N_("certificate"), N_("certificate with fingerprint"),
	/* counts: outcomes, states, scopes */
	N_("found"), N_("missing"), N_("unexpected"), N_("unknown"), N_("duplicate"),
	N_("closed"), N_("custodian"),
	/* dossier statuses */
	N_("open"), N_("submitted"), N_("done"), N_("cancelled"),
	/* proof of possession, as a custody event's remarks keep it */
	N_("matched"), N_("not_matched"),
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

const char *td_cli_time(const char *iso, char *buf, size_t size)
{
	/* TRANSLATORS: strftime format of a date and time */
	return td_local_time(iso, td_cli_T("%Y-%m-%d %H:%M"), buf, size);
}

const char *td_cli_date(const char *iso, char *buf, size_t size)
{
	/* TRANSLATORS: strftime format of a date */
	return td_date_text(iso, td_cli_T("%Y-%m-%d"), buf, size);
}

const char *td_cli_time_seconds(const char *iso, char *buf, size_t size)
{
	/* TRANSLATORS: strftime format of a date and time to the second */
	return td_local_time(iso, td_cli_T("%Y-%m-%d %H:%M:%S"), buf, size);
}

void td_cli_column(const char *s, int width)
{
	int pad = width - td_display_width(s ? s : "");

	printf("%s%*s", s ? s : "", pad > 1 ? pad : 1, "");
}

void td_cli_field(const char *en_label, const char *value)
{
	const char *label = td_cli_T(en_label);
	int pad = 14 - td_display_width(label);

	printf("  %s%*s%s\n", label, pad > 1 ? pad : 1, "", value && *value ? value : "-");
}

const char *td_cli_remarks(const char *stored, char *buf, size_t size)
{
	if (!stored || !td_cli_speaks_other())
		return stored ? stored : "";
	return td_custody_remarks_said(stored, td_cli_T, buf, size);
}

/* custodian.c: the written form of a custodian ("holder:ID",
 * "agency:CODE", "dost", "ca"), its check against the registry, and the
 * token state each kind of receiver implies. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"

/* The provincial focal point and the CA have no registry row. */
#define DOST_NAME "Sở Khoa học và Công nghệ"
#define CA_NAME "Ban Cơ yếu Chính phủ"

/* marks a text for xgettext; it is said through td_error_translate */
#define N_(s) s
static const char forms_en[] =
	N_("write a custodian as holder:ID, agency:CODE, dost or ca");
#define forms td_error_translate(forms_en)

/* Copy s without leading/trailing blanks into out; 0 or -1 if too long. */
static int copy_trimmed(const char *s, size_t n, char *out, size_t size)
{
	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= size)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

int td_custodian_parse(const char *text, struct td_custodian *out,
                       struct td_error *err)
{
	char buf[TD_CUSTODIAN_MAX];
	const char *colon;

	memset(out, 0, sizeof *out);
	if (!text || copy_trimmed(text, strlen(text), buf, sizeof buf) < 0 || !*buf)
		return td_error_set(err, TD_ERR_USAGE, "bad custodian \"%s\": %s",
		                    text ? text : "", forms);
	if (strcasecmp(buf, "dost") == 0) {
		out->kind = TD_CUSTODIAN_DOST;
		strcpy(out->text, "dost");
		return TD_OK;
	}
	if (strcasecmp(buf, "ca") == 0) {
		out->kind = TD_CUSTODIAN_CA;
		strcpy(out->text, "ca");
		return TD_OK;
	}
	colon = strchr(buf, ':');
	if (colon && colon - buf == 6 && strncasecmp(buf, "holder", 6) == 0)
		out->kind = TD_CUSTODIAN_HOLDER;
	else if (colon && colon - buf == 6 && strncasecmp(buf, "agency", 6) == 0)
		out->kind = TD_CUSTODIAN_AGENCY;
	else
		return td_error_set(err, TD_ERR_USAGE, "bad custodian \"%s\": %s", buf, forms);
	if (copy_trimmed(colon + 1, strlen(colon + 1), out->key, sizeof out->key) < 0 ||
	    !*out->key)
		return td_error_set(err, TD_ERR_USAGE, "bad custodian \"%s\": %s "
		                    "(the part after ':' is missing)", buf, forms);
	snprintf(out->text, sizeof out->text, "%s:%s",
	         out->kind == TD_CUSTODIAN_HOLDER ? "holder" : "agency", out->key);
	return TD_OK;
}

static void set_name(struct td_custodian *c, const char *name)
{
	snprintf(c->name, sizeof c->name, "%s", name ? name : "");
}

int td_custodian_resolve(struct td_registry *reg, const char *text,
                         struct td_custodian *out, struct td_error *err)
{
	struct td_holder h;
	struct td_agency a;
	int rc;

	if ((rc = td_custodian_parse(text, out, err)) < 0)
		return rc;
	switch (out->kind) {
	case TD_CUSTODIAN_DOST:
		set_name(out, DOST_NAME);
		return TD_OK;
	case TD_CUSTODIAN_CA:
		set_name(out, CA_NAME);
		return TD_OK;
	case TD_CUSTODIAN_AGENCY:
		rc = td_reg_get_agency(reg, out->key, &a, err);
		if (rc == TD_ERR_NOTFOUND)
			return td_error_set(err, rc, "no agency with code %s in the registry",
			                    out->key);
		if (rc < 0)
			return rc;
		set_name(out, a.name);
		td_agency_clear(&a);
		return TD_OK;
	case TD_CUSTODIAN_HOLDER:
		rc = td_reg_get_holder(reg, NULL, out->key, &h, err);
		if (rc == TD_ERR_NOTFOUND)
			return td_error_set(err, rc, "no holder with id %s in the registry",
			                    out->key);
		if (rc < 0)
			return rc;
		set_name(out, h.name);
		td_holder_clear(&h);
		return TD_OK;
	}
	return td_error_set(err, TD_ERR_INTERNAL, "custodian kind %d", (int)out->kind);
}

const char *td_custodian_state(enum td_custodian_kind kind)
{
	switch (kind) {
	case TD_CUSTODIAN_HOLDER: return "in_use";
	case TD_CUSTODIAN_AGENCY: return "at_agency";
	case TD_CUSTODIAN_DOST: return "at_dost";
	case TD_CUSTODIAN_CA: return "sent_to_ca";
	}
	return "in_use";
}

int td_token_state_valid(const char *state)
{
	static const char *const states[] = { "in_use", "at_agency", "at_dost",
	                                      "sent_to_ca", "lost", "damaged" };

	for (size_t i = 0; state && i < sizeof states / sizeof states[0]; i++)
		if (strcmp(state, states[i]) == 0)
			return 1;
	return 0;
}

const char *td_proof_name(enum td_proof p)
{
	switch (p) {
	case TD_PROOF_MATCHED: return "matched";
	case TD_PROOF_NOT_MATCHED: return "not_matched";
	case TD_PROOF_SKIPPED: break;
	}
	return "skipped";
}

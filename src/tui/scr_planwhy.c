/* scr_planwhy.c: why an action is in the plan, said in the desk's
 * language.  The workflow's reason is one English sentence with every
 * detail (event, plan line, codes); it stays the CLI's and the JSON's.
 * The Vietnamese desk says the same rule in a sentence of its own per
 * rule and action, from the catalogue, and adds the codes and date the
 * action carries.  An unknown rule keeps the workflow's sentence. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tui/plan.h"

static const struct {
	const char *rule, *action;   /* action NULL: any */
	const char *text;
} sentences[] = {
	{ "merge_new", "change_info", N_("The merged agencies take a new name: "
	  "this organisation certificate takes it (letter 1.1).") },
	{ "merge_new", "revoke", N_("The merged agencies take a new name: another "
	  "of their organisation certificates takes it, this one is revoked "
	  "(letter 1.1).") },
	{ "merge_keep", "keep", N_("Merged into an agency that keeps its name: "
	  "its certificate stays in use (letter 1.1).") },
	{ "merge_keep", "change_info", N_("Merged into an agency that keeps its "
	  "name, whose DN still changes: its information changes (letter 1.1).") },
	{ "merge_keep", "revoke", N_("Merged into another agency that keeps its "
	  "name: this certificate is no longer used and is revoked (letter 1.1).") },
	{ "merge_province", "revoke", N_("The province merges into another: the "
	  "merged province's certificate is revoked (letter 1.1).") },
	{ "merge_province", "keep", N_("The province merges into another: the "
	  "receiving province's certificate stays in use (letter 1.1).") },
	{ "merge_province", "change_info", N_("The province merges into another: "
	  "the DN changes (province and top agency), so the information changes "
	  "(letter 1.1).") },
	{ "abolish", NULL, N_("The agency ends as the district level is "
	  "abolished: its certificate is revoked (letter 1.1).") },
	{ "dissolve", NULL, N_("The agency is dissolved: its certificate is "
	  "revoked (letter 1.1).") },
	{ "superior_change", NULL, N_("A superior agency changes, so the DN "
	  "changes: the information changes (letter 1.1).") },
	{ "rename", NULL, N_("The agency or a superior is renamed, so the DN "
	  "changes: the information changes (letter 1.1).") },
	{ "official_info_change", NULL, N_("The official's agency changes, so "
	  "the DN changes: the information changes (letter 1.2).") },
	{ "transfer", NULL, N_("An updated list moved the official, or renamed or "
	  "moved the agency or a superior, and the issued certificate still names "
	  "the old: the information changes (letter 1.2).") },
	{ "holder_renamed", NULL, N_("The official's name in an updated list is not "
	  "the one the issued certificate names: the information changes (letter "
	  "1.2).") },
	{ "official_no_longer_needed", NULL, N_("The official no longer needs a "
	  "certificate after the reorganization: it is revoked (letter 1.2, "
	  "2.2).") },
	{ "official_agency_ceased", NULL, N_("The official's agency ends and no "
	  "agency takes its officials: the certificate is revoked (letter 1.2).") },
	{ "collect_token", NULL, N_("Its certificate is revoked: the token goes to "
	  "the managing agency, then to DOST and the CA (letter 2.1, 2.2).") },
	{ "dossier_handover", NULL, N_("The agency ends: its request dossiers go "
	  "to the receiving agency (letter 3.1, 3.2).") },
};

static const char *rule_sentence(const struct pact *x)
{
	if (!x->rule)
		return NULL;
	for (size_t i = 0; i < sizeof sentences / sizeof *sentences; i++)
		if (strcmp(sentences[i].rule, x->rule) == 0 &&
		    (!sentences[i].action ||
		     (x->action && strcmp(sentences[i].action, x->action) == 0)))
			return sentences[i].text;
	return NULL;
}

void plan_why(struct desk *d, const struct pact *x, char *out, size_t size)
{
	const char *text = d->vi ? rule_sentence(x) : NULL;

	if (!text) {
		snprintf(out, size, "%s", x->reason ? x->reason : "");
		return;
	}
	if (x->effective_date && *x->effective_date)
		/* xgettext:c-format */
		Tf(out, size, "%s Effective %s.", T(text), x->effective_date);
	else
		snprintf(out, size, "%s", T(text));
}

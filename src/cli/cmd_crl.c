/* cmd_crl.c: tokendesk crl import [--ca FILE] CRL: confirm revocations
 * from the CA's CRL, after checking its signature with a pinned CA key;
 * tokendesk crl trust add|list|remove: the pinned CAs. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/crl.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"

#define MAX_CA 16

/* Names from a certificate or CRL are the issuer's text: shown, not sent
 * (an ESC in a forged CA's name must not rewrite the terminal). */
static const char *shown(const char *s, char *buf, size_t size)
{
	td_printable(buf, size, s ? s : "?");
	return buf;
}

static void crl_help(void)
{
	fputs(td_cli_T("Usage: tokendesk crl import [--ca CAFILE...] [--verbose] CRLFILE\n"
	       "       tokendesk crl trust add CAFILE\n"
	       "       tokendesk crl trust list [--json]\n"
	       "       tokendesk crl trust remove ID|SHA256\n"
	       "A CRL is accepted only when a pinned CA signed it: pin the CA's\n"
	       "certificate (PEM or DER) once with `crl trust add`, after checking\n"
	       "its SHA-256 fingerprint with the CA.  A --ca certificate may be\n"
	       "given with the CRL (an intermediate CA); it must be pinned or be\n"
	       "signed by a pinned CA.  A certificate or CRL that bears a pinned\n"
	       "CA's name with another key is refused (exit 77) and both\n"
	       "fingerprints are shown.\n"
	       "Import marks every listed certificate revoked on its revocation\n"
	       "date, confirms its revoke tag, warns about certificates tagged\n"
	       "keep or change_info, and counts the certificates tagged for\n"
	       "revocation that the CRL does not list yet (--verbose lists them).  The same CRL (issuer\n"
	       "and CRL number) is applied once; an older CRL number is noted.\n"),
	      stdout);
}

/* In the operator's language (po/vi.po): a warning must be understood. */
static void print_report(const struct td_crl_report *rep, int quiet, int verbose)
{
	char issuer[sizeof rep->issuer * 2], holder[1024], at[64];

	shown(rep->issuer, issuer, sizeof issuer);
	if (rep->duplicate) {
		/* when, in local time as the reader writes it */
		td_cli_printf("CRL number %s of %s was imported already (%s); nothing "
		              "changed\n", rep->number, issuer,
		              td_cli_time(rep->duplicate_at, at, sizeof at));
		return;
	}
	if (!quiet)
		td_cli_printf("CRL of %s, %s: %ld listed; %ld newly revoked, %ld "
		              "already revoked, %ld not in the registry\n", issuer,
		              rep->this_update, rep->entries, rep->marked, rep->already,
		              rep->unknown);
	if (rep->higher[0])
		td_cli_printf("note: CRL number %s is older than number %s of this CA "
		              "imported before; the list below is against this older "
		              "one\n", rep->number, rep->higher);
	if (rep->newer[0])
		td_cli_printf("note: a newer CRL of this CA (%s) was imported before; "
		              "the list below is against this older one\n", rep->newer);
	for (size_t i = 0; i < rep->nwarnings; i++) {
		const struct td_crl_warning *w = &rep->warnings[i];
		td_cli_printf("warning: certificate %s (%s) is tagged %s, but the CA "
		              "revoked it on %s\n", w->serial,
		              shown(w->holder, holder, sizeof holder), td_cli_word(w->tag),
		              w->revoked_at);
	}
	/* counted every time; listed on demand (a province's 150 lines,
	 * every import, buried the news) */
	if (rep->nmissing && verbose)
		td_cli_nprintf("%zu certificate tagged for revocation is not in this "
		               "CRL:\n", "%zu certificates tagged for revocation are not "
		               "in this CRL:\n", rep->nmissing, rep->nmissing);
	else if (rep->nmissing)
		td_cli_nprintf("%zu certificate tagged for revocation is not in this "
		               "CRL yet (--verbose lists it)\n", "%zu certificates tagged "
		               "for revocation are not in this CRL yet (--verbose lists "
		               "them)\n", rep->nmissing, rep->nmissing);
	for (size_t i = 0; verbose && i < rep->nmissing; i++)
		td_cli_printf("  missing %s\n", rep->missing[i]);
}

static int crl_import(struct td_cli *cli, const char *path,
                      const char *const *cas, size_t nca, int verbose)
{
	struct td_crl_report rep;
	struct td_registry *reg;
	struct td_error err;
	int status = EX_OK, rc;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	rc = td_crl_import(reg, path, cas, nca, &rep, &err);
	if (rc < 0)
		td_cli_print_error(&err);
	else
		print_report(&rep, cli->quiet, verbose);
	td_crl_report_free(&rep);
	return td_cli_status(rc);
}

static int list_one(const struct td_crl_ca *ca, void *ctx)
{
	json_t *arr = ctx;

	if (arr) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(ca->id));
		json_object_set_new(o, "subject", td_json_str(ca->subject));
		json_object_set_new(o, "cert_sha256", td_json_str(ca->cert_sha256));
		json_object_set_new(o, "key_sha256", td_json_str(ca->key_sha256));
		json_object_set_new(o, "added_at", td_json_str(ca->added_at));
		json_object_set_new(o, "added_by", td_json_str(ca->added_by));
		json_array_append_new(arr, o);
		return 0;
	}
	char subject[1024], by[512], at[64];

	td_cli_printf("%lld  %s\n    certificate SHA-256 %s\n    key SHA-256 %s\n"
	              "    pinned %s by %s\n", (long long)ca->id,
	       shown(ca->subject, subject, sizeof subject), ca->cert_sha256,
	       ca->key_sha256, td_cli_time(ca->added_at, at, sizeof at),
	       shown(ca->added_by, by, sizeof by));
	return 0;
}

static int trust_list(struct td_registry *reg, int json)
{
	json_t *arr = json ? json_array() : NULL;
	struct td_error err;
	int rc = td_reg_crl_trust_each(reg, list_one, arr, &err);

	if (rc < 0)
		td_cli_print_error(&err);
	else if (arr)
		td_json_print(arr);
	json_decref(arr);
	return td_cli_status(rc);
}

static int crl_trust(struct td_cli *cli, const char *verb, const char *arg,
                     int json)
{
	struct td_registry *reg;
	struct td_crl_pin pin;
	struct td_error err;
	char subject[1024];
	int status = EX_OK, rc, added = 0;

	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (strcmp(verb, "list") == 0)
		return trust_list(reg, json);
	if (strcmp(verb, "add") == 0)
		rc = td_crl_trust_add(reg, arg, &pin, &added, &err);
	else
		rc = td_crl_trust_remove(reg, arg, &pin, &err);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	td_cli_printf("%s %s\n    certificate SHA-256 %s\n    key SHA-256 %s\n",
	       strcmp(verb, "remove") == 0 ? td_cli_T("unpinned") : added ?
	       td_cli_T("pinned") : td_cli_T("pinned already (nothing changed):"),
	       shown(pin.subject, subject, sizeof subject), pin.cert_sha256,
	       pin.key_sha256);
	return EX_OK;
}

int td_cmd_crl(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ca", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *cas[MAX_CA];
	size_t nca = 0;
	int c, json = 0, nargs, verbose = 0;

	while ((c = td_cli_getopt(argc, argv, "c:jvh", opts)) != -1) {
		switch (c) {
		case 'c':
			if (nca == MAX_CA) {
				td_cli_fail("at most %d --ca files", MAX_CA);
				return EX_USAGE;
			}
			cas[nca++] = optarg;
			break;
		case 'j': json = 1; break;
		case 'v': verbose = 1; break;
		case 'h': crl_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	nargs = argc - optind;
	if (nargs == 2 && strcmp(argv[optind], "import") == 0 && !json)
		return crl_import(cli, argv[optind + 1], cas, nca, verbose);
	if (nca == 0 && nargs >= 2 && strcmp(argv[optind], "trust") == 0) {
		const char *verb = argv[optind + 1];
		if (nargs == 2 && strcmp(verb, "list") == 0)
			return crl_trust(cli, verb, NULL, json);
		if (nargs == 3 && !json && (strcmp(verb, "add") == 0 ||
		                            strcmp(verb, "remove") == 0))
			return crl_trust(cli, verb, argv[optind + 2], 0);
	}
	td_cli_fail("usage: crl import [--ca CAFILE] CRLFILE | crl trust add CAFILE"
	            " | crl trust list [--json] | crl trust remove ID|SHA256");
	return EX_USAGE;
}

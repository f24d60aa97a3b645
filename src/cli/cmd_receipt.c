/* cmd_receipt.c: tokendesk receipt NUMBER [--pdf FILE]: print a handover's
 * record ("Biên bản bàn giao") again, as text or as a PDF; --list lists
 * the handovers. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/handover.h"
#include "tokendesk/registry.h"

/* "Sở Nội vụ (agency:TQ.SNV2)"; DOST and the CA by name alone (there is
 * one of each); the custodian alone when unnamed. */
static const char *party(const char *custodian, const char *name, char *buf,
                         size_t size)
{
	if (name && *name && !strchr(custodian, ':'))
		snprintf(buf, size, "%s", name);
	else if (name && *name)
		snprintf(buf, size, "%s (%s)", name, custodian);
	else
		snprintf(buf, size, "%s", custodian);
	return buf;
}

static int list_one(const struct td_handover_row *h, void *ctx)
{
	json_t *arr = ctx, *o;

	if (!arr && td_cli_speaks_other()) {
		/* translated: the parties by name, their custodian beside it
		 * as the record has them (two merged provinces each had a
		 * "Sở Nội vụ"); the kind padded by display width */
		char at[64], from[1024], to[1024];
		printf("%-13s %-17s ", h->number, td_cli_time(h->at, at, sizeof at));
		td_cli_column(td_cli_word(h->kind), 8);
		printf("%s -> %s\n", h->from_custodian
		       ? party(h->from_custodian, h->from_name, from, sizeof from)
		       : td_cli_T("(various)"),
		       party(h->to_custodian, h->to_name, to, sizeof to));
		return 0;
	}
	if (!arr) {
		char at[64];
		printf("%-13s %-20s %-7s %s -> %s\n", h->number,
		       td_cli_time(h->at, at, sizeof at), td_cli_word(h->kind),
		       h->from_custodian ? h->from_custodian : td_cli_T("(various)"),
		       h->to_custodian);
		return 0;
	}
	o = json_object();
	json_object_set_new(o, "number", td_json_str(h->number));
	json_object_set_new(o, "kind", td_json_str(h->kind));
	json_object_set_new(o, "at", td_json_str(h->at));
	json_object_set_new(o, "place", td_json_str(h->place));
	json_object_set_new(o, "operator", td_json_str(h->operator_name));
	json_object_set_new(o, "from", td_json_str(h->from_custodian));
	json_object_set_new(o, "to", td_json_str(h->to_custodian));
	json_array_append_new(arr, o);
	return 0;
}

/* receipt --list: the handovers, newest first. */
static int list(struct td_registry *reg, int json)
{
	struct td_error err;
	json_t *arr = json ? json_array() : NULL;
	int rc = td_reg_each_handover(reg, list_one, arr, &err);

	if (rc == TD_OK && arr)
		td_json_print(arr);
	json_decref(arr);
	if (rc < 0)
		td_cli_print_error(&err);
	return td_cli_status(rc);
}

int td_cmd_receipt(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pdf", required_argument, NULL, 'P' },
		{ "list", no_argument, NULL, 'l' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "sign", required_argument, NULL, 'S' },
		{ "pin-fd", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "verify", required_argument, NULL, 'V' },
		{ "qr", required_argument, NULL, 'Q' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pdf = NULL, *sign = NULL, *verify = NULL, *qr = NULL;
	long long pin_fd = -1;
	int force = 0;
	struct td_registry *reg;
	struct td_record rec;
	struct td_error err;
	int c, status, rc, listing = 0, json = 0;

	while ((c = td_cli_getopt(argc, argv, "P:ljh", opts)) != -1) {
		if (c == 'S') {
			sign = optarg;
		} else if (c == 'F') {
			if (td_cli_number("--pin-fd", optarg, 0, 1024, &pin_fd) < 0)
				return EX_USAGE;
		} else if (c == 'f') {
			force = 1;
		} else if (c == 'V') {
			verify = optarg;
		} else if (c == 'Q') {
			qr = optarg;
		} else if (c == 'P') {
			pdf = optarg;
		} else if (c == 'l') {
			listing = 1;
		} else if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			fputs(td_cli_T("Usage: tokendesk receipt NUMBER [--pdf FILE]\n"
			       "       tokendesk receipt NUMBER --pdf FILE --sign TOKEN "
			       "[--pin-fd N] [--force]\n"
			       "       tokendesk receipt NUMBER --verify FILE\n"
			       "       tokendesk receipt --qr TEXT\n"
			       "       tokendesk receipt --list [--json]\n"
			       "Print the record of handover NUMBER (e.g. BG-2026-0001, or its\n"
			       "id) as it was recorded: as text on standard output, or with\n"
			       "--pdf as an A4 PDF written to FILE (created mode 0600).  Every\n"
			       "PDF carries a QR code: the number and the SHA-256 of the content.\n"
			       "--sign signs the PDF with the token of serial TOKEN (PAdES, the\n"
			       "certificate's CN and O shown in the giver's or receiver's place);\n"
			       "when FILE exists and is this record, the signature is added to\n"
			       "the ones it has.  The PIN is read with no echo, or from file\n"
			       "descriptor N; a token at its final PIN try is used only with\n"
			       "--force.  --verify says whether FILE is this handover's record,\n"
			       "whether each signature is valid and whether each signer's\n"
			       "certificate is the giver's or the receiver's (exit 0 only when\n"
			       "all hold, 65 otherwise).  --qr checks the text a scanner read\n"
			       "from a printed record's QR code against the registry.\n"
			       "--list lists the handovers, newest first.\n"), stdout);
			return EX_OK;
		} else {
			return EX_USAGE;
		}
	}
	if (listing) {
		if (argc != optind || pdf) {
			td_cli_fail("usage: tokendesk receipt --list [--json]");
			return EX_USAGE;
		}
		if (!(reg = td_cli_registry(cli, 0, &status)))
			return status;
		return list(reg, json);
	}
	if (qr) {
		if (argc != optind || pdf || sign || verify) {
			td_cli_fail("usage: tokendesk receipt --qr TEXT");
			return EX_USAGE;
		}
		if (!(reg = td_cli_registry(cli, 0, &status)))
			return status;
		return td_cli_receipt_qr(cli, reg, qr);
	}
	if (argc - optind != 1 || (sign && !pdf) || (verify && (pdf || sign))) {
		td_cli_fail("usage: tokendesk receipt NUMBER [--pdf FILE [--sign TOKEN]] "
		            "| NUMBER --verify FILE");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_record_load(reg, argv[optind], &rec, &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (sign || verify) {
		status = sign ? td_cli_receipt_sign(cli, reg, &rec, pdf, sign, (int)pin_fd,
		                                    force)
		              : td_cli_receipt_verify(cli, reg, &rec, verify);
		td_record_clear(&rec);
		return status;
	}
	rc = pdf ? td_record_write_pdf(&rec, NULL, pdf, &err) :
	           td_record_write_text(&rec, stdout, &err);
	td_record_clear(&rec);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (pdf && !cli->quiet)
		td_cli_eprintf("tokendesk: record written to %s\n", pdf);
	return EX_OK;
}

/* cmd_handover.c: tokendesk handover --to CUSTODIAN [--from ...] TOKEN...
 * All tokens of one command are one handover: one number, one
 * transaction, all or nothing.  Also the parts shared with
 * `dossier handover`: the place, committing and reporting. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/handover.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"

/* ---- shared with cmd_dossier.c --------------------------------------------- */

int td_cli_handover_commit(struct td_cli *cli, struct td_handover *h,
                           const char *pdf, int json)
{
	char number[TD_HANDOVER_NUMBER_MAX];
	struct td_error err;
	struct td_record rec;
	int rc;

	/* an output that will be refused is refused before the handover */
	if (pdf && strcmp(pdf, "-") != 0 &&
	    (rc = td_outfile_check(pdf, &err)) < 0) {
		td_cli_print_error(&err);
		td_cli_fail("nothing was written");
		return td_cli_status(rc);
	}
	if ((rc = td_handover_commit(h, number, NULL, &err)) < 0) {
		td_cli_print_error(&err);
		td_cli_fail("nothing was written");
		return td_cli_status(rc);
	}
	if (pdf) {
		if ((rc = td_record_load(cli->session.reg, number, &rec, &err)) == TD_OK) {
			rc = td_record_write_pdf(&rec, NULL, pdf, &err);
			td_record_clear(&rec);
		}
		if (rc < 0) {
			td_cli_print_error(&err);
			td_cli_fail("handover %s was recorded; print its record with "
			            "`tokendesk receipt %s --pdf FILE`", number, number);
			return td_cli_status(rc);
		}
	}
	if (json) {
		json_t *o = json_object();
		json_object_set_new(o, "number", json_string(number));
		json_object_set_new(o, "items", json_integer((json_int_t)td_handover_count(h)));
		json_object_set_new(o, "pdf", pdf ? json_string(pdf) : json_null());
		td_json_print(o);
		json_decref(o);
	} else if (!cli->quiet) {
		if (td_handover_kind(h) == TD_HANDOVER_TOKENS)
			td_cli_printf("Handover %s: %zu token(s) recorded.\n", number,
			              td_handover_count(h));
		else
			td_cli_printf("Handover %s: %zu dossier(s) recorded.\n", number,
			              td_handover_count(h));
		if (pdf)
			td_cli_printf("Record (PDF): %s\n", pdf);
		td_cli_printf("Record: tokendesk receipt %s [--pdf FILE]\n", number);
	}
	return EX_OK;
}

/* ---- handover ------------------------------------------------------------- */

struct opts {
	const char *to, *from, *remarks, *condition, *place, *state, *pdf;
	const char *reason;         /* --reason: why a step off the path */
	int force, json, pin_fd;    /* pin_fd -1: no proof of possession */
};

static int usage(int status)
{
	FILE *f = status == EX_OK ? stdout : stderr;

	fputs(td_cli_T("Usage: tokendesk handover --to CUSTODIAN [--from CUSTODIAN]\n"
	        "         [--condition TEXT] [--remarks TEXT] [--place TEXT]\n"
	        "         [--state lost|damaged] [--pin-fd N] [--force [--reason TEXT]]\n"
	        "         [--pdf FILE] [--json] TOKEN...\n"
	        "Hand tokens over to a custodian in one handover (one number, one\n"
	        "transaction: all tokens or none).  A custodian is written\n"
	        "holder:ID, agency:CODE, dost or ca.  The tokens' new state follows\n"
	        "from the receiver (holder: in_use, agency: at_agency, dost: at_dost,\n"
	        "ca: sent_to_ca); --state lost or --state damaged overrides it.\n"
	        "--from (default: each token's custodian in the registry) names who\n"
	        "hands over; a token the registry shows with someone else is refused\n"
	        "unless --force.  TOKEN '-' reads serials from standard input, one a\n"
	        "line (at a terminal: scan them, then Ctrl-D).  The place comes from\n"
	        "--place, $TOKENDESK_PLACE or the line 'place = ...' of the --config\n"
	        "file.  Print the record again with `tokendesk receipt NUMBER`.\n"
	        "--pin-fd N proves possession of each token first: it must be\n"
	        "inserted; its PIN is read from descriptor N, one line per token in\n"
	        "the order given, and the token signs a challenge its certificate\n"
	        "verifies.  A wrong PIN, a key that does not match, a locked PIN or a\n"
	        "token at its final PIN try (the PIN is then not even read) refuses\n"
	        "the handover; --force tries the final try and records a failed\n"
	        "proof instead of refusing.\n"
	        "A token travels official -> managing agency -> provincial DOST -> CA\n"
	        "(agency -> agency for a merger; agency -> holder gives a token to\n"
	        "its holder).  A step that skips or goes against that path, or that\n"
	        "hands a token with an active certificate to someone other than its\n"
	        "holder, is refused (exit 65) unless --force --reason TEXT: the\n"
	        "reason is written on the record.\n"), f);
	return status;
}

static int parse(int argc, char **argv, struct opts *o)
{
	static const struct option longopts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "from", required_argument, NULL, 'f' },
		{ "remarks", required_argument, NULL, 'r' },
		{ "condition", required_argument, NULL, 'c' },
		{ "place", required_argument, NULL, 'p' },
		{ "state", required_argument, NULL, 's' },
		{ "pdf", required_argument, NULL, 'P' },
		{ "force", no_argument, NULL, 'F' },
		{ "reason", required_argument, NULL, 'R' },
		{ "json", no_argument, NULL, 'j' },
		{ "pin-fd", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	long fd;
	int c;

	o->pin_fd = -1;
	while ((c = td_cli_getopt(argc, argv, "t:f:r:c:p:s:P:Fjh", longopts)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'f': o->from = optarg; break;
		case 'r': o->remarks = optarg; break;
		case 'c': o->condition = optarg; break;
		case 'p': o->place = optarg; break;
		case 's': o->state = optarg; break;
		case 'P': o->pdf = optarg; break;
		case 'F': o->force = 1; break;
		case 'R': o->reason = optarg; break;
		case 'j': o->json = 1; break;
		case 'n':
			fd = strtol(optarg, &end, 10);
			if (*end || end == optarg || fd < 0 || fd > 1024) {
				td_cli_fail("--pin-fd needs a file descriptor number");
				return EX_USAGE;
			}
			o->pin_fd = (int)fd;
			break;
		case 'h': usage(EX_OK); return -1;   /* -1: done, exit 0 */
		default: return EX_USAGE;
		}
	}
	if (!o->to || optind >= argc) {
		td_cli_fail("handover needs --to CUSTODIAN and at least one token");
		return EX_USAGE;
	}
	if (o->reason && !o->force) {
		td_cli_fail("--reason goes with --force (the reason a step off the path is forced)");
		return EX_USAGE;
	}
	if (o->state && strcmp(o->state, "lost") != 0 && strcmp(o->state, "damaged") != 0) {
		td_cli_fail("--state takes lost or damaged (other states follow from --to)");
		return EX_USAGE;
	}
	return EX_OK;
}

/* Set up the batch; prints the error and returns a status, or EX_OK. */
static int setup(struct td_cli *cli, struct td_handover *h, const struct opts *o)
{
	struct td_error err;
	int rc;

	td_handover_set_force(h, o->force);
	if ((rc = td_handover_set_to(h, o->to, &err)) < 0 ||
	    (o->from && (rc = td_handover_set_from(h, o->from, &err)) < 0) ||
	    (rc = td_handover_set_condition(h, o->condition, &err)) < 0 ||
	    (rc = td_handover_set_remarks(h, o->remarks, &err)) < 0 ||
	    (rc = td_handover_set_reason(h, o->reason, &err)) < 0 ||
	    (rc = td_handover_set_state(h, o->state, &err)) < 0 ||
	    (rc = td_handover_set_place(h, td_session_place(td_cli_session(cli), o->place),
	                                &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	return EX_OK;
}

/* Add one serial; report a refusal; returns the error code or 0. */
static int add_one(struct td_handover *h, const char *serial)
{
	struct td_error err;
	int rc = td_handover_add_token(h, serial, &err);

	if (rc < 0)
		td_cli_fail("%s%s", err.message, rc == TD_ERR_CONFLICT &&
		            strstr(err.message, td_cli_T("in the custody of"))
		            ? td_cli_T(" (--force to hand it over anyway)") : "");
	return rc < 0 ? rc : 0;
}

/* Serials from standard input, a line each: a file, a pipe, or a
 * barcode scanner at the terminal, which is then told how to finish. */
static int add_stdin(struct td_handover *h)
{
	char *line = NULL;
	size_t size = 0;
	int worst = 0;

	if (isatty(STDIN_FILENO))
		fputs(td_cli_T("Scan or type the token serials, one a line; Ctrl-D "
		               "when done.\n"), stderr);
	while (getline(&line, &size, stdin) > 0) {
		int rc;
		if (!*td_trim(line))
			continue;
		if ((rc = add_one(h, line)) < 0 && !worst)
			worst = rc;
	}
	free(line);
	return worst;
}

int td_cmd_handover(struct td_cli *cli, int argc, char **argv)
{
	struct opts o = { 0 };
	struct td_registry *reg;
	struct td_handover *h;
	struct td_error err;
	int status, worst = 0;

	if ((status = parse(argc, argv, &o)) != EX_OK)
		return status < 0 ? EX_OK : status;
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (!(h = td_handover_new(reg, TD_HANDOVER_TOKENS, &err))) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	if ((status = setup(cli, h, &o)) == EX_OK) {
		/* Check every token before giving up, so one run names them all. */
		for (int i = optind; i < argc; i++) {
			int rc = strcmp(argv[i], "-") == 0 ? add_stdin(h) : add_one(h, argv[i]);
			if (rc < 0 && !worst)
				worst = rc;
		}
		/* Prove possession only once every token was accepted, so no
		 * PIN is asked for a handover that cannot happen. */
		if (worst == 0 && o.pin_fd >= 0)
			worst = td_cli_handover_prove(cli, h, o.pin_fd, o.force);
		if (worst < 0) {
			td_cli_fail("nothing was written");
			status = td_cli_status(worst);
		} else {
			status = td_cli_handover_commit(cli, h, o.pdf, o.json);
		}
	}
	td_handover_free(h);
	return status;
}

/* cmd_verify_token.c: tokendesk verify-token SERIAL - proof of possession:
 * the token signs a fresh challenge with its private key, and the
 * certificate's public key verifies it.
 *
 * The PIN comes from the terminal (no echo) or --pin-fd N, never from
 * argv or the environment, and lives only in a secure buffer. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "tokendesk/secmem.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"

struct verify_args {
	const char *serial, *cert;  /* serial: as typed */
	char shown[128];            /* the serial as the token gives it */
	int pin_fd, force, json, no_usb;
};

static int parse_fd(const char *s, int *fd)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 0 || v > 1024)
		return -1;
	*fd = (int)v;
	return 0;
}

static int parse_args(int argc, char **argv, struct verify_args *a)
{
	static const struct option opts[] = {
		{ "pin-fd", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "cert", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(a, 0, sizeof *a);
	a->pin_fd = -1;
	td_cli_getopt_reset();
	while ((c = td_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'p':
			if (parse_fd(optarg, &a->pin_fd) != 0) {
				td_cli_fail("verify-token: --pin-fd needs a file descriptor number");
				return EX_USAGE;
			}
			break;
		case 'f': a->force = 1; break;
		case 'c': a->cert = optarg; break;
		case 'j': a->json = 1; break;
		case 'h':
			fputs(td_cli_T("Usage: tokendesk verify-token SERIAL [--pin-fd N] [--force] "
			       "[--cert SERIAL] [--json]\n"
			       "Proof of possession: log in with the user PIN, sign a fresh random\n"
			       "challenge with the token's private key and verify it with the\n"
			       "certificate's public key.  The PIN is read with no echo from the\n"
			       "terminal, or from file descriptor N (--pin-fd) for scripts; never\n"
			       "from the command line or the environment.\n\n"
			       "  --cert SERIAL  which certificate on the token (default: the first)\n"
			       "  --force        log in even when the token says one wrong PIN\n"
			       "                 more locks it\n\n"
			       "Exit status: 0 key matches; 65 key does not match; 77 PIN wrong,\n"
			       "locked (token recovery needed) or final try refused; 69 token absent.\n"),
			      stdout);
			return TD_CLI_HELP_SHOWN;
		default: return EX_USAGE;
		}
	}
	if (optind + 1 != argc) {
		td_cli_fail("usage: tokendesk verify-token SERIAL [--pin-fd N] [--force] "
		            "[--cert SERIAL] [--json]");
		return EX_USAGE;
	}
	a->serial = argv[optind];
	/* Typed with colons or spaces, the token is named as scan names it
	 * (precheck: its own serial; until then the one spelling). */
	if (td_token_serial(a->serial, a->shown, sizeof a->shown) != 0)
		snprintf(a->shown, sizeof a->shown, "%s", a->serial);
	return EX_OK;
}

#define N_(s) s

/* What a person reads of a proof: the outcome codes (td_pop_outcome_name)
 * and the token layer's sentences (possession.c), each its own English
 * msgid: English output keeps them as they are, Vietnamese says them in
 * words; --json keeps them. */
static const char *const pop_words[] = {
	N_("key-matches"), N_("key-does-not-match"), N_("pin-wrong"), N_("pin-locked"),
	N_("final-try-refused"), N_("no-private-key"), N_("token-removed"),
};

const char *td_cli_pop_word(const char *code)
{
	for (size_t i = 0; code && i < sizeof pop_words / sizeof *pop_words; i++)
		if (strcmp(code, pop_words[i]) == 0)
			return td_cli_T(pop_words[i]);
	/* possession.c's details are marked there (N_) */
	return code && *code ? td_cli_T(code) : "";
}

static int outcome_status(enum td_pop_outcome o)
{
	switch (o) {
	case TD_POP_MATCH: return EX_OK;
	case TD_POP_MISMATCH: case TD_POP_NO_KEY: return EX_DATAERR;
	case TD_POP_REMOVED: return EX_UNAVAILABLE;
	default: return EX_NOPERM;
	}
}

static void print_result(const struct verify_args *a, const struct td_pop_result *r)
{
	if (a->json) {
		json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}",
		                      "token", a->shown,
		                      "outcome", td_pop_outcome_name(r->outcome),
		                      "certificate", r->cert_serial, "subject", r->subject,
		                      "key_type", r->key_type, "detail", r->detail);
		json_object_set_new(o, "tries_left", r->tries_left >= 0
		                    ? json_integer(r->tries_left) : json_null());
		json_dumpf(o, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(o);
		return;
	}
	td_cli_printf("token %s: %s\n", a->shown, td_cli_pop_word(td_pop_outcome_name(r->outcome)));
	if (r->cert_serial[0])
		td_cli_printf("  certificate %s (%s) %s\n", r->cert_serial, r->key_type,
		              r->subject);
	printf("  %s\n", td_cli_pop_word(r->detail));
	if (r->tries_left >= 0)
		td_cli_printf("  tries left: %d\n", r->tries_left);
	if (r->outcome == TD_POP_PIN_LOCKED)
		td_cli_printf("  token recovery needed: send a token recovery request "
		              "(khôi phục thiết bị lưu khóa bí mật) through DOST\n");
}

/* Look before asking for a PIN: no token, a locked PIN, or a final try
 * without --force are reported without touching the PIN at all. */
static int precheck(struct td_tokens *t, struct verify_args *a,
                    struct td_pop_result *r, int *decided)
{
	struct td_snap *s = NULL;
	const struct td_snap_token *tok;
	struct td_error err = { 0 };
	int status = EX_OK;

	*decided = 0;
	if (td_tokens_scan(t, &s, &err) != 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	if (!(tok = td_snap_find(s, a->serial, NULL))) {
		td_cli_fail("verify-token: no token with serial %s is present", a->serial);
		/* a module that stopped or failed is why, perhaps: say so */
		if (s->warnings)
			td_cli_eprintf("tokendesk: %s", s->warnings);
		status = EX_NOINPUT;
	}
	if (tok)
		snprintf(a->shown, sizeof a->shown, "%s", tok->serial);
	if (tok && ((tok->flags & TD_TOK_PIN_LOCKED) ||
	           ((tok->flags & TD_TOK_PIN_FINAL_TRY) && !a->force))) {
		/* td_token_prove refuses these without logging in. */
		if (td_token_prove(t, a->serial, tok->module, a->cert, NULL, a->force,
		                   r, &err) != 0) {
			td_cli_print_error(&err);
			status = td_cli_status(err.code);
		} else {
			*decided = 1;
		}
	}
	td_snap_free(s);
	return status;
}

static int prove(struct td_tokens *t, const struct verify_args *a,
                 struct td_pop_result *r)
{
	struct td_secbuf *pin = NULL;
	struct td_error err = { 0 };
	char prompt[160];
	int rc;

	td_cli_snprintf(prompt, sizeof prompt, "User PIN of token %s: ", a->shown);
	if (td_pin_read(a->pin_fd, prompt, &pin, &err) != 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	rc = td_token_prove(t, a->serial, NULL, a->cert, pin, a->force, r, &err);
	td_secbuf_free(pin);
	if (rc != 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	return EX_OK;
}

int td_cmd_verify_token(struct td_cli *cli, int argc, char **argv)
{
	struct verify_args a;
	struct td_pop_result r;
	struct td_tokens *t;
	struct td_error err = { 0 };
	int decided = 0, status = parse_args(argc, argv, &a);

	if (status == TD_CLI_HELP_SHOWN)
		return EX_OK;
	if (status != EX_OK)
		return status;
	t = td_session_tokens(td_cli_session(cli), 1, &err);
	if (!t) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	status = precheck(t, &a, &r, &decided);
	if (status == EX_OK && !decided)
		status = prove(t, &a, &r);
	if (status == EX_OK) {
		print_result(&a, &r);
		status = outcome_status(r.outcome);
	}
	return status;
}

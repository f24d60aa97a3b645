/* cmd_receipt_sign.c: receipt NUMBER --pdf FILE --sign TOKEN (a signed
 * record), receipt NUMBER --verify FILE, receipt --qr TEXT (what a
 * scanner read off a paper).  The PIN rules are verify-token's: no echo,
 * or --pin-fd N; a final try only with --force; never on argv. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "tokendesk/secmem.h"
#include "tokendesk/token.h"

/* Look before reading a PIN: a locked PIN or an unforced final try is
 * refused without one (signing with pin NULL says which). */
static int pin_needed(struct td_tokens *t, const char *serial, int force)
{
	struct td_snap *s = NULL;
	struct td_error err;
	const struct td_snap_token *tok;
	int needed = 1;

	if (td_tokens_scan(t, &s, &err) == 0 && (tok = td_snap_find(s, serial, NULL)))
		needed = !((tok->flags & TD_TOK_PIN_LOCKED) ||
		           ((tok->flags & TD_TOK_PIN_FINAL_TRY) && !force));
	td_snap_free(s);
	return needed;
}

int td_cli_signer_open(struct td_cli *cli, const char *serial, int pin_fd,
                       int force, struct td_tokens **t, struct td_secbuf **pin)
{
	struct td_error err;
	char prompt[160];

	*pin = NULL;
	*t = td_tokens_open_with_config(cli->modules, (size_t)cli->nmodules,
	                                &cli->config, 1, &err);
	if (!*t) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	if (!pin_needed(*t, serial, force))
		return EX_OK;
	td_cli_snprintf(prompt, sizeof prompt, "User PIN of token %s: ", serial);
	if (td_pin_read(pin_fd, prompt, pin, &err) != 0) {
		td_tokens_close(*t);
		*t = NULL;
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	return EX_OK;
}

int td_cli_not_signed(const char *serial, const struct td_pop_result *res)
{
	td_cli_fail("not signed: token %s: %s (%s)", serial,
	            td_cli_pop_word(td_pop_outcome_name(res->outcome)),
	            td_cli_pop_word(res->detail));
	switch (res->outcome) {
	case TD_POP_NO_KEY: case TD_POP_MISMATCH: return EX_DATAERR;
	case TD_POP_REMOVED: return EX_UNAVAILABLE;
	default: return EX_NOPERM;
	}
}

int td_cli_receipt_sign(struct td_cli *cli, struct td_registry *reg,
                        const struct td_record *rec, const char *pdf,
                        const char *serial, int pin_fd, int force)
{
	struct td_secbuf *pin;
	struct td_pop_result res;
	struct td_tokens *t;
	struct td_error err;
	int rc = td_cli_signer_open(cli, serial, pin_fd, force, &t, &pin);

	if (rc != EX_OK)
		return rc;
	rc = td_record_sign(reg, rec, pdf, t, serial, pin, force, &res, &err);
	td_secbuf_free(pin);
	td_tokens_close(t);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (res.outcome != TD_POP_MATCH)
		return td_cli_not_signed(serial, &res);
	if (!cli->quiet)
		td_cli_eprintf("tokendesk: record %s signed with certificate %s (%s), "
		               "written to %s\n", rec->number, res.cert_serial, res.subject,
		               pdf);
	return EX_OK;
}

static const char *party_name(int party)
{
	return party == 1 ? td_cli_T("the giver") : party == 2 ? td_cli_T("the receiver")
	       : td_cli_T("neither the giver nor the receiver");
}

static void print_sig(const struct td_record_sig_check *s, size_t n, int last,
                      const char *number)
{
	td_cli_printf("  signature %zu: %s; by %s (%s), certificate %s: %s\n", n,
	              s->valid ? td_cli_T("valid") : td_cli_T("INVALID"), s->signer_cn,
	              s->signer_o, s->signer_serial, party_name(s->party));
	if (!s->valid)
		printf("    %s\n", s->detail);
	else if (!s->trusted)
		td_cli_printf("    its certificate was not issued by a CA pinned with "
		              "`tokendesk crl trust add`\n");
	if (!s->registered)
		td_cli_printf("    this signed file is not one the registry recorded for %s\n",
		              number);
	if (last && !s->covers_all)
		td_cli_printf("    the file was changed after its last signature\n");
}

int td_cli_receipt_verify(struct td_cli *cli, struct td_registry *reg,
                          const struct td_record *rec, const char *file)
{
	struct td_record_check c;
	struct td_error err;
	int rc = td_record_verify(reg, rec, file, &c, &err);

	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	td_cli_lang(cli);
	if (c.content_match)
		td_cli_printf("%s: is the record of handover %s as the registry holds it\n",
		              file, rec->number);
	else
		td_cli_printf("%s: is NOT the record of handover %s as the registry holds "
		              "it\n  its QR code reads: %s\n", file, rec->number,
		              c.file_qr[0] ? c.file_qr : "-");
	if (c.nsigs == 0)
		td_cli_printf("  no signatures: nothing proves this file's content\n");
	for (size_t i = 0; i < c.nsigs; i++)
		print_sig(&c.sigs[i], i + 1, i + 1 == c.nsigs, rec->number);
	printf("%s\n", c.all_hold ? td_cli_T("verified") : td_cli_T("NOT verified"));
	return c.all_hold ? EX_OK : EX_DATAERR;
}

int td_cli_receipt_qr(struct td_cli *cli, struct td_registry *reg, const char *text)
{
	struct td_record r;
	struct td_error err;
	int match, rc = td_record_check_qr(reg, text, &r, &match, &err);

	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	td_cli_lang(cli);
	if (match)
		td_cli_printf("handover %s: the paper matches the registry\n", r.number);
	else
		td_cli_printf("handover %s: the paper does NOT match the registry\n", r.number);
	td_record_clear(&r);
	return match ? EX_OK : EX_DATAERR;
}

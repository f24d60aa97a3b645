/* handover_pop.c: `handover --pin-fd N`: prove possession of every token
 * of a CLI handover before it is written.  Each token must be inserted;
 * its PIN is read from descriptor N, one line per token in the order the
 * tokens were given, into a secure buffer that is freed right after the
 * attempt.  The outcome of each is recorded on the handover item.
 *
 * Refusals (nothing is written then, unless --force): a token not
 * inserted, a PIN-locked token, a token at its final PIN try (the PIN is
 * not even read: a wrong one would lock it; --force tries anyway), a
 * wrong PIN, or a key that does not match the certificate. */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/handover.h"
#include "tokendesk/secmem.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"

/* The inserted token whose serial is the registry's canonical serial:
 * modules report serials padded and in either case (SoftHSM2: lower-case
 * hex), the registry keeps td_token_serial() of them. */
static const struct td_snap_token *find_inserted(const struct td_snap *s,
                                                 const char *canon)
{
	char c[256];

	for (size_t i = 0; i < s->ntokens; i++)
		if (td_token_serial(s->tokens[i]->serial, c, sizeof c) == 0 &&
		    strcmp(c, canon) == 0)
			return s->tokens[i];
	return NULL;
}

/* One token: returns 0 when proved (or forced), else a td_code. */
static int prove_one(struct td_tokens *t, struct td_handover *h, const char *serial,
                     int pin_fd, int force)
{
	struct td_secbuf *pin = NULL;
	struct td_pop_result r;
	struct td_snap *s = NULL;
	const struct td_snap_token *tok;
	struct td_error err;
	char prompt[160], raw[256], module[4096];
	int rc, ask;

	if ((rc = td_tokens_scan(t, &s, &err)) < 0) {
		td_cli_print_error(&err);
		return rc;
	}
	if (!(tok = find_inserted(s, serial))) {
		td_snap_free(s);
		td_cli_fail("token %s is not inserted: proof of possession needs it", serial);
		return TD_ERR_NOTFOUND;
	}
	/* A locked PIN, or the final try without --force: decided without
	 * reading a PIN (td_token_prove does not log in then). */
	ask = !(tok->flags & TD_TOK_PIN_LOCKED) &&
	      (!(tok->flags & TD_TOK_PIN_FINAL_TRY) || force);
	snprintf(raw, sizeof raw, "%s", tok->serial);
	snprintf(module, sizeof module, "%s", tok->module);
	td_snap_free(s);
	td_cli_snprintf(prompt, sizeof prompt, "User PIN of token %s: ", serial);
	if (ask && (rc = td_pin_read(pin_fd, prompt, &pin, &err)) < 0) {
		td_cli_print_error(&err);
		return rc;
	}
	rc = td_token_prove(t, raw, module, NULL, pin, force, &r, &err);
	td_secbuf_free(pin);
	if (rc < 0) {
		td_cli_print_error(&err);
		return rc;
	}
	rc = td_handover_set_proof(h, serial, r.outcome == TD_POP_MATCH ?
	                           TD_PROOF_MATCHED : TD_PROOF_NOT_MATCHED,
	                           r.detail, &err);
	if (rc < 0) {
		td_cli_print_error(&err);
		return rc;
	}
	if (r.outcome == TD_POP_MATCH)
		return 0;
	td_cli_fail("token %s: proof of possession failed (%s): %s%s", serial,
	            td_cli_pop_word(td_pop_outcome_name(r.outcome)),
	            td_cli_pop_word(r.detail),
	            force ? td_cli_T("; recorded, handing over anyway (--force)") : "");
	return force ? 0 : (r.outcome == TD_POP_MISMATCH ? TD_ERR_CONFLICT : TD_ERR_PIN);
}

int td_cli_handover_prove(struct td_cli *cli, struct td_handover *h, int pin_fd,
                          int force)
{
	struct td_tokens *t;
	struct td_error err;
	int worst = 0;

	t = td_session_tokens(td_cli_session(cli), 1, &err);
	if (!t) {
		td_cli_print_error(&err);
		return err.code;
	}
	/* Stop at the first refusal: the PINs of the remaining tokens stay
	 * unread, and no further token is put at risk. */
	for (size_t i = 0; i < td_handover_count(h) && worst == 0; i++)
		worst = prove_one(t, h, td_handover_item_at(h, i)->key, pin_fd, force);
	return worst;
}

/* cmd_audit_sign.c: audit sign --token SERIAL [-o FILE] (a signed
 * checkpoint of the audit chain) and the checkpoint part of audit verify
 * (the stored ones, or --checkpoint FILE kept elsewhere). */
#include <config.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/checkpoint.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tokendesk/secmem.h"
#include "tokendesk/token.h"

static int write_pem(const char *path, const char *pem)
{
	struct td_outfile out;
	struct td_error err;

	if (td_outfile_open(&out, path, &err) < 0 ||
	    (fputs(pem, out.f), td_outfile_commit(&out, &err)) < 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	return EX_OK;
}

int td_cli_audit_sign(struct td_cli *cli, struct td_registry *reg, const char *token,
                      int pin_fd, int force, const char *out)
{
	struct td_secbuf *pin;
	struct td_pop_result res;
	struct td_tokens *t;
	struct td_error err;
	int64_t head = 0, id = 0;
	char *pem = NULL;
	int rc, status;

	if (!token) {
		td_cli_fail("usage: tokendesk audit sign --token SERIAL [--pin-fd N] [-o FILE]");
		return EX_USAGE;
	}
	if ((status = td_cli_signer_open(cli, token, pin_fd, force, &t, &pin)) != EX_OK)
		return status;
	rc = td_checkpoint_sign(reg, t, token, pin, force, &pem, &head, &id, &res, &err);
	td_secbuf_free(pin);
	td_tokens_close(t);
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	if (res.outcome != TD_POP_MATCH) {
		free(pem);
		return td_cli_not_signed(token, &res);
	}
	status = out ? write_pem(out, pem) : EX_OK;
	if (status == EX_OK && !cli->quiet)
		td_cli_printf("checkpoint %" PRId64 ": audit row %" PRId64 " signed by "
		              "%s%s%s\n", id, head, res.subject,
		              out ? td_cli_T(", written to ") : "", out ? out : "");
	free(pem);
	return status;
}

static void name_of(const struct td_checkpoint_check *c, const char *file,
                    char *out, size_t size)
{
	char which[4200];

	if (file)
		snprintf(which, sizeof which, "%s", file);
	else
		snprintf(which, sizeof which, "%lld", (long long)c->stored_id);
	/* The formats are the catalogue's translations of these literals
	 * (msgfmt -c checks that they take the same arguments). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	if (!c->valid)
		snprintf(out, size, td_cli_T("checkpoint %s"), which);
	else
		snprintf(out, size, td_cli_T("checkpoint %s (audit row %lld, signed %s by %s)"),
		         which, (long long)c->head_id, c->signed_at, c->signer_cn);
#pragma GCC diagnostic pop
}

static int report(const struct td_checkpoint_check *c, const char *file, int quiet)
{
	char name[5000];

	name_of(c, file, name, sizeof name);
	if (c->valid && c->trusted && c->in_chain && c->stored_agrees) {
		if (!quiet)
			td_cli_printf("%s: the chain still holds it\n", name);
		return 0;
	}
	td_cli_fail("%s: %s", name, c->detail);
	return 1;
}

static int stored_one(const struct td_checkpoint_check *c, void *ctx)
{
	int *bad = ctx;

	bad[0] += report(c, NULL, bad[1]);
	return 0;
}

int td_cli_audit_checkpoints(struct td_cli *cli, struct td_registry *reg,
                             const char *file)
{
	struct td_checkpoint_check c;
	struct td_error err;
	int bad[2] = { 0, cli->quiet }, rc;

	td_cli_lang(cli);

	if (!file) {
		rc = td_checkpoint_verify_stored(reg, stored_one, bad, &err);
	} else {
		FILE *f = fopen(file, "rb");
		unsigned char buf[65536];
		size_t n;
		if (!f) {
			td_cli_fail("%s: cannot open", file);
			return EX_NOINPUT;
		}
		n = fread(buf, 1, sizeof buf, f);
		fclose(f);
		rc = td_checkpoint_verify(reg, buf, n, &c, &err);
		if (rc == TD_OK)
			bad[0] += report(&c, file, cli->quiet);
	}
	if (rc < 0) {
		td_cli_print_error(&err);
		return td_cli_status(rc);
	}
	return bad[0] ? EX_DATAERR : EX_OK;
}

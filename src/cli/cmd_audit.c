/* cmd_audit.c: tokendesk audit verify | audit log [ENTITY KEY]. */
#include <config.h>

#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/registry.h"

/* Marks a text for xgettext (po/Makevars: N_); td_cli_T translates it. */
#define N_(s) s

/* Each difference between the rows and their audit trail, one line on
 * stderr (the first few hundred; the count says how many in all), in the
 * operator's language; --json lists them in English, for scripts. */
#define DIFF_LINES_MAX 200

struct diff_out {
	int64_t shown;
	json_t *list;
};

/* English formats, by td_audit_diff_kind; the first %s names the row. */
static const char *const diff_formats[] = {
	[TD_DIFF_FIELD] = N_("%s: %s is %s, the audit says %s"),
	[TD_DIFF_UNAUDITED] = N_("%s: this row has no audit row: it was added by hand"),
	[TD_DIFF_REMOVED] = N_("%s: this row is here, but the audit says it was "
	                       "removed"),
	[TD_DIFF_MISSING] = N_("%s: the audit records this row, but it is not "
	                       "there: it was deleted by hand"),
	[TD_DIFF_COUNT] = N_("%s: %lld rows are here, the audit records %lld: rows "
	                     "were added by hand"),
	[TD_DIFF_BULK_ROWS] = N_("%s: the %lld rows that audit row %lld (%s) added, "
	                         "from %s to %s, are not all there: rows among them "
	                         "were deleted or added by hand"),
	[TD_DIFF_BULK_DIGEST] = N_("%s: the %lld rows that audit row %lld (%s) "
	                           "added, from %s to %s, no longer match its "
	                           "content digest: one of them, or a holder or "
	                           "token it names, was changed by hand"),
	[TD_DIFF_FOREIGN_KEY] = N_("foreign key: %s row %lld refers to a %s row "
	                           "that is not there"),
	[TD_DIFF_CLOCK] = N_("audit row %lld is dated %s, out of time order (the "
	                     "row before, %lld: %s): a clock set back or forward, "
	                     "or a date written by hand"),
};
static const char field_nth[] = N_("%s: %s is %s, the audit says %s (its row %lld)");
static const char count_fewer[] = N_("%s: %lld rows are here, the audit records "
                                     "%lld: rows were deleted by hand");

/* snprintf of a format chosen above, translated or not. */
static void format_as(char *out, size_t size, int translate, const char *en, ...)
{
	va_list ap;

	va_start(ap, en);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(out, size, translate ? td_cli_T(en) : en, ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

static void diff_text(const struct td_audit_diff *d, int translate, char *out,
                      size_t size)
{
	char who[400];
	long long n = d->n, told = d->told, id = d->audit_id;

	snprintf(who, sizeof who, d->key ? "%s %s" : "%s", d->table, d->key);
	switch (d->kind) {
	case TD_DIFF_FIELD:
		if (d->n)
			format_as(out, size, translate, field_nth, who, d->field, d->is,
			          d->says, n);
		else
			format_as(out, size, translate, diff_formats[d->kind], who,
			          d->field, d->is, d->says);
		break;
	case TD_DIFF_COUNT:
		format_as(out, size, translate, n > told ? diff_formats[d->kind]
		          : count_fewer, who, n, told);
		break;
	case TD_DIFF_BULK_ROWS:
	case TD_DIFF_BULK_DIGEST:
		format_as(out, size, translate, diff_formats[d->kind], who, n, id,
		          d->action, d->first, d->last);
		break;
	case TD_DIFF_FOREIGN_KEY:
		format_as(out, size, translate, diff_formats[d->kind], d->key, n,
		          d->field);
		break;
	case TD_DIFF_CLOCK:
		format_as(out, size, translate, diff_formats[d->kind], n, d->is, told,
		          d->says);
		break;
	default:
		format_as(out, size, translate, diff_formats[d->kind], who);
	}
}

static void print_diff(const struct td_audit_diff *d, void *ctx)
{
	struct diff_out *out = ctx;
	char line[2048];

	if (out->shown++ >= DIFF_LINES_MAX)
		return;
	diff_text(d, !out->list, line, sizeof line);
	if (out->list)
		json_array_append_new(out->list, json_string(line));
	else
		fprintf(stderr, "tokendesk: %s\n", line);
}

/* "ID:HEX" as audit verify printed it. */
static int parse_head(const char *text, int64_t *id, char hex[65])
{
	char *end;
	long long v = strtoll(text, &end, 10);
	size_t n;

	if (end == text || *end != ':' || v <= 0)
		return -1;
	n = strlen(end + 1);
	if (n != 64 || strspn(end + 1, "0123456789abcdefABCDEF") != 64)
		return -1;
	*id = v;
	memcpy(hex, end + 1, 65);
	return 0;
}

/* The kept head no longer fits: say why, in the operator's language. */
static void print_kept(int64_t id, const char *kept, int why, const char *stored)
{
	char line[512];

	if (why == 1)
		format_as(line, sizeof line, 1, N_("the kept head %lld is no longer in "
		          "the audit log: the chain was cut off before it"),
		          (long long)id);
	else
		format_as(line, sizeof line, 1, N_("audit row %lld has hash %s, not the "
		          "kept %s: the chain was rewritten since that head was kept"),
		          (long long)id, stored, kept);
	fprintf(stderr, "tokendesk: %s\n", line);
}

struct verify_result {
	int64_t rows, bad, differences;
	int kept_why;           /* td_reg_audit_check_kept's why */
};

static int verify_all(struct td_registry *reg, const char *kept,
                      struct diff_out *diffs, struct verify_result *v,
                      struct td_error *err)
{
	int64_t kept_id = 0;
	char kept_hex[65], stored[65];
	int rc;

	if (kept && parse_head(kept, &kept_id, kept_hex) < 0)
		return td_error_set(err, TD_ERR_USAGE, "--head %s: not ID:SHA256HEX as"
		                    " audit verify prints it", kept);
	if ((rc = td_reg_audit_verify(reg, &v->rows, &v->bad, err)) < 0)
		return rc;
	if (kept && (rc = td_reg_audit_check_kept(reg, kept_id, kept_hex,
	                                          &v->kept_why, stored, err)) < 0) {
		if (v->kept_why && !diffs->list)
			print_kept(kept_id, kept_hex, v->kept_why, stored);
		return rc;
	}
	return td_reg_audit_verify_state(reg, print_diff, diffs, &v->differences, err);
}

static void print_json(const struct verify_result *v, int rc,
                       const struct td_error *err, json_t *diffs,
                       int64_t head_id, const char *head)
{
	json_t *o = json_object();

	json_object_set_new(o, "ok", json_boolean(rc == TD_OK));
	json_object_set_new(o, "rows", json_integer(v->rows));
	if (rc < 0)
		json_object_set_new(o, "error", json_string(err->message));
	if (v->bad)
		json_object_set_new(o, "first_broken_row", json_integer(v->bad));
	json_object_set_new(o, "differences", diffs);
	json_object_set_new(o, "head_id", json_integer(head_id));
	json_object_set_new(o, "head", json_string(head));
	td_json_print(o);
	json_decref(o);
}

static void print_failure(const struct verify_result *v, const struct td_error *err)
{
	char line[512];

	if (v->differences > DIFF_LINES_MAX) {
		format_as(line, sizeof line, 1, N_("... and %lld more"),
		          (long long)(v->differences - DIFF_LINES_MAX));
		fprintf(stderr, "tokendesk: %s\n", line);
	}
	if (v->differences) {
		format_as(line, sizeof line, 1, N_("%lld row(s) differ from what the "
		          "audit trail says: they were changed by hand"),
		          (long long)v->differences);
		fprintf(stderr, "tokendesk: %s\n", line);
	} else if (!v->kept_why)
		td_cli_print_error(err);
	if (v->bad)
		td_cli_eprintf("tokendesk: first broken row: %lld\n", (long long)v->bad);
}

static int audit_verify(struct td_cli *cli, struct td_registry *reg,
                        const char *kept, int json)
{
	struct diff_out diffs = { 0, json ? json_array() : NULL };
	struct verify_result v = { 0, 0, 0, 0 };
	struct td_error err, head_err;
	int64_t head_id = 0;
	char head[65] = "";
	int rc = verify_all(reg, kept, &diffs, &v, &err);
	int rc_head = td_reg_audit_head(reg, &head_id, head, &head_err);

	if (rc == TD_OK && rc_head < 0) {
		rc = rc_head;
		err = head_err;
	}
	if (json)
		print_json(&v, rc, &err, diffs.list, head_id, head);
	else if (rc == TD_OK && !cli->quiet)
		td_cli_nprintf("audit log intact: %lld row, hash chain verified; every "
		               "audited row matches its audit trail\n", "audit log intact: "
		               "%lld rows, hash chain verified; every audited row matches "
		               "its audit trail\n", (unsigned long)v.rows, (long long)v.rows);
	else if (rc < 0)
		print_failure(&v, &err);
	/* The line to keep elsewhere, failure or not: the state now. */
	if (!json && rc_head == TD_OK)
		printf("head %" PRId64 " %s\n", head_id, head);   /* for scripts */
	if (rc == TD_OK)
		return EX_OK;
	return rc == TD_ERR_CONFLICT ? EX_DATAERR : td_cli_status(rc);
}

static int print_row(const struct td_audit_row *r, void *ctx)
{
	if (ctx) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(r->id));
		json_object_set_new(o, "at", td_json_str(r->at));
		json_object_set_new(o, "operator", td_json_str(r->operator_name));
		json_object_set_new(o, "action", td_json_str(r->action));
		if (r->kit_uuid)
			json_object_set_new(o, "kit", td_json_str(r->kit_uuid));
		json_object_set_new(o, "before", r->before ? json_loads(r->before, 0, NULL)
		                                          : json_null());
		json_object_set_new(o, "after", r->after ? json_loads(r->after, 0, NULL)
		                                        : json_null());
		json_array_append_new(ctx, o);
		return 0;
	}
	if (r->kit_uuid)   /* field rows count apart from home's */
		td_cli_printf("k%" PRId64 "  %s  %-14s %s  (kit %s)\n", r->id, r->at,
		              r->action, r->operator_name, r->kit_uuid);
	else
		printf("%" PRId64 "  %s  %-14s %s\n", r->id, r->at, r->action,
		       r->operator_name);
	if (r->before)
		td_cli_printf("    before: %s\n", r->before);
	if (r->after)
		td_cli_printf("    after:  %s\n", r->after);
	return 0;
}

int td_cmd_audit(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "head", required_argument, NULL, 'H' },
		{ "token", required_argument, NULL, 'T' },
		{ "pin-fd", required_argument, NULL, 'F' },
		{ "force", no_argument, NULL, 'f' },
		{ "checkpoint", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	struct td_error err;
	const char *kept = NULL;
	int c, json = 0, status = EX_OK, rc;
	const char *token = NULL, *out = NULL, *checkpoint = NULL;
	long long pin_fd = -1;
	int force = 0;

	while ((c = td_cli_getopt(argc, argv, "jhH:o:", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'H')
			kept = optarg;
		else if (c == 'T')
			token = optarg;
		else if (c == 'o')
			out = optarg;
		else if (c == 'f')
			force = 1;
		else if (c == 'C')
			checkpoint = optarg;
		else if (c == 'F') {
			if (td_cli_number("--pin-fd", optarg, 0, 1024, &pin_fd) < 0)
				return EX_USAGE;
		}
		else if (c == 'h') {
			fputs(td_cli_T("Usage: tokendesk audit verify [--head ID:SHA256HEX] "
			       "[--checkpoint FILE] [--json]\n"
			       "       tokendesk audit sign --token SERIAL [--pin-fd N] [--force] "
			       "[-o FILE]\n"
			       "       tokendesk audit log ENTITY KEY [--json]\n"
			       "sign signs the chain's newest row (id and hash) with the token's\n"
			       "key, stores the checkpoint and writes it to FILE to keep\n"
			       "elsewhere; verify also checks every stored checkpoint, or with\n"
			       "--checkpoint the one in FILE, and names the one a rewritten chain\n"
			       "no longer holds.\n"
			       "verify walks the hash chain of the audit log and names the first\n"
			       "row that was edited, deleted or reordered; then checks that the\n"
			       "registry holds what the audit says: every row of every audited\n"
			       "table (agencies, holders, certificates, tokens, custody events,\n"
			       "handovers, dossiers, tags, counts, CRL imports, the plan, kit\n"
			       "merges) equals its newest audit image, rows loaded in bulk match\n"
			       "their import's content digest, no audited row is missing, none\n"
			       "is there without an audit row, and no reference dangles.  Each\n"
			       "difference is one line naming table, key and field (exit 65).\n"
			       "It ends with the line 'head ID SHA256HEX': keep it elsewhere;\n"
			       "--head ID:SHA256HEX later also fails if that row is no longer in\n"
			       "the chain or its hash differs (the end was cut off, or the chain\n"
			       "rewritten since).\n"
			       "log lists the audit\n"
			       "rows of one record (ENTITY: token, cert, agency); rows recorded\n"
			       "in a field kit read field:ACTION, are numbered k1, k2, ... and\n"
			       "name their kit.\n"), stdout);
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (optind >= argc) {
		td_cli_fail("usage: tokendesk audit verify | audit log ENTITY KEY");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry_to_read(cli, &status)))
		return status;
	if (strcmp(argv[optind], "sign") == 0)
		return td_cli_audit_sign(cli, reg, token, (int)pin_fd, force, out);
	if (strcmp(argv[optind], "verify") == 0) {
		int cp;
		if (argc - optind != 1) {
			td_cli_fail("usage: tokendesk audit verify [--head ID:SHA256HEX] "
			            "[--checkpoint FILE] [--json]");
			return EX_USAGE;
		}
		/* The checkpoints first: the chain's own verdict, and its head
		 * line, end the output (--json: only failures are said, on
		 * stderr, so standard output stays one JSON document). */
		if (json)
			cli->quiet = 1;
		cp = td_cli_audit_checkpoints(cli, reg, checkpoint);
		status = audit_verify(cli, reg, kept, json);
		return status != EX_OK ? status : cp;
	}
	if (strcmp(argv[optind], "log") != 0 || argc - optind != 3) {
		td_cli_fail("usage: tokendesk audit verify | audit log ENTITY KEY");
		return EX_USAGE;
	}
	json_t *rows = json ? json_array() : NULL;
	rc = td_reg_each_audit_of(reg, argv[optind + 1], argv[optind + 2], print_row,
	                          rows, &err);
	if (rc < 0)
		td_cli_print_error(&err);
	else if (rows)
		td_json_print(rows);
	json_decref(rows);
	return td_cli_status(rc);
}

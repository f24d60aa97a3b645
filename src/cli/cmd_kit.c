/* cmd_kit.c: tokendesk kit make|merge|conflicts|resolve: field kits. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/kit.h"
#include "tokendesk/registry.h"

#define N_(s) s
static const char *const kit_usage = N_(
	"Usage: tokendesk kit make --agencies CODE[,CODE...] -o KIT\n"
	"       tokendesk kit merge KIT [--json]\n"
	"       tokendesk kit refresh KIT [--json]\n"
	"       tokendesk kit conflicts [--all] [--json]\n"
	"       tokendesk kit resolve ID --keep home|field\n"
	"A kit is a registry file with only what a field team needs for the\n"
	"agencies given (and their units); work on it with --db KIT, then merge\n"
	"it back, as often as it comes home: each merge brings what was recorded\n"
	"since the last one.  refresh gives a merged kit home's changes in its\n"
	"scope (all or nothing: the kit is replaced only when the new one is\n"
	"whole).  Conflicting changes are listed, never decided silently; two\n"
	"on one record are decided oldest first.\n"
	"A kit is data: one holding triggers, views or tables tokendesk does\n"
	"not have, or rows its own audit log does not record (edited outside\n"
	"tokendesk), is refused whole and nothing is merged.\n");

/* The command's cli, for its translated texts (T, as xgettext reads
 * them: po/POTFILES.in lists this file). */
#define T(en) td_cli_T(en)
/* A count's singular and plural, for td_cli_nprintf (xgettext: NP_:1,2). */
#define NP_(one, many) one, many

static int fail(const struct td_error *err)
{
	td_cli_print_error(err);
	return td_cli_status(err->code);
}

static int usage_or_help(int c)
{
	fputs(td_cli_T(kit_usage), c == 'h' ? stdout : stderr);
	return c == 'h' ? EX_OK : EX_USAGE;
}

static int kit_make(struct td_registry *reg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agencies", required_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	char *list = NULL, *save = NULL;
	const char *out = NULL, *codes[256];
	struct td_kit_info info;
	struct td_error err;
	size_t n = 0;
	int c, rc;

	while ((c = td_cli_getopt(argc, argv, "a:o:h", opts)) != -1) {
		if (c == 'a')
			list = optarg;
		else if (c == 'o')
			out = optarg;
		else
			return usage_or_help(c);
	}
	if (!list || !out || optind != argc)
		return usage_or_help('?');
	for (char *p = strtok_r(list, ",", &save); p && n < 256;
	     p = strtok_r(NULL, ",", &save))
		if (*p)
			codes[n++] = p;
	if ((rc = td_reg_kit_make(reg, out, codes, n, &info, &err)) < 0)
		return fail(&err);
	td_cli_printf("kit %s written to %s: %" PRId64 " agencies, %" PRId64 " holders, %"
	       PRId64 " certificates, %" PRId64 " tokens\n", info.uuid, out,
	       info.agencies, info.holders, info.certificates, info.tokens);
	return EX_OK;
}

/* "3 handovers, 1 dossier since the merge of 2026-12-06 14:02" */
static void print_whats_new(const struct td_kit_merge_report *r)
{
	const struct { int64_t n; const char *one, *many; } parts[] = {
		{ r->new_handovers, NP_("%lld handover", "%lld handovers") },
		{ r->new_dossiers, NP_("%lld dossier", "%lld dossiers") },
		{ r->new_counts, NP_("%lld count", "%lld counts") },
		{ r->new_scans, NP_("%lld count scan", "%lld count scans") },
		{ r->new_tags, NP_("%lld tag", "%lld tags") },
		{ r->new_moves, NP_("%lld custody move", "%lld custody moves") },
	};
	char when[64];
	int any = 0;

	for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
		if (!parts[i].n)
			continue;
		/* each text holds one %lld, as po/vi.po checks (c-format) */
		fputs(any++ ? ", " : "", stdout);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		td_cli_nprintf(parts[i].one, parts[i].many, (unsigned long)parts[i].n,
		               (long long)parts[i].n);
#pragma GCC diagnostic pop
	}
	/* rows may still come, an import's: the line after counts them */
	if (!any && r->inserted + r->updated + r->deleted + r->conflicts > 0)
		fputs(T("no handover, dossier, count, tag or custody move"), stdout);
	else if (!any)
		fputs(T("nothing new"), stdout);
	/* local time, as the reader writes it (the stored stamp is UTC) */
	td_cli_time(r->since, when, sizeof when);
	if (r->since_merge)
		td_cli_printf(" since the merge of %s\n", when);
	else if (r->since_refresh)
		td_cli_printf(" since the kit was refreshed on %s\n", when);
	else
		td_cli_printf(" since the kit was made on %s\n", when);
}

/* KIT [--json] of merge and refresh: -1 with *path and *json set, else
 * the exit status (--help shown, or a usage error). */
static int kit_file_args(int argc, char **argv, const char **path, int *json)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = 1;
		else if (strcmp(argv[i], "--help") == 0)
			return usage_or_help('h');
		else if (!*path)
			*path = argv[i];
		else
			return usage_or_help('?');
	}
	return *path ? -1 : usage_or_help('?');
}

static int kit_merge(struct td_registry *reg, int argc, char **argv)
{
	struct td_kit_merge_report r;
	struct td_error err;
	int json = 0, status;
	const char *path = NULL;

	if ((status = kit_file_args(argc, argv, &path, &json)) >= 0)
		return status;
	if (td_reg_kit_merge(reg, path, &r, &err) < 0)
		return fail(&err);
	if (json) {
		json_t *o = json_pack("{s:s, s:b, s:b, s:b, s:I, s:s, s:b, s:b, s:{s:I, s:I,"
		                      " s:I, s:I, s:I, s:I}, s:I, s:I, s:I, s:I, s:I, s:I}",
		                      "kit", r.uuid, "already_merged", r.already,
		                      "merged_meanwhile", r.meanwhile,
		                      "older_copy", r.older_copy,
		                      "merge", (json_int_t)r.merges,
		                      "since", r.since, "since_merge", r.since_merge,
		                      "since_refresh", r.since_refresh,
		                      "new", "handovers", (json_int_t)r.new_handovers,
		                      "dossiers", (json_int_t)r.new_dossiers,
		                      "counts", (json_int_t)r.new_counts,
		                      "count_scans", (json_int_t)r.new_scans,
		                      "tags", (json_int_t)r.new_tags,
		                      "custody_moves", (json_int_t)r.new_moves,
		                      "inserted", (json_int_t)r.inserted,
		                      "updated", (json_int_t)r.updated,
		                      "deleted", (json_int_t)r.deleted,
		                      "unchanged", (json_int_t)r.unchanged,
		                      "audit_rows", (json_int_t)r.audit_rows,
		                      "conflicts", (json_int_t)r.conflicts);
		td_json_print(o);
		json_decref(o);
	} else if (r.meanwhile) {
		/* another desk or command merged it while this one read it */
		td_cli_printf("kit %s: %s\n", r.uuid, T("merged meanwhile; nothing changed"));
	} else if (r.older_copy) {
		td_cli_printf("kit %s: %s\n", r.uuid, T("an older copy; everything it holds was"
		       " merged already; nothing changed"));
	} else if (r.already) {
		td_cli_printf("kit %s: %s\n", r.uuid, T("nothing new since it was merged last;"
		       " nothing changed"));
	} else {
		print_whats_new(&r);
		td_cli_printf("kit %s merged: %" PRId64 " rows added, %" PRId64 " updated, %" PRId64
		       " deleted, %" PRId64 " field audit rows, %" PRId64 " conflicts\n",
		       r.uuid, r.inserted, r.updated, r.deleted, r.audit_rows, r.conflicts);
		if (r.conflicts)
			td_cli_printf("decide them with `tokendesk kit conflicts` and"
			              " `tokendesk kit resolve ID --keep home|field`\n");
	}
	return EX_OK;
}

static int kit_refresh(struct td_registry *reg, int argc, char **argv)
{
	struct td_kit_refresh_report r;
	struct td_error err;
	const char *path = NULL;
	int json = 0, status;

	if ((status = kit_file_args(argc, argv, &path, &json)) >= 0)
		return status;
	if (td_reg_kit_refresh(reg, path, &r, &err) < 0)
		return fail(&err);
	if (json) {
		json_t *o = json_pack("{s:s, s:{s:I, s:I, s:I, s:I, s:I}}", "kit", r.uuid,
		                      "changed", "tokens", (json_int_t)r.tokens,
		                      "custody_moves", (json_int_t)r.moves,
		                      "dossiers", (json_int_t)r.dossiers,
		                      "tags", (json_int_t)r.tags,
		                      "officials", (json_int_t)r.officials);
		td_json_print(o);
		json_decref(o);
		return EX_OK;
	}
	td_cli_printf("kit %s: refreshed from home: %lld tokens, %lld custody moves,"
	              " %lld dossiers, %lld tags, %lld officials changed\n", r.uuid,
	              r.tokens, r.moves, r.dossiers, r.tags, r.officials);
	return EX_OK;
}

static json_t *jstr_or_json(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	v = json_loads(s, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(s);
}

/* The record as a person knows it, from the conflict's label: "token
 * T-SB-01" (the first of the names below that the label has, the most
 * specific first: a dossier's label names its agency too); NULL when it
 * has none. */
static const char *const label_names[] = { "token", "certificate", "holder",
	"dossier", "tag", "handover", "count", "agency", "serial", "ref", "number",
	"name", "ext_id", "code", "target", "uid" };

/* The codes a conflict's first line shows (kit_apply.c stores them so:
 * --json keeps them), for the reader's language; the reasons are marked
 * where the desk shows them (tui/scr_conflicts.c). */
static const char *const conflict_words[] __attribute__((unused)) = {
	N_("insert"), N_("update"), N_("delete"), N_("agency"), N_("holder"),
	N_("holders"), N_("token"), N_("certificate"), N_("certificates"),
	N_("dossier"), N_("tag"), N_("handover"), N_("count_session"),
	N_("custody_event"), N_("scope"),
};

static const char *word(const char *code)
{
	return code ? T(code) : "";
}

static void print_label(const struct td_kit_conflict *c, json_t *label)
{
	const char *name = NULL, *value = NULL, *key;
	const char *details[] = { "certificates", "certificate", "holders", "holder",
	                          "agency", "token", "scope" };
	int any = 0;
	json_t *v;

	/* the record itself first: a certificate's label names its token too */
	if (c->own && (value = json_string_value(json_object_get(label, c->own))))
		name = c->own;
	for (size_t i = 0; !name && i < sizeof label_names / sizeof label_names[0]; i++)
		if ((value = json_string_value(json_object_get(label, label_names[i]))))
			name = label_names[i];
	printf("%" PRId64 "\t%s\t%s %s %s\t%s\n", c->id, c->status, word(c->op),
	       word(c->table), value ? value : c->pk, word(c->reason));
	for (size_t i = 0; i < sizeof details / sizeof details[0]; i++) {
		key = details[i];
		if (name && strcmp(key, name) == 0)
			continue;
		if (!(v = json_object_get(label, key)) || !json_string_value(v))
			continue;
		printf("%s%s %s", any++ ? "; " : "\t", T(key), json_string_value(v));
	}
	if (any)
		fputc('\n', stdout);
	const char *hh = json_string_value(json_object_get(label, "home_handover"));
	const char *fh = json_string_value(json_object_get(label, "field_handover"));
	if (hh || fh)
		td_cli_printf("\thandover at home: %s; in the field: %s\n",
		              hh ? hh : "-", fh ? fh : "-");
}

/* A version as the text listing shows it: a count's lines (kit_count.c)
 * by their number, which --json gives whole.  Heap (free), or NULL. */
static char *shown(const char *version)
{
	json_t *o = version ? json_loads(version, 0, NULL) : NULL;
	json_t *lines = json_object_get(o, "lines");
	char *text = NULL;

	if (json_is_array(lines)) {
		json_object_set_new(o, "lines", json_integer((json_int_t)json_array_size(lines)));
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	} else if (version) {
		text = strdup(version);
	}
	json_decref(o);
	return text;
}

static int conflict_one(const struct td_kit_conflict *c, void *ctx)
{
	json_t *arr = ctx;

	if (arr) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(c->id));
		json_object_set_new(o, "kit", td_json_str(c->kit_uuid));
		json_object_set_new(o, "table", td_json_str(c->table));
		json_object_set_new(o, "op", td_json_str(c->op));
		json_object_set_new(o, "reason", td_json_str(c->reason));
		json_object_set_new(o, "status", td_json_str(c->status));
		json_object_set_new(o, "key", jstr_or_json(c->pk));
		json_object_set_new(o, "label", jstr_or_json(c->label));
		json_object_set_new(o, "home", jstr_or_json(c->home));
		json_object_set_new(o, "field_old", jstr_or_json(c->field_old));
		json_object_set_new(o, "field_new", jstr_or_json(c->field_new));
		json_object_set_new(o, "resolved_at", td_json_str(c->resolved_at));
		json_object_set_new(o, "resolved_by", td_json_str(c->resolved_by));
		json_array_append_new(arr, o);
		return 0;
	}
	json_t *label = c->label ? json_loads(c->label, 0, NULL) : NULL;
	print_label(c, label);
	json_decref(label);
	char *fnew = shown(c->field_new);
	td_cli_printf("\thome:  %s\n\tfield: %s -> %s\n", c->home ? c->home : T("(none)"),
	              c->field_old ? c->field_old : T("(none)"), fnew ? fnew : T("(none)"));
	free(fnew);
	return 0;
}

static int kit_conflicts(struct td_registry *reg, int argc, char **argv)
{
	json_t *arr = NULL;
	struct td_error err;
	int all = 0, rc;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			arr = arr ? arr : json_array();
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else {
			json_decref(arr);
			return usage_or_help(strcmp(argv[i], "--help") == 0 ? 'h' : '?');
		}
	}
	rc = td_reg_kit_each_conflict(reg, !all, conflict_one, arr, &err);
	if (arr && rc == TD_OK)
		td_json_print(arr);
	json_decref(arr);
	return rc < 0 ? fail(&err) : EX_OK;
}

static int kit_resolve(struct td_registry *reg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *keep = NULL;
	struct td_error err;
	char *end;
	int64_t id;
	int c, rc;

	while ((c = td_cli_getopt(argc, argv, "k:h", opts)) != -1) {
		if (c == 'k')
			keep = optarg;
		else
			return usage_or_help(c);
	}
	if (optind + 1 != argc || !keep ||
	    (strcmp(keep, "home") != 0 && strcmp(keep, "field") != 0))
		return usage_or_help('?');
	id = strtoll(argv[optind], &end, 10);
	if (*end || id <= 0)
		return usage_or_help('?');
	if ((rc = td_kit_resolve(reg, id, strcmp(keep, "field") == 0, &err)) < 0)
		return fail(&err);
	td_cli_printf("conflict %" PRId64 ": kept the %s version\n", id,
	              strcmp(keep, "field") == 0 ? T("field") : T("home"));
	return EX_OK;
}

int td_cmd_kit(struct td_cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct td_registry *, int, char **);
	} subs[] = {
		{ "make", kit_make }, { "merge", kit_merge }, { "refresh", kit_refresh },
		{ "conflicts", kit_conflicts }, { "resolve", kit_resolve },
	};
	struct td_registry *reg;
	int status = EX_OK;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(td_cli_T(kit_usage), argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		if (!(reg = td_cli_registry(cli, 0, &status)))
			return status;
		td_cli_getopt_reset();
		return subs[i].run(reg, argc - 1, argv + 1);
	}
	td_cli_fail("kit: unknown subcommand '%s'", argv[1]);
	fputs(td_cli_T(kit_usage), stderr);
	return EX_USAGE;
}

/* cmd_count.c: tokendesk count start|scan|close|report|list. */
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
#include "tokendesk/count.h"
#include "tokendesk/match.h"
#include "tokendesk/outfile.h"

#define N_(s) s
static const char *const count_usage = N_(
	"Usage: tokendesk count start (--agency CODE | --custodian CUSTODIAN)\n"
	"       tokendesk count scan ID [--inserted] [--from FILE] SERIAL...\n"
	"       tokendesk count watch ID [--poll-ms N] [--no-usb]\n"
	"       tokendesk count close ID [-o DIR] [--json]\n"
	"       tokendesk count report ID [--json] [--summary] [--text FILE] [--xlsx FILE]\n"
	"       tokendesk count list [--json]\n"
	"Count the tokens present against custody (an agency's subtree, or one\n"
	"custodian: dost, ca, agency:CODE, holder:ID).  Each scan is saved at\n"
	"once; an interrupted count resumes by scanning on into the same ID.\n");

static int fail(const struct td_error *err)
{
	td_cli_print_error(err);
	return td_cli_status(err->code);
}

static int parse_id(const char *s, int64_t *id)
{
	char *end;

	errno = 0;
	*id = strtoll(s ? s : "", &end, 10);
	if (!s || errno || *end || *id <= 0) {
		td_cli_fail("count: '%s' is not a count id", s ? s : "");
		return -1;
	}
	return 0;
}

/* ---- start ------------------------------------------------------------------ */

static int count_start(struct td_registry *reg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "custodian", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *agency = NULL, *custodian = NULL;
	struct td_error err;
	int64_t id;
	int c;

	while ((c = td_cli_getopt(argc, argv, "a:c:h", opts)) != -1) {
		if (c == 'a')
			agency = optarg;
		else if (c == 'c')
			custodian = optarg;
		else {
			fputs(td_cli_T(count_usage), c == 'h' ? stdout : stderr);
			return c == 'h' ? EX_OK : EX_USAGE;
		}
	}
	if (!agency == !custodian || optind != argc) {
		fputs(td_cli_T(count_usage), stderr);
		return EX_USAGE;
	}
	if (td_count_start(reg, agency, custodian, &id, &err) < 0)
		return fail(&err);
	printf("%" PRId64 "\n", id);   /* for scripts: the id alone */
	return EX_OK;
}

/* ---- scan ------------------------------------------------------------------- */

/* A token counted here that the registry holds away (lost, at DOST,
 * with another person...) is found, and flagged: the desk's words. */
static void print_away(struct td_registry *reg, const char *serial)
{
	char what[400];
	const char *says;

	switch (td_count_away(reg, serial, what, sizeof what)) {
	case TD_AWAY_STATE:
		if ((says = td_custody_away_words(what)))
			printf("\t⚠ %s", td_cli_T(says));
		break;
	case TD_AWAY_OTHER_HOLDER:
		td_cli_printf("\t⚠ recorded as handed to %.200s, not to the "
		              "certificate's holder", what);
		break;
	case TD_AWAY_NONE:
		break;
	}
}

static void print_hit(struct td_registry *reg, const char *serial,
                      const struct td_count_hit *h)
{
	printf("%s\t%s", serial, td_cli_word(td_count_outcome_name(h->outcome)));
	if (h->outcome == TD_COUNT_UNEXPECTED)
		td_cli_printf("\tregistry: %s%s%s", h->custodian, h->custodian_name ? " " : "",
		              h->custodian_name ? h->custodian_name : "");
	if (h->outcome != TD_COUNT_UNKNOWN)
		print_away(reg, serial);
	if (h->scans > 1)
		td_cli_nprintf("\tduplicate (scanned %" PRId64 " time)",
		               "\tduplicate (scanned %" PRId64 " times)",
		               (unsigned long)h->scans, h->scans);
	putchar('\n');
}

/* Serials from a file (one per line), scanned as one batch. */
static int scan_file(struct td_registry *reg, int64_t id, const char *path)
{
	struct td_error err;
	size_t done;

	if (td_count_scan_file(reg, id, path, &done, &err) < 0)
		return fail(&err);
	td_cli_nprintf("%zu scan recorded\n", "%zu scans recorded\n", done, done);
	return EX_OK;
}

static int count_scan(struct td_registry *reg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "inserted", no_argument, NULL, 'i' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *source = "typed", *from = NULL;
	struct td_count_hit hit;
	struct td_error err;
	int64_t id;
	int c, status = EX_OK;

	while ((c = td_cli_getopt(argc, argv, "if:h", opts)) != -1) {
		if (c == 'i')
			source = "inserted";
		else if (c == 'f')
			from = optarg;
		else {
			fputs(td_cli_T(count_usage), c == 'h' ? stdout : stderr);
			return c == 'h' ? EX_OK : EX_USAGE;
		}
	}
	if (optind >= argc || parse_id(argv[optind++], &id) < 0 ||
	    (!from && optind >= argc)) {
		fputs(td_cli_T(count_usage), stderr);
		return EX_USAGE;
	}
	if (from && (status = scan_file(reg, id, from)) != EX_OK)
		return status;
	for (; optind < argc; optind++) {
		memset(&hit, 0, sizeof hit);
		if (td_count_scan(reg, id, argv[optind], source, &hit, &err) < 0) {
			status = fail(&err);
			if (err.code != TD_ERR_DATA)
				return status;   /* closed, missing: stop at once */
			continue;
		}
		print_hit(reg, argv[optind], &hit);
		td_count_hit_clear(&hit);
	}
	return status;
}

/* ---- report ----------------------------------------------------------------- */

static json_t *serials(const struct td_count_list *l)
{
	json_t *a = json_array();

	for (size_t i = 0; i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i].serial));
	return a;
}

static json_t *whereabouts(const struct td_count_list *l)
{
	json_t *o = json_object();

	for (size_t i = 0; i < l->n; i++) {
		json_t *w = json_object();
		json_object_set_new(w, "custodian", td_json_str(l->v[i].custodian));
		json_object_set_new(w, "custodian_name", td_json_str(l->v[i].custodian_name));
		json_object_set_new(o, l->v[i].serial, w);
	}
	return o;
}

static json_t *report_json(const struct td_count_report *r)
{
	const struct td_count *c = &r->count;
	const struct td_count_tally *t = &r->tally;
	json_t *o = json_object(), *tally = json_object(), *dups = json_object();

	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "uid", td_json_str(c->uid));
	json_object_set_new(o, "scope_kind", td_json_str(c->scope_kind));
	json_object_set_new(o, "scope", td_json_str(c->scope));
	json_object_set_new(o, "scope_name", td_json_str(c->scope_name));
	json_object_set_new(o, "started_at", td_json_str(c->started_at));
	json_object_set_new(o, "operator", td_json_str(c->operator_name));
	json_object_set_new(o, "closed_at", td_json_str(c->closed_at));
	json_object_set_new(o, "closed_by", td_json_str(c->closed_by));
	json_object_set_new(o, "status", json_string(c->closed_at ? "closed" : "open"));
	json_object_set_new(tally, "expected", json_integer(t->expected));
	json_object_set_new(tally, "found", json_integer(t->found));
	json_object_set_new(tally, "missing", json_integer(t->missing));
	json_object_set_new(tally, "unexpected", json_integer(t->unexpected));
	json_object_set_new(tally, "duplicate", json_integer(t->duplicate));
	json_object_set_new(tally, "unknown", json_integer(t->unknown));
	json_object_set_new(tally, "scans", json_integer(t->scans));
	json_object_set_new(o, "tally", tally);
	json_object_set_new(o, "found", serials(&r->by[TD_COUNT_FOUND]));
	json_object_set_new(o, "missing", serials(&r->by[TD_COUNT_MISSING]));
	json_object_set_new(o, "unexpected", serials(&r->by[TD_COUNT_UNEXPECTED]));
	json_object_set_new(o, "duplicate", serials(&r->duplicate));
	json_object_set_new(o, "unknown", serials(&r->by[TD_COUNT_UNKNOWN]));
	json_object_set_new(o, "unexpected_at", whereabouts(&r->by[TD_COUNT_UNEXPECTED]));
	json_object_set_new(o, "missing_at", whereabouts(&r->by[TD_COUNT_MISSING]));
	for (size_t i = 0; i < r->duplicate.n; i++)
		json_object_set_new(dups, r->duplicate.v[i].serial,
		                    json_integer(r->duplicate.v[i].scans));
	json_object_set_new(o, "duplicate_scans", dups);
	return o;
}

static void print_tally(const struct td_count_report *r)
{
	const struct td_count_tally *t = &r->tally;

	td_cli_printf("count %" PRId64 " (%s %s%s%s): %s\n", r->count.id,
	              td_cli_word(r->count.scope_kind),
	              r->count.scope, r->count.scope_name ? " " : "",
	              r->count.scope_name ? r->count.scope_name : "",
	              td_cli_word(r->count.closed_at ? "closed" : "open"));
	td_cli_printf("  expected %" PRId64 ", found %" PRId64 ", missing %" PRId64
	       ", unexpected %" PRId64 ", duplicate %" PRId64 ", unknown %" PRId64
	       ", scans %" PRId64 "\n", t->expected, t->found, t->missing,
	       t->unexpected, t->duplicate, t->unknown, t->scans);
}

static void print_lines(const struct td_count_report *r)
{
	for (int o = 0; o < 4; o++)
		for (size_t i = 0; i < r->by[o].n; i++) {
			const struct td_count_entry *e = &r->by[o].v[i];
			const char *word = td_cli_word(td_count_outcome_name(o));
			/* translated words are padded by display width
			 * ("ngoài dự kiến": 13 columns, 19 bytes) */
			if (td_cli_speaks_other()) {
				fputs("  ", stdout);
				td_cli_column(word, 14);
			} else
				printf("  %-10s ", word);
			printf("%-20s %s%s%s\n", e->serial,
			       e->custodian ? e->custodian : "",
			       e->custodian_name ? " " : "",
			       e->custodian_name ? e->custodian_name : "");
		}
	for (size_t i = 0; i < r->duplicate.n; i++)
		td_cli_nprintf("  %-10s %-20s %" PRId64 " scan\n",
		               "  %-10s %-20s %" PRId64 " scans\n",
		               (unsigned long)r->duplicate.v[i].scans, td_cli_word("duplicate"),
		               r->duplicate.v[i].serial, r->duplicate.v[i].scans);
}

/* The reports at the paths text and xlsx (either NULL: not written),
 * or, dir given, at those names inside it. */
static int write_files(const struct td_count_report *r, const struct td_outdir *dir,
                       const char *text, const char *xlsx)
{
	struct td_error err;

	if (text && td_count_report_write_text(r, dir, text, &err) < 0)
		return fail(&err);
	if (xlsx && td_count_report_write_xlsx(r, dir, xlsx, &err) < 0)
		return fail(&err);
	return EX_OK;
}

/* Tallies only: what a desk shows live while scanning. */
static int report_summary(struct td_registry *reg, int64_t id, int json)
{
	struct td_count_tally t;
	struct td_error err;

	if (td_reg_count_tally(reg, id, &t, &err) < 0)
		return fail(&err);
	if (json) {
		json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}",
		                      "id", (json_int_t)id,
		                      "expected", (json_int_t)t.expected,
		                      "found", (json_int_t)t.found,
		                      "missing", (json_int_t)t.missing,
		                      "unexpected", (json_int_t)t.unexpected,
		                      "duplicate", (json_int_t)t.duplicate,
		                      "unknown", (json_int_t)t.unknown,
		                      "scans", (json_int_t)t.scans);
		td_json_print(o);
		json_decref(o);
	} else {
		td_cli_printf("count %" PRId64 ": expected %" PRId64 ", found %" PRId64
		       ", missing %" PRId64 ", unexpected %" PRId64 ", duplicate %" PRId64
		       ", unknown %" PRId64 ", scans %" PRId64 "\n", id, t.expected,
		       t.found, t.missing, t.unexpected, t.duplicate, t.unknown, t.scans);
	}
	return EX_OK;
}

static int count_report(struct td_registry *reg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "summary", no_argument, NULL, 's' },
		{ "text", required_argument, NULL, 't' },
		{ "xlsx", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *text = NULL, *xlsx = NULL;
	struct td_count_report r;
	struct td_error err;
	int64_t id;
	int c, json = 0, summary = 0, status;

	while ((c = td_cli_getopt(argc, argv, "jst:x:h", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 's')
			summary = 1;
		else if (c == 't')
			text = optarg;
		else if (c == 'x')
			xlsx = optarg;
		else {
			fputs(td_cli_T(count_usage), c == 'h' ? stdout : stderr);
			return c == 'h' ? EX_OK : EX_USAGE;
		}
	}
	if (optind + 1 != argc || parse_id(argv[optind], &id) < 0)
		return EX_USAGE;
	if (summary && !text && !xlsx)
		return report_summary(reg, id, json);
	if (td_count_report_load(reg, id, &r, &err) < 0) {
		td_count_report_free(&r);
		return fail(&err);
	}
	if (json) {
		json_t *o = report_json(&r);
		td_json_print(o);
		json_decref(o);
	} else {
		print_tally(&r);
		print_lines(&r);
	}
	status = write_files(&r, NULL, text, xlsx);
	td_count_report_free(&r);
	return status;
}

static int count_close(struct td_registry *reg, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const char *dir = NULL;
	struct td_outdir out = { -1, NULL };
	char text[4096], xlsx[4096], text_name[64], xlsx_name[64];
	struct td_count_report r;
	struct td_error err;
	int64_t id;
	int c, json = 0, status;

	while ((c = td_cli_getopt(argc, argv, "jo:h", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'o')
			dir = optarg;
		else {
			fputs(td_cli_T(count_usage), c == 'h' ? stdout : stderr);
			return c == 'h' ? EX_OK : EX_USAGE;
		}
	}
	if (optind + 1 != argc || parse_id(argv[optind], &id) < 0)
		return EX_USAGE;
	/* The folder is made and opened first, without following a link
	 * planted there (as the lists' and the records' folders): refused,
	 * the count stays open. */
	if (dir && td_outdir_open(&out, dir, &err) < 0)
		return fail(&err);
	if (td_count_close(reg, id, NULL, &err) < 0) {
		td_outdir_close(&out);
		return fail(&err);
	}
	if (td_count_report_load(reg, id, &r, &err) < 0) {
		td_count_report_free(&r);
		td_outdir_close(&out);
		return fail(&err);
	}
	snprintf(text_name, sizeof text_name, "count-%" PRId64 ".txt", id);
	snprintf(xlsx_name, sizeof xlsx_name, "count-%" PRId64 ".xlsx", id);
	snprintf(text, sizeof text, "%s/%s", dir ? out.path : ".", text_name);
	snprintf(xlsx, sizeof xlsx, "%s/%s", dir ? out.path : ".", xlsx_name);
	status = dir ? write_files(&r, &out, text_name, xlsx_name)
	             : write_files(&r, NULL, text, xlsx);
	td_outdir_close(&out);
	if (json) {
		json_t *o = report_json(&r);
		json_object_set_new(o, "text_report", json_string(text));
		json_object_set_new(o, "xlsx_report", json_string(xlsx));
		td_json_print(o);
		json_decref(o);
	} else {
		print_tally(&r);
		/* named only when written: a refused folder was said above */
		if (status == EX_OK)
			td_cli_printf("  reports: %s, %s\n", text, xlsx);
	}
	td_count_report_free(&r);
	return status;
}

struct list_ctx {
	json_t *arr;
};

static int list_one(const struct td_count *c, void *ctx)
{
	struct list_ctx *l = ctx;

	if (l->arr) {
		json_t *o = json_object();
		json_object_set_new(o, "id", json_integer(c->id));
		json_object_set_new(o, "uid", td_json_str(c->uid));
		json_object_set_new(o, "scope_kind", td_json_str(c->scope_kind));
		json_object_set_new(o, "scope", td_json_str(c->scope));
		json_object_set_new(o, "started_at", td_json_str(c->started_at));
		json_object_set_new(o, "closed_at", td_json_str(c->closed_at));
		json_object_set_new(o, "scans", json_integer(c->scans));
		json_array_append_new(l->arr, o);
	} else {
		char when[64];
		/* translated, the start in local time as the reader writes it;
		 * English keeps the stored UTC stamp it always printed */
		const char *started = td_cli_speaks_other()
		                      ? td_cli_time(c->started_at, when, sizeof when)
		                      : c->started_at;
		td_cli_nprintf("%" PRId64 "\t%s\t%s %s\t%s\t%" PRId64 " scan\t%s\n",
		               "%" PRId64 "\t%s\t%s %s\t%s\t%" PRId64 " scans\t%s\n",
		               (unsigned long)c->scans, c->id,
		               td_cli_word(c->closed_at ? "closed" : "open"),
		               td_cli_word(c->scope_kind), c->scope,
		               started, c->scans, c->scope_name ? c->scope_name : "");
	}
	return 0;
}

static int count_list(struct td_registry *reg, int argc, char **argv)
{
	struct list_ctx l = { NULL };
	struct td_error err;
	int rc;

	if (argc > 1 && strcmp(argv[1], "--json") == 0)
		l.arr = json_array();
	rc = td_reg_count_list(reg, list_one, &l, &err);
	if (l.arr) {
		if (rc == TD_OK)
			td_json_print(l.arr);
		json_decref(l.arr);
	}
	return rc < 0 ? fail(&err) : EX_OK;
}

int td_count_watch(struct td_cli *cli, int argc, char **argv); /* cmd_count_watch.c */

int td_cmd_count(struct td_cli *cli, int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*run)(struct td_registry *, int, char **);
	} subs[] = {
		{ "start", count_start }, { "scan", count_scan }, { "close", count_close },
		{ "report", count_report }, { "list", count_list },
	};
	struct td_registry *reg;
	int status = EX_OK;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(td_cli_T(count_usage), argc < 2 ? stderr : stdout);
		return argc < 2 ? EX_USAGE : EX_OK;
	}
	if (strcmp(argv[1], "watch") == 0) {   /* needs the token modules too */
		td_cli_getopt_reset();
		return td_count_watch(cli, argc - 1, argv + 1);
	}
	for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++) {
		if (strcmp(argv[1], subs[i].name) != 0)
			continue;
		if (!(reg = td_cli_registry(cli, 0, &status)))
			return status;
		td_cli_getopt_reset();
		return subs[i].run(reg, argc - 1, argv + 1);
	}
	td_cli_fail("count: unknown subcommand '%s'", argv[1]);
	fputs(td_cli_T(count_usage), stderr);
	return EX_USAGE;
}

/* cmd_export.c: tokendesk export [--format csv|json] WHAT.  Rows go out
 * as the registry gives them, in both formats: nothing holds the table. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/csv.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"

struct export_ctx {
	FILE *out;
	int json;
	long rows;         /* JSON: objects written */
	int header_done;
	int write_errno;   /* why the first failed write failed */
};

static int write_failed(struct export_ctx *ctx)
{
	ctx->write_errno = errno ? errno : EIO;
	return TD_ERR_IO;
}

/* One object of the array, written as it comes (a million certificates
 * held as JSON took 2.9 GB): the same bytes json_dumpf gave for the whole
 * array with JSON_INDENT(2), an object's lines indented one level. */
static int json_row(struct export_ctx *ctx, int n, const char *const *names,
                    const char *const *values)
{
	json_t *o = json_object();
	char *text;
	int bad;

	for (int i = 0; o && i < n; i++)
		json_object_set_new(o, names[i], td_json_str(values[i]));
	text = o ? json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	json_decref(o);
	if (!text)
		return TD_ERR_NOMEM;
	bad = fputs(ctx->rows++ ? ",\n  " : "[\n  ", ctx->out) == EOF;
	for (const char *p = text; !bad && *p; p++)
		bad = (*p == '\n' ? fputs("\n  ", ctx->out) : fputc(*p, ctx->out)) == EOF;
	free(text);
	return bad ? write_failed(ctx) : 0;
}

static int json_end(struct export_ctx *ctx)
{
	return fputs(ctx->rows ? "\n]\n" : "[]\n", ctx->out) == EOF ? write_failed(ctx) : 0;
}

static int export_row(int n, const char *const *names, const char *const *values,
                      void *vctx)
{
	struct export_ctx *ctx = vctx;

	if (ctx->json)
		return json_row(ctx, n, names, values);
	if (!ctx->header_done++ && td_csv_write(ctx->out, (size_t)n, names, 0) < 0)
		return write_failed(ctx);
	/* Names come from lists anyone could have typed: a cell starting
	 * with = + - @ must not become a live formula in a spreadsheet
	 * (the import drops the quote again). */
	return td_csv_write(ctx->out, (size_t)n, values, TD_CSV_NEUTRALIZE) < 0
	       ? write_failed(ctx) : 0;
}

/* "csv" or "json" when the file name ends so, else NULL. */
static const char *format_of_name(const char *path)
{
	if (td_cli_name_ends(path, ".json"))
		return "json";
	if (td_cli_name_ends(path, ".csv"))
		return "csv";
	return NULL;
}

int td_cmd_export(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct export_ctx ctx = { stdout, 0, 0, 0, 0 };
	struct td_outfile file;
	const char *format = NULL, *output = NULL, *named;
	struct td_registry *reg;
	struct td_error err;
	int c, status = EX_OK, rc;

	while ((c = td_cli_getopt(argc, argv, "f:o:h", opts)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'o')
			output = optarg;
		else if (c == 'h') {
			fputs(td_cli_T("Usage: tokendesk export [--format csv|json] [-o FILE] "
			       "agencies|certificates|tokens\n"
			       "Write a whole table.  CSV certificates use the import layout, so an\n"
			       "export imports back unchanged.  FILE is created with mode 0600;\n"
			       "its name says the format when --format does not (x.json: JSON).\n"
			       "A link, a folder or a device at FILE is refused (exit 73); - is\n"
			       "standard output, and a FIFO is written as it is.\n"), stdout);
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		td_cli_fail("unknown format '%s': use csv or json", format);
		return EX_USAGE;
	}
	/* -o certs.json wrote CSV into a .json file, and --format json -o
	 * certs.csv JSON into a .csv one, which then opens as garbage. */
	named = output ? format_of_name(output) : NULL;
	if (format && named && strcmp(format, named) != 0) {
		td_cli_fail("%s: the name says %s, --format says %s", output, named, format);
		return EX_USAGE;
	}
	if (!format)
		format = named ? named : "csv";
	if (argc - optind != 1) {
		td_cli_fail("usage: tokendesk export [--format csv|json] "
		            "agencies|certificates|tokens");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	/* Exports hold personal data: 0600, like the registry, and whole
	 * or not at all (outfile.h). */
	if (output) {
		if (td_outfile_open(&file, output, &err) < 0) {
			td_cli_print_error(&err);
			return err.code == TD_ERR_IO ? EX_CANTCREAT : td_cli_status(err.code);
		}
		ctx.out = file.f;
	}
	ctx.json = strcmp(format, "json") == 0;
	rc = td_reg_export(reg, argv[optind], export_row, &ctx, &err);
	if (rc == TD_OK && ctx.json)
		rc = json_end(&ctx);
	if (rc == TD_ERR_IO && ctx.write_errno)
		td_error_set(&err, TD_ERR_IO, "writing %s: %s",
		             output ? output : "the export", strerror(ctx.write_errno));
	else if (rc == TD_ERR_NOMEM)
		td_error_set(&err, TD_ERR_NOMEM, "out of memory");
	if (output && rc == TD_OK)
		rc = td_outfile_commit(&file, &err);
	else if (output)
		td_outfile_abandon(&file);
	if (rc < 0)
		td_cli_print_error(&err);
	return td_cli_status(rc);
}

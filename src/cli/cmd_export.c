/* cmd_export.c: tokendesk export [--format csv|json] WHAT. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/csv.h"
#include "tokendesk/privfile.h"
#include "tokendesk/registry.h"

struct export_ctx {
	FILE *out;
	json_t *array;
	int header_done;
};

static int export_row(int n, const char *const *names, const char *const *values,
                      void *vctx)
{
	struct export_ctx *ctx = vctx;

	if (ctx->array) {
		json_t *o = json_object();
		for (int i = 0; i < n; i++)
			json_object_set_new(o, names[i], td_json_str(values[i]));
		json_array_append_new(ctx->array, o);
		return 0;
	}
	if (!ctx->header_done++ && td_csv_write(ctx->out, (size_t)n, names, 0) < 0)
		return TD_ERR_IO;
	/* Names come from lists anyone could have typed: a cell starting
	 * with = + - @ must not become a live formula in a spreadsheet
	 * (the import drops the quote again). */
	return td_csv_write(ctx->out, (size_t)n, values, TD_CSV_NEUTRALIZE) < 0
	       ? TD_ERR_IO : 0;
}

/* Exports hold personal data: 0600, like the registry. */
static FILE *open_output(const char *path)
{
	int fd = td_create_private(path, 0);
	return fd < 0 ? NULL : fdopen(fd, "w");
}

int td_cmd_export(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct export_ctx ctx = { stdout, NULL, 0 };
	const char *format = "csv", *output = NULL;
	struct td_registry *reg;
	struct td_error err;
	int c, status = EX_OK, rc;

	while ((c = getopt_long(argc, argv, "f:o:h", opts, NULL)) != -1) {
		if (c == 'f')
			format = optarg;
		else if (c == 'o')
			output = optarg;
		else if (c == 'h') {
			printf("Usage: tokendesk export [--format csv|json] [-o FILE] "
			       "agencies|certificates|tokens\n"
			       "Write a whole table.  CSV certificates use the import layout, so an\n"
			       "export imports back unchanged.  FILE is created with mode 0600.\n");
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
		td_cli_fail("unknown format '%s': use csv or json", format);
		return EX_USAGE;
	}
	if (argc - optind != 1) {
		td_cli_fail("usage: tokendesk export [--format csv|json] "
		            "agencies|certificates|tokens");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if (output && !(ctx.out = open_output(output))) {
		td_cli_fail("cannot create %s: %s", output, strerror(errno));
		return EX_CANTCREAT;
	}
	if (strcmp(format, "json") == 0)
		ctx.array = json_array();
	rc = td_reg_export(reg, argv[optind], export_row, &ctx, &err);
	if (rc == TD_OK && ctx.array) {
		if (json_dumpf(ctx.array, ctx.out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
			rc = TD_ERR_IO;
		fputc('\n', ctx.out);
	}
	if (rc == TD_ERR_IO)
		td_error_set(&err, TD_ERR_IO, "writing the export failed");
	if (rc < 0)
		td_cli_print_error(&err);
	json_decref(ctx.array);
	if (output && fclose(ctx.out) != 0 && rc == TD_OK) {
		td_cli_fail("writing %s failed: %s", output, strerror(errno));
		rc = TD_ERR_IO;
	}
	return td_cli_status(rc);
}

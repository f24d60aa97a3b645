/* cmd_forms.c: tokendesk forms: the Decree 68 request forms for the CA
 * (Mẫu 04, 05, 06), one per requesting agency, as XLSX, PDF or DOCX. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "tokendesk/forms.h"
#include "tokendesk/registry.h"

/* po/POTFILES.in lists this file: its texts are the operator's language */
#define T(en) td_cli_T(en)

static void forms_help(void)
{
	char dir[4096];

	fputs(T("Usage: tokendesk forms --kind revoke|change|recover|renew\n"
	        "         [--agency CODE] [--batch N] [--place TEXT] [--date YYYY-MM-DD]\n"
	        "         [--template FILE] [--format xlsx|pdf|docx] -o FILE\n"
	        "Write the request forms of Decree 68/2024 for the CA from the\n"
	        "tags: revoke: form 05 (revocation); change: form 04 (information\n"
	        "change); renew: form 04 (renewal); recover: form 06 (token\n"
	        "recovery).  One form per\n"
	        "requesting agency: the letter, then the table.  XLSX: a sheet per\n"
	        "form (200 to a sheet past 200 forms); PDF and DOCX (Word): the forms\n"
	        "one after another, each from a new page.  The format follows FILE's\n"
	        "name (.xlsx, .pdf, .docx) unless --format says it.\n"
	        "  --batch N      the tags sent in batch N (default: the tags not yet\n"
	        "                 sent)\n"
	        "  --agency CODE  only that agency's form\n"
	        "  --place TEXT   the letter's place (default: --place of the\n"
	        "                 config, $TOKENDESK_PLACE; else left dotted)\n"
	        "  --date DATE    the letter's date (default: today, local time)\n"
	        "  --template F   a template file instead of the installed one\n"
	        "The layout (columns, headings, widths, the letter's text) comes from\n"
	        "the template KIND.json in the forms folder (docs/formats.md):\n"), stdout);
	printf("  %s\n", td_forms_dir(dir, sizeof dir));
}

/* The format --format names, else FILE's ending; a name that says
 * another format than --format is refused (it would open as garbage). */
static int format_of(const char *given, const char *out, enum td_forms_format *f)
{
	static const struct { const char *name, *end; enum td_forms_format f; } formats[] = {
		{ "xlsx", ".xlsx", TD_FORMS_XLSX },
		{ "pdf", ".pdf", TD_FORMS_PDF },
		{ "docx", ".docx", TD_FORMS_DOCX },
	};
	int named = -1, chosen = -1;

	for (int i = 0; i < 3; i++) {
		if (td_cli_name_ends(out, formats[i].end))
			named = i;
		if (given && strcmp(given, formats[i].name) == 0)
			chosen = i;
	}
	if (given && chosen < 0) {
		td_cli_fail("%s", T("--format is xlsx, pdf or docx"));
		return -1;
	}
	if (chosen < 0 && named < 0 && strcmp(out, "-") == 0)
		chosen = 0;
	if (chosen < 0 && named < 0) {
		td_cli_fail("%s: %s", out, T("name the file .xlsx, .pdf or .docx, or give --format"));
		return -1;
	}
	if (chosen >= 0 && named >= 0 && chosen != named) {
		td_cli_fail("%s: %s", out, T("the name says another format than --format"));
		return -1;
	}
	*f = formats[chosen >= 0 ? chosen : named].f;
	return 0;
}

int td_cmd_forms(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kind", required_argument, NULL, 'k' },
		{ "agency", required_argument, NULL, 'a' },
		{ "batch", required_argument, NULL, 'b' },
		{ "place", required_argument, NULL, 'p' },
		{ "date", required_argument, NULL, 'd' },
		{ "template", required_argument, NULL, 't' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_forms_opts fo = { 0 };
	struct td_forms_report rep;
	struct td_registry *reg;
	struct td_error err;
	const char *out = NULL, *format = NULL, *place = NULL;
	long long n;
	int c, status = EX_OK, rc;

	while ((c = td_cli_getopt(argc, argv, "k:a:o:h", opts)) != -1) {
		switch (c) {
		case 'k': fo.kind = optarg; break;
		case 'a': fo.agency = optarg; break;
		case 'b':
			if (td_cli_number("--batch", optarg, 1, 999999, &n) < 0)
				return EX_USAGE;
			fo.batch = n;
			break;
		case 'p': place = optarg; break;
		case 'd': fo.date = optarg; break;
		case 't': fo.template_path = optarg; break;
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		case 'h': forms_help(); return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (!out || (!fo.kind && !fo.template_path) || optind != argc) {
		td_cli_fail("%s", T("forms needs --kind KIND and -o FILE; see "
		                    "`tokendesk forms --help`"));
		return EX_USAGE;
	}
	if (fo.kind && strcmp(fo.kind, "revoke") != 0 && strcmp(fo.kind, "change") != 0 &&
	    strcmp(fo.kind, "recover") != 0 && strcmp(fo.kind, "renew") != 0 &&
	    !fo.template_path) {
		td_cli_fail("%s", T("--kind is revoke, change, recover or renew"));
		return EX_USAGE;
	}
	if (format_of(format, out, &fo.format) < 0)
		return EX_USAGE;
	/* a Vietnamese form is dated where the clerk is */
	if (!getenv("TZ"))
		setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	fo.place = td_session_place(td_cli_session(cli), place);
	if (!(reg = td_cli_registry(cli, 0, &status)))
		return status;
	if ((rc = td_forms_write(reg, out, &fo, &rep, &err)) < 0)
		td_cli_print_error(&err);
	else if (!cli->quiet)
		td_cli_printf("%s: %ld forms, %ld rows\n", out, rep.forms, rep.rows);
	return td_cli_status(rc);
}

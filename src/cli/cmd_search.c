/* cmd_search.c: tokendesk search TEXT: names and serials, any marks/case. */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "cli/json.h"
#include "tokendesk/registry.h"
#include "tokendesk/text.h"

static const char *const kind_names[] = { "agency", "holder", "cert", "token" };

static int print_hit(const struct td_search_hit *h, void *ctx)
{
	if (ctx) {
		json_t *o = json_object();
		json_object_set_new(o, "kind", json_string(kind_names[h->kind]));
		json_object_set_new(o, "key", td_json_str(h->key));
		json_object_set_new(o, "label", td_json_str(h->label));
		json_object_set_new(o, "detail", td_json_str(h->detail));
		json_array_append_new(ctx, o);
		return 0;
	}
	const char *kind = td_cli_word(kind_names[h->kind]);
	/* padded by display width: a translated kind has marks (the
	 * English column is as it always was, 6 wide) */
	int pad = (td_cli_speaks_other() ? 10 : 6) - td_display_width(kind);

	printf("%s%*s  %-34s  %s%s%s%s\n", kind, pad > 0 ? pad : 0, "",
	       h->key ? h->key : "",
	       h->label ? h->label : "", h->detail ? "  (" : "",
	       h->detail ? h->detail : "", h->detail ? ")" : "");
	return 0;
}

int td_cmd_search(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "limit", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct td_registry *reg;
	struct td_error err;
	json_t *hits = NULL;
	int c, json = 0, limit = 50, status = EX_OK, rc;
	char text[1024] = "";

	while ((c = td_cli_getopt(argc, argv, "jn:h", opts)) != -1) {
		if (c == 'j')
			json = 1;
		else if (c == 'n') {
			long long n;
			if (td_cli_number("--limit", optarg, 1, 10000000, &n) < 0)
				return EX_USAGE;
			limit = (int)n;
		}
		else if (c == 'h') {
			fputs(td_cli_T("Usage: tokendesk search TEXT [--json] [--limit N]\n"
			       "Find agencies, holders, certificates and tokens by name, code,\n"
			       "serial (spaces or colons between its digits, any case) or\n"
			       "e-mail.  Marks and case do not matter (\"nguyen van hung\" finds\n"
			       "the name with its marks, \"dang\" finds it with D-stroke); names\n"
			       "holding the words whole come first, then those written with\n"
			       "the marks typed; the last word may be the start of one.\n"),
			      stdout);
			return EX_OK;
		} else
			return EX_USAGE;
	}
	if (optind >= argc) {
		td_cli_fail("search needs TEXT");
		return EX_USAGE;
	}
	for (int i = optind; i < argc; i++)   /* unquoted words are one query */
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
		         i > optind ? " " : "", argv[i]);
	if (!td_utf8_valid(text, strlen(text), NULL)) {
		td_cli_fail("the search text is not valid UTF-8");
		return EX_USAGE;
	}
	if (!(reg = td_cli_registry_to_read(cli, &status)))
		return status;
	if (json)
		hits = json_array();
	rc = td_reg_search(reg, text, limit, print_hit, hits, &err);
	if (rc < 0)
		td_cli_print_error(&err);
	else if (json)
		td_json_print(hits);
	json_decref(hits);
	return td_cli_status(rc < 0 ? rc : 0);
}

/* commands.c: the table of CLI commands, in the order --help lists them. */
#include <config.h>

#include <stddef.h>

#include "cli/commands.h"

/* Marks the synopses for xgettext; --help translates them (main.c). */
#define N_(s) s

const struct td_cli_command td_cli_commands[] = {
	{ "init", td_cmd_init, N_("init") },
	{ "import", td_cmd_import, N_("import [--encoding NAME] FILE...") },
	{ "show", td_cmd_show, N_("show token SERIAL | cert SERIAL | agency CODE [--as-of DATE] | holder ID [--json]") },
	{ "search", td_cmd_search, N_("search TEXT [--json] [--limit N]") },
	{ "export", td_cmd_export,
	  N_("export [--format csv|json] [-o FILE] agencies|certificates|tokens") },
	{ "audit", td_cmd_audit, N_("audit verify | audit log [ENTITY KEY] [--json]") },
	{ "handover", td_cmd_handover,
	  N_("handover --to CUSTODIAN [--from CUSTODIAN] [--state lost|damaged] TOKEN...") },
	{ "receipt", td_cmd_receipt, N_("receipt NUMBER [--pdf FILE] | receipt --list [--json]") },
	{ "dossier", td_cmd_dossier, N_("dossier add|list|handover ...") },
	{ "scan", td_cmd_scan,
	  N_("scan [--json] [--watch] [--scope AGENCY] [--no-match] [--no-usb] [--poll-ms N]") },
	{ "doctor", td_cmd_doctor, N_("doctor [--json] [--no-usb]  (why a token is not seen)") },
	{ "verify-token", td_cmd_verify_token,
	  N_("verify-token SERIAL [--pin-fd N] [--force] [--cert SERIAL] [--json]") },
	{ "plan", td_cmd_plan, N_("plan import [--encoding NAME] FILE | show [--json] | apply | pick CODE SERIAL") },
	{ "tag", td_cmd_tag, N_("tag revoke|change-info|keep|... TARGET --reason TEXT | list | send") },
	{ "holder", td_cmd_holder, N_("holder set ID --no-longer-needed|--needed") },
	{ "crl", td_cmd_crl, N_("crl import [--ca FILE] CRLFILE | trust add|list|remove ...") },
	{ "lists", td_cmd_lists, N_("lists [--format xlsx|csv] -o PATH") },
	{ "forms", td_cmd_forms,
	  N_("forms --kind revoke|change|recover|renew [--batch N] -o FILE.xlsx|.pdf|.docx") },
	{ "count", td_cmd_count,
	  N_("count start|scan|close|report|list ... (inventory counts)") },
	{ "kit", td_cmd_kit, N_("kit make|merge|conflicts|resolve ... (field kits)") },
	{ "hall", td_cmd_hall, N_("hall add-operator NAME KEYFILE [--append FILE]") },
	{ NULL, NULL, NULL }
};

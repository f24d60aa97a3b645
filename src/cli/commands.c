/* commands.c: the table of CLI commands, in the order --help lists them. */
#include <config.h>

#include <stddef.h>

#include "cli/commands.h"

const struct td_cli_command td_cli_commands[] = {
	{ "init", td_cmd_init, "init" },
	{ "import", td_cmd_import, "import [--encoding NAME] FILE..." },
	{ "show", td_cmd_show, "show token SERIAL | cert SERIAL | agency CODE [--json]" },
	{ "search", td_cmd_search, "search TEXT [--json] [--limit N]" },
	{ "export", td_cmd_export,
	  "export [--format csv|json] [-o FILE] agencies|certificates|tokens" },
	{ "audit", td_cmd_audit, "audit verify | audit log [ENTITY KEY] [--json]" },
	{ "handover", td_cmd_handover,
	  "handover --to CUSTODIAN [--from CUSTODIAN] [--state lost|damaged] TOKEN..." },
	{ "receipt", td_cmd_receipt, "receipt NUMBER [--pdf FILE] | receipt --list [--json]" },
	{ "dossier", td_cmd_dossier, "dossier add|list|handover ..." },
	{ "scan", td_cmd_scan,
	  "scan [--json] [--watch] [--scope AGENCY] [--no-match] [--no-usb] [--poll-ms N]" },
	{ "doctor", td_cmd_doctor, "doctor [--json] [--no-usb]  (why a token is not seen)" },
	{ "verify-token", td_cmd_verify_token,
	  "verify-token SERIAL [--pin-fd N] [--force] [--cert SERIAL] [--json]" },
	{ "plan", td_cmd_plan, "plan import [--encoding NAME] FILE | show [--json] | apply | pick CODE SERIAL" },
	{ "tag", td_cmd_tag, "tag revoke|change-info|keep|... TARGET --reason TEXT | list | send" },
	{ "holder", td_cmd_holder, "holder set ID --no-longer-needed|--needed" },
	{ "crl", td_cmd_crl, "crl import [--ca FILE] CRLFILE | trust add|list|remove ..." },
	{ "lists", td_cmd_lists, "lists [--format xlsx|csv] -o PATH" },
	{ "count", td_cmd_count,
	  "count start|scan|close|report|list ... (inventory counts)" },
	{ "kit", td_cmd_kit, "kit make|merge|conflicts|resolve ... (field kits)" },
	{ "hall", td_cmd_hall, "hall add-operator NAME KEYFILE [--append FILE]" },
	{ NULL, NULL, NULL }
};

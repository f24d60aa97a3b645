/* commands.h: every CLI command's entry point (one file each). */
#ifndef TD_CLI_COMMANDS_H
#define TD_CLI_COMMANDS_H

#include "cli/cli.h"

int td_cmd_init(struct td_cli *cli, int argc, char **argv);
int td_cmd_import(struct td_cli *cli, int argc, char **argv);
int td_cmd_show(struct td_cli *cli, int argc, char **argv);
int td_cmd_search(struct td_cli *cli, int argc, char **argv);
int td_cmd_export(struct td_cli *cli, int argc, char **argv);
int td_cmd_audit(struct td_cli *cli, int argc, char **argv);
int td_cmd_scan(struct td_cli *cli, int argc, char **argv);
int td_cmd_verify_token(struct td_cli *cli, int argc, char **argv);
int td_cmd_count(struct td_cli *cli, int argc, char **argv);
int td_cmd_kit(struct td_cli *cli, int argc, char **argv);

#endif

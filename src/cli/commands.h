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
/* audit sign, and the checkpoints audit verify checks: the stored ones,
 * or file (cmd_audit_sign.c); each returns an exit status. */
int td_cli_audit_sign(struct td_cli *cli, struct td_registry *reg, const char *token,
                      int pin_fd, int force, const char *out);
int td_cli_audit_checkpoints(struct td_cli *cli, struct td_registry *reg,
                             const char *file);
int td_cmd_scan(struct td_cli *cli, int argc, char **argv);
int td_cmd_verify_token(struct td_cli *cli, int argc, char **argv);
int td_cmd_plan(struct td_cli *cli, int argc, char **argv);
int td_cmd_tag(struct td_cli *cli, int argc, char **argv);
int td_cmd_holder(struct td_cli *cli, int argc, char **argv);
int td_cmd_crl(struct td_cli *cli, int argc, char **argv);
int td_cmd_lists(struct td_cli *cli, int argc, char **argv);
int td_cmd_forms(struct td_cli *cli, int argc, char **argv);
int td_cmd_count(struct td_cli *cli, int argc, char **argv);
int td_cmd_kit(struct td_cli *cli, int argc, char **argv);
int td_cmd_hall(struct td_cli *cli, int argc, char **argv);


/* handover, receipt, dossier (cmd_handover.c, cmd_receipt.c, cmd_dossier.c) */
struct td_handover;
int td_cmd_handover(struct td_cli *cli, int argc, char **argv);
int td_cmd_receipt(struct td_cli *cli, int argc, char **argv);
/* receipt's signing, verifying and QR parts (cmd_receipt_sign.c);
 * each returns an exit status. */
struct td_record;
int td_cli_receipt_sign(struct td_cli *cli, struct td_registry *reg,
                        const struct td_record *rec, const char *pdf,
                        const char *serial, int pin_fd, int force);
int td_cli_receipt_verify(struct td_cli *cli, struct td_registry *reg,
                          const struct td_record *rec, const char *file);
int td_cli_receipt_qr(struct td_cli *cli, struct td_registry *reg, const char *text);
/* 0 when the token serial is present with a locked PIN, or at its final
 * try and force is 0: then no PIN is read (the signing call refuses it
 * and says why); 1 otherwise. */
struct td_tokens;
int td_cli_pin_needed(struct td_tokens *t, const char *serial, int force);
int td_cmd_dossier(struct td_cli *cli, int argc, char **argv);
/* Commit h, print its number (or JSON), write the PDF record when pdf is
 * set; returns the exit status. */
int td_cli_handover_commit(struct td_cli *cli, struct td_handover *h,
                           const char *pdf, int json);
/* Proof of possession of every token of h (handover_pop.c): PINs from
 * pin_fd, one line per token; records each outcome on h.  Returns 0 when
 * all matched (or force), else a td_code after printing why. */
int td_cli_handover_prove(struct td_cli *cli, struct td_handover *h, int pin_fd,
                          int force);

#endif

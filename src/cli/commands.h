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
int td_cmd_doctor(struct td_cli *cli, int argc, char **argv);
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
/* The signers' common part (audit sign, receipt --sign;
 * cmd_receipt_sign.c).  td_cli_signer_open opens the tokens in *t and
 * reads the PIN of token serial into *pin (no echo, or from pin_fd; never
 * argv), except when the token is present with a locked PIN, or at its
 * final try and force is 0: then *pin is NULL and the signing call
 * refuses and says why.  EX_OK, or the printed error's exit status (then
 * nothing is left open).  The caller closes *t and frees *pin. */
struct td_tokens;
struct td_secbuf;
struct td_pop_result;
int td_cli_signer_open(struct td_cli *cli, const char *serial, int pin_fd,
                       int force, struct td_tokens **t, struct td_secbuf **pin);
/* Says "not signed: token SERIAL: OUTCOME (DETAIL)" and returns the exit
 * status of res's outcome (65 no key or another key, 69 token removed,
 * 77 PIN refused or locked). */
int td_cli_not_signed(const char *serial, const struct td_pop_result *res);
/* A proof's outcome code (td_pop_outcome_name) or detail sentence in the
 * operator's words: as it is in English, translated otherwise
 * (cmd_verify_token.c). */
const char *td_cli_pop_word(const char *code);
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

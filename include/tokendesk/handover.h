/* tokendesk/handover.h: handing tokens and request dossiers from one
 * custodian to another (letter 2.1, 2.2, 3.1, 3.2), and the printable
 * record of each handover ("Biên bản bàn giao").
 *
 * A handover is built as a batch in memory -- items, receiver, optional
 * giver (required for dossiers), condition, remarks, place, in any
 * order, the items added one by one,
 * each checked at once so a front end can show a running list and a
 * readable reason for a refused item -- and written by
 * td_handover_commit() in ONE registry transaction: the handover row with
 * its number ("BG-2026-0001", a sequence per year; in a field kit the
 * series of the kit: "BG-2026-35C64F-0001"), one item per token or
 * dossier, the custody event and new state of every token, and the audit
 * rows.  Either all of it is written or none.
 *
 * Proof of possession is an optional step per token, done by the front
 * end with the token layer (td_token_prove in tokendesk/token.h); its
 * outcome is handed in with td_handover_set_proof() and recorded on the
 * item (and in the custody event's remarks).  This module never sees a
 * PIN.
 *
 * Custodians are written "holder:ID" (a person's national id, or an
 * organisation holder's agency code), "agency:CODE", "dost" (the
 * provincial DOST) or "ca" (the government CA).
 *
 * Strings handed in are UTF-8 and copied; strings handed out are owned by
 * the object they come from unless said otherwise. */
#ifndef TOKENDESK_HANDOVER_H
#define TOKENDESK_HANDOVER_H

#include <stdint.h>
#include <stdio.h>
#include <stddef.h>

#include "tokendesk/error.h"

struct td_registry;

/* ---- custodians ----------------------------------------------------- */

enum td_custodian_kind {
	TD_CUSTODIAN_HOLDER,
	TD_CUSTODIAN_AGENCY,
	TD_CUSTODIAN_DOST,
	TD_CUSTODIAN_CA
};

#define TD_CUSTODIAN_MAX 160    /* longest canonical "kind:key" + NUL */
#define TD_CUSTODIAN_NAME_MAX 512

struct td_custodian {
	enum td_custodian_kind kind;
	char key[TD_CUSTODIAN_MAX - 8]; /* holder id or agency code; "" else */
	char text[TD_CUSTODIAN_MAX];  /* canonical form, e.g. "agency:DC-STC" */
	char name[TD_CUSTODIAN_NAME_MAX]; /* readable name; filled by resolve */
};

/* Parse the written form (syntax only, no registry): accepts the kinds
 * case-insensitively ("DOST", "Agency:DC") and trims blanks.  Returns 0
 * or TD_ERR_USAGE with a message naming the accepted forms. */
int td_custodian_parse(const char *text, struct td_custodian *out,
                       struct td_error *err);

/* Parse and check that the holder or agency exists; fills out->name
 * (agency name, holder name, "Sở Khoa học và Công nghệ", "Ban Cơ yếu
 * Chính phủ").  TD_ERR_NOTFOUND with a clear message when it does not. */
int td_custodian_resolve(struct td_registry *reg, const char *text,
                         struct td_custodian *out, struct td_error *err);

/* The token state a receiver implies: holder -> "in_use", agency ->
 * "at_agency", dost -> "at_dost", ca -> "sent_to_ca". Static string. */
const char *td_custodian_state(enum td_custodian_kind kind);

/* 1 when state is one of the token states the registry knows. */
int td_token_state_valid(const char *state);

/* ---- the batch ------------------------------------------------------ */

enum td_handover_kind { TD_HANDOVER_TOKENS, TD_HANDOVER_DOSSIERS };

/* Outcome of the optional proof of possession of one token. */
enum td_proof {
	TD_PROOF_SKIPPED = 0,   /* no proof was asked for (the default) */
	TD_PROOF_MATCHED,       /* the token's key matched its certificate */
	TD_PROOF_NOT_MATCHED    /* tried and failed (wrong key, PIN refused...) */
};

/* Stable names "skipped", "matched", "not_matched". */
const char *td_proof_name(enum td_proof p);

/* A translator: the operator's words for an English message id (the
 * front end's gettext), or the id itself. */
typedef const char *td_say_fn(const char *en) __attribute__((format_arg(1)));

/* A custody event's stored remarks ("REMARKS; handover BG-...;
 * possession matched: DETAIL", as a handover writes them, in English
 * because kits and audit images keep them) for a person, into buf: the
 * parts tokendesk wrote through words ("handover %s", "possession %s",
 * "possession %s: %s", the proof's name and detail), the operator's own
 * text as typed.  Returns buf ("" for NULL). */
const char *td_custody_remarks_said(const char *stored, td_say_fn *words,
                                    char *buf, size_t size);

/* One token or dossier of a batch, as checked when it was added. */
struct td_handover_item {
	char *key;          /* token serial (canonical) or dossier ref */
	char *detail;       /* token model, or dossier kind */
	char *from;         /* its custodian now ("agency:DC" ...), or the
	                       dossier's agency as "agency:CODE" */
	char *from_name;
	char *state_before; /* token state now; dossier status */
	char *holders;      /* holder names of its certificates, "; "-joined */
	char *certs;        /* certificate serials on it, "; "-joined */
	char *condition, *remarks;   /* per item, NULL = the batch's */
	enum td_proof proof;
	char *proof_detail; /* one sentence from the token layer, or NULL */
	char *path_rule;    /* tokens: why handing it to the receiver leaves
	                       the path (td_handover_set_reason), or NULL */
	int64_t custody_seen; /* tokens: id of the token's newest custody
	                         event when it was checked (0: none yet); the
	                         commit refuses it if another has come since */
};

struct td_handover;

/* A new empty batch of kind over reg (which must outlive it).  The
 * operator recorded is td_reg_operator(reg) at commit.  NULL and err
 * filled on failure (TD_ERR_NOMEM). */
struct td_handover *td_handover_new(struct td_registry *reg,
                                    enum td_handover_kind kind,
                                    struct td_error *err);
void td_handover_free(struct td_handover *h);

enum td_handover_kind td_handover_kind(const struct td_handover *h);

/* The receiver (required at commit, not before adding items).  Token batches accept any custodian; dossier batches
 * only "agency:CODE".  Checked against the registry
 * (td_custodian_resolve), and every item already added against it: an
 * item whose custodian is the new receiver makes it fail with
 * TD_ERR_CONFLICT naming the item (the batch is unchanged then).  NULL
 * clears the receiver.  Commit checks the items against it again. */
int td_handover_set_to(struct td_handover *h, const char *custodian,
                       struct td_error *err);

/* Who hands over.  NULL (the default) = each item's current custodian.
 * When set, every item must have that custodian in the registry, else
 * TD_ERR_CONFLICT ("token X is in the custody of Y, not Z") unless force
 * is set: items added later are refused by td_handover_add_*, items
 * already in a token batch make this call fail naming the first (the
 * batch is unchanged then), and commit checks them all again.  Each
 * item's giver on the record follows (the declared one, else its
 * custodian).  A dossier batch requires it (the merged agency) at
 * commit (TD_ERR_USAGE), and checks its dossiers against it as a token
 * batch does its tokens. */
int td_handover_set_from(struct td_handover *h, const char *custodian,
                         struct td_error *err);

/* Override checks that would refuse an item (giver mismatch, final-try
 * rule of the front end).  Recorded in the handover's remarks. */
void td_handover_set_force(struct td_handover *h, int force);

/* Why the batch is forced off the path (typed text, held to the rules
 * of td_text_problem; NULL or "" clears).  The path of letter 2.1/2.2
 * is holder -> managing agency -> DOST -> CA (agency -> agency for a
 * merger, agency -> holder to give a token to its holder): a token
 * step that skips or goes against it (holder -> dost, holder -> ca,
 * agency -> ca, dost -> agency or holder, ca -> anything), or that hands
 * a token with an active certificate to a person other than that
 * certificate's holder, is refused by td_handover_add_token with
 * TD_ERR_DATA unless force is set AND a reason is given.  The commit
 * stores the reason in the handover's remarks ("[forced] Lý do bàn giao
 * ngoài trình tự: REASON"), which the record prints. */
int td_handover_set_reason(struct td_handover *h, const char *reason,
                           struct td_error *err);

/* A front end that asks for the reason later (the desk, at F9): a token
 * off the path is then added, not refused, with its item's path_rule
 * saying why; td_handover_commit refuses the batch (TD_ERR_DATA, the
 * rule in words) while any item has one and no force with a reason is
 * set.  The CLI, which has its --reason up front, leaves it off. */
void td_handover_defer_path(struct td_handover *h, int defer);

/* Batch-wide text fields (copied; NULL or "" clears).  condition:
 * physical condition ("nguyên vẹn", "hỏng vỏ"...); place: where the
 * handover happens (the desk's location). */
int td_handover_set_condition(struct td_handover *h, const char *condition,
                              struct td_error *err);
int td_handover_set_remarks(struct td_handover *h, const char *remarks,
                            struct td_error *err);
int td_handover_set_place(struct td_handover *h, const char *place,
                          struct td_error *err);

/* Token batches: the state every token takes, overriding the one the
 * receiver implies: "lost" or "damaged" (any valid state is accepted).
 * NULL restores the default. */
int td_handover_set_state(struct td_handover *h, const char *state,
                          struct td_error *err);

/* Add a token by serial (any spelling: td_token_serial).  Checks: the
 * batch is a token batch; the token exists; it is not already in the
 * batch; it is not already with the receiver and the giver matches,
 * when they are set (else when they are: see set_to, set_from).  On refusal returns a negative code with
 * err->message a sentence for the operator (err->field = the serial) and
 * the batch unchanged.  On success returns the item's index (>= 0). */
int td_handover_add_token(struct td_handover *h, const char *serial,
                          struct td_error *err);

/* Add a dossier by ref: it must exist, not already be in the batch, and
 * when they are set, be held by the giving agency and not already be
 * with the receiving one (else when they are).  Same return
 * convention. */
int td_handover_add_dossier(struct td_handover *h, const char *ref,
                            struct td_error *err);

/* Remove the item with that key (serial in any spelling, or ref).
 * Returns 0 or TD_ERR_NOTFOUND. */
int td_handover_remove(struct td_handover *h, const char *key,
                       struct td_error *err);

/* The running list: count and the item at index i (< count), owned by h
 * and valid until the next add/remove. */
size_t td_handover_count(const struct td_handover *h);
const struct td_handover_item *td_handover_item_at(const struct td_handover *h,
                                                   size_t i);

/* Per-item condition and remarks (NULL = use the batch's). */
int td_handover_set_item_note(struct td_handover *h, const char *key,
                              const char *condition, const char *remarks,
                              struct td_error *err);

/* The token's custody as the operator first saw it: seen is the
 * custody_seen its item had then (a front end that rebuilds its batch
 * keeps the first one).  If the token (serial as the registry spells
 * it) is in the batch, its item takes seen, and the commit holds it to
 * that.  Returns TD_ERR_CONFLICT, with a sentence naming who handed the
 * token over meanwhile and when, if another custody event has come
 * since; else 0.  Works whether or not the token is in the batch (a
 * token now with the receiver cannot be added, but is explained). */
int td_handover_expect_custody(struct td_handover *h, const char *serial,
                               int64_t seen, struct td_error *err);

/* Record the proof-of-possession outcome of a token in the batch
 * (detail: one sentence, may be NULL).  TD_ERR_NOTFOUND if not in it. */
int td_handover_set_proof(struct td_handover *h, const char *serial,
                          enum td_proof proof, const char *detail,
                          struct td_error *err);

/* Write the whole batch in one transaction (see the top of this file).
 * Re-checks every item inside the transaction, so a concurrent change
 * (another desk's handover of a token since custody_seen) makes the
 * commit fail with nothing written, saying who moved it and when.  Refuses an empty batch or
 * one without receiver (TD_ERR_USAGE).  On success number gets the
 * handover number (e.g. "BG-2026-0001", NUL-terminated, at most
 * TD_HANDOVER_NUMBER_MAX bytes) and *id (if non-NULL) its row id.  The
 * batch may be freed afterwards; committing it twice is TD_ERR_USAGE. */
#define TD_HANDOVER_NUMBER_MAX 32
int td_handover_commit(struct td_handover *h, char *number, int64_t *id,
                       struct td_error *err);

/* ---- dossiers (request paperwork, Decree 68) ----------------------------- */

/* Kinds: "new_issue", "renewal", "info_change", "token_recovery";
 * 1 when kind is one of them. */
int td_dossier_kind_valid(const char *kind);
/* Vietnamese label of a kind ("Cấp mới", "Gia hạn", "Thay đổi nội dung
 * thông tin", "Khôi phục thiết bị lưu khóa bí mật"), or kind itself. */
const char *td_dossier_kind_label(const char *kind);

/* Register a dossier (one transaction of its own, with audit).  ref is
 * unique; agency must exist; holder_id (a person's or org holder's id,
 * may be NULL) must exist when given.  TD_ERR_CONFLICT if ref exists. */
int td_dossier_add(struct td_registry *reg, const char *ref, const char *kind,
                   const char *agency_code, const char *holder_id,
                   const char *remarks, struct td_error *err);

/* ---- the record (Biên bản bàn giao) ------------------------------------ */

struct td_record_item {
	char *key, *detail;         /* serial + model, or ref + kind label */
	char *from, *from_name;     /* the giver of this item */
	char *holders, *certs;      /* names and serials, "; "-joined, or NULL */
	char *state_before, *state_after;
	char *condition, *remarks;
	char *proof;                /* td_proof_name() */
	char *proof_detail;
};

/* Everything the printed record shows, loaded back from the registry so a
 * reprint is identical to the first print (the item fields are snapshots
 * taken at commit, not today's values). */
struct td_record {
	int64_t id;
	char *number;               /* "BG-2026-0001" */
	char *kind;                 /* "token" or "dossier" */
	char *at;                   /* UTC ISO time of the commit */
	char *date;                 /* YYYY-MM-DD of at */
	char *place, *operator_name;
	char *from, *from_name;     /* NULL from = the items' own givers */
	char *to, *to_name;
	char *condition, *remarks;
	size_t nitems;
	struct td_record_item *items;
};

/* Load the record of handover number (exact, case-insensitive) or of
 * "#ID"/plain decimal id.  TD_ERR_NOTFOUND when none.  Release with
 * td_record_clear(). */
int td_record_load(struct td_registry *reg, const char *number,
                   struct td_record *out, struct td_error *err);
void td_record_clear(struct td_record *r);

/* The record as plain UTF-8 text (Vietnamese, A4-width lines, signature
 * lines "Bên giao" / "Bên nhận").  Returns 0 or TD_ERR_IO. */
int td_record_write_text(const struct td_record *r, FILE *out,
                         struct td_error *err);

struct td_outdir;

/* The record as an A4 PDF (pango + cairo, DejaVu Sans), written as
 * outfile.h writes files: mode 0600, whole or not at all, never through
 * a link.  path is a file name in dir, or with dir NULL a path as named
 * ("-": standard output).  Returns 0, TD_ERR_CREATE (a link, a device,
 * no such folder...), TD_ERR_IO, or TD_ERR_INTERNAL if cairo fails. */
int td_record_write_pdf(const struct td_record *r, const struct td_outdir *dir,
                        const char *path, struct td_error *err);

/* ---- signed records (src/workflow/record_sign.c) ------------------------ */

struct td_tokens;
struct td_secbuf;
struct td_pop_result;

/* Sign the record r as a PDF at path with the token token_serial: when
 * path does not exist the record is rendered there first; when it does,
 * it must be this record (its QR text, kept in the file, names r's number
 * and content digest; TD_ERR_DATA otherwise) and the signature is added
 * as an incremental update, earlier ones staying valid.  The signature is
 * PAdES baseline B (ETSI.CAdES.detached, SHA-256, signing-certificate-v2,
 * the certificate included) with a visible box on the last page ("Ký
 * bởi", the certificate's CN and O, the local time) in the giver's or
 * the receiver's place, whichever holds the certificate.  The token's
 * first certificate that is not a CA's signs.  PIN rules: those of
 * td_token_prove (pin NULL only to learn a refusal; force for a final
 * try); *res says the outcome, and only TD_POP_MATCH means signed.
 * Then, in one transaction, the signature is recorded on the handover
 * (audited "handover.sign").  0 or <0 (TD_ERR_NOTFOUND: no such token;
 * TD_ERR_IO; TD_ERR_DATA). */
int td_record_sign(struct td_registry *reg, const struct td_record *r,
                   const char *path, struct td_tokens *t, const char *token_serial,
                   const struct td_secbuf *pin, int force,
                   struct td_pop_result *res, struct td_error *err);

/* What td_record_verify found about one signature. */
struct td_record_sig_check {
	int valid;               /* the CMS verifies over its byte range */
	int registered;          /* that revision's SHA-256 is recorded on r */
	int party;               /* 1 giver, 2 receiver, 0 neither */
	int covers_all;          /* its range reaches the end of the file */
	int trusted;             /* the signer's certificate chains to a CA
	                            pinned with `crl trust add` */
	char signer_serial[80];  /* td_serial_hex form */
	char signer_cn[256], signer_o[256];
	char detail[256];        /* why not valid, when not */
};
struct td_record_check {
	int content_match;       /* the file's QR text is r's number + digest */
	char file_qr[160];       /* that text as found ("" when none) */
	size_t nsigs;
	struct td_record_sig_check sigs[8];
	int all_hold;            /* 1 when everything above holds and the
	                            file is signed (unsigned, nothing proves
	                            its content beyond the QR text) */
};
/* Check the PDF at path against record r: that it is r's record (QR text
 * and, for a signed file, every signed revision's SHA-256 recorded on r),
 * that each signature is valid, that the last one covers the whole file,
 * that each signer's certificate was issued by a pinned CA (a serial
 * number alone is anyone's to copy) and is one the registry holds for
 * r's giver (or an item's giver) or receiver.  0 with *out filled (all_hold
 * says the verdict), or <0 when the file cannot be read or parsed. */
int td_record_verify(struct td_registry *reg, const struct td_record *r,
                     const char *path, struct td_record_check *out,
                     struct td_error *err);

/* A scanned QR text ("TDREC:NUMBER:HEX"): load the record it names into
 * *r (td_record_clear it) and set *match to 1 when HEX is the record's
 * content digest as the registry holds it now.  TD_ERR_USAGE when text
 * is not a record's QR text; TD_ERR_NOTFOUND when no such record. */
int td_record_check_qr(struct td_registry *reg, const char *text,
                       struct td_record *r, int *match, struct td_error *err);
/* 1 when text has the form of a record's QR text. */
int td_record_is_qr(const char *text);

#endif

/* handover_commit.c: writing a batch in one transaction.  Every item is
 * checked again inside the transaction (the write lock is held from
 * BEGIN IMMEDIATE), so what was shown to the operator is what is written,
 * or nothing is. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "registry/txn.h"
#include "workflow/handover_internal.h"

#define N_(s) s   /* xgettext keyword: translated where shown */

/* The giver of the whole handover: the declared one, else the common
 * custodian of all items, else none (the record lists each item's). */
static void batch_giver(const struct td_handover *h, const char **from,
                        const char **name)
{
	*from = *name = NULL;
	if (h->have_from) {
		*from = h->from.text;
		*name = h->from.name;
		return;
	}
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->items[i].pub.from, h->items[0].pub.from) != 0)
			return;
	*from = h->items[0].pub.from;
	*name = h->items[0].pub.from_name;
}

static int create_row(struct td_handover *h, int64_t *id, char *number,
                      struct td_error *err)
{
	struct td_handover_row row = { 0 };
	char remarks[2048];
	const char *from, *from_name;

	batch_giver(h, &from, &from_name);
	/* the mark and the reason are written in Vietnamese whatever the
	 * operator's language: the record is a Vietnamese paper (records
	 * made before say "[forced]") */
	snprintf(remarks, sizeof remarks, "%s%s%s%s%s", h->remarks ? h->remarks : "",
	         h->remarks && h->force ? " " : "", h->force ? "[ghi nhận ngoại lệ]" : "",
	         h->force && h->reason ? " Lý do bàn giao ngoài trình tự: " : "",
	         h->force && h->reason ? h->reason : "");
	row.kind = h->kind == TD_HANDOVER_TOKENS ? "token" : "dossier";
	row.place = h->place;
	row.from_custodian = (char *)from;
	row.from_name = (char *)from_name;
	row.to_custodian = h->to.text;
	row.to_name = h->to.name;
	row.condition = h->condition;
	row.remarks = remarks;
	return td_reg_handover_create(h->reg, &row, id, number,
	                              TD_HANDOVER_NUMBER_MAX, err);
}

/* The custody event's remarks: the item's (or batch's), the handover
 * number, and the proof outcome when one was made. */
static void event_remarks(const struct td_handover *h, const struct td_ho_item *it,
                          const char *number, char *out, size_t size)
{
	const struct td_handover_item *p = &it->pub;
	const char *r = p->remarks ? p->remarks : h->remarks;

	snprintf(out, size, "%s%shandover %s%s%s%s%s", r ? r : "", r ? "; " : "",
	         number, p->proof != TD_PROOF_SKIPPED ? "; possession " : "",
	         p->proof != TD_PROOF_SKIPPED ? td_proof_name(p->proof) : "",
	         p->proof_detail && p->proof != TD_PROOF_SKIPPED ? ": " : "",
	         p->proof_detail && p->proof != TD_PROOF_SKIPPED ? p->proof_detail : "");
}

/* One part of stored remarks as a person reads it, appended to buf. */
static void remark_part(const char *part, size_t len, td_say_fn *words,
                        char *buf, size_t size)
{
	char piece[600], said[800];
	size_t used = strlen(buf);

	snprintf(piece, sizeof piece, "%.*s", (int)len, part);
	if (strncmp(piece, "handover BG-", 12) == 0) {
		snprintf(said, sizeof said, words(N_("handover %s")), piece + 9);
	} else if (strncmp(piece, "possession ", 11) == 0) {
		char *word = piece + 11, *colon = strchr(word, ':');
		if (colon) {
			*colon = '\0';
			snprintf(said, sizeof said, words(N_("possession %s: %s")), words(word),
			         words(colon[1] == ' ' ? colon + 2 : colon + 1));
		} else {
			snprintf(said, sizeof said, words(N_("possession %s")), words(word));
		}
	} else {
		snprintf(said, sizeof said, "%s", piece);
	}
	if (used < size)
		snprintf(buf + used, size - used, "%s%s", used ? "; " : "", said);
}

const char *td_custody_remarks_said(const char *stored, td_say_fn *words,
                                    char *buf, size_t size)
{
	const char *p = stored, *end;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	/* the parts are joined by "; " (event_remarks); a "; " of the
	 * operator's own only splits their text, which is kept as typed */
	for (; p && *p; p = *end ? end + 2 : end) {
		if (!(end = strstr(p, "; ")))
			end = p + strlen(p);
		remark_part(p, (size_t)(end - p), words, buf, size);
	}
	return buf;
}

static int recheck_token(struct td_handover *h, const struct td_ho_item *it,
                         struct td_error *err)
{
	struct td_token t;
	int rc = td_reg_get_token(h->reg, it->pub.key, &t, err);

	if (rc < 0 || (rc = td_ho_check_seen(h->reg, it, err)) < 0) {
		td_token_clear(&t);
		return rc;
	}
	if (strcmp(t.custodian, it->reg_custodian) != 0)
		rc = td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, it->pub.key,
		                     "token %s changed hands meanwhile (now with %s); "
		                     "nothing was written", it->pub.key, t.custodian);
	else   /* the receiver and giver may have come after the item */
		rc = td_ho_check_item(h, it, h->have_from ? &h->from : NULL,
		                      &h->to, err);
	td_token_clear(&t);
	return rc;
}

static int write_token(struct td_handover *h, const struct td_ho_item *it,
                       int pos, int64_t id, const char *number,
                       struct td_error *err)
{
	const struct td_handover_item *p = &it->pub;
	struct td_handover_item_row row = { 0 };
	/* a damaged token stays damaged, and its condition stands, until a
	 * handover says otherwise */
	const char *state = h->state ? h->state
	                  : strcmp(p->state_before, "damaged") == 0 ? "damaged"
	                  : td_custodian_state(h->to.kind);
	const char *cond = p->condition ? p->condition : h->condition ? h->condition
	                 : it->carried_condition;
	char remarks[2048];
	int rc;

	if ((rc = recheck_token(h, it, err)) < 0)
		return rc;
	event_remarks(h, it, number, remarks, sizeof remarks);
	if ((rc = td_reg_move_token(h->reg, p->key, h->to.text, state, cond,
	                            remarks, id, &row.event_id, err)) < 0)
		return rc;
	row.key = p->key;
	row.detail = p->detail;
	row.from_custodian = p->from;
	row.from_name = p->from_name;
	row.holders = p->holders;
	row.certs = p->certs;
	row.state_before = p->state_before;
	row.state_after = (char *)state;
	row.condition = (char *)cond;
	row.remarks = p->remarks ? p->remarks : h->remarks;
	row.proof = (char *)td_proof_name(p->proof);
	row.proof_detail = p->proof_detail;
	return td_reg_handover_add_item(h->reg, id, pos, &row, err);
}

static int write_dossier(struct td_handover *h, const struct td_ho_item *it,
                         int pos, int64_t id, struct td_error *err)
{
	const struct td_handover_item *p = &it->pub;
	struct td_handover_item_row row = { 0 };
	struct td_dossier d;
	int rc = td_reg_get_dossier(h->reg, p->key, &d, err);

	if (rc < 0)
		return rc;
	if (strcmp(it->reg_custodian + 7, d.agency_code) != 0)
		rc = td_error_set_at(err, TD_ERR_CONFLICT, NULL, 0, p->key,
		                     "dossier %s changed hands meanwhile (now with "
		                     "agency %s); nothing was written", p->key,
		                     d.agency_code);
	td_dossier_clear(&d);
	if (rc == TD_OK)   /* giver and receiver may have come after the item */
		rc = td_ho_check_item(h, it, &h->from, &h->to, err);
	if (rc < 0 || (rc = td_reg_move_dossier(h->reg, p->key, h->to.key, id, err)) < 0)
		return rc;
	row.key = p->key;
	row.detail = p->detail;
	row.from_custodian = p->from;
	row.from_name = p->from_name;
	row.holders = p->holders;
	row.state_before = p->state_before;
	row.state_after = p->state_before;
	row.condition = p->condition ? p->condition : h->condition;
	row.remarks = p->remarks ? p->remarks : h->remarks;
	return td_reg_handover_add_item(h->reg, id, pos, &row, err);
}

int td_handover_commit(struct td_handover *h, char *number, int64_t *id,
                       struct td_error *err)
{
	char num[TD_HANDOVER_NUMBER_MAX];
	int64_t hid = 0;
	int rc;

	if (h->committed)
		return td_error_set(err, TD_ERR_USAGE, "this handover was written already");
	if (!h->have_to)
		return td_error_set(err, TD_ERR_USAGE, "no receiver chosen");
	if (h->kind == TD_HANDOVER_DOSSIERS && !h->have_from)
		return td_error_set(err, TD_ERR_USAGE, "no giving agency chosen (From)");
	if (!h->n)
		return td_error_set(err, TD_ERR_USAGE, "nothing to hand over");
	/* the path, for every token (a desk asks for the reason at F9) */
	for (size_t i = 0; h->kind == TD_HANDOVER_TOKENS && i < h->n; i++)
		if ((rc = td_ho_path_check(h, &h->to, h->items[i].pub.key,
		                           h->items[i].reg_custodian, err)) < 0)
			return rc;
	if ((rc = td_reg_begin(h->reg, err)) < 0)
		return rc;
	rc = create_row(h, &hid, num, err);
	for (size_t i = 0; rc == TD_OK && i < h->n; i++)
		rc = h->kind == TD_HANDOVER_TOKENS ?
		     write_token(h, &h->items[i], (int)i, hid, num, err) :
		     write_dossier(h, &h->items[i], (int)i, hid, err);
	if (rc == TD_OK)
		rc = td_reg_handover_seal(h->reg, hid, err);
	rc = td_reg_end(h->reg, rc, err);
	if (rc < 0)
		return rc;
	h->committed = 1;
	snprintf(number, TD_HANDOVER_NUMBER_MAX, "%s", num);
	if (id)
		*id = hid;
	return TD_OK;
}

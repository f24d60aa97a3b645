/* scr_record.c: one record -- an agency, a holder, a certificate or a
 * token -- with what hangs off it: sub-agencies, holders, certificates,
 * the tokens they are on, a token's custody history and every record's
 * audit trail.  Lines that name another record open it with Enter. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/registry.h"
#include "tui/desk.h"
#include "tui/tag.h"
#include "tui/textscr.h"
#include "tui/widget.h"
#include "tui/sign.h"

/* The record's own state; its rows live in the read-only base
 * (textscr.h), list points at them. */
struct record {
	char kind[16], key[128], title[256];
	struct tl_list *list;
	struct tagdlg *tag;   /* the tag dialog, when open (g) */
	uint64_t stamp;       /* the registry's change stamp when built */
	int rc;               /* what the last build found: 0 or a td_code */
};

/* The labels of each kind of record's "label  value" rows (with a
 * tag's, which line up with them): its values wrap beside the widest. */
static const char *const kind_labels[][16] = {
	{ "agency", "Agency", "Code", "Level", "Part of", "Valid from",
	  "Valid until", "Tag", "Tag state", "Tag reason", NULL },
	{ "holder", "Holder", "Kind", "National id", "Code", "Position",
	  "E-mail", "Agency", NULL },
	{ "cert", "Serial", "Holder", "Agency", "Kind", "Valid", "Status",
	  "Revoked on", "On token", "Subject", "Issuer", "SHA-256", "Tag",
	  "Tag state", "Tag reason", NULL },
	{ "token", "Token", "Model", "State", "Custodian", "Last valid move",
	  "Tag", "Tag state", "Tag reason", NULL },
};

/* The widest label of a record of kind, in the desk's language. */
static int labels_width(const char *kind)
{
	int w = 0;

	for (size_t k = 0; k < sizeof kind_labels / sizeof *kind_labels; k++)
		for (int i = 1; strcmp(kind, kind_labels[k][0]) == 0 &&
		                kind_labels[k][i]; i++)
			if (tw_width(T(kind_labels[k][i])) > w)
				w = tw_width(T(kind_labels[k][i]));
	return w ? w : 16;
}

/* label and value on as many rows as the value needs, broken after
 * sep (", " in a distinguished name, whose tail tells one certificate
 * from the next; " " in a sentence, a tag's reason): an 80-column
 * screen cut them ("CN=Ủy ban nhâ…").  The first row is kind/key's. */
static void value_rows(struct desk *d, struct record *r, int color,
                       const char *kind, const char *key, const char *label,
                       const char *value, const char *sep)
{
	struct tl_list *l = r->list;
	int room = d->cols - labels_width(r->kind) - 4;
	size_t seplen = strlen(sep), n = 0;
	const char *p = value;
	char line[1024];

	line[0] = '\0';
	while (*p) {
		const char *cut = strstr(p, sep);
		size_t len = cut ? (size_t)(cut - p) + seplen - 1 : strlen(p);
		char part[512];
		snprintf(part, sizeof part, "%.*s", (int)len, p);
		if (n && (tw_width(line) + 1 + tw_width(part) > room ||
		          n + len + 2 >= sizeof line)) {
			tl_add(l, color, kind, key, label, line, NULL, NULL);
			label = "";
			kind = key = NULL;
			n = 0;
			line[0] = '\0';
		}
		n += (size_t)snprintf(line + n, sizeof line - n, "%s%s", n ? " " : "",
		                      part);
		if (n >= sizeof line)
			n = sizeof line - 1;
		p += len;
		while (*p == ' ')
			p++;
	}
	tl_add(l, color, kind, key, label, line, NULL, NULL);
}

/* The record's tag and the line that opens the tag dialog: a
 * certificate, a token or an agency can be tagged by hand. */
static void tag_lines(struct desk *d, struct record *r, const char *kind,
                      const char *key)
{
	struct tl_list *l = r->list;
	struct tag_text now;

	if (tag_describe(d, kind, key, &now)) {
		value_rows(d, r, COL_WARN, NULL, NULL, T("Tag"), now.what, " ");
		value_rows(d, r, COL_WARN, NULL, NULL, T("Tag state"), now.state, " ");
		value_rows(d, r, COL_WARN, NULL, NULL, T("Tag reason"), now.reason,
		           " ");
	}
	tl_add(l, COL_OK, "tag", key, T("▶ Tag for the CA by hand (g): revoke, "
	       "change, renew…"), NULL, NULL, NULL);
}

static void head(struct tl_list *l, const char *en)
{
	tl_add(l, COL_NORMAL, NULL, NULL, "", NULL, NULL, NULL);
	tl_add(l, COL_HEAD, NULL, NULL, T(en), NULL, NULL, NULL);
}

static void field(struct desk *d, struct record *r, const char *en,
                  const char *value, const char *kind, const char *key)
{
	if (value && *value)
		value_rows(d, r, COL_NORMAL, kind, key, T(en), value, " ");
}

const char *td_tui_state_label(const char *state);
const char *td_tui_state_label(const char *state)
{
	static const char *const map[][2] = {
		{ "in_use", N_("in use by its holder") },
		{ "at_agency", N_("kept by the agency") },
		{ "at_dost", N_("kept by the DOST") }, { "sent_to_ca", N_("sent to the CA") },
		{ "lost", N_("lost") }, { "damaged", N_("damaged") },
		{ "active", N_("active") }, { "revoked", N_("revoked") },
		{ "expired", N_("expired") },
	};
	for (size_t i = 0; state && i < sizeof map / sizeof *map; i++)
		if (strcmp(map[i][0], state) == 0)
			return T(map[i][1]);
	return state ? state : "";
}

const char *td_tui_level_label(const char *level)
{
	static const char *const levels[] = {
		N_("province"), N_("department"), N_("division"), N_("district"),
		N_("commune"), N_("other"),
	};
	for (size_t i = 0; level && i < sizeof levels / sizeof *levels; i++)
		if (strcmp(levels[i], level) == 0)
			return T(levels[i]);
	return level ? level : "";
}

/* "holder:ID" / "agency:CODE" -> a link to that record. */
static void custodian_link(const char *c, const char **kind, const char **key)
{
	*kind = *key = NULL;
	if (c && strncmp(c, "holder:", 7) == 0) {
		*kind = "holder";
		*key = c + 7;
	} else if (c && strncmp(c, "agency:", 7) == 0) {
		*kind = "agency";
		*key = c + 7;
	}
}

static int add_audit(const struct td_audit_row *a, void *ctx)
{
	char when[40];

	tl_add(ctx, COL_DIM, NULL, NULL, desk_time(a->at, when, sizeof when),
	       a->action, a->operator_name, NULL);
	return 0;
}

static void audit(struct desk *d, struct tl_list *l, const char *entity,
                  const char *key)
{
	struct td_error err;
	int before;

	head(l, "Audit trail");
	before = l->n;
	if (td_reg_each_audit_of(d->reg, entity, key, add_audit, l, &err) < 0)
		desk_error(d, &err);
	if (l->n == before)
		tl_add(l, COL_DIM, NULL, NULL, T("(none)"), NULL, NULL, NULL);
}

struct cert_ctx {
	struct tl_list *l;
	const char *holder;   /* only this holder's, or NULL */
	int n;
};

static int add_cert(const struct td_cert *c, void *ctx)
{
	struct cert_ctx *cc = ctx;
	char valid[96], day[32];

	if (cc->holder && (!c->holder_ext_id || strcmp(cc->holder, c->holder_ext_id)))
		return 0;
	/* the status only when it is not the usual one, to keep the line short */
	snprintf(valid, sizeof valid, "→ %s%s%s",
	         c->not_after ? desk_date(c->not_after, day, sizeof day) : "?",
	         strcmp(c->status ? c->status : "", "active") ? " " : "",
	         strcmp(c->status ? c->status : "", "active")
	             ? td_tui_state_label(c->status) : "");
	tl_add(cc->l, strcmp(c->status ? c->status : "", "active") ? COL_WARN
	                                                            : COL_NORMAL,
	       "cert", c->serial, c->holder_name ? c->holder_name : "", c->serial,
	       valid, c->token_serial ? c->token_serial : T("not on a token"));
	cc->n++;
	return 0;
}

static int add_agency(const struct td_agency *a, void *ctx)
{
	tl_add(ctx, COL_NORMAL, "agency", a->code, a->name, a->code,
	       td_tui_level_label(a->level), NULL);
	return 0;
}

static int build_agency(struct desk *d, struct record *r, struct td_error *err)
{
	struct td_agency a;
	struct cert_ctx cc = { r->list, NULL, 0 };
	char from[32], to[32];
	int rc = td_reg_get_agency(d->reg, r->key, &a, err), before;

	if (rc < 0)
		return rc;
	snprintf(r->title, sizeof r->title, "%s", a.name);
	field(d, r, "Agency", a.name, NULL, NULL);
	field(d, r, "Code", a.code, NULL, NULL);
	field(d, r, "Level", td_tui_level_label(a.level), NULL, NULL);
	field(d, r, "Part of", a.parent_code, "agency", a.parent_code);
	field(d, r, "Valid from", desk_date(a.valid_from, from, sizeof from), NULL, NULL);
	field(d, r, "Valid until", desk_date(a.valid_to, to, sizeof to), NULL, NULL);
	tag_lines(d, r, "agency", a.code);
	head(r->list, "Sub-agencies");
	before = r->list->n;
	td_reg_each_child_agency(d->reg, a.code, add_agency, r->list, err);
	if (r->list->n == before)
		tl_add(r->list, COL_DIM, NULL, NULL, T("(none)"), NULL, NULL, NULL);
	head(r->list, "Holders, certificates and tokens");
	td_reg_each_cert(d->reg, a.code, add_cert, &cc, err);
	if (!cc.n)
		tl_add(r->list, COL_DIM, NULL, NULL, T("(none)"), NULL, NULL, NULL);
	audit(d, r->list, "agency", a.code);
	td_agency_clear(&a);
	return 0;
}

static int build_holder(struct desk *d, struct record *r, struct td_error *err)
{
	struct td_holder h;
	struct cert_ctx cc = { r->list, r->key, 0 };
	int rc = td_reg_get_holder(d->reg, "person", r->key, &h, err);

	if (rc == TD_ERR_NOTFOUND)
		rc = td_reg_get_holder(d->reg, "org", r->key, &h, err);
	if (rc < 0)
		return rc;
	snprintf(r->title, sizeof r->title, "%s", h.name);
	field(d, r, "Holder", h.name, NULL, NULL);
	field(d, r, "Kind",
	      T(strcmp(h.kind, "org") ? "person" : N_("organisation")),
	      NULL, NULL);
	field(d, r, strcmp(h.kind, "org") ? "National id" : "Code", h.ext_id,
	      NULL, NULL);
	field(d, r, "Position", h.position, NULL, NULL);
	field(d, r, "E-mail", h.email, NULL, NULL);
	field(d, r, "Agency", h.agency_code, "agency", h.agency_code);
	if (h.no_longer_needed)
		tl_add(r->list, COL_WARN, NULL, NULL,
		       T("Marked as no longer needing a certificate."), NULL, NULL, NULL);
	head(r->list, "Certificates and tokens");
	td_reg_each_cert(d->reg, h.agency_code, add_cert, &cc, err);
	audit(d, r->list, "holder", h.ext_id);
	td_holder_clear(&h);
	return 0;
}

static int build_cert(struct desk *d, struct record *r, struct td_error *err)
{
	struct td_cert c;
	char valid[96], from[32], to[32];
	int rc = td_reg_get_cert(d->reg, r->key, &c, err);

	if (rc < 0)
		return rc;
	snprintf(r->title, sizeof r->title, "%s %s", T("Certificate"), c.serial);
	snprintf(r->key, sizeof r->key, "%s", c.serial);   /* the tag's spelling */
	snprintf(valid, sizeof valid, "%s → %s", desk_date(c.not_before, from, sizeof from),
	         desk_date(c.not_after, to, sizeof to));
	field(d, r, "Serial", c.serial, NULL, NULL);
	field(d, r, "Holder", c.holder_name, "holder", c.holder_ext_id);
	field(d, r, "Agency", c.agency_code, "agency", c.agency_code);
	field(d, r, "Kind",
	      T(strcmp(c.kind, "org") ? "person" : N_("organisation")),
	      NULL, NULL);
	field(d, r, "Valid", valid, NULL, NULL);
	field(d, r, "Status", td_tui_state_label(c.status), NULL, NULL);
	field(d, r, "Revoked on", c.revoked_at, NULL, NULL);
	field(d, r, "On token", c.token_serial ? c.token_serial
	                                           : T("not on a token"),
	      c.token_serial ? "token" : NULL, c.token_serial);
	if (c.subject_dn && *c.subject_dn)
		value_rows(d, r, COL_NORMAL, NULL, NULL, T("Subject"),
		           c.subject_dn, ", ");
	if (c.issuer_dn && *c.issuer_dn)
		value_rows(d, r, COL_NORMAL, NULL, NULL, T("Issuer"),
		           c.issuer_dn, ", ");
	field(d, r, "SHA-256", c.fingerprint, NULL, NULL);
	tag_lines(d, r, "cert", c.serial);
	audit(d, r->list, "cert", c.serial);
	td_cert_clear(&c);
	return 0;
}

/* A move from a field kit that met a home change of the same token: it
 * is the token's custody only once the field's version is kept.  Enter
 * on the line opens the conflicts screen on it. */
static void add_event_conflict(struct tl_list *list, const struct td_custody_event *e)
{
	const char *status = e->conflict_status;
	char line[200], id[32];

	Tf(line, sizeof line, strcmp(status, "kept_field") == 0
	   ? N_("    field kit conflict %lld: the field's version was kept")
	   : strcmp(status, "kept_home") == 0
	   ? N_("    field kit conflict %lld: home's version kept; this move did not stand")
	   : N_("    field kit conflict %lld: open; Enter to decide it"),
	   (long long)e->conflict_id);
	snprintf(id, sizeof id, "%lld", (long long)e->conflict_id);
	tl_add(list, strcmp(status, "kept_field") == 0 ? COL_DIM : COL_WARN,
	       "conflict", id, line, NULL, NULL, NULL);
}

/* A move that lost a kit conflict: marked, with the choice that
 * superseded it, who and when; Enter opens the conflict. */
static void add_superseded(struct tl_list *list, const struct td_custody_event *e)
{
	char line[400], id[32];

	Tf(line, sizeof line, strcmp(e->superseded_choice, "kept_field") == 0
	   ? N_("    superseded: conflict %lld kept the field's version (%s, %.16s)")
	   : N_("    superseded: conflict %lld kept home's version (%s, %.16s)"),
	   (long long)e->superseded_conflict, e->superseded_by ? e->superseded_by : "?",
	   e->superseded_at ? e->superseded_at : "");
	snprintf(id, sizeof id, "%lld", (long long)e->superseded_conflict);
	tl_add(list, COL_WARN, "conflict", id, line, NULL, NULL, NULL);
}

/* The history as it is listed, and the newest move that stands (not
 * superseded, not a field move whose conflict is open or went home's
 * way): the one that put the token where the record says it is. */
struct history {
	struct tl_list *list;
	char last[600];
};

/* Two lines per handover: when, state and operator; then the move itself
 * across the whole width, so custodians and remarks are never cut. */
static int add_event(const struct td_custody_event *e, void *vctx)
{
	struct history *h = vctx;
	void *ctx = h->list;
	char move[1200], handover[32], remarks[900], when[40];

	/* Enter on it opens the handover's record (scr_sign.c). */
	snprintf(handover, sizeof handover, "#%lld", (long long)e->handover_id);
	tl_add(ctx, COL_NORMAL, e->handover_id ? "receipt" : NULL, handover,
	       desk_time(e->at, when, sizeof when),
	       td_tui_state_label(e->state), e->operator_name, NULL);
	snprintf(move, sizeof move, "    %s → %s%s%s%s%s",
	         e->from_custodian ? e->from_custodian : "—",
	         e->to_custodian ? e->to_custodian : "—",
	         e->condition && *e->condition ? " · " : "",
	         e->condition ? e->condition : "",
	         e->remarks && *e->remarks ? " · " : "",
	         td_custody_remarks_said(e->remarks, T, remarks, sizeof remarks));
	tl_add(ctx, COL_DIM, e->handover_id ? "receipt" : NULL, handover, move, NULL,
	       NULL, NULL);
	if (e->conflict_id)
		add_event_conflict(ctx, e);
	if (e->superseded_conflict)
		add_superseded(ctx, e);
	else if (!e->conflict_id || strcmp(e->conflict_status, "kept_field") == 0)
		snprintf(h->last, sizeof h->last, "%s  %s → %s",
		         desk_time(e->at, when, sizeof when),
		         e->from_custodian ? e->from_custodian : "—",
		         e->to_custodian ? e->to_custodian : "—");
	return 0;
}

static int build_token(struct desk *d, struct record *r, struct td_error *err)
{
	struct td_token t;
	struct cert_ctx cc = { r->list, NULL, 0 };
	const char *kind, *key;
	char who[400];
	int rc = td_reg_get_token(d->reg, r->key, &t, err), before;

	if (rc < 0)
		return rc;
	snprintf(r->title, sizeof r->title, "%s %s", T("Token"), t.serial);
	snprintf(r->key, sizeof r->key, "%s", t.serial);
	snprintf(who, sizeof who, "%s%s%s%s", t.custodian_name ? t.custodian_name : "",
	         t.custodian_name ? " (" : "", t.custodian, t.custodian_name ? ")" : "");
	custodian_link(t.custodian, &kind, &key);
	field(d, r, "Token", t.serial, NULL, NULL);
	field(d, r, "Model", t.model, NULL, NULL);
	field(d, r, "State", td_tui_state_label(t.state), NULL, NULL);
	field(d, r, "Custodian", who, kind, key);
	tl_add(r->list, COL_OK, "handover", t.serial, T("▶ Hand this token over"),
	       NULL, NULL, NULL);
	tag_lines(d, r, "token", t.serial);
	head(r->list, "Certificates on this token");
	td_reg_each_cert_on_token(d->reg, t.serial, add_cert, &cc, err);
	if (!cc.n)
		tl_add(r->list, COL_DIM, NULL, NULL, T("(none)"), NULL, NULL, NULL);
	head(r->list, "Custody history");
	before = r->list->n;
	struct history hist = { r->list, "" };
	td_reg_each_custody_event(d->reg, t.serial, add_event, &hist, err);
	if (r->list->n == before)
		tl_add(r->list, COL_DIM, NULL, NULL,
		       T("(no handover yet: with its first holder since import)"),
		       NULL, NULL, NULL);
	else if (hist.last[0])
		tl_add(r->list, COL_NORMAL, NULL, NULL, T("Last valid move"),
		       hist.last, NULL, NULL);
	audit(d, r->list, "token", t.serial);
	td_token_clear(&t);
	return 0;
}

static int build(struct desk *d, struct record *r, struct td_error *err);

/* The base's build: the record read again (at the first draw, after a
 * resize, or when the registry changed: a handover, a tag or a kit
 * decision made from here, or another desk's work). */
static void rebuild(struct desk *d, struct text_scr *t, int cols)
{
	struct record *r = t->own;
	struct td_error err;

	(void)cols;
	r->rc = build(d, r, &err);
	snprintf(t->heading, sizeof t->heading, "%s", r->title);
}

static int stale(struct desk *d, struct text_scr *t)
{
	return td_reg_change_stamp(d->reg) != ((struct record *)t->own)->stamp;
}

static void over(struct desk *d, struct text_scr *t)
{
	struct record *r = t->own;

	if (r->tag)
		tagdlg_draw(d, r->tag);
}

static void open_tag(struct desk *d, struct record *r)
{
	if (strcmp(r->kind, "holder") == 0 || !(r->tag = tagdlg_open(d, r->kind, r->key)))
		desk_message(d, 1, "%s", T("Open a certificate, a token or an agency "
		             "to tag it."));
}

/* The screen's keys (keys.h); the base adds the list's and Enter. */
enum { RK_NONE, RK_TAG };

static const struct screen_key record_keys[] = {
	{ RK_TAG, SK_ALL, { 'g' }, 0, "g", NULL,
	  N_("Tag a certificate, a token or an agency for the CA by hand") },
	{ 0, SK_ALL, { 0 }, 0, "Enter", NULL,
	  N_("On a line that names another record: open it") },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

/* A tag written shows at the next draw (stale), in its Tag line and
 * audit trail.  The dialog takes every key but a resize. */
static int key(struct desk *d, struct text_scr *t, int k)
{
	struct record *r = t->own;

	if (r->tag) {
		if (k == TDK(KEY_RESIZE))
			return 0;
		if (tagdlg_key(d, r->tag, k) != TAGDLG_OPEN) {
			tagdlg_free(r->tag);
			r->tag = NULL;
		}
		return 1;
	}
	if (screen_request(record_keys, 0, k, 0) == RK_TAG) {
		open_tag(d, r);
		return 1;
	}
	return 0;
}

/* Enter on "Tag for the CA by hand": the tag dialog. */
static int open_row(struct desk *d, struct text_scr *t, const struct tl_row *row)
{
	if (strcmp(row->kind, "tag") != 0)
		return 0;
	open_tag(d, t->own);
	return 1;
}

static void rfree(void *own)
{
	struct record *r = own;

	if (!r)
		return;
	tagdlg_free(r->tag);
	free(r);
}

static int typing(struct text_scr *t)
{
	return tagdlg_typing(((struct record *)t->own)->tag);
}

static const struct text_kind kind = {
	.build = rebuild, .stale = stale, .key = key, .open = open_row,
	.over = over, .typing = typing, .free = rfree,
};

static const struct screen_ops ops = {
	.title = N_("Record"),
	.help = N_("One record of the registry and what hangs off it. An agency "
	        "shows its sub-agencies and its holders' certificates with "
	        "the tokens they are on; a holder their certificates; a "
	        "certificate its holder, agency and token; a token its "
	        "certificates, its custody history (every handover: when, "
	        "from whom to whom, state, condition, operator) and \"Hand "
	        "this token over\". Every record ends with its audit trail.\n"
	        "A certificate, a token or an agency shows its tag, if any: "
	        "what must happen to it, the Decree 68 request kind, and how "
	        "far it got (tagged, sent to DOST in a numbered batch, "
	        "confirmed by the CA). Tagging by hand chooses what must "
	        "happen (revoke, change the information, keep or renew a "
	        "certificate; recover or collect a token; a new issue for an "
	        "agency) and needs the reason that goes to DOST; a tag can "
	        "be removed. A tag already sent to DOST cannot change."),
	.keys = record_keys,
	.draw = text_draw, .key = text_key, .typing = text_typing,
	.free = text_free,
};

static int build(struct desk *d, struct record *r, struct td_error *err)
{
	int rc = TD_ERR_NOTFOUND;

	r->stamp = td_reg_change_stamp(d->reg);
	tl_clear(r->list);
	if (strcmp(r->kind, "agency") == 0)
		rc = build_agency(d, r, err);
	else if (strcmp(r->kind, "holder") == 0)
		rc = build_holder(d, r, err);
	else if (strcmp(r->kind, "cert") == 0)
		rc = build_cert(d, r, err);
	else if (strcmp(r->kind, "token") == 0)
		rc = build_token(d, r, err);
	return rc;
}

int scr_record_open(struct desk *d, const char *kind_name, const char *key)
{
	struct record *r = calloc(1, sizeof *r);
	struct text_scr *t;
	int rc;

	if (!r || !kind_name || !key) {
		free(r);
		return TD_ERR_USAGE;
	}
	snprintf(r->kind, sizeof r->kind, "%s", kind_name);
	snprintf(r->key, sizeof r->key, "%s", key);
	if (!(t = text_new(&kind, r)))
		return TD_ERR_NOMEM;
	r->list = &t->list;
	r->list->maxw[0] = 48;
	r->list->mid[0] = TL_MID_NAME;   /* sub-agencies, holders: names */
	r->list->mid[1] = 1;   /* certificates' serials (values wrap) */
	r->list->maxw[1] = 34;
	/* read now: a record that is not there opens no screen */
	text_build(d, t, d->cols);
	if ((rc = r->rc) < 0) {
		text_free(t);
		return rc;
	}
	desk_push(d, &ops, t);
	return 0;
}
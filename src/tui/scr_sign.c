/* scr_sign.c: signing at the desk.  Two screens:
 *  - a handover record's screen: what it says, whether a scanned paper
 *    matches the registry, its signatures, and s to sign it;
 *  - the signing dialog: pick an inserted token (the giver's, the
 *    receiver's, or DOST's for a checkpoint), type its PIN (never drawn;
 *    a token at its final try asks first, as for proof of possession),
 *    and the signed PDF goes to records/NUMBER.pdf, a checkpoint to
 *    records/checkpoint-TIME.pem.
 * The desk offers the dialog after F9, when a count closes, and on
 * quitting after handovers with a token plugged in. */
#include <config.h>

#include <curses.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tokendesk/handover.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tui/sign.h"
#include "tui/textscr.h"

#define MAX_PICK 16

/* Handovers recorded since the desk opened, and whether quitting has
 * offered a checkpoint already. */
static int handovers_made, quit_offered;

/* ---- the signing dialog ---------------------------------------------------- */

enum stage { PICK, PIN, DONE };

struct sign_dlg {
	char number[64];          /* "" for a checkpoint */
	const char *intro;        /* English, why the dialog is open */
	int quit_after;           /* the quit offer: quit when done */
	enum stage stage;
	char serial[MAX_PICK][128];
	int n, sel;
	int final_try, armed;
	struct tf_field *pin;     /* in secure memory (tf_secret_new) */
	char result[5200];
	int result_bad;
};

static void pick_list(struct desk *d, struct sign_dlg *s)
{
	const char *serial;

	s->n = 0;
	for (int i = 0; s->n < MAX_PICK && (serial = desk_tokens_present(d, i, NULL)); i++)
		snprintf(s->serial[s->n++], sizeof s->serial[0], "%s", serial);
	if (s->sel >= s->n)
		s->sel = s->n ? s->n - 1 : 0;
}

/* The dialog in the desk's one dialog box (tw_dialog), over an empty
 * screen: the signing, then the PIN (desk_pin_dialog), then what came
 * of it. */
static void dlg_draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct sign_dlg *s = self;
	char title[300];
	const char *text[MAX_PICK + 8];
	int colors[MAX_PICK + 8], n = 0;

	(void)top, (void)rows, (void)cols;
	if (s->number[0])
		Tf(title, sizeof title, "Sign the record of handover %s", s->number);
	else
		snprintf(title, sizeof title, "%s", T("Sign a checkpoint of the audit chain"));
	if (s->stage == PIN) {
		desk_pin_dialog(d, title, s->serial[s->sel], s->final_try && !s->armed,
		                s->pin, T("Enter: sign    Esc: back"),
		                T("F: try anyway    Esc: back"));
		return;
	}
	if (s->intro)
		text[n] = T(s->intro), colors[n++] = COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;
	if (s->stage == DONE) {
		text[n] = s->result, colors[n++] = s->result_bad ? COL_BAD : COL_OK;
		text[n] = "", colors[n++] = COL_NORMAL;
		text[n] = T("Enter or Esc: close"), colors[n++] = COL_KEY;
		tw_dialog(d, title, text, colors, n, NULL, NULL);
		return;
	}
	pick_list(d, s);
	if (!s->n)
		text[n] = T("Insert the token that signs (the giver's, the receiver's "
		            "or DOST's)."), colors[n++] = COL_WARN;
	else
		text[n] = T("Pick the token that signs:"), colors[n++] = COL_NORMAL;
	for (int i = 0; i < s->n; i++)
		text[n] = s->serial[i], colors[n++] = i == s->sel ? COL_SELECT : COL_NORMAL;
	text[n] = "", colors[n++] = COL_NORMAL;
	text[n] = s->quit_after
	          ? T("Enter: sign with it    n or F10: quit without    Esc: back")
	          : T("Enter: sign with it    Esc: not now");
	colors[n++] = COL_KEY;
	tw_dialog(d, title, text, colors, n, NULL, NULL);
}

static void dlg_path(struct desk *d, struct sign_dlg *s, char *path, size_t size)
{
	struct td_outdir dir;
	struct td_error err;
	char when[32];
	time_t now = time(NULL);
	struct tm tm;

	/* records/ checked as every output's folder (no link, the user's) */
	if (desk_records_dir(d, &dir, &err) < 0) {
		snprintf(path, size, "%s", "");
		return;
	}
	localtime_r(&now, &tm);
	strftime(when, sizeof when, "%Y%m%d-%H%M%S", &tm);
	if (s->number[0])
		snprintf(path, size, "%s/%s.pdf", dir.path, s->number);
	else
		snprintf(path, size, "%s/checkpoint-%s.pem", dir.path, when);
	td_outdir_close(&dir);
}

static void dlg_sign(struct desk *d, struct sign_dlg *s)
{
	char path[4400], detail[512];
	int r;

	dlg_path(d, s, path, sizeof path);
	if (!path[0]) {
		tf_clear(s->pin);
		snprintf(s->result, sizeof s->result, "%s: %s", T("Not signed"), strerror(errno));
		s->result_bad = 1;
		s->stage = DONE;
		return;
	}
	r = desk_tokens_sign(d, s->serial[s->sel], s->pin, s->armed,
	                     s->number[0] ? s->number : NULL, path, detail, sizeof detail);
	if (r > 0)
		snprintf(s->result, sizeof s->result, "%s %s — %s", T("Signed by"), detail, path);
	else
		snprintf(s->result, sizeof s->result, "%s: %s", T("Not signed"), detail);
	s->result_bad = r <= 0;
	s->stage = DONE;
}

static void dlg_end(struct desk *d, struct sign_dlg *s)
{
	int quit = s->quit_after;

	desk_pop(d);
	if (quit)
		d->quit = 1;
}

/* The dialog's keys (keys.h) by stage (PICK, DONE; the PIN stage has the
 * PIN dialog's, desk_pin_request). */
enum { SG_NONE, SG_UP, SG_DOWN, SG_OK, SG_BACK, SG_WITHOUT };

static const struct screen_key sign_keys[] = {
	{ SG_UP, SK_MODE(PICK), { TDK(KEY_UP) }, 0, "↑", NULL, NULL },
	{ SG_DOWN, SK_MODE(PICK), { TDK(KEY_DOWN) }, 0, "↓", NULL, NULL },
	{ SG_OK, SK_MODE(PICK) | SK_MODE(DONE), { TDK_ENTER }, 0, "Enter", NULL,
	  N_("Sign with the token picked (then its PIN); when done, close") },
	{ SG_BACK, SK_MODE(PICK) | SK_MODE(DONE), { TDK_ESC }, 0, "Esc", NULL,
	  N_("Not now: back") },
	{ SG_WITHOUT, SK_MODE(PICK), { 'n', 'N', 'k', 'K' }, 0, "n", NULL,
	  N_("Offered on quitting: quit without signing") },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static void pin_key(struct desk *d, struct sign_dlg *s, int k)
{
	int warn = s->final_try && !s->armed;

	switch (desk_pin_request(warn, k)) {
	case PIN_CANCEL:
		tf_clear(s->pin);
		s->stage = PICK;
		break;
	case PIN_ARM: s->armed = 1; break;
	case PIN_OK: dlg_sign(d, s); break;
	default:
		if (!warn && (!(k & TDK_FN) || k == TDK(KEY_BACKSPACE) ||
		    k == TDK(KEY_LEFT) || k == TDK(KEY_RIGHT) || k == TDK(KEY_DC)))
			tf_key(s->pin, k);
	}
}

static int dlg_key(struct desk *d, void *self, int k)
{
	struct sign_dlg *s = self;
	int ft = 0;   /* the chosen token: final try 1, PIN locked 2 */

	enum desk_req g = desk_request_of(k, 1);   /* F-keys only */

	if (g == REQ_QUIT)
		return 0;   /* the desk quits */
	/* not while a PIN is typed: F2..F8 go to their screens, as from any
	 * screen (the offer is not a question that must be answered; a
	 * hall desk goes on to its next handover with F5) */
	if (s->stage != PIN && g >= REQ_PANEL && g <= REQ_COUNT)
		return 0;
	if (s->stage == PIN) {
		pin_key(d, s, k);
		return 1;
	}
	switch (screen_request(sign_keys, s->stage, k, 0)) {
	case SG_UP: if (s->sel > 0) s->sel--; break;
	case SG_DOWN: if (s->sel + 1 < s->n) s->sel++; break;
	case SG_OK:
		if (s->stage == DONE) {
			dlg_end(d, s);
		} else if (s->n > 0 && (ft = desk_tokens_final_try(d, s->serial[s->sel])) == 2) {
			/* said before any PIN is asked for: a locked token cannot
			 * sign, and one more PIN would only go to a locked device */
			desk_message(d, 1, "%s %s", s->serial[s->sel], T("has its PIN "
			             "locked: it cannot sign (it needs token recovery)."));
		} else if (s->n > 0) {
			s->final_try = ft == 1;
			s->armed = 0;
			tf_clear(s->pin);
			s->stage = PIN;
		}
		break;
	case SG_BACK:
		if (s->stage == DONE)
			dlg_end(d, s);
		else
			desk_pop(d);
		break;
	case SG_WITHOUT:
		if (s->quit_after)
			dlg_end(d, s);
		break;
	}
	return 1;
}

static int dlg_typing(void *self)
{
	struct sign_dlg *s = self;

	return s->stage == PIN;
}

static void dlg_tokens(struct desk *d, void *self)
{
	(void)self;
	d->dirty = 1;
}

static void dlg_free(void *self)
{
	struct sign_dlg *s = self;

	tf_secret_free(s->pin);   /* wipes the PIN */
	free(s);
}

static const struct screen_ops dlg_ops = {
	.title = N_("Sign with a token"),
	.help = N_("Sign with a token plugged in.  A handover record is signed as "
	           "a PDF (PAdES): the signer's name, agency and the time are shown "
	           "in the giver's or the receiver's place, and the registry keeps "
	           "each signature.  A checkpoint signs the audit chain's newest "
	           "row, so a later rewrite of the chain is found even by someone "
	           "who never saw the registry.\nThe PIN is never drawn; a token at "
	           "its final PIN try asks first."),
	.keys = sign_keys,
	.draw = dlg_draw, .key = dlg_key, .typing = dlg_typing,
	.tokens_changed = dlg_tokens, .free = dlg_free,
};

static void dlg_open(struct desk *d, const char *number, const char *intro, int quit_after)
{
	struct sign_dlg *s = calloc(1, sizeof *s);

	if (!s)
		return;
	snprintf(s->number, sizeof s->number, "%s", number ? number : "");
	s->intro = intro;
	s->quit_after = quit_after;
	if (!(s->pin = tf_secret_new())) {
		free(s);
		return;
	}
	desk_push(d, &dlg_ops, s);
}

void scr_sign_offer_record(struct desk *d, const char *number)
{
	handovers_made++;
	dlg_open(d, number, N_("The handover is recorded. The parties may now sign "
	                       "its record with their tokens."), 0);
}

void scr_sign_offer_checkpoint(struct desk *d)
{
	dlg_open(d, NULL, N_("The count is closed. DOST may sign a checkpoint of the "
	                     "audit chain now."), 0);
}

int scr_sign_quit_offer(struct desk *d)
{
	if (!handovers_made || quit_offered || desk_tokens_count(d) <= 0)
		return 0;
	quit_offered = 1;
	dlg_open(d, NULL, N_("Handovers were recorded today: sign a checkpoint of the "
	                     "audit chain before quitting?"), 1);
	return 1;
}

/* ---- a handover record's screen ------------------------------------------ */

/* On the read-only base (textscr.h): read from the registry at the
 * first draw, and again when it changes (a signature just made). */
struct receipt {
	char number[64];
	int scanned, match;       /* from a QR code: does the paper match? */
	uint64_t stamp;           /* the registry's change stamp when read */
};

enum { RC_NONE, RC_SIGN };

static const struct screen_key receipt_keys[] = {
	{ RC_SIGN, SK_ALL, { 's', 'S' }, 0, "s", N_("sign the record with a token"),
	  N_("Sign the record with a token plugged in (the giver's or the "
	     "receiver's)") },
	{ 0, SK_ALL, { 0 }, 0, "Esc", N_("back"), NULL },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static int add_sig(const struct td_handover_sig *g, void *ctx)
{
	tl_add(ctx, COL_NORMAL, NULL, NULL, g->signed_at, g->signer_subject,
	       g->signer_serial, NULL);
	return 0;
}

static void rc_rows(struct desk *d, struct text_scr *t, const struct td_record *rec)
{
	struct receipt *r = t->own;
	struct tl_list *l = &t->list;
	char line[1200];
	struct td_error err;
	int before;

	if (r->scanned)
		tl_add(l, r->match ? COL_OK : COL_BAD, NULL, NULL,
		       T(r->match ? N_("✓ The paper matches the registry.")
		                  : N_("✗ The paper does NOT match the registry: it was "
		                       "printed from other content.")), NULL, NULL, NULL);
	tl_add(l, COL_NORMAL, NULL, NULL, T("Recorded at"),
	       desk_time(rec->at, line, sizeof line), NULL, NULL);
	snprintf(line, sizeof line, "%s%s%s", rec->from_name ? rec->from_name : "",
	         rec->from_name ? " · " : "", rec->from ? rec->from : "");
	tl_add(l, COL_NORMAL, NULL, NULL, T("From"), line, NULL, NULL);
	snprintf(line, sizeof line, "%s · %s", rec->to_name ? rec->to_name : "", rec->to);
	tl_add(l, COL_NORMAL, NULL, NULL, T("To"), line, NULL, NULL);
	snprintf(line, sizeof line, "%zu", rec->nitems);
	tl_add(l, COL_NORMAL, NULL, NULL, T("Items"), line, NULL, NULL);
	tl_add(l, COL_HEAD, NULL, NULL, T("Signatures"), NULL, NULL, NULL);
	before = l->n;
	td_reg_handover_sig_each(d->reg, rec->id, add_sig, l, &err);
	if (l->n == before)
		tl_add(l, COL_DIM, NULL, NULL, T("(none)"), NULL, NULL, NULL);
}

static void rc_build(struct desk *d, struct text_scr *t, int cols)
{
	struct receipt *r = t->own;
	struct td_record rec;
	struct td_error err;
	char why[600];

	(void)cols;
	r->stamp = td_reg_change_stamp(d->reg);
	Tf(t->heading, sizeof t->heading, "Handover record %s", r->number);
	if (td_record_load(d->reg, r->number, &rec, &err) < 0) {
		tl_add(&t->list, COL_BAD, NULL, NULL, desk_error_text(&err, why,
		       sizeof why), NULL, NULL, NULL);
		return;
	}
	rc_rows(d, t, &rec);
	td_record_clear(&rec);
}

static int rc_stale(struct desk *d, struct text_scr *t)
{
	return td_reg_change_stamp(d->reg) != ((struct receipt *)t->own)->stamp;
}

static int rc_key(struct desk *d, struct text_scr *t, int k)
{
	struct receipt *r = t->own;

	if (screen_request(receipt_keys, 0, k, 0) != RC_SIGN)
		return 0;
	dlg_open(d, r->number, NULL, 0);
	return 1;
}

static const struct text_kind rc_kind = {
	.build = rc_build, .stale = rc_stale, .key = rc_key, .free = free,
};

static const struct screen_ops rc_ops = {
	.title = N_("Handover record"),
	.help = N_("A handover record as the registry holds it, and its "
	        "signatures, to which a party's token plugged in adds one. "
	        "Scanning the QR code of a printed record opens this screen "
	        "and says whether the paper matches the registry."),
	.keys = receipt_keys,
	.draw = text_draw, .key = text_key, .typing = text_typing,
	.free = text_free,
};

static void rc_open(struct desk *d, struct td_record *rec, int scanned, int match)
{
	struct receipt *r = calloc(1, sizeof *r);
	struct text_scr *t;

	if (!r || !(t = text_new(&rc_kind, r)))
		return;
	snprintf(r->number, sizeof r->number, "%s", rec->number);
	r->scanned = scanned;
	r->match = match;
	t->list.maxw[0] = 20;
	t->list.no_cursor = 1;
	t->keys = receipt_keys;
	desk_push(d, &rc_ops, t);
	if (scanned)
		desk_message(d, !match, "%s %s: %s", T("Handover"), rec->number,
		             T(match ? N_("the paper matches the registry")
		                     : N_("the paper does NOT match the registry")));
}

void scr_receipt_open(struct desk *d, const char *number)
{
	struct td_record rec;
	struct td_error err;

	if (td_record_load(d->reg, number, &rec, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	rc_open(d, &rec, 0, 0);
	td_record_clear(&rec);
}

void scr_receipt_scan(struct desk *d, const char *qr_text)
{
	struct td_record rec;
	struct td_error err;
	int match;

	if (td_record_check_qr(d->reg, qr_text, &rec, &match, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	rc_open(d, &rec, 1, match);
	td_record_clear(&rec);
}

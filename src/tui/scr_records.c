/* scr_records.c: the handover records ("Biên bản bàn giao") already
 * written: a list, newest first, that sorts by date, number or receiver;
 * Enter reopens a record as it was printed (the text the `receipt`
 * command prints, read-only), p prints it again as a PDF into the
 * records folder beside the registry.  Nothing here writes the registry. */
#include <config.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tokendesk/handover.h"
#include "tokendesk/outfile.h"
#include "tokendesk/registry.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/sign.h"
#include "tui/widget.h"

enum rec_order { BY_DATE, BY_NUMBER, BY_RECEIVER };

struct records {
	struct tl_list list;
	enum rec_order order;
	int built;
};

struct rec_row {
	char *number, *at, *to, *from, *kind;
};

struct rec_rows {
	struct rec_row *v;
	size_t n, cap;
};

static char *dup_or(const char *s, const char *or)
{
	return strdup(s && *s ? s : or);
}

static int take(const struct td_handover_row *h, void *ctx)
{
	struct rec_rows *r = ctx;

	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct rec_row *v = realloc(r->v, cap * sizeof *v);
		if (!v)
			return 1;
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct rec_row){
		dup_or(h->number, "?"), dup_or(h->at, ""),
		dup_or(h->to_name, h->to_custodian ? h->to_custodian : "?"),
		dup_or(h->from_name, h->from_custodian ? h->from_custodian : ""),
		dup_or(h->kind, "token") };
	return 0;
}

static enum rec_order sort_order;

static int compare(const void *a, const void *b)
{
	const struct rec_row *x = a, *y = b;
	int c = 0;

	if (sort_order == BY_NUMBER)
		c = strcmp(x->number, y->number);
	else if (sort_order == BY_RECEIVER)
		c = strcoll(x->to, y->to);
	/* newest first, and so within the other orders */
	return c ? c : strcmp(y->at, x->at);
}

static void build(struct desk *d, struct records *s)
{
	struct rec_rows r = { 0 };
	struct td_error err;
	char when[32];

	tl_clear(&s->list);
	s->built = 1;
	if (td_reg_each_handover(d->reg, take, &r, &err) < 0)
		desk_error(d, &err);
	sort_order = s->order;
	if (r.n > 1)   /* none: r.v is NULL, which qsort may not take */
		qsort(r.v, r.n, sizeof *r.v, compare);
	for (size_t i = 0; i < r.n; i++) {
		/* "2026-03-01 09:12" of the UTC stamp */
		snprintf(when, sizeof when, "%.10s %.5s", r.v[i].at,
		         strlen(r.v[i].at) > 11 ? r.v[i].at + 11 : "");
		tl_add(&s->list, COL_NORMAL, "record", r.v[i].number, r.v[i].number,
		       when, r.v[i].to, r.v[i].from[0] ? r.v[i].from
		                        : T("each token's custodian"));
		free(r.v[i].number);
		free(r.v[i].at);
		free(r.v[i].to);
		free(r.v[i].from);
		free(r.v[i].kind);
	}
	free(r.v);
}

/* The screen's requests and keys (keys.h). */
enum { RQ_NONE, RQ_REOPEN, RQ_PRINT, RQ_SIGN, RQ_ORDER };

static const struct screen_key records_keys[] = {
	{ RQ_REOPEN, SK_ALL, { TDK_ENTER }, 0, "Enter", N_("reopen"),
	  N_("Reopen the record as it was printed") },
	{ RQ_PRINT, SK_ALL, { 'p', 'P' }, 0, "p", N_("print again (PDF)"),
	  N_("Print it again as a PDF into the records folder") },
	{ RQ_SIGN, SK_ALL, { 's', 'S' }, 0, "s", N_("sign"),
	  N_("Its signatures; sign it with a party's token") },
	{ RQ_ORDER, SK_ALL, { 'o', 'O' }, 0, "o", N_("order: date, number, receiver"),
	  N_("Sort by date, by number or by receiver") },
	{ 0, 0, { 0 }, 0, NULL, NULL, NULL },
};

static void draw(struct desk *d, void *self, int top, int rows, int cols)
{
	struct records *s = self;
	static const char *const order_names[] = {
		N_("newest first"), N_("by number"), N_("by receiver")
	};
	char line[300];

	if (!s->built)
		build(d, s);
	Tf(line, sizeof line, "Handover records: %d, %s", s->list.n,
	   T(order_names[s->order]));
	tw_put(d, top, 1, cols - 2, line, COL_HEAD, 0);
	if (s->list.n == 0)
		tw_put(d, top + 2, 3, cols - 4, T("No handover recorded yet."),
		       COL_DIM, 0);
	else
		tl_draw(d, &s->list, top + 1, rows - 2, cols);
	screen_keyline(d, top + rows - 1, cols, records_keys, 0, 1, 0);
}

void scr_records_reprint(struct desk *d, const char *number)
{
	char name[TD_HANDOVER_NUMBER_MAX + 8], why[400], path[4400];
	struct td_outdir dir;
	struct td_record rec;
	struct td_error err;
	int rc;

	snprintf(name, sizeof name, "%s.pdf", number);
	if ((rc = desk_records_dir(d, &dir, &err)) == TD_OK &&
	    (rc = td_record_load(d->reg, number, &rec, &err)) == TD_OK) {
		rc = td_record_write_pdf(&rec, &dir, name, &err);
		td_record_clear(&rec);
	}
	snprintf(path, sizeof path, "%s/%s", dir.path, name);
	if (rc == TD_OK)
		desk_message_file(d, T("Printed again:"), T("Printed again:"), path);
	else
		desk_message(d, 1, "%s", desk_error_text(&err, why, sizeof why));
	td_outdir_close(&dir);
}

/* The record as the `receipt` command prints it, in a read-only view. */
static void reopen(struct desk *d, const char *number)
{
	struct td_record rec;
	struct td_error err;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (td_record_load(d->reg, number, &rec, &err) < 0) {
		desk_error(d, &err);
		return;
	}
	if ((f = open_memstream(&text, &len))) {
		if (td_record_write_text(&rec, f, &err) < 0)
			desk_error(d, &err);
		fclose(f);
	}
	td_record_clear(&rec);
	if (text)
		scr_text_open(d, number, text);
	free(text);
}

static int key(struct desk *d, void *self, int k)
{
	struct records *s = self;
	struct tl_row *r;

	if (!s->built)
		build(d, s);   /* keys typed ahead of the first draw */
	r = tl_selected(&s->list);
	if (tl_key(&s->list, k, 0))
		return 1;
	switch (screen_request(records_keys, 0, k, 0)) {
	case RQ_REOPEN:
		if (r && r->key)
			reopen(d, r->key);
		return 1;
	case RQ_PRINT:
		if (r && r->key)
			scr_records_reprint(d, r->key);
		return 1;
	case RQ_SIGN:
		/* its signatures, and signing it with the parties' tokens */
		if (r && r->key)
			scr_receipt_open(d, r->key);
		return 1;
	case RQ_ORDER:
		s->order = (s->order + 1) % 3;
		s->built = 0;
		s->list.sel = 0;
		return 1;
	}
	return 0;
}

static void registry_changed(struct desk *d, void *self)
{
	struct records *s = self;

	s->built = 0;   /* another desk recorded one */
	d->dirty = 1;
}

static void rfree(void *self)
{
	struct records *s = self;

	tl_clear(&s->list);
	free(s);
}

static const struct screen_ops ops = {
	.title = N_("Records"),
	.help = N_("The handover records already written, newest first, or by "
	        "number or by receiver.\n"
	        "A record reopens as it was printed (what `tokendesk receipt "
	        "NUMBER` prints): the items are those of the day, not "
	        "today's names.\n"
	        "Printed again, it is a PDF in the records folder beside the "
	        "registry (RECORDS/NUMBER.pdf), for signing on paper; the "
	        "parties can also sign it with their tokens."),
	.keys = records_keys,
	.draw = draw, .key = key, .registry_changed = registry_changed,
	.free = rfree,
};

void scr_records_open(struct desk *d)
{
	struct records *s = calloc(1, sizeof *s);

	if (!s)
		return;
	s->list.head[0] = N_("Number");
	s->list.head[1] = N_("Date (UTC)");
	s->list.head[2] = N_("Received by");
	s->list.head[3] = N_("Handed over by");
	s->list.maxw[0] = 20;
	s->list.maxw[2] = 30;
	desk_push(d, &ops, s);
}

/* plan.h (tui): the Plan screen's state, shared by its two files:
 * scr_plan.c (the counts and the list of actions) and scr_plandlg.c (the
 * dialogs: import a plan file, apply the plan, send tags to DOST, and
 * the reports they leave).  Everything is read and written through the
 * workflow and registry APIs, as `tokendesk plan` and `tokendesk tag`
 * do. */
#ifndef TD_TUI_PLAN_H
#define TD_TUI_PLAN_H

#include <stddef.h>

#include "tokendesk/error.h"
#include "tokendesk/plan.h"
#include "tui/desk.h"
#include "tui/keys.h"
#include "tui/widget.h"

struct td_arena;
struct td_strmap;

/* The action kinds, in the order of the counts and filter keys 1..5. */
enum { PA_CHANGE, PA_REVOKE, PA_KEEP, PA_COLLECT, PA_DOSSIERS, PA_N };

/* One action of the computed plan; strings live in the screen's arena. */
struct pact {
	int kind;                       /* PA_* */
	const char *action, *rule, *reason, *cert_serial, *cert_kind;
	const char *holder_name, *agency_code, *old_dn, *new_dn;
	const char *token_serial, *to_agency, *effective_date;
	const char *merge_target;       /* org cert of a merge_new: the new
	                                   agency's code (for td_plan_pick) */
	int picked;                     /* the operator picked this one */
	char tag[96];                   /* its tag, read when first shown */
	int tag_loaded;
};

enum { PM_LIST, PM_IMPORT, PM_APPLY, PM_SEND, PM_REPORT, PM_FORMS,
       PM_AGENCY /* the agency prompt: a key mode, not a dialog */ };

/* The screen's requests; plan_keys (scr_plan.c, keys.h) says which key
 * makes which in which mode (PM_*), for the screen and its dialogs. */
enum plan_req {
	PR_NONE, PR_OPEN, PR_FILTER_NEXT, PR_FILTER, PR_PICK, PR_UNPICK,
	PR_AGENCY, PR_APPLY, PR_SEND, PR_LISTS, PR_FORMS, PR_IMPORT, PR_UP,
	PR_DOWN, PR_PGUP, PR_PGDN, PR_HOME, PR_END, PR_OK, PR_CANCEL,
	PR_FIELD, PR_KIND, PR_XLSX, PR_PDF, PR_DOCX, PR_BATCH
};
extern const struct screen_key plan_keys[];
struct plan;
/* The request key k makes on the plan screen now (its mode, its prompt). */
int plan_request(const struct plan *p, int k);

struct plan {
	struct td_arena *arena;
	struct pact *a;
	size_t n, cap;
	size_t *shown, nshown;          /* indexes of a[] the filter lets by */
	int filter;                     /* -1 all, else PA_* */
	char agency[128];               /* only this agency and its units,
	                                   or "" for all (A) */
	int asking_agency;              /* the agency prompt is open */
	struct tf_field agency_field;
	long count[PA_N];
	struct td_plan_summary sum;
	char problem[512];              /* the plan no longer fits, or "" */
	size_t sel, top;                /* in shown[] */
	int mode;                       /* PM_*: which dialog is open */
	/* the import dialog */
	struct tf_field path;
	struct tf_field encoding;       /* empty: UTF-8 (or UTF-16 with a BOM) */
	int on_encoding;                /* focus: 0 the path, 1 the encoding */
	struct td_error_list errs;
	int errs_shown, err_top;
	/* the send dialog: what would go */
	long to_send;
	long long next_batch;
	/* the forms dialog (scr_planforms.c): which template (1-4), PDF or
	 * XLSX, the batch (0: the tags not yet sent) and the last one sent */
	int forms_kind, forms_format;   /* enum td_forms_format */
	long long forms_batch, forms_last;
	/* the report box after apply, send or forms */
	char report_title[128], report[3][400];
};

/* scr_plan.c: compute the plan again (after an import, a pick, an
 * apply) keeping the selection where it was. */
void plan_reload(struct desk *d, struct plan *p);
/* L: the lists for DOST (what `tokendesk lists` writes) into the
 * records folder, as XLSX (scr_plandlg.c). */
void plan_write_lists(struct desk *d, struct plan *p);
/* Wrap s into at most max lines of at most w columns, breaking after
 * ", " (a DN's components stay whole) or else at a blank. */
#define CL_MAX 512
int plan_wrap(const char *s, int w, char out[][CL_MAX], int max);
/* Forget the tag states read so far (they changed). */
void plan_tags_stale(struct plan *p);

/* scr_plancard.c: the lines of one action's card, in c (CARD_MAX at
 * most); returns how many.  Reads the action's tag the first time. */
#define CARD_MAX 24
/* One line of a card: a text, and on a wide terminal a second one to its
 * right (the new DN beside the old). */
struct cline {
	int color, x, w, color2, x2, w2;
	char s[CL_MAX], s2[CL_MAX];
};
int plan_card(struct desk *d, struct pact *x, int cols, struct cline *c);
/* The certificate serial, token serial or agency code an action is on. */
const char *plan_target_of(const struct pact *x);
const char *plan_kind_label(int kind);
/* scr_planwhy.c: why x is in the plan, in the desk's language. */
void plan_why(struct desk *d, const struct pact *x, char *out, size_t size);

/* scr_planforms.c: F, the Decree 68 forms for the CA (what `tokendesk
 * forms` writes) into the records folder: open the dialog, draw it,
 * take its keys (every key: 1). */
void plan_forms_open(struct desk *d, struct plan *p);
void plan_forms_draw(struct desk *d, struct plan *p);
int plan_forms_key(struct desk *d, struct plan *p, int k);

/* scr_plandlg.c */
void plan_import_open(struct plan *p);
void plan_apply_open(struct desk *d, struct plan *p);
void plan_send_open(struct desk *d, struct plan *p);
void plan_dialog_draw(struct desk *d, struct plan *p);
int plan_dialog_key(struct desk *d, struct plan *p, int k);

#endif

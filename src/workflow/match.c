/* match.c: a token snapshot against the registry.
 *
 * The token is what is physically on the desk; the registry is what the
 * province believes.  Every finding shows both sides, because the
 * operator must decide which one is wrong. */
#include <config.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tokendesk/match.h"
#include <unicase.h>
#include <uninorm.h>

#include "tokendesk/text.h"

#ifndef N_
#define N_(s) (s)   /* marked for xgettext, translated where shown */
#endif

const char *td_match_outcome_name(enum td_match_outcome o)
{
	switch (o) {
	case TD_MATCH_OK: return "matched";
	case TD_MATCH_EXPIRED: return "expired";
	case TD_MATCH_TAGGED: return "tagged";
	case TD_MATCH_SUBJECT: return "subject-differs";
	case TD_MATCH_OTHER_CERT: return "other-certificate";
	case TD_MATCH_CUSTODY: return "custody";
	case TD_MATCH_OUT_OF_SCOPE: return "out-of-scope";
	case TD_MATCH_UNKNOWN_TOKEN: return "unknown-token";
	}
	return "?";
}

void td_match_result_clear(struct td_match_result *r)
{
	if (!r)
		return;
	free(r->findings);
	memset(r, 0, sizeof *r);
}

/* ---- DN comparison ----------------------------------------------------- */

static const char *canon_attr(const char *name)
{
	static const char *const alias[][2] = {
		{ "EMAILADDRESS", "E" }, { "EMAIL", "E" }, { "TITLE", "T" },
		{ "USERID", "UID" }, { "S", "ST" }, { "GN", "G" },
		{ "GIVENNAME", "G" }, { "SURNAME", "SN" },
	};
	for (size_t i = 0; i < sizeof alias / sizeof *alias; i++)
		if (strcasecmp(name, alias[i][0]) == 0)
			return alias[i][1];
	return name;
}

/* Split "A=v, B=w + C=x" at unescaped ',' and '+' into "NAME=value"
 * strings with names canonical (upper case) and values unescaped + NFC. */
static char **dn_split(const char *dn, size_t *n)
{
	size_t cap = strlen(dn) + 2, count = 0;
	char **v = calloc(cap, sizeof *v), *buf = malloc(strlen(dn) + 1);
	const char *p = dn;

	if (!v || !buf) {
		free(v);
		free(buf);
		return NULL;
	}
	while (*p) {
		size_t len = 0;
		char *eq, *nfc, *item;
		while (*p == ' ' || *p == ',' || *p == '+')
			p++;
		if (!*p)
			break;
		for (; *p && *p != ',' && *p != '+'; p++) {
			if (*p == '\\' && p[1])
				p++;
			buf[len++] = *p;
		}
		while (len && buf[len - 1] == ' ')
			len--;
		buf[len] = '\0';
		if (!(eq = strchr(buf, '=')))
			continue;
		*eq = '\0';
		td_trim(buf);
		for (char *c = buf; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		nfc = td_nfc(td_trim(eq + 1));
		item = malloc(strlen(buf) + (nfc ? strlen(nfc) : 0) + 8);
		if (item)
			sprintf(item, "%s=%s", canon_attr(buf), nfc ? nfc : "");
		free(nfc);
		if (item)
			v[count++] = item;
	}
	free(buf);
	*n = count;
	return v;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int td_dn_equal(const char *a, const char *b)
{
	size_t na = 0, nb = 0;
	char **va, **vb;
	int same;

	if (!a || !b)
		return 0;
	va = dn_split(a, &na);
	vb = dn_split(b, &nb);
	same = va && vb && na == nb;
	if (same) {
		qsort(va, na, sizeof *va, cmp_str);
		qsort(vb, nb, sizeof *vb, cmp_str);
		for (size_t i = 0; same && i < na; i++)
			same = strcmp(va[i], vb[i]) == 0;
	}
	strv_free(va, na);
	strv_free(vb, nb);
	return same;
}

/* ---- scope ------------------------------------------------------------- */

int td_match_check_scope(struct td_registry *reg, const char *scope,
                         struct td_error *err)
{
	struct td_agency a;
	int rc;

	memset(&a, 0, sizeof a);
	rc = td_reg_get_agency(reg, scope, &a, err);
	td_agency_clear(&a);
	if (rc == TD_ERR_NOTFOUND)
		return td_error_set(err, rc, "scope %s: no agency with that code in the"
		                    " registry", scope);
	return rc;
}

int td_agency_within(struct td_registry *reg, const char *code,
                     const char *scope, struct td_error *err)
{
	char cur[256];
	int depth = 0;

	snprintf(cur, sizeof cur, "%s", code);
	/* The depth bound guards against a cycle in the parent codes. */
	while (depth++ < 64) {
		struct td_agency a;
		int rc;
		if (strcmp(cur, scope) == 0)
			return 1;
		memset(&a, 0, sizeof a);
		rc = td_reg_get_agency(reg, cur, &a, err);
		if (rc == TD_ERR_NOTFOUND)
			return 0;
		if (rc != 0)
			return rc;
		if (!a.parent_code || !*a.parent_code) {
			td_agency_clear(&a);
			return 0;
		}
		snprintf(cur, sizeof cur, "%s", a.parent_code);
		td_agency_clear(&a);
	}
	return td_error_set(err, TD_ERR_DATA, "agency %s: parent chain too deep "
	                    "(a cycle?)", code);
}

/* ---- findings ---------------------------------------------------------- */

static struct td_match_finding *add(struct td_match_result *r,
                                    enum td_match_outcome o, int cert_index,
                                    const char *serial)
{
	struct td_match_finding *f = realloc(r->findings, (r->n + 1) * sizeof *f);

	if (!f)
		return NULL;
	r->findings = f;
	f += r->n++;
	memset(f, 0, sizeof *f);
	f->outcome = o;
	f->cert_index = cert_index;
	snprintf(f->cert_serial, sizeof f->cert_serial, "%s", serial ? serial : "");
	if (o > r->outcome)
		r->outcome = o;
	return f;
}

/* What the findings say is read by the operator, in their language
 * (gettext through td_error_translate; po/Makevars' keyword TR in the
 * files POTFILES.in lists): the formats are translated, so the checks on
 * their arguments are off for the findings' texts. */
#define TR(s) td_error_translate(s)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-security"

/* A date or a time (a token certificate's end is a UTC time: its local
 * day) as the reader writes dates: "07/12/2028" in Vietnamese. */
static const char *date_said(const char *v, char *buf, size_t size)
{
	/* TRANSLATORS: strftime format of a date */
	return v ? td_day_text(v, TR("%Y-%m-%d"), buf, size) : "?";
}

/* "certificate SERIAL (CN=..., until YYYY-MM-DD)" from the token side. */
static void token_cert_text(const struct td_snap_cert *c, char *buf, size_t size)
{
	const char *cn = td_dn_get(&c->subject, "CN");
	char shown[256], day[32];   /* the CN as written on the token, controls shown */

	td_printable(shown, sizeof shown, cn ? cn : "?");
	if (c->malformed)
		snprintf(buf, size, TR("a malformed certificate object (id %s)"), c->key_id);
	else
		snprintf(buf, size, TR("certificate %s (CN=%s, until %s)"), c->serial,
		         shown, date_said(c->not_after, day, sizeof day));
}

static void token_certs_text(const struct td_snap_token *t, char *buf, size_t size)
{
	size_t len;

	/* whole sentences: "with" + "no certificate" reads wrong in
	 * Vietnamese ("chứa không có chứng thư") */
	if (t->ncerts == 0)
		snprintf(buf, size, TR("token %s \"%s\" with no certificate"), t->serial,
		         t->label);
	else
		snprintf(buf, size, TR("token %s \"%s\" with "), t->serial, t->label);
	for (size_t i = 0; i < t->ncerts; i++) {
		len = strlen(buf);
		if (i > 0 && len + 2 < size)
			strcat(buf, "; ");
		len = strlen(buf);
		token_cert_text(&t->certs[i], buf + len, size - len);
	}
}

static void reg_cert_text(const struct td_cert *c, char *buf, size_t size)
{
	char day[32];

	snprintf(buf, size, TR("certificate %s of %s (%s), %s until %s"),
	         c->serial, c->holder_name ? c->holder_name : "?",
	         c->agency_code ? c->agency_code : "?", c->status ? TR(c->status) : "?",
	         date_said(c->not_after, day, sizeof day));
}

/* ---- the registry's side ----------------------------------------------- */

struct reg_certs {
	struct td_cert *v;
	size_t n;
	char **serials;
	size_t nserials;
};

static int collect_serial(const struct td_cert *c, void *ctx)
{
	struct reg_certs *rc = ctx;
	char **v = realloc(rc->serials, (rc->nserials + 1) * sizeof *v);

	if (!v)
		return TD_ERR_NOMEM;
	rc->serials = v;
	if (!(v[rc->nserials] = strdup(c->serial)))
		return TD_ERR_NOMEM;
	rc->nserials++;
	return 0;
}

/* The registry's certificates on token serial, as owned records.  The
 * serials are collected first so that no query runs inside an iterator. */
static int load_reg_certs(struct td_registry *reg, const char *serial,
                          struct reg_certs *rc, struct td_error *err)
{
	int r = td_reg_each_cert_on_token(reg, serial, collect_serial, rc, err);

	if (r == TD_ERR_NOMEM)
		return td_error_set(err, r, "out of memory");
	if (r != 0)
		return r;
	if (rc->nserials && !(rc->v = calloc(rc->nserials, sizeof *rc->v)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (size_t i = 0; i < rc->nserials; i++) {
		if ((r = td_reg_get_cert(reg, rc->serials[i], &rc->v[rc->n], err)) != 0)
			return r;
		rc->n++;
	}
	return 0;
}

static void free_reg_certs(struct reg_certs *rc)
{
	for (size_t i = 0; i < rc->n; i++)
		td_cert_clear(&rc->v[i]);
	free(rc->v);
	strv_free(rc->serials, rc->nserials);
}

static int same_cert(const struct td_cert *r, const struct td_snap_cert *c)
{
	char a[80], b[80];

	if (c->malformed)
		return 0;
	if (r->fingerprint && *r->fingerprint)
		return strcasecmp(r->fingerprint, c->fingerprint) == 0;
	return td_serial_hex(r->serial, a, sizeof a) == 0 &&
	       td_serial_hex(c->serial, b, sizeof b) == 0 && strcmp(a, b) == 0 &&
	       (!r->issuer_dn || td_dn_equal(r->issuer_dn, c->issuer.text));
}

/* ---- one certificate that matched -------------------------------------- */

/* The registry's tag: revoke and change_info mean the certificate is on
 * its way out or to be re-issued; keep (and no tag) do not. */
static int registry_tag(struct td_registry *reg, const struct td_cert *rc,
                        char *why, size_t size, struct td_error *err)
{
	char *kind = NULL, *state = NULL;
	int rc_tag = td_reg_cert_tag(reg, rc->serial, &kind, &state, err), tagged = 0;

	if (rc_tag == TD_OK && kind && (strcmp(kind, "revoke") == 0 ||
	                                strcmp(kind, "change_info") == 0)) {
		snprintf(why, size, TR("tagged: %s (%s)"), TR(kind), TR(state ? state : "tagged"));
		tagged = 1;
	}
	free(kind);
	free(state);
	if (rc_tag < 0 && rc_tag != TD_ERR_NOTFOUND)
		return rc_tag;
	td_error_clear(err);
	return tagged;
}


/* ---- the subject against the holder and agency ----------------------- */

/* 1 when a and b are the same text, NFC, case-insensitive (certificates
 * often write names in capitals); marks count: "Nguyen Van Hung" is not
 * "Nguyễn Văn Hưng". */
static int same_text(const char *a, const char *b)
{
	int cmp = 1;

	if (u8_casecmp((const uint8_t *)a, strlen(a), (const uint8_t *)b, strlen(b),
	               NULL, UNINORM_NFC, &cmp) != 0)
		return strcmp(a, b) == 0;
	return cmp == 0;
}

/* Names of the agency code and its parents, joined by " / ", into buf;
 * names[] gets pointers into copies the caller frees (n at most max). */
static size_t agency_chain(struct td_registry *reg, const char *code,
                           char **names, size_t max)
{
	char cur[256];
	size_t n = 0;

	snprintf(cur, sizeof cur, "%s", code ? code : "");
	while (cur[0] && n < max) {
		struct td_agency a;
		memset(&a, 0, sizeof a);
		if (td_reg_get_agency(reg, cur, &a, NULL) != 0)
			break;
		names[n++] = a.name ? strdup(a.name) : strdup("");
		snprintf(cur, sizeof cur, "%s", a.parent_code ? a.parent_code : "");
		td_agency_clear(&a);
	}
	return n;
}

/* 1 when the folded needle occurs in the folded haystack. */
static int folded_in(const char *needle, const char *haystack)
{
	char *fn = td_fold(needle), *fh = td_fold(haystack);
	int in = fn && fh && strstr(fh, fn) != NULL;

	free(fn);
	free(fh);
	return in;
}

/* The place a province's name holds ("Ủy ban nhân dân tỉnh Hưng Yên" ->
 * "Hưng Yên"), for saying what L should have been; the name itself when
 * it names no province or city. */
static const char *place_of(const char *name)
{
	static const char *const kinds[] = { "tỉnh ", "Tỉnh ", "thành phố ",
	                                     "Thành phố " };
	const char *best = name, *at;

	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
		if ((at = strstr(name, kinds[i])) && at + strlen(kinds[i]) > best)
			best = at + strlen(kinds[i]);
	return *best ? best : name;
}

/* Compare the certificate's CN with the holder's name, each OU with the
 * names of the holder's agency and its parents, and L with those names
 * (a province is named in its people's committee).  Appends one clause
 * per difference to why; returns how many. */
static int subject_differences(struct td_registry *reg, const struct td_cert *rc,
                               const struct td_snap_cert *c, char *why,
                               size_t size)
{
	char *chain[16];
	size_t nchain = agency_chain(reg, rc->agency_code, chain, 16), len;
	const char *cn = td_dn_get(&c->subject, "CN");
	int diffs = 0;

	why[0] = '\0';
	if (cn && rc->holder_name && *rc->holder_name && !same_text(cn, rc->holder_name)) {
		snprintf(why, size, TR("CN %.150s vs %.150s"), cn, rc->holder_name);
		diffs++;
	}
	/* The OU chain may go deeper than the registry's agencies (an office
	 * within a department): it differs when no OU names the holder's
	 * agency or one of its parents. */
	const char *first_ou = NULL;
	int ou_known = 0;
	for (size_t i = 0; nchain && i < c->subject.n; i++) {
		const struct td_dn_attr *a = &c->subject.attrs[i];
		if (strcmp(a->name, "OU") == 0) {
			first_ou = first_ou ? first_ou : a->value;
			for (size_t j = 0; j < nchain && !ou_known; j++)
				ou_known = same_text(a->value, chain[j]);
		} else if (strcmp(a->name, "L") == 0) {
			int known = 0;
			for (size_t j = 0; j < nchain && !known; j++)
				known = folded_in(a->value, chain[j]);
			if (known)
				continue;
			len = strlen(why);
			snprintf(why + len, size - len, TR("%sL %.120s vs %.150s"),
			         diffs++ ? "; " : "", a->value, place_of(chain[nchain - 1]));
		}
	}
	if (first_ou && !ou_known) {
		len = strlen(why);
		snprintf(why + len, size - len, TR("%sOU %.120s vs %.150s"),
		         diffs++ ? "; " : "", first_ou, chain[0]);
	}
	for (size_t j = 0; j < nchain; j++)
		free(chain[j]);
	return diffs;
}

static void check_subject(struct td_registry *reg, const struct td_cert *rc,
                          const struct td_snap_cert *c, int idx,
                          const char *rtext, const char *ttext,
                          struct td_match_result *r)
{
	char why[400], shown[400];
	struct td_match_finding *f;

	if (!subject_differences(reg, rc, c, why, sizeof why))
		return;
	if (!(f = add(r, TD_MATCH_SUBJECT, idx, c->serial)))
		return;
	td_printable(shown, sizeof shown, why);
	snprintf(f->registry, sizeof f->registry, TR("%.280s; subject differs: %.200s"),
	         rtext, shown);
	snprintf(f->token, sizeof f->token, "%s", ttext);
}

static int check_matched(struct td_registry *reg, const struct td_cert *rc,
                         const struct td_snap_cert *c, int idx,
                         const struct td_match_opts *o, const char *today,
                         struct td_match_result *r, struct td_error *err)
{
	char why[256] = "", rtext[400], ttext[400], day[32];
	struct td_match_finding *f;
	int tagged = rc->status && strcmp(rc->status, "revoked") == 0, in;

	reg_cert_text(rc, rtext, sizeof rtext);
	token_cert_text(c, ttext, sizeof ttext);
	if (tagged)
		snprintf(why, sizeof why, TR("revoked%s%s"), rc->revoked_at ? TR(" on ") : "",
		         rc->revoked_at ? date_said(rc->revoked_at, day, sizeof day) : "");
	else if ((tagged = o->tagged ? o->tagged(reg, rc, why, sizeof why, o->tag_ctx)
	                             : registry_tag(reg, rc, why, sizeof why, err)) < 0)
		return tagged;
	if (tagged && (f = add(r, TD_MATCH_TAGGED, idx, c->serial))) {
		/* both parts bounded: the finding holds 512 bytes */
		snprintf(f->registry, sizeof f->registry, "%.350s; %.150s", rtext, why);
		snprintf(f->token, sizeof f->token, TR("%s, still on the token"), ttext);
	}
	if ((strncmp(c->not_after, today, 10) < 0 ||
	     (rc->status && strcmp(rc->status, "expired") == 0)) &&
	    (f = add(r, TD_MATCH_EXPIRED, idx, c->serial))) {
		snprintf(f->registry, sizeof f->registry, "%s", rtext);
		snprintf(f->token, sizeof f->token, TR("%s: expired (today %s)"), ttext,
		         date_said(today, day, sizeof day));
	}
	check_subject(reg, rc, c, idx, rtext, ttext, r);
	if (o->scope_agency && rc->agency_code) {
		in = td_agency_within(reg, rc->agency_code, o->scope_agency, err);
		if (in < 0)
			return in;
		if (!in && (f = add(r, TD_MATCH_OUT_OF_SCOPE, idx, c->serial))) {
			snprintf(f->registry, sizeof f->registry,
			         TR("%s; agency %s is not under this desk's agency %s"),
			         rtext, rc->agency_code, o->scope_agency);
			snprintf(f->token, sizeof f->token, "%s", ttext);
		}
	}
	return 0;
}

/* ---- whole token ------------------------------------------------------- */

/* Where does the registry put this certificate, if anywhere?  Found by
 * fingerprint, or by serial; a certificate of another issuer that only
 * shares the serial is not the registry's, and its issuer is named. */
static void elsewhere(struct td_registry *reg, const struct td_snap_cert *c,
                      char *buf, size_t size)
{
	struct td_cert rc;
	char issuer[256];

	memset(&rc, 0, sizeof rc);
	buf[0] = '\0';
	if (c->malformed)
		return;
	if (td_reg_get_cert_by_fingerprint(reg, c->fingerprint, &rc, NULL) != 0 &&
	    td_reg_get_cert(reg, c->serial, &rc, NULL) != 0)
		return;
	if (rc.issuer_dn && c->issuer.text && !td_dn_equal(rc.issuer_dn, c->issuer.text)) {
		td_printable(issuer, sizeof issuer, c->issuer.text);
		snprintf(buf, size, TR("; certificate %s on the token is issued by %.200s, "
		                        "not by the registry's issuer"), c->serial, issuer);
	} else {
		snprintf(buf, size, TR("; certificate %s is recorded on token %s"), rc.serial,
		         rc.token_serial ? rc.token_serial : TR("(none)"));
	}
	td_cert_clear(&rc);
}

static void unknown_token(struct td_registry *reg, const struct td_snap_token *t,
                          struct td_match_result *r)
{
	struct td_match_finding *f = add(r, TD_MATCH_UNKNOWN_TOKEN, -1, NULL);
	char where[300] = "";

	if (!f)
		return;
	for (size_t i = 0; i < t->ncerts && !where[0]; i++)
		elsewhere(reg, &t->certs[i], where, sizeof where);
	snprintf(f->registry, sizeof f->registry, TR("no token with serial %s%s"),
	         t->serial, where);
	token_certs_text(t, f->token, sizeof f->token);
}

static void other_cert(struct td_registry *reg, const struct td_snap_token *t,
                       const struct reg_certs *rc, struct td_match_result *r)
{
	struct td_match_finding *f = add(r, TD_MATCH_OTHER_CERT, -1, NULL);
	size_t len;

	if (!f)
		return;
	snprintf(f->registry, sizeof f->registry,
	         rc->n ? TR("token %s with ") : TR("token %s with no certificate recorded"),
	         t->serial);
	for (size_t i = 0; i < rc->n; i++) {
		len = strlen(f->registry);
		if (i > 0 && len + 2 < sizeof f->registry)
			strcat(f->registry, "; ");
		len = strlen(f->registry);
		reg_cert_text(&rc->v[i], f->registry + len, sizeof f->registry - len);
	}
	token_certs_text(t, f->token, sizeof f->token);
	for (size_t i = 0; i < t->ncerts; i++) {
		char where[300];
		elsewhere(reg, &t->certs[i], where, sizeof where);
		len = strlen(f->token);
		snprintf(f->token + len, sizeof f->token - len, "%s", where);
	}
}

static void matched(const struct td_snap_token *t, const struct td_cert *rc,
                    const struct td_snap_cert *c, int idx,
                    struct td_match_result *r)
{
	struct td_match_finding *f = add(r, TD_MATCH_OK, idx, c->serial);

	snprintf(r->holder, sizeof r->holder, "%s", rc->holder_name ? rc->holder_name : "");
	snprintf(r->agency_code, sizeof r->agency_code, "%s",
	         rc->agency_code ? rc->agency_code : "");
	if (!f)
		return;
	snprintf(f->registry, sizeof f->registry, TR("token %s; "), t->serial);
	reg_cert_text(rc, f->registry + strlen(f->registry),
	              sizeof f->registry - strlen(f->registry));
	token_cert_text(c, f->token, sizeof f->token);
}

/* A certificate on the token besides the ones matched that has expired
 * (a token keeps its old certificate after a renewal): marked, without
 * deciding the token's outcome. */
static void expired_others(const struct td_snap_token *t, const char *matched_idx,
                           const char *today, struct td_match_result *r)
{
	for (size_t i = 0; i < t->ncerts; i++) {
		const struct td_snap_cert *c = &t->certs[i];
		struct td_match_finding *f;
		char ttext[400], day[32];
		enum td_match_outcome keep = r->outcome;
		if (matched_idx[i] || c->malformed || c->is_ca ||
		    strncmp(c->not_after, today, 10) >= 0)
			continue;
		if (!(f = add(r, TD_MATCH_EXPIRED, (int)i, c->serial)))
			return;
		r->outcome = keep;
		f->secondary = 1;
		token_cert_text(c, ttext, sizeof ttext);
		snprintf(f->registry, sizeof f->registry,
		         TR("a second certificate on token %s, not the registry's"), t->serial);
		snprintf(f->token, sizeof f->token, TR("%s: expired (today %s)"), ttext,
		         date_said(today, day, sizeof day));
	}
}

const char *td_custody_away_words(const char *state)
{
	static const struct { const char *state, *says; } away[] = {
		{ "lost", N_("recorded lost") }, { "damaged", N_("recorded damaged") },
		{ "destroyed", N_("recorded destroyed") },
		{ "sent_to_ca", N_("recorded as sent to the CA") },
		{ "at_dost", N_("recorded as at DOST") },
	};

	for (size_t i = 0; state && i < sizeof away / sizeof *away; i++)
		if (strcmp(state, away[i].state) == 0)
			return away[i].says;
	return NULL;
}

/* What the registry says of the token itself: lost, damaged, destroyed,
 * at DOST, sent to the CA, or held by another person than the holder of
 * its certificate.  Such a token on the desk is news, never "matched". */
static void check_custody(const struct td_token *rt, const char *holder_ext,
                          struct td_match_result *r)
{
	const char *says = td_custody_away_words(rt->state);
	char other[300] = "";
	struct td_match_finding *f;

	if (says)
		says = TR(says);
	if (!says && holder_ext[0] && rt->custodian &&
	    strncmp(rt->custodian, "holder:", 7) == 0 &&
	    strcmp(rt->custodian + 7, holder_ext) != 0) {
		snprintf(other, sizeof other, TR("recorded as handed to %.200s, not to "
		                                 "the certificate's holder"), rt->custodian_name ? rt->custodian_name
		                                                    : rt->custodian + 7);
		says = other;
	}
	if (!says || !(f = add(r, TD_MATCH_CUSTODY, -1, NULL)))
		return;
	snprintf(f->registry, sizeof f->registry, TR("token %s %s (custodian %s)"),
	         rt->serial, says, rt->custodian_name ? rt->custodian_name
	                           : rt->custodian ? rt->custodian : "?");
	snprintf(f->token, sizeof f->token, TR("token %s is here, on this desk"), rt->serial);
}
#pragma GCC diagnostic pop

static int match_known(struct td_registry *reg, const struct td_snap_token *t,
                       const struct td_match_opts *o, const char *today,
                       char *holder_ext, size_t holder_size,
                       struct td_match_result *r, struct td_error *err)
{
	struct reg_certs rc = { 0 };
	char *matched_idx = calloc(t->ncerts + 1, 1);
	int any = 0, ret = matched_idx ? load_reg_certs(reg, t->serial, &rc, err)
	                               : td_error_set(err, TD_ERR_NOMEM, "out of memory");

	for (size_t i = 0; ret == 0 && i < t->ncerts; i++) {
		const struct td_snap_cert *c = &t->certs[i];
		for (size_t j = 0; ret == 0 && j < rc.n; j++) {
			if (!same_cert(&rc.v[j], c))
				continue;
			any = matched_idx[i] = 1;
			if (!holder_ext[0] && rc.v[j].holder_ext_id)
				snprintf(holder_ext, holder_size, "%s", rc.v[j].holder_ext_id);
			matched(t, &rc.v[j], c, (int)i, r);
			ret = check_matched(reg, &rc.v[j], c, (int)i, o, today, r, err);
		}
	}
	if (ret == 0 && !any)
		other_cert(reg, t, &rc, r);
	if (ret == 0 && any)
		expired_others(t, matched_idx, today, r);
	free(matched_idx);
	free_reg_certs(&rc);
	return ret;
}

/* Keep only the most serious findings' company: drop "matched" lines when
 * something is wrong, so the operator sees the problem first. */
static void drop_ok_when_worse(struct td_match_result *r)
{
	size_t keep = 0;

	if (r->outcome == TD_MATCH_OK)
		return;
	for (size_t i = 0; i < r->n; i++)
		if (r->findings[i].outcome != TD_MATCH_OK)
			r->findings[keep++] = r->findings[i];
	r->n = keep;
}

int td_match_token(struct td_registry *reg, const struct td_snap_token *t,
                   const struct td_match_opts *opts,
                   struct td_match_result *out, struct td_error *err)
{
	static const struct td_match_opts none;
	struct td_token rt;
	char today[11];
	int rc;

	memset(out, 0, sizeof *out);
	opts = opts ? opts : &none;
	if (opts->today)
		snprintf(today, sizeof today, "%s", opts->today);
	else
		td_today(today);
	memset(&rt, 0, sizeof rt);
	rc = td_reg_get_token(reg, t->serial, &rt, err);
	if (rc == TD_ERR_NOTFOUND) {
		unknown_token(reg, t, out);
		rc = 0;
	} else if (rc == 0) {
		char holder_ext[128] = "";
		rc = match_known(reg, t, opts, today, holder_ext, sizeof holder_ext,
		                 out, err);
		if (rc == 0)
			check_custody(&rt, holder_ext, out);
		td_token_clear(&rt);
	}
	if (rc == 0 && out->n == 0)
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc != 0) {
		td_match_result_clear(out);
		return rc;
	}
	drop_ok_when_worse(out);
	return 0;
}

/* count.c: the inventory count workflow: one committed transaction per
 * scan, so nothing counted is ever only in memory. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "registry/txn.h"
#include "tokendesk/count.h"
#include "tokendesk/text.h"
#include "tokendesk/textfile.h"

int td_count_start(struct td_registry *reg, const char *agency_code,
                   const char *custodian, int64_t *id, struct td_error *err)
{
	int rc;

	if (!agency_code == !custodian)
		return td_error_set(err, TD_ERR_USAGE, "a count's scope is an agency or"
		                    " a custodian (exactly one)");
	if ((rc = td_reg_begin(reg, err)) < 0)
		return rc;
	rc = td_reg_count_start(reg, agency_code ? "agency" : "custodian",
	                        agency_code ? agency_code : custodian, id, err);
	return td_reg_end(reg, rc, err);
}

static int canonical(const char *serial, char *out, size_t size, struct td_error *err)
{
	if (td_token_serial(serial, out, size) < 0)
		return td_error_set(err, TD_ERR_DATA, "'%s' is not a token serial"
		                    " (letters, digits, - _ : . only)", serial);
	return TD_OK;
}

int td_count_scan(struct td_registry *reg, int64_t id, const char *serial,
                  const char *source, struct td_count_hit *hit,
                  struct td_error *err)
{
	char canon[256];
	int rc;

	if ((rc = canonical(serial, canon, sizeof canon, err)) < 0 ||
	    (rc = td_reg_begin(reg, err)) < 0)
		return rc;
	rc = td_reg_count_scan(reg, id, canon, source, hit, err);
	return td_reg_end(reg, rc, err);
}

/* The serials are the lines of the file at path (named in the message):
 * all of them in one transaction, or none. */
static int scan_lines(struct td_registry *reg, int64_t id,
                      const char *const *serials, size_t n, const char *source,
                      const char *path, size_t *done, struct td_error *err)
{
	char canon[256];
	size_t count = 0;
	int rc;

	*done = 0;
	if ((rc = td_reg_begin(reg, err)) < 0)
		return rc;
	for (size_t i = 0; rc == TD_OK && i < n; i++) {
		char *s = strdup(serials[i]);
		if (!s) {
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		td_trim(s);
		if (*s && td_token_serial(s, canon, sizeof canon) < 0)
			rc = td_error_set_at(err, TD_ERR_DATA, path, (long)i + 1, NULL,
			                     "'%s' is not a token serial (letters, digits,"
			                     " - _ : . only); nothing was recorded", s);
		else if (*s && (rc = td_reg_count_scan(reg, id, canon, source, NULL,
		                                       err)) == TD_OK)
			count++;
		free(s);
	}
	if (rc == TD_OK && (rc = td_reg_commit(reg, err)) == TD_OK)
		*done = count;
	else if (rc < 0)
		td_reg_rollback(reg);
	return rc;
}

/* The lines of text, split in place (a final line without its newline
 * counts; CRs go with td_trim).  NULL when out of memory. */
static char **split_lines(char *text, size_t *n)
{
	size_t cap = 64;
	char **lines = malloc(cap * sizeof *lines), **more;

	*n = 0;
	for (char *p = text; lines && *p; ) {
		char *nl = strchr(p, '\n');
		if (*n == cap) {
			if (!(more = realloc(lines, (cap *= 2) * sizeof *lines))) {
				free(lines);
				return NULL;
			}
			lines = more;
		}
		lines[(*n)++] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	return lines;
}

int td_count_scan_file(struct td_registry *reg, int64_t id, const char *path,
                       size_t *done, struct td_error *err)
{
	char *text, *start, **lines;
	size_t len, n;
	int rc;

	*done = 0;
	if ((rc = td_textfile_load(path, NULL, &text, &len, err)) < 0)
		return rc;
	/* Notepad and Excel start UTF-8 with a BOM: not part of a serial */
	start = strncmp(text, "\xEF\xBB\xBF", 3) == 0 ? text + 3 : text;
	if (!(lines = split_lines(start, &n)))
		rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
	else
		rc = scan_lines(reg, id, (const char *const *)lines, n, "file", path,
		                done, err);
	free(lines);
	free(text);
	return rc;
}

int td_count_close(struct td_registry *reg, int64_t id,
                   struct td_count_tally *tally, struct td_error *err)
{
	int rc;

	if ((rc = td_reg_begin(reg, err)) < 0)
		return rc;
	rc = td_reg_count_close(reg, id, tally, err);
	return td_reg_end(reg, rc, err);
}

/* ---- report --------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static int list_add(struct td_count_list *l, const struct td_count_line *line)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct td_count_entry *v = realloc(l->v, cap * sizeof *v);
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	struct td_count_entry *e = &l->v[l->n++];
	e->serial = strdup(line->serial);
	e->custodian = dup_or_null(line->custodian);
	e->custodian_name = dup_or_null(line->custodian_name);
	e->scans = line->scans;
	return e->serial ? 0 : -1;
}

static int collect(const struct td_count_line *l, void *ctx)
{
	struct td_count_report *rep = ctx;

	if (list_add(&rep->by[l->outcome], l) < 0 ||
	    (l->scans > 1 && list_add(&rep->duplicate, l) < 0))
		return TD_ERR_NOMEM;
	return 0;
}

int td_count_report_load(struct td_registry *reg, int64_t id,
                         struct td_count_report *rep, struct td_error *err)
{
	int rc;

	memset(rep, 0, sizeof *rep);
	if ((rc = td_reg_count_get(reg, id, &rep->count, err)) < 0)
		return rc;
	rc = td_reg_count_each(reg, id, collect, rep, err);
	if (rc == TD_ERR_NOMEM)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (rc < 0)
		return rc;
	rep->tally.found = (int64_t)rep->by[TD_COUNT_FOUND].n;
	rep->tally.missing = (int64_t)rep->by[TD_COUNT_MISSING].n;
	rep->tally.unexpected = (int64_t)rep->by[TD_COUNT_UNEXPECTED].n;
	rep->tally.unknown = (int64_t)rep->by[TD_COUNT_UNKNOWN].n;
	rep->tally.duplicate = (int64_t)rep->duplicate.n;
	rep->tally.expected = rep->tally.found + rep->tally.missing;
	rep->tally.scans = rep->count.scans;
	return TD_OK;
}

static void list_free(struct td_count_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].serial);
		free(l->v[i].custodian);
		free(l->v[i].custodian_name);
	}
	free(l->v);
	memset(l, 0, sizeof *l);
}

void td_count_report_free(struct td_count_report *rep)
{
	for (int i = 0; i < 4; i++)
		list_free(&rep->by[i]);
	list_free(&rep->duplicate);
	td_count_clear(&rep->count);
}

/* Whether the holder custodian names holds one of the token's
 * certificates (td_reg_each_cert_on_token). */
struct holder_probe {
	const char *holder;   /* the custodian's id, after "holder:" */
	int certs, theirs;
};

static int probe_cert(const struct td_cert *c, void *ctx)
{
	struct holder_probe *p = ctx;

	p->certs++;
	p->theirs |= c->holder_ext_id && strcmp(c->holder_ext_id, p->holder) == 0;
	return 0;
}

enum td_count_away td_count_away(struct td_registry *reg, const char *serial,
                                 char *what, size_t size)
{
	static const char *const away[] = { "lost", "damaged", "destroyed",
	                                    "sent_to_ca", "at_dost" };
	enum td_count_away says = TD_AWAY_NONE;
	struct td_token t;
	struct td_error err;

	memset(&t, 0, sizeof t);
	if (size)
		what[0] = '\0';
	if (!serial || td_reg_get_token(reg, serial, &t, &err) < 0)
		return TD_AWAY_NONE;
	for (size_t i = 0; t.state && i < sizeof away / sizeof *away; i++)
		if (strcmp(t.state, away[i]) == 0) {
			snprintf(what, size, "%s", t.state);
			says = TD_AWAY_STATE;
		}
	if (!says && t.custodian && strncmp(t.custodian, "holder:", 7) == 0) {
		struct holder_probe p = { t.custodian + 7, 0, 0 };
		if (td_reg_each_cert_on_token(reg, t.serial, probe_cert, &p, &err) == 0 &&
		    p.certs && !p.theirs) {
			snprintf(what, size, "%s", t.custodian_name ? t.custodian_name
			                                           : t.custodian + 7);
			says = TD_AWAY_OTHER_HOLDER;
		}
	}
	td_token_clear(&t);
	return says;
}

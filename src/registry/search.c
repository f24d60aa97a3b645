/* search.c: the folded full-text index and the search query.
 *
 * search_idx is a contentless FTS5 table whose rowid encodes the record
 * (id * 4 + td_hit_kind).  Text is folded before indexing (td_fold: marks
 * dropped, đ -> d, case folded), so "nguyen van hung" finds "Nguyễn Văn
 * Hùng" and "dang" finds "Đặng", whichever normal form was typed. */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicase.h>
#include <uninorm.h>

#include "registry/internal.h"
#include "tokendesk/text.h"

/* Run the index statement id (insert or delete) for rowid with text
 * folded. */
static int index_run(struct td_registry *reg, enum td_stmt_id id, int64_t rowid,
                     const char *text, struct td_error *err)
{
	char *folded = td_fold(text);
	sqlite3_stmt *st;
	int rc = SQLITE_ERROR;

	if (!folded)
		return td_error_set(err, TD_ERR_DATA, "invalid UTF-8 in index text");
	if ((st = td_reg_stmt(reg, id, err))) {
		sqlite3_bind_int64(st, 1, rowid);
		sqlite3_bind_text(st, 2, folded, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
	}
	free(folded);
	if (!st || rc != SQLITE_DONE)
		return td_reg_db_error(reg, err, "updating the search index");
	return TD_OK;
}

int td_reg_index_put(struct td_registry *reg, int kind, int64_t id,
                     const char *old_text, const char *new_text,
                     struct td_error *err)
{
	int64_t rowid = id * 4 + kind;
	int rc;

	/* A contentless FTS5 row is deleted by repeating what it indexed. */
	if (old_text && (rc = index_run(reg, ST_SEARCH_DELETE, rowid, old_text, err)) < 0)
		return rc;
	return index_run(reg, ST_SEARCH_INSERT, rowid, new_text, err);
}

/* FTS5 query: the folded words ANDed, each an exact term but the last,
 * which may still be being typed and so is a prefix.  (A prefix query on
 * a common word costs ~20x its exact term on a million names.) */
static char *fts_query(const char *text, int prefix_last)
{
	char *folded = td_fold(text), *q, *w, *next;
	size_t n = 0;

	if (!folded || !*folded) {
		free(folded);
		return NULL;
	}
	/* A word of L bytes and its space become ' "w"*': L + 4 bytes for
	 * L + 1, at worst 5 for 2 (one-letter words) -- 3 per byte is safe.
	 * (2 per byte overflowed the heap with 16 one-letter words: found by
	 * fuzz-search.) */
	q = malloc(strlen(folded) * 3 + 16);
	if (q) {
		char *save = NULL;
		for (w = strtok_r(folded, " ", &save); w; w = next) {
			next = strtok_r(NULL, " ", &save);
			/* td_fold leaves only letters and digits: no quote to escape */
			n += (size_t)sprintf(q + n, "%s\"%s\"%s", n ? " " : "", w,
			                     next || !prefix_last ? "" : "*");
		}
		q[n] = '\0';
	}
	free(folded);
	return q;
}

static const char *const resolve_sql[] = {
	[TD_HIT_AGENCY] = "SELECT a.code, a.name, p.name FROM agency a"
	                  " LEFT JOIN agency p ON p.id = a.parent_id WHERE a.id = ?",
	[TD_HIT_HOLDER] = "SELECT h.ext_id, h.name, a.name FROM holder h"
	                  " JOIN agency a ON a.id = h.agency_id WHERE h.id = ?",
	[TD_HIT_CERT] = "SELECT c.serial, h.name, a.name FROM certificate c"
	                " JOIN holder h ON h.id = c.holder_id"
	                " JOIN agency a ON a.id = h.agency_id WHERE c.id = ?",
	[TD_HIT_TOKEN] = "SELECT t.serial, h.name, t.model FROM token t"
	                 " LEFT JOIN certificate c ON c.token_id = t.id"
	                 " LEFT JOIN holder h ON h.id = c.holder_id WHERE t.id = ?"
	                 " LIMIT 1",
};

struct hit_row {
	int kind;
	int64_t id;
	int exact;          /* the key is what was typed */
	int words, marks;   /* typed words found whole, folded and as typed */
	char *key, *label, *detail;
};

/* Lower case, marks kept (NFC): "Đông" and "Đồng" differ here. */
static char *lower_marks(const char *s)
{
	size_t len = 0;
	uint8_t *u = u8_casefold((const uint8_t *)s, strlen(s), NULL, UNINORM_NFC,
	                         NULL, &len);
	char *out = u ? realloc(u, len + 1) : NULL;

	if (!out) {
		free(u);
		return NULL;
	}
	out[len] = '\0';
	return out;
}

/* ASCII letters and digits and every byte of a multibyte character make
 * words; the rest (spaces, punctuation) separates them. */
static int word_byte(unsigned char c)
{
	return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* How many words of query are whole words of hay. */
static int whole_words(const char *hay, const char *query)
{
	int found = 0;

	if (!hay || !query)
		return 0;
	for (const char *q = query; *q;) {
		while (*q && !word_byte((unsigned char)*q))
			q++;
		size_t n = 0;
		while (word_byte((unsigned char)q[n]))
			n++;
		if (!n)
			break;
		for (const char *p = hay; *p; p++) {
			if ((p == hay || !word_byte((unsigned char)p[-1])) &&
			    strncmp(p, q, n) == 0 && !word_byte((unsigned char)p[n])) {
				found++;
				break;
			}
		}
		q += n;
	}
	return found;
}

/* Rank a resolved hit against what was typed (folded, and lower case
 * with its marks). */
static void rank(struct hit_row *h, const char *folded_text, const char *typed_lower)
{
	char *fl = h->label ? td_fold(h->label) : NULL;
	char *ml = h->label ? lower_marks(h->label) : NULL;

	h->words = whole_words(fl, folded_text);
	h->marks = whole_words(ml, typed_lower);
	free(fl);
	free(ml);
}

static int resolve(struct td_registry *reg, sqlite3_stmt **cache,
                   struct hit_row *h, const char *folded_text)
{
	sqlite3_stmt *st = cache[h->kind];
	int rc;

	if (!st && sqlite3_prepare_v2(reg->db, resolve_sql[h->kind], -1,
	                              &cache[h->kind], NULL) != SQLITE_OK)
		return -1;
	st = cache[h->kind];
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, h->id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return 0;   /* index entry of a row since removed */
	h->key = td_reg_col_dup(st, 0);
	h->label = td_reg_col_dup(st, 1);
	h->detail = td_reg_col_dup(st, 2);
	if (h->key) {
		char *fk = td_fold(h->key);
		h->exact = fk && strcmp(fk, folded_text) == 0;
		free(fk);
	}
	return 1;
}

/* Exact key matches first; then names holding the typed words whole
 * ("xã Đông La" before "Lao động - ... Xã hội" for "xa dong la"), and of
 * those the ones written with the marks typed ("Đông" before "Đồng");
 * then agencies, holders, certificates, tokens. */
static int hit_cmp(const void *pa, const void *pb)
{
	const struct hit_row *a = pa, *b = pb;

	if (a->exact != b->exact)
		return b->exact - a->exact;
	if (a->words != b->words)
		return b->words - a->words;
	if (a->marks != b->marks)
		return b->marks - a->marks;
	if (a->kind != b->kind)
		return a->kind - b->kind;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Run a query whose rows are (kind, id), appending hits. */
static int collect_sql(struct td_registry *reg, const char *sql, const char *p1,
                       const char *p2, int want, struct hit_row *hits, int *nhits,
                       struct td_error *err)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return td_reg_db_error(reg, err, "search");
	sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
	if (p2)
		sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, want);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && *nhits < want) {
		hits[*nhits] = (struct hit_row){ .kind = sqlite3_column_int(st, 0),
		                                 .id = sqlite3_column_int64(st, 1) };
		(*nhits)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return td_reg_db_error(reg, err, "search");
	return TD_OK;
}

/* The first string after every string that starts with prefix. */
static void prefix_end(const char *prefix, char *out, size_t size)
{
	snprintf(out, size, "%s", prefix);
	size_t n = strlen(out);
	if (n > 0)
		out[n - 1]++;   /* serial characters are ASCII, never 0x7f */
}

/* Serials by prefix, through the unique indexes on them. */
static int collect_serials(struct td_registry *reg, const char *text, int want,
                           struct hit_row *hits, int *nhits, struct td_error *err)
{
	char canon[256], end[256];
	int rc = TD_OK;

	if (td_serial_hex(text, canon, sizeof canon) == TD_OK) {
		prefix_end(canon, end, sizeof end);
		rc = collect_sql(reg, "SELECT 2, id FROM certificate WHERE serial >= ?1"
		                 " AND serial < ?2 ORDER BY serial LIMIT ?3",
		                 canon, end, want, hits, nhits, err);
	}
	if (rc == TD_OK && *nhits < want &&
	    td_token_serial(text, canon, sizeof canon) == TD_OK) {
		prefix_end(canon, end, sizeof end);
		rc = collect_sql(reg, "SELECT 3, id FROM token WHERE serial >= ?1"
		                 " AND serial < ?2 ORDER BY serial LIMIT ?3",
		                 canon, end, want - *nhits, hits, nhits, err);
	}
	return rc;
}

/* Drop repeated (kind, id) pairs, keeping the first. */
static void unique_hits(struct hit_row *hits, int *nhits)
{
	int n = 0;

	for (int i = 0; i < *nhits; i++) {
		int seen = 0;
		for (int j = 0; j < n && !seen; j++)
			seen = hits[j].kind == hits[i].kind && hits[j].id == hits[i].id;
		if (!seen)
			hits[n++] = hits[i];
	}
	*nhits = n;
}

static int collect(struct td_registry *reg, const char *text, const char *exact,
                   const char *q, int want, struct hit_row *hits, int *nhits,
                   struct td_error *err)
{
	/* the typed words whole first: a prefix of a common word ("la*":
	 * "lao", "lang"...) could otherwise fill every candidate */
	int rc = collect_sql(reg, "SELECT rowid & 3, rowid >> 2 FROM search_idx"
	                     " WHERE search_idx MATCH ?1 LIMIT ?3", exact, NULL, want,
	                     hits, nhits, err);

	if (rc == TD_OK && *nhits < want)
		rc = collect_sql(reg, "SELECT rowid & 3, rowid >> 2 FROM search_idx"
		                 " WHERE search_idx MATCH ?1 LIMIT ?3", q, NULL,
		                 want, hits, nhits, err);
	/* a serial as Windows shows it ("54 01 3b 53") or with colons */
	if (rc == TD_OK && *nhits < want)
		rc = collect_serials(reg, text, want, hits, nhits, err);
	if (rc == TD_OK && *nhits < want && strchr(text, '@'))
		rc = collect_sql(reg, "SELECT 1, id FROM holder WHERE email = trim(?1)"
		                 " COLLATE NOCASE LIMIT ?3", text, NULL, want,
		                 hits, nhits, err);
	unique_hits(hits, nhits);
	return rc;
}

int td_reg_search(struct td_registry *reg, const char *text, int limit,
                  td_hit_fn fn, void *ctx, struct td_error *err)
{
	sqlite3_stmt *cache[4] = { 0 };
	char *q, *exact, *folded = td_fold(text), *typed = lower_marks(text);
	/* Candidates: four per hit wanted, and no more than 40,000 in all (a
	 * huge --limit overflowed the product and asked calloc for gigabytes). */
	int want = (limit > 0 && limit < 10000 ? limit : 10000) * 4;
	int nhits = 0, nres = 0, rc, stop = 0;
	struct hit_row *hits;

	q = fts_query(text, 1);
	exact = fts_query(text, 0);
	if (!q || !exact || !folded || !typed || limit <= 0) {
		free(q);
		free(exact);
		free(folded);
		free(typed);
		return TD_OK;   /* nothing searchable: no hits */
	}
	/* twice: exact words, then prefixes, may find the same rows */
	hits = calloc((size_t)want * 2, sizeof *hits);
	rc = hits ? collect(reg, text, exact, q, want, hits, &nhits, err)
	          : td_error_set(err, TD_ERR_NOMEM, "out of memory");
	for (int i = 0; rc == TD_OK && i < nhits; i++)
		if (resolve(reg, cache, &hits[i], folded) > 0) {
			rank(&hits[i], folded, typed);
			hits[nres++] = hits[i];
		}
	if (nres > 1)
		qsort(hits, (size_t)nres, sizeof *hits, hit_cmp);
	for (int i = 0; rc == TD_OK && i < nres && i < limit && !stop; i++) {
		struct td_search_hit h = { (enum td_hit_kind)hits[i].kind, hits[i].key,
		                           hits[i].label, hits[i].detail };
		stop = fn(&h, ctx);
	}
	for (int i = 0; i < nres; i++) {
		free(hits[i].key);
		free(hits[i].label);
		free(hits[i].detail);
	}
	for (int k = 0; k < 4; k++)
		sqlite3_finalize(cache[k]);
	free(hits);
	free(q);
	free(exact);
	free(folded);
	free(typed);
	return rc < 0 ? rc : stop;
}

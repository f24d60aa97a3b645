/* kit_schema.c: the tables a kit carries, read from the file itself. */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/rand.h>

#include "registry/kit.h"

static enum kit_kind kind_of(const char *name)
{
	static const char *const home_only[] = { "agency", "holder", "certificate",
	                                          "issuer" };

	for (size_t i = 0; i < sizeof home_only / sizeof home_only[0]; i++)
		if (strcmp(name, home_only[i]) == 0)
			return KIT_HOME_ONLY;
	if (strcmp(name, "audit") == 0)
		return KIT_AUDIT;
	/* crl_trust decides which CRLs may revoke certificates and
	 * crl_import which were applied: home's alone, so a kit neither
	 * carries nor changes them (field rows there are never merged).
	 * audit_checkpoint signs home's chain, which a kit does not have. */
	if (strcmp(name, "meta") == 0 || strncmp(name, "kit_", 4) == 0 ||
	    strncmp(name, "crl_", 4) == 0 || strcmp(name, "audit_checkpoint") == 0)
		return KIT_LOCAL;
	return KIT_FIELD;
}

int kit_exec(struct td_registry *reg, struct td_error *err, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	if (!sql)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	rc = td_reg_exec(reg, sql, err);
	sqlite3_free(sql);
	return rc;
}

/* The two statements reading a table's columns and references: prepared
 * once for a whole schema and bound to each of its twenty-odd tables in
 * turn (preparing is most of their cost on a small kit). */
struct schema_reader {
	sqlite3_stmt *cols, *fks;
};

static int reader_open(struct td_registry *reg, const char *schema,
                       struct schema_reader *rd, struct td_error *err)
{
	memset(rd, 0, sizeof *rd);
	if (sqlite3_prepare_v2(reg->db, "SELECT name, upper(type), pk FROM"
	                       " pragma_table_info(?, ?) ORDER BY cid", -1,
	                       &rd->cols, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(reg->db, "SELECT \"from\", \"table\", \"to\" FROM"
	                       " pragma_foreign_key_list(?, ?)", -1, &rd->fks, NULL)
	    != SQLITE_OK) {
		int rc = td_reg_db_error(reg, err, "reading the schema");
		sqlite3_finalize(rd->cols);
		return rc;
	}
	sqlite3_bind_text(rd->cols, 2, schema, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(rd->fks, 2, schema, -1, SQLITE_TRANSIENT);
	return TD_OK;
}

static void reader_close(struct schema_reader *rd)
{
	sqlite3_finalize(rd->cols);
	sqlite3_finalize(rd->fks);
}

static int load_columns(sqlite3_stmt *st, struct kit_table *t, struct td_error *err)
{
	int pk_int = -1, rc = TD_OK;

	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		char **cols = realloc(t->cols, (t->ncols + 1) * sizeof *cols);
		if (!cols) {
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		t->cols = cols;
		unsigned char *pk = realloc(t->pk_cols, t->ncols + 1);
		if (!pk) {
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		t->pk_cols = pk;
		cols[t->ncols] = td_reg_col_dup(st, 0);
		pk[t->ncols] = sqlite3_column_int(st, 2) > 0;
		if (sqlite3_column_int(st, 2) > 0) {
			t->npk++;
			const char *type = (const char *)sqlite3_column_text(st, 1);
			if (type && strcmp(type, "INTEGER") == 0)
				pk_int = t->ncols;
		}
		t->ncols++;
	}
	sqlite3_reset(st);
	t->int_pk = t->npk == 1 ? pk_int : -1;
	return rc;
}

static int col_index(const struct kit_table *t, const char *name)
{
	for (int i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i], name) == 0)
			return i;
	return -1;
}

static void load_fks(sqlite3_stmt *st, struct kit_table *t)
{
	sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW && t->nfk < KIT_MAX_FK) {
		int col = col_index(t, (const char *)sqlite3_column_text(st, 0));
		if (col < 0)
			continue;
		t->fk[t->nfk].col = col;
		t->fk[t->nfk].parent = td_reg_col_dup(st, 1);
		t->fk[t->nfk].parent_col = td_reg_col_dup(st, 2);
		t->fk[t->nfk].soft = 0;
		t->nfk++;
	}
	sqlite3_reset(st);
}

static void table_free(struct kit_table *t)
{
	for (int i = 0; i < t->ncols; i++)
		free(t->cols[i]);
	free(t->cols);
	free(t->pk_cols);
	for (int i = 0; i < t->nfk; i++) {
		free(t->fk[i].parent);
		free(t->fk[i].parent_col);
	}
	free(t->name);
}

void kit_schema_free(struct kit_schema *ks)
{
	for (int i = 0; i < ks->n; i++)
		table_free(&ks->t[i]);
	free(ks->t);
	ks->t = NULL;
	ks->n = 0;
}

struct kit_table *kit_schema_find(struct kit_schema *ks, const char *name)
{
	for (int i = 0; i < ks->n; i++)
		if (strcmp(ks->t[i].name, name) == 0)
			return &ks->t[i];
	return NULL;
}

char *kit_column_list(const struct kit_table *t)
{
	char *list = sqlite3_mprintf("%s", "");

	for (int i = 0; list && i < t->ncols; i++) {
		char *n = sqlite3_mprintf("%s%s\"%w\"", list, i ? ", " : "", t->cols[i]);
		sqlite3_free(list);
		list = n;
	}
	return list;
}

int kit_fk_to_id(const struct kit_table *t, int f, const struct kit_table *p)
{
	const char *to = t->fk[f].parent_col;

	return p->int_pk >= 0 && (!to || strcmp(to, p->cols[p->int_pk]) == 0);
}

/* Order tables so every table comes after the tables it references. */
static void sort_by_fk(struct kit_schema *ks)
{
	for (int placed = 0; placed < ks->n; placed++) {
		int pick = placed;
		for (int i = placed; i < ks->n; i++) {
			int ready = 1;
			for (int f = 0; f < ks->t[i].nfk && ready; f++)
				for (int j = placed; j < ks->n; j++)
					if (j != i && strcmp(ks->t[j].name,
					                     ks->t[i].fk[f].parent) == 0)
						ready = 0;
			if (ready) {
				pick = i;
				break;
			}
		}
		struct kit_table tmp = ks->t[placed];
		ks->t[placed] = ks->t[pick];
		ks->t[pick] = tmp;
	}
}

/* References the schema does not declare (columns older than the table
 * they point at): the merge must renumber them like declared ones. */
static void add_soft_refs(struct kit_schema *ks)
{
	static const struct { const char *table, *col, *parent; } soft[] = {
		{ "custody_event", "handover_id", "handover" },
	};

	for (size_t i = 0; i < sizeof soft / sizeof soft[0]; i++) {
		struct kit_table *t = kit_schema_find(ks, soft[i].table);
		int col, declared = 0;
		if (!t || !kit_schema_find(ks, soft[i].parent) ||
		    (col = col_index(t, soft[i].col)) < 0 || t->nfk >= KIT_MAX_FK)
			continue;
		for (int f = 0; f < t->nfk; f++)
			declared |= t->fk[f].col == col;
		if (declared)
			continue;
		t->fk[t->nfk].col = col;
		t->fk[t->nfk].parent = strdup(soft[i].parent);
		t->fk[t->nfk].parent_col = NULL;
		t->fk[t->nfk].soft = 1;
		t->nfk++;
	}
}

int kit_schema_load(struct td_registry *reg, const char *schema,
                    struct kit_schema *ks, struct td_error *err)
{
	struct schema_reader rd;
	sqlite3_stmt *st;
	int rc;

	memset(ks, 0, sizeof *ks);
	if ((rc = reader_open(reg, schema, &rd, err)) < 0)
		return rc;
	if (sqlite3_prepare_v2(reg->db, "SELECT name FROM pragma_table_list"
	                       " WHERE schema = ? AND type = 'table'"
	                       " AND name NOT LIKE 'sqlite%' ORDER BY name",
	                       -1, &st, NULL) != SQLITE_OK) {
		rc = td_reg_db_error(reg, err, "reading the schema");
		reader_close(&rd);
		return rc;
	}
	sqlite3_bind_text(st, 1, schema, -1, SQLITE_STATIC);
	while (rc == TD_OK && sqlite3_step(st) == SQLITE_ROW) {
		struct kit_table *t = realloc(ks->t, (ks->n + 1) * sizeof *t);
		if (!t) {
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		ks->t = t;
		t = &ks->t[ks->n++];
		memset(t, 0, sizeof *t);
		t->name = td_reg_col_dup(st, 0);
		t->kind = kind_of(t->name);
		if ((rc = load_columns(rd.cols, t, err)) == TD_OK)
			load_fks(rd.fks, t);
	}
	sqlite3_finalize(st);
	reader_close(&rd);
	if (rc < 0) {
		kit_schema_free(ks);
		return rc;
	}
	add_soft_refs(ks);
	for (int i = 0; i < ks->n; i++)
		for (int f = 0; f < ks->t[i].nfk; f++) {
			struct kit_table *p = kit_schema_find(ks, ks->t[i].fk[f].parent);
			if (p)
				p->referenced = 1;
		}
	sort_by_fk(ks);
	return TD_OK;
}

int td_reg_uuid(char out[37], struct td_error *err)
{
	unsigned char b[16];

	if (RAND_bytes(b, sizeof b) != 1)
		return td_error_set(err, TD_ERR_INTERNAL, "no random numbers");
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
	         "%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4], b[5],
	         b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]);
	return TD_OK;
}

char *kit_meta_get(struct td_registry *reg, const char *schema, const char *key)
{
	char *sql = sqlite3_mprintf("SELECT value FROM \"%w\".meta WHERE key = ?",
	                            schema);
	sqlite3_stmt *st;
	char *value = NULL;

	if (!sql)
		return NULL;
	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			value = td_reg_col_dup(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_free(sql);
	return value;
}

/* fuzz-csv.c: the CSV reader (src/util/csv.c) on arbitrary bytes.
 *
 * Properties: it never reads outside the buffer (ASan), every record has
 * at least one NUL-terminated field within the limits, line numbers never
 * go back, an error names a line inside the input; and a file read
 * without error, written back with td_csv_write and read again, gives
 * the same records (the writer and the reader agree on quoting). */
#include <config.h>

#include <string.h>

#include "tokendesk/csv.h"
#include "fuzz.h"

/* Records as read, kept for the round trip. */
struct table {
	size_t nrec, cap;
	size_t *nfields;
	char ***fields;
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->nrec; i++) {
		for (size_t j = 0; j < t->nfields[i]; j++)
			free(t->fields[i][j]);
		free(t->fields[i]);
	}
	free(t->fields);
	free(t->nfields);
	memset(t, 0, sizeof *t);
}

static int table_add(struct table *t, const struct td_csv_record *rec)
{
	if (t->nrec == t->cap) {   /* doubling: inputs have thousands of lines */
		size_t cap = t->cap ? t->cap * 2 : 16;
		size_t *nf = realloc(t->nfields, cap * sizeof *nf);
		if (!nf)
			return -1;
		t->nfields = nf;
		char ***f = realloc(t->fields, cap * sizeof *f);
		if (!f)
			return -1;
		t->fields = f;
		t->cap = cap;
	}
	t->fields[t->nrec] = calloc(rec->nfields, sizeof(char *));
	t->nfields[t->nrec] = rec->nfields;
	for (size_t i = 0; i < rec->nfields; i++)
		t->fields[t->nrec][i] = strdup(rec->fields[i]);
	t->nrec++;
	return 0;
}

/* Read everything; 1 when the whole input was read without error. */
static int read_all(const char *data, size_t size, struct table *t)
{
	struct td_csv_reader *r = td_csv_open(data, size, "fuzz.csv");
	struct td_csv_record rec;
	struct td_error err;
	long last_line = 0, max_line = 1;
	int rc;

	for (size_t i = 0; i < size; i++)
		max_line += data[i] == '\n';
	if (!r)
		return 0;
	FUZZ_CHECK(strchr(",;\t", td_csv_separator(r)) != NULL);
	while ((rc = td_csv_read(r, &rec, &err)) > 0) {
		FUZZ_CHECK(rec.nfields >= 1 && rec.nfields <= TD_CSV_MAX_FIELDS);
		FUZZ_CHECK(rec.line > last_line && rec.line <= max_line);
		last_line = rec.line;
		for (size_t i = 0; i < rec.nfields; i++)
			FUZZ_CHECK(strlen(rec.fields[i]) <= TD_CSV_MAX_FIELD);
		if (t)
			table_add(t, &rec);
	}
	if (rc < 0) {
		FUZZ_CHECK(rc == TD_ERR_DATA || rc == TD_ERR_NOMEM);
		FUZZ_CHECK(err.line >= 1 && err.line <= max_line);
		FUZZ_CHECK(strcmp(err.file, "fuzz.csv") == 0);
	}
	td_csv_close(r);
	return rc == 0;
}

/* The writer drops what the reader cannot give back by design: a record
 * of one empty field is a blank line, which the reader skips; a BOM at
 * the very start is taken for the file's own. */
static int round_trippable(const struct table *t)
{
	for (size_t i = 0; i < t->nrec; i++)
		if (t->nfields[i] == 1 && !t->fields[i][0][0])
			return 0;
	return !(t->nrec && strncmp(t->fields[0][0], "\xEF\xBB\xBF", 3) == 0);
}

static void round_trip(const struct table *t)
{
	char *out = NULL;
	size_t outlen = 0;
	FILE *f = open_memstream(&out, &outlen);
	struct table again = { 0 };

	if (!f)
		return;
	for (size_t i = 0; i < t->nrec; i++)
		FUZZ_CHECK(td_csv_write(f, t->nfields[i], (const char *const *)t->fields[i],
		                        0) == 0);
	fclose(f);
	FUZZ_CHECK(read_all(out, outlen, &again));
	FUZZ_CHECK(again.nrec == t->nrec);
	for (size_t i = 0; i < t->nrec; i++) {
		FUZZ_CHECK(again.nfields[i] == t->nfields[i]);
		for (size_t j = 0; j < t->nfields[i]; j++)
			FUZZ_CHECK(strcmp(again.fields[i][j], t->fields[i][j]) == 0);
	}
	table_free(&again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct table t = { 0 };

	if (read_all((const char *)data, size, &t) && round_trippable(&t))
		round_trip(&t);
	table_free(&t);
	return 0;
}

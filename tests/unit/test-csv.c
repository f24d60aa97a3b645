/* test-csv.c: the RFC 4180 reader and writer. */
#include <config.h>

#include <stdlib.h>

#include "check.h"
#include "tokendesk/csv.h"

/* Read all of data; return the number of records, the last error in err. */
static int read_all(const char *data, struct td_csv_record *last, struct td_error *err,
                    char sep_want)
{
	struct td_csv_reader *r = td_csv_open(data, strlen(data), "t.csv");
	int n = 0, rc;

	if (sep_want)
		CHECK(td_csv_separator(r) == sep_want);
	while ((rc = td_csv_read(r, last, err)) > 0)
		n++;
	td_csv_close(r);
	return rc < 0 ? rc : n;
}

int main(void)
{
	struct td_csv_record rec;
	struct td_error err;
	struct td_csv_reader *r;

	/* BOM, quotes, doubled quotes, embedded newline, CRLF, blank line. */
	const char *doc = "\xEF\xBB\xBF" "a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n\r\n4,,6\n";
	r = td_csv_open(doc, strlen(doc), "t.csv");
	CHECK(td_csv_read(r, &rec, &err) == 1 && rec.nfields == 3 && rec.line == 1);
	CHECK_STR(rec.fields[0], "a");
	CHECK(td_csv_read(r, &rec, &err) == 1 && rec.nfields == 3 && rec.line == 2);
	CHECK_STR(rec.fields[0], "x,1");
	CHECK_STR(rec.fields[1], "say \"hi\"");
	CHECK_STR(rec.fields[2], "two\nlines");
	CHECK(td_csv_read(r, &rec, &err) == 1 && rec.line == 5);
	CHECK_STR(rec.fields[1], "");
	CHECK(td_csv_read(r, &rec, &err) == 0);
	td_csv_close(r);

	/* Separators: semicolon and tab lists as spreadsheets write them. */
	CHECK(read_all("a;b;c\n1;2;3\n", &rec, &err, ';') == 2);
	/* Excel's "sep=X" line names it (over what the header suggests) and
	 * is no record; lines are still counted from the file's first. */
	CHECK(read_all("sep=;\r\na,b;c\n1,5;2\n", &rec, &err, ';') == 2);
	CHECK(rec.line == 3 && rec.nfields == 2);
	CHECK(read_all("\xEF\xBB\xBFSEP=\t\na\tb\n", &rec, &err, '\t') == 1);
	CHECK(read_all("sep=;", &rec, &err, ';') == 0);
	CHECK(read_all("sep=,x\na;b\n", &rec, &err, ',') == 2);   /* not the line */
	CHECK(read_all("a\tb\n1\t2\n", &rec, &err, '\t') == 2);
	CHECK(read_all("\"a;b\",c\n", &rec, &err, ',') == 1);

	/* Errors name the line. */
	CHECK(read_all("a,b\n1,\"open\n2,3\n", &rec, &err, 0) == TD_ERR_DATA);
	CHECK(err.line == 2 && strstr(err.message, "unbalanced") != NULL);
	CHECK(read_all("a,b\n1,x\"y\n", &rec, &err, 0) == TD_ERR_DATA && err.line == 2);
	CHECK(read_all("a,b\n\"q\"x,1\n", &rec, &err, 0) == TD_ERR_DATA && err.line == 2);
	char nul[] = "a,b\n1,2\n3,\0\n";
	r = td_csv_open(nul, sizeof nul - 1, "n.csv");
	while (td_csv_read(r, &rec, &err) > 0)
		;
	CHECK(err.code == TD_ERR_DATA && err.line == 3 && strstr(err.message, "NUL"));
	td_csv_close(r);

	/* A field over the limit. */
	size_t big = TD_CSV_MAX_FIELD + 10;
	char *huge = malloc(big + 8);
	memset(huge, 'x', big);
	memcpy(huge + big, "\n", 2);
	CHECK(read_all(huge, &rec, &err, 0) == TD_ERR_DATA && strstr(err.message, "longer"));
	free(huge);

	/* Writer: quoting and formula neutralization. */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	const char *row[] = { "plain", "a,b", "say \"x\"", "=SUM(A1)", NULL };
	CHECK(td_csv_write(out, 5, row, TD_CSV_NEUTRALIZE) == 0);
	CHECK(td_csv_write(out, 1, row + 3, 0) == 0);
	fclose(out);
	CHECK_STR(buf, "plain,\"a,b\",\"say \"\"x\"\"\",\"'=SUM(A1)\",\r\n=SUM(A1)\r\n");
	free(buf);
	CHECK(td_csv_is_formula("+1") && td_csv_is_formula("@x") && !td_csv_is_formula("a=1"));

	/* A first line "sep=," would read back as Excel's separator line. */
	out = open_memstream(&buf, &len);
	const char *sep_row[] = { "sep=", "" };
	CHECK(td_csv_write(out, 2, sep_row, 0) == 0);
	fclose(out);
	CHECK_STR(buf, "\"sep=\",\r\n");
	CHECK(read_all(buf, &rec, &err, ',') == 1 && rec.nfields == 2);
	free(buf);
	return check_done("test-csv");
}

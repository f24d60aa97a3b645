/* fuzz-import.c: the whole master-list import (td_import_files) on
 * arbitrary files, into a real registry file.
 *
 * Input: the first byte picks the encoding option (none, cp1258, UTF-16,
 * latin1); the rest is one file, or two when it holds the line
 * "--8<--" (agency list and certificate list go in together).  The
 * registry is made once per process from a base list (a province, a
 * department, a certificate); after an import that changed it, it is put
 * back from a pristine copy, so every input meets the same registry.
 * Properties: no crash or leak; the result is 0 or a clean error code
 * with a message; a refused import leaves the audit log as it was (and a
 * data error lists at least one FILE:LINE problem); after a successful
 * import the audit chain verifies. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tokendesk/import.h"
#include "tokendesk/registry.h"
#include "fuzz.h"

static char dir[256], base_db[300], work_db[300], in1[300], in2[300];
static struct td_registry *reg;
static int64_t base_rows;

static const char base_agencies[] =
	"code,name,parent_code,level\n"
	"DC,Ủy ban nhân dân tỉnh Đông Châu,,province\n"
	"DC.STC,Sở Tài chính,DC,department\n";
static const char base_certs[] =
	"cert_serial,kind,holder_name,holder_id,position,agency_code,"
	"not_before,not_after,token_serial,token_model,email\n"
	"54FF78DE,org,,,,DC,2023-09-28,2028-09-28,C09FB448,eToken,ub@dc.gov.vn\n"
	"547FA313,person,Vũ Xuân Đông,098084373134,Chủ tịch,DC,2023-11-08,"
	"2028-11-08,3792084583,TokenME,dongvx@dc.gov.vn\n";

static void write_file(const char *path, const void *data, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	FUZZ_CHECK(fd >= 0);
	FUZZ_CHECK(n == 0 || write(fd, data, n) == (ssize_t)n);
	close(fd);
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	FUZZ_CHECK(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof buf)) > 0)
		FUZZ_CHECK(write(out, buf, (size_t)n) == n);
	close(in);
	close(out);
}

static struct td_registry *open_reg(const char *path, int flags)
{
	struct td_error err;
	struct td_registry *r = td_reg_open(path, flags, &err);

	if (!r)
		fprintf(stderr, "fuzz-import: %s\n", err.message);
	FUZZ_CHECK(r != NULL);
	td_reg_set_operator(r, "fuzz");
	return r;
}

/* Leave nothing behind in /dev/shm. */
static void cleanup(void)
{
	const char *files[] = { in1, in2, base_db, work_db };
	char path[320];

	td_reg_close(reg);
	reg = NULL;
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		unlink(files[i]);
		snprintf(path, sizeof path, "%s-wal", files[i]);
		unlink(path);
		snprintf(path, sizeof path, "%s-shm", files[i]);
		unlink(path);
	}
	rmdir(dir);
}

static void fresh_registry(void)
{
	char wal[320], shm[320];
	struct td_error err;
	int64_t bad;

	td_reg_close(reg);
	snprintf(wal, sizeof wal, "%s-wal", work_db);
	snprintf(shm, sizeof shm, "%s-shm", work_db);
	unlink(wal);
	unlink(shm);
	copy_file(base_db, work_db);
	reg = open_reg(work_db, 0);
	FUZZ_CHECK(td_reg_audit_verify(reg, &base_rows, &bad, &err) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *tmp = getenv("TMPDIR");
	const char *paths[2];
	struct td_import_report rep;
	struct td_error err;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/td-fuzz-import-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp ? tmp : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	snprintf(base_db, sizeof base_db, "%s/base.db", dir);
	snprintf(work_db, sizeof work_db, "%s/work.db", dir);
	snprintf(in1, sizeof in1, "%s/a.csv", dir);
	snprintf(in2, sizeof in2, "%s/b.csv", dir);
	write_file(in1, base_agencies, sizeof base_agencies - 1);
	write_file(in2, base_certs, sizeof base_certs - 1);
	reg = open_reg(base_db, TD_REG_CREATE);
	paths[0] = in1;
	paths[1] = in2;
	if (td_import_files(reg, paths, 2, NULL, &rep, &err) != 0)
		fprintf(stderr, "fuzz-import: base list: %s\n", err.message);
	FUZZ_CHECK(rep.certificates.added == 2);
	td_import_report_free(&rep);
	td_reg_close(reg);   /* the last close checkpoints: base.db is whole */
	reg = NULL;
	fresh_registry();
	return 0;
}

static void check_refused(int rc, const struct td_import_report *rep,
                          const struct td_error *err)
{
	struct td_error verr;
	int64_t rows, bad;

	FUZZ_CHECK(rc == TD_ERR_DATA || rc == TD_ERR_USAGE || rc == TD_ERR_NOMEM);
	FUZZ_CHECK(err->message[0] != '\0');
	for (size_t i = 0; i < rep->errors.count; i++)
		FUZZ_CHECK(rep->errors.items[i].file[0] && rep->errors.items[i].line > 0 &&
		           rep->errors.items[i].message[0]);
	if (rc == TD_ERR_DATA)
		FUZZ_CHECK(rep->errors.count > 0 || (err->file[0] && err->line > 0));
	FUZZ_CHECK(td_reg_audit_verify(reg, &rows, &bad, &verr) == 0);
	FUZZ_CHECK(rows == base_rows);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const encodings[] = { NULL, "cp1258", "UTF-16", "latin1" };
	static const char cut[] = "\n--8<--\n";
	struct td_import_opts opts = { 0 };
	struct td_import_report rep;
	struct td_error err;
	const char *paths[2] = { in1, in2 };
	size_t n = 1;

	if (size < 1)
		return 0;
	opts.encoding = encodings[data[0] & 3];
	opts.max_errors = 20;
	data++;
	size--;
	const uint8_t *split = memmem(data, size, cut, sizeof cut - 1);
	if (split) {
		size_t first = (size_t)(split - data) + 1;
		write_file(in1, data, first);
		write_file(in2, split + sizeof cut - 1,
		           size - first - (sizeof cut - 2));
		n = 2;
	} else {
		write_file(in1, data, size);
	}
	int rc = td_import_files(reg, paths, n, &opts, &rep, &err);
	if (rc == 0) {
		struct td_error verr;
		int64_t rows, bad;
		FUZZ_CHECK(td_reg_audit_verify(reg, &rows, &bad, &verr) == 0);
		FUZZ_CHECK(rows >= base_rows);
		if (rows > base_rows)
			fresh_registry();
	} else {
		check_refused(rc, &rep, &err);
	}
	td_import_report_free(&rep);
	return 0;
}

/* fuzz-plan.c: a reorganization plan file (td_plan_import), then the
 * action plan it implies (td_plan_compute) and its tagging
 * (td_plan_apply), over the registry of the plan tests
 * (tests/cli/plan/agencies.csv and certificates.csv: a province with
 * departments, districts, communes and their certificates).
 * The registry is made once per process and put back from a pristine
 * copy whenever an input changed it.
 * Properties: no crash; a refused plan lists FILE:LINE problems and
 * leaves the audit log as it was; an accepted one computes without a
 * registry error, applies, and applying again changes nothing; the audit
 * chain verifies. */
#include <config.h>

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "tokendesk/import.h"
#include "tokendesk/plan.h"
#include "tokendesk/registry.h"
#include "fuzz.h"

static char dir[256], base_db[300], work_db[300], in[300];
static struct td_registry *reg;
static int64_t base_rows;

static void cleanup(void)
{
	td_reg_close(reg);
	reg = NULL;
	td_reg_remove(base_db);
	td_reg_remove(work_db);
	unlink(in);
	rmdir(dir);
}

static void copy_file(const char *from, const char *to)
{
	char buf[1 << 16];
	int i = open(from, O_RDONLY), o = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ssize_t n;

	FUZZ_CHECK(i >= 0 && o >= 0);
	while ((n = read(i, buf, sizeof buf)) > 0)
		FUZZ_CHECK(write(o, buf, (size_t)n) == n);
	close(i);
	close(o);
}

static void fresh_registry(void)
{
	struct td_error err;
	int64_t bad;

	td_reg_close(reg);
	td_reg_remove(work_db);
	copy_file(base_db, work_db);
	reg = td_reg_open(work_db, 0, &err);
	FUZZ_CHECK(reg != NULL);
	td_reg_set_operator(reg, "fuzz");
	FUZZ_CHECK(td_reg_audit_verify(reg, &base_rows, &bad, &err) == 0);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *paths[2] = { FUZZ_SRCDIR "/tests/cli/plan/agencies.csv",
	                         FUZZ_SRCDIR "/tests/cli/plan/certificates.csv" };
	struct td_import_report rep;
	struct td_error err;

	(void)argc;
	(void)argv;
	snprintf(dir, sizeof dir, "%s/td-fuzz-plan-XXXXXX",
	         access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
	FUZZ_CHECK(mkdtemp(dir) != NULL);
	atexit(cleanup);
	snprintf(base_db, sizeof base_db, "%s/base.db", dir);
	snprintf(work_db, sizeof work_db, "%s/work.db", dir);
	snprintf(in, sizeof in, "%s/plan.csv", dir);
	reg = td_reg_open(base_db, TD_REG_CREATE, &err);
	FUZZ_CHECK(reg != NULL);
	if (td_import_files(reg, paths, 2, NULL, &rep, &err) != 0)
		fprintf(stderr, "fuzz-plan: base lists: %s\n", err.message);
	FUZZ_CHECK(rep.certificates.added > 0);
	td_import_report_free(&rep);
	td_reg_close(reg);
	reg = NULL;
	fresh_registry();
	return 0;
}

static int count_action(const struct td_plan_action *a, void *ctx)
{
	FUZZ_CHECK(a->action && a->rule && a->reason);
	++*(long *)ctx;
	return 0;
}

static void accepted(void)
{
	struct td_plan_apply_report r1, r2;
	struct td_error err;
	long n = 0;
	int rc = td_plan_compute(reg, NULL, count_action, &n, NULL, &err);

	if (rc != 0)
		fprintf(stderr, "fuzz-plan: compute: %s\n", err.message);
	FUZZ_CHECK(rc == 0 || rc == TD_ERR_DATA);
	if (rc != 0)
		return;
	FUZZ_CHECK(td_plan_apply(reg, NULL, &r1, &err) == 0);
	FUZZ_CHECK(td_plan_apply(reg, NULL, &r2, &err) == 0);
	FUZZ_CHECK(r2.added == 0 && r2.changed == 0 && r2.removed == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct td_error_list errors;
	struct td_error err, verr;
	int64_t rows, bad;
	size_t nevents = 0;
	int fd = open(in, O_WRONLY | O_CREAT | O_TRUNC, 0600), rc;

	FUZZ_CHECK(fd >= 0 && (size == 0 || write(fd, data, size) == (ssize_t)size));
	close(fd);
	td_error_list_init(&errors, 20);
	rc = td_plan_import(reg, in, NULL, &errors, &nevents, &err);
	if (rc == 0) {
		accepted();
	} else {
		FUZZ_CHECK(err.message[0]);
		for (size_t i = 0; i < errors.count; i++)
			FUZZ_CHECK(errors.items[i].line > 0 && errors.items[i].message[0]);
	}
	FUZZ_CHECK(td_reg_audit_verify(reg, &rows, &bad, &verr) == 0);
	if (rc != 0)
		FUZZ_CHECK(rows == base_rows);
	if (rows != base_rows)
		fresh_registry();
	td_error_list_free(&errors);
	return 0;
}

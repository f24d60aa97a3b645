/* test-outfile.c: outputs never go through a link (outfile.h), the races
 * a shell test cannot time: a link or a device planted at the name
 * while the file is written; a library writing by name through
 * td_outfile_lib_path; the folders td_outdir makes. */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "tokendesk/outfile.h"

static char dir[256];

static char *in_dir(const char *name)
{
	static char path[2][400];
	static int turn;

	turn = !turn;
	snprintf(path[turn], sizeof path[turn], "%s/%s", dir, name);
	return path[turn];
}

static int holds(const char *path, const char *text)
{
	char buf[100] = { 0 };
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;

	if (f)
		fclose(f);
	return n == strlen(text) && memcmp(buf, text, n) == 0;
}

static int entries(void)   /* files in dir, temporaries included */
{
	char cmd[400];
	FILE *p;
	int n = -1;

	snprintf(cmd, sizeof cmd, "ls -A '%s' | wc -l", dir);
	if ((p = popen(cmd, "r"))) {
		if (fscanf(p, "%d", &n) != 1)
			n = -1;
		pclose(p);
	}
	return n;
}

/* A link planted at the name while the file is written: not replaced,
 * its target unchanged, no temporary left. */
static void planted_while_writing(void)
{
	struct td_outfile o;
	struct td_error err;
	char *victim = in_dir("victim"), *out = in_dir("out.csv");
	FILE *f = fopen(victim, "w");

	fputs("mine", f);
	fclose(f);
	CHECK(td_outfile_open(&o, out, &err) == TD_OK);
	fputs("export", o.f);
	CHECK(symlink(victim, out) == 0);
	CHECK(td_outfile_commit(&o, &err) == TD_ERR_CREATE);
	CHECK(strstr(err.message, "appeared at this name while it was written") != NULL);
	CHECK(strcmp(err.file, out) == 0);
	CHECK(holds(victim, "mine"));
	CHECK(entries() == 2);   /* victim and the link */
	unlink(out);
	/* a FIFO planted: the same */
	CHECK(td_outfile_open(&o, out, &err) == TD_OK);
	CHECK(mkfifo(out, 0600) == 0);
	CHECK(td_outfile_commit(&o, &err) == TD_ERR_CREATE);
	unlink(out);
	unlink(victim);
}

/* A library that writes by name writes the checked file, even once its
 * temporary name is taken away and a link put there. */
static void library_by_name(void)
{
	struct td_outfile o;
	struct td_error err;
	char *out = in_dir("book.xlsx");
	const char *name;
	FILE *f;

	CHECK(td_outfile_open(&o, out, &err) == TD_OK);
	CHECK((name = td_outfile_lib_path(&o, &err)) != NULL);
	CHECK(name && strncmp(name, "/proc/self/fd/", 14) == 0);
	/* another user swaps the temporary name for a link; where the file
	 * system gives an unnamed file (O_TMPFILE) there is no name to swap */
	if (o.unnamed) {
		CHECK(o.tmp_name == NULL);
	} else {
		CHECK(unlinkat(o.dir_fd, o.tmp_name, 0) == 0);
		CHECK(symlinkat(in_dir("elsewhere"), o.dir_fd, o.tmp_name) == 0);
	}
	CHECK(name && (f = fopen(name, "wb")) != NULL);
	if (name && f) {
		fputs("workbook", f);
		fclose(f);
	}
	CHECK(access(in_dir("elsewhere"), F_OK) != 0);
	if (o.tmp_name)
		unlinkat(o.dir_fd, o.tmp_name, 0);
	td_outfile_abandon(&o);
	CHECK(access(out, F_OK) != 0);
	CHECK(entries() == 0);
}

/* td_outdir: made 0700; a link, another's folder, an open one refused. */
static void folders(void)
{
	struct td_outdir d;
	struct td_outfile o;
	struct td_error err;
	struct stat st;

	CHECK(td_outdir_open(&d, in_dir("records"), &err) == TD_OK);
	CHECK(stat(in_dir("records"), &st) == 0 && (st.st_mode & 0777) == 0700);
	CHECK(td_outfile_open_in(&o, &d, "a.txt", &err) == TD_OK);
	fputs("record", o.f);
	CHECK(td_outfile_commit(&o, &err) == TD_OK);
	CHECK(holds(in_dir("records/a.txt"), "record"));
	td_outdir_close(&d);
	unlink(in_dir("records/a.txt"));
	rmdir(in_dir("records"));

	CHECK(mkdir(in_dir("target"), 0700) == 0);
	CHECK(symlink(in_dir("target"), in_dir("records")) == 0);
	CHECK(td_outdir_open(&d, in_dir("records"), &err) == TD_ERR_CREATE);
	CHECK(strstr(err.message, "is a symbolic link") != NULL);
	CHECK(d.fd == -1 && d.path == NULL);
	unlink(in_dir("records"));
	chmod(in_dir("target"), 0770);
	CHECK(td_outdir_open(&d, in_dir("target"), &err) == TD_ERR_CREATE);
	CHECK(strstr(err.message, "group or others may write in") != NULL);
	if (geteuid() == 0) {
		chmod(in_dir("target"), 0700);
		CHECK(chown(in_dir("target"), 65534, 65534) == 0);
		CHECK(td_outdir_open(&d, in_dir("target"), &err) == TD_ERR_CREATE);
		CHECK(strstr(err.message, "owned by another user") != NULL);
	}
	rmdir(in_dir("target"));
	/* a file where the folder should be */
	close(open(in_dir("plain"), O_WRONLY | O_CREAT, 0600));
	CHECK(td_outdir_open(&d, in_dir("plain"), &err) == TD_ERR_CREATE);
	CHECK(strstr(err.message, "is not a folder") != NULL);
	unlink(in_dir("plain"));
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(dir, sizeof dir, "%s/td-outfile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return 99;
	planted_while_writing();
	library_by_name();
	folders();
	CHECK(entries() == 0);
	rmdir(dir);
	return check_done("test-outfile");
}

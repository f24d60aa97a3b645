/* outfile.c: files written whole or not at all, for their owner only,
 * never through a link (outfile.h says why). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokendesk/outfile.h"
#include "tokendesk/textfile.h"

/* Marks a text the desk translates (po/POTFILES.in lists this file): the
 * why of a refusal is a fixed text, the path goes in err->file. */
#define N_(s) s

static const char why_link[] =
	N_("is a symbolic link; tokendesk does not write through links: "
	   "remove it, or name the file itself");
static const char why_dir[] = N_("is a folder; name a file in it");
static const char why_device[] =
	N_("is a device or a socket, not a regular file; name a file, "
	   "or - for standard output");
static const char why_changed[] =
	N_("a link or another kind of file appeared at this name while it "
	   "was written; nothing was put in place");
static const char why_not_dir[] = N_("is not a folder");
static const char why_foreign_dir[] =
	N_("is a folder owned by another user; tokendesk does not write in it");
static const char why_open_dir[] =
	N_("is a folder that group or others may write in; make it yours "
	   "alone with chmod 700");
static const char why_no_dir[] =
	N_("its folder does not exist (a drive not mounted, a name mistyped?)");
static const char why_denied[] = N_("permission denied");
static const char why_full[] = N_("the disk is full; nothing was put in place");

/* A refusal of path: TD_ERR_CREATE, why from errno unless given. */
static int refuse(struct td_error *err, const char *path, const char *why)
{
	if (!why)
		why = errno == ENOENT ? why_no_dir : errno == EACCES ||
		      errno == EPERM ? why_denied : errno == ENOSPC ||
		      errno == EDQUOT ? why_full : strerror(errno);
	/* why is marked N_ (or the system's own words): said in the
	 * operator's language here, where it is used */
	return td_error_set_at(err, TD_ERR_CREATE, path, 0, NULL, "%s",
	                       td_error_translate(why));
}

static void release(struct td_outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	if (o->dir_fd >= 0)
		close(o->dir_fd);
	if (o->lib_fd >= 0)
		close(o->lib_fd);
	free(o->path);
	free(o->name);
	free(o->tmp_name);
	memset(o, 0, sizeof *o);
	o->dir_fd = o->lib_fd = -1;
}

static int start(struct td_outfile *o, const char *path, struct td_error *err)
{
	memset(o, 0, sizeof *o);
	o->dir_fd = o->lib_fd = -1;
	if (!(o->path = strdup(path)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	return TD_OK;
}

/* 1 when the regular file name in dir_fd is an SQLite database: the
 * registry or a field kit, which `export -o reg.db` (a slip of the
 * fingers) would have replaced.  Opened without following a link or
 * waiting on a FIFO swapped in. */
static int is_database(int dir_fd, const char *name)
{
	char head[16];
	struct stat st;
	int fd = openat(dir_fd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	int yes = 0;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		ssize_t got = read(fd, head, sizeof head);
		yes = got > 0 && td_sqlite_header(head, (size_t)got);
	}
	close(fd);
	return yes;
}

/* What st says of a destination: NULL when it may be written. */
static const char *refusal(const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return why_link;
	if (S_ISDIR(st->st_mode))
		return why_dir;
	if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode))
		return why_device;
	return NULL;
}

/* A FIFO named on purpose: written as it comes.  O_NOFOLLOW and the
 * fstat make sure it is still the FIFO that was looked at. */
static int open_fifo(struct td_outfile *o, struct td_error *err)
{
	struct stat st;
	int fd = openat(o->dir_fd, o->name, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return refuse(err, o->path, errno == ELOOP ? why_link : NULL);
	if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode)) {
		close(fd);
		return refuse(err, o->path, why_changed);
	}
	o->in_place = 1;
	if (!(o->f = fdopen(fd, "w"))) {
		close(fd);
		return refuse(err, o->path, NULL);
	}
	return TD_OK;
}

/* A fresh NAME.XXXXXX in dir_fd, made by make(dir_fd, name, ctx), which
 * returns >= 0 or -1 with errno; EEXIST (a name planted in advance, a
 * link included) makes another try.  Sets o->tmp_name. */
static int fresh_name(struct td_outfile *o, int (*make)(int, const char *, void *),
                      void *ctx)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(o->name) + 8;
	unsigned char rnd[6];
	int rc = -1;

	if (!(o->tmp_name = malloc(n)))
		return -1;
	for (int tries = 0; rc < 0 && tries < 100; tries++) {
		if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
			break;
		snprintf(o->tmp_name, n, "%s.%c%c%c%c%c%c", o->name,
		         letters[rnd[0] % 36], letters[rnd[1] % 36], letters[rnd[2] % 36],
		         letters[rnd[3] % 36], letters[rnd[4] % 36], letters[rnd[5] % 36]);
		rc = make(o->dir_fd, o->tmp_name, ctx);
		if (rc < 0 && errno != EEXIST)
			break;
	}
	if (rc < 0) {
		int saved = errno;
		free(o->tmp_name);
		o->tmp_name = NULL;
		errno = saved;
	}
	return rc;
}

static int create_excl(int dir_fd, const char *name, void *ctx)
{
	(void)ctx;
	return openat(dir_fd, name, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
	              O_CLOEXEC, 0600);
}

/* The temporary file: one with no name (O_TMPFILE), so that a kill before
 * the commit leaves nothing; where the file system has none (vfat), a
 * named one created here and now. */
static int make_temporary(struct td_outfile *o, struct td_error *err)
{
	int fd = openat(o->dir_fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		o->unnamed = 1;
	else if ((fd = fresh_name(o, create_excl, NULL)) < 0)
		return refuse(err, o->path, NULL);
	/* 0600 whatever the umask (O_CREAT's mode is masked by it) */
	if (fchmod(fd, 0600) != 0 || !(o->f = fdopen(fd, "w"))) {
		close(fd);
		return refuse(err, o->path, NULL);
	}
	return TD_OK;
}

/* The common part: name in o->dir_fd, both set. */
static int open_in_dir(struct td_outfile *o, struct td_error *err)
{
	struct stat st;
	const char *why;
	int rc;

	if (fstatat(o->dir_fd, o->name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if ((why = refusal(&st)))
			rc = refuse(err, o->path, why);
		else if (S_ISFIFO(st.st_mode))
			rc = open_fifo(o, err);
		else if (is_database(o->dir_fd, o->name))
			rc = td_error_set(err, TD_ERR_USAGE, "%s is a tokendesk registry "
			                  "or field kit; not replaced: write to another "
			                  "file", o->path);
		else
			rc = make_temporary(o, err);
	} else if (errno == ENOENT) {
		rc = make_temporary(o, err);
	} else {
		rc = refuse(err, o->path, NULL);
	}
	if (rc < 0)
		td_outfile_abandon(o);
	return rc;
}

static int open_stdout(struct td_outfile *o)
{
	o->f = stdout;
	o->in_place = 1;
	return TD_OK;
}

int td_outfile_open(struct td_outfile *o, const char *path, struct td_error *err)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int rc;

	if ((rc = start(o, path, err)) < 0)
		return rc;
	if (strcmp(path, "-") == 0)
		return open_stdout(o);
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		rc = refuse(err, path, why_dir);   /* "x/", ".": a folder */
		td_outfile_abandon(o);
		return rc;
	}
	td_path_dir(path, dir, sizeof dir);
	if (!(o->name = strdup(base))) {
		td_outfile_abandon(o);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	if ((o->dir_fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = refuse(err, path, errno == ENOTDIR ? why_no_dir : NULL);
		td_outfile_abandon(o);
		return rc;
	}
	return open_in_dir(o, err);
}

int td_outfile_open_in(struct td_outfile *o, const struct td_outdir *dir,
                       const char *name, struct td_error *err)
{
	size_t n;
	int rc;

	if (!dir)
		return td_outfile_open(o, name, err);
	n = strlen(dir->path) + strlen(name) + 2;
	if ((rc = start(o, "", err)) < 0)
		return rc;
	free(o->path);
	o->path = malloc(n);
	o->name = strdup(name);
	if (o->path)
		snprintf(o->path, n, "%s/%s", dir->path, name);
	if (!o->path || !o->name ||
	    (o->dir_fd = fcntl(dir->fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		rc = o->path && o->name ? refuse(err, dir->path, NULL)
		                        : td_error_set(err, TD_ERR_NOMEM, "out of memory");
		td_outfile_abandon(o);
		return rc;
	}
	return open_in_dir(o, err);
}

const char *td_outfile_lib_path(struct td_outfile *o, struct td_error *err)
{
	int fd = o->in_place ? o->lib_fd : fileno(o->f);

	if (o->in_place && fd < 0 &&
	    (fd = o->lib_fd = memfd_create("tokendesk-output", MFD_CLOEXEC)) < 0) {
		refuse(err, o->path, NULL);
		return NULL;
	}
	snprintf(o->lib_path, sizeof o->lib_path, "/proc/self/fd/%d", fd);
	if (access(o->lib_path, W_OK) != 0) {
		td_error_set_at(err, TD_ERR_CREATE, o->path, 0, NULL, "cannot be "
		                "written by name: /proc is not mounted");
		return NULL;
	}
	return o->lib_path;
}

/* In place, what a library wrote into the memory file goes out now. */
static int copy_out(struct td_outfile *o)
{
	char buf[65536];
	ssize_t r;

	if (o->lib_fd < 0)
		return 0;
	if (lseek(o->lib_fd, 0, SEEK_SET) != 0)
		return -1;
	while ((r = read(o->lib_fd, buf, sizeof buf)) > 0)
		if (fwrite(buf, 1, (size_t)r, o->f) != (size_t)r)
			return -1;
	return r < 0 ? -1 : 0;
}

static int commit_in_place(struct td_outfile *o, struct td_error *err)
{
	int e = 0;

	if (copy_out(o) != 0 || fflush(o->f) != 0 || ferror(o->f))
		e = errno ? errno : EIO;
	if (o->f != stdout && fclose(o->f) != 0 && !e)
		e = errno;
	o->f = NULL;
	if (e) {
		errno = e;
		return td_error_set_at(err, TD_ERR_IO, o->path, 0, NULL, "writing: %s",
		                       strerror(e));
	}
	return TD_OK;
}

static int link_proc(int dir_fd, const char *name, void *proc_path)
{
	return linkat(AT_FDCWD, proc_path, dir_fd, name, AT_SYMLINK_FOLLOW);
}

/* Give the unnamed file its name while its descriptor is open: linked
 * straight there when nothing is at the name (linkat never follows a
 * link, and no other name ever exists), else under a fresh NAME.XXXXXX
 * that the commit then renames over the older file. */
static int link_unnamed(struct td_outfile *o)
{
	char proc_path[40];

	snprintf(proc_path, sizeof proc_path, "/proc/self/fd/%d", fileno(o->f));
	if (link_proc(o->dir_fd, o->name, proc_path) == 0)
		return 1;
	if (errno != EEXIST)
		return -1;
	return fresh_name(o, link_proc, proc_path) < 0 ? -1 : 0;
}

/* The last look before the rename: renameat replaces a link itself, not
 * what it points to, but a link or a device planted at the name while
 * the file was written says someone is at work there. */
static int still_ours(struct td_outfile *o)
{
	struct stat st;

	if (fstatat(o->dir_fd, o->name, &st, AT_SYMLINK_NOFOLLOW) != 0)
		return errno == ENOENT;
	return S_ISREG(st.st_mode);
}

int td_outfile_commit(struct td_outfile *o, struct td_error *err)
{
	int e = 0, rc, linked = 0;

	/* errno as the failed write left it, when ferror() is what tells */
	if (o->in_place) {
		rc = commit_in_place(o, err);
		release(o);
		return rc;
	}
	if (fflush(o->f) != 0 || ferror(o->f))
		e = errno ? errno : EIO;
	/* a library may have made the file anew through lib_path */
	if (!e && (fchmod(fileno(o->f), 0600) != 0 || fsync(fileno(o->f)) != 0))
		e = errno;
	if (!e && o->unnamed && (linked = link_unnamed(o)) < 0)
		e = errno;
	if (fclose(o->f) != 0 && !e)
		e = errno;
	o->f = NULL;
	if (linked == 1) {
		fsync(o->dir_fd);
		rc = TD_OK;
	} else if (e) {
		errno = e;
		rc = e == ENOSPC || e == EDQUOT ? refuse(err, o->path, why_full)
		     : td_error_set_at(err, TD_ERR_IO, o->path, 0, NULL, "writing: %s",
		                       strerror(e));
	} else if (!still_ours(o)) {
		rc = refuse(err, o->path, why_changed);
	} else if (renameat(o->dir_fd, o->tmp_name, o->dir_fd, o->name) != 0) {
		rc = refuse(err, o->path, NULL);
	} else {
		/* the rename itself reaches the disk only with its directory */
		fsync(o->dir_fd);
		free(o->tmp_name);
		o->tmp_name = NULL;
		rc = TD_OK;
	}
	td_outfile_abandon(o);
	return rc;
}

void td_outfile_abandon(struct td_outfile *o)
{
	int saved = errno;

	if (o->f && o->f != stdout)
		fclose(o->f);
	o->f = NULL;
	if (o->tmp_name && o->dir_fd >= 0)
		unlinkat(o->dir_fd, o->tmp_name, 0);
	release(o);
	errno = saved;
}

int td_outfile_check(const char *path, struct td_error *err)
{
	struct stat st;
	const char *why;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? TD_OK : refuse(err, path, NULL);
	return (why = refusal(&st)) ? refuse(err, path, why) : TD_OK;
}

/* ---- directories ----------------------------------------------------------- */

static int check_dir(int fd, const char *path, struct td_error *err)
{
	struct stat st;

	if (fstat(fd, &st) != 0)
		return refuse(err, path, NULL);
	if (!S_ISDIR(st.st_mode))
		return refuse(err, path, why_not_dir);
	if (st.st_uid != geteuid())
		return refuse(err, path, why_foreign_dir);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return refuse(err, path, why_open_dir);
	return TD_OK;
}

/* Why the directory base in pfd could not be opened: a link there is
 * named as such (O_NOFOLLOW says ELOOP, or ENOTDIR with O_DIRECTORY). */
static const char *why_unopened(int pfd, const char *base)
{
	struct stat st;
	int saved = errno;

	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return S_ISLNK(st.st_mode) ? why_link
		       : !S_ISDIR(st.st_mode) ? why_not_dir : NULL;
	errno = saved;
	return NULL;
}

int td_outdir_open(struct td_outdir *d, const char *path, struct td_error *err)
{
	char parent[PATH_MAX], *base;
	size_t n = strlen(path);
	int pfd, rc;

	d->fd = -1;
	while (n > 1 && path[n - 1] == '/')   /* "out/" names "out" */
		n--;
	if (!(d->path = strndup(path, n)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	base = strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path;
	td_path_dir(d->path, parent, sizeof parent);
	if ((pfd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		rc = refuse(err, d->path, errno == ENOTDIR ? why_no_dir : NULL);
		td_outdir_close(d);
		return rc;
	}
	/* mkdirat makes a directory, never follows a link already there */
	if (mkdirat(pfd, base, 0700) != 0 && errno != EEXIST)
		rc = refuse(err, d->path, NULL);
	else if ((d->fd = openat(pfd, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	                         O_CLOEXEC)) < 0)
		rc = refuse(err, d->path, why_unopened(pfd, base));
	else
		rc = check_dir(d->fd, d->path, err);
	close(pfd);
	if (rc < 0)
		td_outdir_close(d);
	return rc;
}

void td_outdir_close(struct td_outdir *d)
{
	if (d->fd >= 0)
		close(d->fd);
	free(d->path);
	d->fd = -1;
	d->path = NULL;
}

void td_path_dir(const char *path, char *dir, size_t size)
{
	char *slash;

	snprintf(dir, size, "%s", path);
	if (!(slash = strrchr(dir, '/')))
		snprintf(dir, size, ".");
	else
		slash[slash == dir] = '\0';   /* "/x" -> "/", "a/x" -> "a" */
}

/* outfile.c: files written whole or not at all, for their owner only. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokendesk/outfile.h"
#include "tokendesk/textfile.h"

static void release(struct td_outfile *o)
{
	if (o->f)
		fclose(o->f);
	if (o->write_path != o->path)
		free(o->write_path);
	free(o->path);
	o->f = NULL;
	o->path = o->write_path = NULL;
}

static int fail(struct td_outfile *o, struct td_error *err, const char *what,
                const char *path)
{
	int rc = td_error_set(err, TD_ERR_IO, "%s %s: %s", what, path, strerror(errno));

	td_outfile_abandon(o);
	return rc;
}

/* The file a symlink leads to, so that the rename replaces the file the
 * operator pointed at, not the link.  Else path itself. */
static char *destination(const char *path)
{
	struct stat st;
	char *real;

	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode) &&
	    (real = realpath(path, NULL)))
		return real;
	return strdup(path);
}

/* 1 when path is an SQLite database: the registry or a field kit, which
 * `export -o reg.db` (a slip of the fingers) would have replaced. */
static int is_database(const char *path)
{
	char head[16];
	FILE *f = fopen(path, "rb");
	int yes = f && td_sqlite_header(head, fread(head, 1, sizeof head, f));

	if (f)
		fclose(f);
	return yes;
}

static int open_in_place(struct td_outfile *o, struct td_error *err)
{
	int fd = open(o->path, O_WRONLY | O_CLOEXEC);

	o->write_path = o->path;
	o->in_place = 1;
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		return fail(o, err, "cannot write", o->path);
	}
	return TD_OK;
}

/* A file with no name in the destination's directory (O_TMPFILE): a
 * kill before the commit leaves nothing.  Libraries that open by name
 * reach it as /proc/self/fd/N.  -1 where the file system (vfat, an old
 * kernel) or a missing /proc does not allow it: a named one is used. */
static int open_unnamed(struct td_outfile *o)
{
	char dir[PATH_MAX];
	int fd;

	td_path_dir(o->path, dir, sizeof dir);
	if ((fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (!(o->write_path = malloc(32)) || !(o->f = fdopen(fd, "w"))) {
		free(o->write_path);
		o->write_path = NULL;
		close(fd);
		return -1;
	}
	snprintf(o->write_path, 32, "/proc/self/fd/%d", fd);
	if (access(o->write_path, W_OK) != 0) {
		fclose(o->f);
		o->f = NULL;
		free(o->write_path);
		o->write_path = NULL;
		return -1;
	}
	o->unnamed = 1;
	return TD_OK;
}

/* Give the unnamed file o->path: linked straight there when nothing is
 * in the way (no name ever exists but the final one), else linked to a
 * fresh DEST.XXXXXX and renamed over the older file. */
static int link_unnamed(struct td_outfile *o)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	size_t n = strlen(o->path) + 8;
	char *tmp;
	int rc = -1;

	if (linkat(AT_FDCWD, o->write_path, AT_FDCWD, o->path, AT_SYMLINK_FOLLOW) == 0)
		return 0;
	if (errno != EEXIST || !(tmp = malloc(n)))
		return -1;
	for (int tries = 0; rc < 0 && tries < 100; tries++) {
		unsigned char r[6];
		if (getentropy(r, sizeof r) != 0)
			break;
		snprintf(tmp, n, "%s.", o->path);
		for (int i = 0; i < 6; i++)
			tmp[n - 8 + 1 + i] = letters[r[i] % (sizeof letters - 1)];
		tmp[n - 1] = '\0';
		if (linkat(AT_FDCWD, o->write_path, AT_FDCWD, tmp, AT_SYMLINK_FOLLOW) == 0)
			rc = 0;
		else if (errno != EEXIST)
			break;
	}
	if (rc == 0 && rename(tmp, o->path) != 0) {
		int saved = errno;
		unlink(tmp);
		errno = saved;
		rc = -1;
	}
	free(tmp);
	return rc;
}

int td_outfile_open(struct td_outfile *o, const char *path, struct td_error *err)
{
	struct stat st;
	size_t n;
	int fd, exists;

	memset(o, 0, sizeof *o);
	if (!(o->path = destination(path)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	exists = stat(o->path, &st) == 0;
	if (exists && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return fail(o, err, "cannot write", path);
	}
	if (exists && !S_ISREG(st.st_mode))
		return open_in_place(o, err);
	if (is_database(o->path)) {
		td_outfile_abandon(o);
		return td_error_set(err, TD_ERR_USAGE, "%s is a tokendesk registry or "
		                    "field kit; not replaced: write to another file", path);
	}
	if (open_unnamed(o) == TD_OK)
		return TD_OK;
	n = strlen(o->path) + 8;
	if (!(o->write_path = malloc(n))) {
		td_outfile_abandon(o);
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	}
	snprintf(o->write_path, n, "%s.XXXXXX", o->path);
	/* mkostemp makes it 0600, whatever the umask. */
	if ((fd = mkostemp(o->write_path, O_CLOEXEC)) < 0) {
		int saved = errno;
		free(o->write_path);
		o->write_path = NULL;
		errno = saved;
		return fail(o, err, "cannot create", path);
	}
	if (!(o->f = fdopen(fd, "w"))) {
		close(fd);
		return fail(o, err, "cannot create", path);
	}
	return TD_OK;
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

/* The rename itself reaches the disk only with its directory. */
static void sync_directory(const char *path)
{
	char dir[PATH_MAX];
	int fd;

	td_path_dir(path, dir, sizeof dir);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		fsync(fd);
		close(fd);
	}
}

int td_outfile_commit(struct td_outfile *o, struct td_error *err)
{
	FILE *f = o->f;
	int e = 0;

	if (fflush(f) != 0 || ferror(f))
		e = errno ? errno : EIO;
	/* A FIFO or terminal cannot be synced, and need not be. */
	if (!e && !o->in_place && fsync(fileno(f)) != 0)
		e = errno;
	/* An unnamed file is linked while its descriptor is open. */
	if (!e && o->unnamed && link_unnamed(o) != 0)
		e = errno;
	o->f = NULL;
	if (fclose(f) != 0 && !e)
		e = errno;
	if (e) {
		errno = e;
		return fail(o, err, o->unnamed ? "cannot write" : "writing", o->path);
	}
	if (!o->in_place && !o->unnamed) {
		/* The mode libraries that rewrite the file by name may leave. */
		if (chmod(o->write_path, 0600) != 0 ||
		    rename(o->write_path, o->path) != 0)
			return fail(o, err, "cannot write", o->path);
	}
	if (!o->in_place)
		sync_directory(o->path);
	release(o);
	return TD_OK;
}

void td_outfile_abandon(struct td_outfile *o)
{
	int saved = errno;

	if (o->f)
		fclose(o->f);
	o->f = NULL;
	if (o->write_path && !o->in_place && !o->unnamed)
		unlink(o->write_path);
	release(o);
	errno = saved;
}

/* tokendesk/outfile.h: the files tokendesk writes for people to carry off
 * (exports, lists, count reports, handover records, the desk's records
 * folder).  This is the one way tokendesk opens a file to write.
 *
 * They name officials, so they are the owner's alone: mode 0600 whatever
 * the umask, and whatever the mode of an older file they replace.  And
 * they are written whole or not at all: into a temporary file beside
 * the destination, put in its place once written and synced.  A full
 * disk or a kill midway leaves the older file as it was (or none), never
 * half a list that could be sent up the chain as if it were whole.  The
 * temporary file has no name (O_TMPFILE) where the file system allows,
 * so a kill leaves nothing behind either; elsewhere (vfat sticks) it is
 * NAME.XXXXXX, created with O_EXCL and never through a link.
 *
 * Links are never followed.  Another user able to write where an output
 * goes (a shared folder, /tmp) could plant a symbolic link there to a
 * file of the operator's, or of root's, and have tokendesk write over
 * it; or a device node.  So a symbolic link, a directory, a device or a
 * socket at the destination is refused (TD_ERR_CREATE: the message is
 * why, err->file the path), and so is one that appears there while the
 * file is written.  Two destinations are written in place, as named on
 * purpose: "-" (standard output) and a FIFO.  An SQLite database (the
 * registry, a field kit) is never replaced (TD_ERR_USAGE).
 *
 * The directory part of a path the operator names is followed as the
 * system does; only the file's own name is not.  A directory tokendesk
 * makes for its own files (the desk's records folder, a CSV lists
 * folder) is a struct td_outdir: made and opened without following a
 * link, and refused unless the user owns it and no one else may write
 * in it. */
#ifndef TOKENDESK_OUTFILE_H
#define TOKENDESK_OUTFILE_H

#include <stdio.h>

#include "tokendesk/error.h"

struct td_outfile {
	char *path;        /* the destination as named, for messages */
	char *name;        /* its last component, in dir_fd */
	char *tmp_name;    /* the named temporary file in dir_fd, or NULL */
	int unnamed;       /* 1: an O_TMPFILE file, linked in at commit */
	int dir_fd;        /* the directory it goes into, or -1 */
	FILE *f;           /* open for writing: the temporary file, or in
	                    * place the FIFO or standard output */
	int in_place;      /* 1: "-" or a FIFO, written as it comes */
	int lib_fd;        /* in place: memory file behind lib_path, or -1 */
	char lib_path[40]; /* see td_outfile_lib_path */
};

/* A directory tokendesk makes for its files and opens by descriptor. */
struct td_outdir {
	int fd;            /* open on the directory (O_DIRECTORY), or -1 */
	char *path;        /* as named, for messages */
};

/* Start writing path ("-": standard output).  Fills o; returns TD_OK,
 * or TD_ERR_CREATE with err naming path and why (a link, a directory, a
 * device, a directory missing...), TD_ERR_USAGE when path is a
 * database.  Write through o->f, or give a library that opens files by
 * name td_outfile_lib_path(o).  A FIFO is opened at once (this waits for
 * its reader). */
int td_outfile_open(struct td_outfile *o, const char *path, struct td_error *err);

/* The same for name (one path component) in dir, opened by
 * td_outdir_open; with dir NULL, td_outfile_open(o, name, err). */
int td_outfile_open_in(struct td_outfile *o, const struct td_outdir *dir,
                       const char *name, struct td_error *err);

/* A name by which a library (libxlsxwriter) can open, truncate and
 * write the very file o is writing ("/proc/self/fd/N"), whatever
 * happens meanwhile to the names in its directory; in place, a memory
 * file copied out at commit (such a library seeks, which a pipe cannot).
 * Write either through this or through o->f, not both.  NULL with err
 * filled when none can be made.  Owned by o. */
const char *td_outfile_lib_path(struct td_outfile *o, struct td_error *err);

/* Finish: flush, sync, and put the file in place, after a last look that
 * nothing (a link, a device) was planted at its name meanwhile.  On
 * failure (a write that failed earlier counts) nothing is put in place
 * and err says why.  Either way o is released. */
int td_outfile_commit(struct td_outfile *o, struct td_error *err);

/* Give up: the temporary file is removed, the destination untouched
 * (what went to a FIFO or standard output is gone).  Releases o;
 * allowed on an o whose open failed. */
void td_outfile_abandon(struct td_outfile *o);

/* A look before the work, for a file made by other means (a field kit,
 * which SQLite writes) or made after a commit (a handover's --pdf):
 * TD_ERR_CREATE, as td_outfile_open would say, when a link, a folder, a
 * device or a socket is at path; TD_OK when nothing, a regular file or
 * a FIFO is (the caller says whether one may be replaced). */
int td_outfile_check(const char *path, struct td_error *err);

/* Open the directory path, made (0700) if missing: a symbolic link
 * there is refused, not followed, and so is a directory another user
 * owns or one group or others may write in (the fix named), all
 * TD_ERR_CREATE with err naming path.  Its parent is followed as
 * named.  Release with td_outdir_close. */
int td_outdir_open(struct td_outdir *d, const char *path, struct td_error *err);
void td_outdir_close(struct td_outdir *d);

/* The directory holding path, into dir: "." for a bare name, "/" for
 * "/x", "a" for "a/x".  For the checks and syncs a rename or a journal
 * needs of the directory a file lives in. */
void td_path_dir(const char *path, char *dir, size_t size);

#endif

/* tokendesk/outfile.h: the files tokendesk writes for people to carry off
 * (exports, lists, count reports, handover records).
 *
 * They name officials, so they are the owner's alone: mode 0600 whatever
 * the umask, and whatever the mode of an older file they replace.  And
 * they are written whole or not at all: into a temporary file beside
 * the destination, put in its place once written and synced.  A full
 * disk or a kill midway leaves the older file as it was (or none), never
 * half a list that could be sent up the chain as if it were whole.  The
 * temporary file has no name (O_TMPFILE) where the file system allows,
 * so a kill leaves nothing behind either; elsewhere (vfat sticks) it is
 * DEST.XXXXXX until the rename.
 *
 * A destination that cannot be replaced (a FIFO, /dev/stdout, a
 * terminal) is written in place; a symlink is followed to its file.  An
 * SQLite database (the registry, a field kit) is never replaced. */
#ifndef TOKENDESK_OUTFILE_H
#define TOKENDESK_OUTFILE_H

#include <stdio.h>

#include "tokendesk/error.h"

struct td_outfile {
	char *path;        /* the destination (a symlink resolved) */
	char *write_path;  /* the file being written: temporary, or path */
	FILE *f;           /* open on write_path, for writing */
	int in_place;      /* 1: path is not a regular file, written as is */
	int unnamed;       /* 1: an O_TMPFILE file (write_path names it
	                      through /proc/self/fd), linked in at commit */
};

/* Start writing path.  Fills o; returns TD_OK, or TD_ERR_IO with err
 * saying why (the message names path), TD_ERR_USAGE when path is a
 * database.  Write through o->f, or hand
 * o->write_path to a library that opens files by name. */
int td_outfile_open(struct td_outfile *o, const char *path, struct td_error *err);

/* Finish: flush, sync, and put the file in place.  On failure (a write
 * that failed earlier counts) nothing is put in place and err says why.
 * Either way o is released. */
int td_outfile_commit(struct td_outfile *o, struct td_error *err);

/* Give up: the temporary file is removed, the destination untouched.
 * Releases o; allowed on an o whose open failed. */
void td_outfile_abandon(struct td_outfile *o);

/* The directory holding path, into dir: "." for a bare name, "/" for
 * "/x", "a" for "a/x".  For the checks and syncs a rename or a journal
 * needs of the directory a file lives in. */
void td_path_dir(const char *path, char *dir, size_t size);

#endif

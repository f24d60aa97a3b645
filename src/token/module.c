/* module.c: which PKCS#11 modules may be loaded, loading them through
 * libp11, and keeping their slot lists current.
 *
 * Loading a module runs its code (C_Initialize) with our privileges, so a
 * module is opened once, the opened file is checked (owner, mode, where
 * it really is against the allowlist) before anything is dlopen()ed, and
 * every load and reload goes through that same descriptor. */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokendesk/text.h"
#include "internal.h"
#include "remote.h"

/* Where the system keeps PKCS#11 modules (matched against realpath). */
static const char *const system_patterns[] = {
	"/usr/lib/*/pkcs11/*", "/usr/lib/pkcs11/*", "/usr/lib64/pkcs11/*",
	"/usr/lib/*/p11-kit-proxy.so", "/usr/lib/p11-kit-proxy.so",
	"/usr/lib64/p11-kit-proxy.so",
	"/usr/lib/*/softhsm/libsofthsm2.so", "/usr/lib/softhsm/libsofthsm2.so",
	"/usr/lib64/softhsm/libsofthsm2.so", "/usr/local/lib/softhsm/libsofthsm2.so",
};

/* Where p11-kit reads the system's module registrations (not the user's
 * ~/.config/pkcs11: a user-writable file must not widen the allowlist). */
static const char *const p11kit_dirs[] = {
	"/usr/share/p11-kit/modules", "/etc/pkcs11/modules",
};

static int same_file(const char *real, const char *candidate)
{
	char buf[PATH_MAX];

	return realpath(candidate, buf) && strcmp(buf, real) == 0;
}

/* Compare realpaths, not names: p11-kit-proxy.so is a symlink to
 * libp11-kit.so.0, and a symlink placed in a system directory by root is
 * as trusted as the directory.  Any other path resolving to a file found
 * there is that same system file. */
static int match_patterns(const char *real)
{
	int hit = 0;

	for (size_t i = 0; !hit && i < sizeof system_patterns / sizeof *system_patterns; i++) {
		glob_t g;
		if (glob(system_patterns[i], 0, NULL, &g) == 0)
			for (size_t j = 0; !hit && j < g.gl_pathc; j++)
				hit = same_file(real, g.gl_pathv[j]);
		globfree(&g);
	}
	return hit;
}

/* "module: PATH" of one p11-kit .module file matches real? */
static int module_file_names(const char *file, const char *real)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	int hit = 0;

	if (!f)
		return 0;
	while (!hit && fgets(line, sizeof line, f)) {
		char *v;
		if (strncmp(line, "module:", 7) != 0)
			continue;
		v = td_trim(line + 7);
		hit = v[0] == '/' && same_file(real, v);
	}
	fclose(f);
	return hit;
}

static int p11kit_registered(const char *real)
{
	for (size_t i = 0; i < sizeof p11kit_dirs / sizeof *p11kit_dirs; i++) {
		DIR *d = opendir(p11kit_dirs[i]);
		struct dirent *de;
		int hit = 0;
		if (!d)
			continue;
		while (!hit && (de = readdir(d))) {
			char file[PATH_MAX];
			size_t n = strlen(de->d_name);
			if (n < 8 || strcmp(de->d_name + n - 7, ".module") != 0)
				continue;
			snprintf(file, sizeof file, "%s/%s", p11kit_dirs[i], de->d_name);
			hit = module_file_names(file, real);
		}
		closedir(d);
		if (hit)
			return 1;
	}
	return 0;
}

/* Owned by root or by us, and writable by nobody else: what another
 * user could write or replace must not decide what code we run. */
static int safe_owner(const struct stat *st)
{
	return (st->st_uid == 0 || st->st_uid == geteuid()) &&
	       !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The directory an allow-module entry allows modules in (the entry
 * "DIR/", or the directory of the entry's file) must be safe: one that
 * others may write into would let them put a file of their choosing
 * there (a rename, a hard link) under the allowed name.  1 when it is,
 * else TD_ERR_PERM. */
static int entry_dir_safe(const char *entry, const char *dir, struct td_error *err)
{
	struct stat st;

	if (stat(dir, &st) != 0)
		return td_error_set(err, TD_ERR_PERM, "allow-module %s: %s: %s", entry,
		                    dir, strerror(errno));
	if (safe_owner(&st))
		return 1;
	return td_error_set(err, TD_ERR_PERM,
	                    "allow-module %s: %s is %s: refused, because what it "
	                    "allows runs with your rights (chown it to root or "
	                    "to you, chmod go-w)", entry, dir,
	                    st.st_mode & (S_IWGRP | S_IWOTH)
	                    ? "writable by group or others" : "owned by another user");
}

/* An extra entry: a file (same realpath) or a directory "DIR/" whose
 * direct children are allowed.  1 when it allows real, 0 when not, or
 * TD_ERR_PERM when it would but is itself unsafe. */
static int extra_allows(const char *entry, const char *real, struct td_error *err)
{
	size_t n = strlen(entry);
	char dir[PATH_MAX];
	const char *slash = strrchr(real, '/');
	size_t dirlen;

	if (n == 0 || !slash)
		return 0;
	dirlen = slash > real ? (size_t)(slash - real) : 1;   /* "/x.so": "/" */
	if (entry[n - 1] != '/') {
		if (!same_file(real, entry))
			return 0;
		snprintf(dir, sizeof dir, "%.*s", (int)dirlen, real);
		return entry_dir_safe(entry, dir, err);
	}
	if (!realpath(entry, dir) || strlen(dir) != dirlen ||
	    strncmp(dir, real, dirlen) != 0)
		return 0;
	return entry_dir_safe(entry, dir, err);
}

/* 1 when real is allowed, 0 when not, or a negative td_code. */
static int allowed_real(const char *real, const char *const *allow, size_t nallow,
                        struct td_error *err)
{
	if (match_patterns(real) || p11kit_registered(real))
		return 1;
	if (TD_SOFTHSM2_MODULE[0] && same_file(real, TD_SOFTHSM2_MODULE))
		return 1;
	for (size_t i = 0; i < nallow; i++) {
		int hit = extra_allows(allow[i], real, err);
		if (hit != 0)
			return hit;
	}
	return 0;
}

/* The path of the file fd holds, as the kernel knows it: what the
 * allowlist is matched against, so the file matched is the file opened. */
static int fd_path(int fd, char *real, size_t size)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, real, size - 1);
	if (n < 0 || (size_t)n >= size - 1)
		return -1;
	real[n] = '\0';
	return 0;
}

/* The checks, made on the file fd holds (never on the path again). */
static int check_opened(int fd, const char *path, const char *const *allow,
                        size_t nallow, struct td_error *err)
{
	char real[PATH_MAX];
	struct stat st;
	int rc;

	if (fstat(fd, &st) != 0)
		return td_error_set(err, TD_ERR_IO, "PKCS#11 module %s: %s", path,
		                    strerror(errno));
	if (!S_ISREG(st.st_mode))
		return td_error_set(err, TD_ERR_PERM,
		                    "PKCS#11 module %s is not a regular file", path);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return td_error_set(err, TD_ERR_PERM,
		                    "PKCS#11 module %s is writable by others: refused "
		                    "(loading a module runs its code)", path);
	if (!safe_owner(&st))
		return td_error_set(err, TD_ERR_PERM,
		                    "PKCS#11 module %s is owned by another user (uid "
		                    "%lu): refused (loading a module runs its code; "
		                    "a module must be root's or yours)", path,
		                    (unsigned long)st.st_uid);
	if (fd_path(fd, real, sizeof real) != 0)
		return td_error_set(err, TD_ERR_IO,
		                    "PKCS#11 module %s: cannot read /proc/self/fd (%s); "
		                    "modules are checked and loaded through it: is "
		                    "/proc mounted?", path, strerror(errno));
	if ((rc = allowed_real(real, allow, nallow, err)) < 0)
		return rc;
	if (rc == 0)
		return td_error_set(err, TD_ERR_PERM,
		                    "PKCS#11 module %s (%s) is outside the allowlist: "
		                    "refused, because loading a module runs its code. "
		                    "Allowed: modules registered with p11-kit, "
		                    "/usr/lib/*/pkcs11/, SoftHSM2; add a path with "
		                    "allow-module in the config file", path, real);
	return 0;
}

/* Open the module once and check what was opened: its owner, its mode,
 * and where it really is against the allowlist.  *fd_out then holds
 * that file for every load (dlopen of /proc/PID/fd/N), so a path
 * swapped after the check (a symlink re-pointed during `scan --watch`)
 * never gets another file loaded (see fd_load_path).  A bare name is refused: dlopen would
 * search LD_LIBRARY_PATH for it, not the directory it was checked in. */
static int open_checked(const char *path, const char *const *allow,
                        size_t nallow, int *fd_out, struct td_error *err)
{
	int fd, rc;

	*fd_out = -1;
	if (!strchr(path, '/'))
		return td_error_set(err, TD_ERR_PERM,
		                    "PKCS#11 module %s: give its full path (e.g. "
		                    "/usr/lib/x86_64-linux-gnu/pkcs11/%s); a bare "
		                    "name would be looked up through LD_LIBRARY_PATH, "
		                    "which the allowlist cannot vouch for", path, path);
	/* O_NONBLOCK: a FIFO planted at the path must not hang the open */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return td_error_set(err, TD_ERR_NOTFOUND, "PKCS#11 module %s: %s",
		                    path, strerror(errno));
	if ((rc = check_opened(fd, path, allow, nallow, err)) != 0) {
		close(fd);
		return rc;
	}
	*fd_out = fd;
	return 0;
}

int td_module_allowed(const char *path, const struct td_token_opts *opts,
                      struct td_error *err)
{
	int fd, rc = open_checked(path, opts ? opts->allow : NULL,
	                          opts ? opts->nallow : 0, &fd, err);

	if (fd >= 0)
		close(fd);
	return rc;
}

/* The proxy's path on this system ("p11-kit-proxy.so" alone would make
 * dlopen search LD_LIBRARY_PATH, which the allowlist cannot vouch for). */
static char *default_module(void)
{
	static const char *const pats[] = {
		"/usr/lib/*/p11-kit-proxy.so", "/usr/lib64/p11-kit-proxy.so",
		"/usr/lib/p11-kit-proxy.so",
	};
	char *found = NULL;

	for (size_t i = 0; !found && i < sizeof pats / sizeof *pats; i++) {
		glob_t g;
		if (glob(pats[i], 0, NULL, &g) == 0 && g.gl_pathc > 0)
			found = strdup(g.gl_pathv[0]);
		globfree(&g);
	}
	return found;
}

/* "/proc/PID/fd/N" of the module's descriptor: the file checked at
 * open_checked, whatever its path says now.  The pid, not "self": the
 * name is also read by others (a debugger reading the shared-library
 * list opens it in its own process, where fd N is something else), and
 * taken at each load, so a forked child names its own descriptor. */
static void fd_load_path(const struct td_module *m, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/%ld/fd/%d", (long)getpid(), m->fd);
}

static int module_load(struct td_module *m, struct td_error *err)
{
	char load_path[64];

	if (!m->ctx && !(m->ctx = PKCS11_CTX_new()))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	fd_load_path(m, load_path, sizeof load_path);
	if (PKCS11_CTX_load(m->ctx, load_path) != 0) {
		/* After a failed load only PKCS11_CTX_free is safe. */
		PKCS11_CTX_free(m->ctx);
		m->ctx = NULL;
		return td_error_set(err, TD_ERR_TOKEN,
		                    "cannot load PKCS#11 module %s", m->path);
	}
	m->loaded = 1;
	m->fresh = 1;
	m->funcs = td_module_functions(load_path);
	return 0;
}

void td_module_release_slots(struct td_module *m)
{
	if (m->slots)
		PKCS11_release_all_slots(m->ctx, m->slots, m->nslots);
	m->slots = NULL;
	m->nslots = 0;
}

static void module_unload(struct td_module *m)
{
	td_module_release_slots(m);
	if (m->ctx && m->loaded)
		PKCS11_CTX_unload(m->ctx);
	m->loaded = 0;
	m->funcs = NULL;
}

/* A fresh PKCS11_CTX per load: libp11 0.4.12 strdup()s the module's
 * manufacturer and description at each load and frees them only in
 * PKCS11_CTX_free, so reusing the context would leak at every reload. */
static int module_reload(struct td_module *m, struct td_error *err)
{
	module_unload(m);
	if (m->ctx)
		PKCS11_CTX_free(m->ctx);
	m->ctx = NULL;
	return module_load(m, err);
}

/* SoftHSM2 (alone or behind the proxy) shows its "SoftHSM slot" even
 * with no token: that is how a static module is recognised. */
static void detect_static(struct td_module *m)
{
	const char *base = strrchr(m->path, '/');

	if (strcasestr(base ? base : m->path, "softhsm"))
		m->is_static = 1;
	for (unsigned i = 0; i < m->nslots; i++) {
		const char *man = m->slots[i].manufacturer;
		if (man && strcasestr(man, "SoftHSM"))
			m->is_static = 1;
	}
}

static int needs_reload(const struct td_tokens *t, const struct td_module *m)
{
	if (m->fresh || !m->loaded)
		return !m->loaded;
	switch (t->reload) {
	case TD_RELOAD_ALWAYS: return 1;
	case TD_RELOAD_NEVER: return 0;
	default: return m->is_static || m->reload_due;
	}
}

int td_module_refresh(struct td_tokens *t, struct td_module *m,
                      struct td_error *err)
{
	int rc;

	if (needs_reload(t, m) && (rc = module_reload(m, err)) != 0)
		return rc;
	td_module_release_slots(m);
	m->fresh = 0;
	if (m->reload_due > 0)
		m->reload_due--;
	/* PKCS11_update_slots would keep sessions, but double-frees in
	 * libp11 0.4.12: release and enumerate afresh instead. */
	if (PKCS11_enumerate_slots(m->ctx, &m->slots, &m->nslots) == 0) {
		detect_static(m);
		return 0;
	}
	/* -1: no slots at all, or a token of the module was deleted under
	 * it (SoftHSM2).  Reload once; still nothing means no tokens now. */
	m->slots = NULL;
	m->nslots = 0;
	if (t->reload != TD_RELOAD_NEVER && (rc = module_reload(m, err)) != 0)
		return rc;
	m->fresh = 0;
	if (PKCS11_enumerate_slots(m->ctx, &m->slots, &m->nslots) != 0) {
		m->slots = NULL;
		m->nslots = 0;
	}
	detect_static(m);
	return 0;
}

char *td_tok_strdup_utf8(const char *s)
{
	char *out = strdup(s ? s : "");
	size_t len, bad;

	if (!out)
		return NULL;
	len = strlen(out);
	while (!td_utf8_valid(out, len, &bad))
		out[bad] = '?';
	/* Labels are the token maker's (or anyone's) to write, and are
	 * printed: a control character (C0, DEL, C1 as C2 80..9F), or an
	 * invisible one td_hidden_len names (U+202E, U+2028...), is shown
	 * as '?' too. */
	int marks = 0;
	for (size_t i = 0, hidden; i < len; i++)
		if (((unsigned char)out[i] & 0xC0) != 0x80 &&
		    (hidden = td_hidden_len(out + i, &marks)) > 0)
			memset(out + i, '?', hidden), i += hidden - 1;
	return out;
}

static char **copy_strings(const char *const *v, size_t n)
{
	char **out = calloc(n + 1, sizeof *out);

	for (size_t i = 0; out && i < n; i++)
		if (!(out[i] = strdup(v[i])))
			return out; /* partly filled: freed by the caller */
	return out;
}

static int add_module(struct td_tokens *t, const char *path, struct td_error *err)
{
	struct td_module *m = &t->mods[t->nmods];
	int fd, rc = open_checked(path, (const char *const *)t->allow, t->nallow,
	                          &fd, err);

	if (rc != 0)
		return rc;
	memset(m, 0, sizeof *m);
	m->fd = fd;
	t->nmods++;   /* td_tokens_close closes fd from here on */
	if (!(m->path = strdup(path)))
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	/* Out of process, the helper loads it (remote.c), from this fd. */
	return t->remote ? 0 : module_load(m, err);
}

static int load_usb_table(struct td_tokens *t, const char *path)
{
	char buf[PATH_MAX];
	const char *dir = getenv("TOKENDESK_DATADIR");

	if (!path) {
		snprintf(buf, sizeof buf, "%s/usb-tokens.tsv",
		         dir && *dir ? dir : TD_PKGDATADIR);
		path = buf;
	}
	/* A missing table only costs USB identification. */
	if (td_usb_table_load(path, &t->models, &t->nmodels, NULL) != 0) {
		t->models = NULL;
		t->nmodels = 0;
	}
	return 0;
}

/* 1 when this process runs one thread (/proc/self/status): only then is
 * a fork that does not exec safe to run library code in. */
static int single_threaded(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	char line[128];
	int one = 0;

	while (f && fgets(line, sizeof line, f))
		if (strncmp(line, "Threads:", 8) == 0)
			one = atoi(line + 8) == 1;
	if (f)
		fclose(f);
	return one;
}

struct td_tokens *td_tokens_open(const struct td_token_opts *o,
                                 struct td_error *err)
{
	struct td_token_opts none = { 0 };
	struct td_tokens *t = calloc(1, sizeof *t);
	size_t n;
	int rc = 0;

	o = o ? o : &none;
	n = o->nmodules ? o->nmodules : 1;
	if (!t || !(t->mods = calloc(n, sizeof *t->mods)) ||
	    !(t->allow = copy_strings(o->allow, o->nallow))) {
		td_tokens_close(t);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	t->nallow = o->nallow;
	t->reload = o->reload;
	t->no_usb = o->no_usb;
	t->remote = o->out_of_process;
	if (t->remote && !(t->helpers = calloc(n, sizeof *t->helpers))) {
		td_tokens_close(t);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (o->nmodules == 0) {
		char *proxy = default_module();
		rc = proxy ? add_module(t, proxy, err)
		           : td_error_set(err, TD_ERR_NOTFOUND,
		                          "p11-kit's proxy module is not installed "
		                          "(apt-get install p11-kit-modules); "
		                          "name a module with --module");
		free(proxy);
	}
	for (size_t i = 0; rc == 0 && i < o->nmodules; i++)
		rc = add_module(t, o->modules[i], err);
	if (rc == 0)
		rc = load_usb_table(t, o->usb_table);
	/* Out of process: start the helpers now, so that loading the module
	 * (C_Initialize, often the slowest step) runs while the caller opens
	 * its registry.  A helper that fails is started again when used. */
	t->fork_helpers = single_threaded();
	for (size_t i = 0; rc == 0 && t->remote && i < t->nmods; i++)
		t->helpers[i] = td_helper_spawn(t, &t->mods[i], NULL);
	t->fork_helpers = 0;
	if (rc != 0) {
		td_tokens_close(t);
		return NULL;
	}
	return t;
}

struct td_tokens *td_tokens_open_fd(const char *path, int fd,
                                    const struct td_token_opts *o,
                                    struct td_error *err)
{
	struct td_tokens *t = calloc(1, sizeof *t);
	struct td_module *m;

	if (!t || !(t->mods = calloc(1, sizeof *t->mods)) ||
	    !(t->allow = calloc(1, sizeof *t->allow))) {
		td_tokens_close(t);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	t->reload = o->reload;
	t->no_usb = 1;
	m = &t->mods[0];
	m->fd = fd;
	t->nmods = 1;
	if (!(m->path = strdup(path))) {
		td_tokens_close(t);
		td_error_set(err, TD_ERR_NOMEM, "out of memory");
		return NULL;
	}
	if (module_load(m, err) != 0) {
		td_tokens_close(t);
		return NULL;
	}
	return t;
}

void td_tokens_usb_changed(struct td_tokens *t)
{
	for (size_t i = 0; i < t->nmods; i++)
		t->mods[i].reload_due = TD_RELOADS_AFTER_USB;
}

void td_tokens_close(struct td_tokens *t)
{
	if (!t)
		return;
	for (size_t i = 0; t->helpers && i < t->nmods; i++)
		td_helper_free(t->helpers[i]);
	free(t->helpers);
	for (size_t i = 0; t->mods && i < t->nmods; i++) {
		module_unload(&t->mods[i]);
		if (t->mods[i].ctx)
			PKCS11_CTX_free(t->mods[i].ctx);
		free(t->mods[i].path);
		if (t->mods[i].fd >= 0)
			close(t->mods[i].fd);
	}
	free(t->mods);
	for (size_t i = 0; t->allow && t->allow[i]; i++)
		free(t->allow[i]);
	free(t->allow);
	td_usb_models_free(t->models, t->nmodels);
	free(t);
}

size_t td_tokens_nmodules(const struct td_tokens *t)
{
	return t->nmods;
}

const char *td_tokens_module(const struct td_tokens *t, size_t i)
{
	return i < t->nmods ? t->mods[i].path : NULL;
}

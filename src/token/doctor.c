/* doctor.c: the facts `tokendesk doctor` reasons from (token.h,
 * td_doctor_run): USB devices, pcscd and its readers, the modules p11-kit
 * registers and whether each loads.  PC/SC is reached through
 * libpcsclite.so.1 opened at run time: tokendesk needs no PC/SC at all
 * unless a reader is there, and its absence is itself a finding. */
#include <config.h>

#include <dirent.h>
#include <dlfcn.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <libusb.h>

#include "internal.h"
#include "remote.h"
#include "tokendesk/text.h"

/* ---- USB --------------------------------------------------------------- */

static void doctor_usb(struct td_doctor *d, const struct td_usb_model *m, size_t nm)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	ssize_t n;

	if (libusb_init(&ctx) != 0)
		return;
	d->usb_available = 1;
	n = libusb_get_device_list(ctx, &list);
	for (ssize_t i = 0; i < n && d->nusb < TD_DOCTOR_MAX; i++) {
		struct libusb_device_descriptor dd;
		const struct td_usb_model *k;
		if (libusb_get_device_descriptor(list[i], &dd) != 0 ||
		    !(k = td_usb_lookup(m, nm, dd.idVendor, dd.idProduct)))
			continue;
		struct td_doctor_usb *u = &d->usb[d->nusb++];
		u->vid = dd.idVendor;
		u->pid = dd.idProduct;
		snprintf(u->vendor, sizeof u->vendor, "%s", k->vendor);
		snprintf(u->model, sizeof u->model, "%s", k->model);
		snprintf(u->module, sizeof u->module, "%s", k->module);
		snprintf(u->match, sizeof u->match, "%s", k->match ? k->match : "");
	}
	if (list)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
}

/* ---- pcscd ------------------------------------------------------------- */

/* pcsc-lite's types on Linux (winscard.h, pcsclite.h), enough for three
 * calls: the header is not needed to build tokendesk. */
typedef long pcsc_long;
typedef unsigned long pcsc_dword;
struct pcsc_readerstate {
	const char *reader;
	void *user;
	pcsc_dword current, event, atr_len;
	unsigned char atr[33];
};
#define PCSC_SCOPE_SYSTEM 2
#define PCSC_STATE_PRESENT 0x20
#define PCSC_AUTOALLOCATE ((pcsc_dword)-1)

typedef pcsc_long (*establish_fn)(pcsc_dword, const void *, const void *, pcsc_long *);
typedef pcsc_long (*list_fn)(pcsc_long, const char *, char *, pcsc_dword *);
typedef pcsc_long (*status_fn)(pcsc_long, pcsc_dword, struct pcsc_readerstate *,
                               pcsc_dword);
typedef pcsc_long (*release_fn)(pcsc_long);

static void socket_check(struct td_doctor *d)
{
	const char *env = getenv("PCSCLITE_CSOCK_NAME");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	snprintf(d->pcscd_socket, sizeof d->pcscd_socket, "%s",
	         env && *env ? env : "/run/pcscd/pcscd.comm");
	d->pcscd_socket_exists = access(d->pcscd_socket, F_OK) == 0;
	snprintf(a.sun_path, sizeof a.sun_path, "%.107s", d->pcscd_socket);
	if (d->pcscd_socket_exists && (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
		d->pcscd_running = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
		close(fd);
	}
}

static void readers(struct td_doctor *d, void *lib)
{
	establish_fn establish = (establish_fn)dlsym(lib, "SCardEstablishContext");
	list_fn list = (list_fn)dlsym(lib, "SCardListReaders");
	status_fn status = (status_fn)dlsym(lib, "SCardGetStatusChange");
	release_fn release = (release_fn)dlsym(lib, "SCardReleaseContext");
	pcsc_long ctx = 0;
	char names[4096];
	pcsc_dword len = sizeof names;

	if (!establish || !list || !status || !release ||
	    establish(PCSC_SCOPE_SYSTEM, NULL, NULL, &ctx) != 0)
		return;
	if (list(ctx, NULL, names, &len) == 0)
		for (const char *r = names; *r && r < names + len && d->nreaders < TD_DOCTOR_MAX;
		     r += strlen(r) + 1) {
			struct td_doctor_reader *dr = &d->readers[d->nreaders++];
			struct pcsc_readerstate st = { .reader = r };
			snprintf(dr->name, sizeof dr->name, "%.127s", r);
			if (status(ctx, 0, &st, 1) == 0 && (st.event & PCSC_STATE_PRESENT)) {
				char *hex = td_hex(st.atr, st.atr_len <= 33 ? st.atr_len : 33);
				dr->card = 1;
				snprintf(dr->atr, sizeof dr->atr, "%s", hex ? hex : "");
				free(hex);
			}
		}
	release(ctx);
}

static void doctor_pcsc(struct td_doctor *d)
{
	void *lib;

	socket_check(d);
	if (!(lib = dlopen("libpcsclite.so.1", RTLD_NOW | RTLD_LOCAL)))
		return;
	d->pcsc_lib = 1;
	if (d->pcscd_running)
		readers(d, lib);
	dlclose(lib);
}

/* Readers and their cards, without loading a module: cheap enough for
 * a scan that found no token to say why (cmd_scan.c). */
size_t td_pcsc_readers(struct td_doctor_reader *out, size_t max)
{
	struct td_doctor *d = calloc(1, sizeof *d);
	size_t n = 0;

	if (!d)
		return 0;
	doctor_pcsc(d);
	for (; n < d->nreaders && n < max; n++)
		out[n] = d->readers[n];
	free(d);
	return n;
}

/* ---- modules ----------------------------------------------------------- */

/* "module: X" of a p11-kit .module file; a bare name is in the
 * architecture's pkcs11 directory, as p11-kit resolves it. */
static int registered_module(const char *file, char *out, size_t size)
{
	FILE *f = fopen(file, "r");
	char line[1024];
	int found = 0;

	if (!f)
		return 0;
	while (!found && fgets(line, sizeof line, f)) {
		char *v;
		if (strncmp(line, "module:", 7) != 0)
			continue;
		v = td_trim(line + 7);
		if (v[0] == '/') {
			snprintf(out, size, "%s", v);
		} else {
			char pat[600];
			glob_t g;
			snprintf(pat, sizeof pat, "/usr/lib/*/pkcs11/%s", v);
			if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc)
				snprintf(out, size, "%s", g.gl_pathv[0]);
			else
				snprintf(out, size, "/usr/lib/pkcs11/%s", v);
			globfree(&g);
		}
		found = 1;
	}
	fclose(f);
	return found;
}

static void add_module(struct td_doctor *d, const char *path, const char *from)
{
	for (size_t i = 0; i < d->nmods; i++)
		if (strcmp(d->mods[i].path, path) == 0)
			return;
	if (d->nmods < TD_DOCTOR_MAX) {
		snprintf(d->mods[d->nmods].path, sizeof d->mods[0].path, "%s", path);
		snprintf(d->mods[d->nmods].from, sizeof d->mods[0].from, "%s", from);
		d->nmods++;
	}
}

static void registered(struct td_doctor *d)
{
	static const char *const dirs[] = { "/usr/share/p11-kit/modules",
	                                    "/etc/pkcs11/modules" };

	for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
		DIR *dir = opendir(dirs[i]);
		struct dirent *e;
		while (dir && (e = readdir(dir))) {
			char file[512], path[512];
			size_t n = strlen(e->d_name);
			if (n < 8 || strcmp(e->d_name + n - 7, ".module") != 0)
				continue;
			snprintf(file, sizeof file, "%s/%s", dirs[i], e->d_name);
			/* p11-kit's trust module is the CA store, not a token */
			if (registered_module(file, path, sizeof path) &&
			    !strstr(path, "p11-kit-trust"))
				add_module(d, path, "p11-kit");
		}
		if (dir)
			closedir(dir);
	}
}

/* Each module is loaded out of process, as the desk does, and scanned. */
static void try_module(struct td_doctor_module *dm, const struct td_token_opts *base)
{
	struct td_token_opts o = *base;
	const char *one[1] = { dm->path };
	struct td_error err = { 0 };
	struct td_tokens *t;
	struct td_snap *s = NULL;

	o.modules = one;
	o.nmodules = 1;
	o.out_of_process = 1;
	o.no_usb = 1;
	if (td_module_allowed(dm->path, &o, &err) != 0) {
		snprintf(dm->error, sizeof dm->error, "%s", err.message);
		return;
	}
	dm->allowed = 1;
	if (!(t = td_tokens_open(&o, &err))) {
		snprintf(dm->error, sizeof dm->error, "%s", err.message);
		return;
	}
	if (td_tokens_scan(t, &s, &err) != 0) {
		snprintf(dm->error, sizeof dm->error, "%s", err.message);
	} else if (s->warnings && strstr(s->warnings, "module")) {
		snprintf(dm->error, sizeof dm->error, "%s", s->warnings);
		dm->error[strcspn(dm->error, "\n")] = '\0';
	} else {
		dm->loads = 1;
		for (size_t i = 0; i < s->ntokens && dm->ntokens < TD_DOCTOR_MAX; i++) {
			snprintf(dm->tokens[dm->ntokens].serial, sizeof dm->tokens[0].serial,
			         "%s", s->tokens[i]->serial);
			snprintf(dm->tokens[dm->ntokens].slot, sizeof dm->tokens[0].slot,
			         "%s", s->tokens[i]->slot_desc);
			snprintf(dm->tokens[dm->ntokens].manufacturer,
			         sizeof dm->tokens[0].manufacturer, "%s",
			         s->tokens[i]->manufacturer);
			dm->ntokens++;
		}
	}
	td_snap_free(s);
	td_tokens_close(t);
}

/* Which module shows a token in reader r (OpenSC and the vendors name a
 * slot after its reader), and which USB family some module shows. */
static void claims(struct td_doctor *d)
{
	for (size_t i = 0; i < d->nreaders; i++)
		for (size_t j = 0; j < d->nmods && !d->readers[i].claimed_by[0]; j++)
			for (size_t k = 0; k < d->mods[j].ntokens; k++)
				if (strstr(d->mods[j].tokens[k].slot, d->readers[i].name) ||
				    strstr(d->readers[i].name, d->mods[j].tokens[k].slot))
					snprintf(d->readers[i].claimed_by,
					         sizeof d->readers[i].claimed_by, "%s",
					         d->mods[j].path);
	for (size_t i = 0; i < d->nusb; i++)
		for (size_t j = 0; j < d->nmods && !d->usb[i].shown_by[0]; j++)
			for (size_t k = 0; k < d->mods[j].ntokens; k++) {
				struct td_usb_model m = { .match = d->usb[i].match };
				struct td_snap_token t = { .manufacturer =
				                           d->mods[j].tokens[k].manufacturer,
				                           .model = (char *)"" };
				if (*m.match && td_usb_model_shows(&m, &t))
					snprintf(d->usb[i].shown_by, sizeof d->usb[i].shown_by,
					         "%s", d->mods[j].path);
			}
}

int td_doctor_run(const struct td_token_opts *o, struct td_doctor **out,
                  struct td_error *err)
{
	struct td_doctor *d = calloc(1, sizeof *d);
	struct td_usb_model *models = NULL;
	size_t nmodels = 0;
	char table[1024];
	const char *dir = getenv("TOKENDESK_DATADIR");

	*out = NULL;
	if (!d)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	snprintf(table, sizeof table, "%s/usb-tokens.tsv",
	         o->usb_table ? "" : dir && *dir ? dir : TD_PKGDATADIR);
	if (td_usb_table_load(o->usb_table ? o->usb_table : table, &models,
	                      &nmodels, NULL) != 0)
		nmodels = 0;
	if (!o->no_usb)
		doctor_usb(d, models, nmodels);
	td_usb_models_free(models, nmodels);
	doctor_pcsc(d);
	for (size_t i = 0; i < o->nmodules; i++)
		add_module(d, o->modules[i], "given");
	registered(d);
	for (size_t i = 0; i < d->nmods; i++)
		try_module(&d->mods[i], o);
	claims(d);
	*out = d;
	return 0;
}

void td_doctor_free(struct td_doctor *d)
{
	free(d);
}

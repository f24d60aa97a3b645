/* internal.h: what the files of src/token share, and nobody else sees. */
#ifndef TD_TOKEN_INTERNAL_H
#define TD_TOKEN_INTERNAL_H

#include <libp11.h>
#include <openssl/x509.h>

#include "tokendesk/token.h"

struct libusb_context;

/* A proof's detail (td_pop_result) is an English sentence marked for
 * xgettext: it crosses the module helper's pipe as it is, and the front
 * end shows it in the operator's language (the msgid is the sentence). */
#ifndef N_
#define N_(s) s
#endif

struct td_module {
	char *path;          /* as given, for display and identity */
	int fd;              /* the file checked against the allowlist, held
	                        open: every load dlopen()s /proc/PID/fd/N of
	                        it, never the path again (closed by
	                        td_tokens_close) */
	PKCS11_CTX *ctx;
	int loaded;
	int is_static;       /* fixes its token list at C_Initialize */
	int reload_due;      /* reload before the next enumeration */
	int fresh;           /* loaded and not enumerated yet */
	PKCS11_SLOT *slots;  /* current enumeration, owned by libp11 */
	unsigned nslots;
	void *funcs;         /* the module's CK_FUNCTION_LIST as libp11
	                        initialised it, or NULL (objects.c) */
};

struct td_tokens {
	struct td_module *mods;
	size_t nmods;
	char **allow;
	size_t nallow;
	enum td_reload_policy reload;
	int no_usb;
	struct td_usb_model *models;
	size_t nmodels;
	/* Out of process (remote.h): no module is loaded here; helpers[i]
	 * drives mods[i] (NULL until first used, or after it went away). */
	int remote;
	/* 1 while no thread runs besides the caller's: helpers are forked
	 * without exec (no program start to pay; fork is only safe so in a
	 * single-threaded process).  Else each helper execs tokendesk-p11. */
	int fork_helpers;
	struct td_helper **helpers;
	/* Called for each token as scan_module reads it (the helper sends
	 * it on at once); NULL: none. */
	td_scan_token_fn on_token;
	void *on_token_ctx;
	/* Called while a call with the PIN waits (td_tokens_set_wait). */
	td_tokens_wait_fn wait_fn;
	void *wait_ctx;
};

/* The tokens of one module given as an open descriptor fd (the helper's
 * descriptor 3, checked by the parent as td_module_allowed does): load it
 * in this process.  path is its name for identity and messages. */
struct td_tokens *td_tokens_open_fd(const char *path, int fd,
                                    const struct td_token_opts *o,
                                    struct td_error *err);
/* A USB device came or went: reload every module for a few rescans. */
void td_tokens_usb_changed(struct td_tokens *t);
/* Reloads after a USB event: rescans at poll_ms apart cover ~1 s. */
#define TD_RELOADS_AFTER_USB 4

/* module.c */
/* Make m's slot list current: reload when due (policy, is_static,
 * reload_due), enumerate, and on "no slots / token deleted" (-1) reload
 * once more.  A module that still cannot enumerate has zero slots. */
int td_module_refresh(struct td_tokens *t, struct td_module *m,
                      struct td_error *err);
void td_module_release_slots(struct td_module *m);
/* Copy of s with bytes that are not UTF-8, and control characters,
 * replaced by '?'; NULL -> "". */
char *td_tok_strdup_utf8(const char *s);

/* x509.c: the parsed fields of c from x (label, key_id and der are the
 * caller's); hex of n bytes, lowercase. */
int td_x509_fill(X509 *x, struct td_snap_cert *out, struct td_error *err);
char *td_hex(const unsigned char *p, size_t n);

/* objects.c: the module's function list as libp11 loaded it from
 * load_path (nothing is loaded), or NULL when the list a caller gets is
 * not the initialised one. */
void *td_module_functions(const char *load_path);

/* objects.c: the X.509 certificates of the token in slot slot_id into
 * st (certs, ncerts), through m->funcs (not NULL).  0, TD_ERR_TOKEN when
 * the module cannot list them, TD_ERR_NOMEM. */
int td_objects_certs(const struct td_module *m, unsigned long slot_id,
                     struct td_snap_token *st, struct td_error *err);

/* snapshot.c */
struct td_snap_token *td_snap_token_from_slot(const struct td_module *m,
                                              PKCS11_SLOT *slot,
                                              int with_certs,
                                              struct td_error *err);
unsigned td_flags_from_token(const PKCS11_TOKEN *tok);
/* td_tokens_scan that reuses the token snapshots of prev (may be NULL)
 * whose identity, label and flags are unchanged, without reading their
 * objects again.  list_usb 0: leave s->usb to the caller. */
int td_tokens_scan_with(struct td_tokens *t, const struct td_snap *prev,
                        int list_usb, struct td_snap **out,
                        struct td_error *err);
/* Append one line to s->warnings. */
void td_snap_add_warning(struct td_snap *s, const char *msg);
/* 1 when the slot holds a token worth showing (see td_tokens_scan). */
int td_slot_has_token(const PKCS11_SLOT *slot);

/* usb.c */
/* List devices of known families on the bus into s->usb (models copied
 * into s->models) and mark each no_driver unless a token of s shows the
 * family; tie matching tokens to the family's vid:pid.  When libusb
 * cannot be used, s->usb_available stays 0.  Not an error. */
void td_usb_fill_snapshot(struct td_tokens *t, struct td_snap *s);
/* 1 when token t looks like family m (manufacturer/model vs m->match). */
int td_usb_model_shows(const struct td_usb_model *m,
                       const struct td_snap_token *t);
/* One USB device as the bus shows it. */
struct td_usb_seen {
	uint16_t vid, pid;
	uint8_t bus, addr;
};
/* td_usb_fill_snapshot with a device list the caller already has. */
void td_usb_fill_from(struct td_tokens *t, struct td_snap *s,
                      const struct td_usb_seen *d, size_t n);

/* libusb hot-plug, for the watcher's helper thread.  fn runs in the
 * thread that calls td_usb_hotplug_start (for the devices present then)
 * and later in the thread that calls td_usb_hotplug_wait. */
typedef void (*td_usb_notify_fn)(void *ctx, int arrived,
                                 const struct td_usb_seen *dev);
struct td_usb_hotplug;
/* NULL when libusb cannot start or has no hot-plug on this platform. */
struct td_usb_hotplug *td_usb_hotplug_start(td_usb_notify_fn fn, void *ctx);
/* Deliver hot-plug events for at most timeout_ms. */
void td_usb_hotplug_wait(struct td_usb_hotplug *h, int timeout_ms);
/* Make a td_usb_hotplug_wait in another thread return now. */
void td_usb_hotplug_interrupt(struct td_usb_hotplug *h);
void td_usb_hotplug_stop(struct td_usb_hotplug *h);

int td_usb_models_copy(const struct td_usb_model *src, size_t n,
                       struct td_usb_model **out);

/* possession.c's lookups and PIN rules, for sign.c (same contracts as
 * the static functions they wrap): find the slot by token serial after a
 * refresh; refuse before login on a locked PIN or an unforced final try
 * (1: r holds the refusal); after PKCS11_login failed, release the slots
 * and fill r from the token's flags; describe a certificate into r; 1
 * when a certificate has serial want (any spelling). */
struct td_pop_result;
PKCS11_SLOT *td_pop_find_slot(struct td_tokens *t, const char *serial,
                              const char *module, struct td_module **mod,
                              struct td_error *err);
int td_pop_refuse_early(unsigned flags, int force, struct td_pop_result *r);
void td_pop_pin_refused(struct td_tokens *t, const char *serial, struct td_module *m,
                        struct td_pop_result *r);
void td_pop_describe_cert(PKCS11_CERT *c, struct td_pop_result *r);
int td_pop_serial_matches(PKCS11_CERT *c, const char *want);

#endif

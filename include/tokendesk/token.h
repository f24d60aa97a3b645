/* tokendesk/token.h: tokens as PKCS#11 modules show them, and USB devices.
 *
 * The only module that touches libp11 (PKCS#11) and libusb.  It hands out
 * immutable snapshots: a token with its label, serial, flags and parsed
 * certificates, taken at one moment.  Identity of a token is (module path,
 * token serial), never the slot number, which modules renumber freely.
 *
 * Threads: every PKCS#11 call happens in the thread that calls these
 * functions (the desk's loop).  The watcher's helper thread only waits
 * (for time to pass, or for libusb hot-plug events) and writes a byte to
 * a pipe; it never touches a module, so a reload can never run under a
 * login that is in progress.
 *
 * Strings are UTF-8 as the token holds them (certificate attributes are
 * converted from their ASN.1 string type to UTF-8, nothing else).
 * Snapshots own all their memory; see td_snap_free() and
 * td_snap_token_ref()/unref(). */
#ifndef TOKENDESK_TOKEN_H
#define TOKENDESK_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "tokendesk/error.h"

struct td_secbuf;

/* ---- modules ----------------------------------------------------------- */

/* The default module: p11-kit's proxy, which fronts every module the OS
 * has registered (OpenSC, vendor middleware, SoftHSM2). */
#define TD_P11KIT_PROXY "p11-kit-proxy.so"

enum td_reload_policy {
	/* Reload a module at every rescan when it is known to fix its token
	 * list at C_Initialize (SoftHSM2, also behind the p11-kit proxy), and
	 * for a few rescans after a USB arrival or departure; otherwise only
	 * ask for the slot list again. */
	TD_RELOAD_AUTO = 0,
	TD_RELOAD_ALWAYS,  /* unload + load at every rescan */
	TD_RELOAD_NEVER    /* never reload (a module that shows changes live) */
};

struct td_token_opts {
	/* Module paths to load (copied).  None: the p11-kit proxy. */
	const char *const *modules;
	size_t nmodules;
	/* Extra allowlist entries (copied): a file, or a directory ending in
	 * "/" that allows the files directly in it.  From the config file. */
	const char *const *allow;
	size_t nallow;
	/* Path of usb-tokens.tsv; NULL: $TOKENDESK_DATADIR/usb-tokens.tsv,
	 * else TD_PKGDATADIR/usb-tokens.tsv. */
	const char *usb_table;
	int no_usb;                    /* 1: never open libusb */
	enum td_reload_policy reload;
	/* 1: load no module in this process; drive each from a helper
	 * process (tokendesk-p11) instead, so that a module that blocks
	 * never freezes the caller and one that crashes is only restarted.
	 * The helper gets the module's checked file as descriptor 3 and
	 * loads /proc/PID/fd/3 of it.  td_tokens_open_with_config sets it
	 * unless $TOKENDESK_IN_PROCESS is 1. */
	int out_of_process;
};

/* What the config file says.  Lines "key = value"; '#' starts a
 * comment; [section] lines are skipped; an unknown key is an error.
 * Keys: module (repeatable; a PKCS#11 module to load), allow-module
 * (repeatable; allowlist entry), poll-ms (watcher period), scope (this
 * desk's agency code), place (where handovers are signed), busy-ms (how
 * long a write waits for the registry's lock). */
struct td_token_config {
	char **modules;
	size_t nmodules;
	char **allow;
	size_t nallow;
	int poll_ms;      /* 0 when not set */
	char *scope;      /* NULL when not set */
	char *place;      /* NULL when not set; passed td_text_problem */
	int busy_ms;      /* how long a write waits for another writer's
	                   * lock (the registry's; read by the front ends);
	                   * 0 when not set */
	int scan_gap_ms;  /* the longest pause between two keys of a barcode
	                   * scan (read by the desk); 0 when not set */
};

/* The range scan-gap-ms may take, in milliseconds. */
#define TD_CONFIG_SCAN_GAP_MS_MIN 5
#define TD_CONFIG_SCAN_GAP_MS_MAX 500

/* The range busy-ms may take, in milliseconds. */
#define TD_CONFIG_BUSY_MS_MIN 100
#define TD_CONFIG_BUSY_MS_MAX 3600000

/* Longest place the config file may give, in bytes: a room's name, as
 * printed on every record; more is a paragraph pasted by mistake. */
#define TD_CONFIG_PLACE_MAX 200

/* Read path into *c (zeroed first; free with td_token_config_clear).
 * Lines are "key = value" ('#' starts a comment; "[section]" lines and
 * blank ones are skipped); keys: module, allow-module, poll-ms, scope,
 * place (the handover's, read by the front ends), busy-ms, scan-gap-ms.  The file (as
 * opened) must be owned by root or the effective user and not writable
 * by group or others: it names the modules to load.  Returns 0,
 * TD_ERR_PERM when it is not, TD_ERR_IO when unreadable, TD_ERR_DATA on
 * a bad value (a place holding control
 * characters included), an unknown key or a line that is not
 * key = value (FILE:LINE in err). */
int td_token_config_load(const char *path, struct td_token_config *c,
                         struct td_error *err);
void td_token_config_clear(struct td_token_config *c);

struct td_tokens;   /* the loaded modules, the allowlist, the USB table */

/* Check path against the allowlist, without loading anything.  Allowed:
 * the modules p11-kit has registered (/usr/share/p11-kit/modules,
 * /etc/pkcs11/modules), files in /usr/lib/{*}/pkcs11/ and /usr/lib/pkcs11/,
 * SoftHSM2's library, p11-kit's proxy, and opts->allow.  The file is
 * opened and the opened file is checked: its real path (as
 * /proc/self/fd shows it, so a symlink into /tmp does not pass) against
 * the allowlist; owned by root or the effective user and not writable
 * by group or others; when an opts->allow entry is what allows it, the
 * directory that entry allows modules in ("DIR/" itself, or the
 * directory of a file entry) held to the same owner and mode rule.  A bare
 * name (no '/') is refused: dlopen would search LD_LIBRARY_PATH for it.
 * Returns 0, or TD_ERR_PERM with a message that names the path and why
 * (and how to allow it), TD_ERR_NOTFOUND, or TD_ERR_IO (no /proc). */
int td_module_allowed(const char *path, const struct td_token_opts *opts,
                      struct td_error *err);

/* Open every module, check the opened file as td_module_allowed does,
 * load it (C_Initialize runs the module's code: that is why the checks
 * come first) and read the USB table.  Each module's file stays open
 * (close-on-exec) until td_tokens_close: every load and reload (rescans,
 * td_token_prove) dlopen()s /proc/PID/fd/N of it, never the path again,
 * so the file loaded is always the file checked.  A missing USB table is not an error (no USB identification
 * then).  Returns NULL and fills err on failure; nothing stays loaded.
 * The caller owns the result: td_tokens_close(). */
struct td_tokens *td_tokens_open(const struct td_token_opts *opts,
                                 struct td_error *err);

/* td_tokens_open as the front ends do it: modules given on the command
 * line win over the config file's; the config file's allow-module
 * entries extend the allowlist.  cfg is the config the front end loaded
 * once at start (NULL: none). */
struct td_tokens *td_tokens_open_with_config(const char *const *modules,
                                             size_t nmodules,
                                             const struct td_token_config *cfg,
                                             int no_usb,
                                             struct td_error *err);

/* Unload every module and free.  Snapshots taken earlier stay valid.
 * NULL allowed. */
void td_tokens_close(struct td_tokens *t);

/* A call that waits on a module with the PIN (td_token_prove, a
 * signature) calls fn(ctx, waited_ms) about every 100 ms while the
 * module has not answered: a slow or hung module must not freeze the
 * desk that waits.  fn returns 0 to go on waiting; anything else
 * abandons the call: the module's helper process is stopped (a new one
 * starts at the next use) and the call fails with TD_ERR_CANCELLED,
 * nothing done.  fn NULL: wait as long as the module takes (the CLI). */
typedef int (*td_tokens_wait_fn)(void *ctx, int waited_ms);
void td_tokens_set_wait(struct td_tokens *t, td_tokens_wait_fn fn, void *ctx);

size_t td_tokens_nmodules(const struct td_tokens *t);
/* Path of module i as given (owned by t). */
const char *td_tokens_module(const struct td_tokens *t, size_t i);

/* The body of the helper program tokendesk-p11 (argv: MODULE-PATH FD
 * RELOAD-POLICY; requests on stdin, answers on stdout).  Run by the
 * token layer, never by hand. */
int td_p11_helper_main(int argc, char **argv);

/* ---- snapshots --------------------------------------------------------- */

/* Token flags as the token reports them (CK_TOKEN_INFO).  Shown to the
 * operator but never trusted blindly: some vendors never set the PIN
 * flags, so "no flag" does not mean "many tries left". */
enum td_tok_flag {
	TD_TOK_LOGIN_REQUIRED = 1u << 0,
	TD_TOK_USER_PIN_INITIALIZED = 1u << 1,
	TD_TOK_PIN_COUNT_LOW = 1u << 2,
	TD_TOK_PIN_FINAL_TRY = 1u << 3,
	TD_TOK_PIN_LOCKED = 1u << 4,
	TD_TOK_PROTECTED_AUTH_PATH = 1u << 5,
	TD_TOK_INITIALIZED = 1u << 6,
	TD_TOK_READ_ONLY = 1u << 7,
	TD_TOK_PIN_TO_BE_CHANGED = 1u << 8
};
#define TD_TOK_NFLAGS 9

/* Stable name of one flag bit ("login-required", "pin-locked", ...), or
 * NULL for a bit that is not a flag. */
const char *td_tok_flag_name(unsigned flag);

/* One attribute of a distinguished name. */
struct td_dn_attr {
	char *name;   /* C, ST, L, O, OU, CN, UID, E, T, SERIALNUMBER, STREET,
	                 DC, G, SN; else the dotted OID */
	char *value;  /* UTF-8, exactly as the certificate holds it */
};

struct td_dn {
	struct td_dn_attr *attrs;   /* in the order of the RDN sequence */
	size_t n;
	/* One line, same order: "C=VN, L=Hưng Yên, O=..., OU=..., CN=...".
	 * In values, \ , + " ; < > are escaped with a backslash; attributes of
	 * one multi-valued RDN are joined with " + ". */
	char *text;
};

/* First value of attribute name (case-insensitive), or NULL. */
const char *td_dn_get(const struct td_dn *dn, const char *name);

struct td_snap_cert {
	/* 1 when the object's value is not a parseable X.509 certificate;
	 * then only label, key_id and problem are set (and der when the
	 * module gave the bytes). */
	int malformed;
	char *problem;        /* why it is malformed, else NULL */
	char *label;          /* CKA_LABEL, may be "" */
	char *key_id;         /* CKA_ID as lowercase hex, may be "" */
	char *serial;         /* lowercase hex, no leading zeros, no colons */
	struct td_dn subject, issuer;
	char not_before[21];  /* YYYY-MM-DDTHH:MM:SSZ (UTC), or "" */
	char not_after[21];
	time_t not_before_t, not_after_t;
	char fingerprint[65]; /* SHA-256 of the DER, lowercase hex */
	char key_type[8];     /* "RSA", "EC", "other" */
	int key_bits;
	int is_ca;            /* basicConstraints CA:TRUE */
	unsigned char *der;
	size_t der_len;
};

struct td_snap_token {
	char *module;         /* path of the module that showed it */
	char *slot_desc;      /* slot description (informational) */
	unsigned long slot_id;/* informational only: never an identity */
	char *label, *serial, *manufacturer, *model;
	unsigned flags;       /* td_tok_flag bits */
	uint16_t usb_vid, usb_pid; /* 0 when not tied to a USB device */
	struct td_snap_cert *certs;
	size_t ncerts;
	unsigned refs;        /* private: see td_snap_token_ref() */
};

/* Parse one DER certificate into *out (zeroed first; release with
 * td_snap_cert_clear).  Never fails on bad input: a value that is not a
 * certificate gives out->malformed = 1 and out->problem; the DER bytes
 * are kept either way.  Returns 0, or TD_ERR_NOMEM. */
int td_cert_parse_der(const unsigned char *der, size_t len,
                      struct td_snap_cert *out, struct td_error *err);
void td_snap_cert_clear(struct td_snap_cert *c);

/* Identity key "MODULE\tSERIAL" into buf; returns buf. */
char *td_snap_token_key(const struct td_snap_token *t, char *buf, size_t size);

/* Snapshots are shared (a watcher event and the desk's list may hold the
 * same one).  ref adds an owner; unref drops one and frees at zero.  The
 * count is not atomic: use from one thread.  NULL allowed. */
struct td_snap_token *td_snap_token_ref(struct td_snap_token *t);
void td_snap_token_unref(struct td_snap_token *t);

/* A USB device seen on the bus, with what the table says about it. */
struct td_usb_model {
	uint16_t vid, pid;
	char *vendor, *model;
	char *module;   /* PKCS#11 module to install, e.g. "libeToken.so (SafeNet Authentication Client)" */
	char *match;    /* substring of the PKCS#11 manufacturer/model that this
	                   family shows, case-insensitive, "|" separated */
	char *source;   /* public source of the row */
};

struct td_usb_dev {
	uint16_t vid, pid;
	uint8_t bus, addr;
	const struct td_usb_model *known; /* row of the table, or NULL */
	int no_driver;  /* 1: a known token family, and no loaded module shows
	                   a token of it ("plugged in, no driver") */
};

/* Everything present at one moment. */
struct td_snap {
	struct td_snap_token **tokens;  /* each with one reference held */
	size_t ntokens;
	struct td_usb_dev *usb;         /* known token families only */
	size_t nusb;
	int usb_available;              /* libusb could list the bus */
	struct td_usb_model *models;    /* private copy backing usb[].known */
	size_t nmodels;
	/* Modules that failed during this scan (e.g. a token pulled
	 * mid-read): one line each, for the operator; NULL when none. */
	char *warnings;
};

/* Take a snapshot of every token of every module, and the USB devices of
 * known token families.  Modules that fix their slot list at load time
 * are reloaded first (see td_reload_policy).  A token whose objects
 * cannot be read (pulled out mid-read) is left out, as if removed; a
 * certificate object that does not parse is kept with malformed=1.
 * Tokens with no serial that are not initialized (SoftHSM2's free slot)
 * are left out.  On success *out is owned by the caller (td_snap_free). */
int td_tokens_scan(struct td_tokens *t, struct td_snap **out,
                   struct td_error *err);

void td_snap_free(struct td_snap *s);

/* Called with each token as soon as it is read (before the scan ends):
 * valid during the call only (take a reference to keep it). */
typedef void (*td_scan_token_fn)(const struct td_snap_token *t, void *ctx);

/* td_tokens_scan, calling fn for each token as it is read, so that a
 * slow module shows its first token before its last is read. */
int td_tokens_scan_each(struct td_tokens *t, td_scan_token_fn fn, void *ctx,
                        struct td_snap **out, struct td_error *err);

/* The first token with that serial, in any case or padding (and module,
 * when not NULL), or NULL.
 * The pointer belongs to s. */
const struct td_snap_token *td_snap_find(const struct td_snap *s,
                                         const char *serial,
                                         const char *module);

/* ---- USB table --------------------------------------------------------- */

/* Parse usb-tokens.tsv (columns: vid pid vendor model module match
 * source; '#' comments; header line "vid\t...").  On success *out is an
 * array owned by the caller, free with td_usb_models_free(). */
int td_usb_table_load(const char *path, struct td_usb_model **out, size_t *n,
                      struct td_error *err);
void td_usb_models_free(struct td_usb_model *m, size_t n);
/* The row for vid:pid, or NULL. */
const struct td_usb_model *td_usb_lookup(const struct td_usb_model *m,
                                         size_t n, uint16_t vid, uint16_t pid);

/* ---- doctor: why a token is not seen ----------------------------------- */

#define TD_DOCTOR_MAX 16

struct td_doctor_usb {           /* a device of a known token family */
	uint16_t vid, pid;
	char vendor[64], model[128], module[160], match[64];
	char shown_by[512];          /* a module showing a token of that family,
	                                or "" */
};

struct td_doctor_reader {        /* a reader pcscd knows */
	char name[128];
	int card;                    /* a card is in it */
	char atr[80];                /* its ATR, hex, when card */
	char claimed_by[512];        /* a module showing a token in it, or "" */
};

struct td_doctor_module {
	char path[512];
	char from[16];               /* "given" (--module, config) or "p11-kit" */
	int allowed;                 /* passed td_module_allowed */
	int loads;                   /* loaded (out of process) and scanned */
	char error[512];             /* why not, else "" */
	struct {
		char serial[64], slot[128], manufacturer[64];
	} tokens[TD_DOCTOR_MAX];
	size_t ntokens;
};

struct td_doctor {
	int usb_available;           /* libusb could list the bus */
	struct td_doctor_usb usb[TD_DOCTOR_MAX];
	size_t nusb;
	int pcsc_lib;                /* libpcsclite.so.1 could be loaded */
	char pcscd_socket[256];      /* $PCSCLITE_CSOCK_NAME or the system's */
	int pcscd_socket_exists, pcscd_running;
	struct td_doctor_reader readers[TD_DOCTOR_MAX];
	size_t nreaders;
	struct td_doctor_module mods[TD_DOCTOR_MAX];
	size_t nmods;
};

/* Gather, step by step, what decides whether a token is seen: USB
 * devices of the families in usb-tokens.tsv (unless o->no_usb); pcscd
 * (its socket, whether it answers; libpcsclite is opened at run time)
 * and its readers, each with a card's ATR; the modules o names and those
 * p11-kit registers, each checked against the allowlist (o->allow) and
 * loaded out of process and scanned (never logged into); which module
 * shows a token in each reader and of each USB family.  *out is the
 * caller's (td_doctor_free).  Returns 0, or TD_ERR_NOMEM. */
int td_doctor_run(const struct td_token_opts *o, struct td_doctor **out,
                  struct td_error *err);
void td_doctor_free(struct td_doctor *d);

/* The readers pcscd knows now (up to max into out), each with a card's
 * ATR; no module is loaded, so claimed_by stays "".  0 when PC/SC is not
 * installed or pcscd does not answer. */
size_t td_pcsc_readers(struct td_doctor_reader *out, size_t max);

/* ---- the watcher ------------------------------------------------------- */

enum td_watch_kind {
	TD_EV_INSERTED,     /* a token appeared (also each token present at the
	                       first td_watch_process) */
	TD_EV_REMOVED,      /* a token is gone; token is its last snapshot */
	TD_EV_CHANGED,      /* same identity, other flags/label/certificates */
	TD_EV_USB_ARRIVED,  /* a USB device of a known family arrived */
	TD_EV_USB_LEFT,     /* ... and left */
	TD_EV_USB_NO_DRIVER,/* it arrived, and after a grace period for the
	                       middleware (about 2 s) still no module shows a
	                       token of that family */
	TD_EV_MODULE_STOPPED/* out of process: a module's helper went away
	                       (the module crashed or aborted); its tokens
	                       are reported removed, and it is restarted */
};

struct td_watch_event {
	enum td_watch_kind kind;
	const struct td_snap_token *token; /* token events, else NULL */
	const struct td_usb_dev *usb;      /* USB events, else NULL */
	int initial;                       /* present when watching began */
	/* TD_EV_MODULE_STOPPED: the module's path, a short name for the
	 * operator ("SafeNet", "libsofthsm2.so") and what happened ("the
	 * SafeNet module stopped (signal 6)"); else NULL. */
	const char *module, *module_name, *message;
};

/* Called for each event; valid only during the call (take a reference to
 * keep the token).  Return 0 to go on; non-zero stops delivery of this
 * batch (the state is updated anyway) and is returned by td_watch_process. */
typedef int (*td_watch_fn)(const struct td_watch_event *ev, void *ctx);

struct td_watch_opts {
	int poll_ms;   /* rescan period; 0: 250 ms.  Clamped to 20..500 */
	int use_usb;   /* -1 auto (when libusb has hot-plug), 0 off, 1 on;
	                  0 in the struct means off: start from
	                  TD_WATCH_OPTS_DEFAULT */
	int usb_grace_ms; /* wait before TD_EV_USB_NO_DRIVER; 0: 2000 */
};
#define TD_WATCH_OPTS_DEFAULT { 250, -1, 2000 }

struct td_watch;

/* Watch the tokens of t (t must outlive the watcher).  Starts a helper
 * thread that makes td_watch_fd() readable every poll_ms and at once on
 * a libusb hot-plug arrival or departure.  The first td_watch_process()
 * reports every token present as TD_EV_INSERTED with initial=1. */
struct td_watch *td_watch_new(struct td_tokens *t,
                              const struct td_watch_opts *opts,
                              struct td_error *err);

/* Readable when td_watch_process() should be called: put it in your
 * poll() set (POLLIN).  Owned by the watcher. */
int td_watch_fd(const struct td_watch *w);

/* Drain the fd, rescan (in the calling thread), compare with the previous
 * scan and call fn for each change.  Cheap when nothing is due: only the
 * slot list and token info are read for tokens already known (their
 * certificates are kept), so a smart card is not re-read every tick.
 * Returns 0, fn's non-zero value, or a negative td_code. */
int td_watch_process(struct td_watch *w, td_watch_fn fn, void *ctx,
                     struct td_error *err);

/* The current state (after the last td_watch_process), owned by w. */
const struct td_snap *td_watch_snapshot(const struct td_watch *w);

/* 1 when libusb hot-plug events are being delivered, 0 when polling only
 * (no libusb, no hot-plug capability, or use_usb=0). */
int td_watch_usb_active(const struct td_watch *w);

/* Stop the thread, close the fd, free.  NULL allowed. */
void td_watch_free(struct td_watch *w);

/* ---- proof of possession ----------------------------------------------- */

enum td_pop_outcome {
	TD_POP_MATCH,         /* the token's key signed, the certificate verified */
	TD_POP_MISMATCH,      /* signed, but the certificate's key does not verify */
	TD_POP_PIN_WRONG,     /* the token refused the PIN; see tries_left */
	TD_POP_PIN_LOCKED,    /* the PIN is locked: token recovery needed */
	TD_POP_FINAL_TRY,     /* refused: final try and force was not given */
	TD_POP_NO_KEY,        /* no certificate on the token has a private key */
	TD_POP_REMOVED        /* the token went away during the operation */
};

struct td_pop_result {
	enum td_pop_outcome outcome;
	int tries_left;       /* 1 when the token says final try, 0 when locked,
	                         -1 when the token does not say */
	unsigned flags;       /* token flags after the attempt */
	char cert_serial[80]; /* the certificate proved (or tried) */
	char subject[512];    /* its subject, one line */
	char key_type[8];
	char detail[256];     /* one sentence for the operator */
};

const char *td_pop_outcome_name(enum td_pop_outcome o);

/* Prove that the token with serial token_serial (of module, or any when
 * NULL) holds the private key of its certificate: log in with pin, sign a
 * fresh 32-byte random challenge (SHA-256; RSA PKCS#1 v1.5 or ECDSA) with
 * the private key whose CKA_ID matches the certificate, and verify the
 * signature with the certificate's public key.  cert_serial selects the
 * certificate (any spelling); NULL takes each certificate that has a
 * private key until one proves, CA certificates last.
 * A token flagged PIN-locked is not logged into.  A token flagged final
 * try is not logged into unless force is 1 (a wrong PIN would lock it).
 * The PIN is passed to the module and not copied by tokendesk; libp11
 * keeps its own copy for re-login, which is cleansed here by logging out
 * and releasing the slots before returning.  If the module had to be
 * reloaded since the snapshot, the slot is found again by serial.
 * Returns 0 with *res filled for every outcome above; TD_ERR_NOTFOUND
 * when no such token or certificate; TD_ERR_TOKEN on a module failure. */
int td_token_prove(struct td_tokens *t, const char *token_serial,
                   const char *module, const char *cert_serial,
                   const struct td_secbuf *pin, int force,
                   struct td_pop_result *res, struct td_error *err);

/* ---- signing (src/token/sign.c) ------------------------------------------ */

/* Sign data[0..len) on the token with serial token_serial as CMS
 * SignedData: SHA-256, RSA PKCS#1 v1.5 or ECDSA, the signer's certificate
 * included, the ESS signing-certificate-v2 attribute (CAdES), no signing
 * time attribute (PAdES puts the time in the signature dictionary) and no
 * S/MIME capabilities.  detached=1 leaves the content out (a PDF's byte
 * ranges), 0 includes it (an audit checkpoint).  The certificate is
 * cert_serial's (any spelling) or the first with a private key, CA
 * certificates last.  The PIN rules are td_token_prove's: a locked PIN
 * or an unforced final try is refused without logging in; a refused PIN
 * is reported in *res (PIN_WRONG, PIN_LOCKED with tries_left).  Returns
 * 0 with *res filled; when res->outcome is TD_POP_MATCH, *der (release
 * with free()) and *der_len hold the DER CMS and res names the signer's
 * certificate; otherwise *der is NULL.  TD_ERR_NOTFOUND when no such
 * token or certificate; TD_ERR_TOKEN when the module failed to sign. */
int td_token_sign_cms(struct td_tokens *t, const char *token_serial,
                      const char *cert_serial, const struct td_secbuf *pin,
                      int force, const unsigned char *data, size_t len,
                      int detached, unsigned char **der, size_t *der_len,
                      struct td_pop_result *res, struct td_error *err);

#endif

/* cmd_scan.c: tokendesk scan [--json] [--watch] - the tokens on the desk
 * and how each matches the registry. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/commands.h"
#include "tokendesk/match.h"
#include "tokendesk/text.h"
#include "tokendesk/token.h"

struct scan_ctx {
	struct td_registry *reg;     /* NULL with --no-match */
	struct td_match_opts mopts;
	int json;
	int status;                  /* EX_SOFTWARE once a match failed */
};

/* ---- JSON -------------------------------------------------------------- */

static json_t *json_dn(const struct td_dn *dn)
{
	json_t *a = json_array();

	for (size_t i = 0; i < dn->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s}", "name", dn->attrs[i].name,
		                                   "value", dn->attrs[i].value));
	return a;
}

static json_t *json_cert(const struct td_snap_cert *c)
{
	json_t *o = json_pack("{s:s, s:s, s:b}", "label", c->label, "key_id",
	                      c->key_id, "malformed", c->malformed);

	if (c->malformed) {
		json_object_set_new(o, "problem", json_string(c->problem));
		return o;
	}
	json_object_set_new(o, "serial", json_string(c->serial));
	json_object_set_new(o, "subject", json_string(c->subject.text));
	json_object_set_new(o, "subject_attrs", json_dn(&c->subject));
	json_object_set_new(o, "issuer", json_string(c->issuer.text));
	json_object_set_new(o, "issuer_attrs", json_dn(&c->issuer));
	json_object_set_new(o, "not_before", json_string(c->not_before));
	json_object_set_new(o, "not_after", json_string(c->not_after));
	json_object_set_new(o, "sha256", json_string(c->fingerprint));
	json_object_set_new(o, "key_type", json_string(c->key_type));
	json_object_set_new(o, "key_bits", json_integer(c->key_bits));
	json_object_set_new(o, "ca", json_boolean(c->is_ca));
	return o;
}

static json_t *json_flags(unsigned flags)
{
	json_t *a = json_array();

	for (unsigned i = 0; i < TD_TOK_NFLAGS; i++)
		if (flags & (1u << i))
			json_array_append_new(a, json_string(td_tok_flag_name(1u << i)));
	return a;
}

static json_t *json_match(const struct td_match_result *m)
{
	json_t *f = json_array();

	for (size_t i = 0; i < m->n; i++)
		json_array_append_new(f, json_pack(
			"{s:s, s:s, s:s, s:s}", "outcome",
			td_match_outcome_name(m->findings[i].outcome), "certificate",
			m->findings[i].cert_serial, "registry", m->findings[i].registry,
			"token", m->findings[i].token));
	return json_pack("{s:s, s:o}", "outcome", td_match_outcome_name(m->outcome),
	                 "findings", f);
}

static json_t *json_token(const struct td_snap_token *t, const struct td_match_result *m)
{
	json_t *certs = json_array();
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:o}",
	                      "serial", t->serial, "label", t->label,
	                      "manufacturer", t->manufacturer, "model", t->model,
	                      "module", t->module, "slot", t->slot_desc,
	                      "slot_id", (json_int_t)t->slot_id,
	                      "flags", json_flags(t->flags));
	char usb[10];

	for (size_t i = 0; i < t->ncerts; i++)
		json_array_append_new(certs, json_cert(&t->certs[i]));
	json_object_set_new(o, "certificates", certs);
	snprintf(usb, sizeof usb, "%04x:%04x", t->usb_vid, t->usb_pid);
	json_object_set_new(o, "usb", t->usb_vid ? json_string(usb) : json_null());
	json_object_set_new(o, "match", m ? json_match(m) : json_null());
	return o;
}

static json_t *json_usb(const struct td_usb_dev *u)
{
	char id[10];

	snprintf(id, sizeof id, "%04x:%04x", u->vid, u->pid);
	return json_pack("{s:s, s:s, s:s, s:s, s:b}", "usb", id,
	                 "vendor", u->known ? u->known->vendor : "",
	                 "model", u->known ? u->known->model : "",
	                 "module", u->known ? u->known->module : "",
	                 "no_driver", u->no_driver);
}

/* ---- text -------------------------------------------------------------- */

#define N_(s) s

/* Codes a person reads in the text output: each is its own English msgid
 * (English keeps the codes scripts grep for, Vietnamese says them in
 * words); --json keeps codes. */
static const char *const scan_words[] = {
	/* match outcomes (td_match_outcome_name) */
	N_("matched"), N_("expired"), N_("tagged"), N_("subject-differs"),
	N_("other-certificate"), N_("custody"), N_("out-of-scope"), N_("unknown-token"),
	/* token flags (td_tok_flag_name) */
	N_("login-required"), N_("user-pin-initialized"), N_("pin-count-low"),
	N_("pin-final-try"), N_("pin-locked"), N_("protected-auth-path"),
	N_("initialized"), N_("read-only"), N_("pin-to-be-changed"),
	/* --watch events */
	N_("inserted"), N_("removed"), N_("changed"), N_("usb-arrived"),
	N_("usb-left"), N_("usb-no-driver"), N_("module-stopped"),
	/* what the token layer says of a malformed certificate (x509.c) */
	N_("not a DER X.509 certificate"), N_("trailing bytes after the certificate"),
	N_("negative serial number (RFC 5280 requires a positive one)"),
};

static const char *word(const char *code)
{
	for (size_t i = 0; code && i < sizeof scan_words / sizeof *scan_words; i++)
		if (strcmp(code, scan_words[i]) == 0)
			return td_cli_T(scan_words[i]);
	return code ? code : "";
}

static void print_flags(unsigned flags)
{
	/* English lists the codes as words; words in Vietnamese have spaces */
	const char *sep = td_cli_speaks_other() ? ", " : " ";
	int first = 1;

	td_cli_printf("  flags:");
	for (unsigned i = 0; i < TD_TOK_NFLAGS; i++)
		if (flags & (1u << i)) {
			printf("%s%s", first ? " " : sep, word(td_tok_flag_name(1u << i)));
			first = 0;
		}
	if (flags)
		printf("\n");
	else
		td_cli_printf(" (none reported)\n");
}

static void print_cert(size_t i, const struct td_snap_cert *c)
{
	if (c->malformed) {
		td_cli_printf("  cert %zu: MALFORMED object (label \"%s\", key id %s): %s\n",
		              i + 1, c->label, c->key_id, word(c->problem));
		return;
	}
	if (c->is_ca)
		td_cli_printf("  cert %zu: serial %s, key id %s, %s %d, CA, valid %.10s .. %.10s\n",
		              i + 1, c->serial, c->key_id, c->key_type, c->key_bits,
		              c->not_before, c->not_after);
	else
		td_cli_printf("  cert %zu: serial %s, key id %s, %s %d, valid %.10s .. %.10s\n",
		              i + 1, c->serial, c->key_id, c->key_type, c->key_bits,
		              c->not_before, c->not_after);
	td_cli_printf("    subject: %s\n    issuer:  %s\n    sha256:  %s\n",
	              c->subject.text, c->issuer.text, c->fingerprint);
}

static void print_match(const struct td_match_result *m)
{
	td_cli_printf("  match: %s\n", word(td_match_outcome_name(m->outcome)));
	for (size_t i = 0; i < m->n; i++) {
		if (m->n > 1 || m->findings[i].outcome != m->outcome)
			printf("    %s:\n", word(td_match_outcome_name(m->findings[i].outcome)));
		td_cli_printf("    registry: %s\n    token:    %s\n",
		              m->findings[i].registry, m->findings[i].token);
	}
}

static void print_token(const struct td_snap_token *t, const struct td_match_result *m)
{
	td_cli_printf("token %s \"%s\" (%s %s)", t->serial, t->label, t->manufacturer,
	              t->model);
	if (t->usb_vid)
		td_cli_printf(" usb %04x:%04x", t->usb_vid, t->usb_pid);
	td_cli_printf("\n  module: %s\n", t->module);
	print_flags(t->flags);
	for (size_t i = 0; i < t->ncerts; i++)
		print_cert(i, &t->certs[i]);
	if (t->ncerts == 0)
		td_cli_printf("  no certificate\n");
	if (m)
		print_match(m);
}

static void print_usb(const char *prefix, const struct td_usb_dev *u)
{
	printf("%s%04x:%04x %s %s", prefix, u->vid, u->pid,
	       u->known ? u->known->vendor : "?", u->known ? u->known->model : "?");
	if (u->no_driver)
		td_cli_printf(": plugged in, no driver (install %s)",
		              u->known ? u->known->module : td_cli_T("its PKCS#11 module"));
	printf("\n");
}

/* ---- one-shot scan ----------------------------------------------------- */

static int match_one(struct scan_ctx *sc, const struct td_snap_token *t,
                     struct td_match_result *m)
{
	struct td_error err;

	if (!sc->reg)
		return 0;
	if (td_match_token(sc->reg, t, &sc->mopts, m, &err) != 0) {
		td_cli_print_error(&err);
		return -1;
	}
	return 1;
}

/* Text: each token is printed as the module gives it (td_tokens_scan_each),
 * so a slow module shows its first token before the last is read. */
/* No token, yet a card in a reader: no module loaded knows the card
 * (its middleware is missing).  Say so rather than a bare "no token". */
static void unclaimed_cards(void)
{
	struct td_doctor_reader r[TD_DOCTOR_MAX];
	size_t n = td_pcsc_readers(r, TD_DOCTOR_MAX);

	for (size_t i = 0; i < n; i++)
		if (r[i].card)
			td_cli_eprintf("tokendesk: a card is in reader %s (ATR %s), but no "
			               "module loaded shows a token in it: install its "
			               "middleware or OpenSC; `tokendesk doctor` tells more\n",
			               r[i].name, r[i].atr);
}

static void print_as_read(const struct td_snap_token *t, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct td_match_result m;
	int have = match_one(sc, t, &m);

	if (have < 0)
		sc->status = EX_SOFTWARE;
	print_token(t, have > 0 ? &m : NULL);
	if (have > 0)
		td_match_result_clear(&m);
	fflush(stdout);
}

static int report_snapshot(struct scan_ctx *sc, const struct td_snap *s)
{
	json_t *toks = json_array(), *usb = json_array();
	int status = sc->status;

	for (size_t i = 0; sc->json && i < s->ntokens; i++) {
		struct td_match_result m;
		int have = match_one(sc, s->tokens[i], &m);
		if (have < 0)
			status = EX_SOFTWARE;
		json_array_append_new(toks, json_token(s->tokens[i], have > 0 ? &m : NULL));
		if (have > 0)
			td_match_result_clear(&m);
	}
	for (size_t i = 0; i < s->nusb; i++) {
		if (sc->json)
			json_array_append_new(usb, json_usb(&s->usb[i]));
		else if (s->usb[i].no_driver)
			print_usb("usb ", &s->usb[i]);
	}
	if (sc->json) {
		json_t *o = json_pack("{s:o, s:o, s:s?}", "tokens", toks, "usb", usb,
		                      "warnings", s->warnings);
		json_dumpf(o, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(o);
	} else {
		json_decref(toks);
		json_decref(usb);
		if (s->ntokens == 0) {
			td_cli_printf("no token\n");
			unclaimed_cards();
		}
		if (s->warnings)
			td_cli_eprintf("tokendesk: %s", s->warnings);
	}
	return status;
}

/* ---- --watch ----------------------------------------------------------- */

static const char *kind_name(enum td_watch_kind k)
{
	static const char *const names[] = { "inserted", "removed", "changed",
	                                     "usb-arrived", "usb-left",
	                                     "usb-no-driver", "module-stopped" };
	return names[k];
}

static void watch_line_text(struct scan_ctx *sc, const struct td_watch_event *ev,
                            const char *when, const struct td_match_result *m)
{
	char local[64];

	(void)sc;
	/* translated, the time where the reader is; English keeps the UTC
	 * stamp that logs and scripts read */
	printf("%s %s", td_cli_speaks_other()
	                ? td_cli_time_seconds(when, local, sizeof local) : when,
	       word(kind_name(ev->kind)));
	if (ev->token) {
		td_cli_printf(" %s \"%s\" (%s %s) module %s", ev->token->serial,
		              ev->token->label, ev->token->manufacturer, ev->token->model,
		              ev->token->module);
		if (m)
			td_cli_printf(" match %s", word(td_match_outcome_name(m->outcome)));
		printf("\n");
		/* What is wrong, also beside a match (an expired second
		 * certificate), as scan shows it. */
		for (size_t i = 0; m && i < m->n; i++)
			if (m->findings[i].outcome != TD_MATCH_OK)
				td_cli_printf("  registry: %s\n  token:    %s\n",
				              m->findings[i].registry, m->findings[i].token);
	} else if (ev->usb) {
		print_usb(" ", ev->usb);
	} else {
		printf(" %s\n", ev->message ? ev->message : "");
	}
}

static int on_event(const struct td_watch_event *ev, void *ctx)
{
	struct scan_ctx *sc = ctx;
	struct td_match_result m;
	char when[21];
	int have = 0;

	td_now_iso(when);
	if (ev->token && ev->kind != TD_EV_REMOVED)
		have = match_one(sc, ev->token, &m) > 0;
	if (sc->json) {
		json_t *o = ev->token ? json_token(ev->token, have ? &m : NULL)
		            : ev->usb ? json_usb(ev->usb)
		            : json_pack("{s:s, s:s}", "module", ev->module,
		                        "message", ev->message);
		json_object_set_new(o, "event", json_string(kind_name(ev->kind)));
		json_object_set_new(o, "at", json_string(when));
		json_object_set_new(o, "initial", json_boolean(ev->initial));
		json_dumpf(o, stdout, JSON_COMPACT);
		printf("\n");
		json_decref(o);
	} else {
		watch_line_text(sc, ev, when, have ? &m : NULL);
	}
	if (have)
		td_match_result_clear(&m);
	fflush(stdout);
	return 0;
}

static void announce(struct td_watch *w, void *ctx)
{
	if (!((struct scan_ctx *)ctx)->json)
		td_cli_eprintf("tokendesk: watching (%s); Ctrl-C stops\n",
		               td_watch_usb_active(w) ? td_cli_T("USB hot-plug and polling")
		                                      : td_cli_T("polling"));
}

/* ---- the command ------------------------------------------------------- */

struct scan_args {
	int json, watch, no_match, no_usb, poll_ms;
	const char *scope;
};

static int parse_args(int argc, char **argv, struct scan_args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "watch", no_argument, NULL, 'w' },
		{ "scope", required_argument, NULL, 's' },
		{ "no-match", no_argument, NULL, 'n' },
		{ "no-usb", no_argument, NULL, 'u' },
		{ "poll-ms", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	long long n;
	int c;

	memset(a, 0, sizeof *a);
	td_cli_getopt_reset();
	while ((c = td_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'j': a->json = 1; break;
		case 'w': a->watch = 1; break;
		case 's': a->scope = optarg; break;
		case 'n': a->no_match = 1; break;
		case 'u': a->no_usb = 1; break;
		case 'h':
			fputs(td_cli_T("Usage: tokendesk scan [--json] [--watch] [--scope CODE] [--no-match]\n"
			       "                      [--no-usb] [--poll-ms N]\n"
			       "List the tokens present (through the PKCS#11 modules: --module, the\n"
			       "config file, else p11-kit's proxy), their certificates and how each\n"
			       "matches the registry: matched, unknown token, other certificate,\n"
			       "expired, tagged, out of scope.  USB tokens no module shows are listed\n"
			       "as \"plugged in, no driver\" with the module to install.\n\n"
			       "  --watch        print one line per insertion and removal until Ctrl-C\n"
			       "  --scope CODE   this desk's agency subtree (else the config's scope)\n"
			       "  --no-match     do not open the registry\n"
			       "  --no-usb       do not watch USB hot-plug (poll only)\n"
			       "  --poll-ms N    rescan period, 20..500 ms (default 250)\n"), stdout);
			return TD_CLI_HELP_SHOWN;
		case 'p':
			if (td_cli_number("--poll-ms", optarg, 20, 500, &n) < 0)
				return EX_USAGE;
			a->poll_ms = (int)n;
			break;
		default: return EX_USAGE;
		}
	}
	if (optind < argc) {
		td_cli_fail("scan: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	return EX_OK;
}

int td_cmd_scan(struct td_cli *cli, int argc, char **argv)
{
	struct scan_args a;
	struct scan_ctx sc;
	struct td_tokens *t;
	struct td_snap *s = NULL;
	struct td_error err;
	int status = parse_args(argc, argv, &a);

	if (status == TD_CLI_HELP_SHOWN)
		return EX_OK;
	if (status != EX_OK)
		return status;
	memset(&sc, 0, sizeof sc);
	sc.json = a.json;
	/* Tokens first: their helper loads the module (C_Initialize, the
	 * slowest step) while the registry is opened here.  An error of
	 * either is said after both are tried, the registry's first. */
	t = td_session_tokens(td_cli_session(cli), a.no_usb, &err);
	if (!a.no_match && !(sc.reg = td_cli_registry(cli, 0, &status)))
		return status;
	sc.mopts.scope_agency = a.scope ? a.scope : cli->config.scope;
	if (t && sc.reg && sc.mopts.scope_agency &&
	    td_match_check_scope(sc.reg, sc.mopts.scope_agency, &err) < 0) {
		t = NULL;   /* the session closes it */
	}
	if (!t) {
		td_cli_print_error(&err);
		status = td_cli_status(err.code);
	} else if (a.watch) {
		status = td_cli_watch(t, a.poll_ms ? a.poll_ms : cli->config.poll_ms,
		                      a.no_usb, on_event, &sc, NULL, announce);
	} else if (td_tokens_scan_each(t, a.json ? NULL : print_as_read, &sc, &s,
	                               &err) != 0) {
		td_cli_print_error(&err);
		status = td_cli_status(err.code);
	} else {
		status = report_snapshot(&sc, s);
	}
	td_snap_free(s);
	return status;
}

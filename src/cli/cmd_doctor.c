/* cmd_doctor.c: tokendesk doctor - why a token is not seen, step by step:
 * the USB device, pcscd and its readers, the card and who claims it, the
 * modules and whether they load, and then one verdict saying what to
 * install or start.  In the operator's language (td_cli_T); --json for
 * scripts. */
#include <config.h>

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "cli/commands.h"
#include "tokendesk/token.h"

static size_t tokens_seen(const struct td_doctor *d)
{
	size_t n = 0;

	for (size_t i = 0; i < d->nmods; i++)
		n += d->mods[i].ntokens;
	return n;
}

/* snprintf of the translated en_fmt (xgettext: say). */
static void say(char *buf, size_t size, const char *en_fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *buf, size_t size, const char *en_fmt, ...)
{
	va_list ap;

	va_start(ap, en_fmt);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	vsnprintf(buf, size, td_cli_T(en_fmt), ap);
#pragma GCC diagnostic pop
	va_end(ap);
}

/* The first problem found, in the order a token travels: USB device,
 * pcscd, card, module.  Written into buf in the operator's language. */
static void verdict_of(const struct td_doctor *d, char *buf, size_t size)
{
	size_t loads = 0;

	for (size_t i = 0; i < d->nusb; i++)
		if (!d->usb[i].shown_by[0]) {
			say(buf, size, "%s %s is plugged in but no module shows "
			                             "it: install %s", d->usb[i].vendor,
			         d->usb[i].model, d->usb[i].module);
			return;
		}
	if (!d->pcsc_lib && (d->nusb || !tokens_seen(d))) {
		say(buf, size, "PC/SC is not installed: apt-get "
		                                   "install pcscd");
		return;
	}
	if (d->pcsc_lib && !d->pcscd_running && !tokens_seen(d)) {
		say(buf, size, "pcscd is not running: start it "
		                             "(systemctl start pcscd.socket); socket %s",
		         d->pcscd_socket);
		return;
	}
	for (size_t i = 0; i < d->nreaders; i++)
		if (d->readers[i].card && !d->readers[i].claimed_by[0]) {
			say(buf, size, "the card in %s (ATR %s) is claimed by no "
			                             "loaded module: install its middleware "
			                             "or OpenSC", d->readers[i].name,
			         d->readers[i].atr);
			return;
		}
	for (size_t i = 0; i < d->nmods; i++)
		loads += d->mods[i].loads;
	if (!loads) {
		say(buf, size, "no PKCS#11 module loads: install the "
		                                   "token's middleware or OpenSC");
		return;
	}
	if (!tokens_seen(d)) {
		say(buf, size, "no token is plugged in (or its reader "
		                                   "shows no card)");
		return;
	}
	say(buf, size, "%zu token(s) seen: nothing to fix", tokens_seen(d));
}

static void print_usb(const struct td_doctor *d)
{
	if (!d->usb_available)
		td_cli_printf("USB: the bus cannot be listed here (libusb sees no USB)\n");
	else if (!d->nusb)
		td_cli_printf("USB: no device of a known token family\n");
	for (size_t i = 0; i < d->nusb; i++) {
		const struct td_doctor_usb *u = &d->usb[i];
		td_cli_printf("USB: %04x:%04x %s %s\n", u->vid, u->pid, u->vendor, u->model);
		if (u->shown_by[0])
			td_cli_printf("     shown by %s\n", u->shown_by);
		else
			td_cli_printf("     no module shows it: its module is %s\n", u->module);
	}
}

static void print_pcsc(const struct td_doctor *d)
{
	if (!d->pcsc_lib)
		td_cli_printf("pcscd: libpcsclite is not installed (apt-get install pcscd)\n");
	else if (!d->pcscd_running)
		td_cli_printf("pcscd: not running (socket %s)\n", d->pcscd_socket);
	else
		td_cli_printf("pcscd: running (socket %s), %zu reader(s)\n", d->pcscd_socket,
		              d->nreaders);
	for (size_t i = 0; i < d->nreaders; i++) {
		const struct td_doctor_reader *r = &d->readers[i];
		if (!r->card)
			td_cli_printf("reader %s: no card\n", r->name);
		else if (r->claimed_by[0])
			td_cli_printf("reader %s: card ATR %s, shown by %s\n", r->name, r->atr,
			              r->claimed_by);
		else
			td_cli_printf("reader %s: card ATR %s, claimed by no loaded module\n",
			              r->name, r->atr);
	}
}

static void print_modules(const struct td_doctor *d)
{
	for (size_t i = 0; i < d->nmods; i++) {
		const struct td_doctor_module *m = &d->mods[i];
		if (m->loads)
			td_cli_printf("module %s (%s): loads, %zu token(s)\n", m->path, m->from,
			              m->ntokens);
		else if (!m->allowed)
			td_cli_printf("module %s (%s): refused: %s\n", m->path, m->from, m->error);
		else
			td_cli_printf("module %s (%s): does not load: %s\n", m->path, m->from,
			              m->error);
		for (size_t k = 0; k < m->ntokens; k++)
			td_cli_printf("  token %s in %s\n", m->tokens[k].serial, m->tokens[k].slot);
	}
}

static json_t *doctor_json(const struct td_doctor *d, const char *verdict)
{
	json_t *usb = json_array(), *readers = json_array(), *mods = json_array();
	char id[10];

	for (size_t i = 0; i < d->nusb; i++) {
		snprintf(id, sizeof id, "%04x:%04x", d->usb[i].vid, d->usb[i].pid);
		json_array_append_new(usb, json_pack("{s:s, s:s, s:s, s:s, s:s?}", "usb", id,
		        "vendor", d->usb[i].vendor, "model", d->usb[i].model,
		        "module", d->usb[i].module,
		        "shown_by", d->usb[i].shown_by[0] ? d->usb[i].shown_by : NULL));
	}
	for (size_t i = 0; i < d->nreaders; i++)
		json_array_append_new(readers, json_pack("{s:s, s:b, s:s?, s:s?}",
		        "reader", d->readers[i].name, "card", d->readers[i].card,
		        "atr", d->readers[i].card ? d->readers[i].atr : NULL,
		        "claimed_by", d->readers[i].claimed_by[0] ? d->readers[i].claimed_by
		                                                  : NULL));
	for (size_t i = 0; i < d->nmods; i++) {
		json_t *toks = json_array();
		for (size_t k = 0; k < d->mods[i].ntokens; k++)
			json_array_append_new(toks, json_pack("{s:s, s:s}", "serial",
			        d->mods[i].tokens[k].serial, "slot", d->mods[i].tokens[k].slot));
		json_array_append_new(mods, json_pack("{s:s, s:s, s:b, s:b, s:s?, s:o}",
		        "module", d->mods[i].path, "from", d->mods[i].from,
		        "allowed", d->mods[i].allowed, "loads", d->mods[i].loads,
		        "error", d->mods[i].error[0] ? d->mods[i].error : NULL,
		        "tokens", toks));
	}
	return json_pack("{s:b, s:o, s:{s:b, s:s, s:b, s:o}, s:o, s:s}",
	                 "usb_available", d->usb_available, "usb", usb,
	                 "pcscd", "installed", d->pcsc_lib, "socket", d->pcscd_socket,
	                 "running", d->pcscd_running, "readers", readers,
	                 "modules", mods, "verdict", verdict);
}

int td_cmd_doctor(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' }, { "no-usb", no_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
	};
	const struct td_token_config *cfg = &cli->config;
	struct td_token_opts o = { 0 };
	struct td_doctor *d = NULL;
	struct td_error err = { 0 };
	char verdict[700];
	int json = 0, c;

	td_cli_getopt_reset();
	while ((c = td_cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'j': json = 1; break;
		case 'u': o.no_usb = 1; break;
		case 'h':
			td_cli_printf("Usage: tokendesk doctor [--json] [--no-usb]\n"
			              "Why a token is not seen, step by step: USB devices of "
			              "known token families,\npcscd and its readers, a card's "
			              "ATR and which module claims it, the modules\ngiven and "
			              "those p11-kit registers and whether each loads; then what "
			              "to\ninstall or start.  Nothing is logged into.\n");
			return EX_OK;
		default: return EX_USAGE;
		}
	}
	if (optind < argc) {
		td_cli_fail("doctor: unexpected argument '%s'", argv[optind]);
		return EX_USAGE;
	}
	o.modules = cli->nmodules ? (const char *const *)cli->modules
	                          : (const char *const *)cfg->modules;
	o.nmodules = cli->nmodules ? (size_t)cli->nmodules : cfg->nmodules;
	o.allow = (const char *const *)cfg->allow;
	o.nallow = cfg->nallow;
	if (td_doctor_run(&o, &d, &err) != 0) {
		td_cli_print_error(&err);
		return td_cli_status(err.code);
	}
	verdict_of(d, verdict, sizeof verdict);
	if (json) {
		json_t *j = doctor_json(d, verdict);
		json_dumpf(j, stdout, JSON_INDENT(2));
		printf("\n");
		json_decref(j);
	} else {
		print_usb(d);
		print_pcsc(d);
		print_modules(d);
		td_cli_printf("verdict: %s\n", verdict);
	}
	td_doctor_free(d);
	return EX_OK;
}

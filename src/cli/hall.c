/* hall.c: a desk opened over SSH in a handover hall (docs/hall.md).
 *
 * Who: the host's authorized_keys binds each operator's key to a name
 * with a forced command, `tokendesk --operator-key NAME
 * --key-fingerprint SHA256:...`.  sshd runs that command only when that
 * key authenticated, so the name and fingerprint are the key's; what the
 * client asked to run arrives in $SSH_ORIGINAL_COMMAND and may only add
 * the forwarded socket and the language.  With sshd's ExposeAuthInfo,
 * $SSH_USER_AUTH names the key used, and it must be the bound one.
 *
 * Tokens: tokendesk-connect forwards the laptop's `p11-kit server`
 * socket; --p11-socket reads the tokens through p11-kit-client.so. */
#include <config.h>

#include <glob.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tokendesk/registry.h"
#include "tokendesk/sshkey.h"
#include "tokendesk/text.h"

/* Does $SSH_USER_AUTH (sshd's ExposeAuthInfo) show the key fp?  1 yes,
 * 0 no, -1 when there is no such file to ask.  *first: the first key
 * it names, for a binding that gave no fingerprint. */
static int auth_info_has(const char *fp, char *first, size_t size)
{
	const char *path = getenv("SSH_USER_AUTH");
	char line[16384];
	FILE *f;
	int found = 0;

	if (!path || !*path || !(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof line, f)) {
		struct td_ssh_key k;
		if (td_ssh_key_parse(line, "publickey", &k, NULL) < 0)
			continue;
		if (!*first)
			snprintf(first, size, "%s", k.fp);
		if (fp && strcmp(fp, k.fp) == 0)
			found = 1;
		td_ssh_key_clear(&k);
	}
	fclose(f);
	return found;
}

/* The words the client asked to run: "[tokendesk] [--p11-socket PATH]
 * [--lang LANG]", and nothing else, since the key opens the desk only. */
static int original_command(struct td_cli *cli)
{
	static char words[4096];
	const char *cmd = getenv("SSH_ORIGINAL_COMMAND");
	char *w, *save = NULL, **slot;

	if (!cmd || !*cmd)
		return EX_OK;
	if (strlen(cmd) >= sizeof words) {
		td_cli_fail("this key opens the desk only; the command asked is too long");
		return EX_NOPERM;
	}
	snprintf(words, sizeof words, "%s", cmd);
	w = strtok_r(words, " \t", &save);
	if (w && (strcmp(w, "tokendesk") == 0 ||
	          (strlen(w) > 10 && strcmp(w + strlen(w) - 10, "/tokendesk") == 0)))
		w = strtok_r(NULL, " \t", &save);
	for (; w; w = strtok_r(NULL, " \t", &save)) {
		slot = strcmp(w, "--p11-socket") == 0 ? (char **)&cli->p11_socket
		     : strcmp(w, "--lang") == 0 ? (char **)&cli->lang : NULL;
		if (!slot || !(*slot = strtok_r(NULL, " \t", &save))) {
			td_cli_fail("this key opens the desk only (with --p11-socket PATH "
			            "and --lang LANG); refused: '%s'", w);
			return EX_NOPERM;
		}
	}
	return EX_OK;
}

static int key_operator(struct td_cli *cli, int argc)
{
	const char *name = cli->operator_key, *fp = cli->key_fingerprint, *problem;
	char seen[TD_SSH_FP_MAX] = "";
	int has = auth_info_has(fp, seen, sizeof seen);

	if ((problem = td_text_problem(name)) || !*name) {
		td_cli_fail("--operator-key: %s", problem ? problem : "empty name");
		return EX_USAGE;
	}
	if (fp && has == 0) {
		td_cli_fail("the SSH key used (%s) is not the one bound to %s (%s)",
		            seen[0] ? seen : "none", name, fp);
		return EX_NOPERM;
	}
	if (!fp && seen[0])
		fp = seen;
	snprintf(cli->operator_buf, sizeof cli->operator_buf, "%s (ssh %s)", name,
	         fp ? fp : "key");
	if (strlen(cli->operator_buf) > TD_OPERATOR_MAX) {
		td_cli_fail("--operator-key: the name is longer than %d bytes",
		            TD_OPERATOR_MAX - (int)(strlen(cli->operator_buf) -
		                                     strlen(name)));
		return EX_USAGE;
	}
	/* the key's name wins over --operator and $TOKENDESK_OPERATOR */
	cli->operator_name = cli->operator_buf;
	return argc < 2 ? original_command(cli) : EX_OK;
}

/* Where Debian puts p11-kit's client module (package p11-kit-modules). */
static int client_module(char *out, size_t size)
{
	glob_t g;
	int rc = glob("/usr/lib/*/pkcs11/p11-kit-client.so", 0, NULL, &g);

	if (rc == 0 && g.gl_pathc > 0)
		snprintf(out, size, "%s", g.gl_pathv[0]);
	globfree(&g);
	return rc == 0 ? 0 : -1;
}

static int forwarded_tokens(struct td_cli *cli, int desk)
{
	static char module[4096], address[4200];
	const char *path = cli->p11_socket;
	struct stat st;

	/* written into a D-Bus style address unescaped: keep it plain */
	if (path[0] != '/' || strspn(path, "abcdefghijklmnopqrstuvwxyz"
	                             "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-+") !=
	                      strlen(path)) {
		td_cli_fail("--p11-socket: '%s' is not an absolute path of letters, "
		            "digits and / . _ - +", path);
		return EX_USAGE;
	}
	if (lstat(path, &st) < 0 || !S_ISSOCK(st.st_mode) || st.st_uid != geteuid()) {
		td_cli_fail("--p11-socket: %s is not a socket of this account "
		            "(tokendesk-connect forwards one)", path);
		return EX_UNAVAILABLE;
	}
	if (client_module(module, sizeof module) < 0) {
		td_cli_fail("p11-kit-client.so not found: install p11-kit-modules");
		return EX_UNAVAILABLE;
	}
	/* a dropped laptop makes p11-kit-client write to a closed socket:
	 * that must be a token error, not a SIGPIPE that kills the desk
	 * before it restores the terminal and removes the socket */
	signal(SIGPIPE, SIG_IGN);
	snprintf(address, sizeof address, "unix:path=%s", path);
	setenv("P11_KIT_SERVER_ADDRESS", address, 1);
	cli->modules[0] = module;
	cli->nmodules = 1;
	/* the desk tokendesk-connect opened ends the forward's life: sshd
	 * leaves the socket behind; a command leaves it to its maker */
	cli->p11_forwarded = desk;
	return EX_OK;
}

void td_cli_hall_done(struct td_cli *cli)
{
	/* sshd leaves a forwarded socket behind when the session ends */
	if (cli->p11_forwarded)
		unlink(cli->p11_socket);
}

int td_cli_hall_setup(struct td_cli *cli, int argc)
{
	int status;

	if (cli->operator_key && (status = key_operator(cli, argc)) != EX_OK)
		return status;
	return cli->p11_socket ? forwarded_tokens(cli, argc < 2) : EX_OK;
}

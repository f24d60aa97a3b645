/* cmd_hall.c: tokendesk hall add-operator NAME KEYFILE: the
 * authorized_keys line that binds an operator's SSH key to a name on the
 * hall's registry host (docs/hall.md). */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "tokendesk/registry.h"
#include "tokendesk/sshkey.h"
#include "tokendesk/text.h"

#ifndef TD_BINDIR
#define TD_BINDIR "/usr/local/bin"
#endif

/* Text that goes between single quotes inside command="...": the
 * user's shell reads it, so no quote or backslash may end it early. */
static int quotable(const char *what, const char *s)
{
	const char *problem = td_text_problem(s);

	if (!problem && strpbrk(s, "'\"\\"))
		problem = "it may not hold quotes or backslashes";
	if (problem)
		td_cli_fail("%s: %s", what, problem);
	return problem == NULL;
}

static int read_key(const char *file, struct td_ssh_key *k)
{
	char line[16384];
	struct td_error err;
	FILE *f = fopen(file, "r");

	if (!f) {
		td_cli_fail("%s: %s", file, strerror(errno));
		return errno == ENOENT ? EX_NOINPUT : EX_IOERR;
	}
	if (!fgets(line, sizeof line, f))
		line[0] = '\0';
	fclose(f);
	if (td_ssh_key_parse(line, NULL, k, &err) < 0) {
		td_cli_fail("%s: %s", file, err.message);
		return EX_DATAERR;
	}
	return EX_OK;
}

/* 1 when file already holds the key (its base64), 0 when not or absent. */
static int already_there(const char *file, const char *blob64)
{
	char line[16384];
	FILE *f = fopen(file, "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof line, f))
		found = strstr(line, blob64) != NULL;
	if (f)
		fclose(f);
	return found;
}

static int append_line(const char *file, const char *line, const char *blob64)
{
	int fd;
	ssize_t n;

	if (already_there(file, blob64)) {
		td_cli_fail("%s already holds this key: remove its line first", file);
		return EX_DATAERR;
	}
	if ((fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		td_cli_fail("%s: %s", file, strerror(errno));
		return EX_CANTCREAT;
	}
	n = write(fd, line, strlen(line));
	if (close(fd) < 0 || n != (ssize_t)strlen(line)) {
		td_cli_fail("%s: cannot write the line", file);
		return EX_IOERR;
	}
	return EX_OK;
}

static int usage_text(void)
{
	td_cli_printf("Usage: tokendesk hall add-operator NAME KEYFILE [--append FILE]\n"
	       "                        [--program PATH]\n"
	       "Print the authorized_keys line that binds the SSH public key in\n"
	       "KEYFILE (an operator's id_ed25519.pub) to NAME on this registry\n"
	       "host: a forced command opens the desk on the registry (--db,\n"
	       "--config as given here), records NAME and the key's fingerprint\n"
	       "in every audit row, and lets neither --operator nor\n"
	       "$TOKENDESK_OPERATOR change them.  --append FILE adds the line to\n"
	       "FILE (e.g. ~/.ssh/authorized_keys, created 0600) instead.\n"
	       "--program: the tokendesk to run (default %s/tokendesk).\n"
	       "See docs/hall.md.\n", TD_BINDIR);
	return EX_OK;
}

static int add_operator(struct td_cli *cli, const char *name, const char *keyfile,
                        const char *append, const char *program)
{
	char line[20000], db[PATH_MAX], conf[PATH_MAX + 16] = "";
	struct td_ssh_key k;
	int status;

	if (!quotable("operator name", name) || !quotable("--program", program))
		return EX_USAGE;
	if (strlen(name) > TD_OPERATOR_MAX - 60) {
		td_cli_fail("operator name: longer than %d bytes", TD_OPERATOR_MAX - 60);
		return EX_USAGE;
	}
	/* the line is read later, from the user's home: absolute paths */
	if (!realpath(cli->db_path, db)) {
		td_cli_fail("%s: %s (make the registry first: tokendesk init)",
		            cli->db_path, strerror(errno));
		return EX_NOINPUT;
	}
	if (!quotable("registry path", db))
		return EX_USAGE;
	if (cli->config_path) {
		char real[PATH_MAX];
		if (!realpath(cli->config_path, real) || !quotable("--config", real))
			return EX_USAGE;
		snprintf(conf, sizeof conf, " --config '%s'", real);
	}
	if ((status = read_key(keyfile, &k)) != EX_OK)
		return status;
	snprintf(line, sizeof line, "command=\"'%s' --db '%s'%s --operator-key '%s' "
	         "--key-fingerprint %s\",restrict,pty,port-forwarding %s %s "
	         "tokendesk-operator\n", program, db, conf, name, k.fp, k.type,
	         k.blob64);
	if (append) {
		status = append_line(append, line, k.blob64);
		if (status == EX_OK && !cli->quiet)
			td_cli_printf("%s (%s) may now open the desk: %s\n", name, k.fp, append);
	} else {
		fputs(line, stdout);   /* for scripts: the authorized_keys line */
	}
	td_ssh_key_clear(&k);
	return status;
}

int td_cmd_hall(struct td_cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "append", required_argument, NULL, 'a' },
		{ "program", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *append = NULL, *program = TD_BINDIR "/tokendesk";
	int c;

	while ((c = td_cli_getopt(argc, argv, "a:p:h", opts)) != -1) {
		if (c == 'a')
			append = optarg;
		else if (c == 'p')
			program = optarg;
		else if (c == 'h')
			return usage_text();
		else
			return EX_USAGE;
	}
	if (argc - optind != 3 || strcmp(argv[optind], "add-operator") != 0) {
		td_cli_fail("usage: tokendesk hall add-operator NAME KEYFILE "
		            "[--append FILE]");
		return EX_USAGE;
	}
	return add_operator(cli, argv[optind + 1], argv[optind + 2], append, program);
}

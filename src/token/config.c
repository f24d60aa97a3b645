/* config.c: the token settings of the config file. */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tokendesk/text.h"
#include "tokendesk/token.h"

static int push(char ***v, size_t *n, const char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof *nv);

	if (!nv)
		return TD_ERR_NOMEM;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return TD_ERR_NOMEM;
	nv[++*n] = NULL;
	return 0;
}

/* The handover's place, printed on every record (td_session_place): held
 * to the rules of text typed at --place, and a room's name long. */
static int set_place(struct td_token_config *c, const char *val,
                     const char *path, long line, struct td_error *err)
{
	const char *problem = td_text_problem(val);

	if (strlen(val) > TD_CONFIG_PLACE_MAX)
		return td_error_set_at(err, TD_ERR_DATA, path, line, "place",
		                       "longer than %d bytes", TD_CONFIG_PLACE_MAX);
	if (problem)
		return td_error_set_at(err, TD_ERR_DATA, path, line, "place",
		                       "%s", problem);
	free(c->place);
	return (c->place = strdup(val)) ? 0 : TD_ERR_NOMEM;
}

/* How long a write waits for another writer's lock (the registry's,
 * read by the front ends): from a tenth of a second to an hour. */
static int set_busy_ms(struct td_token_config *c, const char *val,
                       const char *path, long line, struct td_error *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(val, &end, 10);
	if (errno || end == val || *end || v < TD_CONFIG_BUSY_MS_MIN ||
	    v > TD_CONFIG_BUSY_MS_MAX)
		return td_error_set_at(err, TD_ERR_DATA, path, line, "busy-ms",
		                       "busy-ms must be %d..%d (milliseconds)",
		                       TD_CONFIG_BUSY_MS_MIN, TD_CONFIG_BUSY_MS_MAX);
	c->busy_ms = (int)v;
	return 0;
}

static int set_key(struct td_token_config *c, const char *key, const char *val,
                   const char *path, long line, struct td_error *err)
{
	char *end;
	long v;

	if (strcmp(key, "module") == 0)
		return push(&c->modules, &c->nmodules, val);
	if (strcmp(key, "allow-module") == 0)
		return push(&c->allow, &c->nallow, val);
	if (strcmp(key, "scope") == 0) {
		free(c->scope);
		return (c->scope = strdup(val)) ? 0 : TD_ERR_NOMEM;
	}
	if (strcmp(key, "poll-ms") == 0) {
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || *end || v < 20 || v > 500)
			return td_error_set_at(err, TD_ERR_DATA, path, line, key,
			                       "poll-ms must be 20..500");
		c->poll_ms = (int)v;
		return 0;
	}
	if (strcmp(key, "place") == 0)
		return set_place(c, val, path, line, err);
	if (strcmp(key, "busy-ms") == 0)
		return set_busy_ms(c, val, path, line, err);
	if (strcmp(key, "scan-gap-ms") == 0) {
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || end == val || *end || v < TD_CONFIG_SCAN_GAP_MS_MIN ||
		    v > TD_CONFIG_SCAN_GAP_MS_MAX)
			return td_error_set_at(err, TD_ERR_DATA, path, line, key,
			                       "scan-gap-ms must be %d..%d (milliseconds)",
			                       TD_CONFIG_SCAN_GAP_MS_MIN,
			                       TD_CONFIG_SCAN_GAP_MS_MAX);
		c->scan_gap_ms = (int)v;
		return 0;
	}
	/* A misspelt "scope" would leave the desk matching every agency's
	 * tokens without a word: refused, as ssh refuses a bad option. */
	return td_error_set_at(err, TD_ERR_DATA, path, line, key, "unknown setting;"
	                       " the settings are module, allow-module, poll-ms,"
	                       " scope, place, busy-ms and scan-gap-ms");
}

/* The config file names the modules to load and widens their
 * allowlist: one that another user wrote, or could write, would choose
 * the code we run.  Checked on the open file, which is the one read. */
static int config_file_safe(FILE *f, const char *path, struct td_error *err)
{
	struct stat st;

	if (fstat(fileno(f), &st) != 0)
		return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	if (st.st_uid != 0 && st.st_uid != geteuid())
		return td_error_set_at(err, TD_ERR_PERM, path, 0, NULL,
		                       "owned by another user (uid %lu): refused, "
		                       "because it names the PKCS#11 modules to load "
		                       "(use a config file of your own or root's)",
		                       (unsigned long)st.st_uid);
	if (st.st_mode & (S_IWGRP | S_IWOTH))
		return td_error_set_at(err, TD_ERR_PERM, path, 0, NULL,
		                       "writable by group or others: refused, because "
		                       "it names the PKCS#11 modules to load "
		                       "(chmod go-w %s)", path);
	return 0;
}

int td_token_config_load(const char *path, struct td_token_config *c,
                         struct td_error *err)
{
	FILE *f = fopen(path, "r");
	char buf[4096];
	long line = 0;
	int rc = 0;

	memset(c, 0, sizeof *c);
	if (!f)   /* a missing input is 66, as every other */
		return td_error_set_at(err, errno == ENOENT || errno == ENOTDIR ?
		                       TD_ERR_NOTFOUND : TD_ERR_IO, path, 0, NULL, "%s",
		                       strerror(errno));
	if ((rc = config_file_safe(f, path, err)) != 0) {
		fclose(f);
		return rc;
	}
	while (rc == 0 && fgets(buf, sizeof buf, f)) {
		char *eq, *key;
		line++;
		buf[strcspn(buf, "#\r\n")] = '\0';
		key = td_trim(buf);
		if (!*key || *key == '[')
			continue;
		if (!(eq = strchr(key, '='))) {
			rc = td_error_set_at(err, TD_ERR_DATA, path, line, NULL,
			                     "'%s' is not a setting: write key = value", key);
			break;
		}
		*eq = '\0';
		rc = set_key(c, td_trim(key), td_trim(eq + 1), path, line, err);
	}
	/* a directory opens, and fails only when read */
	if (rc == 0 && ferror(f))
		rc = td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	fclose(f);
	if (rc == TD_ERR_NOMEM)
		td_error_set(err, rc, "out of memory");
	if (rc != 0)
		td_token_config_clear(c);
	return rc;
}

static void strv_free(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void td_token_config_clear(struct td_token_config *c)
{
	strv_free(c->modules, c->nmodules);
	strv_free(c->allow, c->nallow);
	free(c->scope);
	free(c->place);
	memset(c, 0, sizeof *c);
}

struct td_tokens *td_tokens_open_with_config(const char *const *modules,
                                             size_t nmodules,
                                             const struct td_token_config *cfg,
                                             int no_usb,
                                             struct td_error *err)
{
	static const struct td_token_config none;
	struct td_token_opts o;

	if (!cfg)
		cfg = &none;
	memset(&o, 0, sizeof o);
	o.modules = nmodules ? modules : (const char *const *)cfg->modules;
	o.nmodules = nmodules ? nmodules : cfg->nmodules;
	o.allow = (const char *const *)cfg->allow;
	o.nallow = cfg->nallow;
	o.no_usb = no_usb;
	return td_tokens_open(&o, err);
}

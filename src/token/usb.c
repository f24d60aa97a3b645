/* usb.c: the table of USB token families, the devices on the bus, and
 * libusb hot-plug.
 *
 * PKCS#11 does not say which USB device a token lives on, so a device is
 * tied to tokens by family: the table says what manufacturer/model string
 * a module shows for that VID:PID.  A device of a known family with fewer
 * tokens of that family than devices is "plugged in, no driver". */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libusb.h>

#include "tokendesk/text.h"
#include "internal.h"

/* ---- the table --------------------------------------------------------- */

void td_usb_models_free(struct td_usb_model *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++) {
		free(m[i].vendor);
		free(m[i].model);
		free(m[i].module);
		free(m[i].match);
		free(m[i].source);
	}
	free(m);
}

static int parse_hex16(const char *s, uint16_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 16);
	if (errno || *end || end == s || v > 0xffff || strlen(s) != 4)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

/* Split line on tabs into at most 7 fields; returns the count. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;

	line[strcspn(line, "\r\n")] = '\0';
	while (n < max) {
		f[n++] = line;
		if (!(line = strchr(line, '\t')))
			break;
		*line++ = '\0';
	}
	return n;
}

static int parse_row(char *line, struct td_usb_model *m, const char *path,
                     long lineno, struct td_error *err)
{
	char *f[7];

	if (split_tabs(line, f, 7) != 7)
		return td_error_set_at(err, TD_ERR_DATA, path, lineno, NULL,
		                       "expected 7 tab-separated columns");
	if (parse_hex16(f[0], &m->vid) || parse_hex16(f[1], &m->pid))
		return td_error_set_at(err, TD_ERR_DATA, path, lineno, "vid/pid",
		                       "VID and PID must be 4 hex digits");
	m->vendor = strdup(f[2]);
	m->model = strdup(f[3]);
	m->module = strdup(f[4]);
	m->match = strdup(f[5]);
	m->source = strdup(f[6]);
	if (!m->vendor || !m->model || !m->module || !m->match || !m->source)
		return td_error_set(err, TD_ERR_NOMEM, "out of memory");
	if (!*f[6])
		return td_error_set_at(err, TD_ERR_DATA, path, lineno, "source",
		                       "every row names its public source");
	return 0;
}

int td_usb_table_load(const char *path, struct td_usb_model **out, size_t *n,
                      struct td_error *err)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	long lineno = 0;
	int rc = 0;

	*out = NULL;
	*n = 0;
	if (!f)
		return td_error_set_at(err, TD_ERR_IO, path, 0, NULL, "%s", strerror(errno));
	while (rc == 0 && fgets(line, sizeof line, f)) {
		struct td_usb_model *v;
		lineno++;
		if (line[0] == '#' || line[0] == '\n' || strncmp(line, "vid\t", 4) == 0)
			continue;
		if (!(v = realloc(*out, (*n + 1) * sizeof *v))) {
			rc = td_error_set(err, TD_ERR_NOMEM, "out of memory");
			break;
		}
		*out = v;
		memset(&v[*n], 0, sizeof *v);
		rc = parse_row(line, &v[(*n)++], path, lineno, err);
	}
	fclose(f);
	if (rc != 0) {
		td_usb_models_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}

const struct td_usb_model *td_usb_lookup(const struct td_usb_model *m,
                                         size_t n, uint16_t vid, uint16_t pid)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].vid == vid && m[i].pid == pid)
			return &m[i];
	return NULL;
}

int td_usb_models_copy(const struct td_usb_model *src, size_t n,
                       struct td_usb_model **out)
{
	struct td_usb_model *m = n ? calloc(n, sizeof *m) : NULL;

	*out = m;
	if (n && !m)
		return TD_ERR_NOMEM;
	for (size_t i = 0; i < n; i++) {
		m[i] = src[i];
		m[i].vendor = strdup(src[i].vendor);
		m[i].model = strdup(src[i].model);
		m[i].module = strdup(src[i].module);
		m[i].match = strdup(src[i].match);
		m[i].source = strdup(src[i].source);
		if (!m[i].vendor || !m[i].model || !m[i].module || !m[i].match ||
		    !m[i].source)
			return TD_ERR_NOMEM;
	}
	return 0;
}

/* ---- devices vs tokens ------------------------------------------------- */

static int word_in(const char *hay, const char *word, size_t len)
{
	char buf[128];

	if (len == 0 || len >= sizeof buf)
		return 0;
	memcpy(buf, word, len);
	buf[len] = '\0';
	return strcasestr(hay, buf) != NULL;
}

int td_usb_model_shows(const struct td_usb_model *m,
                       const struct td_snap_token *t)
{
	const char *p = m->match;

	while (*p) {
		size_t len = strcspn(p, "|");
		if (word_in(t->manufacturer, p, len) || word_in(t->model, p, len))
			return 1;
		p += len + (p[len] == '|');
	}
	return 0;
}

static size_t tokens_of_family(const struct td_snap *s,
                               const struct td_usb_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < s->ntokens; i++)
		n += td_usb_model_shows(m, s->tokens[i]);
	return n;
}

/* Devices of one family (same match string) before index i. */
static size_t family_rank(const struct td_snap *s, size_t i)
{
	size_t rank = 0;

	for (size_t j = 0; j < i; j++)
		rank += strcmp(s->usb[j].known->match, s->usb[i].known->match) == 0;
	return rank;
}

/* Tie a token to its device's VID:PID when the family has one device. */
static void tie_tokens(struct td_snap *s, const struct td_usb_dev *d)
{
	for (size_t i = 0; i < s->ntokens; i++) {
		struct td_snap_token *t = s->tokens[i];
		if (t->usb_vid == 0 && td_usb_model_shows(d->known, t)) {
			t->usb_vid = d->vid;
			t->usb_pid = d->pid;
		}
	}
}

void td_usb_fill_from(struct td_tokens *t, struct td_snap *s,
                      const struct td_usb_seen *d, size_t n)
{
	s->usb_available = 1;
	if (!t->nmodels || !n)
		return;
	if (td_usb_models_copy(t->models, t->nmodels, &s->models) != 0 ||
	    !(s->usb = calloc(n, sizeof *s->usb))) {
		td_usb_models_free(s->models, t->nmodels);
		s->models = NULL;
		return;
	}
	s->nmodels = t->nmodels;
	for (size_t i = 0; i < n; i++) {
		const struct td_usb_model *m = td_usb_lookup(s->models, s->nmodels,
		                                             d[i].vid, d[i].pid);
		struct td_usb_dev *u = &s->usb[s->nusb];
		if (!m)
			continue;
		u->vid = d[i].vid;
		u->pid = d[i].pid;
		u->bus = d[i].bus;
		u->addr = d[i].addr;
		u->known = m;
		s->nusb++;
	}
	for (size_t i = 0; i < s->nusb; i++) {
		s->usb[i].no_driver =
			family_rank(s, i) >= tokens_of_family(s, s->usb[i].known);
		if (!s->usb[i].no_driver)
			tie_tokens(s, &s->usb[i]);
	}
}

static void seen_from(libusb_device *dev, struct td_usb_seen *out)
{
	struct libusb_device_descriptor dd;

	memset(out, 0, sizeof *out);
	if (libusb_get_device_descriptor(dev, &dd) == 0) {
		out->vid = dd.idVendor;
		out->pid = dd.idProduct;
	}
	out->bus = libusb_get_bus_number(dev);
	out->addr = libusb_get_device_address(dev);
}

void td_usb_fill_snapshot(struct td_tokens *t, struct td_snap *s)
{
	libusb_context *ctx = NULL;
	libusb_device **list = NULL;
	struct td_usb_seen *seen;
	ssize_t n;

	if (t->no_usb || libusb_init(&ctx) != 0)
		return;
	n = libusb_get_device_list(ctx, &list);
	if (n >= 0 && (seen = calloc((size_t)n + 1, sizeof *seen))) {
		for (ssize_t i = 0; i < n; i++)
			seen_from(list[i], &seen[i]);
		td_usb_fill_from(t, s, seen, (size_t)n);
		free(seen);
	}
	if (list)
		libusb_free_device_list(list, 1);
	libusb_exit(ctx);
}

/* ---- hot-plug ---------------------------------------------------------- */

struct td_usb_hotplug {
	libusb_context *ctx;
	libusb_hotplug_callback_handle handle;
	td_usb_notify_fn fn;
	void *fn_ctx;
};

static int LIBUSB_CALL on_hotplug(libusb_context *ctx, libusb_device *dev,
                                  libusb_hotplug_event event, void *user)
{
	struct td_usb_hotplug *h = user;
	struct td_usb_seen seen;

	seen_from(dev, &seen);
	h->fn(h->fn_ctx, event == LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED, &seen);
	return 0; /* keep the callback registered */
}

struct td_usb_hotplug *td_usb_hotplug_start(td_usb_notify_fn fn, void *fn_ctx)
{
	struct td_usb_hotplug *h = calloc(1, sizeof *h);

	if (!h)
		return NULL;
	h->fn = fn;
	h->fn_ctx = fn_ctx;
	if (libusb_init(&h->ctx) != 0) {
		free(h);
		return NULL;
	}
	if (!libusb_has_capability(LIBUSB_CAP_HAS_HOTPLUG) ||
	    libusb_hotplug_register_callback(
		    h->ctx,
		    LIBUSB_HOTPLUG_EVENT_DEVICE_ARRIVED | LIBUSB_HOTPLUG_EVENT_DEVICE_LEFT,
		    LIBUSB_HOTPLUG_ENUMERATE, LIBUSB_HOTPLUG_MATCH_ANY,
		    LIBUSB_HOTPLUG_MATCH_ANY, LIBUSB_HOTPLUG_MATCH_ANY, on_hotplug, h,
		    &h->handle) != LIBUSB_SUCCESS) {
		libusb_exit(h->ctx);
		free(h);
		return NULL;
	}
	return h;
}

void td_usb_hotplug_wait(struct td_usb_hotplug *h, int timeout_ms)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };

	libusb_handle_events_timeout_completed(h->ctx, &tv, NULL);
}

void td_usb_hotplug_interrupt(struct td_usb_hotplug *h)
{
	libusb_interrupt_event_handler(h->ctx);
}

void td_usb_hotplug_stop(struct td_usb_hotplug *h)
{
	if (!h)
		return;
	libusb_hotplug_deregister_callback(h->ctx, h->handle);
	libusb_exit(h->ctx);
	free(h);
}

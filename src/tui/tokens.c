/* tokens.c: the desk's glue to the token watcher.  Until the token layer
 * (tokendesk/token.h) is built in, the desk runs without a reader: the
 * live panel says so and everything else works. */
#include <config.h>

#include <stddef.h>
#include <stdio.h>

#include "tui/desk.h"
#include "tui/widget.h"

int desk_tokens_start(struct desk *d)
{
	d->tok = NULL;
	return -1;
}

int desk_tokens_fd(struct desk *d)
{
	(void)d;
	return -1;
}

void desk_tokens_event(struct desk *d)
{
	(void)d;
}

void desk_tokens_stop(struct desk *d)
{
	(void)d;
}

int desk_tokens_count(struct desk *d)
{
	(void)d;
	return -1;
}

const char *desk_tokens_modules(struct desk *d)
{
	(void)d;
	return NULL;
}

void desk_tokens_rows(struct desk *d, struct tl_list *l);
void desk_tokens_rows(struct desk *d, struct tl_list *l)
{
	(void)d;
	(void)l;
}

int desk_tokens_prove(struct desk *d, const char *serial, struct tf_field *pin,
                      int force, char *detail, size_t size);
int desk_tokens_prove(struct desk *d, const char *serial, struct tf_field *pin,
                      int force, char *detail, size_t size)
{
	(void)d; (void)serial; (void)pin; (void)force;
	snprintf(detail, size, "%s", T("No token reader."));
	return -1;
}

int desk_tokens_final_try(struct desk *d, const char *serial);
int desk_tokens_final_try(struct desk *d, const char *serial)
{
	(void)d; (void)serial;
	return -1;
}

void hand_tokens_changed(struct desk *d, void *self);
void hand_tokens_changed(struct desk *d, void *self)
{
	(void)d; (void)self;
}

#include <config.h>
#include "tui/desk.h"
void scr_handover_open(struct desk *d, const char *token_serial)
{
	(void)token_serial;
	desk_message(d, 1, "%s", "not yet");
}

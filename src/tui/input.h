/* input.h: keys from the terminal or a script (see input.c). */
#ifndef TD_TUI_INPUT_H
#define TD_TUI_INPUT_H

#include <stddef.h>

#include "tui/desk.h"

#define TDI_SLEEP (TDK_FN | 0x1fff0)   /* script: pause 200 ms */
/* script: <Dump:NAME> writes the screen to $TOKENDESK_SCREENS/NAME.txt;
 * the key is TDI_DUMP + the index of NAME in dumps */
#define TDI_DUMP (TDK_FN | 0x20000)
#define TDI_DUMP_MAX 512
#define TDI_SCAN_GAP_MS 30   /* scanners type faster than this, unless the
                                config file's scan-gap-ms says otherwise */

struct tdi {
	int *script;       /* keys from TOKENDESK_KEYS, or NULL */
	size_t nscript, next;
	int gap_ms;                  /* scan-gap-ms, or 0: TDI_SCAN_GAP_MS */
	char *dumps[TDI_DUMP_MAX];   /* the names of the script's dumps */
	int ndumps;
};

int tdi_script_load(struct tdi *in, const char *path);
void tdi_script_free(struct tdi *in);
/* Keys available from the terminal now (up to max); typing: the screen
 * takes text, so no waiting for a scan to complete. */
int tdi_read(struct tdi *in, int *keys, int max, int typing);
/* A key a scanner could type: not a function key, control or space, nor
 * beyond U+10FFFF (glibc's wcrtomb writes 4 to 6 bytes for those, which
 * are not UTF-8). */
int tdi_printable(int k);
/* keys[0..n) plus what arrives while the last key is printable and the
 * next comes within gap_ms (0: TDI_SCAN_GAP_MS); returns the new count. */
int tdi_more(int *keys, int n, int max, int gap_ms);
/* 1 when keys[0..n) look like a scanner (>= 4 characters then Enter):
 * the characters as UTF-8 in out. */
int tdi_is_scan(const int *keys, int n, char *out, size_t size);
double tdi_now_ms(void);

#endif

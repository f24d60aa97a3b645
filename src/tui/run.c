/* run.c: a serial typed more slowly than a scanner, on a screen
 * without a text field (issue 26).  It arrives key by key, and each key
 * is a command there: the plan's a asks "Apply the plan?", the panel's c
 * opens the count screen.  The desk follows every run of printable keys
 * (each within DESK_RUN_MS of the last), undoes what a serial's keys
 * opened when its Enter comes, and never takes a y typed in a run for
 * an answer.  docs/desk.md, "Serials, fast and slow". */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "tui/desk.h"
#include "tui/input.h"

/* The run so far looks like a serial: at least 6 letters and digits,
 * one a digit.  Shorter, or words, stay commands (f f f Enter). */
static int run_is_serial(const struct desk *d)
{
	int digits = 0;

	if (d->run_len < 6)
		return 0;
	for (int i = 0; i < d->run_len; i++) {
		char c = d->run[i];
		if (c >= '0' && c <= '9')
			digits++;
		else if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')))
			return 0;
	}
	return digits > 0;
}

/* What a serial's keys did as commands, undone before it is a scan:
 * the screens the run opened, and the one it started on if one of its
 * keys went to another screen in its place (the tree's c: the count),
 * closed; a field it opened on its own screen closed as Esc closes it
 * (the plan's agency, the tree's date). */
static void run_undo(struct desk *d)
{
	while (d->depth > 1 && (d->depth > d->run_depth ||
	       d->stack[d->depth - 1].ops != d->run_ops ||
	       d->stack[d->depth - 1].self != d->run_self))
		desk_pop(d);
	if (desk_top_typing(d))
		d->stack[d->depth - 1].ops->key(d, d->stack[d->depth - 1].self,
		                                TDK_ESC);
}

/* A scanner's burst that came in two (a pause longer than scan-gap-ms
 * mid-serial, on a busy machine): its first keys went by as a run of
 * commands.  When the run is letters and digits and ended a moment ago
 * (4 gaps, at least 200 ms), it is the scan's head: scan becomes run + scan, and what
 * those keys did is undone. */
void desk_run_join(struct desk *d, char *scan, size_t size)
{
	int gap = d->scan_gap_ms > 0 ? d->scan_gap_ms : TDI_SCAN_GAP_MS;
	size_t len = strlen(scan);
	double within = 4.0 * gap > 200 ? 4.0 * gap : 200;
	int ok = d->run_len > 0 && tdi_now_ms() - d->run_ms <= within &&
	         (size_t)d->run_len + len + 1 <= size;

	for (int i = 0; ok && i < d->run_len; i++) {
		char c = d->run[i];
		ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		     (c >= 'A' && c <= 'Z');
	}
	if (ok) {
		memmove(scan + d->run_len, scan, len + 1);
		memcpy(scan, d->run, (size_t)d->run_len);
		run_undo(d);
	}
	d->run_len = 0;
}

/* A run begins only where no field has the focus, so a field that has
 * it now was opened by the run's own keys.  When a hex digit opened it
 * (the panel's c, the browser's d, the plan's A), what follows is still
 * a serial's; after any other key (s or / opening the search) it is a
 * person typing into the field. */
static int run_in_field(struct desk *d, int cont)
{
	char last = d->run_len > 0 ? d->run[d->run_len - 1] : 0;

	if (!cont)
		return 0;
	if (!d->run_field)
		d->run_field = (last >= '0' && last <= '9') ||
		               (last >= 'a' && last <= 'f') ||
		               (last >= 'A' && last <= 'F');
	return d->run_field;
}

/* A serial typed slower than a scanner on a screen that takes no text
 * arrives key by key, each a command (issue 26): its a or d asks to
 * apply the plan or send to DOST, its c (on the panel) opens the count
 * screen, whose field then takes the rest.  Only y answers (tw_answer),
 * and a y that ends a run of two keys or more within DESK_ANSWER_MS of
 * the last is no answer (no one reads a question that fast: it is
 * said, and the next y counts).
 * Enter after a serial-like run is that serial, as a scan: the screens
 * and the field the run opened are closed first, and neither the
 * screen's Enter (the forms dialog's "write") nor a field's (a count
 * started, a date set) happens.  1
 * when the key was taken here. */
int desk_run_key(struct desk *d, int key)
{
	double now = tdi_now_ms();
	int cont = d->run_len > 0 && now - d->run_ms <= DESK_RUN_MS;
	int typing = desk_top_typing(d) && !run_in_field(d, cont);

	if (typing || (key != TDK_ENTER && (!tdi_printable(key) || key > 0x7e))) {
		d->run_len = 0;
		return 0;
	}
	if (key == TDK_ENTER) {
		if (!cont || !run_is_serial(d)) {
			d->run_len = 0;
			return 0;
		}
		d->run[d->run_len] = '\0';
		d->run_len = 0;
		run_undo(d);
		desk_scan(d, d->run);
		return 1;
	}
	if (!cont) {
		d->run_len = 0;
		d->run_depth = d->depth;
		d->run_ops = d->stack[d->depth - 1].ops;
		d->run_self = d->stack[d->depth - 1].self;
		d->run_field = 0;
	}
	/* a y right after one command key (a, then y) is a person's
	 * answer, and so is one a person had time to read the question for */
	if (!desk_top_typing(d) && cont && d->run_len >= 2 &&
	    now - d->run_ms <= DESK_ANSWER_MS && (key == 'y' || key == 'Y')) {
		d->run_ms = now;
		d->run_len = 0;
		snprintf(d->msg, sizeof d->msg, "%s",
		         T("Keys typed in a run are not an answer: press y again."));
		d->dirty = 1;
		return 1;
	}
	d->run_ms = now;
	if (d->run_len < (int)sizeof d->run - 1)
		d->run[d->run_len++] = (char)key;
	return 0;
}

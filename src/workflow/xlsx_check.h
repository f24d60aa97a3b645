/* xlsx_check.h: did libxlsxwriter manage to write a workbook's rows?
 *
 * In constant-memory mode each sheet's rows go to a temporary file whose
 * writes libxlsxwriter never checks: a full /tmp or a file size limit
 * left a workbook of cut-off sheets, zipped and reported written (exit
 * 0).  Each sheet's stream keeps its error flag (ferror, after a flush);
 * a row the library still holds, which it writes at workbook_close (a
 * sheet's last), is the one write this cannot see. */
#ifndef TD_WORKFLOW_XLSX_CHECK_H
#define TD_WORKFLOW_XLSX_CHECK_H

#include <stdio.h>

#include <xlsxwriter.h>

/* The first sheet of wb whose rows could not all be written, or NULL. */
static inline lxw_worksheet *td_xlsx_unwritten(lxw_workbook *wb)
{
	lxw_worksheet *ws;

	LXW_FOREACH_WORKSHEET(ws, wb) {
		FILE *f = ws->optimize_tmpfile;
		if (f && (fflush(f) != 0 || ferror(f)))
			return ws;
	}
	return NULL;
}

#endif

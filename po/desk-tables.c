/* desk-tables.c: texts the desk translates that xgettext cannot see where
 * they are used: key hints, labels and match names in static tables,
 * screen titles and help in struct initialisers, the second branch of a
 * ?:, and the agency levels, which come from the registry.  Each reaches
 * T() at run time.  Read by xgettext only (po/POTFILES.in), never
 * compiled.  A text added to such a place in src/tui/ belongs here too,
 * until the screens mark their own texts with N_(). */
static const char *const desk_tables[] = {
	/* desk.c */
	N_("Help"),
	N_("Tokens"),
	N_("Search"),
	N_("Browse"),
	N_("Handover"),
	N_("Back"),
	N_("Quit"),
	/* scr_handover.c */
	N_("Record"),
	N_("From"),
	N_("To"),
	N_("Condition"),
	N_("Remarks"),
	N_("Type or scan; Enter adds it"),
	N_("Empty: each token's custodian now"),
	N_("agency:CODE, holder:ID, dost or ca"),
	N_("e.g. nguyên vẹn"),
	N_("Del removes the token, p proves possession (PIN)"),
	N_("Enter records the handover"),
	/* xgettext:c-format */ N_("Hand dossiers over — %d in the list   (F6: tokens)"),
	N_("No dossier yet: type its reference in Dossier."),
	N_("Reference"),
	N_("Holders"),
	N_("Say to whom (To)."),
	N_("Remove or fix the refused items first."),
	N_("Hand tokens over, one or many (a batch), in one record (\"Biên "
	   "bản bàn giao\") with one number.\n1. Token: type or scan a "
	   "serial and press Enter; repeat for a batch. An inserted token "
	   "is added by itself. Each is checked at once; a refused one "
	   "shows why in red.\n2. From: leave empty to take each token "
	   "from its custodian now, or name the giver (then every token "
	   "must be with them).\n3. To: agency:CODE, holder:ID (a national "
	   "id), dost or ca; a bare agency code or id works too. The name "
	   "shows when found.\n4. Condition and remarks, written on the "
	   "record.\n5. Optional proof of possession: go to the list "
	   "(Tab), select a token, press p and type its PIN. The PIN is "
	   "never shown and never stored. A token at its final PIN try is "
	   "not tried unless you confirm, since one wrong PIN would lock "
	   "it.\n6. F9, or Enter on \"Record the handover\", then y to "
	   "confirm: everything is written at once, or "
	   "nothing.\nTab/Shift-Tab or Up/Down move between fields; in the "
	   "list Del removes a token. F6 switches to handing request "
	   "dossiers over (Dossier: the reference; From: the agency). Esc "
	   "twice discards."),
	/* scr_help.c */
	N_("Help for the current screen"),
	N_("Tokens: the live token panel (home)"),
	N_("Search the registry"),
	N_("Browse agencies, holders, certificates, tokens"),
	N_("Hand tokens or dossiers over"),
	N_("Back to the previous screen (q on the panel quits)"),
	N_("Move in a list"),
	N_("Open the selected record"),
	N_("Redraw the screen"),
	N_("This is the help screen. Esc or q goes back."),
	/* scr_panel.c */
	N_("Search the registry: a name, a code, an id, a serial — or "
	   "scan a barcode"),
	N_("Browse agencies, holders, certificates and tokens"),
	N_("Help for this screen"),
	N_("The home screen. Insert a token: it appears here at once, "
	   "with its certificates and how they match the registry — "
	   "matched; unknown token; known token with a different "
	   "certificate; expired; tagged (to revoke, or information "
	   "changed); outside this desk's agencies. A mismatch is shown "
	   "in colour with what differs (registry / token). Remove the "
	   "token and it goes.\nEnter on a token opens its record; on an "
	   "unknown token it searches the registry for it.\nA barcode "
	   "scanner can type a serial at any time: the search opens with "
	   "it."),
	/* tokens.c */
	N_("Matched"),
	N_("Unknown token"),
	N_("Different certificate"),
	N_("Expired"),
	N_("Tagged"),
	N_("Out of scope"),
	/* scr_browse.c */
	N_("The agencies of the province as a tree, the province at the "
	   "top. Right (or +, Space) opens a branch, Left (or -) closes "
	   "it or goes to the parent. Enter opens an agency: its details, "
	   "sub-agencies, holders, certificates and the tokens they are "
	   "on; Enter there follows a line to its record (a token shows "
	   "its custody history and audit trail)."),
	/* agency levels (registry data), shown by scr_browse.c, scr_record.c */
	N_("province"),
	N_("department"),
	N_("district"),
	N_("commune"),
	N_("division"),
	N_("other"),
	/* scr_pin.c */
	/* xgettext:c-format */ N_("%d dossier(s) to %s."),
	/* scr_record.c */
	N_("in use by its holder"),
	N_("kept by the agency"),
	N_("kept by the DOST"),
	N_("sent to the CA"),
	N_("lost"),
	N_("damaged"),
	N_("active"),
	N_("revoked"),
	N_("expired"),
	N_("organisation"),
	/* its help: marked N_() in scr_record.c itself */
	/* scr_search.c */
	N_("Type any part of a name, an agency code, a national id, or a "
	   "certificate or token serial: the list follows every key. Case "
	   "and Vietnamese marks do not matter (\"nguyen van hung\" finds "
	   "\"Nguyễn Văn Hùng\"); each word matches the start of a word, "
	   "and words of one letter wait for the second.\nA barcode "
	   "scanner can type a serial here, or on any screen without a "
	   "text field: the record opens at once.\nUp/Down, PgUp/PgDn, "
	   "Home/End move in the list; Enter opens the selected record; "
	   "Left/Right, Backspace, Delete edit the text; Ctrl-U clears "
	   "it; Esc goes back."),
	N_("Name"),
	N_("Code / serial"),
	N_("Details"),
	/* desk.c, scr_help.c, scr_panel.c: the count and kit conflicts */
	N_("Count"),
	N_("Count tokens: an inventory against the registry"),
	N_("Kit conflicts: decide what a field-kit merge kept"),
	/* scr_help.c: the plan (its screen marks its own texts with N_()) */
	N_("The reorganization plan: actions, apply, send to DOST"),
};

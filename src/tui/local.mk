# tui: the full-screen desk (ncursesw); no SQL and no PKCS#11 here.
# One file per screen (scr_*.c), a few widgets, the loop in desk.c.
libtd_tui_a_SOURCES += \
	src/tui/desk.c src/tui/desk.h src/tui/terminal.c \
	src/tui/input.c src/tui/input.h src/tui/keys.c src/tui/keys.h \
	src/tui/run.c \
	src/tui/draw.c src/tui/list.c src/tui/field.c src/tui/widget.h \
	src/tui/i18n.c \
	src/tui/tokens.c \
	src/tui/scr_panel.c src/tui/scr_search.c src/tui/scr_browse.c \
	src/tui/scr_record.c src/tui/scr_help.c \
	src/tui/scr_handover.c src/tui/scr_pin.c src/tui/handover.h \
	src/tui/scr_plan.c src/tui/scr_plancard.c src/tui/scr_planwhy.c src/tui/scr_plandlg.c \
	src/tui/scr_planforms.c \
	src/tui/plan.h \
	src/tui/scr_tag.c src/tui/tag.h \
	src/tui/scr_count.c src/tui/scr_count_run.c src/tui/scr_count_report.c \
	src/tui/countscr.h src/tui/scr_conflicts.c \
	src/tui/scr_records.c src/tui/scr_text.c src/tui/textscr.h
# signing records and checkpoints with tokens at the desk
libtd_tui_a_SOURCES += src/tui/scr_sign.c src/tui/sign.h
EXTRA_DIST += src/tui/local.mk

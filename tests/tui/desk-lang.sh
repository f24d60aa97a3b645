#!/bin/sh
# The desk's language comes from the gettext catalogue (po/vi.po): --lang
# wins, else the environment as gettext reads it; a Vietnamese UTF-8
# locale that is not installed (only C.UTF-8 is, on the CI machines) still
# gives a Vietnamese desk.  Every case sets LANGUAGE, so the caller's own
# does not leak in.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry

# speaks vi|en ENV=VALUE... -- ARGS: the key bar and help are in that
# language; then F10 quits.
speaks() {
	want=$1
	shift
	start_desk 100 30 "$@"
	case $want in
	vi)	screen_line 30 | grep -q "F1 Trợ giúp.*F10 Thoát" ||
			fail "$*: key bar not in Vietnamese"
		keys F1
		wait_for "Phím dùng trên mọi màn hình" || fail "$*: help not in Vietnamese" ;;
	en)	screen_line 30 | grep -q "F1 Help.*F10 Quit" ||
			fail "$*: key bar not in English"
		screen | grep -q "Trợ giúp" && fail "$*: Vietnamese on an English desk"
		keys F1
		wait_for "Keys on every screen" || fail "$*: help not in English" ;;
	esac
	keys F10
	wait_exit 0 || fail "$*: F10 did not quit"
	tmux -S "$sock" kill-server
	sleep 0.1
}

speaks vi LANGUAGE= -- --lang vi
speaks en LANGUAGE= -- --lang en
# the environment, as gettext reads it: LANGUAGE first (in a UTF-8 locale)
speaks vi LANGUAGE=vi --
speaks en LANGUAGE= LANG=vi_VN.UTF-8 --
# LANG names a Vietnamese UTF-8 locale that is not installed here
speaks vi LANGUAGE= LC_ALL= LANG=vi_VN.UTF-8 --
speaks vi LANGUAGE= LC_ALL= LC_MESSAGES=vi_VN.UTF-8 LANG=C.UTF-8 --
# --lang beats the environment; the user's LANGUAGE beats LANG
speaks en LANGUAGE= LC_ALL= LANG=vi_VN.UTF-8 -- --lang en
speaks en LANGUAGE=en LC_ALL= LANG=vi_VN.UTF-8 --
# run uninstalled with nothing set, the desk finds the build tree's catalogue
speaks vi LANGUAGE= TOKENDESK_LOCALEDIR= -- --lang vi
exit 0

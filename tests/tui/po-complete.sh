#!/bin/sh
# Every text the desk and the CLI translate has a translation in each
# po/LL.po: each src/tui file that calls T() is in po/POTFILES.in, and a fresh template
# (xgettext with po/Makevars' options) is checked against the catalogue,
# so a new text left untranslated (or fuzzy) fails here rather than
# showing in English on a Vietnamese desk.
: "${TD_SRCDIR:?run through make check}"
for t in xgettext msgcmp msgfmt; do
	command -v $t >/dev/null 2>&1 || { echo "$t not installed (gettext)"; exit 77; }
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-po.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
po=$TD_SRCDIR/po
# every file of the desk that translates is read by xgettext
for f in "$TD_SRCDIR"/src/tui/*.c; do
	f=src/tui/${f##*/}
	[ "$f" = src/tui/i18n.c ] && continue
	grep -q '\<Tf\{0,1\}(' "$TD_SRCDIR/$f" || continue
	grep -qx "$f" "$po/POTFILES.in" ||
		{ echo "FAIL: $f calls T() but is not in po/POTFILES.in"; exit 1; }
done
# ... and every CLI command, whether it calls td_cli_T yet or not: a
# command left out would print English unnoticed (scan and verify-token
# did), since the check of raw printf below reads only listed files
for f in "$TD_SRCDIR"/src/cli/cmd_*.c; do
	f=src/cli/${f##*/}
	grep -qx "$f" "$po/POTFILES.in" ||
		{ echo "FAIL: $f is a command but is not in po/POTFILES.in"; exit 1; }
done
# ... and every other source file: a message put in struct td_error is
# translated where it is printed (td_error_set), but only if xgettext saw
# it; the lists' and plans' readers (src/util/textfile.c, csv.c,
# src/workflow/import_file.c) and the kits spoke English to a clerk
for f in "$TD_SRCDIR"/src/*/*.c; do
	f=${f#"$TD_SRCDIR"/}
	[ "$f" = src/tui/i18n.c ] && continue
	grep -qx "$f" "$po/POTFILES.in" ||
		{ echo "FAIL: $f is not in po/POTFILES.in (its messages would stay English)"; exit 1; }
done
# ... and what the listed CLI files print goes through it: a printf,
# fputs or puts of English words (three letters or more, once the
# conversions are taken out) is a message xgettext never sees.  A line
# printed for programs, not people, says so: /* for scripts */.
raw=$(grep '^src/cli/' "$po/POTFILES.in" | while read -r f; do
	grep -nE '\b((printf|fputs|puts)\s*\(|fprintf\((stderr|stdout|f),\s*)"' "$TD_SRCDIR/$f" |
		grep -v 'td_cli_\|T(\|for scripts' |
		sed -E -e 's/%" PRI[a-z0-9]+ "//g' -e 's/^([0-9]+:)[^"]*"(([^"\\]|\\.)*)".*/\1\2/' \
		    -e 's/\\[nt]/ /g' -e 's/%[-+ #0-9.*]*(ll|l|z|hh|h|j|t)?[a-zA-Z]//g' \
		    -e 's/^([0-9]+:)(\\r\\033\[K)?tokendesk: /\1/' |
		grep -E '^[0-9]+:.*[A-Za-z]{3,}' | sed "s|^|$f:|"
done)
[ -z "$raw" ] || { echo "FAIL: untranslated messages (wrap them in td_cli_T or td_cli_printf):"; echo "$raw"; exit 1; }
opts=$(sed -n 's/^XGETTEXT_OPTIONS *= *//p' "$po/Makevars")
[ -n "$opts" ] || { echo "FAIL: no XGETTEXT_OPTIONS in po/Makevars"; exit 1; }
# shellcheck disable=SC2086 # the options are words
xgettext $opts --directory="$TD_SRCDIR" --files-from="$po/POTFILES.in" \
	-o "$tmp/tokendesk.pot" || { echo "FAIL: xgettext"; exit 1; }
n=$(grep -c '^msgid ' "$tmp/tokendesk.pot")
[ "$n" -gt 100 ] || { echo "FAIL: only $n texts found; keywords lost?"; exit 1; }
for lang in $(sed 's/#.*//' "$po/LINGUAS"); do
	msgfmt -c -o /dev/null "$po/$lang.po" ||
		{ echo "FAIL: po/$lang.po does not compile (formats?)"; exit 1; }
	msgcmp "$po/$lang.po" "$tmp/tokendesk.pot" ||
		{ echo "FAIL: po/$lang.po lacks the translations above (make -C po update-po)"; exit 1; }
done
exit 0

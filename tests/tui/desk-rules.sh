#!/bin/sh
# The desk's own house rules (issue 26 item 3), read from its source:
# - one dialog widget: no box is centred by hand outside draw.c
#   (tw_dialog centres and sizes every dialog);
# - one key table per screen: no screen compares a key with a letter or
#   switches on letters; keys become requests through keys.h's tables
#   (screen_request, desk_request_of), and text fields take the rest;
# - every screen with keys of its own names its table (.keys), so its
#   help lists them;
# - the read-only screens are on scr_text's base (text_draw);
# - a screen's help prose does not describe its keys again.
: "${TD_SRCDIR:?run through make check}"
src=$TD_SRCDIR/src/tui
bad=0
say() { echo "FAIL: $*"; bad=1; }

# centred by hand: "(d->cols - w) / 2" and the like
hits=$(grep -nE '\(d->(cols|rows) - [^)]*\) / 2' "$src"/*.c | grep -v '^[^:]*/draw\.c:')
[ -z "$hits" ] || say "a box centred by hand (use tw_dialog): $hits"

# letters compared or switched on in a screen (the plan's filter reads
# the digit of a key its table already turned into a request)
hits=$(grep -nE "(\bk|\bkey) == '[A-Za-z?/]'|case '[A-Za-z?/]':" "$src"/scr_*.c)
[ -z "$hits" ] || say "a screen reads a letter itself (put it in its key table): $hits"

# a screen that handles keys of its own has a table
for f in "$src"/scr_*.c; do
	grep -q 'screen_request(' "$f" || continue
	case $f in */scr_count_run.c|*/scr_count_report.c|*/scr_plandlg.c|\
	           */scr_planforms.c|*/scr_pin.c|*/scr_tag.c|*/scr_text.c) continue ;;
	esac
	grep -q '\.keys = ' "$f" || say "${f##*/} dispatches keys but names no table (.keys)"
done

# a screen's help text describes its work, not its keys again: they are
# listed under "Keys on this screen" and "Keys on every screen" (from
# the tables), and a prose copy goes stale when a key changes
hits=$(awk '/\.help = N_\(/, /\),$/ { print FILENAME ":" FNR ": " $0 }' "$src"/scr_*.c |
	grep -E 'PgUp|Up/Down|Tab/Shift-Tab|Esc (or q )?goes back|(press|then) (y|Enter)\b|"[a-zA-Z] (applies|sends|writes|imports|sorts|prints|shows|opens|picks|signs)\b')
[ -z "$hits" ] || say "a help text repeats keys its table lists: $hits"

# read-only screens on the base
for f in scr_help.c scr_record.c scr_text.c; do
	grep -q 'text_draw' "$src/$f" || say "$f is not on the read-only base"
done
grep -q 'rc_kind' "$src/scr_sign.c" || say "the handover record's screen is not on the base"
exit $bad

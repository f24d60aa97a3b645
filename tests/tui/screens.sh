#!/bin/sh
# screens.sh: the golden screens.  The desk runs a key script
# (tests/tui/screens.keys, TOKENDESK_KEYS) that visits every screen and
# dumps each (<Dump:NAME>, to $TOKENDESK_SCREENS) in English and
# Vietnamese, at 80x24 and 120x40; every dump must equal the committed
# one, tests/tui/golden/SIZE-LANG-NAME.txt, whole.  So a layout change
# shows as a diff, not as a grep that still passes.
#
# Deterministic: a fixed registry (the demo province, its plan), a fixed
# clock (TOKENDESK_TODAY, TOKENDESK_TEST_NOW: for tests only, never set
# them at a real desk), a fixed operator, a relative registry path, and
# a token store with no token in it.
#
# After a deliberate change: `make update-screens` (in the build tree)
# writes the new dumps into the source tree; review them with git diff.
. "$TD_SRCDIR/tests/tui/lib.sh"
golden=$TD_SRCDIR/tests/tui/golden
export TOKENDESK_TODAY=2025-06-01 TOKENDESK_TEST_NOW=2025-06-01T02:00:00Z
cd "$tmp" || exit 1
"$TOKENDESK" --db reg.db -q init >/dev/null &&
"$TOKENDESK" --db reg.db -q import "$TD_SRCDIR/data/demo/agencies.csv" \
	"$TD_SRCDIR/data/demo/certificates.csv" >/dev/null &&
"$TOKENDESK" --db reg.db -q plan import "$TD_SRCDIR/data/demo/plan.csv" >/dev/null ||
	fail "cannot build the registry"
mkdir -p hsm && chmod 700 hsm
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$tmp/hsm" >softhsm2.conf

differ=0
for size in 80x24 120x40; do
	for lang in en vi; do
		rm -rf out && mkdir out && chmod 700 out
		tmux -S "$sock" kill-server 2>/dev/null
		new_pane "${size%x*}" "${size#*x}" \
			"cd '$tmp' && env LC_ALL=C.UTF-8 TOKENDESK_OPERATOR=tester SOFTHSM2_CONF='$tmp/softhsm2.conf' P11_KIT_NO_USER_CONFIG=1 TOKENDESK_KEYS='$TD_SRCDIR/tests/tui/screens.keys' TOKENDESK_SCREENS='$tmp/out' '$TOKENDESK' --db reg.db --lang $lang; printf '\\r\\nEXITED %s\\r\\n' \$?; $DESK_ENDED"
		wait_exit 0 30 || fail "$size $lang: the script did not end cleanly"
		for f in out/*.txt; do
			name=$size-$lang-$(basename "$f")
			if [ -n "${TD_UPDATE_SCREENS:-}" ]; then
				cp "$f" "$golden/$name"
			elif ! cmp -s "$f" "$golden/$name"; then
				echo "--- $name differs (expected, then got):"
				diff -u "$golden/$name" "$f" | head -40
				differ=$((differ + 1))
			fi
		done
		n=$(ls out | wc -l)
		[ "$n" -ge 25 ] || fail "$size $lang: only $n screens dumped"
	done
done
[ $differ -eq 0 ] || fail "$differ screen(s) differ; after a deliberate change run \`make update-screens\`"
exit 0

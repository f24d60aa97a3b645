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
# every run starts from it: the script records a handover (to dump the
# offer to sign that follows)
mv reg.db base.db || fail "cannot keep the registry"
mkdir -p hsm && chmod 700 hsm
printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$tmp/hsm" >softhsm2.conf

# The PIN dialog needs a token on the desk: a SoftHSM2 token of its own
# (a store the other screens do not see), known to a registry of its
# own.  Its serial, which SoftHSM2 draws at random, is written as as
# many X in the dumps, so the layout is still compared whole.
pin_serial=
if command -v softhsm2-util >/dev/null 2>&1; then
	mkdir -p hsm-pin && chmod 700 hsm-pin
	printf 'directories.tokendir = %s\nobjectstore.backend = file\n' "$tmp/hsm-pin" >softhsm2-pin.conf
	SOFTHSM2_CONF=$tmp/softhsm2-pin.conf softhsm2-util --init-token --free \
		--label "Của Mai" --so-pin 12345678 --pin 1111 >/dev/null ||
		fail "cannot make the PIN screens' token"
	pin_serial=$(SOFTHSM2_CONF=$tmp/softhsm2-pin.conf softhsm2-util --show-slots |
		awk '/Serial number:/ && $3 != "" { s = $3 } END { print s }')
	[ -n "$pin_serial" ] || fail "no serial for the PIN screens' token"
	cat >pin.csv <<CSV
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
7B5C01,person,Lê Thị Mai,001190000777,Chuyên viên,DC.STC,2025-01-01,2027-01-01,$pin_serial,SoftHSM v2,
CSV
	"$TOKENDESK" --db pin.db -q init >/dev/null &&
	"$TOKENDESK" --db pin.db -q import "$TD_SRCDIR/data/demo/agencies.csv" \
		pin.csv >/dev/null || fail "cannot build the PIN screens' registry"
else
	echo "softhsm2-util not installed: the PIN dialog's screens are not compared"
fi

# the token's serial as X, and any part of it a dialog left showing
mask_serial() {
	k=${#pin_serial}
	while [ "$k" -ge 6 ]; do
		part=$(printf '%s' "$pin_serial" | cut -c1-"$k")
		sed -i "s/$part/$(printf '%s' "$part" | sed 's/./X/g')/gI" "$1"
		k=$((k - 1))
	done
}

# compare (or, updating, copy) every dump in out/ for SIZE and LANG
compare() {
	for f in out/*.txt; do
		name=$1-$2-$(basename "$f")
		[ -z "$pin_serial" ] || mask_serial "$f"
		# a handover's number takes the year of the real clock
		sed -i 's/BG-20[0-9][0-9]-/BG-YYYY-/g' "$f"
		if [ -n "${TD_UPDATE_SCREENS:-}" ]; then
			cp "$f" "$golden/$name"
		elif ! cmp -s "$f" "$golden/$name"; then
			echo "--- $name differs (expected, then got):"
			diff -u "$golden/$name" "$f" | head -40
			differ=$((differ + 1))
		fi
	done
}

differ=0
for size in 80x24 120x40; do
	for lang in en vi; do
		rm -rf out records reg.db reg.db-* && mkdir out && chmod 700 out
		cp -p base.db reg.db || fail "cannot copy the registry"
		tmux -S "$sock" kill-server 2>/dev/null
		new_pane "${size%x*}" "${size#*x}" \
			"cd '$tmp' && env LC_ALL=C.UTF-8 TOKENDESK_OPERATOR=tester SOFTHSM2_CONF='$tmp/softhsm2.conf' P11_KIT_NO_USER_CONFIG=1 TOKENDESK_KEYS='$TD_SRCDIR/tests/tui/screens.keys' TOKENDESK_SCREENS='$tmp/out' '$TOKENDESK' --db reg.db --lang $lang; printf '\\r\\nEXITED %s\\r\\n' \$?; $DESK_ENDED"
		wait_exit 0 30 || fail "$size $lang: the script did not end cleanly"
		compare "$size" "$lang"
		# a name or a subject cut at its tail loses what tells it from
		# the next ("Văn phòng Hội đồng nhân dân…" of which district?)
		# (a '…' inside a serial is a middle left out; the tag line's
		# "renew…" is its text)
		for f in search search-serial record-cert record-holder; do
			cut=$(grep -v '(g)' "out/$f.txt" | grep -E '…( |$)')
			[ -z "$cut" ] || fail "$size $lang: $f cuts a word: $cut"
		done
		n=$(ls out | wc -l)
		[ "$n" -ge 32 ] || fail "$size $lang: only $n screens dumped"
		[ -n "$pin_serial" ] || continue
		rm -rf out && mkdir out && chmod 700 out
		tmux -S "$sock" kill-server 2>/dev/null
		new_pane "${size%x*}" "${size#*x}" \
			"cd '$tmp' && env LC_ALL=C.UTF-8 TOKENDESK_OPERATOR=tester SOFTHSM2_CONF='$tmp/softhsm2-pin.conf' P11_KIT_NO_USER_CONFIG=1 TOKENDESK_KEYS='$TD_SRCDIR/tests/tui/screens-pin.keys' TOKENDESK_SCREENS='$tmp/out' '$TOKENDESK' --db pin.db --lang $lang; printf '\\r\\nEXITED %s\\r\\n' \$?; $DESK_ENDED"
		wait_exit 0 30 || fail "$size $lang: the PIN script did not end cleanly"
		[ -f out/pin-dialog.txt ] || fail "$size $lang: no PIN dialog dumped"
		compare "$size" "$lang"
	done
done
[ $differ -eq 0 ] || fail "$differ screen(s) differ; after a deliberate change run \`make update-screens\`"
exit 0

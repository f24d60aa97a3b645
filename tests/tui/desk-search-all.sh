#!/bin/sh
# Search reaches every hit: 118 officials named Nguyễn (more than a
# screen), the count says there are more, PgDn goes past the first
# screen, End reaches 118/118 and the count becomes the total; the
# counter has a line of its own (it never covers a row's text); at 80
# columns a long serial is shortened in the middle, keeping its tail.
. "$TD_SRCDIR/tests/tui/lib.sh"
{
	echo "cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email"
	i=1
	while [ $i -le 118 ]; do
		printf '5403AB%034X,person,Nguyễn Văn Thử %03d,0010850%05d,,DC,2024-01-01,2029-01-01,TK%06d,SafeNet eToken 5110,\n' \
			"$i" "$i" "$i" "$i"
		i=$((i + 1))
	done
} >"$tmp/certs.csv"
"$TOKENDESK" --db "$tmp/reg.db" -q init >/dev/null &&
"$TOKENDESK" --db "$tmp/reg.db" -q import "$TD_SRCDIR/data/demo/agencies.csv" \
	"$tmp/certs.csv" >/dev/null || fail "cannot build the registry"
start_desk 80 24 -- --lang en
keys F3
wait_for "Search:" || fail "F3 did not open the search"
type_text "nguyen thu"
wait_for "shown, more: PgDn or End" || fail "the count does not say there are more: $(screen)"
keys NPage NPage
wait_re " [0-9]*/[0-9]*$" || fail "no counter: $(screen)"
keys End
wait_re " 118/118$" || fail "End did not reach the last hit: $(screen)"
wait_for "118 found" || fail "the total is not shown: $(screen)"
# the counter's line holds nothing else
line=$(screen | grep " 118/118$")
[ "$(echo "$line" | tr -d ' ')" = "118/118" ] || fail "the counter shares its line: '$line'"
on_screen "Nguyễn Văn Thử 118" || fail "the last hit is not shown"
# 40-hex serials at 80 columns: cut in the middle, the tail (where they
# differ) kept
keys C-u
type_text "5403ab"
wait_for "Certificate" || fail "no certificate found by serial prefix: $(screen)"
screen >"$tmp/serials"
on_screen_re "5403ab0*…0*1  " ||
	fail "serial not shortened in the middle: $(screen)"
keys F10
wait_exit 0 || fail "no clean exit"
exit 0

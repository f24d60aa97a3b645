#!/bin/sh
# count-from-file: `count scan ID --from FILE` reads a serial list as the
# master lists are read: a BOM and CRLF or lone-CR line ends (Notepad,
# Excel's CSV UTF-8, Excel for Mac's CSV), UTF-16 with a BOM (Excel's "Unicode text") and standard input
# are fine; a bad serial is named FILE:LINE and nothing of the file is
# recorded; a directory or a spreadsheet is refused as such.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test

id=$(td count start --agency SA) || td_fail "count start"
scans() { td count report "$id" | sed -n 's/.*scans \([0-9]*\).*/\1/p'; }
expect() {   # expect STATUS TEXT CMD...: exit status, and TEXT in its output
	want=$1 text=$2; shift 2
	"$@" >"$tmp/out" 2>&1; got=$?
	[ "$got" = "$want" ] || td_fail "'$*' exited $got, want $want: $(cat "$tmp/out")"
	grep -qF -- "$text" "$tmp/out" || td_fail "'$*' said '$(cat "$tmp/out")', want '$text'"
}

printf '\357\273\277T-SA-01\r\n\r\n t-sa-02 \r\n' >"$tmp/bom.txt"
expect 0 "2 scans recorded" td count scan "$id" --from "$tmp/bom.txt"
printf 'T-SA1-01\n' | iconv -f UTF-8 -t UTF-16 >"$tmp/u16.txt"
expect 0 "1 scan recorded" td count scan "$id" --from "$tmp/u16.txt"
printf 'T-SA1-02' | expect 0 "1 scan recorded" td count scan "$id" --from -
[ "$(scans)" = 4 ] || td_fail "4 scans, not $(scans)"
td count report "$id" | grep -q "found *T-SA-02" || td_fail "t-sa-02 not found as T-SA-02"

# all or nothing, and the line that is wrong
printf 'T-SA-03\nT-SB-01\nbad serial!\n' >"$tmp/bad.txt"
expect 65 "$tmp/bad.txt:3: 'bad serial!' is not a token serial" \
	td count scan "$id" --from "$tmp/bad.txt"
grep -q "nothing was recorded" "$tmp/out" || td_fail "does not say nothing was recorded"
[ "$(scans)" = 4 ] || td_fail "a refused file recorded scans: $(scans)"

expect 74 "Is a directory" td count scan "$id" --from "$tmp"
expect 65 "not a CSV file but a zip file" \
	td count scan "$id" --from "$TD_SRCDIR/tests/hostile/files/xlsx-disguised.csv"
printf 'T-SA-03\n' | iconv -f UTF-8 -t UTF-16LE >"$tmp/u16le.txt"
expect 65 "--encoding UTF-16LE" td count scan "$id" --from "$tmp/u16le.txt"
[ "$(scans)" = 4 ] || td_fail "refused files recorded scans: $(scans)"

# lone-CR line ends (Excel for Mac's "CSV (Macintosh)"): lines all the same
printf 'T-SA-03\rbad serial!\r' >"$tmp/mac-bad.txt"
expect 65 "$tmp/mac-bad.txt:2: 'bad serial!' is not a token serial" \
	td count scan "$id" --from "$tmp/mac-bad.txt"
printf 'T-SA-03\rT-SA1-03\r' >"$tmp/mac.txt"
expect 0 "2 scans recorded" td count scan "$id" --from "$tmp/mac.txt"
[ "$(scans)" = 6 ] || td_fail "6 scans, not $(scans)"
exit 0

#!/bin/sh
# plurals-en: a count in English takes the singular for one ("1 row
# read", "1 scan recorded") and the plural otherwise (ngettext, not
# "1 rows read"); Vietnamese has one form, the same sentence for both.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test

# said: the output of tokendesk ARGS... has the line TEXT
said() {
	text=$1; shift
	out=$(td "$@") || td_fail "tokendesk $*: exit status $?"
	printf '%s\n' "$out" | grep -qxF -- "$text" || td_fail "tokendesk $* did not say '$text': $out"
}

printf 'code,name,parent_code,level\nXB,Xã B,DC,commune\n' >"$tmp/one.csv"
printf 'code,name,parent_code,level\nXC,Xã C,DC,commune\nXD,Xã D,DC,commune\n' >"$tmp/two.csv"
said "1 row read" --lang en import "$tmp/one.csv"
said "2 rows read" --lang en import "$tmp/two.csv"
said "đã đọc 1 dòng" --lang vi import "$tmp/one.csv"
said "đã đọc 2 dòng" --lang vi import "$tmp/two.csv"

id=$(td count start --agency DC) || td_fail "count start"
printf 'T-SA-01\n' >"$tmp/s1"; printf 'T-SA-02\nT-SB-01\n' >"$tmp/s2"
printf 'T-SB-02\n' >"$tmp/s3"; printf 'T-SA1-01\nT-SA1-02\n' >"$tmp/s4"
said "1 scan recorded" --lang en count scan "$id" --from "$tmp/s1"
said "2 scans recorded" --lang en count scan "$id" --from "$tmp/s2"
said "đã ghi 1 lần quét" --lang vi count scan "$id" --from "$tmp/s3"
said "đã ghi 2 lần quét" --lang vi count scan "$id" --from "$tmp/s4"
# a token scanned again: "scanned 2 times", in the plural
out=$(td --lang en count scan "$id" T-SA-01) || td_fail "scan T-SA-01 again"
printf '%s\n' "$out" | grep -qF "duplicate (scanned 2 times)" ||
	td_fail "no plural for a token scanned twice: $out"
exit 0

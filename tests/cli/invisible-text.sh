# invisible-text.sh: names with invisible or look-alike characters make
# two holders that look the same on screen and on a printed record.
# Every format character (U+00AD, U+2061, U+FEFF inside text, tag
# characters...), U+2028/U+2029, the Hangul fillers, U+2800, a variation
# selector and more than 3 combining marks on one letter are refused in
# the lists' rows (file:line: field: the code point and where), in plan
# files and in typed text, and nothing is written; Vietnamese, NFC or
# NFD (2 marks on a letter), still goes in (issue 21, item 7).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
demo_import || fail "demo import"
before=$(registry_digest)
T=$(td export tokens | awk -F, 'NR == 2 {print $1}')
C=$(td export certificates | awk -F, 'NR == 2 {print $1}')

# CODE POINT, its UTF-8 (octal), what the message calls it.
while read -r cp bytes what; do
	# shellcheck disable=SC2059 # the octal escapes are the format
	c=$(printf "$bytes")
	name="An${c}h Nguyễn"
	printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n' \
		"ABC1,person,$name,033000000330,DC,2024-02-01,2029-02-01" >"$tmp/bad.csv"
	expect_status 65 td import "$tmp/bad.csv"
	expect_in "$tmp/err" "bad.csv:2: holder_name: $what in the text: U+$cp at character 3"
	printf 'effective_date,event,source_codes,target_code,target_name,new_parent_code\n%s\n' \
		"2025-06-30,rename,DC.VP,,$name," >"$tmp/plan.csv"
	expect_status 65 td plan import "$tmp/plan.csv"
	expect_in "$tmp/err" "plan.csv:2: target_name: $what in the text: U+$cp at character 3"
	expect_status 64 td handover --to dost --remarks "$name" "$T"
	expect_in "$tmp/err" "remarks: $what in the text: U+$cp at character 3"
	expect_status 64 td tag revoke "$C" --reason "$name"
	expect_in "$tmp/err" "reason: $what in the text: U+$cp at character 3"
	expect_status 64 td --operator "$name" tag list
	expect_in "$tmp/err" "operator name: $what in the text: U+$cp at character 3"
done <<'LIST'
00AD \302\255 invisible formatting character
2061 \342\201\241 invisible formatting character
FEFF \357\273\277 invisible formatting character
200B \342\200\213 invisible formatting character
E0041 \363\240\201\201 invisible formatting character
E0001 \363\240\200\201 invisible formatting character
202E \342\200\256 invisible text-direction character
2028 \342\200\250 line or paragraph separator
2029 \342\200\251 line or paragraph separator
115F \341\205\237 invisible filler character
1160 \341\205\240 invisible filler character
3164 \343\205\244 invisible filler character
FFA0 \357\276\240 invisible filler character
FE0F \357\270\217 invisible filler character
2800 \342\240\200 blank braille pattern
LIST
# More than 3 combining marks on a letter: the 4th is named.
stack=$(printf 'Ae\314\201\314\202\314\243\314\203')
expect_status 64 td handover --to dost --remarks "$stack" "$T"
expect_in "$tmp/err" "remarks: more than 3 combining marks on one letter in the text: U+0303 at character 6"
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n' \
	"ABC1,person,$stack,033000000330,DC,2024-02-01,2029-02-01" >"$tmp/bad.csv"
expect_status 65 td import "$tmp/bad.csv"
expect_in "$tmp/err" "bad.csv:2: holder_name: more than 3 combining marks on one letter in the text: U+0303 at character 6"
expect_eq "$(registry_digest)" "$before" "registry after refused text"

# Vietnamese in NFD (ệ: e, dot below, circumflex) goes in, stored NFC.
nfd=$(printf 'Nguye\314\202\314\203n Thi\314\243 Hie\314\243\314\202u')
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n' \
	"ABC1,person,$nfd,033000000330,DC,2024-02-01,2029-02-01" >"$tmp/nfd.csv"
expect_status 0 td import "$tmp/nfd.csv"
td export certificates >"$tmp/certs.csv"
expect_in "$tmp/certs.csv" "Nguyễn Thị Hiệu"
expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" --remarks "$nfd" "$T"
# A BOM at the start of a list is still the encoding's mark, not text.
printf '\357\273\277code,name,parent_code,level\nDC.BOM,Phòng Một,DC,other\n' >"$tmp/bom.csv"
expect_status 0 td import "$tmp/bom.csv"
finish

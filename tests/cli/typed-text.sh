# typed-text.sh: text typed on the command line goes into the registry
# and onto printed records as it is, so it is held to the rules of the
# lists: a control character (an ESC sequence recolours or retitles the
# terminal of whoever reads it later; a CR rewrites a printed line), an
# invisible direction mark or a zero-width character is refused, naming
# the field, and nothing is written.  And what a message quotes of a
# refused input has its control characters written out, not sent.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
demo_import || fail "demo import"
before=$(registry_digest)
T=$(td export tokens | awk -F, 'NR == 2 {print $1}')
C=$(td export certificates | awk -F, 'NR == 2 {print $1}')
esc=$(printf 'x\033[2Jy') cr=$(printf 'a\rb') rlo=$(printf 'ab\342\200\256cd')
zw=$(printf 'Nguy\342\200\213en')
# refused MESSAGE CMD...: CMD exits 64 (usage) saying MESSAGE.
refused() {
	said=$1
	shift
	expect_status 64 "$@"
	expect_in "$tmp/err" "$said"
}

refused "reason: control character in the text" \
	td tag revoke "$C" --reason "$esc"
refused "remarks: control character in the text" \
	td handover --to dost --remarks "$cr" "$T"
refused "condition: invisible text-direction character in the text" \
	td handover --to dost --condition "$rlo" "$T"
refused "place: invisible formatting character in the text: U+200B at character 5" \
	td handover --to dost --place "$zw" "$T"
refused "reference: control character in the text" \
	td dossier add --agency DC --kind renewal --ref "HS$esc"
refused "remarks: control character in the text" \
	td dossier add --agency DC --kind renewal --ref HS-1 --remarks "$cr"
refused "operator name: control character in the text" \
	td --operator "$esc" handover --to dost "$T"
TOKENDESK_OPERATOR=$cr refused "operator name: control character in the text" \
	td handover --to dost --force --reason "nộp thẳng cho Sở" "$T"
# A paragraph at most (a paste gone wrong would fill every record), the
# field named; an operator's name is a name.
long=$(printf '%1001s' '' | tr ' ' a)
refused "reason: longer than 1000 bytes" td tag revoke "$C" --reason "$long"
refused "place: longer than 1000 bytes" \
	td handover --to dost --place "$long" "$T"
refused "reference: longer than 1000 bytes" \
	td dossier add --agency DC --kind renewal --ref "$long"
refused "remarks: longer than 1000 bytes" \
	td dossier add --agency DC --kind renewal --ref HS-2 --remarks "$long"
refused "operator name: longer than 200 bytes" \
	td --operator "$(printf '%201s' '' | tr ' ' o)" tag list
expect_eq "$(registry_digest)" "$before" "registry after refused text"

# A message quotes what it refused (a serial from a file, a name, a
# file's own name): the quote is shown, \x1b, never sent as an ESC that
# would clear the terminal of whoever reads the message.
printf 'T-OK\nAB%s\n' "$esc" >"$tmp/serials.txt"
id=$(td count start --agency DC) || fail "count start"
expect_status 65 td count scan "$id" --from "$tmp/serials.txt"
expect_in "$tmp/err" "serials.txt:2: 'ABx\\x1b[2Jy' is not a token serial"
for cmd in "show token $esc" "handover --to $esc $T" "kit merge $esc" "$esc" \
           "import $tmp/$esc.csv" "tag list --state $esc" \
           "import --$esc"; do
	# shellcheck disable=SC2086 # the words of $cmd are arguments
	td $cmd >"$tmp/out" 2>"$tmp/err"
	expect_in "$tmp/err" 'x\x1b[2Jy'
	if LC_ALL=C grep -q "$(printf '\033')" "$tmp/err"; then
		fail "'$cmd' sent an ESC to the terminal"
	fi
done
td import "-$(printf '\033')" >"$tmp/out" 2>"$tmp/err"
expect_in "$tmp/err" 'import: unknown option -\x1b'
printf 'code,name\nX,"a\302\233b"\n' >"$tmp/$(printf 'c1\302\233.csv')"
td import "$tmp/$(printf 'c1\302\233.csv')" >"$tmp/out" 2>"$tmp/err"
expect_in "$tmp/err" 'c1\u009b.csv'

# Vietnamese as it is typed (NFD from some keyboards included) is fine.
expect_status 0 td handover --to dost --force --reason "nộp thẳng cho Sở" --remarks "$(printf 'Nguye\314\202\314\203n')" \
	--condition "nguyên vẹn" --place "Sở KH&CN" "$T"
expect_status 0 td tag revoke "$C" --reason "Sáp nhập đơn vị"
expect_status 0 td --operator "$(printf '%200s' '' | tr ' ' o)" dossier add \
	--agency DC --kind renewal --ref HS-3 --remarks "${long%a}"
finish

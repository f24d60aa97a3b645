# config-file.sh: the --config file is read before any command, so a
# wrong path or a misspelt setting is said at once (FILE:LINE), whatever
# the command, and nothing is done; a good file works for every command,
# show and search (the lean program) included.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
demo_import || fail "demo import"
before=$(registry_digest)
T=$(td export tokens | awk -F, 'NR == 2 {print $1}')

conf() { printf "$2" >"$tmp/$1.conf"; }
conf typo '# desk\n[token]\nscpoe = DC.SYT\n'
conf noeq 'place = Kho\nmodule /usr/lib/x.so\n'
conf poll 'poll-ms = 5\n'
conf good '# desk\n[token]\nplace = Phòng tiếp nhận  # tầng 1\nscope = DC\npoll-ms = 100\n\n'
# the place goes on every printed record: held to --place's rules
conf esc 'place = Kho\033[2J\n'
conf long "place = $(printf 'x%.0s' $(seq 201))\n"
conf gap 'scan-gap-ms = 2\n'

for cmd in "handover --to dost $T" "search Sở" "show token $T" "export agencies"; do
	# shellcheck disable=SC2086 # the words of $cmd are arguments
	{
	expect_status 65 td --config "$tmp/typo.conf" $cmd
	expect_in "$tmp/err" "typo.conf:3: scpoe: unknown setting; the settings are module, allow-module, poll-ms, scope, place, busy-ms and scan-gap-ms"
	expect_status 65 td --config "$tmp/noeq.conf" $cmd
	expect_in "$tmp/err" "noeq.conf:2: 'module /usr/lib/x.so' is not a setting: write key = value"
	expect_status 65 td --config "$tmp/poll.conf" $cmd
	expect_in "$tmp/err" "poll.conf:1: poll-ms: poll-ms must be 20..500"
	expect_status 66 td --config "$tmp/none.conf" $cmd
	expect_in "$tmp/err" "none.conf: No such file or directory"
	expect_status 74 td --config "$tmp" $cmd
	expect_in "$tmp/err" "Is a directory"
	expect_status 65 td --config "$tmp/esc.conf" $cmd
	expect_in "$tmp/err" "esc.conf:1: place: control character in the text"
	expect_status 65 td --config "$tmp/long.conf" $cmd
	expect_in "$tmp/err" "long.conf:1: place: longer than 200 bytes"
	expect_status 65 td --config "$tmp/gap.conf" $cmd
	expect_in "$tmp/err" "gap.conf:1: scan-gap-ms: scan-gap-ms must be 5..500 (milliseconds)"
	}
done
expect_eq "$(registry_digest)" "$before" "registry after refused config files"

expect_status 0 td --config "$tmp/good.conf" search Sở
expect_in "$tmp/out" "Sở"
expect_status 0 td --config "$tmp/good.conf" handover --to dost --force --reason "nộp thẳng cho Sở" "$T"
number=$(sed -n 's/^Handover \([^:]*\):.*/\1/p' "$tmp/out")
expect_status 0 td receipt "$number"
expect_in "$tmp/out" "tại Phòng tiếp nhận,"
# '#' starts a comment for the place as for every setting
expect_not_in "$tmp/out" "tầng 1"
finish

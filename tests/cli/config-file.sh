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
conf good '# desk\n[token]\nplace = Phòng tiếp nhận\nscope = DC\npoll-ms = 100\n\n'

for cmd in "handover --to dost $T" "search Sở" "show token $T" "export agencies"; do
	# shellcheck disable=SC2086 # the words of $cmd are arguments
	{
	expect_status 65 td --config "$tmp/typo.conf" $cmd
	expect_in "$tmp/err" "typo.conf:3: scpoe: unknown setting; the settings are module, allow-module, poll-ms, scope and place"
	expect_status 65 td --config "$tmp/noeq.conf" $cmd
	expect_in "$tmp/err" "noeq.conf:2: 'module /usr/lib/x.so' is not a setting: write key = value"
	expect_status 65 td --config "$tmp/poll.conf" $cmd
	expect_in "$tmp/err" "poll.conf:1: poll-ms: poll-ms must be 20..500"
	expect_status 74 td --config "$tmp/none.conf" $cmd
	expect_in "$tmp/err" "none.conf: No such file or directory"
	expect_status 74 td --config "$tmp" $cmd
	expect_in "$tmp/err" "Is a directory"
	}
done
expect_eq "$(registry_digest)" "$before" "registry after refused config files"

expect_status 0 td --config "$tmp/good.conf" search Sở
expect_in "$tmp/out" "Sở"
expect_status 0 td --config "$tmp/good.conf" handover --to dost "$T"
number=$(sed -n 's/^Handover \([^:]*\):.*/\1/p' "$tmp/out")
expect_status 0 td receipt "$number"
expect_in "$tmp/out" "tại Phòng tiếp nhận"
finish

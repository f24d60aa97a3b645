# small-visible.sh: the small things a new user meets (issue 25): every
# missing input file exits 66 (import, plan import, crl import and trust,
# count --from, forms --template); every subcommand answers --help with
# 0; every write says what it did in one line (holder set, plan pick,
# tag remove); a batch that does not exist is an error.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

plan_setup >/dev/null || fail "setup"
nope="$tmp/no-such-file"
expect_status 66 td import "$nope.csv"
expect_in "$tmp/err" "no-such-file.csv"
expect_status 66 td plan import "$nope.csv"
expect_status 66 td crl import "$nope.crl"
expect_status 66 td crl trust add "$nope.pem"
id=$(td count start --agency P.S1) || fail "count start"
expect_status 66 td count scan "$id" --from "$nope.txt"
expect_status 66 td forms --template "$nope.json" -o "$tmp/f.xlsx"

for c in init import show search export "audit verify" "audit log" handover \
         receipt "dossier add" "dossier list" "dossier handover" scan verify-token \
         "plan import" "plan show" "plan apply" "plan pick" "tag revoke" "tag list" \
         "tag send" "tag remove" "holder set" "crl import" "crl trust add" lists \
         forms "count start" "count scan" "count close" "count report" "kit make" \
         "kit merge" "kit resolve"; do
	# shellcheck disable=SC2086 # the subcommand is words
	expect_status 0 td $c --help
	[ -s "$tmp/out" ] || fail "'$c --help' printed nothing"
done
# --help after an option that takes a value is help, not the value
expect_status 0 td receipt 1 --verify --help
grep -q -- "--verify FILE" "$tmp/out" || fail "'receipt 1 --verify --help' gave no help"
expect_status 0 td handover --to --help

# one line for every write
expect_status 0 td holder set 001000000003 --no-longer-needed
expect_in "$tmp/out" "holder 001000000003: marked as no longer needing a certificate"
expect_status 0 td holder set 001000000003 --needed
expect_in "$tmp/out" "holder 001000000003: marked as needing a certificate"
expect_status 0 td plan pick P.S34 A041
expect_in "$tmp/out" "P.S34: certificate A041 takes the new name"
expect_status 0 td plan pick --clear P.S34
expect_in "$tmp/out" "P.S34: pick cleared"
expect_status 0 td tag revoke B006 --reason "chuyển công tác"
expect_status 0 td tag remove B006
expect_in "$tmp/out" "cert B006: tag removed"

# a batch never sent
expect_status 66 td tag list --batch 7
expect_in "$tmp/err" "there is no batch 7"
expect_status 66 td lists --batch 7 -o "$tmp/l.xlsx"
[ ! -e "$tmp/l.xlsx" ] || fail "lists wrote a workbook for batch 7"
finish

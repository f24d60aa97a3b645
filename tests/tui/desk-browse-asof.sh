#!/bin/sh
# The browse tree as of a date (issue 25): today by default, after `plan
# apply` the agencies merged away are gone and the new ones there; d and
# a date (d/m/yyyy as the lists write it) show the tree of that day, as
# `tokendesk show agency --as-of` does; a bad date is refused.
. "$TD_SRCDIR/tests/tui/lib.sh"
P="$TD_SRCDIR/tests/cli/plan"
reg() { "$TOKENDESK" --db "$tmp/reg.db" -q "$@"; }
{ reg init && reg import "$P/agencies.csv" "$P/certificates.csv" &&
  reg plan import "$P/plan.csv" && reg plan apply; } >/dev/null ||
	{ echo "FAIL: cannot build the registry"; exit 1; }
start_desk 110 30 TOKENDESK_TODAY=2026-12-06 -- --lang en
keys F4
wait_for "As of 2026-12-06" || fail "the tree does not say its date"
wait_for "Sở Nông nghiệp và Môi trường" || fail "the merged department is not listed"
off_screen "Sở Nông nghiệp và Phát triển nông thôn" ||
	fail "an agency merged away is still listed today"
off_screen "Sở Tài nguyên và Môi trường" || fail "P.S4 is still listed today"
keys d
wait_for "Date (YYYY-MM-DD or d/m/yyyy)" || fail "d did not ask for a date"
type_text "31/2/2025"
keys Enter
wait_for "Not a date" || fail "a bad date was taken"
keys Escape
wait_gone "Date (YYYY-MM-DD or d/m/yyyy)" || fail "Esc did not leave the date"
keys d
wait_for "Date (YYYY-MM-DD or d/m/yyyy)" || fail "d did not ask again"
type_text "30/6/2025"
keys Enter
wait_for "As of 2025-06-30" || fail "the date did not change"
wait_for "Sở Nông nghiệp và Phát triển nông thôn" || fail "P.S3 is not listed on 2025-06-30"
wait_for "Sở Tài nguyên và Môi trường" || fail "P.S4 is not listed on 2025-06-30"
off_screen "Sở Nông nghiệp và Môi trường" || fail "P.S34 is listed before it was made"
keys F10
wait_for "EXITED 0" || fail "F10 did not quit"
exit 0

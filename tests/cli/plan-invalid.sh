# plan-invalid.sh: bad plans are refused with FILE:LINE: FIELD: message
# errors, and change nothing: the stored plan and the registry stay as
# they were.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

plan_setup || fail "setup"
td plan show --json >"$tmp/before.json"
before=$(registry_digest)
audit_before=$(sqlite3 "$TOKENDESK_DB" "select count(*) from audit")
H=effective_date,event,source_codes,target_code,target_name,new_parent_code

# refuse NAME ROWS EXPECTED-MESSAGE: the plan file made of ROWS is refused.
refuse() {
	printf '%s\n%s\n' "$H" "$2" >"$tmp/$1.csv"
	expect_status 65 td plan import "$tmp/$1.csv"
	expect_in "$tmp/err" "$3"
	expect_in "$tmp/err" "nothing was changed"
}

refuse unknown "2025-07-01,merge_keep,P.S1;P.S99,P.S1,," \
	"$tmp/unknown.csv:2: source_codes: unknown agency code P.S99"
refuse parent "2025-07-01,reparent,P.S5.D1,,,P.NOPE" \
	"unknown agency code P.NOPE"
refuse cycle "2025-07-01,reparent,P.S5,,,P.S5.D1" \
	"$tmp/cycle.csv:2: new_parent_code: cycle: P.S5.D1 lies at or below P.S5"
refuse cycle2 "$(printf '2025-07-01,reparent,P.S1,,,P.S6\n2025-07-02,reparent,P.S6,,,P.S1')" \
	"cycle"
refuse twice "$(printf '2025-07-01,merge_keep,P.S1;P.S2,P.S1,,\n2025-07-01,merge_new,P.S2;P.S3,P.S23,Sở Mới,P')" \
	"$tmp/twice.csv:3: source_codes: P.S2 is merged or removed twice on 2025-07-01 (lines 2 and 3)"
# two renames, or two new superiors, of one agency on one date: the last
# would win unsaid; the same on another date is a later change
refuse renamed "$(printf '2025-07-01,rename,P.S1,,Sở Tài chính A,\n2025-07-01,rename,P.S1,,Sở Tài chính B,')" \
	"$tmp/renamed.csv:3: target_name: P.S1 is renamed twice on 2025-07-01 (lines 2 and 3)"
refuse moved "$(printf '2025-07-01,reparent,P.S5.D1,,,P.S6\n2025-07-01,reparent,P.S5.D1,,,P.S7')" \
	"$tmp/moved.csv:3: new_parent_code: P.S5.D1 is given a new superior twice on 2025-07-01 (lines 2 and 3)"
refuse kept-renamed "$(printf '2025-07-01,merge_keep,P.S1;P.S2,P.S1,Sở Tài chính mới,\n2025-07-01,rename,P.S1,,Sở Tài chính khác,')" \
	"P.S1 is renamed twice on 2025-07-01 (lines 2 and 3)"
refuse gone "$(printf '2025-07-01,merge_keep,P.S1;P.S2,P.S1,,\n2025-08-01,rename,P.S2,,Tên mới,')" \
	"P.S2 no longer exists: merge_keep on 2025-07-01 (line 2)"
refuse orphan "2025-07-01,dissolve,P.S5,,," \
	"P.S5.D1 would be left without a superior"
refuse orphan-order "$(printf '2025-07-01,dissolve,P.S5,,,\n2025-08-01,reparent,P.S5.D1,,,P.S6')" \
	"P.S5.D1 would be left without a superior on 2025-07-01"
refuse exists "2025-07-01,merge_new,P.S3;P.S4,P.S6,Sở Mới,P" \
	"P.S6 already exists"
refuse event "2025-07-01,split,P.S3,,," "$tmp/event.csv:2: event: unknown event split"
refuse date "2025-02-30,rename,P.S3,,Sở Mới," "effective_date: 2025-02-30 is not a date"
refuse shape "2025-07-01,merge_new,P.S3,P.S9,," "merge_new needs at least two source codes"
refuse province "2025-07-01,merge_province,P.S1,R,," "P.S1 is not a province"
refuse keepcycle "2025-07-01,merge_keep,P.S2;P.S2.D1,P.S2.D1,," "cycle of superiors"
printf 'date,event\n2025-07-01,rename\n' >"$tmp/header.csv"
expect_status 65 td plan import "$tmp/header.csv"
expect_in "$tmp/err" "effective_date: missing column"
expect_status 66 td plan import "$tmp/no-such-file.csv"

# files that are not a UTF-8 plan: said what they are, as for lists
expect_status 65 td plan import "$TD_SRCDIR/tests/hostile/files/xlsx-disguised.csv"
expect_in "$tmp/err" "xlsx-disguised.csv:1: not a CSV file but a zip file"
iconv -f UTF-8 -t UTF-16LE "$TD_SRCDIR/tests/cli/plan/plan.csv" >"$tmp/plan16le.csv"
expect_status 65 td plan import "$tmp/plan16le.csv"
expect_in "$tmp/err" "plan16le.csv:1: NUL bytes: this looks like UTF-16LE text"
iconv -f UTF-8 -t CP1258 "$TD_SRCDIR/tests/cli/plan/plan.csv" >"$tmp/plan1258.csv"
expect_status 65 td plan import "$tmp/plan1258.csv"
expect_in "$tmp/err" "plan1258.csv:"
expect_in "$tmp/err" ": invalid UTF-8 (byte 0x"
expect_status 65 td plan import --encoding cp1258 "$TD_SRCDIR/tests/cli/plan/plan.csv"
expect_in "$tmp/err" "the file is already UTF-8"
: >"$tmp/empty.csv"
expect_status 65 td plan import "$tmp/empty.csv"
expect_in "$tmp/err" "empty.csv:1: the file is empty"

# every problem of a file is listed, not only the first
printf '%s\n%s\n%s\n' "$H" "2025-07-01,rename,P.X,,A," "2025-07-01,rename,P.Y,,B," >"$tmp/two.csv"
expect_status 65 td plan import "$tmp/two.csv"
expect_in "$tmp/err" "two.csv:2: source_codes: unknown agency code P.X"
expect_in "$tmp/err" "two.csv:3: source_codes: unknown agency code P.Y"

after=$(registry_digest)
expect_eq "$after" "$before" "registry after refused plans"
expect_eq "$(sqlite3 "$TOKENDESK_DB" "select count(*) from audit")" "$audit_before" "audit rows"
td plan show --json >"$tmp/after.json"
cmp -s "$tmp/before.json" "$tmp/after.json" || fail "the stored plan changed"

# The same plan saved as Excel's "Unicode text" (UTF-16 with a BOM) or
# in cp1258 with its encoding named: stored as the UTF-8 one is.
expect_status 0 td plan import "$TD_SRCDIR/tests/cli/plan/plan.csv"
td plan show --json >"$tmp/utf8.json"
iconv -f UTF-8 -t UTF-16 "$TD_SRCDIR/tests/cli/plan/plan.csv" >"$tmp/plan16.csv"
for f in "plan16.csv" "plan1258.csv --encoding cp1258"; do
	# shellcheck disable=SC2086 # the file and its options
	expect_status 0 td plan import $tmp/$f
	td plan show --json >"$tmp/other.json"
	cmp -s "$tmp/utf8.json" "$tmp/other.json" || fail "$f: not the same plan"
done
finish

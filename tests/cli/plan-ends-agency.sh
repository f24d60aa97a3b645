# plan-ends-agency.sh: `plan apply` ends the agencies a merger takes away
# (valid_to the day before the effective date, audited agency.update), so
# the tree as of a later date no longer lists them while the tree before
# still does; the audit chain and `audit verify`'s row check still hold,
# `plan show` reads the same, and a second apply changes nothing.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

plan_setup || fail "setup"
td plan show | sort >"$tmp/show-before" || fail "plan show before apply"
expect_status 0 td show agency P --as-of 2025-07-01
expect_in "$tmp/out" "P.S3"

expect_status 0 td plan apply
expect_in "$tmp/out" "agencies merged away: "
# P.S3 and P.S4 merge into P.S34 on 2025-07-01: in force to 2025-06-30
expect_status 0 td show agency P.S3
expect_in "$tmp/out" "valid to:     2025-06-30"
expect_status 0 td show agency P --as-of 2025-06-30
expect_in "$tmp/out" "P.S3"
expect_in "$tmp/out" "P.S4"
expect_status 0 td show agency P --as-of 2025-07-01
expect_not_in "$tmp/out" "P.S3 "
expect_not_in "$tmp/out" "P.S4"
expect_not_in "$tmp/out" "P.S2"      # merge_keep: P.S1 stays
expect_in "$tmp/out" "P.S1"
expect_in "$tmp/out" "P.S34"
expect_in "$tmp/out" "P.X10"
expect_status 0 td show agency P.H1.X1 --as-of 2025-07-01
expect_in "$tmp/out" "not in force on 2025-07-01"
# the date as a clerk writes it (Excel's d/m/yyyy) is the same day
expect_status 0 td show agency P.H1.X1 --as-of 1/7/2025
expect_in "$tmp/out" "not in force on 2025-07-01"
expect_status 0 td show agency P --as-of 30/06/2025
expect_in "$tmp/out" "P.S3"
expect_status 64 td show agency P --as-of 31/6/2025
# units the plan keeps under a superior it ends go to the superior it
# gives them, or they would drop out of the tree: P.S2's division (P.S2
# merged into P.S1).  Not a merged province's departments: the letters
# to the CA name them by the province their certificates were issued in.
expect_status 0 td show agency P.S1 --as-of 2025-07-01
expect_in "$tmp/out" "P.S2.D1"
expect_status 0 td show agency R.S1
expect_in "$tmp/out" "parent:       Ủy ban nhân dân tỉnh Sơn Tây (R)"
td audit log agency P.S2.D1 >"$tmp/audit" || fail "audit log"
expect_in "$tmp/audit" "agency.move"
# the row change is audited, and the audit's images match the rows
td audit log agency P.S3 >"$tmp/audit" || fail "audit log"
expect_in "$tmp/audit" "agency.update"
expect_status 0 td audit verify
# the plan reads the same; a second apply changes nothing
td plan show | sort | cmp -s - "$tmp/show-before" || fail "plan show changed after apply"
expect_status 0 td plan apply
expect_not_in "$tmp/out" "agencies merged away"
expect_status 0 td audit verify
# A corrected plan that no longer merges P.S2 away: the division goes
# back under it, and the plan reads the same again after a second apply.
grep -v "merge_keep,P.S1;P.S2" "$TD_SRCDIR/tests/cli/plan/plan.csv" >"$tmp/corrected.csv"
expect_status 0 td plan import "$tmp/corrected.csv"
expect_status 0 td plan apply
expect_in "$tmp/out" "agencies moved to their new superior: 1"
expect_status 0 td show agency P.S2.D1
expect_in "$tmp/out" "(P.S2)"
td plan show | sort >"$tmp/show-corrected" || fail "plan show after the corrected apply"
expect_status 0 td plan apply
expect_not_in "$tmp/out" "agencies moved"
td plan show | sort | cmp -s - "$tmp/show-corrected" || fail "plan show changed after a second apply"
expect_status 0 td audit verify
finish

# plan-made-agency.sh: after `plan apply`, a merge_new target is a real
# agency (code, name, superior, valid from the effective date) that
# handovers, dossiers, tags and counts accept; importing the province's
# updated master list that holds it updates it instead of breaking the
# plan, and `plan show` keeps working after both (issue 25).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"

# before: the new commune did not exist, so nothing could name it
plan_setup || fail "setup"
expect_status 66 td tag new-issue P.X10 --reason "xã mới"
td plan show | sort >"$tmp/show-before" || fail "plan show before apply"
# the same actions (their order follows the registry's agencies)
same_plan() { sort "$tmp/out" | cmp -s - "$tmp/show-before"; }

expect_status 0 td plan apply
expect_in "$tmp/out" "agencies made by the plan: 2"
expect_status 0 td show agency P.X10
expect_in "$tmp/out" "Ủy ban nhân dân xã Bình Sơn"
expect_in "$tmp/out" "valid from:   2025-07-01"
expect_in "$tmp/out" "parent:       Ủy ban nhân dân tỉnh An Hòa (P)"
# the tree as of a date: the commune is P's unit from its effective date
expect_status 0 td show agency P --as-of 2025-06-30
expect_not_in "$tmp/out" "P.X10"
expect_status 0 td show agency P --as-of 2025-07-01
expect_in "$tmp/out" "P.X10"
expect_status 0 td show agency P.X10 --as-of 2025-06-30
expect_in "$tmp/out" "not in force on 2025-06-30"
expect_status 0 td show agency P.S34
expect_in "$tmp/out" "Sở Nông nghiệp và Môi trường"
# the plan reads the same afterwards, and a second apply changes nothing
expect_status 0 td plan show
same_plan || fail "plan show changed after apply"
expect_status 0 td plan apply
expect_in "$tmp/out" "0 added, 0 changed, 0 removed"
expect_not_in "$tmp/out" "agencies made"
td audit log agency P.X10 >"$tmp/audit" || fail "audit log"
expect_in "$tmp/audit" "agency.add"

# handovers, dossiers, tags and counts take it
expect_status 0 td handover --to agency:P.X10 TKB005
expect_status 0 td dossier add --agency P.H1.X1 --kind renewal --ref HS-1
expect_status 0 td dossier handover --from agency:P.H1.X1 --to agency:P.X10 HS-1
expect_status 0 td tag new-issue P.X10 --reason "xã mới"
expect_status 0 td count start --agency P.X10

# the province's updated master list holds the new commune (with a
# superior and a level of its own): imported, it updates the agency and
# the plan still fits
{ head -1 "$P/agencies.csv"; echo "P.X10,Ủy ban nhân dân xã Bình Sơn,P,commune"; } >"$tmp/upd.csv"
expect_status 0 td import "$tmp/upd.csv"
expect_status 0 td plan show
same_plan || fail "plan show changed after the master list update"

# the same list imported before apply, in a registry of its own: fits too
export TOKENDESK_DB="$tmp/reg2.db"
plan_setup || fail "setup 2"
expect_status 0 td import "$tmp/upd.csv"
expect_status 0 td plan show
same_plan || fail "plan show differs with the new agency imported first"
expect_status 0 td plan apply
expect_in "$tmp/out" "agencies made by the plan: 1"
# but a code the plan reuses for another agency is still an error
{ head -1 "$P/agencies.csv"; echo "P.S34,Sở Khác hẳn,P,department"; } >"$tmp/other.csv"
expect_status 0 td import "$tmp/other.csv"
expect_status 65 td plan show
expect_in "$tmp/err" "P.S34 already exists"
# A new agency the same plan renames later: made with the later name,
# and the plan still applies (it said "P.S34 already exists" ever after).
export TOKENDESK_DB="$tmp/renamed.db"
plan_setup || fail "setup (renamed)"
printf 'effective_date,event,source_codes,target_code,target_name,new_parent_code\n%s\n%s\n' \
	"2025-07-01,merge_new,P.S3;P.S4,P.S34,Sở Nông nghiệp và Môi trường,P" \
	"2025-08-01,rename,P.S34,,Sở Nông nghiệp," >"$tmp/renamed.csv"
expect_status 0 td plan import "$tmp/renamed.csv"
expect_status 0 td plan apply
expect_status 0 td plan apply
expect_in "$tmp/out" "0 added, 0 changed, 0 removed"
expect_status 0 td plan show
finish

# count-common.sh: sourced by the count-* and kit-* tests: a small
# province made on the spot, and helpers.  Not a test by itself.
#
#   DC  Tỉnh Đông Châu (province)
#   ├── SA   Sở A (department)          2 officials + org cert
#   │   └── SA1  Phòng A1 (division)    2 officials
#   ├── SB   Sở B (department)          2 officials + org cert
#   └── XA   Xã A (commune)             1 official
# Each certificate sits on its own token T-<agency>-<n>.

set -u
: "${TOKENDESK:?}"
export TOKENDESK_OPERATOR=tester

td_fail() { echo "FAIL: $*" >&2; exit 1; }

# province_test [TOOL...]: the set-up of each count-* and kit-* test.
# Skips the test (77) when a TOOL is missing; makes $tmp (removed at exit
# unless KEEP is set) holding the province in reg.db; $move is the field's
# own handover program (kit-move.c); td runs tokendesk on reg.db.
province_test() {
	for tool in "$@"; do
		command -v "$tool" >/dev/null ||
			{ echo "$tool not installed" >&2; exit 77; }
	done
	tmp=$(mktemp -d) || exit 1
	trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
	make_province "$tmp"
	move="$TD_BUILDDIR/tests/cli/kit-move"
}
td() { "$TOKENDESK" --db "$tmp/reg.db" "$@"; }

# field_list_import KIT SA_NAME: the team's import, on KIT (made for SB),
# of the province's whole agency list with SA named SA_NAME there and a
# new agency SB2 under SB, and of SB's certificates with a new official
# of SB2 (b201 on a new token T-SB2-01).  The import's status.
field_list_import() {
	{ sed "s/^SA,Sở A,/SA,$2,/" "$tmp/agencies.csv"
	  echo "SB2,Phòng B2,SB,division"; } >"$tmp/ag2.csv"
	{ head -1 "$tmp/certs.csv"; grep ',SB,' "$tmp/certs.csv"
	  echo "b201,person,Mai Văn Phúc,001090000009,Chuyên viên,SB2,2024-01-01,2027-01-01,T-SB2-01,ePass,"
	} >"$tmp/c2.csv"
	TOKENDESK_OPERATOR=team "$TOKENDESK" --db "$1" import "$tmp/ag2.csv" \
		"$tmp/c2.csv" >/dev/null
}

# resolve_refused ID TEXT: keeping the field's version of kit conflict
# ID fails (exit 65) naming TEXT, in words (no SQL error), and the
# registry is left exactly as it was.
resolve_refused() {
	sqlite3 "$tmp/reg.db" .dump >"$tmp/before.dump"
	td kit resolve "$1" --keep field >"$tmp/out" 2>&1
	[ $? = 65 ] || td_fail "conflict $1's field version was kept: $(cat "$tmp/out")"
	grep -qF "$2" "$tmp/out" || td_fail "conflict $1: $(cat "$tmp/out")"
	grep -q "constraint failed" "$tmp/out" && td_fail "an SQL error: $(cat "$tmp/out")"
	sqlite3 "$tmp/reg.db" .dump | cmp -s - "$tmp/before.dump" ||
		td_fail "a refused resolve wrote"
}

make_province() {
	dir=$1
	cat > "$dir/agencies.csv" <<'CSV'
code,name,parent_code,level
DC,Tỉnh Đông Châu,,province
SA,Sở A,DC,department
SA1,Phòng A1,SA,division
SB,Sở B,DC,department
XA,Xã A,DC,commune
CSV
	cat > "$dir/certs.csv" <<'CSV'
cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
a001,person,Nguyễn Văn An,001090000001,Chuyên viên,SA,2024-01-01,2027-01-01,T-SA-01,ePass,
a002,person,Trần Thị Bình,001090000002,Trưởng phòng,SA,2024-01-01,2027-01-01,T-SA-02,ePass,
a003,org,Sở A,SA,,SA,2024-01-01,2027-01-01,T-SA-03,ePass,
a101,person,Lê Văn Cường,001090000003,Chuyên viên,SA1,2024-01-01,2027-01-01,T-SA1-01,ePass,
a102,person,Phạm Thị Dung,001090000004,Chuyên viên,SA1,2024-01-01,2027-01-01,T-SA1-02,ePass,
b001,person,Hoàng Văn Em,001090000005,Chuyên viên,SB,2024-01-01,2027-01-01,T-SB-01,ePass,
b002,person,Vũ Thị Giang,001090000006,Phó giám đốc,SB,2024-01-01,2027-01-01,T-SB-02,ePass,
b003,org,Sở B,SB,,SB,2024-01-01,2027-01-01,T-SB-03,ePass,
c001,person,Đặng Văn Hùng,001090000007,Chủ tịch,XA,2024-01-01,2027-01-01,T-XA-01,ePass,
CSV
	"$TOKENDESK" --db "$dir/reg.db" init >/dev/null || td_fail "init"
	"$TOKENDESK" --db "$dir/reg.db" import "$dir/agencies.csv" "$dir/certs.csv" \
		>/dev/null || td_fail "import"
}

# What a registry holds, without row ids (which depend on merge order):
# tokens, custody history, counts with scans and results, field audit.
registry_digest() {
	sqlite3 "$1" "
SELECT 'token', serial, custodian, state FROM token ORDER BY serial;
SELECT 'custody', t.serial, e.at, e.operator, e.from_custodian, e.to_custodian,
       e.state, e.remarks FROM custody_event e JOIN token t ON t.id = e.token_id
       ORDER BY 2, 3, 4, 5, 6, 7, 8;
SELECT 'count', uid, scope_kind, scope, started_at, operator, closed_at
       FROM count_session ORDER BY uid;
SELECT 'scan', c.uid, s.serial, s.at, s.source FROM count_scan s
       JOIN count_session c ON c.id = s.count_id ORDER BY 2, 3, 4, 5;
SELECT 'result', c.uid, r.serial, r.outcome, r.scans FROM count_result r
       JOIN count_session c ON c.id = r.count_id ORDER BY 2, 3;
SELECT 'field-audit', action, entity, entity_key, hash
       FROM kit_field_audit ORDER BY 5;
SELECT 'conflict', kit_uuid, tbl, op, pk, field_old, field_new, status
       FROM kit_conflict ORDER BY 2, 3, 5;"
}

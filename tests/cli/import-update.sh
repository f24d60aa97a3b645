# import-update.sh: an updated list updates records and counts added,
# updated and unchanged; the audit log holds before and after.
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"

cat >"$tmp/ag.csv" <<'CSV'
code,name,parent_code,level
DC,Ủy ban nhân dân tỉnh Đông Châu,,province
STC,Sở Tài chính,DC,department
SNV,Sở Nội vụ,DC,department
CSV
H=cert_serial,kind,holder_name,holder_id,position,agency_code,not_before,not_after,token_serial,token_model,email
printf '%s\n%s\n%s\n' "$H" \
  "a1,person,Lê Văn An,001000000001,Chuyên viên,STC,2024-01-01,2029-01-01,T1,SafeNet eToken 5110," \
  "a2,person,Trần Thị Bình,001000000002,Chuyên viên,STC,2024-01-01,2029-01-01,T2,SafeNet eToken 5110," >"$tmp/v1.csv"
printf '%s\n%s\n%s\n%s\n' "$H" \
  "a1,person,Lê Văn An,001000000001,Trưởng phòng,STC,2024-01-01,2029-01-01,T1,SafeNet eToken 5110," \
  "a2,person,Trần Thị Bình,001000000002,Chuyên viên,STC,2024-01-01,2029-01-01,T2,SafeNet eToken 5110," \
  "a3,person,Phạm Minh Châu,001000000003,Chuyên viên,SNV,2024-01-01,2029-01-01,T3,Bit4id TokenME," >"$tmp/v2.csv"
td init >/dev/null
expect_status 0 td import "$tmp/ag.csv" "$tmp/v1.csv"
expect_status 0 td import "$tmp/v2.csv"
expect_in "$tmp/out" "certificates: 1 added, 1 updated, 1 unchanged"
expect_status 0 td audit log cert a1 --json
expect_in "$tmp/out" "\"action\": \"cert.update\""
expect_in "$tmp/out" "\"position\": \"Chuyên viên\""
expect_in "$tmp/out" "\"position\": \"Trưởng phòng\""
expect_status 0 td show cert a3
expect_in "$tmp/out" "OU=Sở Nội vụ, CN=Phạm Minh Châu"

# Moving an agency under another parent changes the DN its people's
# certificates need, not the one the CA issued them: the list named
# again leaves a3 as it was, and the plan proposes its info change.
printf 'code,name,parent_code,level\nSNV,Sở Nội vụ,STC,division\n' >"$tmp/move.csv"
expect_status 0 td import "$tmp/move.csv"
expect_in "$tmp/out" "agencies: 0 added, 1 updated"
expect_status 0 td import "$tmp/v2.csv"
expect_in "$tmp/out" "certificates: 0 added, 0 updated, 3 unchanged"
expect_status 0 td show cert a3
expect_in "$tmp/out" "O=Ủy ban nhân dân tỉnh Đông Châu, OU=Sở Nội vụ, CN=Phạm Minh Châu"
expect_status 0 td --lang en plan show --json
expect_in "$tmp/out" '"cert_serial":"a3"'
expect_in "$tmp/out" '"new_dn":"C=VN, L=Đông Châu, O=Ủy ban nhân dân tỉnh Đông Châu, OU=Sở Tài chính, OU=Sở Nội vụ, CN=Phạm Minh Châu"'

# A later list that leaves optional columns out says nothing about
# them: tokens stay on their certificates, holders keep position and
# e-mail, agencies their parent and dates.  An empty cell still clears.
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n' \
  "a1,person,Lê Văn An,001000000001,STC,2024-01-01,2029-01-01" >"$tmp/short.csv"
expect_status 0 td import "$tmp/short.csv"
expect_in "$tmp/out" "certificates: 0 added, 0 updated, 1 unchanged"
expect_status 0 td show cert a1
expect_in "$tmp/out" "token:        T1"
expect_status 0 td show holder 001000000001
expect_in "$tmp/out" "Trưởng phòng"
printf 'code,name,parent_code,level,valid_from,valid_to\nSNV,Sở Nội vụ,STC,division,2020-01-01,2025-06-30\n' >"$tmp/dated.csv"
expect_status 0 td import "$tmp/dated.csv"
printf 'code,name,level\nSNV,Sở Nội vụ,division\n' >"$tmp/undated.csv"
expect_status 0 td import "$tmp/undated.csv"
expect_in "$tmp/out" "agencies: 0 added, 0 updated, 1 unchanged"
expect_status 0 td --lang en show agency SNV
expect_in "$tmp/out" "2025-06-30"
expect_in "$tmp/out" "STC"
printf '%s\n%s\n' "$H" \
  "a1,person,Lê Văn An,001000000001,,STC,2024-01-01,2029-01-01,,," >"$tmp/empty.csv"
expect_status 0 td import "$tmp/empty.csv"
expect_in "$tmp/out" "certificates: 0 added, 1 updated, 0 unchanged"
expect_status 0 td show cert a1
expect_in "$tmp/out" "token:        -"

# A loop in the parents is refused and names the line.
printf 'code,name,parent_code,level\nSTC,Sở Tài chính,SNV,department\n' >"$tmp/loop.csv"
expect_status 65 td import "$tmp/loop.csv"
expect_in "$tmp/err" "loop.csv:2: parent_code: STC would be its own ancestor"
expect_status 0 td audit verify
# A token the registry has serving one holder, given by a later list to
# another: refused as within one file, unless the list moves the first
# holder's certificate off it.
printf '%s\n%s\n' "$H" \
  "b9,person,Ngô Văn Chín,001000000009,,STC,2024-01-01,2029-01-01,T2,," >"$tmp/reuse.csv"
expect_status 65 td import "$tmp/reuse.csv"
expect_in "$tmp/err" "reuse.csv:2: token_serial: token T2 holds certificate a2 of holder 001000000002 (Trần Thị Bình) in the registry"
printf '%s\n%s\n%s\n' "$H" \
  "a2,person,Trần Thị Bình,001000000002,Chuyên viên,STC,2024-01-01,2029-01-01,T20,SafeNet eToken 5110," \
  "b9,person,Ngô Văn Chín,001000000009,,STC,2024-01-01,2029-01-01,T2,," >"$tmp/reuse2.csv"
expect_status 0 td import "$tmp/reuse2.csv"
# A holder's name corrected in a later list: the certificate keeps the
# name the CA issued, and the plan says the name changed (not a move).
printf '%s\n%s\n' "$H" \
  "a2,person,Trần Thị Bính,001000000002,Chuyên viên,STC,2024-01-01,2029-01-01,T20,SafeNet eToken 5110," >"$tmp/renamed.csv"
expect_status 0 td import "$tmp/renamed.csv"
expect_status 0 td --lang en plan show --json
python3 -c '
import json, sys
acts = [a for a in json.load(open(sys.argv[1])) if a.get("cert_serial") == "a2"]
assert len(acts) == 1, acts
a = acts[0]
assert a["rule"] == "holder_renamed", a
assert a["old_dn"].endswith("CN=Trần Thị Bình") and a["new_dn"].endswith("CN=Trần Thị Bính"), a
' "$tmp/out" || fail "the renamed holder is not said as such: $(cat "$tmp/out")"
# A name pasted with no-break (U+00A0) or ideographic (U+3000) spaces is
# the name with plain ones: two names that read the same are the same.
printf 'code,name,parent_code,level\nSNV,S\341\273\237\302\240N\341\273\231i\343\200\200v\341\273\245,STC,division\n' >"$tmp/nbsp.csv"
expect_status 0 td import "$tmp/nbsp.csv"
expect_in "$tmp/out" "agencies: 0 added, 0 updated, 1 unchanged"
# Two files of one import: one names a2 again without the token column
# (a2 stays on T20), the other puts another holder's certificate on
# T20: refused, as one file giving T20 to two holders is.
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n' \
  "a2,person,Trần Thị Bính,001000000002,STC,2024-01-01,2029-01-01" >"$tmp/keep-token.csv"
printf '%s\n%s\n' "$H" \
  "b8,person,Đỗ Văn Tám,001000000008,,STC,2024-01-01,2029-01-01,T20,," >"$tmp/take-token.csv"
expect_status 65 td import "$tmp/keep-token.csv" "$tmp/take-token.csv"
expect_in "$tmp/err" "token T20 holds certificate a2"
# A new certificate of a holder the registry holds, from a list without
# position and e-mail: the holder keeps them.
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\n%s\n' \
  "a5,person,Trần Thị Bính,001000000002,STC,2025-01-01,2030-01-01" >"$tmp/newcert.csv"
expect_status 0 td import "$tmp/newcert.csv"
expect_status 0 td show holder 001000000002
expect_in "$tmp/out" "Chuyên viên"
# An agency list without parent_code, with new certificates in the same
# import: their DNs are made under the agency's superior in the registry.
printf 'code,name,level\nSNV,Sở Nội vụ,division\n' >"$tmp/noparent.csv"
printf '%s\n%s\n' "$H" \
  "a6,person,Vũ Thị Sáu,001000000006,,SNV,2025-01-01,2030-01-01,,," >"$tmp/snvcert.csv"
expect_status 0 td import "$tmp/noparent.csv" "$tmp/snvcert.csv"
expect_status 0 td show cert a6
expect_in "$tmp/out" "O=Ủy ban nhân dân tỉnh Đông Châu, OU=Sở Tài chính, OU=Sở Nội vụ, CN=Vũ Thị Sáu"
# A cell of only no-break spaces is an empty cell: a missing name named.
printf 'cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after\na7,person,\302\240\302\240,001000000007,STC,2025-01-01,2030-01-01\n' >"$tmp/blankname.csv"
expect_status 65 td import "$tmp/blankname.csv"
expect_in "$tmp/err" "blankname.csv:2: holder_name"
finish

#!/bin/sh
# kit-bulk-plant: a kit whose field team imported lists holds a
# cert.add.bulk row, which names no row: the rows it added are held to its
# count and content digest, recomputed over the kit as audit verify does
# at home (kit_backing.c, td_reg_bulk_cert_loads).  An honest import
# merges (its new tokens come home, its certificates wait as conflicts)
# and verifies, so does one a second import gave a new certificate
# another new token (the first left with none); the same kit edited on
# the stick is refused whole, exit 65, named, home and kit unchanged:
#  - a certificate and a token planted past the import's rows (any bulk
#    row at all used to let them in: the token came home), or a
#    certificate alone;
#  - a row of the import's own edited: its token repointed to a planted
#    one, its validity or its new holder's name changed, or it swapped
#    for a planted row under the same id;
#  - a certificate the field updated after the import (cert.update)
#    repointed to a planted token;
#  - the import's row itself edited to cover planted rows (its hash
#    chain breaks);
#  - the token the swap left given to another official, or a token no
#    row names planted beside it.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$1" "$2"; }
K() { TOKENDESK_OPERATOR=team "$TOKENDESK" --db "$kit" "$@"; }

# Every case runs, so a run before the fix shows which let a plant in.
failures=0
bad() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# certs FILE [SED]: the field's list, two certificates on new tokens (one
# for an official home knows, one for a new one), edited by SED.
certs() {
	{ head -1 "$tmp/certs.csv"
	  echo "f001,person,Hoàng Văn Em,001090000005,Chuyên viên,SB,2024-01-01,2027-01-01,T-NEW-1,ePass,"
	  echo "f002,person,Lý Văn Mới,001090000099,Chuyên viên,SB,2024-01-01,2027-01-01,T-NEW-2,ePass,"
	} | sed "${2:-}" > "$1"
}

kit=$tmp/field.kit
td kit make --agencies SB -o "$kit" >/dev/null || td_fail "kit make"
certs "$tmp/new.csv"
K import "$tmp/agencies.csv" "$tmp/new.csv" >/dev/null || td_fail "field import"
[ "$(q "$kit" "SELECT count(*) FROM audit WHERE action = 'cert.add.bulk'")" = 1 ] ||
	td_fail "the field import wrote no cert.add.bulk row"
cp "$kit" "$tmp/pristine.kit"
cp "$tmp/reg.db" "$tmp/home.db"
fresh() { cp "$tmp/pristine.kit" "$kit"; cp "$tmp/home.db" "$tmp/reg.db"; }

# refused WHAT: the merge of $kit exits 65 saying WHAT (an ERE), and
# neither home nor the kit changed.
refused() {
	q "$tmp/reg.db" .dump > "$tmp/home.dump"
	cp "$kit" "$tmp/kit.before"
	td kit merge "$kit" > "$tmp/out" 2>&1
	rc=$?
	[ $rc = 65 ] || { bad "exit $rc, not 65, for '$1': $(cat "$tmp/out")"; return; }
	grep -Eq "$1" "$tmp/out" || bad "unclear refusal (wanted '$1'): $(cat "$tmp/out")"
	grep -q "not merged" "$tmp/out" || bad "does not say not merged: $(cat "$tmp/out")"
	q "$tmp/reg.db" .dump | cmp -s - "$tmp/home.dump" || bad "home changed ($1)"
	cmp -s "$kit" "$tmp/kit.before" || bad "the merge wrote to the kit ($1)"
}

# plant SERIAL TOKEN: a certificate SERIAL on a new token TOKEN, as the
# sqlite3 shell adds them (f001's holder and issuer): no audit row.
plant() {
	q "$kit" "INSERT INTO token (serial, model, state, custodian) VALUES ('$2',
		'ePass', 'in_use', 'holder:001090000005');
	INSERT INTO certificate (serial, issuer_id, subject_dn, kind, holder_id,
		not_before, not_after, token_id) SELECT '$1', issuer_id, subject_dn,
		kind, holder_id, not_before, '2099-01-01', (SELECT id FROM token WHERE
		serial = '$2') FROM certificate WHERE serial = 'f001'" || td_fail "planting $1"
}
# repoint SERIAL HOLDER: certificate SERIAL moved by hand onto a planted
# token T-PLANT in HOLDER's hands.
repoint() {
	q "$kit" "INSERT INTO token (serial, model, state, custodian) VALUES ('T-PLANT',
		'ePass', 'in_use', 'holder:$2');
	UPDATE certificate SET token_id = (SELECT id FROM token WHERE serial = 'T-PLANT')
		WHERE serial = '$1'" || td_fail "repointing $1"
}
# the import of f001 and f002, no longer as its row recorded it
by_import="certificates f001 to f002 were added by the import that the kit's audit row [0-9]+ records, and are no longer what that row recorded \\(2 rows and their content digest\\)"

# ---- 1. the honest import merges ---------------------------------------------
fresh
td kit merge "$kit" > "$tmp/out" 2>&1 || bad "the honest import: $(cat "$tmp/out")"
# an import is no handover, count or tag, but it is not "nothing new"
grep -q "nothing new" "$tmp/out" && bad "an import merged as nothing new: $(cat "$tmp/out")"
grep -q "^no handover, dossier, count, tag or custody move since the kit was made" "$tmp/out" ||
	bad "the merge's summary: $(cat "$tmp/out")"
for s in T-NEW-1 T-NEW-2; do
	td show token "$s" > "$tmp/tok" 2>&1 || bad "$s did not come home"
done
grep -q "custodian: *holder:001090000099" "$tmp/tok" || bad "T-NEW-2: $(cat "$tmp/tok")"
td kit conflicts > "$tmp/c" || bad "kit conflicts"
for s in f001 f002; do
	grep -q "open	insert certificate $s	" "$tmp/c" || bad "$s does not wait: $(cat "$tmp/c")"
done
td audit verify > "$tmp/v" 2>&1 || bad "verify after the honest merge: $(cat "$tmp/v")"

# A second import in the field that changes what the first added (a
# validity, the holder's position): the first's digest is taken over the
# rows as loaded (the cert.update rows' before), and the kit merges.
fresh
certs "$tmp/new2.csv" 's/^\(f001,[^,]*,[^,]*,[^,]*,\)Chuyên viên/\1Phó phòng/; s/^\(f002,.*\),2027-01-01,/\1,2028-01-01,/'
K import "$tmp/new2.csv" >/dev/null || td_fail "second field import"
td kit merge "$kit" > "$tmp/out" 2>&1 || bad "two honest imports: $(cat "$tmp/out")"
td audit verify > "$tmp/v" 2>&1 || bad "verify after two imports: $(cat "$tmp/v")"

# ---- 2. a certificate and a token planted past the import's rows --------------
fresh
plant p001 T-PLANT
refused "certificate p001 was added with no cert.add row or import \(cert\.add\.bulk\) of the kit's audit log"
[ "$(q "$tmp/reg.db" "SELECT count(*) FROM token WHERE serial = 'T-PLANT'")" = 0 ] ||
	bad "the planted token came home"
# a certificate alone, on a token the kit was made with: it would wait as
# a conflict that a person might keep
fresh
q "$kit" "INSERT INTO certificate (serial, issuer_id, subject_dn, kind, holder_id,
	not_before, not_after, token_id) SELECT 'p002', issuer_id, subject_dn, kind,
	holder_id, not_before, '2099-01-01', token_id FROM certificate WHERE serial = 'b001'"
refused "certificate p002 was added with no cert.add row or import"

# ---- 3. the import's own rows edited ---------------------------------------------
# its token repointed to a planted one
fresh
repoint f001 001090000005
refused "$by_import"
# its validity; its new holder's name
fresh
q "$kit" "UPDATE certificate SET not_after = '2099-01-01' WHERE serial = 'f002'"
refused "$by_import"
fresh
q "$kit" "UPDATE holder SET name = 'Kẻ Khác' WHERE ext_id = '001090000099'"
refused "$by_import"
# swapped for a planted row, which takes the freed id: the load's last
# row is no longer the one it names
fresh
q "$kit" "DELETE FROM certificate WHERE serial = 'f002'"
plant p003 T-PLANT
refused "$by_import"

# a certificate the field updated after its import, then repointed: its
# token must be one its cert.update rows name
fresh
certs "$tmp/new2.csv" 's/^\(f002,.*\),2027-01-01,/\1,2028-01-01,/'
K import "$tmp/new2.csv" >/dev/null || td_fail "second field import"
repoint f002 001090000099
refused "token T-PLANT was added with no certificate added in the field carrying it"

# ---- 4. the import's row edited to cover a planted certificate ------------------
fresh
plant p004 T-PLANT
q "$kit" "UPDATE audit SET after = json_set(after, '$.added', 3, '$.last', 'p004',
	'$.content_sha256', '$(printf %064d 0)') WHERE action = 'cert.add.bulk'"
refused "the kit's audit log does not verify at row [0-9]+; not merged: audit row [0-9]+ \(cert\.add\.bulk cert \) does not match its hash"

# ---- 5. a token a second import left ------------------------------------------
# A second list gives f001 another new token, T-NEW-3 (a swap): T-NEW-1
# is left with no certificate.  Its only backing is f001's cert.update
# row, whose before names it, f001 being the held import's; it stands
# with the holder that row names, as home's audit verify (td_left)
# expects.  The merge used to refuse the kit, T-NEW-1 taken as planted.
fresh
certs "$tmp/swap.csv" 's/^\(f001,.*\),T-NEW-1,/\1,T-NEW-3,/'
K import "$tmp/swap.csv" >/dev/null || td_fail "the swapping field import"
[ "$(q "$kit" "SELECT count(*) FROM certificate c JOIN token t ON t.id = c.token_id
	WHERE t.serial = 'T-NEW-1'")" = 0 ] || td_fail "T-NEW-1 still has a certificate"
cp "$kit" "$tmp/swapped.kit"
td kit merge "$kit" > "$tmp/out" 2>&1 || bad "a token a second import left: $(cat "$tmp/out")"
for s in T-NEW-1 T-NEW-3; do
	td show token "$s" > "$tmp/tok" 2>&1 || { bad "$s did not come home"; continue; }
	grep -q "custodian: *holder:001090000005" "$tmp/tok" || bad "$s: $(cat "$tmp/tok")"
done
td audit verify > "$tmp/v" 2>&1 || bad "verify after the swap: $(cat "$tmp/v")"
# the same kit, the left token then given to another official by hand
fresh
cp "$tmp/swapped.kit" "$kit"
q "$kit" "UPDATE token SET custodian = 'holder:001090000099' WHERE serial = 'T-NEW-1'"
refused "token T-NEW-1 was added with no certificate added in the field carrying it"
# a token no row names, planted beside the swap
fresh
cp "$tmp/swapped.kit" "$kit"
q "$kit" "INSERT INTO token (serial, model, state, custodian) VALUES ('T-LONE',
	'ePass', 'in_use', 'holder:001090000005')"
refused "token T-LONE was added with no certificate added in the field carrying it"

[ "$failures" = 0 ] || td_fail "$failures check(s) failed"
exit 0

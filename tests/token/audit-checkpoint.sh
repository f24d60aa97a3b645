#!/bin/sh
# audit-checkpoint: `audit sign` signs the chain's head with a SoftHSM2
# token (RSA, then EC), stores the checkpoint (audited) and writes it
# with -o; `audit verify` checks the stored ones and `--checkpoint FILE`
# one kept elsewhere.  A chain rewritten whole by a script (a row, the
# import digest that covers it, every hash, the stored checkpoints
# removed) passes the plain `audit verify` but fails `audit verify
# --checkpoint FILE`, the checkpoint named (a careless rewrite, the digest
# left, is caught by the plain verify's state check);
# an edited or deleted stored checkpoint is caught too (the edit by the
# checkpoint check and the state check both), and one signed by a
# certificate no pinned CA issued does not count.  A wrong PIN or a final
# PIN try stores nothing.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_init
command -v python3 >/dev/null 2>&1 || skip "python3 not installed"

hsm_issue dost rsa "/C=VN/O=Sở Khoa học và Công nghệ Hưng Yên/CN=Lê Văn Sở" 7e01
hsm_issue dost_ec ec "/C=VN/O=Sở Khoa học và Công nghệ Hưng Yên/CN=Phạm Thị Ký" 7e02
S_R=$(hsm_token "Sở RSA"); hsm_load "Sở RSA" dost 01
S_E=$(hsm_token "Sở EC"); hsm_load "Sở EC" dost_ec 01
S_L=$(hsm_token "Sở cuối"); hsm_load "Sở cuối" dost 01
hsm_set_flags "Sở cuối" 20000
cat >"$HSM_DIR/agencies.csv" <<CSV
code,name,parent_code,level
HY,Ủy ban nhân dân tỉnh Hưng Yên,,province
HY.SNV,Sở Nội vụ,HY,department
CSV
td init >/dev/null && td import "$HSM_DIR/agencies.csv" >/dev/null || fail "setup"
td crl trust add "$HSM_DIR/ca/ca.crt" >/dev/null || fail "crl trust add"
# a signer from a CA nobody pinned
openssl req -x509 -new -newkey rsa:2048 -nodes -utf8 -sha256 -days 30 \
	-subj "/CN=Tự ký/C=VN" -keyout "$HSM_DIR/self.key" -outform DER \
	-out "$HSM_DIR/self.der" 2>/dev/null || fail "self-signed certificate"
S_X=$(hsm_token "Tự ký"); hsm_load "Tự ký" self 01
echo "$HSM_PIN" >"$HSM_DIR/pin.ok"
echo 0000 >"$HSM_DIR/pin.bad"
rows() { sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM audit_checkpoint"; }

st=0
td audit sign --token "$S_R" --pin-fd 3 -o "$HSM_DIR/cp.pem" 3<"$HSM_DIR/pin.bad" \
	>"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "wrong PIN: status $st"; }
[ "$(rows)" = 0 ] && [ ! -e "$HSM_DIR/cp.pem" ] || fail "wrong PIN: something stored"

# A token at its final PIN try: refused before any PIN is read.
st=0
td audit sign --token "$S_L" </dev/null >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 77 ] || { cat "$HSM_DIR/out" >&2; fail "final try: status $st"; }
expect_grep "final-try-refused" "$HSM_DIR/out" "final try: named"
[ "$(rows)" = 0 ] || fail "final try: something stored"

head=$(sqlite3 "$TOKENDESK_DB" "SELECT max(id) FROM audit")
st=0
td audit sign --token "$S_R" --pin-fd 3 -o "$HSM_DIR/cp.pem" 3<"$HSM_DIR/pin.ok" \
	>"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "audit sign: status $st"; }
expect_grep "checkpoint 1: audit row $head signed by .*Lê Văn Sở" "$HSM_DIR/out" "sign: said"
[ "$(rows)" = 1 ] || fail "checkpoint not stored"
td audit log audit_checkpoint 1 >"$HSM_DIR/log"
expect_grep "audit.checkpoint" "$HSM_DIR/log" "checkpoint audited"
# The file is a CMS the CA's certificate verifies, naming the head.
openssl cms -verify -in "$HSM_DIR/cp.pem" -inform PEM -CAfile "$HSM_DIR/ca/ca.crt" \
	-purpose any -out "$HSM_DIR/content" 2>"$HSM_DIR/cms.err" ||
	{ cat "$HSM_DIR/cms.err" >&2; fail "openssl cms -verify"; }
expect_grep "^head $head [0-9a-f]\{64\}$" "$HSM_DIR/content" "checkpoint content"
# An EC key signs too.
td audit sign --token "$S_E" --pin-fd 3 3<"$HSM_DIR/pin.ok" >"$HSM_DIR/out" 2>&1 ||
	{ cat "$HSM_DIR/out" >&2; fail "audit sign, EC"; }

st=0
td audit verify >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "verify: status $st"; }
expect_grep "checkpoint 1 (audit row $head, .* by Lê Văn Sở): the chain still holds it" \
	"$HSM_DIR/out" "verify: stored checkpoint 1"
expect_grep "checkpoint 2 .*Phạm Thị Ký" "$HSM_DIR/out" "verify: stored checkpoint 2"
td audit verify --checkpoint "$HSM_DIR/cp.pem" >"$HSM_DIR/out" 2>&1 ||
	{ cat "$HSM_DIR/out" >&2; fail "verify --checkpoint before the rewrite"; }

# A checkpoint signed by a certificate no pinned CA issued does not count.
# (signed on a copy, so the registry itself keeps only the good ones)
cp "$TOKENDESK_DB" "$HSM_DIR/copy.db"
td --db "$HSM_DIR/copy.db" audit sign --token "$S_X" --pin-fd 3 -o "$HSM_DIR/self.pem" \
	3<"$HSM_DIR/pin.ok" >"$HSM_DIR/out" 2>&1 ||
	{ cat "$HSM_DIR/out" >&2; fail "audit sign, self-signed"; }
st=0
td audit verify --checkpoint "$HSM_DIR/self.pem" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "self-signed checkpoint: status $st"; }
expect_grep "not issued by a CA pinned" "$HSM_DIR/out" "self-signed checkpoint: said"

# An edited stored checkpoint (its head moved) is named.
cp "$TOKENDESK_DB" "$HSM_DIR/edited.db"
sqlite3 "$HSM_DIR/edited.db" "UPDATE audit_checkpoint SET head_id = head_id + 1 WHERE id = 1"
st=0
td --db "$HSM_DIR/edited.db" audit verify >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "edited checkpoint: status $st"; }
expect_grep "checkpoint 1 .*the stored checkpoint was edited" "$HSM_DIR/out" "edited checkpoint"
# ... and the state check names the row the audit says otherwise.
expect_grep "audit_checkpoint 1: head_id is $((head + 1)), the audit says $head" \
	"$HSM_DIR/out" "edited checkpoint: the row named"
# A stored checkpoint deleted by hand (its audit row left) is named.
cp "$TOKENDESK_DB" "$HSM_DIR/deleted.db"
sqlite3 "$HSM_DIR/deleted.db" "DELETE FROM audit_checkpoint WHERE id = 2"
st=0
td --db "$HSM_DIR/deleted.db" audit verify >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "deleted checkpoint: status $st"; }
expect_grep "audit_checkpoint 2: the audit records this row, but it is not there" \
	"$HSM_DIR/out" "deleted checkpoint: named"

# A careless rewrite (the agency's name changed, every hash recomputed,
# the import's content digest left as it was): the state check alone
# catches it, no checkpoint needed.
cp "$TOKENDESK_DB" "$HSM_DIR/careless.db"
python3 "$TD_SRCDIR/tests/token/rewrite-chain.py" --careless "$HSM_DIR/careless.db" ||
	fail "careless rewrite script"
st=0
td --db "$HSM_DIR/careless.db" audit verify >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "careless rewrite: status $st"; }
expect_grep "agency: the 2 rows that audit row 2 (agency.add.bulk) added, from HY to HY.SNV, no longer match its content digest" \
	"$HSM_DIR/out" "careless rewrite: the load named"

# The whole chain rewritten thoroughly: the row, the import's digest,
# every hash, the head in meta, the stored checkpoints gone with their
# rows.  Nothing inside the file gives it away any more...
python3 "$TD_SRCDIR/tests/token/rewrite-chain.py" "$TOKENDESK_DB" || fail "rewrite script"
[ "$(sqlite3 "$TOKENDESK_DB" "SELECT name FROM agency WHERE code = 'HY.SNV'")" = "Cơ quan giả" ] ||
	fail "the rewrite did not change the agency"
st=0
td audit verify >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 0 ] || { cat "$HSM_DIR/out" >&2; fail "the thorough rewrite should fool the plain audit verify: status $st"; }
# ... but the checkpoint kept elsewhere does.
st=0
td audit verify --checkpoint "$HSM_DIR/cp.pem" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || { cat "$HSM_DIR/out" >&2; fail "rewritten chain: status $st"; }
expect_grep "checkpoint $HSM_DIR/cp.pem (audit row $head, signed .* by Lê Văn Sở): audit row $head no longer has the hash it signed" \
	"$HSM_DIR/out" "rewritten chain: the checkpoint named"
# A checkpoint file changed by one byte does not verify at all.
sed 's/^MII/MIJ/' "$HSM_DIR/cp.pem" >"$HSM_DIR/bad.pem"
st=0
td audit verify --checkpoint "$HSM_DIR/bad.pem" >"$HSM_DIR/out" 2>&1 || st=$?
[ $st = 65 ] || fail "changed checkpoint file: status $st"
exit 0

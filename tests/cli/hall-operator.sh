#!/bin/sh
# hall-operator: the hall's identity (docs/hall.md).  `hall add-operator`
# writes the authorized_keys line binding a key to a name (with the
# fingerprint ssh-keygen gives); under --operator-key the audit names
# "NAME (ssh FP)" whatever --operator or $TOKENDESK_OPERATOR say; what
# the SSH client asks to run may add only --p11-socket and --lang; a key
# other than the bound one ($SSH_USER_AUTH) is refused; --p11-socket
# takes only a socket of this account.  Refusals write nothing.
. "$TD_SRCDIR/tests/cli/lib.sh"
command -v ssh-keygen >/dev/null 2>&1 || { echo "ssh-keygen not installed"; exit 77; }
demo_import || { echo "FAIL: demo registry"; exit 1; }
ssh-keygen -q -t ed25519 -N '' -C an -f "$tmp/an" </dev/null
ssh-keygen -q -t rsa -b 2048 -N '' -C other -f "$tmp/other" </dev/null
fp=$(ssh-keygen -lf "$tmp/an.pub" | cut -d' ' -f2)
ofp=$(ssh-keygen -lf "$tmp/other.pub" | cut -d' ' -f2)

# The line: forced command with the registry's absolute path, the name,
# the fingerprint; restrict,pty,port-forwarding; the key itself.
expect_status 0 td hall add-operator "Nguyễn Văn An" "$tmp/an.pub" --program /usr/bin/tokendesk
expect_in "$tmp/out" "command=\"'/usr/bin/tokendesk' --db '$tmp/reg.db' --operator-key 'Nguyễn Văn An' --key-fingerprint $fp\",restrict,pty,port-forwarding ssh-ed25519 $(cut -d' ' -f2 "$tmp/an.pub")"
# an RSA key's fingerprint is the one ssh-keygen prints too
expect_status 0 td hall add-operator Other "$tmp/other.pub"
expect_in "$tmp/out" "--key-fingerprint $ofp\""
# --append: made 0600; the same key twice is refused, the file unchanged
expect_status 0 td hall add-operator "Nguyễn Văn An" "$tmp/an.pub" --append "$tmp/ak"
expect_in "$tmp/out" "Nguyễn Văn An ($fp) may now open the desk"
expect_eq "$(stat -c %a "$tmp/ak")" 600 "authorized_keys mode"
cp "$tmp/ak" "$tmp/ak.before"
expect_status 65 td hall add-operator Someone "$tmp/an.pub" --append "$tmp/ak"
expect_in "$tmp/err" "already holds this key"
cmp -s "$tmp/ak" "$tmp/ak.before" || fail "a refused append changed the file"
# what would break out of the forced command's quotes, or is no key
expect_status 64 td hall add-operator "An'; sh #" "$tmp/an.pub"
expect_in "$tmp/err" "may not hold quotes or backslashes"
echo "ssh-ed25519 AAAAnotbase64!! x" >"$tmp/bad.pub"
expect_status 65 td hall add-operator An "$tmp/bad.pub"
expect_in "$tmp/err" "not an OpenSSH ssh-ed25519 public key"
expect_status 65 td hall add-operator An "$tmp/reg.db"
expect_status 66 td hall add-operator An "$tmp/none.pub"

# Under the key: the name and fingerprint, not --operator nor the env.
serial=$(td export tokens | awk -F, 'NR == 2 { print $1 }')
TOKENDESK_OPERATOR=Eve expect_status 0 td --operator-key "Nguyễn Văn An" \
	--key-fingerprint "$fp" --operator Mallory handover --to dost --force --reason "nộp thẳng cho Sở" "$serial"
td audit log token "$serial" >"$tmp/audit"
expect_in "$tmp/audit" "token.move     Nguyễn Văn An (ssh $fp)"
expect_not_in "$tmp/audit" "Mallory"
expect_not_in "$tmp/audit" "Eve"

# What the SSH client asked to run: the desk's socket and language only.
before=$(registry_digest)
for cmd in "tokendesk --operator Mallory" "tokendesk audit log" \
           "tokendesk --p11-socket" "/bin/sh -c id"; do
	SSH_ORIGINAL_COMMAND=$cmd expect_status 77 td --operator-key An \
		--key-fingerprint "$fp"
	expect_in "$tmp/err" "this key opens the desk only"
done
# sshd's ExposeAuthInfo names the key used: another key is refused
echo "publickey $(cut -d' ' -f1,2 "$tmp/other.pub")" >"$tmp/auth"
SSH_USER_AUTH=$tmp/auth expect_status 77 td --operator-key An --key-fingerprint "$fp" \
	handover --to ca "$serial"
expect_in "$tmp/err" "the SSH key used ($ofp) is not the one bound to An ($fp)"
# ... and the bound one is accepted (here by a read-only command)
echo "publickey $(cut -d' ' -f1,2 "$tmp/an.pub")" >"$tmp/auth"
SSH_USER_AUTH=$tmp/auth expect_status 0 td --operator-key An --key-fingerprint "$fp" \
	audit verify
[ "$(registry_digest)" = "$before" ] || fail "a refused command changed the registry"

# --p11-socket: only a socket this account owns, by a plain path.
: >"$tmp/not-a-socket"
expect_status 69 td --p11-socket "$tmp/not-a-socket" scan
expect_in "$tmp/err" "is not a socket of this account"
expect_status 64 td --p11-socket "relative.sock" scan
expect_status 64 td --p11-socket "/tmp/a;b.sock" scan
finish

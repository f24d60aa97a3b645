#!/bin/sh
# kit-crl-trust: which CAs are pinned (crl_trust) and which CRLs were
# applied (crl_import) are home's alone: a kit carries neither, and rows
# added to them in the field (by tokendesk, or planted with sqlite3) never
# reach home, whatever the merge says about the rest.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3 openssl
q() { sqlite3 "$1" "$2"; }
mkself() {   # DIR: a self-signed CA under the government CA's name
	mkdir -p "$1" && openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1/ca.key" \
		-out "$1/ca.pem" -days 30 -utf8 \
		-subj "/C=VN/O=Ban Cơ yếu Chính phủ/CN=CA phục vụ các cơ quan Nhà nước G2" 2>/dev/null
}
mkself "$tmp/real" && mkself "$tmp/fake" || td_fail "openssl"
td crl trust add "$tmp/real/ca.pem" >/dev/null || td_fail "pinning at home"
home_pins=$(q "$tmp/reg.db" "SELECT group_concat(cert_sha256) FROM crl_trust")

td kit make --agencies SA -o "$tmp/kit.db" >/dev/null || td_fail "kit make"
[ "$(q "$tmp/kit.db" 'SELECT count(*) FROM crl_trust')" = 0 ] ||
	td_fail "the kit carries home's pinned CAs"
# In the field: pinned through tokendesk, and planted by hand.
"$TOKENDESK" --db "$tmp/kit.db" crl trust add "$tmp/fake/ca.pem" >/dev/null ||
	td_fail "pinning in the kit"
q "$tmp/kit.db" "INSERT INTO crl_trust (subject, key_sha256, cert_sha256, cert,
	added_at, added_by) VALUES ('CN=x', 'aa', 'bb', '00', 'now', 'field');
	INSERT INTO crl_import (issuer, crl_number, this_update, entries, sha256,
	imported_at) VALUES ('CN=CA phục vụ các cơ quan Nhà nước G2, O=Ban Cơ yếu Chính phủ, C=VN',
	'ffff', '2099-01-01', 0, 'cc', 'now')" || td_fail "planting"
"$TOKENDESK" --db "$tmp/kit.db" count start --agency SA >/dev/null || td_fail "field work"

td kit merge "$tmp/kit.db" >"$tmp/out" 2>&1
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 65 ] || { cat "$tmp/out" >&2; td_fail "kit merge exited $rc"; }
[ "$(q "$tmp/reg.db" "SELECT group_concat(cert_sha256) FROM crl_trust")" = "$home_pins" ] ||
	td_fail "a kit changed home's pinned CAs"
[ "$(q "$tmp/reg.db" 'SELECT count(*) FROM crl_import')" = 0 ] ||
	td_fail "a kit recorded a CRL at home"
[ "$(q "$tmp/reg.db" "SELECT count(*) FROM audit WHERE action LIKE 'crl.%'")" = 1 ] ||
	td_fail "home audit rows about CRLs"
td audit verify >/dev/null || td_fail "home audit after the merge"
exit 0

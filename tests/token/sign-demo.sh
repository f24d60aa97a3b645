#!/bin/sh
# sign-demo: the demo's tokens (tools/demo-tokens, as tools/demo makes
# them) sign: Nguyễn Văn Hùng hands his token to DOST and signs the
# record as the giver; `receipt --verify` and pdfsig accept it; the audit
# chain is checkpointed with the same token.  `audit verify` passes on the
# demo registry as made and after all that.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
hsm_require_tools
command -v pdfsig >/dev/null 2>&1 || skip "pdfsig not installed"
demo=$(mktemp -d "${TMPDIR:-/tmp}/td-signdemo.XXXXXX")
# the setup's log beside the folder: the setup empties the folder of logs
setup_log=$demo.setup.log
trap 'rm -rf "$demo" "$setup_log"' EXIT
TOKENDESK_DB=$demo/registry.db
TOKENDESK_DEMO_DIR=$demo
P11_KIT_NO_USER_CONFIG=1
export TOKENDESK_DB TOKENDESK_DEMO_DIR P11_KIT_NO_USER_CONFIG
"$TOKENDESK" init >/dev/null &&
	"$TOKENDESK" import "$TD_SRCDIR/data/demo/agencies.csv" \
		"$TD_SRCDIR/data/demo/certificates.csv" >/dev/null || fail "demo registry"
# as a clerk runs tools/demo: in Vietnamese (demo-tokens reads
# tokendesk's output, whose labels and dates are then Vietnamese)
LANGUAGE=vi TOKENDESK=$TOKENDESK "$TD_SRCDIR/tools/demo-tokens" setup "$demo" "$TOKENDESK" \
	>"$setup_log" 2>&1 || { cat "$setup_log" >&2; fail "demo tokens"; }
SOFTHSM2_CONF=$demo/softhsm2.conf
export SOFTHSM2_CONF
# The demo registry is an honest one: the tokens came by an import that
# moved certificates to them (the old tokens keep their rows).
"$TOKENDESK" audit verify >"$demo/out" 2>&1 ||
	{ cat "$demo/out" >&2; fail "audit verify on the demo registry"; }
expect_grep "every audited row matches its audit trail" "$demo/out" "demo registry verified"
hung=$(awk '$1 == "hung" { print $2 }' "$demo/tokens.map")
[ -n "$hung" ] || fail "no demo token hung"
echo 1111 >"$demo/pin"
td() { "$TOKENDESK" --module "$HSM_MODULE" "$@"; }
td handover --to dost --force --reason "nộp thẳng cho Sở" --pin-fd 3 "$hung" 3<"$demo/pin" >"$demo/out" 2>&1 ||
	{ cat "$demo/out" >&2; fail "handover of hung's token"; }
n=$(td receipt --list | awk 'NR == 1 { print $1 }')
td receipt "$n" --pdf "$demo/r.pdf" --sign "$hung" --pin-fd 3 3<"$demo/pin" \
	>"$demo/out" 2>&1 || { cat "$demo/out" >&2; fail "sign with hung's token"; }
td receipt "$n" --verify "$demo/r.pdf" >"$demo/out" 2>&1 ||
	{ cat "$demo/out" >&2; fail "verify"; }
expect_grep "signature 1: valid; by Nguyễn Văn Hùng .*: the giver" "$demo/out" "the giver signed"
pdfsig -nocert "$demo/r.pdf" >"$demo/pdfsig" 2>&1
expect_grep "Signature is Valid" "$demo/pdfsig" "pdfsig"
td audit sign --token "$hung" --pin-fd 3 -o "$demo/cp.pem" 3<"$demo/pin" \
	>"$demo/out" 2>&1 || { cat "$demo/out" >&2; fail "audit sign"; }
td audit verify --checkpoint "$demo/cp.pem" >"$demo/out" 2>&1 ||
	{ cat "$demo/out" >&2; fail "audit verify --checkpoint"; }
expect_grep "every audited row matches its audit trail" "$demo/out" "verified after the handover"
exit 0

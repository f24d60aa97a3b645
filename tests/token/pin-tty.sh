#!/bin/sh
# pin-tty: a PIN typed at a real terminal (a tmux pane) is never echoed,
# whether tokendesk reads it from /dev/tty (no --pin-fd) or from a
# --pin-fd that is that terminal (`--pin-fd 0` typed interactively, which
# once read the PIN with the terminal's echo on); and the terminal's echo
# is back on afterwards.
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/token/hsm-lib.sh"
command -v tmux >/dev/null 2>&1 || skip "tmux not installed"
hsm_init

PIN=73914628   # unlike any other text on the screen
hsm_issue lam rsa "/C=VN/O=Ủy ban nhân dân tỉnh Hưng Yên/CN=Lâm Văn Tú" 7c01
softhsm2-util --init-token --free --label "Token Tú" --so-pin "$HSM_SO_PIN" \
	--pin "$PIN" >/dev/null || fail "cannot init token"
S=$(hsm_serial "Token Tú")
softhsm2-util --import "$HSM_DIR/lam.key" --token "Token Tú" --label lam --id 01 \
	--pin "$PIN" >/dev/null || fail "import key"
pkcs11-tool --module "$HSM_MODULE" --token-label "Token Tú" --login --pin "$PIN" \
	--write-object "$HSM_DIR/lam.der" --type cert --id 01 --label lam \
	>/dev/null 2>&1 || fail "write certificate"

sock=$HSM_DIR/tmux.sock pane=pin
. "${TD_SRCDIR:-$(dirname "$0")/../..}/tests/pane-lib.sh"
trap 'tmux -S "$sock" kill-server 2>/dev/null; hsm_cleanup' EXIT

# run_typed NAME ARGS...: verify-token in a pane; the PIN typed at its
# prompt; then the pane shows the outcome and whether echo is on again.
run_typed() {
	name=$1; shift
	cat >"$HSM_DIR/$name.sh" <<EOF
"$TOKENDESK" --module "$HSM_MODULE" verify-token $S $*
echo "status \$?"
stty -a | grep -o -- '-\{0,1\}echo ' | head -n 1
echo "step-done"
sleep 60
EOF
	pane_start 120 20 "sh $HSM_DIR/$name.sh" || fail "tmux"
	pane_wait "User PIN of token $S" || fail "'User PIN of token $S' never appeared"
	tmux -S "$sock" send-keys -t pin "$PIN" Enter
	# the step's last line: the stty line above it is on the pane too
	pane_done step-done >"$HSM_DIR/$name.screen" || fail "'step-done' never appeared"
	tmux -S "$sock" kill-session -t pin
	grep -q "key-matches" "$HSM_DIR/$name.screen" ||
		{ cat "$HSM_DIR/$name.screen" >&2; fail "$name: the typed PIN did not prove the key"; }
	if grep -q "$PIN" "$HSM_DIR/$name.screen"; then
		cat "$HSM_DIR/$name.screen" >&2
		fail "$name: the PIN was echoed"
	fi
	grep -q "^echo *$" "$HSM_DIR/$name.screen" ||
		{ cat "$HSM_DIR/$name.screen" >&2; fail "$name: echo not restored"; }
}

run_typed tty
run_typed pin-fd-0 --pin-fd 0
echo PASS

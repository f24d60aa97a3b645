# man-pages.sh: tokendesk(1) names every command and every long option
# that `tokendesk --help` and each command's --help show, and
# tokendesk.conf(5) every key the config file takes; both render without
# a warning (groff -ww); bash completion completes commands, options and
# serials from the registry (issue 25).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v groff >/dev/null || exit 77
man1="$TD_SRCDIR/man/tokendesk.1"
man5="$TD_SRCDIR/man/tokendesk.conf.5"

for m in "$man1" "$man5"; do
	LC_ALL=C.UTF-8 groff -ww -z -man -Tutf8 -K utf8 "$m" >"$tmp/groff" 2>&1 ||
		fail "groff failed on $m"
	[ ! -s "$tmp/groff" ] || { fail "groff warns on $m"; sed 's/^/  | /' "$tmp/groff" >&2; }
	# a control character (a printf'd "\fR" became a form feed) renders
	# silently on -Tutf8 but breaks other devices and man -l on a tty
	! LC_ALL=C grep -n "$(printf '[\001-\010\013\014\016-\037]')" "$m" >"$tmp/ctl" ||
		{ fail "control character in $m"; cat "$tmp/ctl" >&2; }
done
# the source with its hyphens unescaped: "--batch" as a reader sees it
sed 's/\\-/-/g' "$man1" >"$tmp/man1.txt"
sed 's/\\-/-/g' "$man5" >"$tmp/man5.txt"

td --help >"$tmp/help" || fail "tokendesk --help"
cmds=$(sed -n 's/^  tokendesk \([a-z-]*\).*/\1/p' "$tmp/help")
[ "$(echo "$cmds" | wc -w)" -ge 19 ] || fail "only $(echo "$cmds" | wc -w) commands in --help"
opts=$(grep -o -- '--[a-z][a-z0-9-]*' "$tmp/help")
for c in $cmds; do
	grep -q -- "^\.B[IR]* \"*$c\b\|^\.B[IR]* .*\b$c\b" "$tmp/man1.txt" ||
		fail "tokendesk.1 has no entry for the command $c"
	td "$c" --help >"$tmp/h" 2>&1 || fail "$c --help exited $?"
	opts="$opts $(grep -o -- '--[a-z][a-z0-9-]*' "$tmp/h")"
	for s in $(sed -n "s/^ *tokendesk $c \([a-z-]*\).*/\1/p" "$tmp/h" | sort -u); do
		td "$c" "$s" --help >"$tmp/hs" 2>&1 && opts="$opts $(grep -o -- '--[a-z][a-z0-9-]*' "$tmp/hs")"
	done
done
for o in $(echo "$opts" | tr ' ' '\n' | sort -u); do
	grep -q -- "$o\b" "$tmp/man1.txt" || fail "tokendesk.1 does not name the option $o"
done
# the config keys, as the refusal of an unknown one lists them
printf 'nosuchkey = 1\n' >"$tmp/bad.conf"
td --config "$tmp/bad.conf" search x >/dev/null 2>"$tmp/err"
keys=$(sed -n 's/.*the settings are \(.*\)/\1/p' "$tmp/err" | sed 's/,\| and / /g')
[ -n "$keys" ] || fail "no list of settings in: $(cat "$tmp/err")"
for k in $keys; do
	grep -q "^\.BI $k " "$tmp/man5.txt" || fail "tokendesk.conf.5 does not name the key $k"
done

# bash completion: commands, options, serials from the registry
command -v bash >/dev/null || { finish; }
demo_import || fail "demo import"
cat >"$tmp/comp.sh" <<SH
. "$TD_SRCDIR/data/bash-completion/tokendesk"
complete_line() { COMP_WORDS=("\$@"); COMP_CWORD=\$((\${#COMP_WORDS[@]} - 1)); _tokendesk; printf '%s\n' "\${COMPREPLY[@]}"; }
COMP_WORDS=(); echo "== sh"; complete_line "$TOKENDESK" sh
echo "== forms"; complete_line "$TOKENDESK" forms --b
echo "== token"; complete_line "$TOKENDESK" show token 3792
echo "== kind"; complete_line "$TOKENDESK" forms --kind re
echo "== all"; complete_line "$TOKENDESK" ""
echo "== giver"; complete_line "$TOKENDESK" handover --from ""
echo "== trust"; complete_line "$TOKENDESK" crl trust ""
echo "== kit"; complete_line "$TOKENDESK" kit re
SH
bash "$tmp/comp.sh" >"$tmp/comp" 2>&1 || fail "completion script"
expect_in "$tmp/comp" "show"
expect_in "$tmp/comp" "--batch"
expect_in "$tmp/comp" "3792084583"
expect_in "$tmp/comp" "recover"
# every command --help lists is completed; the others' words too
for c in $(td --help | sed -n '/^Commands:/,/^$/s/^ *tokendesk \([a-z-]*\).*/\1/p'); do
	sed -n '/^== all$/,/^== giver$/p' "$tmp/comp" | grep -qx -- "$c" ||
		fail "bash completion does not offer the command $c"
done
sed -n '/^== giver$/,/^== trust$/p' "$tmp/comp" | grep -qx "dost" ||
	fail "handover --from is not completed with custodians"
expect_in "$tmp/comp" "remove"
expect_in "$tmp/comp" "refresh"
finish

#!/bin/sh
# In a non-UTF-8 locale the desk refuses to start and says what to do,
# instead of garbling Vietnamese.
: "${TOKENDESK:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-tui.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$TOKENDESK" --db "$tmp/reg.db" -q init >/dev/null || exit 1
LC_ALL=C LANG=C "$TOKENDESK" --db "$tmp/reg.db" >"$tmp/out" 2>&1 </dev/null
rc=$?
[ $rc -eq 64 ] || { echo "FAIL: status $rc, want 64"; cat "$tmp/out"; exit 1; }
grep -q "UTF-8" "$tmp/out" && grep -q "LANG=C.UTF-8" "$tmp/out" ||
	{ echo "FAIL: no advice"; cat "$tmp/out"; exit 1; }
exit 0

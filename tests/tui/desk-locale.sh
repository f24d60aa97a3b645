#!/bin/sh
# In a non-UTF-8 locale the desk refuses to start and says what to do,
# instead of garbling Vietnamese.  A UTF-8 locale that is named but not
# installed (LANG=vi_VN.UTF-8 where only C.UTF-8 is) is not refused.
: "${TOKENDESK:?}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-tui.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$TOKENDESK" --db "$tmp/reg.db" -q init >/dev/null || exit 1
for env in "LC_ALL=C LANG=C" "LC_ALL= LANG=vi_VN"; do
	env $env "$TOKENDESK" --db "$tmp/reg.db" >"$tmp/out" 2>&1 </dev/null
	rc=$?
	[ $rc -eq 64 ] || { echo "FAIL: $env: status $rc, want 64"; cat "$tmp/out"; exit 1; }
	grep -q "UTF-8" "$tmp/out" && grep -q "LANG=C.UTF-8" "$tmp/out" ||
		{ echo "FAIL: $env: no advice"; cat "$tmp/out"; exit 1; }
done
# past the locale check, it stops only for want of a terminal
LC_ALL= LANG=vi_VN.UTF-8 "$TOKENDESK" --db "$tmp/reg.db" >"$tmp/out" 2>&1 </dev/null
grep -q "needs a terminal" "$tmp/out" && ! grep -q "LANG=C.UTF-8" "$tmp/out" ||
	{ echo "FAIL: LANG=vi_VN.UTF-8 refused"; cat "$tmp/out"; exit 1; }
exit 0

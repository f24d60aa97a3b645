#!/bin/sh
# kit-attach: a kit merge reads the kit, and a kit make reads home, as
# attached databases inside a write transaction of the other; the write
# lock is taken on the registry alone (td_reg_begin), so a file only read
# is never committed.  So
#  - a kit whose header a USB stick mangled (an auto-vacuum flag and root
#    page that are garbage, a bad freelist count) is merged or refused
#    exactly as reported, and is not written (fuzz-kit found a merge that
#    home took whole while it was reported as refused);
#  - paths that SQLite would read as URIs name the files they name: a
#    registry called "file:reg.db", a kit with ' ?#%' and Vietnamese
#    letters in its name.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
merged() { sqlite3 "$1" "SELECT count(*) FROM kit_merged"; }

# ---- a mangled header ------------------------------------------------------
td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make"
"$move" "$tmp/a.kit" T-SA-01 agency:SA at_agency || td_fail "field move"
# Checkpoint the kit into its file, then mangle the header: largest root
# page (offset 52, non-zero means auto-vacuum) and freelist count (36).
sqlite3 "$tmp/a.kit" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
printf '\012\012\012\077' | dd of="$tmp/a.kit" bs=1 seek=52 conv=notrunc 2>/dev/null
printf '\377\377\377\000' | dd of="$tmp/a.kit" bs=1 seek=36 conv=notrunc 2>/dev/null
cp "$tmp/a.kit" "$tmp/a.kit.orig"
cp "$tmp/reg.db" "$tmp/home.orig"
if td kit merge "$tmp/a.kit" >"$tmp/out" 2>&1; then
	[ "$(merged "$tmp/reg.db")" = 1 ] || td_fail "merge reported, not recorded"
	[ "$(sqlite3 "$tmp/reg.db" "SELECT custodian FROM token WHERE serial = 'T-SA-01'")" = agency:SA ] ||
		td_fail "the field move did not come home"
else
	[ "$(merged "$tmp/reg.db")" = 0 ] ||
		td_fail "merge reported as refused ($(cat "$tmp/out")) but home took it"
fi
cmp -s "$tmp/a.kit" "$tmp/a.kit.orig" || td_fail "the merge wrote to the kit"
td audit verify >/dev/null || td_fail "home audit chain"

# ---- paths that look like URIs ---------------------------------------------
mkdir "$tmp/w" && cp "$tmp/home.orig" "$tmp/w/file:reg.db" || td_fail "set-up"
(
	cd "$tmp/w" || exit 1
	h() { "$TOKENDESK" --db file:reg.db "$@"; }
	kit='kit ?#%41 Đông Châu.kit'
	h kit make --agencies SA -o "$kit" >/dev/null || td_fail "kit make from file:reg.db"
	[ -f "$kit" ] || td_fail "no file named '$kit'"
	"$move" "$kit" T-SA1-02 agency:SA1 at_agency || td_fail "field move"
	h kit merge "$kit" >/dev/null || td_fail "merge '$kit' into file:reg.db"
	[ "$(merged ./file:reg.db)" = 1 ] || td_fail "file:reg.db did not take the merge"
	[ "$(sqlite3 ./file:reg.db "SELECT custodian FROM token WHERE serial = 'T-SA1-02'")" = agency:SA1 ] ||
		td_fail "the field move did not reach file:reg.db"
	[ ! -e reg.db ] || td_fail "a file reg.db was made"
	[ "$(ls | grep -c 'kit ')" = 1 ] || td_fail "kit files: $(ls)"
) || td_fail "in the URI-like directory"
exit 0

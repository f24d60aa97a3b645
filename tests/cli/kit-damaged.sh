#!/bin/sh
# kit-damaged: a kit whose file, or whose image of itself as made, has a
# damaged page is refused before anything is read from it: exit 65, a
# message naming it damaged, home and kit unchanged; merging it again
# says the same.  A file that is not a kit, or a kit from another
# version of tokendesk, is refused and left as it was.  (fuzz-kit found
# a damaged kit that was merged once and then called "not a field kit":
# SQLite read a cell running off its page from whatever memory lay past
# it.)
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test sqlite3
q() { sqlite3 "$1" "$2"; }

# poke FILE OFFSET BYTES: BYTES (printf escapes) written over FILE at OFFSET.
poke() { printf "$3" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null; }

# edit_image KIT CMD...: CMD run on $tmp/image, the image KIT keeps of
# itself as made, which then goes back into KIT.
edit_image() {
	kit=$1
	shift
	q "$kit" "SELECT writefile('$tmp/image', image) FROM kit_base" >/dev/null
	"$@"
	q "$kit" "UPDATE kit_base SET image = readfile('$tmp/image');
		PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
}

# damage FILE TABLE: the cell count of TABLE's root page in the database
# FILE made impossible (0xffff cells on one page).
damage() {
	root=$(q "$1" "SELECT rootpage FROM sqlite_schema WHERE name = '$2'")
	size=$(q "$1" "PRAGMA page_size")
	[ -n "$root" ] && [ -n "$size" ] || td_fail "no page for $2 in $1"
	poke "$1" $(( (root - 1) * size + 3 )) '\377\377'
	[ "$(q "$1" "PRAGMA quick_check(1)")" != ok ] || td_fail "$1 was not damaged"
}

# merge_refused KIT WHAT: two merges of KIT, each refused as damaged
# (WHAT in the message), home and KIT as they were.
merge_refused() {
	cp "$1" "$tmp/kit.orig"
	q "$tmp/reg.db" .dump > "$tmp/home.dump"
	for attempt in 1 2; do
		td kit merge "$1" > "$tmp/out" 2>&1
		rc=$?
		[ $rc = 65 ] || td_fail "merge $attempt of a damaged $2: exit $rc: $(cat "$tmp/out")"
		grep -q "$2.* is damaged (.*); not merged" "$tmp/out" ||
			td_fail "merge $attempt said: $(cat "$tmp/out")"
		[ "$(wc -l < "$tmp/out")" = 1 ] || td_fail "not one line: $(cat "$tmp/out")"
	done
	q "$tmp/reg.db" .dump | cmp -s - "$tmp/home.dump" || td_fail "home changed"
	cmp -s "$1" "$tmp/kit.orig" || td_fail "the merge wrote to the kit"
}

# ---- a damaged page in the kit file ------------------------------------------
td kit make --agencies SA -o "$tmp/a.kit" >/dev/null || td_fail "kit make a"
"$move" "$tmp/a.kit" T-SA-01 agency:SA at_agency || td_fail "field move a"
q "$tmp/a.kit" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
damage "$tmp/a.kit" token
merge_refused "$tmp/a.kit" "kit .*a\.kit"

# ---- a damaged page in the image the kit keeps of itself ---------------------
td kit make --agencies SB -o "$tmp/b.kit" >/dev/null || td_fail "kit make b"
"$move" "$tmp/b.kit" T-SB-01 agency:SB at_agency || td_fail "field move b"
edit_image "$tmp/b.kit" damage "$tmp/image" token
merge_refused "$tmp/b.kit" "the kit's image of itself as made"

# ---- an image whose header asks for a newer SQLite to write (byte 18) ----------
# Whole and readable, but read-only: the merge's diff into it failed as
# "the registry .../reg.db is read-only", exit 77, blaming home (fuzz-kit).
td kit make --agencies SB -o "$tmp/w.kit" >/dev/null || td_fail "kit make w"
"$move" "$tmp/w.kit" T-SB-01 agency:SB at_agency || td_fail "field move w"
edit_image "$tmp/w.kit" poke "$tmp/image" 18 '\150'
merge_refused "$tmp/w.kit" "the kit's image of itself as made"
grep -q "header allows reading only" "$tmp/out" || td_fail "w.kit said: $(cat "$tmp/out")"

# ---- a damaged first page: the file does not open as a database ----------------
td kit make --agencies SA1 -o "$tmp/d.kit" >/dev/null || td_fail "kit make d"
q "$tmp/d.kit" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
poke "$tmp/d.kit" 0 'XXXX'
merge_refused "$tmp/d.kit" "kit .*d\.kit"

# ---- a header naming another text encoding (bytes 56-59) ----------------------
# The kit opens on its own (SQLite reads the low bits), but ATTACH to
# home refuses it: once "registry: attached databases must use the same
# text encoding", exit 70 (fuzz-kit).
td kit make --agencies SB -o "$tmp/e.kit" >/dev/null || td_fail "kit make e"
"$move" "$tmp/e.kit" T-SB-01 agency:SB at_agency || td_fail "field move e"
q "$tmp/e.kit" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
poke "$tmp/e.kit" 56 '\001TTT'
merge_refused "$tmp/e.kit" "kit .*e\.kit"

# ---- whole, but a row breaks a rule of home's schema ----------------------------
# (written by a raw tool past the kit's own CHECK): refused as the kit's
# fault, exit 65, not as a registry failure, exit 70.
td kit make --agencies SB -o "$tmp/r.kit" >/dev/null || td_fail "kit make r"
q "$tmp/r.kit" "PRAGMA ignore_check_constraints = 1;
	UPDATE token SET state = 'borrowed' WHERE serial = 'T-SB-01';
	PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
cp "$tmp/r.kit" "$tmp/kit.orig"
q "$tmp/reg.db" .dump > "$tmp/home.dump"
td kit merge "$tmp/r.kit" > "$tmp/out" 2>&1
rc=$?
[ $rc = 65 ] || td_fail "merge of a kit breaking a CHECK: exit $rc: $(cat "$tmp/out")"
grep -q "kit .*r\.kit holds what this registry cannot take (CHECK constraint failed: state IN ('in_use', 'at_agency',.*); not merged" "$tmp/out" ||
	td_fail "merge of a kit breaking a CHECK said: $(cat "$tmp/out")"
q "$tmp/reg.db" .dump | cmp -s - "$tmp/home.dump" || td_fail "home changed"
cmp -s "$tmp/r.kit" "$tmp/kit.orig" || td_fail "the merge wrote to the kit"

# ---- not a kit at all: refused, and the file comes out as it went in -------------
# (kit merge once opened it as a registry to be, so an empty file or
# another program's database got all of tokendesk's tables written in.)
not_a_kit() {
	cp "$1" "$tmp/other.orig"
	td kit merge "$1" > "$tmp/out" 2>&1
	rc=$?
	[ $rc = 65 ] || td_fail "merge of $2: exit $rc: $(cat "$tmp/out")"
	grep -q "is not a field kit" "$tmp/out" || td_fail "merge of $2 said: $(cat "$tmp/out")"
	cmp -s "$1" "$tmp/other.orig" || td_fail "the merge wrote into $2"
	[ ! -e "$1-wal" ] || [ ! -s "$1-wal" ] || td_fail "the merge left a WAL beside $2"
}
: > "$tmp/empty.kit"
chmod 600 "$tmp/empty.kit"
not_a_kit "$tmp/empty.kit" "an empty file"
q "$tmp/other.db" "CREATE TABLE notes (id INTEGER PRIMARY KEY, text);
	INSERT INTO notes VALUES (1, 'not a kit')" || td_fail "other.db"
chmod 600 "$tmp/other.db"
not_a_kit "$tmp/other.db" "another program's database"
[ "$(q "$tmp/other.db" "SELECT count(*) FROM sqlite_schema")" = 1 ] ||
	td_fail "tables were added to another program's database"
# a list given for the kit (a name mistyped) is not called a damaged kit
printf 'code,name,parent_code,level\n' > "$tmp/lists.csv"
chmod 600 "$tmp/lists.csv"
not_a_kit "$tmp/lists.csv" "a list"
grep -q "lists.csv is not a field kit but a text file" "$tmp/out" ||
	td_fail "merge of a list said: $(cat "$tmp/out")"

# a FIFO planted as the kit is refused at once, not waited on for ever
mkfifo -m 600 "$tmp/fifo.kit"
timeout 20 "$TOKENDESK" --db "$tmp/reg.db" kit merge "$tmp/fifo.kit" > "$tmp/out" 2>&1
rc=$?
[ $rc != 124 ] || td_fail "merge of a FIFO as the kit hung"
[ $rc != 0 ] || td_fail "a FIFO was merged as a kit"
grep -q "not a regular file" "$tmp/out" || td_fail "merge of a FIFO said: $(cat "$tmp/out")"
rm -f "$tmp/fifo.kit"

# ---- no file there: named as a kit, not as a registry to create ------------------
td kit merge "$tmp/missing.kit" > "$tmp/out" 2>&1
rc=$?
[ $rc = 66 ] || td_fail "merge of a missing kit: exit $rc: $(cat "$tmp/out")"
[ "$(cat "$tmp/out")" = "tokendesk: no kit at $tmp/missing.kit" ] ||
	td_fail "merge of a missing kit said: $(cat "$tmp/out")"
[ ! -e "$tmp/missing.kit" ] || td_fail "the merge made $tmp/missing.kit"

# ---- a kit from another version of tokendesk: said so, and what to do ----------
td kit make --agencies XA -o "$tmp/v.kit" >/dev/null || td_fail "kit make v"
home_v=$(q "$tmp/reg.db" "PRAGMA user_version")
q "$tmp/reg.db" .dump > "$tmp/home.dump"
# older than schema 6: refused (6 and later are migrated on a copy:
# kit-upgrade.sh)
for v in $((home_v + 1)) 5; do
	q "$tmp/v.kit" "PRAGMA user_version = $v"
	td kit merge "$tmp/v.kit" > "$tmp/out" 2>&1
	rc=$?
	[ $rc = 65 ] || td_fail "merge of a schema-$v kit: exit $rc: $(cat "$tmp/out")"
	q "$tmp/reg.db" .dump | cmp -s - "$tmp/home.dump" ||
		td_fail "a refused schema-$v kit changed home"
done
grep -q "was made before this registry was upgraded (schema 5;" \
	"$tmp/out" || td_fail "an older kit said: $(cat "$tmp/out")"
grep -q "keep the kit as it is" "$tmp/out" || td_fail "no advice for an older kit"
q "$tmp/v.kit" "PRAGMA user_version = $((home_v + 1))"
td kit merge "$tmp/v.kit" > "$tmp/out" 2>&1
grep -q "made by a newer tokendesk (registry schema $((home_v + 1)); this one knows $home_v): upgrade tokendesk here" \
	"$tmp/out" || td_fail "a newer kit said: $(cat "$tmp/out")"

# ---- whole again, each merges -------------------------------------------------
td kit make --agencies XA -o "$tmp/c.kit" >/dev/null || td_fail "kit make c"
"$move" "$tmp/c.kit" T-XA-01 agency:XA at_agency || td_fail "field move c"
td kit merge "$tmp/c.kit" >/dev/null || td_fail "a whole kit was refused"
td show token T-XA-01 | grep -q "custodian: *agency:XA" || td_fail "field move c lost"
td audit verify >/dev/null || td_fail "home audit chain"
exit 0

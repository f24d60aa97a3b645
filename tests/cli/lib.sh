# lib.sh: shared by the CLI tests.  Source it; it makes $tmp (removed on
# exit), exports TOKENDESK_DB there, and gives small assertions that say
# what was expected when they fail.
set -u
: "${TOKENDESK:?run through make check}"
: "${TD_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/td-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export TOKENDESK_DB="$tmp/reg.db"
export TOKENDESK_OPERATOR=tester
failures=0

td() { "$TOKENDESK" "$@"; }

fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }

# expect_status WANT CMD...: run CMD, compare its exit status.
expect_status() {
	want=$1; shift
	"$@" >"$tmp/out" 2>"$tmp/err"; got=$?
	[ "$got" -eq "$want" ] || { fail "'$*' exited $got, want $want"; sed 's/^/  | /' "$tmp/err" >&2; }
}

# expect_in FILE TEXT: FILE contains TEXT (fixed string).
expect_in() { grep -qF -- "$2" "$1" || { fail "$1 lacks '$2'"; sed 's/^/  | /' "$1" | head -20 >&2; }; }
expect_not_in() { ! grep -qF -- "$2" "$1" || fail "$1 has '$2'"; }

# expect_eq GOT WANT WHAT
expect_eq() { [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"; }

# A digest of the registry's content (not its bytes: SQLite may reuse
# pages): every table as CSV plus the audit rows.
registry_digest() {
	{ for w in agencies certificates tokens; do td export "$w"; done
	  sqlite3 "$TOKENDESK_DB" "select count(*), max(id) from audit" 2>/dev/null; } | sha256sum
}

# cert_cols: for a SELECT on $TOKENDESK_DB, certificate's rows with the
# issuer's DN in its place, before schema step 11 and after it (the step
# keeps each DN once in issuer and names it by issuer_id): the migration
# tests compare the rows across it.
cert_cols() {
	if [ "$(sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM sqlite_schema WHERE
	        name = 'issuer'")" = 1 ]; then
		echo "c.id, c.serial, (SELECT dn FROM issuer WHERE id = c.issuer_id), c.subject_dn,
		      c.kind, c.holder_id, c.not_before, c.not_after, c.status, c.revoked_at,
		      c.token_id, c.fingerprint FROM certificate c ORDER BY c.rowid"
	else
		echo "* FROM certificate ORDER BY rowid"
	fi
}

# tag_cols: the same for tag: its rows as they read (schema step 12: a
# tag a plan apply added names a tag_note for what it shares), in the
# columns of the tag table before that step.
tag_cols() {
	if [ "$(sqlite3 "$TOKENDESK_DB" "SELECT count(*) FROM sqlite_schema WHERE
	        name = 'tag_note'")" = 1 ]; then
		echo "d.id, d.target_kind, d.target, coalesce(d.kind, n.kind),
		      iif(d.note_id IS NULL, d.request, n.request), d.state, d.batch,
		      coalesce(d.origin, n.origin), iif(d.note_id IS NULL, d.rule, n.rule),
		      iif(d.note_id IS NULL, d.reason, n.reason), d.detail,
		      coalesce(d.created, n.created), coalesce(d.updated, d.created, n.created)
		      FROM tag d LEFT JOIN tag_note n ON n.id = d.note_id ORDER BY d.rowid"
	else
		echo "* FROM tag ORDER BY rowid"
	fi
}

# table_rows TABLE...: each table's rows in $TOKENDESK_DB, certificate's
# and tag's as they read in the release's columns (for comparing a
# release's file before and after its migration).
table_rows() {
	for t in "$@"; do
		echo "== $t"
		case $t in
		certificate) sqlite3 "$TOKENDESK_DB" "SELECT $(cert_cols)" ;;
		tag) sqlite3 "$TOKENDESK_DB" "SELECT $(tag_cols)" ;;
		*) sqlite3 "$TOKENDESK_DB" "SELECT * FROM \"$t\" ORDER BY rowid" ;;
		esac
	done
}

# migrated_keeping TABLE...: opens $TOKENDESK_DB, a file an older release
# made, with this release (`audit verify`, which must pass).  It is then
# at the schema of a registry made today ($tmp/fresh.db, kept for the
# test), and every row of the TABLEs reads as before ($tmp/before).
migrated_keeping() {
	table_rows "$@" >"$tmp/before"
	"$TOKENDESK" --db "$tmp/fresh.db" -q init >/dev/null || fail "init of a fresh registry"
	expect_status 0 td audit verify
	expect_eq "$(sqlite3 "$TOKENDESK_DB" 'PRAGMA user_version')" \
		"$(sqlite3 "$tmp/fresh.db" 'PRAGMA user_version')" "schema after the migration"
	table_rows "$@" >"$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" ||
		{ fail "rows changed by the migration"; diff "$tmp/before" "$tmp/after" | head >&2; }
}

demo_import() {
	td init >/dev/null && td import "$TD_SRCDIR/data/demo/agencies.csv" \
		"$TD_SRCDIR/data/demo/certificates.csv" >/dev/null
}

finish() {
	if [ "$failures" -gt 0 ]; then echo "$failures failure(s)"; exit 1; fi
	exit 0
}

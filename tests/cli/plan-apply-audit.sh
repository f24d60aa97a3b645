# plan-apply-audit.sh: `plan apply` folds the tags it adds into one
# tag.add.bulk audit row (count, id range, created stamp, SHA-256 over the
# rows' content) instead of a tag.add row each, and `audit verify` checks
# every such tag against it: the ordinary life of the tags since (sent,
# confirmed, changed or removed by a corrected plan, removed by hand
# through tokendesk, a second load) verifies; each tag edited, deleted or
# added with the sqlite3 shell fails, exit 65, naming the table and the
# key (of the row, or the load's first and last key where only the digest
# can tell); and the chain covers the bulk row, so a rewrite that
# recomputes its digest and every hash is caught by a kept head (as by a
# signed checkpoint: audit verify --checkpoint compares the same way).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
. "$TD_SRCDIR/tests/cli/plan/plan-lib.sh"
command -v sqlite3 >/dev/null || { echo "sqlite3 shell missing"; exit 77; }

q() { sqlite3 "$TOKENDESK_DB" "$1"; }

plan_setup || fail "setup"
n=$(expected_tsv "$P/expected.tsv" | wc -l)
expect_status 0 td plan apply
expect_in "$tmp/out" "tags: $n added"
# one bulk row for the load, no row of its own for any tag it added
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'tag.add.bulk'")" 1 "bulk rows"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'tag.add'")" 0 "tag.add rows"
expect_eq "$(q "SELECT json_extract(after, '$.added') FROM audit WHERE action = 'tag.add.bulk'")" \
	"$n" "the bulk row's count"
expect_eq "$(q "SELECT entity || ',' || coalesce(entity_key, 'NULL') || ',' || json_extract(after, '$.source') || ',' || length(json_extract(after, '$.content_sha256')) FROM audit WHERE action = 'tag.add.bulk'")" \
	"tag,NULL,plan,64" "the bulk row"
expect_eq "$(q "SELECT count(DISTINCT coalesce(t.created, n.created)) FROM tag t LEFT JOIN tag_note n ON n.id = t.note_id")" 1 "one created stamp for the load"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
bulk_id=$(q "SELECT id FROM audit WHERE action = 'tag.add.bulk'")
first=$(q "SELECT json_extract(after, '$.first') FROM audit WHERE id = $bulk_id")
last=$(q "SELECT json_extract(after, '$.last') FROM audit WHERE id = $bulk_id")
load="tag: the $n rows that audit row $bulk_id (tag.add.bulk) added, from $first to $last"

cp "$TOKENDESK_DB" "$tmp/loaded.db"
restore() { cp "$1" "$TOKENDESK_DB"; rm -f "$TOKENDESK_DB-wal" "$TOKENDESK_DB-shm"; }
# tamper FROM SQL LINE...: on a copy of FROM, after SQL, audit verify
# exits 65 with each LINE on stderr.
tamper() {
	from=$1 sql=$2; shift 2
	restore "$from"
	q "$sql" || fail "sqlite3: $sql"
	expect_status 65 td audit verify
	for line in "$@"; do expect_in "$tmp/err" "$line"; done
}
L=$tmp/loaded.db
# The load's tags share their kind, request, origin, rule, reason and
# created stamp through tag_note (schema step 12), and hold them in the
# row once changed: inline TARGET is the SQL that moves a tag's note
# into its row, as a re-tag does, for an edit of the row to follow.
inline() {
	echo "UPDATE tag SET note_id = NULL, kind = n.kind, request = n.request,
	  origin = n.origin, rule = n.rule, reason = n.reason, created = n.created,
	  updated = coalesce(tag.updated, n.created) FROM tag_note n
	  WHERE n.id = tag.note_id AND tag.target = '$1';"
}
expect_eq "$(q "SELECT count(*) FROM tag WHERE note_id IS NULL")" 0 "the load's tags name notes"
expect_eq "$(q "SELECT count(*) FROM (SELECT DISTINCT kind, request, origin, rule, reason, created FROM tag_note)")" \
	"$(q "SELECT count(*) FROM tag_note")" "each reason noted once"
# content: only the load's digest can tell (the load named)
tamper "$L" "UPDATE tag_note SET reason = 'lý do khác' WHERE id = (SELECT note_id FROM tag WHERE target = 'b001')" \
	"$load, no longer match its content digest"
tamper "$L" "$(inline b001) UPDATE tag SET reason = 'lý do khác' WHERE target = 'b001'" \
	"$load, no longer match its content digest"
tamper "$L" "UPDATE tag SET note_id = (SELECT note_id FROM tag WHERE target = 'a071') WHERE target = 'b001'" \
	"$load, no longer match its content digest"
# a noted tag's own field set past the schema's CHECK: named, though no
# reader sees it (the next write of the row would fail on it)
tamper "$L" "PRAGMA ignore_check_constraints = 1; UPDATE tag SET kind = 'keep' WHERE target = 'b001'" \
	"tag b001: kind is 'keep', the audit says NULL"
tamper "$L" "UPDATE tag SET detail = 'CN=Ai đó' WHERE target = 'a071'" \
	"$load, no longer match its content digest"
tamper "$L" "$(inline b002) UPDATE tag SET kind = 'keep', request = NULL WHERE target = 'b002'" \
	"$load, no longer match its content digest"
# a note's fields written into the row unchanged: what the tag says is
# the same, and it verifies
restore "$L"
q "$(inline b003)" || fail "sqlite3: inline b003"
expect_status 0 td audit verify
# state, batch, updated: the row named, against the image it is born with
tamper "$L" "UPDATE tag SET state = 'sent_to_dost', batch = 7 WHERE target = 'b001'" \
	"tag b001: state is 'sent_to_dost', the audit says 'tagged'" \
	"tag b001: batch is 7, the audit says NULL"
tamper "$L" "UPDATE tag SET updated = '2030-01-01T00:00:00Z' WHERE target = 'b003'" \
	"tag b003: updated is '2030-01-01T00:00:00Z', the audit says"
# deleted: the load's rows are not all there
tamper "$L" "DELETE FROM tag WHERE target = 'b004'" \
	"$load, are not all there"
# added, even dressed as one of the load: the row named
tamper "$L" "INSERT INTO tag (target_kind, target, note_id) SELECT 'cert', 'b006', note_id FROM tag WHERE target = 'b004'" \
	"tag b006: this row has no audit row: it was added by hand"
# its created stamp changed: no longer one of the load's, and unaudited
tamper "$L" "$(inline b005) UPDATE tag SET created = '2020-01-01T00:00:00Z' WHERE target = 'b005'" \
	"tag b005: this row has no audit row: it was added by hand" \
	"$load, are not all there"
# a digest edited in the bulk row breaks the chain
tamper "$L" "UPDATE audit SET after = replace(after, '\"added\":$n', '\"added\":$((n - 1))') WHERE id = $bulk_id" \
	"audit row $bulk_id"
restore "$L"

# The tags' ordinary life since the load verifies: sent to DOST, one
# confirmed, removed by hand, a corrected plan that changes one, removes
# some and adds others in a second load (the same second, most likely:
# the second load waits for the next one, so each load has its stamp).
expect_status 0 td tag send
expect_status 0 td tag confirm A071
expect_status 0 td tag revoke B006 --reason "nghỉ hưu"
expect_status 0 td audit verify
grep -v ',rename,P.S7,' "$P/plan.csv" >"$tmp/plan2.csv"
echo '2025-07-01,rename,P.S6,,Sở Khoa học và Công nghệ tỉnh,' >>"$tmp/plan2.csv"
expect_status 0 td plan import "$tmp/plan2.csv"
expect_status 0 td plan apply
expect_in "$tmp/out" "3 added"
expect_status 0 td plan import "$P/plan.csv"
expect_status 0 td plan apply
expect_in "$tmp/out" "3 removed"
expect_status 0 td plan import "$tmp/plan2.csv"
expect_status 0 td plan apply
expect_in "$tmp/out" "3 added"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'tag.add.bulk'")" 3 "bulk rows after three loads"
expect_eq "$(q "SELECT count(DISTINCT json_extract(after, '$.created')) FROM audit WHERE action = 'tag.add.bulk'")" \
	3 "each load its own stamp"
expect_eq "$(q "SELECT count(*) FROM audit WHERE action = 'tag.delete'")" 3 "tags the corrected plan removed"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
cp "$TOKENDESK_DB" "$tmp/lived.db"
LV=$tmp/lived.db
second=$(q "SELECT id FROM audit WHERE action = 'tag.add.bulk' ORDER BY id LIMIT 1 OFFSET 1")
# the first load's rows, some deleted through tokendesk since, still
# checked: one sent to DOST and edited back by hand is named
tamper "$LV" "UPDATE tag SET state = 'tagged', batch = NULL WHERE target = 'b001'" \
	"tag b001: state is 'tagged', the audit says 'sent_to_dost'"
tamper "$LV" "$(inline b002) UPDATE tag SET reason = 'lý do khác' WHERE target = 'b002'" \
	"$load, no longer match its content digest"
# a row of the third load deleted by hand; the second load's rows were
# all removed by the plan (audited): a hand-made row in their place is named
third=$(q "SELECT id FROM audit WHERE action = 'tag.add.bulk' ORDER BY id DESC LIMIT 1")
tamper "$LV" "DELETE FROM tag WHERE id = (SELECT max(id) FROM tag)" \
	"tag: the 3 rows that audit row $third (tag.add.bulk) added" "are not all there"
restore "$LV"
expect_status 0 td audit verify

# One run that removes the newest tags (freeing the highest ids) and adds
# others: the new rows take those ids, and both loads still verify.
export TOKENDESK_DB="$tmp/again.db"
plan_setup || fail "setup again"
grep -v ',rename,P.S7,' "$P/plan.csv" >"$tmp/p1.csv"
{ cat "$tmp/p1.csv"; echo '2025-07-01,rename,P.S6,,Sở Khoa học và Công nghệ tỉnh,'; } >"$tmp/p2.csv"
for f in p1 p2; do
	expect_status 0 td plan import "$tmp/$f.csv"
	expect_status 0 td plan apply
done
newest=$(q "SELECT group_concat(target) FROM (SELECT target FROM tag ORDER BY id DESC LIMIT 4)")
expect_status 0 td plan import "$P/plan.csv"
expect_status 0 td plan apply
expect_in "$tmp/out" "2 added, 1 changed, 4 removed"
expect_eq "$(q "SELECT count(*) FROM tag WHERE ',' || '$newest' || ',' LIKE '%,' || target || ',%'")" 0 \
	"the newest tags removed"
expect_status 0 td audit verify
expect_in "$tmp/out" "every audited row matches its audit trail"
cp "$TOKENDESK_DB" "$tmp/again-ok.db"
last_load=$(q "SELECT id FROM audit WHERE action = 'tag.add.bulk' ORDER BY id DESC LIMIT 1")
tamper "$tmp/again-ok.db" "DELETE FROM tag WHERE id = (SELECT max(id) FROM tag)" \
	"tag: the 2 rows that audit row $last_load (tag.add.bulk) added" "are not all there"
restore "$tmp/again-ok.db"

# The chain covers the bulk row: keep the head, then rewrite a tag and
# recompute the load's digest and every hash after it.  Nothing inside
# the file tells any more; the kept head does (as a signed checkpoint).
export TOKENDESK_DB="$tmp/rewritten.db"
restore "$LV"
if command -v python3 >/dev/null 2>&1; then
	expect_status 0 td audit verify
	head=$(tail -n 1 "$tmp/out" | awk '{ print $2 ":" $3 }')
	python3 - "$TOKENDESK_DB" <<'PY' || fail "rewrite script"
import hashlib, json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
aid, after = db.execute("SELECT id, after FROM audit WHERE action = 'tag.add.bulk'"
                        " ORDER BY id LIMIT 1").fetchone()
a = json.loads(after)
db.execute("UPDATE tag SET note_id = NULL, kind = n.kind, request = n.request,"
           " origin = n.origin, rule = n.rule, reason = 'lý do giả', created = n.created,"
           " updated = coalesce(tag.updated, n.created) FROM tag_note n"
           " WHERE n.id = tag.note_id AND tag.target = ?", (a["first"],))
h = hashlib.sha256()
# the load's rows as they stand (none changed or deleted since in this
# rewrite's eyes: good enough for a load whose rows all stand)
rows = db.execute("SELECT t.target_kind, t.target, coalesce(t.kind, n.kind),"
                  " iif(t.note_id IS NULL, t.request, n.request), coalesce(t.origin, n.origin),"
                  " iif(t.note_id IS NULL, t.rule, n.rule), iif(t.note_id IS NULL, t.reason, n.reason),"
                  " t.detail, coalesce(t.created, n.created) AS created FROM tag t"
                  " LEFT JOIN tag_note n ON n.id = t.note_id WHERE t.id BETWEEN ? AND ?"
                  " AND coalesce(t.created, n.created) = ? ORDER BY t.target_kind, t.target",
                  (a["first_id"], a["last_id"], a["created"])).fetchall()
for row in rows:
    for v in row:
        h.update(b"\x00" if v is None else v.encode())
        h.update(b"\x1f")
    h.update(b"\x1e")
a["content_sha256"] = h.hexdigest()
a["added"] = len(rows)
db.execute("UPDATE audit SET after = ? WHERE id = ?",
           (json.dumps(a, ensure_ascii=False, separators=(",", ":")), aid))
prev = db.execute("SELECT hash FROM audit WHERE id = ?", (aid - 1,)).fetchone()[0]
for r in db.execute("SELECT id, at, operator, action, entity, entity_key, before, after"
                    " FROM audit WHERE id >= ? ORDER BY id", (aid,)).fetchall():
    h = hashlib.sha256(prev.encode())
    for v in (str(r[0]),) + tuple(r[1:]):
        h.update(b"\x1f")
        h.update(b"\x00" if v is None else v.encode())
    prev = h.hexdigest()
    db.execute("UPDATE audit SET hash = ? WHERE id = ?", (prev, r[0]))
last = db.execute("SELECT max(id) FROM audit").fetchone()[0]
db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
           ("%d:%s" % (last, prev),))
db.commit()
PY
	expect_eq "$(q "SELECT count(*) FROM tag WHERE reason = 'lý do giả'")" 1 "the rewrite changed a tag"
	expect_status 0 td audit verify
	expect_status 65 td audit verify --head "$head"
	expect_in "$tmp/err" "the chain was rewritten since that head was kept"
fi
finish

#!/usr/bin/env python3
"""rewrite-chain.py [--careless] DB: what someone holding the registry file
can do to the audit chain: change a record and everything that tells
about it, recompute every hash after it (src/registry/audit.c's rule),
store the new head in meta, and make the stored checkpoints agree (their
head columns rewritten; those that still disagree in their signed content
deleted with their audit rows before the hashes are recomputed).

The record changed is an agency added by an import: no audit row of its
own holds its name, its import's bulk row holds a digest over the rows
it added (docs/audit.md, "Bulk loads"), which a thorough rewriter
recomputes too, so that `audit verify` finds the state as the audit
says.  With --careless the digest is left as it was: the state check
catches that rewrite without any checkpoint."""
import hashlib, json, sqlite3, sys

args = sys.argv[1:]
careless = args[:1] == ["--careless"]
if careless:
    args = args[1:]
db = sqlite3.connect(args[0])
db.execute("UPDATE agency SET name = 'Cơ quan giả' WHERE code = 'HY.SNV'")
db.execute("UPDATE audit SET after = replace(after, 'Sở Nội vụ', 'Cơ quan giả')")
# ... and who did what: every row now names another operator.
db.execute("UPDATE audit SET operator = 'người khác'")


def agency_digest(first, added):
    """bulk.c's content digest over the `added` agencies from `first`."""
    start = db.execute("SELECT min(id) FROM agency WHERE code = ?", (first,)).fetchone()[0]
    h = hashlib.sha256()
    for row in db.execute("SELECT a.code, a.name, p.code, a.level, a.valid_from,"
                          " a.valid_to FROM agency a LEFT JOIN agency p"
                          " ON p.id = a.parent_id WHERE a.id >= ? ORDER BY a.id"
                          " LIMIT ?", (start, added)):
        for v in row:
            h.update(b"\x00" if v is None else str(v).encode())
            h.update(b"\x1f")
        h.update(b"\x1e")
    return h.hexdigest()


if not careless:
    for aid, after in db.execute("SELECT id, after FROM audit"
                                 " WHERE action = 'agency.add.bulk'").fetchall():
        a = json.loads(after)
        a["content_sha256"] = agency_digest(a["first"], a["added"])
        db.execute("UPDATE audit SET after = ? WHERE id = ?",
                   (json.dumps(a, ensure_ascii=False, separators=(",", ":")), aid))
# The stored checkpoints would give the rewrite away: out with them.
keys = [str(r[0]) for r in db.execute("SELECT id FROM audit_checkpoint")]
db.execute("DELETE FROM audit_checkpoint")
for k in keys:
    db.execute("DELETE FROM audit WHERE entity = 'audit_checkpoint' AND entity_key = ?", (k,))
rows = db.execute("SELECT id, at, operator, action, entity, entity_key, before, after"
                  " FROM audit ORDER BY id").fetchall()
# Renumber so no gap shows, then chain the hashes again.
db.execute("DELETE FROM audit")
prev = ""
for n, r in enumerate(rows, 1):
    h = hashlib.sha256(prev.encode())
    for v in (str(n),) + tuple(r[1:]):
        h.update(b"\x1f")
        h.update(b"\x00" if v is None else v.encode())
    prev = h.hexdigest()
    db.execute("INSERT INTO audit (id, at, operator, action, entity, entity_key,"
               " before, after, hash) VALUES (?,?,?,?,?,?,?,?,?)", (n,) + tuple(r[1:]) + (prev,))
db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('audit_head', ?)",
           ("%d:%s" % (len(rows), prev),))
db.commit()

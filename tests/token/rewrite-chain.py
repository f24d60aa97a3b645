#!/usr/bin/env python3
"""rewrite-chain.py DB: what someone holding the registry file can do to
the audit chain: change a record and its audit rows, recompute every hash
after it (src/registry/audit.c's rule), store the new head in meta, and
make the stored checkpoints agree (their head columns rewritten; those
that still disagree in their signed content deleted with their audit
rows before the hashes are recomputed)."""
import hashlib, sqlite3, sys

db = sqlite3.connect(sys.argv[1])
db.execute("UPDATE agency SET name = 'Cơ quan giả' WHERE code = 'HY.SNV'")
db.execute("UPDATE audit SET after = replace(after, 'Sở Nội vụ', 'Cơ quan giả')")
# ... and who did what: every row now names another operator.
db.execute("UPDATE audit SET operator = 'người khác'")
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

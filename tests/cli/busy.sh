# busy.sh: a writer waits for the lock another desk or command holds:
# up to 30 s by default, up to busy-ms from the config file; one that
# still cannot get it exits 75 (EX_TEMPFAIL) saying so, nothing written.
# An import holds the lock only to write: while it reads and checks a
# big list, a short write goes through (issue 21, item 9).
. "${TD_SRCDIR:-.}/tests/cli/lib.sh"
command -v sqlite3 >/dev/null 2>&1 || { echo "sqlite3 shell not installed"; exit 77; }
demo_import || fail "demo import"
certs=$(td export certificates | awk -F, 'NR > 1 && NR < 6 {print $1}')
# shellcheck disable=SC2086 # one certificate serial a word
set -- $certs
printf 'busy-ms = 500\n' >"$tmp/short.conf"
chmod 600 "$tmp/short.conf"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# hold SECONDS: another program (the sqlite3 shell) takes the registry's
# write lock and keeps it that long; returns once it holds it.
hold() {
	: >"$tmp/hold.out"
	( echo 'BEGIN IMMEDIATE;'; echo "SELECT 'locked';"; sleep "$1"; echo 'COMMIT;' ) |
		sqlite3 "$TOKENDESK_DB" >"$tmp/hold.out" 2>&1 &
	holder=$!
	start=$(now_ms)
	until grep -qx locked "$tmp/hold.out"; do
		[ $(( $(now_ms) - start )) -lt 5000 ] || { fail "the shell never held the lock: $(cat "$tmp/hold.out")"; return; }
		sleep 0.02
	done
}

# Held 2 s: the write waits, then goes through.
hold 2
t0=$(now_ms)
expect_status 0 td tag revoke "$1" --reason "Sáp nhập đơn vị"
waited=$(( $(now_ms) - t0 ))
wait "$holder"
[ "$waited" -ge 1000 ] || fail "the write did not wait for the lock ($waited ms)"
expect_in "$tmp/out" "tagged: revoke"
expect_in "$tmp/err" "waiting for another desk or command to finish writing (up to 30.0 s)..."
expect_in "$tmp/hold.out" "locked"
expect_not_in "$tmp/hold.out" "Error"

# busy-ms = 500 and a lock held 3 s: exit 75, said, nothing written.
before=$(registry_digest)
hold 3
t0=$(now_ms)
expect_status 75 td --config "$tmp/short.conf" tag revoke "$2" --reason "Giải thể"
waited=$(( $(now_ms) - t0 ))
wait "$holder"
expect_in "$tmp/err" "the registry is busy: another desk or command kept it locked for writing for 0.5 s"
expect_in "$tmp/err" "nothing was changed; try again later"
[ "$waited" -lt 2500 ] || fail "busy-ms 500 waited $waited ms"
expect_eq "$(registry_digest)" "$before" "registry after a write that never got the lock"
# a bad busy-ms is refused, as every setting is
printf 'busy-ms = soon\n' >"$tmp/bad.conf"
chmod 600 "$tmp/bad.conf"
expect_status 65 td --config "$tmp/bad.conf" tag list
expect_in "$tmp/err" "bad.conf:1: busy-ms: busy-ms must be 100..3600000 (milliseconds)"

# An import reads and checks its files before it takes the lock: while
# it reads 100,000 rows, a write that waits 500 ms at most goes through.
# (Under valgrind every step is some 30 times slower: 5,000 rows take
# as long to read there, and the check below says if they do not.)
rows=${TD_VALGRIND:+5000}
rows=${rows:-100000}
awk -v rows="$rows" 'BEGIN { print "cert_serial,kind,holder_name,holder_id,agency_code,not_before,not_after"
	for (i = 1; i <= rows; i++)
		printf "%X,person,Người Thứ %d,0021%08d,DC.VP,2025-01-01,2030-01-01\n", 1048576 + i, i, i }' \
	>"$tmp/big.csv"
td import --progress "$tmp/big.csv" >"$tmp/import.out" 2>"$tmp/import.err" &
importer=$!
t0=$(now_ms)
until grep -q "reading big.csv" "$tmp/import.err"; do
	[ $(( $(now_ms) - t0 )) -lt 10000 ] || { fail "the import never started reading"; break; }
	sleep 0.01
done
expect_status 0 td --config "$tmp/short.conf" tag revoke "$3" --reason "Sáp nhập"
grep -q "writing" "$tmp/import.err" &&
	fail "the import was already writing: the test proves nothing (make big.csv bigger)"
wait "$importer" || fail "the big import failed: $(cat "$tmp/import.err")"
expect_in "$tmp/import.out" "$rows added"
td tag list >"$tmp/tags"
expect_in "$tmp/tags" "$3"
finish

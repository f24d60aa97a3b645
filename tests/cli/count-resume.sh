#!/bin/sh
# count-resume: kill -9 the tokendesk process in the middle of a count,
# resume where the stored scans end, finish; the report equals that of an
# uninterrupted count of the same serials.
. "$TD_SRCDIR/tests/cli/count-common.sh"
province_test
cp "$tmp/reg.db" "$tmp/ref.db"

# A deterministic list with every case: found, duplicates, unexpected,
# unknown, and the rest missing.
serials="T-SA-01 T-SA-02 T-SB-01 UNK-1 T-SA-01 T-SA1-01 UNK-2 T-XA-01 T-SA-02"
serials="$serials T-SA1-02 UNK-1 T-SB-02"
n=$(echo $serials | wc -w)

scan_from() {   # scan_from DB ID FIRST: scan serials FIRST.. one by one
	i=0
	for s in $serials; do
		i=$((i + 1))
		[ $i -ge "$3" ] || continue
		"$TOKENDESK" --db "$1" count scan "$2" "$s" >/dev/null || return 1
	done
}

ref=$("$TOKENDESK" --db "$tmp/ref.db" count start --agency SA)
scan_from "$tmp/ref.db" "$ref" 1 || td_fail "reference count"
"$TOKENDESK" --db "$tmp/ref.db" count report "$ref" --json |
	grep -v -e '"uid"' -e '"started_at"' -e '"id"' > "$tmp/ref.json"

id=$("$TOKENDESK" --db "$tmp/reg.db" count start --agency SA)
killed=0
for round in 1 2 3 4 5 6 7 8 9 10; do
	[ $killed -lt 3 ] || break
	stored=$("$TOKENDESK" --db "$tmp/reg.db" count report "$id" --json |
	         sed -n 's/.*"scans": \([0-9]*\).*/\1/p' | head -1)
	[ "$stored" -lt "$n" ] || break
	scan_from "$tmp/reg.db" "$id" $((stored + 1)) &
	loop=$!
	# kill -9 whichever tokendesk is running at a random moment
	sleep "0.0$(od -An -N1 -tu1 /dev/urandom | tr -d ' ' | cut -c1)"
	kill -STOP $loop 2>/dev/null
	for p in $(pgrep -P $loop); do kill -9 "$p" 2>/dev/null && killed=$((killed + 1)); done
	kill -9 $loop 2>/dev/null
	wait $loop 2>/dev/null
done
# Resume: continue after the last stored scan, to the end.
stored=$("$TOKENDESK" --db "$tmp/reg.db" count report "$id" --json |
         sed -n 's/.*"scans": \([0-9]*\).*/\1/p' | head -1)
[ "$stored" -le "$n" ] || td_fail "$stored scans stored for $n serials: counted twice"
scan_from "$tmp/reg.db" "$id" $((stored + 1)) || td_fail "resume"
"$TOKENDESK" --db "$tmp/reg.db" count report "$id" --json |
	grep -v -e '"uid"' -e '"started_at"' -e '"id"' > "$tmp/got.json"
diff "$tmp/ref.json" "$tmp/got.json" >&2 || td_fail "resumed count differs"
"$TOKENDESK" --db "$tmp/reg.db" audit verify >/dev/null || td_fail "audit chain"
echo "killed $killed tokendesk process(es) mid-count" >&2
[ $killed -ge 1 ] || td_fail "never caught a tokendesk to kill: the test proved nothing"
exit 0

#!/bin/sh
# A barcode scanner slower than the default 30 ms a key (some pause
# 40-50 ms) is still a scan, not commands, once the config file says so
# (scan-gap-ms): on the plan screen, where a, d, n and the digits are
# commands, a serial holding them and Enter opens its record, and no
# plan dialog opens.
. "$TD_SRCDIR/tests/tui/lib.sh"
demo_registry
"$TOKENDESK" --db "$tmp/reg.db" -q plan import "$TD_SRCDIR/data/demo/plan.csv" >/dev/null ||
	fail "plan import"
printf 'scan-gap-ms = 150\n' >"$tmp/desk.conf"
chmod 600 "$tmp/desk.conf"
start_desk 100 30 TOKENDESK_TODAY=2025-06-01 -- --lang en --config "$tmp/desk.conf"
keys F7
wait_for "Reorganization plan" || wait_for "plan" || fail "F7 did not open the plan"
serial=54ff78de68fe1b1a7a2d99b9da657470
i=1
while [ $i -le ${#serial} ]; do
	keys -l "$(echo "$serial" | cut -c$i)"
	sleep 0.05
	i=$((i + 1))
done
keys Enter
wait_for "Certificate $serial" 5 || fail "a slow scan did not open its record: $(screen)"
off_screen "Apply the plan?" || fail "the scan's a was taken as a command"
off_screen "Send to DOST" || fail "the scan's d was taken as a command"
keys F10
wait_exit 0 || fail "no clean exit"
exit 0

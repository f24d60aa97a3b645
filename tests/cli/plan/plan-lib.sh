# plan-lib.sh: shared by the plan tests (sourced after ../lib.sh).
P="$TD_SRCDIR/tests/cli/plan"

# The small province of plan/ with two officials marked as no longer
# needing a certificate, and plan.csv stored.
plan_setup() {
	td init >/dev/null &&
	td import "$P/agencies.csv" "$P/certificates.csv" >/dev/null &&
	td holder set 001000000002 --no-longer-needed &&
	td holder set 001000000007 --no-longer-needed &&
	td plan import "$P/plan.csv" >/dev/null
}

# `plan show --json` (one compact object per line) as sorted TSV lines:
# action, target (cert serial; token for collect; agency for dossiers),
# rule, receiving agency or "-".  No jq needed: keys are in fixed order.
actions_tsv() {
	awk '
	function get(k,   m) {
		if (match($0, "\"" k "\":\"[^\"]*\"")) {
			m = substr($0, RSTART + length(k) + 4, RLENGTH - length(k) - 5)
			return m
		}
		return ""
	}
	/"action"/ {
		a = get("action")
		t = a == "collect" ? get("token_serial") : a == "handover_dossiers" ? get("agency_code") : get("cert_serial")
		to = get("to_agency"); if (to == "") to = "-"
		printf "%s\t%s\t%s\t%s\n", a, t, get("rule"), to
	}' "$1" | LC_ALL=C sort
}

# An expected table without comments, sorted the same way.
expected_tsv() { grep -v '^#' "$1" | LC_ALL=C sort; }

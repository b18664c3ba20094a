#!/usr/bin/env bats
# The shared DMARC conformance data (../shared/testsuites/dmarc), every
# case, through tests/dmarc_suite.py.  Cases where the data holds another
# implementation's reading assert the RFC's answer; the runner prints the
# section with each such case.

load helpers

suite() {
	run "$PY" "$TESTS_DIR/dmarc_suite.py" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	# every case counted, none failed
	[[ "${lines[-1]}" =~ ^$1:\ ([0-9]+)\ passed,\ 0\ failed$ ]]
	[ "${BASH_REMATCH[1]}" -eq "$2" ]
}

@test "mailauth cases, RFC 9989 document: tree walk, psd, np, t=, v=, record selection (29 cases)" {
	suite mailauth-bis 29
}

@test "mailauth cases, RFC 7489 document: alignment, sp, pct, in both discovery modes (25 cases x 2)" {
	suite mailauth-classic 50
}

@test "authheaders: end-to-end messages with DNS and our A-R inputs (13 cases + 4 From parses)" {
	suite authheaders 17
}

@test "OpenDMARC record parse table, both tag sets (19 records x 2)" {
	suite opendmarc-parse 38
}

@test "OpenDMARC alignment table, tree walk and public suffix list (10 x 2)" {
	suite opendmarc-align 20
}

@test "OpenDMARC From-domain table: RFC 5322 grammar, not guessing (13 cases)" {
	suite opendmarc-from 13
}

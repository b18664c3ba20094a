#!/usr/bin/env bats
# RFC 8601 conformance: every case of ../shared/testsuites/authres/
# parse-cases.yml through authres(1), strict and lenient (see the runner,
# tests/authres_cases.py, for what is compared).

load helpers

CASES="$SUITES/authres/parse-cases.yml"
LOCAL="$TESTS_DIR/authres/lenient-local.yml"

@test "parse-cases.yml: the suite is there with its 41 cases, 6 of them outside the grammar" {
	[ -f "$CASES" ]
	[ "$(grep -c '^- id: ' "$CASES")" -eq 41 ]
	[ "$(grep -c '^    syntax_error: true' "$CASES")" -eq 6 ]
}

@test "RFC 8601 2.2: authres --strict gives the strict reading of all 41 cases (6 syntax errors)" {
	run "$PY" "$TESTS_DIR/authres_cases.py" strict "$CASES"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "41 passed, 0 failed" ]
}

@test "RFC 8601 2.2: authres gives the lenient reading, flagged, of the 6 nonconforming cases and the strict one of the 35 others" {
	run "$PY" "$TESTS_DIR/authres_cases.py" lenient "$CASES" "$LOCAL"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "41 passed, 0 failed" ]
}

@test "parse-cases runner: a wrong reading fails (the runner can fail)" {
	# a stand-in authres that always prints one fixed result
	mkdir -p "$BATS_TEST_TMPDIR/bin"
	printf '#!/bin/sh\ncat >/dev/null\necho "spf=pass authserv-id=example.com"\n' >"$BATS_TEST_TMPDIR/bin/authres"
	chmod +x "$BATS_TEST_TMPDIR/bin/authres"
	PATH="$BATS_TEST_TMPDIR/bin:$PATH" run "$PY" "$TESTS_DIR/authres_cases.py" strict "$CASES"
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "0 passed, 41 failed" ]
}

#!/usr/bin/env bats
# ARC conformance (RFC 8617): ../shared/testsuites/arc (see its README,
# "ARC suite schema", and arc/README.md), read in place, every case,
# through arcverify(1) and arcsign(1).  The runner, tests/arc_suite.py,
# writes each scenario's DNS data as a zone file and maps the suites' words
# onto ours; where we deliberately answer otherwise (its DISPUTED table), it
# says why, cites the RFC section and prints a NOTE line for the case.

load helpers

run_suite() {
	run "$PY" "$TESTS_DIR/arc_suite.py" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$2 passed, 0 failed" ]
}

@test "the ARC suites are there: validation 171 (10 scenarios), signing 17, unused 7, stalwart 2" {
	[ -f "$SUITES/arc/arc-draft-validation-tests.yml" ]
	[ -f "$SUITES/arc/arc-draft-sign-tests.yml" ]
	[ -f "$SUITES/arc/unused_tests.yml" ]
	[ -f "$SUITES/arc/stalwart-mail-auth/expected.yml" ]
	run "$PY" "$TESTS_DIR/arc_suite.py" count
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "validation 171 cases in 10 scenarios (54 Pass, 109 Fail, 5 None, 3 empty); sign 17; unused 7; stalwart 2" ]
}

@test "ARC validation suite: all 171 cases (RFC 8617 5.2)" {
	run_suite validation 171
}

# 17 cases, plus 3 checks that the i0_base seal is, byte for byte, the
# suite's own i=1 seal in the inputs of i1_base, i2_base, i2_base_fail
# (the runner says why the expected ARC-Seal b= values are not used).
@test "ARC signing suite: all 17 cases give the expected AS, AMS and AAR (RFC 8617 5.1), seals verified by arcverify and dkimpy" {
	run_suite sign 20
}

@test "stalwart: the 2 real ARC chains validate" {
	run_suite stalwart 2
}

@test "unused ARC signing cases run (informative)" {
	run "$PY" "$TESTS_DIR/arc_suite.py" unused
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "unused_tests.yml: informative only, not normative; differences are reported, not failed" ]
	[[ "${lines[-1]}" == "7 ran, 0 crashed; informative, not normative: "* ]]
}

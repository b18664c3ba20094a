#!/usr/bin/env bats
# DKIM conformance: ../shared/testsuites/dkim (see its README, "DKIM
# data"), read in place, every case, through dkimverify(1).  The runner,
# tests/dkim_suite.py, writes each suite's DNS data as a zone file and maps
# the suites' words onto ours; where we deliberately answer otherwise, it
# says why and cites the RFC section.

load helpers

run_suite() {
	run "$PY" "$TESTS_DIR/dkim_suite.py" "$1"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "$2 passed, 0 failed" ]
}

@test "the DKIM suites are there: RFC 8463, dkimpy, Mail::DKIM (80 files), stalwart (6)" {
	[ -f "$SUITES/dkim/rfc8463/signed.eml" ]
	[ -f "$SUITES/dkim/dkimpy/cases.yml" ]
	[ "$(grep -c '^[a-z0-9_]*\.txt:' "$SUITES/dkim/mail-dkim/expected.yml")" -eq 80 ]
	[ "$(grep -c '^0.*\.txt:' "$SUITES/dkim/stalwart-mail-auth/expected.yml")" -eq 6 ]
}

@test "RFC 8463 Appendix A: the ed25519-sha256 and the rsa-sha256 signature both verify" {
	run_suite rfc8463 1
}

@test "dkimpy: the 7 pre-signed messages give their expected results (bad key data: permerror, RFC 6376 6.1.2 step 8)" {
	run_suite dkimpy 7
}

@test "dkimpy: 4 negative key records (RFC 6376 3.6.1, 6.1.2); 10 peer-signed round trips (SPKI, bare RSAPublicKey, PKCS#8, ed25519, 8-bit headers)" {
	run_suite dkimpy-keys 14
}

@test "RFC 6376 3.4: dkimpy's 17 canonicalization pairs (each also idempotent) and its 9 c= values" {
	[ -x "$MAUTH_BIN/test-canon" ] || { echo "build the unit tests: make units"; false; }
	run_suite dkimpy-canon 43
}

@test "Mail::DKIM corpus: all 80 files, strict RFC 8301 column; drafts permerror (RFC 6376 6.1.1), DomainKeys none" {
	run_suite mail-dkim 80
}

@test "stalwart: the 6 real messages (8 signatures) verify, LF converted, 005 at its verification time" {
	run_suite stalwart 6
}

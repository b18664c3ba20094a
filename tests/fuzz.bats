#!/usr/bin/env bats
# Every parser is fuzzed: each libFuzzer target in tests/fuzz/ runs for
# FUZZ_SECONDS (default 4) from its seed corpus, with ASan and UBSan.
# A crash, leak or sanitizer report fails the test.

load helpers

setup_file() {
	# CI installs clang (README); without it this suite fails, not skips.
	FUZZ_B="$TOP/build-fuzz"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" -s fuzz FUZZ_B="$FUZZ_B" >"$BATS_FILE_TMPDIR/build.log" 2>&1 ||
		{ cat "$BATS_FILE_TMPDIR/build.log" >&3; return 1; }
}

fuzz() {
	local name=$1 corpus="$BATS_TEST_TMPDIR/corpus"
	mkdir -p "$corpus"
	cp -r "$TESTS_DIR/fuzz/corpus/${name#fuzz_}/." "$corpus/" 2>/dev/null || true
	run "$TOP/build-fuzz/fuzz/$name" -max_total_time="${FUZZ_SECONDS:-4}" \
	    -rss_limit_mb=1024 -max_len=65536 -artifact_prefix="$BATS_TEST_TMPDIR/" \
	    "$corpus"
	if [ "$status" -ne 0 ]; then
		printf '%s\n' "$output" | tail -40
		return 1
	fi
	[[ "$output" == *"Done "*" runs in "* ]]
}

@test "fuzz: RFC 5322 header reader" { fuzz fuzz_msg; }
@test "fuzz: key=value parser" { fuzz fuzz_kv; }
@test "fuzz: zone-file reader (mauth-zone(5))" { fuzz fuzz_zone; }
@test "fuzz: SPF record parsing, macros and evaluation (RFC 7208)" { fuzz fuzz_spf; }
@test "fuzz: tag=value lists and DKIM key records (RFC 6376 3.2, 3.6.1)" { fuzz fuzz_tags; }
@test "fuzz: DKIM verification of a whole message (RFC 6376 6)" { fuzz fuzz_dkim; }
@test "fuzz: RFC 5322 address lists (From)" { fuzz fuzz_addr; }
@test "fuzz: DMARC records (RFC 9989 4.7, RFC 7489 6.3)" { fuzz fuzz_dmarc; }
@test "fuzz: Authentication-Results fields (RFC 8601 2.2)" { fuzz fuzz_authres; }
@test "fuzz: mbox reader and mboxrd unquoting (RFC 4155)" { fuzz fuzz_mbox; }
@test "fuzz: ARC chain validation and sealing (RFC 8617 5.1, 5.2)" { fuzz fuzz_arc; }

#!/usr/bin/env bats
# DESIGN.md "Streaming": signing and verifying a 1 GiB message keeps the
# peak resident set under 16 MiB (GNU time's "Maximum resident set
# size").  The message is made by a pipe (yes | head -c), signed from
# that pipe (dkimsign spools the body to a temporary file while hashing)
# and verified from dkimsign's output through another pipe, so nothing
# of 1 GiB ever sits in a file the test made.
#
# Under the sanitizer build (binaries linked with libasan) the message is
# 64 MiB and the RSS bound is not checked: AddressSanitizer's shadow
# memory and quarantine are not the program's own.

load helpers

RSS_MAX_KIB=$((16 * 1024))

setup_file() {
	if ldd "$MAUTH_BIN/dkimsign" 2>/dev/null | grep -q libasan; then
		export STREAM_SIZE=$((64 * 1024 * 1024)) STREAM_ASAN=1
	else
		export STREAM_SIZE=$((1024 * 1024 * 1024)) STREAM_ASAN=0
	fi
}

message() {
	printf 'From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: big\nDate: Mon, 23 Nov 2026 09:59:58 +0000\n\n'
	yes 'The quick brown fox jumps over the lazy dog; 0123456789 and again.' |
	    head -c "$STREAM_SIZE"
}

rss_of() {
	sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$1"
}

@test "DESIGN.md streaming: dkimsign | dkimverify on a 1 GiB message stays under 16 MiB RSS each" {
	[ -x /usr/bin/time ] || skip "GNU time (package time) is not installed"
	local t="$BATS_TEST_TMPDIR"
	message | /usr/bin/time -v -o "$t/sign.time" \
	    dkimsign -d example.org -s ed -k "$TOP/tests/demo/ed25519.key" |
	    /usr/bin/time -v -o "$t/verify.time" \
	    dkimverify --zone "$TESTS_DIR/interop/keys.zone" --offline > "$t/result"
	cat "$t/result"
	grep -q '^dkim=pass header.d=example.org ' "$t/result"
	grep -q 'Exit status: 0' "$t/sign.time"
	echo "sign: $(rss_of "$t/sign.time") KiB, verify: $(rss_of "$t/verify.time") KiB, $STREAM_SIZE bytes"
	if [ "$STREAM_ASAN" = 0 ]; then
		[ "$(rss_of "$t/sign.time")" -lt "$RSS_MAX_KIB" ]
		[ "$(rss_of "$t/verify.time")" -lt "$RSS_MAX_KIB" ]
	fi
}

@test "DESIGN.md streaming: signing a 128 MiB file argument (hashed, then re-read) stays under 16 MiB RSS" {
	[ -x /usr/bin/time ] || skip "GNU time (package time) is not installed"
	local t="$BATS_TEST_TMPDIR"
	local sign=(dkimsign -t 1795000000 -c simple/simple -d example.org -s rsa
	    -k "$TOP/tests/demo/rsa.key" "$t/m.eml") n
	STREAM_SIZE=$((STREAM_SIZE / 8)) message > "$t/m.eml"
	"${sign[@]}" 2>/dev/null | head -n 30 > "$t/head" || true
	n=$(awk '/^From: /{ print NR; exit }' "$t/head")
	/usr/bin/time -v -o "$t/sign.time" "${sign[@]}" |
	    tail -n +"$n" | cmp - "$t/m.eml"
	grep -q 'Exit status: 0' "$t/sign.time"
	echo "sign: $(rss_of "$t/sign.time") KiB"
	if [ "$STREAM_ASAN" = 0 ]; then
		[ "$(rss_of "$t/sign.time")" -lt "$RSS_MAX_KIB" ]
	fi
}

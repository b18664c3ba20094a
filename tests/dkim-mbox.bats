#!/usr/bin/env bats
# dkimsign -m and dkimverify -m: every message of an mbox, in one stream (RFC 4155
# From_ lines; mboxrd quoting).  Each message is signed as it was before
# it was quoted, so its signature is the one dkimsign gives the message
# alone; the mbox's bytes all stay as they are.

bats_require_minimum_version 1.5.0
load helpers

RSA="$TOP/tests/demo/rsa.key"
ED="$TOP/tests/demo/ed25519.key"
ZONE="$TESTS_DIR/interop/keys.zone"
T=1795000000

# An mbox of varied messages: LF and CRLF, mboxrd-quoted From lines in
# the body, a "From " line that is not a separator (no empty line before
# it), an empty body, a last message without a final newline.
make_mbox() {
	"$PY" - "$1" <<'EOF'
import sys
msgs = [
    b"From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: one\n\nHello.\n>From the top: this line was quoted.\n>>From here, twice.\nFrom a line with no empty line before it\n\n",
    b"From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: crlf\r\n\r\nA CRLF message.\r\n\r\n>From quoted too\r\n\r\n",
    b"From: Alice <alice@example.org>\nSubject: empty body\n\n\n",
    b"From: Alice <alice@example.org>\nSubject: 8-bit and long\n\n" + b"caf\xc3\xa9 " * 300 + b"\n  trailing   \t\n\n\n\n",
    b"From: Alice <alice@example.org>\nSubject: last, no final newline\n\nend",
]
with open(sys.argv[1], "wb") as f:
    for i, m in enumerate(msgs):
        eol = b"\r\n" if b"\r\n" in m else b"\n"
        f.write(b"From alice@example.org Mon Nov 23 10:00:0%d 2026" % i + eol + m)
EOF
}

# mbox (stdin) -> one file per message in DIR (tests/dkim/mbox-split.py).
split_mbox() {
	"$PY" "$TESTS_DIR/dkim/mbox-split.py" "$1"
}

# Drop the DKIM-Signature fields dkimsign put after each From_ line.
strip_added() {
	perl -0777 -pe 's/^(From [^\n]*\n)(?:DKIM-Signature:[^\n]*\n(?:[ \t][^\n]*\n)*)+/$1/mg'
}

sign_mbox() {
	dkimsign -t $T -d example.org -s ed -k "$ED" -d example.org -s rsa \
	    -k "$RSA" -m "$@"
}

@test "dkimsign -m: every message signed; the output minus the added fields is the input, byte for byte" {
	local t="$BATS_TEST_TMPDIR"
	make_mbox "$t/in.mbox"
	sign_mbox < "$t/in.mbox" > "$t/out.mbox"
	[ "$(grep -c '^DKIM-Signature: ' "$t/out.mbox")" -eq 10 ]
	strip_added < "$t/out.mbox" > "$t/back.mbox"
	cmp "$t/in.mbox" "$t/back.mbox"
}

@test "dkimsign -m: each signature is the one of the message alone, unquoted (mboxrd), and verifies" {
	local t="$BATS_TEST_TMPDIR" n
	make_mbox "$t/in.mbox"
	mkdir "$t/in" "$t/out"
	split_mbox "$t/in" < "$t/in.mbox"
	sign_mbox "$t/in.mbox" > "$t/out.mbox"
	split_mbox "$t/out" < "$t/out.mbox"
	[ "$(ls "$t/in"/*.eml | wc -l)" -eq 5 ]
	for n in 1 2 3 4 5; do
		dkimsign -t $T -d example.org -s ed -k "$ED" -d example.org \
		    -s rsa -k "$RSA" "$t/in/$n.eml" > "$t/alone.eml"
		cmp "$t/alone.eml" "$t/out/$n.eml"
		run dkimverify --zone "$ZONE" --offline "$t/out/$n.eml"
		echo "$n: $output"
		[ "$status" -eq 0 ]
		[ "$(grep -c ' dkim=pass ' <<< "$output")" -eq 2 ]
	done
}

@test "dkimsign -m: the body is hashed unquoted: the message with its >From quote kept fails" {
	local t="$BATS_TEST_TMPDIR"
	make_mbox "$t/in.mbox"
	mkdir "$t/out"
	sign_mbox < "$t/in.mbox" | split_mbox "$t/out"
	run dkimverify --zone "$ZONE" --offline "$t/out/1.raw"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"body hash"* ]]
	run dkimverify --zone "$ZONE" --offline "$t/out/1.eml"
	[ "$status" -eq 0 ]
}

@test "dkimsign -m: a message that cannot be signed is passed on as it is, the others signed, exit 65" {
	local t="$BATS_TEST_TMPDIR"
	printf 'From a@b Mon Nov 23 10:00:00 2026\nFrom: Alice <alice@example.org>\n\none\n\nFrom a@b Mon Nov 23 10:00:01 2026\nSubject: no From field\n\ntwo\n\nFrom a@b Mon Nov 23 10:00:02 2026\nFrom: Alice <alice@example.org>\n\nthree\n' > "$t/in.mbox"
	run --separate-stderr sign_mbox "$t/in.mbox"
	echo "$stderr"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"message 2: passed on unsigned"* ]]
	[[ "$stderr" == *"1 of 3 messages passed on unsigned"* ]]
	printf '%s\n' "$output" > "$t/out.mbox"
	[ "$(grep -c '^DKIM-Signature: ' "$t/out.mbox")" -eq 4 ]
	strip_added < "$t/out.mbox" | cmp - "$t/in.mbox"
}

@test "dkimsign -m: input that is not an mbox is refused, exit 65" {
	run --separate-stderr sign_mbox < "$TOP/tests/demo/message.eml"
	[ "$status" -eq 65 ]
	[[ "$stderr" == *"not an mbox"* ]]
	[ -z "$output" ]
}

@test "dkimsign -m: an empty mbox holds no message: nothing written, exit 0" {
	run sign_mbox < /dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "dkimsign -m: several mboxes to stdout, one after the other; -o DIR writes each to DIR/NAME" {
	local t="$BATS_TEST_TMPDIR"
	make_mbox "$t/a.mbox"
	make_mbox "$t/b.mbox"
	sign_mbox "$t/a.mbox" > "$t/a.out"
	sign_mbox "$t/a.mbox" "$t/b.mbox" > "$t/ab.out"
	cat "$t/a.out" "$t/a.out" | cmp - "$t/ab.out"
	mkdir "$t/o"
	sign_mbox -o "$t/o" "$t/a.mbox" "$t/b.mbox"
	cmp "$t/a.out" "$t/o/a.mbox"
	cmp "$t/a.out" "$t/o/b.mbox"
}

@test "dkimsign -m -v: one line per message signed, on stderr" {
	local t="$BATS_TEST_TMPDIR"
	make_mbox "$t/in.mbox"
	run --separate-stderr dkimsign -v -t $T -d example.org -s ed -k "$ED" \
	    -m "$t/in.mbox"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'in.mbox: message [1-5]: signed d=example.org s=ed a=ed25519-sha256' <<< "$stderr")" -eq 5 ]
}

@test "dkimsign -m: a 64 MiB message inside an mbox streams (RSS under 16 MiB) and verifies" {
	local t="$BATS_TEST_TMPDIR"
	{
		printf 'From a@b Mon Nov 23 10:00:00 2026\nFrom: Alice <alice@example.org>\nSubject: big\n\n'
		yes '>From a quoted line, then the quick brown fox.' | head -c $((64 * 1024 * 1024))
		printf '\n\nFrom a@b Mon Nov 23 10:00:01 2026\nFrom: Alice <alice@example.org>\nSubject: small\n\nsmall\n'
	} > "$t/in.mbox"
	/usr/bin/time -v -o "$t/time" dkimsign -t $T -d example.org -s ed \
	    -k "$ED" -m "$t/in.mbox" > "$t/out.mbox"
	strip_added < "$t/out.mbox" | cmp - "$t/in.mbox"
	mkdir "$t/out"
	split_mbox "$t/out" < "$t/out.mbox"
	dkimverify --zone "$ZONE" --offline "$t/out/1.eml"
	dkimverify --zone "$ZONE" --offline "$t/out/2.eml"
	rss=$(sed -n 's/^[[:space:]]*Maximum resident set size (kbytes): //p' "$t/time")
	echo "RSS $rss KiB"
	if ! ldd "$MAUTH_BIN/dkimsign" | grep -q libasan; then
		[ "$rss" -lt $((16 * 1024)) ]
	fi
}

@test "dkimverify -m: every message of a signed mbox verified, each line named NAME:N" {
	local t="$BATS_TEST_TMPDIR"
	make_mbox "$t/in.mbox"
	sign_mbox "$t/in.mbox" > "$t/out.mbox"
	run dkimverify -m --zone "$ZONE" --offline "$t/out.mbox"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 10 ]
	[ "$(grep -c "^$t/out.mbox:[1-5]: dkim=pass header.d=example.org " <<< "$output")" -eq 10 ]
	# stdin is named stdin
	run dkimverify -m --zone "$ZONE" --offline < "$t/out.mbox"
	[ "$(grep -c '^stdin:5: dkim=pass ' <<< "$output")" -eq 2 ]
}

@test "dkimverify -m: a message changed inside the mbox fails alone; unsigned ones are none" {
	local t="$BATS_TEST_TMPDIR"
	make_mbox "$t/in.mbox"
	sign_mbox "$t/in.mbox" | sed 's/^A CRLF message\./A CRLF massage./' > "$t/out.mbox"
	# the last message had no final newline: an appender adds the empty line
	printf '\n\nFrom a@b Mon Nov 23 10:00:09 2026\nFrom: x@example.org\n\nunsigned\n' >> "$t/out.mbox"
	run dkimverify -m --zone "$ZONE" --offline "$t/out.mbox"
	echo "$output"
	[ "$status" -eq 0 ]	# the best verdict, as with several files
	[ "$(grep -c ':2: dkim=fail .*body hash' <<< "$output")" -eq 2 ]
	[ "$(grep -c ': dkim=pass ' <<< "$output")" -eq 8 ]
	grep -q ':6: dkim=none$' <<< "$output"
}

@test "dkimverify -m: not an mbox is exit 65; -a and -m exclude each other (64)" {
	run dkimverify -m --offline < "$TOP/tests/demo/message.eml"
	[ "$status" -eq 65 ]
	[[ "$output" == *"not an mbox"* ]]
	run dkimverify -a -m --offline < "$TOP/tests/demo/message.eml"
	[ "$status" -eq 64 ]
}

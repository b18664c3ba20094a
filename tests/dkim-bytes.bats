#!/usr/bin/env bats
# DESIGN.md "Message bytes are sacred": dkimsign's output minus the
# DKIM-Signature fields it added is the input, byte for byte, whatever
# the line endings (CRLF, LF, mixed, none at the end), NUL bytes, bare
# CR, empty bodies or a header block with nothing after it; and the
# added fields end in the line ending of the message's first line.
# Every fixture goes through each input path: a pipe (body spooled in
# memory, or to a temporary file past 1 MiB), a file argument (read
# twice), stdin redirected from a file, and batch mode (-o DIR).

load helpers

KEYS=(-d example.org -s rsa -k "$TOP/tests/demo/rsa.key" -s ed -k "$TOP/tests/demo/ed25519.key" -t 1795000000)

setup_file() {
	local d="$BATS_FILE_TMPDIR/fx"
	mkdir -p "$d"
	local h='From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: bytes\nDate: Mon, 23 Nov 2026 09:59:58 +0000\n'
	local hc='From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: bytes\r\nDate: Mon, 23 Nov 2026 09:59:58 +0000\r\n'
	printf "${h}\nLF body\n\nlast line\n" > "$d/lf.eml"
	printf "${hc}\r\nCRLF body\r\n\r\nlast line\r\n" > "$d/crlf.eml"
	printf "${h}\nno final newline" > "$d/no-final-newline.eml"
	printf "${hc}\r\nno final CRLF" > "$d/crlf-no-final.eml"
	printf "${h}\nNUL \0 in the body\0\n\0" > "$d/nul-body.eml"
	printf "From: a@example.org\nX-Nul: a\0b\nSubject: NUL in a field\n\nbody\n" > "$d/nul-header.eml"
	printf "${h}\nbare\rCR\r\rin the body\r\n\r" > "$d/bare-cr.eml"
	printf "From: a@example.org\nX-CR: bare\rCR in a field\n\nbody\n" > "$d/bare-cr-header.eml"
	printf "${h}\n" > "$d/empty-body.eml"
	printf "${hc}\r\n" > "$d/crlf-empty-body.eml"
	printf "${h}" > "$d/header-only.eml"
	printf "From: a@example.org\nSubject: no newline at all" > "$d/header-only-no-newline.eml"
	printf "${hc}\nmixed: LF separator\r\nCRLF\nLF\r\n" > "$d/mixed.eml"
	printf "${h}\n\n\n\n" > "$d/blank-lines.eml"
	printf "${h}\n \t \n\t\n  trailing  \t\n" > "$d/whitespace.eml"
	printf "${h}Content-Transfer-Encoding: 8bit\n\n\xe9\xe8\xff\x80 8-bit \xc3\xa9\n" > "$d/8bit.eml"
	{ printf "${h}\n"; head -c 3000000 /dev/zero | tr '\0' 'a' | fold -w 100; } > "$d/big.eml"
	{ printf "${hc}\r\n"; head -c 3000000 /dev/zero | tr '\0' 'b' | fold -w 76 | sed 's/$/\r/'; } > "$d/big-crlf.eml"
}

# Drop the first n fields (first line plus continuation lines).
strip_added() {
	perl -0777 -pe 's/\A(?:DKIM-Signature:[^\n]*\n(?:[ \t][^\n]*\n)*){'"$1"'}//' "$2"
}

check_same() {
	local in=$1 out=$2
	strip_added 2 "$out" > "$out.rest"
	if ! cmp "$in" "$out.rest"; then
		echo "bytes differ: $in"
		return 1
	fi
	[ "$(grep -c '^DKIM-Signature:' "$out")" -ge 2 ]
}

@test "DESIGN.md: output minus the added fields equals the input, through a pipe" {
	local f o
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		o="$BATS_TEST_TMPDIR/$(basename "$f").out"
		cat "$f" | dkimsign "${KEYS[@]}" > "$o"
		check_same "$f" "$o"
	done
}

@test "DESIGN.md: output minus the added fields equals the input, from a file argument" {
	local f o
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		o="$BATS_TEST_TMPDIR/$(basename "$f").out"
		dkimsign "${KEYS[@]}" "$f" > "$o"
		check_same "$f" "$o"
	done
}

@test "DESIGN.md: output minus the added fields equals the input, stdin redirected from a file" {
	local f o
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		o="$BATS_TEST_TMPDIR/$(basename "$f").out"
		dkimsign "${KEYS[@]}" < "$f" > "$o"
		check_same "$f" "$o"
	done
}

@test "DESIGN.md: output minus the added fields equals the input, batch mode -o DIR" {
	local f
	mkdir -p "$BATS_TEST_TMPDIR/out"
	dkimsign "${KEYS[@]}" -o "$BATS_TEST_TMPDIR/out" "$BATS_FILE_TMPDIR"/fx/*.eml
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		check_same "$f" "$BATS_TEST_TMPDIR/out/$(basename "$f")"
	done
}

@test "DESIGN.md: the three input paths give the same bytes" {
	local f a b c
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		a=$(cat "$f" | dkimsign "${KEYS[@]}" | sha256sum)
		b=$(dkimsign "${KEYS[@]}" "$f" | sha256sum)
		c=$(dkimsign "${KEYS[@]}" < "$f" | sha256sum)
		[ "$a" = "$b" ] && [ "$b" = "$c" ] || { echo "differ: $f"; return 1; }
	done
}

@test "DESIGN.md: added fields use the line ending of the message's first line" {
	local f first added
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		first=$(head -n 1 "$f" | od -An -c | tr -d ' \n' | grep -c '\\r\\n$' || true)
		dkimsign "${KEYS[@]}" "$f" | perl -0777 -ne '
			/\A((?:DKIM-Signature:[^\n]*\n(?:[ \t][^\n]*\n)*){2})/ or exit 2;
			$a = $1; $crlf = () = $a =~ /\r\n/g; $lf = () = $a =~ /\n/g;
			print $crlf == $lf ? "crlf\n" : $crlf == 0 ? "lf\n" : "mixed\n";' > "$BATS_TEST_TMPDIR/eol"
		added=$(cat "$BATS_TEST_TMPDIR/eol")
		if [ "$first" = 1 ]; then
			[ "$added" = crlf ] || { echo "$f: $added"; return 1; }
		else
			[ "$added" = lf ] || { echo "$f: $added"; return 1; }
		fi
	done
}

@test "DESIGN.md: -i replaces the file with its signed copy, the rest unchanged, mode kept" {
	local f="$BATS_TEST_TMPDIR/m.eml"
	cp "$BATS_FILE_TMPDIR/fx/crlf-no-final.eml" "$f"
	chmod 640 "$f"
	dkimsign "${KEYS[@]}" -i "$f"
	check_same "$BATS_FILE_TMPDIR/fx/crlf-no-final.eml" "$f"
	[ "$(stat -c %a "$f")" = 640 ]
	[ -z "$(find "$BATS_TEST_TMPDIR" -name '.m.eml.*')" ]
}

@test "RFC 6376 3.4: signatures over NUL bytes, bare CR, mixed endings and empty bodies verify (dkimverify, dkimpy)" {
	local out="$BATS_TEST_TMPDIR/out"
	mkdir -p "$out"
	dkimsign "${KEYS[@]}" -o "$out" "$BATS_FILE_TMPDIR"/fx/*.eml
	run dkimverify --zone "$TESTS_DIR/interop/keys.zone" --offline "$out"/*.eml
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c ': dkim=pass ')" -eq 36 ]
	! printf '%s\n' "$output" | grep -v ': dkim=pass '
	run $PY "$TESTS_DIR/interop/dkimpy-peer.py" verify "$TESTS_DIR/interop/keys.zone" "$out"/*.eml
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c ' pass pass$')" -eq 18 ]
}

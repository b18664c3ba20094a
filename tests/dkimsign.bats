#!/usr/bin/env bats
# dkimsign: options, keys, the DKIM-Signature it writes (RFC 6376 3.5,
# 5.4; RFC 8463; RFC 8301), exit codes.  Byte preservation, interop and
# streaming have their own files (dkim-bytes, dkim-interop, dkim-stream).

bats_require_minimum_version 1.5.0
load helpers

RSA="$TOP/tests/demo/rsa.key"
ED="$TOP/tests/demo/ed25519.key"
MSG="$TOP/tests/demo/message.eml"
ZONE="$TESTS_DIR/interop/keys.zone"
R8463="$SUITES/dkim/rfc8463"

# The first added field, unfolded (CRLF/LF and the folding WSP removed).
first_sig() {
	perl -0777 -ne '/\A(DKIM-Signature:[^\n]*\n(?:[ \t][^\n]*\n)*)/ or exit 1;
		$_ = $1; s/\r?\n[ \t]+//g; s/\r?\n\z//; print "$_\n"'
}

tag() {	# tag NAME < unfolded field
	sed -n "s/.*[ ;]$1=\([^;]*\).*/\1/p"
}

verify() {
	dkimverify --zone "$ZONE" --offline "$@"
}

@test "dkimsign --help prints the usage on stdout, exit 0" {
	run dkimsign --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: dkimsign -d DOMAIN -s SELECTOR -k KEYFILE"* ]]
}

@test "dkimsign: no key is a usage error, exit 64" {
	run dkimsign < "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"no key"* ]]
}

@test "dkimsign: a key without a selector is a usage error, exit 64" {
	run dkimsign -d example.org -k "$RSA" < "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"selector"* ]]
}

@test "RFC 6376 3.5: d= and s= must be domain names, exit 64" {
	run dkimsign -d 'exa mple.org' -s rsa -k "$RSA" < "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"not a domain name"* ]]
	run dkimsign -d example.org -s 'bad;sel' -k "$RSA" < "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"not a selector"* ]]
	run dkimsign -d -example.org -s rsa -k "$RSA" < "$MSG"
	[ "$status" -eq 64 ]
}

@test "RFC 6376 5.4: a message without From is refused, exit 65, nothing on stdout" {
	printf 'To: bob@example.com\nSubject: no from\n\nbody\n' > "$BATS_TEST_TMPDIR/m"
	run --separate-stderr dkimsign -d example.org -s rsa -k "$RSA" "$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ "$stderr" == *"no From field: RFC 6376 5.4"* ]]
}

@test "RFC 5322 3.6: a message with two From fields is refused, exit 65" {
	printf 'From: a@example.org\nFrom: b@example.org\n\nbody\n' |
	    { run dkimsign -d example.org -s rsa -k "$RSA"; [ "$status" -eq 65 ]; [[ "$output" == *"several From"* ]]; }
}

@test "RFC 8301 3.2: an RSA key under 1024 bits is refused, exit 66" {
	openssl genrsa -out "$BATS_TEST_TMPDIR/k512" 512 2>/dev/null
	chmod 600 "$BATS_TEST_TMPDIR/k512"
	run dkimsign -d example.org -s s -k "$BATS_TEST_TMPDIR/k512" < "$MSG"
	[ "$status" -eq 66 ]
	[[ "$output" == *"RSA key of 512 bits: RFC 8301 3.2 requires at least 1024"* ]]
}

@test "RFC 8301 3.2: an RSA key under 2048 bits signs, with a warning" {
	run --separate-stderr dkimsign -d football.example.com -s test -k "$R8463/rsa.key" < "$MSG"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"RSA key of 1024 bits: RFC 8301 3.2 says at least 2048"* ]]
	[[ "$output" == "DKIM-Signature: "* ]]
}

@test "DESIGN.md keys: a key file readable by group or others gives a warning" {
	cp "$ED" "$BATS_TEST_TMPDIR/k"
	chmod 644 "$BATS_TEST_TMPDIR/k"
	run --separate-stderr dkimsign -d example.org -s ed -k "$BATS_TEST_TMPDIR/k" < "$MSG"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"readable by group or others"* ]]
	chmod 600 "$BATS_TEST_TMPDIR/k"
	run --separate-stderr dkimsign -d example.org -s ed -k "$BATS_TEST_TMPDIR/k" < "$MSG"
	[ -z "$stderr" ]
}

@test "DESIGN.md keys: no key material in error messages" {
	{ echo "-----BEGIN PRIVATE KEY-----"; echo "SECRETSECRETSECRETdeadbeef"; echo "-----END PRIVATE KEY-----"; } > "$BATS_TEST_TMPDIR/bad"
	echo "SECRETSECRETSECRETdeadbeef+/" > "$BATS_TEST_TMPDIR/bad2"
	chmod 600 "$BATS_TEST_TMPDIR"/bad*
	for k in bad bad2; do
		run dkimsign -d example.org -s s -k "$BATS_TEST_TMPDIR/$k" < "$MSG"
		[ "$status" -eq 66 ]
		[[ "$output" == *"not a private key"* ]]
		[[ "$output" != *SECRET* ]]
	done
}

@test "dkimsign: a missing key file is exit 66" {
	run dkimsign -d example.org -s s -k /nonexistent/key < "$MSG"
	[ "$status" -eq 66 ]
	[[ "$output" == *"/nonexistent/key: No such file or directory"* ]]
}

@test "RFC 8463 A.1: the raw base64 Ed25519 seed and the PKCS#1 RSA key sign what the A.2 records verify" {
	printf '%s\n' "$(cat "$R8463/ed25519.key")" > "$BATS_TEST_TMPDIR/seed"
	cp "$R8463/rsa.key" "$BATS_TEST_TMPDIR/rsa1"
	chmod 600 "$BATS_TEST_TMPDIR/seed" "$BATS_TEST_TMPDIR/rsa1"
	sed -n 's/^\([^#][^ ]*\) TXT \(.*\)/\1 IN TXT \2/p' "$R8463/dns-records.txt" > "$BATS_TEST_TMPDIR/z"
	run dkimsign -d football.example.com -s brisbane -k "$BATS_TEST_TMPDIR/seed" \
	    -s test -k "$BATS_TEST_TMPDIR/rsa1" "$R8463/signed.eml"
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	run dkimverify --zone "$BATS_TEST_TMPDIR/z" --offline "$BATS_TEST_TMPDIR/out"
	[ "$(printf '%s\n' "$output" | grep -c 'dkim=pass header.d=football.example.com')" -eq 4 ]
	run $PY "$TESTS_DIR/interop/dkimpy-peer.py" verify "$BATS_TEST_TMPDIR/z" "$BATS_TEST_TMPDIR/out"
	[[ "$output" == *" pass pass pass pass" ]]
}

@test "RFC 6376 3.5, RFC 8463 3: a= follows the key: rsa-sha256 for RSA, ed25519-sha256 for Ed25519" {
	[ "$(dkimsign -d example.org -s rsa -k "$RSA" "$MSG" | first_sig | tag a)" = rsa-sha256 ]
	[ "$(dkimsign -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag a)" = ed25519-sha256 ]
}

@test "RFC 8463 A: dual signing puts the first key's signature on top; both verify" {
	run dkimsign -d example.org -s ed -k "$ED" -s rsa -k "$RSA" "$MSG"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c '^DKIM-Signature:')" -eq 2 ]
	[ "$(printf '%s\n' "$output" | first_sig | tag s)" = ed ]
	printf '%s\n' "$output" > "$BATS_TEST_TMPDIR/out"
	run verify "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "${lines[1]}" ]
	[[ "${lines[0]}" == *"dkim=pass header.d=example.org header.i=@example.org header.s=ed "* ]]
	[[ "${lines[1]}" == *"dkim=pass header.d=example.org header.i=@example.org header.s=rsa "* ]]
}

@test "dkimsign: a -k before -d and -s takes the last ones given" {
	run dkimsign -k "$ED" -d example.org -s ed "$MSG"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | first_sig | tag s)" = ed ]
}

@test "RFC 6376 3.5: tags in the fixed order v a c d s t x l i h bh b" {
	run dkimsign -t 1795000000 -x 86400 -l -I alice@example.org -d example.org -s ed -k "$ED" "$MSG"
	[ "$status" -eq 0 ]
	order=$(printf '%s\n' "$output" | first_sig | sed 's/^DKIM-Signature: //' |
	    tr ';' '\n' | sed 's/^ *\([a-z]*\)=.*/\1/' | tr '\n' ' ')
	[ "$order" = "v a c d s t x l i h bh b " ]
}

@test "dkimsign -t fixes t= and makes the output reproducible" {
	a=$(dkimsign -t 1795000000 -d example.org -s rsa -k "$RSA" -s ed -k "$ED" "$MSG" | sha256sum)
	b=$(dkimsign -t 1795000000 -d example.org -s rsa -k "$RSA" -s ed -k "$ED" < "$MSG" | sha256sum)
	[ "$a" = "$b" ]
	[ "$(dkimsign -t 1795000000 -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag t)" = 1795000000 ]
}

@test "RFC 6376 3.5: -x sets x= that many seconds after t=; verification after it fails" {
	dkimsign -t 1795000000 -x 3600 -d example.org -s ed -k "$ED" "$MSG" > "$BATS_TEST_TMPDIR/out"
	[ "$(first_sig < "$BATS_TEST_TMPDIR/out" | tag x)" = 1795003600 ]
	run verify -t 1795000100 "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	run verify -t 1795003601 "$BATS_TEST_TMPDIR/out"
	[ "$status" -ne 0 ]
}

@test "RFC 6376 3.5: -l sets l= to the canonical body length (relaxed: trailing blank lines not counted)" {
	printf 'From: a@example.org\n\nabc  \n\n\n' | dkimsign -l -d example.org -s ed -k "$ED" > "$BATS_TEST_TMPDIR/out"
	[ "$(first_sig < "$BATS_TEST_TMPDIR/out" | tag l)" = 5 ]
	run verify "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	printf 'From: a@example.org\n\nabc  \n\n\n' | dkimsign -c simple/simple -l -d example.org -s ed -k "$ED" |
	    first_sig | tag l | grep -qx 7
}

@test "RFC 6376 3.5, 2.11: -I adds i= in dkim-quoted-printable; it must lie in d=" {
	dkimsign -I 'a;b=c@mail.example.org' -d example.org -s ed -k "$ED" "$MSG" > "$BATS_TEST_TMPDIR/out"
	[ "$(first_sig < "$BATS_TEST_TMPDIR/out" | tag i)" = 'a=3Bb=3Dc@mail.example.org' ]
	run verify "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	[[ "$output" == *'header.i=a;b=c@mail.example.org'* || "$output" == *'header.i="a;b=c@mail.example.org"'* ]]
	run dkimsign -I alice@example.net -d example.org -s ed -k "$ED" "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"RFC 6376 3.5: the domain of i= must be d="* ]]
	run dkimsign -I alice@notexample.org -d example.org -s ed -k "$ED" "$MSG"
	[ "$status" -eq 64 ]
}

@test "RFC 6376 3.5: -c sets c=; default relaxed/relaxed; a lone name means HEADER/simple" {
	[ "$(dkimsign -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag c)" = relaxed/relaxed ]
	[ "$(dkimsign -c simple -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag c)" = simple/simple ]
	[ "$(dkimsign -c relaxed -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag c)" = relaxed/simple ]
	[ "$(dkimsign -c simple/relaxed -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag c)" = simple/relaxed ]
	run dkimsign -c nofws -d example.org -s ed -k "$ED" "$MSG"
	[ "$status" -eq 64 ]
}

@test "RFC 6376 5.4, 5.4.2: default h= signs present fields and oversigns From, Subject, Date, To, Cc, ..." {
	h=$(dkimsign -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag h | tr -d ' ')
	[ "$h" = "From:From:Reply-To:Subject:Subject:Date:Date:To:To:Cc:Message-ID:Message-ID:Sender:MIME-Version:MIME-Version:Content-Type:Content-Type:Content-Transfer-Encoding" ]
}

@test "RFC 6376 5.4.2: each instance of a repeated field is listed, not oversigned ones once more" {
	h=$(dkimsign -d example.org -s ed -k "$ED" "$TESTS_DIR/interop/msgs/folded.eml" | first_sig | tag h | tr -d ' ')
	[[ "$h" == *":Resent-Date:Resent-Date:Resent-From:Resent-From:Resent-To:Resent-To:"* ]]
	[[ "$h" != *"Received"* ]]
}

@test "RFC 6376 5.4: -H chooses the fields, -O '' turns oversigning off; From is required" {
	h=$(dkimsign -H 'from:subject:x-missing' -O '' -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag h | tr -d ' ')
	[ "$h" = "from:subject" ]
	h=$(dkimsign -H 'From:Received' -O 'From' -d example.org -s ed -k "$ED" "$MSG" | first_sig | tag h | tr -d ' ')
	[ "$h" = "From:From:Received" ]
	run dkimsign -H 'To:Subject' -d example.org -s ed -k "$ED" "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"must include From (RFC 6376 5.4)"* ]]
}

@test "RFC 6376 5.4.2: a field added in transit after an oversigned one breaks the signature" {
	dkimsign -d example.org -s ed -k "$ED" "$MSG" > "$BATS_TEST_TMPDIR/out"
	run verify "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	{ echo "Reply-To: mallory@example.net"; cat "$BATS_TEST_TMPDIR/out"; } > "$BATS_TEST_TMPDIR/out2"
	run verify "$BATS_TEST_TMPDIR/out2"
	[ "$status" -eq 1 ]
	dkimsign -O '' -d example.org -s ed -k "$ED" "$MSG" > "$BATS_TEST_TMPDIR/out3"
	{ echo "Reply-To: mallory@example.net"; cat "$BATS_TEST_TMPDIR/out3"; } > "$BATS_TEST_TMPDIR/out4"
	run verify "$BATS_TEST_TMPDIR/out4"
	[ "$status" -eq 0 ]
}

@test "RFC 6376 3.5: the signature field is folded: every line under 78 columns (a tab as 8)" {
	dkimsign -I "$(printf 'x%.0s' $(seq 50))@example.org" -l -x 60 \
	    -d example.org -s rsa -k "$RSA" -s ed -k "$ED" "$MSG" |
	    perl -ne 'last unless /^(DKIM-Signature:|[ \t])/; s/\r?\n//; s/\t/        /g;
		die "too long: $_\n" if length($_) >= 78; $n++; END { die "no lines\n" unless $n > 6 }'
}

@test "RFC 6376 3.7: the signature verifies whatever the folding (long h= list, long i=)" {
	dkimsign -H "From:$(printf 'X-Header-Number-%s:' $(seq 40))Subject" -I "$(printf 'y%.0s' $(seq 60))@example.org" \
	    -d example.org -s rsa -k "$RSA" -s ed -k "$ED" "$MSG" > "$BATS_TEST_TMPDIR/out"
	run verify "$BATS_TEST_TMPDIR/out"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'dkim=pass')" -eq 2 ]
	for c in simple/simple relaxed/simple; do
		dkimsign -c $c -H "From:$(printf 'X-Header-Number-%s:' $(seq 40))Subject" \
		    -d example.org -s rsa -k "$RSA" "$MSG" > "$BATS_TEST_TMPDIR/out"
		run $PY "$TESTS_DIR/interop/dkimpy-peer.py" verify "$ZONE" "$BATS_TEST_TMPDIR/out"
		[ "$status" -eq 0 ]
	done
}

@test "dkimsign: several files need -i, -o DIR or -m, exit 64" {
	run dkimsign -d example.org -s ed -k "$ED" "$MSG" "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"several files need -i, -o DIR or -m"* ]]
	run dkimsign -i -d example.org -s ed -k "$ED"
	[ "$status" -eq 64 ]
}

@test "dkimsign -o DIR: each file signed to DIR/NAME; a missing one is reported, exit 66, the others signed" {
	mkdir -p "$BATS_TEST_TMPDIR/a" "$BATS_TEST_TMPDIR/out"
	cp "$MSG" "$BATS_TEST_TMPDIR/a/one.eml"
	cp "$TESTS_DIR/interop/msgs/plain.eml" "$BATS_TEST_TMPDIR/a/two.eml"
	run dkimsign -o "$BATS_TEST_TMPDIR/out" -d example.org -s ed -k "$ED" \
	    "$BATS_TEST_TMPDIR/a/one.eml" "$BATS_TEST_TMPDIR/a/missing.eml" "$BATS_TEST_TMPDIR/a/two.eml"
	[ "$status" -eq 66 ]
	[[ "$output" == *"missing.eml: No such file or directory"* ]]
	run verify "$BATS_TEST_TMPDIR/out/one.eml" "$BATS_TEST_TMPDIR/out/two.eml"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'dkim=pass')" -eq 2 ]
	[ ! -e "$BATS_TEST_TMPDIR/out/missing.eml" ]
}

@test "dkimsign -o DIR: a message that cannot be signed leaves no file, exit 65" {
	mkdir -p "$BATS_TEST_TMPDIR/out"
	printf 'Subject: no from\n\nbody\n' > "$BATS_TEST_TMPDIR/nofrom.eml"
	run dkimsign -o "$BATS_TEST_TMPDIR/out" -d example.org -s ed -k "$ED" "$BATS_TEST_TMPDIR/nofrom.eml" "$MSG"
	[ "$status" -eq 65 ]
	[ ! -e "$BATS_TEST_TMPDIR/out/nofrom.eml" ]
	[ -s "$BATS_TEST_TMPDIR/out/message.eml" ]
	[ -z "$(ls -A "$BATS_TEST_TMPDIR/out" | grep '^\.')" ]
}

@test "DESIGN.md: a failed write never exits 0 (74)" {
	[ -w /dev/full ] || skip "no /dev/full"
	run dkimsign -d example.org -s ed -k "$ED" "$MSG" > /dev/full
	run sh -c 'dkimsign -d example.org -s ed -k "$1" "$2" > /dev/full' sh "$ED" "$MSG"
	[ "$status" -eq 74 ]
}

@test "dkimsign -v says what was signed, on stderr" {
	run --separate-stderr dkimsign -v -d example.org -s ed -k "$ED" "$MSG"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"message.eml: signed d=example.org s=ed a=ed25519-sha256"* ]]
}

@test "dkimsign: the demo message signs to the stored output (regression: tests/interop/demo-signed.eml)" {
	dkimsign -t 1795000000 -d example.org -s ed -k "$ED" -s rsa -k "$RSA" "$MSG" > "$BATS_TEST_TMPDIR/out"
	diff -u "$TESTS_DIR/interop/demo-signed.eml" "$BATS_TEST_TMPDIR/out"
}

@test "RFC 8410 7: an Ed25519 key as PEM PKCS#8, DER and raw seed signs the same bytes" {
	local t="$BATS_TEST_TMPDIR" k
	openssl genpkey -algorithm ed25519 -out "$t/k.pem"
	openssl pkey -in "$t/k.pem" -outform DER -out "$t/k.der"
	tail -c 32 "$t/k.der" | base64 > "$t/k.seed"
	chmod 600 "$t"/k.*
	for k in k.pem k.der k.seed; do
		dkimsign -t 1795000000 -d example.org -s ed -k "$t/$k" \
		    "$TOP/tests/demo/message.eml" > "$t/$k.out"
	done
	cmp "$t/k.pem.out" "$t/k.der.out"
	cmp "$t/k.pem.out" "$t/k.seed.out"
	# another key gives another signature: the comparison can fail
	openssl genpkey -algorithm ed25519 -out "$t/k2.pem"
	chmod 600 "$t/k2.pem"
	dkimsign -t 1795000000 -d example.org -s ed -k "$t/k2.pem" \
	    "$TOP/tests/demo/message.eml" > "$t/k2.out"
	run cmp -s "$t/k2.out" "$t/k.pem.out"
	[ "$status" -ne 0 ]
}

@test "RFC 8017 A.1.2, RFC 5208 5: an RSA key as PKCS#8 or PKCS#1, PEM, DER or base64 DER signs the same bytes" {
	local t="$BATS_TEST_TMPDIR" k
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$t/k8.pem"
	openssl pkey -in "$t/k8.pem" -outform DER -out "$t/k8.der"
	openssl pkey -in "$t/k8.pem" -traditional -out "$t/k1.pem"
	openssl pkey -in "$t/k8.pem" -traditional -outform DER -out "$t/k1.der"
	base64 "$t/k1.der" > "$t/k1.b64"
	grep -q 'BEGIN RSA PRIVATE KEY' "$t/k1.pem"
	chmod 600 "$t"/k*
	for k in k8.pem k8.der k1.pem k1.der k1.b64; do
		dkimsign -t 1795000000 -d example.org -s rsa -k "$t/$k" \
		    "$TOP/tests/demo/message.eml" > "$t/$k.out"
		cmp "$t/k8.pem.out" "$t/$k.out"
	done
	# what it signs verifies against the key's own record
	dkimkey record -d example.org -s rsa -k "$t/k8.pem" > "$t/zone"
	dkimverify --offline --zone "$t/zone" "$t/k1.pem.out"
}

@test "RFC 8017 A.1.2: a three-prime RSA key (version 1) signs too" {
	local t="$BATS_TEST_TMPDIR"
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -pkeyopt rsa_keygen_primes:3 -out "$t/k3.pem"
	chmod 600 "$t/k3.pem"
	dkimkey record -d example.org -s rsa -k "$t/k3.pem" > "$t/zone"
	dkimsign -d example.org -s rsa -k "$t/k3.pem" \
	    "$TOP/tests/demo/message.eml" > "$t/out"
	dkimverify --offline --zone "$t/zone" "$t/out"
}

@test "dkimsign -o: a planted link at the temporary name is not followed; the copy keeps the input's mode under any umask" {
	local t="$BATS_TEST_TMPDIR"
	mkdir "$t/o"
	cp "$TOP/tests/demo/message.eml" "$t/a.eml"
	chmod 640 "$t/a.eml"
	echo precious > "$t/victim"
	# exec keeps the pid, so the name dkimsign tries first is known
	run bash -c 'umask 077; ln -s "$1/victim" "$1/o/.a.eml.$$.0";
	    exec dkimsign -t 1795000000 -d example.org -s ed \
	    -k "$2" -o "$1/o" "$1/a.eml"' _ "$t" "$TOP/tests/demo/ed25519.key"
	[ "$status" -eq 0 ]
	[ "$(cat "$t/victim")" = precious ]
	[ "$(stat -c %a "$t/o/a.eml")" = 640 ]
	dkimsign -t 1795000000 -d example.org -s ed -k "$TOP/tests/demo/ed25519.key" \
	    "$t/a.eml" | cmp - "$t/o/a.eml"
	[ "$(ls -A "$t/o" | wc -l)" -eq 2 ]	# the copy and the link, no leftover
}

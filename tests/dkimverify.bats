#!/usr/bin/env bats
# dkimverify(1): one @test per rule.  Signatures are made at test time by
# tests/dkim/sign.py (python3-dkim canonicalization, python3-cryptography
# keys), which writes exactly the tag list it is given; keys are in
# tests/dkim/test.zone, read offline.

load helpers

D="$TESTS_DIR/dkim"
ZONE="$D/test.zone"
H="h=from:to:subject:date:message-id"
RSA="v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=rsa; $H"
NOW=1795000000		# 2026-11-18, for the t= and x= tests

setup() {
	T="$BATS_TEST_TMPDIR"
}

# sign KEY TAGS [MESSAGE]: the signed message on stdout
sign() {
	"$PY" "$D/sign.py" "$D/$1" "$2" < "${3:-$D/message.eml}"
}

# signed FILE KEY TAGS [MESSAGE]
signed() {
	sign "$2" "$3" "${4:-$D/message.eml}" > "$1"
}

verify() {
	run dkimverify --offline --zone "$ZONE" "$@"
	echo "$output"
}

# a signature with key selector s= made with the RSA-2048 key
rsa_with_selector() {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.com; s=$1; $H; bh=; b="
	verify "$T/m.eml"
}

@test "RFC 6376 6.1.3: a good rsa-sha256 signature passes; one line: dkim, header.d, header.i, header.s, header.a, header.b" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	b8=$(sed -n 's/.*; b=\(........\).*/\1/p' "$T/m.eml")
	verify < "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "dkim=pass header.d=example.com header.i=@example.com header.s=rsa header.a=rsa-sha256 header.b=$b8" ]
}

@test "RFC 6376 3.6.2.2: the key record's two TXT strings are joined" {
	grep -q '^rsa._domainkey .*" "' "$ZONE"
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
}

@test "RFC 8463 3: a good ed25519-sha256 signature passes" {
	signed "$T/m.eml" ed25519.key "v=1; a=ed25519-sha256; c=simple/simple; d=example.com; s=ed; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dkim=pass "*"header.a=ed25519-sha256"* ]]
}

@test "RFC 6376 3.6.1: a bare PKCS#1 RSAPublicKey in p=, k= implied, verifies" {
	rsa_with_selector pkcs1
	[ "$status" -eq 0 ]
}

@test "DESIGN.md: a message without DKIM-Signature is dkim=none, exit 6" {
	verify "$D/message.eml"
	[ "$status" -eq 6 ]
	[ "$output" = "$D/message.eml: dkim=none" ]
}

@test "RFC 6376 6.1.3 step 3: a changed body fails: body hash did not verify" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	sed -i 's/Hello Bob/Hello Eve/' "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == *'dkim=fail reason="body hash did not verify"'* ]]
}

@test "RFC 6376 6.1.3 step 4: a changed signed header field fails: signature did not verify" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	sed -i 's/^Subject: Test/Subject: Fake/' "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == *'dkim=fail reason="signature did not verify"'* ]]
}

@test "RFC 6376 5.4: a field outside h= may be added; a second From (h= names it once) may not be hidden" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	{ head -1 "$T/m.eml"; printf 'X-Added: yes\r\n'; tail -n +2 "$T/m.eml"; } > "$T/a.eml"
	verify "$T/a.eml"
	[ "$status" -eq 0 ]
	# RFC 6376 5.4.2: the bottom-most From is the signed one; one added
	# below it is what the verifier hashes, so the signature breaks
	sed 's/^Date:/From: Mallory <m@example.net>\r\nDate:/' "$T/m.eml" > "$T/b.eml"
	verify "$T/b.eml"
	[ "$status" -eq 1 ]
}

@test "RFC 6376 3.4.2: relaxed header canonicalization survives refolding and case changes" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	sed -i 's/^Subject: Test message/SUBJECT:   Test    message/' "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
}

@test "RFC 6376 3.4.3: simple body canonicalization ignores added empty lines at the end only" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=rsa; $H; bh=; b="
	printf '\r\n\r\n' >> "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	sed -i 's/^Alice\r$/Alice \r/' "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 1 ]
}

@test "RFC 8301 3.1: rsa-sha1 is refused: dkim=policy, exit 3, the reason says so" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha1; d=example.com; s=rsa; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 3 ]
	[[ "$output" == *'dkim=policy reason="RFC 8301 3.1: rsa-sha1 is not accepted"'* ]]
}

@test "RFC 8301 3.2: an RSA key under 1024 bits is refused: dkim=policy with the key size" {
	signed "$T/m.eml" rsa512.key "v=1; a=rsa-sha256; d=example.com; s=r512; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 3 ]
	[[ "$output" == *'dkim=policy reason="RFC 8301 3.2: RSA key of 512 bits, under 1024"'* ]]
}

@test "RFC 8301 3.2: a 1024-bit RSA key is accepted" {
	signed "$T/m.eml" rsa1024.key "v=1; a=rsa-sha256; d=example.com; s=r1024; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
}

@test "RFC 6376 6.1.2 step 7: a revoked key (empty p=) is permerror" {
	rsa_with_selector revoked
	[ "$status" -eq 4 ]
	[[ "$output" == *'reason="RFC 6376 6.1.2: key revoked"'* ]]
}

@test "RFC 6376 6.1.2 step 3: no key record (NXDOMAIN) is permerror" {
	rsa_with_selector missing
	[ "$status" -eq 4 ]
	[[ "$output" == *'no key for signature (NXDOMAIN)'* ]]
}

@test "RFC 6376 6.1.2 step 2: a key lookup that times out is temperror, exit 5" {
	rsa_with_selector slow
	[ "$status" -eq 5 ]
	[[ "$output" == *'dkim=temperror reason="key lookup: TIMEOUT"'* ]]
}

@test "RFC 6376 6.1.2 step 2: a key lookup answered SERVFAIL is temperror" {
	rsa_with_selector broken
	[ "$status" -eq 5 ]
	[[ "$output" == *'dkim=temperror'* ]]
}

@test "RFC 6376 6.1.2 step 8: k=ed25519 on an rsa-sha256 signature is permerror" {
	rsa_with_selector ktype
	[ "$status" -eq 4 ]
	[[ "$output" == *'key type k= does not match a='* ]]
}

@test "RFC 6376 6.1.2 step 6: key h=sha1 refuses an rsa-sha256 signature: permerror" {
	rsa_with_selector hsha1
	[ "$status" -eq 4 ]
	[[ "$output" == *'key h= excludes the hash of a='* ]]
}

@test "RFC 6376 3.6.1 s=: a key for service tlsrpt only is not for email: permerror" {
	rsa_with_selector tlsrpt
	[ "$status" -eq 4 ]
	[[ "$output" == *'s= excludes email'* ]]
}

@test "RFC 6376 3.6.1 t=s: i= in a subdomain of d= is permerror; i= at d= passes" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; d=example.com; i=a@sub.example.com; s=strict; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'t=s requires'* ]]
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; d=example.com; i=a@example.com; s=strict; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
}

@test "RFC 6376 3.6.1 t=y: a key in testing mode does not change the result" {
	rsa_with_selector testing
	[ "$status" -eq 0 ]
}

@test "RFC 6376 3.6.1: unknown key tags, n=, s=email:*, unknown t= flags are ignored" {
	rsa_with_selector extra
	[ "$status" -eq 0 ]
}

@test "RFC 6376 3.6.1: v= not first in the key record is permerror" {
	rsa_with_selector vlate
	[ "$status" -eq 4 ]
	[[ "$output" == *'v= must be DKIM1 and come first'* ]]
}

@test "RFC 6376 6.1.2 step 5: key v=DKIM2 is permerror" {
	rsa_with_selector badv
	[ "$status" -eq 4 ]
}

@test "RFC 6376 3.2: a duplicate tag in the key record is permerror" {
	rsa_with_selector dup
	[ "$status" -eq 4 ]
	[[ "$output" == *'duplicate tag p'* ]]
}

@test "RFC 6376 3.6.1 k=: an unknown key type is permerror" {
	rsa_with_selector unknownk
	[ "$status" -eq 4 ]
	[[ "$output" == *'unknown key type'* ]]
}

@test "RFC 6376 6.1.2 step 5: a TXT record that is not a tag-list is permerror" {
	rsa_with_selector notkey
	[ "$status" -eq 4 ]
}

@test "RFC 6376 6.1.2 step 8: p= that is no RSA key is permerror" {
	rsa_with_selector garbage
	[ "$status" -eq 4 ]
	[[ "$output" == *'not an RSA public key'* ]]
}

@test "RFC 6376 3.2: a duplicate tag in the signature is permerror" {
	signed "$T/m.eml" rsa2048.key "$RSA; d=example.com; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'reason="RFC 6376 3.2: duplicate tag d"'* ]]
}

@test "RFC 6376 3.2: unknown signature tags are ignored" {
	signed "$T/m.eml" rsa2048.key "$RSA; foo=bar; z9=x; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
}

@test "RFC 6376 6.1.1: a missing required tag (bh=) is permerror" {
	signed "$T/m.eml" rsa2048.key "$RSA; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'missing tag bh'* ]]
}

@test "RFC 6376 6.1.1: v=2 is permerror (incompatible version)" {
	signed "$T/m.eml" rsa2048.key "v=2; a=rsa-sha256; d=example.com; s=rsa; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'unsupported version v=2'* ]]
}

@test "RFC 6376 6.1.1: i= outside d= is permerror" {
	signed "$T/m.eml" rsa2048.key "$RSA; i=alice@example.net; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'i= domain is not d= nor under it'* ]]
}

@test "RFC 6376 3.5 i=: a subdomain of d= passes; i= is dkim-quoted-printable and reported decoded" {
	signed "$T/m.eml" rsa2048.key "$RSA; i=al=69ce@mail.EXAMPLE.com; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *'header.i=alice@mail.EXAMPLE.com'* ]]
}

@test "RFC 6376 6.1.1: a signature whose h= lacks From is permerror" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; d=example.com; s=rsa; h=to:subject; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'From field not signed'* ]]
}

@test "RFC 6376 3.5 a=: an unknown algorithm is permerror" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-md5; d=example.com; s=rsa; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'unsupported algorithm a=rsa-md5'* ]]
}

@test "RFC 6376 3.5 d=: a malformed domain is permerror, no key is looked up" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; d=example.com(.evil; s=rsa; $H; bh=; b="
	run dkimverify -v --offline --zone "$ZONE" "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'malformed d='* ]]
	[[ "$output" != *'query'* ]]
}

@test "RFC 6376 6.1.1: x= in the past (-t sets now) is permerror; before it, pass" {
	signed "$T/m.eml" rsa2048.key "$RSA; t=$((NOW - 100)); x=$((NOW + 100)); bh=; b="
	verify -t "$NOW" "$T/m.eml"
	[ "$status" -eq 0 ]
	verify -t "$((NOW + 101))" "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'signature expired (x=)'* ]]
}

@test "RFC 6376 3.5 x=: x= not after t= is permerror" {
	signed "$T/m.eml" rsa2048.key "$RSA; t=$NOW; x=$NOW; bh=; b="
	verify -t "$NOW" "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'x= is not after t='* ]]
}

@test "RFC 6376 3.5 t=: a signature time well in the future is permerror" {
	signed "$T/m.eml" rsa2048.key "$RSA; t=$((NOW + 3600)); bh=; b="
	verify -t "$NOW" "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'t= in the future'* ]]
}

@test "RFC 6376 3.5 l=: content after the signed length still passes; --strict-length makes it fail" {
	signed "$T/m.eml" rsa2048.key "$RSA; l=20; bh=; b="
	printf 'Unsigned footer\r\n' >> "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	verify --strict-length "$T/m.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == *'unsigned content after l='* ]]
}

@test "RFC 6376 3.5 l=: l= beyond the canonical body is permerror" {
	signed "$T/m.eml" rsa2048.key "$RSA; l=100000; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 4 ]
	[[ "$output" == *'l= is larger than the body'* ]]
}

@test "LF-only storage (Maildir): a CRLF-signed message stored with bare LF verifies, simple and relaxed" {
	signed "$T/r.eml" rsa2048.key "$RSA; bh=; b="
	signed "$T/s.eml" ed25519.key "v=1; a=ed25519-sha256; c=simple/simple; d=example.com; s=ed; $H; bh=; b="
	tr -d '\r' < "$T/r.eml" > "$T/r-lf.eml"
	tr -d '\r' < "$T/s.eml" > "$T/s-lf.eml"
	! grep -q $'\r' "$T/s-lf.eml"
	verify "$T/r-lf.eml" "$T/s-lf.eml"
	[ "$status" -eq 0 ]
	[ "$(grep -c 'dkim=pass' <<< "$output")" -eq 2 ]
}

@test "several signatures: one line each, in header order; one that passes makes the exit 0" {
	signed "$T/one.eml" rsa2048.key "v=1; a=rsa-sha1; d=example.com; s=rsa; $H; bh=; b="
	signed "$T/m.eml" ed25519.key "v=1; a=ed25519-sha256; d=example.com; s=ed; $H; bh=; b=" "$T/one.eml"
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *"dkim=pass "*"header.s=ed"* ]]
	[[ "${lines[1]}" == *"dkim=policy "*"header.a=rsa-sha1"* ]]
}

@test "several signatures: the best verdict is the exit code (policy beats fail)" {
	signed "$T/one.eml" rsa2048.key "v=1; a=rsa-sha1; d=example.com; s=rsa; $H; bh=; b="
	signed "$T/m.eml" ed25519.key "v=1; a=ed25519-sha256; d=example.com; s=ed; $H; bh=; b=" "$T/one.eml"
	sed -i 's/Hello Bob/Hello Eve/' "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 3 ]
	[[ "${lines[0]}" == *"dkim=fail "* ]]
}

@test "DKIM_SIGS_MAX: signatures after the 16th are not verified, reported neutral" {
	signed "$T/one.eml" ed25519.key "v=1; a=ed25519-sha256; d=example.com; s=ed; $H; bh=; b="
	# the same field 17 times: h= does not cover DKIM-Signature, so each
	# copy verifies on its own
	{ for i in $(seq 17); do head -1 "$T/one.eml"; done; tail -n +2 "$T/one.eml"; } > "$T/m.eml"
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 17 ]
	[ "$(grep -c 'dkim=pass' <<< "$output")" -eq 16 ]
	[[ "${lines[16]}" == *'dkim=neutral reason="not verified: more than 16 signatures"'* ]]
}

@test "several files: each checked in one process, lines prefixed by the file name, best verdict wins" {
	signed "$T/good.eml" rsa2048.key "$RSA; bh=; b="
	sed 's/Hello Bob/Hello Eve/' "$T/good.eml" > "$T/bad.eml"
	run dkimverify -v --offline --zone "$ZONE" "$T/bad.eml" "$D/message.eml" "$T/good.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$T/bad.eml: dkim=fail "* ]]
	[[ "$output" == *"$D/message.eml: dkim=none"* ]]
	[[ "$output" == *"$T/good.eml: dkim=pass "* ]]
	# one DNS cache: the key is asked of the zone once
	[ "$(grep -c 'answer TXT rsa._domainkey.example.com.*(zone)' <<< "$output")" -eq 1 ]
}

@test "an unreadable file: exit 66 after the others are checked" {
	signed "$T/good.eml" rsa2048.key "$RSA; bh=; b="
	verify "$T/nonexistent.eml" "$T/good.eml"
	[ "$status" -eq 66 ]
	[[ "$output" == *"$T/good.eml: dkim=pass"* ]]
	[[ "$output" == *"dkimverify: $T/nonexistent.eml: No such file or directory"* ]]
}

@test "-a: Authentication-Results prepended (authserv-id from -A), every other byte unchanged" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	run dkimverify -a -A mx.example.org --offline --zone "$ZONE" "$T/m.eml"
	[ "$status" -eq 0 ]
	echo "$output" > "$T/out.eml"
	dkimverify -a -A mx.example.org --offline --zone "$ZONE" < "$T/m.eml" > "$T/out.eml"
	head -1 "$T/out.eml" | grep -q '^Authentication-Results: mx.example.org;'
	grep -q 'dkim=pass' "$T/out.eml"
	n=$(grep -n '^DKIM-Signature' "$T/out.eml" | cut -d: -f1)
	tail -n +"$n" "$T/out.eml" | cmp - "$T/m.eml"
	head -1 "$T/out.eml" | grep -q $'\r$'
}

@test "-a: a failing message still goes through, exit 0; LF message gets an LF field" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	sed 's/Hello Bob/Hello Eve/' "$T/m.eml" | tr -d '\r' > "$T/lf.eml"
	dkimverify -a -A mx.example.org --offline --zone "$ZONE" < "$T/lf.eml" > "$T/out.eml"
	! grep -q $'\r' "$T/out.eml"
	grep -q 'dkim=fail' "$T/out.eml"
	n=$(grep -n '^DKIM-Signature' "$T/out.eml" | cut -d: -f1)
	tail -n +"$n" "$T/out.eml" | cmp - "$T/lf.eml"
}

@test "-a: an unsigned message gets dkim=none and goes through" {
	dkimverify -a -A mx.example.org --offline --zone "$ZONE" < "$D/message.eml" > "$T/out.eml"
	grep -q 'dkim=none' "$T/out.eml"
	n=$(grep -n '^From: Alice' "$T/out.eml" | cut -d: -f1)
	tail -n +"$n" "$T/out.eml" | cmp - "$D/message.eml"
}

# --explain: a bh= computed (by tests/dkim/sign.py --bh-body) over the
# canonical body some other signer would have hashed
explain_with() {
	printf "$1" > "$T/bh-body"
	signed "$T/m.eml" rsa2048.key "$2; bh=; b=" "${3:-$D/message.eml}"
	"$PY" "$D/sign.py" "$D/rsa2048.key" "$2; bh=; b=" --bh-body "$T/bh-body" < "${3:-$D/message.eml}" > "$T/m.eml"
	verify --explain "$T/m.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == *'body hash did not verify'* ]]
}

@test "--explain: a body hashed with bare LF line ends as they are" {
	tr -d '\r' < "$D/message.eml" > "$T/lf.eml"
	explain_with 'Hello Bob,\n\nThis  is a  test.  \t\n\nAlice\n\r\n' \
	    "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=rsa; $H" "$T/lf.eml"
	# (on an LF-only message the "signed before CRLF" variant is the same)
	[[ "$output" == *'explain="body hash matches with bare LF line ends hashed as they are;'* ]]
}

@test "--explain: a body hashed with its trailing empty lines" {
	{ cat "$D/message.eml"; printf '\r\n\r\n'; } > "$T/trail.eml"
	explain_with 'Hello Bob,\r\n\r\nThis  is a  test.  \t\r\n\r\nAlice\r\n\r\n\r\n' \
	    "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=rsa; $H" "$T/trail.eml"
	[[ "$output" == *'explain="body hash matches with trailing empty lines kept"'* ]]
}

@test "--explain: a body hashed under the other body canonicalization" {
	explain_with 'Hello Bob,\r\n\r\nThis is a test.\r\n\r\nAlice\r\n' \
	    "v=1; a=rsa-sha256; c=relaxed/simple; d=example.com; s=rsa; $H"
	[[ "$output" == *'explain="body hash matches with relaxed body canonicalization"'* ]]
}

@test "--explain: l= shorter than what was hashed" {
	explain_with 'Hello Bob,\r\n\r\nThis  is a  test.  \t\r\n\r\nAlice\r\n' \
	    "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=rsa; l=12; $H"
	[[ "$output" == *'explain="body hash matches with the whole body, ignoring l="'* ]]
}

@test "--explain: content appended after signing (a list footer): the signed prefix is found" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	printf -- '-- \r\nList footer\r\n' >> "$T/m.eml"
	verify --explain "$T/m.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == *'explain="body hash matches the first 40 canonical body bytes (content added after signing)"'* ]]
}

@test "--explain: nothing explains a changed word" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	sed -i 's/Hello Bob/Hello Eve/' "$T/m.eml"
	verify --explain "$T/m.eml"
	[[ "$output" == *'explain="no variant of the body matches bh="'* ]]
}

@test "--canon-dump: the canonical header data (b= empty, no final CRLF) and body data, as hashed" {
	signed "$T/m.eml" rsa2048.key "$RSA; bh=; b="
	verify --canon-dump "$T/dump" "$T/m.eml"
	[ "$status" -eq 0 ]
	grep -q '^--- DKIM-Signature 1: header data, c=relaxed ---$' "$T/dump"
	grep -q $'^subject:Test message for DKIM\r$' "$T/dump"
	grep -q '^dkim-signature:v=1; a=rsa-sha256; .*; b=$' "$T/dump"
	grep -q '^--- DKIM-Signature 1: body data, c=relaxed, 40 bytes ---$' "$T/dump"
	grep -q $'^This is a test.\r$' "$T/dump"
	# the body section is exactly the bytes hashed: its SHA-256 is bh=
	bh=$(sed -n 's/.*bh=\([^;]*\);.*/\1/p' "$T/m.eml")
	got=$(sed -n '/body data/,$p' "$T/dump" | tail -n +2 | head -c 40 | openssl dgst -sha256 -binary | base64)
	[ "$got" = "$bh" ]
}

@test "-t: a time that is no number is a usage error, exit 64" {
	run dkimverify -t yesterday "$D/message.eml"
	[ "$status" -eq 64 ]
	[[ "$output" == *'-t: not a UNIX time'* ]]
}

@test "an unknown option is a usage error, exit 64; --help exits 0 with the usage" {
	run dkimverify --bogus
	[ "$status" -eq 64 ]
	run dkimverify --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: dkimverify "* ]]
}

@test "-a with several files is a usage error" {
	run dkimverify -a "$D/message.eml" "$D/message.eml"
	[ "$status" -eq 64 ]
}

@test "a header block over the reader's limit is a data error, exit 65" {
	"$PY" -c 'import sys; sys.stdout.write("X-Big: " + "a" * 5000000 + "\r\n\r\nbody\r\n")' > "$T/big.eml"
	verify "$T/big.eml"
	[ "$status" -eq 65 ]
}

@test "streaming: a 1 GiB message is verified in under 16 MiB of memory" {
	signed "$T/m.eml" rsa2048.key "$RSA; l=40; bh=; b="
	# the message, then 1 GiB of body lines, piped in; the peak RSS of
	# dkimverify (VmHWM, KiB) read while it still runs, all body sent
	run "$PY" - "$MAUTH_BIN/dkimverify" "$ZONE" "$T/m.eml" <<'PY'
import re, subprocess, sys
p = subprocess.Popen([sys.argv[1], "--offline", "--zone", sys.argv[2]],
                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
p.stdin.write(open(sys.argv[3], "rb").read())
line = b"The quick brown fox jumps over the lazy dog, again and again.\n"
block = line * (1048576 // len(line))
sent = 0
while sent < 1 << 30:
    p.stdin.write(block)
    sent += len(block)
with open("/proc/%d/status" % p.pid) as f:
    hwm = re.search(r"VmHWM:\s*(\d+)", f.read()).group(1)
p.stdin.close()
out = p.stdout.read().decode()
p.wait()
print(out.strip())
print(hwm)
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == dkim=pass* ]]
	# a sanitizer build carries ASan's shadow memory and quarantine: it
	# is held to 64 MiB, still far from holding the 1 GiB body
	limit=16384
	if grep -q __asan_init "$MAUTH_BIN/dkimverify"; then limit=65536; fi
	echo "peak RSS: ${lines[1]} KiB (limit $limit)"
	[ "${lines[1]}" -lt "$limit" ]
}

@test "interop: messages Mail::DKIM signs (4 canonicalizations) verify, also stored with LF" {
	for m in relaxed/relaxed simple/relaxed relaxed/simple simple/simple; do
		perl "$D/mail-dkim-sign.pl" "$D/rsa2048.key" rsa-sha256 "$m" < "$D/message.eml" > "$T/m.eml"
		grep -q "c=$m" "$T/m.eml" || grep -q "c=${m%/simple}" "$T/m.eml"
		verify "$T/m.eml"
		[ "$status" -eq 0 ]
		tr -d '\r' < "$T/m.eml" > "$T/lf.eml"
		verify "$T/lf.eml"
		[ "$status" -eq 0 ]
	done
}

@test "interop: Mail::DKIM's own verifier and ours agree on a message sign.py signed" {
	signed "$T/m.eml" rsa2048.key "v=1; a=rsa-sha256; c=simple/relaxed; d=example.com; s=rsa; $H; bh=; b="
	verify "$T/m.eml"
	[ "$status" -eq 0 ]
	# Mail::DKIM with the key record from our zone (no DNS: a fake resolver)
	p=$(grep '^rsa._domainkey' "$ZONE" | sed 's/.*p=//; s/" "//; s/"$//')
	run perl -MMail::DKIM::Verifier -e '
		my $rec = $ARGV[0];
		no warnings "redefine";
		*Mail::DKIM::DNS::query = sub {
			my $rr = Net::DNS::RR->new("x. 300 IN TXT \"$rec\"");
			return ($rr);
		};
		my $v = Mail::DKIM::Verifier->new;
		open my $f, "<", $ARGV[1] or die; binmode $f;
		while (<$f>) { $v->PRINT($_) } $v->CLOSE;
		print $v->result, "\n";' "v=DKIM1; k=rsa; p=$p" "$T/m.eml"
	echo "$output"
	[ "$output" = pass ]
}

@test "-a: empty input (a failed stage before) is exit 65 with nothing written" {
	run dkimverify -a --offline < /dev/null
	[ "$status" -eq 65 ]
	[[ "$output" == *'empty input, not a message'* ]]
}

@test "--explain: a CRLF message whose signer hashed it with bare LF line ends (before conversion)" {
	explain_with 'Hello Bob,\n\nThis  is a  test.  \t\n\nAlice\n\r\n' \
	    "v=1; a=rsa-sha256; c=simple/simple; d=example.com; s=rsa; $H"
	[[ "$output" == *'explain="body hash matches with line ends hashed as bare LF (signed before conversion to CRLF)"'* ]]
}

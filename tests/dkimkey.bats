#!/usr/bin/env bats
# dkimkey: gen (key file mode 0600, zone-ready record), record, and check
# of a published key record against the private key (RFC 6376 3.6.1,
# RFC 8463 4.2, RFC 8301 3.2), with the exit codes of dkimkey(1).

bats_require_minimum_version 1.5.0
load helpers
load knot

RSA="$TOP/tests/demo/rsa.key"
ED="$TOP/tests/demo/ed25519.key"
R8463="$SUITES/dkim/rfc8463"

teardown() {
	knot_stop
	blackhole_stop
}

# A zone with record $2 at sel._domainkey.example.org ($1: file).
zone_with() {
	printf 'sel._domainkey.example.org. IN TXT %s\n' "$2" > "$1"
}

pub() {	# the p= of key file $1
	dkimkey record --bare -k "$1" | sed 's/.*p=//'
}

check() {
	dkimkey check --zone "$BATS_TEST_TMPDIR/z" --offline -d example.org -s sel "$@"
}

@test "dkimkey without a command, or an unknown one, is a usage error (64)" {
	run dkimkey
	[ "$status" -eq 64 ]
	run dkimkey frobnicate
	[ "$status" -eq 64 ]
	[[ "$output" == *"unknown command: frobnicate"* ]]
	run dkimkey --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: dkimkey gen"* ]]
}

@test "dkimkey gen: a 2048-bit RSA key by default, written mode 0600, that OpenSSL reads" {
	run dkimkey gen -d example.org -s s1 -o "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/k")" = 600 ]
	openssl pkey -in "$BATS_TEST_TMPDIR/k" -noout -text | grep -q 'Private-Key: (2048 bit'
	head -1 "$BATS_TEST_TMPDIR/k" | grep -qx -- '-----BEGIN PRIVATE KEY-----'
	[[ "${lines[0]}" == 's1._domainkey.example.org. IN TXT (' ]]
}

@test "dkimkey gen -a ed25519: an Ed25519 key and its k=ed25519 record (RFC 8463 4.2)" {
	run dkimkey gen -a ed25519 --bare -o "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^v=DKIM1\;\ k=ed25519\;\ p=[A-Za-z0-9+/]{43}=$ ]]
	openssl pkey -in "$BATS_TEST_TMPDIR/k" -noout -text | grep -q 'ED25519 Private-Key'
}

@test "dkimkey gen -b: 1024 to 8192 bits; under 2048 warns (RFC 8301 3.2); not for Ed25519" {
	run --separate-stderr dkimkey gen -b 1024 --bare -o "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"1024-bit RSA: RFC 8301 3.2 says at least 2048"* ]]
	run dkimkey gen -b 512 -o "$BATS_TEST_TMPDIR/k2"
	[ "$status" -eq 64 ]
	[ ! -e "$BATS_TEST_TMPDIR/k2" ]
	run dkimkey gen -a ed25519 -b 2048 -o "$BATS_TEST_TMPDIR/k3"
	[ "$status" -eq 64 ]
}

@test "dkimkey gen never overwrites a file unless -f" {
	echo keep > "$BATS_TEST_TMPDIR/k"
	run dkimkey gen -a ed25519 -o "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 64 ]
	[[ "$output" == *"File exists (use -f to replace it)"* ]]
	[ "$(cat "$BATS_TEST_TMPDIR/k")" = keep ]
	ln -s "$BATS_TEST_TMPDIR/target" "$BATS_TEST_TMPDIR/link"
	run dkimkey gen -a ed25519 -o "$BATS_TEST_TMPDIR/link"
	[ "$status" -eq 64 ]
	[ ! -e "$BATS_TEST_TMPDIR/target" ]
	run dkimkey gen -f -a ed25519 -o "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$BATS_TEST_TMPDIR/k")" = 600 ]
	grep -q 'BEGIN PRIVATE KEY' "$BATS_TEST_TMPDIR/k"
}

@test "dkimkey gen: a key file that cannot be written is exit 74, nothing printed" {
	run --separate-stderr dkimkey gen -a ed25519 -o /nonexistent/dir/k
	[ "$status" -eq 74 ]
	[ -z "$output" ]
}

@test "RFC 1035 3.3.14: the zone record splits p= into strings of at most 255 octets" {
	run dkimkey gen -b 4096 -d example.org -s big -o "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'big._domainkey.example.org. IN TXT (' ]
	[ "${lines[-1]}" = ')' ]
	n=0
	for l in "${lines[@]:1:${#lines[@]}-2}"; do
		[[ "$l" =~ ^$'\t'\"([^\"]*)\"$ ]] || { echo "bad line: $l"; return 1; }
		[ "${#BASH_REMATCH[1]}" -le 255 ] || { echo "string over 255"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 4 ]
	joined=$(printf '%s\n' "${lines[@]:1:${#lines[@]}-2}" | sed 's/^\t"//; s/"$//' | tr -d '\n')
	[ "$joined" = "$(dkimkey record --bare -k "$BATS_TEST_TMPDIR/k")" ]
}

@test "dkimkey gen's record is zone-ready: mauth --zone reads it, keys sign and verify, check matches" {
	dkimkey gen -d example.org -s s1 -o "$BATS_TEST_TMPDIR/k" > "$BATS_TEST_TMPDIR/z"
	dkimkey gen -a ed25519 -d example.org -s s2 -o "$BATS_TEST_TMPDIR/k2" >> "$BATS_TEST_TMPDIR/z"
	run dkimkey check --zone "$BATS_TEST_TMPDIR/z" --offline -d example.org -s s1 -k "$BATS_TEST_TMPDIR/k"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "s1._domainkey.example.org: matches the private key" ]]
	dkimsign -d example.org -s s1 -k "$BATS_TEST_TMPDIR/k" -s s2 -k "$BATS_TEST_TMPDIR/k2" \
	    "$TOP/tests/demo/message.eml" > "$BATS_TEST_TMPDIR/m"
	run dkimverify --zone "$BATS_TEST_TMPDIR/z" --offline "$BATS_TEST_TMPDIR/m"
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | grep -c 'dkim=pass')" -eq 2 ]
}

@test "dkimkey gen's record is zone-ready: knotd serves it, check --resolver matches" {
	{
		printf '$ORIGIN example.org.\n$TTL 300\n@ IN SOA ns hostmaster 1 3600 600 86400 300\n@ IN NS ns\nns IN A 127.0.0.1\n'
		dkimkey gen -b 3072 -d example.org -s s1 -o "$BATS_TEST_TMPDIR/k"
	} > "$BATS_TEST_TMPDIR/example.org.zone"
	knot_start "$BATS_TEST_TMPDIR/example.org.zone"
	run dkimkey check --resolver "$KNOT_ADDR" -d example.org -s s1 -k "$BATS_TEST_TMPDIR/k"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "s1._domainkey.example.org: matches the private key" ]
	[ "${lines[1]}" = "s1._domainkey.example.org: rsa key, 3072 bits" ]
}

@test "RFC 8463 A.2: dkimkey record of the A.1 keys gives the A.2 records" {
	printf '%s\n' "$(cat "$R8463/ed25519.key")" > "$BATS_TEST_TMPDIR/seed"
	chmod 600 "$BATS_TEST_TMPDIR/seed"
	run dkimkey record --bare -k "$BATS_TEST_TMPDIR/seed"
	[ "$output" = "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=" ]
	run --separate-stderr dkimkey record --bare -k "$R8463/rsa.key"
	[ "$output" = "$(sed -n 's/^test._domainkey.* TXT "\(.*\)"$/\1/p' "$R8463/dns-records.txt")" ]
}

@test "dkimkey check: the published key matches, exit 0" {
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=ed25519; p=$(pub "$ED")\""
	run check -k "$ED"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "sel._domainkey.example.org: matches the private key" ]
	[ "${lines[1]}" = "sel._domainkey.example.org: ed25519 key, 256 bits" ]
}

@test "dkimkey check: another key of the same type does not match, exit 1" {
	dkimkey gen -a ed25519 -o "$BATS_TEST_TMPDIR/other" > /dev/null
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=ed25519; p=$(pub "$BATS_TEST_TMPDIR/other")\""
	run check -k "$ED"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"does not match the private key: the record holds another ed25519 key" ]]
}

@test "RFC 6376 3.6.1: k= of another type than the private key does not match, exit 1" {
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=ed25519; p=$(pub "$ED")\""
	run check -k "$RSA"
	[ "$status" -eq 1 ]
	[[ "$output" == *"the record has a k=ed25519 key, the private key is rsa"* ]]
}

@test "RFC 6376 3.6.1: a bare PKCS#1 RSAPublicKey in p= matches too" {
	p=$(openssl pkey -in "$RSA" -pubout -outform DER | openssl rsa -pubin -inform DER -RSAPublicKey_out -outform DER 2>/dev/null | base64 -w0)
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=rsa; p=$p\""
	run check -k "$RSA"
	[ "$status" -eq 0 ]
}

@test "RFC 6376 3.6.1: an empty p= is a revoked key, exit 4" {
	zone_with "$BATS_TEST_TMPDIR/z" '"v=DKIM1; k=rsa; p="'
	run check -k "$RSA"
	[ "$status" -eq 4 ]
	[[ "${lines[0]}" == *"the key is revoked: the record has an empty p="* ]]
}

@test "RFC 6376 3.6.1: t=y is test mode, said in plain words; the key still matches" {
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=ed25519; t=y; p=$(pub "$ED")\""
	run check -k "$ED"
	[ "$status" -eq 0 ]
	[[ "$output" == *"test mode (t=y)"* ]]
}

@test "RFC 8301 3.2: a published RSA key under 1024 bits is too short, exit 4" {
	openssl genrsa -out "$BATS_TEST_TMPDIR/k512" 512 2>/dev/null
	p=$(openssl pkey -in "$BATS_TEST_TMPDIR/k512" -pubout -outform DER | base64 -w0)
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=rsa; p=$p\""
	run check -k "$RSA"
	[ "$status" -eq 4 ]
	[[ "$output" == *"too short: 512-bit RSA"* ]]
}

@test "RFC 8301 3.2: a matching 1024-bit RSA key is weak, said in plain words, exit 0" {
	cp "$R8463/rsa.key" "$BATS_TEST_TMPDIR/k1024"
	chmod 600 "$BATS_TEST_TMPDIR/k1024"
	zone_with "$BATS_TEST_TMPDIR/z" "\"$(dkimkey record --bare -k "$BATS_TEST_TMPDIR/k1024" 2>/dev/null)\""
	run check -k "$BATS_TEST_TMPDIR/k1024"
	[ "$status" -eq 0 ]
	[[ "$output" == *"weak: 1024-bit RSA; RFC 8301 3.2 says at least 2048"* ]]
}

@test "RFC 6376 3.6.1: a malformed record is broken, exit 4" {
	zone_with "$BATS_TEST_TMPDIR/z" '"v=DKIM1; k=rsa; MIIBIjANBgkq"'
	run check -k "$RSA"
	[ "$status" -eq 4 ]
	[[ "$output" == *"the record is broken: key record: RFC 6376 3.2"* ]]
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=ed25519; s=tlsrpt; p=$(pub "$ED")\""
	run check -k "$ED"
	[ "$status" -eq 4 ]
	[[ "$output" == *"s= does not allow email"* ]]
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=rsa; h=sha1; p=$(pub "$RSA")\""
	run check -k "$RSA"
	[ "$status" -eq 4 ]
	[[ "$output" == *"h= does not allow sha256"* ]]
}

@test "RFC 6376 3.6.2.2: several TXT records at the name are broken, exit 4" {
	zone_with "$BATS_TEST_TMPDIR/z" "\"v=DKIM1; k=ed25519; p=$(pub "$ED")\""
	printf 'sel._domainkey.example.org. IN TXT "v=DKIM1; k=rsa; p="\n' >> "$BATS_TEST_TMPDIR/z"
	run check -k "$ED"
	[ "$status" -eq 4 ]
	[[ "$output" == *"2 TXT records"* ]]
}

@test "dkimkey check: no record is exit 6" {
	printf 'other._domainkey.example.org. IN TXT "v=DKIM1; p="\n' > "$BATS_TEST_TMPDIR/z"
	run check -k "$ED"
	[ "$status" -eq 6 ]
	[ "$output" = "sel._domainkey.example.org: no key record: no TXT record there (NXDOMAIN)" ]
}

@test "dkimkey check: a DNS time-out is unreachable, exit 5 (zone fault marker)" {
	printf 'sel._domainkey.example.org. IN TIMEOUT\n' > "$BATS_TEST_TMPDIR/z"
	run check -k "$ED"
	[ "$status" -eq 5 ]
	[[ "$output" == *"unreachable: the DNS did not answer"* ]]
}

@test "dkimkey check: a server that never answers is unreachable, exit 5 (--resolver)" {
	blackhole_start
	run dkimkey check --resolver "$BLACKHOLE_ADDR" --timeout 1 -d example.org -s sel -k "$ED"
	[ "$status" -eq 5 ]
	[[ "$output" == *"unreachable"* ]]
}

@test "dkimkey check needs -d, -s and -k (64); a missing key file is 66" {
	run dkimkey check --zone /dev/null --offline -s sel -k "$ED"
	[ "$status" -eq 64 ]
	run dkimkey check --zone /dev/null --offline -d example.org -s sel
	[ "$status" -eq 64 ]
	run dkimkey check --zone /dev/null --offline -d example.org -s sel -k /nonexistent
	[ "$status" -eq 66 ]
}

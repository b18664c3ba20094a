#!/usr/bin/env bats
# spfcheck: identities, output, exit codes, modes, trace, and hostile
# input (RFC 7208).  Offline: tests/demo/example.zone and tests/spf/.
load helpers

setup() {
	Z="--zone $TOP/tests/demo/example.zone --offline"
	C="--zone $TOP/tests/spf/cli.zone --offline"
	T="$BATS_TEST_TMPDIR"
}

# --- identities (RFC 7208 2.3, 2.4) ---

@test "RFC 7208 2.4: MAIL FROM authorized by ip4 is pass, exit 0" {
	run spfcheck $Z --ip 192.0.2.25 --mail-from alice@example.org \
	    --helo mx.example.org
	[ "$status" -eq 0 ]
	[ "$output" = "spf=pass smtp.mailfrom=example.org smtp.helo=mx.example.org" ]
}

@test "RFC 7208 2.3: HELO is checked first and its fail decides (exit 1)" {
	run spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org \
	    --helo mx.example.org
	[ "$status" -eq 1 ]
	[ "$output" = 'spf=fail reason="HELO identity: mechanism -all matched" smtp.helo=mx.example.org' ]
}

@test "RFC 8601 2.7.2: a HELO verdict is not reported for the MAIL FROM domain (DMARC does not take it)" {
	# 198.51.100.10 may send for example.net, but the HELO name fails
	run spfcheck $Z --ip 198.51.100.10 --mail-from bob@example.net \
	    --helo mx.example.org
	[ "$status" -eq 1 ]
	[[ "$output" != *smtp.mailfrom* ]]
	run spfcheck $Z --identity mailfrom --ip 198.51.100.10 \
	    --mail-from bob@example.net --helo mx.example.org
	[ "$output" = 'spf=pass smtp.mailfrom=example.net smtp.helo=mx.example.org' ]
	# in a pipeline, dmarceval does not read the HELO fail as example.net's
	spfcheck $Z -a -A mx.example.com --ip 198.51.100.10 \
	    --mail-from bob@example.net --helo mx.example.org <"$TESTS_DIR/demo/message.eml" |
	    sed 's/alice@example.org/bob@example.net/' >"$BATS_TEST_TMPDIR/m"
	run dmarceval $Z -A mx.example.com --ip 198.51.100.10 \
	    --mail-from bob@example.net <"$BATS_TEST_TMPDIR/m"
	[[ "$output" == "dmarc=pass "*"spf.aligned=example.net"* ]]
}

@test "RFC 7208 2.4: a HELO pass is not definitive: MAIL FROM decides" {
	run spfcheck $Z --ip 192.0.2.25 --mail-from bob@example.net \
	    --helo mx.example.org
	[ "$status" -eq 1 ]
	[ "$output" = 'spf=fail reason="mechanism -all matched" smtp.mailfrom=example.net smtp.helo=mx.example.org' ]
}

@test "RFC 7208 2.4: a null MAIL FROM is checked as postmaster@HELO" {
	run spfcheck $Z --ip 192.0.2.25 --mail-from '<>' --helo mx.example.org -v
	[ "$status" -eq 0 ]
	[[ ${lines[-1]} = "spf=pass smtp.mailfrom=mx.example.org smtp.helo=mx.example.org" ]]
	[[ $output = *"<sender> postmaster@mx.example.org"* ]]
	run spfcheck $Z --ip 192.0.2.25 --mail-from ''
	[ "$status" -eq 64 ]
	[[ $output = *"null MAIL FROM needs the HELO"* ]]
}

@test "RFC 7208 4.3: a sender without local-part is postmaster@domain" {
	run spfcheck $C --ip 203.0.113.1 --mail-from @expl.example.com
	[ "$status" -eq 1 ]
	[[ $output = *'explanation="203.0.113.1 may not send for expl.example.com; ask postmaster@expl.example.com"'* ]]
}

@test "--identity helo checks only the HELO name" {
	run spfcheck $Z --identity helo --ip 192.0.2.25 \
	    --mail-from bob@example.net --helo mx.example.org
	[ "$status" -eq 0 ]
	[ "$output" = "spf=pass smtp.helo=mx.example.org" ]
}

@test "RFC 7208 2.3: a HELO that is not a multi-label name gives none" {
	run spfcheck $Z --identity helo --ip 192.0.2.25 --helo '[192.0.2.25]'
	[ "$status" -eq 6 ]
	[[ $output = "spf=none reason=\"RFC 7208 4.3: "* ]]
}

# --- exit codes (DESIGN.md table) ---

@test "exit codes: pass 0 fail 1 softfail 2 neutral 3 permerror 4 temperror 5 none 6" {
	local c d ip want
	for c in example.com,192.0.2.1,0 example.com,203.0.113.1,1 \
	    soft.example.com,203.0.113.1,2 neutral.example.com,192.0.2.1,3 \
	    broken.example.com,192.0.2.1,4 slow.example.com,192.0.2.1,5 \
	    nosuch.example.com,192.0.2.1,6; do
		IFS=, read -r d ip want <<<"$c"
		run spfcheck $C --ip "$ip" --mail-from "u@$d"
		echo "$d $ip: $status $output"
		[ "$status" -eq "$want" ]
	done
}

@test "RFC 7208 4.4: a time-out is temperror with the lookup named" {
	run spfcheck $C --ip 192.0.2.1 --mail-from u@slow.example.com
	[ "$status" -eq 5 ]
	[[ $output = *'reason="RFC 7208 5: TXT lookup of slow.example.com: TIMEOUT"'* ]]
}

@test "RFC 7208 4.6: a syntax error anywhere is permerror with the term and section" {
	run spfcheck $C --ip 192.0.2.1 --mail-from u@broken.example.com
	[ "$status" -eq 4 ]
	[[ $output = *"ip4:192.0.2.300: RFC 7208 5.6: bad ip4-network"* ]]
}

@test "usage errors exit 64: bad option, no --ip, bad address, bad --identity" {
	run spfcheck --frobnicate
	[ "$status" -eq 64 ]
	run spfcheck --mail-from a@example.org
	[ "$status" -eq 64 ]
	run spfcheck --ip 999.1.1.1 --mail-from a@example.org
	[ "$status" -eq 64 ]
	[[ $output = *"not an IPv4 or IPv6 address"* ]]
	run spfcheck --ip 192.0.2.1 --mail-from a@example.org --identity x
	[ "$status" -eq 64 ]
}

@test "--help prints the usage on stdout and exits 0" {
	run spfcheck --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} = "usage: spfcheck [options] --ip ADDR"* ]]
	[[ $output = *"--record TEXT"* ]]
}

# --- explanation (RFC 7208 6.2) ---

@test "RFC 7208 6.2: fail carries the exp= text, macros expanded" {
	run spfcheck $C --ip 203.0.113.1 --mail-from joe@expl.example.com
	[ "$status" -eq 1 ]
	[[ $output = *'explanation="203.0.113.1 may not send for expl.example.com; ask postmaster@expl.example.com"'* ]]
}

@test "RFC 7208 6.2: --default-exp explains a fail without exp=" {
	run spfcheck $C --ip 203.0.113.1 --mail-from joe@example.com \
	    --default-exp 'see %{d} about %{i}'
	[ "$status" -eq 1 ]
	[[ $output = *'explanation="see example.com about 203.0.113.1"'* ]]
	run spfcheck $C --ip 203.0.113.1 --mail-from joe@example.com \
	    --default-exp 'bad %{q}'
	[ "$status" -eq 64 ]
}

# --- --record ---

@test "--record evaluates an unpublished record as the MAIL FROM domain's" {
	run spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org
	[ "$status" -eq 1 ]
	run spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org \
	    --record 'v=spf1 ip4:203.0.113.0/24 mx -all'
	[ "$status" -eq 0 ]
	[ "$output" = "spf=pass smtp.mailfrom=example.org" ]
}

@test "--record applies to the MAIL FROM domain only, not the HELO name" {
	run spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org \
	    --helo mx.example.org --record 'v=spf1 +all'
	[ "$status" -eq 1 ]
	[[ $output = *"HELO identity"* ]]
	run spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org \
	    --helo mx.example.org --record 'v=spf1 +all' \
	    --record-domain mx.example.org
	[ "$status" -eq 1 ]
	[[ $output != *"HELO identity"* ]]
}

@test "--record that is not v=spf1 is a usage error; a bad one is permerror" {
	run spfcheck $Z --ip 203.0.113.9 --mail-from a@example.org --record 'spf1 -all'
	[ "$status" -eq 64 ]
	run spfcheck $Z --ip 203.0.113.9 --mail-from a@example.org --record 'v=spf1 foo -all'
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 4.6.1: unknown mechanism"* ]]
}

# --- filter mode (-a) ---

@test "-a prepends Authentication-Results and Received-SPF, every other byte intact (CRLF)" {
	printf 'Received: from x\r\nFrom: a@example.org\r\nSubject: t\r\n\r\nbody\r\nno final eol' >"$T/m"
	spfcheck $Z -a -A mx.example.com --ip 192.0.2.25 \
	    --mail-from alice@example.org --helo mx.example.org <"$T/m" >"$T/out"
	cmp <(tail -c "$(wc -c <"$T/m")" "$T/out") "$T/m"
	head -c 23 "$T/out" | grep -q '^Authentication-Results:'
	grep -q '^Received-SPF: pass (mx.example.com: ' "$T/out"
	# every added line ends in CRLF
	local added=$(( $(wc -c <"$T/out") - $(wc -c <"$T/m") ))
	! head -c "$added" "$T/out" | grep -q $'[^\r]$'
}

@test "-a on an LF message adds LF lines" {
	printf 'From: a@example.org\n\nbody\n' >"$T/m"
	spfcheck $Z -a -A h --ip 192.0.2.25 --mail-from a@example.org <"$T/m" >"$T/out"
	cmp <(tail -n 3 "$T/out") "$T/m"
	! grep -q $'\r' "$T/out"
}

@test "RFC 7208 9.1: Received-SPF has client-ip, envelope-from, helo, receiver, identity, mechanism" {
	printf 'From: a@example.org\n\nbody\n' >"$T/m"
	run spfcheck $Z -a -A mx.example.com --ip 192.0.2.25 \
	    --mail-from alice@example.org --helo mx.example.org <"$T/m"
	[ "$status" -eq 0 ]
	local f
	f=$(sed -n '/^Received-SPF:/,/^[^ \t]/p' <<<"$output" | sed '$d' |
	    tr '\n\t' '  ' | tr -s ' ')
	echo "$f"
	[[ $f = "Received-SPF: pass (mx.example.com: domain of alice@example.org designates 192.0.2.25 as permitted sender)"* ]]
	[[ $f = *"client-ip=192.0.2.25;"* ]]
	[[ $f = *'envelope-from="alice@example.org";'* ]]
	[[ $f = *"helo=mx.example.org;"* ]]
	[[ $f = *"receiver=mx.example.com;"* ]]
	[[ $f = *"identity=mailfrom;"* ]]
	[[ $f = *'mechanism="ip4:192.0.2.0/24"'* ]]
}

@test "RFC 7208 9.1: Received-SPF names the problem of a permerror" {
	printf 'From: a@example.org\n\nbody\n' >"$T/m"
	run spfcheck $C -a -A h --ip 192.0.2.1 --mail-from u@broken.example.com <"$T/m"
	[ "$status" -eq 0 ]
	[[ $output = *"Received-SPF: permerror"* ]]
	[[ $output = *'problem="record of broken.example.com: ip4:192.0.2.300: RFC 7208 5.6: bad'* ]]
	[[ $output = *"spf=permerror reason="* ]]
}

@test "RFC 7208 9.1: sender bytes in the header are escaped, never raw" {
	printf 'From: a@example.org\n\nbody\n' >"$T/m"
	spfcheck $Z -a -A h --ip 192.0.2.25 --helo mx.example.org \
	    --mail-from $'a"b)\\\x01\xff@example.org' <"$T/m" >"$T/out"
	! LC_ALL=C grep -q $'[\x01\xff]' "$T/out"
	grep -q 'envelope-from="a\\"b)\\\\??@example.org"' "$T/out"
}

@test "-a exits 0 whatever the verdict; --tempfail gives 75 on temperror" {
	printf 'From: a@example.org\n\nbody\n' >"$T/m"
	run spfcheck $C -a -A h --ip 192.0.2.1 --mail-from u@slow.example.com <"$T/m"
	[ "$status" -eq 0 ]
	[[ $output = *"spf=temperror"* ]]
	run spfcheck $C -a -A h --tempfail --ip 192.0.2.1 --mail-from u@slow.example.com <"$T/m"
	[ "$status" -eq 75 ]
	run spfcheck $C -a -A h --tempfail --ip 192.0.2.1 --mail-from u@expl.example.com <"$T/m"
	[ "$status" -eq 0 ]
}

@test "-a: a failed write exits 74" {
	printf 'From: a@example.org\n\nbody\n' >"$T/m"
	run sh -c "spfcheck $Z -a -A h --ip 192.0.2.25 --mail-from a@example.org \
	    --helo mx.example.org <'$T/m' >/dev/full"
	[ "$status" -eq 74 ]
	[[ $output = *"cannot write output"* ]]
	run sh -c "spfcheck $Z --ip 192.0.2.25 --mail-from a@example.org >/dev/full"
	[ "$status" -eq 74 ]
}

@test "-a: a header block over the limit exits 65" {
	"$PY" -c 'import sys; sys.stdout.write(("X-Big: " + "a" * 100 + "\n") * 50000 + "\nbody\n")' >"$T/big"
	run spfcheck $Z -a -A h --ip 192.0.2.25 --mail-from a@example.org <"$T/big"
	[ "$status" -eq 65 ]
	[[ $output = *"cannot read the message"* ]]
}

# --- trace (-v) ---

@test "-v traces every term, DNS query and answer, expansion, counters, decision" {
	run spfcheck $C -v --ip 198.51.100.3 --mail-from u@three.example.com
	[ "$status" -eq 0 ]
	[[ $output = *"spf:   record: \"v=spf1 a:h1.example.com a:h2.example.com mx -all\""* ]]
	[[ $output = *"dns: query A h1.example.com"* ]]
	[[ $output = *"dns: answer A h1.example.com: NOERROR 1 record (zone) 198.51.100.1"* ]]
	[[ $output = *"term 1 a:h1.example.com: no match (lookups 1/10, void 0/2)"* ]]
	[[ $output = *"term 3 mx: match (lookups 3/10, void 0/2)"* ]]
	[[ $output = *"identity mailfrom: pass, decided by mx (lookups 3/10, void 0/2)"* ]]
	run spfcheck $C -v --ip 192.0.2.1 --mail-from a.b@exists.example.com
	[[ $output = *'expands to "a.b.a.b.a.b.t.example.com"'* ]]
}

# --- batch (-b) ---

@test "-b: one numbered result line per input line, comments and blanks skipped" {
	printf '# ip mail-from helo\n192.0.2.25 alice@example.org mx.example.org\n\n203.0.113.9 alice@example.org\n2001:db8::25 <> mx.example.org\n' >"$T/in"
	run spfcheck $Z -b "$T/in"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "${lines[0]}" = "2: spf=pass smtp.mailfrom=example.org smtp.helo=mx.example.org" ]
	[ "${lines[1]}" = '4: spf=fail reason="mechanism -all matched" smtp.mailfrom=example.org' ]
	[ "${lines[2]}" = "5: spf=pass smtp.mailfrom=mx.example.org smtp.helo=mx.example.org" ]
}

@test "-b: tab-separated lines allow spaces and an empty (null) MAIL FROM" {
	printf '192.0.2.25\t\tmx.example.org\n203.0.113.1\tMacro Error@expl.example.com\n' |
	    spfcheck $C $Z -b >"$T/out"
	grep -qx '1: spf=pass smtp.mailfrom=mx.example.org smtp.helo=mx.example.org' "$T/out"
	grep -q '^2: spf=fail .*explanation="203.0.113.1 may not send for expl.example.com' "$T/out"
}

@test "-b: a malformed line is reported, the others still run, exit 65" {
	printf 'bogus\n192.0.2.25 a@example.org\nnot-an-ip a@example.org\n' >"$T/in"
	run spfcheck $Z -b "$T/in"
	[ "$status" -eq 65 ]
	[[ $output = *"line 1: want"* ]]
	[[ $output = *"2: spf=pass smtp.mailfrom=example.org"* ]]
	[[ $output = *"line 3: not an IPv4 or IPv6 address"* ]]
}

@test "-b: one process, one DNS cache: a repeated query is answered from the cache" {
	yes '192.0.2.25 alice@example.org mx.example.org' | head -n 50 >"$T/in"
	run spfcheck $Z -b -v "$T/in"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': spf=pass' <<<"$output")" -eq 50 ]
	# the TXT record of example.org comes from the zone once, then the cache
	[ "$(grep -c 'answer TXT example.org: .*(zone)' <<<"$output")" -eq 1 ]
	[ "$(grep -c 'answer TXT example.org: .*(cache)' <<<"$output")" -eq 49 ]
}

# --- hostile input (RFC 7208 4.6.4, 7.3, 4.3, 3.1) ---

@test "hostile: a 10,000-term record via --record is evaluated in full" {
	local rec
	rec="v=spf1 $(printf '?ip6:::%x ' $(seq 1 10000))~all"
	run spfcheck --offline --ip 192.0.2.1 --mail-from a@example.org --record "$rec"
	[ "$status" -eq 2 ]
	[[ $output = *'reason="mechanism ~all matched"'* ]]
}

@test "hostile: 10,000 DNS terms in a zone record stop at the limits (RFC 7208 4.6.4)" {
	"$PY" - "$T/z" <<'EOF'
import sys
rec = ("v=spf1 " + "a " * 10000 + "-all").encode()
parts = " ".join('"%s"' % rec[i:i + 255].decode() for i in range(0, len(rec), 255))
open(sys.argv[1], "w").write("many.example.org. IN TXT " + parts + "\n")
EOF
	run spfcheck --zone "$T/z" --offline --ip 192.0.2.1 --mail-from a@many.example.org
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 4.6.4: more than 2 void lookups (at a)"* ]]
	echo "many.example.org. IN A 192.0.2.200" >>"$T/z"
	run spfcheck --zone "$T/z" --offline --ip 192.0.2.1 --mail-from a@many.example.org
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 4.6.4: more than 10 DNS-querying terms (at a)"* ]]
}

@test "hostile: an include loop ends in permerror at the lookup limit" {
	run spfcheck $C --ip 192.0.2.1 --mail-from a@loop1.example.com
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 4.6.4: more than 10 DNS-querying terms"* ]]
}

@test "hostile: RFC 7208 7.3: an expansion over 253 octets loses labels on the left" {
	local l
	l=$(printf 'x%.0s.' $(seq 1 60))l
	run spfcheck $C -v --ip 192.0.2.1 --mail-from "$l@exists.example.com"
	[ "$status" -eq 1 ]
	local q
	q=$(grep -o 'dns: query A [^ ]*' <<<"$output" | cut -d' ' -f4)
	echo "queried: $q (${#q} octets)"
	[ "${#q}" -le 253 ]
	[ "${#q}" -ge 240 ]
	[[ $q = x.* && $q = *".x.x.l.x.x."* && $q = *".x.x.l.t.example.com" ]]
}

@test "hostile: an expansion over SPF_EXPAND_MAX octets is permerror, not a crash" {
	local l
	l=$(printf 'y%.0s' $(seq 1 800))
	run spfcheck $C --ip 192.0.2.1 --mail-from "$l@macro8k.example.com"
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 7.3: exists:"*"expansion over 8192 octets"* ]]
}

@test "hostile: RFC 7208 4.3: a label over 63 octets in the sender domain gives none" {
	run spfcheck $C --ip 192.0.2.1 \
	    --mail-from "a@$(printf 'b%.0s' $(seq 1 64)).example.com"
	[ "$status" -eq 6 ]
	[[ $output = *"RFC 7208 4.3"* ]]
}

@test "hostile: RFC 7208 4.8: a target label over 63 octets does not match" {
	run spfcheck $C -v --ip 192.0.2.1 --mail-from a@longlabel.example.com
	[ "$status" -eq 1 ]
	[[ $output = *"not a valid DNS name (RFC 7208 4.8)"* ]]
	[[ $output != *"query A a1234567890"* ]]
}

@test "hostile: RFC 7208 3.1: NUL and 8-bit bytes in a record are permerror" {
	run spfcheck $C --ip 192.0.2.1 --mail-from a@nul.example.com
	[ "$status" -eq 4 ]
	[[ $output = *"byte 0x00 in a term"* ]]
	run spfcheck $C --ip 192.0.2.1 --mail-from a@eightbit.example.com
	[ "$status" -eq 4 ]
	[[ $output = *"byte 0xc3 in a term"* ]]
}

@test "hostile: 8-bit and control bytes in identities give a verdict, never raw output" {
	run spfcheck $C --ip 192.0.2.1 --mail-from $'a@caf\xc3\xa9.example.com'
	[ "$status" -eq 6 ]
	[[ $output = *'caf\\xc3\\xa9.example.com\" is not a valid'* ]]
	run spfcheck $C --ip 203.0.113.1 --mail-from $'\xff\x01@expl.example.com'
	[ "$status" -eq 1 ]
	! LC_ALL=C grep -q $'[\x01\xff]' <<<"$output"
	printf '192.0.2.1 a@ex\000ample.org\n' | { run spfcheck $C -b; [ "$status" -eq 65 ]; }
}

@test "hostile: a 1 MB TXT RRset is read, the one v=spf1 record among it evaluated" {
	"$PY" - "$T/z" <<'EOF'
import sys
with open(sys.argv[1], "w") as f:
    big = "x" * 255
    for r in range(16):   # 16 records of 64,000 octets: 1 MB at one name
        body = ("v=spf1 " + "ip4:10.0.0.1 " * 4900 + "-all") if r == 7 else big * 251
        body = body.encode()
        parts = " ".join('"%s"' % body[i:i + 255].decode() for i in range(0, len(body), 255))
        f.write("huge.example.org. IN TXT %s\n" % parts)
EOF
	[ "$(wc -c <"$T/z")" -gt 1000000 ]
	run spfcheck --zone "$T/z" --offline --ip 10.0.0.1 --mail-from a@huge.example.org
	[ "$status" -eq 0 ]
	run spfcheck --zone "$T/z" --offline --ip 10.0.0.2 --mail-from a@huge.example.org
	[ "$status" -eq 1 ]
}

@test "hostile: a single 1 MB TXT record cannot be loaded: a clear zone error, exit 65" {
	"$PY" -c 'import sys; b = "v=spf1 " + "ip4:10.0.0.1 " * 80000 + "-all"; open(sys.argv[1], "w").write("h.example.org. IN TXT " + " ".join(chr(34) + b[i:i+255] + chr(34) for i in range(0, len(b), 255)) + "\n")' "$T/z"
	run spfcheck --zone "$T/z" --offline --ip 10.0.0.1 --mail-from a@h.example.org
	[ "$status" -eq 65 ]
	[[ $output = *"spfcheck: "*"z:1:"* ]]
}

# --- macros (RFC 7208 7) ---

@test "RFC 7208 7.4: every expansion example of the RFC, IPv4 and IPv6" {
	local m want ip out
	while IFS='|' read -r ip m want; do
		run spfcheck --offline -v --ip "$ip" \
		    --mail-from strong-bad@email.example.com \
		    --record "v=spf1 exists:$m -all"
		out=$(grep -o 'expands to "[^"]*"' <<<"$output" | head -n 1)
		echo "$m -> $out (want $want)"
		[ "$out" = "expands to \"$want\"" ]
	done <<'EOF2'
192.0.2.3|%{s}|strong-bad@email.example.com
192.0.2.3|%{o}|email.example.com
192.0.2.3|%{d}|email.example.com
192.0.2.3|%{d4}|email.example.com
192.0.2.3|%{d3}|email.example.com
192.0.2.3|%{d2}|example.com
192.0.2.3|%{d1}|com
192.0.2.3|%{dr}|com.example.email
192.0.2.3|%{d2r}|example.email
192.0.2.3|%{l}|strong-bad
192.0.2.3|%{l-}|strong.bad
192.0.2.3|%{lr}|strong-bad
192.0.2.3|%{lr-}|bad.strong
192.0.2.3|%{l1r-}|strong
192.0.2.3|%{ir}.%{v}._spf.%{d2}|3.2.0.192.in-addr._spf.example.com
192.0.2.3|%{lr-}.lp._spf.%{d2}|bad.strong.lp._spf.example.com
192.0.2.3|%{lr-}.lp.%{ir}.%{v}._spf.%{d2}|bad.strong.lp.3.2.0.192.in-addr._spf.example.com
192.0.2.3|%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}|3.2.0.192.in-addr.strong.lp._spf.example.com
192.0.2.3|%{d2}.trusted-domains.example.net|example.com.trusted-domains.example.net
2001:db8::cb01|%{ir}.%{v}._spf.%{d2}|1.0.b.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6._spf.example.com
::ffff:192.0.2.3|%{ir}.%{v}._spf.%{d2}|3.2.0.192.in-addr._spf.example.com
192.0.2.3|%{S}.%{L}.x.example.com|strong-bad%40email.example.com.strong-bad.x.example.com
192.0.2.3|%%.%_.%-.%{h}.example.com|%. .%20.unknown.example.com
EOF2
}

@test "RFC 7208 7.3: exp-only macros c, r, t expand in the explanation" {
	run spfcheck --offline --ip 2001:db8::cb01 --mail-from a@example.com \
	    --receiver rcv.example -t 1400000000 --record 'v=spf1 -all' \
	    --default-exp '%{c} %{r} %{t} %{i}'
	[ "$status" -eq 1 ]
	[[ $output = *'explanation="2001:db8::cb01 rcv.example 1400000000 2.0.0.1.0.d.b.8.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.c.b.0.1"'* ]]
	run spfcheck --offline --ip 192.0.2.3 --mail-from a@example.com \
	    --record 'v=spf1 a:%{c}.example.com -all'
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 7.2: exp-only macro letter"* ]]
}

@test "-a: an empty input is not a message: exit 65, nothing written" {
	run sh -c "spfcheck $Z -a --ip 192.0.2.25 --helo mx.example.org </dev/null 2>/dev/null"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
}

#!/usr/bin/env bats
# The DNS layer against a real authoritative server (Debian's knotd) on
# loopback, through `test-dns --query` (tests/unit/dns.c): the libresolv
# backend, truncation and TCP, CNAMEs, NXDOMAIN vs NODATA, time-outs,
# zone files in front of the network, and zone-file errors.

load helpers
load knot

# The zone knot serves: RFC 1035 master format with $ORIGIN and SOA.
write_zone() {
	local x250 y250 z250 w250
	x250=$(printf 'x%.0s' $(seq 250))
	y250=$(printf 'y%.0s' $(seq 250))
	z250=$(printf 'z%.0s' $(seq 250))
	w250=$(printf 'w%.0s' $(seq 250))
	cat <<EOF
\$ORIGIN mauth.test.
\$TTL 300
@	IN SOA ns hostmaster 1 3600 600 86400 300
@	IN NS ns
ns	IN A 127.0.0.1
@	IN A 192.0.2.1
@	IN AAAA 2001:db8::1
@	IN MX 10 mx
@	IN MX 20 mx2.example.net.
mx	IN A 192.0.2.25
multi	IN TXT "v=spf1 " "ip4:192.0.2.0/24 " "-all"
big	IN TXT "$x250" "$y250" "$z250" "$w250" "$x250" "$y250"
www	IN CNAME @
alias	IN CNAME www
esc	IN TXT "a\\"b\\\\c\\000d"
caf\\195\\169	IN TXT "utf-8 owner"
EOF
}

setup_file() {
	write_zone >"$BATS_FILE_TMPDIR/mauth.test.zone"
	# without a server only the network tests skip (need_knot), not all
	if [ -x /usr/sbin/knotd ] || [ -x /usr/sbin/nsd ]; then
		knot_start "$BATS_FILE_TMPDIR/mauth.test.zone"
	fi
}

teardown_file() {
	knot_stop
}

need_knot() {
	[ -n "${KNOT_ADDR:-}" ] ||
	    skip "no DNS server: install Debian's knot (or nsd)"
}

q() {
	run test-dns --query "$@"
}

@test "network: A record from the server" {
	need_knot
	q mauth.test A --resolver "$KNOT_ADDR"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "A ttl=300 192.0.2.1" ]
}

@test "network: AAAA record from the server" {
	need_knot
	q MAUTH.TEST. AAAA --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "AAAA ttl=300 2001:db8::1" ]
}

@test "network: MX records with preference and exchange" {
	need_knot
	q mauth.test MX --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 2 network" ]
	[ "$(printf '%s\n' "${lines[@]:1}" | sort)" = "MX ttl=300 10 mx.mauth.test
MX ttl=300 20 mx2.example.net" ]
}

@test "RFC 7208 3.3: TXT of several strings is joined, string count kept" {
	need_knot
	q multi.mauth.test TXT --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "TXT ttl=300 strings=3 len=28 v=spf1 ip4:192.0.2.0/24 -all" ]
}

@test "RFC 1035 4.2.1: TXT answer over 512 bytes comes back whole over TCP" {
	need_knot
	q big.mauth.test TXT --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[[ "${lines[1]}" == "TXT ttl=300 strings=6 len=1500 xxx"* ]]
	[[ "${lines[1]}" == *"wwwxxx"*"yyy" ]]
	[ "${#lines[1]}" -eq $((31 + 1500)) ]
}

@test "TXT bytes: escapes and NUL survive the network" {
	need_knot
	run sh -c "test-dns --query esc.mauth.test TXT --resolver '$KNOT_ADDR' |
	    tail -c 8 | od -An -tx1 | tr -d ' \n'"
	# a " b \ c NUL d, then the newline
	[ "$output" = "6122625c6300640a" ]
}

@test "RFC 2181 11: a name with 8-bit bytes is asked and answered" {
	need_knot
	q "$(printf 'CAF\303\251.mauth.test')" TXT --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "TXT ttl=300 strings=1 len=11 utf-8 owner" ]
}

@test "RFC 1034 3.6.2: CNAME chain followed, only records of the asked type" {
	need_knot
	q alias.mauth.test A --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "A ttl=300 192.0.2.1" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "CNAME asked for itself is not followed" {
	need_knot
	q www.mauth.test CNAME --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "CNAME ttl=300 mauth.test" ]
}

@test "RFC 2308: NXDOMAIN for a name that does not exist" {
	need_knot
	q nowhere.mauth.test A --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NXDOMAIN 0 network" ]
}

@test "RFC 2308: NODATA (empty answer) for a name without that type" {
	need_knot
	q mx.mauth.test AAAA --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NODATA 0 network" ]
}

@test "REFUSED from the server is SERVFAIL, quickly" {
	need_knot
	local t0=$SECONDS
	run test-dns --query example.com A --resolver "$KNOT_ADDR" \
	    --timeout 4 --trace
	[ "${lines[1]}" = "dns: answer A example.com: SERVFAIL, rcode REFUSED (network $KNOT_ADDR)" ]
	[ "${lines[2]}" = "SERVFAIL 0 network" ]
	[ $((SECONDS - t0)) -le 1 ]
}

@test "--timeout: a server that never answers gives TIMEOUT within the time-out" {
	blackhole_start
	local t0 t1
	t0=$(date +%s%N)
	q mauth.test TXT --resolver "$BLACKHOLE_ADDR" --timeout 1
	t1=$(date +%s%N)
	blackhole_stop
	[ "${lines[0]}" = "TIMEOUT 0 network" ]
	# 1 s asked; allow scheduling slack, never the 5 s default
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
	[ $(((t1 - t0) / 1000000)) -ge 900 ]
}

@test "RFC 7766: truncated over UDP, silent over TCP: TIMEOUT within the time-out" {
	blackhole_start --truncate
	local t0 t1
	t0=$(date +%s%N)
	run test-dns --query mauth.test TXT --resolver "$BLACKHOLE_ADDR" \
	    --timeout 1 --trace
	t1=$(date +%s%N)
	blackhole_stop
	[ "${lines[2]}" = "TIMEOUT 0 network" ]
	[[ "${lines[1]}" == *"truncated over UDP, no answer over TCP"* ]]
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
}

@test "trace: time-out line names the server and the time-out" {
	blackhole_start
	run test-dns --query mauth.test A --resolver "$BLACKHOLE_ADDR" \
	    --timeout 1 --trace
	blackhole_stop
	[[ "$output" == *"dns: answer A mauth.test: timeout after 1s (network $BLACKHOLE_ADDR)"* ]]
}

@test "trace: network answer line with the record" {
	need_knot
	run test-dns --query mauth.test A --resolver "$KNOT_ADDR" --trace
	[[ "$output" == *"dns: query A mauth.test"* ]]
	[[ "$output" == *"dns: answer A mauth.test: NOERROR 1 record (network $KNOT_ADDR) 192.0.2.1"* ]]
}

@test "--zone: names in the zone file answer first, others go to the network" {
	need_knot
	printf 'mauth.test. A 198.51.100.7\nlocal.test. TXT "here"\n' \
	    >"$BATS_TEST_TMPDIR/z"
	q mauth.test A --zone "$BATS_TEST_TMPDIR/z" --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 zone" ]
	[ "${lines[1]}" = "A ttl=3600 198.51.100.7" ]
	q mx.mauth.test A --zone "$BATS_TEST_TMPDIR/z" --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "A ttl=300 192.0.2.25" ]
}

@test "--zone: a zone CNAME to a name it lacks is followed on the network" {
	need_knot
	printf 'here.test. CNAME mx.mauth.test.\n' >"$BATS_TEST_TMPDIR/z"
	q here.test A --zone "$BATS_TEST_TMPDIR/z" --resolver "$KNOT_ADDR"
	[ "${lines[0]}" = "NOERROR 1 zone" ]
	[ "${lines[1]}" = "A ttl=300 192.0.2.25" ]
}

@test "--offline: a name no zone holds is NXDOMAIN, nothing is asked" {
	need_knot
	printf 'local.test. TXT "here"\n' >"$BATS_TEST_TMPDIR/z"
	run test-dns --query mx.mauth.test A --zone "$BATS_TEST_TMPDIR/z" \
	    --resolver "$KNOT_ADDR" --offline --trace
	[ "${lines[0]}" = "dns: query A mx.mauth.test" ]
	[ "${lines[1]}" = "dns: answer A mx.mauth.test: NXDOMAIN (zone)" ]
	[ "${lines[2]}" = "NXDOMAIN 0 zone" ]
}

@test "zone fault markers: TIMEOUT and SERVFAIL answer at once" {
	local t0=$SECONDS
	q slow.example.net TXT --zone "$TOP/tests/demo/example.zone"
	[ "${lines[0]}" = "TIMEOUT 0 zone" ]
	q broken.example.net A --zone "$TOP/tests/demo/example.zone"
	[ "${lines[0]}" = "SERVFAIL 0 zone" ]
	[ $((SECONDS - t0)) -le 1 ]
}

@test "IPv6 --resolver: the server on ::1 answers" {
	need_knot
	local v4=$KNOT_ADDR v4pid=$KNOT_PID
	KNOT_PID=
	knot_start6 "$BATS_FILE_TMPDIR/mauth.test.zone"
	q mauth.test A --resolver "$KNOT_ADDR"
	knot_stop
	KNOT_ADDR=$v4 KNOT_PID=$v4pid
	[ "${lines[0]}" = "NOERROR 1 network" ]
	[ "${lines[1]}" = "A ttl=300 192.0.2.1" ]
}

@test "--resolver: a spec that is not ADDR[#PORT] is refused" {
	run test-dns --query mauth.test A --resolver "example.org"
	[ "$status" -eq 64 ]
	[ "$output" = "test-dns: example.org: not an IP address[#port]" ]
	run test-dns --query mauth.test A --resolver "127.0.0.1#99999"
	[ "$output" = "test-dns: 127.0.0.1#99999: bad port" ]
}

@test "zone file error names file and line" {
	printf '$ORIGIN example.org.\n@ A 192.0.2.1\n\nmx AAAA 192.0.2.2\n' \
	    >"$BATS_TEST_TMPDIR/bad.zone"
	run test-dns --query example.org A --zone "$BATS_TEST_TMPDIR/bad.zone"
	[ "$status" -eq 65 ]
	[ "$output" = "test-dns: $BATS_TEST_TMPDIR/bad.zone:4: bad AAAA address" ]
}

@test "zone file that cannot be read is an error" {
	run test-dns --query example.org A --zone "$BATS_TEST_TMPDIR/none.zone"
	[ "$status" -eq 65 ]
	[ "$output" = "test-dns: $BATS_TEST_TMPDIR/none.zone: No such file or directory" ]
}

@test "knot.bash zones load in mauth's zone reader too" {
	q multi.mauth.test TXT --zone "$BATS_FILE_TMPDIR/mauth.test.zone" --offline
	[ "${lines[0]}" = "NOERROR 1 zone" ]
	[ "${lines[1]}" = "TXT ttl=300 strings=3 len=28 v=spf1 ip4:192.0.2.0/24 -all" ]
	q big.mauth.test TXT --zone "$BATS_FILE_TMPDIR/mauth.test.zone" --offline
	[[ "${lines[1]}" == "TXT ttl=300 strings=6 len=1500 "* ]]
}

@test "mauth-zone(5): the EXAMPLES zone loads and its markers act as documented" {
	sed -n '/^\$ORIGIN example.org./,/^new /p' "$TOP/man/mauth-zone.5" |
	    sed 's/\\e/\\/g' >"$BATS_TEST_TMPDIR/ex.zone"
	local z="--zone $BATS_TEST_TMPDIR/ex.zone --offline"
	q sel._domainkey.example.org TXT $z
	[ "${lines[0]}" = "NOERROR 1 zone" ]
	[[ "${lines[1]}" == "TXT ttl=3600 strings=2 len=66 v=DKIM1; k=ed25519; p=Pd"* ]]
	q lists.example.net A $z
	[ "${lines[0]}" = "TIMEOUT 0 zone" ]
	q broken.example.net TXT $z
	[ "${lines[0]}" = "SERVFAIL 0 zone" ]
	q broken.example.net A $z
	[ "${lines[0]}" = "NODATA 0 zone" ]
	q half.example.net TXT $z
	[ "${lines[0]}" = "NODATA 0 zone" ]
	q half.example.net MX $z
	[ "${lines[0]}" = "TIMEOUT 0 zone" ]
	run sh -c "test-dns --query odd.example.net TXT $z | tail -c 10 |
	    od -An -tx1 | tr -d ' \n'"
	# c a f U+00E9 (UTF-8) NUL n u l, newline
	[ "$output" = "636166c3a9006e756c0a" ]
}

# knot_start returns once every zone answers over UDP: a query sent
# before the server has bound its port gets no answer (SERVFAIL here).
# A server that starts half a second late must still be waited for.
@test "knot.bash: the start-up wait holds until the server answers" {
	need_knot
	[ "$KNOT_SERVER" = knotd ] || skip "the check drives knotd's config"
	local dir port pid
	dir=$(_knot_tmp)
	port=$(_knot_port 127.0.0.1)
	_knot_conf "$dir" 127.0.0.1 "$port" "$BATS_FILE_TMPDIR/mauth.test.zone"
	(sleep 0.5; exec /usr/sbin/knotd -c "$dir/knot.conf") \
	    >/dev/null 2>&1 3>&- 4>&- &
	pid=$!
	KNOT_PID=$pid _knot_wait 127.0.0.1 "$port" mauth.test
	run test-dns --query mauth.test A --resolver "127.0.0.1#$port"
	kill "$pid"
	wait "$pid" || true
	[ "${lines[0]}" = "NOERROR 1 network" ]
}

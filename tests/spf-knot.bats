#!/usr/bin/env bats
# spfcheck over the libresolv path: Debian's knotd (tests/knot.bash) on a
# loopback port, asked with --resolver.  Records over 512 octets (TCP
# retry), NXDOMAIN vs NODATA, void lookups, and a server that never
# answers (temperror within --timeout).

load helpers
load knot

write_zone() {
	local i big=""
	# an SPF record of 40 ip4 terms, 800+ octets: the UDP answer is
	# truncated and the resolver retries over TCP (RFC 7208 3.4)
	for i in $(seq 1 40); do
		big="$big \"ip4:198.51.100.$i/32 \""
	done
	cat <<EOF
\$ORIGIN spf.test.
\$TTL 300
@	IN SOA ns hostmaster 1 3600 600 86400 300
@	IN NS ns
ns	IN A 127.0.0.1
@	IN TXT "v=spf1 ip4:192.0.2.0/24 mx include:inc.spf.test -all"
@	IN MX 10 mx
mx	IN A 192.0.2.25
mx	IN AAAA 2001:db8::25
inc	IN TXT "v=spf1 ip6:2001:db8:1::/48 -all"
big	IN TXT "v=spf1 " $big "-all"
hostonly	IN A 192.0.2.1
voids	IN TXT "v=spf1 a:nx1.spf.test a:nx2.spf.test a:nx3.spf.test -all"
twovoids	IN TXT "v=spf1 a:nx1.spf.test mx:hostonly.spf.test ?all"
EOF
}

setup_file() {
	write_zone >"$BATS_FILE_TMPDIR/spf.test.zone"
	if [ -x /usr/sbin/knotd ] || [ -x /usr/sbin/nsd ]; then
		knot_start "$BATS_FILE_TMPDIR/spf.test.zone"
	fi
}

teardown_file() {
	knot_stop
}

need_knot() {
	[ -n "${KNOT_ADDR:-}" ] ||
	    skip "no DNS server: install Debian's knot (or nsd)"
}

spf() {
	run spfcheck --resolver "$KNOT_ADDR" --timeout 3 "$@"
}

@test "network: pass by ip4, the record read from the server" {
	need_knot
	spf -v --ip 192.0.2.7 --mail-from alice@spf.test
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "spf=pass smtp.mailfrom=spf.test" ]
	[[ $output = *"dns: answer TXT spf.test: NOERROR 1 record (network $KNOT_ADDR)"* ]]
}

@test "network: RFC 7208 5.4 mx and 5.2 include over the network (IPv4 and IPv6 clients)" {
	need_knot
	spf --ip 2001:db8::25 --mail-from alice@spf.test
	[ "$status" -eq 0 ]
	spf --ip 2001:db8:1::77 --mail-from alice@spf.test
	[ "$status" -eq 0 ]
	spf --ip 203.0.113.1 --mail-from alice@spf.test
	[ "$status" -eq 1 ]
	[ "$output" = 'spf=fail reason="mechanism -all matched" smtp.mailfrom=spf.test' ]
}

@test "network: RFC 7208 3.4: a TXT answer over 512 octets (TCP retry) gives the right result" {
	need_knot
	local size
	size=$(kdig @127.0.0.1 -p "$KNOT_PORT" +tcp +short big.spf.test TXT | wc -c)
	echo "record text: $size octets"
	[ "$size" -gt 512 ]
	# truncated over UDP: the full answer needs TCP
	kdig @127.0.0.1 -p "$KNOT_PORT" +notcp +noedns +ignore big.spf.test TXT |
	    grep -qi 'flags:.* tc'
	spf --ip 198.51.100.40 --mail-from a@big.spf.test
	[ "$status" -eq 0 ]
	spf --ip 198.51.100.41 --mail-from a@big.spf.test
	[ "$status" -eq 1 ]
}

@test "network: RFC 7208 4.3: NXDOMAIN is none" {
	need_knot
	spf --ip 192.0.2.7 --mail-from a@nosuch.spf.test
	[ "$status" -eq 6 ]
	[ "$output" = 'spf=none reason="RFC 7208 4.5: no v=spf1 record at nosuch.spf.test (NXDOMAIN)" smtp.mailfrom=nosuch.spf.test' ]
}

@test "network: RFC 7208 4.5: a name without TXT (empty answer) is none, told apart" {
	need_knot
	spf --ip 192.0.2.7 --mail-from a@hostonly.spf.test
	[ "$status" -eq 6 ]
	[ "$output" = 'spf=none reason="RFC 7208 4.5: no v=spf1 record at hostonly.spf.test (NODATA)" smtp.mailfrom=hostonly.spf.test' ]
}

@test "network: RFC 7208 4.6.4: NXDOMAIN and empty answers are void lookups" {
	need_knot
	spf --ip 192.0.2.7 --mail-from a@voids.spf.test
	[ "$status" -eq 4 ]
	[[ $output = *"RFC 7208 4.6.4: more than 2 void lookups (at a:nx3.spf.test)"* ]]
	# one NXDOMAIN and one empty MX answer: two voids, at the limit
	spf --ip 192.0.2.7 --mail-from a@twovoids.spf.test
	[ "$status" -eq 3 ]
}

@test "network: RFC 7208 4.4: a server that never answers is temperror within --timeout" {
	blackhole_start
	local t0 t1
	t0=$(date +%s%N)
	run spfcheck --resolver "$BLACKHOLE_ADDR" --timeout 1 --ip 192.0.2.7 \
	    --mail-from a@spf.test
	t1=$(date +%s%N)
	blackhole_stop
	echo "$output; $(((t1 - t0) / 1000000)) ms"
	[ "$status" -eq 5 ]
	[[ $output = 'spf=temperror reason="RFC 7208 5: TXT lookup of spf.test: TIMEOUT"'* ]]
	[ $(((t1 - t0) / 1000000)) -lt 3000 ]
	[ $(((t1 - t0) / 1000000)) -ge 900 ]
}

@test "network: a zone file in front of the server overrides one name (--zone)" {
	need_knot
	printf 'spf.test. IN TXT "v=spf1 ip4:203.0.113.0/24 include:inc.spf.test -all"\n' \
	    >"$BATS_TEST_TMPDIR/z"
	spf --zone "$BATS_TEST_TMPDIR/z" --ip 203.0.113.1 --mail-from a@spf.test
	[ "$status" -eq 0 ]
	spf --zone "$BATS_TEST_TMPDIR/z" --ip 2001:db8:1::1 --mail-from a@spf.test
	[ "$status" -eq 0 ]
}

#!/usr/bin/env bats
# ARC interoperability (RFC 8617) with dkimpy (Debian python3-dkim),
# driven through tests/interop/arc-peer.py with /usr/bin/python3 and
# `import dkim` only: python3-dkim also installs /usr/bin/arcsign and
# /usr/bin/arcverify, so ours are always the ones of $MAUTH_BIN (PATH is
# set by helpers.bash).  Matrix: the 7 messages of tests/interop/msgs/
# with LF and CRLF line endings, chains of 1 to 3 hops sealed by dkimpy,
# by us, and by both in turn, each validated by both.  A hop validates,
# adds its Authentication-Results (authserv-id hopN) and seals.  Keys:
# tests/demo/*.key and tests/dkim/{rsa2048,ed25519}.key, published by
# setup_file in a zone both sides read; nothing touches the network.
# python3-dkim 1.1.4 knows rsa-sha256 only for ARC (it can neither seal
# nor validate an Ed25519 set): the Ed25519 test checks our seals with
# its Ed25519 and canonicalization primitives (arc-peer.py scope).

bats_require_minimum_version 1.5.0
load helpers

PEER="$TESTS_DIR/interop/arc-peer.py"
NOW=1700000000
N=14	# messages in the matrix

# the sealers, hop by hop: KEYFILE DOMAIN SELECTOR
HOP1=("$TOP/tests/demo/rsa.key" example.org rsa)
HOP2=("$TOP/tests/dkim/rsa2048.key" example.com hop2)
HOP3=("$TOP/tests/demo/rsa.key" example.net hop3)
ED1=("$TOP/tests/demo/ed25519.key" example.net ed)
ED2=("$TOP/tests/dkim/ed25519.key" example.com ed2)

setup_file() {
	local w="$BATS_FILE_TMPDIR" f b
	mkdir -p "$w/in"
	for f in "$TESTS_DIR"/interop/msgs/*.eml; do
		b=$(basename "$f" .eml)
		cp "$f" "$w/in/$b-lf.eml"
		LC_ALL=C sed 's/$/\r/' "$f" > "$w/in/$b-crlf.eml"
	done
	{
		dkimkey record -d example.org -s rsa -k "$TOP/tests/demo/rsa.key"
		dkimkey record -d example.com -s hop2 -k "$TOP/tests/dkim/rsa2048.key"
		dkimkey record -d example.net -s hop3 -k "$TOP/tests/demo/rsa.key"
		dkimkey record -d example.net -s ed -k "$TOP/tests/demo/ed25519.key"
		dkimkey record -d example.com -s ed2 -k "$TOP/tests/dkim/ed25519.key"
	} > "$w/keys.zone"
}

setup() {
	W="$BATS_FILE_TMPDIR"
	ZONE="$W/keys.zone"
}

# peer_hop N SRC DST KEYFILE DOMAIN SELECTOR: dkimpy seals every message
# of directory SRC into DST, as hop N (one python process)
peer_hop() {
	local n=$1 src=$2 dst=$3 f
	mkdir -p "$dst"
	for f in "$src"/*.eml; do
		echo "$4 $5 $6 hop$n $f $dst/$(basename "$f")"
	done | "$PY" "$PEER" seal "$ZONE" "$NOW"
}

# our_hop N SRC DST KEYFILE DOMAIN SELECTOR: arcverify -a | arcsign
our_hop() {
	local n=$1 src=$2 dst=$3 f
	mkdir -p "$dst"
	for f in "$src"/*.eml; do
		arcverify -a -A "hop$n" --zone "$ZONE" --offline -t "$NOW" < "$f" |
		    arcsign -A "hop$n" -d "$5" -s "$6" -k "$4" --zone "$ZONE" \
		    --offline -t "$NOW" > "$dst/$(basename "$f")" || return 1
	done
}

# chain NAME WHO1 WHO2 WHO3: build $W/NAME/1..3 once, hop k sealed by
# WHOk (peer or our) with the key of HOPk; a chain fully built has .done
chain() {
	local d="$W/$1" prev="$W/in" k who keys
	[ -f "$d/.done" ] && return 0
	rm -rf "$d"
	for k in 1 2 3; do
		who=$(eval echo "\$$((k + 1))")
		keys="HOP$k[@]"
		"${who}_hop" "$k" "$prev" "$d/$k" "${!keys}" || return 1
		prev="$d/$k"
	done
	touch "$d/.done"
}

# ours_pass DIR WANT: arcverify passes every message of DIR, with WANT
# (header.oldest-pass=0, unless given)
ours_pass() {
	run arcverify --zone "$ZONE" --offline -t "$NOW" "$1"/*.eml
	local n
	n=$(grep -c ": arc=pass ${2:-header.oldest-pass=0}\$" <<< "$output" || true)
	if [ "$status" -ne 0 ] || [ "$n" -ne "$N" ]; then
		grep -v ": arc=pass" <<< "$output" | head -20
		echo "arcverify: $n of $N pass in $1 (exit $status)"
		return 1
	fi
}

# peer_pass DIR: dkimpy's arc_verify passes every message of DIR
peer_pass() {
	run "$PY" "$PEER" verify "$ZONE" "$1"/*.eml
	local n
	n=$(grep -c ' pass: success$' <<< "$output" || true)
	if [ "$status" -ne 0 ] || [ "$n" -ne "$N" ]; then
		grep -v ' pass: ' <<< "$output" | head -20
		echo "dkimpy: $n of $N pass in $1 (exit $status)"
		return 1
	fi
}

# instances DIR K: every message of DIR has K ARC-Seals, i=K on top
instances() {
	K=$2 perl -0777 -ne '
		my $n = () = /^ARC-Seal:/mg;
		/\A(ARC-Seal:[^\n]*\n(?:[ \t][^\n]*\n)*)/ or die "$ARGV: no ARC-Seal on top\n";
		(my $top = $1) =~ s/\r?\n[ \t]*/ /g;
		my ($i) = $top =~ /[:;]\s*i\s*=\s*(\d+)/;
		$n == $ENV{K} && $i == $ENV{K} or die "$ARGV: $n seals, i=$i on top, not $ENV{K}\n";' "$1"/*.eml
}

# scope_all DIR WANT: the newest seal of every message of DIR signs WANT
# (chain: sets 1..N; own: its own set), per arc-peer.py scope
scope_all() {
	run "$PY" "$PEER" scope "$ZONE" "$1"/*.eml
	local n
	n=$(grep -c " $2\$" <<< "$output" || true)
	[ "$n" -eq "$N" ] || { echo "$output"; echo "$n of $N sign $2"; return 1; }
}

# tamper SRC DST: every message with its body's first byte changed (or a
# line put before a body that starts empty)
tamper() {
	mkdir -p "$2"
	"$PY" - "$1" "$2" <<'EOF'
import os, re, sys
src, dst = sys.argv[1], sys.argv[2]
for name in os.listdir(src):
    if not name.endswith(".eml"):
        continue
    m = open(os.path.join(src, name), 'rb').read()
    sep = re.search(rb'\r?\n\r?\n', m)
    head, body = m[:sep.end()], m[sep.end():]
    if body[:1] in (b'', b'\r', b'\n', b'X'):
        body = b'Tampered.\n' + body
    else:
        body = b'X' + body[1:]
    open(os.path.join(dst, name), 'wb').write(head + body)
EOF
}

# fails_both DIR: neither validator passes any message of DIR
fails_both() {
	local n
	run arcverify --zone "$ZONE" --offline -t "$NOW" "$1"/*.eml
	[ "$status" -eq 1 ] || { echo "arcverify exit $status"; return 1; }
	n=$(grep -c ': arc=fail reason=' <<< "$output" || true)
	[ "$n" -eq "$N" ] || { echo "$output"; echo "arcverify: $n of $N fail"; return 1; }
	run "$PY" "$PEER" verify "$ZONE" "$1"/*.eml
	n=$(grep -c ' fail: ' <<< "$output" || true)
	[ "$n" -eq "$N" ] || { echo "$output"; echo "dkimpy: $n of $N fail"; return 1; }
}

@test "the peer is dkimpy through python, not Debian's arcsign/arcverify scripts: ours come first in PATH" {
	[ "$(command -v arcsign)" = "$MAUTH_BIN/arcsign" ]
	[ "$(command -v arcverify)" = "$MAUTH_BIN/arcverify" ]
	run "$PY" -c 'import dkim; print(dkim.arc_sign.__module__)'
	[ "$output" = dkim ]
}

@test "dkimpy seals 1, 2 and 3 hops (rsa-sha256): arcverify passes each chain, 7 messages x LF, CRLF" {
	chain peer peer peer peer
	for k in 1 2 3; do
		instances "$W/peer/$k" "$k"
		ours_pass "$W/peer/$k"
	done
	# and dkimpy agrees with itself
	peer_pass "$W/peer/3"
}

@test "arcsign seals 1, 2 and 3 hops (rsa-sha256): dkimpy's arc_verify passes each chain, 7 messages x LF, CRLF" {
	chain ours our our our
	for k in 1 2 3; do
		instances "$W/ours/$k" "$k"
		ours_pass "$W/ours/$k"
		peer_pass "$W/ours/$k"
	done
}

@test "dkimpy finds an ARC-Message-Signature by \" i=N;\": the demo message, whose AMS folds before i=, passes dkimpy" {
	local d="$BATS_TEST_TMPDIR"
	mkdir -p "$d/in"
	cp "$TOP/tests/demo/message.eml" "$d/in/demo-lf.eml"
	LC_ALL=C sed 's/$/\r/' "$TOP/tests/demo/message.eml" > "$d/in/demo-crlf.eml"
	our_hop 1 "$d/in" "$d/1" "${HOP1[@]}"
	our_hop 2 "$d/1" "$d/2" "${HOP2[@]}"
	# dkim.ARC.verify_instance looks the AMS up by b" i=N;" in its raw
	# text; an i= after a fold's TAB made it raise IndexError
	grep -q $'^[ \t]i=1;' "$d/1/demo-lf.eml"
	run "$PY" "$PEER" verify "$ZONE" "$d/1"/*.eml "$d/2"/*.eml
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ' pass: success$' <<< "$output")" -eq 4 ]
}

@test "mixed chain: dkimpy, arcsign, dkimpy: both validators pass at every hop" {
	chain mixed peer our peer
	for k in 1 2 3; do
		instances "$W/mixed/$k" "$k"
		ours_pass "$W/mixed/$k"
		peer_pass "$W/mixed/$k"
	done
}

@test "mixed chain: arcsign, dkimpy, arcsign: both validators pass at every hop" {
	chain mixed2 our peer our
	for k in 1 2 3; do
		instances "$W/mixed2/$k" "$k"
		ours_pass "$W/mixed2/$k"
		peer_pass "$W/mixed2/$k"
	done
}

@test "RFC 8617 5.2 step 4: a body changed after the last hop fails in both validators (dkimpy's, our and mixed chains)" {
	local c
	for c in "peer peer peer peer" "ours our our our" "mixed peer our peer"; do
		chain $c
		c=${c%% *}
		tamper "$W/$c/3" "$BATS_TEST_TMPDIR/$c"
		fails_both "$BATS_TEST_TMPDIR/$c"
	done
}

@test "RFC 8617 5.2 step 5: hop 3 changes the body after validating and dkimpy seals: both pass, arcverify says header.oldest-pass=3" {
	local f d="$BATS_TEST_TMPDIR"
	chain ours our our our
	# hop 3 validates (arcverify -a), changes the body (a list footer),
	# then seals (dkimpy, cv= from that Authentication-Results)
	mkdir -p "$d/ar" "$d/3"
	for f in "$W/ours/2"/*.eml; do
		arcverify -a -A hop3 --zone "$ZONE" --offline < "$f" > "$d/ar/${f##*/}"
		printf 'footer\n' >> "$d/ar/${f##*/}"
		grep -q '^	arc=pass' "$d/ar/${f##*/}"
	done
	for f in "$d/ar"/*.eml; do
		echo "${HOP3[*]} hop3 $f $d/3/${f##*/}"
	done | "$PY" "$PEER" seal-as-is "$ZONE" "$NOW"
	instances "$d/3" 3
	ours_pass "$d/3" header.oldest-pass=3
	peer_pass "$d/3"
}

@test "RFC 8617 5.1.2: a chain broken before hop 3: dkimpy seals cv=fail over its own set; arcverify fails it (step 2), arcsign adds nothing" {
	local f d="$BATS_TEST_TMPDIR"
	chain peer peer peer peer
	tamper "$W/peer/2" "$d/bad"
	peer_hop 3 "$d/bad" "$d/3" "${HOP3[@]}"
	instances "$d/3" 3
	run arcverify --zone "$ZONE" --offline "$d/3"/*.eml
	[ "$status" -eq 1 ]
	[ "$(grep -c ': arc=fail reason="RFC 8617 5.2 step 2: the newest ARC-Seal (i=3) says cv=fail"$' <<< "$output")" -eq "$N" ]
	scope_all "$d/3" own
	for f in "$d/3"/*.eml; do
		arcsign -A hop4 -d example.com -s hop2 -k "$TOP/tests/dkim/rsa2048.key" \
		    --zone "$ZONE" --offline "$f" 2>/dev/null | cmp - "$f"
	done
}

@test "RFC 8617 5.1.2: a chain broken before hop 3: arcsign seals cv=fail over its own set; dkimpy says the chain ended there" {
	local f d="$BATS_TEST_TMPDIR"
	chain ours our our our
	tamper "$W/ours/2" "$d/bad"
	our_hop 3 "$d/bad" "$d/3" "${HOP3[@]}"
	instances "$d/3" 3
	run "$PY" "$PEER" verify "$ZONE" "$d/3"/*.eml
	[ "$(grep -c ' ended: ARC-Seal\[3\] reported failure' <<< "$output")" -eq "$N" ]
	scope_all "$d/3" own
}

@test "RFC 8463, RFC 8617 5.1.1: our Ed25519 seals verify with dkimpy's Ed25519 code over every set of a 3-hop chain" {
	local d="$BATS_TEST_TMPDIR"
	our_hop 1 "$W/in" "$d/1" "${ED1[@]}"
	our_hop 2 "$d/1" "$d/2" "${ED2[@]}"
	our_hop 3 "$d/2" "$d/3" "${ED1[@]}"
	ours_pass "$d/3"
	scope_all "$d/3" chain
}

#!/usr/bin/env bats
# arcsign(1) and arcverify(1): what the command line does (RFC 8617).
# Sealing (5.1), validation (5.2), the sets they write, the bytes they
# keep, options and exit codes.  Keys: tests/demo/*.key and
# tests/dkim/{rsa2048,ed25519}.key, published under four names in a zone
# written by setup_file (dkimkey record), read with --zone --offline.
# Every set is sealed at t=1700000000.  The conformance suites run in
# arc-conformance.bats, the dkimpy peer in arc-interop.bats.

bats_require_minimum_version 1.5.0
load helpers

MSG="$TOP/tests/demo/message.eml"
NOW=1700000000
# the sealers: d=, s=, key
S1=(-d example.org -s rsa -k "$TOP/tests/demo/rsa.key")
S2=(-d example.com -s hop2 -k "$TOP/tests/dkim/rsa2048.key")
S3=(-d example.net -s ed -k "$TOP/tests/demo/ed25519.key")
S4=(-d example.com -s ed2 -k "$TOP/tests/dkim/ed25519.key")

setup_file() {
	local d="$BATS_FILE_TMPDIR/fx"
	mkdir -p "$d"
	{
		dkimkey record -d example.org -s rsa -k "$TOP/tests/demo/rsa.key"
		dkimkey record -d example.com -s hop2 -k "$TOP/tests/dkim/rsa2048.key"
		dkimkey record -d example.net -s ed -k "$TOP/tests/demo/ed25519.key"
		dkimkey record -d example.com -s ed2 -k "$TOP/tests/dkim/ed25519.key"
	} > "$BATS_FILE_TMPDIR/keys.zone"
	local h='From: Alice <alice@example.org>\nTo: bob@example.com\nSubject: bytes\nDate: Mon, 23 Nov 2026 09:59:58 +0000\n'
	local hc='From: Alice <alice@example.org>\r\nTo: bob@example.com\r\nSubject: bytes\r\nDate: Mon, 23 Nov 2026 09:59:58 +0000\r\n'
	printf "${h}\nLF body\n\nlast line\n" > "$d/lf.eml"
	printf "${hc}\r\nCRLF body\r\n\r\nlast line\r\n" > "$d/crlf.eml"
	printf "${h}\nno final newline" > "$d/no-final-newline.eml"
	printf "${hc}\r\nno final CRLF" > "$d/crlf-no-final.eml"
	printf "${h}\nNUL \0 in the body\0\n\0" > "$d/nul-body.eml"
	printf "${hc}\r\nNUL\0 and CRLF\r\n" > "$d/crlf-nul-body.eml"
	printf "${h}\nbare\rCR\r\rin the body\r\n\r" > "$d/bare-cr.eml"
	printf "${h}\n" > "$d/empty-body.eml"
	printf "${h}" > "$d/header-only.eml"
	printf "From: a@example.org\nSubject: no newline at all" > "$d/header-only-no-newline.eml"
	printf "${hc}\nmixed: LF separator\r\nCRLF\nLF\r\n" > "$d/mixed.eml"
	printf "${h}Content-Transfer-Encoding: 8bit\n\n\xe9\xe8\xff\x80 8-bit \xc3\xa9\n" > "$d/8bit.eml"
	cp "$MSG" "$d/demo.eml"
}

setup() {
	T="$BATS_TEST_TMPDIR"
	ZONE="$BATS_FILE_TMPDIR/keys.zone"
}

seal() {
	arcsign --zone "$ZONE" --offline -t "$NOW" "$@"
}

check() {
	arcverify --zone "$ZONE" --offline -t "$NOW" "$@"
}

# hop N IN OUT SEALER...: one ARC intermediary, authserv-id hopN: it
# validates (arcverify -a) and seals the result, cv= from that.
hop() {
	local n=$1 in=$2 out=$3
	shift 3
	check -a -A "hop$n" < "$in" | seal -A "hop$n" "$@" > "$out"
}

# the demo message through hops 1, 2 and 3 (sealers 1, 2, 3): $T/h1..h3
three_hops() {
	hop 1 "$MSG" "$T/h1" "${S1[@]}"
	hop 2 "$T/h1" "$T/h2" "${S2[@]}"
	hop 3 "$T/h2" "$T/h3" "${S3[@]}"
}

# fields NAME FILE: the NAME fields of FILE's header, unfolded, top first
fields() {
	NAME=$1 perl -0777 -ne 's/\r?\n\r?\n.*//s; s/\r?\n[ \t]+/ /g;
		for (split /\r?\n/) { print "$_\n" if /^\Q$ENV{NAME}\E:/i }' "$2"
}

# seals FILE: "i= cv= d= s= a=" of each ARC-Seal, top first
seals() {
	fields ARC-Seal "$1" | perl -ne 's/^[^:]*://;
		my %t = map { /^\s*(\w+)\s*=\s*(.*?)\s*$/s ? ($1, $2) : () } split /;/;
		print "i=$t{i} cv=$t{cv} d=$t{d} s=$t{s} a=$t{a}\n"'
}

# ams_tag TAG FILE: that tag of each ARC-Message-Signature, top first
ams_tag() {
	fields ARC-Message-Signature "$2" | TAG=$1 perl -ne 's/^[^:]*://;
		for (split /;/) { print "$1\n" if /^\s*\Q$ENV{TAG}\E\s*=\s*(.*?)\s*$/s }'
}

# names N FILE: the names of the first N header fields
names() {
	perl -0777 -ne 'my @n = /^([^\s:]+):/mg; print "@n[0..'"$(($1 - 1))"']\n"' "$2"
}

# strip N FILE: FILE without its first N header fields
strip() {
	perl -0777 -pe 's/\A(?:[^\s:]+:[^\n]*\n(?:[ \t][^\n]*\n)*){'"$1"'}//' "$2"
}

# change the body's last "Alice" into "Alicf": one byte
tamper_body() {
	perl -0777 -pe 's/Alice(\r?\n?)\z/Alicf$1/ or die "nothing tampered\n"' "$1"
}

# drop NAME I FILE: FILE without its NAME field of instance I
drop() {
	NAME=$1 I=$2 perl -0777 -ne 'my ($h, $b) = /\A(.*?\n)(\r?\n.*)\z/s ? ($1, $2) : ($_, "");
		my $done;
		for (/([^\n]*\n(?:[ \t][^\n]*\n)*)/g) {
			(my $u = $_) =~ s/\r?\n[ \t]+/ /g;
			if (!$done && $u =~ /^\Q$ENV{NAME}\E:/i &&
			    $u =~ /(?:^[^:]*:|;)\s*i\s*=\s*$ENV{I}\s*;/) {
				$done = 1;
				next;
			}
			print;
		}
		$done or die "no $ENV{NAME} i=$ENV{I}\n";
		print $b' "$3"
}

@test "arcsign --help and arcverify --help print the usage on stdout, exit 0" {
	run --separate-stderr arcsign --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: arcsign -d DOMAIN -s SELECTOR -k KEYFILE"* ]]
	[ -z "$stderr" ]
	run --separate-stderr arcverify --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: arcverify [-mv]"* ]]
	[ -z "$stderr" ]
}

@test "RFC 8617 5.1: arcsign adds exactly ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results on top, i=1, cv=none" {
	seal -A mx.example.com "${S1[@]}" "$MSG" > "$T/out"
	[ "$(names 4 "$T/out")" = "ARC-Seal ARC-Message-Signature ARC-Authentication-Results Received" ]
	[ "$(grep -ci '^ARC-' "$T/out")" -eq 3 ]
	[ "$(seals "$T/out")" = "i=1 cv=none d=example.org s=rsa a=rsa-sha256" ]
	[ "$(ams_tag i "$T/out")" = 1 ]
	[ "$(ams_tag t "$T/out")" = "$NOW" ]
	[ "$(ams_tag c "$T/out")" = relaxed/relaxed ]
	[ "$(fields ARC-Authentication-Results "$T/out")" = "ARC-Authentication-Results: i=1; mx.example.com; arc=none" ]
	strip 3 "$T/out" | cmp - "$MSG"
}

@test "DESIGN.md: arcsign's output minus its three fields is the input, byte for byte (LF, CRLF, no final newline, NUL, bare CR, header only)" {
	local f o
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		o="$T/$(basename "$f")"
		seal -A mx "${S1[@]}" "$f" > "$o.file"
		cat "$f" | seal -A mx "${S1[@]}" > "$o.pipe"
		for o in "$o.file" "$o.pipe"; do
			[ "$(names 3 "$o")" = "ARC-Seal ARC-Message-Signature ARC-Authentication-Results" ] ||
			    { echo "not three ARC fields on top: $o"; return 1; }
			strip 3 "$o" | cmp - "$f" || { echo "bytes differ: $o"; return 1; }
		done
	done
}

@test "DESIGN.md: the three fields end in the message's line ending: CRLF stays CRLF, LF stays LF" {
	local f want got
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		want=lf
		head -n 1 "$f" | grep -q $'\r$' && want=crlf
		got=$(seal -A mx "${S1[@]}" "$f" | perl -0777 -ne '
			/\A((?:[^\s:]+:[^\n]*\n(?:[ \t][^\n]*\n)*){3})/ or exit 2;
			$a = $1; $crlf = () = $a =~ /\r\n/g; $lf = () = $a =~ /\n/g;
			print $crlf == $lf ? "crlf" : $crlf == 0 ? "lf" : "mixed";')
		[ "$got" = "$want" ] || { echo "$f: $got, not $want"; return 1; }
	done
}

@test "RFC 8617 5.2: arcverify passes every sealed fixture: arc=pass header.oldest-pass=0, exit 0" {
	local f n=0
	mkdir "$T/out"
	for f in "$BATS_FILE_TMPDIR"/fx/*.eml; do
		seal -A mx "${S1[@]}" "$f" > "$T/out/$(basename "$f")"
		n=$((n + 1))
	done
	run check "$T"/out/*.eml
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': arc=pass header.oldest-pass=0$' <<< "$output")" -eq "$n" ]
	run check < "$T/out/crlf.eml"
	[ "$status" -eq 0 ]
	[ "$output" = "arc=pass header.oldest-pass=0" ]
}

@test "RFC 8617 5.2 step 1: a message without ARC fields is arc=none, exit 6" {
	run check "$MSG"
	[ "$status" -eq 6 ]
	[ "$output" = "$MSG: arc=none" ]
	run check < "$MSG"
	[ "$status" -eq 6 ]
	[ "$output" = "arc=none" ]
}

@test "RFC 8617 5.2 step 4: one body byte changed fails the newest ARC-Message-Signature: arc=fail, exit 1" {
	seal -A mx "${S1[@]}" "$MSG" | tamper_body /dev/stdin > "$T/bad"
	[ "$(diff "$T/bad" <(seal -A mx "${S1[@]}" "$MSG") | grep -c '^[<>]')" -eq 2 ]
	run check < "$T/bad"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == 'arc=fail reason="ARC-Message-Signature i=1'*'"' ]]
	# the same in a CRLF message with NUL bytes
	seal -A mx "${S1[@]}" "$BATS_FILE_TMPDIR/fx/crlf-nul-body.eml" |
	    perl -0777 -pe 's/NUL\0/NUL\1/ or die' > "$T/bad2"
	run check < "$T/bad2"
	[ "$status" -eq 1 ]
	[[ "$output" == 'arc=fail reason="ARC-Message-Signature i=1'* ]]
}

@test "RFC 8617 5.2 step 4: a signed header field changed fails the newest ARC-Message-Signature" {
	seal -A mx "${S1[@]}" "$MSG" | sed 's/^Subject: Lunch/Subject: Dinner/' > "$T/bad"
	run check < "$T/bad"
	[ "$status" -eq 1 ]
	[[ "$output" == 'arc=fail reason="ARC-Message-Signature i=1'* ]]
}

@test "RFC 8617 5.1, 5.2: three hops (own domain, selector, authserv-id) validate: instances 1, 2, 3; cv= none, pass, pass" {
	three_hops
	[ "$(seals "$T/h3")" = "i=3 cv=pass d=example.net s=ed a=ed25519-sha256
i=2 cv=pass d=example.com s=hop2 a=rsa-sha256
i=1 cv=none d=example.org s=rsa a=rsa-sha256" ]
	[ "$(ams_tag i "$T/h3" | tr '\n' ' ')" = "3 2 1 " ]
	[ "$(ams_tag d "$T/h3" | tr '\n' ' ')" = "example.net example.com example.org " ]
	[ "$(fields ARC-Authentication-Results "$T/h3")" = "ARC-Authentication-Results: i=3; hop3; arc=pass header.oldest-pass=0
ARC-Authentication-Results: i=2; hop2; arc=pass header.oldest-pass=0
ARC-Authentication-Results: i=1; hop1; arc=none" ]
	# each hop added its Authentication-Results below its set; the rest is the input
	[ "$(names 4 "$T/h3")" = "ARC-Seal ARC-Message-Signature ARC-Authentication-Results Authentication-Results" ]
	strip 12 "$T/h3" | cmp - "$MSG"
	run check "$T/h1" "$T/h2" "$T/h3"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/h1: arc=pass header.oldest-pass=0
$T/h2: arc=pass header.oldest-pass=0
$T/h3: arc=pass header.oldest-pass=0" ]
}

@test "RFC 8617 5.2 step 5: hop 3 changes the body after validating: AMS 3 passes, AMS 2 does not: arc=pass header.oldest-pass=3" {
	three_hops
	check -a -A hop3 < "$T/h2" > "$T/in3"
	printf -- '-- \nThe list footer hop 3 adds\n' >> "$T/in3"
	seal -A hop3 "${S3[@]}" "$T/in3" > "$T/out"
	[ "$(seals "$T/out" | head -1)" = "i=3 cv=pass d=example.net s=ed a=ed25519-sha256" ]
	run --separate-stderr check -v "$T/out"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/out: arc=pass header.oldest-pass=3" ]
	[[ "$stderr" == *"ARC-Message-Signature i=2"* ]]
}

@test "RFC 8617 5.2 step 5: hop 3 changes a Subject that only AMS 1 signed: arc=pass header.oldest-pass=2" {
	hop 1 "$MSG" "$T/h1" "${S1[@]}"
	hop 2 "$T/h1" "$T/h2" "${S2[@]}" -H From:To:Date:Message-ID
	[ "$(ams_tag h "$T/h2" | head -1)" = From:To:Date:Message-ID ]
	check -a -A hop3 < "$T/h2" | sed 's/^Subject: /Subject: [list] /' > "$T/in3"
	seal -A hop3 "${S3[@]}" "$T/in3" > "$T/out"
	run check "$T/out"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/out: arc=pass header.oldest-pass=2" ]
}

@test "RFC 8617 5.1.2: a body changed in transit: hop 3 finds arc=fail and seals cv=fail over its own set only" {
	three_hops
	tamper_body "$T/h2" > "$T/h2bad"
	hop 3 "$T/h2bad" "$T/out" "${S1[@]}"
	[ "$(seals "$T/out" | head -1)" = "i=3 cv=fail d=example.org s=rsa a=rsa-sha256" ]
	[[ "$(fields ARC-Authentication-Results "$T/out" | head -1)" == "ARC-Authentication-Results: i=3; hop3; arc=fail "* ]]
	strip 3 "$T/out" | cmp - <(check -a -A hop3 < "$T/h2bad")
	run "$PY" "$TESTS_DIR/interop/arc-peer.py" scope "$ZONE" "$T/out"
	[ "$output" = own ]
	# the seals of a good chain sign every set (5.1.1)
	run "$PY" "$TESTS_DIR/interop/arc-peer.py" scope "$ZONE" "$T/h3"
	[ "$output" = chain ]
}

@test "RFC 8617 5.2 step 2: the newest ARC-Seal says cv=fail: arc=fail, exit 1" {
	three_hops
	tamper_body "$T/h2" > "$T/h2bad"
	hop 3 "$T/h2bad" "$T/out" "${S1[@]}"
	run check "$T/out"
	[ "$status" -eq 1 ]
	[ "$output" = "$T/out: arc=fail reason=\"RFC 8617 5.2 step 2: the newest ARC-Seal (i=3) says cv=fail\"" ]
}

@test "RFC 8617 5.1 step 2: arcsign adds nothing after a cv=fail seal: message unchanged, a warning, exit 0" {
	three_hops
	tamper_body "$T/h2" > "$T/h2bad"
	hop 3 "$T/h2bad" "$T/failed" "${S1[@]}"
	run --separate-stderr seal -A hop4 "${S2[@]}" "$T/failed"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"warning"*"cv=fail"* ]]
	seal -A hop4 "${S2[@]}" < "$T/failed" 2>/dev/null | cmp - "$T/failed"
	check -a -A hop4 < "$T/failed" | seal -A hop4 "${S2[@]}" 2>/dev/null > "$T/out"
	strip 1 "$T/out" | cmp - "$T/failed"
}

@test "RFC 8617 5.2 step 3 C: a cv= changed in an ARC-Seal fails; arcsign (own validation) seals cv=fail over its own set" {
	three_hops
	# the first cv= of h2 is its newest seal's
	perl -0777 -pe 's/cv=pass/cv=none/ or die' "$T/h2" > "$T/bad"
	[ "$(seals "$T/bad" | head -1)" = "i=2 cv=none d=example.com s=hop2 a=rsa-sha256" ]
	run check "$T/bad"
	[ "$status" -eq 1 ]
	[[ "$output" == *'arc=fail reason="RFC 8617 5.2 step 3: ARC-Seal i=2 has cv=none, not pass"' ]]
	seal -A nobody "${S3[@]}" "$T/bad" > "$T/out"
	[ "$(seals "$T/out" | head -1)" = "i=3 cv=fail d=example.net s=ed a=ed25519-sha256" ]
	run "$PY" "$TESTS_DIR/interop/arc-peer.py" scope "$ZONE" "$T/out"
	[ "$output" = own ]
}

@test "RFC 8617 5.1.1, 5.2 step 6: a changed ARC-Authentication-Results breaks the seals; the next hop seals cv=fail over its own set" {
	three_hops
	perl -0777 -pe 's/(ARC-Authentication-Results: i=1; hop1;\s+arc=)none/${1}pass/ or die' "$T/h2" > "$T/bad"
	run check "$T/bad"
	[ "$status" -eq 1 ]
	[[ "$output" == *'arc=fail reason="ARC-Seal i=2 (d=example.com s=hop2)'* ]]
	run "$PY" "$TESTS_DIR/interop/arc-peer.py" scope "$ZONE" "$T/bad"
	[ "$output" = neither ]
	hop 3 "$T/bad" "$T/out" "${S1[@]}"
	[ "$(seals "$T/out" | head -1)" = "i=3 cv=fail d=example.org s=rsa a=rsa-sha256" ]
	run "$PY" "$TESTS_DIR/interop/arc-peer.py" scope "$ZONE" "$T/out"
	[ "$output" = own ]
}

@test "RFC 8617 5.2 step 3 A, B: a set missing a field, a field twice, or a gap in the instances fails" {
	three_hops
	drop ARC-Authentication-Results 1 "$T/h2" > "$T/missing"
	run check "$T/missing"
	[ "$status" -eq 1 ]
	[[ "$output" == *"arc=fail reason=\"RFC 8617 5.2 step 3: ARC set 1 has 0 ARC-Authentication-Results fields, not one\"" ]]
	{ fields ARC-Message-Signature "$T/h2" | head -1; cat "$T/h2"; } > "$T/twice"
	run check "$T/twice"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ARC set 2 has 2 ARC-Message-Signature fields"* ]]
	drop ARC-Seal 2 "$T/h3" | drop ARC-Message-Signature 2 /dev/stdin |
	    drop ARC-Authentication-Results 2 /dev/stdin > "$T/gap"
	[ "$(seals "$T/gap" | cut -d' ' -f1 | tr '\n' ' ')" = "i=3 i=1 " ]
	run check "$T/gap"
	[ "$status" -eq 1 ]
	[[ "$output" == *"ARC set 2 has 0 "* ]]
}

@test "RFC 8617 5.1: without an Authentication-Results of ours, arcsign seals its own validation: cv=pass, arc= added to the AAR" {
	three_hops
	seal -A elsewhere "${S4[@]}" "$T/h2" > "$T/out"
	[ "$(seals "$T/out" | head -1)" = "i=3 cv=pass d=example.com s=ed2 a=ed25519-sha256" ]
	[ "$(fields ARC-Authentication-Results "$T/out" | head -1)" = "ARC-Authentication-Results: i=3; elsewhere; arc=pass" ]
	run check "$T/out"
	[ "$status" -eq 0 ]
}

@test "RFC 8617 4.1.1: the AAR collects every result of our Authentication-Results, in order, arc= first when none has it; RFC 8601 5: not another authserv-id's, not ours below Received" {
	{
		printf 'Authentication-Results: mx.example.com;\n\tspf=pass (ok) smtp.mailfrom=alice@example.org\n'
		printf 'Authentication-Results: other.example; dkim=fail\n'
		printf 'Authentication-Results: MX.example.com 1; dkim=pass header.d=example.org;\n  dmarc=pass header.from=example.org\n'
		printf 'Authentication-Results: mx.example.com; none\n'
		perl -pe 'print "Authentication-Results: mx.example.com; iprev=pass policy.iprev=192.0.2.1\n" if /^From:/' "$MSG"
	} > "$T/in"
	seal -A mx.example.com "${S1[@]}" "$T/in" > "$T/out"
	[ "$(fields ARC-Authentication-Results "$T/out")" = "ARC-Authentication-Results: i=1; mx.example.com; arc=none; spf=pass (ok) smtp.mailfrom=alice@example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org" ]
	strip 3 "$T/out" | cmp - "$T/in"
	run check "$T/out"
	[ "$status" -eq 0 ]
}

@test "RFC 8617 4.1.1: an arc= result of ours stays where it is, is not added twice, and is the cv= sealed" {
	hop 1 "$MSG" "$T/h1" "${S1[@]}"
	{ printf 'Authentication-Results: mx; spf=pass smtp.mailfrom=a@example.org; arc=pass\n'; cat "$T/h1"; } > "$T/in"
	seal -A mx "${S2[@]}" "$T/in" > "$T/out"
	[ "$(fields ARC-Authentication-Results "$T/out" | head -1)" = "ARC-Authentication-Results: i=2; mx; spf=pass smtp.mailfrom=a@example.org; arc=pass" ]
	[ "$(seals "$T/out" | head -1)" = "i=2 cv=pass d=example.com s=hop2 a=rsa-sha256" ]
	# our word is taken over a chain that validates: arc=fail seals cv=fail
	{ printf 'Authentication-Results: mx; arc=fail (policy)\n'; cat "$T/h1"; } > "$T/in"
	seal -A mx "${S2[@]}" "$T/in" > "$T/out"
	[ "$(seals "$T/out" | head -1)" = "i=2 cv=fail d=example.com s=hop2 a=rsa-sha256" ]
	[ "$(fields ARC-Authentication-Results "$T/out" | head -1)" = "ARC-Authentication-Results: i=2; mx; arc=fail (policy)" ]
}

@test "RFC 8617 4.4, 5.2 step 3 C: an arc= of ours that cannot describe the chain (none above a chain, pass without one) gives way to arcsign's own validation" {
	hop 1 "$MSG" "$T/h1" "${S1[@]}"
	{ printf 'Authentication-Results: mx; spf=pass smtp.mailfrom=a@example.org; arc=none\n'; cat "$T/h1"; } > "$T/in"
	seal -A mx "${S2[@]}" "$T/in" > "$T/out"
	[ "$(seals "$T/out" | head -1)" = "i=2 cv=pass d=example.com s=hop2 a=rsa-sha256" ]
	[ "$(fields ARC-Authentication-Results "$T/out" | head -1)" = "ARC-Authentication-Results: i=2; mx; arc=pass; spf=pass smtp.mailfrom=a@example.org" ]
	run check "$T/out"
	[ "$status" -eq 0 ]
	{ printf 'Authentication-Results: mx; arc=pass\n'; cat "$MSG"; } > "$T/in"
	seal -A mx "${S2[@]}" "$T/in" > "$T/out"
	[ "$(seals "$T/out")" = "i=1 cv=none d=example.com s=hop2 a=rsa-sha256" ]
	[ "$(fields ARC-Authentication-Results "$T/out")" = "ARC-Authentication-Results: i=1; mx; arc=none" ]
}

@test "RFC 8617 4.1.2: -H sets h= to the names given, in order; a name the message lacks is signed as absent" {
	seal -A mx "${S1[@]}" -H ' From : Subject:X-Absent ' "$MSG" > "$T/out"
	[ "$(ams_tag h "$T/out")" = From:Subject:X-Absent ]
	run check "$T/out"
	[ "$status" -eq 0 ]
	# a field not signed may be added; one signed as absent may not
	sed 's/^From: /X-Other: added\nFrom: /' "$T/out" > "$T/other"
	run check "$T/other"
	[ "$status" -eq 0 ]
	sed 's/^From: /X-Absent: added\nFrom: /' "$T/out" > "$T/absent"
	run check "$T/absent"
	[ "$status" -eq 1 ]
	[[ "$output" == *'reason="ARC-Message-Signature i=1'* ]]
}

@test "RFC 8617 4.1.2: the default h= signs DKIM-Signature and From, never an ARC field nor Authentication-Results" {
	hop 1 "$MSG" "$T/h1" "${S1[@]}"
	dkimsign -d example.org -s rsa -k "$TOP/tests/demo/rsa.key" "$T/h1" > "$T/signed"
	hop 2 "$T/signed" "$T/out" "${S2[@]}"
	local h
	h=$(ams_tag h "$T/out" | head -1)
	echo "h=$h"
	[[ ":$h:" == *":DKIM-Signature:"* ]]
	[[ ":$h:" == *":From:"* ]]
	[ "$(grep -ci -e 'arc-' -e 'authentication-results' <<< "$h")" -eq 0 ]
}

@test "RFC 8617 4.1.2: -H naming ARC-Seal, ARC-Message-Signature, ARC-Authentication-Results or Authentication-Results is a usage error, exit 64" {
	local n
	for n in ARC-Seal arc-message-signature ARC-Authentication-Results Authentication-Results authentication-results; do
		run --separate-stderr seal -A mx "${S1[@]}" -H "From:$n" "$MSG"
		[ "$status" -eq 64 ] || { echo "$n: $status"; return 1; }
		[ -z "$output" ]
		[[ "$stderr" == *"RFC 8617 4.1.2"*"$n"* ]]
	done
}

@test "RFC 6376 5.4 (RFC 8617 4.1.2): the AMS signs From: -H without From is exit 64; a message without From is exit 65, nothing on stdout" {
	run seal -A hop1 "${S1[@]}" -H subject:to:date "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"From must be signed"* ]]
	run seal -A hop1 "${S1[@]}" -H subject:FROM:to "$MSG"
	[ "$status" -eq 0 ]
	run --separate-stderr seal -A hop1 "${S1[@]}" < <(printf 'To: a@example.org\nSubject: x\n\nbody\n')
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ "$stderr" == *"no From field to sign"* ]]
}

@test "RFC 8601 2.2: an authserv-id that is not a token is quoted in the AAR, and the seal holds" {
	check -a -A 'lists; "x"' < "$MSG" | seal -A 'lists; "x"' "${S1[@]}" > "$T/q"
	run fields ARC-Authentication-Results "$T/q"
	[[ "$output" == 'ARC-Authentication-Results: i=1; "lists; \"x\""; arc=none' ]]
	run check "$T/q"
	[ "$status" -eq 0 ]
	[ "$output" = "$T/q: arc=pass header.oldest-pass=0" ]
}

@test "arcsign: -d, -s and -k are required; arcsign, arcverify: an unknown option, two files (arcsign, arcverify -a) are usage errors, exit 64" {
	run seal -s rsa -k "$TOP/tests/demo/rsa.key" "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"-d, -s and -k are required"* ]]
	run seal -d example.org -k "$TOP/tests/demo/rsa.key" "$MSG"
	[ "$status" -eq 64 ]
	run seal -d example.org -s rsa "$MSG"
	[ "$status" -eq 64 ]
	run seal "${S1[@]}" --no-such-option "$MSG"
	[ "$status" -eq 64 ]
	run seal "${S1[@]}" -Z "$MSG"
	[ "$status" -eq 64 ]
	run seal "${S1[@]}" "$MSG" "$MSG"
	[ "$status" -eq 64 ]
	[[ "$output" == *"one message at a time"* ]]
	run arcverify --no-such-option "$MSG"
	[ "$status" -eq 64 ]
	run arcverify -a "$MSG" "$MSG"
	[ "$status" -eq 64 ]
}

@test "arcsign: a missing key file or input file is exit 66, nothing on stdout" {
	run --separate-stderr seal -A mx -d example.org -s rsa -k "$T/no-such.key" "$MSG"
	[ "$status" -eq 66 ]
	[ -z "$output" ]
	[[ "$stderr" == *"$T/no-such.key: No such file or directory"* ]]
	run --separate-stderr seal -A mx "${S1[@]}" "$T/no-such.eml"
	[ "$status" -eq 66 ]
	[ -z "$output" ]
	[[ "$stderr" == *"$T/no-such.eml: No such file or directory"* ]]
}

@test "arcsign, arcverify -a: an empty input is not a message, exit 65, nothing on stdout" {
	run --separate-stderr seal -A mx "${S1[@]}" < /dev/null
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ "$stderr" == *"empty input"* ]]
	: > "$T/empty"
	run --separate-stderr seal -A mx "${S1[@]}" "$T/empty"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	run --separate-stderr check -a -A mx < /dev/null
	[ "$status" -eq 65 ]
	[ -z "$output" ]
}

@test "arcverify -a: one Authentication-Results field (arc=) on top, every other byte unchanged; exit 0 on pass, fail and none" {
	local f
	seal -A mx "${S1[@]}" "$MSG" > "$T/pass"
	tamper_body "$T/pass" > "$T/fail"
	seal -A mx "${S1[@]}" "$BATS_FILE_TMPDIR/fx/crlf-nul-body.eml" > "$T/crlf"
	for f in pass fail crlf "$MSG" "$BATS_FILE_TMPDIR/fx/no-final-newline.eml"; do
		[ -f "$f" ] || f="$T/$f"
		run check -a -A mx.example.com "$f"
		[ "$status" -eq 0 ] || { echo "$f: exit $status"; return 1; }
		check -a -A mx.example.com < "$f" > "$T/out"
		[ "$(names 1 "$T/out")" = Authentication-Results ]
		strip 1 "$T/out" | cmp - "$f"
	done
	[ "$(check -a -A mx.example.com < "$T/pass" | fields Authentication-Results /dev/stdin)" = "Authentication-Results: mx.example.com; arc=pass header.oldest-pass=0" ]
	[[ "$(check -a -A mx.example.com < "$T/fail" | fields Authentication-Results /dev/stdin)" == "Authentication-Results: mx.example.com; arc=fail reason=\"ARC-Message-Signature i=1"* ]]
	[ "$(check -a -A mx.example.com < "$MSG" | fields Authentication-Results /dev/stdin)" = "Authentication-Results: mx.example.com; arc=none" ]
	check -a -A mx.example.com < "$T/crlf" | head -1 | grep -q $'\r$'
}

@test "RFC 8617 6: -i ADDR adds smtp.remote-ip, in the report and with -a; not an address is exit 64" {
	seal -A mx "${S1[@]}" "$MSG" > "$T/out"
	run check -i 192.0.2.25 < "$T/out"
	[ "$status" -eq 0 ]
	[ "$output" = "arc=pass smtp.remote-ip=192.0.2.25 header.oldest-pass=0" ]
	run check -i 2001:db8::25 < "$MSG"
	[ "$output" = 'arc=none smtp.remote-ip="2001:db8::25"' ]
	[ "$(check -a -A mx -i 192.0.2.25 < "$T/out" | fields Authentication-Results /dev/stdin)" = "Authentication-Results: mx; arc=pass smtp.remote-ip=192.0.2.25 header.oldest-pass=0" ]
	run check -i 192.0.2.256 < "$T/out"
	[ "$status" -eq 64 ]
}

@test "arcverify -m: every message of an mbox, named NAME:N, mboxrd >From lines hashed unquoted (RFC 4155); -a and -m exclude each other" {
	printf 'From: a@example.org\nTo: b@example.org\nSubject: q\n\nFrom the start\n>From quoted\nend\n' > "$T/m.eml"
	seal -A hop1 "${S3[@]}" "$T/m.eml" > "$T/s.eml"
	{
		echo "From a@example.org Mon Dec  7 10:00:00 2026"
		sed 's/^\(>*From \)/>\1/' "$T/s.eml"; echo
		echo "From a@example.org Mon Dec  7 10:00:01 2026"
		sed 's/^\(>*From \)/>\1/; s/^end$/END/' "$T/s.eml"; echo
		echo "From a@example.org Mon Dec  7 10:00:02 2026"
		cat "$MSG"
	} > "$T/box"
	run check -m "$T/box"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$T/box:1: arc=pass header.oldest-pass=0" ]
	[ "${lines[1]}" = "$T/box:2: arc=fail reason=\"ARC-Message-Signature i=1: body hash did not verify\"" ]
	[ "${lines[2]}" = "$T/box:3: arc=none" ]
	[ "${#lines[@]}" -eq 3 ]
	run check -m < "$T/box"
	[ "${lines[0]}" = "stdin:1: arc=pass header.oldest-pass=0" ]
	run check -m -a "$T/box"
	[ "$status" -eq 64 ]
}

@test "arcverify with several files: one line each, \"NAME: \" first; the exit is the best verdict; a missing file is exit 66" {
	seal -A mx "${S1[@]}" "$MSG" > "$T/pass"
	tamper_body "$T/pass" > "$T/fail"
	run check "$T/fail" "$MSG" "$T/pass"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == "$T/fail: arc=fail reason="* ]]
	[ "${lines[1]}" = "$MSG: arc=none" ]
	[ "${lines[2]}" = "$T/pass: arc=pass header.oldest-pass=0" ]
	run check "$T/fail" "$T/fail"
	[ "$status" -eq 1 ]
	run --separate-stderr check "$T/pass" "$T/no-such.eml"
	[ "$status" -eq 66 ]
	[ "$output" = "$T/pass: arc=pass header.oldest-pass=0" ]
	[[ "$stderr" == *"$T/no-such.eml: No such file or directory"* ]]
}

@test "RFC 8463: Ed25519 keys seal and validate, alone and in a chain with RSA" {
	hop 1 "$MSG" "$T/h1" "${S3[@]}"
	hop 2 "$T/h1" "$T/h2" "${S4[@]}"
	hop 3 "$T/h2" "$T/h3" "${S2[@]}"
	[ "$(seals "$T/h3")" = "i=3 cv=pass d=example.com s=hop2 a=rsa-sha256
i=2 cv=pass d=example.com s=ed2 a=ed25519-sha256
i=1 cv=none d=example.net s=ed a=ed25519-sha256" ]
	[ "$(ams_tag a "$T/h2" | tr '\n' ' ')" = "ed25519-sha256 ed25519-sha256 " ]
	run check "$T/h1" "$T/h2" "$T/h3"
	[ "$status" -eq 0 ]
	[ "$(grep -c ': arc=pass header.oldest-pass=0$' <<< "$output")" -eq 3 ]
	tamper_body "$T/h2" > "$T/bad"
	run check "$T/bad"
	[ "$status" -eq 1 ]
}

@test "RFC 8617 4.2.1: a chain of 50 sets validates, and a 51st cannot be added: exit 65, nothing on stdout" {
	local i
	cp "$MSG" "$T/m"
	for i in $(seq 50); do
		seal -A mx "${S3[@]}" "$T/m" > "$T/n" || return 1
		mv "$T/n" "$T/m"
	done
	[ "$(seals "$T/m" | head -1)" = "i=50 cv=pass d=example.net s=ed a=ed25519-sha256" ]
	[ "$(seals "$T/m" | tail -1)" = "i=1 cv=none d=example.net s=ed a=ed25519-sha256" ]
	run check "$T/m"
	[ "$status" -eq 0 ]
	run --separate-stderr seal -A mx "${S3[@]}" "$T/m"
	[ "$status" -eq 65 ]
	[ -z "$output" ]
	[[ "$stderr" == *"RFC 8617 4.2.1"*"50"* ]]
}

@test "RFC 8617 5.2.1: a seal key that is not published fails the chain" {
	three_hops
	{
		dkimkey record -d example.org -s rsa -k "$TOP/tests/demo/rsa.key"
		dkimkey record -d example.net -s ed -k "$TOP/tests/demo/ed25519.key"
	} > "$T/zone"
	run arcverify --zone "$T/zone" --offline "$T/h3"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"arc=fail reason="*"i=2"* ]]
}

@test "arcsign -t: the same input gives the same bytes; t= of the seal and the signature is the time given" {
	seal -A mx "${S1[@]}" "$MSG" > "$T/a"
	seal -A mx "${S1[@]}" < "$MSG" > "$T/b"
	cmp "$T/a" "$T/b"
	fields ARC-Seal "$T/a" | grep -q "; t=$NOW\$"
	[ "$(ams_tag t "$T/a")" = "$NOW" ]
	arcsign --zone "$ZONE" --offline -t 1700000001 -A mx "${S1[@]}" "$MSG" > "$T/c"
	run cmp -s "$T/a" "$T/c"
	[ "$status" -eq 1 ]
}

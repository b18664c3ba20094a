#!/usr/bin/env bats
# dmarceval --arc-trust: the DMARC local policy override of RFC 8617
# 7.2.1.  A list receives mail from example.org (p=reject), records
# dmarc=pass, edits the message (DKIM breaks) and seals it; the receiver
# does not enforce the DMARC fail when the chain passes and a trusted
# sealer recorded the pass, and says so as 7.2.2 asks.

load helpers

setup_file() {
	local z="$BATS_FILE_TMPDIR/arc.zone"
	cp "$TESTS_DIR/demo/example.zone" "$z"
	{
		echo
		dkimkey record -d lists.example.com -s arc \
		    -k "$TESTS_DIR/dkim/rsa2048.key"
		dkimkey record -d fwd.example.net -s ed \
		    -k "$TESTS_DIR/dkim/ed25519.key"
	} >>"$z"
}

setup() {
	T="$BATS_TEST_TMPDIR"
	Z=(--zone "$BATS_FILE_TMPDIR/arc.zone" --offline)
	RX=(-A mx.example.net --ip 198.51.100.10 --mail-from list@example.net)
	dkimsign -d example.org -s ed -k "$TESTS_DIR/demo/ed25519.key" \
	    <"$TESTS_DIR/demo/message.eml" >"$T/signed.eml"
}

# list IN OUT [SED]: lists.example.com checks the message on arrival
# (SPF from example.org's host, DKIM, DMARC, ARC), edits it, seals it.
list() {
	local L=(-A lists.example.com)
	spfcheck "${Z[@]}" "${L[@]}" -a --ip 192.0.2.25 \
	    --mail-from alice@example.org <"$1" |
	    dkimverify "${Z[@]}" "${L[@]}" -a |
	    dmarceval "${Z[@]}" "${L[@]}" -a |
	    arcverify "${Z[@]}" "${L[@]}" -a |
	    sed "${3:-s/^Subject: /Subject: [list] /}" |
	    arcsign "${Z[@]}" "${L[@]}" -d lists.example.com -s arc \
	    -k "$TESTS_DIR/dkim/rsa2048.key" >"$2"
}

# forward IN OUT: fwd.example.net seals the message as it is.
forward() {
	local F=(-A fwd.example.net)
	arcverify "${Z[@]}" "${F[@]}" -a <"$1" |
	    arcsign "${Z[@]}" "${F[@]}" -d fwd.example.net -s ed \
	    -k "$TESTS_DIR/dkim/ed25519.key" >"$2"
}

@test "without --arc-trust the listed message fails DMARC with p=reject (the fixture: DKIM broken by the list)" {
	list "$T/signed.eml" "$T/l.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" <"$T/l.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == "dmarc=fail "*" policy.dmarc=reject "* ]]
	[[ "$output" != *"policy.override"* ]]
	run arcverify "${Z[@]}" "$T/l.eml"
	[ "$output" = "$T/l.eml: arc=pass header.oldest-pass=0" ]
}

@test "RFC 8617 7.2.1: a trusted sealer recorded dmarc=pass and the chain passes: policy.dmarc=none, local_policy, the 7.2.2 comment; still dmarc=fail, exit 1" {
	list "$T/signed.eml" "$T/l.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com <"$T/l.eml"
	[ "$status" -eq 1 ]
	[[ "$output" == "dmarc=fail "*" policy.dmarc=none policy.override=local_policy policy.override-comment=\"arc=pass as[1].d=lists.example.com as[1].s=arc\" policy.published=reject "* ]]
}

@test "RFC 8617 7.2.1: a sealer outside the trusted domains changes nothing" {
	list "$T/signed.eml" "$T/l.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.org \
	    --arc-trust lists.example.co <"$T/l.eml"
	[[ "$output" == *" policy.dmarc=reject "* ]]
	[[ "$output" != *"policy.override"* ]]
}

@test "RFC 8617 5.2: a chain that fails (the body changed after the seal) overrides nothing" {
	list "$T/signed.eml" "$T/l.eml"
	sed 's/^Alice$/Alicia/' "$T/l.eml" >"$T/bad.eml"
	run cmp -s "$T/l.eml" "$T/bad.eml"
	[ "$status" -eq 1 ]
	run arcverify "${Z[@]}" <"$T/bad.eml"
	[[ "$output" == "arc=fail "* ]]
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com -v \
	    <"$T/bad.eml"
	[[ "$output" == *"ARC: chain fail: no override"* ]]
	[[ "$output" == *" policy.dmarc=reject "* ]]
}

@test "RFC 8617 7.2.1: the trusted sealer's dmarc=pass must be for this Author Domain (header.from)" {
	list "$T/signed.eml" "$T/l.eml" \
	    's/^From: .*/From: Mallory <m@lists.example.org>/'
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com <"$T/l.eml"
	# the list recorded dmarc=pass header.from=example.org; the message
	# now claims lists.example.org (example.org's p=reject), which fails
	[[ "$output" == "dmarc=fail "*"header.from=lists.example.org policy.dmarc=reject "* ]]
	[[ "$output" != *"policy.override"* ]]
}

@test "RFC 8617 7.2.1: a trusted set counts only when every newer set is trusted too; then the comment lists every seal" {
	list "$T/signed.eml" "$T/l.eml"
	forward "$T/l.eml" "$T/f.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust lists.example.com \
	    <"$T/f.eml"
	[[ "$output" == *" policy.dmarc=reject "* ]]
	[[ "$output" != *"policy.override"* ]]
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust lists.example.com \
	    --arc-trust fwd.example.net <"$T/f.eml"
	[[ "$output" == *" policy.dmarc=none policy.override=local_policy policy.override-comment=\"arc=pass as[2].d=fwd.example.net as[2].s=ed as[1].d=lists.example.com as[1].s=arc\" "* ]]
}

@test "RFC 8617 7.2.2: remote-ip[1] from the first set's arc= result (arcverify -i at the list)" {
	local L=(-A lists.example.com)
	spfcheck "${Z[@]}" "${L[@]}" -a --ip 192.0.2.25 \
	    --mail-from alice@example.org <"$T/signed.eml" |
	    dkimverify "${Z[@]}" "${L[@]}" -a |
	    dmarceval "${Z[@]}" "${L[@]}" -a |
	    arcverify "${Z[@]}" "${L[@]}" -a -i 192.0.2.25 |
	    sed 's/^Subject: /Subject: [list] /' |
	    arcsign "${Z[@]}" "${L[@]}" -d lists.example.com -s arc \
	    -k "$TESTS_DIR/dkim/rsa2048.key" >"$T/l.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com <"$T/l.eml"
	[[ "$output" == *"policy.override-comment=\"arc=pass as[1].d=lists.example.com as[1].s=arc remote-ip[1]=192.0.2.25\""* ]]
}

@test "DESIGN.md: our arc= result is used as it is: arc=fail from arcverify -a here blocks the override, arc=pass allows it" {
	local A=(-A mx.example.net)
	list "$T/signed.eml" "$T/l.eml"
	# a forged arc=fail of ours on top: believed, no override
	{ printf 'Authentication-Results: mx.example.net; arc=fail\n'
	  cat "$T/l.eml"; } >"$T/ours-fail.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com \
	    <"$T/ours-fail.eml"
	[[ "$output" == *" policy.dmarc=reject "* ]]
	arcverify "${Z[@]}" "${A[@]}" -a <"$T/l.eml" >"$T/ours-pass.eml"
	run dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com \
	    <"$T/ours-pass.eml"
	[[ "$output" == *" policy.override=local_policy "* ]]
}

@test "dmarceval -a --arc-trust: the override in Authentication-Results (registered properties, the rest a comment); every other byte unchanged" {
	list "$T/signed.eml" "$T/l.eml"
	dmarceval "${Z[@]}" "${RX[@]}" --arc-trust example.com -a \
	    <"$T/l.eml" >"$T/out.eml"
	n=$(( $(wc -c <"$T/out.eml") - $(wc -c <"$T/l.eml") ))
	tail -c +$((n + 1)) "$T/out.eml" | cmp - "$T/l.eml"
	run authres -A mx.example.net <"$T/out.eml"
	[[ "$output" == "dmarc=fail "*"policy.dmarc=none"* ]]
	head -c "$n" "$T/out.eml" | grep -q 'policy.override=local_policy'
}

@test "--arc-trust with --from is a usage error (no message, no ARC sets): exit 64" {
	run dmarceval --from a@example.org --arc-trust example.com
	[ "$status" -eq 64 ]
}

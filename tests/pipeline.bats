#!/usr/bin/env bats
# The tools composed: spfcheck -a | dkimverify -a | [arcverify -a |]
# dmarceval -a | authres --merge, on signed, forged and list-sealed
# messages (arcsign), and a real procmail
# filtering through them (DESIGN.md "Data flow").

load helpers

Z=(--zone "$TESTS_DIR/demo/example.zone" --offline)
A=(-A mx.example.com)

setup() {
	T="$BATS_TEST_TMPDIR"
	dkimsign -d example.org -s ed -k "$TESTS_DIR/demo/ed25519.key" \
	    <"$TESTS_DIR/demo/message.eml" >"$T/signed.eml"
}

# The pipeline of DESIGN.md on stdin, for a client address.
pipeline() {
	spfcheck "${Z[@]}" "${A[@]}" -a --ip "$1" --mail-from alice@example.org \
	    --helo mx.example.org |
	dkimverify "${Z[@]}" "${A[@]}" -a |
	dmarceval "${Z[@]}" "${A[@]}" -a |
	authres "${A[@]}" --merge
}

# Input minus the first N lines of output is the input: nothing lost.
same_after_headers() {
	local in=$1 out=$2 n
	n=$(( $(wc -c <"$out") - $(wc -c <"$in") ))
	[ "$n" -gt 0 ]
	tail -c +$((n + 1)) "$out" | cmp - "$in"
}

@test "pipeline: signed mail from an authorised host passes SPF, DKIM and DMARC" {
	pipeline 192.0.2.25 <"$T/signed.eml" >"$T/out.eml"
	same_after_headers "$T/signed.eml" "$T/out.eml"
	run authres "${A[@]}" <"$T/out.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"spf=pass"* ]]
	[[ "$output" == *"dkim=pass"*"header.d=example.org"* ]]
	[[ "$output" == *"dmarc=pass"*"header.from=example.org"* ]]
	# merged: exactly one of our fields at the top
	[ "$(grep -c '^Authentication-Results: mx.example.com' "$T/out.eml")" -eq 1 ]
	head -1 "$T/out.eml" | grep -q '^Authentication-Results: mx.example.com'
}

@test "pipeline: unsigned mail from a stranger fails DMARC with p=reject" {
	pipeline 203.0.113.9 <"$TESTS_DIR/demo/message.eml" >"$T/out.eml"
	same_after_headers "$TESTS_DIR/demo/message.eml" "$T/out.eml"
	run authres "${A[@]}" <"$T/out.eml"
	[[ "$output" == *"spf=fail"* ]]
	[[ "$output" == *"dmarc=fail"*"policy.dmarc=reject"* ]]
}

@test "pipeline: a tampered signed message fails DKIM and DMARC" {
	sed 's/Thursday/Friday/' "$T/signed.eml" >"$T/tampered.eml"
	pipeline 203.0.113.9 <"$T/tampered.eml" >"$T/out.eml"
	run authres "${A[@]}" <"$T/out.eml"
	[[ "$output" == *"dkim=fail"* ]]
	[[ "$output" == *"dmarc=fail"* ]]
}

@test "pipeline: a list edits signed mail and seals it (arcverify -a, arcsign); at the receiver DKIM fails, ARC passes with oldest-pass=2 (the edit came after set 1), nothing lost" {
	local L=(-A lists.example.org)
	dkimverify "${Z[@]}" "${L[@]}" -a <"$T/signed.eml" |
	    arcverify "${Z[@]}" "${L[@]}" -a |
	    arcsign "${Z[@]}" "${L[@]}" -d example.org -s rsa \
	    -k "$TESTS_DIR/demo/rsa.key" >"$T/hop1.eml"
	arcverify "${Z[@]}" "${L[@]}" -a <"$T/hop1.eml" |
	    sed 's/^Subject: /Subject: [list] /' |
	    arcsign "${Z[@]}" "${L[@]}" -d example.org -s ed \
	    -k "$TESTS_DIR/demo/ed25519.key" >"$T/hop2.eml"
	spfcheck "${Z[@]}" "${A[@]}" -a --ip 192.0.2.25 \
	    --mail-from alice@example.org --helo mx.example.org <"$T/hop2.eml" |
	    dkimverify "${Z[@]}" "${A[@]}" -a |
	    arcverify "${Z[@]}" "${A[@]}" -a |
	    dmarceval "${Z[@]}" "${A[@]}" -a |
	    authres "${A[@]}" --merge >"$T/out.eml"
	same_after_headers "$T/hop2.eml" "$T/out.eml"
	run authres "${A[@]}" <"$T/out.eml"
	[[ "$output" == *"dkim=fail"* ]]
	[[ "$output" == *"arc=pass header.oldest-pass=2 authserv-id=mx.example.com"* ]]
}

@test "RFC 8601 5: a forged Authentication-Results with our authserv-id cannot make DMARC pass" {
	{
		printf 'Received: from evil.example (evil.example [203.0.113.9])\n'
		printf '\tby mx.example.com; Mon, 23 Nov 2026 10:00:00 +0000\n'
		printf 'Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=example.org;\n'
		printf '\tdkim=pass header.d=example.org; dmarc=pass header.from=example.org\n'
		sed 1,3d "$TESTS_DIR/demo/message.eml"
	} >"$T/forged.eml"
	run dmarceval "${Z[@]}" "${A[@]}" <"$T/forged.eml"
	[ "$status" -ne 0 ]
	[[ "$output" != *"dmarc=pass"* ]]
	# and through the whole pipeline, from the stranger's address
	pipeline 203.0.113.9 <"$T/forged.eml" >"$T/out.eml"
	run dmarceval "${Z[@]}" "${A[@]}" <"$T/out.eml"
	[[ "$output" == *"dmarc=fail"* ]]
}

@test "procmail: a recipe filters through the tools and files mail by verdict, losing nothing" {
	command -v procmail >/dev/null
	M="$T/mail"
	mkdir -p "$M"
	cat >"$T/procmailrc" <<RC
SHELL=/bin/sh
PATH=$MAUTH_BIN:/usr/bin:/bin
MAILDIR=$M
DEFAULT=$M/inbox/
LOGFILE=$T/procmail.log
Z="--zone $TESTS_DIR/demo/example.zone --offline -A mx.example.com"

:0 fw
| spfcheck \$Z -a --ip \$CLIENT --mail-from alice@example.org --helo mx.example.org | dkimverify \$Z -a | dmarceval \$Z -a

VERDICT=\`authres -A mx.example.com | sed -n 's/^dmarc=\([a-z]*\).*/\1/p'\`

:0
* VERDICT ?? ^^pass^^
inbox/

:0
quarantine/
RC
	procmail -m CLIENT=192.0.2.25 "$T/procmailrc" <"$T/signed.eml"
	procmail -m CLIENT=203.0.113.9 "$T/procmailrc" <"$TESTS_DIR/demo/message.eml"
	[ "$(ls "$M/inbox/new" | wc -l)" -eq 1 ]
	[ "$(ls "$M/quarantine/new" | wc -l)" -eq 1 ]
	# procmail ends filtered mail with an empty line; compare with what
	# it delivers of the same message filtered through cat(1).
	printf 'MAILDIR=%s\nDEFAULT=%s/plain/\n:0 fw\n| cat\n' "$M" "$M" >"$T/plainrc"
	procmail -m "$T/plainrc" <"$T/signed.eml"
	same_after_headers "$M/plain/new/"* "$M/inbox/new/"*
	rm "$M/plain/new/"*
	procmail -m "$T/plainrc" <"$TESTS_DIR/demo/message.eml"
	same_after_headers "$M/plain/new/"* "$M/quarantine/new/"*
	grep -q 'dmarc=pass' "$M/inbox/new/"*
	grep -q 'dmarc=fail' "$M/quarantine/new/"*
}

@test "procmail: a stage that fails keeps the original message (filter modes refuse empty input)" {
	M="$T/mail"
	mkdir -p "$M"
	cat >"$T/procmailrc" <<RC
SHELL=/bin/sh
PATH=$MAUTH_BIN:/usr/bin:/bin
MAILDIR=$M
DEFAULT=$M/inbox/
LOGFILE=$T/procmail.log
:0 fw
| spfcheck --no-such-option | dkimverify -a --offline | dmarceval -a --offline
RC
	procmail -m "$T/procmailrc" <"$T/signed.eml"
	cmp "$M/inbox/new/"* "$T/signed.eml"
	run dkimverify -a --offline </dev/null
	[ "$status" -eq 65 ]
	run dmarceval -a --offline </dev/null
	[ "$status" -eq 65 ]
	run spfcheck -a --offline --ip 192.0.2.1 --helo a.example </dev/null
	[ "$status" -eq 65 ]
	run authres --merge </dev/null
	[ "$status" -eq 65 ]
}

#!/usr/bin/env bats
# dmarceval: From handling (hostile input included), inputs from our own
# Authentication-Results or computed, policy discovery and application,
# filter mode, options and exit codes.  Offline: tests/demo/example.zone
# and tests/dmarc/dmarc.zone.

load helpers

DEMO=(--zone "$TESTS_DIR/demo/example.zone" --offline)
Z=(--zone "$TESTS_DIR/dmarc/dmarc.zone" --zone "$TESTS_DIR/demo/example.zone"
    --offline)
A=(-A mx.example.com)

setup() {
	T="$BATS_TEST_TMPDIR"
}

# A message with the given From field body (or raw header lines with -r).
msg() {
	if [ "$1" = -r ]; then
		printf '%b' "$2"
	else
		printf 'From: %s\n' "$1"
	fi
	printf 'To: bob@example.com\nSubject: test\n\nHello.\n'
}

# The value of key in the dmarc= line in $output.
val() {
	local line
	line=$(printf '%s\n' "$output" | grep '^dmarc=' | head -1)
	"$PY" - "$1" "$line" <<'EOF'
import sys
key, line = sys.argv[1], sys.argv[2]
i, n = 0, len(line)
while i < n:
    j = line.find("=", i)
    if j < 0:
        break
    k = line[i:j]; i = j + 1
    if i < n and line[i] == '"':
        i += 1; v = []
        while i < n and line[i] != '"':
            if line[i] == "\\":
                i += 1
            v.append(line[i]); i += 1
        i += 2; v = "".join(v)
    else:
        j = line.find(" ", i); j = n if j < 0 else j
        v = line[i:j]; i = j + 1
    if k == key:
        print(v)
        break
EOF
}

# ---- From (RFC 9989 4.2, 4.4, 5.3.1, 11.5; RFC 5322 3.4) ----

@test "RFC 9989 4.2: a message without From is permerror, exit 4" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg -r 'X: y\n')
	[ "$status" -eq 4 ]
	[ "$(val dmarc)" = permerror ]
	[[ "$(val reason)" == *"no From field"* ]]
}

@test "RFC 9989 4.4: two From fields are permerror, even with aligned DKIM" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg -r \
	    'From: a@example.org\nFrom: b@example.org\n')
	[ "$status" -eq 4 ]
	[ "$(val dmarc)" = permerror ]
	[[ "$(val reason)" == *"2 From fields"* ]]
}

@test "RFC 5322 3.4: an unbalanced angle bracket is permerror, never pass" {
	for from in '<a@example.org' 'A <<a@example.org>' \
	    'a@example.org>' '<<<><a@example.org>>>' '<a@example.org> x>'; do
		run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg "$from")
		[ "$status" -eq 4 ] || { echo "$from: $output"; return 1; }
		[ "$(val dmarc)" = permerror ]
	done
}

@test "RFC 5322 3.2.2: comments nested deeper than 32 are permerror" {
	deep=$(printf '(%.0s' {1..33})x$(printf ')%.0s' {1..33})
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg "$deep a@example.org")
	[ "$status" -eq 4 ]
	[[ "$(val reason)" == *"nested too deep"* ]]
	ok=$(printf '(%.0s' {1..32})x$(printf ')%.0s' {1..32})
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg "$ok a@example.org")
	[ "$status" -eq 0 ]
	[ "$(val header.from)" = example.org ]
}

@test "RFC 9989 11.5: 1,000 addresses are permerror (ADDR_MAX 100)" {
	many=$(for i in $(seq 1000); do printf 'u%d@d%d.example.org, ' $i $i; done)
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg "${many}a@example.org")
	[ "$status" -eq 4 ]
	[[ "$(val reason)" == *"too many addresses"* ]]
}

@test "RFC 9989 11.5: nine distinct Author Domains are permerror (DMARC_AUTHORS_MAX 8)" {
	nine=$(for i in $(seq 9); do printf 'u@d%d.example, ' $i; done)
	run dmarceval "${DEMO[@]}" < <(msg "${nine%, }")
	[ "$status" -eq 4 ]
	[[ "$(val reason)" == *"more than 8 Author Domains"* ]]
}

@test "RFC 5322 3.4: a NUL byte in From is permerror" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg -r \
	    'From: Alice\0<a@example.org>\n')
	[ "$status" -eq 4 ]
	[[ "$(val reason)" == *"NUL byte"* ]]
}

@test "RFC 6532 3.2: UTF-8 in the display name is fine, other 8-bit bytes are permerror" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg $'J\xc3\xb6rg <j@example.org>')
	[ "$status" -eq 0 ]
	[ "$(val header.from)" = example.org ]
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg $'J\xf6rg <j@example.org>')
	[ "$status" -eq 4 ]
	[[ "$(val reason)" == *"not UTF-8"* ]]
}

@test "RFC 9989 5.3.1: a U-label Author Domain is looked up as its A-label" {
	[ -f /usr/include/idn2.h ] || { echo "built without libidn2"; return 1; }
	run dmarceval "${DEMO[@]}" -v < <(msg $'a@B\xc3\xbccher.example')
	[ "$status" -eq 6 ]
	[ "$(val header.from)" = xn--bcher-kva.example ]
	[[ "$output" == *"query TXT _dmarc.xn--bcher-kva.example"* ]]
	# a name IDNA2008 refuses is permerror, never a lookup of raw bytes
	run dmarceval "${DEMO[@]}" < <(msg $'a@\xe2\x98\x83\xe2\x80\x8d.example')
	[ "$status" -eq 4 ]
}

@test "RFC 2047: an encoded word is display text; the address comes from <>" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg \
	    '=?utf-8?q?ceo=40example=2Eorg?= <x@example.net>')
	[ "$status" -eq 1 ]
	[ "$(val header.from)" = example.net ]
	run dmarceval "${DEMO[@]}" < <(msg '=?utf-8?q?<ceo@example.org>?= <x@example.net>')
	[ "$status" -eq 4 ]
}

@test "RFC 9989 5.3.1: an empty From and an empty group are permerror" {
	for from in '' ' ' 'undisclosed-recipients:;' '(just a comment)'; do
		run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg "$from")
		[ "$status" -eq 4 ] || { echo "[$from]: $output"; return 1; }
		[[ "$(val reason)" == *"no address"* ]]
	done
}

@test "RFC 6854: a group in From gives its members' domains" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg 'Team: a@example.org, b@Example.ORG;')
	[ "$status" -eq 0 ]
	[ "$(val header.from)" = example.org ]
}

@test "RFC 9989 11.5: of several Author Domains the strictest outcome is reported" {
	# example.org passes (aligned DKIM), example.net fails with quarantine
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg \
	    'a@example.org, b@example.net')
	[ "$status" -eq 1 ]
	[ "$(val header.from)" = example.net ]
	[ "$(val policy.dmarc)" = quarantine ]
	[ "$(val from.domains)" = example.org,example.net ]
	[[ "$(val reason)" == *"strictest of 2 Author Domains"* ]]
	# the order of the addresses does not matter
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg \
	    'b@example.net, a@example.org')
	[ "$(val header.from)" = example.net ]
}

@test "RFC 9989 5.3.1: several addresses of one domain are that one domain" {
	run dmarceval "${DEMO[@]}" --dkim-pass example.org < <(msg \
	    'A <a@example.org>, b@EXAMPLE.org')
	[ "$status" -eq 0 ]
	[ "$(val header.from)" = example.org ]
	[ -z "$(val from.domains)" ]
}

# ---- inputs: our A-R, computed, given ----

@test "RFC 8601 5: our Authentication-Results above Received are believed" {
	run dmarceval "${DEMO[@]}" "${A[@]}" < <(msg -r \
	    'Authentication-Results: mx.example.com; dkim=pass header.d=example.org\nReceived: from x by y; Mon, 23 Nov 2026 10:00:00 +0000\nFrom: a@example.org\n')
	[ "$status" -eq 0 ]
	[ "$(val dkim.aligned)" = example.org ]
}

@test "RFC 8601 5: ours below Received, and other authserv-ids, are not" {
	run dmarceval "${DEMO[@]}" "${A[@]}" -v < <(msg -r \
	    'Received: from x by y; Mon, 23 Nov 2026 10:00:00 +0000\nAuthentication-Results: mx.example.com; dkim=pass header.d=example.org; spf=pass smtp.mailfrom=example.org\nAuthentication-Results: other.example; dkim=pass header.d=example.org\nFrom: a@example.org\n')
	[ "$status" -eq 1 ]
	[ "$(val dmarc)" = fail ]
	[[ "$output" == *"below a Received: field ignored"* ]]
}

@test "RFC 9989 4.3: SPF computed from --ip and --mail-from" {
	run dmarceval "${DEMO[@]}" --ip 192.0.2.25 --mail-from alice@example.org \
	    < "$TESTS_DIR/demo/message.eml"
	[ "$status" -eq 0 ]
	[ "$(val spf.aligned)" = example.org ]
	run dmarceval "${DEMO[@]}" --ip 203.0.113.9 --mail-from alice@example.org \
	    < "$TESTS_DIR/demo/message.eml"
	[ "$status" -eq 1 ]
	[[ "$(val reason)" == *"spf example.org fail"* ]]
}

@test "RFC 9989 3.2.4: --helo alone is checked as the null sender postmaster@HELO" {
	run dmarceval "${DEMO[@]}" -v --ip 192.0.2.25 --helo mx.example.org \
	    < "$TESTS_DIR/demo/message.eml"
	[ "$status" -eq 0 ]
	[ "$(val spf.aligned)" = mx.example.org ]
	[[ "$(val reason)" == *"relaxed: same Organizational Domain example.org"* ]]
}

@test "RFC 9989 4.3: DKIM verified from the message itself" {
	dkimsign -d example.org -s ed -k "$TESTS_DIR/demo/ed25519.key" \
	    < "$TESTS_DIR/demo/message.eml" > "$T/signed.eml"
	run dmarceval "${DEMO[@]}" < "$T/signed.eml"
	[ "$status" -eq 0 ]
	[ "$(val dkim.aligned)" = example.org ]
	# the same bytes with the body changed: the signature fails
	sed 's/Thursday/Friday/' "$T/signed.eml" > "$T/changed.eml"
	run dmarceval "${DEMO[@]}" < "$T/changed.eml"
	[ "$status" -eq 1 ]
	[[ "$(val reason)" == *"dkim example.org fail"* ]]
}

@test "RFC 7489 6.6.2: a DKIM temperror that could align makes temperror" {
	run dmarceval "${DEMO[@]}" "${A[@]}" < <(msg -r \
	    'Authentication-Results: mx.example.com; dkim=temperror header.d=example.org\nFrom: a@example.org\n')
	[ "$status" -eq 5 ]
	[ "$(val dmarc)" = temperror ]
	run dmarceval "${DEMO[@]}" "${A[@]}" < <(msg -r \
	    'Authentication-Results: mx.example.com; dkim=temperror header.d=other.example\nFrom: a@example.org\n')
	[ "$status" -eq 1 ]
}

@test "--from, --spf-pass and --dkim-pass evaluate identifiers without a message" {
	run dmarceval "${DEMO[@]}" --from 'Alice <alice@example.org>' \
	    --dkim-pass other.example --dkim-pass mail.example.org
	[ "$status" -eq 0 ]
	[ "$(val dkim.aligned)" = mail.example.org ]
	[ "$(val policy.published)" = reject ]
	[ "$(val policy.dmarc)" = none ]
}

# ---- discovery and policy ----

@test "RFC 9989 4.4: strict alignment needs the identical domain" {
	run dmarceval "${DEMO[@]}" --from a@example.org --dkim-pass mail.example.org \
	    --record 'v=DMARC1; p=reject; adkim=s'
	[ "$status" -eq 1 ]
	[[ "$(val reason)" == *"strict alignment: not identical"* ]]
	[ "$(val policy.adkim)" = s ]
}

@test "RFC 9989 4.10.1: sp applies to an existing subdomain, np to a missing one" {
	run dmarceval "${Z[@]}" --from a@exists.np.example
	[ "$(val policy.dmarc)" = none ]
	[ "$(val policy.source)" = sp ]
	[ "$(val policy.exists)" = yes ]
	run dmarceval "${Z[@]}" --from a@nosuch.np.example
	[ "$(val policy.dmarc)" = quarantine ]
	[ "$(val policy.source)" = np ]
	[ "$(val policy.exists)" = no ]
	run dmarceval "${Z[@]}" --from a@np.example
	[ "$(val policy.dmarc)" = reject ]
	[ "$(val policy.source)" = p ]
}

@test "RFC 9989 A.4: an unanswered existence test applies the stricter of sp and np" {
	run dmarceval "${Z[@]}" --from a@slow.np.example
	[ "$status" -eq 1 ]
	[ "$(val policy.dmarc)" = quarantine ]
	[ -z "$(val policy.exists)" ]
}

@test "RFC 9989 4.7 t: t=y applies the policy one level below" {
	run dmarceval "${Z[@]}" --from a@t.example
	[ "$status" -eq 1 ]
	[ "$(val policy.published)" = reject ]
	[ "$(val policy.dmarc)" = quarantine ]
	[ "$(val policy.testing)" = y ]
}

@test "RFC 9989 4.10.2: a PSD record gives the policy of an organization without one" {
	run dmarceval "${Z[@]}" --from a@mail.bank.psd.example
	[ "$status" -eq 1 ]
	[ "$(val policy.domain)" = psd.example ]
	[ "$(val policy.org)" = bank.psd.example ]
	[ "$(val policy.dmarc)" = reject ]
}

@test "RFC 7489 3.2: --discovery rfc7489 takes the Organizational Domain from the public suffix list" {
	# tree walk: co.uk has psd=y, its record applies to nothere.co.uk
	run dmarceval "${Z[@]}" --from a@nothere.co.uk
	[ "$status" -eq 1 ]
	[ "$(val policy.domain)" = co.uk ]
	# public suffix list: nothere.co.uk is its own Organizational Domain
	run dmarceval "${Z[@]}" --discovery rfc7489 --from a@nothere.co.uk
	[ "$status" -eq 6 ]
	[ "$(val dmarc)" = none ]
	run dmarceval "${Z[@]}" --discovery rfc7489 --from a@x.shop.co.uk \
	    --dkim-pass other.shop.co.uk
	[ "$status" -eq 0 ]
	[ "$(val policy.org)" = shop.co.uk ]
}

@test "RFC 7489 6.6.4: pct samples with --pct-sample, one level below when not sampled" {
	run dmarceval "${Z[@]}" --discovery rfc7489 --pct-sample 49 --from a@pct.example
	[ "$(val policy.dmarc)" = reject ]
	[ "$(val policy.sampled)" = yes ]
	run dmarceval "${Z[@]}" --discovery rfc7489 --pct-sample 50 --from a@pct.example
	[ "$(val policy.dmarc)" = quarantine ]
	[ "$(val policy.sampled)" = no ]
	# RFC 9989 A.6: pct is no tag of RFC 9989
	run dmarceval "${Z[@]}" --pct-sample 99 --from a@pct.example
	[ "$(val policy.dmarc)" = reject ]
	[ -z "$(val policy.pct)" ]
}

@test "RFC 9989 4.10 step 2: several records at a name are discarded and the walk goes on" {
	run dmarceval "${Z[@]}" --from a@sub.multi.example
	[ "$status" -eq 1 ]
	[ "$(val policy.domain)" = multi.example ]
	[ "$(val policy.dmarc)" = reject ]
	# RFC 7489 6.6.3 step 5: there, discovery ends
	run dmarceval "${Z[@]}" --discovery rfc7489 --from a@sub.multi.example
	[ "$status" -eq 6 ]
	[[ "$(val reason)" == *"several DMARC records at _dmarc.sub.multi.example"* ]]
}

@test "RFC 9989 4.8: syntax errors in the record are ignored, and named" {
	run dmarceval "${Z[@]}" --from a@broken.example
	[ "$status" -eq 1 ]
	[ "$(val policy.dmarc)" = quarantine ]
	[[ "$(val policy.warning)" == *'"reject" is not tag=value'* ]]
}

@test "RFC 9989 4.10.1: a _dmarc query that times out or fails is temperror, exit 5" {
	run dmarceval "${Z[@]}" --from a@faults.example --dkim-pass faults.example
	[ "$status" -eq 5 ]
	[ "$(val dmarc)" = temperror ]
	run dmarceval "${Z[@]}" --from a@sub.faults.example
	[ "$status" -eq 5 ]
}

@test "RFC 9989 4.10.1: no record anywhere is none, exit 6" {
	run dmarceval "${DEMO[@]}" --from a@nowhere.example --dkim-pass nowhere.example
	[ "$status" -eq 6 ]
	[ "$(val dmarc)" = none ]
	[ -z "$(val policy.published)" ]
}

@test "--record evaluates an unpublished record at _dmarc.<Author Domain>" {
	run dmarceval "${DEMO[@]}" -v --from a@example.org --record 'v=DMARC1; p=none'
	[ "$status" -eq 1 ]
	[ "$(val policy.published)" = none ]
	[[ "$output" != *"query TXT _dmarc.example.org"* ]]
	[[ "$output" == *"the record given (--record)"* ]]
}

@test "-v traces every _dmarc query and the decisions" {
	run dmarceval "${DEMO[@]}" -v --from a@x.y.example.net
	[[ "$output" == *"query TXT _dmarc.x.y.example.net"* ]]
	[[ "$output" == *"query TXT _dmarc.y.example.net"* ]]
	[[ "$output" == *"query TXT _dmarc.example.net"* ]]
	[[ "$output" == *"query TXT _dmarc.net"* ]]
	[[ "$output" == *'DMARC record "v=DMARC1; p=quarantine; sp=reject"'* ]]
}

# ---- filter mode, files, options ----

@test "-a adds one Authentication-Results field; every other byte unchanged" {
	run dmarceval "${DEMO[@]}" "${A[@]}" -a < "$TESTS_DIR/demo/message.eml"
	[ "$status" -eq 0 ]
	dmarceval "${DEMO[@]}" "${A[@]}" -a < "$TESTS_DIR/demo/message.eml" > "$T/out.eml"
	head -1 "$T/out.eml" | grep -q '^Authentication-Results: mx.example.com;'
	n=$(( $(wc -c < "$T/out.eml") - $(wc -c < "$TESTS_DIR/demo/message.eml") ))
	tail -c +$((n + 1)) "$T/out.eml" | cmp - "$TESTS_DIR/demo/message.eml"
	run authres -A mx.example.com < "$T/out.eml"
	[[ "$output" == *"dmarc=fail header.from=example.org policy.dmarc=reject"* ]]
}

@test "-a keeps CRLF line endings and a signed body byte for byte" {
	sed 's/$/\r/' "$TESTS_DIR/demo/message.eml" |
	    dkimsign -d example.org -s ed -k "$TESTS_DIR/demo/ed25519.key" > "$T/crlf.eml"
	dmarceval "${DEMO[@]}" "${A[@]}" -a < "$T/crlf.eml" > "$T/out.eml"
	head -1 "$T/out.eml" | grep -q $'\r$'
	n=$(( $(wc -c < "$T/out.eml") - $(wc -c < "$T/crlf.eml") ))
	tail -c +$((n + 1)) "$T/out.eml" | cmp - "$T/crlf.eml"
	grep -q 'dmarc=pass' "$T/out.eml"
}

@test "-a copies NUL bytes, bare CR and a missing final newline unchanged" {
	printf 'From: a@example.org\nSubject: x\n\nNUL\0here\rbare CR\nno newline' > "$T/odd.eml"
	dmarceval "${DEMO[@]}" "${A[@]}" -a < "$T/odd.eml" > "$T/out.eml"
	n=$(( $(wc -c < "$T/out.eml") - $(wc -c < "$T/odd.eml") ))
	[ "$n" -gt 0 ]
	tail -c +$((n + 1)) "$T/out.eml" | cmp - "$T/odd.eml"
}

@test "-a exits 0 on a permerror and still copies the message" {
	msg -r 'From: <broken\n' > "$T/bad.eml"
	run dmarceval "${DEMO[@]}" "${A[@]}" -a < "$T/bad.eml"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dmarc=permerror"* ]]
	[[ "$output" == *"From: <broken"* ]]
}

@test "-a refuses an empty input (a failed earlier stage) with exit 65" {
	run dmarceval "${DEMO[@]}" -a </dev/null
	[ "$status" -eq 65 ]
	[[ "$output" != *"Authentication-Results"* ]]
}

@test "several files: one line each, prefixed with the name; the strictest status" {
	msg a@example.org > "$T/one.eml"
	msg a@nowhere.example > "$T/two.eml"
	run dmarceval "${DEMO[@]}" --dkim-pass example.org "$T/one.eml" "$T/two.eml"
	[ "$status" -eq 6 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "$T/one.eml: dmarc=pass "* ]]
	[[ "${lines[1]}" == "$T/two.eml: dmarc=none "* ]]
	run dmarceval "${DEMO[@]}" "$T/one.eml" "$T/two.eml"
	[ "$status" -eq 1 ]
}

@test "usage errors exit 64, missing inputs 66" {
	run dmarceval --pct-sample 100 --from a@example.org
	[ "$status" -eq 64 ]
	run dmarceval --discovery rfc1234 --from a@example.org
	[ "$status" -eq 64 ]
	run dmarceval --ip 192.0.2.1 --from a@example.org
	[ "$status" -eq 64 ]
	run dmarceval --from a@example.org -a
	[ "$status" -eq 64 ]
	run dmarceval "${DEMO[@]}" /nonexistent/message.eml
	[ "$status" -eq 66 ]
	run dmarceval --discovery rfc7489 --psl /nonexistent/list.dat --from a@example.org
	[ "$status" -eq 66 ]
}

@test "output: the first key is dmarc=, and the registered properties follow" {
	run dmarceval "${DEMO[@]}" --from a@example.org --spf-pass example.org
	[[ "${lines[0]}" == "dmarc=pass reason="* ]]
	[ "$(val header.from)" = example.org ]
	[ "$(val policy.dmarc)" = none ]
	[ "$(val policy.published)" = reject ]
	[ "$(val policy.domain)" = example.org ]
}

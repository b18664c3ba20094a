#!/usr/bin/env bats
# authres(1): Authentication-Results (RFC 8601) parse, --format, --merge,
# --remove-forged, and hostile input.  The conformance suite is in
# authres-cases.bats.

load helpers

setup() {
	T="$BATS_TEST_TMPDIR"
	MSG="$TESTS_DIR/demo/message.eml"
}

# Every line of file $1 is at most 78 columns, a TAB counting 8.
fits78() {
	expand "$1" | tr -d '\r' | awk 'length > 78 { bad = 1; print "long: " $0 } END { exit bad }'
}

# --- parse (default mode) ---------------------------------------------

@test "RFC 8601 2.2: parse prints method=result, reason, properties, comment, authserv-id" {
	printf 'Authentication-Results: example.com;\r\n      dkim=pass reason="good signature"\r\n        header.i=@mail-router.example.net;\r\n      dkim=fail (bad) header.i=@newyork.example.com\r\n' >"$T/h"
	run authres <"$T/h"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'dkim=pass reason="good signature" header.i=@mail-router.example.net authserv-id=example.com' ]
	[ "${lines[1]}" = 'dkim=fail header.i=@newyork.example.com comment=bad authserv-id=example.com' ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "RFC 8601 2.2: method, ptype and property names come out lowercase" {
	run authres <<<'Authentication-Results: mx.example; DKIM=Pass Header.D=Example.ORG'
	[ "$output" = "dkim=pass header.d=Example.ORG authserv-id=mx.example" ]
}

@test "RFC 8601 2.2: a method version is kept as method/N" {
	run authres <<<'Authentication-Results: mx.example; dkim / 1 = fail'
	[ "$output" = "dkim/1=fail authserv-id=mx.example" ]
}

@test "RFC 8601 2.2: a no-result field prints one authres=none line with its version" {
	run authres <<<'Authentication-Results: example.org 1; none'
	[ "$status" -eq 0 ]
	[ "$output" = "authres=none authserv-id=example.org version=1" ]
}

@test "RFC 8601 2.2: every field of a message is read, body ignored" {
	{ printf 'Authentication-Results: a.example; spf=pass smtp.mailfrom=example.org\n'
	  printf 'Authentication-Results: b.example; dkim=fail header.d=example.net\n'
	  cat "$MSG"; printf 'Authentication-Results: c.example; spf=pass\n'; } >"$T/m"
	run authres <"$T/m"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == "spf=pass "*"authserv-id=a.example" ]]
	[[ "${lines[1]}" == "dkim=fail "*"authserv-id=b.example" ]]
}

@test "RFC 8601 2.2: a message without Authentication-Results prints nothing, exit 6 (none)" {
	run authres <"$MSG"
	[ "$status" -eq 6 ]
	[ -z "$output" ]
	run authres </dev/null
	[ "$status" -eq 6 ]
}

@test "RFC 8601 2.2: a field outside the grammar is flagged on each line, not dropped" {
	run authres <<<'Authentication-Results: example.com; auth=pass (cram-md5) smtp.auth=sender@example.com; dkim=none;'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == 'auth=pass smtp.auth=sender@example.com comment=cram-md5 authserv-id=example.com nonconformant="RFC 8601 2.2: '*"';' without a resinfo"* ]]
	[[ "${lines[1]}" == 'dkim=none authserv-id=example.com nonconformant='* ]]
}

@test "RFC 8601 2.2: --strict rejects a field outside the grammar (exit 65), prints the others" {
	{ printf 'Authentication-Results: a.example; spf=pass;\n'
	  printf 'Authentication-Results: b.example; spf=fail\n'; } >"$T/h"
	run authres --strict <"$T/h"
	[ "$status" -eq 65 ]
	[[ "$output" == *"authres: stdin: field 1: RFC 8601 2.2: syntax error: "* ]]
	[[ "$output" == *"spf=fail authserv-id=b.example"* ]]
	[[ "$output" != *"spf=pass"* ]]
}

@test "RFC 8601 2.5: a field without authserv-id (as some providers send) is read and flagged" {
	run authres <<<'Authentication-Results: spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=example.com; dkim=pass (signature was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;compauth=pass reason=100'
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[0]}" == 'spf=pass smtp.mailfrom=example.com comment="sender IP is 192.0.2.1" authserv-id="" nonconformant="RFC 8601 2.5: no authserv-id'* ]]
	[[ "${lines[2]}" == 'dmarc=pass header.from=example.com authserv-id="" nonconformant='*'property without a ptype dropped'* ]]
	[[ "${lines[3]}" == 'compauth=pass reason=100 authserv-id=""'* ]]
}

@test "RFC 8601 2.5: -A keeps only the fields of that authserv-id (case-insensitive)" {
	{ printf 'Authentication-Results: MX.Example.COM; spf=pass\n'
	  printf 'Authentication-Results: other.example; spf=fail\n'; } >"$T/h"
	run authres -A mx.example.com <"$T/h"
	[ "$status" -eq 0 ]
	[ "$output" = "spf=pass authserv-id=MX.Example.COM" ]
	run authres -A nobody.example <"$T/h"
	[ "$status" -eq 6 ]
	[ -z "$output" ]
}

@test "RFC 8601 5: with -A, a field claiming our authserv-id below Received: is ignored" {
	{ printf 'Authentication-Results: mx.example.com; dkim=pass header.d=example.org\n'
	  printf 'Received: from a by b; Mon, 23 Nov 2026 10:00:00 +0000\n'
	  printf 'Authentication-Results: mx.example.com; spf=pass smtp.mailfrom=example.org\n'
	  printf '\nbody\n'; } >"$T/m"
	run authres -A mx.example.com <"$T/m"
	[ "$status" -eq 0 ]
	[[ "$output" == *"dkim=pass header.d=example.org authserv-id=mx.example.com"* ]]
	[[ "$output" == *"authres: stdin: field 3: authserv-id mx.example.com below a Received: field ignored (RFC 8601 5)"* ]]
	[[ "$output" != *"spf=pass"* ]]
	# without -A, every field is shown (it is a listing, not a trust decision)
	run authres <"$T/m"
	[[ "$output" == *"spf=pass"* ]]
}

@test "parse: several files, each line prefixed by its file name" {
	printf 'Authentication-Results: a.example; spf=pass\n' >"$T/one"
	printf 'Authentication-Results: b.example; spf=fail\n' >"$T/two"
	run authres "$T/one" "$T/two"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$T/one: spf=pass authserv-id=a.example" ]
	[ "${lines[1]}" = "$T/two: spf=fail authserv-id=b.example" ]
	run authres "$T/one"
	[ "$output" = "spf=pass authserv-id=a.example" ]
}

@test "parse: a file that cannot be opened exits 66" {
	run authres "$T/missing"
	[ "$status" -eq 66 ]
	[[ "$output" == "authres: $T/missing: No such file or directory" ]]
}

@test "usage: a bad option or mixed modes exit 64; --help exits 0 with the synopsis" {
	run authres --bogus
	[ "$status" -eq 64 ]
	run authres --format --merge
	[ "$status" -eq 64 ]
	run authres --strict --merge
	[ "$status" -eq 64 ]
	run authres --crlf
	[ "$status" -eq 64 ]
	run authres --merge "$MSG"
	[ "$status" -eq 64 ]
	run authres --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: authres [-v] [-A authserv-id] [--strict] [file ...]" ]]
	run authres -V
	[ "$status" -eq 0 ]
	[[ "$output" == "authres (mauth) "* ]]
}

# --- --format ---------------------------------------------------------

@test "RFC 8601 2.2: --format turns the DESIGN.md result lines into one folded field" {
	cat >"$T/in" <<'EOF'
spf=pass smtp.mailfrom=example.org smtp.helo=mx.example.org
dkim=pass header.d=example.org header.s=sel1 header.a=ed25519-sha256 header.b=Xy12AbCd
dkim=fail reason="body hash did not verify" header.d=example.net header.s=s2
dmarc=pass header.from=example.org policy.dmarc=none policy.published=reject
EOF
	authres --format -A mx.example.com <"$T/in" >"$T/out"
	cat >"$T/want" <<'EOF'
Authentication-Results: mx.example.com;
	spf=pass smtp.mailfrom=example.org smtp.helo=mx.example.org;
	dkim=pass header.d=example.org header.s=sel1 header.a=ed25519-sha256
	header.b=Xy12AbCd;
	dkim=fail reason="body hash did not verify" header.d=example.net
	header.s=s2;
	dmarc=pass (policy.published=reject) header.from=example.org
	policy.dmarc=none
EOF
	diff -u "$T/want" "$T/out"
}

@test "RFC 8601 2.2: --format with no result lines writes the no-result field" {
	run authres --format -A mx.example.com </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = "Authentication-Results: mx.example.com; none" ]
	printf '\n  \nauthres=none authserv-id=x\n' | authres --format -A mx.example.com >"$T/out"
	[ "$(cat "$T/out")" = "Authentication-Results: mx.example.com; none" ]
}

@test "RFC 5322 2.1.1: --format folds under 78 columns, continuation lines start with TAB" {
	for i in $(seq 1 30); do
		echo "dkim=pass reason=\"a long reason that goes on and on, number $i, and on\" header.d=d$i.example.org header.s=selector$i"
	done >"$T/in"
	authres --format -A mx.example.com <"$T/in" >"$T/out"
	fits78 "$T/out"
	[ "$(grep -c . "$T/out")" -gt 30 ]
	! grep -v '^Authentication-Results: ' "$T/out" | grep -qv '^[	 ]'
	# and it reads back to the same 30 results
	run authres <"$T/out"
	[ "${#lines[@]}" -eq 30 ]
	[[ "${lines[29]}" == 'dkim=pass reason="a long reason that goes on and on, number 30, and on" header.d=d30.example.org header.s=selector30 authserv-id=mx.example.com' ]]
}

@test "RFC 8601 2.2: --format comments hold no ';' nor parentheses, whatever the input" {
	printf '%s\n' 'spf=pass comment="a;b (c" x-note="1;2)" smtp.mailfrom=example.org' |
	    authres --format -A mx.example.com >"$T/out"
	[ "$(cat "$T/out")" = "Authentication-Results: mx.example.com;
	spf=pass (a,b [c, x-note=\"1,2]\") smtp.mailfrom=example.org" ]
	run authres --strict <"$T/out"
	[ "$status" -eq 0 ]
}

@test "RFC 8601 2.2: --format quotes values with specials, keeps local-part@domain and header.b as given" {
	printf '%s\n' 'dkim=fail reason="key; revoked" header.d=example.org header.i=@example.org header.b=Ab/c+d=' \
	    'spf=pass smtp.mailfrom=user@example.org' 'iprev=pass policy.iprev=2001:db8::1' |
	    authres --format -A mx.example.com >"$T/out"
	grep -q 'reason="key; revoked"' "$T/out"
	grep -q 'header.i=@example.org ' "$T/out"
	grep -q 'header.b="Ab/c+d="' "$T/out"
	grep -q 'smtp.mailfrom=user@example.org;' "$T/out"
	grep -q 'policy.iprev="2001:db8::1"' "$T/out"
	run authres --strict <"$T/out"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *' header.b="Ab/c+d=" '* ]]
}

@test "DESIGN.md: --format puts properties not registered for a registered method in the comment" {
	printf '%s\n' 'dmarc=fail header.from=example.org policy.dmarc=reject policy.published=reject smtp.mailfrom=x.example' \
	    'x-custom=pass body.thing=1' | authres --format -A mx.example.com >"$T/out"
	grep -q '(policy.published=reject smtp.mailfrom=x.example)' "$T/out"
	grep -q 'policy.dmarc=reject' "$T/out"
	grep -q 'x-custom=pass body.thing=1' "$T/out"
}

@test "--format --crlf ends every line with CRLF; by default LF" {
	printf 'spf=pass smtp.mailfrom=example.org\ndkim=pass header.d=example.org\n' >"$T/in"
	authres --format --crlf -A mx.example.com <"$T/in" >"$T/out"
	[ "$(grep -c $'\r$' "$T/out")" -eq 3 ]
	[ "$(wc -l <"$T/out")" -eq 3 ]
	authres --format -A mx.example.com <"$T/in" >"$T/out"
	[ "$(grep -c $'\r' "$T/out")" -eq 0 ]
}

@test "RFC 8601 2.2: --format rejects a line that is not method=result (exit 65)" {
	run authres --format -A mx.example.com <<<'just words'
	[ "$status" -eq 65 ]
	[[ "$output" == "authres: stdin: result line 1: not a key=value pair"* ]]
	run authres --format -A mx.example.com <<<'sp f=pass'
	[ "$status" -eq 65 ]
	run authres --format -A mx.example.com <<<'spf="pa ss"'
	[ "$status" -eq 65 ]
	[[ "$output" == *"RFC 8601 2.2"* ]]
}

@test "RFC 8601 2.2: parse, --format and parse again give the same result lines" {
	printf 'Authentication-Results: mail.example.org; arc=none (no sigs); dkim=pass (1024-bit) header.d=example.net header.i=@example.net header.b="Qgi/FoC0"; dmarc=none reason="p=none; relaxed" header.from=example.net; spf=none smtp.mailfrom=test@example.net\n' >"$T/h"
	authres <"$T/h" >"$T/one"
	authres --format -A mail.example.org <"$T/one" >"$T/field"
	authres <"$T/field" >"$T/two"
	diff -u "$T/one" "$T/two"
}

# --- --merge and --remove-forged (filter) -------------------------------

# A message with two fields of ours on top (as two tools in a pipeline
# add them), another host's field, and the demo message below.
pipeline_msg() {
	echo 'dkim=pass header.d=example.org header.s=sel1' |
	    authres --format -A mx.example.com ${1:+--crlf}
	echo 'spf=pass smtp.mailfrom=example.org' |
	    authres --format -A mx.example.com ${1:+--crlf}
	printf 'Authentication-Results: other.example; spf=fail\n'
	cat "$MSG"
}

@test "DESIGN.md: --merge puts our fields into one at the top, every other byte unchanged" {
	pipeline_msg >"$T/in"
	authres --merge -A mx.example.com <"$T/in" >"$T/out"
	cat >"$T/want" <<'EOF'
Authentication-Results: mx.example.com;
	spf=pass smtp.mailfrom=example.org;
	dkim=pass header.d=example.org header.s=sel1
Authentication-Results: other.example; spf=fail
EOF
	cat "$MSG" >>"$T/want"
	cmp "$T/want" "$T/out"
}

@test "DESIGN.md: --merge writes the merged field in the message's CRLF line ending" {
	pipeline_msg crlf | sed 's/$/\r/; s/\r\r$/\r/' >"$T/in"
	authres --merge -A mx.example.com <"$T/in" >"$T/out"
	head -3 "$T/out" | grep -c $'\r$' | grep -qx 3
	# the rest is the input minus our two fields (4 lines)
	cmp <(tail -n +4 "$T/out") <(tail -n +5 "$T/in")
}

@test "--merge: a message with none of our fields passes unchanged, byte for byte" {
	{ cat "$MSG"; printf 'no final newline\0with a NUL'; } >"$T/in"
	authres --merge -A mx.example.com <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
	authres --remove-forged -A mx.example.com <"$T/in" >"$T/out"
	cmp "$T/in" "$T/out"
}

@test "--merge: the body passes unchanged (NUL, bare CR, no final newline)" {
	{ pipeline_msg; printf 'x\0y\rz'; } >"$T/in"
	authres --merge -A mx.example.com <"$T/in" >"$T/out"
	cmp <(tail -c 200 "$T/in") <(tail -c 200 "$T/out")
	[ "$(wc -c <"$T/out")" -lt "$(wc -c <"$T/in")" ]
}

@test "RFC 8601 5: --merge never merges our authserv-id below Received:, and leaves it in place" {
	{ echo 'dkim=pass header.d=example.org' | authres --format -A mx.example.com
	  cat "$MSG" | sed '3a\
Authentication-Results: mx.example.com; dmarc=pass header.from=example.org'; } >"$T/in"
	authres --merge -v -A mx.example.com <"$T/in" >"$T/out" 2>"$T/err"
	[ "$(head -3 "$T/out")" = "$(printf 'Authentication-Results: mx.example.com;\n\tdkim=pass header.d=example.org\nReceived: from mx.example.org (mx.example.org [192.0.2.25])')" ]
	cmp "$T/in" "$T/out"	# here the merged field is the one we had
	grep -q 'field 3: our authserv-id below a Received: field, ignored (RFC 8601 5)' "$T/err"
}

@test "RFC 8601 5: --remove-forged removes our authserv-id below Received: and nothing else" {
	{ printf 'Authentication-Results: mx.example.com; spf=pass\n'
	  cat "$MSG" | sed '3a\
Authentication-Results: mx.example.com; dmarc=pass header.from=example.org\
Authentication-Results: other.example; dmarc=pass header.from=example.org'; } >"$T/in"
	authres --remove-forged -A mx.example.com <"$T/in" >"$T/out"
	[ "$(grep -c '^Authentication-Results:' "$T/out")" -eq 2 ]
	! grep -q '^Authentication-Results: mx.example.com; dmarc' "$T/out"
	grep -q '^Authentication-Results: other.example; dmarc=pass' "$T/out"
	grep -q '^Authentication-Results: mx.example.com; spf=pass$' "$T/out"
	[ "$(wc -c <"$T/in")" -eq $(( $(wc -c <"$T/out") + 75 )) ]
}

@test "RFC 8601 5: --merge --remove-forged does both" {
	{ pipeline_msg; printf 'Authentication-Results: mx.example.com; dmarc=pass\n'; } >"$T/in"
	# move the forged field below the Received: of the demo message
	{ sed -n '1,8p' "$T/in"; sed -n '$p' "$T/in"; sed -n '9,$p' "$T/in" | sed '$d'; } >"$T/in2"
	authres --merge --remove-forged -A mx.example.com <"$T/in2" >"$T/out"
	[ "$(grep -c '^Authentication-Results: mx.example.com' "$T/out")" -eq 1 ]
	! grep -q 'dmarc=pass' "$T/out"
	cmp <(sed -n '/^Received:/,$p' "$T/out") <(sed -n '/^Received:/,$p' "$T/in2" | grep -v dmarc=pass)
}

@test "RFC 8601 5: a field of ours outside the grammar is left alone by --merge, with a warning" {
	{ printf 'Authentication-Results: mx.example.com; spf=pass;\n'; cat "$MSG"; } >"$T/in"
	run authres --merge -A mx.example.com <"$T/in"
	[ "$status" -eq 0 ]
	[[ "$output" == "authres: field 1: our authserv-id, outside the RFC 8601 grammar, left alone: "* ]]
	authres --merge -A mx.example.com <"$T/in" 2>/dev/null | cmp - "$T/in"
}

@test "--merge, --remove-forged: an empty input is refused (exit 65), so a failed stage before never empties the mail" {
	run authres --merge -A mx.example.com </dev/null
	[ "$status" -eq 65 ]
	[ "$output" = "authres: stdin: empty input, not a message" ]
	run authres --remove-forged -A mx.example.com </dev/null
	[ "$status" -eq 65 ]
	# a message with an empty header block is still a message
	printf '\nbody\n' >"$T/in"
	authres --merge -A mx.example.com <"$T/in" | cmp - "$T/in"
}

@test "--merge: a header block over the limit is an error (exit 65), not a truncated message" {
	"$PY" -c 'import sys; sys.stdout.write("X-Big: " + "a" * (5 * 1024 * 1024) + "\n\nbody\n")' >"$T/in"
	run authres --merge -A mx.example.com <"$T/in"
	[ "$status" -eq 65 ]
	[[ "$output" == "authres: stdin: header block larger than"* ]]
}

# --- hostile input: defined results, never a crash ------------------------

@test "hostile: unbalanced parenthesis runs the comment to the end, flagged" {
	run authres <<<'Authentication-Results: x.example; spf=pass (open ( comment smtp.mailfrom=a@b.example'
	[ "$status" -eq 0 ]
	[ "$output" = 'spf=pass comment="open ( comment smtp.mailfrom=a@b.example" authserv-id=x.example nonconformant="RFC 5322 3.2.2: unbalanced parenthesis in a comment"' ]
	run authres <<<'Authentication-Results: x.example; spf=pass )) smtp.mailfrom=a@b.example; dkim=pass'
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == 'spf=pass authserv-id=x.example nonconformant='* ]]
	[[ "${lines[1]}" == 'dkim=pass authserv-id=x.example nonconformant='* ]]
	# brackets are not comments: the rest of that resinfo is dropped
	run authres <<<'Authentication-Results: x.example; spf=pass [x <y smtp.mailfrom=a@b.example; dkim=pass header.d=[d'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'spf=pass authserv-id=x.example nonconformant="RFC 8601 2.2: text that is not a propspec dropped; RFC 8601 2.2: value with specials must be quoted"' ]
	[[ "${lines[1]}" == 'dkim=pass header.d="[d" authserv-id=x.example nonconformant='* ]]
}

@test "hostile: an unterminated quoted-string runs to the end, flagged" {
	run authres <<<'Authentication-Results: x.example; spf=pass reason="open smtp.mailfrom=a@b.example; dkim=pass'
	[ "$status" -eq 0 ]
	[ "$output" = 'spf=pass reason="open smtp.mailfrom=a@b.example; dkim=pass" authserv-id=x.example nonconformant="RFC 5322 3.2.4: unterminated quoted-string"' ]
}

@test "hostile: comments nested beyond AUTHRES_COMMENT_DEPTH (32) are read, flagged" {
	"$PY" -c 'print("Authentication-Results: x.example; spf=pass " + "(" * 100000 + ")" * 100000 + " smtp.mailfrom=a@b.example")' >"$T/h"
	run authres <"$T/h"
	[ "$status" -eq 0 ]
	[[ "$output" == "spf=pass smtp.mailfrom=a@b.example comment="*'nonconformant="RFC 5322 3.2.2: comments nested too deep"' ]]
	"$PY" -c 'print("Authentication-Results: x.example; spf=pass " + "(" * 32 + ")" * 32)' >"$T/h"
	run authres --strict <"$T/h"
	[ "$status" -eq 0 ]
}

@test "hostile: 1,000 results in one field are all read; past AUTHRES_RESULTS_MAX (4096) the rest is dropped, flagged" {
	"$PY" -c 'print("Authentication-Results: x.example" + "".join(";\n\tdkim=pass header.d=d%d.example" % i for i in range(1000)))' >"$T/h"
	run authres --strict <"$T/h"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1000 ]
	[ "${lines[999]}" = "dkim=pass header.d=d999.example authserv-id=x.example" ]
	"$PY" -c 'print("Authentication-Results: x.example" + "".join("; dkim=pass header.d=d%d.example" % i for i in range(5000)))' >"$T/h"
	run authres <"$T/h"
	[ "${#lines[@]}" -eq 4096 ]
	[[ "${lines[4095]}" == *'nonconformant="more than 4096 results in one field: rest dropped"' ]]
	# and --format of 1,000 lines folds them all
	authres <"$T/h" | head -1000 | authres --format -A x.example >"$T/f"
	fits78 "$T/f"
	[ "$(authres <"$T/f" | wc -l)" -eq 1000 ]
}

@test "hostile: NUL and control bytes are read as spaces, flagged" {
	printf 'Authentication-Results: x.example; spf=pass\0 smtp.mailfrom=a@b.example\001\n' >"$T/h"
	run authres <"$T/h"
	[ "$status" -eq 0 ]
	[ "$output" = 'spf=pass smtp.mailfrom=a@b.example authserv-id=x.example nonconformant="RFC 5322 3.2: control or NUL byte in the field"' ]
	run authres --strict <"$T/h"
	[ "$status" -eq 65 ]
}

@test "RFC 6532: UTF-8 in comments and local-parts is conforming; 8-bit in a token is flagged" {
	printf 'Authentication-Results: x.example; spf=pass (caf\xc3\xa9) smtp.mailfrom=j\xc3\xb6rg@b.example\n' >"$T/h"
	run authres --strict <"$T/h"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'spf=pass smtp.mailfrom="j\xc3\xb6rg@b.example" comment="caf\xc3\xa9" authserv-id=x.example')" ]
	printf 'Authentication-Results: x.example; spf=pass reason=\xff\xfe\n' >"$T/h"
	run authres <"$T/h"
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'spf=pass reason="\xff\xfe" authserv-id=x.example nonconformant="RFC 8601 2.2: value with specials must be quoted"')" ]
}

@test "RFC 2047: encoded words are kept as text, not decoded" {
	run authres <<<'Authentication-Results: x.example; spf=pass (=?utf-8?q?caf=C3=A9?=) reason="=?utf-8?b?w6k=?=" smtp.mailfrom=a@b.example'
	[ "$status" -eq 0 ]
	[ "$output" = 'spf=pass reason="=?utf-8?b?w6k=?=" smtp.mailfrom=a@b.example comment="=?utf-8?q?caf=C3=A9?=" authserv-id=x.example' ]
}

@test "hostile: a field of megabytes is read whole; a header block over MSG_HEADER_MAX exits 65" {
	"$PY" -c 'print("Authentication-Results: x.example; spf=pass reason=\"" + "a" * 3000000 + "\"")' >"$T/h"
	run authres --strict <"$T/h"
	[ "$status" -eq 0 ]
	[ "${#output}" -eq 3000038 ]
	"$PY" -c 'print("Authentication-Results: x.example; spf=pass reason=\"" + "a" * 5000000 + "\"")' >"$T/h"
	run authres <"$T/h"
	[ "$status" -eq 65 ]
	[[ "$output" == "authres: stdin: header block larger than 4194304 bytes" ]]
}

@test "hostile: random bytes in a field never crash the parser" {
	for seed in 1 2 3 4 5 6 7 8; do
		"$PY" -c "
import random, sys
r = random.Random($seed)
alpha = b'abc.=;()\"\\\\/@ \t\r\n\x00\xff-1'
body = bytes(r.choice(alpha) for _ in range(20000)).replace(b'\n', b'\n ')
sys.stdout.buffer.write(b'Authentication-Results:' + body + b'\n')" >"$T/h"
		run authres <"$T/h"
		[ "$status" -eq 0 ] || { echo "seed $seed: status $status"; return 1; }
		authres <"$T/h" | authres --format -A x.example >"$T/f"
		authres --strict <"$T/f" >/dev/null
	done
}

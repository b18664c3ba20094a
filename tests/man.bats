#!/usr/bin/env bats
# Every binary has an mdoc page that lints clean and documents exactly the
# options its --help lists; every page's EXAMPLES use only options that
# exist.

load helpers

tools() {
	for c in "$TOP"/cmd/*.c; do basename "$c" .c; done
}

@test "man: every page is mandoc -Tlint clean" {
	run mandoc -Tlint -Wwarning "$TOP"/man/*.[1-9]
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "man: every binary has a page in section 1" {
	for t in $(tools); do
		[ -f "$TOP/man/$t.1" ] || { echo "no man/$t.1"; return 1; }
	done
}

@test "man: --help and the page list the same long options" {
	for t in $(tools); do
		run "$t" --help
		[ "$status" -eq 0 ] || { echo "$t --help: status $status"; return 1; }
		help=$(printf '%s\n' "$output" | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
		page=$(mandoc -Tascii "$TOP/man/$t.1" | sed "s/.\x08//g" |
		    sed -n '/^SYNOPSIS/,/^EXIT STATUS/p' |
		    grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
		missing=$(comm -23 <(echo "$help") <(echo "$page"))
		extra=$(comm -13 <(echo "$help") <(echo "$page"))
		[ -z "$missing" ] || { echo "$t: in --help, not in $t.1: $missing"; return 1; }
		[ -z "$extra" ] || { echo "$t: in $t.1, not in --help: $extra"; return 1; }
	done
}

@test "man: a bad option gives usage on stderr and exit 64" {
	for t in $(tools); do
		run "$t" --no-such-option
		[ "$status" -eq 64 ] || { echo "$t: status $status"; return 1; }
	done
}

@test "man: --version names the tool and mauth" {
	for t in $(tools); do
		run "$t" --version
		[ "$status" -eq 0 ]
		[[ "$output" == "$t (mauth) "* ]]
	done
}

#!/usr/bin/env bats
# make install honours PREFIX and DESTDIR: every binary and every page.

load helpers

@test "make install: PREFIX and DESTDIR place binaries and man pages" {
	d="$BATS_TEST_TMPDIR/root"
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s -C "$TOP" \
	    B="$(dirname "$MAUTH_BIN")" install DESTDIR="$d" PREFIX=/opt/mauth
	for c in "$TOP"/cmd/*.c; do
		t=$(basename "$c" .c)
		[ -x "$d/opt/mauth/bin/$t" ]
		[ -f "$d/opt/mauth/share/man/man1/$t.1" ]
	done
	[ -f "$d/opt/mauth/share/man/man5/mauth-zone.5" ]
	[ -f "$d/opt/mauth/share/man/man7/mauth.7" ]
	"$d/opt/mauth/bin/spfcheck" --version
}

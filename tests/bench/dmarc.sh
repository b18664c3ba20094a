#!/bin/sh
# DMARC benchmark (not a test): dmarceval per process and in batch.
#
#   tests/bench/dmarc.sh [BATCH_FILES]        (default 2000)
#
# DNS comes from the bundled zone (--zone tests/demo/example.zone
# --offline), so the figures are dmarceval's own cost: From parsing, the
# _dmarc lookups and tree walk, alignment, and, for signed messages, DKIM
# verification of the body.  Two inputs:
#   ar      our Authentication-Results carry SPF and DKIM (the pipeline
#           position: dmarceval after spfcheck -a | dkimverify -a)
#   signed  an ed25519-signed message: dmarceval verifies DKIM itself
# Figures: per process, wall time (hyperfine) and instructions (valgrind
# --tool=callgrind, total Ir); in batch, messages per second with one
# process and one DNS cache for BATCH_FILES files given as arguments.
# OpenDMARC has no command that evaluates a message (opendmarc-check only
# prints a domain's record), so there is no peer to compare with here.
set -eu
N=${1:-2000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MAUTH_BIN:=$top/bin}"
DMARCEVAL="$MAUTH_BIN/dmarceval"
DKIMSIGN="$MAUTH_BIN/dkimsign"
ZONE="$top/tests/demo/example.zone"

for t in hyperfine valgrind; do
	command -v "$t" >/dev/null || { echo "dmarc bench: $t is missing" >&2; exit 1; }
done
[ -x "$DMARCEVAL" ] || { echo "dmarc bench: no $DMARCEVAL (make first)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
{
	echo "Authentication-Results: bench.example; spf=pass smtp.mailfrom=alice@example.org; dkim=pass header.d=example.org"
	cat "$top/tests/demo/message.eml"
} >"$work/ar.eml"
"$DKIMSIGN" -d example.org -s ed -k "$top/tests/demo/ed25519.key" \
    <"$top/tests/demo/message.eml" >"$work/signed.eml"
set -- --zone "$ZONE" --offline -A bench.example

echo "== per process (hyperfine, wall time)"
for m in ar signed; do
	hyperfine -N --warmup 20 --runs 300 --export-markdown "$work/$m.md" \
	    "$DMARCEVAL $* $work/$m.eml" >/dev/null
	tail -n 1 "$work/$m.md" | sed "s|^| $m: |"
done

echo "== per process (callgrind, instructions)"
for m in ar signed; do
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.$m" \
	    "$DMARCEVAL" "$@" "$work/$m.eml" >/dev/null 2>"$work/vg.$m"
	printf ' %s: %s instructions\n' "$m" \
	    "$(sed -n 's/^==[0-9]*== Collected : //p' "$work/vg.$m")"
done

echo "== batch ($N files as arguments, one process)"
for m in ar signed; do
	mkdir -p "$work/batch.$m"
	i=0
	while [ $i -lt "$N" ]; do
		cp "$work/$m.eml" "$work/batch.$m/$i.eml"
		i=$((i + 1))
	done
	start=$(date +%s.%N)
	"$DMARCEVAL" "$@" "$work/batch.$m"/*.eml >"$work/out.$m" || true
	end=$(date +%s.%N)
	lines=$(grep -c 'dmarc=pass' "$work/out.$m" || true)
	awk -v n="$N" -v s="$start" -v e="$end" -v ok="$lines" -v m="$m" \
	    'BEGIN { printf " %s: %d messages in %.2f s: %.0f messages/s (%d pass)\n", m, n, e - s, n / (e - s), ok }'
done

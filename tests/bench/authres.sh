#!/bin/sh
# authres benchmark (not a test): the three modes per process (hyperfine
# wall time, callgrind instructions) and parse mode in batch (many files
# as arguments, one process), on a message carrying the pipeline's
# Authentication-Results fields.  Usage: authres.sh [MESSAGES]
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
bin=${MAUTH_BIN:-$here/bin}
n=${1:-2000}
for t in hyperfine valgrind; do
	command -v $t >/dev/null || { echo "authres bench: $t not installed"; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
Z="--zone $here/tests/demo/example.zone --offline -A mx.example.com"

# one message through the real pipeline: three fields of ours, to merge
"$bin/dkimsign" -d example.org -s ed -k "$here/tests/demo/ed25519.key" \
    <"$here/tests/demo/message.eml" |
  "$bin/spfcheck" $Z -a --ip 192.0.2.25 --mail-from alice@example.org \
    --helo mx.example.org |
  "$bin/dkimverify" $Z -a | "$bin/dmarceval" $Z -a >"$work/msg.eml"
mkdir "$work/batch"
i=0
while [ $i -lt "$n" ]; do
	cp "$work/msg.eml" "$work/batch/$i.eml"
	i=$((i + 1))
done

echo "== per process (hyperfine, wall time)"
# (through sh for the redirection: hyperfine subtracts the shell's own time)
printf 'spf=pass smtp.mailfrom=example.org\ndkim=pass header.d=example.org\n' \
    >"$work/lines"
hyperfine --warmup 20 --runs 300 \
    -n parse "$bin/authres -A mx.example.com <$work/msg.eml" \
    -n merge "$bin/authres --merge -A mx.example.com <$work/msg.eml" \
    -n format "$bin/authres --format -A mx.example.com <$work/lines" 2>&1 |
    grep -E 'Time|Benchmark' || true

echo "== per process (callgrind, instructions)"
for m in "-A mx.example.com" "--merge -A mx.example.com"; do
	valgrind --tool=callgrind --callgrind-out-file="$work/cg" \
	    "$bin/authres" $m <"$work/msg.eml" >/dev/null 2>"$work/vg"
	printf 'authres %-28s %s instructions\n' "$m" \
	    "$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$work/vg")"
done

echo "== batch: parse mode, $n files as arguments, one process"
s=$(date +%s.%N)
"$bin/authres" -A mx.example.com "$work"/batch/*.eml >/dev/null
e=$(date +%s.%N)
awk -v n="$n" -v s="$s" -v e="$e" \
    'BEGIN { printf "%d messages in %.3f s: %.0f messages/s\n", n, e - s, n / (e - s) }'

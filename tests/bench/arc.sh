#!/bin/sh
# ARC benchmark (not a test): arcverify and arcsign against dkimpy's ARC
# (Debian python3-dkim: dkim.arc_verify, dkim.arc_sign), on the same
# message: 6 KB, three hops sealed with RSA-2048 (rsa-sha256), the keys in
# one zone file.  Both sides read the keys from that file (ours with
# --zone --offline, dkimpy through a dnsfunc over the same records), so
# no DNS server is involved and dkimpy pays no resolver cost.
#
#   tests/bench/arc.sh [BATCH]        (default 1000 messages)
#
# Figures: per process, wall time (hyperfine); batch, BATCH messages in
# one process (arcverify with BATCH file arguments; dkimpy in one Python
# loop): messages per second of CPU time (perf stat task-clock, else
# user+sys).
set -eu
N=${1:-1000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MAUTH_BIN:=$top/bin}"
PY=/usr/bin/python3
for t in hyperfine "$MAUTH_BIN/arcverify" "$MAUTH_BIN/arcsign" \
    "$MAUTH_BIN/dkimkey"; do
	command -v "$t" >/dev/null || {
		echo "arc bench: $t is missing (make first)" >&2; exit 1; }
done
"$PY" -c 'import dkim' 2>/dev/null || {
	echo "arc bench: python3-dkim is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
KEY="$top/tests/dkim/rsa2048.key"
"$MAUTH_BIN/dkimkey" record -d bench.test -s arc -k "$KEY" >"$work/keys.zone"
Z="--zone $work/keys.zone --offline"

# the message: the demo header, a 6 KB body, three hops
{
	sed '/^$/q' "$top/tests/demo/message.eml"
	i=0
	while [ $i -lt 80 ]; do
		echo "Line $i of the body: the quick brown fox jumps over the dog."
		i=$((i + 1))
	done
} | sed 's/$/\r/' >"$work/in.eml"
cp "$work/in.eml" "$work/h0.eml"
for h in 1 2 3; do
	"$MAUTH_BIN/arcverify" $Z -a -A "hop$h.bench.test" <"$work/h$((h - 1)).eml" |
	    "$MAUTH_BIN/arcsign" $Z -A "hop$h.bench.test" -d bench.test -s arc \
	    -k "$KEY" >"$work/h$h.eml"
done
MSG="$work/h3.eml"

cat >"$work/peer.py" <<'PYEOF'
import re, sys, dkim
recs = {}
# dkimkey record's form: "NAME. IN TXT (" then one string a line, ")"
text = open(sys.argv[2]).read()
for m in re.finditer(r'^(\S+)\s+IN\s+TXT\s+\((.*?)\)', text, re.M | re.S):
    recs[m.group(1).rstrip(".").lower()] = "".join(
        re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))).encode()
def dnsfunc(name, timeout=5):
    return recs.get(name.decode().rstrip(".").lower())
mode, n = sys.argv[1], int(sys.argv[4])
msg = open(sys.argv[3], "rb").read()
key = open(sys.argv[5], "rb").read() if len(sys.argv) > 5 else None
for _ in range(n):
    if mode == "verify":
        cv = dkim.arc_verify(msg, dnsfunc=dnsfunc)[0]
        assert cv == b"pass", cv
    else:
        dkim.arc_sign(msg, b"arc", b"bench.test", key, b"hop4.bench.test")
PYEOF
"$PY" "$work/peer.py" verify "$work/keys.zone" "$MSG" 1
"$MAUTH_BIN/arcverify" $Z <"$MSG" | grep -q '^arc=pass' || {
	echo "arc bench: arcverify does not pass the message" >&2; exit 1; }
# the input to seal: our Authentication-Results for hop 4 on top
"$MAUTH_BIN/arcverify" $Z -a -A hop4.bench.test <"$MSG" >"$work/h3ar.eml"
echo "message: $(wc -c <"$MSG") bytes, 3 ARC sets, RSA-2048"

echo "== per process: wall time (hyperfine)"
hyperfine -N --style basic --warmup 5 --min-runs 50 \
    "$MAUTH_BIN/arcverify $Z $MSG" \
    "$PY $work/peer.py verify $work/keys.zone $MSG 1"
hyperfine -N --style basic --warmup 5 --min-runs 50 \
    "$MAUTH_BIN/arcsign $Z -A hop4.bench.test -d bench.test -s arc -k $KEY -t 1700000000 $work/h3ar.eml" \
    "$PY $work/peer.py sign $work/keys.zone $work/h3ar.eml 1 $KEY"

cpu_ms() {	# command...: CPU milliseconds it took
	if perf stat -x, -e task-clock -o "$work/perf" "$@" >/dev/null 2>&1
	then
		awk -F, '/task-clock/ { printf "%d\n", $1 }' "$work/perf"
	else
		/usr/bin/time -f '%U %S' -o "$work/time" "$@" >/dev/null
		awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$work/time"
	fi
}

echo "== batch: $N messages in one process, messages per CPU-second"
mkdir "$work/batch"
i=0
while [ $i -lt "$N" ]; do
	ln "$MSG" "$work/batch/$i.eml"
	i=$((i + 1))
done
ms=$(cpu_ms "$MAUTH_BIN/arcverify" $Z "$work"/batch/*.eml)
echo "arcverify: $N in $ms ms CPU: $((N * 1000 / (ms > 0 ? ms : 1))) msgs/CPU-s"
pn=$((N / 10))
ms=$(cpu_ms "$PY" "$work/peer.py" verify "$work/keys.zone" "$MSG" "$pn")
echo "dkimpy arc_verify: $pn in $ms ms CPU: $((pn * 1000 / (ms > 0 ? ms : 1))) msgs/CPU-s"

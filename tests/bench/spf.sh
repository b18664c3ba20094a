#!/bin/sh
# SPF benchmark (not a test): spfcheck against the Debian peers, libspf2's
# spfquery and pyspf, on the same queries and the same local DNS server.
#
#   tests/bench/spf.sh [BATCH_LINES]        (default 100000)
#
# Everything runs in a private user, network and mount namespace
# (unshare -rnm): knotd answers on 127.0.0.1 port 53 and /etc/resolv.conf
# is bind-mounted to point there, so all three tools use the same server
# through their ordinary resolver configuration.  Nothing outside the
# namespace is touched.
#
# Figures: per process, wall time (hyperfine) and instructions
# (valgrind --tool=callgrind, total Ir: stable on a noisy machine); in
# batch, evaluations per second with a warm cache.  The record needs three
# DNS-querying terms (a, a, mx) before its mx matches.
set -eu
N=${1:-100000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MAUTH_BIN:=$top/bin}"
SPFCHECK="$MAUTH_BIN/spfcheck"
SPFQUERY=/usr/bin/spfquery.libspf2
PY=/usr/bin/python3
PYSPF=/usr/lib/python3/dist-packages/spf.py

if [ -z "${SPF_BENCH_NS:-}" ]; then
	for t in unshare knotd kdig hyperfine valgrind; do
		command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || {
			echo "spf bench: $t is missing" >&2; exit 1; }
	done
	[ -x "$SPFCHECK" ] || { echo "spf bench: no $SPFCHECK (make first)" >&2; exit 1; }
	SPF_BENCH_NS=1 MAUTH_BIN="$MAUTH_BIN" exec unshare -r -n -m sh "$0" "$@"
fi

# bring the namespace's loopback up (iproute2, else an ioctl from Python)
ip link set lo up 2>/dev/null || "$PY" -c '
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sH22s", b"lo", 0, b""))
flags = struct.unpack("16sH22s", ifr)[1] | 1
fcntl.ioctl(s, 0x8914, struct.pack("16sH22s", b"lo", flags, b""))'
work=$(mktemp -d)
trap 'kill $(cat "$work/knot.pid" 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
echo "nameserver 127.0.0.1" >"$work/resolv.conf"
echo "options attempts:1 timeout:2" >>"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf

IP=192.0.2.30
SENDER=user@bench.test
HELO=mx.bench.test
cat >"$work/bench.test.zone" <<EOF
\$ORIGIN bench.test.
\$TTL 3600
@	IN SOA ns hostmaster 1 3600 600 86400 300
@	IN NS ns
ns	IN A 127.0.0.1
@	IN TXT "v=spf1 a:h1.bench.test a:h2.bench.test mx -all"
@	IN MX 10 mx
h1	IN A 192.0.2.10
h2	IN A 192.0.2.20
mx	IN A $IP
EOF
cat >"$work/knot.conf" <<EOF
server:
    rundir: "$work"
    listen: 127.0.0.1@53
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$work/knot.log"
    any: error
database:
    storage: "$work/db"
template:
  - id: default
    storage: "$work"
    zonefile-sync: -1
    journal-content: none
zone:
  - domain: bench.test
    file: "$work/bench.test.zone"
EOF
/usr/sbin/knotd -c "$work/knot.conf" >"$work/knotd.out" 2>&1 &
echo $! >"$work/knot.pid"
i=0
until kdig @127.0.0.1 +timeout=1 +retry=0 +short bench.test TXT 2>/dev/null | grep -q spf1; do
	i=$((i + 1))
	[ $i -lt 300 ] || { cat "$work"/knotd.out "$work"/knot.log; exit 1; }
	sleep 0.1
done

c_spfcheck="$SPFCHECK --ip $IP --mail-from $SENDER"
c_spfquery="$SPFQUERY -ip $IP -sender $SENDER"
c_pyspf="$PY $PYSPF $IP $SENDER $HELO"

echo "== same query, same server (knotd on 127.0.0.1:53, via /etc/resolv.conf)"
for c in "$c_spfcheck" "$c_spfquery" "$c_pyspf"; do
	printf '%-60s -> ' "$c"
	$c 2>/dev/null | head -n 1
done

echo
echo "== per process: wall time (hyperfine)"
hyperfine -N -i --warmup 10 --min-runs 100 --export-json "$work/hf.json" \
    -n spfcheck "$c_spfcheck" -n spfquery.libspf2 "$c_spfquery" \
    -n pyspf "$c_pyspf" >"$work/hf.out" 2>&1 || cat "$work/hf.out"

echo
echo "== per process: instructions (callgrind, total Ir)"
ir() {
	valgrind --tool=callgrind --callgrind-out-file="$work/cg.%p" "$@" \
	    2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -n 1
}
IR_SPFCHECK=$(ir $c_spfcheck)
IR_SPFQUERY=$(ir $c_spfquery)
IR_PYSPF=$(ir $c_pyspf)

echo
echo "== batch: $N evaluations of the 3-lookup record, one process, warm cache"
"$PY" - "$N" "$IP" "$SENDER" "$HELO" >"$work/batch.in" <<'EOF'
import sys
n, ip, s, h = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
sys.stdout.write(("%s %s %s\n" % (ip, s, h)) * n)
EOF
now_ns() { date +%s%N; }
t0=$(now_ns)
"$SPFCHECK" -b --identity mailfrom "$work/batch.in" >"$work/batch.out"
t1=$(now_ns)
B_SPFCHECK=$(( N * 1000000000 / (t1 - t0) ))
[ "$(grep -c ': spf=pass' "$work/batch.out")" -eq "$N" ] ||
    echo "spfcheck batch: not every line passed!"
t0=$(now_ns)
"$SPFQUERY" -file "$work/batch.in" >"$work/batch2.out" 2>&1 || true
t1=$(now_ns)
B_SPFQUERY=$(( N * 1000000000 / (t1 - t0) ))
NP=$(( N / 20 ))
t0=$(now_ns)
"$PY" - "$work/batch.in" "$NP" <<'EOF'
import spf, sys
lines = open(sys.argv[1]).read().splitlines()[:int(sys.argv[2])]
for l in lines:
    i, s, h = l.split()
    spf.check2(i=i, s=s, h=h)
EOF
t1=$(now_ns)
B_PYSPF=$(( NP * 1000000000 / (t1 - t0) ))

echo
"$PY" - "$work/hf.json" "$IR_SPFCHECK" "$IR_SPFQUERY" "$IR_PYSPF" \
    "$B_SPFCHECK" "$B_SPFQUERY" "$B_PYSPF" "$N" "$NP" <<'EOF'
import json, sys
hf = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
ir = dict(zip(["spfcheck", "spfquery.libspf2", "pyspf"],
              [int(x or 0) for x in sys.argv[2:5]]))
bt = dict(zip(["spfcheck", "spfquery.libspf2", "pyspf"],
              [int(x) for x in sys.argv[5:8]]))
n, np_ = sys.argv[8], sys.argv[9]
base_t = hf["spfcheck"]["mean"]
print("%-17s %12s %9s %14s %9s %14s" % ("tool", "wall ms", "x spfchk",
      "instructions", "x spfchk", "batch eval/s"))
for k in ["spfcheck", "spfquery.libspf2", "pyspf"]:
    t = hf[k]["mean"] * 1000
    print("%-17s %7.2f±%-4.2f %9.2f %14s %9.2f %14s" % (
        k, t, hf[k]["stddev"] * 1000, hf[k]["mean"] / base_t,
        "{:,}".format(ir[k]), ir[k] / ir["spfcheck"] if ir["spfcheck"] else 0,
        "{:,}".format(bt[k])))
print("(batch: spfcheck -b and spfquery -file over %s lines; pyspf: "
      "spf.check2() in a loop over %s lines)" % (n, np_))
print("targets: spfcheck per process <= libspf2 in time and instructions; "
      "batch >= 50,000/s")
EOF

#!/bin/sh
# DKIM verification benchmark (not a test): dkimverify against the Debian
# peers, OpenDKIM's opendkim-testmsg and dkimpy's dkimverify, on the same
# 6 KB rsa-sha256 (RSA-2048, relaxed/relaxed) message and the same local
# DNS server.
#
#   tests/bench/dkimverify.sh [BATCH]        (default 1000 messages)
#
# Everything runs in a private user, network and mount namespace
# (unshare -rnm): knotd answers on 127.0.0.1 port 53 and /etc/resolv.conf
# is bind-mounted to point there, so the three tools find the key through
# their ordinary resolver configuration.  Nothing outside is touched.
#
# Figures: per process, wall time (hyperfine) and instructions
# (valgrind --tool=callgrind, total Ir: stable on a noisy machine); batch,
# BATCH files as arguments of one process: messages per second of CPU
# time (perf stat task-clock, else user+sys) and of wall time.
set -eu
N=${1:-1000}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${MAUTH_BIN:=$top/bin}"
DKIMVERIFY="$MAUTH_BIN/dkimverify"
TESTMSG=/usr/sbin/opendkim-testmsg
DKIMPY=/usr/bin/dkimverify
PY=/usr/bin/python3

if [ -z "${DKIM_BENCH_NS:-}" ]; then
	for t in unshare knotd kdig hyperfine valgrind; do
		command -v "$t" >/dev/null || [ -x "/usr/sbin/$t" ] || {
			echo "dkimverify bench: $t is missing" >&2; exit 1; }
	done
	[ -x "$DKIMVERIFY" ] || {
		echo "dkimverify bench: no $DKIMVERIFY (make first)" >&2; exit 1; }
	DKIM_BENCH_NS=1 MAUTH_BIN="$MAUTH_BIN" exec unshare -r -n -m sh "$0" "$@"
fi

ip link set lo up
work=$(mktemp -d)
trap 'kill $(cat "$work/knot.pid" 2>/dev/null) 2>/dev/null; rm -rf "$work"' EXIT
echo "nameserver 127.0.0.1" >"$work/resolv.conf"
echo "options attempts:1 timeout:2" >>"$work/resolv.conf"
mount --bind "$work/resolv.conf" /etc/resolv.conf

# the key of tests/dkim/rsa2048.key at rsa._domainkey.bench.test
KEY="$top/tests/dkim/rsa2048.key"
P=$(openssl pkey -in "$KEY" -pubout -outform DER | base64 -w0)
cat >"$work/bench.test.zone" <<EOF
\$ORIGIN bench.test.
\$TTL 3600
@	IN SOA ns hostmaster 1 3600 600 86400 300
@	IN NS ns
ns	IN A 127.0.0.1
rsa._domainkey	IN TXT "v=DKIM1; k=rsa; p=$(echo "$P" | cut -c1-200)" "$(echo "$P" | cut -c201-)"
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
until kdig @127.0.0.1 +timeout=1 +retry=0 +short rsa._domainkey.bench.test TXT 2>/dev/null | grep -q DKIM1; do
	i=$((i + 1))
	[ $i -lt 100 ] || { cat "$work/knot.log" "$work/knotd.out"; exit 1; }
	sleep 0.1
done

# a 6 KB message, signed by tests/dkim/sign.py (python3-dkim canonicalization)
"$PY" - >"$work/plain.eml" <<'EOF'
import sys
h = ["From: Alice <alice@bench.test>", "To: Bob <bob@example.net>",
     "Subject: Benchmark message", "Date: Tue, 24 Nov 2026 00:00:00 +0000",
     "Message-ID: <bench@bench.test>", "MIME-Version: 1.0",
     "Content-Type: text/plain; charset=us-ascii", ""]
b = []
while sum(len(l) + 2 for l in h + b) < 6000:
    b.append("Line %03d of the benchmark body: the quick brown fox jumps "
             "over the lazy dog." % len(b))
sys.stdout.buffer.write(("\r\n".join(h + b) + "\r\n").encode())
EOF
"$PY" "$top/tests/dkim/sign.py" "$KEY" "v=1; a=rsa-sha256; c=relaxed/relaxed; d=bench.test; s=rsa; h=from:to:subject:date:message-id:mime-version:content-type; bh=; b=" \
    <"$work/plain.eml" >"$work/msg.eml"
MSG="$work/msg.eml"
echo "message: $(wc -c <"$MSG") bytes, rsa-sha256, RSA-2048, relaxed/relaxed"

c_ours="$DKIMVERIFY $MSG"
echo
echo "== same message, same server (knotd on 127.0.0.1:53, via /etc/resolv.conf)"
printf '%-28s -> %s\n' "dkimverify (mauth)" "$($c_ours 2>&1 | head -n 1)"
printf '%-28s -> %s (exit %s)\n' "opendkim-testmsg" \
    "$($TESTMSG <"$MSG" 2>&1 | head -n 1)" "$($TESTMSG <"$MSG" >/dev/null 2>&1; echo $?)"
printf '%-28s -> %s\n' "dkimpy dkimverify" "$($PY $DKIMPY <"$MSG" 2>&1 | head -n 1)"

echo
echo "== per process: wall time (hyperfine)"
hyperfine -N --style basic --warmup 5 --min-runs 50 \
    -n "dkimverify (mauth)" "$c_ours" 2>&1 || true
# (hyperfine 1.15 has no --input: a shell redirects, its start-up is
# measured and subtracted by hyperfine)
hyperfine --style basic --warmup 5 --min-runs 50 \
    -n opendkim-testmsg "$TESTMSG < $MSG" 2>&1 || true
hyperfine --style basic --warmup 2 --min-runs 10 \
    -n "dkimpy" "$PY $DKIMPY < $MSG" 2>&1 || true

echo
echo "== per process: instructions (callgrind, total Ir)"
ir() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
	    2>&1 >/dev/null | sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -n 1
}
IR_OURS=$(ir $c_ours)
IR_ZONE=$(ir "$DKIMVERIFY" --offline --zone "$work/bench.test.zone" "$MSG")
IR_TESTMSG=$(ir "$TESTMSG" <"$MSG")
printf '%-36s %12s\n' "dkimverify (mauth), DNS" "$IR_OURS"
printf '%-36s %12s\n' "dkimverify (mauth), --zone" "$IR_ZONE"
printf '%-36s %12s\n' "opendkim-testmsg, DNS" "$IR_TESTMSG"
echo "ratio mauth/opendkim: $(echo "scale=3; $IR_OURS / $IR_TESTMSG" | bc)"

echo
echo "== batch: $N messages as arguments of one process"
mkdir "$work/batch"
for i in $(seq "$N"); do cp "$MSG" "$work/batch/m$i.eml"; done
cat "$work"/batch/*.eml >/dev/null	# page cache warm
"$DKIMVERIFY" "$work"/batch/*.eml >"$work/batch.out"
echo "pass: $(grep -c ': dkim=pass ' "$work/batch.out") of $N"
for r in 1 2 3; do
	if perf stat -x, -e task-clock -o "$work/perf" "$DKIMVERIFY" \
	    "$work"/batch/*.eml >/dev/null 2>&1; then
		ms=$(awk -F, '/task-clock/ { print $1 }' "$work/perf")
	else
		/usr/bin/time -f '%U %S' -o "$work/time" "$DKIMVERIFY" \
		    "$work"/batch/*.eml >/dev/null
		ms=$(awk '{ print ($1 + $2) * 1000 }' "$work/time")
	fi
	s=$(date +%s.%N)
	"$DKIMVERIFY" "$work"/batch/*.eml >/dev/null
	e=$(date +%s.%N)
	echo "run $r: $(echo "$N * 1000 / $ms" | bc) messages/s of CPU time," \
	    "$(echo "$N / ($e - $s)" | bc) messages/s of wall time"
done

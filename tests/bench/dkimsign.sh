#!/bin/sh
# Signing benchmark (not part of make check): dkimsign against the Debian
# peers on the same messages.
#
#   1. per process: one process per message, over the same N messages
#      (BENCH_N, default 1000): dkimsign, opendkim-testmsg (it signs
#      rsa-sha1 relaxed/simple only), dkimpy's /usr/bin/dkimsign (over
#      BENCH_N_SLOW messages, default 30, as its start-up alone is costly);
#      wall time by hyperfine, instructions per message by callgrind.
#   2. batch: every message in one process: dkimsign -o DIR (a file in,
#      a file out per message) and dkimsign -m (the same messages as one
#      mbox, one stream in and out), rsa-sha256 and ed25519-sha256;
#      dkimpy's and Mail::DKIM's APIs in one loop; messages per CPU
#      second against `openssl speed` signatures per second.
#
# Usage: sh tests/bench/dkimsign.sh   (MAUTH_BIN: where the binaries are;
# default ./bin; BENCH_DIR: where the messages and outputs go, default
# $TMPDIR, e.g. /dev/shm to leave the disk out).  Needs hyperfine,
# valgrind, python3-dkim, opendkim-tools, libmail-dkim-perl.  Wall time
# varies with the machine's load; the CPU columns (user + system time)
# much less: compare those, and the ratios.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
bin=${MAUTH_BIN:-$top/bin}
N=${BENCH_N:-1000}
NSLOW=${BENCH_N_SLOW:-30}
RUNS=${BENCH_RUNS:-2}
PY=/usr/bin/python3
RSA=$top/tests/demo/rsa.key
ED=$top/tests/demo/ed25519.key
w=$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/bench-dkimsign.XXXXXX")
trap 'rm -rf "$w"' EXIT INT TERM

for t in hyperfine valgrind; do
	command -v $t >/dev/null || { echo "bench dkimsign: $t is not installed" >&2; exit 1; }
done

# N messages of 1 to 8 KiB, LF line ends, a realistic header.
"$PY" - "$w/msgs" "$N" <<'EOF'
import os, random, sys
d, n = sys.argv[1], int(sys.argv[2])
os.makedirs(d)
rnd = random.Random(6376)
words = ("lorem ipsum dolor sit amet consectetur adipiscing elit sed do "
         "eiusmod tempor incididunt ut labore et dolore magna aliqua").split()
for i in range(n):
    lines = []
    size = rnd.randint(1024, 8192)
    while sum(len(l) + 1 for l in lines) < size:
        lines.append(" ".join(rnd.choice(words) for _ in range(rnd.randint(6, 12))))
    hdr = ("Received: from mx.example.org (mx.example.org [192.0.2.25])\n"
           "\tby mail.example.com with ESMTPS id %06d\n"
           "\tfor <bob@example.com>; Mon, 23 Nov 2026 10:00:00 +0000\n"
           "From: Alice Example <alice@example.org>\n"
           "To: Bob <bob@example.com>\n"
           "Subject: Message number %d\n"
           "Date: Mon, 23 Nov 2026 09:59:58 +0000\n"
           "Message-ID: <%d.bench@example.org>\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=us-ascii\n\n") % (i, i, i)
    with open(os.path.join(d, "m%04d.eml" % i), "w") as f:
        f.write(hdr + "\n".join(lines) + "\n")
EOF
# the same messages as one mbox
for f in "$w/msgs"/*.eml; do
	echo 'From alice@example.org Mon Nov 23 10:00:00 2026'
	cat "$f"
	echo
done > "$w/all.mbox"
ls "$w/msgs"/*.eml | head -n "$NSLOW" > "$w/slow.list"
ls "$w/msgs"/*.eml | head -n 100 > "$w/hundred.list"

# Peer batch signers: one process, every message.
cat > "$w/dkimpy-batch.py" <<'EOF'
import sys, dkim
key = open(sys.argv[1], "rb").read()
for path in sys.argv[3:]:
    msg = open(path, "rb").read()
    sig = dkim.sign(msg, b"rsa", b"example.org", key,
                    canonicalize=(b"relaxed", b"relaxed"))
    open(sys.argv[2] + "/" + path.rsplit("/", 1)[1], "wb").write(sig + msg)
EOF
cat > "$w/maildkim-batch.pl" <<'EOF'
use strict; use warnings; use Mail::DKIM::Signer;
my ($key, $out, @files) = @ARGV;
for my $f (@files) {
	my $s = Mail::DKIM::Signer->new(Algorithm => 'rsa-sha256',
	    Method => 'relaxed/relaxed', Domain => 'example.org',
	    Selector => 'rsa', KeyFile => $key);
	open(my $in, '<', $f) or die; my @l = <$in>; close $in;
	for (@l) { my $x = $_; $x =~ s/\r?\n$/\r\n/; $s->PRINT($x); }
	$s->CLOSE;
	(my $b = $f) =~ s{.*/}{};
	open(my $o, '>', "$out/$b") or die;
	print $o $s->signature->as_string, "\n", @l; close $o;
}
EOF

echo "== $N messages of 1-8 KiB; dkimpy per process over $NSLOW"
echo "== openssl speed (signatures per second, one core)"
openssl speed -seconds 3 rsa2048 ed25519 2>/dev/null > "$w/speed"
rsa_speed=$(awk '/^rsa 2048 bits/ { print $(NF-1) }' "$w/speed")
ed_speed=$(awk '/Ed25519/ { print $(NF-1) }' "$w/speed")
echo "rsa2048: $rsa_speed sign/s   ed25519: $ed_speed sign/s"

echo
echo "== per process (hyperfine, $RUNS runs; one process per message)"
mkdir -p "$w/o1" "$w/o2" "$w/o3" "$w/o4"
hyperfine --style basic --runs "$RUNS" --export-json "$w/pp.json" \
    -n "dkimsign rsa-sha256 x$N" \
    "for f in $w/msgs/*.eml; do $bin/dkimsign -d example.org -s rsa -k $RSA \$f > /dev/null; done" \
    -n "dkimsign ed25519-sha256 x$N" \
    "for f in $w/msgs/*.eml; do $bin/dkimsign -d example.org -s ed -k $ED \$f > /dev/null; done" \
    -n "opendkim-testmsg rsa-sha1 x$N" \
    "for f in $w/msgs/*.eml; do /usr/sbin/opendkim-testmsg -d example.org -s rsa -k $RSA < \$f > /dev/null; done" \
    -n "dkimpy /usr/bin/dkimsign rsa-sha256 x$NSLOW" \
    "for f in \$(cat $w/slow.list); do /usr/bin/dkimsign rsa example.org $RSA < \$f > /dev/null; done" \
    > "$w/pp.txt" 2>&1 || { cat "$w/pp.txt"; exit 1; }

echo
echo "== batch (hyperfine, $RUNS runs; every message in one process)"
hyperfine --style basic --runs "$RUNS" --export-json "$w/batch.json" \
    -n "dkimsign -o rsa-sha256 x$N" \
    "$bin/dkimsign -d example.org -s rsa -k $RSA -o $w/o1 $w/msgs/*.eml" \
    -n "dkimsign -o ed25519-sha256 x$N" \
    "$bin/dkimsign -d example.org -s ed -k $ED -o $w/o2 $w/msgs/*.eml" \
    -n "dkimsign -m rsa-sha256 x$N" \
    "$bin/dkimsign -d example.org -s rsa -k $RSA -m $w/all.mbox > /dev/null" \
    -n "dkimsign -m ed25519-sha256 x$N" \
    "$bin/dkimsign -d example.org -s ed -k $ED -m $w/all.mbox > /dev/null" \
    -n "dkimpy API rsa-sha256 x$N" \
    "$PY $w/dkimpy-batch.py $RSA $w/o3 $w/msgs/*.eml" \
    -n "Mail::DKIM API rsa-sha256 x$N" \
    "perl $w/maildkim-batch.pl $RSA $w/o4 $w/msgs/*.eml" \
    > "$w/batch.txt" 2>&1 || { cat "$w/batch.txt"; exit 1; }

echo
echo "== instructions (valgrind --tool=callgrind, Ir)"
first=$(head -n 1 "$w/slow.list")
ir() {
	valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
	    sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
}
ir_one_rsa=$(ir "$bin/dkimsign" -d example.org -s rsa -k "$RSA" "$first")
ir_one_ed=$(ir "$bin/dkimsign" -d example.org -s ed -k "$ED" "$first")
ir_od=$(sh -c "valgrind --tool=callgrind --callgrind-out-file=/dev/null /usr/sbin/opendkim-testmsg -d example.org -s rsa -k $RSA < $first 2>&1 >/dev/null" | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
ir_py=$(sh -c "valgrind --tool=callgrind --callgrind-out-file=/dev/null $PY /usr/bin/dkimsign rsa example.org $RSA < $first 2>&1 >/dev/null" | sed -n 's/.*Collected : *\([0-9]*\).*/\1/p')
mkdir -p "$w/o5" "$w/o6"
ir_batch_rsa=$(ir "$bin/dkimsign" -d example.org -s rsa -k "$RSA" -o "$w/o5" $(cat "$w/hundred.list"))
ir_batch_ed=$(ir "$bin/dkimsign" -d example.org -s ed -k "$ED" -o "$w/o6" $(cat "$w/hundred.list"))

"$PY" - "$w" "$N" "$NSLOW" "$rsa_speed" "$ed_speed" "$ir_one_rsa" "$ir_one_ed" \
    "$ir_od" "$ir_py" "$ir_batch_rsa" "$ir_batch_ed" <<'EOF'
import json, sys
w, n, nslow = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rsa_speed, ed_speed = float(sys.argv[4]), float(sys.argv[5])
irs = [int(x) if x else 0 for x in sys.argv[6:]]
def load(name):
    return json.load(open(w + "/" + name))["results"]
def cpu(r):
    return r["user"] + r["system"]
print("%-40s %9s %9s %11s %9s" % ("per process", "wall s", "cpu s",
      "cpu ms/msg", "msg/cpu-s"))
for r in load("pp.json"):
    k = nslow if "dkimpy" in r["command"] else n
    print("%-40s %9.2f %9.2f %11.3f %9.0f" % (r["command"], r["mean"],
          cpu(r), 1000 * cpu(r) / k, k / cpu(r)))
print()
print("%-40s %9s %9s %9s %9s %10s" % ("batch", "wall s", "msg/s", "cpu s",
      "msg/cpu-s", "vs openssl"))
for r in load("batch.json"):
    ref = ed_speed if "ed25519" in r["command"] else rsa_speed
    print("%-40s %9.2f %9.0f %9.2f %9.0f %9.0f%%" % (r["command"], r["mean"],
          n / r["mean"], cpu(r), n / cpu(r), 100 * n / cpu(r) / ref))
print("(vs openssl: messages per CPU second over openssl speed's signatures "
      "per second; wall-time rates are lower on a loaded machine)")
print()
print("%-40s %14s" % ("callgrind", "instructions"))
names = ["dkimsign rsa-sha256, one message", "dkimsign ed25519-sha256, one message",
         "opendkim-testmsg rsa-sha1, one message", "dkimpy dkimsign rsa-sha256, one message",
         "dkimsign -o rsa-sha256, per message (of 100)", "dkimsign -o ed25519-sha256, per message (of 100)"]
for i, (nm, v) in enumerate(zip(names, irs)):
    print("%-40s %14d" % (nm, v // 100 if i >= 4 else v))
EOF

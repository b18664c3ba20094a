# Real DNS servers on loopback for the bats suites (`load knot`):
#
#   knot_start ZONEFILE...  start an authoritative server (Debian's knotd,
#                           else nsd) on a spare 127.0.0.1 port serving the
#                           zones; each file is RFC 1035 master format with
#                           a $ORIGIN line and an SOA record.  Exports
#                           KNOT_ADDR="127.0.0.1#PORT" (the --resolver form)
#                           and KNOT_PORT.  Skips the test if neither
#                           server is installed.
#   knot_start6 ZONEFILE... the same on ::1 (KNOT_ADDR="::1#PORT"); skips
#                           if the host has no IPv6 loopback.
#   knot_stop               stop it (also fine when nothing runs).
#   blackhole_start [--truncate]
#                           a UDP and TCP port on 127.0.0.1 that reads
#                           every query and never answers; exports
#                           BLACKHOLE_ADDR="127.0.0.1#PORT".  With
#                           --truncate it answers UDP queries with an
#                           empty truncated (TC) answer, so the client
#                           retries over TCP, where it never answers.
#   blackhole_stop
#
# KNOT_SERVER=nsd in the environment prefers nsd even when knotd is there.
# Call them from setup/setup_file and teardown/teardown_file.  Servers
# run as the current user, with every file under the bats temp dir.

KNOT_PY=/usr/bin/python3

_knot_tmp() {
	local base="${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}"
	mktemp -d "$base/dns.XXXXXX"
}

# A port free for both UDP and TCP on address $1.
_knot_port() {
	"$KNOT_PY" - "$1" <<'EOF'
import socket, sys
fam = socket.AF_INET6 if ':' in sys.argv[1] else socket.AF_INET
for _ in range(50):
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.bind((sys.argv[1], 0))
    port = u.getsockname()[1]
    t = socket.socket(fam, socket.SOCK_STREAM)
    try:
        t.bind((sys.argv[1], port))
    except OSError:
        continue
    print(port)
    break
EOF
}

# The zone's name: its first $ORIGIN, without the final dot.
_knot_origin() {
	local o
	o=$(awk 'toupper($1) == "$ORIGIN" { print $2; exit }' "$1")
	[ -n "$o" ] || { echo "knot.bash: $1: no \$ORIGIN line" >&2; return 1; }
	echo "${o%.}"
}

# The SOA of zone $3 in the answer of server $1 port $2, over UDP, or
# over TCP with $4 = +tcp.  The answer section must hold the record
# itself: kdig prints its usage on stdout for an option it does not know,
# so "any output" is no proof of an answer.
_knot_soa() {
	kdig @"$1" -p "$2" +timeout=1 +retry=0 ${4:-} +noall +answer \
	    "$3" SOA 2>/dev/null |
	    awk -v z="$3." '$4 == "SOA" && tolower($1) == tolower(z) { ok = 1 }
	    END { exit !ok }'
}

# Wait up to 10 s until the server answers every zone's SOA: knotd loads
# its zones one by one after it starts listening, and a zone not yet
# loaded answers SERVFAIL.  TCP first, as a port not yet open refuses a
# connection at once where a UDP query waits out its time-out; then UDP,
# which the tests use.
_knot_wait() {
	local addr=$1 port=$2 zone i=0
	shift 2
	for zone in "$@"; do
		until _knot_soa "$addr" "$port" "$zone" +tcp &&
		    _knot_soa "$addr" "$port" "$zone"; do
			i=$((i + 1))
			[ "$i" -lt 100 ] || return 1
			kill -0 "$KNOT_PID" 2>/dev/null || return 1
			sleep 0.1
		done
	done
}

_knot_conf() {
	local dir=$1 addr=$2 port=$3 f z
	shift 3
	cat >"$dir/knot.conf" <<EOF
server:
    rundir: "$dir"
    listen: $addr@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: "$dir/knot.log"
    any: info
database:
    storage: "$dir/db"
template:
  - id: default
    storage: "$dir"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
EOF
	for f in "$@"; do
		z=$(_knot_origin "$f") || return 1
		cp "$f" "$dir/$z.zone"
		printf '  - domain: %s\n    file: "%s/%s.zone"\n' \
		    "$z" "$dir" "$z" >>"$dir/knot.conf"
	done
}

_nsd_conf() {
	local dir=$1 addr=$2 port=$3 f z
	shift 3
	cat >"$dir/nsd.conf" <<EOF
server:
    ip-address: $addr
    port: $port
    username: ""
    chroot: ""
    zonesdir: "$dir"
    pidfile: "$dir/nsd.pid"
    xfrdfile: "$dir/xfrd.state"
    zonelistfile: "$dir/zone.list"
    database: ""
    logfile: "$dir/nsd.log"
    server-count: 1
remote-control:
    control-enable: no
EOF
	for f in "$@"; do
		z=$(_knot_origin "$f") || return 1
		cp "$f" "$dir/$z.zone"
		printf 'zone:\n    name: %s\n    zonefile: "%s/%s.zone"\n' \
		    "$z" "$dir" "$z" >>"$dir/nsd.conf"
	done
}

_knot_start_at() {
	local addr=$1 dir port zones=() zone f try
	shift
	command -v kdig >/dev/null ||
	    skip "kdig (Debian knot-dnsutils) is not installed"
	if [ -x /usr/sbin/knotd ] && [ "${KNOT_SERVER:-}" != nsd ]; then
		KNOT_SERVER=knotd
	elif [ -x /usr/sbin/nsd ]; then
		KNOT_SERVER=nsd
	else
		skip "no DNS server: install Debian's knot (or nsd)"
	fi
	for f in "$@"; do
		zone=$(_knot_origin "$f") || return 1
		zones+=("$zone")
	done
	for try in 1 2 3; do
		dir=$(_knot_tmp)
		port=$(_knot_port "$addr")
		if [ "$KNOT_SERVER" = knotd ]; then
			_knot_conf "$dir" "$addr" "$port" "$@" || return 1
			/usr/sbin/knotd -c "$dir/knot.conf" \
			    >"$dir/knotd.out" 2>&1 3>&- 4>&- &
		else
			_nsd_conf "$dir" "$addr" "$port" "$@" || return 1
			/usr/sbin/nsd -d -c "$dir/nsd.conf" \
			    >"$dir/nsd.out" 2>&1 3>&- 4>&- &
		fi
		KNOT_PID=$!
		KNOT_DIR=$dir
		if _knot_wait "$addr" "$port" "${zones[@]}"; then
			KNOT_PORT=$port
			KNOT_ADDR="$addr#$port"
			export KNOT_ADDR KNOT_PORT KNOT_PID KNOT_DIR KNOT_SERVER
			return 0
		fi
		knot_stop
	done
	echo "knot.bash: $KNOT_SERVER did not start; its log:" >&2
	cat "$dir"/*.log "$dir"/*.out >&2 2>/dev/null
	return 1
}

knot_start() {
	_knot_start_at 127.0.0.1 "$@"
}

knot_start6() {
	"$KNOT_PY" -c 'import socket; socket.socket(socket.AF_INET6,
	    socket.SOCK_DGRAM).bind(("::1", 0))' 2>/dev/null ||
	    skip "no IPv6 loopback on this host"
	_knot_start_at ::1 "$@"
}

knot_stop() {
	if [ -n "${KNOT_PID:-}" ]; then
		kill "$KNOT_PID" 2>/dev/null || true
		wait "$KNOT_PID" 2>/dev/null || true
	fi
	KNOT_PID=
	return 0
}

blackhole_start() {
	local dir
	dir=$(_knot_tmp)
	"$KNOT_PY" - "$dir/port" "${1:-}" <<'EOF' >/dev/null 2>&1 3>&- 4>&- &
import os, select, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
for _ in range(50):
    u.bind(("127.0.0.1", 0))
    try:
        t.bind(("127.0.0.1", u.getsockname()[1]))
        break
    except OSError:
        u.close()
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t.listen(16)
tmp = sys.argv[1] + ".tmp"
with open(tmp, "w") as f:
    f.write(str(u.getsockname()[1]))
os.rename(tmp, sys.argv[1])
conns = []
while True:
    r, _, _ = select.select([u, t] + conns, [], [])
    for s in r:
        if s is u:
            q, peer = u.recvfrom(65536)  # read; answer only with TC
            if sys.argv[2] == "--truncate" and len(q) >= 12:
                u.sendto(q[:2] + bytes([0x82 | (q[2] & 1), 0x80]) +
                         q[4:6] + bytes(6) + q[12:], peer)
        elif s is t:
            conns.append(t.accept()[0])
        elif not s.recv(65536):
            conns.remove(s)
            s.close()
EOF
	BLACKHOLE_PID=$!
	local i
	for i in $(seq 1 50); do
		[ -s "$dir/port" ] && break
		sleep 0.1
	done
	[ -s "$dir/port" ] || { echo "blackhole did not start" >&2; return 1; }
	BLACKHOLE_ADDR="127.0.0.1#$(cat "$dir/port")"
	export BLACKHOLE_ADDR BLACKHOLE_PID
}

blackhole_stop() {
	if [ -n "${BLACKHOLE_PID:-}" ]; then
		kill "$BLACKHOLE_PID" 2>/dev/null || true
		wait "$BLACKHOLE_PID" 2>/dev/null || true
	fi
	BLACKHOLE_PID=
	return 0
}

#!/bin/sh
# OpenDKIM (Debian opendkim-tools) as an interop peer.
#
#   opendkim-peer.sh verify ZONE FILE ...
#       verify each FILE with opendkim-testmsg and print "FILE pass" or
#       "FILE fail: <its message>"; exit 1 if any failed.
#   opendkim-peer.sh sign KEYFILE DOMAIN SELECTOR IN OUT [IN OUT ...]
#       sign with opendkim-testmsg (it knows no options for the algorithm
#       or the canonicalization: rsa-sha1, relaxed/simple, fixed).
#   opendkim-peer.sh available
#       exit 0 if the verify mode can run here.
#
# libopendkim asks the system resolver only (res_query, /etc/resolv.conf,
# port 53): there is no option for another server or a key file.  So the
# verify mode runs in private network and mount namespaces (unshare(1)):
# loopback only, knotd serving ZONE on 127.0.0.1:53, and a resolv.conf
# naming it bind-mounted over /etc/resolv.conf.  Nothing outside the
# namespaces sees any of it; nothing leaves the machine.  Needs root or
# unprivileged user namespaces.
set -eu

TESTMSG=/usr/sbin/opendkim-testmsg
KNOTD=/usr/sbin/knotd
here=$(cd "$(dirname "$0")" && pwd)

# ZONE holds absolute names ("NAME. IN TXT ..."): one knot zone for the
# parent of each ._domainkey name.
make_zones() {
	zone=$1 dir=$2
	: > "$dir/zones"
	grep -v '^[[:space:]]*;' "$zone" | while read -r name rest; do
		[ -n "$name" ] || continue
		origin=${name#*._domainkey.}
		f="$dir/${origin%.}.zone"
		if [ ! -f "$f" ]; then
			printf '$ORIGIN %s\n$TTL 300\n@ IN SOA ns.%s hostmaster.%s 1 3600 600 86400 300\n@ IN NS ns.%s\nns IN A 127.0.0.1\n' \
			    "$origin" "$origin" "$origin" "$origin" > "$f"
			echo "$origin" >> "$dir/zones"
		fi
		printf '%s %s\n' "$name" "$rest" >> "$f"
	done
}

knot_conf() {
	dir=$1
	{
		printf 'server:\n    rundir: "%s"\n    listen: 127.0.0.1@53\n' "$dir"
		printf 'database:\n    storage: "%s"\n' "$dir"
		printf 'log:\n  - target: "%s/knot.log"\n    any: warning\n' "$dir"
		printf 'template:\n  - id: default\n    storage: "%s"\n' "$dir"
		printf '    file: "%%s.zone"\n    zonefile-sync: -1\n'
		printf '    journal-content: none\nzone:\n'
		while read -r z; do
			printf '  - domain: %s\n' "$z"
		done < "$dir/zones"
	} > "$dir/knot.conf"
}

# The namespace's loopback up: iproute2, else the ioctls from Python.
lo_up() {
	ip link set lo up 2>/dev/null || /usr/bin/python3 -c '
import fcntl, socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
ifr = fcntl.ioctl(s, 0x8913, struct.pack("16sH22s", b"lo", 0, b""))
flags = struct.unpack("16sH22s", ifr)[1] | 1
fcntl.ioctl(s, 0x8914, struct.pack("16sH22s", b"lo", flags, b""))'
}

# Inside the namespaces: loopback, knotd, resolv.conf, then the checks.
inner() {
	zone=$1
	shift
	dir=$(mktemp -d "${TMPDIR:-/tmp}/opendkim-peer.XXXXXX")
	lo_up
	make_zones "$zone" "$dir"
	knot_conf "$dir"
	"$KNOTD" -c "$dir/knot.conf" >/dev/null 2>&1 &
	kpid=$!
	# never leave knotd behind: it holds the caller's output open
	trap 'kill "$kpid" 2>/dev/null || true' EXIT
	echo "nameserver 127.0.0.1" > "$dir/resolv.conf"
	mount --bind "$dir/resolv.conf" /etc/resolv.conf
	# knotd loads its zones one by one: wait until every one answers, or
	# the first key lookups can fail while a later zone is still loading
	i=0
	while read -r z; do
		# the SOA record itself: kdig prints its usage on stdout
		# for an option it does not know
		until kdig +timeout=1 +retry=0 +noall +answer @127.0.0.1 \
		    SOA "$z" 2>/dev/null | awk -v z="$z" '$4 == "SOA" &&
		    tolower($1) == tolower(z) { ok = 1 } END { exit !ok }'; do
			i=$((i + 1))
			[ $i -lt 100 ] || {
				echo "knotd did not load $z" >&2
				cat "$dir/knot.log" >&2
				exit 2
			}
			sleep 0.1
		done
	done <"$dir/zones"
	bad=0
	for f in "$@"; do
		rc=0
		out=$("$TESTMSG" < "$f" 2>&1) || rc=$?
		# a key lookup that got no answer (a loaded machine, knotd still
		# settling) says nothing of the signature: ask once more
		case $rc:$out in
		0:*) ;;
		*"Key retrieval failed"*)
			sleep 1
			rc=0
			out=$("$TESTMSG" < "$f" 2>&1) || rc=$? ;;
		esac
		if [ "$rc" -eq 0 ]; then
			echo "$f pass"
		else
			echo "$f fail: $(echo "$out" | tr '\n' ' ')"
			bad=1
		fi
	done
	kill "$kpid" 2>/dev/null || true
	wait "$kpid" 2>/dev/null || true
	rm -rf "$dir"
	return $bad
}

unshare_cmd() {
	if [ "$(id -u)" = 0 ]; then
		unshare -n -m --propagation private --fork "$@"
	else
		unshare -r -n -m --propagation private --fork "$@"
	fi
}

cmd=${1:-}
case $cmd in
available)
	[ -x "$TESTMSG" ] && [ -x "$KNOTD" ] && command -v kdig >/dev/null &&
	    unshare_cmd true 2>/dev/null
	;;
verify)
	shift
	[ $# -ge 2 ] || { echo "usage: $0 verify ZONE FILE ..." >&2; exit 64; }
	unshare_cmd sh "$here/opendkim-peer.sh" _inner "$@"
	;;
_inner)
	shift
	inner "$@"
	;;
sign)
	shift
	[ $# -ge 5 ] || { echo "usage: $0 sign KEY DOMAIN SELECTOR IN OUT ..." >&2; exit 64; }
	key=$1 domain=$2 sel=$3
	shift 3
	while [ $# -ge 2 ]; do
		"$TESTMSG" -d "$domain" -s "$sel" -k "$key" < "$1" > "$2"
		shift 2
	done
	;;
*)
	echo "usage: $0 verify ZONE FILE ... | sign KEY DOMAIN SELECTOR IN OUT ... | available" >&2
	exit 64
	;;
esac

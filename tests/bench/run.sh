#!/bin/sh
# make bench: every benchmark in tests/bench/ in one go, against the Debian
# peers on the same inputs and the same local DNS server.  Not a test: it
# prints figures (hyperfine wall time, callgrind instruction counts, batch
# throughput); ratios matter more than absolutes on a noisy machine.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
for b in spf dkimverify dkimsign dmarc authres arc; do
	if [ -f "$here/$b.sh" ]; then
		printf '\n==== %s\n' "$b"
		sh "$here/$b.sh" || echo "bench $b: failed (status $?)"
	fi
done

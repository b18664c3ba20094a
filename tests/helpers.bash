# Shared by every bats suite: where the binaries and the shared data are.
# MAUTH_BIN is set by `make check` (B=... builds elsewhere); the default is
# the in-tree build.
TESTS_DIR="$(cd "$BATS_TEST_DIRNAME" && pwd)"
TOP="$(cd "$TESTS_DIR/.." && pwd)"
: "${MAUTH_BIN:=$TOP/bin}"
: "${SHARED:=$(cd "$TOP/../shared" 2>/dev/null && pwd)}"
SUITES="$SHARED/testsuites"
PATH="$MAUTH_BIN:$PATH"
export MAUTH_BIN SHARED SUITES PATH
PY=/usr/bin/python3
# git keeps no file modes but the executable bit: the private keys of the
# fixtures are made 0600, as the tools expect of a key (they warn otherwise).
chmod 600 "$TESTS_DIR"/demo/*.key "$TESTS_DIR"/dkim/*.key 2>/dev/null || true

#!/bin/sh
# make demo: the toolkit on the bundled example message and zone, offline.
set -eu
cd "$(dirname "$0")/.."
PATH="${MAUTH_BIN:-$PWD/bin}:$PATH"
Z="--zone tests/demo/example.zone --offline"
A="-A mx.example.com"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# git keeps no file modes but the executable bit: private keys want 0600
chmod 600 tests/demo/*.key

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step spfcheck $Z --ip 192.0.2.25 --mail-from alice@example.org --helo mx.example.org
spfcheck $Z --ip 192.0.2.25 --mail-from alice@example.org --helo mx.example.org || true

step spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org --helo mx.example.org
spfcheck $Z --ip 203.0.113.9 --mail-from alice@example.org --helo mx.example.org || true

step dkimsign -d example.org -s ed -k tests/demo/ed25519.key -s rsa -k tests/demo/rsa.key "<message.eml >signed.eml"
dkimsign -d example.org -s ed -k tests/demo/ed25519.key \
    -s rsa -k tests/demo/rsa.key <tests/demo/message.eml >"$tmp/signed.eml"
sed -n '1,/^DKIM-Signature/!{/^[^ 	]/q};p' "$tmp/signed.eml" | head -20

step dkimverify $Z "<signed.eml"
dkimverify $Z <"$tmp/signed.eml" || true

step "sed s/Thursday/Friday/ signed.eml | dkimverify $Z --explain"
sed 's/Thursday/Friday/' "$tmp/signed.eml" | dkimverify $Z --explain || true

step "the pipeline: spfcheck -a | dkimverify -a | dmarceval -a | authres --merge"
spfcheck $Z $A -a --ip 192.0.2.25 --mail-from alice@example.org \
    --helo mx.example.org <"$tmp/signed.eml" |
  dkimverify $Z $A -a |
  dmarceval $Z $A -a |
  authres $A --merge >"$tmp/filtered.eml"
sed -n '1,/^Received:/p' "$tmp/filtered.eml" | sed '$d'

step "authres $A <filtered.eml"
authres $A <"$tmp/filtered.eml"

step "a forgery: From example.org, sent from 203.0.113.9, unsigned"
spfcheck $Z $A -a --ip 203.0.113.9 --mail-from alice@example.org \
    --helo evil.example <tests/demo/message.eml |
  dkimverify $Z $A -a | dmarceval $Z $A || true

step "ARC: a list checks the message on arrival (dkimverify -a, arcverify -a), edits its subject, seals it (arcsign)"
dkimverify $Z -a -A lists.example.org <"$tmp/filtered.eml" |
  arcverify $Z -a -A lists.example.org |
  sed 's/^Subject: /Subject: [list] /' |
  arcsign $Z -A lists.example.org -d example.org -s rsa \
    -k tests/demo/rsa.key >"$tmp/listed.eml"
sed -n '/^ARC-Authentication-Results/,/^[^ 	]/p' "$tmp/listed.eml" | sed '$d'

step "arcverify $Z -v <listed.eml (DKIM broke; the chain holds)"
arcverify $Z -v <"$tmp/listed.eml" 2>&1 | grep -v 'dns:' || true
dkimverify $Z <"$tmp/listed.eml" || true

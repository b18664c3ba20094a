#!/usr/bin/python3
"""dkimpy (Debian python3-dkim) as an interop peer, many messages per run.

  dkimpy-peer.py sign < JOBS
      JOBS: lines "KEYFILE DOMAIN SELECTOR HCANON/BCANON IN OUT"; sign each
      IN with dkimpy's default header list, write OUT with the signature
      on top in IN's own line ending (of its first line).  One process
      for every job: importing dkim costs more than signing.
  dkimpy-peer.py verify ZONE FILE ...
      print "FILE RESULT ..." with one pass/fail per DKIM-Signature, keys
      answered from the TXT records of ZONE (one record a line); exit 1
      if any signature failed.

KEYFILE: PEM (RSA; Ed25519 PKCS#8, whose 32-byte seed dkimpy wants in
base64) or a bare base64 Ed25519 seed.  Run with /usr/bin/python3 (the
Debian interpreter that sees python3-dkim).
"""
import base64
import re
import sys

import dkim

ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")


def read_zone(path):
    """name -> TXT data (strings joined), from lines NAME [IN] TXT "..."."""
    recs = {}
    for line in open(path, encoding="ascii"):
        if line.lstrip().startswith(";"):
            continue
        m = re.match(r'^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$', line.strip())
        if not m:
            continue
        name = m.group(1).lower().rstrip(".") + "."
        data = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        recs[name.encode()] = data.encode()
    return recs


def load_key(path):
    """(key bytes for dkimpy, algorithm)."""
    text = open(path, "rb").read()
    if b"-----BEGIN" not in text:
        return text.strip(), b"ed25519-sha256"
    body = b"".join(l for l in text.splitlines() if not l.startswith(b"-----"))
    der = base64.b64decode(body)
    if der.startswith(ED25519_PKCS8_PREFIX) and len(der) == 48:
        return base64.b64encode(der[16:]), b"ed25519-sha256"
    return text, b"rsa-sha256"


def sign_one(keyfile, domain, selector, canon, src, dst, keys):
    if keyfile not in keys:
        keys[keyfile] = load_key(keyfile)
    key, alg = keys[keyfile]
    hc, bc = canon.encode().split(b"/")
    msg = open(src, "rb").read()
    first = msg.split(b"\n", 1)[0]
    eol = b"\r\n" if first.endswith(b"\r") else b"\n"
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(hc, bc), signature_algorithm=alg,
                    linesep=eol)
    open(dst, "wb").write(sig + msg)


def sign(lines):
    keys = {}
    for line in lines:
        job = line.split()
        if len(job) != 6:
            sys.exit("bad job: " + line.strip())
        sign_one(*job, keys)
    return 0


def verify(args):
    recs = read_zone(args[0])

    def dnsfunc(name, timeout=5):
        return recs.get(name.lower() if isinstance(name, bytes) else
                        name.lower().encode())

    bad = 0
    for path in args[1:]:
        msg = open(path, "rb").read()
        d = dkim.DKIM(msg)
        n = sum(1 for h in d.headers if h[0].lower() == b"dkim-signature")
        res = []
        for i in range(n):
            try:
                ok = d.verify(idx=i, dnsfunc=dnsfunc)
            except dkim.DKIMException:
                ok = False
            res.append("pass" if ok else "fail")
            bad += not ok
        print(path, " ".join(res) if res else "none")
    return 1 if bad else 0


if __name__ == "__main__":
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    if cmd == "sign" and len(sys.argv) == 2:
        sys.exit(sign(sys.stdin))
    if cmd == "verify" and len(sys.argv) >= 4:
        sys.exit(verify(sys.argv[2:]))
    sys.exit(__doc__)

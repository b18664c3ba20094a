#!/usr/bin/python3
"""dkimpy (Debian python3-dkim) as an ARC interop peer (RFC 8617).

  arc-peer.py seal ZONE TIME < JOBS
      JOBS: lines "KEYFILE DOMAIN SELECTOR SRVID IN OUT", one hop each, as
      dkimpy does it: validate IN's chain with dkim.arc_verify, put
      "Authentication-Results: SRVID; arc=CV" on top, seal with
      dkim.ARC(...).sign at t=TIME (the algorithm follows the key), and
      write OUT: the new ARC set, that Authentication-Results, then IN
      byte for byte, the added lines in IN's line ending (dkimpy works on
      the CRLF form: its seals of an LF message verify nowhere, not even
      in dkimpy).  One process for every job: importing dkim costs more
      than sealing.  Exit 4 if
      dkim.arc_verify raised, 3 if dkimpy cannot seal with a key's type,
      2 if it added no set.
  arc-peer.py seal-as-is ZONE TIME < JOBS
      the same, without the validation: IN carries SRVID's
      Authentication-Results (arc=CV) already, as the hop's validator
      wrote it before the hop changed the message; OUT gets the new ARC
      set only.
  arc-peer.py caps
      print the a= values dkimpy's ARC code accepts (validate_signature_
      fields), e.g. "arc: rsa-sha256".
  arc-peer.py verify ZONE FILE ...
      print "FILE CV: REASON" per file (dkim.arc_verify; CV is pass, fail
      or none, "ended" when dkimpy says the chain was ended by a cv=fail
      seal, "crash" when dkim.arc_verify raised); exit 1 if any is not
      pass.
  arc-peer.py scope ZONE FILE ...
      which sets the newest ARC-Seal of each FILE signs (a line each,
      "FILE " first when there are several): "chain" when its
      signature verifies over sets 1..N (RFC 8617 5.1.1), "own" when over
      its own set alone (5.1.2, a seal of cv=fail), "neither" otherwise.
      The hash is built here from dkimpy's relaxed canonicalization, key
      lookup and RSA/Ed25519 verification (dkimpy's own ARC code stops at
      a chain's first cv=fail seal, and knows rsa-sha256 only).

Keys are read from the TXT records of ZONE (mauth-zone(5): absolute or
$ORIGIN-relative names, strings joined, "( ... )" spanning lines).
KEYFILE: PEM (RSA; Ed25519 PKCS#8) or a bare base64 Ed25519 seed.
Run with /usr/bin/python3, never as "arcsign"/"arcverify": Debian's
python3-dkim ships scripts of those names, and so does mauth.
"""
import base64
import hashlib
import re
import sys

import dkim
import dkim.crypto
import dkim.util
from dkim.canonicalization import Relaxed

ED25519_PKCS8_PREFIX = bytes.fromhex("302e020100300506032b657004220420")


def strip_comment(line):
    """line without its ";" comment (a ";" inside quotes is data)."""
    quote = False
    for i, c in enumerate(line):
        if c == '"' and (i == 0 or line[i - 1] != "\\"):
            quote = not quote
        elif c == ";" and not quote:
            return line[:i]
    return line


def read_zone(path):
    """name -> TXT data (the record's strings joined), as bytes."""
    recs, origin, entry, depth = {}, "", "", 0
    for raw in open(path, encoding="ascii"):
        line = strip_comment(raw.rstrip("\n"))
        depth += line.count("(") - line.count(")")
        entry += " " + line.replace("(", " ").replace(")", " ")
        if depth > 0:
            continue
        text, entry = entry.strip(), ""
        if text.startswith("$ORIGIN"):
            origin = text.split()[1].rstrip(".") + "."
            continue
        m = re.match(r'^(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s+(.*)$', text)
        if not m:
            continue
        name = m.group(1)
        if name == "@":
            name = origin
        elif not name.endswith("."):
            name = name + "." + origin if origin else name + "."
        data = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        recs[name.lower().encode()] = data.encode()
    return recs


def dns_from(zone):
    recs = read_zone(zone)

    def dnsfunc(name, timeout=5):
        if isinstance(name, str):
            name = name.encode()
        name = name.lower()
        if not name.endswith(b"."):
            name += b"."
        return recs.get(name)
    return dnsfunc


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


def eol_of(msg):
    first = msg.split(b"\n", 1)[0]
    return b"\r\n" if first.endswith(b"\r") else b"\n"


def peer_verify(msg, dnsfunc):
    """(cv, reason) of dkim.arc_verify; cv "ended" for dkimpy's None (a
    chain ended by a cv=fail seal), "crash" when dkimpy raised."""
    try:
        cv, _, why = dkim.arc_verify(msg, dnsfunc=dnsfunc)
    except Exception as e:      # dkimpy lets some errors escape
        return "crash", "%s: %s" % (type(e).__name__, e)
    return (cv.decode() if cv is not None else "ended"), why


def seal_one(dnsfunc, validate, when, keyfile, domain, selector, srvid,
             src, dst):
    key, alg = load_key(keyfile)
    msg = open(src, "rb").read()
    eol = eol_of(msg)
    # dkimpy 1.1.4 seals an LF message with a seal that does not verify
    # (not even by dkimpy): it works on the CRLF form, as on the wire.
    wire = msg if eol == b"\r\n" else re.sub(rb"\r?\n", b"\r\n", msg)
    ar = b""
    if validate:
        cv, why = peer_verify(wire, dnsfunc)
        if cv == "crash":
            print("%s: dkim.arc_verify raised %s" % (src, why),
                  file=sys.stderr)
            return 4
        if cv not in ("pass", "none"):
            cv = "fail"
        ar = ("Authentication-Results: %s; arc=%s\r\n" % (srvid,
                                                            cv)).encode()
    a = dkim.ARC(ar + wire, signature_algorithm=alg, linesep=b"\r\n")
    try:
        fields = a.sign(selector.encode(), domain.encode(), key,
                        srvid.encode(), timestamp=int(when))
    except dkim.KeyFormatError as e:
        print("%s: dkimpy cannot seal with %s: %s" % (src, alg.decode(), e),
              file=sys.stderr)
        return 3
    if not fields:
        print("%s: dkimpy added no ARC set" % src, file=sys.stderr)
        return 2
    out = b"".join(fields) + ar
    if eol == b"\n":
        out = out.replace(b"\r\n", b"\n")
    open(dst, "wb").write(out + msg)
    return 0


def seal(zone, when, lines, validate=True):
    dnsfunc = dns_from(zone)
    rc = 0
    for line in lines:
        job = line.split()
        if len(job) != 6:
            sys.exit("bad job: " + line.strip())
        rc = max(rc, seal_one(dnsfunc, validate, when, *job))
    return rc


def caps():
    arc = sorted(a.decode() for a in dkim.crypto.ARC_HASH_ALGORITHMS)
    print("arc:", " ".join(arc))
    return 0


def verify(zone, paths):
    dnsfunc = dns_from(zone)
    bad = 0
    for path in paths:
        cv, why = peer_verify(open(path, "rb").read(), dnsfunc)
        print("%s %s: %s" % (path, cv, why))
        bad += cv != "pass"
    return 1 if bad else 0


def instance_of(name, value):
    """The instance of an ARC field (its i= tag), or None."""
    if name == b"arc-authentication-results":
        m = re.match(rb"\s*i\s*=\s*(\d+)\s*;", value)
        return int(m.group(1)) if m else None
    try:
        return int(dkim.util.parse_tag_value(value)[b"i"])
    except (KeyError, ValueError, dkim.util.InvalidTagValueList):
        return None


def seal_verifies(arc, scope_sets, n, dnsfunc):
    """Whether ARC-Seal n signs the sets scope_sets, in order AAR, AMS, AS
    (RFC 8617 5.1.1), relaxed, its own b= empty and without its final
    CRLF (RFC 6376 3.7); dkimpy's canonicalization, DNS and crypto."""
    order = (b"arc-authentication-results", b"arc-message-signature",
             b"arc-seal")
    if any((k, name) not in arc for k in scope_sets for name in order):
        return False
    h = hashlib.sha256()
    for k in scope_sets:
        for name in order:
            if (k, name) == (n, b"arc-seal"):
                continue
            for x, y in Relaxed.canonicalize_headers([arc[(k, name)]]):
                h.update(x + b":" + y)
    name, value = arc[(n, b"arc-seal")]
    x, y = Relaxed.canonicalize_headers(
        [(name, dkim.RE_BTAG.sub(b"\\1", value))])[0]
    h.update(x + b":" + y.rstrip())
    tags = dkim.util.parse_tag_value(value)
    sig = base64.b64decode(re.sub(rb"\s+", b"", tags[b"b"]))
    pk, _, ktag, _ = dkim.load_pk_from_dns(
        tags[b"s"] + b"._domainkey." + tags[b"d"] + b".", dnsfunc)
    if ktag == b"ed25519":
        try:
            pk.verify(h.digest(), sig)
            return True
        except Exception:
            return False
    return dkim.crypto.RSASSA_PKCS1_v1_5_verify(h, sig, pk)


def scope_of(path, dnsfunc):
    """Which sets the newest seal signs: all (5.1.1) or its own (5.1.2)."""
    headers, _ = dkim.rfc822_parse(open(path, "rb").read())
    arc = {}
    for name, value in headers:
        lname = name.lower()
        if lname in dkim.ARC.ARC_HEADERS:
            i = instance_of(lname, value)
            if i is not None:
                arc[(i, lname)] = (name, value)
    n = max(i for i, _ in arc)
    if seal_verifies(arc, range(1, n + 1), n, dnsfunc):
        return "chain"
    if seal_verifies(arc, [n], n, dnsfunc):
        return "own"
    return "neither"


def scope(zone, paths):
    dnsfunc = dns_from(zone)
    for path in paths:
        what = scope_of(path, dnsfunc)
        print("%s %s" % (path, what) if len(paths) > 1 else what)
    return 0


if __name__ == "__main__":
    cmd, args = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if cmd == "seal" and len(args) == 2:
        sys.exit(seal(args[0], args[1], sys.stdin))
    if cmd == "seal-as-is" and len(args) == 2:
        sys.exit(seal(args[0], args[1], sys.stdin, validate=False))
    if cmd == "verify" and len(args) >= 2:
        sys.exit(verify(args[0], args[1:]))
    if cmd == "scope" and len(args) >= 2:
        sys.exit(scope(args[0], args[1:]))
    if cmd == "caps" and not args:
        sys.exit(caps())
    sys.exit(__doc__)

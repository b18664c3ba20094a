#!/usr/bin/python3
"""DKIM conformance runner for dkimverify(1).

Reads ../shared/testsuites/dkim/** in place (see testsuites/README.md,
"DKIM data"), turns each suite's DNS data into a mauth-zone(5) file,
runs dkimverify --offline on the messages and compares the per-signature
results.  Usage:

    dkim_suite.py SUITE        SUITE: rfc8463 | dkimpy | dkimpy-keys |
                               dkimpy-canon | mail-dkim | stalwart

Prints one line per failing case and, last, "N passed, M failed"; exits 1
if anything failed.  MAUTH_BIN names the directory of the binaries.

Our verdicts are RFC 8601 words (pass fail policy permerror temperror
none).  Where a suite says something else, the mapping is written out
below, case by case where it is not mechanical, with the RFC section.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

SUITES = os.environ.get("SUITES") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared",
    "testsuites")
DKIM = os.path.join(SUITES, "dkim")
BIN = os.environ.get("MAUTH_BIN") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "bin")

passed = 0
failed = 0


def check(name, got, want, why=""):
    global passed, failed
    if got == want:
        passed += 1
        return
    failed += 1
    print(f"FAIL {name}: got {got}, want {want}" + (f" ({why})" if why else ""))


# ---- zone files ---------------------------------------------------------

def zone_txt(name, value):
    """One TXT record in master-file form, cut into 255-octet strings."""
    raw = value.encode()
    parts = [raw[i:i + 255] for i in range(0, len(raw), 255)] or [b""]

    def q(b):
        s = b.decode("latin-1").replace("\\", "\\\\").replace('"', '\\"')
        return '"' + s + '"'
    return f"{name.rstrip('.')}. IN TXT {' '.join(q(p) for p in parts)}\n"


def zone_from_records(lines):
    """'<name> TXT "<value>"' / '<name> NXDOMAIN|TIMEOUT|SERVFAIL' lines
    (the testsuites' common format) -> zone text."""
    out = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        m = re.match(r'(\S+)\s+TXT\s+"(.*)"$', line)
        if m:
            out.append(zone_txt(m.group(1), m.group(2)))
            continue
        name, what = line.split()
        if what == "NXDOMAIN":
            continue	# --offline: a name no zone holds does not exist
        out.append(f"{name.rstrip('.')}. IN {what}\n")
    return "".join(out)


def write_zone(tmp, text, name="suite.zone"):
    path = os.path.join(tmp, name)
    with open(path, "w") as f:
        f.write(text)
    return path


# ---- running dkimverify -------------------------------------------------

def verify(path, zone, *extra):
    """Per-signature verdicts (list) and the raw output of one message."""
    p = subprocess.run([os.path.join(BIN, "dkimverify"), "--offline",
                        "--zone", zone, *extra, path],
                       capture_output=True, text=True)
    if p.returncode > 6:
        return None, p.stdout + p.stderr
    verdicts = []
    for line in p.stdout.splitlines():
        m = re.search(r"(?:^|: )dkim=(\w+)", line)
        if m:
            verdicts.append(m.group(1))
    return verdicts, p.stdout


def crlf_copy(tmp, data, name):
    """The message with every bare LF made CRLF (as on the wire)."""
    data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
    path = os.path.join(tmp, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


# ---- RFC 8463 Appendix A ------------------------------------------------

def suite_rfc8463(tmp):
    d = os.path.join(DKIM, "rfc8463")
    with open(os.path.join(d, "dns-records.txt")) as f:
        zone = write_zone(tmp, zone_from_records(f))
    got, out = verify(os.path.join(d, "signed.eml"), zone)
    # RFC 8463 A.3: the ed25519-sha256 and the rsa-sha256 signature verify
    check("rfc8463 signed.eml", got, ["pass", "pass"], out)


# ---- dkimpy -------------------------------------------------------------

def dkimpy_docs():
    with open(os.path.join(DKIM, "dkimpy", "cases.yml")) as f:
        return list(yaml.safe_load_all(f))


def dkimpy_base_zone():
    """The "base" zone of dns-records.txt (uncommented records)."""
    with open(os.path.join(DKIM, "dkimpy", "dns-records.txt")) as f:
        return [l for l in f if not l.startswith("#")]


# dkimpy's expectation -> ours, where they differ, with the reason.
DKIMPY_OURS = {
    # cases.yml says "fail" but its own comment says permerror: the key
    # data is corrupt ASN.1, and RFC 6376 6.1.2 step 8 says a key not
    # suitable for a= and k= is PERMFAIL (inappropriate key algorithm).
    "bad-public-key": ["permerror"],
}


def suite_dkimpy(tmp):
    docs = dkimpy_docs()
    base = dkimpy_base_zone()
    for name, case in docs[0]["tests"].items():
        records = base
        if "dns_override" in case:
            over = case["dns_override"]
            records = [l for l in base
                       if l.split(" ", 1)[0] not in over]
            records += [f'{k} TXT "{v}"' for k, v in over.items()]
        zone = write_zone(tmp, zone_from_records(records), name + ".zone")
        msg = os.path.join(DKIM, "dkimpy", case["message"])
        want = [s["result"] for s in case["signatures"]] or ["none"]
        want = DKIMPY_OURS.get(name, want)
        got, out = verify(msg, zone)
        check("dkimpy " + name, got, want, out.strip())


def sign_with_peer(msg, key, d, s, tmp, alg=b"rsa-sha256"):
    """dkimpy's own signer (the peer) signs msg: python3-dkim."""
    import dkim
    with open(msg, "rb") as f:
        data = f.read()
    with open(key, "rb") as f:
        priv = f.read()
    sig = dkim.sign(data, s.encode(), d.encode(), priv,
                    include_headers=[b"from", b"to", b"subject"],
                    signature_algorithm=alg)
    path = os.path.join(tmp, "signed-" + s + ".eml")
    with open(path, "wb") as f:
        f.write(sig + data)
    return path


def suite_dkimpy_keys(tmp):
    """negative_keys: the record at test._domainkey.example.com replaced."""
    docs = dkimpy_docs()
    data = os.path.join(DKIM, "dkimpy", "data")
    msg = sign_with_peer(os.path.join(data, "test.message"),
                         os.path.join(data, "test.private"),
                         "example.com", "test", tmp)
    # dkimpy's expect -> ours (RFC 6376 sections in the comments)
    ours = {
        # v=DKIM1: (colon): the record does not parse (RFC 6376 3.2);
        # 6.1.2 step 5: key syntax error -> PERMFAIL
        "data/badversion.txt": "permerror",
        # k=ed25519-sha256 is no key type (RFC 6376 3.6.1 k=; 6.1.2)
        "data/badk.txt": "permerror",
        # cases.yml: "fail".  The altered last quantum ("QAB" -> "QA=")
        # drops the exponent's last byte, so the DER is truncated (openssl
        # asn1parse: "too long"): no key at all.  RFC 6376 6.1.2 step 8:
        # key data not suitable for a= and k= -> PERMFAIL
        "data/test_bad.txt": "permerror",
        # s=tlsrpt only: RFC 6376 3.6.1 s= "Verifiers for a given service
        # type MUST ignore this record if the appropriate type is not
        # listed"; an ignored record is no key -> PERMFAIL (6.1.2)
        "data/test_tlsrpt.txt": "permerror",
    }
    for case in docs[1]["negative_keys"]:
        with open(os.path.join(DKIM, "dkimpy", case["record"])) as f:
            rec = f.read().strip()
        zone = write_zone(tmp, zone_txt("test._domainkey.example.com", rec),
                          "neg.zone")
        got, out = verify(msg, zone)
        check("dkimpy negative key " + case["record"], got,
              [ours[case["record"]]], out.strip())
    # the round trips (SPKI and bare RSAPublicKey, implicit k=, PKCS#8,
    # ed25519 seeds, and 8-bit Windows-1258 header bytes): a message signed
    # by the peer with each key verifies here
    for rt in docs[1]["roundtrips"]:
        rec = rt["record"]
        if rec.startswith("data/"):
            with open(os.path.join(DKIM, "dkimpy", rec)) as f:
                rec = f.read().strip()
        alg = b"ed25519-sha256" if "k=ed25519" in rec else b"rsa-sha256"
        signed = sign_with_peer(os.path.join(DKIM, "dkimpy", rt["message"]),
                                os.path.join(DKIM, "dkimpy", rt["key"]),
                                rt["d"], rt["s"], tmp, alg)
        zone = write_zone(tmp, zone_txt(f"{rt['s']}._domainkey.{rt['d']}",
                                        rec), "rt.zone")
        got, out = verify(signed, zone)
        check(f"dkimpy round trip {rt['key']} / {rt['record']}", got,
              ["pass"], out.strip())


def canon_run(kind, alg, data):
    p = subprocess.run([os.path.join(BIN, "test-canon"), kind, alg],
                       input=data, capture_output=True)
    if p.returncode != 0:
        raise SystemExit(f"test-canon failed: {p.stderr!r}")
    return p.stdout


def suite_dkimpy_canon(tmp):
    """Canonicalization pairs: canon(input) == expected and
    canon(expected) == expected (dkimpy's own double check)."""
    doc = dkimpy_docs()[2]
    for alg in ("simple", "relaxed"):
        for name, case in doc[alg + "_headers"].items():
            def fields(lst):
                return b"".join((n + ":" + v).encode() for n, v in lst)

            want = b"".join((n + ":" + v).encode() for n, v in
                            case["expected"])
            check(f"{alg} header {name}",
                  canon_run("header", alg, fields(case["input"])), want)
            check(f"{alg} header {name} (idempotent)",
                  canon_run("header", alg, want), want)
        for name, case in doc[alg + "_body"].items():
            want = case["expected"].encode()
            check(f"{alg} body {name}",
                  canon_run("body", alg, case["input"].encode()), want)
            check(f"{alg} body {name} (idempotent)",
                  canon_run("body", alg, want), want)
    # c= values: sign a message with each c= and check dkimverify reads
    # it as the suite says (the canonicalization it reports in --canon-dump)
    for case in doc["c_tag"]:
        check_c_tag(tmp, case)


def check_c_tag(tmp, case):
    d = os.path.join(DKIM, "rfc8463")
    with open(os.path.join(d, "signed.eml"), "rb") as f:
        data = f.read()
    # keep the ed25519 signature only, and replace its c= (the signature
    # then fails, but the tag is read first: RFC 6376 3.5)
    head, body = data.split(b"\r\n\r\n", 1)
    sig = head.split(b"\r\nDKIM-Signature:")[0]
    rest = head.split(b"\r\nFrom:", 1)[1]
    c = case["c"]
    if c is None:
        sig = sig.replace(b" c=relaxed/relaxed;", b"")
    else:
        sig = sig.replace(b"c=relaxed/relaxed", b"c=" + c.encode())
    path = os.path.join(tmp, "c.eml")
    with open(path, "wb") as f:
        f.write(sig + b"\r\nFrom:" + rest + b"\r\n\r\n" + body)
    with open(os.path.join(d, "dns-records.txt")) as f:
        zone = write_zone(tmp, zone_from_records(f), "c.zone")
    dump = os.path.join(tmp, "c.dump")
    got, out = verify(path, zone, "--canon-dump", dump)
    name = f"c={c!r}"
    if case.get("error"):
        check(name, got, ["permerror"], out.strip())
        return
    with open(dump, "rb") as f:
        text = f.read()
    hc = re.search(rb"header data, c=(\w+)", text)
    bc = re.search(rb"body data, c=(\w+)", text)
    check(name, (hc and hc.group(1).decode(), bc and bc.group(1).decode()),
          (case["header"], case["body"]), out.strip())


# ---- Mail::DKIM ---------------------------------------------------------

def mail_dkim_ours(name, case):
    """Our answer for a Mail::DKIM corpus file, from its strict column.

    strict pass    -> pass
    strict fail    -> fail
    strict invalid -> permerror (malformed signature or key record,
                      RFC 6376 6.1.1/6.1.2), or policy for a well-formed
                      rsa-sha1 signature (RFC 8301 3.1: rsa-sha1 MUST NOT be
                      used for verifying; DESIGN.md "refused by rule").
                      That refusal comes before the key lookup (RFC 6376
                      6.1.2: "a public key need only be retrieved if the
                      process of extracting the signature information is
                      completely successful"), so the key defects of the
                      rsa-sha1 badkey_* files, and the DNS time-out and
                      SERVFAIL of badkey_14/15 (their "invalid" is a
                      temperror in Mail::DKIM), never show: policy.
    DomainKeys     -> none: a DomainKey-Signature (RFC 4870) is not a
                      DKIM-Signature; RFC 6376 has no place for it
    pre-RFC drafts -> permerror: the files of MAIL_DKIM_NO_V carry no v=
                      or v=0.5 (DKIM drafts); RFC 6376 3.5 makes v=1
                      REQUIRED and 6.1.1 says a missing required tag or an
                      inconsistent v= MUST give PERMFAIL, whatever Mail::DKIM
                      (which verifies drafts) says.
    """
    if case.get("kind") == "domainkeys":
        return ["none"]
    if name in MAIL_DKIM_SIGS:
        return MAIL_DKIM_SIGS[name]
    if name in MAIL_DKIM_NO_V:
        return ["permerror"] * MAIL_DKIM_NO_V[name]
    strict = case.get("strict", case["result"])
    if strict in ("pass", "fail"):
        return [strict]
    if case.get("a") == "rsa-sha1" and name not in MAIL_DKIM_MALFORMED:
        return ["policy"]
    return ["permerror"]


# DKIM draft signatures: no v= tag, or v=0.5 (file: number of signatures).
# RFC 6376 3.5 v= "REQUIRED", 6.1.1 PERMFAIL (signature missing required
# tag / incompatible version).  Checked against the files below.
MAIL_DKIM_NO_V = {n: 1 for n in (
    "test5.txt", "good_ietf00_1.txt", "good_ietf00_2.txt",
    "good_ietf00_3.txt", "good_ietf00_4.txt", "good_ietf00_5.txt",
    "mine_ietf01_1.txt", "mine_ietf01_2.txt", "mine_ietf01_3.txt",
    "mine_ietf01_4.txt", "mine_ietf05_1.txt", "good_ietf01_1.txt",
    "good_ietf01_2.txt", "bad_ietf01_1.txt", "bad_ietf01_2.txt",
    "bad_ietf01_3.txt", "bad_1.txt", "no_body_1.txt", "no_body_2.txt",
    "no_body_3.txt", "badkey_1.txt", "badkey_2.txt", "badkey_3.txt",
    "badkey_4.txt", "badkey_5.txt", "badkey_6.txt", "badkey_7.txt",
    "ignore_2.txt", "ignore_3.txt", "ignore_4.txt")}
MAIL_DKIM_NO_V["multiple_1.txt"] = 4

# rsa-sha1 signatures that are malformed before RFC 8301 applies
# (RFC 6376 6.1.1: the signature is validated first)
MAIL_DKIM_MALFORMED = {
    "ignore_1.txt",	# v=5: RFC 6376 6.1.1 incompatible version
    "ignore_5.txt",	# q=http: RFC 6376 3.5 q=, no supported method
    "ignore_6.txt",	# q=dns/special: likewise
    "ignore_7.txt",	# x= expired: RFC 6376 6.1.1 (DESIGN.md permerror)
    "ignore_8.txt",	# i= outside d=: RFC 6376 6.1.1
}

# several signatures: per signature, in header order
MAIL_DKIM_SIGS = {
    # c=foobar: RFC 6376 3.5 c= (permerror); two well-formed rsa-sha1
    # (RFC 8301 3.1: policy; Mail::DKIM: pass, fail); "synerr" is no
    # tag-list (RFC 6376 3.2: permerror; Mail::DKIM does not count it)
    "multiple_2.txt": ["permerror", "policy", "policy", "permerror"],
}


def draft_signature(path):
    """Whether the first DKIM-Signature of path lacks v=1 (a draft)."""
    with open(path, "rb") as f:
        text = f.read().decode("latin-1")
    m = re.search(r"^DKIM-Signature:(.*?)\r?\n(?=\S)", text, re.M | re.S)
    return m is not None and not re.search(r"(^|;)\s*v\s*=\s*1\s*(;|$)",
                                           m.group(1))


def suite_mail_dkim(tmp):
    d = os.path.join(DKIM, "mail-dkim")
    with open(os.path.join(d, "dns-records.txt")) as f:
        zone = write_zone(tmp, zone_from_records(f))
    with open(os.path.join(d, "expected.yml")) as f:
        cases = yaml.safe_load(f)
    for name, case in cases.items():
        path = os.path.join(d, case.get("file", "corpus/" + name))
        if name in MAIL_DKIM_NO_V and not draft_signature(path):
            check("mail-dkim " + name + " is a draft signature", False, True)
        got, out = verify(path, zone)
        want = mail_dkim_ours(name, case)
        check("mail-dkim " + name, got, want, out.strip())


# ---- stalwart -----------------------------------------------------------

def suite_stalwart(tmp):
    d = os.path.join(DKIM, "stalwart-mail-auth")
    with open(os.path.join(d, "expected.yml")) as f:
        cases = yaml.safe_load(f)
    for name, case in cases.items():
        with open(os.path.join(d, name), "rb") as f:
            data = f.read()
        dns, msg = data.split(b"\n\n", 1)
        text = "".join(zone_txt(*l.split(" ", 1))
                       for l in dns.decode().splitlines() if l.strip())
        zone = write_zone(tmp, text, name + ".zone")
        path = crlf_copy(tmp, msg, name + ".eml")
        extra = ["-t", str(case["verify_time"])] if "verify_time" in case \
            else []
        got, out = verify(path, zone, *extra)
        check("stalwart " + name, got, case["signatures"], out.strip())


def main():
    suite = sys.argv[1] if len(sys.argv) > 1 else ""
    fn = {
        "rfc8463": suite_rfc8463,
        "dkimpy": suite_dkimpy,
        "dkimpy-keys": suite_dkimpy_keys,
        "dkimpy-canon": suite_dkimpy_canon,
        "mail-dkim": suite_mail_dkim,
        "stalwart": suite_stalwart,
    }.get(suite)
    if fn is None:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        fn(tmp)
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Run an OpenSPF YAML test suite (rfc7208-tests.yml and friends) against
spfcheck, driven from the YAML itself.

For each scenario the zonedata becomes an RFC 1035 master file (the
conventions of ../shared/testsuites/README.md: SPF entries double as TXT
unless the name lists TXT, "TXT: NONE", TIMEOUT markers, CNAME, MX, PTR,
lists = several character-strings, any byte escaped as \\DDD), and every
case of the scenario runs in one spfcheck process in batch mode
(--identity mailfrom: the suite checks the MAIL FROM identity, a null one
as postmaster@HELO; --default-exp DEFAULT for "explanation: DEFAULT").

  spf_suite.py list SUITE             case ids, one a line
  spf_suite.py run SUITE [--out FILE] [--informational]
                                      "ok ID" / "not ok ID: why" lines
  spf_suite.py gen-bats SUITE NAME    a bats file with one @test per case

MAUTH_BIN names the directory holding spfcheck.
"""
import os
import re
import subprocess
import sys
import tempfile

import yaml

# Cases where the suite's expectation is not what RFC 7208 requires; we
# assert the RFC's answer instead (section cited), never skip.
OVERRIDES = {
    "rfc7208-tests.yml": {
        # RFC 7208 7.4 shows %{ir} of an IPv6 address in lowercase nibbles
        # ("1.0.b.c.0.0.0.0...."); the suite's text has uppercase ones.
        # The explanation is compared with the RFC 7.4 form.
        "v-macro-ip6": {
            "explanation": "cafe:babe::1 is queried as "
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e."
            "f.a.c.ip6.arpa",
            "why": "RFC 7208 7.4: %{ir} nibbles are lowercase",
        },
    },
    "rfc4408-tests.yml": {
        "v-macro-ip6": {
            "explanation": "cafe:babe::1 is queried as "
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.b.a.b.e."
            "f.a.c.ip6.arpa",
            "why": "RFC 7208 7.4: %{ir} nibbles are lowercase",
        },
    },
    "pyspf-test.yml": {
        # pyspf honours the obsolete default= modifier in its lax mode;
        # RFC 7208 6 says unknown modifiers MUST be ignored: neutral.
        "default-modifier": {
            "result": ["neutral"],
            "why": "RFC 7208 6: unknown modifiers are ignored",
        },
        # "ambiguous" is pyspf's harsh mode, not an RFC 7208 result.
        "default-modifier-harsh": {
            "result": ["neutral"],
            "why": "RFC 7208 6, 2.6: no 'ambiguous' result; default= "
            "is an unknown modifier",
        },
    },
}

# Cases that fail for a reason outside SPF: the @test skips, saying why,
# while the case fails, and passes as soon as it passes.
KNOWN = {
    # "suite.yml": {"case-id": "why it fails outside SPF"},
}

OLD_NAMES = {"unknown": "permerror", "error": "temperror"}


def load(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def as_bytes(s):
    s = str(s)
    try:
        return s.encode("latin-1")
    except UnicodeEncodeError:
        return s.encode("utf-8")


def esc_name(name):
    """A zone owner/target name, absolute; odd bytes as \\DDD."""
    name = str(name)
    if name in ("", "."):
        return "."
    out = []
    for b in as_bytes(name.rstrip(".")):
        c = chr(b)
        if c.isascii() and (c.isalnum() or c in "-_."):
            out.append(c)
        else:
            out.append("\\%03d" % b)
    return "".join(out) + "."


def esc_string(data):
    """One character-string, quoted, every odd byte as \\DDD."""
    out = ['"']
    for b in data:
        c = chr(b)
        if 0x20 <= b < 0x7F and c not in '"\\':
            out.append(c)
        else:
            out.append("\\%03d" % b)
    out.append('"')
    return "".join(out)


def txt_rdata(value):
    """TXT RDATA: a list is several strings; long strings are split."""
    parts = value if isinstance(value, list) else [value]
    strings = []
    for p in parts:
        data = as_bytes(p)
        if not data:
            strings.append(b"")
        while data:
            strings.append(data[:255])
            data = data[255:]
    return " ".join(esc_string(s) for s in strings) or '""'


def zone_lines(name, entries):
    lines = []
    has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
    owner = esc_name(name)
    for e in entries:
        if e == "TIMEOUT":
            lines.append("%s IN TIMEOUT" % owner)
            continue
        (rtype, value), = e.items()
        if rtype == "TXT" and value == "NONE":
            continue
        if rtype in ("SPF", "TXT"):
            if rtype == "SPF" and not has_txt:
                lines.append("%s IN TXT %s" % (owner, txt_rdata(value)))
            lines.append("%s IN %s %s" % (owner, rtype, txt_rdata(value)))
        elif rtype == "MX":
            lines.append("%s IN MX %d %s" % (owner, value[0],
                                             esc_name(value[1])))
        elif rtype in ("PTR", "CNAME"):
            lines.append("%s IN %s %s" % (owner, rtype, esc_name(value)))
        elif rtype in ("A", "AAAA"):
            if value == "TIMEOUT":
                lines.append("%s IN TIMEOUT %s" % (owner, rtype))
            else:
                lines.append("%s IN %s %s" % (owner, rtype, value))
        else:
            raise SystemExit("unknown zonedata type %s" % rtype)
    return lines


def valid_owner(name):
    labels = str(name).rstrip(".").split(".")
    return len(str(name)) <= 253 and all(0 < len(l) <= 63 for l in labels)


def write_zone(path, zonedata):
    with open(path, "w", encoding="ascii") as f:
        f.write("$TTL 300\n")
        for name, entries in (zonedata or {}).items():
            if not valid_owner(name):
                f.write("; skipped (not a valid DNS name): %r\n" % name)
                continue
            for line in zone_lines(name, entries or []):
                f.write(line + "\n")


SANITIZER = re.compile(r"Sanitizer|runtime error:")
KV = re.compile(r'([\w.-]+)=(?:"((?:[^"\\]|\\.)*)"|(\S*))')


def parse_kv(line):
    out = {}
    for m in KV.finditer(line):
        v = m.group(2) if m.group(2) is not None else m.group(3)
        out[m.group(1)] = re.sub(r"\\(.)", r"\1", v)
    return out


def run_batch(zone, cases, receiver):
    """Run spfcheck -b on cases [(id, test)]; {id: kv dict}."""
    spfcheck = os.path.join(os.environ.get("MAUTH_BIN", "bin"), "spfcheck")
    lines = []
    for _, t in cases:
        fields = [str(t["host"]), str(t.get("mailfrom") or ""),
                  str(t.get("helo") or "")]
        lines.append("\t".join(fields))
    cmd = [spfcheck, "-b", "--zone", zone, "--offline", "--identity",
           "mailfrom", "--default-exp", "DEFAULT", "-t", "1400000000",
           "--receiver", receiver or "receiver.example"]
    p = subprocess.run(cmd, input=("\n".join(lines) + "\n").encode(),
                       capture_output=True)
    got = {}
    for out in p.stdout.decode("latin-1").splitlines():
        n, _, kv = out.partition(": ")
        got[cases[int(n) - 1][0]] = parse_kv(kv)
    err = p.stderr.decode("latin-1").strip()
    if p.returncode not in (0, 65) or SANITIZER.search(err):
        got = {}    # a crash or a sanitizer report fails every case
        err = "exit %d: %s" % (p.returncode, err[:2000])
    return got, err


def expectation(suite, tid, t):
    want = t["result"] if isinstance(t["result"], list) else [t["result"]]
    want = [OLD_NAMES.get(w, w) for w in want]
    exp = t.get("explanation")
    over = OVERRIDES.get(os.path.basename(suite), {}).get(tid, {})
    return over.get("result", want), over.get("explanation", exp), \
        over.get("why")


def judge(suite, tid, t, got):
    want, exp, why = expectation(suite, tid, t)
    note = " (override: %s)" % why if why else ""
    if got is None:
        return False, "no result line" + note
    res = got.get("spf")
    if res not in want:
        return False, "result %s, want %s; reason=%r%s" % (
            res, "/".join(want), got.get("reason"), note)
    if exp is not None and res == "fail" and got.get("explanation") != exp:
        return False, "explanation %r, want %r%s" % (
            got.get("explanation"), exp, note)
    return True, note.strip()


def run(suite, out):
    docs = load(suite)
    total = passed = 0
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        for i, doc in enumerate(docs):
            zone = os.path.join(tmp, "scenario%d.zone" % i)
            write_zone(zone, doc.get("zonedata"))
            groups = {}
            for tid, t in (doc.get("tests") or {}).items():
                groups.setdefault(t.get("receiver"), []).append((tid, t))
            for receiver, cases in groups.items():
                got, err = run_batch(zone, cases, receiver)
                for tid, t in cases:
                    ok, why = judge(suite, tid, t, got.get(tid))
                    total += 1
                    passed += ok
                    known = KNOWN.get(os.path.basename(suite), {}).get(tid)
                    if ok:
                        lines.append("ok %s%s" % (tid, " " + why
                                                  if why else ""))
                    elif known:
                        lines.append("skip %s: %s; %s" % (tid, why, known))
                    else:
                        lines.append("not ok %s: %s%s" % (
                            tid, why, "; stderr: " + err if err else ""))
    lines.append("# %d/%d passed (%s)" % (passed, total,
                                          os.path.basename(suite)))
    text = "\n".join(lines) + "\n"
    if out:
        with open(out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return passed == total


def case_ids(suite):
    for doc in load(suite):
        for tid, t in (doc.get("tests") or {}).items():
            yield doc.get("description") or doc.get("comment", ""), tid, t


def gen_bats(suite, name):
    """One @test per scenario (bats spends ~0.1 s per @test: per case
    would cost more than the whole suite); each prints every case."""
    base = os.path.basename(suite)
    print("#!/usr/bin/env bats")
    print("# GENERATED by: tests/spf_suite.py gen-bats %s '%s'" % (
        "$SUITES/spf/" + base, name))
    print("# The %s suite: every case runs once in setup_file (one" % base)
    print("# spfcheck -b per scenario); one @test per scenario checks and")
    print("# prints each of its cases.")
    print("load helpers\nload spf-suite-lib\n")
    print("setup_file() { spf_suite_setup %s; }\n" % base)
    print("@test \"%s: these @tests cover every case of the suite\" {"
          % name)
    print("  spf_suite_complete %s \"$BATS_TEST_FILENAME\"\n}\n" % base)
    for n, doc in enumerate(load(suite)):
        tests = doc.get("tests") or {}
        scen = doc.get("description") or doc.get("comment") or \
            "scenario %d" % (n + 1)
        scen = " ".join(str(scen).split()).replace('"', "'")
        secs = []
        for t in tests.values():
            for sec in str(t.get("spec", "")).replace(",", " ").split():
                sec = sec.split("/")[0]
                if sec not in secs:
                    secs.append(sec)
        print("@test \"%s%s: %s (%d cases)\" {" % (
            name, " " + ", ".join(secs) if secs else "", scen, len(tests)))
        ids = list(tests)
        print("  spf_suite_cases \\")
        for k in range(0, len(ids), 4):
            print("    %s%s" % (" ".join(ids[k:k + 4]),
                               " \\" if k + 4 < len(ids) else ""))
        print("}\n")


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    cmd, suite = argv[1], argv[2]
    if cmd == "list":
        for _, tid, _ in case_ids(suite):
            print(tid)
    elif cmd == "run":
        out = argv[argv.index("--out") + 1] if "--out" in argv else None
        ok = run(suite, out)
        sys.exit(0 if ok or "--informational" in argv else 1)
    elif cmd == "gen-bats":
        gen_bats(suite, argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv)

#!/usr/bin/python3
"""Run authres(1) over ../shared/testsuites/authres/parse-cases.yml.

usage: authres_cases.py MODE CASES.yml [LOCAL.yml]
  MODE strict:  `authres --strict` must give the "expect" reading, or exit 65
                with no output where expect says syntax_error.
  MODE lenient: `authres` must give "expect" unflagged for conforming cases;
                for the others, every line flagged nonconformant= and the
                "lenient" reading (from the suite, or else from LOCAL.yml,
                our own reading of the cases the suite gives none for).
Compared field by field: authserv_id, version, and each result's method,
method_version, result, reason and properties (ptype, property, value);
names case-insensitively, comments not at all (RFC 8601: informative).
Prints one line per failure and "N passed, N failed"; exits 1 on failure.
"""
import os
import re
import subprocess
import sys

import yaml

PAIR = re.compile(r'([^=\s]+)=("(?:[^"\\]|\\.)*"|\S*)')


def kv(line):
    out = []
    for k, v in PAIR.findall(line):
        if v.startswith('"'):
            v = re.sub(r'\\(.)', r'\1', v[1:-1])
        out.append((k, v))
    return out


def reading(stdout):
    """authres parse output -> (expect-shaped dict, all lines flagged?)"""
    ids, versions, results, flagged = set(), set(), [], []
    for line in stdout.splitlines():
        pairs = kv(line)
        if not pairs:
            raise ValueError("unparsable line %r" % line)
        d = dict(pairs[1:])
        ids.add(d.get("authserv-id"))
        versions.add(d.get("version"))
        flagged.append("nonconformant" in d)
        method, result = pairs[0]
        if method == "authres" and result == "none":
            continue
        r = {"method": method, "result": result}
        if "/" in method:
            r["method"], r["method_version"] = method.split("/", 1)
        if "reason" in d:
            r["reason"] = d["reason"]
        props = [{"ptype": k.split(".", 1)[0], "property": k.split(".", 1)[1],
                  "value": v} for k, v in pairs[1:] if "." in k]
        if props:
            r["properties"] = props
        results.append(r)
    if len(ids) != 1 or len(versions) != 1:
        raise ValueError("lines of one field disagree: %r %r" % (ids, versions))
    got = {"authserv_id": ids.pop(), "results": results}
    v = versions.pop()
    if v is not None:
        got["version"] = v
    return got, bool(flagged) and all(flagged), any(flagged)


def norm(exp):
    """The compared part of an expect/lenient reading."""
    out = {"authserv_id": exp.get("authserv_id", ""), "results": []}
    if exp.get("version") is not None:
        out["version"] = str(exp["version"])
    for r in exp.get("results") or []:
        n = {"method": r["method"].lower(), "result": str(r["result"]).lower()}
        if r.get("method_version") is not None:
            n["method_version"] = str(r["method_version"])
        if r.get("reason") is not None:
            n["reason"] = r["reason"]
        props = [{"ptype": p["ptype"].lower(), "property": p["property"].lower(),
                  "value": str(p["value"])} for p in r.get("properties") or []]
        if props:
            n["properties"] = props
        out["results"].append(n)
    return out


def run(binary, args, header):
    data = header.encode("utf-8") + b"\r\n"
    return subprocess.run([binary] + args, input=data, capture_output=True)


def check(case, mode, local):
    exp = case["expect"]
    bad = exp.get("syntax_error") is True
    p = run("authres", ["--strict"] if mode == "strict" else [], case["header"])
    out = p.stdout.decode("utf-8", "replace")
    if mode == "strict" and bad:
        if p.returncode != 65 or out:
            return "want syntax error (exit 65, no output), got %d %r" % (
                p.returncode, out)
        return None
    if p.returncode != 0:
        return "exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace"))
    got, all_flagged, any_flagged = reading(out)
    if bad:
        want = case.get("lenient") or local.get(case["id"])
        if want is None:
            return "no lenient reading to compare with (suite or local)"
        if not all_flagged:
            return "nonconformant field not flagged on every line"
    else:
        want = exp
        if any_flagged:
            return "conforming field flagged nonconformant"
    want = norm(want)
    if got != want:
        return "got %r\n    want %r" % (got, want)
    return None


def main():
    mode, path = sys.argv[1], sys.argv[2]
    local = {}
    if len(sys.argv) > 3:
        local = {c["id"]: c["lenient"] for c in yaml.safe_load(open(sys.argv[3]))}
    cases = yaml.safe_load(open(path))
    passed = failed = 0
    for case in cases:
        why = check(case, mode, local)
        if why is None:
            passed += 1
        else:
            failed += 1
            print("FAIL %s (%s): %s" % (case["id"], mode, why))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())

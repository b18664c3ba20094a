#!/usr/bin/python3
"""A test signer: prepend a DKIM-Signature with exactly the tags given.

    sign.py KEYFILE 'v=1; a=rsa-sha256; d=example.com; s=rsa; h=from; bh=; b='
            [--bh-body FILE] < message > signed

Unlike a real signer it writes whatever tag list it is told (duplicates,
unknown tags, odd i=, x=, l=...), so dkimverify's checks can be tested on
otherwise valid signatures.  An empty bh= is filled with the body hash
(canonicalized per c=, cut at l=); with --bh-body, bh= is the hash of that
file's bytes as they are (the canonical body some other signer hashed).
The empty b= (it must come last) is filled with the signature.

Canonicalization, header selection and b= removal are python3-dkim's
(dkimpy), an implementation independent of ours; the signing is
python3-cryptography's.  RFC 6376 3.7 (hashes), RFC 8463 3 (Ed25519 signs
the SHA-256 of the header data).
"""
import base64
import hashlib
import re
import sys
import types

# dkimpy's DNS plug-in imports dnspython and httpx (a second of start-up);
# this signer never asks DNS, so a stand-in takes its place
_plug = types.ModuleType("dkim.dnsplug")
_plug.get_txt = None
sys.modules["dkim.dnsplug"] = _plug
import dkim  # noqa: E402
from dkim.canonicalization import CanonicalizationPolicy
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding


def tag(tags, name):
    m = re.search(rb"(?:^|;)\s*" + name + rb"\s*=\s*([^;]*)", tags)
    return m.group(1).strip() if m else None


def main():
    args = sys.argv[1:]
    bh_body = None
    if "--bh-body" in args:
        i = args.index("--bh-body")
        with open(args[i + 1], "rb") as f:
            bh_body = f.read()
        del args[i:i + 2]
    keyfile, tags = args[0], args[1].encode()
    message = sys.stdin.buffer.read()
    headers, body = dkim.rfc822_parse(message)

    policy = CanonicalizationPolicy.from_c_value(tag(tags, b"c"))
    a = tag(tags, b"a") or b"rsa-sha256"
    hashfn = hashlib.sha1 if a == b"rsa-sha1" else hashlib.sha256
    if bh_body is None:
        bh_body = policy.canonicalize_body(body)
        if tag(tags, b"l") is not None:
            bh_body = bh_body[:int(tag(tags, b"l"))]
    if re.search(rb"(^|;)\s*bh=\s*(;|$)", tags):
        bh = base64.b64encode(hashfn(bh_body).digest())
        tags = re.sub(rb"((?:^|;)\s*bh=)\s*(?=;|$)", rb"\g<1>" + bh, tags,
                      count=1)
    assert re.search(rb"b=\s*$", tags), "b= must come last, empty"

    sigvalue = b" " + tags
    names = [h.strip().lower() for h in (tag(tags, b"h") or b"").split(b":")]
    signed = dkim.select_headers(headers, names)
    data = b"".join(x + b":" + y for x, y in
                    policy.canonicalize_headers(signed))
    sig = policy.canonicalize_headers(
        [(b"DKIM-Signature", dkim.RE_BTAG.sub(b"\\1", sigvalue + b"\r\n"))])
    data += sig[0][0] + b":" + sig[0][1].rstrip(b"\r\n")

    with open(keyfile, "rb") as f:
        key = serialization.load_pem_private_key(f.read(), None)
    if isinstance(key, ed25519.Ed25519PrivateKey):
        b = key.sign(hashlib.sha256(data).digest())
    else:
        h = hashes.SHA1() if a == b"rsa-sha1" else hashes.SHA256()
        b = key.sign(data, padding.PKCS1v15(), h)
    sigvalue += base64.b64encode(b)
    eol = b"\r\n" if message.split(b"\n", 1)[0].endswith(b"\r") else b"\n"
    sys.stdout.buffer.write(b"DKIM-Signature:" + sigvalue + eol + message)


if __name__ == "__main__":
    main()

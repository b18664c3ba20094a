"""mbox on stdin -> one file per message in DIR (argv[1]), From_ line
dropped: DIR/N.raw as stored, DIR/N.eml mboxrd-unquoted (a line
>...>From loses one '>').  A From_ line is a "From " line at the start
or after an empty line (RFC 4155); written independently of common/mbox.c
so the tests compare two readings."""
import re
import sys

data = sys.stdin.buffer.read()
starts = [0]
for m in re.finditer(rb"\n(?=From )", data):
    j = m.start()
    if data[j - 1:j] == b"\n" or data[max(0, j - 2):j] == b"\n\r":
        starts.append(j + 1)
starts.append(len(data))
for n, (a, b) in enumerate(zip(starts, starts[1:]), 1):
    msg = data[a:b]
    msg = msg[msg.index(b"\n") + 1:] if b"\n" in msg else b""
    with open("%s/%d.raw" % (sys.argv[1], n), "wb") as f:
        f.write(msg)
    with open("%s/%d.eml" % (sys.argv[1], n), "wb") as f:
        f.write(re.sub(rb"(?m)^>(>*From )", rb"\1", msg))

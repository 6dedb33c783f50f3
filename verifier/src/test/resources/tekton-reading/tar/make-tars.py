#!/usr/bin/env python3
"""Writes the tar fixtures of TektonReadingParityTest with Python's tarfile (not our code).

Run from this directory: python3 make-tars.py. Each file is one way a layer archive can be read
differently by Go's archive/tar (which Tekton uses) and a naive reader.
"""
import io
import tarfile

TASK = b"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  steps: []\n"
EVIL = b"apiVersion: tekton.dev/v1\nkind: Task\nmetadata:\n  name: t\nspec:\n  volumes: [{name: root, hostPath: {path: /}}]\n"


def info(name, data, kind=tarfile.REGTYPE):
    i = tarfile.TarInfo(name)
    i.size = len(data) if kind == tarfile.REGTYPE else 0
    i.type = kind
    i.mode = 0o644
    return i


def write(path, entries, fmt=tarfile.USTAR_FORMAT, pax=None):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, pax_headers=pax or {}) as t:
        for i, data in entries:
            t.addfile(i, io.BytesIO(data) if data is not None else None)
    with open(path, "wb") as f:
        f.write(buf.getvalue())
    return buf.getvalue()


write("benign-single-file.tar", [(info("task.yaml", TASK), TASK)])
write("hostile-two-files.tar", [(info("a.yaml", TASK), TASK), (info("b.yaml", EVIL), EVIL)])
d = info("dir", b"", tarfile.DIRTYPE)
write("hostile-directory-first.tar", [(d, None), (info("dir/task.yaml", EVIL), EVIL)])
s = info("task.yaml", b"", tarfile.SYMTYPE)
s.linkname = "/etc/passwd"
write("hostile-symlink.tar", [(s, None)])
h = info("task.yaml", b"", tarfile.LNKTYPE)
h.linkname = "other.yaml"
write("hostile-hardlink.tar", [(h, None)])
write("hostile-gnu-long-name.tar", [(info("n" * 150 + ".yaml", TASK), TASK)], fmt=tarfile.GNU_FORMAT)
write("hostile-pax-global.tar", [(info("task.yaml", TASK), TASK)], fmt=tarfile.PAX_FORMAT,
      pax={"comment": "a global header comes first"})
p = info("task.yaml", TASK)
p.pax_headers = {"path": "other/evil.yaml"}
write("hostile-pax-path.tar", [(p, TASK)], fmt=tarfile.PAX_FORMAT)

# PAX size override: the ustar header says the whole EVIL document, the PAX record says only its
# first bytes; Go's archive/tar reads the PAX size.
raw = bytearray(write("hostile-pax-size.tar", [(info("task.yaml", EVIL), EVIL)],
                      fmt=tarfile.PAX_FORMAT, pax={"comment": "x"}))
rec = b"%d size=%d\n"
body = None
for n in range(10, 100):
    cand = b"%d size=%d\n" % (n, len(TASK))
    if len(cand) == n:
        body = cand
        break
pax = bytearray(512)
hdr = tarfile.TarInfo("././@PaxHeader")
hdr.type = tarfile.XHDTYPE
hdr.size = len(body)
pax[:] = hdr.tobuf(tarfile.USTAR_FORMAT)
out = bytes(pax) + body + b"\0" * (512 - len(body))
inner = tarfile.TarInfo("task.yaml")
inner.size = len(EVIL)
inner.mode = 0o644
data = EVIL + b"\0" * ((512 - len(EVIL) % 512) % 512)
out += inner.tobuf(tarfile.USTAR_FORMAT) + data + b"\0" * 1024
with open("hostile-pax-size.tar", "wb") as f:
    f.write(out)

# Base-256 size (GNU): the first byte of the size field has its high bit set.
b = bytearray(write("hostile-base256-size.tar", [(info("task.yaml", TASK), TASK)]))
size = bytearray(12)
size[0] = 0x80
size[-4:] = len(TASK).to_bytes(4, "big")
b[124:136] = size
b[148:156] = b" " * 8
chk = sum(b[:512])
b[148:156] = b"%06o\0 " % chk
with open("hostile-base256-size.tar", "wb") as f:
    f.write(bytes(b))

# Trailing data after the one file: Tekton ignores it, a second reader might not.
good = write("hostile-trailing-data.tar", [(info("task.yaml", TASK), TASK)])
with open("hostile-trailing-data.tar", "wb") as f:
    f.write(good[:1024] + EVIL + good[1024 + len(EVIL):])

"""Memory and robustness of `import mapq`, each in a fresh interpreter:
slicing far into a big file and iterating every match over ~1 GiB stay in
a few MiB of resident memory (ru_maxrss of the child), and a file that
shrinks under a live memoryview does not kill the interpreter."""
import json
import os
import signal

import pytest

from conftest import SANITIZED, cli, make_log_lines, run_python

MiB = 1 << 20
GiB = 1 << 30


def child(code, *args):
    """Run code in a fresh interpreter; it prints one JSON object last."""
    p = run_python(code + "\n", timeout=300,
                   env={"MAPQ_TEST_ARGS": json.dumps(list(args))})
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout.splitlines()[-1])


PRELUDE = """
import json, os, resource, sys
ARGS = json.loads(os.environ["MAPQ_TEST_ARGS"])
def maxrss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
"""


@pytest.fixture(scope="module")
def sparse_2g(tmp_path_factory):
    """2 GiB: NUL holes, with 1 MiB of log text around the 1 GiB mark."""
    path = str(tmp_path_factory.mktemp("mem") / "sparse2g.log")
    text = ("\n".join(make_log_lines(9000, seed=3)) + "\n").encode()[:MiB]
    with open(path, "wb") as f:
        f.truncate(2 * GiB)
        f.seek(GiB - MiB // 2)
        f.write(text)
    yield path
    os.unlink(path)


def test_slice_4k_at_1g_of_2g(sparse_2g):
    code = PRELUDE + """
import mapq
base = maxrss_mib()
with mapq.open(ARGS[0]) as f:
    v = f.slice(bytes="1G:+4K")
    data = bytes(v)
    size = f.size
    lines = bytes(f.slice(bytes="1G:+4K", align=True))
rss = maxrss_mib()
with open(ARGS[0], "rb") as raw:
    raw.seek(1 << 30)
    same = raw.read(4096) == data
print(json.dumps({"rss": rss, "base": base, "same": same, "size": size,
                  "lines": lines.decode()}))
"""
    r = child(code, sparse_2g)
    assert r["same"] and r["size"] == 2 * GiB
    assert r["lines"].encode() == cli("slice", "--align", "-b", "1G:+4K",
                                      sparse_2g)
    if not SANITIZED:
        assert r["rss"] < 64, r


@pytest.fixture(scope="module")
def text_1g(tmp_path_factory):
    """~1 GiB of log text; one line in each 1 MiB block holds a rare
    literal."""
    path = str(tmp_path_factory.mktemp("mem") / "text1g.log")
    lines = make_log_lines(8000, seed=11)
    lines[4321] += " needle-7f3a"
    block = ("\n".join(lines) + "\n").encode()
    with open(path, "wb") as f:
        while f.tell() < GiB:
            f.write(block)
    yield path
    os.unlink(path)


def test_iterating_every_rare_match_over_1g(text_1g):
    code = PRELUDE + """
import mapq
n = 0
last = None
with mapq.open(ARGS[0]) as f:
    for m in f.grep("needle-7f3a", fixed=True):
        n += 1
        last = (m.line_number, m.offset, m.line.decode())
print(json.dumps({"rss": maxrss_mib(), "n": n, "last": last}))
"""
    r = child(code, text_1g)
    assert r["n"] == int(cli("grep", "-c", "-F", "needle-7f3a", text_1g))
    tail = cli("grep", "-n", "-b", "needle-7f3a", text_1g).splitlines()[-1]
    n, off, line = tail.split(b":", 2)
    assert r["last"] == [int(n), int(off), line.decode()]
    if not SANITIZED:
        assert r["rss"] < 96, r


TRUNCATE_CODE = PRELUDE + """
import mapq
path = ARGS[0]
out = {}
f = mapq.open(path)
view = f.slice()
it = f.grep("GET")
next(it)
os.truncate(path, 4096)
# Bytes that vanished read as zeros; the interpreter lives on.
out["head"] = bytes(view[:10]).decode()
out["lost"] = bytes(view[len(view) // 2:len(view) // 2 + 8]).hex()
out["tail"] = bytes(view[-8:]).hex()
for name, call in [("count", lambda: f.count("GET")),
                   ("stats", lambda: f.stats()),
                   ("slice", lambda: f.slice(bytes="0:10")),
                   ("grep", lambda: list(f.grep("GET"))),
                   ("iterator", lambda: list(it))]:
    try:
        call()
        out[name] = "no error"
    except mapq.Error as e:
        out[name] = [e.errno, e.filename, str(e)]
f.close()
# A fresh File sees the new size.
with mapq.open(path) as g:
    out["new_size"] = g.size
    out["new_count"] = g.count("GET")
print(json.dumps(out))
"""


def test_truncation_while_mapped(tmp_path):
    path = str(tmp_path / "shrinks.log")
    with open(path, "wb") as f:
        f.write(("\n".join(make_log_lines(20000, seed=2)) + "\n").encode())
    r = child(TRUNCATE_CODE, path)
    assert r["head"] == "2026-11-24"
    assert r["lost"] == "00" * 8 and r["tail"] == "00" * 8
    for name in ("count", "stats", "slice", "grep", "iterator"):
        errno_, filename, msg = r[name]
        assert errno_ is None and filename == path, (name, r[name])
        assert msg.startswith(path + ": ") and "shrank" in msg, r[name]
    assert r["new_size"] == 4096
    assert r["new_count"] == int(cli("grep", "-c", "GET", path))


def test_truncation_under_a_grep(tmp_path):
    # The library's own guarded reads turn it into mapq.Error as well.
    path = str(tmp_path / "shrinks.log")
    with open(path, "wb") as f:
        f.write(("\n".join(make_log_lines(20000, seed=4)) + "\n").encode())
    code = PRELUDE + """
import mapq
with mapq.open(ARGS[0]) as f:
    it = f.grep("GET", jobs=2)
    next(it)
    os.truncate(ARGS[0], 100)
    try:
        list(it)
        print(json.dumps("no error"))
    except mapq.Error as e:
        print(json.dumps([e.errno, e.filename, str(e)]))
"""
    errno_, filename, msg = child(code, path)
    assert errno_ is None and filename == path and "shrank" in msg


def test_other_sigbus_still_kills(tmp_path):
    # A fault outside mapq's mappings is not swallowed: Python's own
    # mmap of a truncated file dies of SIGBUS as without mapq.
    path = str(tmp_path / "other.bin")
    with open(path, "wb") as f:
        f.write(b"x" * (1 << 16))
    code = PRELUDE + """
import mmap, mapq
with mapq.open(ARGS[0]) as f:
    f.count("x")
    with open(ARGS[0], "rb") as raw:
        m = mmap.mmap(raw.fileno(), 0, prot=mmap.PROT_READ)
        os.truncate(ARGS[0], 0)
        print(m[40000])
"""
    p = run_python(code, env={"MAPQ_TEST_ARGS": json.dumps([path])})
    assert p.stdout == "", p.stdout  # the read never returned
    if not SANITIZED:  # ASan reports the fault its own way
        assert p.returncode == -signal.SIGBUS, (p.returncode, p.stderr)
    else:
        assert p.returncode != 0

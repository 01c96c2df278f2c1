"""Shared fixtures of the Python package's tests.

Environment (set by tests/CMakeLists.txt): MAPQ_CLI, the built `mapq`
command the package's answers are checked against; MAPQ_TESTDATA, the
repository's testdata/; PYTHONPATH, where `import mapq` finds the build.

Generated inputs (session-scoped, under one temporary directory):
  log_path       a realistic timestamped log (make_log, fixed seed), ~3 MiB
  log_zst        the same log compressed by `zstd` (a zstd stream)
  log_seekable   the same log through `mapq compress` (seekable format)
"""
import os
import random
import subprocess
import sys
import time

import pytest

CLI = os.environ.get("MAPQ_CLI", "mapq")
TESTDATA = os.environ.get(
    "MAPQ_TESTDATA",
    os.path.join(os.path.dirname(__file__), "..", "..", "testdata"))

# The plain-text fixtures of testdata/ every call is checked on.
FIXTURES = ["app.log", "blank-lines.txt", "crlf.txt", "empty.txt",
            "long-line.txt", "mixed-bytes.txt", "no-newline.txt",
            "one-line.txt"]

# An ASan build preloads the runtime: resident memory means nothing there.
SANITIZED = (os.environ.get("MAPQ_SANITIZED") == "1"
             or "libasan" in os.environ.get("LD_PRELOAD", ""))


def _arg(a):
    return a if isinstance(a, (bytes, str)) else str(a)


def cli(*args, input=None, stdin=None, ok=(0, 1)):
    """stdout of `mapq ARGS` (args: str, bytes or numbers), fed input
    (bytes, through a pipe) or stdin (an open file); its exit status must
    be one of ok."""
    p = subprocess.run([CLI, *map(_arg, args)], input=input, stdin=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert p.returncode in ok, (args, p.returncode, p.stderr)
    return p.stdout


def cli_fails(*args):
    """stderr of `mapq ARGS`, which must exit 2."""
    p = subprocess.run([CLI, *map(_arg, args)], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    assert p.returncode == 2, (args, p.returncode)
    return p.stderr.decode()


def data_file(name):
    return os.path.join(TESTDATA, name)


_HOSTS = ["web-01", "web-02", "db-primary", "cache-3", "worker-17"]
_LEVELS = ["DEBUG"] * 5 + ["INFO"] * 12 + ["WARN"] * 3 + ["ERROR"]
_PATHS = ["/api/v1/items", "/api/v1/users", "/login", "/static/app.js",
          "/api/v2/search", "/health"]
_WORDS = ("timeout refused retry upstream cache miss hit commit rollback "
          "connection reset peer slow query user café naïve Zürich").split()


def make_log_lines(n, seed=1234, start=1795478400.0):
    """n lines of a web service's log, sorted by an ISO-8601 timestamp,
    with what real logs have: levels, hosts, request lines, UTF-8 text,
    a few empty lines, continuation lines of a stack trace (no key), a
    long line now and then, and a line with a CR."""
    rng = random.Random(seed)
    t = start
    out = []
    while len(out) < n:
        t += rng.expovariate(20.0)
        sec = int(t)
        ms = int((t - sec) * 1000)
        tm = time.gmtime(sec)
        stamp = "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ" % (
            tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min,
            tm.tm_sec, ms)
        level = rng.choice(_LEVELS)
        host = rng.choice(_HOSTS)
        words = " ".join(rng.choice(_WORDS)
                         for _ in range(rng.randint(0, 8)))
        line = "%s %s app[%d]: %s %s %s status=%d dur_ms=%.1f %s" % (
            stamp, host, rng.randint(1000, 9999), level,
            rng.choice(["GET", "POST", "PUT"]), rng.choice(_PATHS),
            rng.choice([200, 200, 200, 201, 304, 404, 500, 503]),
            rng.uniform(0.1, 900.0), words)
        r = rng.random()
        if r < 0.002:
            line += " payload=" + "x" * rng.randint(2000, 9000)
        elif r < 0.004:
            line += "\r"
        out.append(line)
        if level == "ERROR" and rng.random() < 0.3:
            out.append("Traceback (most recent call last):")
            out.append('  File "app.py", line %d, in handler' %
                       rng.randint(1, 999))
            out.append("ConnectionError: peer reset")
        if rng.random() < 0.003:
            out.append("")
    return out[:n]


def make_log(path, n=25000, seed=1234):
    data = ("\n".join(make_log_lines(n, seed)) + "\n").encode()
    with open(path, "wb") as f:
        f.write(data)
    return path


@pytest.fixture(scope="session")
def gen_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("mapq-gen")


@pytest.fixture(scope="session")
def log_path(gen_dir):
    return str(make_log(gen_dir / "service.log"))


@pytest.fixture(scope="session")
def log_zst(gen_dir, log_path):
    out = str(gen_dir / "service.log.zst")
    subprocess.run(["zstd", "-q", "-f", "-o", out, log_path], check=True)
    return out


@pytest.fixture(scope="session")
def log_seekable(gen_dir, log_path):
    out = str(gen_dir / "service.log.szst")
    cli("compress", "--frame-size=256K", "-o", out, log_path, ok=(0,))
    return out


def run_python(code, timeout=120, env=None):
    """Run code in a fresh interpreter (same PYTHONPATH); returns the
    CompletedProcess (stdout, stderr as text)."""
    e = dict(os.environ)
    if env:
        e.update(env)
    return subprocess.run([sys.executable, "-c", code], env=e,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, timeout=timeout)

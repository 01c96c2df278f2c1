"""mapq.dask on a real distributed.LocalCluster (two worker processes):
count, grep, stats and range over several files cut into many shards give
exactly what the mapq command gives for the same question on one machine;
a worker killed in the middle of a job does not change the answer; and
`python3 -m mapq.dask` prints what the command prints.
"""
# needs: dask distributed

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from distributed import Client, LocalCluster

import mapq
import mapq.dask
from conftest import cli, cli_fails, make_log_lines
from conftest import TESTDATA


def fixture_path(name):
    """A file of the repository's testdata/."""
    return os.path.join(TESTDATA, name)


@pytest.fixture(scope="module")
def client():
    """A LocalCluster of two single-threaded worker processes (they inherit
    PYTHONPATH, so they import this build's mapq) and its client."""
    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                           dashboard_address=None,
                           silence_logs=logging.CRITICAL)
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Inputs of every kind, a few MiB in all: generated logs (one with
    CR LF, NUL bytes, invalid UTF-8 and multi-byte text, one without a final
    newline), fixtures of testdata/, an empty file, and a log compressed as
    a zstd stream and in mapq's seekable format."""
    d = tmp_path_factory.mktemp("mapq-dask")
    out = []

    a = d / "a.log"
    a.write_bytes(("\n".join(make_log_lines(30000, seed=7)) + "\n").encode())
    out.append(str(a))

    # Noise: CR LF endings, NULs, invalid and multi-byte UTF-8, empty lines.
    lines = make_log_lines(20000, seed=8)
    noisy = []
    for i, line in enumerate(lines):
        b = line.encode()
        if i % 97 == 0:
            b += b"\r"
        if i % 211 == 0:
            b += b" bad=\xff\xc3 nul=\x00 \xe6\x97\xa5\xe6\x9c\xac"
        if i % 301 == 0:
            b = b""
        noisy.append(b)
    b_path = d / "b.log"
    b_path.write_bytes(b"\n".join(noisy) + b"\n")
    out.append(str(b_path))

    c = d / "c-no-final-newline.log"
    c.write_bytes("\n".join(make_log_lines(9000, seed=9)).encode())
    out.append(str(c))

    e = d / "empty.log"
    e.write_bytes(b"")
    out.append(str(e))

    out += [fixture_path("app.log"), fixture_path("no-newline.txt"),
            fixture_path("mixed-bytes.txt"), fixture_path("crlf.txt")]

    z = str(d / "a.log.zst")
    subprocess.run(["zstd", "-q", "-f", "-o", z, str(a)], check=True)
    out.append(z)
    s = str(d / "c.log.szst")
    cli("compress", "--frame-size=64K", "-o", s, str(c), ok=(0,))
    out.append(s)
    return out


@pytest.fixture(scope="module")
def sorted_logs(tmp_path_factory):
    """Two logs sorted by their timestamps (continuation lines dropped),
    the second later than the first, and the second without a final
    newline."""
    d = tmp_path_factory.mktemp("mapq-dask-sorted")
    lines = [x for x in make_log_lines(40000, seed=11) if x[:1].isdigit()]
    half = len(lines) // 2
    p1, p2 = d / "app.log.1", d / "app.log"
    p1.write_bytes(("\n".join(lines[:half]) + "\n").encode())
    p2.write_bytes("\n".join(lines[half:]).encode())
    return [str(p1), str(p2)], lines[0][:13], lines[half][:13], lines[-1][:13]


def cli_grep_records(args, paths):
    """`mapq grep -a -n -b -H ARGS PATHS` as (path, line, offset, text)."""
    out = []
    for rec in cli("grep", "-a", "-n", "-b", "-H", *args, *paths).split(b"\n")[:-1]:
        path, number, offset, text = rec.split(b":", 3)
        out.append((path.decode(), int(number), int(offset), text))
    return out


GREP_CASES = [
    ("ERROR", {}, []),
    ("timeout", {"fixed": True, "ignore_case": True}, ["-F", "-i"]),
    ("peer", {"word": True, "invert": True}, ["-w", "-v"]),
    (r"status=50\d", {"max_count": 7}, ["-m", "7"]),
    ([r"caf\xe9", "Traceback", "^$"], {}, ["-e", r"caf\xe9", "-e",
                                         "Traceback", "-e", "^$"]),
    ("ConnectionError: peer reset", {"line": True}, ["-x"]),
]


# -w -v selects most lines: counted only, to keep the file quick.
@pytest.mark.parametrize("pattern,options,flags",
                         [c for c in GREP_CASES if "invert" not in c[1]])
def test_grep_equals_cli(client, files, pattern, options, flags):
    """Records in file and line order with whole-file numbers, shards of
    every file searched apart (16 per file)."""
    args = flags if isinstance(pattern, list) else flags + ["--", pattern]
    want = cli_grep_records(args, files)
    bag = mapq.dask.grep(files, pattern, client=client, shards=16, **options)
    assert bag.npartitions > len(files)
    assert bag.compute() == want


@pytest.mark.parametrize("pattern,options,flags", GREP_CASES)
def test_count_equals_cli(client, files, pattern, options, flags):
    args = flags if isinstance(pattern, list) else flags + ["--", pattern]
    want = [int(n) for n in cli("grep", "-a", "-c", "-h", *args,
                                *files).split()]
    assert mapq.dask._counts(files, pattern, client=client, shards=7,
                             **options) == want
    assert mapq.dask.count(files, pattern, client=client, shards=7,
                           **options) == sum(want)


def test_count_default_shards_and_scheduler(client, files):
    """Without client= the default client (the fixture's) is used; without
    shards= one shard per 64 MiB."""
    want = sum(int(n) for n in cli("grep", "-a", "-c", "-h", "GET",
                                   *files).split())
    assert mapq.dask.count(files, "GET") == want


@pytest.mark.parametrize("shards", [1, 16])
def test_stats_equal_cli(client, files, shards):
    """Merged shard statistics equal `mapq stats --json` of each file:
    seams never split a line, a CR LF pair or a UTF-8 sequence (the
    invalid-UTF-8 counts, empty lines and the longest line agree); the
    entropy is the same double."""
    want = [json.loads(x) for x in cli("stats", "--json", *files).splitlines()]
    got = mapq.dask.stats(files, client=client, shards=shards)
    assert got == want[:-1]
    assert mapq.dask.total(got) == want[-1]


def test_stats_seams_inside_utf8(client, tmp_path):
    """Line-aligned shards of a file packed with multi-byte and invalid
    UTF-8 and CRs: the merged figures are the whole file's."""
    p = tmp_path / "utf8.txt"
    chunk = "日本語テキスト café\r\n".encode() + b"\xf0\x9f\x98\x80\xe2\x82\n\xc3\n"
    p.write_bytes(chunk * 5000 + b"tail \xe6\x97")
    want = json.loads(cli("stats", "--json", p))
    assert mapq.dask.stats(str(p), client=client, shards=33) == [want]


def test_range_equals_cli(client, sorted_logs):
    """The lines of each file's window, files in the order given, lines
    without their newlines, against `mapq range` on each file."""
    paths, first, middle, last = sorted_logs
    for lo, hi in [(first, last), (first[:12], middle), (middle, None),
                   ("2000", "2001")]:
        want = []
        for p in paths:
            args = ["range", "--from", lo] + ([] if hi is None else
                                              ["--to", hi]) + [p]
            text = cli(*args)
            want += text.split(b"\n")[:-1] if text.endswith(b"\n") else \
                text.split(b"\n") if text else []
        old = mapq.dask.SHARD_SIZE
        mapq.dask.SHARD_SIZE = 64 << 10  # many pieces per window
        try:
            bag = mapq.dask.range(paths, lo, hi, client=client)
        finally:
            mapq.dask.SHARD_SIZE = old
        assert bag.compute() == want


def test_bad_pattern_and_missing_file(client, files):
    with pytest.raises(ValueError):
        mapq.dask.count(files[:1], "(", client=client, shards=3)
    with pytest.raises(OSError):
        mapq.dask.count(["/nonexistent/mapq-dask"], "x", client=client)
    with pytest.raises(TypeError):
        mapq.dask.count(files[:1], "x", client=client, bytes=(0, 10))


# ---------------------------------------------------------------- #
# python3 -m mapq.dask                                              #
# ---------------------------------------------------------------- #

def run_module(*args):
    return subprocess.run([sys.executable, "-m", "mapq.dask", *args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=120)


def test_module_against_cluster(client, files):
    addr = client.scheduler.address
    text = files[:3] + files[4:7]  # no zstd: keep it quick
    p = run_module("grep", "--scheduler", addr, "--shards", "5", "-i",
                   "-e", "error", *text)
    assert p.returncode == 0, p.stderr
    assert p.stdout == cli("grep", "-a", "-n", "-H", "-i", "-e", "error",
                           *text)
    p = run_module("stats", "--scheduler", addr, "--shards", "9", *text)
    assert p.returncode == 0, p.stderr
    assert p.stdout == cli("stats", "--json", *text)


def test_module_local_cluster(files):
    """Without --scheduler: a cluster in this process."""
    p = run_module("count", "ERROR", files[0])
    assert p.returncode == 0, p.stderr
    assert p.stdout == cli("grep", "-c", "ERROR", files[0])


def test_without_client_local_scheduler(files):
    """No distributed client in the process: Dask's local scheduler."""
    code = ("import sys, mapq.dask\n"
            "f = sys.argv[1:]\n"
            "print(mapq.dask.count(f, 'ERROR', shards=7))\n"
            "print(len(mapq.dask.grep(f, 'ERROR', shards=7).compute()))\n"
            "print(mapq.dask.stats(f, shards=7)[0]['lines'])\n")
    p = subprocess.run([sys.executable, "-c", code, *files[:2]],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    assert p.returncode == 0, p.stderr
    n = sum(int(x) for x in cli("grep", "-a", "-c", "-h", "ERROR",
                                *files[:2]).split())
    lines = json.loads(cli("stats", "--json", files[0]))["lines"]
    assert p.stdout == b"%d\n%d\n%d\n" % (n, n, lines)


def main_output(capsysbinary, *args):
    """(exit status, stdout, stderr) of mapq.dask.main(ARGS), in this
    process (what `python3 -m mapq.dask ARGS` runs)."""
    status = mapq.dask.main(list(args))
    out, err = capsysbinary.readouterr()
    return status, out, err


def test_main_count_and_exit_status(client, files, capsysbinary):
    addr = client.scheduler.address
    text = files[:3] + files[4:7]
    assert main_output(capsysbinary, "count", "--scheduler=" + addr, "-Fw",
                       "GET", *text) == (0, cli("grep", "-a", "-c", "-Fw",
                                                "GET", *text), b"")
    assert main_output(capsysbinary, "count", "--scheduler", addr, "-m3",
                       "--shards=4", "GET", text[0]) == (
        0, cli("grep", "-c", "-m3", "GET", text[0]), b"")
    assert main_output(capsysbinary, "grep", "--scheduler", addr,
                       "no such line", *text)[:2] == (1, b"")
    assert main_output(capsysbinary, "count", "--scheduler", addr,
                       "no such line", text[0])[:2] == (1, b"0\n")
    missing = "/nonexistent/mapq-dask.log"
    assert main_output(capsysbinary, "count", "--scheduler", addr, "x",
                       missing) == (2, b"", cli_fails("grep", "-c", "x",
                                                      missing).encode())


@pytest.mark.parametrize("args", [[], ["frobnicate", "x", "f"],
                                  ["grep", "--shards", "0", "x", "f"],
                                  ["grep", "-Q", "x", "f"], ["grep", "x"],
                                  ["count", "-m", "many", "x", "f"],
                                  ["stats", "-"]])
def test_main_usage_errors(args, capsysbinary):
    status, out, err = main_output(capsysbinary, *args)
    assert (status, out) == (2, b"")
    assert err.startswith(b"mapq dask: ")


def test_module_usage_error():
    p = run_module("grep", "--bogus", "x", "f")
    assert (p.returncode, p.stdout) == (2, b"")
    assert p.stderr.startswith(b"mapq dask: unrecognized option '--bogus'")


# ---------------------------------------------------------------- #
# A worker killed mid-job (last: it restarts a worker)              #
# ---------------------------------------------------------------- #

def scheduler_progress(dask_scheduler=None):
    """On the scheduler: (count-shard tasks done, count-shard tasks)."""
    ts = [t for k, t in dask_scheduler.tasks.items()
          if str(k).startswith("_count_shard")]
    return sum(t.state == "memory" for t in ts), len(ts)


def test_worker_killed_mid_job(client, files):
    """SIGKILL one worker process after some tasks finished: its running
    task and the results it held are computed again on the other worker
    (then on its restarted self), and the count is still exact."""
    work = files[:3]  # 60 shards each: 180 tasks
    pattern = r"(?i)(\w+)\s+(?:\w+\s+)*?(?:rollback|commit)\s+\1"
    want = sum(int(n) for n in cli("grep", "-a", "-c", "-h", "--", pattern,
                                   *work).split())
    pids = set(client.run(os.getpid).values())
    assert len(pids) == 2
    result = {}

    def job():
        try:
            result["count"] = mapq.dask.count(work, pattern, client=client,
                                              shards=60)
        except BaseException as e:  # reported below
            result["error"] = e

    t = threading.Thread(target=job)
    t.start()
    victim = sorted(pids)[0]
    killed_mid_job = False
    deadline = time.monotonic() + 60
    while t.is_alive() and time.monotonic() < deadline:
        done, total = client.run_on_scheduler(scheduler_progress)
        if total and 5 <= done <= total - 30:
            os.kill(victim, signal.SIGKILL)
            killed_mid_job = t.is_alive()
            break
        time.sleep(0.005)
    t.join(90)
    assert not t.is_alive()
    assert "error" not in result, result.get("error")
    assert killed_mid_job, "the job ended before a worker could be killed"
    assert result["count"] == want
    # The nanny restarted the worker: two workers again, one of them new.
    client.wait_for_workers(2, timeout=60)
    now = set(client.run(os.getpid).values())
    assert victim not in now and len(now) == 2

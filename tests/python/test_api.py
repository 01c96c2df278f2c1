"""Every call of `import mapq` against what the `mapq` command prints for
the same question, on testdata/ and on generated logs (plain, zstd stream,
seekable zstd, standard input)."""
import errno
import json
import os
import subprocess
import sys
import threading

import pytest

import mapq
from conftest import (FIXTURES, cli, cli_fails, make_log, run_python,
                      data_file)

ALL_FIXTURES = [data_file(n) for n in FIXTURES]


@pytest.fixture(params=["plain", "zstd", "seekable"])
def any_log(request, log_path, log_zst, log_seekable):
    return {"plain": log_path, "zstd": log_zst,
            "seekable": log_seekable}[request.param]


# ------------------------------------------------------------------
# Records as the CLI prints them
# ------------------------------------------------------------------

def cli_records(path, *opts, stdin=None):
    """[(line_number, offset, line)] from `mapq grep -n -b -a`."""
    out = cli("grep", "-n", "-b", "-a", *opts, path, **_feed(stdin))
    recs = []
    for row in out.split(b"\n")[:-1]:
        n, off, line = row.split(b":", 2)
        recs.append((int(n), int(off), line))
    return recs


def cli_matches(path, *opts):
    """[(line_number, byte offset of the match, match)] from -o."""
    out = cli("grep", "-n", "-b", "-o", "-a", *opts, path)
    res = []
    for row in out.split(b"\n")[:-1]:
        n, off, text = row.split(b":", 2)
        res.append((int(n), int(off), text))
    return res


def py_records(f, pattern, **kw):
    return [(m.line_number, m.offset, m.line) for m in f.grep(pattern, **kw)]


def py_matches(f, pattern, **kw):
    return [(m.line_number, m.offset + s, m.line[s:e])
            for m in f.grep(pattern, **kw) for s, e in m.spans]


# ------------------------------------------------------------------
# Module and File basics
# ------------------------------------------------------------------

def test_version_is_the_commands():
    assert cli("--version", ok=(0,)).decode().split() == \
        ["mapq", mapq.__version__]


def test_help_reads_like_a_manual():
    doc = mapq.__doc__
    for section in ("SYNOPSIS", "DESCRIPTION", "RANGES", "ERRORS",
                    "TRUNCATION"):
        assert section in doc
    for fn in (mapq.open, mapq.File.slice, mapq.File.grep, mapq.File.count,
               mapq.File.stats, mapq.File.range, mapq.File.split):
        assert fn.__doc__ and fn.__annotations__


@pytest.mark.parametrize("path", ALL_FIXTURES)
def test_size_and_name(path):
    with mapq.open(path) as f:
        assert f.size == os.path.getsize(path)
        assert f.name == path
        assert not f.closed
    assert f.closed


def test_size_of_compressed_input(log_path, log_zst, log_seekable):
    size = os.path.getsize(log_path)
    with mapq.open(log_seekable) as f:
        assert f.size == size
    with mapq.open(log_zst) as f:
        assert f.size is None  # a zstd stream: not known until measured
        assert f.measure() == size
        assert f.size == size
    with mapq.open(log_zst, decompress=False) as f:
        assert f.size == os.path.getsize(log_zst)


def test_pathlike_and_bytes_paths(log_path):
    import pathlib
    with mapq.open(pathlib.Path(log_path)) as f:
        assert f.name == log_path
        assert f.count("ERROR") == int(cli("grep", "-c", "ERROR", log_path))
    with mapq.open(os.fsencode(log_path)) as f:
        assert f.size == os.path.getsize(log_path)


# ------------------------------------------------------------------
# slice
# ------------------------------------------------------------------

BYTE_RANGES = ["0:10", "1:+3", "5", "-4K:", "100:50", "1K:2K", ":", "0:0",
               "-1:", "10M:"]
LINE_RANGES = ["1", "2:3", "-2:", "1:+100", "3:", "-1000:-990", "100:2"]


@pytest.mark.parametrize("path", ALL_FIXTURES)
def test_slice_fixtures(path):
    with mapq.open(path) as f:
        assert bytes(f.slice()) == cli("slice", path)
        for r in BYTE_RANGES:
            assert bytes(f.slice(bytes=r)) == cli("slice", "-b", r, path), r
            assert bytes(f.slice(bytes=r, align=True)) == \
                cli("slice", "--align", "-b", r, path), r
        for r in LINE_RANGES:
            assert bytes(f.slice(lines=r)) == cli("slice", "-l", r, path), r


def test_slice_logs(any_log):
    with mapq.open(any_log) as f:
        for r in ["1M:+4K", "-3K:", "2000:9000", "1:+1"]:
            v = f.slice(bytes=r)
            assert isinstance(v, memoryview) and v.readonly
            assert bytes(v) == cli("slice", "-b", r, any_log), r
            assert bytes(f.slice(bytes=r, align=True)) == \
                cli("slice", "--align", "-b", r, any_log), r
        for r in ["-50:", "1000:+20", "7"]:
            assert bytes(f.slice(lines=r)) == cli("slice", "-l", r, any_log)


def test_slice_pairs_are_the_range_text(log_path):
    with mapq.open(log_path) as f:
        assert bytes(f.slice(bytes=(100, 200))) == \
            bytes(f.slice(bytes="100:200"))
        assert bytes(f.slice(bytes=(-300, None))) == \
            bytes(f.slice(bytes="-300:"))
        assert bytes(f.slice(lines=(5, 9))) == cli("slice", "-l", "5:9",
                                                    log_path)
        assert bytes(f.slice(lines=(None, 3))) == bytes(f.slice(lines=":3"))


def test_slice_of_mapped_file_is_zero_copy(gen_dir, log_path):
    # A view into a MAP_PRIVATE mapping shows what write(2) puts in the
    # file later (pages it has not copied); a copy would not.
    path = str(gen_dir / "zero-copy.log")
    with open(log_path, "rb") as src, open(path, "wb") as out:
        out.write(src.read())
    with mapq.open(path) as f:
        v = f.slice(bytes="1M:+16")
        w = f.slice(lines="2")
        fd = os.open(path, os.O_WRONLY)
        try:
            os.pwrite(fd, b"0123456789abcdef", 1 << 20)
            os.pwrite(fd, b"SECOND", len(bytes(f.slice(lines="1"))))
        finally:
            os.close(fd)
        assert bytes(v) == b"0123456789abcdef"
        assert bytes(w[:6]) == b"SECOND"
    with mapq.open(path) as f:
        assert bytes(f.slice(bytes="1M:+16")) == b"0123456789abcdef"


def test_slice_views_outlive_close(log_path):
    f = mapq.open(log_path)
    v = f.slice(bytes="1K:+2K")
    w = v[10:20]
    f.close()
    assert f.closed
    with pytest.raises(ValueError):
        f.slice()
    with pytest.raises(ValueError):
        f.count("x")
    with pytest.raises(ValueError):
        f.size
    expected = cli("slice", "-b", "1K:+2K", log_path)
    assert bytes(v) == expected and bytes(w) == expected[10:20]
    v.release()
    assert bytes(w) == expected[10:20]
    del w
    f.close()  # twice is fine


def test_slice_arguments():
    with mapq.open(data_file("app.log")) as f:
        with pytest.raises(ValueError):
            f.slice(bytes="0:1", lines="1")
        with pytest.raises(ValueError) as e:
            f.slice(bytes="1:x")
        assert str(e.value) in cli_fails("slice", "-b", "1:x",
                                         data_file("app.log"))
        with pytest.raises(ValueError):
            f.slice(lines="0")
        with pytest.raises(ValueError):
            f.slice(bytes="99999999999999999999T")
        with pytest.raises(TypeError):
            f.slice(bytes=1.5)


# ------------------------------------------------------------------
# grep and count
# ------------------------------------------------------------------

GREP_CASES = [
    ("ERROR", {}, []),
    ("error", {"ignore_case": True}, ["-i"]),
    ("GET /api", {"fixed": True}, ["-F"]),
    ("a.b", {"fixed": True}, ["-F"]),
    ("miss", {"word": True}, ["-w"]),
    ("ConnectionError: peer reset", {"line": True}, ["-x"]),
    ("status=200", {"invert": True}, ["-v"]),
    (r"dur_ms=8\d\d\.\d", {}, []),
    ("caf\u00e9|Z\u00fcrich", {}, []),
    ("^$", {}, []),
    ("WARN", {"max_count": 7}, ["-m", "7"]),
    ("x*", {}, []),
]


@pytest.mark.parametrize("pattern,kw,opts", GREP_CASES)
def test_grep_records_like_cli(log_path, pattern, kw, opts):
    with mapq.open(log_path) as f:
        got = py_records(f, pattern, **kw)
        assert got == cli_records(log_path, *opts, "-e", pattern)
        assert f.count(pattern, **kw) == len(got) == \
            int(cli("grep", "-c", "-a", *opts, "-e", pattern, log_path))
        if not kw.get("invert"):
            assert py_matches(f, pattern, **kw) == \
                cli_matches(log_path, *opts, "-e", pattern)


@pytest.mark.parametrize("path", ALL_FIXTURES)
def test_grep_fixtures(path):
    with mapq.open(path) as f:
        for pattern, opts in [("e", []), ("^", []), ("\\r$", []),
                              ("[^\\x00-\\x7f]", []), ("x", ["-v"]),
                              ("\\x00", [])]:
            kw = {"invert": True} if opts == ["-v"] else {}
            assert py_records(f, pattern, **kw) == \
                cli_records(path, *opts, "-e", pattern), pattern
            assert f.count(pattern, **kw) == \
                int(cli("grep", "-c", "-a", *opts, "-e", pattern, path))


def test_grep_compressed_and_ranges(any_log):
    with mapq.open(any_log) as f:
        for rng in [{}, {"bytes": "1M:+300K"}, {"lines": "-2000:"},
                    {"lines": "5000:6000"}, {"bytes": "-100K:"}]:
            opts = []
            if "bytes" in rng:
                opts = ["--bytes=" + rng["bytes"]]
            if "lines" in rng:
                opts = ["--lines=" + rng["lines"]]
            assert py_records(f, "ERROR|timeout", **rng) == \
                cli_records(any_log, *opts, "ERROR|timeout"), rng
            assert f.count("ERROR", **rng) == \
                int(cli("grep", "-c", *opts, "ERROR", any_log))


def test_several_patterns_and_newlines(log_path):
    with mapq.open(log_path) as f:
        want = cli_records(log_path, "-e", "refused", "-e", b"caf\xc3\xa9")
        assert py_records(f, ["refused", b"caf\xc3\xa9"]) == want
        assert py_records(f, "refused\ncaf\u00e9") == want
        assert f.count(["503", "404"], fixed=True) == \
            int(cli("grep", "-c", "-F", "-e", "503", "-e", "404", log_path))
        assert py_records(f, []) == []
        assert f.count([], invert=True) == cli_stats(log_path)["lines"]


def test_jobs_do_not_change_results(gen_dir):
    # Big enough for several pieces of the threaded grep.
    path = str(gen_dir / "jobs.log")
    make_log(path, n=150000, seed=7)
    with mapq.open(path) as f:
        for pattern, kw in [("ERROR", {}), ("status=20", {"invert": True}),
                            ("peer", {"max_count": 1000})]:
            one = py_records(f, pattern, jobs=1, **kw)
            assert one == py_records(f, pattern, jobs=2, **kw)
            assert one == py_records(f, pattern, jobs=0, **kw)
            assert f.count(pattern, jobs=2, **kw) == len(one)
        assert one == cli_records(path, "-m", "1000", "peer")


def test_max_count_zero_and_arguments(log_path):
    with mapq.open(log_path) as f:
        assert list(f.grep("ERROR", max_count=0)) == []
        assert f.count("ERROR", max_count=0) == 0
        with pytest.raises(ValueError):
            f.grep("x", max_count=-1)
        with pytest.raises(ValueError):
            f.grep("x", jobs=-1)
        with pytest.raises(TypeError):
            f.grep(3)
        with pytest.raises(ValueError):
            f.grep("x", bytes="1:2", lines="1")


def test_bad_pattern_is_value_error(log_path):
    with mapq.open(log_path) as f:
        with pytest.raises(ValueError) as e:
            f.grep("a(")
        assert str(e.value) in cli_fails("grep", "a(", log_path)
        with pytest.raises(ValueError):
            f.count("[z-a]")
        with pytest.raises(ValueError):
            f.grep("x", lines="0:")


def test_match_type(log_path):
    with mapq.open(log_path) as f:
        m = next(f.grep("ERROR"))
    assert isinstance(m, mapq.Match)
    assert m.line_number >= 1 and isinstance(m.line, bytes)
    assert all(m.line[s:e] == b"ERROR" for s, e in m.spans)
    assert "line_number=" in repr(m)


def test_binary_data_is_text(gen_dir):
    path = str(gen_dir / "binary.bin")
    with open(path, "wb") as out:
        out.write(b"abc\x00 match one\nplain\nmatch\x00two\n\x00\x00\n")
    with mapq.open(path) as f:
        got = py_records(f, "match")
        assert got == cli_records(path, "match")
        assert len(got) == f.count("match") == 2


def test_grep_stops_when_dropped(gen_dir):
    # A 64 MiB file searched by several threads: breaking out after one
    # match and dropping the iterator stops them (the process is back to
    # its threads), without reading on to the end.
    path = str(gen_dir / "big64.log")
    block = ("\n".join(make_log_lines_cached()) + "\n").encode()
    with open(path, "wb") as out:
        while out.tell() < 64 << 20:
            out.write(block)
    before = len(os.listdir("/proc/self/task"))
    with mapq.open(path) as f:
        it = f.grep("GET", jobs=2)
        first = next(it)
        assert (first.line_number, first.offset, first.line) == \
            cli_records(path, "-m", "1", "GET")[0]
        for m in it:
            break
        del it, m
        assert len(os.listdir("/proc/self/task")) == before
        it = f.grep("GET", jobs=2)
        next(it)
        it.close()
        assert len(os.listdir("/proc/self/task")) == before
        with pytest.raises(StopIteration):
            next(it)


_LINES = []


def make_log_lines_cached():
    from conftest import make_log_lines
    if not _LINES:
        _LINES.extend(make_log_lines(5000, seed=99))
    return _LINES


# ------------------------------------------------------------------
# Threads: the GIL is released during library calls
# ------------------------------------------------------------------

def test_fifo_grep_in_a_thread(tmp_path):
    # The reader blocks in open() and read() inside the library; the
    # writer is this thread.  With the GIL held there, this deadlocks.
    fifo = str(tmp_path / "fifo")
    os.mkfifo(fifo)
    result = {}

    def reader():
        try:
            with mapq.open(fifo) as f:
                result["size"] = f.size
                result["recs"] = py_records(f, "x")
        except BaseException as e:  # reported below
            result["error"] = e

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    lines = [b"line %d %s" % (i, b"x" if i % 7 == 0 else b"y")
             for i in range(3000)]
    with open(fifo, "wb") as w:
        for line in lines:
            w.write(line + b"\n")
            w.flush()
    t.join(60)
    assert not t.is_alive(), "the reader holds the GIL in the library"
    assert "error" not in result, result.get("error")
    assert result["size"] is None
    want = cli_records("-", "x", stdin=b"".join(l + b"\n" for l in lines))
    assert result["recs"] == want


def test_two_threads_two_files(gen_dir, log_path):
    other = str(gen_dir / "other.log")
    make_log(other, n=30000, seed=5)
    serial = {p: py_records(mapq.open(p), "ERROR|refused")
              for p in (log_path, other)}
    results = {}

    def work(p):
        with mapq.open(p) as f:
            results[p] = py_records(f, "ERROR|refused", jobs=2)

    ts = [threading.Thread(target=work, args=(p,)) for p in serial]
    for t in ts:
        t.start()
    for t in ts:
        t.join(120)
    assert results == serial
    assert serial[other] == cli_records(other, "ERROR|refused")


def test_one_file_shared_by_threads(log_path):
    with mapq.open(log_path) as f:
        want = f.count("timeout")
        got = []
        ts = [threading.Thread(target=lambda: got.append(f.count("timeout")))
              for _ in range(4)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        assert got == [want] * 4


# ------------------------------------------------------------------
# stats
# ------------------------------------------------------------------

def _feed(stdin):
    """cli() keywords for standard input: bytes through a pipe, or an
    open file."""
    if stdin is None:
        return {}
    return {"input": stdin} if isinstance(stdin, bytes) else {"stdin": stdin}


def cli_stats(path, *opts, stdin=None):
    return json.loads(cli("stats", "--json", *opts, path, **_feed(stdin)))


@pytest.mark.parametrize("path", ALL_FIXTURES)
def test_stats_fixtures(path):
    with mapq.open(path) as f:
        got = f.stats()
        assert got == cli_stats(path)
        assert list(got) == list(cli_stats(path))  # the same key order
        assert len(got["histogram"]) == 256
        assert f.stats(jobs=1) == got


def test_stats_logs_and_ranges(any_log):
    with mapq.open(any_log) as f:
        assert f.stats() == cli_stats(any_log)
        for opt, r in [("-b", "1M:+512K"), ("-l", "-1000:"),
                       ("-l", "300:700"), ("-b", "-10K:")]:
            kw = {"bytes": r} if opt == "-b" else {"lines": r}
            assert f.stats(jobs=2, **kw) == cli_stats(any_log, opt, r), r


def test_stats_first_line_hook(log_path):
    # mapq.dask's hook: the number of the range's first line, given.
    start, end = 1 << 20, 2 << 20
    with mapq.open(log_path) as f:
        n = f._newlines(0, start)
        assert n == f.slice(bytes=(0, start)).tobytes().count(b"\n")
        whole = f.stats(bytes=(start, end))
        assert f.stats(bytes=(start, end), _first_line=n + 1) == whole


# ------------------------------------------------------------------
# range and split
# ------------------------------------------------------------------

def cli_offsets(path, *opts, stdin=None):
    a, b = cli("range", "--offsets", *opts, path,
               **_feed(stdin)).split(b":")
    return int(a), int(b)


# The service log is sorted by its timestamp, but tracebacks follow some
# lines: the timestamp (a regex group; lines without one are keyless) or a
# time key orders it, the whole line does not (mapq-range(1)).
STAMP = r"^(\d{4}-\S+)"


def range_both(path, f, lo, hi, opts, **kw):
    """File.range and `mapq range --offsets` agree: the same window, or
    the same error (exit 2 and mapq.Error) when the lines are not in
    order where they were looked at."""
    args = ["--from", lo] + (["--to", hi] if hi else []) + opts
    try:
        got = f.range(lo, hi, **kw)
    except mapq.Error as e:
        assert str(e) in cli_fails("range", *args, path), (lo, hi, kw)
        return None
    assert got == cli_offsets(path, *args), (lo, hi, kw)
    return got


def test_range_like_cli(any_log):
    with mapq.open(any_log) as f:
        for lo, hi in [("2026-11-24T00:05", "2026-11-24T00:06"),
                       ("2026-11-24T00:10", None), ("2027", None),
                       ("2026-11-24T00:07:3", "2026-11-24T00:07:31"),
                       ("", "2026-11-24T00:01"), ("b", "a")]:
            assert range_both(any_log, f, lo, hi, ["--key-regex", STAMP],
                              key_regex=STAMP) is not None
        for lo, hi in [("2026-11-24T00:05", "2026-11-24T00:06"),
                       ("2026-11-24T00:07:30", "2026-11-24T00:07:31"),
                       ("2026-11-24T00:10", None)]:
            a = range_both(any_log, f, lo, hi, ["--time-format", "iso"],
                           time_format="iso")
            assert a == f.range(lo, hi, key_regex=STAMP)
            assert range_both(any_log, f, lo, hi,
                              ["--time-format", "iso", "--slack", "2s"],
                              time_format="iso", slack="2s") == a
        # Not sorted by these keys: an error, or (input read forward,
        # which stops at the window's end) a window, alike in both.
        range_both(any_log, f, "web-02", "web-03", ["--field", "2"],
                   field=2)
        range_both(any_log, f, "00:0", None, ["--field", "2", "-d", "T"],
                   field=2, delimiter="T")
        range_both(any_log, f, "2026-11-24T00:03", "2026-11-24T00:04", [])


def test_range_fixture_and_errors():
    path = data_file("app.log")
    with mapq.open(path) as f:
        assert f.range("2026-11-24T10", "2026-11-24T11") == \
            cli_offsets(path, "--from", "2026-11-24T10", "--to",
                        "2026-11-24T11")
        with pytest.raises(ValueError) as e:
            f.range("x", key_regex="a(")
        assert str(e.value) in cli_fails("range", "--from", "x",
                                         "--key-regex", "a(", path)
        with pytest.raises(ValueError):
            f.range("x", field=0)
        with pytest.raises(ValueError):
            f.range("x", field=1, key_regex="a")
        with pytest.raises(ValueError):
            f.range("x", delimiter=",")
        with pytest.raises(ValueError):
            f.range("x", field=1, delimiter=",,")


@pytest.mark.parametrize("path", ALL_FIXTURES)
def test_split_fixtures(path):
    with mapq.open(path) as f:
        for n in (1, 2, 3, 7, 64):
            want = [tuple(map(int, r.split(b":")))
                    for r in cli("split", "-n", n, path).split()]
            assert f.split(n) == want
            want = [tuple(map(int, r.split(b":")))
                    for r in cli("split", "--lines", "-n", n, path).split()]
            assert f.split(n, lines=True) == want


def test_split_logs(any_log):
    with mapq.open(any_log) as f:
        # Each cut of a zstd stream costs a pass from its start.
        many = 1000 if any_log.endswith(".log") else 40
        for n, lines in [(8, False), (5, True), (many, False)]:
            opts = ["--lines"] if lines else []
            want = [tuple(map(int, r.split(b":")))
                    for r in cli("split", *opts, "-n", n, any_log).split()]
            assert f.split(n, lines=lines) == want
        with pytest.raises(ValueError):
            f.split(0)


def test_newlines_hook(log_path):
    with mapq.open(log_path) as f:
        data = f.slice().tobytes()
        for a, b in [(0, 0), (0, len(data)), (12345, 999999), (5, 2)]:
            assert f._newlines(a, b) == data[a:b].count(b"\n")


def test_first_line_hook_of_grep(log_path):
    with mapq.open(log_path) as f:
        for start, end in f.split(4):
            first = f._newlines(0, start) + 1
            want = py_records(f, "ERROR", bytes=(start, end))
            assert py_records(f, "ERROR", bytes=(start, end),
                              _first_line=first) == want
            assert f.count("ERROR", bytes=(start, end),
                           _first_line=first) == len(want)


# ------------------------------------------------------------------
# Errors
# ------------------------------------------------------------------

def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.log")
    with pytest.raises(mapq.Error) as e:
        mapq.open(path)
    assert isinstance(e.value, OSError)
    assert e.value.errno == errno.ENOENT
    assert e.value.filename == path
    assert "mapq: " + str(e.value) + "\n" == cli_fails("stats", path)


def test_directory(tmp_path):
    with pytest.raises(mapq.Error) as e:
        mapq.open(str(tmp_path))
    assert e.value.errno == errno.EISDIR
    assert e.value.filename == str(tmp_path)
    assert str(e.value) in cli_fails("stats", str(tmp_path))


def test_path_through_a_file(tmp_path):
    """A system error that root meets too (permissions would not be)."""
    (tmp_path / "plain.log").write_text("x\n")
    path = str(tmp_path / "plain.log" / "inner.log")
    with pytest.raises(mapq.Error) as e:
        mapq.open(path)
    assert e.value.errno == errno.ENOTDIR
    assert e.value.filename == path
    assert str(e.value) in cli_fails("stats", path)


def test_damaged_zstd(gen_dir, log_zst):
    bad = str(gen_dir / "damaged.zst")
    data = bytearray(open(log_zst, "rb").read())
    data[len(data) // 2] ^= 0xFF
    data[len(data) // 2 + 1] ^= 0xFF
    with open(bad, "wb") as out:
        out.write(data)
    with mapq.open(bad) as f:
        with pytest.raises(mapq.Error) as e:
            f.count("ERROR")
        assert e.value.errno is None
        assert e.value.filename == bad
        assert str(e.value) in cli_fails("grep", "-c", "ERROR", bad)


def test_split_of_a_stream_is_mapq_error():
    code = ("import mapq\n"
            "f = mapq.open('-')\n"
            "try:\n"
            "    f.split(2)\n"
            "except mapq.Error as e:\n"
            "    print('Error', e.errno)\n")
    p = subprocess.run(
        ["sh", "-c", 'printf "a\\nb\\n" | "$0" -c "$1"',
         sys.executable, code], stdout=subprocess.PIPE, text=True)
    assert p.stdout == "Error None\n"


# ------------------------------------------------------------------
# Standard input
# ------------------------------------------------------------------

STDIN_CODE = r"""
import json, sys, mapq
what = sys.argv[1]
with mapq.open("-") as f:
    if what == "grep":
        out = [[m.line_number, m.offset, m.line.decode("latin-1")]
               for m in f.grep("ERROR|caf\u00e9", lines="100:")]
    elif what == "count":
        out = f.count("GET", ignore_case=True)
    elif what == "stats":
        out = f.stats()
    elif what == "slice":
        out = f.slice(lines="-5:").tobytes().decode("latin-1")
    elif what == "range":
        out = f.range("2026-11-24T00:04", "2026-11-24T00:05")
    print(json.dumps(out))
"""


@pytest.mark.parametrize("what", ["grep", "count", "stats", "slice",
                                  "range"])
@pytest.mark.parametrize("how", ["pipe", "file"])
def test_stdin(log_path, what, how):
    data = open(log_path, "rb").read()
    args = [sys.executable, "-c", STDIN_CODE, what]
    if how == "pipe":  # a stream
        p = subprocess.run(args, input=data, stdout=subprocess.PIPE)
    else:  # redirected from a file: mapped
        with open(log_path, "rb") as src:
            p = subprocess.run(args, stdin=src, stdout=subprocess.PIPE)
    assert p.returncode == 0
    got = json.loads(p.stdout)
    # The command reads standard input the same way: a pipe, or a file.
    src = data if how == "pipe" else open(log_path, "rb")
    if what == "grep":
        want = [[n, o, line.decode("latin-1")] for n, o, line in
                cli_records("-", "--lines=100:", "ERROR|caf\u00e9",
                            stdin=src)]
    elif what == "count":
        want = int(cli("grep", "-c", "-i", "GET", "-", **_feed(src)))
    elif what == "stats":
        want = cli_stats("-", stdin=src)
    elif what == "slice":
        want = cli("slice", "-l", "-5:", "-", **_feed(src)).decode("latin-1")
    else:
        want = list(cli_offsets("-", "--from", "2026-11-24T00:04", "--to",
                                "2026-11-24T00:05", stdin=src))
    if src is not data:
        src.close()
    assert got == want

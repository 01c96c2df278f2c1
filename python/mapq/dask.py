"""mapq on many machines, through Dask's distributed scheduler.

Each file is cut into line-aligned shards (``File.split``); every task opens
its file by path on the worker that runs it and maps only its shard (a byte
range: the lines that start inside it), so no line is seen twice or missed,
and the answers are those of the ``mapq`` command on one machine:

- ``count(paths, pattern, ...)`` is the sum of ``mapq grep -c`` over the files;
- ``grep(paths, pattern, ...)`` is a ``dask.bag.Bag`` of
  ``(path, line_number, offset, line)`` records in file and line order, with
  whole-file line numbers, as ``mapq grep -n -b`` prints them;
- ``stats(paths)`` is one dict per file, equal to ``mapq stats --json``
  (``total(...)`` adds them up as its last line, ``stats_json(...)`` prints
  one as it does);
- ``range(paths, from_, to)`` is a Bag of the lines of each file's key window
  (``mapq range``).

Line numbers without a serial pass: a task per shard counts the shard's
newlines, a small task adds them up (a prefix sum), and each grep task is
given the number of its shard's first line.  Statistics of the shards are
merged exactly: counts and the histogram are summed, the entropy is
recomputed from the merged histogram (-sum p log2 p, as the library does),
and the longest line is the first of the greatest length, renumbered by the
lines of the shards before it.  Shards start and end at line starts, so no
line, CR LF pair or UTF-8 sequence straddles a seam.

Tasks are pure (they only read their file), so when a worker dies in the
middle of a job the scheduler runs its tasks again elsewhere and the answer
is still exact.

Where the work runs (``client``):
    ``client=None`` uses the current default ``distributed.Client`` of this
    process if there is one (the last ``Client(...)`` created, or the one a
    task runs under), else Dask's local threaded scheduler (mapq releases the
    GIL, so threads search in parallel).  ``count`` and ``stats`` compute
    there.  ``grep`` and ``range`` find their shards there at once (the files
    need not be visible from the calling machine) and return a lazy Bag,
    computed where its ``.compute()`` sends it: the default client, or
    ``bag.compute(scheduler=client)``.

A cluster: files sit on storage every worker sees (NFS, a cluster
filesystem) under the same path, and every host has mapq's Python package
(``PYTHONPATH`` or ``cmake --install``)::

    host0$ dask scheduler                      # listens on tcp://host0:8786
    host1$ dask worker tcp://host0:8786        # on every worker host
    host2$ dask worker tcp://host0:8786

    >>> import glob, mapq.dask
    >>> from distributed import Client
    >>> mapq.dask.count(glob.glob('/shared/logs/*'), 'ERROR',
    ...                 client=Client('tcp://host0:8786'))

From a shell, the same question (``--scheduler`` omitted: an in-process
``LocalCluster``)::

    python3 -m mapq.dask count --scheduler tcp://host0:8786 ERROR /shared/logs/*

Without Dask, GNU parallel gives shards of one file to several hosts::

    mapq split -n 64 F | parallel -S host1,host2 mapq grep -c --bytes={} PAT F

(then add the counts up: ``| paste -sd+ | bc``).
"""

from __future__ import annotations

import builtins
import getopt
import math
import os
import sys
from typing import Any, Iterable, Sequence, Union

import dask
import dask.bag

import mapq

__all__ = ["count", "grep", "stats", "total", "range", "stats_json", "main",
           "SHARD_SIZE"]

#: Bytes per shard when ``shards`` is not given: one task per 64 MiB of
#: (decompressed) data, at least one per file.
SHARD_SIZE = 64 << 20

Path = Union[str, "os.PathLike[str]"]
Paths = Union[Path, Iterable[Path]]
Shard = tuple[int, int]

# The keywords of File.grep that a distributed search passes on; ranges and
# threads are the shards' business.
_GREP_OPTIONS = frozenset(
    {"fixed", "ignore_case", "word", "line", "invert", "max_count"})
_KEY_OPTIONS = frozenset({"field", "delimiter", "key_regex", "time_format",
                          "year"})


# ------------------------------------------------------------------ #
# Tasks: module-level, pure functions of their arguments (workers     #
# import them by name; running one twice gives the same answer).      #
# ------------------------------------------------------------------ #

def _plan(path: str, shards: int | None) -> list[Shard]:
    """The line-aligned shards of a file: ``shards`` of them (by default one
    per SHARD_SIZE bytes, and one for a zstd stream without a seek table,
    which can only be read from its start), fewer when the file has fewer
    lines, none when it is empty."""
    with mapq.open(path) as f:
        if shards is not None:
            n = shards
        elif f.size is None:
            # A zstd stream without a seek table: a shard would decompress
            # everything before it, so one task reads it all.
            n = 1
        else:
            n = max(1, -(-f.size // SHARD_SIZE))
        return [(int(s), int(e)) for s, e in f.split(n)]


def _newlines(path: str, start: int, end: int) -> int:
    """The newlines in bytes [start, end) of a file."""
    with mapq.open(path) as f:
        return f._newlines(start, end)


def _first_lines(newlines: Sequence[int]) -> list[int]:
    """Whole-file numbers of each shard's first line: 1, then 1 plus the
    newlines of the shards before (every shard but the last ends with one)."""
    firsts = [1]
    for n in newlines:
        firsts.append(firsts[-1] + n)
    return firsts


def _grep_shard(path: str, shard: Shard, firsts: Sequence[int], index: int,
                pattern: Any, options: dict[str, Any]
                ) -> list[tuple[str, int, int, bytes]]:
    """The matching lines of one shard as (path, line_number, offset, line)."""
    with mapq.open(path) as f:
        return [(path, m.line_number, m.offset, bytes(m.line))
                for m in f.grep(pattern, bytes=shard,
                                _first_line=firsts[index], **options)]


def _count_shard(path: str, shard: Shard, pattern: Any,
                 options: dict[str, Any]) -> int:
    """The number of selected lines of one shard (line numbers unused, so
    none are counted)."""
    with mapq.open(path) as f:
        return f.count(pattern, bytes=shard, _first_line=1, **options)


def _limit(counts: Sequence[int], max_count: int) -> int:
    """``grep -c -m``: the first max_count selected lines of a file."""
    return min(sum(counts), max_count)


def _budgets(lengths: Sequence[int], max_count: int) -> list[int]:
    """How many records each shard keeps so that the file keeps its first
    max_count (each shard already stopped at max_count)."""
    left, out = max_count, []
    for n in lengths:
        out.append(min(n, left))
        left -= out[-1]
    return out


def _take(records: list, budgets: Sequence[int], index: int) -> list:
    """The first budgets[index] records."""
    return records[:budgets[index]]


def _stats_shard(path: str, shard: Shard | None) -> dict[str, Any]:
    """Statistics of one shard, its longest line numbered from 1."""
    with mapq.open(path) as f:
        if shard is None:
            return f.stats()
        return f.stats(bytes=shard, _first_line=1)


def _entropy(histogram: Sequence[int], total: int) -> float:
    """-sum p log2 p over the byte frequencies, in the library's order of
    operations (so the double is the same, bit for bit)."""
    if total == 0:
        return 0.0
    n = float(total)
    h = 0.0
    for c in histogram:
        if c:
            p = c / n
            h -= p * math.log2(p)
    return h if h > 0.0 else 0.0


def _merge_stats(path: str | None, parts: Sequence[dict[str, Any]]
                 ) -> dict[str, Any]:
    """Statistics of adjacent line-aligned pieces, in order, as one: the
    longest line is the first of the greatest length, its number moved by
    the lines of the pieces before it."""
    out: dict[str, Any] = {
        "path": path, "bytes": 0, "lines": 0, "newlines": 0,
        "longest_line": {"length": 0, "line": 0}, "empty_lines": 0,
        "nul_bytes": 0, "cr_bytes": 0, "utf8_invalid": 0, "entropy": 0.0,
        "histogram": [0] * 256}
    best = out["longest_line"]
    for p in parts:
        ll = p["longest_line"]
        if ll["line"] > 0 and (best["line"] == 0
                               or ll["length"] > best["length"]):
            best["length"] = ll["length"]
            best["line"] = out["lines"] + ll["line"]
        for k in ("bytes", "lines", "newlines", "empty_lines", "nul_bytes",
                  "cr_bytes", "utf8_invalid"):
            out[k] += p[k]
        out["histogram"] = [a + b for a, b in
                            zip(out["histogram"], p["histogram"])]
    out["entropy"] = _entropy(out["histogram"], out["bytes"])
    return out


def _range_plan(path: str, from_: Any, to: Any, key_options: dict[str, Any],
                piece: int) -> list[Shard]:
    """A file's key window cut into line-aligned pieces of about ``piece``
    bytes (none when the window is empty)."""
    with mapq.open(path) as f:
        start, end = f.range(from_, to, **key_options)
        k = max(1, -(-(end - start) // piece))
        cuts = [start]
        for i in builtins.range(1, k):
            p = start + (end - start) * i // k
            # The lines starting in [p, end) end at end (a line start).
            q = end - len(f.slice(bytes=(p, end), align=True))
            if cuts[-1] < q < end:
                cuts.append(q)
        cuts.append(end)
        return [(a, b) for a, b in zip(cuts, cuts[1:]) if a < b]


def _lines(path: str, piece: Shard) -> list[bytes]:
    """The lines of a piece, without their newlines."""
    with mapq.open(path) as f:
        data = bytes(f.slice(bytes=piece))
    if not data:
        return []
    if data.endswith(b"\n"):
        data = data[:-1]
    return data.split(b"\n")


# ------------------------------------------------------------------ #
# The API                                                             #
# ------------------------------------------------------------------ #

def _paths(paths: Paths) -> list[str]:
    """One path or several, as a list of str."""
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [paths]
    return [os.fsdecode(p) for p in paths]


def _scheduler(client: Any) -> Any:
    """What dask.compute runs on: the given client, the default distributed
    client, or the local threaded scheduler."""
    if client is not None:
        return client
    try:
        from distributed import default_client
        return default_client()
    except (ImportError, ValueError):
        return "threads"


def _check(options: dict[str, Any], allowed: frozenset, what: str) -> None:
    """TypeError for a keyword that ``what`` does not take."""
    bad = sorted(set(options) - allowed)
    if bad:
        raise TypeError(f"mapq.dask.{what}() got an unexpected keyword "
                        f"argument {bad[0]!r}")


def _shard_plans(paths: list[str], shards: int | None,
                 scheduler: Any) -> list[list[Shard]]:
    """Every file's shards, found where the tasks will run."""
    if shards is not None and (not isinstance(shards, int) or shards < 1):
        raise ValueError(f"shards must be a positive integer, not {shards!r}")
    plans = [dask.delayed(_plan, pure=True)(p, shards) for p in paths]
    return list(dask.compute(*plans, scheduler=scheduler))


def _grep_options(options: dict[str, Any], what: str) -> dict[str, Any]:
    """The keywords passed on to File.grep, checked; a negative max_count
    (no limit, as grep -m -1) is dropped."""
    _check(options, _GREP_OPTIONS, what)
    options = dict(options)
    m = options.get("max_count")
    if m is None or (isinstance(m, int) and not isinstance(m, bool)
                     and m < 0):
        options.pop("max_count", None)
    return options


def _count_graph(paths: list[str], plans: list[list[Shard]], pattern: Any,
                 options: dict[str, Any]) -> list[Any]:
    """One delayed count per file."""
    limit = options.get("max_count")
    out = []
    for path, plan in zip(paths, plans):
        parts = [dask.delayed(_count_shard, pure=True)(path, s, pattern,
                                                        options)
                 for s in plan]
        if limit is not None:
            out.append(dask.delayed(_limit, pure=True)(parts, limit))
        else:
            out.append(dask.delayed(sum, pure=True)(parts))
    return out


def _counts(paths: Paths, pattern: Any, *, client: Any = None,
            shards: int | None = None, **grep_options: Any) -> list[int]:
    """The count of every file, in order (what ``mapq grep -c`` prints)."""
    grep_options = _grep_options(grep_options, "count")
    ps = _paths(paths)
    sched = _scheduler(client)
    plans = _shard_plans(ps, shards, sched)
    return list(dask.compute(*_count_graph(ps, plans, pattern, grep_options),
                             scheduler=sched))


def count(paths: Paths, pattern: Union[str, bytes, Sequence[Union[str, bytes]]],
          *, client: Any = None, shards: int | None = None,
          **grep_options: Any) -> int:
    """The number of lines selected in all the files, as the sum of
    ``mapq grep -c -a`` over them.

    ``paths`` is one path or an iterable of paths, read on the workers;
    ``pattern`` and ``grep_options`` (``fixed``, ``ignore_case``, ``word``,
    ``line``, ``invert``, ``max_count``, per file as grep's ``-m``) are those
    of ``mapq.File.grep``.  ``shards`` is the number of shards per file
    (default: one per ``SHARD_SIZE`` bytes).  ``client``: see the module's
    help.  Binary data is searched as text (``grep -a``).
    """
    return sum(_counts(paths, pattern, client=client, shards=shards,
                       **grep_options))


def grep(paths: Paths, pattern: Union[str, bytes, Sequence[Union[str, bytes]]],
         *, client: Any = None, shards: int | None = None,
         **grep_options: Any) -> dask.bag.Bag:
    """A lazy Bag of the selected lines of all the files, as
    ``(path, line_number, offset, line)`` tuples in file and line order:
    ``line_number`` is the 1-based number in the whole file, ``offset`` the
    byte offset of the line's start, ``line`` its bytes without the newline
    (what ``mapq grep -a -n -b`` prints).  One partition per shard.

    Arguments as for ``count``.  The shards are found now, on ``client``'s
    workers (or locally); the Bag is computed where ``.compute()`` sends it
    (the default client, or ``compute(scheduler=client)``).
    """
    grep_options = _grep_options(grep_options, "grep")
    ps = _paths(paths)
    plans = _shard_plans(ps, shards, _scheduler(client))
    limit = grep_options.get("max_count")
    parts: list[Any] = []
    for path, plan in zip(ps, plans):
        if not plan:
            continue
        newlines = [dask.delayed(_newlines, pure=True)(path, s, e)
                    for s, e in plan[:-1]]
        firsts = dask.delayed(_first_lines, pure=True)(newlines)
        shard_parts = [dask.delayed(_grep_shard, pure=True)(
            path, s, firsts, i, pattern, grep_options)
            for i, s in enumerate(plan)]
        if limit is not None:
            lengths = [dask.delayed(len, pure=True)(p) for p in shard_parts]
            budgets = dask.delayed(_budgets, pure=True)(lengths, limit)
            shard_parts = [dask.delayed(_take, pure=True)(p, budgets, i)
                           for i, p in enumerate(shard_parts)]
        parts.extend(shard_parts)
    if not parts:
        return dask.bag.from_sequence([], npartitions=1)
    return dask.bag.from_delayed(parts)


def _stats_graph(paths: list[str], plans: list[list[Shard]]) -> list[Any]:
    """One delayed stats dict per file."""
    out = []
    for path, plan in zip(paths, plans):
        parts = [dask.delayed(_stats_shard, pure=True)(path, s)
                 for s in (plan or [None])]
        out.append(dask.delayed(_merge_stats, pure=True)(path, parts))
    return out


def stats(paths: Paths, *, client: Any = None,
          shards: int | None = None) -> list[dict[str, Any]]:
    """One dict per file, equal to what ``mapq stats --json FILE`` prints
    (``path`` is the path as given): the statistics of the file's shards,
    computed on the workers and merged exactly.  ``shards`` and ``client`` as
    for ``count``.  ``total(stats(...))`` gives the totals line.
    """
    ps = _paths(paths)
    sched = _scheduler(client)
    plans = _shard_plans(ps, shards, sched)
    return list(dask.compute(*_stats_graph(ps, plans), scheduler=sched))


def total(per_file: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The totals of several files' stats dicts, as the last line of
    ``mapq stats --json F1 F2 ...`` (``"path": None``; the longest line is
    numbered through the files in order)."""
    return _merge_stats(None, per_file)


def range(paths: Paths, from_: Union[str, bytes],
          to: Union[str, bytes, None] = None, *, client: Any = None,
          **key_options: Any) -> dask.bag.Bag:
    """A lazy Bag of the lines of each file's key window FROM <= key < TO
    (``mapq range --from FROM --to TO FILE``), files in the order given
    (give a rotated set oldest first), lines in file order, each as bytes
    **without** its newline (as ``Match.line``; a final line without a
    newline is not marked).  ``key_options`` are those of ``File.range``
    (``field``, ``delimiter``, ``key_regex``, ``time_format``, ``year``;
    not ``slack``, whose windows are not contiguous).  Each window is found by
    bisection on a worker, then cut into pieces of about ``SHARD_SIZE``
    bytes read in parallel.  ``client`` as for ``grep``.
    """
    _check(key_options, _KEY_OPTIONS, "range")
    ps = _paths(paths)
    plans = dask.compute(*[dask.delayed(_range_plan, pure=True)(
        p, from_, to, key_options, SHARD_SIZE) for p in ps],
        scheduler=_scheduler(client))
    parts = [dask.delayed(_lines, pure=True)(p, piece)
             for p, plan in zip(ps, plans) for piece in plan]
    if not parts:
        return dask.bag.from_sequence([], npartitions=1)
    return dask.bag.from_delayed(parts)


# ------------------------------------------------------------------ #
# python3 -m mapq.dask                                                #
# ------------------------------------------------------------------ #

_USAGE = """\
Usage: python3 -m mapq.dask grep [OPTIONS] PATTERN FILE...
       python3 -m mapq.dask count [OPTIONS] PATTERN FILE...
       python3 -m mapq.dask stats [OPTIONS] FILE...
Ask mapq's questions of FILEs on a Dask cluster, each file cut into shards
searched in parallel; the output is what the mapq command prints:
  grep   the selected lines as PATH:NUMBER:LINE (mapq grep -a -n -H)
  count  the number of selected lines (mapq grep -a -c: PATH:COUNT per
         file when there are several)
  stats  one JSON object per file, and the totals when there are several
         (mapq stats --json)

      --scheduler=ADDRESS  the cluster's scheduler (tcp://HOST:8786); by
                           default a cluster of this machine's CPUs
      --shards=N           shards per file (default: one per 64 MiB)
  -e, --regexp=PATTERN     a pattern (repeatable; then no PATTERN operand)
  -F, --fixed-strings      PATTERN is a string, not a regex
  -i, --ignore-case        ignore case
  -w, --word-regexp        match whole words
  -x, --line-regexp        match whole lines
  -v, --invert-match       select the lines that do not match
  -m, --max-count=NUM      at most NUM lines per file (negative: no limit)
  -h, --help               show this help and exit

Exit status: 0 a line was selected (stats: success), 1 none, 2 an error.
"""


class _UsageError(Exception):
    """A bad command line."""


def _int(text: str, what: str) -> int:
    """An integer option value, or a usage error quoting it."""
    try:
        return int(text)
    except ValueError:
        raise _UsageError(f"invalid {what}: '{text}'") from None


# Options as GNU getopt reads them (bundled short flags, -m3, --max-count=3,
# unique prefixes of long names, operands anywhere, -- ends the options).
_FLAGS = {"-F": "fixed", "--fixed-strings": "fixed",
          "-i": "ignore_case", "--ignore-case": "ignore_case",
          "-w": "word", "--word-regexp": "word",
          "-x": "line", "--line-regexp": "line",
          "-v": "invert", "--invert-match": "invert"}
_COMMON_LONG = ["scheduler=", "shards=", "help"]
_GREP_LONG = ["regexp=", "fixed-strings", "ignore-case", "word-regexp",
              "line-regexp", "invert-match", "max-count="]


def _getopt_message(e: getopt.GetoptError) -> str:
    """getopt's complaint in GNU getopt's words."""
    opt = e.opt if e.opt.startswith("-") or not e.opt else (
        "--" + e.opt if len(e.opt) > 1 else "-" + e.opt)
    if "requires argument" in e.msg:
        return (f"option '{opt}' requires an argument" if len(opt) > 2
                else f"option requires an argument -- '{opt[1:]}'")
    if "must not have an argument" in e.msg:
        return f"option '{opt}' doesn't allow an argument"
    if "not a unique prefix" in e.msg:
        return f"option '{opt}' is ambiguous"
    return (f"unrecognized option '{opt}'" if len(opt) > 2
            else f"invalid option -- '{opt[1:]}'")


def _parse(argv: list[str]) -> dict[str, Any]:
    """The command line as a dict (command, scheduler, shards, patterns,
    options, files)."""
    if not argv:
        raise _UsageError("a command is needed: grep, count or stats")
    if argv[0] in ("-h", "--help"):
        return {"help": True}
    cmd = argv[0]
    if cmd not in ("grep", "count", "stats"):
        raise _UsageError(f"unknown command '{cmd}'")
    short, long = ("h", _COMMON_LONG) if cmd == "stats" else (
        "e:Fiwxvm:h", _COMMON_LONG + _GREP_LONG)
    try:
        opts, operands = getopt.gnu_getopt(argv[1:], short, long)
    except getopt.GetoptError as e:
        raise _UsageError(_getopt_message(e)) from None
    a: dict[str, Any] = {"help": False, "command": cmd, "scheduler": None,
                         "shards": None, "patterns": [], "options": {},
                         "operands": operands}
    for opt, value in opts:
        if opt in ("-h", "--help"):
            return {"help": True}
        if opt in _FLAGS:
            a["options"][_FLAGS[opt]] = True
        elif opt in ("-e", "--regexp"):
            a["patterns"].append(value)
        elif opt in ("-m", "--max-count"):
            a["options"]["max_count"] = _int(value, "max count")
        elif opt == "--scheduler":
            a["scheduler"] = value
        elif opt == "--shards":
            a["shards"] = _int(value, "number of shards")
            if a["shards"] < 1:
                raise _UsageError(f"invalid number of shards: '{value}'")
    if cmd != "stats" and not a["patterns"]:
        if not a["operands"]:
            raise _UsageError("a PATTERN is needed")
        a["patterns"].append(a["operands"].pop(0))
    if not a["operands"]:
        raise _UsageError("a FILE is needed (standard input cannot be "
                          "sharded)")
    if "-" in a["operands"]:
        raise _UsageError("standard input cannot be sharded: give files")
    return a


def _json_string(text: str) -> str:
    """A path as the mapq command writes it in JSON: UTF-8 as it is, control
    characters escaped, each byte that is not UTF-8 as \\ufffd."""
    out = ['"']
    for ch in text:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch in "\n\t\r\b\f":
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b",
                        "\f": "\\f"}[ch])
        elif o < 0x20:
            out.append(f"\\u{o:04x}")
        elif 0xDC80 <= o <= 0xDCFF:  # a byte that os.fsdecode escaped
            out.append("\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _format_double(v: float) -> str:
    """The shortest %g that reads back as v (the command's format)."""
    for prec in builtins.range(1, 18):
        s = "%.*g" % (prec, v)
        if float(s) == v:
            return s
    return repr(v)


def stats_json(s: dict[str, Any]) -> str:
    """A stats dict as the line ``mapq stats --json`` prints (no newline)."""
    path = "null" if s["path"] is None else _json_string(s["path"])
    ll = s["longest_line"]
    return (f'{{"path":{path},"bytes":{s["bytes"]},"lines":{s["lines"]},'
            f'"newlines":{s["newlines"]},"longest_line":{{"length":'
            f'{ll["length"]},"line":{ll["line"]}}},"empty_lines":'
            f'{s["empty_lines"]},"nul_bytes":{s["nul_bytes"]},"cr_bytes":'
            f'{s["cr_bytes"]},"utf8_invalid":{s["utf8_invalid"]},'
            f'"entropy":{_format_double(s["entropy"])},"histogram":['
            + ",".join(str(c) for c in s["histogram"]) + "]}")


def _run(a: dict[str, Any], client: Any, out: Any) -> int:
    """Answer the parsed command on client; the exit status."""
    files = a["operands"]
    pattern = a["patterns"][0] if len(a["patterns"]) == 1 else a["patterns"]
    if a["command"] == "stats":
        per_file = stats(files, client=client, shards=a["shards"])
        for s in per_file:
            out.write(stats_json(s).encode() + b"\n")
        if len(per_file) > 1:
            out.write(stats_json(total(per_file)).encode() + b"\n")
        return 0
    if a["command"] == "count":
        counts = _counts(files, pattern, client=client, shards=a["shards"],
                         **a["options"])
        for path, n in zip(files, counts):
            prefix = os.fsencode(path) + b":" if len(files) > 1 else b""
            out.write(prefix + b"%d\n" % n)
        return 0 if any(counts) else 1
    found = False
    bag = grep(files, pattern, client=client, shards=a["shards"],
               **a["options"])
    # Partition by partition, in order, so that output starts early and
    # memory holds one shard's records.
    for part in bag.to_delayed():
        for path, number, _offset, line in part.compute(scheduler=client):
            out.write(b"%s:%d:%s\n" % (os.fsencode(path), number, line))
            found = True
    return 0 if found else 1


def main(argv: list[str] | None = None) -> int:
    """``python3 -m mapq.dask``: parse argv (default sys.argv[1:]), answer on
    the cluster at --scheduler or on a LocalCluster started here, print as
    the mapq command does; return the exit status."""
    try:
        a = _parse(list(sys.argv[1:] if argv is None else argv))
    except _UsageError as e:
        sys.stderr.write(f"mapq dask: {e}\n"
                         "Try 'python3 -m mapq.dask --help' for more "
                         "information.\n")
        return 2
    if a["help"]:
        sys.stdout.write(_USAGE)
        return 0
    import logging
    from distributed import Client, LocalCluster
    logging.getLogger("distributed").setLevel(logging.ERROR)
    out = sys.stdout.buffer
    cluster = None
    try:
        if a["scheduler"] is not None:
            client = Client(a["scheduler"], set_as_default=False)
        else:
            # Threads in this process: mapq releases the GIL while it works.
            cluster = LocalCluster(n_workers=1, processes=False,
                                   threads_per_worker=os.cpu_count() or 1,
                                   dashboard_address=None)
            client = Client(cluster, set_as_default=False)
        try:
            status = _run(a, client, out)
            out.flush()
            return status
        finally:
            client.close()
    except BrokenPipeError:
        return 0
    except (mapq.Error, OSError, ValueError, TypeError) as e:
        # About a file: "mapq: FILE: reason", as the command says it.
        about_file = isinstance(e, OSError) and e.filename is not None
        sys.stderr.write(f"{'mapq' if about_file else 'mapq dask'}: {e}\n")
        return 2
    finally:
        if cluster is not None:
            cluster.close()


if __name__ == "__main__":
    # Run the copy imported as mapq.dask, so that the tasks sent to workers
    # name functions the workers can import.
    from mapq.dask import main as _main
    sys.exit(_main())

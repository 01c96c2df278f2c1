"""Query files too big to read, from Python.

SYNOPSIS
    import mapq

    with mapq.open("/var/log/app.log") as f:
        f.size                                  # bytes, or None for a stream
        head = f.slice(bytes="1G:+4K")          # memoryview, zero copy
        for m in f.grep("ERROR", ignore_case=True, lines="-100000:"):
            print(m.line_number, m.line.decode(errors="replace"))
        f.count(["timeout", "refused"], fixed=True)   # grep -c -F -e .. -e ..
        f.stats()                               # mapq stats --json, as a dict
        start, end = f.range("2026-11-24T10", "2026-11-24T11")
        shards = f.split(8)                     # [(start, end), ...]

DESCRIPTION
    mapq answers questions about huge files in bounded memory: regular files
    are memory-mapped and read a window at a time, pipes and FIFOs are read
    once as streams, and zstd-compressed input (plain zstd frames, or the
    seekable format that `mapq compress` writes) is decompressed on the fly.
    This package is the mapq command line's library, libmapq, seen from
    Python: every call returns what the corresponding command prints, as
    Python values.

        Python                              command line
        mapq.open(path, decompress=False)   --no-decompress
        File.slice(bytes=R, lines=R)        mapq slice -b R / -l R
        File.grep(p, ...)                   mapq grep -n -o -a p
        File.count(p, ...)                  mapq grep -c -a p
        File.stats(...)                     mapq stats --json
        File.range(from_, to, ...)          mapq range --offsets
        File.split(n, lines=...)            mapq split -n N [--lines]

RANGES
    Every `bytes=` and `lines=` argument takes the range language of the
    command line, as text or as a pair of ints:
        bytes="100:200"   bytes 100 to 199 (0-based, END excluded)
        bytes="1G:+4K"    4 KiB from 1 GiB (suffixes K M G T, x1024)
        bytes="-4K:"      the last 4 KiB
        lines="5:10"      lines 5 to 10 (1-based, LAST included)
        lines="-10:"      the last ten lines
        lines=(5, 10)     the same as "5:10"; None leaves a side open
    A malformed range raises ValueError.  At most one of bytes= and lines=
    may be given.

BINARY DATA
    grep and count search binary data as text (as `grep -a`): a NUL byte
    is an ordinary byte, so count() is always the number of Match records
    grep() yields with the same options.

THREADS
    The GIL is released during every library call that takes time (opening,
    each step of a grep, stats, range, split, reading a slice), so Python
    threads can search different files at once.  A File may be shared by
    threads; one grep iterator must be advanced by one thread at a time.

ERRORS
    mapq.Error (a subclass of OSError) carries the library's message as its
    str() and strerror, the system's errno for system errors (None
    otherwise) and the file's name as filename.  A bad pattern, range or
    key regex raises ValueError; using a closed File raises ValueError.

TRUNCATION
    If a mapped file shrinks while open (logrotate's copytruncate), the
    library's own reads report it as mapq.Error.  Reading a slice's
    memoryview after the file lost those bytes does not kill the
    interpreter: the vanished bytes read as zeros, and every later method
    of that File raises mapq.Error ("file shrank while mapped").

SEE ALSO
    mapq(1), mapq-grep(1), mapq-stats(1), mapq-range(1), mapq-split(1),
    mapq.dask for many files and many machines.
"""

import os as _os
from typing import Iterator, List, Optional, Sequence, Tuple, Union

from . import _mapq

# The methods take an argument named `bytes`, as the command's -b does.
builtins_bytes = bytes

__all__ = ["open", "File", "Match", "Error", "GrepIterator", "__version__"]

__version__: str = _mapq.version()


class Error(OSError):
    """An error reported by libmapq.

    str(e) and e.strerror are the library's message, which names its
    subject ("logs/app.log: No such file or directory").  e.errno is the
    system's error number for a failed system call (ENOENT, EISDIR, ...)
    and None for the library's own errors (damaged compressed data, a file
    that shrank while mapped, an operation a stream cannot do).  e.filename
    is the name of the file concerned.
    """

    def __str__(self) -> str:
        return str(self.strerror) if self.strerror is not None else \
            super().__str__()


_mapq._set_error_class(Error)

Match = _mapq.Match
GrepIterator = _mapq.GrepIterator

Range = Union[str, int, Tuple[Optional[int], Optional[int]], None]
Pattern = Union[str, bytes, Sequence[Union[str, bytes]]]


def _range_text(value) -> str:
    """Turn a range argument into the range language's text."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError("a range is text or (start, end), not a bool")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, tuple) and len(value) == 2:
        parts = []
        for v in value:
            if v is None:
                parts.append("")
            elif isinstance(v, int) and not isinstance(v, bool):
                parts.append(str(v))
            else:
                raise TypeError("a range pair holds ints or None")
        return ":".join(parts)
    raise TypeError("a range is text such as '1G:+4K' or a pair "
                    "(start, end), not %s" % type(value).__name__)


def _range_args(bytes, lines) -> Tuple[int, Optional[str]]:
    """(unit, text): unit -1 for no range, 0 bytes, 1 lines."""
    if bytes is not None and lines is not None:
        raise ValueError("give one range: bytes= or lines=, not both")
    if bytes is not None:
        return 0, _range_text(bytes)
    if lines is not None:
        return 1, _range_text(lines)
    return -1, None


def _encode(p) -> builtins_bytes:
    if isinstance(p, str):
        return p.encode("utf-8", "surrogateescape")
    if isinstance(p, (builtins_bytes, bytearray, memoryview)):
        return builtins_bytes(p)
    raise TypeError("a pattern is str or bytes, not %s" % type(p).__name__)


def _patterns(pattern) -> tuple:
    """A tuple of bytes patterns; a pattern with newlines is several
    (as grep -e 'a<newline>b')."""
    if isinstance(pattern, (str, builtins_bytes, bytearray, memoryview)):
        items = [pattern]
    else:
        items = list(pattern)
    out = []
    for p in items:
        out.extend(_encode(p).split(b"\n"))
    return tuple(out)


def _first_line_arg(first_line) -> int:
    """The library's first_line: 0 (count it) for None, else an int >= 1."""
    if first_line is None:
        return 0
    if isinstance(first_line, int) and first_line >= 1:
        return first_line
    raise ValueError("_first_line must be an int >= 1")


def _threads(jobs) -> int:
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise ValueError("jobs must be an int >= 0 (0: the online CPUs)")
    return jobs


class File:
    """An open file, standard input, or zstd-compressed input.

    Made by mapq.open(); a context manager that closes it.  Offsets and
    line numbers always speak of the (decompressed) data of the whole file.
    """

    __slots__ = ("_h", "__weakref__")

    def __init__(self, path: Union[str, builtins_bytes, _os.PathLike],
                 decompress: bool = True) -> None:
        if isinstance(path, int):
            raise TypeError("mapq.open() takes a path, or '-' for stdin")
        raw = _os.fsencode(path)
        name = _os.fsdecode(path)
        self._h = _mapq._File(raw, name, bool(decompress))

    def __enter__(self) -> "File":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "closed" if self._h.closed else "open"
        return "<mapq.File %r (%s)>" % (self._h.name, state)

    @property
    def name(self) -> str:
        """The path as given to mapq.open() ("-" for standard input)."""
        return self._h.name

    @property
    def size(self) -> Optional[int]:
        """Size of the data in bytes (decompressed for zstd input).

        None while it is not known: for a stream (a pipe, a FIFO), and for
        a zstd stream without a seek table until a scan has read it to the
        end or measure() was called.
        """
        return self._h.size()

    @property
    def closed(self) -> bool:
        """True once close() was called."""
        return self._h.closed

    def measure(self) -> int:
        """The size of the data, finding it when not known (a zstd stream:
        from its frame headers, or by decompressing it once)."""
        return self._h.measure()

    def close(self) -> None:
        """Close the file.  Its methods then raise ValueError.  What was
        made from it before lives on: memoryviews from slice() keep the
        mapping they point into until they are released (then it is
        unmapped), and a grep iterator goes on to its end.  Calling close()
        again does nothing."""
        self._h.close()

    def slice(self, bytes: Range = None, lines: Range = None,
              align: bool = False) -> memoryview:
        """The bytes of one range (all of the data when none is given),
        as `mapq slice` writes them.

        For a mapped plain file the memoryview points into the mapping
        (zero copy; it stays valid after close() until released).  Other
        input (compressed, a stream, a file that could not be mapped)
        gives a read-only memoryview over a copy read through a scan.
        align=True makes a byte range select the lines that start inside
        it, each whole (as --align).
        """
        unit, text = _range_args(bytes, lines)
        return self._h.slice(unit, text, bool(align))

    def _grep_args(self, pattern, fixed, ignore_case, word, line, invert,
                   max_count, bytes, lines, jobs, _first_line):
        mflags = ((_mapq.MATCH_FIXED if fixed else 0) |
                  (_mapq.MATCH_CASELESS if ignore_case else 0) |
                  (_mapq.MATCH_WORD if word else 0) |
                  (_mapq.MATCH_LINE if line else 0))
        gflags = _mapq.GREP_INVERT if invert else 0
        if max_count is None:
            mc = 0
        elif isinstance(max_count, bool) or not isinstance(max_count, int) \
                or max_count < 0:
            raise ValueError("max_count must be None or an int >= 0")
        else:
            mc = max_count
        first = _first_line_arg(_first_line)
        unit, text = _range_args(bytes, lines)
        return (_patterns(pattern), mflags, gflags, mc, unit, text,
                _threads(jobs), first)

    def grep(self, pattern: Pattern, *, fixed: bool = False,
             ignore_case: bool = False, word: bool = False,
             line: bool = False, invert: bool = False,
             max_count: Optional[int] = None, bytes: Range = None,
             lines: Range = None, jobs: int = 1,
             _first_line: Optional[int] = None) -> Iterator[Match]:
        """The lines that match, lazily, as `mapq grep -n -a` selects them.

        pattern is a str, bytes, or a list of them (as several -e: a line
        matches when any does); PCRE2 syntax, or literal strings with
        fixed=True (-F).  ignore_case (-i), word (-w: not preceded or
        followed by a word character), line (-x: the whole line), invert
        (-v: the lines that do not match), max_count (-m: stop after that
        many lines; 0 yields none), bytes/lines: search only that range
        (a byte range selects the lines that start inside it).  jobs: the
        threads that search a mapped file (0: the online CPUs); the
        records and their order never depend on it.

        Returns an iterator of Match(line_number, offset, line, spans).
        Nothing is read until it is advanced; breaking out of the loop, or
        dropping the iterator, stops the search and its threads.

        _first_line (internal, for mapq.dask): the whole-file number of the
        range's first line when the caller knows it, so that the lines
        before the range are not counted.
        """
        args = self._grep_args(pattern, fixed, ignore_case, word, line,
                               invert, max_count, bytes, lines, jobs,
                               _first_line)
        if max_count == 0:
            return iter(())
        return self._h.grep(*args, False)

    def count(self, pattern: Pattern, *, fixed: bool = False,
              ignore_case: bool = False, word: bool = False,
              line: bool = False, invert: bool = False,
              max_count: Optional[int] = None, bytes: Range = None,
              lines: Range = None, jobs: int = 1,
              _first_line: Optional[int] = None) -> int:
        """The number of lines grep() would yield (`mapq grep -c -a`),
        without making them.  Same arguments as grep()."""
        args = self._grep_args(pattern, fixed, ignore_case, word, line,
                               invert, max_count, bytes, lines, jobs,
                               _first_line)
        if max_count == 0:
            if self._h.closed:
                raise ValueError("I/O operation on closed file")
            return 0
        return self._h.grep(*args, True)

    def stats(self, bytes: Range = None, lines: Range = None,
              jobs: int = 0, _first_line: Optional[int] = None) -> dict:
        """Byte statistics of the data or of a range, as the dict that
        `mapq stats --json` prints: path, bytes, lines, newlines,
        longest_line {"length", "line"} (its whole-file number), empty_lines,
        nul_bytes, cr_bytes, utf8_invalid, entropy (bits per byte) and
        histogram (256 counts).  jobs: threads (0: the online CPUs); the
        result never depends on it.

        _first_line (internal, for mapq.dask): the whole-file number of the
        range's first line, when the caller knows it.
        """
        unit, text = _range_args(bytes, lines)
        first = _first_line_arg(_first_line)
        return self._h.stats(unit, text, _threads(jobs), first)

    def range(self, from_: Union[str, builtins_bytes],
              to: Union[str, builtins_bytes, None] = None, *,
              field: Optional[int] = None,
              delimiter: Union[str, builtins_bytes, None] = None,
              key_regex: Optional[str] = None,
              time_format: Optional[str] = None,
              year: Optional[int] = None,
              slack: Optional[str] = None) -> Tuple[int, int]:
        """The byte offsets (start, end) of the lines of a sorted file
        whose key K satisfies from_ <= K < to (to None: up to the end), as
        `mapq range --offsets` prints them.  Keys compare byte-wise on the
        length of the bound, so "2026-11-24T10" covers that whole hour.

        The key is the whole line, or field N (1-based, runs of blanks
        separate fields; with delimiter, every such byte does), or the
        first capture group of key_regex (the whole match without one).
        With time_format (strptime-style, or a preset: "syslog", "apache",
        "clf", "epoch", "iso") keys and bounds are times; year is the year
        of times without one, slack a duration ("15m") lines may lag
        behind the newest before them (the range then runs from the
        window's first line to the end of its last, and may hold lines
        outside the window).  A mapped or seekable file is found by binary
        search; lines found out of order raise mapq.Error, as
        `mapq range` exits 2 (see mapq-range(1)).
        """
        f = _encode(from_)
        t = None if to is None else _encode(to)
        if field is not None and key_regex is not None:
            raise ValueError("field and key_regex cannot be used together")
        if delimiter is not None and field is None:
            raise ValueError("a delimiter needs field")
        ktype, kfield, kdelim, kregex = _mapq.KEY_LINE, 0, 0, None
        if field is not None:
            if isinstance(field, bool) or not isinstance(field, int) or \
                    field < 1:
                raise ValueError("field must be an int >= 1")
            ktype, kfield, kdelim = _mapq.KEY_FIELD, field, _mapq.KEY_BLANKS
            if delimiter is not None:
                d = _encode(delimiter)
                if len(d) != 1:
                    raise ValueError("the delimiter must be a single byte")
                kdelim = d[0]
        if key_regex is not None:
            ktype = _mapq.KEY_REGEX
            kregex = _encode(key_regex).decode("utf-8", "surrogateescape") \
                if isinstance(key_regex, builtins_bytes) else key_regex
            if "\0" in kregex:
                raise ValueError("key_regex cannot hold a NUL")
        if time_format is not None and not isinstance(time_format, str):
            raise TypeError("time_format must be a str")
        if year is not None and (isinstance(year, bool) or
                                 not isinstance(year, int) or
                                 not 1 <= year <= 9999):
            raise ValueError("year must be an int from 1 to 9999")
        if slack is not None and not isinstance(slack, str):
            raise TypeError("slack must be a duration str, e.g. '15m'")
        if (year is not None or slack is not None) and time_format is None:
            raise ValueError("year and slack need time_format")
        return self._h.range(f, t, ktype, kfield, kdelim, kregex,
                             time_format, year or 0, slack)

    def split(self, n: int, lines: bool = False) -> List[Tuple[int, int]]:
        """At most n adjacent line-aligned byte ranges (start, end) that
        cover the data, as `mapq split -n N` prints them: balanced by bytes,
        or with lines=True by lines (--lines).  A stream cannot be split."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 1:
            raise ValueError("n must be an int >= 1")
        return self._h.split(n, bool(lines))

    def _newlines(self, start: int, end: int) -> int:
        """Internal (for mapq.dask): the number of newlines in bytes
        [start, end) of the data."""
        if start < 0 or end < 0:
            raise ValueError("offsets must be >= 0")
        return self._h.newlines(start, end)


def open(path: Union[str, builtins_bytes, _os.PathLike],
         decompress: bool = True) -> File:
    """Open path ("-": standard input) for queries; see File.

    zstd-compressed input is recognised by its content and decompressed
    unless decompress=False.  A missing file, a directory or a permission
    problem raises mapq.Error with its errno and filename.
    """
    return File(path, decompress)

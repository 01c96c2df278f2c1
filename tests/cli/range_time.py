#!/usr/bin/python3
"""range_time.py - the oracle of `mapq range --time-format` (time windows).

Independent of mapq: the times are parsed here by regular expressions built
from the strptime-style format (and a hand-written one for the `iso` preset),
and every window is what a linear filter over the lines gives:

  - a line whose key parses is keyed: selected iff FROM <= time < TO;
  - a line whose key does not parse is keyless: it follows the keyed line
    before it (never selected before the first keyed line);
  - times without a zone compare as written (wall clock), with a zone they
    are converted to UTC.

The disorder of a sequence of lines is the largest amount by which a line's
time is behind the newest time before it.  With --slack at least the
disorder, mapq must give exactly the filter's window; with less, it may
instead exit 2 naming two lines and suggesting --check / --slack.

Subcommands (stdlib only, run by /usr/bin/python3):
  gen       print a synthetic log in one of the Loghub formats
  filter    the reference filter over FILE... (concatenated in the order given)
  disorder  print a file's disorder in seconds and the first line behind
  selftest  the parser against the generator; byte-key windows of mapq today
  sweep     random windows of generated logs of one kind, compared with mapq
  rotated   rotated sets (plain, zstd, seekable zstd) in shuffled order
  since     --since / relative bounds on a log ending now (TZ=UTC)
  year      --year against the year inferred from the newest file's mtime
  errors    malformed durations, formats and bounds exit 2
  loghub    random windows of a real Loghub log, with a summary line
"""

import argparse
import calendar
import os
import random
import re
import shlex
import subprocess
import sys
import time

NS = 1_000_000_000
DAY = 86400
MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July',
          'August', 'September', 'October', 'November', 'December']
WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday',
            'Saturday', 'Sunday']
PRESETS = {
    'syslog': '%b %e %H:%M:%S',
    'apache': '[%a %b %d %H:%M:%S %Y]',
    'clf': '%d/%b/%Y:%H:%M:%S %z',
    'epoch': '%s',
}


# ---- parsing: a strptime-style format as a regular expression -------------

def _names_rx(names):
    alts = set()
    for n in names:
        alts.add(n.lower())
        alts.add(n[:3].lower())
    # Longest first, in an atomic group: 'june' is not read as 'jun' + 'e'.
    return '((?>' + '|'.join(sorted(alts, key=len, reverse=True)) + '))'


MONTH_RX = _names_rx(MONTHS)
WEEKDAY_RX = '(?:' + _names_rx(WEEKDAYS) + ')'
ISO_RX = (r'(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)'
          r'(?::(\d\d)(?:[.,](\d+))?)?(Z|[+-]\d\d:\d\d)?')
ISO_ROLES = ['Y', 'm', 'd', 'H', 'M', 'S', 'f', 'z']


def wall_ns(Y, mo, d, H=0, M=0, S=0, frac=0):
    return calendar.timegm((Y, mo, d, H, M, S, 0, 0, 0)) * NS + frac


def frac_ns(digits):
    """Fraction-of-second digits as nanoseconds (truncated past 9 digits)."""
    return int((digits + '000000000')[:9]) if digits else 0


def zone_seconds(z):
    if z is None:
        return None
    if z in ('Z', 'z'):
        return 0
    sign = -1 if z[0] == '-' else 1
    z = z[1:].replace(':', '')
    return sign * (int(z[:2]) * 3600 + int(z[2:4]) * 60)


def infer_year(mo, d, H, M, S, frac, mtime_wall):
    """The latest year that does not put the time more than a day after
    mtime (a wall-clock ns value)."""
    limit = mtime_wall + DAY * NS
    Y = time.gmtime(limit // NS).tm_year
    for y in range(Y, Y - 9, -1):
        if mo == 2 and d == 29 and not calendar.isleap(y):
            continue
        if wall_ns(y, mo, d, H, M, S, frac) <= limit:
            return y
    return None


class TimeFormat:
    """A --time-format: parse(key) -> ns (wall clock, or UTC with a zone)."""

    def __init__(self, fmt, year=None, mtime_wall=None):
        self.name = fmt
        self.year = year
        self.mtime_wall = mtime_wall
        self.bracket = fmt == 'clf'
        if fmt == 'iso':
            self.rx = re.compile(ISO_RX)
            self.roles = ISO_ROLES
            self.yearless = False
            return
        f = PRESETS.get(fmt, fmt)
        f = re.sub(r'%(.)', lambda m: {'T': '%H:%M:%S', 'F': '%Y-%m-%d'}
                   .get(m.group(1), m.group(0)), f)
        rx, roles, i = '', [], 0
        # (regex length, roles) after each conversion: the leading parts
        # of the format a bound may be written in.
        self.cuts = []
        while i < len(f):
            if rx:
                self.cuts.append((len(rx), len(roles)))
            c = f[i]
            if c in ' \t':
                while i < len(f) and f[i] in ' \t':
                    i += 1
                rx += '[ \t]*'
                continue
            if c != '%':
                rx += re.escape(c)
                i += 1
                continue
            if i + 1 >= len(f):
                raise ValueError('format ends with %')
            c = f[i + 1]
            i += 2
            if c == 'Y':
                rx += r'[ \t]*(\d{1,4}+)'
                roles.append('Y')
            elif c in 'ymdeHMS':
                rx += r'[ \t]*(\d{1,2}+)'
                roles.append({'e': 'd'}.get(c, c))
            elif c == 'f':
                rx += r'(\d+)'
                roles.append('f')
            elif c in 'bhB':
                rx += MONTH_RX
                roles.append('b')
            elif c in 'aA':
                rx += WEEKDAY_RX
                roles.append('a')
            elif c == 's':
                rx += r'(\d+)(?:\.(\d+))?'
                roles += ['s', 'sf']
            elif c == 'z':
                rx += r'(Z|[+-]\d\d:?\d\d)'
                roles.append('z')
            elif c == '%':
                rx += '%'
            else:
                raise ValueError('unknown conversion %' + c)
        self.cuts.append((len(rx), len(roles)))
        self.rxtext = rx
        self.rx = re.compile(rx, re.IGNORECASE)
        self.roles = roles
        self.yearless = not ({'Y', 'y', 's'} & set(roles))

    def parse(self, key):
        if key is None:
            return None
        m = self.rx.match(key)
        if not m:
            return None
        return self._value(m.groups(), self.roles)

    def parse_bound(self, text):
        """A --from/--to in a leading part of the format (missing fields
        take their smallest value), or ISO-8601 (None if neither)."""
        if self.name != 'iso':
            for rxlen, nroles in reversed(self.cuts):
                m = re.fullmatch(self.rxtext[:rxlen], text, re.IGNORECASE)
                if m:
                    return self._value(m.groups(), self.roles[:nroles])
        try:
            return parse_iso_bound(text)
        except ValueError:
            return None

    def _value(self, groups, roles):
        v = {}
        for role, g in zip(roles, groups):
            if g is not None and role != 'a':
                v[role] = g
        if 's' in v:
            return int(v['s']) * NS + frac_ns(v.get('sf'))
        mo = int(v['m']) if 'm' in v else 1
        if 'b' in v:
            mo = [n[:3].lower() for n in MONTHS].index(v['b'][:3].lower()) + 1
        d = int(v.get('d', 1))
        H, M, S = int(v.get('H', 0)), int(v.get('M', 0)), int(v.get('S', 0))
        fr = frac_ns(v.get('f'))
        if not (1 <= mo <= 12 and 1 <= d <= 31 and H <= 23 and M <= 59
                and S <= 59):
            return None
        if 'Y' in v:
            Y = int(v['Y'])
        elif 'y' in v:
            y = int(v['y'])
            Y = 1900 + y if y >= 69 else 2000 + y
        elif self.year is not None:
            Y = self.year
        elif self.mtime_wall is not None:
            Y = infer_year(mo, d, H, M, S, fr, self.mtime_wall)
            if Y is None:
                return None
        else:
            raise ValueError('a year-less format needs a year')
        if Y < 1 or d > calendar.monthrange(Y, mo)[1]:
            return None
        t = wall_ns(Y, mo, d, H, M, S, fr)
        z = zone_seconds(v.get('z'))
        return t if z is None else t - z * NS


class KeySpec:
    """The key of a line: whole line, --field N [-d C], --key-regex RE, or
    (clf without either) the text between the first [ and the next ]."""

    def __init__(self, field=None, delim=None, regex=None, bracket=False):
        self.field, self.delim, self.bracket = field, delim, bracket
        self.regex = re.compile(regex) if regex else None

    def key(self, line):
        if self.regex:
            m = self.regex.search(line)
            if not m:
                return None
            return m.group(1) if self.regex.groups else m.group(0)
        if self.field:
            if self.delim is not None:
                parts = line.split(self.delim)
            else:
                parts = [p for p in re.split('[ \t]+', line) if p]
            return parts[self.field - 1] if self.field <= len(parts) else None
        if self.bracket:
            i = line.find('[')
            j = line.find(']', i + 1) if i >= 0 else -1
            return line[i + 1:j] if j >= 0 else None
        return line

    @staticmethod
    def from_opts(opts, fmt):
        """From a mapq option list (--field N, -d C, --key-regex RE)."""
        field = delim = regex = None
        it = iter(opts)
        for o in it:
            if o == '--field':
                field = int(next(it))
            elif o == '-d':
                delim = next(it)
            elif o == '--key-regex':
                regex = next(it)
        return KeySpec(field, delim, regex,
                       bracket=(fmt == 'clf' and not field and not regex))


def split_lines(data):
    """bytes -> list of lines, each with its newline (the last maybe not)."""
    lines = data.split(b'\n')
    out = [ln + b'\n' for ln in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def line_times(lines, tf, ks):
    out = []
    for ln in lines:
        text = ln.decode('latin-1').rstrip('\n')
        out.append(tf.parse(ks.key(text)))
    return out


def select(times, lo, hi):
    """Indexes of the window FROM <= t < TO with the keyless followers."""
    sel, cur = [], False
    for i, t in enumerate(times):
        if t is not None:
            cur = (lo is None or lo <= t) and (hi is None or t < hi)
        if cur:
            sel.append(i)
    return sel


def disorder(times):
    newest, worst = None, 0
    for t in times:
        if t is None:
            continue
        if newest is None or t > newest:
            newest = t
        elif newest - t > worst:
            worst = newest - t
    return worst


def first_behind(times, slack):
    """Index of the first line more than slack behind the newest before."""
    newest = None
    for i, t in enumerate(times):
        if t is None:
            continue
        if newest is not None and newest - t > slack:
            return i
        if newest is None or t > newest:
            newest = t
    return None


def parse_iso_bound(s):
    """An ISO-8601 bound for the filter command line: YYYY-MM-DD[Thh[:mm
    [:ss[.fff]]]][Z|+hh:mm], or @EPOCH."""
    if s.startswith('@'):
        a, _, b = s[1:].partition('.')
        return int(a) * NS + frac_ns(b)
    m = re.fullmatch(r'(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d)(?::(\d\d)'
                     r'(?::(\d\d)(?:[.,](\d+))?)?)?)?(Z|[+-]\d\d:?\d\d)?', s)
    if not m:
        raise ValueError('not an ISO-8601 bound: ' + s)
    g = m.groups()
    t = wall_ns(*(int(x or 0) for x in g[:6]), frac_ns(g[6]))
    z = zone_seconds(g[7])
    return t if z is None else t - z * NS


# ---- rendering times -------------------------------------------------------

def fields(ns):
    s, f = divmod(ns, NS)
    tm = time.gmtime(s)
    return tm.tm_year, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, \
        tm.tm_sec, f, tm.tm_wday


UNITS = {'day': DAY * NS, 'hour': 3600 * NS, 'min': 60 * NS, 'sec': NS,
         'ms': 10 ** 6, 'ds': 10 ** 8}


def last_year(values):
    """The year of a generated log's last keyed line (its --year)."""
    return fields([v for v in values if v is not None][-1])[0]


def trunc(ns, level):
    return ns - ns % UNITS[level]


def zone_text(off, colon):
    sign = '-' if off < 0 else '+'
    h, m = divmod(abs(off) // 60, 60)
    return f'{sign}{h:02}{":" if colon else ""}{m:02}'


def render_duration(sec, rng):
    """A duration in seconds in one of the notations --slack takes."""
    opts = [str(sec), f'{sec}s']
    for unit, n in (('m', 60), ('h', 3600), ('d', DAY)):
        if sec and sec % n == 0:
            opts.append(f'{sec // n}{unit}')
    parts, rest = [], sec
    for unit, n in (('d', DAY), ('h', 3600), ('m', 60), ('s', 1)):
        if rest >= n:
            parts.append(f'{rest // n}{unit}')
            rest %= n
    if len(parts) > 1:
        opts.append(''.join(parts))
    return rng.choice(opts)


def iso_bound(wall, rng, frac):
    """A zone-less ISO-8601 bound, maybe partial: (text, value)."""
    levels = ['day', 'hour', 'min', 'min', 'sec', 'sec'] + \
        (['ms', 'ds'] if frac else [])
    level = rng.choice(levels)
    w = trunc(wall, level)
    Y, mo, d, H, M, S, f, _ = fields(w)
    s = f'{Y:04}-{mo:02}-{d:02}'
    if level == 'hour':
        s += f'T{H:02}'
    elif level != 'day':
        s += f'{rng.choice("T ")}{H:02}:{M:02}'
        if level in ('sec', 'ms', 'ds'):
            s += f':{S:02}'
        if level == 'ms':
            s += rng.choice('.,') + f'{f // 10 ** 6:03}'
        elif level == 'ds':
            s += '.' + str(f // 10 ** 8)
    return s, w


def iso_zoned_bound(u, rng, frac):
    """An ISO-8601 bound with Z or an offset, for an instant u (UTC)."""
    off = rng.choice([0, 0, 3600, -7 * 3600, 5 * 3600 + 1800, -8 * 3600])
    level = rng.choice(['min', 'sec', 'sec'] + (['ms'] if frac else []))
    w = trunc(u + off * NS, level)
    Y, mo, d, H, M, S, f, _ = fields(w)
    s = f'{Y:04}-{mo:02}-{d:02}T{H:02}:{M:02}'
    if level != 'min':
        s += f':{S:02}'
    if level == 'ms':
        s += f'.{f // 10 ** 6:03}'
    s += 'Z' if off == 0 else zone_text(off, True)
    return s, w - off * NS


def month_name(mo, rng):
    full = MONTHS[mo - 1]
    return rng.choice([full[:3], full[:3], full[:3].upper(), full,
                       full.lower()])


# ---- the log formats -----------------------------------------------------

TRACE = ['java.lang.IllegalStateException: connection closed by peer',
         '\tat org.apache.hadoop.ipc.Client.call(Client.java:1470)',
         '\tat org.apache.hadoop.ipc.Client$Connection.run(Client.java:1013)',
         'Caused by: java.net.ConnectException: Connection refused',
         '\t... more', '', '    retrying request (attempt three)']
HEADER = ['# log opened', '', 'starting service']
WORDS = ['connection', 'closed', 'user', 'session', 'opened', 'request',
         'block', 'received', 'timeout', 'retry', 'done', 'error', 'ok']


def msg(rng, n=4):
    return ' '.join(rng.choice(WORDS) for _ in range(n))


class Kind:
    """A log format: how a line is written, its --time-format choices and
    key options per layout, and how bounds are written."""
    name = ''
    yearless = False
    zoned = False
    gran = NS
    layouts = {'line': (None, [])}   # layout -> (fmt choices or None, opts)
    fmts = []
    cont = True

    def fmt_choices(self, layout):
        return self.layouts[layout][0] or self.fmts

    def key_opts(self, layout):
        return self.layouts[layout][1]

    def offset(self, u, ctx):
        return 0

    def bound(self, t, rng, ctx):
        """(text, value) for a bound near t (a parsed value)."""
        if self.zoned:
            if rng.random() < 0.5:
                return iso_zoned_bound(t, rng, self.gran < NS)
            return self.fmt_bound(t, rng, ctx)
        if rng.random() < 0.4:
            return iso_bound(t, rng, self.gran < NS)
        return self.fmt_bound(t, rng, ctx)


class Syslog(Kind):
    name = 'syslog'
    yearless = True
    fmts = ['syslog', '%b %e %H:%M:%S', '%b %d %H:%M:%S', '%h %e %T']
    layouts = {'line': (None, []), 'pipe': (None, ['--field', '2', '-d', '|'])}

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u)
        return f'{MONTHS[mo - 1][:3]} {d:2d} {H:02}:{M:02}:{S:02}'

    def line(self, st, rng, layout, i):
        if layout == 'pipe':
            return f'{i}|{st}|sshd[{rng.randint(100, 30000)}]|{msg(rng)}'
        host = rng.choice(['combo', 'LabSZ', 'calvisitor-10-105-160-95'])
        proc = rng.choice(['sshd(pam_unix)', 'sshd', 'kernel', 'su(pam_unix)'])
        return f'{st} {host} {proc}[{rng.randint(100, 30000)}]: {msg(rng)}'

    def fmt_bound(self, t, rng, ctx):
        level = rng.choice(['day', 'hour', 'min', 'sec', 'sec'])
        w = trunc(t, level)
        Y, mo, d, H, M, S, f, wd = fields(w)
        s = month_name(mo, rng) + ' ' + rng.choice([f'{d:2d}', str(d)])
        if level != 'day':
            s += f' {H:02}'
        if level in ('min', 'sec'):
            s += f':{M:02}'
        if level == 'sec':
            s += f':{S:02}'
        return s, w


class Apache(Kind):
    name = 'apache'
    fmts = ['apache', '[%a %b %d %H:%M:%S %Y]', '[%a %b %d %T %Y]']

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u)
        return (f'[{WEEKDAYS[wd][:3]} {MONTHS[mo - 1][:3]} {d:02} '
                f'{H:02}:{M:02}:{S:02} {Y}]')

    def line(self, st, rng, layout, i):
        lv = rng.choice(['notice', 'error', 'notice'])
        return f'{st} [{lv}] {rng.choice(["jk2_init()", "mod_jk"])} {msg(rng)}'

    def fmt_bound(self, t, rng, ctx):
        w = trunc(t, 'sec')
        Y, mo, d, H, M, S, f, wd = fields(w)
        return (f'[{WEEKDAYS[wd][:3]} {month_name(mo, rng)} {d:02} '
                f'{H:02}:{M:02}:{S:02} {Y}]'), w


class Hdfs(Kind):
    name = 'hdfs'
    fmts = ['%y%m%d %H%M%S']

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u)
        return f'{Y % 100:02}{mo:02}{d:02} {H:02}{M:02}{S:02}'

    def line(self, st, rng, layout, i):
        return (f'{st} {rng.randint(1, 300)} INFO dfs.DataNode$PacketResponder:'
                f' PacketResponder {rng.randint(0, 2)} for block blk_'
                f'{rng.randint(-10**18, 10**18)} terminating')

    def fmt_bound(self, t, rng, ctx):
        level = rng.choice(['day', 'hour', 'min', 'sec', 'sec'])
        w = trunc(t, level)
        Y, mo, d, H, M, S, f, wd = fields(w)
        s = f'{Y % 100:02}{mo:02}{d:02}'
        if level != 'day':
            s += f' {H:02}'
        if level in ('min', 'sec'):
            s += f'{M:02}'
        if level == 'sec':
            s += f'{S:02}'
        return s, w


class Hadoop(Kind):
    name = 'hadoop'
    gran = 10 ** 6
    fmts = ['%Y-%m-%d %H:%M:%S,%f', '%F %T,%f']

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u)
        return f'{Y:04}-{mo:02}-{d:02} {H:02}:{M:02}:{S:02},{f // 10**6:03}'

    def line(self, st, rng, layout, i):
        return (f'{st} {rng.choice(["INFO", "WARN", "INFO"])} [main] '
                f'org.apache.hadoop.mapreduce.v2.app.MRAppMaster: {msg(rng)}')

    def fmt_bound(self, t, rng, ctx):
        level = rng.choice(['day', 'hour', 'min', 'sec', 'ms', 'ms', 'ds'])
        w = trunc(t, level)
        Y, mo, d, H, M, S, f, wd = fields(w)
        s = f'{Y:04}-{mo:02}-{d:02}'
        if level != 'day':
            s += f' {H:02}'
        if level not in ('day', 'hour'):
            s += f':{M:02}'
        if level in ('sec', 'ms', 'ds'):
            s += f':{S:02}'
        if level == 'ms':
            s += f',{f // 10**6:03}'
        if level == 'ds':
            s += f',{f // 10**8}'
        return s, w


class Zookeeper(Hadoop):
    name = 'zookeeper'

    def line(self, st, rng, layout, i):
        return (f'{st} - {rng.choice(["INFO ", "WARN "])} [QuorumPeer[myid=1]'
                f'/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - {msg(rng)}')


class Proxifier(Kind):
    name = 'proxifier'
    yearless = True
    fmts = ['[%m.%d %H:%M:%S]', '[%m.%d %T]']

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u)
        return f'[{mo:02}.{d:02} {H:02}:{M:02}:{S:02}]'

    def line(self, st, rng, layout, i):
        return (f'{st} chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through '
                f'proxy proxy.cse.cuhk.edu.hk:5070 HTTPS')

    def fmt_bound(self, t, rng, ctx):
        level = rng.choice(['day', 'hour', 'min', 'sec', 'sec'])
        w = trunc(t, level)
        Y, mo, d, H, M, S, f, wd = fields(w)
        s = f'[{mo:02}.{d:02}'
        if level != 'day':
            s += f' {H:02}'
        if level in ('min', 'sec'):
            s += f':{M:02}'
        if level == 'sec':
            s += f':{S:02}' + rng.choice(['', ']'])
        return s, w


class Android(Kind):
    name = 'android'
    yearless = True
    gran = 10 ** 6
    fmts = ['%m-%d %H:%M:%S.%f', '%m-%d %T.%f']

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u)
        return f'{mo:02}-{d:02} {H:02}:{M:02}:{S:02}.{f // 10**6:03}'

    def line(self, st, rng, layout, i):
        return (f'{st} {rng.randint(100, 9999):5d} {rng.randint(100, 9999):5d} '
                f'{rng.choice("DIWV")} {rng.choice(["WindowManager", "PowerManagerService"])}: '
                f'{msg(rng)}')

    def fmt_bound(self, t, rng, ctx):
        level = rng.choice(['day', 'hour', 'min', 'sec', 'ms', 'ms', 'ds'])
        w = trunc(t, level)
        Y, mo, d, H, M, S, f, wd = fields(w)
        s = f'{mo:02}-{d:02}'
        if level != 'day':
            s += f' {H:02}'
        if level not in ('day', 'hour'):
            s += f':{M:02}'
        if level in ('sec', 'ms', 'ds'):
            s += f':{S:02}'
        if level == 'ms':
            s += f'.{f // 10**6:03}'
        if level == 'ds':
            s += f'.{f // 10**8}'
        return s, w


class Clf(Kind):
    """Common log format; the zone falls back an hour half-way (DST)."""
    name = 'clf'
    zoned = True
    cont = False
    layouts = {'bracket': (['clf'], []),
               'regex': (['%d/%b/%Y:%H:%M:%S %z'],
                         ['--key-regex', r'\[([^]]*)\]'])}

    def offset(self, u, ctx):
        return ctx['off1'] if u < ctx['switch'] else ctx['off2']

    def stamp(self, u, off, ctx):
        Y, mo, d, H, M, S, f, wd = fields(u + off * NS)
        return (f'{d:02}/{MONTHS[mo - 1][:3]}/{Y}:{H:02}:{M:02}:{S:02} '
                f'{zone_text(off, False)}')

    def line(self, st, rng, layout, i):
        ip = '.'.join(str(rng.randint(1, 254)) for _ in range(4))
        return (f'{ip} - {rng.choice(["-", "frank"])} [{st}] "GET /item/{i} '
                f'HTTP/1.1" {rng.choice([200, 200, 304, 404])} {rng.randint(0, 9999)}')

    def fmt_bound(self, u, rng, ctx):
        off = rng.choice([ctx['off1'], ctx['off2'], 0, 5 * 3600 + 1800])
        w = trunc(u + off * NS, 'sec')
        Y, mo, d, H, M, S, f, wd = fields(w)
        return (f'{d:02}/{month_name(mo, rng)}/{Y}:{H:02}:{M:02}:{S:02} '
                f'{zone_text(off, rng.random() < 0.3)}'), w - off * NS


class Epoch(Kind):
    name = 'epoch'
    fmts = ['epoch', '%s']
    layouts = {'line': (None, []), 'field': (None, ['--field', '2'])}

    def stamp(self, u, off, ctx):
        s, f = divmod(u, NS)
        return f'{s}.{f // 10**6:03}' if ctx.get('frac') else str(s)

    def line(self, st, rng, layout, i):
        host = f'host-{rng.randint(0, 15):02}'
        if layout == 'field':
            return f'{host} {st} {msg(rng)}'
        return f'{st} {host} {msg(rng)}'

    def bound(self, t, rng, ctx):
        r = rng.random()
        if r < 0.2:
            return iso_zoned_bound(t, rng, True)
        if r < 0.35:
            # TZ=UTC: a zone-less ISO bound is UTC whichever way it is read.
            return iso_bound(t, rng, True)
        s, f = divmod(t, NS)
        c = rng.random()
        if c < 0.5:
            return str(s), s * NS
        if c < 0.75:
            return f'{s}.{f // 10**8}', trunc(t, 'ds')
        return f'{s}.{f // 10**6:03}', trunc(t, 'ms')


class Iso(Kind):
    """ISO-8601 with zones: +02:00 falls back to +01:00 half-way, some
    lines are written in UTC (Z)."""
    name = 'iso'
    zoned = True
    gran = 10 ** 6
    layouts = {'line': (['iso'], []),
               'regex': (['iso'], ['--key-regex', r'ts=(\S+)'])}

    def offset(self, u, ctx):
        return ctx['off1'] if u < ctx['switch'] else ctx['off2']

    def stamp(self, u, off, ctx):
        if ctx['rng'].random() < 0.1:
            off = 0
        Y, mo, d, H, M, S, f, wd = fields(u + off * NS)
        z = 'Z' if off == 0 else zone_text(off, True)
        return (f'{Y:04}-{mo:02}-{d:02}{ctx["sep"]}{H:02}:{M:02}:{S:02}'
                f'{ctx["fsep"]}{f // 10**6:03}{z}')

    def line(self, st, rng, layout, i):
        lv = rng.choice(['info', 'warn', 'info'])
        if layout == 'regex':
            return f'level={lv} id={i} ts={st} msg="{msg(rng, 2)}"'
        return f'{st} {lv.upper()} {msg(rng)}'

    def fmt_bound(self, u, rng, ctx):
        return iso_zoned_bound(u, rng, True)


KINDS = {k.name: k() for k in (Syslog, Apache, Hdfs, Hadoop, Zookeeper,
                               Proxifier, Android, Clf, Epoch, Iso)}


def generate(kind, rng, n=3000, start=None, step=3.0, lag_max=10.0,
             lag_rate=0.2, jump=False, cont_rate=0.04, header=True,
             layout=None, epoch_frac=None, regular=False):
    """A synthetic log: (list of line texts, list of true values or None,
    ctx).  The writer's clock advances by exponential steps (mean `step`
    seconds); a share `lag_rate` of the lines is written up to `lag_max`
    seconds late (threads); with `jump`, a second run starts half-way a
    month back.  Stack traces (keyless lines) follow some lines."""
    layout = layout or next(iter(kind.layouts))
    if start is None:
        start = wall_ns(rng.choice([1998, 2005, 2008, 2015, 2016, 2017]),
                        rng.randint(4, 10), rng.randint(1, 28),
                        rng.randint(0, 23), rng.randint(0, 59),
                        rng.randint(0, 59))
    ctx = {'rng': rng, 'sep': rng.choice('T '), 'fsep': rng.choice('.,'),
           'frac': rng.random() < 0.5 if epoch_frac is None else epoch_frac}
    if layout == 'regex' and kind.name == 'iso':
        ctx['sep'] = 'T'
    if kind.name == 'clf':
        ctx['off1'], ctx['off2'] = rng.choice([(-7 * 3600, -8 * 3600),
                                               (2 * 3600, 3600)])
    else:
        ctx['off1'], ctx['off2'] = 2 * 3600, 3600
    ctx['switch'] = start + int(n / 2 * step * NS)
    texts, values = [], []
    if header:
        for h in HEADER[:rng.randint(1, 3)]:
            texts.append(h)
            values.append(None)
    base = start
    for i in range(n):
        if jump and i == n // 2:
            base -= (30 * DAY + rng.randint(0, DAY)) * NS
        if regular:
            base += int(step * NS)
        elif step:
            base += int(rng.expovariate(1.0 / step) * NS)
        u = base
        if rng.random() < lag_rate:
            u -= int(rng.uniform(0, lag_max) * NS)
        gran = NS if kind.name == 'epoch' and not ctx['frac'] else kind.gran
        u -= u % gran
        st = kind.stamp(u, kind.offset(u, ctx), ctx)
        texts.append(kind.line(st, rng, layout, i))
        values.append(u)
        if kind.cont and rng.random() < cont_rate:
            for _ in range(rng.randint(1, 6)):
                texts.append(rng.choice(TRACE))
                values.append(None)
    return texts, values, ctx


# ---- running mapq and comparing --------------------------------------------

class Report:
    def __init__(self, name):
        self.name = name
        self.checks = self.fails = 0
        self.exact = self.exit2 = self.nonempty = 0

    def fail(self, what, detail=''):
        self.fails += 1
        if self.fails <= 30:
            print(f'FAIL: {self.name}: {what}', file=sys.stderr)
            if detail:
                print('    ' + detail.replace('\n', '\n    '), file=sys.stderr)

    def done(self):
        print(f'{self.name}: {self.checks} checks ({self.exact} exact, '
              f'{self.nonempty} of them not empty; {self.exit2} allowed '
              f'exit 2), {self.fails} failed')
        return 1 if self.fails else 0


def run(cmd, timeout=120, env=None):
    p = subprocess.run(cmd, capture_output=True, timeout=timeout, env=env)
    return p.returncode, p.stdout, p.stderr


def diff_hint(want, got):
    w, g = want.split(b'\n'), got.split(b'\n')
    for i, (a, b) in enumerate(zip(w, g)):
        if a != b:
            return (f'first difference at output line {i + 1}:\n'
                    f'want {a[:150]!r}\ngot  {b[:150]!r}')
    return f'want {len(w) - 1} lines, got {len(g) - 1}'


def exit2_ok(err, slack, times, single):
    """Exit 2 where the disorder exceeds the slack: stderr must mention
    --check and --slack and name two lines (single file: two lines of which
    the earlier is more than the slack ahead of the later)."""
    text = err.decode('utf-8', 'replace')
    if '--check' not in text or '--slack' not in text:
        return 'stderr does not mention --check and --slack'
    nums = sorted({int(x) for x in re.findall(r'\d+', text)})
    if len(nums) < 2:
        return 'stderr does not name two line numbers'
    if single:
        n = len(times)
        cand = [x for x in nums if 1 <= x <= n and times[x - 1] is not None]
        for a in cand:
            for b in cand:
                if a < b and times[a - 1] - times[b - 1] > slack:
                    return None
        return 'no two line numbers in stderr are lines out of order by ' \
               'more than the slack'
    return None


class Data:
    """Lines as mapq sees them (the concatenation in file order), their
    times, the files to pass and the mapq options of the format."""

    def __init__(self, lines, times, files, opts, label, single=True):
        self.lines, self.times, self.files = lines, times, files
        self.opts, self.label, self.single = opts, label, single
        self.disorder = disorder(times)
        keyed = [t for t in times if t is not None]
        self.keyed = keyed
        self.tmin, self.tmax = min(keyed), max(keyed)


def check_window(rep, mapq, data, lo, hi, slack, count=False, extra=None,
                 values=None):
    """One window: lo/hi are (text, value) or None; slack is (text, ns) or
    None.  values: instead of lo/hi's, the acceptable (FROM, TO) values
    (relative bounds: the clock moves)."""
    cmd = [mapq, 'range'] + data.opts
    if extra:
        cmd += extra
    if lo is not None:
        cmd.append('--from=' + lo[0])
    if hi is not None:
        cmd.append('--to=' + hi[0])
    slack_ns = 0
    if slack is not None:
        cmd.append('--slack=' + slack[0])
        slack_ns = slack[1]
    if count:
        cmd.append('-c')
    cmd += data.files
    rep.checks += 1
    answers = []
    for lv, hv in values or [(lo[1] if lo else None, hi[1] if hi else None)]:
        sel = select(data.times, lv, hv)
        want = (f'{len(sel)}\n'.encode() if count
                else b''.join(data.lines[i] for i in sel))
        answers.append((want, 0 if sel else 1, len(sel)))
    st, out, err = run(cmd)
    where = f'{data.label}\n$ {shlex.join(cmd)}'
    within = data.disorder <= slack_ns
    if st == 2 and not within:
        why = exit2_ok(err, slack_ns, data.times, data.single)
        if why:
            rep.fail('exit 2: ' + why, where + '\nstderr: ' +
                     err.decode('utf-8', 'replace')[:300])
        else:
            rep.exit2 += 1
        return
    for want, wst, n in answers:
        if out == want and st == wst and not err:
            rep.exact += 1
            rep.nonempty += n > 0
            return
    want, wst, n = answers[0]
    if st == 2:
        why = (f'exit 2 though the disorder {data.disorder / NS:g}s is '
               f'within the slack {slack_ns / NS:g}s')
    elif out != want:
        why = f'wrong window (exit {st}; want {n} lines, exit {wst})'
    elif st != wst:
        why = f'exit status {st}, want {wst}'
    else:
        why = 'unexpected stderr'
    rep.fail(why, where + '\n' + (diff_hint(want, out) if out != want else '')
             + ('\nstderr: ' + err.decode('utf-8', 'replace')[:300]
                if err else ''))


def check_check(rep, mapq, data, slack):
    """--check: exit 0 silently within the slack, else NUMBER:TEXT of the
    first line further back than the slack, exit 1."""
    cmd = [mapq, 'range', '--check'] + data.opts
    slack_ns = 0
    if slack is not None:
        cmd.append('--slack=' + slack[0])
        slack_ns = slack[1]
    cmd += data.files
    rep.checks += 1
    i = first_behind(data.times, slack_ns)
    if i is None:
        want, wst = b'', 0
    else:
        want = f'{i + 1}:'.encode() + data.lines[i].rstrip(b'\n') + b'\n'
        wst = 1
    st, out, err = run(cmd)
    if st != wst or out != want or err:
        rep.fail(f'--check: exit {st}, want {wst}',
                 f'{data.label}\n$ {shlex.join(cmd)}\nwant {want[:200]!r}\n'
                 f'got  {out[:200]!r}\nstderr {err[:200]!r}')
    else:
        rep.exact += 1


def pick_slack(rng, D):
    """(text, ns) or None: above the disorder D, exactly D when it is whole
    seconds, below it, or the default."""
    c = [None]
    above = D // NS + 1 + rng.choice([0, 0, 3, 60, 3600])
    c += [above] * 3
    if D % NS == 0:
        c.append(D // NS)
    if D > 0:
        c += [rng.randrange(0, (D + NS - 1) // NS)] * 2
    s = rng.choice(c)
    return None if s is None else (render_duration(s, rng), s * NS)


def pick_window(rng, kind, data, ctx):
    def anchor():
        r = rng.random()
        if r < 0.6:
            return rng.choice(data.keyed)
        if r < 0.9:
            return rng.randint(data.tmin, data.tmax)
        if r < 0.95:
            return data.tmin - rng.randint(0, 7200) * NS
        return data.tmax + rng.randint(0, 7200) * NS

    a = anchor()
    lo = kind.bound(a, rng, ctx)
    r = rng.random()
    if r < 0.15:
        return lo, None
    if r < 0.25:            # empty: TO <= FROM
        return lo, kind.bound(lo[1] - rng.randint(0, 3600) * NS, rng, ctx)
    span = data.tmax - data.tmin
    dur = rng.choice([rng.randint(0, 60) * NS, rng.randint(0, 3600) * NS,
                      rng.randint(0, max(1, span // NS)) * NS,
                      rng.randint(0, max(1, span)) // 10])
    if rng.random() < 0.3:
        return lo, kind.bound(rng.choice(data.keyed), rng, ctx)
    return lo, kind.bound(a + dur, rng, ctx)


def fmt_opts(kind, fmt, layout, year):
    opts = ['--time-format', fmt]
    if kind.yearless:
        opts += ['--year', str(year)]
    return opts + kind.key_opts(layout)


def write_log(path, texts, final_newline=True):
    data = '\n'.join(texts).encode('latin-1') + (b'\n' if final_newline else b'')
    with open(path, 'wb') as f:
        f.write(data)
    return data


def load(paths, fmt, opts, year=None, mtime_wall=None):
    tf = TimeFormat(fmt, year=year, mtime_wall=mtime_wall)
    ks = KeySpec.from_opts(opts, fmt)
    lines = []
    for p in paths:
        with open(p, 'rb') as f:
            lines += split_lines(f.read())
    return lines, line_times(lines, tf, ks)


def verify_parse(rep, label, times, values):
    """The parser against the generator: the same value for every line."""
    rep.checks += 1
    for i, (t, v) in enumerate(zip(times, values)):
        if t != v:
            rep.fail(f'parser and generator disagree at line {i + 1}',
                     f'{label}: parsed {t}, generated {v}')
            return False
    return True


# ---- subcommands -----------------------------------------------------------

def cmd_sweep(a):
    """Three logs of one kind (small thread disorder; sorted; a second run a
    month back), random windows with random slack, and --check."""
    rng = random.Random(f'{a.kind}-{a.seed}')
    kind = KINDS[a.kind]
    rep = Report(f'sweep {a.kind} seed {a.seed}')
    plans = [dict(lag_max=rng.choice([2, 5, 30, 120]), lag_rate=0.2),
             dict(lag_rate=0.0, step=rng.choice([1.0, 3.0])),
             dict(lag_max=rng.choice([5, 60]), lag_rate=0.1, jump=True)]
    for p, plan in enumerate(plans):
        layout = rng.choice(list(kind.layouts))
        fmt = rng.choice(kind.fmt_choices(layout))
        texts, values, ctx = generate(kind, rng, n=a.lines, layout=layout,
                                      **plan)
        year = last_year(values)
        path = os.path.join(a.dir, f'{a.kind}-{a.seed}-{p}.log')
        write_log(path, texts, final_newline=(p != 1 or rng.random() < 0.5))
        opts = fmt_opts(kind, fmt, layout, year)
        lines, times = load([path], fmt, opts, year=year)
        label = (f'{a.kind} seed {a.seed} log {p} ({path}; regenerate with '
                 f'range_time.py sweep --kind {a.kind} --seed {a.seed} '
                 f'--keep DIR)')
        if not verify_parse(rep, label, times, values):
            continue
        data = Data(lines, times, [path], opts, label)
        for _ in range(a.windows):
            lo, hi = pick_window(rng, kind, data, ctx)
            slack = pick_slack(rng, data.disorder)
            check_window(rep, a.mapq, data, lo, hi, slack,
                         count=rng.random() < 0.3)
        # --check below the disorder (the default 0 or more) and above it.
        D = data.disorder
        below = rng.randrange(0, (D + NS - 1) // NS) if D else 0
        for slack in (None if rng.random() < 0.3 else
                      (render_duration(below, rng), below * NS),
                      (render_duration(D // NS + 1, rng), (D // NS + 1) * NS)):
            check_check(rep, a.mapq, data, slack)
    return rep.done()


def cmd_rotated(a):
    """A log split in 3-4 rotated files, some zstd-compressed (one maybe by
    mapq compress: seekable), given in shuffled order: one sequence ordered
    by each file's first key."""
    rng = random.Random(f'rotated-{a.seed}')
    rep = Report(f'rotated seed {a.seed}')
    for r in range(a.sets):
        kind = KINDS[rng.choice(['syslog', 'hadoop', 'clf', 'epoch', 'android',
                                 'apache'])]
        layout = rng.choice(list(kind.layouts))
        fmt = rng.choice(kind.fmt_choices(layout))
        lag_max = rng.choice([2, 30])
        jump = rng.random() < 0.25
        texts, values, ctx = generate(
            kind, rng, n=a.lines, layout=layout,
            lag_max=lag_max, lag_rate=0.2, jump=jump)
        year = last_year(values)
        opts = fmt_opts(kind, fmt, layout, year)
        tf = TimeFormat(fmt, year=year)
        ks = KeySpec.from_opts(opts, fmt)
        times = [tf.parse(ks.key(t)) for t in texts]
        if not verify_parse(rep, f'rotated {r}', times, values):
            continue
        nfiles = rng.randint(3, 4)
        # Cut points: every piece has a keyed line, first keys all differ.
        for _ in range(100):
            cuts = sorted(rng.sample(range(1, len(texts)), nfiles - 1))
            pieces = [list(range(s, e)) for s, e in
                      zip([0] + cuts, cuts + [len(texts)])]
            firsts = [next((times[i] for i in pc if times[i] is not None),
                           None) for pc in pieces]
            if None not in firsts and len(set(firsts)) == nfiles:
                break
        else:
            continue
        d = os.path.join(a.dir, f'rot-{a.seed}-{r}')
        os.makedirs(d, exist_ok=True)
        paths = []
        for k, pc in enumerate(pieces):
            n = nfiles - 1 - k
            base = os.path.join(d, 'app.log' + (f'.{n}' if n else ''))
            write_log(base, [texts[i] for i in pc])
            how = rng.choice(['plain', 'zstd', 'seekable']) if n else 'plain'
            # A zstd file without a seek table cannot be sampled: it is
            # read only as far as the window needs, and a second run
            # inside it beyond that is not seen (mapq-range(1), Several
            # files).  A set with a second run keeps its parts seekable.
            if how == 'zstd' and jump:
                how = 'seekable'
            if how == 'zstd':
                run(['zstd', '-q', '--rm', base])
                base += '.zst'
            elif how == 'seekable':
                st, _, err = run([a.mapq, 'compress', '--frame-size', '4K',
                                  '--align', '-o', base + '.zst', base])
                if st:
                    rep.fail('mapq compress failed', err.decode()[:200])
                os.unlink(base)
                base += '.zst'
            paths.append(base)
        order = sorted(range(nfiles), key=lambda k: firsts[k])
        seq = [i for k in order for i in pieces[k]]
        lines = [texts[i].encode('latin-1') + b'\n' for i in seq]
        stimes = [times[i] for i in seq]
        shuffled = paths[:]
        rng.shuffle(shuffled)
        label = (f'rotated seed {a.seed} set {r} ({kind.name}, {fmt}); files '
                 f'in first-key order: {[os.path.basename(paths[k]) for k in order]}')
        data = Data(lines, stimes, shuffled, opts, label, single=False)
        for _ in range(a.windows):
            lo, hi = pick_window(rng, kind, data, ctx)
            check_window(rep, a.mapq, data, lo, hi,
                         pick_slack(rng, data.disorder),
                         count=rng.random() < 0.3)
    return rep.done()


def cmd_since(a):
    """A log ending now (wall clock, TZ=UTC), lines a minute or two apart:
    --since and relative bounds against the filter with now taken before
    and after the run (either answer is right)."""
    rng = random.Random(f'since-{a.seed}')
    rep = Report(f'since seed {a.seed}')
    if os.environ.get('TZ') != 'UTC':
        print('since: needs TZ=UTC', file=sys.stderr)
        return 2
    cases = [(['--since', '30m'], 30 * 60, None),
             (['--since', '2h'], 2 * 3600, None),
             (['--since=1h30m'], 5400, None),
             ([], 30 * 60, None, '-30m'),
             ([], 3600, 30 * 60, '-1h', '-30m'),
             ([], DAY + 7200, 3600, '-1d2h', '-1h'),
             (['--since', '1d'], DAY, None),
             ([], 10 * DAY, 9 * DAY, '-10d', '-9d'),
             ([], 7 * DAY, 3 * 3600, '-7d', '-3h')]
    for kind_name in ('hadoop', 'epoch', 'syslog'):
        kind = KINDS[kind_name]
        now = int(time.time())
        n = 300
        end = (now - rng.randint(5, 60)) * NS
        if kind.yearless and fields(end)[0] != fields(end - (n + 1) * 60 * NS)[0]:
            continue        # a year-less log across New Year
        texts, values, ctx = generate(kind, rng, n=n, start=end - n * 60 * NS,
                                      step=60.0, regular=True, lag_max=3,
                                      lag_rate=0.1, epoch_frac=True)
        year = last_year(values)
        layout = next(iter(kind.layouts))
        fmt = kind.fmt_choices(layout)[0]
        path = os.path.join(a.dir, f'since-{kind_name}.log')
        write_log(path, texts)
        opts = fmt_opts(kind, fmt, layout, year)
        lines, times = load([path], fmt, opts, year=year)
        if not verify_parse(rep, f'since {kind_name}', times, values):
            continue
        data = Data(lines, times, [path], opts, f'since {kind_name} ({path})')
        slack = (str(data.disorder // NS + 1), data.disorder + NS)
        for case in cases:
            extra, back_from, back_to = case[:3]
            if len(case) > 3:
                extra = extra + ['--from=' + case[3]]
            if len(case) > 4:
                extra = extra + ['--to=' + case[4]]
            # mapq reads the clock between t0 and t0 + 5 s (checked after):
            # every whole second in between gives an acceptable answer.
            t0 = int(time.time())
            values = [((now - back_from) * NS,
                       None if back_to is None else (now - back_to) * NS)
                      for now in range(t0 - 1, t0 + 6)]
            check_window(rep, a.mapq, data, None, None, slack,
                         count=rng.random() < 0.3, extra=extra,
                         values=values)
            if time.time() > t0 + 5:
                print('since: the clock moved more than 5 s during a run; '
                      'result not meaningful', file=sys.stderr)
    return rep.done()


def cmd_year(a):
    """Year-less logs without --year: the year of the newest file's mtime
    (unless the times would be more than a day after it: the year before);
    --year overrides it."""
    rng = random.Random(f'year-{a.seed}')
    rep = Report(f'year seed {a.seed}')
    kind = KINDS['syslog']
    # Lines from Jun 1 to about Jun 9 of 2023 as generated; the year written
    # nowhere.
    start = wall_ns(2023, 6, 1, 0, 10, 0)
    texts, values, ctx = generate(kind, rng, n=2000, start=start, step=360.0,
                                  lag_max=5, lag_rate=0.1)
    last = max(v for v in values if v is not None)
    lastf = fields(last)
    d = os.path.join(a.dir, 'year')
    os.makedirs(d, exist_ok=True)
    one = os.path.join(d, 'messages')
    write_log(one, texts)
    # Three rotated pieces for the newest-file rule.
    cut1, cut2 = len(texts) // 3, 2 * len(texts) // 3
    while values[cut1] is None:
        cut1 += 1
    while values[cut2] is None:
        cut2 += 1
    rot = []
    for k, (s, e) in enumerate([(0, cut1), (cut1, cut2), (cut2, len(texts))]):
        p = os.path.join(d, 'syslog' + ('' if k == 2 else f'.{2 - k}'))
        write_log(p, texts[s:e])
        rot.append((p, values[e - 1] if values[e - 1] is not None else
                    max(v for v in values[s:e] if v is not None)))
    last_mo, last_d = lastf[1], lastf[2]

    def mtime(Y, mo, d, H=0, M=0):
        return calendar.timegm((Y, mo, d, H, M, 0, 0, 0, 0))

    cases = [
        # (label, files with mtimes, --year or None, expected year)
        ('mtime a day after the last line', [(one, mtime(2024, last_mo, last_d) + DAY)], None, 2024),
        ('mtime within a day before the last line',
         [(one, (wall_ns(2024, *lastf[1:6]) // NS) - 20 * 3600)], None, 2024),
        ('mtime in the January after', [(one, mtime(2025, 1, 20))], None, 2024),
        ('mtime before all lines (by more than a day)',
         [(one, mtime(2024, 5, 29))], None, 2023),
        ('--year overrides the mtime', [(one, mtime(2024, 7, 1))], 2019, 2019),
        ('the newest file of a rotated set decides',
         [(rot[0][0], mtime(2024, 6, 3)), (rot[1][0], mtime(2024, 6, 5)),
          (rot[2][0], mtime(2024, last_mo, last_d, 12))], None, 2024),
    ]
    for label, files, year_opt, want_year in cases:
        for p, mt in files:
            os.utime(p, (mt, mt))
        paths = [p for p, _ in files]
        opts = ['--time-format', rng.choice(kind.fmts)]
        if year_opt is not None:
            opts += ['--year', str(year_opt)]
        lines, times = load(paths, opts[1], [], year=want_year)
        data = Data(lines, times, paths[::-1] if len(paths) > 1 else paths,
                    opts, f'year: {label} (want {want_year})',
                    single=len(paths) == 1)
        slack = (str(data.disorder // NS + 1), data.disorder + NS)
        for _ in range(a.windows):
            a_ = rng.choice(data.keyed)
            lo = iso_bound(a_, rng, False)
            hi = iso_bound(a_ + rng.randint(0, 2 * DAY) * NS, rng, False)
            check_window(rep, a.mapq, data, lo, hi, slack)
        # A window in the wrong year is empty.
        y = want_year - 1
        check_window(rep, a.mapq, data, (f'{y}-01-01', wall_ns(y, 1, 1)),
                     (f'{y}-12-31T23', wall_ns(y, 12, 31, 23)), slack)
        # A bound in the format itself takes the same year.
        check_window(rep, a.mapq, data, ('Jun 3', wall_ns(want_year, 6, 3)),
                     ('Jun  5 12', wall_ns(want_year, 6, 5, 12)), slack)
    return rep.done()


def cmd_errors(a):
    """Malformed input to the new options: exit 2 and a message."""
    rep = Report('errors')
    path = os.path.join(a.dir, 'err.log')
    write_log(path, ['2015-10-18 18:01:47,978 INFO one',
                     '2015-10-18 18:01:48,100 INFO two'])
    f = ['--time-format', '%Y-%m-%d %H:%M:%S,%f']
    cases = [f + ['--from', '2015-10-18', '--slack', '10x'],
             f + ['--from', '2015-10-18', '--slack', 'soon'],
             f + ['--from', 'yesterday'],
             f + ['--from', '2015-10-18', '--to', 'not a time'],
             ['--time-format', '%Q', '--from', '2015-10-18'],
             f + ['--since', 'half an hour']]
    for c in cases:
        rep.checks += 1
        cmd = [a.mapq, 'range'] + c + [path]
        st, out, err = run(cmd)
        if st != 2 or not err or out:
            rep.fail(f'exit {st} (want 2, a message, no output)',
                     f'$ {shlex.join(cmd)}\nstderr {err[:200]!r}')
        else:
            rep.exact += 1
    return rep.done()


def cmd_selftest(a):
    """Checks that hold today: the parser reads every generated line as its
    generator wrote it, the filter's plumbing, and mapq's byte-key windows
    (no --time-format) on sorted ISO-like logs match the filter."""
    rep = Report('selftest')
    rng = random.Random(f'selftest-{a.seed}')
    for kind in KINDS.values():
        for layout in kind.layouts:
            for fmt in kind.fmt_choices(layout):
                texts, values, ctx = generate(kind, rng, n=300, layout=layout,
                                              lag_max=30, jump=True)
                year = last_year(values)
                opts = fmt_opts(kind, fmt, layout, year)
                tf = TimeFormat(fmt, year=year)
                ks = KeySpec.from_opts(opts, fmt)
                times = [tf.parse(ks.key(t)) for t in texts]
                verify_parse(rep, f'{kind.name}/{layout}/{fmt}', times, values)
    # The filter on a tiny hand-made log: keyless lines follow.
    tf = TimeFormat('%Y-%m-%d %H:%M:%S,%f')
    times = [tf.parse(k) for k in
             ['header', '2015-10-18 18:01:47,978 a', '\tat x', '2015-10-18 18:01:49,000 b',
              'trace', '2015-10-18 18:01:46,000 c', 'trace', '2015-10-18 18:01:50,5 d']]
    rep.checks += 1
    lo, hi = parse_iso_bound('2015-10-18T18:01:47.978'), parse_iso_bound('2015-10-18T18:01:50.5')
    if select(times, lo, hi) != [1, 2, 3, 4] or select(times, None, None) != list(range(1, 8)) \
            or disorder(times) != 3 * NS or first_behind(times, 2 * NS) != 5 \
            or first_behind(times, 3 * NS) is not None:
        rep.fail('the filter on the hand-made log', repr(times))
    # Month names, %e padding, %y's century, zones, epoch fractions.
    checks = [('syslog', 'Jun  9 15:16:01 x', 2005, wall_ns(2005, 6, 9, 15, 16, 1)),
              ('%b %d %H:%M:%S', 'JUNE 9 15:16:01', 2005, wall_ns(2005, 6, 9, 15, 16, 1)),
              ('%y%m%d %H%M%S', '991231 235959 x', None, wall_ns(1999, 12, 31, 23, 59, 59)),
              ('%y%m%d %H%M%S', '681231 235959', None, wall_ns(2068, 12, 31, 23, 59, 59)),
              ('clf', '10/Oct/2000:13:55:36 -0700', None, wall_ns(2000, 10, 10, 20, 55, 36)),
              ('epoch', '1700000000.25 x', None, 1700000000 * NS + NS // 4),
              ('iso', '2024-03-10T01:59:59.5+01:00 x', None,
               wall_ns(2024, 3, 10, 0, 59, 59, NS // 2)),
              ('iso', '2024-03-10 01:59', None, wall_ns(2024, 3, 10, 1, 59)),
              ('apache', '[Sun Dec 04 04:47:44 2005] x', None, wall_ns(2005, 12, 4, 4, 47, 44)),
              ('%b %d', 'Feb 30', 2005, None)]
    for fmt, key, year, want in checks:
        rep.checks += 1
        got = TimeFormat(fmt, year=year).parse(key)
        if got != want:
            rep.fail(f'parse {key!r} with {fmt!r}: {got}, want {want}')
    rep.checks += 1
    if infer_year(6, 1, 0, 0, 0, 0, wall_ns(2024, 5, 31, 1)) != 2024 or \
            infer_year(6, 3, 0, 0, 0, 0, wall_ns(2024, 6, 1)) != 2023 or \
            infer_year(2, 29, 0, 0, 0, 0, wall_ns(2023, 6, 1)) != 2020:
        rep.fail('infer_year')
    # Byte keys today: a sorted Hadoop-style log without keyless lines;
    # ISO bounds with a blank compare on their bytes as times do.
    kind = KINDS['hadoop']
    texts, values, ctx = generate(kind, rng, n=3000, lag_rate=0.0,
                                  cont_rate=0.0, header=False)
    path = os.path.join(a.dir, 'selftest-bytes.log')
    write_log(path, texts)
    lines, times = load([path], '%Y-%m-%d %H:%M:%S,%f', [])
    data = Data(lines, times, [path], [], 'selftest byte keys')
    for _ in range(a.windows):
        lo, hi = pick_window(rng, kind, data, ctx)
        # The format's own notations (blank, comma) are byte prefixes of
        # the lines, and on fixed-width fields prefixes compare as times.
        lo = Hadoop.fmt_bound(kind, lo[1], rng, ctx)
        hi = None if hi is None else Hadoop.fmt_bound(kind, hi[1], rng, ctx)
        check_window(rep, a.mapq, data, lo, hi, None, count=rng.random() < 0.3)
    return rep.done()


def cmd_gen(a):
    rng = random.Random(a.seed)
    kind = KINDS[a.kind]
    layout = a.layout or next(iter(kind.layouts))
    texts, values, ctx = generate(kind, rng, n=a.lines, step=a.step,
                                  lag_max=a.lag, lag_rate=a.lag_rate,
                                  jump=a.jump, cont_rate=a.cont, layout=layout)
    sys.stdout.buffer.write('\n'.join(texts).encode('latin-1') + b'\n')
    fmt = kind.fmt_choices(layout)[0]
    year = last_year(values)
    print('mapq range ' + shlex.join(fmt_opts(kind, fmt, layout, year)),
          file=sys.stderr)
    return 0


def key_args(a):
    opts = []
    if a.field:
        opts += ['--field', str(a.field)]
    if a.delimiter is not None:
        opts += ['-d', a.delimiter]
    if a.key_regex:
        opts += ['--key-regex', a.key_regex]
    return opts


def cmd_filter(a):
    lines, times = load(a.files, a.time_format, key_args(a), year=a.year,
                        mtime_wall=a.mtime * NS if a.mtime is not None else None)
    lo = parse_iso_bound(a.from_) if a.from_ else None
    hi = parse_iso_bound(a.to) if a.to else None
    sel = select(times, lo, hi)
    if a.count:
        print(len(sel))
    else:
        sys.stdout.buffer.write(b''.join(lines[i] for i in sel))
    return 0 if sel else 1


def cmd_disorder(a):
    lines, times = load(a.files, a.time_format, key_args(a), year=a.year)
    D = disorder(times)
    i = first_behind(times, a.slack * NS)
    print(f'{D / NS:g}' + (f' (first line more than {a.slack}s behind: '
                           f'{i + 1})' if i is not None else ''))
    return 0


LOGHUB = {'Linux': ('syslog', 'syslog'), 'Mac': ('syslog', 'syslog'),
          'OpenSSH': ('syslog', 'syslog'), 'Apache': ('apache', 'apache'),
          'HDFS': ('hdfs', '%y%m%d %H%M%S'),
          'Hadoop': ('hadoop', '%Y-%m-%d %H:%M:%S,%f'),
          'Zookeeper': ('zookeeper', '%Y-%m-%d %H:%M:%S,%f'),
          'Proxifier': ('proxifier', '[%m.%d %H:%M:%S]'),
          'Android': ('android', '%m-%d %H:%M:%S.%f')}


def cmd_loghub(a):
    """Random windows over a real Loghub log with one --slack; prints
    LOG tried exact exit2 disorder wrong."""
    name = os.path.basename(a.file).split('_')[0]
    kname, fmt = LOGHUB[name]
    kind = KINDS[kname]
    year = 2016         # a leap year: any Feb 29 is a date
    opts = ['--time-format', fmt] + (['--year', str(year)] if kind.yearless else [])
    lines, times = load([a.file], fmt, opts, year=year)
    rng = random.Random(f'{name}-{a.seed}')
    data = Data(lines, times, [a.file], opts, f'loghub {name}')
    rep = Report(name)
    slack_ns = parse_duration(a.slack)
    slack = (a.slack, slack_ns)
    for _ in range(a.windows):
        lo, hi = pick_window(rng, kind, data, {'off1': 0, 'off2': 0})
        check_window(rep, a.mapq, data, lo, hi, slack, count=rng.random() < 0.2)
    keyless = sum(t is None for t in times)
    print(f'{name:<10} {rep.checks:6} {rep.exact:6} {rep.exit2:6} '
          f'{data.disorder / NS:>12.1f}s {"yes" if data.disorder > slack_ns else "no":>6} '
          f'{rep.fails:6} {keyless:8}')
    return 1 if rep.fails else 0


def cmd_model(argv):
    """An executable model of the contract (linear, never exit 2), to test
    this harness itself: range_time.sh --model runs every sweep against it.
    It shares the parser and filter above, so it checks the plumbing and
    the bound notations, not the filter."""
    if argv[:1] == ['compress']:
        out = argv[argv.index('-o') + 1]
        return subprocess.call(['zstd', '-q', '-f', '-o', out, argv[-1]])
    p = argparse.ArgumentParser(prog='model range')
    for o in ('--from', '--to', '--since', '--time-format', '--slack',
              '--key-regex', '--field', '--year'):
        p.add_argument(o, dest='from_' if o == '--from' else None)
    p.add_argument('-d')
    p.add_argument('-c', action='store_true')
    p.add_argument('--check', action='store_true')
    p.add_argument('files', nargs='+')
    a = p.parse_args(argv[1:])
    opts = []
    for o, v in (('--field', a.field), ('-d', a.d), ('--key-regex', a.key_regex)):
        if v is not None:
            opts += [o, v]
    try:
        slack = parse_duration(a.slack or '0')
        mtime = max(os.stat(f).st_mtime_ns for f in a.files) if not a.year else None
        tf = TimeFormat(a.time_format, year=int(a.year) if a.year else None,
                        mtime_wall=mtime - mtime % NS if mtime else None)
    except (ValueError, KeyError) as e:
        print(f'model: {e}', file=sys.stderr)
        return 2
    ks = KeySpec.from_opts(opts, a.time_format)
    seqs = []
    for f in a.files:
        data = (subprocess.run(['zstd', '-dc', f], capture_output=True).stdout
                if f.endswith('.zst') else open(f, 'rb').read())
        lines = split_lines(data)
        times = line_times(lines, tf, ks)
        first = next((t for t in times if t is not None), None)
        seqs.append((first if first is not None else -1, lines, times))
    seqs.sort(key=lambda x: x[0])
    lines = [ln for s_ in seqs for ln in s_[1]]
    times = [t for s_ in seqs for t in s_[2]]
    if a.check:
        i = first_behind(times, slack)
        if i is None:
            return 0
        sys.stdout.buffer.write(f'{i + 1}:'.encode() + lines[i].rstrip(b'\n') + b'\n')
        return 1

    def bound(text):
        if text is None:
            return None
        if text.startswith('-'):
            return (int(time.time()) * NS - parse_duration(text[1:]))
        v = tf.parse_bound(text)
        if v is None:
            raise ValueError('bad bound ' + text)
        return v
    try:
        lo = bound('-' + a.since if a.since else a.from_)
        hi = bound(a.to)
    except ValueError as e:
        print(f'model: {e}', file=sys.stderr)
        return 2
    if os.environ.get('MODEL_STRICT') and disorder(times) > slack:
        newest = None
        for i, t in enumerate(times):
            if t is None:
                continue
            if newest is not None and times[newest] - t > slack:
                print(f'model: line {i + 1} is more than the slack behind line '
                      f'{newest + 1}: see --check, --slack', file=sys.stderr)
                return 2
            if newest is None or t > times[newest]:
                newest = i
    sel = select(times, lo, hi)
    if a.c:
        print(len(sel))
    else:
        sys.stdout.buffer.write(b''.join(lines[i] for i in sel))
    return 0 if sel else 1


def parse_duration(s):
    if re.fullmatch(r'\d+', s):
        return int(s) * NS
    m = re.fullmatch(r'(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?', s)
    if not m or not s:
        raise ValueError('bad duration ' + s)
    d, h, mi, sec = (int(x or 0) for x in m.groups())
    return ((d * 24 + h) * 60 + mi) * 60 * NS + sec * NS


def main():
    if sys.argv[1:2] == ['model']:
        return cmd_model(sys.argv[2:])
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    sub = p.add_subparsers(dest='cmd', required=True)

    def common(sp, windows):
        sp.add_argument('--mapq', required=True)
        sp.add_argument('--dir', required=True, help='scratch directory')
        sp.add_argument('--seed', type=int, default=1)
        sp.add_argument('--windows', type=int, default=windows)

    sp = sub.add_parser('sweep')
    common(sp, 30)
    sp.add_argument('--kind', required=True, choices=sorted(KINDS))
    sp.add_argument('--lines', type=int, default=3000)
    sp = sub.add_parser('rotated')
    common(sp, 25)
    sp.add_argument('--sets', type=int, default=6)
    sp.add_argument('--lines', type=int, default=3000)
    for name in ('since', 'errors', 'selftest'):
        common(sub.add_parser(name), 40)
    common(sub.add_parser('year'), 8)
    sp = sub.add_parser('loghub')
    common(sp, 200)
    sp.add_argument('--file', required=True)
    sp.add_argument('--slack', default='15m')

    sp = sub.add_parser('gen')
    sp.add_argument('--kind', required=True, choices=sorted(KINDS))
    sp.add_argument('--seed', type=int, default=1)
    sp.add_argument('--lines', type=int, default=3000)
    sp.add_argument('--layout')
    sp.add_argument('--step', type=float, default=3.0)
    sp.add_argument('--lag', type=float, default=10.0)
    sp.add_argument('--lag-rate', type=float, default=0.2)
    sp.add_argument('--cont', type=float, default=0.04)
    sp.add_argument('--jump', action='store_true')
    for name in ('filter', 'disorder'):
        sp = sub.add_parser(name)
        sp.add_argument('--time-format', required=True)
        sp.add_argument('--year', type=int)
        sp.add_argument('--field', type=int)
        sp.add_argument('-d', '--delimiter')
        sp.add_argument('--key-regex')
        sp.add_argument('files', nargs='+')
        if name == 'filter':
            sp.add_argument('--from', dest='from_', help='ISO-8601 or @EPOCH')
            sp.add_argument('--to', help='ISO-8601 or @EPOCH')
            sp.add_argument('--mtime', type=int,
                            help='infer the year from this mtime (epoch s)')
            sp.add_argument('-c', '--count', action='store_true')
        else:
            sp.add_argument('--slack', type=int, default=0, help='seconds')
    a = p.parse_args()
    if getattr(a, 'dir', None):
        os.makedirs(a.dir, exist_ok=True)
    return globals()['cmd_' + a.cmd](a)


if __name__ == '__main__':
    sys.exit(main())

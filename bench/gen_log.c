/*
 * gen_log — deterministic synthetic log generator for the mapq benchmarks.
 *
 *   gen_log SIZE [SEED] > file
 *
 * Writes exactly SIZE bytes (plain number or with a K/M/G/T suffix, powers of
 * 1024) of a web-service style log to stdout, one event per line, timestamps
 * in ISO-8601 UTC with milliseconds, never decreasing. The last line is cut
 * short if needed so that the output is exactly SIZE bytes; it still ends with
 * '\n' and keeps its whole timestamp (without room for one, the line before
 * it is padded with blanks instead), so the log is sorted to its end. Same
 * SIZE and SEED give the same bytes on every machine.
 *
 * Line lengths range from about 60 to 400 bytes (mean about 150). The clock
 * advances by about 6 ms per line on average, so a 2 GiB log covers about 24
 * hours (about 14 million lines, about 165 lines per second).
 *
 * Build: cc -O2 -Wall -Wextra -std=c11 -o gen_log gen_log.c
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OUT_BUF_SIZE (8u << 20) /* 8 MiB output buffer */
#define MAX_LINE 400            /* longest line, '\n' included */
#define LINE_BUF 1024           /* scratch room for one line, > MAX_LINE */

/* Mean clock step per line, microseconds. Chosen with the measured mean line
 * length (~150 bytes) so that 2 GiB is about 86400 s of log. */
#define MEAN_STEP_US 6000u

/* ---- PRNG: splitmix64 for seeding, xorshift64* for the stream ---------- */

static uint64_t rng_state;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t rnd64(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform integer in [0, n), n > 0 (multiply-shift; the bias is negligible
 * for the small n used here and the result is deterministic anyway). */
static uint32_t rnd(uint32_t n)
{
    return (uint32_t)(((rnd64() >> 32) * (uint64_t)n) >> 32);
}

/* ---- small, fast formatting helpers ------------------------------------ */

typedef struct {
    char *p;
} cursor;

static void put_str(cursor *c, const char *s)
{
    size_t n = strlen(s);
    memcpy(c->p, s, n);
    c->p += n;
}

static void put_ch(cursor *c, char ch)
{
    *c->p++ = ch;
}

static void put_u(cursor *c, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n)
        *c->p++ = tmp[--n];
}

/* v with exactly `width` digits, zero padded. */
static void put_u0(cursor *c, uint64_t v, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        c->p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    c->p += width;
}

/* Tenths as "X.Y". */
static void put_tenths(cursor *c, uint32_t tenths)
{
    put_u(c, tenths / 10);
    put_ch(c, '.');
    put_ch(c, (char)('0' + tenths % 10));
}

/* ---- vocabulary --------------------------------------------------------- */

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const services[] = {
    "api", "web", "worker", "auth", "billing", "search", "gateway", "mailer",
};

static const char *const words[] = {
    "request",   "completed", "cache",    "miss",      "hit",      "retry",
    "upstream",  "timeout",   "session",  "token",     "refresh",  "expired",
    "order",     "payment",   "invoice",  "queued",    "accepted", "rejected",
    "user",      "profile",   "updated",  "created",   "deleted",  "index",
    "shard",     "replica",   "lag",      "connection", "pool",    "exhausted",
    "slow",      "query",     "on",       "table",     "orders",   "items",
    "for",       "after",     "with",     "from",      "to",       "the",
    "backend",   "service",   "responded", "unexpected", "payload", "size",
    "limit",     "exceeded",  "client",   "closed",    "stream",   "early",
    "batch",     "processed", "records",  "skipped",   "duplicate", "key",
    "handler",   "finished",  "validation", "failed",
};

static const char *const err_msgs[] = {
    "upstream timeout after 30000ms",
    "connection reset by peer",
    "database deadlock detected, transaction rolled back",
    "payment provider returned HTTP 502",
    "null reference in OrderService.applyDiscount",
    "disk quota exceeded on /var/lib/app/uploads",
    "TLS handshake failed: certificate expired",
    "out of memory while decoding request body",
};

static const char *const warn_msgs[] = {
    "slow request",
    "rate limit approaching",
    "retrying upstream call",
    "deprecated API version used",
    "cache eviction storm",
    "response size above soft limit",
};

static const char *const tables[] = {
    "orders", "items", "users", "sessions", "payments", "audit_log",
};

/* ---- one event ---------------------------------------------------------- */

/* Appends ` msg="..."` made of random words until the line reaches about
 * `target` bytes (never beyond MAX_LINE - 2, room for `"` and '\n'). */
static void put_words_msg(cursor *c, const char *line_start, size_t target)
{
    if (target > MAX_LINE - 2)
        target = MAX_LINE - 2;
    put_str(c, " msg=\"");
    int first = 1, nwords = 0;
    for (;;) {
        const char *w = words[rnd(COUNT(words))];
        size_t wl = strlen(w);
        size_t len = (size_t)(c->p - line_start);
        if (nwords >= 2 && len + 1 + wl > target)
            break;
        if (len + 1 + wl > MAX_LINE - 2)
            break;
        if (!first)
            put_ch(c, ' ');
        memcpy(c->p, w, wl);
        c->p += wl;
        first = 0;
        nwords++;
    }
    put_ch(c, '"');
}

/* Target total length of a line carrying a msg: mostly 90-220, a long tail
 * up to MAX_LINE. */
static size_t draw_target(void)
{
    uint32_t r = rnd(100);
    if (r < 6)
        return 220 + rnd(180);
    if (r < 30)
        return 60 + rnd(60);
    return 114 + rnd(80) + rnd(80);
}

static void put_request(cursor *c, uint32_t status)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    uint32_t m = rnd(100);
    const char *method = m < 75 ? methods[0] : m < 90 ? methods[1]
                        : m < 95 ? methods[2] : methods[3];
    put_str(c, method);
    put_ch(c, ' ');
    switch (rnd(8)) {
    case 0:
    case 1:
    case 2:
        put_str(c, "/api/v1/items/");
        put_u(c, rnd(100000));
        break;
    case 3:
        put_str(c, "/api/v1/users/");
        put_u(c, rnd(20000));
        put_str(c, "/orders");
        break;
    case 4:
        put_str(c, "/api/v2/search?q=");
        put_str(c, words[rnd(COUNT(words))]);
        put_str(c, "&page=");
        put_u(c, 1 + rnd(20));
        break;
    case 5:
        put_str(c, "/api/v1/orders/");
        put_u(c, 100000 + rnd(900000));
        put_str(c, "/items");
        break;
    case 6:
        put_str(c, "/static/app.");
        put_u0(c, rnd(4096), 4);
        put_str(c, ".js");
        break;
    default:
        put_str(c, "/healthz");
        break;
    }
    put_str(c, " status=");
    put_u(c, status);
    put_str(c, " bytes=");
    put_u(c, rnd(16) == 0 ? rnd(1u << 20) : rnd(16384));
    /* duration in tenths of ms: mostly small, sometimes slow */
    uint32_t d = rnd(20) == 0 ? 2000 + rnd(60000) : 5 + rnd(400) + rnd(400);
    put_str(c, " dur_ms=");
    put_tenths(c, d);
    put_str(c, " user=u");
    put_u(c, 1000 + rnd(9000));
}

/* Writes the body of one event (everything after "TS host app[pid]: ")
 * and the final '\n'. */
static void put_event(cursor *c, const char *line_start)
{
    uint32_t lv = rnd(1000);
    if (lv < 10) { /* ERROR ~1% */
        put_str(c, "ERROR ");
        static const uint32_t codes[] = {500, 502, 503, 504};
        put_request(c, codes[rnd(4)]);
        put_str(c, " msg=\"");
        put_str(c, err_msgs[rnd(COUNT(err_msgs))]);
        put_ch(c, '"');
        if (rnd(4) == 0) { /* a trace id and a longer context now and then */
            put_str(c, " trace=");
            put_u0(c, rnd64() >> 16, 15);
            put_words_msg(c, line_start, 250 + rnd(150));
        }
    } else if (lv < 70) { /* WARN ~6% */
        put_str(c, "WARN ");
        if (rnd(2)) {
            put_request(c, rnd(3) ? 429 : 408);
            put_str(c, " msg=\"");
            put_str(c, warn_msgs[rnd(COUNT(warn_msgs))]);
            put_ch(c, '"');
        } else {
            put_str(c, "slow query table=");
            put_str(c, tables[rnd(COUNT(tables))]);
            put_str(c, " rows=");
            put_u(c, rnd(500000));
            put_str(c, " dur_ms=");
            put_tenths(c, 10000 + rnd(90000));
        }
    } else if (lv < 270) { /* DEBUG ~20%: mostly short lines */
        put_str(c, "DEBUG ");
        switch (rnd(3)) {
        case 0:
            put_str(c, rnd(5) ? "cache hit key=item:" : "cache miss key=item:");
            put_u(c, rnd(100000));
            break;
        case 1:
            put_str(c, "db pool active=");
            put_u(c, rnd(64));
            put_str(c, " idle=");
            put_u(c, rnd(64));
            break;
        default:
            put_str(c, "trace span=");
            put_u0(c, rnd64() >> 20, 13);
            put_words_msg(c, line_start, draw_target());
            break;
        }
    } else { /* INFO ~73% */
        put_str(c, "INFO ");
        uint32_t k = rnd(10);
        if (k < 8) {
            uint32_t s = rnd(100);
            uint32_t status = s < 82 ? 200 : s < 88 ? 201 : s < 92 ? 204
                            : s < 95 ? 304 : s < 97 ? 301 : 404;
            put_request(c, status);
            if (rnd(3))
                put_words_msg(c, line_start, draw_target());
        } else if (k == 8) {
            put_str(c, "job finished id=");
            put_u(c, rnd(1000000));
            put_str(c, " records=");
            put_u(c, rnd(100000));
            put_words_msg(c, line_start, draw_target());
        } else {
            put_str(c, "user login user=u");
            put_u(c, 1000 + rnd(9000));
            put_str(c, " ip=10.");
            put_u(c, rnd(256));
            put_ch(c, '.');
            put_u(c, rnd(256));
            put_ch(c, '.');
            put_u(c, rnd(256));
        }
    }
    put_ch(c, '\n');
}

/* ---- dates -------------------------------------------------------------- */

typedef struct {
    int y, m, d;
} civil_date;

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return 29;
    return dm[m - 1];
}

static void next_day(civil_date *dt)
{
    if (++dt->d > days_in_month(dt->y, dt->m)) {
        dt->d = 1;
        if (++dt->m > 12) {
            dt->m = 1;
            dt->y++;
        }
    }
}

/* ---- main --------------------------------------------------------------- */

static int parse_size(const char *s, uint64_t *out)
{
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno)
        return -1;
    unsigned shift = 0;
    switch (*end) {
    case 'k': case 'K': shift = 10; end++; break;
    case 'm': case 'M': shift = 20; end++; break;
    case 'g': case 'G': shift = 30; end++; break;
    case 't': case 'T': shift = 40; end++; break;
    default: break;
    }
    if (shift && (*end == 'i' || *end == 'I'))
        end++;
    if (shift && (*end == 'b' || *end == 'B'))
        end++;
    if (*end != '\0')
        return -1;
    if (shift && v > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)v << shift;
    return 0;
}

int main(int argc, char **argv)
{
    uint64_t size, seed = 20261124;
    if (argc < 2 || argc > 3 || parse_size(argv[1], &size) != 0 ||
        (argc == 3 && parse_size(argv[2], &seed) != 0)) {
        fprintf(stderr, "usage: gen_log SIZE_BYTES[K|M|G|T] [SEED] > file\n");
        return 2;
    }

    uint64_t sm = seed;
    rng_state = splitmix64(&sm);
    if (rng_state == 0)
        rng_state = 1;

    /* per-service host and pid, fixed by the seed */
    uint32_t pids[COUNT(services)];
    for (size_t i = 0; i < COUNT(services); i++)
        pids[i] = 1000 + rnd(60000);

    char *buf = malloc(OUT_BUF_SIZE);
    if (!buf) {
        fprintf(stderr, "gen_log: out of memory\n");
        return 1;
    }
    size_t used = 0;
    uint64_t left = size;

    civil_date date = {2026, 11, 24};
    uint64_t t_us = 0;          /* microseconds since 2026-11-24T00:00:00Z */
    uint64_t cur_sec = 0;
    uint64_t cur_day = 0;
    char sec_prefix[32];        /* "YYYY-MM-DDTHH:MM:SS." of cur_sec */
    size_t sec_len = 0;
    int prefix_valid = 0;
    char line[LINE_BUF];

    while (left > 0) {
        uint64_t sec = t_us / 1000000u;
        if (!prefix_valid || sec != cur_sec) {
            while (cur_day < sec / 86400u) {
                next_day(&date);
                cur_day++;
            }
            cur_sec = sec;
            uint64_t sod = sec % 86400u;
            cursor p = {sec_prefix};
            put_u0(&p, (uint64_t)date.y, 4);
            put_ch(&p, '-');
            put_u0(&p, (uint64_t)date.m, 2);
            put_ch(&p, '-');
            put_u0(&p, (uint64_t)date.d, 2);
            put_ch(&p, 'T');
            put_u0(&p, sod / 3600, 2);
            put_ch(&p, ':');
            put_u0(&p, sod / 60 % 60, 2);
            put_ch(&p, ':');
            put_u0(&p, sod % 60, 2);
            put_ch(&p, '.');
            sec_len = (size_t)(p.p - sec_prefix);
            prefix_valid = 1;
        }

        cursor c = {line};
        memcpy(c.p, sec_prefix, sec_len);
        c.p += sec_len;
        put_u0(&c, t_us / 1000u % 1000u, 3);
        put_str(&c, "Z host-");
        uint32_t svc = rnd(COUNT(services));
        put_u0(&c, 1 + rnd(16), 2);
        put_ch(&c, ' ');
        put_str(&c, services[svc]);
        put_ch(&c, '[');
        put_u(&c, pids[svc]);
        put_str(&c, "]: ");
        put_event(&c, line);

        size_t n = (size_t)(c.p - line);
        if (n > left && left < sec_len + 5 && used > 0 &&
            used + left <= OUT_BUF_SIZE) {
            /* No room for a timestamp: the line before grows by blanks
             * instead (a fragment would sort before it). */
            buf[used - 1] = ' ';
            memset(buf + used, ' ', (size_t)left - 1);
            buf[used + left - 1] = '\n';
            used += (size_t)left;
            break;
        }
        if (n > left) { /* final line: cut short, keep the newline */
            n = (size_t)left;
            line[n - 1] = '\n';
        }
        if (used + n > OUT_BUF_SIZE) {
            if (fwrite(buf, 1, used, stdout) != used) {
                perror("gen_log: write");
                return 1;
            }
            used = 0;
        }
        memcpy(buf + used, line, n);
        used += n;
        left -= n;

        t_us += rnd(2 * MEAN_STEP_US + 1);
    }

    if (used && fwrite(buf, 1, used, stdout) != used) {
        perror("gen_log: write");
        return 1;
    }
    if (fflush(stdout) != 0 || ferror(stdout)) {
        perror("gen_log: write");
        return 1;
    }
    free(buf);
    return 0;
}

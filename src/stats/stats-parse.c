/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure parsers of kernel files for the stats layer (stats-parse.h). The
 * files are written by the kernel, but their paths may be reached through
 * a container's mounts and the fuzz targets feed them anything: every
 * number is checked for overflow and every line may be cut short.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "stats-parse.h"

/* A decimal u64 at *p; advances *p past it. */
static int number(const char **p, uint64_t *ret)
{
        const char *s = *p;
        uint64_t v = 0;

        if (*s < '0' || *s > '9')
                return -EINVAL;
        for (; *s >= '0' && *s <= '9'; s++) {
                unsigned d = (unsigned)(*s - '0');
                if (v > (UINT64_MAX - d) / 10)
                        return -EINVAL;
                v = v * 10 + d;
        }
        *p = s;
        *ret = v;
        return 0;
}

static const char *skip_blank(const char *p)
{
        while (*p == ' ' || *p == '\t')
                p++;
        return p;
}

static const char *next_line(const char *p)
{
        p = strchrnul(p, '\n');
        return *p ? p + 1 : p;
}

int stats_parse_keyed(const char *text, const char *key, uint64_t *ret)
{
        size_t klen = strlen(key);

        for (const char *line = text; *line; line = next_line(line)) {
                const char *p;
                uint64_t v;

                if (strncmp(line, key, klen) != 0)
                        continue;
                p = line + klen;
                if (*p == ':')
                        p++;
                if (*p != ' ' && *p != '\t')
                        continue; /* a longer key that starts the same */
                p = skip_blank(p);
                if (number(&p, &v) < 0)
                        return -EINVAL;
                *ret = v;
                return 0;
        }
        return -ENOENT;
}

int stats_parse_net_dev(const char *text, uint64_t *ret_rx, uint64_t *ret_tx)
{
        uint64_t rx = 0, tx = 0;
        bool any = false;

        /* Two heading lines, then "  name: rx_bytes packets errs drop fifo
         * frame compressed multicast tx_bytes ...". A name holds no ':'
         * of its own but may be "lo" only as the loopback's. */
        for (const char *line = text; *line; line = next_line(line)) {
                const char *end = strchrnul(line, '\n');
                const char *colon = memchr(line, ':', (size_t)(end - line));
                const char *name = skip_blank(line), *p;
                uint64_t v[9];

                if (!colon || memchr(line, '|', (size_t)(end - line)))
                        continue;
                p = colon + 1;
                for (int i = 0; i < 9; i++) {
                        p = skip_blank(p);
                        if (number(&p, &v[i]) < 0)
                                return -EINVAL;
                }
                any = true;
                if (colon - name == 2 && memcmp(name, "lo", 2) == 0)
                        continue;
                /* wrap rather than overflow: a sum of counters is a counter */
                rx += v[0];
                tx += v[8];
        }
        if (!any)
                return -ENOENT;
        *ret_rx = rx;
        *ret_tx = tx;
        return 0;
}

int stats_parse_io_stat(const char *text, uint64_t *ret_read, uint64_t *ret_write)
{
        uint64_t r = 0, w = 0;

        /* "MAJ:MIN rbytes=N wbytes=N rios=N wios=N dbytes=N dios=N"; a
         * device with nothing done yet may have an empty line or none. */
        for (const char *line = text; *line; line = next_line(line)) {
                const char *end = strchrnul(line, '\n'), *p = line;

                while (p < end) {
                        const char *sp = p + strcspn(p, " \n");
                        uint64_t v;

                        if (startswith(p, "rbytes=") || startswith(p, "wbytes=")) {
                                const char *q = p + 7;
                                if (number(&q, &v) < 0 || q != sp)
                                        return -EINVAL;
                                if (p[0] == 'r')
                                        r += v;
                                else
                                        w += v;
                        }
                        p = *sp == ' ' ? sp + 1 : sp;
                }
        }
        *ret_read = r;
        *ret_write = w;
        return 0;
}

int stats_parse_blkio(const char *text, uint64_t *ret_read, uint64_t *ret_write)
{
        uint64_t r = 0, w = 0;

        /* "8:0 Read 1024", ..., "8:0 Total 3072", and a last "Total N" line. */
        for (const char *line = text; *line; line = next_line(line)) {
                const char *p = line, *op;
                uint64_t v;
                size_t oplen;

                if (*p < '0' || *p > '9')
                        continue;
                p += strcspn(p, " \n");
                if (*p != ' ')
                        continue;
                op = p + 1;
                oplen = strcspn(op, " \n");
                p = op + oplen;
                if (*p != ' ')
                        continue;
                p++;
                if (number(&p, &v) < 0)
                        return -EINVAL;
                if (oplen == 4 && memcmp(op, "Read", 4) == 0)
                        r += v;
                else if (oplen == 5 && memcmp(op, "Write", 5) == 0)
                        w += v;
        }
        *ret_read = r;
        *ret_write = w;
        return 0;
}

int stats_parse_u64(const char *text, uint64_t *ret)
{
        const char *p = skip_blank(text);
        uint64_t v;

        if (number(&p, &v) < 0 || (*p != '\0' && *p != '\n'))
                return -EINVAL;
        *ret = v;
        return 0;
}

/* cgroup v1 writes its "unlimited" as PAGE_COUNTER_MAX pages in bytes. */
#define V1_UNLIMITED (UINT64_C(1) << 62)

int stats_parse_limit(const char *text, bool *ret_limited, uint64_t *ret)
{
        const char *p = skip_blank(text);
        uint64_t v;

        if (startswith(p, "max") && (p[3] == '\0' || p[3] == '\n')) {
                *ret_limited = false;
                *ret = 0;
                return 0;
        }
        if (number(&p, &v) < 0 || (*p != '\0' && *p != '\n'))
                return -EINVAL;
        *ret_limited = v < V1_UNLIMITED;
        *ret = *ret_limited ? v : 0;
        return 0;
}

/* quota / period in thousandths of a CPU, rounded to nearest. */
static int cpu_millis(uint64_t quota, uint64_t period, uint64_t *ret)
{
        if (period == 0 || quota > UINT64_MAX / 1000)
                return -EINVAL;
        *ret = (quota * 1000 + period / 2) / period;
        return 0;
}

int stats_parse_cpu_max(const char *text, bool *ret_limited, uint64_t *ret_millis)
{
        const char *p = skip_blank(text);
        uint64_t quota = 0, period, millis = 0;
        bool limited = !startswith(p, "max");

        if (limited) {
                if (number(&p, &quota) < 0)
                        return -EINVAL;
        } else
                p += 3;
        if (*p != ' ')
                return -EINVAL;
        p++;
        if (number(&p, &period) < 0 || (*p != '\0' && *p != '\n') || period == 0)
                return -EINVAL;
        if (limited && cpu_millis(quota, period, &millis) < 0)
                return -EINVAL;
        *ret_limited = limited;
        *ret_millis = millis;
        return 0;
}

int stats_parse_cfs(const char *quota, const char *period, bool *ret_limited,
                    uint64_t *ret_millis)
{
        const char *q = skip_blank(quota), *p = skip_blank(period);
        uint64_t qv, pv, millis;

        if (number(&p, &pv) < 0 || (*p != '\0' && *p != '\n') || pv == 0)
                return -EINVAL;
        if (q[0] == '-') {
                /* -1: no quota */
                if (q[1] != '1' || (q[2] != '\0' && q[2] != '\n'))
                        return -EINVAL;
                *ret_limited = false;
                *ret_millis = 0;
                return 0;
        }
        if (number(&q, &qv) < 0 || (*q != '\0' && *q != '\n') || cpu_millis(qv, pv, &millis) < 0)
                return -EINVAL;
        *ret_limited = true;
        *ret_millis = millis;
        return 0;
}

int stats_parse_proc_stat(const char *text, uint64_t *ret_total, uint64_t *ret_idle,
                          unsigned *ret_n_cpus)
{
        uint64_t total = 0, idle = 0;
        unsigned n_cpus = 0;
        bool found = false;

        for (const char *line = text; *line; line = next_line(line)) {
                const char *p;

                if (!startswith(line, "cpu"))
                        continue;
                if (line[3] >= '0' && line[3] <= '9') {
                        n_cpus++;
                        continue;
                }
                if (line[3] != ' ' || found)
                        continue;
                /* user nice system idle iowait irq softirq steal guest
                 * guest_nice: guest time is inside user already. */
                p = line + 3;
                for (int i = 0; i < 8; i++) {
                        uint64_t v;

                        p = skip_blank(p);
                        if (*p == '\n' || *p == '\0') {
                                if (i < 4)
                                        return -EINVAL;
                                break; /* old kernels have fewer fields */
                        }
                        if (number(&p, &v) < 0)
                                return -EINVAL;
                        total += v;
                        if (i == 3 || i == 4)
                                idle += v;
                }
                found = true;
        }
        if (!found)
                return -ENOENT;
        *ret_total = total;
        *ret_idle = idle;
        *ret_n_cpus = n_cpus;
        return 0;
}

int stats_parse_meminfo(const char *text, uint64_t *ret_total, uint64_t *ret_available)
{
        uint64_t total, avail;
        int r;

        r = stats_parse_keyed(text, "MemTotal", &total);
        if (r < 0)
                return r;
        r = stats_parse_keyed(text, "MemAvailable", &avail);
        if (r == -ENOENT)
                /* before Linux 3.14 */
                r = stats_parse_keyed(text, "MemFree", &avail);
        if (r < 0)
                return r;
        if (total > UINT64_MAX / 1024 || avail > UINT64_MAX / 1024)
                return -EINVAL;
        *ret_total = total * 1024;
        *ret_available = avail * 1024;
        return 0;
}

/* A non-negative decimal with an optional fraction, as the kernel prints them. */
static int decimal(const char **p, double *ret)
{
        const char *s = *p;
        uint64_t ip, fp = 0;
        double scale = 1, v;

        if (number(&s, &ip) < 0)
                return -EINVAL;
        v = (double)ip;
        if (*s == '.') {
                s++;
                while (*s >= '0' && *s <= '9') {
                        if (scale < 1e15) {
                                fp = fp * 10 + (uint64_t)(*s - '0');
                                scale *= 10;
                        }
                        s++;
                }
                v += (double)fp / scale;
        }
        *p = s;
        *ret = v;
        return 0;
}

int stats_parse_loadavg(const char *text, double ret[3])
{
        const char *p = text;
        double v[3];

        for (int i = 0; i < 3; i++) {
                p = skip_blank(p);
                if (decimal(&p, &v[i]) < 0)
                        return -EINVAL;
        }
        memcpy(ret, v, sizeof(v));
        return 0;
}

int stats_parse_uptime(const char *text, double *ret)
{
        const char *p = skip_blank(text);

        return decimal(&p, ret);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The parsers of ns top's stats layer (src/stats/stats-parse.c): cgroup
 * files (cpu.stat, memory.events, io.stat, blkio, cpu.max, limits),
 * /proc/PID/net/dev and io, and the host's /proc/stat, meminfo, loadavg
 * and uptime. Each input goes through all of them, as a NUL-terminated
 * copy, as the sampler reads them; cpu.cfs_quota_us and cpu.cfs_period_us
 * are the two halves of the input around its first newline.
 */
#include "fuzz.h"
#include "stats-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *buf = fuzz_text(data, size);
        _cleanup_free_ char *quota = NULL;
        const char *nl = memchr(buf, '\n', size);
        uint64_t a = 0, b = 0;
        unsigned n = 0;
        bool lim = false;
        double d[3];

        (void)stats_parse_keyed(buf, "usage_usec", &a);
        (void)stats_parse_keyed(buf, "oom_kill", &a);
        (void)stats_parse_keyed(buf, "max", &a);
        (void)stats_parse_keyed(buf, "read_bytes", &a);
        (void)stats_parse_net_dev(buf, &a, &b);
        (void)stats_parse_io_stat(buf, &a, &b);
        (void)stats_parse_blkio(buf, &a, &b);
        (void)stats_parse_u64(buf, &a);
        if (stats_parse_limit(buf, &lim, &a) == 0)
                FUZZ_CHECK(lim || a == 0);
        if (stats_parse_cpu_max(buf, &lim, &a) == 0)
                FUZZ_CHECK(lim || a == 0);
        quota = nl ? xstrndup(buf, (size_t)(nl - buf)) : xstrdup(buf);
        if (stats_parse_cfs(quota, nl ? nl + 1 : "", &lim, &a) == 0)
                FUZZ_CHECK(lim || a == 0);
        if (stats_parse_proc_stat(buf, &a, &b, &n) == 0)
                FUZZ_CHECK(b <= a || b > UINT64_MAX / 2); /* idle is part of the total, unless it wrapped */
        if (stats_parse_meminfo(buf, &a, &b) == 0)
                FUZZ_CHECK(a % 1024 == 0 && b % 1024 == 0);
        if (stats_parse_loadavg(buf, d) == 0)
                FUZZ_CHECK(d[0] >= 0 && d[1] >= 0 && d[2] >= 0);
        if (stats_parse_uptime(buf, d) == 0)
                FUZZ_CHECK(d[0] >= 0);
        return 0;
}

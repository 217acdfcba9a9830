/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The parsers of the files ns top reads, as pure functions of their text
 * (NUL-terminated, as read_file_at() gives it), for the sampler, the unit
 * tests and the fuzz targets. Each returns 0, -ENOENT when the figure is
 * not in the text, or -EINVAL when the text is malformed where it looked;
 * outputs are written only on success.
 */

#include <stdbool.h>
#include <stdint.h>

/*
 * The value of key in a file of "key value" lines (cpu.stat, memory.events,
 * pids.events, memory.oom_control) or "key: value" lines (/proc/PID/io,
 * /proc/meminfo, whose "kB" suffix is left to the caller).
 */
int stats_parse_keyed(const char *text, const char *key, uint64_t *ret);

/* /proc/PID/net/dev: received and sent bytes over every interface but lo. */
int stats_parse_net_dev(const char *text, uint64_t *ret_rx, uint64_t *ret_tx);

/* cgroup v2 io.stat: rbytes and wbytes summed over the devices. */
int stats_parse_io_stat(const char *text, uint64_t *ret_read, uint64_t *ret_write);

/*
 * cgroup v1 blkio.throttle.io_service_bytes(_recursive): the per-device
 * "MAJ:MIN Read N" and "MAJ:MIN Write N" lines summed.
 */
int stats_parse_blkio(const char *text, uint64_t *ret_read, uint64_t *ret_write);

/* One number alone on its line (memory.current, cpuacct.usage). */
int stats_parse_u64(const char *text, uint64_t *ret);

/*
 * A number or "max" (memory.max, pids.max, memory.current): *ret_limited
 * is false for "max". cgroup v1 writes "no limit" as a number near 2^63
 * (memory.limit_in_bytes): any value from 2^62 on is taken as none too.
 */
int stats_parse_limit(const char *text, bool *ret_limited, uint64_t *ret);

/* cgroup v2 cpu.max, "QUOTA PERIOD" or "max PERIOD": the limit in thousandths of a CPU. */
int stats_parse_cpu_max(const char *text, bool *ret_limited, uint64_t *ret_millis);

/* cgroup v1 cpu.cfs_quota_us (-1: none) and cpu.cfs_period_us, the same way. */
int stats_parse_cfs(const char *quota, const char *period, bool *ret_limited,
                    uint64_t *ret_millis);

/* /proc/stat: the "cpu" line's busy + idle ticks, idle (+ iowait), and the CPUs listed. */
int stats_parse_proc_stat(const char *text, uint64_t *ret_total, uint64_t *ret_idle,
                          unsigned *ret_n_cpus);

/* /proc/meminfo: MemTotal and MemAvailable, in bytes. */
int stats_parse_meminfo(const char *text, uint64_t *ret_total, uint64_t *ret_available);

/* /proc/loadavg: the three load averages. */
int stats_parse_loadavg(const char *text, double ret[3]);

/* /proc/uptime: seconds since boot. */
int stats_parse_uptime(const char *text, double *ret);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The sampler: per instance its counters and gauges from its own cgroup
 * where it has one (stats-cgroup.c), else from its members' stat, which
 * the scan has read; its network namespace's interfaces once per
 * namespace; and the host's figures for the header. Counters are carried
 * from one sample to the next so that they only grow (see Counter).
 */
#include <dirent.h>
#include <fcntl.h>
#include <time.h>

#include "hostroot.h"
#include "macro.h"
#include "stats-internal.h"
#include "stats-parse.h"
#include "util.h"

#define PROCFILE_MAX (1024 * 1024)

/*
 * A counter as the samples show it. The figure a source gives (a cgroup's
 * cpu.stat, the members' CPU times, a namespace's interfaces) may go back
 * (a process exits, an interface is removed, the instance moves to another
 * cgroup); the value shown only grows: by the source's growth while the
 * source stays the same, by nothing over the sample where it changes.
 */
typedef struct Counter {
        uint64_t value;
        uint64_t raw;            /* the source's own figure */
        uint64_t source;         /* 0: none; COUNTER_SUM: the members' sums; else a hash */
        bool has_value;
} Counter;

#define COUNTER_SUM 2 /* even: cgroup sources are odd (source_of()) */

typedef enum CounterKind {
        CTR_CPU,
        CTR_NET_RX,
        CTR_NET_TX,
        CTR_IO_R,
        CTR_IO_W,
        CTR_OOM,
        CTR_PIDS_REFUSED,
        CTR_PERIODS,
        CTR_THROTTLED,
        CTR_THROTTLED_USEC,
        CTR_MAX,
} CounterKind;

/* What the last sample left for the next, per instance and per process. */
typedef struct PrevInstance {
        char id[INSTANCE_ID_LEN + 1];
        Counter c[CTR_MAX];
} PrevInstance;

typedef struct PrevProc {
        pid_t pid;
        unsigned long long starttime;
        uint64_t cpu_ticks;
        uint64_t io_read, io_write;
        bool io_ok;
} PrevProc;

struct Stats {
        int proc_fd, root_fd;
        char *mountinfo;
        long clk_tck, page_size;
        bool proc_io;            /* read members' /proc/PID/io (root only) */
        CgCache cg;
        PrevInstance *prev;      /* sorted by id */
        size_t n_prev;
        PrevProc *procs;         /* sorted by pid */
        size_t n_procs;
        uint64_t prev_boot_ticks; /* when the last sample was taken, in clock ticks after boot */
        bool have_prev;
};

int stats_new(int proc_fd, int root_fd, Stats **ret)
{
        Stats *s = xnew(Stats, 1);
        int r;

        s->proc_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        s->root_fd = fcntl(root_fd, F_DUPFD_CLOEXEC, 3);
        if (s->proc_fd < 0 || s->root_fd < 0) {
                r = -errno;
                stats_free(s);
                return r;
        }
        /* Where the cgroup hierarchies are mounted does not change under us. */
        r = host_root_read_mountinfo(s->proc_fd, s->root_fd, &s->mountinfo);
        if (r < 0 && r != -ENOENT) {
                stats_free(s);
                return r;
        }
        s->clk_tck = sysconf(_SC_CLK_TCK);
        if (s->clk_tck <= 0)
                s->clk_tck = 100;
        s->page_size = sysconf(_SC_PAGESIZE);
        if (s->page_size <= 0)
                s->page_size = 4096;
        /* Other users' /proc/PID/io needs ptrace access: only root reads it all. */
        s->proc_io = geteuid() == 0;
        *ret = s;
        return 0;
}

Stats *stats_free(Stats *s)
{
        if (!s)
                return NULL;
        if (s->proc_fd >= 0)
                close(s->proc_fd);
        if (s->root_fd >= 0)
                close(s->root_fd);
        free(s->mountinfo);
        cgcache_done(&s->cg);
        free(s->prev);
        free(s->procs);
        free(s);
        return NULL;
}

void stats_set_proc_io(Stats *s, bool on)
{
        s->proc_io = on;
}

StatsSnapshot *stats_snapshot_free(StatsSnapshot *snap)
{
        if (!snap)
                return NULL;
        for (size_t i = 0; i < snap->n; i++)
                free(snap->items[i].cgroup);
        free(snap->items);
        free(snap);
        return NULL;
}

const InstanceSample *stats_snapshot_find(const StatsSnapshot *snap, const char *id)
{
        for (size_t i = 0; i < snap->n; i++)
                if (streq(snap->items[i].id, id))
                        return &snap->items[i];
        return NULL;
}

/* ------------------------------------------------------------- counters */

static void counter_raw(const Counter *prev, uint64_t source, uint64_t raw, Counter *cur)
{
        cur->source = source;
        cur->raw = raw;
        if (!prev || !prev->has_value)
                cur->value = raw;
        else if (prev->source == source)
                cur->value = prev->value + stats_counter_delta(prev->raw, raw);
        else
                cur->value = prev->value; /* a new source: counts from here */
        cur->has_value = true;
}

static void counter_sum(const Counter *prev, uint64_t total, uint64_t growth, Counter *cur)
{
        cur->source = COUNTER_SUM;
        cur->raw = total;
        cur->value = prev && prev->has_value ? prev->value + growth : total;
        cur->has_value = true;
}

static void counter_unknown(const Counter *prev, Counter *cur)
{
        /* keep the value, forget the source: the next reading starts over */
        *cur = prev ? *prev : (Counter){};
        cur->source = 0;
}

static int prev_instance_cmp(const void *a, const void *b)
{
        return strcmp(((const PrevInstance *)a)->id, ((const PrevInstance *)b)->id);
}

static const PrevInstance *prev_instance(const Stats *s, const char *id)
{
        PrevInstance key;

        if (s->n_prev == 0)
                return NULL;
        snprintf(key.id, sizeof(key.id), "%s", id);
        return bsearch(&key, s->prev, s->n_prev, sizeof(PrevInstance), prev_instance_cmp);
}

static const PrevProc *prev_proc(const Stats *s, pid_t pid, unsigned long long starttime)
{
        size_t lo = 0, hi = s->n_procs;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (s->procs[mid].pid == pid)
                        return s->procs[mid].starttime == starttime ? &s->procs[mid] : NULL;
                if (s->procs[mid].pid < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return NULL;
}

/*
 * How much a process's counter grew since the last sample: from its last
 * reading when the sample knew it; all of it when it started since; none
 * when it is older but was not seen (it was unreadable, or in no
 * instance), as its past is not this interval's.
 */
static uint64_t proc_growth(const Stats *s, const PrevProc *old, unsigned long long starttime,
                            uint64_t prev_value, uint64_t cur)
{
        if (old)
                return cur >= prev_value ? cur - prev_value : 0;
        if (s->have_prev && starttime >= s->prev_boot_ticks)
                return cur;
        return s->have_prev ? 0 : cur;
}

/* ---------------------------------------------------------------- files */

static int read_proc_file(int proc_fd, const char *path, char **ret, size_t *n_unreadable)
{
        int r = read_file_at(proc_fd, path, PROCFILE_MAX, ret, NULL);

        if (r == -EACCES || r == -EPERM)
                (*n_unreadable)++;
        return r;
}

static void sample_host(Stats *s, HostSample *h, size_t *n_unreadable)
{
        _cleanup_free_ char *stat = NULL, *meminfo = NULL, *loadavg = NULL, *uptime = NULL;

        *h = (HostSample){};
        if (read_proc_file(s->proc_fd, "stat", &stat, n_unreadable) == 0)
                (void)stats_parse_proc_stat(stat, &h->cpu_total, &h->cpu_idle, &h->n_cpus);
        if (read_proc_file(s->proc_fd, "meminfo", &meminfo, n_unreadable) == 0)
                (void)stats_parse_meminfo(meminfo, &h->mem_total, &h->mem_available);
        if (read_proc_file(s->proc_fd, "loadavg", &loadavg, n_unreadable) == 0)
                (void)stats_parse_loadavg(loadavg, h->load);
        if (read_proc_file(s->proc_fd, "uptime", &uptime, n_unreadable) < 0 ||
            stats_parse_uptime(uptime, &h->uptime) < 0) {
                struct timespec ts;
                if (clock_gettime(CLOCK_BOOTTIME, &ts) == 0)
                        h->uptime = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
        }
        if (h->n_cpus == 0) {
                long n = sysconf(_SC_NPROCESSORS_ONLN);
                h->n_cpus = n > 0 ? (unsigned)n : 1;
        }
}

/* ------------------------------------------------------------- sampling */

static uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * The threads of a process in D state: /proc/PID/stat gives the main
 * thread's state only, and a worker stuck on a disk or a mount is what
 * HEALTH is for. Read for processes of more than one thread only (as htop
 * reads every task). Returns the count, or -errno (then the process's own
 * state stands).
 */
static int count_dstate_threads(Stats *s, pid_t pid)
{
        _cleanup_close_ int fd = -EBADF;
        char path[32];
        struct dirent *de;
        DIR *d;
        int n = 0;

        snprintf(path, sizeof(path), "%d/task", (int)pid);
        fd = openat(s->proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        d = fdopendir(fd);
        if (!d)
                return -errno;
        TAKE_FD(fd);
        while ((de = readdir(d))) {
                char stat_path[sizeof(de->d_name) + 8], buf[1024];
                ProcStat st;

                if (!is_canonical_pid(de->d_name))
                        continue;
                snprintf(stat_path, sizeof(stat_path), "%s/stat", de->d_name);
                if (read_small_at(dirfd(d), stat_path, buf, sizeof(buf)) > 0 &&
                    proc_parse_stat_full(buf, &st) == 0 && st.state == 'D')
                        n++;
        }
        closedir(d);
        return n;
}

/* The members' figures: task states, threads, RSS, CPU and (as root) IO. */
typedef struct MemberSums {
        uint64_t cpu_ticks, cpu_growth;
        uint64_t rss_pages;
        uint64_t io_read, io_write, io_read_growth, io_write_growth;
        bool io_ok;
} MemberSums;

static void sum_members(Stats *s, const Instances *is, const Instance *in, bool want_io,
                        InstanceSample *out, MemberSums *m, PrevProc *procs, size_t *n_procs,
                        size_t *n_unreadable)
{
        *m = (MemberSums){ .io_ok = want_io };
        for (size_t k = 0; k < in->n_members; k++) {
                const Proc *p = instance_member(is, in, k);
                const PrevProc *old;
                PrevProc *rec;
                uint64_t ticks;
                bool threads_counted;

                out->n_procs++;
                if (!p->stat_ok)
                        continue;
                out->n_threads += p->num_threads;
                threads_counted = false;
                if (p->num_threads > 1 && p->state != 'Z') {
                        int d = count_dstate_threads(s, p->pid);

                        if (d >= 0) {
                                out->n_dstate += (unsigned)d;
                                threads_counted = true;
                        }
                }
                switch (p->state) {
                case 'R':
                        out->n_running++;
                        break;
                case 'D':
                        if (!threads_counted)
                                out->n_dstate++;
                        break;
                case 'Z':
                        out->n_zombie++;
                        break;
                case 'T':
                case 't':
                        out->n_stopped++;
                        break;
                default:
                        break;
                }
                ticks = p->utime + p->stime;
                old = prev_proc(s, p->pid, p->starttime);
                m->cpu_ticks += ticks;
                m->cpu_growth += proc_growth(s, old, p->starttime, old ? old->cpu_ticks : 0, ticks);
                m->rss_pages += p->rss;

                rec = &procs[(*n_procs)++];
                *rec = (PrevProc){ .pid = p->pid, .starttime = p->starttime, .cpu_ticks = ticks };
                if (m->io_ok && p->state != 'Z') {
                        _cleanup_free_ char *text = NULL;
                        char path[32];
                        uint64_t r = 0, w = 0;
                        int k2;

                        snprintf(path, sizeof(path), "%d/io", (int)p->pid);
                        k2 = read_proc_file(s->proc_fd, path, &text, n_unreadable);
                        if (k2 == -ENOENT || k2 == -ESRCH)
                                continue; /* gone since the scan: its IO is lost with it */
                        if (k2 < 0 || stats_parse_keyed(text, "read_bytes", &r) < 0 ||
                            stats_parse_keyed(text, "write_bytes", &w) < 0) {
                                m->io_ok = false;
                                continue;
                        }
                        rec->io_read = r;
                        rec->io_write = w;
                        rec->io_ok = true;
                        m->io_read += r;
                        m->io_write += w;
                        if (!old || old->io_ok) {
                                m->io_read_growth += proc_growth(s, old, p->starttime,
                                                                 old ? old->io_read : 0, r);
                                m->io_write_growth += proc_growth(s, old, p->starttime,
                                                                  old ? old->io_write : 0, w);
                        }
                }
        }
}

/* The first instance, in instance order, of each network namespace owns it. */
static void net_owners(const Instances *is, bool *owner)
{
        for (size_t i = 0; i < is->n; i++) {
                NsIno ino = is->items[i].ns[NS_NET];
                owner[i] = ino != 0;
                for (size_t j = 0; owner[i] && j < i; j++)
                        if (is->items[j].ns[NS_NET] == ino)
                                owner[i] = false;
        }
}

static int prev_proc_cmp(const void *a, const void *b)
{
        pid_t x = ((const PrevProc *)a)->pid, y = ((const PrevProc *)b)->pid;
        return (x > y) - (x < y);
}

void stats_sample_host(Stats *s, HostSample *ret)
{
        size_t n_unreadable = 0;

        sample_host(s, ret, &n_unreadable);
}

int stats_sample_some(Stats *s, const Instances *is, const bool *want, StatsSnapshot **ret)
{
        _cleanup_free_ CgEntry **entries = xnew(CgEntry *, is->n + 1);
        _cleanup_free_ CgEntry **parents = xnew(CgEntry *, is->n + 1);
        _cleanup_free_ uint64_t *own = xnew(uint64_t, is->n + 1);
        _cleanup_free_ bool *net_owner = xnew(bool, is->n + 1);
        PrevInstance *next_prev = xnew(PrevInstance, is->n + 1);
        PrevProc *procs = xnew(PrevProc, is->scan->n_procs + 1);
        size_t n_procs = 0;
        StatsSnapshot *snap = xnew(StatsSnapshot, 1);

        snap->taken_usec = now_usec();
        sample_host(s, &snap->host, &snap->n_unreadable);
        snap->items = xnew(InstanceSample, is->n + 1);
        snap->n = is->n;

        cgcache_update(&s->cg, s->proc_fd, s->mountinfo, is, entries, parents, &snap->n_unreadable);
        stats_cgroup_owners(is, entries, parents, own);
        stats_cgroup_check_owners(s->root_fd, is, entries, own);
        net_owners(is, net_owner);

        for (size_t i = 0; i < is->n; i++) {
                const Instance *in = &is->items[i];
                const Proc *leader = instance_leader(is, in);
                InstanceSample *out = &snap->items[i];
                const PrevInstance *pi = prev_instance(s, in->id);
                const Counter *pc = pi ? pi->c : NULL;
                PrevInstance *ni = &next_prev[i];
                CgReading cr = {};
                MemberSums m;
                bool w = !want || want[i];

                memcpy(out->id, in->id, sizeof(out->id));
                memcpy(ni->id, in->id, sizeof(ni->id));
                out->net_ns = in->ns[NS_NET];
                out->net_owner = net_owner[i];
                if (leader->stat_ok)
                        out->start = (double)leader->starttime / (double)s->clk_tck;

                if (w && entries[i] && own[i])
                        stats_cgroup_read(s->root_fd, entries[i], own[i], &cr, &snap->n_unreadable);
                sum_members(s, is, in, w && s->proc_io && !(cr.have & (1U << FIG_IO)), out, &m,
                            procs, &n_procs, &snap->n_unreadable);
                if (!w) {
                        for (int c = 0; c < CTR_MAX; c++)
                                counter_unknown(pc ? &pc[c] : NULL, &ni->c[c]);
                        continue;
                }
                if (cr.shown) {
                        out->have |= STATS_HAVE_CGROUP;
                        out->cgroup = xstrdup(cr.shown->path);
                }
                out->frozen = entries[i] && stats_cgroup_frozen(s->root_fd, entries[i],
                                                                &snap->n_unreadable);

#define PC(k) (pc ? &pc[k] : NULL)
                /* CPU: the cgroup's, else the members' */
                if (cr.have & (1U << FIG_CPU))
                        counter_raw(PC(CTR_CPU), cr.source[FIG_CPU], cr.cpu_usec, &ni->c[CTR_CPU]);
                else
                        counter_sum(PC(CTR_CPU), m.cpu_ticks * 1000000 / (uint64_t)s->clk_tck,
                                    m.cpu_growth * 1000000 / (uint64_t)s->clk_tck,
                                    &ni->c[CTR_CPU]);
                out->cpu_usec = ni->c[CTR_CPU].value;
                out->have |= STATS_HAVE_CPU;

                if (cr.have & (1U << FIG_MEM))
                        out->mem_bytes = cr.mem_bytes;
                else
                        out->mem_bytes = m.rss_pages * (uint64_t)s->page_size;
                out->have |= STATS_HAVE_MEM;
                if (cr.have & (1U << FIG_MEM_LIMIT)) {
                        out->mem_limit = cr.mem_limit;
                        out->have |= STATS_HAVE_MEM_LIMIT;
                }
                if (cr.have & (1U << FIG_CPU_LIMIT)) {
                        out->cpu_limit_millis = cr.cpu_limit_millis;
                        out->have |= STATS_HAVE_CPU_LIMIT;
                }
                if (cr.have & (1U << FIG_PIDS_LIMIT)) {
                        out->pids_limit = cr.pids_limit;
                        out->have |= STATS_HAVE_PIDS_LIMIT;
                }
                /* the kernel's count of its tasks: one file, not a thread count per member */
                if (cr.have & (1U << FIG_PIDS_CURRENT)) {
                        out->pids_current = cr.pids_current;
                        out->have |= STATS_HAVE_PIDS_CURRENT;
                }

                if (cr.have & (1U << FIG_OOM)) {
                        counter_raw(PC(CTR_OOM), cr.source[FIG_OOM], cr.oom_kills, &ni->c[CTR_OOM]);
                        out->oom_kills = ni->c[CTR_OOM].value;
                        out->have |= STATS_HAVE_OOM;
                } else
                        counter_unknown(PC(CTR_OOM), &ni->c[CTR_OOM]);
                if (cr.have & (1U << FIG_PIDS_EVENTS)) {
                        counter_raw(PC(CTR_PIDS_REFUSED), cr.source[FIG_PIDS_EVENTS],
                                    cr.pids_refused, &ni->c[CTR_PIDS_REFUSED]);
                        out->pids_refused = ni->c[CTR_PIDS_REFUSED].value;
                        out->have |= STATS_HAVE_PIDS_EVENTS;
                } else
                        counter_unknown(PC(CTR_PIDS_REFUSED), &ni->c[CTR_PIDS_REFUSED]);
                if (cr.have & (1U << FIG_THROTTLE)) {
                        uint64_t src = cr.source[FIG_THROTTLE];
                        counter_raw(PC(CTR_PERIODS), src, cr.nr_periods, &ni->c[CTR_PERIODS]);
                        counter_raw(PC(CTR_THROTTLED), src, cr.nr_throttled, &ni->c[CTR_THROTTLED]);
                        counter_raw(PC(CTR_THROTTLED_USEC), src, cr.throttled_usec,
                                    &ni->c[CTR_THROTTLED_USEC]);
                        out->nr_periods = ni->c[CTR_PERIODS].value;
                        out->nr_throttled = ni->c[CTR_THROTTLED].value;
                        out->throttled_usec = ni->c[CTR_THROTTLED_USEC].value;
                        out->have |= STATS_HAVE_THROTTLE;
                } else
                        for (int c = CTR_PERIODS; c <= CTR_THROTTLED_USEC; c++)
                                counter_unknown(PC(c), &ni->c[c]);

                /* IO: the cgroup's, else the members' as root */
                if (cr.have & (1U << FIG_IO)) {
                        counter_raw(PC(CTR_IO_R), cr.source[FIG_IO], cr.io_read, &ni->c[CTR_IO_R]);
                        counter_raw(PC(CTR_IO_W), cr.source[FIG_IO], cr.io_write, &ni->c[CTR_IO_W]);
                } else if (s->proc_io && m.io_ok) {
                        counter_sum(PC(CTR_IO_R), m.io_read, m.io_read_growth, &ni->c[CTR_IO_R]);
                        counter_sum(PC(CTR_IO_W), m.io_write, m.io_write_growth, &ni->c[CTR_IO_W]);
                } else {
                        counter_unknown(PC(CTR_IO_R), &ni->c[CTR_IO_R]);
                        counter_unknown(PC(CTR_IO_W), &ni->c[CTR_IO_W]);
                }
                if (ni->c[CTR_IO_R].source) {
                        out->io_read_bytes = ni->c[CTR_IO_R].value;
                        out->io_write_bytes = ni->c[CTR_IO_W].value;
                        out->have |= STATS_HAVE_IO;
                }

                /* NET: once per namespace, through its first instance's leader */
                if (net_owner[i]) {
                        _cleanup_free_ char *text = NULL;
                        uint64_t rx, tx;
                        char path[32];

                        snprintf(path, sizeof(path), "%d/net/dev", (int)leader->pid);
                        if (read_proc_file(s->proc_fd, path, &text, &snap->n_unreadable) == 0 &&
                            stats_parse_net_dev(text, &rx, &tx) == 0) {
                                /* +1: a source is never 0; the namespace is the source */
                                counter_raw(PC(CTR_NET_RX), out->net_ns * 2 + 1, rx, &ni->c[CTR_NET_RX]);
                                counter_raw(PC(CTR_NET_TX), out->net_ns * 2 + 1, tx, &ni->c[CTR_NET_TX]);
                                out->net_rx_bytes = ni->c[CTR_NET_RX].value;
                                out->net_tx_bytes = ni->c[CTR_NET_TX].value;
                                out->have |= STATS_HAVE_NET;
                        } else {
                                counter_unknown(PC(CTR_NET_RX), &ni->c[CTR_NET_RX]);
                                counter_unknown(PC(CTR_NET_TX), &ni->c[CTR_NET_TX]);
                        }
                } else {
                        counter_unknown(PC(CTR_NET_RX), &ni->c[CTR_NET_RX]);
                        counter_unknown(PC(CTR_NET_TX), &ni->c[CTR_NET_TX]);
                }
#undef PC
        }

        /* What the next sample continues from. */
        qsort(next_prev, is->n, sizeof(PrevInstance), prev_instance_cmp);
        free(s->prev);
        s->prev = next_prev;
        s->n_prev = is->n;
        qsort(procs, n_procs, sizeof(PrevProc), prev_proc_cmp);
        free(s->procs);
        s->procs = procs;
        s->n_procs = n_procs;
        s->prev_boot_ticks = (uint64_t)(snap->host.uptime * (double)s->clk_tck);
        s->have_prev = true;

        *ret = snap;
        return 0;
}

int stats_sample(Stats *s, const Instances *is, StatsSnapshot **ret)
{
        return stats_sample_some(s, is, NULL, ret);
}

/* ---------------------------------------------------------------- rates */

void stats_rates(const InstanceSample *prev, const InstanceSample *cur, double seconds,
                 InstanceRates *ret)
{
        InstanceRates r = { .cpu_pct_of_limit = -1, .mem_pct_of_limit = -1 };
        unsigned both = prev ? prev->have & cur->have : 0;

        if ((cur->have & STATS_HAVE_MEM) && (cur->have & STATS_HAVE_MEM_LIMIT) && cur->mem_limit > 0)
                r.mem_pct_of_limit = 100.0 * (double)cur->mem_bytes / (double)cur->mem_limit;
        if (prev && seconds > 0) {
                if (both & STATS_HAVE_CPU) {
                        r.cpu_pct = (double)stats_counter_delta(prev->cpu_usec, cur->cpu_usec) /
                                    seconds / 1e4;
                        r.have |= STATS_HAVE_CPU;
                        if ((cur->have & STATS_HAVE_CPU_LIMIT) && cur->cpu_limit_millis > 0) {
                                r.cpu_pct_of_limit = r.cpu_pct * 1000.0 / (double)cur->cpu_limit_millis;
                                r.have |= STATS_HAVE_CPU_LIMIT;
                        }
                }
                if (both & STATS_HAVE_NET) {
                        r.net_rx_bps = (double)stats_counter_delta(prev->net_rx_bytes, cur->net_rx_bytes) / seconds;
                        r.net_tx_bps = (double)stats_counter_delta(prev->net_tx_bytes, cur->net_tx_bytes) / seconds;
                        r.have |= STATS_HAVE_NET;
                }
                if (both & STATS_HAVE_IO) {
                        r.io_read_bps = (double)stats_counter_delta(prev->io_read_bytes, cur->io_read_bytes) / seconds;
                        r.io_write_bps = (double)stats_counter_delta(prev->io_write_bytes, cur->io_write_bytes) / seconds;
                        r.have |= STATS_HAVE_IO;
                }
                if (both & STATS_HAVE_THROTTLE) {
                        uint64_t periods = stats_counter_delta(prev->nr_periods, cur->nr_periods);
                        uint64_t thr = stats_counter_delta(prev->nr_throttled, cur->nr_throttled);

                        r.throttled_share = periods ? MIN(1.0, (double)thr / (double)periods) : 0;
                        r.have |= STATS_HAVE_THROTTLE;
                }
        }
        if (r.mem_pct_of_limit >= 0)
                r.have |= STATS_HAVE_MEM_LIMIT;
        *ret = r;
}

double stats_host_cpu_pct(const HostSample *prev, const HostSample *cur)
{
        uint64_t total = stats_counter_delta(prev->cpu_total, cur->cpu_total);
        uint64_t idle = stats_counter_delta(prev->cpu_idle, cur->cpu_idle);

        if (total == 0)
                return 0;
        return idle >= total ? 0 : 100.0 * (double)(total - idle) / (double)total;
}

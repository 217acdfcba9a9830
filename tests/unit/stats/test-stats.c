/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stats layer on fixture trees of a cgroup v2 host and of a hybrid
 * (v1) host, tests/unit/stats/fixtures/{v2,v1}/, each a proc/ and a root/
 * (copied to a temporary directory, as some tests change files between
 * two samples), and its parsers on strings.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "instances.h"
#include "macro.h"
#include "stats-fixture.h"
#include "stats-parse.h"
#include "stats.h"
#include "util.h"

static char dir[64];
static int proc_fd = -1, root_fd = -1;
static long tck, page;

static void copy_tree(const char *which)
{
        stats_fixture_copy(which, "stats", dir, sizeof(dir), &proc_fd, &root_fd);
        tck = sysconf(_SC_CLK_TCK);
        page = sysconf(_SC_PAGESIZE);
}

static void setup_v2(void)
{
        copy_tree("v2");
}

static void setup_v1(void)
{
        copy_tree("v1");
}

static void rounds_done(void);

static void teardown(void)
{
        rounds_done();
        stats_fixture_remove(dir, &proc_fd, &root_fd);
}

/* Write a file of the copied tree ("proc/101/stat", "root/sys/..."). */
static void put(const char *path, const char *content)
{
        char full[512];
        FILE *f;

        snprintf(full, sizeof(full), "%s/%s", dir, path);
        f = fopen(full, "we");
        cr_assert_not_null(f, "%s", full);
        fputs(content, f);
        fclose(f);
}

static void put_stat(int pid, int ppid, char state, unsigned long long start, unsigned utime,
                     unsigned stime, unsigned rss)
{
        char path[64], text[256];

        snprintf(path, sizeof(path), "proc/%d/stat", pid);
        snprintf(text, sizeof(text),
                 "%d (x) %c %d 1 1 0 -1 4194560 100 0 0 0 %u %u 0 0 20 0 1 0 %llu 1000 %u\n", pid,
                 state, ppid, utime, stime, start, rss);
        put(path, text);
}

/* Give a copied fixture process namespaces of its own, from base. */
static void new_tuple(int pid, unsigned long long base)
{
        static const char *const types[] = { "user", "mnt", "pid", "net", "uts", "ipc", "cgroup", "time" };

        for (int t = 0; t < 8; t++) {
                char path[256], link[64];

                snprintf(path, sizeof(path), "%s/proc/%d/ns/%s", dir, pid, types[t]);
                snprintf(link, sizeof(link), "%s:[%llu]", types[t], base + (unsigned long long)t);
                cr_assert_eq(unlink(path), 0);
                cr_assert_eq(symlink(link, path), 0);
        }
}

/* One sampling round: load (reusing the last load) and sample. */
typedef struct Round {
        Instances *is;
        Scan *scan;
        StatsSnapshot *snap;
} Round;

static void round_done(Round *r)
{
        stats_snapshot_free(r->snap);
        instances_free(r->is);
        scan_free(r->scan);
        *r = (Round){};
}

static void sample(Stats *s, Round *prev, Round *ret)
{
        cr_assert_eq(instances_load_with(proc_fd, root_fd, INSTANCES_LOAD_STAT,
                                         prev ? prev->is : NULL, &ret->is, &ret->scan),
                     0);
        cr_assert_eq(stats_sample(s, ret->is, &ret->snap), 0);
        cr_assert_eq(ret->snap->n, ret->is->n);
}

/*
 * The sampler of the suite's copied tree, and its rounds: made on first
 * use, freed by teardown, so that a test asks for rounds and nothing else.
 */
static Stats *stats;
static Round rounds[4];
static size_t n_rounds;

static Stats *sampler(void)
{
        if (!stats)
                cr_assert_eq(stats_new(proc_fd, root_fd, &stats), 0);
        return stats;
}

/* The next sampling round, reusing the load of the one before. */
static const Round *next_round(void)
{
        Round *ret;

        cr_assert_lt(n_rounds, ELEMENTSOF(rounds));
        ret = &rounds[n_rounds];
        sample(sampler(), n_rounds ? &rounds[n_rounds - 1] : NULL, ret);
        n_rounds++;
        return ret;
}

static void rounds_done(void)
{
        for (size_t i = 0; i < n_rounds; i++)
                round_done(&rounds[i]);
        n_rounds = 0;
        stats = stats_free(stats);
}

/* The sample of the instance whose leader is pid. */
static const InstanceSample *of(const Round *r, pid_t pid)
{
        for (size_t i = 0; i < r->is->n; i++)
                if (instance_leader(r->is, &r->is->items[i])->pid == pid) {
                        const InstanceSample *x = stats_snapshot_find(r->snap, r->is->items[i].id);
                        cr_assert_eq(x, &r->snap->items[i], "samples are in instance order");
                        return x;
                }
        cr_assert_fail("no instance led by %d", (int)pid);
        return NULL;
}

#define TICKS_USEC(t) ((uint64_t)(t) * 1000000 / (uint64_t)tck)

/* The figures of an instance read from a cgroup of its own, every one of them there. */
typedef struct OwnFigures {
        const char *cgroup;
        uint64_t cpu_usec, cpu_limit_millis;
        uint64_t nr_periods, nr_throttled, throttled_usec;
        uint64_t mem_bytes, mem_limit, oom_kills;
        uint64_t pids_limit, pids_refused, pids_current;
        uint64_t io_read_bytes, io_write_bytes;
} OwnFigures;

static void expect_own(const InstanceSample *x, const OwnFigures *e)
{
        static const unsigned all = STATS_HAVE_CGROUP | STATS_HAVE_CPU | STATS_HAVE_CPU_LIMIT |
                                    STATS_HAVE_THROTTLE | STATS_HAVE_MEM | STATS_HAVE_MEM_LIMIT |
                                    STATS_HAVE_OOM | STATS_HAVE_PIDS_LIMIT |
                                    STATS_HAVE_PIDS_EVENTS | STATS_HAVE_PIDS_CURRENT |
                                    STATS_HAVE_IO;

        cr_expect_eq(x->have & all, all, "have %#x of %#x", x->have & all, all);
        cr_expect_str_eq(x->cgroup, e->cgroup);
#define EXPECT_FIGURE(f) cr_expect_eq(x->f, e->f, #f ": %llu, not %llu", \
                                      (unsigned long long)x->f, (unsigned long long)e->f)
        EXPECT_FIGURE(cpu_usec);
        EXPECT_FIGURE(cpu_limit_millis);
        EXPECT_FIGURE(nr_periods);
        EXPECT_FIGURE(nr_throttled);
        EXPECT_FIGURE(throttled_usec);
        EXPECT_FIGURE(mem_bytes);
        EXPECT_FIGURE(mem_limit);
        EXPECT_FIGURE(oom_kills);
        EXPECT_FIGURE(pids_limit);
        EXPECT_FIGURE(pids_refused);
        EXPECT_FIGURE(pids_current);
        EXPECT_FIGURE(io_read_bytes);
        EXPECT_FIGURE(io_write_bytes);
#undef EXPECT_FIGURE
        cr_expect_not(x->frozen);
}

TestSuite(stats_v2, .init = setup_v2, .fini = teardown);
TestSuite(stats_v1, .init = setup_v1, .fini = teardown);

Test(stats_v2, container_from_its_own_cgroup)
{
        const Round *r;
        const InstanceSample *c;

        r = next_round();
        c = of(r, 101);
        /* pids.current: its 7 tasks, the zombie's included */
        expect_own(c, &(OwnFigures){
                              .cgroup = "/system.slice/docker-3b1e2f6a9c0d4e5f60718293a4b5c6d7e8f9"
                                        "0123456789abcdef0123456789ab.scope",
                              .cpu_usec = 5000000, .cpu_limit_millis = 500,
                              .nr_periods = 100, .nr_throttled = 20, .throttled_usec = 300000,
                              .mem_bytes = 104857600, .mem_limit = 209715200, .oom_kills = 1,
                              .pids_limit = 64, .pids_refused = 5, .pids_current = 7,
                              .io_read_bytes = 1048576 + 1024, .io_write_bytes = 2097152 + 2048,
                      });
        /* tasks from the scan: 101 S, 102 R (4 threads), the zombie 103, 104 D */
        cr_expect_eq(c->n_procs, 4);
        cr_expect_eq(c->n_threads, 7);
        cr_expect_eq(c->n_running, 1);
        cr_expect_eq(c->n_dstate, 1);
        cr_expect_eq(c->n_zombie, 1);
        cr_expect_eq(c->n_stopped, 0);
        cr_expect_float_eq(c->start, 200.0 / (double)tck, 1e-9);
        /* the namespace's interfaces but lo */
        cr_expect(c->net_owner);
        cr_expect(c->have & STATS_HAVE_NET);
        cr_expect_eq(c->net_rx_bytes, 1010);
        cr_expect_eq(c->net_tx_bytes, 2020);
}

Test(stats_v2, nested_and_sibling_instances_sum_their_members)
{
        const Round *r;
        const InstanceSample *n, *a, *b, *h;

        stats_set_proc_io(sampler(), true);
        r = next_round();

        /* 150 runs in the container's cgroup, nested in it: the container keeps it */
        n = of(r, 150);
        cr_expect_not(n->have & STATS_HAVE_CGROUP);
        cr_expect_null(n->cgroup);
        cr_expect_eq(n->cpu_usec, TICKS_USEC(100 + 50 + 20 + 10));
        cr_expect_eq(n->mem_bytes, (uint64_t)(1000 + 24) * (uint64_t)page);
        cr_expect_not(n->have & (STATS_HAVE_MEM_LIMIT | STATS_HAVE_CPU_LIMIT | STATS_HAVE_OOM));
        cr_expect(n->have & STATS_HAVE_IO, "members' /proc/PID/io");
        cr_expect_eq(n->io_read_bytes, 4096 + 1000);
        cr_expect_eq(n->io_write_bytes, 8192 + 2000);
        cr_expect_eq(n->n_stopped, 1);
        /* it shares the container's network namespace: counted there only */
        cr_expect_not(n->net_owner);
        cr_expect_not(n->have & STATS_HAVE_NET);
        cr_expect_eq(n->net_ns, of(r, 101)->net_ns);

        /* two sandboxes of one session share its cgroup, neither inside the other */
        a = of(r, 300);
        b = of(r, 301);
        cr_expect_not(a->have & STATS_HAVE_CGROUP);
        cr_expect_not(b->have & STATS_HAVE_CGROUP);
        cr_expect_eq(a->cpu_usec, TICKS_USEC(10));
        cr_expect_eq(b->cpu_usec, TICKS_USEC(100));
        cr_expect_eq(a->mem_bytes, 10 * (uint64_t)page);

        /* the host's cgroup is not the host instance's own either */
        h = of(r, 1);
        cr_expect_not(h->have & STATS_HAVE_CGROUP);
        cr_expect_eq(h->n_procs, 2);
        cr_expect(h->net_owner);
        cr_expect_eq(h->net_rx_bytes, 5000);
        cr_expect_eq(h->net_tx_bytes, 6000);
}

Test(stats_v2, not_the_cgroup_of_what_started_it)
{
        const Round *r;
        const InstanceSample *x;
        char cmd[1024];

        /* A shell's unshare (400, the host's namespaces) started 401 in new
         * ones; both are in the login session's scope, with everything
         * else of that session: not 401's own. */
        snprintf(cmd, sizeof(cmd),
                 "cd '%s/proc' && cp -a 1 400 && cp -a 300 401 && rm -rf 400/net 401/io && "
                 "d='%s/root/sys/fs/cgroup/user.slice/user-1000.slice/session-2.scope' && "
                 "mkdir -p \"$d\" && echo 'usage_usec 777777' >\"$d/cpu.stat\" && "
                 "echo 77777777 >\"$d/memory.current\"",
                 dir, dir);
        cr_assert_eq(system(cmd), 0);
        put("proc/400/cgroup", "0::/user.slice/user-1000.slice/session-2.scope\n");
        put("proc/401/cgroup", "0::/user.slice/user-1000.slice/session-2.scope\n");
        put_stat(400, 1, 'S', 800, 1, 1, 1);
        put_stat(401, 400, 'S', 810, 40, 2, 3);
        new_tuple(401, 4026541000);
        r = next_round();
        x = of(r, 401);
        cr_expect_not(x->have & STATS_HAVE_CGROUP);
        cr_expect_eq(x->cpu_usec, TICKS_USEC(42), "its members' CPU, not the session's");
        cr_expect_eq(x->mem_bytes, 3 * (uint64_t)page);
        /* the container's shim is in a cgroup of its own: the container keeps its */
        cr_expect(of(r, 101)->have & STATS_HAVE_CGROUP);
}

/* A cgroup that also holds a process of the host (setsid: the leader's
 * parent is init) is not the instance's own; members and nothing else, it is. */
Test(stats_v2, not_a_cgroup_a_host_process_is_in)
{
        const char *scope = "root/sys/fs/cgroup/system.slice/docker-3b1e2f6a9c0d4e5f60718293a4b5c6d7e8f9"
                            "0123456789abcdef0123456789ab.scope/cgroup.procs";
        const Round *r;

        put(scope, "101\n102\n103\n104\n999999\n");
        r = next_round();
        cr_expect(of(r, 101)->have & STATS_HAVE_CGROUP, "its members, and a pid born since the scan");
        put(scope, "101\n102\n1\n103\n104\n");
        r = next_round();
        cr_expect_not(of(r, 101)->have & STATS_HAVE_CGROUP, "pid 1, the host's, is in it too");
        cr_expect_neq(of(r, 101)->mem_bytes, 104857600, "its members' memory, not the cgroup's");
}

Test(stats_v2, frozen_and_unlimited)
{
        const Round *r;
        const InstanceSample *f;

        r = next_round();
        f = of(r, 200);
        cr_expect(f->frozen);
        cr_expect(f->have & STATS_HAVE_CGROUP);
        cr_expect_eq(f->cpu_usec, 42);
        cr_expect_eq(f->mem_bytes, 4096);
        cr_expect_not(f->have & (STATS_HAVE_MEM_LIMIT | STATS_HAVE_PIDS_LIMIT | STATS_HAVE_CPU_LIMIT),
                      "'max' is no limit");
        cr_expect_not(f->have & STATS_HAVE_THROTTLE, "a cpu.stat without the cpu controller");
        cr_expect_not(f->have & STATS_HAVE_PIDS_CURRENT, "no pids.current: the scan's threads");
        cr_expect(f->have & STATS_HAVE_NET, "only a loopback: nothing, but known");
        cr_expect_eq(f->net_rx_bytes, 0);
        cr_expect_not(of(r, 101)->frozen);
}

Test(stats_v2, host_figures)
{
        const Round *r;
        HostSample h2;

        r = next_round();
        cr_expect_eq(r->snap->host.cpu_total, 1000 + 10 + 500 + 8000 + 200 + 50);
        cr_expect_eq(r->snap->host.cpu_idle, 8200);
        cr_expect_eq(r->snap->host.n_cpus, 2);
        cr_expect_eq(r->snap->host.mem_total, 8000000ULL * 1024);
        cr_expect_eq(r->snap->host.mem_available, 6000000ULL * 1024);
        cr_expect_float_eq(r->snap->host.load[1], 1.25, 1e-9);
        cr_expect_float_eq(r->snap->host.uptime, 1000.5, 1e-9);
        cr_expect_eq(r->snap->n_unreadable, 0);
        h2 = r->snap->host;
        h2.cpu_total += 200;
        h2.cpu_idle += 50;
        cr_expect_float_eq(stats_host_cpu_pct(&r->snap->host, &h2), 75.0, 1e-9);
        cr_expect_float_eq(stats_host_cpu_pct(&r->snap->host, &r->snap->host), 0.0, 1e-9);
}

Test(stats_v2, rates_between_two_samples)
{
        const Round *r1, *r2;
        const InstanceSample *a, *b;
        InstanceRates rt;
        const char *d = "root/sys/fs/cgroup/system.slice/"
                        "docker-3b1e2f6a9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab.scope";
        char path[256];

        r1 = next_round();
        /* two seconds later: one CPU second, 10 of 20 periods throttled, 1 MiB read */
        snprintf(path, sizeof(path), "%s/cpu.stat", d);
        put(path, "usage_usec 6000000\nnr_periods 120\nnr_throttled 30\nthrottled_usec 400000\n");
        snprintf(path, sizeof(path), "%s/io.stat", d);
        put(path, "8:0 rbytes=2097152 wbytes=2097152\n253:0 rbytes=1024 wbytes=2048\n");
        snprintf(path, sizeof(path), "%s/memory.events", d);
        put(path, "low 0\nhigh 0\nmax 3\noom 3\noom_kill 3\n");
        put("proc/101/net/dev", "Inter-|\n face |\n    lo: 1 0 0 0 0 0 0 0 1 0 0 0 0 0 0 0\n"
                                "  eth0: 3000 0 0 0 0 0 0 0 2400 0 0 0 0 0 0 0\n"
                                "  eth1: 10 0 0 0 0 0 0 0 20 0 0 0 0 0 0 0\n");
        r2 = next_round();
        a = of(r1, 101);
        b = of(r2, 101);
        stats_rates(a, b, 2.0, &rt);
        cr_expect_float_eq(rt.cpu_pct, 50.0, 1e-9, "one second of CPU in two: half a core");
        cr_expect_float_eq(rt.cpu_pct_of_limit, 100.0, 1e-9, "of a limit of half a CPU");
        cr_expect_float_eq(rt.mem_pct_of_limit, 50.0, 1e-9);
        cr_expect_float_eq(rt.throttled_share, 0.5, 1e-9);
        cr_expect_float_eq(rt.io_read_bps, 524288.0, 1e-9);
        cr_expect_float_eq(rt.io_write_bps, 0.0, 1e-9);
        cr_expect_float_eq(rt.net_rx_bps, 1000.0, 1e-9);
        cr_expect_float_eq(rt.net_tx_bps, 200.0, 1e-9);
        cr_expect_eq(b->oom_kills - a->oom_kills, 2);
        cr_expect_eq(rt.have & (STATS_HAVE_CPU | STATS_HAVE_NET | STATS_HAVE_IO | STATS_HAVE_THROTTLE),
                     STATS_HAVE_CPU | STATS_HAVE_NET | STATS_HAVE_IO | STATS_HAVE_THROTTLE);

        /* a new instance: its gauges' percentages only */
        stats_rates(NULL, b, 2.0, &rt);
        cr_expect_float_eq(rt.mem_pct_of_limit, 50.0, 1e-9);
        cr_expect_float_eq(rt.cpu_pct, 0.0, 1e-9);
        cr_expect_lt(rt.cpu_pct_of_limit, 0);
        cr_expect_not(rt.have & STATS_HAVE_CPU);
        /* without a memory limit: no percentage */
        stats_rates(of(r1, 200), of(r2, 200), 2.0, &rt);
        cr_expect_lt(rt.mem_pct_of_limit, 0);
        cr_expect_lt(rt.cpu_pct_of_limit, 0);
}

Test(stats_v2, counters_only_grow_across_a_reset)
{
        const Round *r2, *r3;
        const char *d = "root/sys/fs/cgroup/system.slice/"
                        "docker-3b1e2f6a9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab.scope";
        char path[256];

        (void)next_round();
        /* the cgroup was made again: its counter starts from 0 */
        snprintf(path, sizeof(path), "%s/cpu.stat", d);
        put(path, "usage_usec 700\nnr_periods 1\nnr_throttled 0\nthrottled_usec 0\n");
        put("proc/101/net/dev", "  eth0: 5 0 0 0 0 0 0 0 6 0 0 0 0 0 0 0\n");
        r2 = next_round();
        cr_expect_eq(of(r2, 101)->cpu_usec, 5000000 + 700, "counts on from 0");
        cr_expect_eq(of(r2, 101)->net_rx_bytes, 1010 + 5);
        cr_expect_eq(stats_counter_delta(10, 4), 4);
        cr_expect_eq(stats_counter_delta(4, 10), 6);
        put(path, "usage_usec 1700\nnr_periods 2\nnr_throttled 0\nthrottled_usec 0\n");
        r3 = next_round();
        cr_expect_eq(of(r3, 101)->cpu_usec, 5000000 + 1700);
}

Test(stats_v2, members_that_exit_or_start_between_samples)
{
        const Round *r1, *r2, *r3;
        char path[256], cmd[512];
        uint64_t base;

        stats_set_proc_io(sampler(), true);
        r1 = next_round();
        base = of(r1, 150)->cpu_usec;

        /* 151 exits: its CPU time leaves the sum, but the counter does not go back */
        snprintf(cmd, sizeof(cmd), "rm -rf '%s/proc/151'", dir);
        cr_assert_eq(system(cmd), 0);
        put_stat(150, 102, 'S', 500, 150, 50, 1000); /* +50 ticks */
        put("proc/150/io", "read_bytes: 5096\nwrite_bytes: 8192\n");
        r2 = next_round();
        cr_expect_eq(of(r2, 150)->n_procs, 1);
        cr_expect_eq(of(r2, 150)->cpu_usec, base + TICKS_USEC(50));
        cr_expect_eq(of(r2, 150)->io_read_bytes, 4096 + 1000 + 1000);
        cr_expect_eq(of(r2, 150)->mem_bytes, 1000 * (uint64_t)page, "a gauge follows the members");

        /* 152 started since (all its time is new); 153 is older but was not seen */
        snprintf(path, sizeof(path), "%s/proc/152", dir);
        snprintf(cmd, sizeof(cmd), "cp -a '%s/proc/150' '%s' && cp -a '%s/proc/150' '%s/proc/153'",
                 dir, path, dir, dir);
        cr_assert_eq(system(cmd), 0);
        put_stat(152, 150, 'R', 1000000000ULL, 30, 0, 1);
        put_stat(153, 150, 'S', 400, 500, 0, 1);
        put("proc/152/io", "read_bytes: 10\nwrite_bytes: 0\n");
        put("proc/153/io", "read_bytes: 100000\nwrite_bytes: 0\n");
        r3 = next_round();
        cr_expect_eq(of(r3, 150)->n_procs, 3);
        cr_expect_eq(of(r3, 150)->cpu_usec, base + TICKS_USEC(50) + TICKS_USEC(30));
        cr_expect_eq(of(r3, 150)->io_read_bytes, 4096 + 1000 + 1000 + 10);
}

Test(stats_v2, only_what_is_shown)
{
        Round r = {};
        bool *want;

        cr_assert_eq(instances_load_with(proc_fd, root_fd, INSTANCES_LOAD_STAT, NULL, &r.is, &r.scan), 0);
        want = xnew(bool, r.is->n);
        for (size_t i = 0; i < r.is->n; i++)
                want[i] = instance_leader(r.is, &r.is->items[i])->pid == 200;
        cr_assert_eq(stats_sample_some(sampler(), r.is, want, &r.snap), 0);
        cr_expect(of(&r, 200)->have & STATS_HAVE_CPU);
        cr_expect_eq(of(&r, 101)->have, 0, "not read");
        cr_expect_eq(of(&r, 101)->n_procs, 4, "the scan's counts all the same");
        free(want);
        round_done(&r);
}

typedef struct NobodyResult {
        int r;
        unsigned have;
        size_t n_unreadable;
        uint64_t mem;
} NobodyResult;

Test(stats_v2, counts_what_it_may_not_read)
{
        const char *d = "root/sys/fs/cgroup/system.slice/"
                        "docker-3b1e2f6a9c0d4e5f60718293a4b5c6d7e8f90123456789abcdef0123456789ab.scope";
        NobodyResult res = { .r = 1 };
        char path[512];
        int pipefd[2], status;
        pid_t child;

        snprintf(path, sizeof(path), "%s/%s/memory.max", dir, d);
        cr_assert_eq(chmod(path, 0), 0);
        snprintf(path, sizeof(path), "%s/proc/meminfo", dir);
        cr_assert_eq(chmod(path, 0), 0);
        cr_assert_eq(pipe2(pipefd, O_CLOEXEC), 0);
        child = fork();
        cr_assert_geq(child, 0);
        if (child == 0) {
                NobodyResult out = { .r = -EPERM };
                Stats *s = NULL;
                Round r = {};

                if (geteuid() != 0 ||
                    (setgroups(0, NULL) == 0 && setresgid(65534, 65534, 65534) == 0 &&
                     setresuid(65534, 65534, 65534) == 0)) {
                        out.r = stats_new(proc_fd, root_fd, &s);
                        if (out.r == 0)
                                out.r = instances_load_with(proc_fd, root_fd, INSTANCES_LOAD_STAT,
                                                            NULL, &r.is, &r.scan);
                        if (out.r == 0)
                                out.r = stats_sample(s, r.is, &r.snap);
                        for (size_t i = 0; out.r == 0 && i < r.is->n; i++)
                                if (instance_leader(r.is, &r.is->items[i])->pid == 101) {
                                        out.have = r.snap->items[i].have;
                                        out.mem = r.snap->items[i].mem_bytes;
                                }
                        if (out.r == 0)
                                out.n_unreadable = r.snap->n_unreadable;
                }
                (void)!write(pipefd[1], &out, sizeof(out));
                _exit(0);
        }
        close(pipefd[1]);
        cr_assert_eq(read(pipefd[0], &res, sizeof(res)), (ssize_t)sizeof(res));
        close(pipefd[0]);
        cr_assert_eq(waitpid(child, &status, 0), child);
        cr_assert_eq(res.r, 0, "%s", strerror(-res.r));
        cr_expect_eq(res.n_unreadable, 2, "memory.max and meminfo");
        cr_expect_not(res.have & STATS_HAVE_MEM_LIMIT);
        cr_expect(res.have & STATS_HAVE_MEM);
        cr_expect_eq(res.mem, 104857600, "the rest is read");
}

Test(stats_v1, limited_instance_from_each_hierarchy)
{
        const Round *r;
        const InstanceSample *x;

        r = next_round();
        x = of(r, 500);
        /* the memory hierarchy's cgroup is shown; cpuacct.usage is in ns; blkio's
         * Read lines count, not Total; pids.current is one more than the scan's
         * threads: the figure is the v1 pids controller's own */
        expect_own(x, &(OwnFigures){
                              .cgroup = "/ns-run-500",
                              .cpu_usec = 2500000, .cpu_limit_millis = 500,
                              .nr_periods = 10, .nr_throttled = 4, .throttled_usec = 5000,
                              .mem_bytes = 52428800, .mem_limit = 67108864, .oom_kills = 2,
                              .pids_limit = 20, .pids_refused = 7, .pids_current = 3,
                              .io_read_bytes = 4096 + 100, .io_write_bytes = 8192 + 200,
                      });
        cr_expect_eq(x->n_procs, 2);
        cr_expect_eq(x->n_running, 1);
}

Test(stats_v1, frozen_blkio_fallback_and_no_limits)
{
        const Round *r;
        const InstanceSample *q, *u;

        r = next_round();
        q = of(r, 600);
        cr_expect(q->frozen, "freezer.state FROZEN");
        cr_expect(q->have & STATS_HAVE_IO);
        cr_expect_eq(q->io_read_bytes, 512, "blkio.throttle.io_service_bytes");
        cr_expect_eq(q->io_write_bytes, 1024);
        cr_expect_eq(q->cpu_usec, TICKS_USEC(50), "no cpuacct cgroup: its members'");
        cr_expect_eq(q->mem_bytes, 256 * (uint64_t)page);

        u = of(r, 700);
        cr_expect_eq(u->mem_bytes, 1048576);
        cr_expect_not(u->have & STATS_HAVE_MEM_LIMIT, "a limit near 2^63 is none");
        cr_expect_not(u->have & STATS_HAVE_CPU_LIMIT, "a quota of -1 is none");
        cr_expect(u->have & STATS_HAVE_OOM);
        cr_expect_eq(u->cpu_usec, 1);
        cr_expect_not(u->frozen);

        /* the hybrid host's empty unified hierarchy gives nothing: / is nobody's */
        cr_expect_not(of(r, 1)->have & STATS_HAVE_CGROUP);
        cr_expect_eq(of(r, 1)->net_rx_bytes, 700);
}

/* ------------------------------------------------------------ parsers */

Test(stats_parse, keyed)
{
        uint64_t v = 7;

        cr_expect_eq(stats_parse_keyed("low 0\nhigh 0\nmax 3\noom 1\noom_kill 4\n", "oom_kill", &v), 0);
        cr_expect_eq(v, 4);
        cr_expect_eq(stats_parse_keyed("low 0\nhigh 0\nmax 3\noom 1\noom_kill 4\n", "oom", &v), 0);
        cr_expect_eq(v, 1, "a key is not a prefix of another");
        cr_expect_eq(stats_parse_keyed("read_bytes: 4096\nwrite_bytes: 1\n", "read_bytes", &v), 0);
        cr_expect_eq(v, 4096);
        cr_expect_eq(stats_parse_keyed("MemTotal:       16318668 kB\n", "MemTotal", &v), 0);
        cr_expect_eq(v, 16318668);
        v = 7;
        cr_expect_eq(stats_parse_keyed("a 1\n", "b", &v), -ENOENT);
        cr_expect_eq(stats_parse_keyed("b x\n", "b", &v), -EINVAL);
        cr_expect_eq(stats_parse_keyed("b 99999999999999999999\n", "b", &v), -EINVAL);
        cr_expect_eq(stats_parse_keyed("b", "b", &v), -ENOENT);
        cr_expect_eq(v, 7);
}

Test(stats_parse, net_dev)
{
        uint64_t rx = 1, tx = 1;

        cr_expect_eq(stats_parse_net_dev("Inter-| Receive | Transmit\n face |bytes|bytes\n"
                                         "    lo: 100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0\n"
                                         "  eth0: 1500 2 0 0 0 0 0 0 300 3 0 0 0 0 0 0\n"
                                         "veth-lo: 7 2 0 0 0 0 0 0 8 3 0 0 0 0 0 0\n",
                                         &rx, &tx),
                     0);
        cr_expect_eq(rx, 1507);
        cr_expect_eq(tx, 308);
        cr_expect_eq(stats_parse_net_dev("  eth0:1 2 3 4 5 6 7 8 9\n", &rx, &tx), 0, "no blank after ':'");
        cr_expect_eq(rx, 1);
        cr_expect_eq(tx, 9);
        cr_expect_eq(stats_parse_net_dev("Inter-|\n face |\n", &rx, &tx), -ENOENT);
        cr_expect_eq(stats_parse_net_dev("  eth0: 1 2 3\n", &rx, &tx), -EINVAL);
}

Test(stats_parse, io_and_blkio)
{
        uint64_t r = 1, w = 1;

        cr_expect_eq(stats_parse_io_stat("8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n"
                                         "8:16 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n",
                                         &r, &w),
                     0);
        cr_expect_eq(r, 11);
        cr_expect_eq(w, 22);
        cr_expect_eq(stats_parse_io_stat("", &r, &w), 0);
        cr_expect_eq(r, 0);
        cr_expect_eq(stats_parse_io_stat("8:0 rbytes=x\n", &r, &w), -EINVAL);
        cr_expect_eq(stats_parse_blkio("8:0 Read 5\n8:0 Write 6\n8:0 Total 11\n8:1 Read 1\nTotal 12\n",
                                       &r, &w),
                     0);
        cr_expect_eq(r, 6);
        cr_expect_eq(w, 6);
        cr_expect_eq(stats_parse_blkio("Total 0\n", &r, &w), 0);
        cr_expect_eq(r + w, 0);
}

Test(stats_parse, limits)
{
        bool lim = true;
        uint64_t v = 1;

        cr_expect_eq(stats_parse_limit("max\n", &lim, &v), 0);
        cr_expect_not(lim);
        cr_expect_eq(stats_parse_limit("67108864\n", &lim, &v), 0);
        cr_expect(lim);
        cr_expect_eq(v, 67108864);
        cr_expect_eq(stats_parse_limit("9223372036854771712\n", &lim, &v), 0);
        cr_expect_not(lim, "cgroup v1's unlimited");
        cr_expect_eq(stats_parse_limit("12x\n", &lim, &v), -EINVAL);
        cr_expect_eq(stats_parse_limit("maximum\n", &lim, &v), -EINVAL);

        cr_expect_eq(stats_parse_cpu_max("max 100000\n", &lim, &v), 0);
        cr_expect_not(lim);
        cr_expect_eq(stats_parse_cpu_max("150000 100000\n", &lim, &v), 0);
        cr_expect(lim);
        cr_expect_eq(v, 1500);
        cr_expect_eq(stats_parse_cpu_max("1000 0\n", &lim, &v), -EINVAL);
        cr_expect_eq(stats_parse_cpu_max("1000\n", &lim, &v), -EINVAL);
        cr_expect_eq(stats_parse_cfs("-1\n", "100000\n", &lim, &v), 0);
        cr_expect_not(lim);
        cr_expect_eq(stats_parse_cfs("25000\n", "100000\n", &lim, &v), 0);
        cr_expect(lim);
        cr_expect_eq(v, 250);
        cr_expect_eq(stats_parse_cfs("-2\n", "100000\n", &lim, &v), -EINVAL);
        cr_expect_eq(stats_parse_cfs("1\n", "0\n", &lim, &v), -EINVAL);
        cr_expect_eq(stats_parse_u64("42\n", &v), 0);
        cr_expect_eq(v, 42);
        cr_expect_eq(stats_parse_u64("42 43\n", &v), -EINVAL);
}

Test(stats_parse, host_files)
{
        uint64_t total, idle, mt, ma;
        unsigned n;
        double l[3], up;

        cr_expect_eq(stats_parse_proc_stat("cpu  1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4\ncpu3 1 2 3 4\n"
                                           "intr 1\n",
                                           &total, &idle, &n),
                     0);
        cr_expect_eq(total, 36, "guest time is in user already");
        cr_expect_eq(idle, 9);
        cr_expect_eq(n, 2);
        cr_expect_eq(stats_parse_proc_stat("cpu  1 2 3 4\n", &total, &idle, &n), 0, "old kernels");
        cr_expect_eq(total, 10);
        cr_expect_eq(stats_parse_proc_stat("cpu  1 2\n", &total, &idle, &n), -EINVAL);
        cr_expect_eq(stats_parse_proc_stat("intr 1\n", &total, &idle, &n), -ENOENT);
        cr_expect_eq(stats_parse_meminfo("MemTotal: 10 kB\nMemFree: 2 kB\nMemAvailable: 5 kB\n", &mt, &ma), 0);
        cr_expect_eq(mt, 10240);
        cr_expect_eq(ma, 5120);
        cr_expect_eq(stats_parse_meminfo("MemTotal: 10 kB\nMemFree: 2 kB\n", &mt, &ma), 0);
        cr_expect_eq(ma, 2048, "MemFree before Linux 3.14");
        cr_expect_eq(stats_parse_meminfo("MemFree: 2 kB\n", &mt, &ma), -ENOENT);
        cr_expect_eq(stats_parse_loadavg("0.00 1.50 12.25 1/2 3\n", l), 0);
        cr_expect_float_eq(l[2], 12.25, 1e-9);
        cr_expect_eq(stats_parse_loadavg("0.00 1.50\n", l), -EINVAL);
        cr_expect_eq(stats_parse_uptime("350735.47 234388.90\n", &up), 0);
        cr_expect_float_eq(up, 350735.47, 1e-6);
        cr_expect_eq(stats_parse_uptime("-1\n", &up), -EINVAL);
}

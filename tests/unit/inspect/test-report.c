/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A whole report on fixture trees: a /proc with a pid 1 that does not
 * reap (a zombie child found through its children file, which the scan
 * cannot see), a worker in D state in FUSE, and the cgroup files of a
 * cgroup v2 host and of a hybrid v1 host. What the test machine cannot
 * show live (v2 controllers) is covered here.
 */
#include <criterion/criterion.h>
#include <signal.h>

#include <stdarg.h>

#include "inspect.h"
#include "macro.h"
#include "proc-fixture.h"
#include "util.h"

static ProcFixture fx;   /* the /proc tree */
static ProcFixture root; /* the file system, for the cgroup files */
static NsIno host[NS_TYPE_MAX], ctr[NS_TYPE_MAX];

/* Write root/rel, making its directories. */
static void put(const char *base, const char *rel, const char *content)
{
        char path[512], cmd[600];

        snprintf(path, sizeof(path), "%s/%s", base, rel);
        snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
        cr_assert_eq(system(cmd), 0);
        fixture_mkfile(path, content);
}

_printf_(3, 4) static void putf(const char *base, const char *content, const char *fmt, ...)
{
        char rel[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(rel, sizeof(rel), fmt, ap);
        va_end(ap);
        put(base, rel, content);
}

static char *fixture_text(const char *name)
{
        char path[512];
        char *s = NULL;
        _cleanup_close_ int dir = -EBADF;

        snprintf(path, sizeof(path), "%s/cgroup", getenv("NS_FIXTURES"));
        dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(dir, 0, "%s", path);
        cr_assert_eq(read_file_at(dir, name, 0, &s, NULL), 0, "%s", name);
        return s;
}

static void task(int pid, int tid, const char *state, int nstid, const char *sigcgt,
                 const char *exec_start, const char *syscall, const char *wchan, const char *stack)
{
        char status[1024], sched[256];

        snprintf(status, sizeof(status),
                 "Name:\tx\nState:\t%s\nTgid:\t%d\nPid:\t%d\nPPid:\t1\nNSpid:\t%d\t%d\n"
                 "SigPnd:\t0000000000000000\nShdPnd:\t0000000000000000\n"
                 "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\nSigCgt:\t%s\n"
                 "voluntary_ctxt_switches:\t10\nnonvoluntary_ctxt_switches:\t1\n",
                 state, pid, tid, tid, nstid, sigcgt);
        snprintf(sched, sizeof(sched), "x (%d, #threads: 1)\n----\nse.exec_start : %s\n", tid, exec_start);
        putf(fx.root, status, "%d/task/%d/status", pid, tid);
        putf(fx.root, sched, "%d/task/%d/sched", pid, tid);
        if (syscall)
                putf(fx.root, syscall, "%d/task/%d/syscall", pid, tid);
        if (wchan)
                putf(fx.root, wchan, "%d/task/%d/wchan", pid, tid);
        if (stack)
                putf(fx.root, stack, "%d/task/%d/stack", pid, tid);
        if (tid == pid)
                putf(fx.root, status, "%d/status", pid);
}

static void setup(void)
{
        fixture_init(&fx);
        fixture_init(&root);
        fixture_tuple(host, 4026531000);
        fixture_tuple(ctr, 4026532000);
        fixture_add(&fx, 1, 0, 'S', 10, "init", host);
        /* pid 1 of the instance: sh, started at 900 s, in wait4, no handlers */
        fixture_add(&fx, 100, 1, 'S', 90000, "sh", ctr);
        fixture_add(&fx, 102, 100, 'D', 95000, "worker", ctr);
        put(fx.root, "uptime", "1000.00 1500.00\n");
        /* "self" holds the mountinfo; with it the scan asks self/ns which types exist */
        put(fx.root, "self/ns/.keep", "");
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                char path[512], link[64];

                snprintf(path, sizeof(path), "%s/self/%s", fx.root, ns_info[t].proc);
                snprintf(link, sizeof(link), "%s:[%llu]", ns_info[t].name, (unsigned long long)host[t]);
                cr_assert_eq(symlink(link, path), 0);
        }
        /* now is 500 s on the scheduler's clock */
        put(fx.root, "thread-self/sched", "ns (1, #threads: 1)\n---\nse.exec_start : 500000.000000\n");
        task(100, 100, "S (sleeping)", 1, "0000000000000000", "499000.0",
             "61 0xffffffffffffffff 0x7ffd 0x0 0x0 0x0 0x0 0x7ffd 0x7f\n", "do_wait\n",
             "[<0>] do_wait+0x1/0x2\n[<0>] kernel_wait4+0x1/0x2\n");
        put(fx.root, "100/task/100/children", "101 ");
        {
                char path[512];
                FILE *f;

                /* NUL-separated: fputs would stop at the first one */
                snprintf(path, sizeof(path), "%s/100/cmdline", fx.root);
                f = fopen(path, "we");
                cr_assert_not_null(f);
                fwrite("sh\0-c\0loop", 1, 10, f);
                fclose(f);
        }
        put(fx.root, "100/limits", "Max open files            1024                 4096                 files\n");
        put(fx.root, "100/fd/0", "");
        put(fx.root, "100/fd/1", "");
        /* its zombie: exited (last ran) 120 s ago */
        put(fx.root, "101/stat",
            "101 (job) Z 100 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 85000 0 0\n");
        task(101, 101, "Z (zombie)", 2, "0000000000000000", "380000.0", NULL, NULL, NULL);
        /* a worker in D in FUSE for 40 s */
        task(102, 102, "D (disk sleep)", 3, "0000000000004000", "460000.0",
             "0 0x5 0x7ffd 0x1000 0x0 0x0 0x0 0x7ffd 0x7f\n", "request_wait_answer\n",
             "[<0>] __schedule+0x1/0x2\n[<0>] request_wait_answer+0x1/0x2\n"
             "[<0>] fuse_simple_request+0x1/0x2\n");
        put(fx.root, "pressure/cpu", "some avg10=1.00 avg60=0.00 avg300=0.00 total=5\n");
        put(fx.root, "pressure/memory",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        put(fx.root, "pressure/io",
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
}

static void teardown(void)
{
        fixture_done(&fx);
        fixture_done(&root);
}

TestSuite(report, .init = setup, .fini = teardown);

/* Scan the fixture, group, and inspect the instance of pid 100. */
static InspectReport *inspect_fixture(const InstanceSample *sample)
{
        Scan *scan = NULL;
        Instances *is;
        InspectReport *r = NULL;
        ssize_t idx = -1;

        cr_assert_eq(scan_proc(fx.fd, &scan), 0);
        is = instances_build(scan);
        cr_assert_not_null(is);
        for (size_t i = 0; i < is->n; i++)
                if (instance_leader(is, &is->items[i])->pid == 100)
                        idx = (ssize_t)i;
        cr_assert_geq(idx, 0);
        cr_assert_eq(inspect_instance(scan->proc_fd, root.fd, is, (size_t)idx, sample, NULL, &r), 0);
        instances_free(is);
        scan_free(scan);
        return r;
}

static const InspectTask *task_of(const InspectReport *r, pid_t tid)
{
        for (size_t i = 0; i < r->n_tasks; i++)
                if (r->tasks[i].tid == tid)
                        return &r->tasks[i];
        return NULL;
}

Test(report, tasks_and_pid1)
{
        _cleanup_free_ char *mi = fixture_text("mountinfo.v2");
        InspectReport *r;
        const InspectTask *t;
        _cleanup_free_ char *sc = NULL;

        put(fx.root, "self/mountinfo", mi);
        put(fx.root, "100/cgroup", "0::/web\n");
        r = inspect_fixture(NULL);
        cr_expect_eq(r->n_procs, 3, "pid 1, the worker and the zombie");
        cr_expect_eq(r->procs[0].pid, 100, "the leader first");
        cr_expect_str_eq(r->procs[0].cmdline, "sh -c loop");
        cr_expect_eq(r->procs[0].n_fds, 2);
        cr_expect_eq(r->procs[0].nofile_soft, 1024);
        cr_expect_float_eq(r->procs[0].age_secs, 100, 1e-6, "started at 900 s, now 1000 s");

        t = task_of(r, 102);
        cr_assert_not_null(t);
        cr_expect_eq(t->state, 'D');
        cr_expect_eq(t->ns_tid, 3);
        cr_expect_float_eq(t->idle_secs, 40, 1e-6);
        cr_expect_str_eq(t->wchan, "request_wait_answer");
        cr_expect_eq(t->n_stack, 3);
        cr_expect(sigmask_has(t->sig_cgt, SIGTERM));
        sc = inspect_syscall_format(&t->syscall);
#if defined(__x86_64__)
        cr_expect_str_eq(sc, "read(0x5, 0x7ffd, 0x1000, 0x0, 0x0, 0x0)");
#endif

        cr_expect(r->pid1.own_pidns);
        cr_expect_eq(r->pid1.init, INIT_UNKNOWN);
        cr_expect(!r->pid1.term_caught && !r->pid1.term_ignored);
        cr_expect_eq(r->pid1.n_zombies, 1);
        cr_expect(r->pid1.oldest_exact);
        cr_expect_float_eq(r->pid1.oldest_zombie_secs, 120, 1e-6);
        cr_expect_eq(r->n_state['D'], 1);
        cr_expect_eq(r->n_state['Z'], 1);
        cr_expect_eq(r->n_state['S'], 1);
        cr_expect(!r->cgroup.own, "no sample: nothing says the cgroup is its own");
        cr_expect(r->cgroup.pressure_system);
        inspect_report_free(r);
}

Test(report, cgroup_v2)
{
        _cleanup_free_ char *mi = fixture_text("mountinfo.v2");
        InstanceSample s = { .have = STATS_HAVE_CGROUP | STATS_HAVE_OOM, .cgroup = (char *)"/web",
                             .oom_kills = 2 };
        InspectReport *r;
        Hint *h;
        size_t n;

        put(fx.root, "self/mountinfo", mi);
        put(fx.root, "100/cgroup", "0::/web\n");
        put(root.root, "sys/fs/cgroup/web/cgroup.freeze", "1\n");
        put(root.root, "sys/fs/cgroup/web/cgroup.events", "populated 1\nfrozen 0\n");
        put(root.root, "sys/fs/cgroup/web/memory.pressure",
            "some avg10=30.00 avg60=1.00 avg300=0.00 total=99\nfull avg10=23.00 avg60=0.00 avg300=0.00 total=9\n");
        r = inspect_fixture(&s);
        cr_expect(r->cgroup.own && r->cgroup.v2);
        cr_expect_str_eq(r->cgroup.dir, "/sys/fs/cgroup/web");
        cr_expect(r->cgroup.have_freeze);
        cr_expect_eq(r->cgroup.freeze, FREEZE_FREEZING, "asked to freeze, not frozen");
        cr_expect_str_eq(r->cgroup.freeze_file, "/sys/fs/cgroup/web/cgroup.freeze");
        cr_expect(!r->cgroup.pressure_system);
        cr_expect(r->cgroup.have_pressure[PRESSURE_MEMORY]);
        cr_expect(!r->cgroup.have_pressure[PRESSURE_CPU], "the cgroup has no cpu.pressure here");

        inspect_hints(r, &h, &n);
        cr_assert_eq(n, 6, "got %zu", n);
        cr_expect_eq(h[0].kind, HINT_FREEZING);
        cr_expect_eq(h[1].kind, HINT_DSTATE);
        cr_expect_str_eq(h[1].text, "1 task in D state for 40 s in `request_wait_answer`: a FUSE "
                                    "server is not answering");
        cr_expect_str_eq(h[1].file, "/proc/102/task/102/stack");
        cr_expect_eq(h[2].kind, HINT_OOM_KILLS);
        cr_expect_str_eq(h[2].file, "/sys/fs/cgroup/web/memory.events");
        cr_expect_eq(h[3].kind, HINT_NO_REAP);
        cr_expect_str_eq(h[3].text, "pid 1 (sh) does not reap: 1 zombie, oldest 2 min");
        cr_expect_eq(h[4].kind, HINT_PRESSURE);
        cr_expect_str_eq(h[4].file, "/sys/fs/cgroup/web/memory.pressure");
        cr_expect_eq(h[5].kind, HINT_NO_SIGTERM);
        hints_free(h, n);
        inspect_report_free(r);
}

Test(report, cgroup_v1_hybrid)
{
        _cleanup_free_ char *mi = fixture_text("mountinfo.hybrid");
        InstanceSample s = { .have = STATS_HAVE_CGROUP, .cgroup = (char *)"/web" };
        InspectReport *r;
        Hint *h;
        size_t n;

        put(fx.root, "self/mountinfo", mi);
        put(fx.root, "100/cgroup", "12:freezer:/web\n11:memory:/web\n10:pids:/web\n9:cpu:/web\n0::/\n");
        put(root.root, "sys/fs/cgroup/freezer/web/freezer.state", "FROZEN\n");
        put(root.root, "sys/fs/cgroup/memory/web/memory.failcnt", "57\n");
        put(root.root, "sys/fs/cgroup/memory/web/memory.oom_control",
            "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
        put(root.root, "sys/fs/cgroup/unified/cgroup.events", "populated 1\nfrozen 0\n");
        r = inspect_fixture(&s);
        cr_expect(r->cgroup.own && !r->cgroup.v2);
        cr_expect_str_eq(r->cgroup.memory_dir, "/sys/fs/cgroup/memory/web");
        cr_expect_str_eq(r->cgroup.pids_dir, "/sys/fs/cgroup/pids/web");
        cr_expect_str_eq(r->cgroup.cpu_dir, "/sys/fs/cgroup/cpu/web");
        cr_expect_eq(r->cgroup.freeze, FREEZE_FROZEN, "v1 freezer wins over a thawed v2 root");
        cr_expect_str_eq(r->cgroup.freeze_file, "/sys/fs/cgroup/freezer/web/freezer.state");
        cr_expect(r->cgroup.have_failcnt);
        cr_expect_eq(r->cgroup.failcnt, 57);
        cr_expect(r->cgroup.have_oom_control && !r->cgroup.oom_control.under_oom);
        cr_expect(r->cgroup.pressure_system, "v1 has no pressure files: the host's");

        inspect_hints(r, &h, &n);
        cr_assert_geq(n, 1);
        cr_expect_eq(h[0].kind, HINT_FROZEN);
        cr_expect(strstr(h[0].text, "echo THAWED > /sys/fs/cgroup/freezer/web/freezer.state") != NULL,
                  "%s", h[0].text);
        /* frozen, every D task is a frozen one: a sleeper freezes in place,
         * outside __refrigerator, and is not said again */
        for (size_t i = 0; i < n; i++)
                cr_expect_neq(h[i].kind, HINT_DSTATE, "%s", h[i].text);
        hints_free(h, n);
        inspect_report_free(r);
}

Test(report, text_and_json)
{
        _cleanup_free_ char *mi = fixture_text("mountinfo.v2"), *text = NULL, *json = NULL;
        size_t tlen = 0, jlen = 0;
        FILE *f;
        InspectReport *r;

        put(fx.root, "self/mountinfo", mi);
        put(fx.root, "100/cgroup", "0::/web\n");
        r = inspect_fixture(NULL);
        f = open_memstream(&text, &tlen);
        cr_assert_eq(inspect_write_text(r, f), 0);
        fclose(f);
        cr_expect(strstr(text, "1. critical: 1 task in D state for 40 s") != NULL, "%s", text);
        cr_expect(strstr(text, "reaping    1 zombie child, oldest 2 min (since it last ran") != NULL);
        cr_expect(strstr(text, "tid 102 (3 inside) worker: uninterruptible (D) for 40 s") != NULL);
        f = open_memstream(&json, &jlen);
        cr_assert_eq(inspect_write_json(r, NULL, 0, f), 0);
        fclose(f);
        cr_expect(strstr(json, "\"severity\":\"critical\",\"text\":\"1 task in D state") != NULL, "%s", json);
        cr_expect(strstr(json, "\"zombies\":1") != NULL);
        cr_expect(strstr(json, "\"stack\":[\"__schedule\",\"request_wait_answer\",\"fuse_simple_request\"]") != NULL);
        inspect_report_free(r);
}

Test(report, changes_between_reports)
{
        _cleanup_free_ char *mi = fixture_text("mountinfo.v2");
        InstanceSample s1 = { .have = STATS_HAVE_CGROUP | STATS_HAVE_OOM | STATS_HAVE_PIDS_EVENTS,
                              .cgroup = (char *)"/web", .oom_kills = 2, .pids_refused = 5 };
        InstanceSample s2 = s1;
        InspectReport *a, *b;
        char **lines;
        size_t n;
        bool oom = false, forks = false, zombie = false, left = false;

        put(fx.root, "self/mountinfo", mi);
        put(fx.root, "100/cgroup", "0::/web\n");
        a = inspect_fixture(&s1);
        /* later: one more OOM kill, 3 more refused forks, the worker out of D, a new zombie */
        s2.oom_kills = 3;
        s2.pids_refused = 8;
        task(102, 102, "S (sleeping)", 3, "0000000000000000", "499000.0", NULL, NULL, NULL);
        put(fx.root, "100/task/100/children", "101 103");
        put(fx.root, "103/stat", "103 (job) Z 100 1 1 0 -1 4194560 100 0 0 0 5 3 0 0 20 0 1 0 99000 0 0\n");
        task(103, 103, "Z (zombie)", 4, "0000000000000000", "499500.0", NULL, NULL, NULL);
        b = inspect_fixture(&s2);
        inspect_changes(a, b, &lines, &n);
        for (size_t i = 0; i < n; i++) {
                oom |= streq(lines[i], "+1 OOM kill");
                forks |= streq(lines[i], "+3 forks refused at pids.max");
                zombie |= startswith(lines[i], "new zombie: pid 103 (job), child of 100");
                left |= startswith(lines[i], "tid 102 (worker) left D: now S");
                free(lines[i]);
        }
        free(lines);
        cr_expect(oom && forks && zombie && left, "oom %d forks %d zombie %d left %d", oom, forks,
                  zombie, left);
        inspect_report_free(a);
        inspect_report_free(b);
}

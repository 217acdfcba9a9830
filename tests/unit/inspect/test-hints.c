/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The hint rules and their ranking, on reports made by hand: which
 * condition gives which sentence, the file that proves it, and the order
 * (severity first, the rules' table order within one severity).
 */
#include <criterion/criterion.h>
#include <signal.h>

#include "inspect.h"
#include "macro.h"

/* A report with a leader (pid 100, pid 1 inside) and nothing wrong. */
static InspectReport *report_new(void)
{
        InspectReport *r = xnew(InspectReport, 1);

        snprintf(r->id, sizeof(r->id), "0123456789ab");
        r->name = xstrdup("web");
        r->runtime = xstrdup("docker");
        r->leader = 100;
        r->procs = xnew(InspectProc, 64);
        r->tasks = xnew(InspectTask, 64);
        r->procs[0] = (InspectProc){ .pid = 100, .ns_pid = 1, .state = 'S', .n_fds = 3,
                                     .nofile_soft = 1024, .first_task = 0, .n_tasks = 1 };
        snprintf(r->procs[0].comm, 16, "sh");
        r->tasks[0] = (InspectTask){ .tid = 100, .ns_tid = 1, .pid = 100, .state = 'S',
                                     .idle_secs = 5, .sig_cgt = 1ULL << (SIGTERM - 1) };
        snprintf(r->tasks[0].comm, 16, "sh");
        r->n_procs = 1;
        r->n_tasks = 1;
        r->pid1 = (InspectPid1){ .proc = 0, .own_pidns = true, .term_caught = true,
                                 .oldest_zombie_secs = -1 };
        return r;
}

static InspectTask *add_task(InspectReport *r, pid_t tid, char state, double idle,
                             const char *const *stack, size_t n_stack)
{
        InspectProc *p = &r->procs[r->n_procs++];
        InspectTask *t = &r->tasks[r->n_tasks];

        *p = (InspectProc){ .pid = tid, .ppid = 100, .state = state, .n_fds = -1,
                            .nofile_soft = UINT64_MAX, .first_task = r->n_tasks, .n_tasks = 1,
                            .zombie = state == 'Z', .age_secs = idle };
        snprintf(p->comm, 16, "worker");
        *t = (InspectTask){ .tid = tid, .pid = tid, .state = state, .idle_secs = idle };
        snprintf(t->comm, 16, "worker");
        if (n_stack) {
                t->stack = xnew(char *, n_stack);
                for (size_t i = 0; i < n_stack; i++)
                        t->stack[i] = xstrdup(stack[i]);
                t->n_stack = n_stack;
                t->have_stack = true;
        }
        r->n_tasks++;
        return t;
}

static void set_sample(InspectReport *r, unsigned have)
{
        r->have_sample = true;
        r->sample.have = have | STATS_HAVE_CGROUP;
        r->cgroup.own = true;
        r->cgroup.v2 = true;
        r->cgroup.dir = xstrdup("/sys/fs/cgroup/web");
        r->cgroup.memory_dir = xstrdup("/sys/fs/cgroup/web");
        r->cgroup.pids_dir = xstrdup("/sys/fs/cgroup/web");
        r->cgroup.cpu_dir = xstrdup("/sys/fs/cgroup/web");
}

static void hints_of(const InspectReport *r, Hint **h, size_t *n)
{
        inspect_hints(r, h, n);
}

Test(hints, healthy_has_none)
{
        InspectReport *r = report_new();
        Hint *h;
        size_t n;

        hints_of(r, &h, &n);
        cr_expect_eq(n, 0, "first: %s", n ? h[0].text : "");
        hints_free(h, n);
        inspect_report_free(r);
}

Test(hints, zombies_of_pid1)
{
        InspectReport *r = report_new();
        Hint *h;
        size_t n;

        for (int i = 0; i < 57; i++)
                add_task(r, 200 + i, 'Z', 180, NULL, 0);
        r->pid1.n_zombies = 57;
        r->pid1.oldest_zombie_secs = 180;
        r->pid1.oldest_exact = true;
        hints_of(r, &h, &n);
        cr_assert_eq(n, 1);
        cr_expect_eq(h[0].kind, HINT_NO_REAP);
        cr_expect_str_eq(h[0].text, "pid 1 (sh) does not reap: 57 zombies, oldest 3 min");
        cr_expect_str_eq(h[0].file, "/proc/100/task/100/children");
        hints_free(h, n);
        /* a zombie under a second old is being reaped as we look */
        r->pid1.oldest_zombie_secs = 0.2;
        hints_of(r, &h, &n);
        cr_expect_eq(n, 0);
        hints_free(h, n);
        inspect_report_free(r);
}

Test(hints, dstate_grouped_by_where)
{
        static const char *const fuse[] = { "__schedule", "schedule", "request_wait_answer",
                                            "fuse_simple_request" };
        static const char *const io[] = { "io_schedule", "blk_mq_get_tag" };
        InspectReport *r = report_new();
        Hint *h;
        size_t n;

        add_task(r, 201, 'D', 40, fuse, 4);
        add_task(r, 202, 'D', 12, fuse, 4);
        add_task(r, 203, 'D', 3, fuse, 4);
        add_task(r, 204, 'D', 0.01, io, 2); /* ordinary I/O: too short to say */
        hints_of(r, &h, &n);
        cr_assert_eq(n, 1);
        cr_expect_eq(h[0].kind, HINT_DSTATE);
        cr_expect_eq(h[0].severity, HINT_CRITICAL);
        cr_expect_str_eq(h[0].text,
                         "3 tasks in D state for 40 s in `request_wait_answer`: a FUSE server is "
                         "not answering");
        cr_expect_str_eq(h[0].file, "/proc/201/task/201/stack");
        hints_free(h, n);
        inspect_report_free(r);
}

Test(hints, wait_reason_from_wchan_without_stack)
{
        InspectTask t = { .state = 'D', .wchan = (char *)"wait_for_vfork_done" };
        const char *fn = NULL, *why;

        why = inspect_wait_reason(&t, &fn);
        cr_assert_not_null(why);
        cr_expect_str_eq(fn, "wait_for_vfork_done");
        cr_expect(strstr(why, "vfork") != NULL);
}

Test(hints, ranked_by_severity_then_table_order)
{
        static const char *const fridge[] = { "__refrigerator", "get_signal" };
        InspectReport *r = report_new();
        Hint *h;
        size_t n;

        set_sample(r, STATS_HAVE_OOM | STATS_HAVE_PIDS_EVENTS | STATS_HAVE_PIDS_LIMIT |
                              STATS_HAVE_THROTTLE | STATS_HAVE_CPU_LIMIT);
        r->sample.oom_kills = 2;
        r->sample.pids_refused = 31;
        r->sample.pids_limit = 20;
        r->sample.nr_periods = 1000;
        r->sample.nr_throttled = 640;
        r->sample.cpu_limit_millis = 200;
        r->tasks[0].sig_cgt = 0;
        r->tasks[0].sig_ign = 1ULL << (SIGTERM - 1);
        r->pid1.term_caught = false;
        r->pid1.term_ignored = true;
        add_task(r, 300, 'D', 2, fridge, 2);
        r->cgroup.have_freeze = true;
        r->cgroup.freeze = FREEZE_FROZEN;
        r->cgroup.freeze_file = xstrdup("/sys/fs/cgroup/web/cgroup.events");
        r->cgroup.have_pressure[PRESSURE_MEMORY] = true;
        r->cgroup.pressure[PRESSURE_MEMORY] =
                (Pressure){ .have_some = true, .have_full = true, .some = { 30 }, .full = { 23 } };

        hints_of(r, &h, &n);
        cr_assert_eq(n, 6, "got %zu", n);
        cr_expect_eq(h[0].kind, HINT_FROZEN, "frozen first: it explains the D task, which is not said again");
        cr_expect_str_eq(h[0].text,
                         "frozen: the stack shows `__refrigerator`; thaw with 'ns thaw 0123456789ab' "
                         "or 'echo 0 > /sys/fs/cgroup/web/cgroup.freeze'");
        cr_expect_str_eq(h[0].file, "/sys/fs/cgroup/web/cgroup.events");
        cr_expect_eq(h[1].kind, HINT_OOM_KILLS);
        cr_expect_str_eq(h[1].text, "the OOM killer killed 2 processes (memory.events)");
        cr_expect_str_eq(h[1].file, "/sys/fs/cgroup/web/memory.events");
        cr_expect_eq(h[2].kind, HINT_PIDS_MAX);
        cr_expect_str_eq(h[2].text, "pids.max reached: 31 forks refused (pids.max is 20)");
        cr_expect_eq(h[3].kind, HINT_THROTTLED);
        cr_expect_str_eq(h[3].text, "throttled in 64% of CPU periods: cpu.max is 0.2 CPU");
        cr_expect_str_eq(h[3].file, "/sys/fs/cgroup/web/cpu.stat");
        cr_expect_eq(h[4].kind, HINT_PRESSURE);
        cr_expect_str_eq(h[4].text, "memory pressure: every task stalled 23% of the last 10 s");
        cr_expect_str_eq(h[4].file, "/sys/fs/cgroup/web/memory.pressure");
        cr_expect_eq(h[5].kind, HINT_NO_SIGTERM);
        cr_expect_str_eq(h[5].text, "pid 1 (sh) ignores SIGTERM: a stop will wait for its timeout");
        for (size_t i = 1; i < n; i++)
                cr_expect_leq(h[i - 1].severity, h[i].severity, "hint %zu is ranked", i);
        hints_free(h, n);
        inspect_report_free(r);
}

Test(hints, v1_files_named)
{
        InspectReport *r = report_new();
        Hint *h;
        size_t n;

        set_sample(r, STATS_HAVE_OOM);
        r->cgroup.v2 = false;
        free(r->cgroup.memory_dir);
        r->cgroup.memory_dir = xstrdup("/sys/fs/cgroup/memory/web");
        r->sample.oom_kills = 1;
        r->cgroup.have_oom_control = true;
        r->cgroup.oom_control = (OomControl){ .oom_kill_disable = true, .under_oom = true };
        hints_of(r, &h, &n);
        cr_assert_eq(n, 2);
        cr_expect_eq(h[0].kind, HINT_UNDER_OOM);
        cr_expect_str_eq(h[0].file, "/sys/fs/cgroup/memory/web/memory.oom_control");
        cr_expect_str_eq(h[1].text, "the OOM killer killed 1 process (memory.oom_control)");
        hints_free(h, n);
        inspect_report_free(r);
}

Test(hints, freezing_and_fds_and_no_handler)
{
        InspectReport *r = report_new();
        Hint *h;
        size_t n;

        r->cgroup.have_freeze = true;
        r->cgroup.freeze = FREEZE_FREEZING;
        r->cgroup.freeze_file = xstrdup("/sys/fs/cgroup/freezer/web/freezer.state");
        r->procs[0].n_fds = 1000;
        r->tasks[0].sig_cgt = 0;
        r->pid1.term_caught = false;
        hints_of(r, &h, &n);
        cr_assert_eq(n, 3);
        cr_expect_eq(h[0].kind, HINT_FREEZING);
        cr_expect_str_eq(h[0].text, "stuck freezing: 1 task is not frozen yet (one in D state cannot "
                                    "freeze until its wait ends)");
        cr_expect_eq(h[1].kind, HINT_FDS);
        cr_expect_str_eq(h[1].file, "/proc/100/limits");
        cr_expect_eq(h[2].kind, HINT_NO_SIGTERM);
        cr_expect(strstr(h[2].text, "no SIGTERM handler") != NULL);
        hints_free(h, n);
        inspect_report_free(r);
}

Test(hints, health_flags)
{
        InstanceSample s = { .frozen = true, .n_dstate = 3, .n_zombie = 57,
                             .have = STATS_HAVE_OOM, .oom_kills = 2 };
        char buf[64];

        inspect_health_flags(&s, buf, sizeof(buf));
        cr_expect_str_eq(buf, "frozen 3D 57Z 2oom");
        s = (InstanceSample){};
        inspect_health_flags(&s, buf, sizeof(buf));
        cr_expect_str_eq(buf, "");
        s = (InstanceSample){ .frozen = true, .n_dstate = 3 };
        inspect_health_flags(&s, buf, 5);
        cr_expect_str_eq(buf, "froz", "cut, still terminated");
}

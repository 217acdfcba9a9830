/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hints: the rules that read a report and say, in one sentence each, what
 * is wrong and which file proves it. The rules are one table, each with
 * its severity; the hints come out ranked by severity, and in the table's
 * order within one (the order is what the unit tests pin down).
 */
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>

#include "inspect-internal.h"
#include "macro.h"
#include "naming.h"
#include "util.h"

const char *hint_severity_to_string(HintSeverity s)
{
        static const char *const names[HINT_SEVERITY_MAX] = {
                [HINT_CRITICAL] = "critical",
                [HINT_WARNING] = "warning",
                [HINT_NOTICE] = "notice",
        };
        return s >= 0 && s < HINT_SEVERITY_MAX ? names[s] : "?";
}

const char *format_duration(double secs, char *buf, size_t size)
{
        if (secs < 0)
                snprintf(buf, size, "?");
        else if (secs < 10)
                snprintf(buf, size, "%.1f s", secs);
        else if (secs < 120)
                snprintf(buf, size, "%.0f s", secs);
        else if (secs < 7200)
                snprintf(buf, size, "%.0f min", secs / 60);
        else if (secs < 2 * 86400)
                snprintf(buf, size, "%.0f h", secs / 3600);
        else
                snprintf(buf, size, "%.0f days", secs / 86400);
        return buf;
}

/* --- what a wait means --- */

/* Frames that say only "it sleeps": the reason is further out. */
static const char *const sleep_frames[] = {
        "__schedule", "schedule", "schedule_timeout", "schedule_preempt_disabled",
        "schedule_hrtimeout_range", "schedule_hrtimeout_range_clock", "__wait_for_common",
        "wait_for_completion", "wait_for_completion_killable", "wait_for_completion_state",
        "wait_for_completion_interruptible", "__wait_on_bit", "out_of_line_wait_on_bit",
        "__wait_on_bit_lock", "bit_wait", "prepare_to_wait_event", "__wake_up_common",
};

static const struct {
        const char *prefix;
        const char *reason;
} wait_reasons[] = {
        { "__refrigerator", "it is frozen (the cgroup freezer)" },
        { "request_wait_answer", "a FUSE server is not answering" },
        { "fuse_", "a FUSE server is not answering" },
        { "rpc_wait_bit_killable", "an NFS server is not answering" },
        { "__rpc_execute", "an NFS server is not answering" },
        { "nfs", "an NFS server is not answering" },
        { "cifs_", "an SMB server is not answering" },
        { "smb2_", "an SMB server is not answering" },
        { "ceph_", "the Ceph cluster is not answering" },
        { "wait_for_vfork_done", "a vfork parent waits for its child to exec or exit (is the child stopped?)" },
        /* wait_for_vfork_done() is inlined into kernel_clone() on recent kernels */
        { "__do_sys_vfork", "a vfork parent waits for its child to exec or exit (is the child stopped?)" },
        { "zap_pid_ns_processes", "pid 1 is exiting and waits for the rest of its pid namespace to exit" },
        { "mem_cgroup_", "memory reclaim at the cgroup's memory limit" },
        { "try_charge", "memory reclaim at the cgroup's memory limit" },
        { "out_of_memory", "the OOM killer" },
        { "jbd2", "the file system's journal (slow or failing disk)" },
        { "io_schedule", "disk I/O (slow or failing disk)" },
        { "blk_mq_", "disk I/O (slow or failing disk)" },
        { "bit_wait_io", "disk I/O (slow or failing disk)" },
        { "folio_wait", "a page being read or written (slow disk or network file system)" },
        { "wait_on_page", "a page being read or written (slow disk or network file system)" },
        { "coredump", "a core dump being written" },
        { "do_exit", "the task is exiting" },
        { "rwsem_down_", "a kernel lock held by another task" },
        { "__mutex_lock", "a kernel lock held by another task" },
        { "mutex_lock", "a kernel lock held by another task" },
        { "do_signal_stop", "it was stopped by a signal (SIGSTOP, SIGTSTP)" },
        { "ptrace_stop", "a debugger or tracer stopped it" },
};

static bool is_sleep_frame(const char *f)
{
        for (size_t i = 0; i < ELEMENTSOF(sleep_frames); i++)
                if (streq(f, sleep_frames[i]))
                        return true;
        return false;
}

static const char *reason_of(const char *function)
{
        for (size_t i = 0; i < ELEMENTSOF(wait_reasons); i++)
                if (startswith(function, wait_reasons[i].prefix))
                        return wait_reasons[i].reason;
        return NULL;
}

/* The function a task waits in: the first frame that is not the scheduler's. */
static const char *wait_function(const InspectTask *t)
{
        for (size_t i = 0; i < t->n_stack; i++)
                if (!is_sleep_frame(t->stack[i]))
                        return t->stack[i];
        return t->wchan;
}

const char *inspect_wait_reason(const InspectTask *t, const char **ret_function)
{
        const char *fn = wait_function(t);

        if (ret_function)
                *ret_function = fn;
        for (size_t i = 0; i < t->n_stack; i++) {
                const char *why = reason_of(t->stack[i]);
                if (why) {
                        if (ret_function)
                                *ret_function = is_sleep_frame(t->stack[i]) ? fn : t->stack[i];
                        return why;
                }
        }
        return t->wchan ? reason_of(t->wchan) : NULL;
}

/* --- init --- */

static const struct {
        const char *name;
        InitKind kind;
} inits[] = {
        { "tini", INIT_TINI },         { "docker-init", INIT_TINI },
        { "dumb-init", INIT_DUMB_INIT }, { "catatonit", INIT_CATATONIT },
        { "systemd", INIT_SYSTEMD },   { "s6-svscan", INIT_S6 },
        { "runit", INIT_RUNIT },       { "runit-init", INIT_RUNIT },
};

const char *init_kind_to_string(InitKind k)
{
        static const char *const names[INIT_MAX] = {
                [INIT_UNKNOWN] = "unknown",  [INIT_TINI] = "tini",
                [INIT_DUMB_INIT] = "dumb-init", [INIT_CATATONIT] = "catatonit",
                [INIT_SYSTEMD] = "systemd",  [INIT_S6] = "s6",
                [INIT_RUNIT] = "runit",      [INIT_NS_RUN] = "ns run's reaper",
        };
        return k >= 0 && k < INIT_MAX ? names[k] : "?";
}

InitKind inspect_init_kind(const char *comm, const char *cmdline, size_t cmdline_len)
{
        _cleanup_free_ char *ns_name = NULL, *argv0 = NULL;
        const char *base;

        /* ns run's pid 1 names itself; model/naming.c tells it as ns ls does */
        if (naming_ns_init(comm, cmdline, cmdline_len, &ns_name) > 0)
                return INIT_NS_RUN;
        if (cmdline && cmdline_len > 0)
                argv0 = xstrndup(cmdline, strnlen(cmdline, cmdline_len));
        base = argv0 ? strrchr(argv0, '/') : NULL;
        base = base ? base + 1 : argv0;
        for (size_t i = 0; i < ELEMENTSOF(inits); i++)
                if ((base && streq(base, inits[i].name)) || (comm && streq(comm, inits[i].name)))
                        return inits[i].kind;
        return INIT_UNKNOWN;
}

/* --- the rules --- */

typedef struct HintList {
        Hint *items;
        size_t n;
} HintList;

_printf_(4, 5) static void add(HintList *l, HintKind kind, char *file, const char *fmt, ...)
{
        va_list ap;
        Hint *h;
        char *text;

        va_start(ap, fmt);
        if (vasprintf(&text, fmt, ap) < 0)
                oom();
        va_end(ap);
        l->items = xreallocarray(l->items, l->n + 1, sizeof(Hint));
        h = &l->items[l->n++];
        *h = (Hint){ .kind = kind, .text = text, .file = file };
}

static char *cgfile(const char *dir, const char *file)
{
        if (!dir)
                return xstrdup(file);
        return xasprintf("%s%s%s", dir, streq(dir, "/") ? "" : "/", file);
}

static char *task_file(const InspectTask *t, const char *file)
{
        return xasprintf("/proc/%d/task/%d/%s", (int)t->pid, (int)t->tid, file);
}

static const InspectProc *pid1_proc(const InspectReport *r)
{
        return r->pid1.proc >= 0 ? &r->procs[r->pid1.proc] : NULL;
}

/* A frozen task sits in __refrigerator, and so counts as D; say it once. */
static bool task_in_refrigerator(const InspectTask *t)
{
        for (size_t i = 0; i < t->n_stack; i++)
                if (streq(t->stack[i], "__refrigerator"))
                        return true;
        return t->wchan && streq(t->wchan, "__refrigerator");
}

static void rule_frozen(const InspectReport *r, HintList *l)
{
        const InspectCgroup *c = &r->cgroup;
        const InspectTask *shown = NULL;
        _cleanup_free_ char *dir = NULL, *cmd = NULL;
        char *slash;

        if (!c->have_freeze || c->freeze != FREEZE_FROZEN)
                return;
        for (size_t i = 0; i < r->n_tasks && !shown; i++)
                if (task_in_refrigerator(&r->tasks[i]))
                        shown = &r->tasks[i];
        /* Thawing goes through the file of the hierarchy that froze it. */
        dir = xstrdup(c->freeze_file);
        slash = strrchr(dir, '/');
        if (slash)
                *slash = '\0';
        if (strstr(c->freeze_file, "freezer.state"))
                cmd = xasprintf("echo THAWED > %s/freezer.state", dir);
        else
                cmd = xasprintf("echo 0 > %s/cgroup.freeze", dir);
        add(l, HINT_FROZEN, xstrdup(c->freeze_file), "frozen%s; thaw with 'ns thaw %s' or '%s'",
            shown ? ": the stack shows `__refrigerator`" : "", r->id, cmd);
}

static void rule_freezing(const InspectReport *r, HintList *l)
{
        const InspectCgroup *c = &r->cgroup;
        unsigned not_frozen = 0;

        if (!c->have_freeze || c->freeze != FREEZE_FREEZING)
                return;
        for (size_t i = 0; i < r->n_tasks; i++)
                if (!task_in_refrigerator(&r->tasks[i]) && r->tasks[i].state != 'Z')
                        not_frozen++;
        add(l, HINT_FREEZING, xstrdup(c->freeze_file),
            "stuck freezing: %u task%s not frozen yet (one in D state cannot freeze until its wait ends)",
            not_frozen, not_frozen == 1 ? " is" : "s are");
}

static void rule_under_oom(const InspectReport *r, HintList *l)
{
        const InspectCgroup *c = &r->cgroup;

        if (!c->have_oom_control || !c->oom_control.under_oom)
                return;
        add(l, HINT_UNDER_OOM, cgfile(c->memory_dir, "memory.oom_control"),
            "out of memory now%s: tasks wait for memory at the limit",
            c->oom_control.oom_kill_disable ? " and the OOM killer is disabled" : "");
}

static void rule_dstate(const InspectReport *r, HintList *l)
{
        bool frozen = r->cgroup.have_freeze && r->cgroup.freeze == FREEZE_FROZEN;
        bool *done = xnew(bool, r->n_tasks + 1);

        /* One hint per place they wait in. */
        for (size_t i = 0; i < r->n_tasks; i++) {
                const InspectTask *t = &r->tasks[i];
                const char *fn, *why;
                const InspectTask *first = t;
                unsigned n = 0;
                double longest = -1;

                /* In a frozen cgroup every D task is a frozen one: not all of
                 * them pass through __refrigerator (a sleeper is frozen in place). */
                if (done[i] || t->state != 'D' || frozen)
                        continue;
                /* a short D is ordinary I/O */
                if (t->idle_secs >= 0 && t->idle_secs < 1)
                        continue;
                why = inspect_wait_reason(t, &fn);
                for (size_t j = i; j < r->n_tasks; j++) {
                        const InspectTask *u = &r->tasks[j];
                        const char *ufn;
                        if (done[j] || u->state != 'D' || (u->idle_secs >= 0 && u->idle_secs < 1))
                                continue;
                        (void)inspect_wait_reason(u, &ufn);
                        if ((fn == NULL) != (ufn == NULL) || (fn && !streq(fn, ufn)))
                                continue;
                        done[j] = true;
                        n++;
                        longest = MAX(longest, u->idle_secs);
                }
                {
                        char d[32], in_fn[96] = "";
                        if (fn)
                                snprintf(in_fn, sizeof(in_fn), " in `%s`", fn);
                        add(l, HINT_DSTATE,
                            task_file(first, first->have_stack && first->n_stack ? "stack" : "wchan"),
                            "%u task%s in D state%s%s%s%s%s", n, n == 1 ? "" : "s",
                            longest >= 0 ? " for " : "",
                            longest >= 0 ? format_duration(longest, d, sizeof(d)) : "", in_fn,
                            why ? ": " : "", why ?: "");
                }
        }
        free(done);
}

static void rule_oom_kills(const InspectReport *r, HintList *l)
{
        const InstanceSample *s = &r->sample;

        if (!r->have_sample || !(s->have & STATS_HAVE_OOM) || s->oom_kills == 0)
                return;
        add(l, HINT_OOM_KILLS,
            cgfile(r->cgroup.memory_dir, r->cgroup.v2 ? "memory.events" : "memory.oom_control"),
            "the OOM killer killed %" PRIu64 " process%s (%s)", s->oom_kills,
            s->oom_kills == 1 ? "" : "es", r->cgroup.v2 ? "memory.events" : "memory.oom_control");
}

static void rule_pids_max(const InspectReport *r, HintList *l)
{
        const InstanceSample *s = &r->sample;

        if (!r->have_sample || !(s->have & STATS_HAVE_PIDS_EVENTS) || s->pids_refused == 0)
                return;
        if (s->have & STATS_HAVE_PIDS_LIMIT)
                add(l, HINT_PIDS_MAX, cgfile(r->cgroup.pids_dir, "pids.events"),
                    "pids.max reached: %" PRIu64 " fork%s refused (pids.max is %" PRIu64 ")",
                    s->pids_refused, s->pids_refused == 1 ? "" : "s", s->pids_limit);
        else
                add(l, HINT_PIDS_MAX, cgfile(r->cgroup.pids_dir, "pids.events"),
                    "pids.max reached: %" PRIu64 " fork%s refused", s->pids_refused,
                    s->pids_refused == 1 ? "" : "s");
}

static void rule_no_reap(const InspectReport *r, HintList *l)
{
        const InspectPid1 *p1 = &r->pid1;
        const InspectProc *p = pid1_proc(r);
        char d[32];

        /* A zombie younger than a second is one being reaped right now. */
        if (!p || p1->n_zombies == 0 || (p1->oldest_zombie_secs >= 0 && p1->oldest_zombie_secs < 1))
                return;
        add(l, HINT_NO_REAP, xasprintf("/proc/%d/task/%d/children", (int)p->pid, (int)p->pid),
            "%s (%s) does not reap: %zu zombie%s, oldest %s%s", p1->own_pidns ? "pid 1" : "the leader",
            p->comm, p1->n_zombies, p1->n_zombies == 1 ? "" : "s",
            p1->oldest_exact ? "" : "at most ", format_duration(p1->oldest_zombie_secs, d, sizeof(d)));
}

static void rule_zombies(const InspectReport *r, HintList *l)
{
        /* Zombies of other parents: each parent once. */
        for (size_t i = 0; i < r->n_procs; i++) {
                const InspectProc *z = &r->procs[i];
                size_t n = 0;
                bool first = true;
                const InspectProc *parent = NULL;

                if (!z->zombie || z->ppid == r->leader || (z->age_secs >= 0 && z->age_secs < 1))
                        continue;
                for (size_t j = 0; j < r->n_procs; j++) {
                        if (r->procs[j].zombie && r->procs[j].ppid == z->ppid) {
                                if (j < i)
                                        first = false;
                                n++;
                        }
                        if (r->procs[j].pid == z->ppid)
                                parent = &r->procs[j];
                }
                if (!first)
                        continue;
                add(l, HINT_ZOMBIES, xasprintf("/proc/%d/task/%d/children", (int)z->ppid, (int)z->ppid),
                    "pid %d (%s) does not reap its children: %zu zombie%s", (int)z->ppid,
                    parent ? parent->comm : "?", n, n == 1 ? "" : "s");
        }
}

static void rule_stopped(const InspectReport *r, HintList *l)
{
        unsigned n = 0;
        const InspectTask *first = NULL;

        for (size_t i = 0; i < r->n_tasks; i++)
                if (r->tasks[i].state == 'T' || r->tasks[i].state == 't') {
                        if (!first)
                                first = &r->tasks[i];
                        n++;
                }
        if (!first)
                return;
        add(l, HINT_STOPPED, task_file(first, "status"),
            "%u task%s stopped (%s): resume with kill -CONT, or detach the debugger", n,
            n == 1 ? "" : "s", first->state == 't' ? "traced" : "SIGSTOP or SIGTSTP");
}

static void rule_fds(const InspectReport *r, HintList *l)
{
        for (size_t i = 0; i < r->n_procs; i++) {
                const InspectProc *p = &r->procs[i];
                if (p->n_fds < 0 || p->nofile_soft == UINT64_MAX || p->nofile_soft == 0)
                        continue;
                if ((uint64_t)p->n_fds * 10 < p->nofile_soft * 9)
                        continue;
                add(l, HINT_FDS, xasprintf("/proc/%d/limits", (int)p->pid),
                    "pid %d (%s) has %ld open files of its limit of %" PRIu64
                    " (RLIMIT_NOFILE): opening more fails with EMFILE",
                    (int)p->pid, p->comm, p->n_fds, p->nofile_soft);
        }
}

static void rule_throttled(const InspectReport *r, HintList *l)
{
        const InstanceSample *s = &r->sample;
        double share;

        if (!r->have_sample || !(s->have & STATS_HAVE_THROTTLE) || s->nr_periods == 0)
                return;
        share = (double)s->nr_throttled / (double)s->nr_periods;
        if (share < 0.1)
                return;
        if (s->have & STATS_HAVE_CPU_LIMIT)
                add(l, HINT_THROTTLED, cgfile(r->cgroup.cpu_dir, "cpu.stat"),
                    "throttled in %.0f%% of CPU periods: %s is %g CPU", share * 100,
                    r->cgroup.v2 ? "cpu.max" : "cpu.cfs_quota_us",
                    (double)s->cpu_limit_millis / 1000);
        else
                add(l, HINT_THROTTLED, cgfile(r->cgroup.cpu_dir, "cpu.stat"),
                    "throttled in %.0f%% of CPU periods", share * 100);
}

static void rule_memory_limit(const InspectReport *r, HintList *l)
{
        const InstanceSample *s = &r->sample;
        const InspectCgroup *c = &r->cgroup;
        char a[32], b[32];

        if (r->have_sample && (s->have & STATS_HAVE_MEM_LIMIT) && s->mem_limit > 0 &&
            s->mem_bytes * 10 >= s->mem_limit * 9)
                add(l, HINT_MEMORY_LIMIT,
                    cgfile(c->memory_dir, c->v2 ? "memory.current" : "memory.usage_in_bytes"),
                    "memory at %.0f%% of its limit: %s of %s",
                    (double)s->mem_bytes * 100 / (double)s->mem_limit,
                    format_size(s->mem_bytes, a, sizeof(a)), format_size(s->mem_limit, b, sizeof(b)));
        else if (c->have_failcnt && c->failcnt > 0)
                add(l, HINT_MEMORY_LIMIT, cgfile(c->memory_dir, "memory.failcnt"),
                    "the memory limit was hit %" PRIu64 " time%s: it reclaims memory to stay under it",
                    c->failcnt, c->failcnt == 1 ? "" : "s");
}

static void rule_pressure(const InspectReport *r, HintList *l)
{
        static const char *const names[PRESSURE_MAX] = { "CPU", "memory", "I/O" };
        static const char *const files[PRESSURE_MAX] = { "cpu", "memory", "io" };
        const InspectCgroup *c = &r->cgroup;

        for (int i = 0; i < PRESSURE_MAX; i++) {
                const Pressure *p = &c->pressure[i];
                char *file;

                if (!c->have_pressure[i])
                        continue;
                file = c->pressure_system ? xasprintf("/proc/pressure/%s", files[i])
                                          : cgfile(c->dir, i == PRESSURE_CPU    ? "cpu.pressure"
                                                           : i == PRESSURE_MEMORY ? "memory.pressure"
                                                                                  : "io.pressure");
                if (p->have_full && p->full[0] >= 5 && i != PRESSURE_CPU)
                        add(l, HINT_PRESSURE, file,
                            "%s pressure%s: every task stalled %.0f%% of the last 10 s", names[i],
                            c->pressure_system ? " on the whole host" : "", p->full[0]);
                else if (p->some[0] >= 20)
                        add(l, HINT_PRESSURE, file,
                            "%s pressure%s: some task stalled %.0f%% of the last 10 s", names[i],
                            c->pressure_system ? " on the whole host" : "", p->some[0]);
                else
                        free(file);
        }
}

static void rule_no_sigterm(const InspectReport *r, HintList *l)
{
        const InspectPid1 *p1 = &r->pid1;
        const InspectProc *p = pid1_proc(r);
        char *file;

        /* A known init handles it; a blocked SIGTERM waits for a signalfd or
         * sigwait reader, and one in sigtimedwait may be waiting for it. */
        if (!p || !p1->own_pidns || p1->err_status != 0 || p1->term_caught || p1->init != INIT_UNKNOWN ||
            (!p1->term_ignored && (p1->term_blocked || p1->term_sigwait)))
                return;
        file = xasprintf("/proc/%d/status", (int)p->pid);
        if (p1->term_ignored)
                add(l, HINT_NO_SIGTERM, file,
                    "pid 1 (%s) ignores SIGTERM: a stop will wait for its timeout", p->comm);
        else
                add(l, HINT_NO_SIGTERM, file,
                    "pid 1 (%s) has no SIGTERM handler, so the kernel drops SIGTERM: a stop will wait for its timeout",
                    p->comm);
}

static const struct {
        HintKind kind;
        HintSeverity severity;
        void (*rule)(const InspectReport *r, HintList *l);
} rules[HINT_KIND_MAX] = {
        { HINT_FROZEN, HINT_CRITICAL, rule_frozen },
        { HINT_FREEZING, HINT_CRITICAL, rule_freezing },
        { HINT_UNDER_OOM, HINT_CRITICAL, rule_under_oom },
        { HINT_DSTATE, HINT_CRITICAL, rule_dstate },
        { HINT_OOM_KILLS, HINT_WARNING, rule_oom_kills },
        { HINT_PIDS_MAX, HINT_WARNING, rule_pids_max },
        { HINT_NO_REAP, HINT_WARNING, rule_no_reap },
        { HINT_STOPPED, HINT_WARNING, rule_stopped },
        { HINT_FDS, HINT_WARNING, rule_fds },
        { HINT_THROTTLED, HINT_WARNING, rule_throttled },
        { HINT_ZOMBIES, HINT_NOTICE, rule_zombies },
        { HINT_MEMORY_LIMIT, HINT_NOTICE, rule_memory_limit },
        { HINT_PRESSURE, HINT_NOTICE, rule_pressure },
        { HINT_NO_SIGTERM, HINT_NOTICE, rule_no_sigterm },
};

void inspect_hints(const InspectReport *r, Hint **ret, size_t *ret_n)
{
        HintList l = {};
        Hint *out;
        size_t n = 0;

        for (size_t i = 0; i < ELEMENTSOF(rules); i++) {
                size_t before = l.n;
                rules[i].rule(r, &l);
                for (size_t k = before; k < l.n; k++)
                        l.items[k].severity = rules[i].severity;
        }
        /* Ranked: severity first, the table's order within one (a stable pass per level). */
        out = xnew(Hint, l.n + 1);
        for (int s = 0; s < HINT_SEVERITY_MAX; s++)
                for (size_t k = 0; k < l.n; k++)
                        if (l.items[k].severity == (HintSeverity)s)
                                out[n++] = l.items[k];
        free(l.items);
        *ret = out;
        *ret_n = n;
}

void hints_free(Hint *h, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(h[i].text);
                free(h[i].file);
        }
        free(h);
}

void inspect_health_flags(const InstanceSample *s, char *buf, size_t size)
{
        size_t len = 0;

        buf[0] = '\0';
#define FLAG(...) len += (size_t)snprintf(buf + len, len < size ? size - len : 0, __VA_ARGS__)
        if (s->frozen)
                FLAG("%sfrozen", len ? " " : "");
        if (s->n_dstate)
                FLAG("%s%uD", len ? " " : "", s->n_dstate);
        if (s->n_zombie)
                FLAG("%s%uZ", len ? " " : "", s->n_zombie);
        if ((s->have & STATS_HAVE_OOM) && s->oom_kills)
                FLAG("%s%" PRIu64 "oom", len ? " " : "", s->oom_kills);
        if ((s->have & STATS_HAVE_PIDS_EVENTS) && s->pids_refused)
                FLAG("%s%" PRIu64 "forks", len ? " " : "", s->pids_refused);
#undef FLAG
        if (len >= size && size > 0)
                buf[size - 1] = '\0';
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "inspect-internal.h"
#include "macro.h"
#include "naming.h"
#include "reader.h"
#include "util.h"

#define STATUS_MAX (64 * 1024)
#define CMDLINE_MAX 4096
#define STACK_MAX (64 * 1024)

typedef struct Ctx {
        int proc_fd;
        Reader *reader;
        InspectReport *r;
        double uptime;              /* seconds after boot, from /proc/uptime */
        double sched_now_ms;        /* our own se.exec_start: now on the sched clock */
        bool have_sched_now;
        long ticks;                 /* clock ticks per second */
} Ctx;

static double read_uptime(int proc_fd)
{
        char buf[128];
        double up = 0;

        if (read_small_at(proc_fd, "uptime", buf, sizeof(buf)) > 0)
                up = strtod(buf, NULL);
        return up;
}


static bool have_proc(const InspectReport *r, pid_t pid)
{
        for (size_t i = 0; i < r->n_procs; i++)
                if (r->procs[i].pid == pid)
                        return true;
        return false;
}

/* Read one file of a task through the reader, unless an earlier read of the
 * same task did not finish in time (then the rest are not tried). */
static int task_read(Ctx *c, bool *stuck, const char *path, size_t max, char **ret)
{
        int k;

        if (*stuck)
                return -ECANCELED;
        k = reader_read(c->reader, path, max, ret, NULL);
        if (k == -ETIMEDOUT)
                *stuck = true;
        return k;
}

static void read_task(Ctx *c, InspectProc *p, pid_t tid)
{
        InspectReport *r = c->r;
        InspectTask *t;
        _cleanup_free_ char *status = NULL, *sched = NULL, *wchan = NULL, *syscall = NULL,
                            *stack = NULL;
        char dir[64], path[96];
        TaskStatus st;
        bool stuck = false;
        int k;

        r->tasks = xreallocarray(r->tasks, r->n_tasks + 1, sizeof(InspectTask));
        t = &r->tasks[r->n_tasks++];
        *t = (InspectTask){ .tid = tid, .pid = p->pid, .state = '?', .idle_secs = -1 };
        p->n_tasks++;
        snprintf(dir, sizeof(dir), "%d/task/%d", (int)p->pid, (int)tid);

        snprintf(path, sizeof(path), "%s/status", dir);
        k = read_file_at(c->proc_fd, path, STATUS_MAX, &status, NULL);
        if (k >= 0)
                k = inspect_parse_status(status, &st);
        if (k < 0) {
                t->err_status = k;
                memcpy(t->comm, p->comm, sizeof(t->comm));
                return;
        }
        t->state = st.state;
        t->ns_tid = st.ns_tid;
        t->sig_pnd = st.sig_pnd;
        t->sig_shd = st.sig_shd;
        t->sig_blk = st.sig_blk;
        t->sig_ign = st.sig_ign;
        t->sig_cgt = st.sig_cgt;
        t->ctxt_vol = st.ctxt_vol;
        t->ctxt_invol = st.ctxt_invol;
        snprintf(path, sizeof(path), "%s/comm", dir);
        if (read_small_at(c->proc_fd, path, t->comm, sizeof(t->comm)) > 0)
                t->comm[strcspn(t->comm, "\n")] = '\0';
        else
                memcpy(t->comm, p->comm, sizeof(t->comm));
        str_sanitize(t->comm);

        /* How long it has not run: its last run against ours, on one clock. */
        snprintf(path, sizeof(path), "%s/sched", dir);
        k = read_file_at(c->proc_fd, path, STATUS_MAX, &sched, NULL);
        if (k >= 0) {
                double last;
                k = inspect_parse_sched_exec_start(sched, &last);
                if (k >= 0 && c->have_sched_now && t->state != 'R') {
                        t->idle_secs = MAX(c->sched_now_ms - last, 0.0) / 1000.0;
                        /* Each CPU has its own scheduler clock, and in a VM they
                         * drift apart: never longer than the process has lived. */
                        if (p->age_secs >= 0)
                                t->idle_secs = MIN(t->idle_secs, p->age_secs);
                }
        }
        t->err_sched = k < 0 ? k : 0;

        snprintf(path, sizeof(path), "%s/syscall", dir);
        k = task_read(c, &stuck, path, 4096, &syscall);
        if (k >= 0)
                k = inspect_parse_syscall(syscall, &t->syscall);
        t->have_syscall = k >= 0;
        t->err_syscall = k < 0 ? k : 0;

        snprintf(path, sizeof(path), "%s/wchan", dir);
        k = task_read(c, &stuck, path, 4096, &wchan);
        if (k >= 0)
                wchan[strcspn(wchan, "\n")] = '\0';
        /* "0": not waiting, or not allowed to see where */
        if (k >= 0 && wchan[0] && !streq(wchan, "0"))
                t->wchan = str_sanitize(xstrdup(wchan));
        t->err_wchan = k < 0 ? k : 0;

        /* A running task's stack is gone by the time it is read. */
        if (t->state != 'R') {
                snprintf(path, sizeof(path), "%s/stack", dir);
                k = task_read(c, &stuck, path, STACK_MAX, &stack);
                if (k >= 0)
                        k = inspect_parse_stack(stack, &t->stack, &t->n_stack);
                t->have_stack = k >= 0;
                t->err_stack = k < 0 ? k : 0;
        }
}

static long count_fds(int proc_fd, pid_t pid)
{
        char path[64];
        DIR *d;
        struct dirent *de;
        long n = 0;
        int r;

        snprintf(path, sizeof(path), "%d/fd", (int)pid);
        r = opendir_at(proc_fd, path, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

static int list_tids(int proc_fd, pid_t pid, pid_t **ret, size_t *ret_n)
{
        char path[64];
        pid_t *v = NULL;
        size_t n = 0;
        DIR *d;
        struct dirent *de;
        int r;

        snprintf(path, sizeof(path), "%d/task", (int)pid);
        r = opendir_at(proc_fd, path, &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                pid_t tid;
                if (parse_pid(de->d_name, &tid) < 0)
                        continue;
                v = xreallocarray(v, n + 1, sizeof(pid_t));
                v[n++] = tid;
        }
        closedir(d);
        *ret = v;
        *ret_n = n;
        return 0;
}

static int pid_cmp(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

/* One process and its threads; a zombie child of a member when zombie. */
static int read_proc(Ctx *c, pid_t pid, bool want_zombie)
{
        InspectReport *r = c->r;
        InspectProc *p;
        _cleanup_free_ char *cmdline = NULL, *limits = NULL;
        _cleanup_free_ pid_t *tids = NULL;
        size_t n_tids = 0, cmdline_len = 0;
        char path[64], state, comm[16];
        unsigned long long start;
        pid_t ppid;
        int k;

        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        k = proc_read_stat(c->proc_fd, path, &state, &ppid, &start, comm);
        if (k < 0)
                return k;
        if (want_zombie && state != 'Z')
                return -ESRCH;
        r->procs = xreallocarray(r->procs, r->n_procs + 1, sizeof(InspectProc));
        p = &r->procs[r->n_procs++];
        *p = (InspectProc){
                .pid = pid,
                .ppid = ppid,
                .state = state,
                .zombie = state == 'Z',
                .n_fds = -1,
                .first_task = r->n_tasks,
                .nofile_soft = UINT64_MAX,
                .nofile_hard = UINT64_MAX,
        };
        memcpy(p->comm, comm, sizeof(p->comm));
        str_sanitize(p->comm);
        p->age_secs = c->ticks > 0 ? MAX(c->uptime - (double)start / (double)c->ticks, 0.0) : -1;
        if (proc_read_nspid(c->proc_fd, pid, &p->ns_pid) < 0)
                p->ns_pid = 0;

        if (!p->zombie) {
                snprintf(path, sizeof(path), "%d/cmdline", (int)pid);
                k = reader_read(c->reader, path, CMDLINE_MAX, &cmdline, &cmdline_len);
                p->init = inspect_init_kind(p->comm, k >= 0 ? cmdline : NULL, k >= 0 ? cmdline_len : 0);
                if (k >= 0) {
                        p->cmdline = str_sanitize(cmdline_to_string(cmdline, cmdline_len));
                        p->err_cmdline = 0;
                } else
                        p->err_cmdline = k;
                p->n_fds = count_fds(c->proc_fd, pid);
                if (p->n_fds < 0) {
                        p->err_fds = (int)p->n_fds;
                        p->n_fds = -1;
                }
                snprintf(path, sizeof(path), "%d/limits", (int)pid);
                k = read_file_at(c->proc_fd, path, 0, &limits, NULL);
                if (k >= 0)
                        k = inspect_parse_limits_nofile(limits, &p->nofile_soft, &p->nofile_hard);
                p->err_limits = k < 0 ? k : 0;
        }

        k = list_tids(c->proc_fd, pid, &tids, &n_tids);
        if (k < 0 || n_tids == 0) {
                /* gone in between, or a zombie whose threads are gone: its own entry */
                free(tids);
                tids = xnew(pid_t, 1);
                tids[0] = pid;
                n_tids = 1;
        }
        qsort(tids, n_tids, sizeof(pid_t), pid_cmp);
        for (size_t i = 0; i < n_tids; i++)
                /* the process may have moved in the array: index it anew */
                read_task(c, &r->procs[r->n_procs - 1], tids[i]);
        return 0;
}

/* The zombie children of every member: the scan cannot see them (a zombie
 * has no namespace links), its parent's children files can. */
static void find_zombies(Ctx *c)
{
        size_t n_members = c->r->n_procs;

        for (size_t i = 0; i < n_members; i++) {
                InspectProc *p = &c->r->procs[i];
                for (size_t j = 0; j < p->n_tasks; j++) {
                        _cleanup_free_ char *buf = NULL;
                        _cleanup_free_ pid_t *kids = NULL;
                        size_t n_kids = 0;
                        char path[96];
                        pid_t parent = p->pid, tid = c->r->tasks[p->first_task + j].tid;

                        snprintf(path, sizeof(path), "%d/task/%d/children", (int)parent, (int)tid);
                        if (read_file_at(c->proc_fd, path, 0, &buf, NULL) < 0 ||
                            inspect_parse_pid_list(buf, &kids, &n_kids) < 0)
                                continue;
                        for (size_t k = 0; k < n_kids; k++)
                                if (!have_proc(c->r, kids[k]))
                                        (void)read_proc(c, kids[k], true);
                        p = &c->r->procs[i]; /* read_proc() may have moved the array */
                }
        }
}

static void analyse_pid1(Ctx *c)
{
        InspectReport *r = c->r;
        InspectPid1 *p1 = &r->pid1;
        const InspectProc *leader = NULL;
        const InspectTask *main_task = NULL;

        *p1 = (InspectPid1){ .proc = -1, .oldest_zombie_secs = -1 };
        for (size_t i = 0; i < r->n_procs; i++)
                if (r->procs[i].pid == r->leader) {
                        p1->proc = (ssize_t)i;
                        leader = &r->procs[i];
                }
        if (!leader)
                return;
        p1->own_pidns = leader->ns_pid == 1;
        p1->init = leader->init;
        for (size_t j = 0; j < leader->n_tasks; j++)
                if (r->tasks[leader->first_task + j].tid == leader->pid)
                        main_task = &r->tasks[leader->first_task + j];
        if (main_task && main_task->err_status == 0) {
                /* Handlers and ignored signals are the process's, whichever thread shows them. */
                p1->term_caught = sigmask_has(main_task->sig_cgt, SIGTERM);
                p1->term_ignored = sigmask_has(main_task->sig_ign, SIGTERM);
                p1->term_blocked = sigmask_has(main_task->sig_blk, SIGTERM);
                /* sigtimedwait unblocks the set it waits for while it waits */
                p1->term_sigwait = main_task->have_syscall && main_task->syscall.state == SYSCALL_IN &&
                                   inspect_syscall_name(main_task->syscall.nr) &&
                                   streq(inspect_syscall_name(main_task->syscall.nr), "rt_sigtimedwait");
        } else
                p1->err_status = main_task ? main_task->err_status : -ESRCH;

        for (size_t i = 0; i < r->n_procs; i++) {
                const InspectProc *z = &r->procs[i];
                double age;
                bool exact;

                if (!z->zombie || z->ppid != leader->pid)
                        continue;
                p1->n_zombies++;
                /* It last ran when it exited: that is how long it has been a zombie. */
                exact = z->n_tasks > 0 && r->tasks[z->first_task].idle_secs >= 0;
                age = exact ? r->tasks[z->first_task].idle_secs : z->age_secs;
                if (age > p1->oldest_zombie_secs) {
                        p1->oldest_zombie_secs = age;
                        p1->oldest_exact = exact;
                }
        }
}

InspectReport *inspect_report_free(InspectReport *r)
{
        if (!r)
                return NULL;
        free(r->name);
        free(r->runtime);
        for (size_t i = 0; i < r->n_procs; i++)
                free(r->procs[i].cmdline);
        free(r->procs);
        for (size_t i = 0; i < r->n_tasks; i++) {
                free(r->tasks[i].wchan);
                strv_free_n(r->tasks[i].stack, r->tasks[i].n_stack);
        }
        free(r->tasks);
        inspect_cgroup_done(&r->cgroup);
        free(r->sample.cgroup);
        free(r);
        return NULL;
}

int inspect_instance(int proc_fd, int root_fd, const Instances *is, size_t idx,
                     const InstanceSample *sample, const InspectOptions *o, InspectReport **ret)
{
        const Instance *in = &is->items[idx];
        _cleanup_free_ char *self_sched = NULL;
        _cleanup_free_ pid_t *members = NULL;
        InspectReport *r = xnew(InspectReport, 1);
        Ctx c = { .proc_fd = proc_fd, .r = r };
        size_t n_members = in->n_members;
        int k;

        memcpy(r->id, in->id, sizeof(r->id));
        r->name = xstrdup(in->ident.name ?: "-");
        r->runtime = xstrdup(runtime_to_string(in->ident.runtime));
        r->leader = instance_leader(is, in)->pid;
        r->root = geteuid() == 0;
        r->taken_usec = now_usec();
        c.uptime = read_uptime(proc_fd);
        r->taken = c.uptime;
        c.ticks = sysconf(_SC_CLK_TCK);
        /* "Now" on the scheduler's clock: when we ourselves last ran, which is now. */
        if (read_file_at(proc_fd, "thread-self/sched", STATUS_MAX, &self_sched, NULL) >= 0 &&
            inspect_parse_sched_exec_start(self_sched, &c.sched_now_ms) >= 0)
                c.have_sched_now = true;
        if (sample) {
                r->sample = *sample;
                r->sample.cgroup = sample->cgroup ? xstrdup(sample->cgroup) : NULL;
                r->have_sample = true;
        }
        (void)reader_new(proc_fd, o ? o->read_timeout_ms : INSPECT_READ_TIMEOUT_MS,
                         o ? o->read_budget_ms : INSPECT_READ_BUDGET_MS, &c.reader);

        /* The leader first: pid 1's section and the hints start from it. */
        members = xnew(pid_t, n_members + 1);
        members[0] = r->leader;
        for (size_t i = 0, n = 1; i < n_members; i++) {
                pid_t pid = instance_member(is, in, i)->pid;
                if (pid != r->leader && n < n_members)
                        members[n++] = pid;
        }
        for (size_t i = 0; i < n_members; i++) {
                k = read_proc(&c, members[i], false);
                if (k < 0 && i == 0) {
                        reader_free(c.reader);
                        inspect_report_free(r);
                        return k == -ENOENT ? -ESRCH : k;
                }
        }
        find_zombies(&c);
        for (size_t i = 0; i < r->n_tasks; i++)
                r->n_state[(unsigned char)r->tasks[i].state & 127]++;
        analyse_pid1(&c);
        inspect_read_cgroup(proc_fd, root_fd, r);
        r->n_timeouts = reader_timeouts(c.reader);
        reader_free(c.reader);
        *ret = r;
        return 0;
}

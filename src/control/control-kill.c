/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "control.h"
#include "macro.h"
#include "util.h"

static int sys_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
        int fd = (int)syscall(SYS_pidfd_open, pid, 0);
        return fd < 0 ? -errno : fd;
#else
        (void)pid;
        return -ENOSYS;
#endif
}

static int sys_pidfd_send_signal(int fd, int sig)
{
#ifdef SYS_pidfd_send_signal
        return syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 ? -errno : 0;
#else
        (void)fd;
        (void)sig;
        return -ENOSYS;
#endif
}

/* Whether pid is still the process p of the scan: the same start time and
 * the same namespaces (a process that left the instance is not its any
 * more). -ESRCH when it is not, or is gone. */
static int verify(const Scan *s, const Proc *p)
{
        unsigned long long start;
        NsIno tuple[NS_TYPE_MAX];
        char path[32], state, comm[16];
        pid_t ppid;
        int r;

        snprintf(path, sizeof(path), "%d/stat", (int)p->pid);
        r = proc_read_stat(s->proc_fd, path, &state, &ppid, &start, comm);
        if (r < 0)
                return proc_error_is_skippable(r) && r != -EACCES && r != -EPERM ? -ESRCH : r;
        if (start != p->starttime)
                return -ESRCH;
        snprintf(path, sizeof(path), "%d", (int)p->pid);
        r = scan_read_tuple(s->proc_fd, path, s->ns_present, tuple);
        /* A zombie has no namespace links: nothing is left to signal. */
        if (r == -ENOENT || r == -ESRCH)
                return -ESRCH;
        if (r < 0)
                return r;
        return memcmp(tuple, p->ns, sizeof(tuple)) == 0 ? 0 : -ESRCH;
}

/* Signal one process. 0 sent, -ESRCH gone, or another -errno. */
static int signal_one(Scan *s, Proc *p, int sig)
{
        _cleanup_close_ int fd = -EBADF;
        int r;

        r = scan_load_stat(s, p);
        if (r < 0)
                return proc_error_is_skippable(r) ? -ESRCH : r;
        /* The pidfd first: from here on the pid cannot name another process,
         * so what verify() reads is about the process we will signal, and a
         * pid recycled after the scan fails the start time check. */
        fd = sys_pidfd_open(p->pid);
        if (fd == -ENOSYS) {
                /* pidfd_open needs Linux 5.3: check, then kill(), a window
                 * of microseconds instead of none */
                r = verify(s, p);
                if (r < 0)
                        return r;
                return kill(p->pid, sig) < 0 ? -errno : 0;
        }
        if (fd < 0)
                return fd == -ESRCH || fd == -ENOENT ? -ESRCH : fd;
        r = verify(s, p);
        if (r < 0)
                return r;
        return sys_pidfd_send_signal(fd, sig);
}

static void add_failure(ControlKillResult *res, const Proc *p, int error)
{
        ControlKillFailure *f;

        res->failures = xreallocarray(res->failures, res->n_failures + 1, sizeof(*f));
        f = &res->failures[res->n_failures++];
        f->pid = p->pid;
        memcpy(f->comm, p->comm, sizeof(f->comm));
        f->error = error;
}

static void signal_counted(Scan *s, Proc *p, int sig, ControlKillResult *res)
{
        int r = signal_one(s, p, sig);

        if (r == -ESRCH)
                res->n_gone++;
        else if (r < 0)
                add_failure(res, p, r);
        else
                res->n_signalled++;
}

static bool pid_in(const pid_t *sorted, size_t n, pid_t pid)
{
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (sorted[mid] == pid)
                        return true;
                if (sorted[mid] < pid)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return false;
}

/* SIGKILL to the instance's own v2 cgroup and all below it, in one write
 * (cgroup.kill, Linux 5.14). Returns 0 with the cgroup's processes in
 * *ret, -ENOENT without cgroup.kill, -EBUSY when it is not the instance's
 * own, or another -errno. */
static int cgroup_kill(int proc_fd, int root_fd, const Instances *is, const Instance *in,
                       ControlCgroups *ret)
{
        _cleanup_close_ int fd = -EBADF;
        ControlCgroups c;
        ssize_t k;
        int r;

        r = control_cgroups_load(proc_fd, root_fd, is, in, &c);
        if (r < 0)
                return r;
        if (c.v2.verdict != CONTROL_CGROUP_OWN) {
                control_cgroups_done(&c);
                return -EBUSY;
        }
        fd = cgroup_open_file(root_fd, c.v2.path, "cgroup.kill", O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
                control_cgroups_done(&c);
                return fd;
        }
        do
                k = write(fd, "1", 1);
        while (k < 0 && errno == EINTR);
        if (k < 0) {
                r = -errno;
                control_cgroups_done(&c);
                return r;
        }
        *ret = c;
        return 0;
}

int control_kill(int proc_fd, int root_fd, const Instances *is, const Instance *in, int sig,
                 unsigned flags, ControlKillResult *ret)
{
        ControlKillResult res = {};
        ControlCgroups cg = {};
        bool killed_cgroup = false;
        Proc *leader, *myself = NULL;
        pid_t me = getpid();

        if (sig < 1 || sig > SIGRTMAX)
                return -EINVAL;
        leader = &is->scan->procs[in->leader];

        if (flags & CONTROL_LEADER_ONLY) {
                signal_counted(is->scan, leader, sig, &res);
                *ret = res;
                return 0;
        }

        if (sig == SIGKILL && cgroup_kill(proc_fd, root_fd, is, in, &cg) >= 0) {
                killed_cgroup = true;
                res.cgroup_kill = true;
                res.cgroup = xstrdup(cg.v2.path->path);
                res.n_signalled = cg.v2.n_procs;
        }
        /* Otherwise (not its own cgroup, no cgroup.kill before Linux 5.14)
         * one pidfd per member; also for members outside that cgroup. */
        for (size_t k = 0; k < in->n_members; k++) {
                Proc *p = &is->scan->procs[is->members[in->first_member + k]];

                if (killed_cgroup && pid_in(cg.v2.procs, cg.v2.n_procs, p->pid))
                        continue;
                if (p->pid == me) {
                        myself = p;
                        continue;
                }
                if (p != leader)
                        signal_counted(is->scan, p, sig, &res);
        }
        /* The leader after the others: when it is the init of a pid
         * namespace, its death kills the rest before we could count them.
         * ns itself, a member when run inside the instance, goes last, so
         * that a deadly signal still reaches everything else. */
        if (leader != myself && !(killed_cgroup && pid_in(cg.v2.procs, cg.v2.n_procs, leader->pid)))
                signal_counted(is->scan, leader, sig, &res);
        if (myself)
                signal_counted(is->scan, myself, sig, &res);
        control_cgroups_done(&cg);
        *ret = res;
        return 0;
}

void control_kill_result_done(ControlKillResult *r)
{
        free(r->cgroup);
        free(r->failures);
        *r = (ControlKillResult){};
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The leader's seccomp filters for the entered command (attach-seccomp.h).
 *
 * Linux has one way to read another process' filters:
 * ptrace(PTRACE_SECCOMP_GET_FILTER), which needs CAP_SYS_ADMIN in the
 * initial user namespace, a tracer that is itself under no filter, and
 * the tracee in a ptrace-stop. So the leader is seized, interrupted,
 * read and detached at once, before anything else happens: it is stopped
 * for a few system calls, as by strace -p attaching and detaching. Its
 * blocking calls restart; a few (epoll_wait, sigtimedwait...) return
 * EINTR, as after any SIGSTOP/SIGCONT.
 *
 * An ns run box needs none of that: its pid 1 runs this very binary
 * (no exec since ns run), and its one filter is the one compiled into it.
 * That is what lets an unprivileged user enter their own box.
 */
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "attach-seccomp.h"
#include "idmap.h"
#include "macro.h"
#include "util.h"

/* ns run's default filter, the array that src/seccomp.c installs. */
#include "seccomp-default.h"

#define CAP_SYS_ADMIN_BIT 21
/* More than the kernel could hold: each filter costs at least 5
 * instructions of its 32768 per path (MAX_INSNS_PER_PATH). */
#define FILTERS_MAX 8192

/* ------------------------------------------------------------- pure */

static const char *status_field(const char *status, const char *name)
{
        size_t len = strlen(name);

        for (const char *line = status; line && *line;) {
                if (strncmp(line, name, len) == 0 && line[len] == ':')
                        return line + len + 1;
                line = strchr(line, '\n');
                if (line)
                        line++;
        }
        return NULL;
}

static long status_number(const char *status, const char *name, long absent)
{
        const char *v = status_field(status, name);
        char *end;
        long n;

        if (!v)
                return absent;
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno != 0 || end == v || n < 0)
                return absent;
        return n;
}

void attach_seccomp_parse_status(const char *status, int *ret_mode, int *ret_filters)
{
        /* the kernel writes 0, 1 or 2; anything else must not wrap into one */
        *ret_mode = (int)MIN(status_number(status, "Seccomp", 0), (long)INT32_MAX);
        *ret_filters = (int)MIN(status_number(status, "Seccomp_filters", -1), (long)INT32_MAX);
}

int attach_seccomp_check(const struct sock_filter *insns, size_t len)
{
        if (len == 0 || len > BPF_MAXINSNS)
                return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (BPF_CLASS(insns[i].code) != BPF_RET)
                        continue;
                /* The accumulator's value is known only when it runs: it
                 * could be SECCOMP_RET_USER_NOTIF. (libseccomp never
                 * returns it; hand-written filters may.) */
                if (BPF_RVAL(insns[i].code) != BPF_K)
                        return -EOPNOTSUPP;
                if ((insns[i].k & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
                        return -EOPNOTSUPP;
        }
        return 0;
}

/* ----------------------------------------------------------- reading */

static AttachSeccomp *seccomp_new(size_t n)
{
        AttachSeccomp *s = xnew(AttachSeccomp, 1);

        s->filters = xnew(AttachSeccompFilter, n ? n : 1);
        return s;
}

AttachSeccomp *attach_seccomp_free(AttachSeccomp *s)
{
        if (!s)
                return NULL;
        for (size_t i = 0; i < s->n; i++)
                free(s->filters[i].insns);
        free(s->filters);
        free(s);
        return NULL;
}

/*
 * Whether the leader is pid 1 of an ns run box made by this binary, with
 * the one filter ns run installs and nothing stacked on it: marked
 * "ns-init", no_new_privs, its executable ours (pid 1 is a clone of ns
 * run, never exec'd), one filter. A process that only calls itself
 * ns-init fails the executable check; one that stacked a filter on pid 1
 * fails the count.
 */
static bool is_own_box(const Attach *a, int n_filters)
{
        struct stat leader, self;
        char comm[32];

        if (n_filters != 1 || !a->target.no_new_privs)
                return false;
        if (read_small_at(a->pid_dir_fd, "comm", comm, sizeof(comm)) < 0 ||
            !streq(comm, "ns-init\n"))
                return false;
        /* /proc/PID/exe needs ptrace read access, as root and cwd do */
        if (fstatat(a->pid_dir_fd, "exe", &leader, 0) < 0 ||
            fstatat(a->proc_fd, "self/exe", &self, 0) < 0)
                return false;
        return leader.st_dev == self.st_dev && leader.st_ino == self.st_ino;
}

/* Which of ns run's filters the box has: the one that also refuses a new
 * user namespace where its pid 1 is uid 0 with the host's ids, in our user
 * namespace (ns run --share=user as root, launch.c). */
static bool box_is_hosts_root(const Attach *a)
{
        struct stat box, self;
        char map[128];

        return a->target.uid[1] == 0 &&
               read_small_at(a->pid_dir_fd, "uid_map", map, sizeof(map)) > 0 &&
               idmap_is_identity(map) && fstatat(a->pid_dir_fd, "ns/user", &box, 0) == 0 &&
               fstatat(a->proc_fd, "self/ns/user", &self, 0) == 0 && box.st_dev == self.st_dev &&
               box.st_ino == self.st_ino;
}

static int own_box_filter(const Attach *a, AttachSeccomp *s)
{
        AttachSeccompFilter *f = &s->filters[0];
        struct sock_fprog own;

        seccomp_own_program(box_is_hosts_root(a), &own);
        f->len = own.len;
        f->insns = xnew(struct sock_filter, f->len);
        memcpy(f->insns, own.filter, f->len * sizeof(struct sock_filter));
        f->flags = 0; /* as seccomp_install_own() installs it */
        s->n = 1;
        return 0;
}

/*
 * Whether PTRACE_SECCOMP_GET_FILTER can work for us, checked before the
 * leader is stopped for nothing: no filter of our own, and CAP_SYS_ADMIN
 * in the initial user namespace (a full identity uid_map is the initial
 * one's, or a copy root made, where the kernel says EACCES anyway).
 * Returns 0, or -EACCES with *ret_self when our own filter is the reason.
 */
static int may_read_filters(const Attach *a, bool *ret_self)
{
        _cleanup_free_ char *status = NULL;
        char map[128];
        const char *v;
        int mode, n;

        *ret_self = false;
        if (read_file_at(a->proc_fd, "self/status", 64 * 1024, &status, NULL) < 0)
                return -EACCES;
        attach_seccomp_parse_status(status, &mode, &n);
        if (mode != 0) {
                *ret_self = true;
                return -EACCES;
        }
        v = status_field(status, "CapEff");
        if (!v || !((strtoull(v, NULL, 16) >> CAP_SYS_ADMIN_BIT) & 1))
                return -EACCES;
        if (read_small_at(a->proc_fd, "self/uid_map", map, sizeof(map)) < 0)
                return -EACCES;
        return idmap_is_identity(map) ? 0 : -EACCES;
}

/* One filter, by index: 0 is the oldest (the kernel counts back from the
 * newest to total - index). The leader is in a ptrace-stop. */
static int read_one(pid_t pid, unsigned long idx, AttachSeccompFilter *ret)
{
        struct __ptrace_seccomp_metadata md = { .filter_off = idx };
        struct sock_filter *insns;
        long n, m;

        n = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)idx, NULL);
        if (n < 0)
                return -errno;
        if (n == 0 || n > BPF_MAXINSNS)
                return -EBADMSG;
        insns = xnew(struct sock_filter, (size_t)n);
        m = ptrace(PTRACE_SECCOMP_GET_FILTER, pid, (void *)idx, insns);
        if (m != n) {
                int r = m < 0 ? -errno : -EBADMSG;
                free(insns);
                return r;
        }
        ret->insns = insns;
        ret->len = (unsigned short)n;
        ret->flags = 0;
        /* The flags it was installed with: Linux 4.16. Only LOG is told;
         * without it the copy simply does not log. */
        if (ptrace(PTRACE_SECCOMP_GET_METADATA, pid, (void *)sizeof(md), &md) >= 0 &&
            (md.flags & SECCOMP_FILTER_FLAG_LOG))
                ret->flags = SECCOMP_FILTER_FLAG_LOG;
        return 0;
}

static int wait_stop(pid_t pid, int *ret_status)
{
        for (;;) {
                /* __WALL: the leader is not our child, and may be a thread */
                if (waitpid(pid, ret_status, __WALL) == pid)
                        return 0;
                if (errno != EINTR)
                        return -errno;
        }
}

/*
 * Seize the leader, stop it, read every filter, detach. Every path after
 * the seize ends in a detach while it is stopped (a detach of a running
 * tracee fails and would leave it traced until ns exits); if ns dies
 * meanwhile, the kernel detaches and resumes it.
 */
static int read_by_ptrace(pid_t pid, AttachSeccomp *s, bool *ret_seized)
{
        int status, sig = 0, r;

        *ret_seized = false;
        if (ptrace(PTRACE_SEIZE, pid, NULL, NULL) < 0)
                return -errno;
        *ret_seized = true;
        if (ptrace(PTRACE_INTERRUPT, pid, NULL, NULL) < 0) {
                r = -errno;
                /* Only if it died meanwhile; a live tracee can always be
                 * interrupted. The waitpid below collects the death. */
                if (r != -ESRCH)
                        return r;
        }
        r = wait_stop(pid, &status);
        if (r < 0) {
                /* Cannot happen to a tracee; if it does, try anyway. */
                (void)ptrace(PTRACE_DETACH, pid, NULL, NULL);
                return r;
        }
        if (!WIFSTOPPED(status))
                return -ESRCH; /* it ended: nothing is left to detach */
        /* A signal-delivery-stop (no event in the high bits): the signal
         * is held by us and must go back with the detach, or it is lost.
         * A group-stop or our interrupt: detach with none, and a stopped
         * leader stays stopped as it was. */
        if ((status >> 16) == 0)
                sig = WSTOPSIG(status);

        for (unsigned long i = 0; i < FILTERS_MAX; i++) {
                s->filters = xreallocarray(s->filters, i + 1, sizeof(*s->filters));
                r = read_one(pid, i, &s->filters[i]);
                if (r == -ENOENT) {
                        r = 0;
                        break;
                }
                if (r < 0)
                        break;
                s->n = i + 1;
        }
        if (ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)sig) < 0 && r >= 0)
                r = -errno;
        return r;
}

static int adopt(Attach *a, AttachSeccomp *s)
{
        /* With no_new_privs any process may install a filter, so the child
         * does it last, right before the exec. Without, seccomp(2) needs
         * CAP_SYS_ADMIN, which the leader's credentials may not have: the
         * child installs them while it still has it, before it takes them
         * (as runc does). */
        s->late = a->target.no_new_privs && !(a->keep & ATTACH_KEEP_CAPS);
        a->seccomp = s;
        return 0;
}

int attach_seccomp_open(Attach *a, const char *status, AttachError *err)
{
        AttachSeccomp *s = NULL;
        bool self_filtered, seized;
        long tracer;
        int mode, n, r;

        a->seccomp = NULL;
        /* --tools runs host tools as ns: they keep ns' own filters too */
        if ((a->keep & ATTACH_KEEP_SECCOMP) || a->opts->tools)
                return 0;
        attach_seccomp_parse_status(status, &mode, &n);
        /* Most instances: no filter, and no ptrace at all. */
        if (mode == 0)
                return 0;
        if (mode == SECCOMP_MODE_STRICT)
                return step_error(err, ATTACH_STEP_SECCOMP, EINVAL, "strict");
        if (mode != SECCOMP_MODE_FILTER)
                return step_error(err, ATTACH_STEP_SECCOMP, EINVAL, "mode %d", mode);

        if (is_own_box(a, n)) {
                s = seccomp_new(1);
                own_box_filter(a, s);
                return adopt(a, s);
        }

        r = may_read_filters(a, &self_filtered);
        if (r < 0)
                return step_error(err, ATTACH_STEP_SECCOMP, r, "%s", self_filtered ? "self" : "");
        /* Someone traces it already (a debugger, a supervisor): we may not
         * seize it, and would not stop it under another tracer's feet. */
        tracer = status_number(status, "TracerPid", 0);
        if (tracer > 0)
                return step_error(err, ATTACH_STEP_SECCOMP, EBUSY, "%ld", tracer);
        /* A frozen leader may reach the ptrace-stop only once it is thawed
         * (the v1 freezer holds it in the kernel): never wait on it. */
        if (a->frozen)
                return step_error(err, ATTACH_STEP_SECCOMP, EAGAIN, "%s", a->frozen);

        s = seccomp_new(n > 0 ? (size_t)n : 1);
        r = read_by_ptrace(a->pid, s, &seized);
        if (r == -ESRCH) {
                attach_seccomp_free(s);
                return step_error(err, ATTACH_STEP_OPEN, ESRCH, NULL);
        }
        if (r < 0) {
                attach_seccomp_free(s);
                /* The seize: ptrace access to it (an LSM may deny it to root);
                 * a read: not privileged after all (a copy of the initial
                 * uid_map). */
                if (!seized)
                        return step_error(err, ATTACH_STEP_SECCOMP, r, "attach");
                if (r == -EPERM || r == -EACCES)
                        return step_error(err, ATTACH_STEP_SECCOMP, EACCES, "%s", "");
                /* EINVAL: no CONFIG_CHECKPOINT_RESTORE; EIO: before Linux
                 * 4.4; EMEDIUMTYPE: not a classic BPF program. */
                if (r == -EINVAL || r == -EIO || r == -EMEDIUMTYPE)
                        return step_error(err, ATTACH_STEP_SECCOMP, ENOSYS, NULL);
                return step_error(err, ATTACH_STEP_SECCOMP, r, NULL);
        }
        /* More than the status said: it stacked one since; all count. */
        if (s->n == 0 || (n >= 0 && s->n < (size_t)n)) {
                attach_seccomp_free(s);
                return step_error(err, ATTACH_STEP_SECCOMP, EIO, NULL);
        }
        /* Checked once the leader runs again. SECCOMP_RET_TRACE is copied:
         * untraced, such a call fails with ENOSYS, in the leader as here;
         * a tracer inside could let it through for either alike. */
        for (size_t i = 0; i < s->n; i++) {
                r = attach_seccomp_check(s->filters[i].insns, s->filters[i].len);
                if (r < 0) {
                        attach_seccomp_free(s);
                        return step_error(err, ATTACH_STEP_SECCOMP, r, "%zu", i + 1);
                }
        }
        return adopt(a, s);
}

/* ----------------------------------------------------------- install */

int attach_seccomp_install(const AttachSeccomp *s, bool late, size_t *ret_failed)
{
        if (!s || s->late != late)
                return 0;
        for (size_t i = 0; i < s->n; i++) {
                struct sock_fprog prog = {
                        .len = s->filters[i].len,
                        .filter = s->filters[i].insns,
                };
                if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, s->filters[i].flags, &prog) < 0) {
                        *ret_failed = i;
                        return -errno;
                }
        }
        return 0;
}

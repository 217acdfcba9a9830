/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "attach-internal.h"
#include "attach-seccomp.h"
#include "cgroup.h"
#include "macro.h"
#include "pty.h"
#include "scan.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6 */
#endif

#define STATUS_MAX (64 * 1024)
#define ENVIRON_MAX (16 * 1024 * 1024)
#define MAP_MAX (64 * 1024)

/* ------------------------------------------------------------ errors */

_printf_(4, 5) static int fail(AttachError *err, AttachStep step, int r, const char *fmt, ...)
{
        va_list ap;

        if (r > 0)
                r = -r;
        if (r == 0)
                r = -EIO;
        if (err) {
                err->step = step;
                err->error = -r;
                err->detail[0] = '\0';
                if (fmt) {
                        va_start(ap, fmt);
                        vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
                        va_end(ap);
                }
        }
        return r;
}

/* ----------------------------------------------------------- opening */

static int read_ns_links(int dir_fd, const char *prefix, NsIno ret[NS_TYPE_MAX])
{
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                char path[48], link[64];
                ssize_t k;

                snprintf(path, sizeof(path), "%s%s", prefix, ns_info[t].proc);
                k = readlinkat(dir_fd, path, link, sizeof(link));
                if (k < 0) {
                        if (errno == ENOENT) {
                                ret[t] = 0; /* this kernel has no such namespace */
                                continue;
                        }
                        return -errno;
                }
                if (ns_parse_link(link, (size_t)k, &ret[t]) < 0)
                        return -EIO;
        }
        return 0;
}

static int self_creds(ProcCreds *ret)
{
        ProcCreds c = {};
        int n;

        if (getresuid(&c.uid[0], &c.uid[1], &c.uid[2]) < 0 ||
            getresgid(&c.gid[0], &c.gid[1], &c.gid[2]) < 0)
                return -errno;
        c.uid[3] = (uid_t)setfsuid((uid_t)-1);
        c.gid[3] = (gid_t)setfsgid((gid_t)-1);
        n = getgroups(0, NULL);
        if (n < 0)
                return -errno;
        c.groups = xnew(gid_t, (size_t)n + 1);
        n = getgroups(n, c.groups);
        if (n < 0) {
                free(c.groups);
                return -errno;
        }
        c.n_groups = (size_t)n;
        *ret = c;
        return 0;
}

bool attach_same_groups(const gid_t *a, size_t na, const gid_t *b, size_t nb)
{
        /* as sets: the kernel sorts them, userspace may not */
        for (size_t i = 0; i < na; i++) {
                bool found = false;
                for (size_t j = 0; j < nb && !found; j++)
                        found = a[i] == b[j];
                if (!found)
                        return false;
        }
        for (size_t j = 0; j < nb; j++) {
                bool found = false;
                for (size_t i = 0; i < na && !found; i++)
                        found = a[i] == b[j];
                if (!found)
                        return false;
        }
        return true;
}

/* The leader's ids as its own user namespace sees them. */
static int translate_ids(Attach *a, AttachError *err)
{
        _cleanup_free_ char *uid_map = NULL, *gid_map = NULL;
        int r;

        if (!(a->mask & ns_info[NS_USER].clone_flag)) {
                memcpy(a->want_uid, a->target.uid, sizeof(a->want_uid));
                memcpy(a->want_gid, a->target.gid, sizeof(a->want_gid));
                a->want_groups = xnew(gid_t, a->target.n_groups + 1);
                if (a->target.n_groups > 0)
                        memcpy(a->want_groups, a->target.groups,
                               a->target.n_groups * sizeof(gid_t));
                a->n_want_groups = a->target.n_groups;
                return 0;
        }
        r = read_file_at(a->pid_dir_fd, "uid_map", MAP_MAX, &uid_map, NULL);
        if (r >= 0)
                r = read_file_at(a->pid_dir_fd, "gid_map", MAP_MAX, &gid_map, NULL);
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "uid_map");
        for (int i = 0; i < 4; i++) {
                uint32_t v;
                if (attach_map_id(uid_map, a->target.uid[i], &v) < 0)
                        return fail(err, ATTACH_STEP_CREDS, EOVERFLOW, "uid %u",
                                    (unsigned)a->target.uid[i]);
                a->want_uid[i] = v;
                if (attach_map_id(gid_map, a->target.gid[i], &v) < 0)
                        return fail(err, ATTACH_STEP_CREDS, EOVERFLOW, "gid %u",
                                    (unsigned)a->target.gid[i]);
                a->want_gid[i] = v;
        }
        /* A supplementary group the namespace does not map cannot be given
         * from inside it; it is kept only when set from outside (below). */
        a->want_groups = xnew(gid_t, a->target.n_groups + 1);
        for (size_t i = 0; i < a->target.n_groups; i++) {
                uint32_t v;
                if (attach_map_id(gid_map, a->target.groups[i], &v) >= 0)
                        a->want_groups[a->n_want_groups++] = v;
        }
        return 0;
}

static int open_cgroups(Attach *a, AttachError *err)
{
        _cleanup_free_ char *mountinfo = NULL;
        Cgroups self = {};
        int r;

        r = read_file_at(a->proc_fd, "self/mountinfo", 0, &mountinfo, NULL);
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "/proc/self/mountinfo");
        r = cgroup_load(a->pid_dir_fd, "cgroup", mountinfo, &a->cgroups);
        if (r == -EINVAL)
                return 0; /* a kernel without cgroups */
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "cgroup");

        /* Step 2's input: refuse to walk into a frozen cgroup. */
        const CgroupPath *fz = cgroup_frozen(a->host_root_fd, &a->cgroups);
        if (fz)
                a->frozen = fz->controllers[0] ? xasprintf("%s:%s", fz->controllers, fz->path)
                                               : xstrdup(fz->path);

        if (a->keep & ATTACH_KEEP_CGROUP)
                return 0;
        r = cgroup_load(a->proc_fd, "self/cgroup", mountinfo, &self);
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "/proc/self/cgroup");

        a->cg_fds = xnew(int, a->cgroups.n);
        a->cg_paths = xnew(char *, a->cgroups.n);
        for (size_t i = 0; i < a->cgroups.n; i++) {
                const CgroupPath *p = &a->cgroups.items[i], *mine = cgroup_find_hierarchy(&self, p);
                int fd;

                if (mine && streq(mine->path, p->path))
                        continue; /* already there */
                if (!p->dir) {
                        /* A hierarchy mounted nowhere (nothing can be done), or a cgroup
                         * outside our cgroup namespace: we cannot reach it. */
                        if (!p->mounted)
                                continue;
                        r = fail(err, ATTACH_STEP_CGROUP, ENOENT, "%s", p->path);
                        goto out;
                }
                fd = cgroup_open_file(a->host_root_fd, p, "cgroup.procs", O_WRONLY);
                if (fd < 0) {
                        r = fail(err, ATTACH_STEP_CGROUP, fd, "%s", p->path);
                        goto out;
                }
                a->cg_fds[a->n_cg] = fd;
                a->cg_paths[a->n_cg++] = xstrdup(p->path);
        }
        r = 0;
out:
        cgroups_done(&self);
        return r;
}

static int verify_alive(Attach *a, AttachError *err)
{
        char buf[32];

        /* While the process lives its pid cannot be reused, so everything
         * read through /proc/PID above was read from it. */
        if (a->pidfd >= 0) {
                if (syscall(SYS_pidfd_send_signal, a->pidfd, 0, NULL, 0) < 0)
                        return fail(err, ATTACH_STEP_VERIFY, errno, NULL);
                return 0;
        }
        /* Before Linux 5.3: /proc/PID of a dead process reads ESRCH. */
        if (read_small_at(a->pid_dir_fd, "stat", buf, sizeof(buf)) < 0)
                return fail(err, ATTACH_STEP_VERIFY, ESRCH, NULL);
        return 0;
}

int attach_open(int proc_fd, pid_t pid, unsigned long long starttime, const AttachOptions *o,
                Attach **ret, AttachError *err)
{
        Attach *a = xnew(Attach, 1);
        NsIno target_ns[NS_TYPE_MAX], self_ns[NS_TYPE_MAX];
        char path[32], state, comm[16];
        _cleanup_free_ char *status = NULL;
        unsigned long long st = 0;
        pid_t ppid;
        int r;

        a->opts = o;
        /* --tools runs host tools as ns: they keep ns' own identity */
        a->keep = o->keep | (o->tools ? ATTACH_KEEP_CAPS | ATTACH_KEEP_CREDS | ATTACH_KEEP_LSM |
                                                ATTACH_KEEP_ENV
                                      : 0);
        a->pid = pid;
        a->pidfd = a->pid_dir_fd = a->root_fd = a->cwd_fd = a->host_root_fd = a->proc_fd = -EBADF;

        a->proc_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        if (a->proc_fd < 0) {
                r = fail(err, ATTACH_STEP_OPEN, errno, NULL);
                goto fail;
        }
        /* Step 1: the pidfd pins what we act on; pidfd_open needs Linux 5.3. */
        a->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (a->pidfd < 0 && errno != ENOSYS) {
                r = fail(err, ATTACH_STEP_OPEN, errno, NULL);
                goto fail;
        }
        snprintf(path, sizeof(path), "%d", (int)pid);
        a->pid_dir_fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (a->pid_dir_fd < 0) {
                r = fail(err, ATTACH_STEP_OPEN, errno == ENOENT ? ESRCH : errno, NULL);
                goto fail;
        }
        r = proc_read_stat(a->pid_dir_fd, "stat", &state, &ppid, &st, comm);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_OPEN, r == -ENOENT ? -ESRCH : r, NULL);
                goto fail;
        }
        if (state == 'Z' || state == 'X') {
                r = fail(err, ATTACH_STEP_OPEN, ESRCH, NULL);
                goto fail;
        }
        if (starttime != 0 && st != starttime) {
                /* the pid was reused by another process since it was resolved */
                r = fail(err, ATTACH_STEP_VERIFY, ESRCH, NULL);
                goto fail;
        }

        /* Step 3: everything the child needs, read or opened from the host
         * before any namespace is joined. */
        r = read_ns_links(a->pid_dir_fd, "", target_ns);
        if (r >= 0)
                r = read_ns_links(proc_fd, "self/", self_ns);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "ns");
                goto fail;
        }
        for (int t = 0; t < NS_TYPE_MAX; t++)
                /* setns into the user namespace we are in is EINVAL: skip what is shared */
                if (target_ns[t] != 0 && target_ns[t] != self_ns[t])
                        a->mask |= ns_info[t].clone_flag;
        if (o->tools)
                a->mask &= ~ns_info[NS_MNT].clone_flag;

        r = read_file_at(a->pid_dir_fd, "status", STATUS_MAX, &status, NULL);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "status");
                goto fail;
        }
        r = attach_parse_status(status, &a->target);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "status");
                goto fail;
        }
        r = self_creds(&a->self);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "credentials");
                goto fail;
        }
        a->groups_differ = !attach_same_groups(a->target.groups, a->target.n_groups, a->self.groups,
                                               a->self.n_groups);
        if (!(a->keep & ATTACH_KEEP_CREDS)) {
                r = translate_ids(a, err);
                if (r < 0)
                        goto fail;
        }

        if (!(a->keep & ATTACH_KEEP_ENV)) {
                r = read_file_at(a->pid_dir_fd, "environ", ENVIRON_MAX, &a->environ,
                                 &a->environ_len);
                if (r < 0) {
                        r = fail(err, ATTACH_STEP_READ, r, "environ");
                        goto fail;
                }
        }

        for (int i = 0; i < RLIM_NLIMITS; i++)
                /* by pid, but verify_alive() below proves it was this process */
                a->have_rlim[i] = prlimit(pid, (__rlimit_resource_t)i, NULL, &a->rlim[i]) == 0;

        if (!(a->keep & ATTACH_KEEP_LSM)) {
                char label[4096];
                ssize_t k = read_small_at(a->pid_dir_fd, "attr/current", label, sizeof(label));
                /* EINVAL: no LSM that has a current attribute */
                if (k >= 0)
                        a->lsm_label = attach_lsm_exec_label(label);
        }

        a->host_root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->host_root_fd < 0) {
                r = fail(err, ATTACH_STEP_READ, errno, "/");
                goto fail;
        }
        r = open_cgroups(a, err);
        if (r < 0)
                goto fail;

        /* Opening these magic links needs ptrace access to the leader. */
        a->root_fd = openat(a->pid_dir_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->root_fd < 0) {
                r = fail(err, ATTACH_STEP_ROOT, errno, NULL);
                goto fail;
        }
        a->cwd_fd = openat(a->pid_dir_fd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->cwd_fd < 0) {
                r = fail(err, ATTACH_STEP_CWD, errno, NULL);
                goto fail;
        }

        /* Step 7's input, last: it may stop the leader for a moment. */
        r = attach_seccomp_open(a, status, err);
        if (r < 0)
                goto fail;

        r = verify_alive(a, err);
        if (r < 0)
                goto fail;
        *ret = a;
        return 0;
fail:
        attach_free(a);
        return r;
}

Attach *attach_free(Attach *a)
{
        if (!a)
                return NULL;
        closep(&a->pidfd);
        closep(&a->proc_fd);
        closep(&a->pid_dir_fd);
        closep(&a->host_root_fd);
        closep(&a->root_fd);
        closep(&a->cwd_fd);
        proc_creds_done(&a->target);
        proc_creds_done(&a->self);
        free(a->want_groups);
        free(a->environ);
        free(a->lsm_label);
        cgroups_done(&a->cgroups);
        for (size_t i = 0; i < a->n_cg; i++) {
                closep(&a->cg_fds[i]);
                free(a->cg_paths[i]);
        }
        free(a->cg_fds);
        free(a->cg_paths);
        free(a->frozen);
        attach_seccomp_free(a->seccomp);
        free(a);
        return NULL;
}

const char *attach_frozen(const Attach *a)
{
        return a->frozen;
}

int attach_ns_mask(const Attach *a)
{
        return a->mask;
}

/* ---------------------------------------------------------- messages */

int attach_msg_send(int sock, const Msg *m, int fd)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *c;
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

/* Returns 1 with a message, 0 at EOF, or -errno. *ret_fd is -1 when none came. */
int attach_msg_recv(int sock, Msg *m, int *ret_fd)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof(control.buf),
        };
        ssize_t k;

        *ret_fd = -EBADF;
        do
                k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        if (k == 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        if ((size_t)k != sizeof(*m)) {
                closep(ret_fd);
                return -EBADMSG;
        }
        return 1;
}

/* --------------------------------------------------------- namespaces */

/*
 * Join the namespaces of mask. setns() on a pidfd joins them all at once
 * (Linux 5.8), in the order the kernel needs. Before that, and when
 * joining the user namespace first would take away the privilege over a
 * namespace it does not own (an "ip netns" made by root for a
 * user-namespaced container), one /proc/PID/ns/TYPE fd per type, as nsenter
 * does: every type but user first, then user, then what failed before it.
 */
static int join_namespaces(const Attach *a, int mask, AttachError *err)
{
        int fds[NS_TYPE_MAX], r = 0;
        bool pending[NS_TYPE_MAX] = {};

        if (mask == 0)
                return 0;
        if (a->pidfd >= 0) {
                if (setns(a->pidfd, mask) == 0)
                        return 0;
                if (errno != EINVAL && !(errno == EPERM && (mask & ns_info[NS_USER].clone_flag)))
                        return fail(err, ATTACH_STEP_NAMESPACES, errno, "%s", "");
        }

        for (int t = 0; t < NS_TYPE_MAX; t++) {
                fds[t] = -EBADF;
                if (!(mask & ns_info[t].clone_flag))
                        continue;
                fds[t] = openat(a->pid_dir_fd, ns_info[t].proc, O_RDONLY | O_CLOEXEC);
                if (fds[t] < 0) {
                        r = fail(err, ATTACH_STEP_NAMESPACES, errno, "%s", ns_info[t].name);
                        goto out;
                }
                pending[t] = true;
        }
        for (int pass = 0; pass < 2; pass++)
                for (int t = 0; t < NS_TYPE_MAX; t++) {
                        if (!pending[t] || (pass == 0 && t == NS_USER))
                                continue;
                        if (setns(fds[t], ns_info[t].clone_flag) == 0) {
                                pending[t] = false;
                                continue;
                        }
                        /* pass 0 may lack the privilege that the user namespace gives */
                        if (pass == 1 || errno != EPERM) {
                                r = fail(err, ATTACH_STEP_NAMESPACES, errno, "%s", ns_info[t].name);
                                goto out;
                        }
                }
out:
        for (int t = 0; t < NS_TYPE_MAX; t++)
                closep(&fds[t]);
        return r;
}

/*
 * --tools: a detached copy of the container's root mount tree. open_tree()
 * clones only mounts of the caller's own mount namespace, so a helper joins
 * the container's (and, to be allowed to, its user namespace) and sends the
 * tree back.
 */
static int tools_clone_root(const Attach *a, int *ret_tree, AttachError *err)
{
        int pair[2], fd = -EBADF, status, r;
        int mask = attach_ns_mask(a) & ns_info[NS_USER].clone_flag;
        NsIno mnt_target = 0, mnt_self = 0;
        char link[64];
        ssize_t k;
        pid_t pid;
        Msg m = {};

        k = readlinkat(a->pid_dir_fd, ns_info[NS_MNT].proc, link, sizeof(link));
        if (k > 0)
                (void)ns_parse_link(link, (size_t)k, &mnt_target);
        k = readlinkat(a->proc_fd, "self/ns/mnt", link, sizeof(link));
        if (k > 0)
                (void)ns_parse_link(link, (size_t)k, &mnt_self);
        if (mnt_target != mnt_self)
                mask |= ns_info[NS_MNT].clone_flag;
        else
                mask = 0;

        if (mask == 0) {
                fd = (int)syscall(SYS_open_tree, a->root_fd, "",
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          AT_RECURSIVE);
                if (fd < 0)
                        return fail(err, ATTACH_STEP_TOOLS, errno, "/");
                *ret_tree = fd;
                return 0;
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return fail(err, ATTACH_STEP_FORK, errno, NULL);
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pair[0]);
                close(pair[1]);
                return fail(err, ATTACH_STEP_FORK, r, NULL);
        }
        if (pid == 0) {
                AttachError e = {};
                close(pair[0]);
                if (join_namespaces(a, mask, &e) < 0) {
                        m.type = MSG_ERROR;
                        m.err = e;
                        (void)attach_msg_send(pair[1], &m, -EBADF);
                        _exit(1);
                }
                fd = (int)syscall(SYS_open_tree, a->root_fd, "",
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          AT_RECURSIVE);
                if (fd < 0) {
                        m.type = MSG_ERROR;
                        fail(&m.err, ATTACH_STEP_TOOLS, errno, "/");
                        (void)attach_msg_send(pair[1], &m, -EBADF);
                        _exit(1);
                }
                m.type = MSG_TREE;
                (void)attach_msg_send(pair[1], &m, fd);
                _exit(0);
        }
        close(pair[1]);
        r = attach_msg_recv(pair[0], &m, &fd);
        close(pair[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r <= 0)
                return fail(err, ATTACH_STEP_TOOLS, r == 0 ? EIO : -r, "/");
        if (m.type == MSG_ERROR) {
                closep(&fd);
                if (err)
                        *err = m.err;
                return -m.err.error;
        }
        if (fd < 0)
                return fail(err, ATTACH_STEP_TOOLS, EIO, "/");
        *ret_tree = fd;
        return 0;
}

/* ------------------------------------------------------------ parent */

static bool is_stop_signal(int sig)
{
        return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

int attach_spawn(Attach *a, const AttachStdio *io, int sigfd, pid_t *ret_pid, int *ret_pty_master,
                 AttachError *err)
{
        _cleanup_close_ int host_dev_fd = -EBADF, tree_fd = -EBADF, master = -EBADF;
        int pair[2], r, status;
        bool groups_set = false;
        pid_t pid;

        if (io->pty) {
                /* for a pty from the host's devpts when the container has none */
                host_dev_fd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_dev_fd < 0)
                        return fail(err, ATTACH_STEP_PTY, errno, "/dev");
        }

        /* Step 4: from here on nothing in the container may ptrace this
         * process or open its /proc files (CVE-2016-9962); the child
         * inherits it, until its exec. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return fail(err, ATTACH_STEP_OPEN, errno, NULL);

        if (a->opts->tools) {
                r = tools_clone_root(a, &tree_fd, err);
                if (r < 0)
                        return r;
        }

        /* Supplementary groups are set from outside when we may: inside a
         * user namespace that denies setgroups they could not be dropped,
         * and groups the namespace does not map could not be given. */
        if (!(a->keep & ATTACH_KEEP_CREDS) && !a->opts->user) {
                if (!a->groups_differ)
                        groups_set = true;
                else if (setgroups(a->target.n_groups, a->target.groups) == 0)
                        groups_set = true;
        }

#if defined(__SANITIZE_ADDRESS__)
        /* Sanitizer builds only: LeakSanitizer's check at exit stops the
         * process with ptrace, which cannot work once it is in another
         * user namespace (it spins). Check now, and not at exit. */
        if (a->mask != 0)
                __lsan_do_leak_check();
#endif

        /* Step 5. */
        r = join_namespaces(a, a->mask, err);
        if (r < 0)
                return r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return fail(err, ATTACH_STEP_FORK, errno, NULL);

        /* Step 6: fork, for the pid namespace applies to children only. */
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pair[0]);
                close(pair[1]);
                return fail(err, ATTACH_STEP_FORK, r, NULL);
        }
        if (pid == 0) {
                Child c = {
                        .a = a,
                        .io = io,
                        .sock = pair[1],
                        .tree_fd = tree_fd,
                        .host_dev_fd = host_dev_fd,
                        .groups_set = groups_set,
                };
                close(pair[0]);
                attach_child_main(&c);
        }
        close(pair[1]);
        closep(&tree_fd);

        /* Wait for the exec (the socket closes), an error, or a pty. */
        for (;;) {
                struct pollfd p[2] = { { .fd = pair[0], .events = POLLIN },
                                       { .fd = sigfd, .events = POLLIN } };
                Msg m;
                int fd;

                if (poll(p, sigfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = fail(err, ATTACH_STEP_FORK, errno, NULL);
                        goto kill_child;
                }
                if (sigfd >= 0 && (p[1].revents & POLLIN)) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
                            is_stop_signal((int)si.ssi_signo)) {
                                r = fail(err, ATTACH_STEP_INTERRUPTED, EINTR, "%s",
                                         strsignal((int)si.ssi_signo));
                                goto kill_child;
                        }
                        /* SIGCHLD and the like: the caller polls waitpid() itself */
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                r = attach_msg_recv(pair[0], &m, &fd);
                if (r < 0) {
                        r = fail(err, ATTACH_STEP_FORK, r, NULL);
                        goto kill_child;
                }
                if (r == 0)
                        break; /* exec'd, or died: the caller's waitpid() tells */
                if (m.type == MSG_ERROR) {
                        closep(&fd);
                        if (err)
                                *err = m.err;
                        r = -m.err.error;
                        goto kill_child;
                }
                if (m.type == MSG_PTY && fd >= 0) {
                        closep(&master);
                        master = fd;
                } else if (m.type == MSG_NEED_PTY) {
                        int slave = -EBADF;
                        Msg reply = { .type = MSG_SLAVE };

                        closep(&fd);
                        r = pty_open_at(host_dev_fd, &fd, &slave);
                        if (r >= 0) {
                                closep(&master);
                                master = fd;
                                (void)attach_msg_send(pair[0], &reply, slave);
                                closep(&slave);
                        } else
                                (void)attach_msg_send(pair[0], &(Msg){ .type = MSG_ERROR }, -EBADF);
                } else
                        closep(&fd);
        }
        close(pair[0]);
        if (io->pty && master < 0) {
                /* it died before it could hand over its pty */
                *ret_pid = pid;
                *ret_pty_master = -EBADF;
                return 0;
        }
        *ret_pid = pid;
        *ret_pty_master = io->pty ? TAKE_FD(master) : -EBADF;
        return 0;

kill_child:
        close(pair[0]);
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return r;
}

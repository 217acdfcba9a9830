/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
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

#include "attach-internal.h"
#include "attach-seccomp.h"
#include "fdpass.h"
#include "cgroup.h"
#include "hostroot.h"
#include "macro.h"
#include "pty.h"
#include "scan.h"
#include "util.h"


#define STATUS_MAX (64 * 1024)
#define ENVIRON_MAX (16 * 1024 * 1024)
#define MAP_MAX (64 * 1024)

/* ------------------------------------------------------------ errors */

/* ----------------------------------------------------------- opening */

static int read_ns_links(int dir_fd, const char *prefix, NsIno ret[NS_TYPE_MAX])
{
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                int r = ns_read_link(dir_fd, prefix, (NsType)t, &ret[t]);

                if (r == -ENOENT)
                        ret[t] = 0; /* this kernel has no such namespace */
                else if (r < 0)
                        return r;
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
                return step_error(err, ATTACH_STEP_READ, r, "uid_map");
        for (int i = 0; i < 4; i++) {
                uint32_t v;
                if (attach_map_id(uid_map, a->target.uid[i], &v) < 0)
                        return step_error(err, ATTACH_STEP_CREDS, EOVERFLOW, "uid %u",
                                    (unsigned)a->target.uid[i]);
                a->want_uid[i] = v;
                if (attach_map_id(gid_map, a->target.gid[i], &v) < 0)
                        return step_error(err, ATTACH_STEP_CREDS, EOVERFLOW, "gid %u",
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

        r = host_root_read_mountinfo(a->proc_fd, a->host_root_fd, &mountinfo);
        if (r < 0)
                return step_error(err, ATTACH_STEP_READ, r, "/proc/self/mountinfo");
        r = cgroup_load(a->pid_dir_fd, "cgroup", mountinfo, &a->cgroups);
        if (r == -EINVAL)
                return 0; /* a kernel without cgroups */
        if (r < 0)
                return step_error(err, ATTACH_STEP_READ, r, "cgroup");

        /* Step 2's input: refuse to walk into a frozen cgroup. */
        const CgroupPath *fz = cgroup_frozen(a->host_root_fd, &a->cgroups);
        if (fz)
                a->frozen = fz->controllers[0] ? xasprintf("%s:%s", fz->controllers, fz->path)
                                               : xstrdup(fz->path);

        if (a->keep & ATTACH_KEEP_CGROUP)
                return 0;
        r = cgroup_load(a->proc_fd, "self/cgroup", mountinfo, &self);
        if (r < 0)
                return step_error(err, ATTACH_STEP_READ, r, "/proc/self/cgroup");

        a->cg_fds = xnew(int, a->cgroups.n);
        a->cg_paths = xnew(char *, a->cgroups.n);
        for (size_t i = 0; i < a->cgroups.n; i++) {
                const CgroupPath *p = &a->cgroups.items[i], *mine = cgroup_find_hierarchy(&self, p);
                int fd;

                if (mine && streq(mine->path, p->path))
                        continue; /* already there */
                if (strlen(p->path) >= PATH_MAX - 1) {
                        /* /proc/PID/cgroup cuts a path at PATH_MAX: where the
                         * cgroup really is cannot be known */
                        r = step_error(err, ATTACH_STEP_CGROUP, ENAMETOOLONG, NULL);
                        goto out;
                }
                if (!p->dir) {
                        /* A hierarchy mounted nowhere (nothing can be done), or a cgroup
                         * outside our cgroup namespace: we cannot reach it. */
                        if (!p->mounted)
                                continue;
                        r = step_error(err, ATTACH_STEP_CGROUP, ENOENT, "%s", p->path);
                        goto out;
                }
                fd = cgroup_open_file(a->host_root_fd, p, "cgroup.procs", O_WRONLY);
                if (fd < 0) {
                        r = step_error(err, ATTACH_STEP_CGROUP, fd, "%s", p->path);
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

/* PF_KTHREAD in the flags of /proc/PID/stat (its 9th field). */
static bool is_kernel_thread(int pid_dir_fd)
{
        char buf[512];
        unsigned long flags = 0;
        const char *p;
        ssize_t k;

        k = read_small_at(pid_dir_fd, "stat", buf, sizeof(buf));
        if (k <= 0)
                return false;
        p = strrchr(buf, ')');
        if (!p || sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
                return false;
        return flags & 0x00200000; /* PF_KTHREAD */
}

static int verify_alive(Attach *a, AttachError *err)
{
        char buf[32];

        /* While the process lives its pid cannot be reused, so everything
         * read through /proc/PID above was read from it. */
        if (a->pidfd >= 0) {
                if (syscall(SYS_pidfd_send_signal, a->pidfd, 0, NULL, 0) < 0)
                        return step_error(err, ATTACH_STEP_VERIFY, errno, NULL);
                return 0;
        }
        /* Before Linux 5.3: /proc/PID of a dead process reads ESRCH. */
        if (read_small_at(a->pid_dir_fd, "stat", buf, sizeof(buf)) < 0)
                return step_error(err, ATTACH_STEP_VERIFY, ESRCH, NULL);
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
        /* --tools runs host tools as ns: they keep ns' own identity, and
         * stay out of the instance's cgroup, where they could be frozen or
         * moved by the instance (a stuck one is what they are for). */
        a->keep = o->keep | (o->tools ? ATTACH_KEEP_CAPS | ATTACH_KEEP_CREDS | ATTACH_KEEP_LSM |
                                                ATTACH_KEEP_ENV | ATTACH_KEEP_CGROUP
                                      : 0);
        a->pid = pid;
        a->pidfd = a->pid_dir_fd = a->root_fd = a->cwd_fd = a->host_root_fd = a->proc_fd = -EBADF;

        a->proc_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        if (a->proc_fd < 0) {
                r = step_error(err, ATTACH_STEP_OPEN, errno, NULL);
                goto fail;
        }
        /* Step 1: the pidfd pins what we act on; pidfd_open needs Linux 5.3. */
        a->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (a->pidfd < 0 && errno != ENOSYS) {
                r = step_error(err, ATTACH_STEP_OPEN, errno, NULL);
                goto fail;
        }
        snprintf(path, sizeof(path), "%d", (int)pid);
        a->pid_dir_fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (a->pid_dir_fd < 0) {
                r = step_error(err, ATTACH_STEP_OPEN, errno == ENOENT ? ESRCH : errno, NULL);
                goto fail;
        }
        r = proc_read_stat(a->pid_dir_fd, "stat", &state, &ppid, &st, comm);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_OPEN, r == -ENOENT ? -ESRCH : r, NULL);
                goto fail;
        }
        if (state == 'Z' || state == 'X') {
                r = step_error(err, ATTACH_STEP_OPEN, ESRCH, NULL);
                goto fail;
        }
        if (is_kernel_thread(a->pid_dir_fd)) {
                r = step_error(err, ATTACH_STEP_KERNEL, EPERM, NULL);
                goto fail;
        }
        if (starttime != 0 && st != starttime) {
                /* the pid was reused by another process since it was resolved */
                r = step_error(err, ATTACH_STEP_VERIFY, ESRCH, NULL);
                goto fail;
        }

        /* Step 3: everything the child needs, read or opened from the host
         * before any namespace is joined. */
        r = read_ns_links(a->pid_dir_fd, "", target_ns);
        if (r >= 0)
                r = read_ns_links(proc_fd, "self/", self_ns);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_READ, r, "ns");
                goto fail;
        }
        for (int t = 0; t < NS_TYPE_MAX; t++)
                /* setns into the user namespace we are in is EINVAL: skip what is shared */
                if (target_ns[t] != 0 && target_ns[t] != self_ns[t])
                        a->mask |= ns_info[t].clone_flag;
        if (o->tools) {
                /* The tools hold the host's file system. Owned by the
                 * instance's user namespace, they would be its to ptrace,
                 * signal and reach through /proc/PID/root: they stay in
                 * ours, which only root can do for an instance that has its
                 * own (joining its other namespaces needs CAP_SYS_ADMIN
                 * over them, from outside). */
                if ((a->mask & ns_info[NS_USER].clone_flag) && geteuid() != 0) {
                        r = step_error(err, ATTACH_STEP_TOOLS, EPERM, "%s", "");
                        goto fail;
                }
                a->mask &= ~(ns_info[NS_MNT].clone_flag | ns_info[NS_USER].clone_flag);
        }

        r = read_file_at(a->pid_dir_fd, "status", STATUS_MAX, &status, NULL);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_READ, r, "status");
                goto fail;
        }
        r = attach_parse_status(status, &a->target);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_READ, r, "status");
                goto fail;
        }
        r = self_creds(&a->self);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_READ, r, "credentials");
                goto fail;
        }
        a->groups_differ = !attach_same_groups(a->target.groups, a->target.n_groups, a->self.groups,
                                               a->self.n_groups);
        if (!(a->keep & ATTACH_KEEP_CREDS)) {
                r = translate_ids(a, err);
                if (r < 0)
                        goto fail;
        }

        if (a->mask & ns_info[NS_USER].clone_flag) {
                char buf[16];

                /* setgroups: "deny" since Linux 3.19 in a rootless namespace */
                a->setgroups_denied = read_small_at(a->pid_dir_fd, "setgroups", buf,
                                                    sizeof(buf)) > 0 &&
                                      startswith(buf, "deny");
        }
        if (o->tools && (target_ns[NS_USER] != self_ns[NS_USER])) {
                _cleanup_free_ char *uid_map = NULL;
                uint32_t inside;

                /* Its processes of that uid may signal the tools by uid
                 * alone (not ptrace them: they lack our capabilities). */
                a->tools_signalable = read_file_at(a->pid_dir_fd, "uid_map", MAP_MAX, &uid_map,
                                                   NULL) >= 0 &&
                                      attach_map_id(uid_map, geteuid(), &inside) >= 0;
        }

        if (!(a->keep & ATTACH_KEEP_ENV)) {
                r = read_file_at(a->pid_dir_fd, "environ", ENVIRON_MAX, &a->environ,
                                 &a->environ_len);
                if (r < 0) {
                        r = step_error(err, ATTACH_STEP_READ, r, "environ");
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

        a->host_root_fd = o->host_root_fd > 0 ? fcntl(o->host_root_fd, F_DUPFD_CLOEXEC, 3)
                                              : open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->host_root_fd < 0) {
                r = step_error(err, ATTACH_STEP_READ, errno, "/");
                goto fail;
        }
        r = open_cgroups(a, err);
        if (r < 0)
                goto fail;

        /* Opening these magic links needs ptrace access to the leader. */
        a->root_fd = openat(a->pid_dir_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->root_fd < 0) {
                r = step_error(err, ATTACH_STEP_ROOT, errno, NULL);
                goto fail;
        }
        a->cwd_fd = openat(a->pid_dir_fd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->cwd_fd < 0) {
                r = step_error(err, ATTACH_STEP_CWD, errno, NULL);
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

bool attach_tools_signalable(const Attach *a)
{
        return a->tools_signalable;
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
        return fd_send(sock, m, sizeof(*m), fd);
}

int attach_msg_recv(int sock, Msg *m, int *ret_fd)
{
        ssize_t k = fd_recv(sock, m, sizeof(*m), ret_fd);

        if (k <= 0)
                return (int)k;
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
                        return step_error(err, ATTACH_STEP_NAMESPACES, errno, "%s", "");
        }

        for (int t = 0; t < NS_TYPE_MAX; t++) {
                fds[t] = -EBADF;
                if (!(mask & ns_info[t].clone_flag))
                        continue;
                fds[t] = ns_open_link(a->pid_dir_fd, "", (NsType)t);
                if (fds[t] < 0) {
                        r = step_error(err, ATTACH_STEP_NAMESPACES, fds[t], "%s", ns_info[t].name);
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
                                r = step_error(err, ATTACH_STEP_NAMESPACES, errno, "%s", ns_info[t].name);
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
 * the container's and sends the tree back. It joins the mount namespace
 * only, as root (see attach_open): it stays non-dumpable and outside the
 * instance's user namespace while it holds our fds.
 */
static int tools_clone_root(const Attach *a, int *ret_tree, AttachError *err)
{
        int pair[2], fd = -EBADF, status, r;
        int mask = 0;
        NsIno mnt_target = 0, mnt_self = 0;
        pid_t pid;
        Msg m = {};

        (void)ns_read_link(a->pid_dir_fd, "", NS_MNT, &mnt_target);
        (void)ns_read_link(a->proc_fd, "self/", NS_MNT, &mnt_self);
        if (mnt_target != mnt_self)
                mask = ns_info[NS_MNT].clone_flag;

        if (mask == 0) {
                fd = (int)syscall(SYS_open_tree, a->root_fd, "",
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          AT_RECURSIVE);
                if (fd < 0)
                        return step_error(err, ATTACH_STEP_TOOLS, errno, "/");
                *ret_tree = fd;
                return 0;
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return step_error(err, ATTACH_STEP_FORK, errno, NULL);
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pair[0]);
                close(pair[1]);
                return step_error(err, ATTACH_STEP_FORK, r, NULL);
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
                        step_error(&m.err, ATTACH_STEP_TOOLS, errno, "/");
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
                return step_error(err, ATTACH_STEP_TOOLS, r == 0 ? EIO : -r, "/");
        if (m.type == MSG_ERROR) {
                closep(&fd);
                if (err)
                        *err = m.err;
                return -m.err.error;
        }
        if (fd < 0)
                return step_error(err, ATTACH_STEP_TOOLS, EIO, "/");
        *ret_tree = fd;
        return 0;
}

/* ------------------------------------------------------------ parent */

static bool is_stop_signal(int sig)
{
        return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

/*
 * fork(), except that the new process is a child of our parent: the
 * joiner makes the command this way, so that the command's parent (for
 * waitpid and PR_SET_PDEATHSIG) is the relay, which joined nothing. Like
 * every raw clone, the child must not use raise() or pthreads before its
 * exec: glibc's cached thread id is ours.
 */
static pid_t fork_sibling(void)
{
        /* with CLONE_PARENT the exit signal is our own one, and must be 0 here */
        struct clone_args args = { .flags = CLONE_PARENT };
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));

        if (pid >= 0 || errno != ENOSYS)
                return pid;
        /* clone3 needs Linux 5.3; clone's argument order differs on s390 */
#if defined(__s390__) || defined(__CRIS__)
        return (pid_t)syscall(SYS_clone, 0UL, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL,
                              NULL);
#else
        return (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), 0UL, NULL, NULL,
                              NULL);
#endif
}

/*
 * The joiner, a child of the relay: it joins the namespaces and makes the
 * command as the relay's child (the pid namespace applies to children
 * only), says its pid, and exits. The relay itself never joins anything,
 * so nothing inside the instance holds a capability over it (DESIGN.md,
 * escape through a shared pid namespace).
 */
_noreturn_ static void joiner_main(Child *c)
{
        Attach *a = c->a;
        Msg m = {};
        pid_t pid;

        /* Supplementary groups are set from outside when we may: inside a
         * user namespace that denies setgroups they could not be dropped,
         * and groups the namespace does not map could not be given. For
         * -u, ours are dropped here (the user's are given inside, where
         * the namespace allows it), so that ns' own never reach the
         * command. Unprivileged, they are the user's own anyway. */
        if (!(a->keep & ATTACH_KEEP_CREDS) && !a->opts->user) {
                if (!a->groups_differ)
                        c->groups_set = true;
                else if (setgroups(a->target.n_groups, a->target.groups) == 0)
                        c->groups_set = true;
        } else if (!(a->keep & ATTACH_KEEP_CREDS))
                (void)setgroups(0, NULL);

        /* Step 5. */
        if (join_namespaces(a, a->mask, &m.err) < 0) {
                m.type = MSG_ERROR;
                (void)attach_msg_send(c->sock, &m, -EBADF);
                _exit(1);
        }
        /* A credential change may make a process dumpable again
         * (fs.suid_dumpable): from here on every step says it is not. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
                m.type = MSG_ERROR;
                step_error(&m.err, ATTACH_STEP_FORK, errno, NULL);
                (void)attach_msg_send(c->sock, &m, -EBADF);
                _exit(1);
        }
        /* What only the joining needed, and the relay's own: the command
         * never holds more of the host than it uses. */
        closep(&a->pidfd);
        closep(&a->pid_dir_fd);
        closep(&a->host_root_fd);
        closep(&c->host_dev_fd);

        /* Step 6: the command, a process of the instance's pid namespace. */
        pid = fork_sibling();
        if (pid == 0)
                attach_child_main(c);
        if (pid < 0) {
                m.type = MSG_ERROR;
                step_error(&m.err, ATTACH_STEP_FORK, errno, NULL);
        } else {
                m.type = MSG_PID;
                m.pid = pid;
        }
        (void)attach_msg_send(c->sock, &m, -EBADF);
        _exit(pid < 0);
}

/*
 * fork, not vfork: once the joiner has joined the instance's user
 * namespace, the namespace's owner may stop it, and a vfork parent would
 * wait for it where no signal but SIGKILL reaches. Returns its pid or
 * -errno.
 */
static pid_t spawn_joiner(Child *c, int our_end)
{
        pid_t pid = fork();

        if (pid < 0)
                return -errno;
        if (pid == 0) {
                close(our_end);
                joiner_main(c);
        }
        return pid;
}

/*
 * SIGKILL every child of ours: the joiner, and a command whose pid the
 * joiner may not have told (killed or stopped before it could). Our only
 * children here are those two. /proc/thread-self/children: Linux 4.2 with
 * CONFIG_PROC_CHILDREN; without it, only the ones we know.
 */
static void kill_children(int proc_fd, pid_t joiner, pid_t pid)
{
        char buf[256];
        ssize_t k;

        if (joiner > 0)
                (void)kill(joiner, SIGKILL);
        if (pid > 0)
                (void)kill(pid, SIGKILL);
        k = read_small_at(proc_fd, "thread-self/children", buf, sizeof(buf));
        for (char *p = buf, *end; k > 0 && *p; p = end) {
                long c = strtol(p, &end, 10);

                if (end == p)
                        break;
                if (c > 0)
                        (void)kill((pid_t)c, SIGKILL);
        }
}

static void wait_exit(pid_t pid)
{
        int status;

        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
}

int attach_spawn(Attach *a, const AttachStdio *io, int sigfd, pid_t *ret_pid, int *ret_pty_master,
                 AttachError *err)
{
        _cleanup_close_ int host_dev_fd = -EBADF, tree_fd = -EBADF, master = -EBADF;
        _cleanup_close_ int null_fd = -EBADF;
        _cleanup_close_ int sock = -EBADF;
        AttachError child_err = {};
        Child child;
        bool failed = false, interrupted = false;
        int pair[2], r;
        pid_t joiner, pid = 0;

        if (io->pty) {
                /* for a pty from the host's devpts when the container has none */
                host_dev_fd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_dev_fd < 0)
                        return step_error(err, ATTACH_STEP_PTY, errno, "/dev");
        }
        /* the command holds this, not ns' own stdio, until it has its own */
        null_fd = open("/dev/null", O_RDWR | O_CLOEXEC | O_NOCTTY);
        if (null_fd < 0)
                return step_error(err, ATTACH_STEP_STDIO, errno, "/dev/null");

        /* Step 4: from here on nothing in the container may ptrace this
         * process or its children or open their /proc files
         * (CVE-2016-9962); the command inherits it, until its exec. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return step_error(err, ATTACH_STEP_OPEN, errno, NULL);

        if (a->opts->tools) {
                r = tools_clone_root(a, &tree_fd, err);
                if (r < 0)
                        return r;
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return step_error(err, ATTACH_STEP_FORK, errno, NULL);
        child = (Child){
                .a = a,
                .io = io,
                .sock = pair[1],
                .tree_fd = tree_fd,
                .host_dev_fd = host_dev_fd,
                .null_fd = null_fd,
                .stdio_fd = { -EBADF, -EBADF, -EBADF },
        };
        joiner = spawn_joiner(&child, pair[0]);
        if (joiner < 0) {
                r = joiner;
                close(pair[0]);
                close(pair[1]);
                return step_error(err, ATTACH_STEP_FORK, r, NULL);
        }
        close(pair[1]);
        sock = pair[0];
        closep(&tree_fd);

        /* Until the socket closes: the joiner has exited and the command
         * has exec'd or died. On the way, its pid, an error, or a pty. */
        for (;;) {
                struct pollfd p[2] = { { .fd = sock, .events = POLLIN },
                                       { .fd = sigfd, .events = POLLIN } };
                Msg m;
                int fd;

                if (poll(p, sigfd >= 0 && !interrupted ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = step_error(&child_err, ATTACH_STEP_FORK, errno, NULL);
                        failed = true;
                        break;
                }
                if (sigfd >= 0 && !interrupted && (p[1].revents & POLLIN)) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
                            is_stop_signal((int)si.ssi_signo)) {
                                step_error(&child_err, ATTACH_STEP_INTERRUPTED, EINTR, "%s",
                                     strsignal((int)si.ssi_signo));
                                interrupted = failed = true;
                                /* the socket then closes: the loop ends */
                                kill_children(a->proc_fd, joiner, pid);
                        }
                        /* SIGCHLD and the like: the caller polls waitpid() itself */
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                r = attach_msg_recv(sock, &m, &fd);
                if (r < 0) {
                        step_error(&child_err, ATTACH_STEP_FORK, r, NULL);
                        failed = true;
                        break;
                }
                if (r == 0)
                        break; /* exec'd, or died: the caller's waitpid() tells */
                switch (m.type) {
                case MSG_PID: {
                        siginfo_t si = {};

                        /* Once, and only a child of ours: whatever else holds
                         * the socket must not make us signal a pid it names. */
                        if (pid > 0 || m.pid <= 0 ||
                            waitid(P_PID, (id_t)m.pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
                                if (!failed)
                                        step_error(&child_err, ATTACH_STEP_FORK, EBADMSG, NULL);
                                failed = true;
                                break;
                        }
                        pid = m.pid;
                        if (interrupted)
                                (void)kill(pid, SIGKILL);
                        /* Its last act: reap it now, the command may take long
                         * to exec. SIGKILL first: the instance's owner may have
                         * stopped it, and we never wait on it for long. */
                        (void)kill(joiner, SIGKILL);
                        wait_exit(joiner);
                        joiner = 0;
                        break;
                }
                case MSG_ERROR:
                        if (!failed)
                                child_err = m.err;
                        failed = true;
                        break;
                case MSG_PTY:
                        if (fd >= 0) {
                                closep(&master);
                                master = TAKE_FD(fd);
                        }
                        break;
                case MSG_NEED_PTY: {
                        int slave = -EBADF;
                        Msg reply = { .type = MSG_SLAVE };

                        closep(&fd);
                        r = pty_open_at(host_dev_fd, &fd, &slave);
                        if (r >= 0) {
                                closep(&master);
                                master = TAKE_FD(fd);
                                (void)attach_msg_send(sock, &reply, slave);
                                closep(&slave);
                        } else
                                (void)attach_msg_send(sock, &(Msg){ .type = MSG_ERROR }, -EBADF);
                        break;
                }
                default:
                        break;
                }
                closep(&fd);
        }
        if (!failed && pid <= 0) {
                /* the joiner died without a word (killed) */
                step_error(&child_err, ATTACH_STEP_FORK, ECHILD, NULL);
                failed = true;
        }
        if (failed)
                kill_children(a->proc_fd, joiner, pid);
        if (joiner > 0) {
                (void)kill(joiner, SIGKILL);
                wait_exit(joiner);
        }
        if (failed) {
                if (pid > 0)
                        wait_exit(pid);
                /* one the joiner made but could not tell: reap what we killed */
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
                if (err)
                        *err = child_err;
                return -child_err.error;
        }
        *ret_pid = pid;
        /* -1 when it died before it could hand over its pty */
        *ret_pty_master = io->pty ? TAKE_FD(master) : -EBADF;
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pid 1 of an ns run instance: maps its ids, builds the file system view,
 * starts the payload with no_new_privs, no capabilities beyond --cap-add and
 * the seccomp filter, then reaps. It forwards signals to the payload and,
 * when the payload ends, kills what is left and reports the status.
 *
 * This runs in a child made by a raw clone3: glibc's cached thread id is
 * the parent's, so nothing here may use raise(), abort() or pthreads.
 */
#include <dirent.h>
#include <fcntl.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launch-internal.h"
#include "util.h"

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47 /* Linux 4.3 */
#endif

static _noreturn_ void fail(const LaunchChild *ch, LaunchStage stage, int err, const char *path)
{
        launch_send_error(ch->status_fd, stage, err, path);
        _exit(1);
}

static int write_file(const char *path, const char *s)
{
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
        ssize_t n = (ssize_t)strlen(s);

        if (fd < 0)
                return -errno;
        if (write(fd, s, (size_t)n) != n)
                return errno ? -errno : -EIO;
        return 0;
}

/*
 * Single-id maps, written by pid 1 itself: an unprivileged process may map
 * its own ids in a namespace it created, once setgroups is denied (Linux
 * 3.19). No round trip to the parent.
 */
static void map_ids(const LaunchChild *ch)
{
        char buf[64];
        unsigned inside_uid = ch->c->root ? 0 : (unsigned)ch->uid;
        unsigned inside_gid = ch->c->root ? 0 : (unsigned)ch->gid;
        int r;

        r = write_file("/proc/self/setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                fail(ch, LAUNCH_STAGE_USERNS_MAP, -r, "/proc/self/setgroups");
        snprintf(buf, sizeof(buf), "%u %u 1\n", inside_uid, (unsigned)ch->uid);
        r = write_file("/proc/self/uid_map", buf);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_USERNS_MAP, -r, "/proc/self/uid_map");
        snprintf(buf, sizeof(buf), "%u %u 1\n", inside_gid, (unsigned)ch->gid);
        r = write_file("/proc/self/gid_map", buf);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_USERNS_MAP, -r, "/proc/self/gid_map");
}

static int loopback_up(void)
{
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        struct ifreq ifr = {};

        if (fd < 0)
                return -errno;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        return 0;
}

/*
 * Keep only the capabilities asked for, in every set, and raise them as
 * ambient so that they survive exec of a program that is not setuid. The
 * bounding set goes first: after exec, root inside gets at most this.
 */
static int drop_caps(uint64_t keep, bool bounding)
{
        _cleanup_(cap_free) cap_t caps = NULL;
        int last = (int)cap_max_bits() - 1;

        for (int cap = 0; cap <= last && bounding; cap++)
                if (!(keep & (1ULL << cap)) && cap_drop_bound((cap_value_t)cap) < 0 &&
                    errno != EINVAL)
                        return -errno;
        caps = cap_init();
        if (!caps)
                return -errno;
        for (int cap = 0; cap <= last && cap < 64; cap++) {
                cap_value_t v = (cap_value_t)cap;
                if (!(keep & (1ULL << cap)))
                        continue;
                if (cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET) < 0 ||
                    cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET) < 0)
                        return -errno;
        }
        if (cap_set_proc(caps) < 0)
                return -errno;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
                return -errno;
        for (int cap = 0; cap <= last && cap < 64; cap++)
                if ((keep & (1ULL << cap)) &&
                    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return -errno;
        return 0;
}

/* The payload: a fork of pid 1. Reports an exec failure and exits as a
 * shell would (127 not found, 126 found but not executable). */
static _noreturn_ void payload_exec(const LaunchChild *ch)
{
        const LaunchConfig *c = ch->c;
        LaunchMsg m = { .type = LAUNCH_MSG_EXEC_FAILED };
        const char *dir = c->workdir ?: ch->cwd;
        int r, err;

        sigprocmask(SIG_SETMASK, &ch->saved_mask, NULL);

        if (dir && chdir(dir) < 0) {
                if (c->workdir)
                        fail(ch, LAUNCH_STAGE_WORKDIR, errno, dir);
                dir = NULL;
        }
        /* Re-resolved now that /tmp and the rest are mounted: the old
         * working directory may be one the instance must not see. */
        if (!dir && chdir("/") < 0)
                fail(ch, LAUNCH_STAGE_WORKDIR, errno, "/");

        r = drop_caps(c->cap_keep, true);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "capabilities");

        /* Everything but 0, 1, 2 and the status pipe closes on exec; the
         * pipe tells ns run if exec fails. */
        close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        execvp(c->argv[0], c->argv);

        err = errno;
        m.error.stage = LAUNCH_STAGE_EXEC;
        m.error.err = err;
        snprintf(m.error.path, sizeof(m.error.path), "%s", c->argv[0]);
        launch_send(ch->status_fd, &m);
        _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

/*
 * Mark this process for ns ls and ns enter: comm "ns-init" and a command
 * line of "ns-init\0NAME\0", written over our own argv (a copy of ns run's)
 * and padded with NULs. No file is written anywhere.
 */
static void set_title(const LaunchConfig *c)
{
        static const char marker[] = "ns-init";
        char name[256];
        size_t n, len = c->title_len;

        prctl(PR_SET_NAME, marker);
        if (!c->title || len == 0)
                return;
        /* The name is one of the arguments about to be overwritten. */
        snprintf(name, sizeof(name), "%s", c->name ?: "");
        memset(c->title, 0, len);
        n = MIN(sizeof(marker), len - 1);
        memcpy(c->title, marker, n);
        if (len > sizeof(marker) + 1)
                memcpy(c->title + sizeof(marker), name,
                       MIN(strlen(name), len - sizeof(marker) - 1));
}

/* With --share=pid there is no namespace to tear down: kill our children
 * (orphans come to us, a subreaper) until none are left. */
static void kill_children(void)
{
        char path[64];
        _cleanup_free_ char *buf = NULL;
        pid_t self = getpid();

        snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)self, (int)self);
        if (read_file_at(AT_FDCWD, path, 0, &buf, NULL) < 0)
                return;
        for (char *s = buf, *e; *s; s = e) {
                long pid = strtol(s, &e, 10);
                if (e == s)
                        break;
                if (pid > 0)
                        kill((pid_t)pid, SIGKILL);
        }
}

static _noreturn_ void exit_with(const LaunchChild *ch, int status)
{
        LaunchMsg m = { .type = LAUNCH_MSG_EXIT, .status = status };

        launch_send(ch->status_fd, &m);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static _noreturn_ void reap_loop(const LaunchChild *ch, pid_t payload)
{
        bool new_pid = ch->new_ns[NS_PID], done = false;
        sigset_t set;
        int status = 0;

        launch_forward_sigset(&set);
        sigaddset(&set, SIGCHLD);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&set, &si);

                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        /* The terminal's signals reach the payload on their
                         * own (same process group). */
                        if (si.si_code != SI_KERNEL && !done)
                                kill(payload, sig);
                        continue;
                }
                for (;;) {
                        int st;
                        pid_t pid = waitpid(-1, &st, WNOHANG);

                        if (pid == 0)
                                break;
                        if (pid < 0) {
                                if (errno == EINTR)
                                        continue;
                                /* ECHILD: nothing left. */
                                if (done)
                                        exit_with(ch, status);
                                launch_send_error(ch->status_fd, LAUNCH_STAGE_INTERNAL, ECHILD,
                                                  NULL);
                                _exit(1);
                        }
                        if (pid == payload && !done) {
                                status = st;
                                done = true;
                                /* What the payload left behind goes with
                                 * it. In our own pid namespace the kernel
                                 * does that as pid 1 exits, and ns run
                                 * hears of the exit only once all are
                                 * gone (kill(-1) would walk every task of
                                 * the host). */
                                if (new_pid)
                                        exit_with(ch, status);
                        }
                        if (done)
                                kill_children();
                }
        }
}

/* One byte over the sync socket; false at end of file (the other side died). */
static bool sync_recv(int fd)
{
        char b;
        ssize_t k;

        do
                k = read(fd, &b, 1);
        while (k < 0 && errno == EINTR);
        return k == 1;
}

static void sync_send(int fd)
{
        ssize_t _unused_ k = write(fd, "x", 1);
}

/*
 * The payload's first steps, run while pid 1 builds the mounts: making a
 * network namespace is the single most expensive step of a launch (Linux
 * registers its sysctls, half a millisecond here), so it is done in
 * parallel, by the payload, and pid 1 joins it afterwards.
 */
static _noreturn_ void payload_main(const LaunchChild *ch, int sync_fd)
{
        int r;

        if (ch->new_ns[NS_NET]) {
                if (unshare(ns_info[NS_NET].clone_flag) < 0)
                        fail(ch, LAUNCH_STAGE_CLONE, errno, NULL);
                r = loopback_up();
                if (r < 0)
                        fail(ch, LAUNCH_STAGE_NETWORK, -r, "lo");
        }
        sync_send(sync_fd);
        /* Wait for the file system view (and the network helper). */
        if (!sync_recv(sync_fd))
                _exit(1);
        close(sync_fd);
        payload_exec(ch);
}

static void wait_go(const LaunchChild *ch)
{
        /* End of file: ns run gave up. */
        if (!sync_recv(ch->go_fd))
                _exit(1);
}

void reaper_main(const LaunchChild *ch)
{
        const LaunchConfig *c = ch->c;
        LaunchError err = {};
        pid_t payload;
        int sv[2], r;

        /* First: if ns run dies, even by SIGKILL, so does pid 1, and with
         * it the whole pid namespace. Then check ns run did not die before
         * that was set (the pidfd turns readable when it exits). */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (ch->parent_pidfd >= 0) {
                struct pollfd p = { .fd = ch->parent_pidfd, .events = POLLIN };
                if (poll(&p, 1, 0) != 0)
                        _exit(1);
                close(ch->parent_pidfd);
        }

        if (ch->new_ns[NS_USER])
                map_ids(ch);
        /* cgroup v1: ns run moves pid 1 into the limits' cgroup before
         * there is a second process to move. */
        if (c->n_cgroup_procs_fds > 0)
                wait_go(ch);

        /* no_new_privs and the filter, before the fork: one load for both
         * processes. Nothing below needs a call the filter denies. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, errno, "no_new_privs");
        r = seccomp_install_default();
        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "seccomp");
        if (!ch->new_ns[NS_PID])
                prctl(PR_SET_CHILD_SUBREAPER, 1);

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                fail(ch, LAUNCH_STAGE_INTERNAL, errno, NULL);
        payload = fork();
        if (payload < 0)
                fail(ch, LAUNCH_STAGE_EXEC, errno, c->argv[0]);
        if (payload == 0) {
                close(sv[0]);
                payload_main(ch, sv[1]);
        }
        close(sv[1]);

        /* The payload shares this mount namespace: what is mounted here is
         * what it will see (pivot_root moves its root and cwd along). */
        if (ch->new_ns[NS_MNT]) {
                r = launch_fs_setup(ch, &err);
                if (r < 0)
                        fail(ch, err.stage, err.err, err.path);
        }
        if (ch->new_ns[NS_UTS] && (c->hostname || c->name)) {
                const char *h = c->hostname ?: c->name;
                if (sethostname(h, strlen(h)) < 0)
                        fail(ch, LAUNCH_STAGE_HOSTNAME, errno, h);
        }
        if (!sync_recv(sv[0]))
                /* The payload failed; it said why. Reap it and go. */
                reap_loop(ch, payload);
        if (ch->new_ns[NS_NET]) {
                /* Join the payload's network namespace: one instance, one
                 * set of namespaces (setns on a pidfd: Linux 5.8). */
                _cleanup_close_ int pidfd = pidfd_open(payload, 0);
                if (pidfd < 0 || setns(pidfd, ns_info[NS_NET].clone_flag) < 0)
                        fail(ch, LAUNCH_STAGE_NETWORK, errno, "setns");
        }
        if (launch_net_helper(c->net)) {
                LaunchMsg ready = { .type = LAUNCH_MSG_READY };

                /* slirp4netns or pasta joins us now; wait until it is up. */
                launch_send(ch->status_fd, &ready);
                wait_go(ch);
        }
        sync_send(sv[0]);
        close(sv[0]);
        if (ch->go_fd >= 0)
                close(ch->go_fd);

        /* pid 1 needs no power of its own from here on. It stays dumpable
         * so that ns ls and ns enter, as the same user, can read its
         * namespaces: with no capabilities, the filter and no fd but the
         * status pipe, a payload that ptraces it gains nothing. */
        (void)drop_caps(0, false);
        set_title(c);
        /* Hold nothing of the caller's: not its terminal, not its pipes. */
        for (int fd = 0; fd < 3; fd++)
                if (fd != ch->status_fd)
                        close(fd);
        close_range(3, (unsigned)ch->status_fd - 1, 0);
        close_range((unsigned)ch->status_fd + 1, ~0U, 0);
        reap_loop(ch, payload);
}

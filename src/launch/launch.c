/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns run, the caller's side: clone3 pid 1 into its namespaces, hand it what
 * it needs, then forward signals and wait. What happens inside is in
 * launch-fs.c (the file system view) and reaper.c (pid 1 and the payload).
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "caps.h"
#include "idmap.h"
#include "launch-internal.h"
#include "util.h"

#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x00001000 /* Linux 5.2 */
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL /* Linux 5.7 */
#endif

struct Launch {
        pid_t pid;
        int pidfd;
        int status_fd;      /* read end: pid 1's messages */
        int go_fd;          /* write end: lets pid 1 start the payload, or -1 */
        bool reaped;        /* pid 1 has been waited for */
        pid_t helper;       /* slirp4netns or pasta, or 0 */
        LaunchNet net;      /* which of the two */
        int helper_exit_fd; /* slirp4netns --exit-fd, closed to stop it */
        sigset_t saved_mask;
        char *cwd;
};

static const char *const mount_type_names[LAUNCH_MOUNT_TYPE_MAX] = {
        [LAUNCH_MOUNT_MAP] = "map",
        [LAUNCH_MOUNT_VOL] = "vol",
        [LAUNCH_MOUNT_TMPFS] = "tmpfs",
};

static const char *const net_names[LAUNCH_NET_MAX] = {
        [LAUNCH_NET_NONE] = "none",
        [LAUNCH_NET_HOST] = "host",
        [LAUNCH_NET_PASTA] = "pasta",
        [LAUNCH_NET_SLIRP4NETNS] = "slirp4netns",
};

const char *launch_mount_type_to_string(LaunchMountType t)
{
        return t >= 0 && t < LAUNCH_MOUNT_TYPE_MAX ? mount_type_names[t] : NULL;
}

LaunchNet launch_net_from_string(const char *s)
{
        for (int i = 0; i < LAUNCH_NET_MAX; i++)
                if (streq(net_names[i], s))
                        return (LaunchNet)i;
        return LAUNCH_NET_INVALID;
}

const char *launch_net_to_string(LaunchNet n)
{
        return n >= 0 && n < LAUNCH_NET_MAX ? net_names[n] : NULL;
}

const char *launch_net_helper(LaunchNet n)
{
        if (n == LAUNCH_NET_PASTA)
                return "pasta";
        if (n == LAUNCH_NET_SLIRP4NETNS)
                return "slirp4netns";
        return NULL;
}

void launch_forward_sigset(sigset_t *ret)
{
        static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };

        sigemptyset(ret);
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++)
                sigaddset(ret, sigs[i]);
}

void launch_send(int fd, const LaunchMsg *m)
{
        ssize_t _unused_ k;

        do
                k = write(fd, m, sizeof(*m));
        while (k < 0 && errno == EINTR);
}

void launch_send_error(int fd, LaunchStage stage, int err, const char *path)
{
        LaunchMsg m = { .type = LAUNCH_MSG_ERROR };

        m.error.step = stage;
        m.error.error = err;
        if (path)
                snprintf(m.error.detail, sizeof(m.error.detail), "%s", path);
        launch_send(fd, &m);
}

static void set_error(LaunchError *e, LaunchStage stage, int err, const char *path)
{
        (void)step_error(e, (int)stage, err, "%s", path ?: "");
}

/* Read one whole message; 0 at end of file. */
static int read_msg(int fd, LaunchMsg *ret)
{
        ssize_t k;

        do
                k = read(fd, ret, sizeof(*ret));
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        if (k == 0)
                return 0;
        if ((size_t)k != sizeof(*ret))
                return -EIO;
        /* Written by processes the payload may reach (it is the same
         * user): never trust the string to end. */
        ret->error.detail[sizeof(ret->error.detail) - 1] = '\0';
        return 1;
}

/* Wait for pid 1 to be gone (after a failure on our side). */
static void kill_and_reap(Launch *l)
{
        siginfo_t si;

        (void)pidfd_send_signal(l->pidfd, SIGKILL, NULL, 0);
        while (waitid(P_PIDFD, (id_t)l->pidfd, &si, WEXITED) < 0 && errno == EINTR)
                ;
}

/* A temporary directory for slirp4netns' API socket, 0700: "" when none is needed. */
static int api_socket_dir(char *buf, size_t size)
{
        const char *base = getenv("XDG_RUNTIME_DIR");

        /* sun_path holds 108 bytes: a long runtime directory falls back to /tmp */
        if (!base || base[0] != '/' || strlen(base) > 64 || access(base, W_OK) < 0)
                base = "/tmp";
        snprintf(buf, size, "%s/ns-run-XXXXXX", base);
        return mkdtemp(buf) ? 0 : -errno;
}

/* The port that failed, named, with the reason the host gives when it can be told. */
static int port_error(const LaunchConfig *c, size_t i, int err, LaunchError *ret_err)
{
        char buf[96];
        size_t bad;
        int r;

        /* A helper only says it failed: ask the host which port it was */
        r = launch_ports_probe(c->ports, c->n_ports, &bad);
        if (r < 0) {
                i = bad;
                err = -r;
        }
        set_error(ret_err, LAUNCH_STAGE_PORT, err,
                  launch_port_to_string(&c->ports[i], buf, sizeof(buf)));
        return -err;
}

/*
 * Start slirp4netns or pasta against pid 1's namespaces. slirp4netns tells
 * when the network is up through --ready-fd and stops when --exit-fd is
 * closed; pasta configures the interface before it goes to the background
 * and leaves on its own when the namespace goes away. Published ports go
 * on pasta's command line, or to slirp4netns' API socket once it is up.
 */
static int spawn_net_helper(Launch *l, const LaunchConfig *c, LaunchError *ret_err)
{
        _cleanup_close_ int ready_r = -EBADF, ready_w = -EBADF, exit_r = -EBADF;
        int ready[2], ex[2];
        char pidbuf[16], readyarg[32], exitarg[32], runas[16], pidfile[32];
        char apidir[128] = "", apisock[160] = "";
        const char *helper = launch_net_helper(c->net);
        char **argv = NULL;
        size_t a = 0;
        pid_t pid;
        int st, r;

        snprintf(pidbuf, sizeof(pidbuf), "%d", (int)l->pid);
        if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0) {
                set_error(ret_err, LAUNCH_STAGE_NETWORK, errno, helper);
                return -ret_err->error;
        }
        ready_r = ready[0];
        ready_w = ready[1];
        exit_r = ex[0];
        l->helper_exit_fd = ex[1];
        snprintf(readyarg, sizeof(readyarg), "--ready-fd=%d", ready_w);
        snprintf(exitarg, sizeof(exitarg), "--exit-fd=%d", exit_r);
        /* pasta drops root to nobody, who may not join our user
         * namespace: it runs as the caller. */
        snprintf(runas, sizeof(runas), "%u", (unsigned)geteuid());
        snprintf(pidfile, sizeof(pidfile), "/dev/fd/%d", ready_w);

        /* Built before the fork: the child only execs. */
        if (c->net == LAUNCH_NET_SLIRP4NETNS) {
                argv = xnew(char *, 12);
                argv[a++] = (char *)"slirp4netns";
                argv[a++] = (char *)"--configure";
                argv[a++] = (char *)"--mtu=65520";
                argv[a++] = (char *)"--disable-host-loopback";
                argv[a++] = readyarg;
                argv[a++] = exitarg;
                if (c->n_ports > 0) {
                        r = api_socket_dir(apidir, sizeof(apidir));
                        if (r < 0) {
                                free(argv);
                                set_error(ret_err, LAUNCH_STAGE_NETWORK, -r, helper);
                                return r;
                        }
                        snprintf(apisock, sizeof(apisock), "%s/api.sock", apidir);
                        argv[a++] = (char *)"--api-socket";
                        argv[a++] = apisock;
                }
                argv[a++] = pidbuf;
                argv[a++] = (char *)"tap0";
                argv[a] = NULL;
        } else {
                /* In the foreground, a child of ns run that dies with it:
                 * by itself pasta goes to the background and outlives the
                 * namespace. Its pid file, a pipe here, says when the
                 * interface is configured. */
                char **ports = launch_pasta_port_args(c->ports, c->n_ports);
                size_t np = 0;

                while (ports[np])
                        np++;
                argv = xnew(char *, 10 + np);
                argv[a++] = (char *)"pasta";
                argv[a++] = (char *)"--foreground";
                argv[a++] = (char *)"--config-net";
                argv[a++] = (char *)"--quiet";
                argv[a++] = (char *)"--runas";
                argv[a++] = runas;
                argv[a++] = (char *)"--pid";
                argv[a++] = pidfile;
                for (size_t i = 0; i < np; i++)
                        argv[a++] = ports[i];
                argv[a++] = pidbuf;
                argv[a] = NULL;
                free(ports); /* the strings live on in argv[8..] */
        }

        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto fail;
        }
        if (pid == 0) {
                int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);

                /* The helper must not outlive ns run. */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                sigprocmask(SIG_SETMASK, &l->saved_mask, NULL);
                /* Its chatter stays off the user's terminal; a failure is
                 * reported by ns run, naming the helper. */
                if (devnull >= 0) {
                        dup2(devnull, STDIN_FILENO);
                        dup2(devnull, STDOUT_FILENO);
                        dup2(devnull, STDERR_FILENO);
                }
                /* The helper's own fds: keep them open across exec. */
                fcntl(ready_w, F_SETFD, 0);
                fcntl(exit_r, F_SETFD, 0);
                execvp(argv[0], argv);
                _exit(errno == ENOENT ? 127 : 126);
        }
        closep(&ready_w);
        closep(&exit_r);

        {
                _cleanup_close_ int helper_fd = pidfd_open(pid, 0);
                char ch;
                ssize_t k = -1;

                /* slirp4netns writes to --ready-fd, pasta its pid file, once
                 * the network is up; end of file, or the helper's exit,
                 * means it died first (a process it started may hold the
                 * pipe open after it). */
                l->helper = pid;
                for (;;) {
                        struct pollfd p[2] = {
                                { .fd = ready_r, .events = POLLIN },
                                { .fd = helper_fd, .events = POLLIN },
                        };

                        if (poll(p, helper_fd >= 0 ? 2 : 1, -1) < 0) {
                                if (errno == EINTR)
                                        continue;
                                break;
                        }
                        if (p[0].revents) {
                                do
                                        k = read(ready_r, &ch, 1);
                                while (k < 0 && errno == EINTR);
                                break;
                        }
                        if (p[1].revents)
                                break;
                }
                if (k == 1) {
                        r = 0;
                        if (apisock[0]) {
                                size_t bad = 0;

                                r = launch_slirp_add_ports(apisock, c->ports, c->n_ports, &bad);
                                if (r < 0)
                                        (void)port_error(c, bad, -r, ret_err);
                        }
                        goto done;
                }
                while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
                        ;
                l->helper = 0;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 127)
                r = -ENOENT;
        else if (c->n_ports > 0 && c->net == LAUNCH_NET_PASTA) {
                /* pasta exits when it cannot bind a published port */
                r = port_error(c, 0, EIO, ret_err);
                if (ret_err->error != EIO)
                        goto done;
                r = -EIO;
        } else
                r = -EIO;
fail:
        set_error(ret_err, LAUNCH_STAGE_NETWORK, -r, helper);
done:
        /* slirp4netns keeps listening on the socket it has; nothing of
         * ours stays in the file system. */
        if (apisock[0])
                (void)unlink(apisock);
        if (apidir[0])
                (void)rmdir(apidir);
        if (c->net == LAUNCH_NET_PASTA)
                for (size_t i = 8; i + 1 < a; i++)
                        free(argv[i]);
        free(argv);
        return r;
}

static int cgroup_join(Launch *l, const LaunchConfig *c, LaunchError *ret_err)
{
        char buf[16];
        int n = snprintf(buf, sizeof(buf), "%d\n", (int)l->pid);

        for (size_t i = 0; i < c->n_cgroup_procs_fds; i++)
                if (pwrite(c->cgroup_procs_fds[i], buf, (size_t)n, 0) != n) {
                        set_error(ret_err, LAUNCH_STAGE_CGROUP, errno ?: EIO, NULL);
                        return -ret_err->error;
                }
        return 0;
}

/* Let pid 1 past its next wait: after the cgroup join, after the helper. */
static int send_go(Launch *l, LaunchError *ret_err)
{
        if (write(l->go_fd, "g", 1) != 1) {
                set_error(ret_err, LAUNCH_STAGE_INTERNAL, errno ?: EIO, NULL);
                return -ret_err->error;
        }
        return 0;
}

int launch_start(const LaunchConfig *c, Launch **ret, LaunchError *ret_err)
{
        _cleanup_close_ int status_r = -EBADF, status_w = -EBADF, go_r = -EBADF, go_w = -EBADF,
                            parent_pidfd = -EBADF;
        LaunchChild ch = {
                .c = c,
                .status_fd = -1,
                .go_fd = -1,
                .parent_pidfd = -1,
                .uid = geteuid(),
                .gid = getegid(),
        };
        struct clone_args args = {};
        _cleanup_free_ char *cwd = NULL;
        sigset_t block;
        Launch *l;
        int p[2], pidfd = -1, r;
        bool need_go, helper = launch_net_helper(c->net) != NULL;
        pid_t pid;

        set_error(ret_err, LAUNCH_STAGE_NONE, 0, NULL);
        /* A taken host port is an error before anything starts. */
        if (c->n_ports > 0) {
                size_t bad = 0;

                r = launch_ports_probe(c->ports, c->n_ports, &bad);
                if (r < 0)
                        return port_error(c, bad, -r, ret_err);
        }
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                if (c->share & (1u << t))
                        continue;
                /* A time namespace applies to children only: pid 1 makes
                 * it (--time) before it forks the payload (reaper.c). */
                if (t == NS_TIME) {
                        ch.new_ns[t] = c->time_ns;
                        continue;
                }
                if (t == NS_NET && c->net == LAUNCH_NET_HOST)
                        continue;
                ch.new_ns[t] = true;
                /* pid 1 makes the network namespace while the payload
                 * builds the mounts (reaper.c). */
                if (t != NS_NET)
                        args.flags |= (uint64_t)ns_info[t].clone_flag;
        }

        /* The payload keeps CAP_SYS_ADMIN, which in the owner of the mount
         * namespace could undo every mount made there (remount /
         * writable, unmount a mask): give it a user namespace of its own
         * below, whose copy of the mounts Linux locks. Without it nothing
         * can change a mount, and a namespace the payload makes itself
         * gets locked copies anyway; so only then, as it costs a second
         * copy of the mount tree. */
        ch.nest = ch.new_ns[NS_USER] && ch.new_ns[NS_MNT] &&
                  (c->cap_keep & (1ULL << CAP_SYS_ADMIN));

        /* uid 0 whose ids are the host's, left in its user namespace:
         * nothing but the filter keeps it from a user namespace of its own
         * with a fresh /proc (seccomp-gen.c). */
        ch.no_userns = ch.uid == 0 && !ch.new_ns[NS_USER] && idmap_self_is_identity();

        /* A map of its own is written from outside: a subordinate range
         * by the setuid helpers, root's map of every id (--image) by ns
         * run itself. pid 1 cannot map more than its own ids. */
        ch.maps_outside = ch.new_ns[NS_USER] && c->idmap;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        status_r = p[0];
        status_w = p[1];
        need_go = c->n_cgroup_procs_fds > 0 || helper || ch.maps_outside;
        if (need_go) {
                if (pipe2(p, O_CLOEXEC) < 0)
                        return -errno;
                go_r = p[0];
                go_w = p[1];
        }
        /* pidfd_open needs Linux 5.3; without it pid 1 skips the check. */
        parent_pidfd = pidfd_open(getpid(), 0);

        if (!c->rootfs && !c->lowerdirs && !c->workdir)
                cwd = getcwd(NULL, 0);

        ch.status_fd = status_w;
        ch.go_fd = go_r;
        ch.parent_pidfd = parent_pidfd;
        ch.cwd = cwd;

        /* Blocked before the clone so that no signal meant for the payload
         * is lost between here and launch_wait(); pid 1 inherits the mask
         * and the payload gets the caller's back. */
        launch_forward_sigset(&block);
        sigaddset(&block, SIGCHLD);
        if (sigprocmask(SIG_BLOCK, &block, &ch.saved_mask) < 0)
                return -errno;

        args.flags |= CLONE_PIDFD;
        args.pidfd = (uint64_t)(uintptr_t)&pidfd;
        args.exit_signal = SIGCHLD;
        if (c->cgroup_fd >= 0) {
                /* Start inside the limits' cgroup: no window where pid 1
                 * runs unlimited (Linux 5.7). */
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)c->cgroup_fd;
        }
        /* clone3 rather than unshare+fork: one process fewer, and the
         * pidfd comes with it (Linux 5.3). Without CLONE_VM this returns
         * twice, like fork. */
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0) {
                r = -errno;
                sigprocmask(SIG_SETMASK, &ch.saved_mask, NULL);
                set_error(ret_err, LAUNCH_STAGE_CLONE, -r, NULL);
                return r;
        }
        if (pid == 0) {
                closep(&status_r);
                closep(&go_w);
                reaper_main(&ch);
        }

        l = xnew(Launch, 1);
        l->pid = pid;
        l->pidfd = pidfd;
        l->status_fd = TAKE_FD(status_r);
        l->go_fd = TAKE_FD(go_w);
        l->helper_exit_fd = -1;
        l->net = c->net;
        l->saved_mask = ch.saved_mask;
        l->cwd = TAKE_PTR(cwd);
        closep(&status_w);
        closep(&go_r);

        if (c->n_cgroup_procs_fds > 0 || ch.maps_outside) {
                r = cgroup_join(l, c, ret_err);
                if (r >= 0 && ch.maps_outside) {
                        r = idmap_apply(pid, c->idmap);
                        if (r < 0)
                                set_error(ret_err, LAUNCH_STAGE_USERNS_MAP, -r, "newuidmap");
                }
                if (r >= 0)
                        r = send_go(l, ret_err);
                if (r < 0)
                        goto fail;
        }
        if (helper) {
                LaunchMsg m;

                /* The helper joins the namespaces once pid 1 has mapped
                 * its ids, or it would see an unmapped user. */
                r = read_msg(l->status_fd, &m);
                if (r <= 0 || m.type != LAUNCH_MSG_READY) {
                        if (r > 0 && m.type == LAUNCH_MSG_ERROR)
                                *ret_err = m.error;
                        else
                                set_error(ret_err, LAUNCH_STAGE_INTERNAL, r < 0 ? -r : EIO, NULL);
                        r = -ret_err->error;
                        goto fail;
                }
                r = spawn_net_helper(l, c, ret_err);
                if (r >= 0)
                        r = send_go(l, ret_err);
                if (r < 0)
                        goto fail;
        }
        closep(&l->go_fd);
        *ret = l;
        return 0;

fail:
        kill_and_reap(l);
        if (l->helper > 0) {
                kill(l->helper, SIGKILL);
                while (waitpid(l->helper, NULL, 0) < 0 && errno == EINTR)
                        ;
        }
        sigprocmask(SIG_SETMASK, &l->saved_mask, NULL);
        launch_free(l);
        return r;
}

static int wait_status_from_siginfo(const siginfo_t *si)
{
        if (si->si_code == CLD_EXITED)
                return (si->si_status & 0xff) << 8;
        return si->si_status & 0x7f;
}

/* A SIGCHLD: pid 1 or a helper has exited. Returns 1 when it was pid 1. */
static int reap_children(Launch *l, int *ret_status)
{
        siginfo_t w = {};

        if (l->helper > 0 && waitpid(l->helper, NULL, WNOHANG) == l->helper)
                l->helper = 0;
        if (l->reaped || waitid(P_PIDFD, (id_t)l->pidfd, &w, WEXITED | WNOHANG) < 0 ||
            w.si_pid == 0)
                return 0;
        l->reaped = true;
        *ret_status = wait_status_from_siginfo(&w);
        return 1;
}

int launch_wait(Launch *l, int *ret_status, LaunchError *ret_err)
{
        _cleanup_close_ int sfd = -EBADF;
        sigset_t set;
        LaunchMsg m;
        int status = -1, exec_status = -1, r;
        bool failed = false, eof = false;

        set_error(ret_err, LAUNCH_STAGE_NONE, 0, NULL);
        launch_forward_sigset(&set);
        sigaddset(&set, SIGCHLD);
        sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
        if (sfd < 0)
                return -errno;

        /*
         * Until pid 1 says the payload has ended. Not until pid 1 is gone:
         * its exit tears the namespaces down (every mount, an RCU grace
         * period) and that is no longer the caller's business, a tenth of
         * the whole run. launch_reap() waits for it when it matters.
         */
        while (exec_status < 0 && !eof) {
                struct pollfd p[2] = {
                        { .fd = l->status_fd, .events = POLLIN },
                        { .fd = sfd, .events = POLLIN },
                };
                struct signalfd_siginfo si;

                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
                        if (si.ssi_signo == SIGCHLD) {
                                (void)reap_children(l, &status);
                                continue;
                        }
                        /* What the terminal sends (^C, ^\, a hangup, a new
                         * size) goes to the whole foreground process
                         * group, the payload included: passing it on would
                         * deliver it twice. */
                        if (si.ssi_code != SI_KERNEL && !l->reaped)
                                (void)pidfd_send_signal(l->pidfd, (int)si.ssi_signo, NULL, 0);
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                r = read_msg(l->status_fd, &m);
                if (r <= 0) {
                        /* pid 1 is gone without a word on the payload */
                        eof = true;
                        break;
                }
                switch (m.type) {
                case LAUNCH_MSG_ERROR:
                        *ret_err = m.error;
                        failed = true;
                        break;
                case LAUNCH_MSG_EXEC_FAILED:
                        *ret_err = m.error;
                        break;
                case LAUNCH_MSG_EXIT:
                        exec_status = m.status;
                        break;
                default:
                        break;
                }
        }

        if (l->helper > 0) {
                /* slirp4netns leaves when its exit fd closes, pasta on
                 * SIGTERM. */
                closep(&l->helper_exit_fd);
                if (l->net == LAUNCH_NET_PASTA)
                        kill(l->helper, SIGTERM);
                while (waitpid(l->helper, NULL, 0) < 0 && errno == EINTR)
                        ;
                l->helper = 0;
        }
        if (eof)
                /* Killed (SIGKILL from outside, the OOM killer) or failed:
                 * its own status is all there is. */
                launch_reap(l, &status);
        sigprocmask(SIG_SETMASK, &l->saved_mask, NULL);

        if (failed)
                return -(ret_err->error ?: EIO);
        *ret_status = exec_status >= 0 ? exec_status : status;
        return 0;
}

void launch_reap(Launch *l, int *ret_status)
{
        siginfo_t w = {};

        if (l->reaped)
                return;
        while (waitid(P_PIDFD, (id_t)l->pidfd, &w, WEXITED) < 0)
                if (errno != EINTR)
                        return;
        l->reaped = true;
        if (ret_status)
                *ret_status = wait_status_from_siginfo(&w);
}

pid_t launch_pid(const Launch *l)
{
        return l->pid;
}

Launch *launch_free(Launch *l)
{
        if (!l)
                return NULL;
        closep(&l->pidfd);
        closep(&l->status_fd);
        closep(&l->go_fd);
        closep(&l->helper_exit_fd);
        free(l->cwd);
        free(l);
        return NULL;
}

static long read_sysctl(int proc_sys_fd, const char *path)
{
        char buf[32];
        char *end;
        long v;

        if (read_small_at(proc_sys_fd, path, buf, sizeof(buf)) <= 0)
                return -1;
        errno = 0;
        v = strtol(buf, &end, 10);
        if (errno || end == buf)
                return -1;
        return v;
}

UsernsBlock launch_userns_block(int proc_sys_fd, int err, long *ret_value)
{
        long v;

        if (err == ENOSPC) {
                /* Also the case 32 levels down, where the limit is not the
                 * reason: say which. */
                v = read_sysctl(proc_sys_fd, "user/max_user_namespaces");
                *ret_value = v;
                return v == 0 ? USERNS_BLOCK_MAX_ZERO : USERNS_BLOCK_MAX_REACHED;
        }
        if (err == EUSERS) {
                *ret_value = 32;
                return USERNS_BLOCK_DEPTH;
        }
        if (err != EPERM && err != EACCES)
                return USERNS_BLOCK_UNKNOWN;
        /* Debian and Ubuntu's own switch (not in upstream Linux). */
        v = read_sysctl(proc_sys_fd, "kernel/unprivileged_userns_clone");
        if (v == 0) {
                *ret_value = v;
                return USERNS_BLOCK_DEBIAN_SYSCTL;
        }
        /* Ubuntu 23.10 and later. */
        v = read_sysctl(proc_sys_fd, "kernel/apparmor_restrict_unprivileged_userns");
        if (v == 1) {
                *ret_value = v;
                return USERNS_BLOCK_APPARMOR;
        }
        v = read_sysctl(proc_sys_fd, "user/max_user_namespaces");
        if (v == 0) {
                *ret_value = v;
                return USERNS_BLOCK_MAX_ZERO;
        }
        return USERNS_BLOCK_UNKNOWN;
}

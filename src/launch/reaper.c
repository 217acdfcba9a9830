/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * pid 1 of an ns run instance and the payload. pid 1 makes the network
 * namespace, then the payload with vfork (with fork when nesting): the
 * payload maps the ids, builds the file system view and execs with
 * no_new_privs, no capabilities beyond --cap-add and the seccomp filter;
 * pid 1 resumes as that exec begins, drops what it holds, and reaps.
 * It forwards signals to the payload and, when the payload ends, reports
 * its status and exits: Linux then kills whatever is left in the pid
 * namespace.
 *
 * This runs in a child made by a raw clone3: glibc's cached thread id is
 * the parent's, so nothing here may use raise(), abort() or pthreads.
 */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "caps.h"
#include "fdpass.h"
#include "idmap.h"
#include "launch-internal.h"
#include "seccomp-default.h"
#include "util.h"

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

/* The map of one kind, as the kernel takes it: "inside outside count" lines. */
static void write_map(const LaunchChild *ch, const char *path, const IdExtent *e, unsigned n)
{
        char buf[IDMAP_MAX_EXTENTS * 40];
        int r;

        r = idmap_format(e, n, buf, sizeof(buf));
        if (r >= 0)
                r = write_file(path, buf);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_USERNS_MAP, -r, path);
}

/* The inside ids of the caller: from the map when there is one; else
 * (the single-id map) the image's user with --image, which the payload
 * then is from the start, 0 with --root, or the caller's own. */
static unsigned inside_uid(const LaunchChild *ch)
{
        if (ch->c->idmap)
                return ch->c->idmap->uid[0].inside;
        if (ch->c->set_ids)
                return ch->c->uid;
        return ch->c->root ? 0 : (unsigned)ch->uid;
}

static unsigned inside_gid(const LaunchChild *ch)
{
        if (ch->c->idmap)
                return ch->c->idmap->gid[0].inside;
        if (ch->c->set_ids)
                return ch->c->gid;
        return ch->c->root ? 0 : (unsigned)ch->gid;
}

/* Does the payload take other ids than the caller's inside (--image under
 * a map of several ids)? With the single map, the image's User is the
 * caller's id from the start. */
static bool payload_changes_uid(const LaunchChild *ch)
{
        const LaunchConfig *c = ch->c;

        return c->set_ids && ch->maps_outside &&
               (c->uid != inside_uid(ch) || c->gid != inside_gid(ch));
}

/*
 * --image with a map of several ids (a subordinate range, or the host's
 * root mapping every id onto itself): the payload is the caller's inside
 * id (0) until here, and becomes the image's User, its supplementary
 * groups dropped where setgroups is allowed. The capabilities about to be
 * set are kept across the change of uid (PR_SET_KEEPCAPS, cleared again
 * by exec).
 */
static int become_image_user(const LaunchChild *ch)
{
        const LaunchConfig *c = ch->c;

        if (!payload_changes_uid(ch))
                return 0;
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                return -errno;
        /* denied (EPERM) when the gid map was written without CAP_SETGID */
        if (setgroups(0, NULL) < 0 && errno != EPERM)
                return -errno;
        if (setresgid(c->gid, c->gid, c->gid) < 0 || setresuid(c->uid, c->uid, c->uid) < 0)
                return -errno;
        return 0;
}

/*
 * Single-id maps, written by the process that made the user namespace: an
 * unprivileged process may map its own ids in a namespace it created, once
 * setgroups is denied (Linux 3.19). No round trip to the parent. The ids
 * inside are the caller's, or 0 with --root (or as the single map of
 * --image says); outside, the caller's.
 */
static void map_caller_ids(const LaunchChild *ch)
{
        IdExtent u = { inside_uid(ch), (unsigned)ch->uid, 1 };
        IdExtent g = { inside_gid(ch), (unsigned)ch->gid, 1 };
        int r;

        r = write_file("/proc/self/setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                fail(ch, LAUNCH_STAGE_USERNS_MAP, -r, "/proc/self/setgroups");
        write_map(ch, "/proc/self/uid_map", &u, 1);
        write_map(ch, "/proc/self/gid_map", &g, 1);
}

/*
 * The payload's nested user namespace maps every id of pid 1's onto
 * itself: the caller's single id, or 0 and the whole subordinate range.
 * The single map the payload writes for itself (setgroups denied, as pid
 * 1's is); several extents need CAP_SETUID over pid 1's namespace, which
 * only pid 1 holds once the payload has left it: pid 1 writes those
 * (join_payload), into /proc/PID of the payload (pid is 0 for "self").
 */
static void map_nested_ids(const LaunchChild *ch, pid_t pid)
{
        const IdMap *m = ch->c->idmap;
        IdExtent u[IDMAP_MAX_EXTENTS], g[IDMAP_MAX_EXTENTS];
        unsigned nu = 1, ng = 1;
        char path[64];

        if (ch->maps_outside) {
                nu = m->n_uid;
                ng = m->n_gid;
                for (unsigned i = 0; i < nu; i++)
                        u[i] = (IdExtent){ m->uid[i].inside, m->uid[i].inside, m->uid[i].count };
                for (unsigned i = 0; i < ng; i++)
                        g[i] = (IdExtent){ m->gid[i].inside, m->gid[i].inside, m->gid[i].count };
        } else {
                int r;

                u[0] = (IdExtent){ inside_uid(ch), inside_uid(ch), 1 };
                g[0] = (IdExtent){ inside_gid(ch), inside_gid(ch), 1 };
                r = write_file("/proc/self/setgroups", "deny");
                if (r < 0 && r != -ENOENT)
                        fail(ch, LAUNCH_STAGE_USERNS_MAP, -r, "/proc/self/setgroups");
        }
        if (pid > 0)
                snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
        else
                snprintf(path, sizeof(path), "/proc/self/uid_map");
        write_map(ch, path, u, nu);
        memcpy(strrchr(path, '/') + 1, "gid", 3);
        write_map(ch, path, g, ng);
}

/*
 * Keep only the capabilities asked for (keep: in every set, raised as
 * ambient so that they survive exec of a program that is not setuid) and
 * those only held for a root payload's exec (held: permitted and
 * inheritable).
 */
static int drop_caps(uint64_t keep, uint64_t held)
{
        int r = caps_set(keep | held, keep, keep | held);

        if (r < 0)
                return r;
        return caps_set_ambient(keep);
}

/*
 * CAP_SETFCAP, held by a payload that is root inside: since Linux 5.12 a
 * new user namespace may map uid 0 only when its creator had it, so
 * without it root could not nest ns run. Never for the host's root, whose
 * instance makes no user namespace (limit_user_namespaces()): it would
 * serve nothing, and a file capability set where the instance can write
 * to the host would be valid for the whole host.
 */
static uint64_t nesting_caps(const LaunchChild *ch)
{
        bool root_inside = ch->c->set_ids ? ch->c->uid == 0 : inside_uid(ch) == 0;

        if (!root_inside || ch->uid == 0)
                return 0;
        return 1ULL << CAP_SETFCAP;
}

/* A script without #!: run by /bin/sh, as shells and execvp do. */
static int exec_script(const char *path, char *const argv[])
{
        size_t n = 0;
        char **nargv;

        while (argv[n])
                n++;
        nargv = xnew(char *, n + 2);
        nargv[0] = (char *)"/bin/sh";
        nargv[1] = (char *)path;
        for (size_t i = 1; i < n; i++)
                nargv[i + 1] = argv[i];
        execv(nargv[0], nargv);
        free(nargv);
        return ENOEXEC;
}

/*
 * execvp as a shell runs a command: ENOENT (127) when no file of that name
 * is in $PATH, EACCES (126) when one is there but cannot be run. A $PATH
 * directory that may not be searched counts as not there (glibc's execvp
 * would say EACCES, 126). Returns the errno.
 */
static int exec_search(char *const argv[])
{
        const char *file = argv[0], *path = getenv("PATH");
        char buf[PATH_MAX];
        int ret = ENOENT;

        if (strchr(file, '/')) {
                execv(file, argv);
                return errno == ENOEXEC ? exec_script(file, argv) : errno;
        }
        if (!path)
                path = "/usr/local/bin:/usr/bin:/bin";
        for (const char *p = path, *e;; p = e + 1) {
                struct stat st;
                size_t len;

                e = strchrnul(p, ':');
                len = (size_t)(e - p);
                if (len == 0)
                        snprintf(buf, sizeof(buf), "%s", file); /* "" is the cwd */
                else if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, p, file) >=
                         (int)sizeof(buf))
                        goto next;
                execv(buf, argv);
                switch (errno) {
                case ENOEXEC:
                        return exec_script(buf, argv);
                case EACCES:
                        /* A file we can see: found, not runnable. */
                        if (stat(buf, &st) == 0)
                                ret = EACCES;
                        break;
                case ENOENT:
                case ENOTDIR:
                case ELOOP:
                case ENAMETOOLONG:
                case ESTALE:
                case ENODEV:
                case ETIMEDOUT:
                        break;
                default:
                        return errno;
                }
next:
                if (!*e)
                        return ret;
        }
}

/* One byte from ns run: false at end of file (ns run gave up). */
static bool go_recv(int fd)
{
        char b;
        ssize_t k;

        do
                k = read(fd, &b, 1);
        while (k < 0 && errno == EINTR);
        return k == 1;
}

static void wait_go(const LaunchChild *ch)
{
        if (!go_recv(ch->go_fd))
                _exit(1);
}

/*
 * The go message, from pid 1 to the payload once the network namespace is
 * made and pid 1 is in it: 0 and the namespace's fd (SCM_RIGHTS), or an
 * errno when it could not be made (negative: made, but lo would not come
 * up). Without a network namespace of our own, 0 and no fd.
 */
static void go_payload(int sock, int err, int netns_fd)
{
        /* the payload may have failed and gone: nothing to do about it */
        (void)fd_send(sock, &err, sizeof(err), netns_fd);
}

/* The payload's side: the error, and the namespace's fd in *ret_fd (or
 * -1). End of file (pid 1 failed, and said why) is EPIPE. */
static int go_wait(int sock, int *ret_fd)
{
        int err = 0;
        ssize_t k = fd_recv(sock, &err, sizeof(err), ret_fd);

        if (k <= 0)
                return EPIPE;
        if (k != sizeof(err)) {
                closep(ret_fd);
                return EIO;
        }
        return err;
}

/* Bring lo up in the calling process's network namespace; returns the
 * namespace's fd, taken from the socket (SIOCGSKNS, Linux 4.9) rather than
 * a path in a /proc the payload may be mounting over, or -errno. */
static int lo_up(void)
{
        _cleanup_close_ int fd = -EBADF;
        struct ifreq ifr = {};
        int nsfd;

        fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
        if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return -errno;
        ifr.ifr_flags |= IFF_UP;
        if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
                return -errno;
        nsfd = ioctl(fd, SIOCGSKNS);
        return nsfd < 0 ? -errno : nsfd;
}

/*
 * With a real network (pasta, slirp4netns), a server inside binds the
 * ports below 1024 that images expect (80, 443) without a capability, as
 * docker and podman let it: the setting is the namespace's own, so nothing
 * changes on the host. Best effort: a kernel that refuses it leaves 1024.
 */
static void low_ports_for_all(void)
{
        (void)write_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", "0");
}

/*
 * pid 1 makes the network namespace (Linux registers its sysctls and its
 * loopback device: the most expensive step of a launch, half a millisecond
 * here) while the payload builds the mounts on the other CPU, and brings lo
 * up. Returns 0 and the namespace's fd; an errno, negative when lo failed.
 */
static int make_net(const LaunchChild *ch, int *ret_fd)
{
        int nsfd;

        if (unshare(ns_info[NS_NET].clone_flag) < 0)
                return errno;
        nsfd = lo_up();
        if (nsfd < 0)
                return nsfd;
        if (launch_net_helper(ch->c->net))
                low_ports_for_all();
        *ret_fd = nsfd;
        return 0;
}

/* The namespaces the payload makes for itself below pid 1's when nesting:
 * the user namespace, a copy of the mount namespace, and those of pid 1's
 * own whose capabilities --cap-add means (network, UTS, IPC). The pid and
 * cgroup namespaces stay pid 1's. */
static unsigned long nest_flags(const LaunchChild *ch)
{
        static const NsType types[] = { NS_USER, NS_MNT, NS_NET, NS_UTS, NS_IPC };
        unsigned long flags = 0;

        for (size_t i = 0; i < ELEMENTSOF(types); i++)
                if (ch->new_ns[types[i]])
                        flags |= (unsigned long)ns_info[types[i]].clone_flag;
        return flags;
}

/*
 * The payload's own user namespace, made once the file system view is
 * built. Linux copies the mount tree into the new mount namespace and,
 * the new namespace belonging to a less privileged user namespace, locks
 * every mount's flags (read-only, nosuid, nodev) and every mount over
 * another (mount_setattr, umount and a bind that would uncover what is
 * below fail): no capability of the payload's can undo them. Sends 0 to
 * pid 1, which then joins the same namespaces.
 */
static void nest_payload(const LaunchChild *ch, int sync_fd)
{
        int ok = 0, nsfd;

        if (unshare(nest_flags(ch)) < 0)
                fail(ch, LAUNCH_STAGE_CLONE, errno, NULL);
        /* With a range, pid 1 maps them (join_payload) before it lets us exec. */
        if (!ch->maps_outside)
                map_nested_ids(ch, 0);
        if (ch->new_ns[NS_NET]) {
                nsfd = lo_up();
                if (nsfd < 0)
                        fail(ch, LAUNCH_STAGE_NETWORK, -nsfd, "lo");
                close(nsfd);
                if (launch_net_helper(ch->c->net))
                        low_ports_for_all();
        }
        if (write(sync_fd, &ok, sizeof(ok)) != (ssize_t)sizeof(ok))
                _exit(1);
}

/*
 * The host's uid 0 in a user namespace of the payload's own would mount a
 * fresh procfs there (with a pid namespace of its own), where nothing is
 * covered, and write kernel.core_pattern or /proc/sysrq-trigger: their
 * only check is the owner's uid. So when the instance runs as the host's
 * root, it may make no user namespace: the instance's limit is 0 (1 when
 * nesting, for the payload's own; a second one counts against that one
 * too). Written while the payload holds CAP_SYS_RESOURCE in the
 * instance's user namespace, whose limits /proc/sys/user shows it, and
 * before any /proc is made read-only; dropped before exec.
 */
static void limit_user_namespaces(const LaunchChild *ch)
{
        int r = write_file("/proc/sys/user/max_user_namespaces", ch->nest ? "1" : "0");

        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "user.max_user_namespaces");
}

/*
 * The payload. It maps the ids, builds the mounts (shared with pid 1: what
 * is mounted here is what pid 1 sees; pivot_root moves its root and cwd
 * along), drops what it must not keep and execs. Made by vfork, it runs in
 * pid 1's network namespace already and sync_fd is -1; made by fork when
 * nesting, it makes its own namespaces, then waits on sync_fd for pid 1 to
 * join them. Reports an exec failure and exits as a shell would (127 not
 * found, 126 found but not executable).
 */
static void hide_caller(const LaunchConfig *c);

/* pid 1's own pid, as the payload's parent, in the pid namespace it was
 * made in: set before the payload is made. */
static pid_t reaper_pid;
/* ns run, our parent: with --share=pid, told gone by a signal (below). */
static pid_t caller_pid;

/* The command's argument strings, where writing pid 1's command line
 * leaves them alone. */
static char **argv_copy(char *const *argv)
{
        size_t n = 0;
        char **copy;

        while (argv[n])
                n++;
        copy = xnew(char *, n + 1);
        for (size_t i = 0; i < n; i++)
                copy[i] = xstrdup(argv[i]);
        copy[n] = NULL;
        return copy;
}

static _noreturn_ void payload_exec(const LaunchChild *ch, int sync_fd)
{
        const LaunchConfig *c = ch->c;
        LaunchMsg m = { .type = LAUNCH_MSG_EXEC_FAILED };
        const char *dir = c->workdir ?: ch->cwd;
        char **argv = (char **)c->argv;
        LaunchError e = {};
        int r, err, netns_fd = -EBADF;

        sigprocmask(SIG_SETMASK, &ch->saved_mask, NULL);
        /* Made by vfork after pid 1 named itself: not a second ns-init. */
        if (sync_fd < 0)
                (void)prctl(PR_SET_NAME, "ns");

        /* With a network helper, pid 1 has mapped them; with a range, ns
         * run has (launch.c). */
        if (ch->new_ns[NS_USER] && !launch_net_helper(c->net) && !ch->maps_outside)
                map_caller_ids(ch);
        if (ch->uid == 0 && ch->new_ns[NS_USER])
                limit_user_namespaces(ch);
        if (ch->new_ns[NS_MNT]) {
                r = launch_fs_setup(ch, &e);
                if (r < 0)
                        fail(ch, e.step, e.error, e.detail);
        }
        if (ch->new_ns[NS_UTS] && (c->hostname || c->name)) {
                const char *h = c->hostname ?: c->name;
                if (sethostname(h, strlen(h)) < 0)
                        fail(ch, LAUNCH_STAGE_HOSTNAME, errno, h);
        }
        /* After the mounts and the hostname, which the new UTS namespace
         * copies; before the bounding set, which a new user namespace
         * fills again. */
        if (ch->nest)
                nest_payload(ch, sync_fd);
        /* The bounding set limits exec only. */
        r = caps_drop_bounding(c->cap_keep | nesting_caps(ch));
        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "capabilities");

        /* Nesting: wait for pid 1 to have joined us (and for the
         * network helper). */
        if (sync_fd >= 0) {
                err = go_wait(sync_fd, &netns_fd);
                if (err != 0)
                        /* pid 1 failed (or is gone: EPIPE) and has said why */
                        _exit(1);
                if (netns_fd >= 0 && setns(netns_fd, ns_info[NS_NET].clone_flag) < 0)
                        fail(ch, LAUNCH_STAGE_NETWORK, errno, NULL);
        }
        r = become_image_user(ch);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "the image's user");
        r = drop_caps(c->cap_keep, nesting_caps(ch));
        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "capabilities");

        if (dir && chdir(dir) < 0) {
                if (c->workdir)
                        fail(ch, LAUNCH_STAGE_WORKDIR, errno, dir);
                dir = NULL;
        }
        /* Re-resolved now that /tmp and the rest are mounted: the old
         * working directory may be one the instance must not see. */
        if (!dir && chdir("/") < 0)
                fail(ch, LAUNCH_STAGE_WORKDIR, errno, "/");

        /* Everything but 0, 1, 2 and the status pipe closes on exec; the
         * pipe tells ns run if exec fails. */
        close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
        if (sync_fd < 0) {
                /* pid 1's memory, which we share until exec: the config's
                 * strings (among the argument strings) are no longer
                 * needed but the command's. */
                argv = argv_copy(c->argv);
                hide_caller(c);
                /* pid 1 resumes as exec begins and holds its
                 * capabilities and the caller's fds for a moment more:
                 * not dumpable until it has dropped them, so that even a
                 * payload given CAP_SYS_PTRACE cannot ptrace it or read
                 * its /proc/1/{fd,mem,environ} meanwhile (the memory's
                 * owner is the host's user namespace). exec makes ours
                 * dumpable again. */
                (void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        }
        /* Without a pid namespace of our own nothing kills the command
         * when pid 1 goes (SIGKILLed with ns run): it goes too, then.
         * After the change of uid, which clears it; kept across exec. */
        if (!ch->new_ns[NS_PID]) {
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (getppid() != reaper_pid)
                        _exit(1);
        }
        /* --image: the image's environment, not the caller's; $PATH
         * included, which the search below reads. */
        if (c->envp)
                environ = (char **)c->envp;
        err = exec_search(argv);

        m.error.step = LAUNCH_STAGE_EXEC;
        m.error.error = err;
        snprintf(m.error.detail, sizeof(m.error.detail), "%s", argv[0]);
        launch_send(ch->status_fd, &m);
        _exit(err == ENOENT || err == ENOTDIR ? 127 : 126);
}

/* Where our argv strings are: fields 48 and 49 of /proc/self/stat (Linux
 * 3.5), after the command name, which may hold anything but ends at the
 * last ')'. */
static int stat_area(int first_field, char **ret, size_t *ret_len)
{
        _cleanup_free_ char *buf = NULL;
        unsigned long start = 0, end = 0;
        char *p;
        int r;

        r = read_file_at(AT_FDCWD, "/proc/self/stat", 0, &buf, NULL);
        if (r < 0)
                return r;
        p = strrchr(buf, ')');
        if (!p)
                return -EINVAL;
        /* ") S ppid ...": the state is field 3, arg_start field 48,
         * env_start field 50 */
        for (int field = 2; field < first_field; field++) {
                p = strchr(p + 1, ' ');
                if (!p)
                        return -EINVAL;
        }
        if (sscanf(p + 1, "%lu %lu", &start, &end) != 2 || end <= start)
                return -EINVAL;
        *ret = (char *)start;
        *ret_len = end - start;
        return 0;
}

static int argv_area(char **ret, size_t *ret_len)
{
        return stat_area(48, ret, ret_len);
}

/*
 * Our environment strings (a copy of ns run's) replaced by the payload's
 * when it has its own (--image, -e), as many whole entries as fit, the
 * rest NULs: ns enter takes pid 1's environment for what it runs, and the
 * payload, the same user, could read the caller's from /proc/1/environ.
 */
static void set_environ_area(const LaunchConfig *c)
{
        char *area;
        size_t len, at = 0;

        if (!c->envp || stat_area(50, &area, &len) < 0 || len == 0)
                return;
        /* The strings to write are on the heap (run_env_build()), not in
         * the area. */
        memset(area, 0, len);
        for (char *const *e = c->envp; *e; e++) {
                size_t n = strlen(*e) + 1;

                if (at + n >= len)
                        continue;
                memcpy(area + at, *e, n);
                at += n;
        }
}

static const char title_marker[] = "ns-init";

/*
 * Mark pid 1 for ns ls and ns enter: a command line of
 * "ns-init\0NAME\0IMAGE\0" (IMAGE empty without --image), written over
 * the argv strings of this memory (a copy of ns run's) and padded with
 * NULs; what does not fit is cut, the image reference first. pid 1 sets its
 * comm to "ns-init" too (set_comm). No file is written anywhere.
 */
static void set_cmdline(const LaunchConfig *c)
{
        const char *marker = title_marker;
        char fields[2][256], *title;
        size_t len, at;

        if (argv_area(&title, &len) < 0 || len == 0)
                return;
        /* The name and the image are among the arguments about to be
         * overwritten. */
        snprintf(fields[0], sizeof(fields[0]), "%s", c->name ?: "");
        snprintf(fields[1], sizeof(fields[1]), "%s", c->image_ref ?: "");
        memset(title, 0, len);
        memcpy(title, marker, MIN(sizeof(title_marker), len - 1));
        at = sizeof(title_marker);
        /* Each field and its NUL, while one more byte is left for the
         * final NUL of the area. */
        for (size_t i = 0; i < ELEMENTSOF(fields) && at + 1 < len; i++) {
                size_t n = MIN(strlen(fields[i]), len - at - 1);

                memcpy(title + at, fields[i], n);
                at += n + 1;
        }
}

static void set_comm(void)
{
        (void)prctl(PR_SET_NAME, title_marker);
}

/*
 * What of the caller's the payload could read of pid 1, overwritten: its
 * environment strings (/proc/1/environ, when the payload has its own) and
 * its command line (/proc/1/cmdline, which anyone may read). The memory is
 * pid 1's: the payload writes it as its last step before exec when it
 * shares it (vfork), pid 1 before it lets the payload go on otherwise.
 */
static void hide_caller(const LaunchConfig *c)
{
        set_environ_area(c);
        set_cmdline(c);
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
                        /* Our parent-death signal: ns run was killed. With
                         * no pid namespace to end, we end the command and
                         * whatever it left (kill_children as each goes). */
                        if (!new_pid && getppid() != caller_pid) {
                                if (!done)
                                        kill(payload, SIGKILL);
                                done = true;
                                kill_children();
                                continue;
                        }
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
                                 * kills it as pid 1 exits (kill(-1) would
                                 * walk every task of the host). */
                                if (new_pid)
                                        exit_with(ch, status);
                        }
                        if (done)
                                kill_children();
                }
        }
}

/*
 * --time: a time namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME (and
 * so the uptime) start from zero. unshare() makes it for the children
 * only, and its offsets can be set until a process enters it; then pid 1
 * enters it too (setns on time_for_children, Linux 5.8 for a single
 * thread), so that ns ls sees pid 1 and the payload as one instance and ns
 * enter, which joins pid 1's, gets the same clocks.
 */
static void make_time(const LaunchChild *ch)
{
        static const struct {
                clockid_t id;
                const char *name;
        } clocks[] = { { CLOCK_MONOTONIC, "monotonic" }, { CLOCK_BOOTTIME, "boottime" } };
        _cleanup_close_ int fd = -EBADF;
        char buf[128];
        size_t len = 0;
        int r;

        if (unshare(ns_info[NS_TIME].clone_flag) < 0)
                fail(ch, LAUNCH_STAGE_CLONE, errno, "time");
        /* The offset is minus the clock now: the kernel wants a
         * nanosecond part in [0, 1e9), and a result that is not negative,
         * which the time passing until it reads the clock itself ensures. */
        for (size_t i = 0; i < ELEMENTSOF(clocks); i++) {
                struct timespec ts;
                long long sec;
                long nsec;

                if (clock_gettime(clocks[i].id, &ts) < 0)
                        fail(ch, LAUNCH_STAGE_CLONE, errno, "time");
                sec = -(long long)ts.tv_sec;
                nsec = 0;
                if (ts.tv_nsec > 0) {
                        sec -= 1;
                        nsec = 1000000000L - ts.tv_nsec;
                }
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s %lld %ld\n",
                                        clocks[i].name, sec, nsec);
        }
        r = write_file("/proc/self/timens_offsets", buf);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_CLONE, -r, "time");
        fd = open("/proc/self/ns/time_for_children", O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, ns_info[NS_TIME].clone_flag) < 0)
                fail(ch, LAUNCH_STAGE_CLONE, errno, "time");
}

/*
 * Nesting: wait for the payload's namespaces and join them (one setns on a
 * pidfd, Linux 5.8), so that pid 1 is a member of the instance as ns ls
 * and ns enter see it, with its root and working directory at the root of
 * the locked copy. When the payload failed (it has said why), nothing.
 */
static void join_payload(const LaunchChild *ch, int sync_fd, pid_t payload)
{
        _cleanup_close_ int pidfd = -EBADF;
        ssize_t k;
        int ok = -1;

        do
                k = read(sync_fd, &ok, sizeof(ok));
        while (k < 0 && errno == EINTR);
        if (k != (ssize_t)sizeof(ok) || ok != 0)
                return;
        if (ch->maps_outside)
                map_nested_ids(ch, payload);
        pidfd = pidfd_open(payload, 0);
        if (pidfd < 0 || setns(pidfd, (int)nest_flags(ch)) < 0) {
                int err = errno;

                go_payload(sync_fd, err, -1);
                fail(ch, LAUNCH_STAGE_CLONE, err, NULL);
        }
}

/* Hold nothing of the caller's: not its terminal, not its pipes. Only the
 * status pipe stays, and keep (or -1). */
static void close_caller_fds(const LaunchChild *ch, int keep)
{
        int kept[2] = { MIN(ch->status_fd, keep), MAX(ch->status_fd, keep) };
        unsigned from = 0;

        for (size_t i = 0; i < ELEMENTSOF(kept); i++) {
                if (kept[i] < 0 || (unsigned)kept[i] < from)
                        continue;
                if ((unsigned)kept[i] > from)
                        close_range(from, (unsigned)kept[i] - 1, 0);
                from = (unsigned)kept[i] + 1;
        }
        close_range(from, ~0U, 0);
}

/* pid 1 needs no power of its own once the payload is set up. Under a map
 * of several ids the payload becomes the image's User while pid 1 stays
 * the caller's id, which ns ls and ns enter read as the caller: pid 1
 * keeps CAP_KILL (in the instance's user namespace only) to pass signals
 * on to it.
 *
 * And CAP_SYS_PTRACE, permitted only (never in effect, out of the
 * bounding set, so that ns enter, which copies pid 1's sets, carries none
 * of it across exec): once dumpable again, pid 1 is the payload's uid,
 * and Linux lets a process ptrace another of its uid whose permitted set
 * is a subset of its own. A payload that did would clear pid 1's
 * PR_SET_PDEATHSIG and outlive a SIGKILLed ns run, or speak for pid 1 on
 * the status pipe. With one capability the payload lacks, only a payload
 * given CAP_SYS_PTRACE may; the caller (ns ls, ns enter), owner of the
 * user namespace, holds every capability in it. */
static void drop_own_caps(const LaunchChild *ch)
{
        uint64_t keep = payload_changes_uid(ch) ? 1ULL << CAP_KILL : 0;

        (void)prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0);
        (void)caps_set(keep | 1ULL << CAP_SYS_PTRACE, keep, 0);
        (void)caps_set_ambient(0);
}

/* slirp4netns or pasta joins our namespaces once we say READY: wait until
 * it is up. */
static void wait_helper(const LaunchChild *ch)
{
        LaunchMsg ready = { .type = LAUNCH_MSG_READY };

        if (!launch_net_helper(ch->c->net))
                return;
        launch_send(ch->status_fd, &ready);
        wait_go(ch);
}

void reaper_main(const LaunchChild *ch)
{
        const LaunchConfig *c = ch->c;
        _cleanup_close_ int netns_fd = -EBADF;
        bool net_first;
        pid_t payload;
        int sv[2], dumpable, r;

        /* First: if ns run dies, even by SIGKILL, so does pid 1, and with
         * it the whole pid namespace. With --share=pid there is none: a
         * signal we wait for (blocked until reap_loop) instead, and we
         * take down what the command leaves. Then check ns run did not
         * die before that was set (the pidfd turns readable when it
         * exits). */
        caller_pid = getppid();
        prctl(PR_SET_PDEATHSIG, ch->new_ns[NS_PID] ? SIGKILL : SIGTERM);
        if (ch->parent_pidfd >= 0) {
                struct pollfd p = { .fd = ch->parent_pidfd, .events = POLLIN };
                if (poll(&p, 1, 0) != 0)
                        _exit(1);
                close(ch->parent_pidfd);
        }
        /* cgroup v1: ns run moves pid 1 into the limits' cgroup before
         * there is a second process to move. */
        /* A range is mapped by ns run, from outside: nothing
         * here can use an id before that. */
        if (c->n_cgroup_procs_fds > 0 || ch->maps_outside)
                wait_go(ch);
        if (!ch->new_ns[NS_PID])
                prctl(PR_SET_CHILD_SUBREAPER, 1);
        /* slirp4netns and pasta join our namespaces as soon as pid 1 says
         * READY: the ids must be mapped by then. (Otherwise the payload
         * maps them, beside the network namespace being made.) */
        if (ch->new_ns[NS_USER] && launch_net_helper(c->net) && !ch->maps_outside)
                map_caller_ids(ch);
        /* Before the payload is forked: it is born in the new clock. */
        if (ch->new_ns[NS_TIME])
                make_time(ch);
        /* With a helper, the network comes first: its sysctl is set
         * through the host's /proc, which the payload's set-up below may
         * make read-only at any moment; the helper's start costs far more
         * than what running beside the mounts would save. */
        net_first = ch->new_ns[NS_NET] && !ch->nest && launch_net_helper(c->net);
        if (net_first) {
                r = make_net(ch, &netns_fd);
                if (r != 0)
                        fail(ch, r > 0 ? LAUNCH_STAGE_CLONE : LAUNCH_STAGE_NETWORK, abs(r),
                             r > 0 ? NULL : "lo");
        }

        /* no_new_privs and the filter, before the fork: installed once
         * for both processes (Linux compiles the filter and emulates it
         * for every syscall number: 60 us here). Nothing below needs a
         * call the filter denies. */
        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, errno, "no_new_privs");
        /* The host's root in the host's user namespace (--share=user)
         * may make no user namespace: in one, with a fresh /proc, its
         * uid 0 would write the host's sysctls (seccomp-gen.c). The
         * namespace's own limit (limit_user_namespaces) is the host's. */
        r = seccomp_install_own(ch->no_userns);
        if (r < 0)
                fail(ch, LAUNCH_STAGE_SECURITY, -r, "seccomp");

        /* Nothing of the caller's view stays with pid 1: its working
         * directory may be one the instance must not see (below the
         * host's /tmp, or outside --rootfs), and the payload, as the same
         * user, may reach it through /proc/1/cwd. "/" now; the payload's
         * pivot_root moves it (and the root) to --rootfs with it. */
        if (chdir("/") < 0)
                fail(ch, LAUNCH_STAGE_WORKDIR, errno, "/");

        dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
        reaper_pid = getpid();
        if (ch->nest) {
                /* The payload makes its namespaces, pid 1 joins them. */
                if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                        fail(ch, LAUNCH_STAGE_INTERNAL, errno, NULL);
                payload = fork();
                if (payload < 0)
                        fail(ch, LAUNCH_STAGE_EXEC, errno, c->argv[0]);
                if (payload == 0) {
                        close(sv[0]);
                        payload_exec(ch, sv[1]);
                }
                close(sv[1]);
                join_payload(ch, sv[0], payload);
                wait_helper(ch);
                hide_caller(c);
                set_comm();
                close_caller_fds(ch, sv[0]);
                drop_own_caps(ch);
                /* Now it may run. */
                go_payload(sv[0], 0, -1);
                close(sv[0]);
        } else {
                if (ch->new_ns[NS_NET] && !net_first) {
                        r = make_net(ch, &netns_fd);
                        if (r != 0)
                                fail(ch, r > 0 ? LAUNCH_STAGE_CLONE : LAUNCH_STAGE_NETWORK, abs(r),
                                     r > 0 ? NULL : "lo");
                }
                closep(&netns_fd);
                wait_helper(ch);
                /* The payload shares our memory until it execs, and we
                 * wait meanwhile (as posix_spawn does): no copy of the
                 * address space to make and fault back in page by page,
                 * which costs more than the network namespace made above
                 * while it could have built the mounts beside. */
                /* Our comm before the payload's command may read it (the
                 * payload takes it back, until its exec names it). */
                set_comm();
                payload = vfork();
                if (payload < 0)
                        fail(ch, LAUNCH_STAGE_EXEC, errno, c->argv[0]);
                if (payload == 0)
                        payload_exec(ch, -1);
                /* Its command may be starting: our memory is not dumpable
                 * (payload_exec) until our capabilities are gone. */
                close_caller_fds(ch, -1);
                drop_own_caps(ch);
        }
        /* Dumpable again (the payload made it not dumpable, as a change of
         * uid would): ns ls and ns enter, as the caller, read pid 1's
         * namespaces. With no capabilities, the filter, its root and
         * working directory in the instance's view and no fd but the
         * status pipe, a payload that ptraces it gains nothing. */
        if (dumpable == 1)
                (void)prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        reap_loop(ch, payload);
}

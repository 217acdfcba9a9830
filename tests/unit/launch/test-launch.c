/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The launch core: the diagnosis of refused user namespaces on fixture
 * /proc/sys trees, the seccomp filter (in a forked child: it cannot be
 * taken off again), and the launch itself end to end through
 * launch_start/launch_wait: exit status, signals, exec failures.
 *
 * Forked children report through their exit code, _exit() and never
 * assert: a child returning into Criterion would hang its runner.
 */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "launch-internal.h"
#include "seccomp-default.h"
#include "launch.h"
#include "macro.h"
#include "util.h"

static char root[] = "/tmp/ns-test-launch-XXXXXX";
static int root_fd = -1;

static void setup(void)
{
        cr_assert_not_null(mkdtemp(root));
        root_fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(root_fd, 0);
        cr_assert_eq(mkdirat(root_fd, "user", 0755), 0);
        cr_assert_eq(mkdirat(root_fd, "kernel", 0755), 0);
}

static void teardown(void)
{
        char cmd[128];

        close(root_fd);
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        cr_assert_eq(system(cmd), 0);
}

static void sysctl(const char *name, const char *value)
{
        int fd = openat(root_fd, name, O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);

        cr_assert_geq(fd, 0);
        cr_assert_eq(write(fd, value, strlen(value)), (ssize_t)strlen(value));
        close(fd);
}

Test(userns_block, max_zero, .init = setup, .fini = teardown)
{
        long v = -1;

        sysctl("user/max_user_namespaces", "0\n");
        cr_assert_eq(launch_userns_block(root_fd, ENOSPC, &v), USERNS_BLOCK_MAX_ZERO);
        cr_assert_eq(v, 0);
        /* EPERM with the same setting says the same */
        cr_assert_eq(launch_userns_block(root_fd, EPERM, &v), USERNS_BLOCK_MAX_ZERO);
}

Test(userns_block, max_reached, .init = setup, .fini = teardown)
{
        long v = -1;

        sysctl("user/max_user_namespaces", "100\n");
        cr_assert_eq(launch_userns_block(root_fd, ENOSPC, &v), USERNS_BLOCK_MAX_REACHED);
        cr_assert_eq(v, 100);
}

Test(userns_block, debian_sysctl, .init = setup, .fini = teardown)
{
        long v = -1;

        sysctl("user/max_user_namespaces", "15000\n");
        sysctl("kernel/unprivileged_userns_clone", "0\n");
        cr_assert_eq(launch_userns_block(root_fd, EPERM, &v), USERNS_BLOCK_DEBIAN_SYSCTL);
}

Test(userns_block, apparmor, .init = setup, .fini = teardown)
{
        long v = -1;

        sysctl("kernel/unprivileged_userns_clone", "1\n");
        sysctl("kernel/apparmor_restrict_unprivileged_userns", "1\n");
        cr_assert_eq(launch_userns_block(root_fd, EACCES, &v), USERNS_BLOCK_APPARMOR);
        cr_assert_eq(launch_userns_block(root_fd, EPERM, &v), USERNS_BLOCK_APPARMOR);
}

Test(userns_block, unknown_and_depth, .init = setup, .fini = teardown)
{
        long v = -1;

        /* nothing in /proc/sys explains it (a seccomp filter, a container) */
        cr_assert_eq(launch_userns_block(root_fd, EPERM, &v), USERNS_BLOCK_UNKNOWN);
        cr_assert_eq(launch_userns_block(root_fd, EINVAL, &v), USERNS_BLOCK_UNKNOWN);
        cr_assert_eq(launch_userns_block(root_fd, EUSERS, &v), USERNS_BLOCK_DEPTH);
}

Test(strings, net_modes)
{
        cr_assert_eq(launch_net_from_string("none"), LAUNCH_NET_NONE);
        cr_assert_eq(launch_net_from_string("host"), LAUNCH_NET_HOST);
        cr_assert_eq(launch_net_from_string("pasta"), LAUNCH_NET_PASTA);
        cr_assert_eq(launch_net_from_string("slirp4netns"), LAUNCH_NET_SLIRP4NETNS);
        cr_assert_eq(launch_net_from_string("bridge"), LAUNCH_NET_INVALID);
        cr_assert_str_eq(launch_net_helper(LAUNCH_NET_PASTA), "pasta");
        cr_assert_null(launch_net_helper(LAUNCH_NET_HOST));
        cr_assert_str_eq(launch_mount_type_to_string(LAUNCH_MOUNT_VOL), "vol");
}

/* In a child: 0 when every check passed, else the number of the first
 * that failed. */
static int seccomp_checks(void)
{
        int master, slave;
        char c = 'x';
        struct winsize ws;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install_own(false) < 0)
                return 1;
        master = posix_openpt(O_RDWR | O_NOCTTY);
        if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
                return 2;
        slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        if (slave < 0)
                return 3;
        if (ioctl(slave, TIOCSTI, &c) != -1 || errno != EPERM)
                return 4;
        /* the kernel reads the command as 32 bits: so must the filter */
        if (syscall(SYS_ioctl, slave, 0x100000000UL | TIOCSTI, &c) != -1 || errno != EPERM)
                return 5;
        if (ioctl(slave, TIOCLINUX, &c) != -1 || errno != EPERM)
                return 6;
        /* other terminal ioctls work */
        if (ioctl(slave, TIOCGWINSZ, &ws) < 0)
                return 7;
        if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != ENOSYS)
                return 8;
        /* namespaces stay allowed: ns run nests */
        if (syscall(SYS_unshare, 0) < 0)
                return 9;
        return 0;
}

/* checks() in a child, which a filter then holds: all must pass. */
static void in_child(int (*checks)(void))
{
        pid_t pid = fork();
        int st;

        cr_assert_geq(pid, 0);
        if (pid == 0)
                _exit(checks());
        cr_assert_eq(waitpid(pid, &st, 0), pid);
        cr_assert(WIFEXITED(st));
        cr_assert_eq(WEXITSTATUS(st), 0, "seccomp check %d failed", WEXITSTATUS(st));
}

Test(seccomp, default_filter)
{
        in_child(seccomp_checks);
}

/* In a child under the filter for the host's root: no new user namespace,
 * by unshare, clone or clone3; everything else as the default filter. */
static int seccomp_no_userns_checks(void)
{
        struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
        char c = 'x';
        pid_t pid;
        int st;

        if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install_own(true) < 0)
                return 1;
        if (syscall(SYS_unshare, CLONE_NEWUSER) != -1 || errno != EPERM)
                return 2;
        if (syscall(SYS_unshare, CLONE_NEWUSER | CLONE_NEWNS) != -1 || errno != EPERM)
                return 3;
        /* clone's flags in its first argument (not on s390) */
        if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL) != -1 ||
            errno != EPERM)
                return 4;
        if (syscall(SYS_clone3, &args, sizeof(args)) != -1 || errno != ENOSYS)
                return 5;
        /* what is not a user namespace works */
        if (syscall(SYS_unshare, 0) < 0)
                return 6;
        pid = fork();
        if (pid == 0)
                _exit(0);
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
                return 7;
        if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) != -1 || errno != ENOSYS)
                return 8;
        if (ioctl(STDIN_FILENO, TIOCSTI, &c) != -1 || errno != EPERM)
                return 9;
        return 0;
}

Test(seccomp, no_userns_filter)
{
        in_child(seccomp_no_userns_checks);
}

/* launch end to end; the payload is /bin/sh -c SCRIPT. */
static int launch_sh(const char *script, int *ret_status, LaunchError *err)
{
        char *argv[] = { (char *)"/bin/sh", (char *)"-c", (char *)script, NULL };
        LaunchConfig c = { .argv = argv, .cgroup_fd = -1 };
        Launch *l = NULL;
        int r;

        r = launch_start(&c, &l, err);
        if (r < 0)
                return r;
        r = launch_wait(l, ret_status, err);
        launch_free(l);
        return r;
}

Test(launch, exit_status)
{
        LaunchError err;
        int st = -1;

        cr_assert_eq(launch_sh("exit 0", &st, &err), 0, "stage %d: %s", err.step,
                     strerror(err.error));
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0);
        cr_assert_eq(launch_sh("exit 42", &st, &err), 0);
        cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 42);
        cr_assert_eq(err.step, LAUNCH_STAGE_NONE);
}

Test(launch, killed_by_signal)
{
        LaunchError err;
        int st = -1;

        cr_assert_eq(launch_sh("kill -USR1 $$", &st, &err), 0);
        cr_assert(WIFSIGNALED(st));
        cr_assert_eq(WTERMSIG(st), SIGUSR1);
}

Test(launch, inside_view)
{
        LaunchError err;
        int st = -1;

        /* pid 2 under ns-init, read-only root, own /tmp, no capabilities */
        cr_assert_eq(launch_sh("test $$ = 2 && test \"$(cat /proc/1/comm)\" = ns-init && "
                               "! touch /etc/ns-unit-test 2>/dev/null && touch /tmp/x && "
                               "{ grep -q '^CapEff:.0000000000000000$' /proc/self/status || "
                               "grep -q '^CapEff:.0000000080000000$' /proc/self/status; }",
                               &st, &err),
                     0);
        cr_assert(WIFEXITED(st));
        cr_assert_eq(WEXITSTATUS(st), 0);
}

Test(launch, exec_failure)
{
        char *argv[] = { (char *)"/nonexistent/ns-unit-test", NULL };
        LaunchConfig c = { .argv = argv, .cgroup_fd = -1 };
        LaunchError err;
        Launch *l = NULL;
        int st = -1;

        cr_assert_eq(launch_start(&c, &l, &err), 0);
        cr_assert_eq(launch_wait(l, &st, &err), 0);
        launch_free(l);
        cr_assert(WIFEXITED(st));
        cr_assert_eq(WEXITSTATUS(st), 127);
        cr_assert_eq(err.step, LAUNCH_STAGE_EXEC);
        cr_assert_eq(err.error, ENOENT);
        cr_assert_str_eq(err.detail, "/nonexistent/ns-unit-test");
}

Test(launch, bad_bind_source)
{
        char *argv[] = { (char *)"/bin/true", NULL };
        LaunchMount m = { LAUNCH_MOUNT_MAP, "/nonexistent/src", "/mnt" };
        LaunchConfig c = { .argv = argv, .cgroup_fd = -1, .mounts = &m, .n_mounts = 1 };
        LaunchError err;
        Launch *l = NULL;
        int st = -1;

        cr_assert_eq(launch_start(&c, &l, &err), 0);
        cr_assert_eq(launch_wait(l, &st, &err), -ENOENT);
        launch_free(l);
        cr_assert_eq(err.step, LAUNCH_STAGE_BIND_SOURCE);
        cr_assert_str_eq(err.detail, "/nonexistent/src");
}

/*
 * CLONE_INTO_CGROUP (the cgroup v2 path of --memory/--pids/--cpus): the
 * instance starts in the given cgroup. Tried in the cgroup v2 hierarchy,
 * with no controller: the machine this runs on may have all of them on v1.
 */
Test(launch, clone_into_cgroup)
{
        char leaf[2 * PATH_MAX + 32], script[PATH_MAX + 64], mnt[PATH_MAX] = "", own[PATH_MAX] = "";
        char *argv[] = { (char *)"/bin/sh", (char *)"-c", script, NULL };
        LaunchConfig c = { .argv = argv, .share = 1u << NS_CGROUP };
        _cleanup_free_ char *mi = NULL, *cg = NULL;
        LaunchError err;
        Launch *l = NULL;
        int st = -1;

        cr_assert_eq(read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, &mi, NULL), 0);
        for (char *line = strtok(mi, "\n"); line; line = strtok(NULL, "\n")) {
                char point[PATH_MAX], fstype[64];
                const char *dash = strstr(line, " - ");
                if (dash && sscanf(dash, " - %63s", fstype) == 1 && streq(fstype, "cgroup2") &&
                    sscanf(line, "%*s %*s %*s %*s %4095s", point) == 1) {
                        snprintf(mnt, sizeof(mnt), "%s", point);
                        break;
                }
        }
        cr_assert(mnt[0], "no cgroup2 mount: cannot test CLONE_INTO_CGROUP");
        cr_assert_eq(read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, &cg, NULL), 0);
        for (char *line = strtok(cg, "\n"); line; line = strtok(NULL, "\n"))
                if (startswith(line, "0::"))
                        snprintf(own, sizeof(own), "%s", line + 3);
        snprintf(leaf, sizeof(leaf), "%s%s/ns-unit-%d", mnt, streq(own, "/") ? "" : own,
                 (int)getpid());
        cr_assert_eq(mkdir(leaf, 0755), 0, "mkdir %s: %s", leaf, strerror(errno));
        c.cgroup_fd = open(leaf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        cr_assert_geq(c.cgroup_fd, 0);
        snprintf(script, sizeof(script), "grep -q '^0::.*/ns-unit-%d$' /proc/self/cgroup",
                 (int)getpid());

        cr_assert_eq(launch_start(&c, &l, &err), 0, "stage %d: %s", err.step, strerror(err.error));
        cr_assert_eq(launch_wait(l, &st, &err), 0);
        launch_reap(l, NULL);
        launch_free(l);
        close(c.cgroup_fd);
        cr_assert_eq(rmdir(leaf), 0, "rmdir %s: %s", leaf, strerror(errno));
        cr_assert(WIFEXITED(st));
        cr_assert_eq(WEXITSTATUS(st), 0, "the payload is not in %s", leaf);
}

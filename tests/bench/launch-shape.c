/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-launch-shape: the floor (launch-floor.c) in the shape of ns run,
 * the second anchor of tests/bench/run.sh. pid 1 is made by clone3 into the
 * user, mount, pid, UTS, IPC and cgroup namespaces and makes the network
 * namespace itself; the payload is vforked by it, maps its ids, mounts /proc
 * and execs; pid 1 waits for it and writes its status on a pipe, which the
 * caller waits on. None of ns run's work: no signals forwarded, no /dev,
 * no read-only root, no loopback, no seccomp, no capabilities dropped. What
 * ns run takes beyond this is its work; what this takes beyond the floor is
 * the shape. Static, plain libc, independent of src/. Usage:
 * bench-launch-shape CMD...
 */
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void put(const char *path, const char *s)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC);

        if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
                _exit(125);
        close(fd);
}

int main(int argc, char **argv)
{
        unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
        struct clone_args args = {
                .flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                         CLONE_NEWCGROUP,
                .exit_signal = SIGCHLD,
        };
        char uid_map[64], gid_map[64];
        struct pollfd pfd;
        int p[2], st = 0;
        pid_t pid;

        if (argc < 2 || pipe2(p, O_CLOEXEC) < 0)
                return 125;
        snprintf(uid_map, sizeof(uid_map), "%u %u 1", uid, uid);
        snprintf(gid_map, sizeof(gid_map), "%u %u 1", gid, gid);
        pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid < 0)
                return 125;
        if (pid == 0) {
                pid_t payload;

                close(p[0]);
                if (unshare(CLONE_NEWNET) < 0)
                        _exit(125);
                payload = vfork();
                if (payload == 0) {
                        put("/proc/self/setgroups", "deny");
                        put("/proc/self/uid_map", uid_map);
                        put("/proc/self/gid_map", gid_map);
                        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                                _exit(125);
                        execvp(argv[1], argv + 1);
                        _exit(127);
                }
                if (payload < 0 || waitpid(payload, &st, 0) < 0)
                        _exit(125);
                if (write(p[1], &st, sizeof(st)) != (ssize_t)sizeof(st))
                        _exit(125);
                _exit(0);
        }
        close(p[1]);
        pfd = (struct pollfd){ .fd = p[0], .events = POLLIN };
        if (poll(&pfd, 1, -1) < 0 || read(p[0], &st, sizeof(st)) != (ssize_t)sizeof(st))
                return 125;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

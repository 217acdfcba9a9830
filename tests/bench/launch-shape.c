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
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch-common.h"

int main(int argc, char **argv)
{
        struct clone_args args = {
                .flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
                         CLONE_NEWCGROUP,
                .exit_signal = SIGCHLD,
        };
        struct pollfd pfd;
        Maps maps;
        int p[2], st = 0;
        pid_t pid;

        if (argc < 2 || pipe2(p, O_CLOEXEC) < 0)
                return 125;
        maps_format(&maps);
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
                        maps_write(&maps);
                        proc_and_exec(argv + 1);
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

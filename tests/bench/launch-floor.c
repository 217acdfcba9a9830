/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-launch-floor: the least work a rootless launcher does, the anchor
 * that tests/bench/run.sh times `ns run true` against. The namespaces ns
 * run makes (user, mount, pid, network, UTS, IPC, cgroup), the single-id
 * maps, a fork to be pid 1 of the new pid namespace, a fresh /proc and the
 * exec. No reaper, no /dev, no read-only root, no loopback, no seccomp.
 * Static, plain libc, independent of src/. Usage: bench-launch-floor CMD...
 */
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include "launch-common.h"

int main(int argc, char **argv)
{
        Maps maps;
        int st;
        pid_t pid;

        if (argc < 2)
                return 125;
        maps_format(&maps);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS |
                    CLONE_NEWIPC | CLONE_NEWCGROUP) < 0)
                return 125;
        maps_write(&maps);
        pid = fork();
        if (pid == 0)
                proc_and_exec(argv + 1);
        if (pid < 0 || waitpid(pid, &st, 0) < 0)
                return 125;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

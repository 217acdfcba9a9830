/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench-launch-floor: the least work a rootless launcher does, the anchor
 * that tests/bench/run.sh times `ns run true` against. The namespaces ns
 * run makes (user, mount, pid, network, UTS, IPC, cgroup), the single-id
 * maps, a fork to be pid 1 of the new pid namespace, a fresh /proc and the
 * exec. No reaper, no /dev, no read-only root, no loopback, no seccomp.
 * Static, plain libc, independent of src/. Usage: bench-launch-floor CMD...
 */
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
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
        /* read before unshare: then they are the overflow ids until mapped */
        unsigned uid = (unsigned)getuid(), gid = (unsigned)getgid();
        char map[64];
        int st;
        pid_t pid;

        if (argc < 2)
                return 125;
        snprintf(map, sizeof(map), "%u %u 1", uid, uid);
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS |
                    CLONE_NEWIPC | CLONE_NEWCGROUP) < 0)
                return 125;
        put("/proc/self/setgroups", "deny");
        put("/proc/self/uid_map", map);
        snprintf(map, sizeof(map), "%u %u 1", gid, gid);
        put("/proc/self/gid_map", map);
        pid = fork();
        if (pid == 0) {
                if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
                    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                        _exit(125);
                execvp(argv[1], argv + 1);
                _exit(127);
        }
        if (pid < 0 || waitpid(pid, &st, 0) < 0)
                return 125;
        return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

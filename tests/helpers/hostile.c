/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a hostile instance (or its owner) does to ns enter, for
 * test-enter-escapes.sh. Each mode runs for at most SECONDS.
 *
 *   hostile stop SECONDS LOG [ANCESTOR]
 *       SIGSTOP every new process called "ns" that we may signal (the
 *       relay, the joiner, the command before its exec), below ANCESTOR
 *       when given (so that another suite's ns is left alone); log
 *       "hit PID".
 *   hostile steal SECONDS PATH
 *       The same, and while it is stopped take each of its fds with
 *       pidfd_getfd and try to create PATH (relative) through every
 *       directory among them; exit 0 with "stole" on stderr when one
 *       worked, 1 when none did.
 *   hostile fgstale OUT
 *       On a terminal: make a new process group the foreground one, let
 *       it die, write its pid (as we see it) to OUT, then wait for ever.
 *   hostile getpg PID FD
 *       Print the foreground process group of the terminal at fd FD of
 *       PID, as PID sees it (TIOCGPGRP on a copy taken with pidfd_getfd).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int is_ns(pid_t p)
{
        char path[64], comm[32] = "";
        int fd;
        ssize_t k;

        snprintf(path, sizeof(path), "/proc/%d/comm", (int)p);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        k = read(fd, comm, sizeof(comm) - 1);
        close(fd);
        return k == 3 && memcmp(comm, "ns\n", 3) == 0;
}

static pid_t parent_of(pid_t p)
{
        char path[64], buf[512];
        int fd, ppid = 0;
        ssize_t k;
        char *e;

        snprintf(path, sizeof(path), "/proc/%d/stat", (int)p);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (k <= 0)
                return 0;
        buf[k] = '\0';
        e = strrchr(buf, ')');
        if (!e || sscanf(e + 1, " %*c %d", &ppid) != 1)
                return 0;
        return (pid_t)ppid;
}

static int below(pid_t p, pid_t ancestor)
{
        for (int depth = 0; ancestor > 0 && p > 1 && depth < 64; depth++) {
                p = parent_of(p);
                if (p == ancestor)
                        return 1;
        }
        return ancestor <= 0;
}

static pid_t last_pid(void)
{
        char buf[32] = "";
        int fd = open("/proc/sys/kernel/ns_last_pid", O_RDONLY | O_CLOEXEC);
        ssize_t k = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;

        if (fd >= 0)
                close(fd);
        return k > 0 ? (pid_t)atoi(buf) : 0;
}

/* Try every fd of a stopped p: 1 when PATH could be made through one. */
static int steal(pid_t p, const char *path)
{
        int pfd = (int)syscall(SYS_pidfd_open, p, 0), got = 0;

        for (int t = 0; pfd >= 0 && t < 64 && !got; t++) {
                int fd = (int)syscall(SYS_pidfd_getfd, pfd, t, 0), w;
                struct stat st;

                if (fd < 0)
                        continue;
                if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
                        w = openat(fd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
                        if (w >= 0) {
                                dprintf(w, "through fd %d of pid %d\n", t, (int)p);
                                close(w);
                                got = 1;
                        }
                }
                close(fd);
        }
        if (pfd >= 0)
                close(pfd);
        return got;
}

static int harass(int seconds, const char *log_or_path, int stealing, pid_t ancestor)
{
        time_t end = time(NULL) + seconds;
        FILE *log = stealing ? NULL : fopen(log_or_path, "w");

        if (!stealing && !log)
                return 2;
        pid_t hit[64] = {};
        unsigned n_hit = 0;

        while (time(NULL) < end) {
                pid_t base = last_pid();

                for (pid_t p = base - 4; p <= base + 8; p++) {
                        bool seen = false;

                        for (unsigned i = 0; i < 64 && !seen; i++)
                                seen = hit[i] == p;
                        if (p <= 1 || p == getpid() || seen || !is_ns(p) || !below(p, ancestor) ||
                            kill(p, SIGSTOP) < 0)
                                continue;
                        if (!stealing) {
                                hit[n_hit++ % 64] = p;
                                fprintf(log, "hit %d\n", (int)p);
                                fflush(log);
                                continue; /* left stopped */
                        }
                        if (steal(p, log_or_path)) {
                                fprintf(stderr, "stole through pid %d\n", (int)p);
                                kill(p, SIGCONT);
                                return 0;
                        }
                        kill(p, SIGCONT);
                }
        }
        if (log)
                fclose(log);
        return stealing ? 1 : 0;
}

static int fgstale(const char *out)
{
        pid_t c = fork();
        FILE *f;

        if (c < 0)
                return 2;
        if (c == 0) {
                pause();
                _exit(0);
        }
        setpgid(c, c);
        signal(SIGTTOU, SIG_IGN);
        if (tcsetpgrp(0, c) < 0)
                return 2;
        kill(c, SIGKILL);
        waitpid(c, NULL, 0);
        f = fopen(out, "w");
        if (!f)
                return 2;
        fprintf(f, "%d\n", (int)c);
        fclose(f);
        for (;;)
                pause();
}

static int getpg(pid_t p, int fd)
{
        int pfd = (int)syscall(SYS_pidfd_open, p, 0);
        int t = pfd >= 0 ? (int)syscall(SYS_pidfd_getfd, pfd, fd, 0) : -1;
        pid_t pg;

        if (t < 0 || ioctl(t, TIOCGPGRP, &pg) < 0)
                return 2;
        printf("%d\n", (int)pg);
        return 0;
}

int main(int argc, char **argv)
{
        if ((argc == 4 || argc == 5) && strcmp(argv[1], "stop") == 0)
                return harass(atoi(argv[2]), argv[3], 0, argc == 5 ? (pid_t)atoi(argv[4]) : 0);
        if (argc == 4 && strcmp(argv[1], "steal") == 0)
                return harass(atoi(argv[2]), argv[3], 1, 0);
        if (argc == 3 && strcmp(argv[1], "fgstale") == 0)
                return fgstale(argv[2]);
        if (argc == 4 && strcmp(argv[1], "getpg") == 0)
                return getpg((pid_t)atoi(argv[2]), atoi(argv[3]));
        fprintf(stderr, "usage: hostile stop SECONDS LOG [ANCESTOR], steal SECONDS PATH, fgstale OUT, getpg PID FD\n");
        return 2;
}

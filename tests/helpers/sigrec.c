/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process group that records the signals it gets, for the ns kill tests.
 *
 *   sigrec LOG N
 *       install handlers for HUP, INT, USR1, USR2 and TERM, start N-1
 *       children that share them, and wait for signals forever. Each
 *       process appends "<pid> ready" to LOG once, then "<pid> <signal>"
 *       for every signal it handles, pid as getpid() sees it (the pid in
 *       its own namespace). The first process reaps the others, so one
 *       that is killed does not linger as a zombie.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int log_fd = -1;

/* "<pid> <word>\n" in one write(2), with async-signal-safe code only. */
static void record(const char *word)
{
        char buf[64], digits[16];
        size_t n = 0, k = 0;
        unsigned v = (unsigned)getpid();

        do
                digits[k++] = (char)('0' + v % 10);
        while ((v /= 10) > 0);
        while (k > 0)
                buf[n++] = digits[--k];
        buf[n++] = ' ';
        for (const char *w = word; *w && n < sizeof(buf) - 1; w++)
                buf[n++] = *w;
        buf[n++] = '\n';
        (void)!write(log_fd, buf, n);
}

static void on_signal(int sig)
{
        int saved = errno;
        char word[4] = { (char)('0' + sig / 10), (char)('0' + sig % 10), 0, 0 };

        record(sig < 10 ? word + 1 : word);
        errno = saved;
}

static void on_child(int sig)
{
        (void)sig;
}

int main(int argc, char **argv)
{
        static const int sigs[] = { SIGHUP, SIGINT, SIGUSR1, SIGUSR2, SIGTERM };
        struct sigaction sa = { .sa_handler = on_signal };
        struct sigaction sc = { .sa_handler = on_child, .sa_flags = SA_NOCLDSTOP };
        int n;

        if (argc != 3 || (n = atoi(argv[2])) < 1) {
                fputs("usage: sigrec LOG N\n", stderr);
                return 2;
        }
        log_fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
        if (log_fd < 0) {
                perror(argv[1]);
                return 1;
        }
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
                sigaction(sigs[i], &sa, NULL);
        sigaction(SIGCHLD, &sc, NULL);

        for (int i = 1; i < n; i++) {
                pid_t pid = fork();

                if (pid < 0) {
                        perror("fork");
                        return 1;
                }
                if (pid == 0) {
                        /* a child does not reap: it only waits */
                        signal(SIGCHLD, SIG_DFL);
                        record("ready");
                        for (;;)
                                pause();
                }
        }
        record("ready");
        for (;;) {
                pause();
                while (waitpid(-1, NULL, WNOHANG) > 0)
                        ;
        }
}

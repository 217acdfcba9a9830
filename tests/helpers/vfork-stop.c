/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A task stuck in D state on purpose (test-inspect.sh, test-top-batch.sh):
 * it vforks and the child stops itself before it execs, so the task waits
 * in wait_for_vfork_done, uninterruptibly, until the child is continued or
 * killed. With the argument "thread" the task in D is a second thread,
 * while the main one (whose state /proc/PID/stat shows) sleeps.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void *stuck(void *arg)
{
        pid_t pid = vfork();

        (void)arg;
        if (pid == 0) {
                /* only async-signal-safe calls between vfork and _exit */
                kill(getpid(), SIGSTOP);
                _exit(0);
        }
        /* continued only when the child ends; then stay, to be inspected again */
        for (;;)
                pause();
        return NULL;
}

int main(int argc, char **argv)
{
        pthread_t t;

        if (argc > 1 && strcmp(argv[1], "thread") == 0) {
                if (pthread_create(&t, NULL, stuck, NULL) != 0)
                        return 1;
                for (;;)
                        pause();
        }
        stuck(NULL);
        return 0;
}

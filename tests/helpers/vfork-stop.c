/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A task stuck in D state on purpose (test-inspect.sh): the parent vforks
 * and the child stops itself before it execs, so the parent waits in
 * wait_for_vfork_done, uninterruptibly, until the child is continued or
 * killed.
 */
#include <signal.h>
#include <unistd.h>

int main(void)
{
        pid_t pid = vfork();

        if (pid == 0) {
                /* only async-signal-safe calls between vfork and _exit */
                kill(getpid(), SIGSTOP);
                _exit(0);
        }
        /* continued only when the child ends; then stay, to be inspected again */
        for (;;)
                pause();
}

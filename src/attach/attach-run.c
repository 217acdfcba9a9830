/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ns enter end to end, for every caller (the command, the TUI's child):
 * the choice of a pty or pipes, the signals, attach_spawn() and the relay,
 * and the terminal put back however it ends. Never prints.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "attach.h"
#include "macro.h"
#include "pty.h"

static bool fd_is_open(int fd)
{
        return fcntl(fd, F_GETFD) >= 0;
}

int attach_run(Attach *a, int *ret_wstatus, AttachError *err)
{
        _cleanup_close_ int sigfd = -EBADF, master = -EBADF, devnull = -EBADF;
        AttachStdio io = { .fd = { 0, 1, 2 } };
        int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
        Relay relay = { .master = -1, .tty = -1 };
        struct termios saved, raw;
        struct winsize ws;
        bool raw_on = false;
        pid_t child = 0;
        int r, wstatus = 0;

        /* A terminal on both ends: a new pty inside, relayed in raw mode.
         * Otherwise plain fds, except that a terminal among them goes
         * through a pipe: the host's tty is never handed to the container. */
        io.pty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        if (io.pty) {
                if (tcgetattr(STDIN_FILENO, &saved) == 0)
                        io.termios = &saved;
                if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
                        io.winsize = &ws;
                io.term = getenv("TERM");
        } else {
                for (int i = 0; i < 3; i++) {
                        if (!fd_is_open(i)) {
                                if (devnull < 0)
                                        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
                                io.fd[i] = devnull;
                                continue;
                        }
                        if (!isatty(i))
                                continue;
                        if (pipe2(pipes[i], O_CLOEXEC) < 0) {
                                r = step_error(err, ATTACH_STEP_STDIO, errno, "pipe");
                                goto finish;
                        }
                        /* ours is the other end, non-blocking for the relay */
                        io.fd[i] = pipes[i][i == 0 ? 0 : 1];
                        (void)fcntl(pipes[i][i == 0 ? 1 : 0], F_SETFL, O_NONBLOCK);
                }
        }

        r = relay_signals_block(&sigfd);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_STDIO, r, "signals");
                goto finish;
        }

        /* Steps 4 to 8. */
        r = attach_spawn(a, &io, sigfd, &child, &master, err);
        if (r < 0)
                goto finish;

        relay.child = child;
        relay.sigfd = sigfd;
        if (io.pty) {
                if (master >= 0) {
                        (void)fcntl(master, F_SETFL, O_NONBLOCK);
                        if (tty_raw(STDIN_FILENO, &saved) == 0) {
                                raw_on = true;
                                (void)tcgetattr(STDIN_FILENO, &raw);
                                relay.raw = &raw;
                        }
                        relay.tty = STDIN_FILENO;
                        relay.master = master;
                        relay.pairs[relay.n_pairs++] = (RelayPair){ STDIN_FILENO, master, false };
                        relay.pairs[relay.n_pairs++] = (RelayPair){ master, STDOUT_FILENO, false };
                }
        } else {
                for (int i = 0; i < 3; i++) {
                        if (pipes[i][0] < 0)
                                continue;
                        /* the child has its ends now */
                        closep(&pipes[i][i == 0 ? 0 : 1]);
                        if (i == 0)
                                /* the relay closes it at the end of the input */
                                relay.pairs[relay.n_pairs++] =
                                        (RelayPair){ STDIN_FILENO, TAKE_FD(pipes[0][1]), true };
                        else
                                relay.pairs[relay.n_pairs++] = (RelayPair){ pipes[i][0], i, false };
                }
        }
        r = relay_run(&relay, &wstatus);
        if (raw_on)
                tty_restore(STDIN_FILENO, &saved);
        if (r < 0) {
                r = step_error(err, ATTACH_STEP_RELAY, r, NULL);
                goto finish;
        }
        *ret_wstatus = wstatus;
        r = 0;
finish:
        for (int i = 0; i < 3; i++) {
                closep(&pipes[i][0]);
                closep(&pipes[i][1]);
        }
        return r;
}

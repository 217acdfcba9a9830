/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Terminals for ns enter. Inside the instance: a new pty from its own
 * devpts, so the host's terminal is never handed to the container (where
 * TIOCSTI or TIOCLINUX on it would type commands into the host's shell).
 * On the host: raw mode on the user's terminal, restored on every way out,
 * and a relay that copies bytes between it and the pty (or between the
 * user's terminal and pipes), forwards signals and window-size changes,
 * and reaps the command.
 */

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <termios.h>

/* ---- inside ---- */

/*
 * A new pty from the devpts of the current root (/dev/pts/ptmx, then
 * /dev/ptmx), the slave taken with TIOCGPTPEER (Linux 4.13) so that no
 * path of the container is looked up for it. Returns 0 or -errno.
 */
int pty_open_inside(int *ret_master, int *ret_slave);

/* The same from the ptmx in the directory dev_fd (the host's /dev). */
int pty_open_at(int dev_fd, int *ret_master, int *ret_slave);

/* Give the slave its first modes and window size (either may be NULL). */
int pty_setup_slave(int slave, const struct termios *t, const struct winsize *ws);

/* Make slave the controlling terminal of the calling session leader and
 * its stdin, stdout and stderr. Consumes slave. */
int pty_make_controlling(int slave);

/* ---- host ---- */

/*
 * Block the signals the relay handles (SIGCHLD, SIGWINCH, SIGCONT, SIGINT,
 * SIGTERM, SIGHUP, SIGQUIT) and return a signalfd for them; ignore
 * SIGPIPE. Call before forking, so that no SIGCHLD is lost.
 */
int relay_signals_block(int *ret_sigfd);

/*
 * Put the terminal fd in raw mode, saving its modes in *ret_saved. Until
 * tty_restore(), a crash of this process (SIGSEGV, SIGBUS, SIGILL,
 * SIGFPE, SIGABRT) restores them before it dies.
 */
int tty_raw(int fd, struct termios *ret_saved);
void tty_restore(int fd, const struct termios *saved);

typedef struct RelayPair {
        int from;
        int to;
        bool close_to_at_eof; /* "to" is our pipe: close it when "from" ends */
} RelayPair;

typedef struct Relay {
        pid_t child;               /* the command: a session and process-group leader */
        int sigfd;                 /* from relay_signals_block() */
        int master;                /* the pty master, or -1 */
        int tty;                   /* the user's terminal in raw mode, or -1 */
        const struct termios *raw; /* its raw modes, to put back after SIGCONT */
        RelayPair pairs[3];
        size_t n_pairs;
} Relay;

/*
 * Copy bytes until the command exits, then what it left in the pty or the
 * pipes. SIGINT, SIGTERM, SIGHUP and SIGQUIT are passed to the command's
 * process group (and to the pty's foreground group); SIGWINCH sets the
 * pty's size from the terminal's. Returns 0 with the command's wait
 * status, or -errno.
 */
int relay_run(const Relay *r, int *ret_wstatus);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "macro.h"
#include "pty.h"

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41) /* Linux 4.13 */
#endif

#define RELAY_BUF (64 * 1024)

/* ------------------------------------------------------------ inside */

static int ptmx_open(int dirfd, const char *path, int *ret_master, int *ret_slave)
{
        _cleanup_close_ int master = -EBADF;
        struct stat st;
        int unlock = 0, slave;

        master = openat(dirfd, path, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (master < 0)
                return -errno;
        /* the multiplexer, character device 5:2, and not something planted there */
        if (fstat(master, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
                return -ENOTTY;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return -errno;
        slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (slave < 0)
                return -errno;
        *ret_master = TAKE_FD(master);
        *ret_slave = slave;
        return 0;
}

int pty_open_inside(int *ret_master, int *ret_slave)
{
        int r;

        /* /dev/pts/ptmx is the container's own devpts; /dev/ptmx may be a
         * node that refers to it, for devpts mounted with ptmxmode=000. */
        r = ptmx_open(AT_FDCWD, "/dev/pts/ptmx", ret_master, ret_slave);
        if (r >= 0)
                return r;
        return ptmx_open(AT_FDCWD, "/dev/ptmx", ret_master, ret_slave);
}

int pty_open_at(int dev_fd, int *ret_master, int *ret_slave)
{
        return ptmx_open(dev_fd, "ptmx", ret_master, ret_slave);
}

int pty_setup_slave(int slave, const struct termios *t, const struct winsize *ws)
{
        if (t && tcsetattr(slave, TCSANOW, t) < 0)
                return -errno;
        if (ws && ioctl(slave, TIOCSWINSZ, ws) < 0)
                return -errno;
        return 0;
}

int pty_make_controlling(int slave)
{
        if (ioctl(slave, TIOCSCTTY, 0) < 0) {
                int r = -errno;
                close(slave);
                return r;
        }
        for (int i = 0; i < 3; i++)
                if (dup2(slave, i) < 0) {
                        int r = -errno;
                        close(slave);
                        return r;
                }
        if (slave > 2)
                close(slave);
        return 0;
}

/* -------------------------------------------------------------- host */

/*
 * What the crash handler needs. A signal handler gets no argument, so this
 * is the one place that keeps them in static storage; they are written
 * before the handler is installed and only read by it.
 */
static struct termios crash_saved;
static volatile sig_atomic_t crash_fd = -1;

static void crash_handler(int sig)
{
        int saved = errno;

        if (crash_fd >= 0)
                (void)tcsetattr(crash_fd, TCSANOW, &crash_saved);
        errno = saved;
        /* SA_RESETHAND made the action the default again */
        raise(sig);
}

static const int crash_signals[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT };

int tty_raw(int fd, struct termios *ret_saved)
{
        struct termios t, raw;
        struct sigaction sa = { .sa_handler = crash_handler,
                                .sa_flags = SA_RESETHAND | SA_NODEFER };

        if (tcgetattr(fd, &t) < 0)
                return -errno;
        raw = t;
        cfmakeraw(&raw);
        crash_saved = t;
        crash_fd = fd;
        for (size_t i = 0; i < ELEMENTSOF(crash_signals); i++)
                (void)sigaction(crash_signals[i], &sa, NULL);
        if (tcsetattr(fd, TCSANOW, &raw) < 0) {
                int r = -errno;
                crash_fd = -1;
                return r;
        }
        *ret_saved = t;
        return 0;
}

void tty_restore(int fd, const struct termios *saved)
{
        struct sigaction sa = { .sa_handler = SIG_DFL };

        /* TCSADRAIN: what the command wrote goes out in raw mode first */
        while (tcsetattr(fd, TCSADRAIN, saved) < 0 && errno == EINTR)
                ;
        crash_fd = -1;
        for (size_t i = 0; i < ELEMENTSOF(crash_signals); i++)
                (void)sigaction(crash_signals[i], &sa, NULL);
}

int relay_signals_block(int *ret_sigfd)
{
        sigset_t set;
        int fd;

        sigemptyset(&set);
        sigaddset(&set, SIGCHLD);
        sigaddset(&set, SIGWINCH);
        sigaddset(&set, SIGCONT);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGQUIT);
        if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
                return -errno;
        fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* a reader that went away is an EPIPE to handle, not a death */
        signal(SIGPIPE, SIG_IGN);
        *ret_sigfd = fd;
        return 0;
}

typedef struct Flow {
        int from, to;
        bool close_to_at_eof;
        bool open;          /* still reading from "from" */
        bool to_nonblock;   /* "to" is ours and non-blocking: wait for POLLOUT */
        bool from_nonblock; /* "from" is ours: the pty or a pipe, not the user's input */
        char *buf;
        size_t len, off;
} Flow;

static int write_all(int fd, const char *p, size_t n)
{
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0 && errno == EAGAIN) {
                        struct pollfd pfd = { .fd = fd, .events = POLLOUT };
                        (void)poll(&pfd, 1, -1);
                        continue;
                }
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

static void flow_end(Flow *f)
{
        f->open = false;
        f->len = f->off = 0;
        if (f->close_to_at_eof && f->to >= 0) {
                close(f->to);
                f->to = -EBADF;
        }
}

/* Read what is there; for a blocking "to", write it all at once. */
static void flow_read(Flow *f)
{
        ssize_t k = read(f->from, f->buf, RELAY_BUF);

        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        /* EIO: the pty's slave was closed by everyone, the end of its output */
        if (k <= 0) {
                flow_end(f);
                return;
        }
        f->len = (size_t)k;
        f->off = 0;
        if (!f->to_nonblock) {
                if (write_all(f->to, f->buf, f->len) < 0)
                        flow_end(f);
                f->len = 0;
        }
}

static void flow_write(Flow *f)
{
        ssize_t k = write(f->to, f->buf + f->off, f->len - f->off);

        if (k < 0 && (errno == EINTR || errno == EAGAIN))
                return;
        if (k < 0) {
                flow_end(f); /* EPIPE, EIO: nobody reads any more */
                return;
        }
        f->off += (size_t)k;
        if (f->off == f->len)
                f->len = f->off = 0;
}

/* After the command exited: copy what is still buffered, without waiting
 * for processes it left behind that hold the pty or pipes open. */
static void flow_drain(Flow *f)
{
        if (!f->open || !f->from_nonblock)
                return; /* the user's input: nothing more to give, and it would block */
        if (f->len > 0)
                (void)write_all(f->to, f->buf + f->off, f->len - f->off);
        f->len = 0;
        for (int i = 0; i < 1024; i++) {
                ssize_t k = read(f->from, f->buf, RELAY_BUF);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        break;
                if (write_all(f->to, f->buf, (size_t)k) < 0)
                        break;
        }
}

static void forward_signal(const Relay *r, int sig)
{
        /* The command's own group: its pid stays reserved until we reap
         * it, so the number cannot name anybody else's group. */
        (void)kill(-r->child, sig);
        /* A stopped command (by itself, or by whoever may signal it inside)
         * would keep the signal pending for ever: continue it, as a shell's
         * kill does for a stopped job. */
        (void)kill(-r->child, SIGCONT);
        /* The shell's foreground job is a process group of its own. Never
         * by its number from tcgetpgrp(): the pty keeps the number of a
         * group that died, which a host process may have since. TIOCSIG
         * has the kernel signal the group the pty refers to (SIGINT,
         * SIGQUIT and SIGTSTP only); the rest reach it as the terminal's
         * hangup when we close the master. */
        if (r->master >= 0 && (sig == SIGINT || sig == SIGQUIT)) {
                pid_t fg = tcgetpgrp(r->master);

                /* the number only tells whether it is the command's own */
                if (fg > 0 && fg != r->child)
                        (void)ioctl(r->master, TIOCSIG, sig);
        }
}

static void sync_winsize(const Relay *r)
{
        struct winsize ws;

        if (r->tty >= 0 && r->master >= 0 && ioctl(r->tty, TIOCGWINSZ, &ws) == 0)
                (void)ioctl(r->master, TIOCSWINSZ, &ws);
}

int relay_run(const Relay *r, int *ret_wstatus)
{
        Flow flows[3] = {};
        size_t n = MIN(r->n_pairs, ELEMENTSOF(flows));
        bool done = false;
        int status = 0, ret = 0;

        for (size_t i = 0; i < n; i++) {
                int fl = fcntl(r->pairs[i].to, F_GETFL), ffl = fcntl(r->pairs[i].from, F_GETFL);
                flows[i] = (Flow){
                        .from_nonblock = ffl >= 0 && (ffl & O_NONBLOCK),
                        .from = r->pairs[i].from,
                        .to = r->pairs[i].to,
                        .close_to_at_eof = r->pairs[i].close_to_at_eof,
                        .open = true,
                        .to_nonblock = fl >= 0 && (fl & O_NONBLOCK),
                        .buf = xmalloc(RELAY_BUF),
                };
        }
        /* The window may have changed since the pty was made. */
        sync_winsize(r);

        /* It may have exited before we got here, its SIGCHLD already read. */
        if (waitpid(r->child, &status, WNOHANG) == r->child)
                done = true;

        while (!done) {
                struct pollfd p[1 + 2 * ELEMENTSOF(flows)];
                int idx[ELEMENTSOF(p)];
                size_t np = 0;

                p[np] = (struct pollfd){ .fd = r->sigfd, .events = POLLIN };
                idx[np++] = -1;
                for (size_t i = 0; i < n; i++) {
                        Flow *f = &flows[i];
                        if (f->open && f->len == 0) {
                                p[np] = (struct pollfd){ .fd = f->from, .events = POLLIN };
                                idx[np++] = (int)i;
                        } else if (f->open && f->len > 0) {
                                p[np] = (struct pollfd){ .fd = f->to, .events = POLLOUT };
                                idx[np++] = (int)i;
                        }
                }
                if (poll(p, np, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        ret = -errno;
                        break;
                }
                for (size_t k = 1; k < np; k++) {
                        Flow *f = &flows[idx[k]];
                        if (!p[k].revents || !f->open)
                                continue;
                        if (p[k].events == POLLIN)
                                flow_read(f);
                        else if (p[k].revents & (POLLERR | POLLHUP | POLLNVAL))
                                flow_end(f);
                        else
                                flow_write(f);
                }
                if (p[0].revents & POLLIN) {
                        struct signalfd_siginfo si;

                        while (read(r->sigfd, &si, sizeof(si)) == sizeof(si)) {
                                int sig = (int)si.ssi_signo;

                                if (sig == SIGCHLD) {
                                        pid_t w = waitpid(r->child, &status, WNOHANG);
                                        if (w == r->child)
                                                done = true;
                                } else if (sig == SIGWINCH)
                                        sync_winsize(r);
                                else if (sig == SIGCONT) {
                                        /* back from a stop: the shell may have reset the terminal
                                         */
                                        if (r->tty >= 0 && r->raw)
                                                (void)tcsetattr(r->tty, TCSANOW, r->raw);
                                        sync_winsize(r);
                                } else
                                        forward_signal(r, sig);
                        }
                }
        }

        if (done)
                for (size_t i = 0; i < n; i++)
                        flow_drain(&flows[i]);
        for (size_t i = 0; i < n; i++) {
                free(flows[i].buf);
                if (flows[i].close_to_at_eof && flows[i].to >= 0)
                        close(flows[i].to);
        }
        if (ret < 0)
                return ret;
        *ret_wstatus = status;
        return 0;
}

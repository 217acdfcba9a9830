/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

#include "macro.h"
#include "reader.h"
#include "util.h"

/* A request is a header and the path; an answer a header and the bytes. */
typedef struct Request {
        uint32_t path_len;
        uint32_t max;
} Request;

typedef struct Answer {
        int32_t error;
        uint32_t len;
} Answer;

#define READER_PATH_MAX 4096
#define READER_DATA_MAX (1024 * 1024)

struct Reader {
        int proc_fd;
        unsigned timeout_ms;
        uint64_t budget_usec;   /* left for reads that time out */
        pid_t helper;
        int fd;                 /* our end of the helper's socket */
        pid_t *killed;          /* helpers killed at a deadline, to reap */
        size_t n_killed;
        size_t n_timeouts;
};

uint64_t now_usec(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * Move n bytes over the helper's socket, out (send) or in (read), before
 * the deadline on the monotonic clock (0: wait as long as it takes).
 * MSG_NOSIGNAL: a peer that died is an error here, not SIGPIPE.
 */
static int transfer(int fd, bool out, void *p, size_t n, uint64_t deadline)
{
        char *c = p;

        while (n > 0) {
                ssize_t k;

                if (deadline > 0) {
                        struct pollfd pfd = { .fd = fd, .events = out ? POLLOUT : POLLIN };
                        uint64_t now = now_usec();
                        int w;

                        if (now >= deadline)
                                return -ETIMEDOUT;
                        w = poll(&pfd, 1, (int)((deadline - now + 999) / 1000));
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return -errno;
                        if (w == 0)
                                return -ETIMEDOUT;
                }
                k = out ? send(fd, c, n, MSG_NOSIGNAL) : read(fd, c, n);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EPIPE;
                c += k;
                n -= (size_t)k;
        }
        return 0;
}

static int write_all(int fd, const void *p, size_t n)
{
        return transfer(fd, true, (void *)p, n, 0);
}

static int read_all(int fd, void *p, size_t n)
{
        return transfer(fd, false, p, n, 0);
}

/* The helper: read what is asked, answer, until the socket closes. */
_noreturn_ static void helper_main(int proc_fd, int fd, pid_t parent)
{
        char path[READER_PATH_MAX + 1];

        /* It must not outlive ns; nor serve a parent that is already gone. */
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
                _exit(0);
        for (;;) {
                _cleanup_free_ char *buf = NULL;
                Request q;
                Answer a = {};
                size_t len = 0;

                if (read_all(fd, &q, sizeof(q)) < 0 || q.path_len > READER_PATH_MAX ||
                    read_all(fd, path, q.path_len) < 0)
                        _exit(0);
                path[q.path_len] = '\0';
                a.error = read_file_at(proc_fd, path, q.max, &buf, &len);
                a.len = a.error < 0 ? 0 : (uint32_t)len;
                if (write_all(fd, &a, sizeof(a)) < 0 || write_all(fd, buf, a.len) < 0)
                        _exit(0);
        }
}

static void reap_killed(Reader *r)
{
        size_t out = 0;

        for (size_t i = 0; i < r->n_killed; i++)
                if (waitpid(r->killed[i], NULL, WNOHANG) == 0)
                        r->killed[out++] = r->killed[i];
        r->n_killed = out;
}

/* Kill the helper (it stopped answering) and forget it; reaped later. */
static void helper_drop(Reader *r)
{
        if (r->helper > 0) {
                (void)kill(r->helper, SIGKILL);
                r->killed = xreallocarray(r->killed, r->n_killed + 1, sizeof(pid_t));
                r->killed[r->n_killed++] = r->helper;
                r->helper = 0;
        }
        closep(&r->fd);
        reap_killed(r);
}

static int helper_start(Reader *r)
{
        int sv[2];
        pid_t parent = getpid(), pid;

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int e = -errno;
                close(sv[0]);
                close(sv[1]);
                return e;
        }
        if (pid == 0) {
                close(sv[0]);
                helper_main(r->proc_fd, sv[1], parent);
        }
        close(sv[1]);
        r->helper = pid;
        r->fd = sv[0];
        return 0;
}

int reader_new(int proc_fd, unsigned timeout_ms, unsigned budget_ms, Reader **ret)
{
        Reader *r = xnew(Reader, 1);

        r->proc_fd = proc_fd;
        r->timeout_ms = timeout_ms;
        r->budget_usec = (uint64_t)budget_ms * 1000;
        r->fd = -EBADF;
        *ret = r;
        return 0;
}

Reader *reader_free(Reader *r)
{
        if (!r)
                return NULL;
        /* A helper that answered is idle: closing its socket ends it. */
        closep(&r->fd);
        if (r->helper > 0)
                (void)waitpid(r->helper, NULL, 0);
        /* A killed helper dies as soon as its lock wait ends; do not wait for it. */
        reap_killed(r);
        free(r->killed);
        free(r);
        return NULL;
}

size_t reader_timeouts(const Reader *r)
{
        return r->n_timeouts;
}

int reader_read(Reader *r, const char *path, size_t max, char **ret, size_t *ret_len)
{
        size_t path_len = strlen(path);
        Request q = { .path_len = (uint32_t)path_len };
        uint64_t start, deadline, wait;
        _cleanup_free_ char *buf = NULL;
        Answer a;
        int k;

        if (path_len > READER_PATH_MAX)
                return -ENAMETOOLONG;
        if (r->budget_usec == 0)
                return -ECANCELED;
        if (max == 0 || max > READER_DATA_MAX)
                max = READER_DATA_MAX;
        q.max = (uint32_t)max;
        if (r->helper <= 0) {
                k = helper_start(r);
                if (k < 0)
                        return k;
        }
        start = now_usec();
        wait = MIN((uint64_t)r->timeout_ms * 1000, r->budget_usec);
        deadline = start + wait;
        /* The socket buffer holds a request whole: sending does not wait for the helper. */
        k = write_all(r->fd, &q, sizeof(q));
        if (k >= 0)
                k = write_all(r->fd, path, path_len);
        if (k >= 0)
                k = transfer(r->fd, false, &a, sizeof(a), deadline);
        if (k >= 0 && a.error >= 0) {
                if (a.len > max) {
                        k = -EPROTO;
                } else {
                        buf = xmalloc((size_t)a.len + 1);
                        k = transfer(r->fd, false, buf, a.len, deadline);
                }
        }
        if (k < 0) {
                if (k == -ETIMEDOUT) {
                        r->n_timeouts++;
                        r->budget_usec -= MIN(r->budget_usec, now_usec() - start);
                }
                helper_drop(r);
                return k;
        }
        if (a.error < 0)
                return a.error;
        buf[a.len] = '\0';
        if (ret_len)
                *ret_len = a.len;
        *ret = TAKE_PTR(buf);
        return 0;
}

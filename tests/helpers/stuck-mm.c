/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A process whose memory lock a task in D state holds (test-top-batch.sh):
 * reading its /proc/PID/cmdline then blocks, as ps does on a host with a
 * dead network file system.
 *
 *   stuck-mm READY-FILE SECONDS
 *
 * It makes a mount namespace of its own and mounts there, on /mnt, a FUSE
 * file system whose server (a child process) answers every request but
 * READ, which it answers only after SECONDS. A thread reads the file's mapping through /proc/self/mem:
 * that read faults the page in while it holds the mmap_lock for reading
 * (a remote access cannot drop it), and waits in D state for the READ. A
 * second thread asks for the lock for writing (mmap) and waits behind it,
 * and from then on every new reader of the mmap_lock (cmdline, environ,
 * maps) waits too. When all that holds, the pid goes to READY-FILE.
 *
 * Nothing stays stuck for good: the server answers after SECONDS, or at
 * once when it is killed (its end of /dev/fuse closes and the kernel
 * aborts the connection); it dies with the process (PDEATHSIG).
 *
 * The main thread avoids malloc and stdio once the lock is taken: either
 * may call mmap or brk, which would wait behind the writer too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#define FILE_INO 2
#define FILE_SIZE 4096

static void die(const char *what)
{
        fprintf(stderr, "stuck-mm: %s: %s\n", what, strerror(errno));
        exit(1);
}

/* ------------------------------------------------------------ the server */

static unsigned char req[1 << 20];

static void reply(int fd, uint64_t unique, int error, const void *arg, size_t len)
{
        unsigned char out[sizeof(struct fuse_out_header) + 256];
        struct fuse_out_header h = { .len = (uint32_t)(sizeof(h) + len), .error = error,
                                     .unique = unique };

        memcpy(out, &h, sizeof(h));
        if (len)
                memcpy(out + sizeof(h), arg, len);
        /* ENOENT: the request was interrupted and is gone; nothing to do */
        (void)!write(fd, out, sizeof(h) + len);
}

static void fill_attr(struct fuse_attr *a, uint64_t ino)
{
        memset(a, 0, sizeof(*a));
        a->ino = ino;
        a->nlink = 1;
        if (ino == FUSE_ROOT_ID) {
                a->mode = S_IFDIR | 0555;
                a->nlink = 2;
        } else {
                a->mode = S_IFREG | 0444;
                a->size = FILE_SIZE;
                a->blocks = FILE_SIZE / 512;
        }
        a->blksize = 4096;
}

static double now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

_Noreturn static void serve(int fd, double delay)
{
        /* READs waiting for their answer, and when they may have it */
        uint64_t pending[64];
        double due[64];
        size_t n_pending = 0;

        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        for (;;) {
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                struct fuse_in_header *in = (struct fuse_in_header *)req;
                const void *arg = req + sizeof(*in);
                double t = now();
                int timeout = -1;
                ssize_t k;

                for (size_t i = 0; i < n_pending;) {
                        if (due[i] <= t) {
                                static unsigned char zeros[FILE_SIZE];
                                /* the answer, late: the page is all zeros */
                                unsigned char out[sizeof(struct fuse_out_header) + FILE_SIZE];
                                struct fuse_out_header h = { .len = sizeof(out), .unique = pending[i] };

                                memcpy(out, &h, sizeof(h));
                                memcpy(out + sizeof(h), zeros, FILE_SIZE);
                                (void)!write(fd, out, sizeof(out));
                                pending[i] = pending[--n_pending];
                                due[i] = due[n_pending];
                                continue;
                        }
                        if (timeout < 0 || (due[i] - t) * 1000 < timeout)
                                timeout = (int)((due[i] - t) * 1000) + 1;
                        i++;
                }
                if (poll(&pfd, 1, timeout) <= 0)
                        continue;
                k = read(fd, req, sizeof(req));
                if (k < 0 && (errno == EINTR || errno == EAGAIN || errno == ENOENT))
                        continue;
                if (k < (ssize_t)sizeof(*in))
                        _exit(0); /* unmounted, or aborted */

                switch (in->opcode) {
                case FUSE_INIT: {
                        const struct fuse_init_in *ii = arg;
                        struct fuse_init_out o = { .major = FUSE_KERNEL_VERSION,
                                                   .minor = ii->minor < FUSE_KERNEL_MINOR_VERSION
                                                                    ? ii->minor
                                                                    : FUSE_KERNEL_MINOR_VERSION,
                                                   .max_readahead = ii->max_readahead,
                                                   .max_write = 4096 };
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_LOOKUP: {
                        struct fuse_entry_out o = { .nodeid = FILE_INO, .generation = 1,
                                                    .entry_valid = 3600, .attr_valid = 3600 };

                        if (in->nodeid != FUSE_ROOT_ID || strcmp(arg, "f") != 0) {
                                reply(fd, in->unique, -ENOENT, NULL, 0);
                                break;
                        }
                        fill_attr(&o.attr, FILE_INO);
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_GETATTR: {
                        struct fuse_attr_out o = { .attr_valid = 3600 };

                        fill_attr(&o.attr, in->nodeid);
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_OPEN:
                case FUSE_OPENDIR: {
                        struct fuse_open_out o = { .fh = 1 };
                        reply(fd, in->unique, 0, &o, sizeof(o));
                        break;
                }
                case FUSE_READ:
                        if (n_pending < 64) {
                                pending[n_pending] = in->unique;
                                due[n_pending++] = now() + delay;
                        }
                        break;
                case FUSE_FORGET:
                case FUSE_BATCH_FORGET:
                case FUSE_INTERRUPT:
                        break; /* no answer is expected */
                case FUSE_FLUSH:
                case FUSE_RELEASE:
                case FUSE_RELEASEDIR:
                        reply(fd, in->unique, 0, NULL, 0);
                        break;
                default:
                        reply(fd, in->unique, -ENOSYS, NULL, 0);
                        break;
                }
        }
}

/* ----------------------------------------------------------- the client */

static volatile char *map;
static int mem_fd = -1;
static int go_writer[2];
static volatile pid_t tid_reader, tid_writer;

static void *reader_thread(void *unused)
{
        char buf[16];

        (void)unused;
        tid_reader = (pid_t)syscall(SYS_gettid);
        /* holds the mmap_lock while it waits for the page */
        (void)!pread(mem_fd, buf, sizeof(buf), (off_t)(uintptr_t)map);
        return NULL;
}

static void *writer_thread(void *unused)
{
        char c;

        (void)unused;
        tid_writer = (pid_t)syscall(SYS_gettid);
        (void)!read(go_writer[0], &c, 1);
        /* waits for the lock for writing, behind the reader */
        (void)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return NULL;
}

/* The state letter of one of our threads, from its stat. */
static char thread_state(pid_t tid)
{
        char path[64], buf[512], *p;
        ssize_t k;
        int fd;

        snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)tid);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return '?';
        k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (k <= 0)
                return '?';
        buf[k] = '\0';
        p = strrchr(buf, ')');
        return p && p[1] && p[2] ? p[2] : '?';
}

static void on_usr1(int sig)
{
        (void)sig;
}

/*
 * Until tid is in D state, for at most 5 s. A FUSE request is waited for
 * interruptibly first (S): a signal turns the wait into a killable one
 * (D), as the first signal does to a task stuck on a dead server. With
 * nudge, the thread gets SIGUSR1 (a handler that does nothing) meanwhile.
 */
static int wait_d(pthread_t thread, const volatile pid_t *tid, bool nudge)
{
        struct timespec ts = { 0, 10 * 1000 * 1000 };

        for (int i = 0; i < 500; i++) {
                char st = *tid ? thread_state(*tid) : '?';

                if (st == 'D')
                        return 0;
                if (nudge && st == 'S' && i > 10)
                        pthread_kill(thread, SIGUSR1);
                nanosleep(&ts, NULL);
        }
        return -1;
}

int main(int argc, char **argv)
{
        const char *dir = "/mnt";
        char path[64], opts[128], line[32];
        pthread_t tr, tw;
        double delay;
        pid_t server;
        int fuse_fd, fd, n;

        if (argc != 3 || (delay = atof(argv[2])) <= 0) {
                fprintf(stderr, "usage: stuck-mm READY-FILE SECONDS\n");
                return 2;
        }
        fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fuse_fd < 0)
                die("cannot open /dev/fuse");
        /* the mount is seen by nothing else, and goes with the namespace */
        if (unshare(CLONE_NEWNS) < 0)
                die("cannot make a mount namespace");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                die("cannot make the mounts private");
        snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fuse_fd);
        if (mount("stuck-mm", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0)
                die("cannot mount fuse on /mnt");
        server = fork();
        if (server < 0)
                die("cannot fork");
        if (server == 0)
                serve(fuse_fd, delay);
        /* only the server holds the connection: killing it aborts it */
        close(fuse_fd);

        snprintf(path, sizeof(path), "%s/f", dir);
        fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                die("cannot open the file on fuse");
        map = mmap(NULL, FILE_SIZE, PROT_READ, MAP_SHARED, fd, 0);
        if (map == MAP_FAILED)
                die("cannot map the file");
        mem_fd = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
        if (mem_fd < 0)
                die("cannot open /proc/self/mem");
        if (pipe(go_writer) < 0)
                die("cannot make a pipe");
        /* both threads (and their stacks) before the lock is taken */
        if (pthread_create(&tw, NULL, writer_thread, NULL) != 0 ||
            pthread_create(&tr, NULL, reader_thread, NULL) != 0)
                die("cannot start the threads");
        if (signal(SIGUSR1, on_usr1) == SIG_ERR)
                die("cannot handle SIGUSR1");
        if (wait_d(tr, &tid_reader, true) < 0) {
                fprintf(stderr, "stuck-mm: the reading thread did not block (state %c)\n",
                        thread_state(tid_reader));
                return 1;
        }
        (void)!write(go_writer[1], "x", 1);
        if (wait_d(tw, &tid_writer, false) < 0) {
                /* no stdio from here: it may need the lock */
                static const char msg[] = "stuck-mm: the mapping thread did not block\n";
                (void)!write(2, msg, sizeof(msg) - 1);
                return 1;
        }
        n = snprintf(line, sizeof(line), "%d\n", (int)getpid());
        fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd >= 0) {
                (void)!write(fd, line, (size_t)n);
                close(fd);
        }
        for (;;)
                pause();
}

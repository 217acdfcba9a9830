/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Work on the store's layers as their owner: in a child, in a new user
 * namespace with the caller's id map (its subordinate range, or its single
 * id), as that namespace's root. Files an image gives its uid 1000 belong
 * to the host id the map gives 1000, which the caller cannot remove from
 * outside: removals go through here too.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "userns.h"

static int read_full(int fd, void *buf, size_t n)
{
        char *p = buf;

        while (n > 0) {
                ssize_t k = read(fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k <= 0)
                        return k < 0 ? -errno : -EPIPE;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

static int write_full(int fd, const void *buf, size_t n)
{
        const char *p = buf;

        while (n > 0) {
                ssize_t k = write(fd, p, n);

                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return -errno;
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

int userns_plan(IdMap *ret)
{
        /* root owns every id already: the image's ids are the host's */
        if (geteuid() == 0) {
                *ret = (IdMap){};
                return 0;
        }
        {
                int root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC), r;

                if (root_fd < 0)
                        return -errno;
                r = idmap_plan(root_fd, geteuid(), getegid(), ret);
                close(root_fd);
                return r;
        }
}

int userns_run(const IdMap *m, int (*fn)(void *arg, void *out), void *arg, void *out,
               size_t out_size)
{
        int to_parent[2], to_child[2];
        int status, r, child_r = 0;
        pid_t pid;
        char c = 0;

        if (pipe2(to_parent, O_CLOEXEC) < 0)
                return -errno;
        if (pipe2(to_child, O_CLOEXEC) < 0) {
                r = -errno;
                close(to_parent[0]);
                close(to_parent[1]);
                return r;
        }
        pid = fork();
        if (pid < 0) {
                r = -errno;
                goto out;
        }
        if (pid == 0) {
                close(to_parent[0]);
                close(to_child[1]);
                /* the work dies with ns-image */
                (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
                if (m && m->n_uid > 0) {
                        if (unshare(CLONE_NEWUSER) < 0) {
                                r = -errno;
                                (void)write_full(to_parent[1], &r, sizeof(r));
                                _exit(1);
                        }
                        r = 0;
                        /* the maps are written from outside (newuidmap checks
                         * /etc/subuid), while this waits */
                        if (write_full(to_parent[1], &r, sizeof(r)) < 0 ||
                            read_full(to_child[0], &c, 1) < 0)
                                _exit(1);
                } else {
                        r = 0;
                        if (write_full(to_parent[1], &r, sizeof(r)) < 0)
                                _exit(1);
                }
                umask(022);
                r = fn(arg, out);
                if (write_full(to_parent[1], &r, sizeof(r)) < 0 ||
                    (out_size && write_full(to_parent[1], out, out_size) < 0))
                        _exit(1);
                _exit(0);
        }
        close(to_parent[1]);
        to_parent[1] = -EBADF;
        close(to_child[0]);
        to_child[0] = -EBADF;

        r = read_full(to_parent[0], &child_r, sizeof(child_r));
        if (r >= 0 && child_r < 0)
                r = child_r; /* unshare failed */
        if (r >= 0 && m && m->n_uid > 0) {
                r = idmap_apply(pid, m);
                if (r >= 0)
                        r = write_full(to_child[1], &c, 1);
        }
        if (r >= 0) {
                r = read_full(to_parent[0], &child_r, sizeof(child_r));
                if (r >= 0 && out_size)
                        r = read_full(to_parent[0], out, out_size);
                if (r >= 0)
                        r = child_r;
        }
        if (r < 0)
                (void)kill(pid, SIGKILL);
        close(to_child[1]);
        to_child[1] = -EBADF;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
out:
        if (to_parent[0] >= 0)
                close(to_parent[0]);
        if (to_parent[1] >= 0)
                close(to_parent[1]);
        if (to_child[0] >= 0)
                close(to_child[0]);
        if (to_child[1] >= 0)
                close(to_child[1]);
        return r;
}

static int rm_rf_at(int dfd, const char *name);

static int rm_children(int fd)
{
        DIR *d = fdopendir(fd);
        struct dirent *de;
        int r = 0;

        if (!d) {
                r = -errno;
                close(fd);
                return r;
        }
        while ((de = readdir(d))) {
                int k;

                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                k = rm_rf_at(dirfd(d), de->d_name);
                if (k < 0 && r == 0)
                        r = k;
        }
        closedir(d);
        return r;
}

static int rm_rf_at(int dfd, const char *name)
{
        int fd, r;

        if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
                return 0;
        if (errno != EISDIR && errno != EPERM)
                return -errno;
        fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : -errno;
        r = rm_children(fd);
        if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
                r = -errno;
        return r;
}

typedef struct RmArgs {
        int dfd;
        const char *const *names;
        size_t n;
} RmArgs;

static int rm_fn(void *arg, void *out)
{
        RmArgs *a = arg;
        int r = 0;

        (void)out;
        for (size_t i = 0; i < a->n; i++) {
                int k = rm_rf_at(a->dfd, a->names[i]);

                if (k < 0 && r == 0)
                        r = k;
        }
        return r;
}

int userns_rm_rf(const IdMap *m, int dfd, const char *const *names, size_t n)
{
        RmArgs a = { .dfd = dfd, .names = names, .n = n };

        if (n == 0)
                return 0;
        return userns_run(m, rm_fn, &a, NULL, 0);
}

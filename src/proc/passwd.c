/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "macro.h"
#include "passwd.h"
#include "util.h"

/* etc/passwd of a large site is a few MiB at most. */

int parse_id(const char *s, unsigned *ret)
{
        unsigned long long v = 0;

        if (!*s)
                return -EINVAL;
        for (const char *p = s; *p; p++) {
                if (*p < '0' || *p > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(*p - '0');
                /* (uid_t)-1 means "unchanged" to the set*id calls: refuse it */
                if (v >= 0xffffffffULL)
                        return -ERANGE;
        }
        *ret = (unsigned)v;
        return 0;
}

/* Split one line into its colon-separated fields (at most max), in place. */
static size_t split_fields(char *line, char **field, size_t max)
{
        size_t n = 0;

        field[n++] = line;
        for (char *p = line; *p && n < max; p++)
                if (*p == ':') {
                        *p = '\0';
                        field[n++] = p + 1;
                }
        return n;
}

/*
 * The next line of content that is not empty, a comment or a NIS "+"/"-"
 * entry, as a malloc'd string in *ret; returns where to go on, or NULL at
 * the end.
 */
static const char *next_line(const char *p, char **ret)
{
        while (p && *p) {
                const char *e = strchrnul(p, '\n');
                const char *next = *e ? e + 1 : e;

                if (e > p && *p != '#' && *p != '+' && *p != '-') {
                        *ret = xstrndup(p, (size_t)(e - p));
                        return next;
                }
                p = next;
        }
        return NULL;
}

int passwd_find(const char *content, const char *name, uid_t uid, PasswdEntry *ret)
{
        char *line;

        for (const char *p = content; (p = next_line(p, &line));) {
                _cleanup_free_ char *l = line;
                char *f[7] = {};
                unsigned u, g;

                /* name:password:uid:gid:gecos:home:shell */
                if (split_fields(l, f, 7) < 4)
                        continue;
                if (parse_id(f[2], &u) < 0 || parse_id(f[3], &g) < 0)
                        continue;
                if (name ? !streq(f[0], name) : u != uid)
                        continue;
                *ret = (PasswdEntry){
                        .name = xstrdup(f[0]),
                        .uid = u,
                        .gid = g,
                        .home = xstrdup(f[5] ?: ""),
                        .shell = xstrdup(f[6] ?: ""),
                };
                return 0;
        }
        return -ENOENT;
}

void passwd_entry_done(PasswdEntry *e)
{
        free(e->name);
        free(e->home);
        free(e->shell);
        *e = (PasswdEntry){};
}

int group_find_gid(const char *content, const char *name, gid_t *ret)
{
        char *line;

        for (const char *p = content; (p = next_line(p, &line));) {
                _cleanup_free_ char *l = line;
                char *f[4] = {};
                unsigned g;

                /* name:password:gid:members */
                if (split_fields(l, f, 4) < 3 || !streq(f[0], name))
                        continue;
                if (parse_id(f[2], &g) < 0)
                        continue;
                *ret = g;
                return 0;
        }
        return -ENOENT;
}

static bool gid_in(const gid_t *list, size_t n, gid_t g)
{
        for (size_t i = 0; i < n; i++)
                if (list[i] == g)
                        return true;
        return false;
}

void group_list_for_user(const char *content, const char *user, gid_t primary, gid_t **ret,
                         size_t *ret_n)
{
        gid_t *list = xnew(gid_t, 1);
        size_t n = 0;
        char *line;

        list[n++] = primary;
        for (const char *p = content; (p = next_line(p, &line));) {
                _cleanup_free_ char *l = line;
                char *f[4] = {};
                unsigned g;

                if (split_fields(l, f, 4) < 4 || parse_id(f[2], &g) < 0)
                        continue;
                for (char *m = f[3], *save = NULL, *tok; (tok = strtok_r(m, ",", &save)); m = NULL)
                        if (streq(tok, user) && !gid_in(list, n, g)) {
                                list = xreallocarray(list, n + 1, sizeof(gid_t));
                                list[n++] = g;
                        }
        }
        *ret = list;
        *ret_n = n;
}

static int open_in_root(int root_fd, const char *path)
{
        struct open_how how = {
                .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        int fd;

        fd = (int)syscall(SYS_openat2, root_fd, path, &how, sizeof(how));
        if (fd >= 0 || errno != ENOSYS)
                return fd < 0 ? -errno : fd;
        /* openat2 needs Linux 5.6. Before it, the caller has chrooted into
         * root_fd already (attach does), so absolute links and ".." cannot
         * leave it; refuse a symlink as the last component at least. */
        fd = openat(root_fd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
        return fd < 0 ? -errno : fd;
}

int passwd_read_file(int root_fd, const char *path, char **ret)
{
        _cleanup_close_ int fd = -EBADF;
        struct stat st;

        fd = open_in_root(root_fd, path);
        if (fd < 0)
                return fd;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return -EBADFD;
        if (st.st_size > PASSWD_FILE_MAX)
                return -EFBIG;
        return read_fd(fd, PASSWD_FILE_MAX, ret, NULL);
}

int user_spec_split(const char *spec, char **ret_user, char **ret_group)
{
        const char *colon = strchr(spec, ':');

        if (!*spec || colon == spec || (colon && (!colon[1] || strchr(colon + 1, ':'))))
                return -EINVAL;
        *ret_user = colon ? xstrndup(spec, (size_t)(colon - spec)) : xstrdup(spec);
        *ret_group = colon ? xstrdup(colon + 1) : NULL;
        return 0;
}

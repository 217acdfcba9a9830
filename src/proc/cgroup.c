/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>

#include "cgroup.h"
#include "macro.h"
#include "util.h"

/* A /proc/PID/cgroup file is a few hundred bytes; refuse absurd ones. */
#define CGROUP_FILE_MAX (1024 * 1024)
#define MOUNTINFO_MAX (64 * 1024 * 1024)

int cgroup_parse(const char *content, Cgroups *ret)
{
        Cgroups cg = {};

        for (const char *line = content; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *c1 = memchr(line, ':', (size_t)(end - line));
                const char *c2 = c1 ? memchr(c1 + 1, ':', (size_t)(end - c1 - 1)) : NULL;
                unsigned long id = 0;
                bool ok = c1 && c2 && c1 > line && c2 + 1 < end && c2[1] == '/';

                /* "ID:CONTROLLERS:PATH"; the path may itself hold colons. */
                for (const char *p = line; ok && p < c1; p++) {
                        if (*p < '0' || *p > '9' || id > 1000000)
                                ok = false;
                        else
                                id = id * 10 + (unsigned long)(*p - '0');
                }
                if (ok) {
                        CgroupPath *p;

                        cg.items = xreallocarray(cg.items, cg.n + 1, sizeof(CgroupPath));
                        p = &cg.items[cg.n++];
                        p->hierarchy = (unsigned)id;
                        p->controllers = xstrndup(c1 + 1, (size_t)(c2 - c1 - 1));
                        p->path = xstrndup(c2 + 1, (size_t)(end - c2 - 1));
                        p->dir = NULL;
                        p->mounted = false;
                }
                line = *end ? end + 1 : end;
        }
        if (cg.n == 0) {
                free(cg.items);
                return -EINVAL;
        }
        *ret = cg;
        return 0;
}

void cgroups_done(Cgroups *cg)
{
        for (size_t i = 0; i < cg->n; i++) {
                free(cg->items[i].controllers);
                free(cg->items[i].path);
                free(cg->items[i].dir);
        }
        free(cg->items);
        cg->items = NULL;
        cg->n = 0;
}

char *mountinfo_unescape(const char *s, size_t n)
{
        char *out = xmalloc(n + 1), *o = out;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] >= '0' && s[i + 1] <= '3' &&
                    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
                        *o++ = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                                      (s[i + 3] - '0'));
                        i += 3;
                } else
                        *o++ = s[i];
        }
        *o = '\0';
        return out;
}

/* Whether the comma-separated list holds the word. */
static bool list_has(const char *list, size_t list_len, const char *word, size_t word_len)
{
        const char *p = list, *end = list + list_len;

        while (p < end) {
                const char *c = memchr(p, ',', (size_t)(end - p));
                size_t len = c ? (size_t)(c - p) : (size_t)(end - p);

                if (len == word_len && memcmp(p, word, len) == 0)
                        return true;
                p += len + 1;
        }
        return false;
}

/* A v1 mount serves the hierarchy when its options name every controller. */
static bool options_match(const char *opts, size_t opts_len, const char *controllers)
{
        const char *p = controllers;

        if (!*p)
                return false;
        while (*p) {
                size_t len = strcspn(p, ",");

                if (len > 0 && !list_has(opts, opts_len, p, len))
                        return false;
                p += len;
                if (*p == ',')
                        p++;
        }
        return true;
}

/* The part of path below root, or NULL when path is not at or below it. */
static const char *path_below(const char *path, const char *root)
{
        size_t n = strlen(root);

        if (streq(root, "/"))
                return path;
        if (strncmp(path, root, n) != 0)
                return NULL;
        if (path[n] == '\0')
                return "/";
        if (path[n] != '/')
                return NULL;
        return path + n;
}

static char *make_dir(const char *mountpoint, const char *rest)
{
        const char *m = mountpoint;

        while (*m == '/')
                m++;
        if (streq(rest, "/"))
                return xstrdup(*m ? m : ".");
        if (!*m)
                return xstrdup(rest + 1);
        return xasprintf("%s%s", m, rest);
}

/* Split one mountinfo line into what we need. Returns false on a malformed line. */
static bool mountinfo_fields(const char *line, const char *end, const char *f[4], size_t flen[4],
                             const char **opts, size_t *opts_len)
{
        /* id parent maj:min root mountpoint options [optional...] - fstype source superopts */
        const char *field[6];
        size_t len[6];
        const char *p = line;
        int k;

        for (k = 0; k < 6 && p < end; k++) {
                const char *s = memchr(p, ' ', (size_t)(end - p));
                field[k] = p;
                len[k] = s ? (size_t)(s - p) : (size_t)(end - p);
                p = s ? s + 1 : end;
        }
        if (k < 6)
                return false;
        /* skip the optional fields up to the lone "-" */
        for (;;) {
                const char *tok = p, *s;

                if (p >= end)
                        return false;
                s = memchr(p, ' ', (size_t)(end - p));
                p = s ? s + 1 : end;
                if (tok[0] == '-' && (tok + 1 == end || tok[1] == ' '))
                        break;
        }
        f[0] = field[3], flen[0] = len[3]; /* root */
        f[1] = field[4], flen[1] = len[4]; /* mount point */
        for (k = 2; k < 4; k++) {          /* fstype, source */
                const char *s;
                if (p >= end)
                        return false;
                s = memchr(p, ' ', (size_t)(end - p));
                f[k] = p;
                flen[k] = s ? (size_t)(s - p) : (size_t)(end - p);
                p = s ? s + 1 : end;
        }
        *opts = p;
        *opts_len = (size_t)(end - p);
        return true;
}

void cgroup_locate(Cgroups *cg, const char *mountinfo)
{
        for (const char *line = mountinfo; *line;) {
                const char *end = strchrnul(line, '\n');
                const char *f[4], *opts;
                size_t flen[4], opts_len;

                if (mountinfo_fields(line, end, f, flen, &opts, &opts_len)) {
                        bool v2 = flen[2] == 7 && memcmp(f[2], "cgroup2", 7) == 0;
                        bool v1 = flen[2] == 6 && memcmp(f[2], "cgroup", 6) == 0;

                        for (size_t i = 0; (v1 || v2) && i < cg->n; i++) {
                                CgroupPath *p = &cg->items[i];
                                _cleanup_free_ char *root = NULL, *mnt = NULL;
                                const char *rest;

                                if (v2 != cgroup_is_v2(p))
                                        continue;
                                if (v1 && !options_match(opts, opts_len, p->controllers))
                                        continue;
                                p->mounted = true;
                                /* A path with ".." is outside our cgroup namespace. */
                                if (path_has_dotdot(p->path) || p->path[0] != '/')
                                        continue;
                                root = mountinfo_unescape(f[0], flen[0]);
                                rest = path_below(p->path, root);
                                if (!rest)
                                        continue;
                                mnt = mountinfo_unescape(f[1], flen[1]);
                                /* Later lines are mounted on top: the last match wins. */
                                free(p->dir);
                                p->dir = make_dir(mnt, rest);
                        }
                }
                line = *end ? end + 1 : end;
        }
}

int cgroup_load(int dir_fd, const char *path, const char *mountinfo, Cgroups *ret)
{
        _cleanup_free_ char *buf = NULL;
        Cgroups cg;
        int r;

        r = read_file_at(dir_fd, path, CGROUP_FILE_MAX, &buf, NULL);
        if (r < 0)
                return r;
        r = cgroup_parse(buf, &cg);
        if (r < 0)
                return r;
        cgroup_locate(&cg, mountinfo);
        *ret = cg;
        return 0;
}

const CgroupPath *cgroup_find_hierarchy(const Cgroups *cg, const CgroupPath *p)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cg->items[i].hierarchy == p->hierarchy &&
                    streq(cg->items[i].controllers, p->controllers))
                        return &cg->items[i];
        return NULL;
}

int cgroup_open_file(int root_fd, const CgroupPath *p, const char *file, int flags)
{
        _cleanup_free_ char *path = NULL;

        if (!p->dir)
                return -ENOENT;
        path = xasprintf("%s/%s", p->dir, file);
        /* a cgroup may be nested deeper than PATH_MAX */
        return openat_long(root_fd, path, flags | O_NOCTTY);
}

int cgroup_open_dir(int root_fd, const CgroupPath *p)
{
        if (!p->dir)
                return -ENOENT;
        return openat_long(root_fd, p->dir, O_RDONLY | O_DIRECTORY);
}

int cgroup_path_frozen(int root_fd, const CgroupPath *p)
{
        _cleanup_close_ int fd = -EBADF;
        char buf[4096];
        ssize_t k;
        bool v2 = cgroup_is_v2(p);

        if (!v2 && !list_has(p->controllers, strlen(p->controllers), "freezer", 7))
                return 0;
        fd = cgroup_open_file(root_fd, p, v2 ? "cgroup.events" : "freezer.state", O_RDONLY);
        if (fd == -ENOENT)
                return 0; /* the root cgroup has neither file: it cannot be frozen */
        if (fd < 0)
                return fd;
        do
                k = read(fd, buf, sizeof(buf) - 1);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        if (v2) {
                /* "populated 1\nfrozen 1\n": frozen counts the ancestors too. */
                const char *f = strstr(buf, "frozen ");
                while (f && f != buf && f[-1] != '\n')
                        f = strstr(f + 1, "frozen ");
                return f && f[7] == '1';
        }
        /* v1 reports the state it inherits from a frozen parent as well */
        return startswith(buf, "FROZEN") || startswith(buf, "FREEZING");
}

const CgroupPath *cgroup_frozen(int root_fd, const Cgroups *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cgroup_path_frozen(root_fd, &cg->items[i]) > 0)
                        return &cg->items[i];
        return NULL;
}

int cgroup_join_fd(int procs_fd)
{
        /* "0" is the writer itself, whatever pid namespace it is in now. */
        ssize_t k;

        do
                k = write(procs_fd, "0", 1);
        while (k < 0 && errno == EINTR);
        return k < 0 ? -errno : 0;
}

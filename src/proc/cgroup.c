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

/* The next space-separated field of [*p, end), advancing *p past its space. */
static bool next_field(const char **p, const char *end, const char **ret, size_t *ret_len)
{
        const char *s;

        if (*p >= end)
                return false;
        s = memchr(*p, ' ', (size_t)(end - *p));
        *ret = *p;
        *ret_len = s ? (size_t)(s - *p) : (size_t)(end - *p);
        *p = s ? s + 1 : end;
        return true;
}

/* Split one mountinfo line. Returns false on a malformed line. */
static bool mountinfo_split(const char *line, const char *end, MountinfoLine *ret)
{
        /* id parent maj:min root mountpoint options [optional...] - fstype source superopts */
        const char *field[6], *p = line, *tok;
        size_t len[6], tok_len;

        for (int k = 0; k < 6; k++)
                if (!next_field(&p, end, &field[k], &len[k]))
                        return false;
        /* skip the optional fields up to the lone "-" */
        do
                if (!next_field(&p, end, &tok, &tok_len))
                        return false;
        while (tok_len != 1 || tok[0] != '-');
        ret->root = field[3], ret->root_len = len[3];
        ret->mountpoint = field[4], ret->mountpoint_len = len[4];
        if (!next_field(&p, end, &ret->fstype, &ret->fstype_len) ||
            !next_field(&p, end, &ret->source, &ret->source_len))
                return false;
        /* the rest of the line, spaces and all */
        ret->options = p;
        ret->options_len = (size_t)(end - p);
        return true;
}

bool mountinfo_next(const char **pos, MountinfoLine *ret)
{
        while (**pos) {
                const char *line = *pos, *end = strchrnul(line, '\n');

                *pos = *end ? end + 1 : end;
                if (mountinfo_split(line, end, ret))
                        return true;
        }
        return false;
}

/* Whether a mountinfo line is a cgroup2 mount (v2) or a v1 "cgroup" one. */
static bool mountinfo_is_cgroup(const MountinfoLine *m, bool v2)
{
        const char *want = v2 ? "cgroup2" : "cgroup";

        return m->fstype_len == strlen(want) && memcmp(m->fstype, want, m->fstype_len) == 0;
}

void cgroup_locate(Cgroups *cg, const char *mountinfo)
{
        const char *pos = mountinfo;
        MountinfoLine m;

        while (mountinfo_next(&pos, &m)) {
                bool v2 = mountinfo_is_cgroup(&m, true), v1 = mountinfo_is_cgroup(&m, false);

                for (size_t i = 0; (v1 || v2) && i < cg->n; i++) {
                        CgroupPath *p = &cg->items[i];
                        _cleanup_free_ char *root = NULL, *mnt = NULL;
                        const char *rest;

                        if (v2 != cgroup_is_v2(p))
                                continue;
                        if (v1 && !options_match(m.options, m.options_len, p->controllers))
                                continue;
                        p->mounted = true;
                        /* A path with ".." is outside our cgroup namespace. */
                        if (path_has_dotdot(p->path) || p->path[0] != '/')
                                continue;
                        root = mountinfo_unescape(m.root, m.root_len);
                        rest = path_below(p->path, root);
                        if (!rest)
                                continue;
                        mnt = mountinfo_unescape(m.mountpoint, m.mountpoint_len);
                        /* Later lines are mounted on top: the last match wins. */
                        free(p->dir);
                        p->dir = make_dir(mnt, rest);
                }
        }
}

int cgroup_find_mount(const char *mountinfo, const char *controller, char **ret_mountpoint,
                      char **ret_root)
{
        const char *pos = mountinfo;
        MountinfoLine m;

        while (mountinfo_next(&pos, &m)) {
                if (!mountinfo_is_cgroup(&m, !controller))
                        continue;
                if (controller &&
                    !list_has(m.options, m.options_len, controller, strlen(controller)))
                        continue;
                *ret_mountpoint = mountinfo_unescape(m.mountpoint, m.mountpoint_len);
                *ret_root = mountinfo_unescape(m.root, m.root_len);
                return 0;
        }
        return -ENOENT;
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

const CgroupPath *cgroup_find_controller(const Cgroups *cg, const char *controller)
{
        for (size_t i = 0; i < cg->n; i++) {
                const CgroupPath *p = &cg->items[i];

                if (controller ? list_has(p->controllers, strlen(p->controllers), controller,
                                          strlen(controller))
                               : cgroup_is_v2(p))
                        return p;
        }
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

int cgroup_parse_freeze(bool v2, const char *text)
{
        static const char *const v1_words[CGROUP_FREEZE_MAX] = {
                [CGROUP_THAWED] = "THAWED",
                [CGROUP_FREEZING] = "FREEZING",
                [CGROUP_FROZEN] = "FROZEN",
        };

        if (v2) {
                /* "populated 1\nfrozen 1\n": the "frozen" key at a line start */
                for (const char *f = text; f; f = strchr(f, '\n'), f = f ? f + 1 : NULL)
                        if (startswith(f, "frozen ")) {
                                if ((f[7] != '0' && f[7] != '1') || (f[8] != '\0' && f[8] != '\n'))
                                        return -EINVAL;
                                return f[7] == '1' ? CGROUP_FROZEN : CGROUP_THAWED;
                        }
                return -EINVAL;
        }
        for (int s = 0; s < CGROUP_FREEZE_MAX; s++) {
                size_t n = strlen(v1_words[s]);
                if (strncmp(text, v1_words[s], n) == 0 && (text[n] == '\0' || text[n] == '\n'))
                        return s;
        }
        return -EINVAL;
}

int cgroup_path_frozen(int root_fd, const CgroupPath *p)
{
        _cleanup_close_ int fd = -EBADF;
        char buf[4096];
        ssize_t k;
        bool v2 = cgroup_is_v2(p);

        if (!v2 && !list_has(p->controllers, strlen(p->controllers), "freezer", 7))
                return CGROUP_THAWED;
        fd = cgroup_open_file(root_fd, p, v2 ? "cgroup.events" : "freezer.state", O_RDONLY);
        if (fd == -ENOENT)
                return CGROUP_THAWED; /* the root cgroup has neither file: it cannot be frozen */
        if (fd < 0)
                return fd;
        do
                k = read(fd, buf, sizeof(buf) - 1);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        buf[k] = '\0';
        return cgroup_parse_freeze(v2, buf);
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

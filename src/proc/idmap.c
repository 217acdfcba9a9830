/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idmap.h"
#include "macro.h"
#include "passwd.h"
#include "util.h"

/*
 * 65536 ids is what images assume (nobody is 65534) and what rootless
 * podman allocates per user. A larger range gains nothing inside and costs
 * the kernel a bigger map to search; the rest of it stays unused.
 */
#define IDMAP_RANGE_MAX 65536U

/* The helpers are setuid root: found in $PATH, else where Debian puts them. */
static int find_helper(const char *name, char *buf, size_t size)
{
        const char *path = getenv("PATH");

        if (path) {
                for (const char *p = path; *p;) {
                        size_t len = strcspn(p, ":");

                        /* An empty or relative entry would run whatever the
                         * current directory holds as a setuid helper's stand-in. */
                        if (len > 0 && *p == '/' && len + strlen(name) + 2 <= size) {
                                snprintf(buf, size, "%.*s/%s", (int)len, p, name);
                                if (access(buf, X_OK) == 0)
                                        return 0;
                        }
                        p += len;
                        if (*p == ':')
                                p++;
                }
        }
        snprintf(buf, size, "/usr/bin/%s", name);
        return access(buf, X_OK) == 0 ? 0 : -ENOENT;
}

bool idmap_helpers_present(void)
{
        char buf[4096];

        return find_helper("newuidmap", buf, sizeof(buf)) == 0 &&
               find_helper("newgidmap", buf, sizeof(buf)) == 0;
}

/*
 * The first entry of a subuid/subgid file for the user, "name:start:count"
 * with the name or the uid as a number (newuidmap accepts both). An entry
 * whose range holds the caller's own id would overlap the "0 <id> 1"
 * extent, which the kernel refuses: it is passed over, as is a range that
 * would wrap around.
 */
static int sub_find(const char *content, const char *name, uid_t uid, unsigned own,
                    unsigned *ret_start, unsigned *ret_count)
{
        char num[16];

        snprintf(num, sizeof(num), "%u", (unsigned)uid);
        for (const char *p = content; p && *p;) {
                const char *e = strchrnul(p, '\n');
                _cleanup_free_ char *line = xstrndup(p, (size_t)(e - p));
                char *colon1, *colon2;
                unsigned start, count;

                p = *e ? e + 1 : e;
                colon1 = strchr(line, ':');
                if (!colon1 || line[0] == '#')
                        continue;
                *colon1 = '\0';
                colon2 = strchr(colon1 + 1, ':');
                if (!colon2)
                        continue;
                *colon2 = '\0';
                if (!(name && streq(line, name)) && !streq(line, num))
                        continue;
                if (parse_id(colon1 + 1, &start) < 0 || parse_id(colon2 + 1, &count) < 0 ||
                    count == 0)
                        continue;
                count = MIN(count, IDMAP_RANGE_MAX);
                if ((unsigned long long)start + count > 0xffffffffULL)
                        continue;
                if (own >= start && own - start < count)
                        continue;
                *ret_start = start;
                *ret_count = count;
                return 0;
        }
        return -ENOENT;
}

int idmap_plan(int root_fd, uid_t uid, gid_t gid, IdMap *ret)
{
        _cleanup_free_ char *passwd = NULL, *subuid = NULL, *subgid = NULL;
        PasswdEntry pw = {};
        unsigned us, uc, gs, gc;
        bool ranged = false;

        /* Missing or unreadable files mean no range: never an error. */
        if (passwd_read_file(root_fd, "etc/passwd", &passwd) >= 0)
                (void)passwd_find(passwd, NULL, uid, &pw);
        if (passwd_read_file(root_fd, "etc/subuid", &subuid) >= 0 &&
            passwd_read_file(root_fd, "etc/subgid", &subgid) >= 0 &&
            sub_find(subuid, pw.name, uid, uid, &us, &uc) == 0 &&
            sub_find(subgid, pw.name, uid, gid, &gs, &gc) == 0)
                ranged = idmap_helpers_present();
        passwd_entry_done(&pw);

        *ret = (IdMap){
                .uid = { { 0, uid, 1 } },
                .gid = { { 0, gid, 1 } },
                .n_uid = 1,
                .n_gid = 1,
                .ranged = ranged,
        };
        if (ranged) {
                ret->uid[1] = (IdExtent){ 1, us, uc };
                ret->gid[1] = (IdExtent){ 1, gs, gc };
                ret->n_uid = ret->n_gid = 2;
        }
        return 0;
}

int idmap_format(const IdExtent *e, unsigned n, char *buf, size_t size)
{
        size_t len = 0;

        if (size == 0)
                return -ENOBUFS;
        buf[0] = '\0';
        for (unsigned i = 0; i < n; i++) {
                int k = snprintf(buf + len, size - len, "%u %u %u\n", e[i].inside, e[i].outside,
                                 e[i].count);

                if (k < 0 || (size_t)k >= size - len)
                        return -ENOBUFS;
                len += (size_t)k;
        }
        return (int)len;
}

unsigned idmap_to_outside(const IdExtent *e, unsigned n, unsigned inside)
{
        for (unsigned i = 0; i < n; i++)
                if (inside >= e[i].inside && inside - e[i].inside < e[i].count)
                        return e[i].outside + (inside - e[i].inside);
        return (unsigned)-1;
}

/* Start "newuidmap PID inside outside count ..." with nothing of ours in its environment. */
static int helper_spawn(const char *name, pid_t pid, const IdExtent *e, unsigned n, pid_t *ret)
{
        char path[4096], pidbuf[16], nums[IDMAP_MAX_EXTENTS * 3][16];
        char *argv[2 + IDMAP_MAX_EXTENTS * 3 + 1];
        char *envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
        posix_spawnattr_t attr;
        sigset_t none, all;
        size_t a = 0;
        int r;

        r = find_helper(name, path, sizeof(path));
        if (r < 0)
                return r;
        snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
        argv[a++] = (char *)name;
        argv[a++] = pidbuf;
        for (unsigned i = 0; i < n && i < IDMAP_MAX_EXTENTS; i++) {
                snprintf(nums[i * 3], sizeof(nums[0]), "%u", e[i].inside);
                snprintf(nums[i * 3 + 1], sizeof(nums[0]), "%u", e[i].outside);
                snprintf(nums[i * 3 + 2], sizeof(nums[0]), "%u", e[i].count);
                argv[a++] = nums[i * 3];
                argv[a++] = nums[i * 3 + 1];
                argv[a++] = nums[i * 3 + 2];
        }
        argv[a] = NULL;

        /* The launcher blocks the signals it forwards; the helper gets a
         * clean mask and default dispositions, so a ^C still stops it. */
        sigemptyset(&none);
        sigfillset(&all);
        r = posix_spawnattr_init(&attr);
        if (r != 0)
                return -r;
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setsigdefault(&attr, &all);
        r = posix_spawn(ret, path, NULL, &attr, argv, envp);
        posix_spawnattr_destroy(&attr);
        return -r;
}

static int helper_wait(pid_t child)
{
        int status;

        while (waitpid(child, &status, 0) < 0)
                if (errno != EINTR)
                        return -errno;
        return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -EPERM;
}

static int write_proc(pid_t pid, const char *file, const char *data)
{
        char path[64];
        _cleanup_close_ int fd = -EBADF;
        size_t len = strlen(data);

        snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
        fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        /* The kernel takes a map in one write() only. */
        if (write(fd, data, len) != (ssize_t)len)
                return -errno;
        return 0;
}

int idmap_apply(pid_t pid, const IdMap *m)
{
        char buf[IDMAP_MAX_EXTENTS * 40];
        int r;

        if (m->ranged) {
                pid_t u = -1, g = -1;
                int ru, rg;

                /* Both helpers at once: each is a setuid exec that reads
                 * login.defs and the sub*id files, most of a millisecond. */
                r = helper_spawn("newuidmap", pid, m->uid, m->n_uid, &u);
                if (r < 0)
                        return r;
                r = helper_spawn("newgidmap", pid, m->gid, m->n_gid, &g);
                ru = helper_wait(u);
                if (r < 0)
                        return r;
                rg = helper_wait(g);
                return ru < 0 ? ru : rg;
        }

        /* Without CAP_SETGID in the parent namespace, a gid map can only be
         * written once setgroups is denied (Linux 3.19). */
        r = write_proc(pid, "setgroups", "deny");
        if (r < 0 && r != -ENOENT)
                return r;
        r = idmap_format(m->uid, m->n_uid, buf, sizeof(buf));
        if (r < 0)
                return r;
        r = write_proc(pid, "uid_map", buf);
        if (r < 0)
                return r;
        r = idmap_format(m->gid, m->n_gid, buf, sizeof(buf));
        if (r < 0)
                return r;
        return write_proc(pid, "gid_map", buf);
}

bool idmap_is_identity(const char *map)
{
        unsigned long long inside, outside, count;
        const char *nl = strchr(map, '\n');

        return sscanf(map, "%llu %llu %llu", &inside, &outside, &count) == 3 && inside == 0 &&
               outside == 0 && count == 4294967295ULL && (!nl || !nl[1]);
}

bool idmap_self_is_identity(void)
{
        char buf[128];

        if (read_small_at(AT_FDCWD, "/proc/self/uid_map", buf, sizeof(buf)) <= 0)
                return true;
        return idmap_is_identity(buf);
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>

#include "control.h"
#include "hostroot.h"
#include "macro.h"
#include "util.h"

/* A cgroup tree deeper than this is not walked: it is not one instance's. */
#define SUBTREE_DEPTH_MAX 32
#define PROCS_FILE_MAX (16 * 1024 * 1024)

static const char *const verdict_names[CONTROL_CGROUP_VERDICT_MAX] = {
        [CONTROL_CGROUP_OWN] = "own",
        [CONTROL_CGROUP_NONE] = "none",
        [CONTROL_CGROUP_ROOT] = "root",
        [CONTROL_CGROUP_HOST] = "host",
        [CONTROL_CGROUP_SELF] = "self",
        [CONTROL_CGROUP_SHARED] = "shared",
        [CONTROL_CGROUP_UNREADABLE] = "unreadable",
};

const char *control_cgroup_verdict_to_string(ControlCgroupVerdict v)
{
        return v >= 0 && v < CONTROL_CGROUP_VERDICT_MAX ? verdict_names[v] : NULL;
}

/* Whether cgroup path b is a or below it ("/a" holds "/a/b", not "/ab"). */
static bool path_at_or_below(const char *b, const char *a)
{
        size_t n = strlen(a);

        while (n > 1 && a[n - 1] == '/')
                n--;
        if (n == 1 && a[0] == '/')
                return b[0] == '/';
        return strncmp(b, a, n) == 0 && (b[n] == '\0' || b[n] == '/');
}

ControlCgroupVerdict control_cgroup_verdict_paths(const char *path, const char *host,
                                                  const char *self)
{
        if (!path || path[0] != '/' || path_has_dotdot(path))
                return CONTROL_CGROUP_NONE;
        if (streq(path, "/"))
                return CONTROL_CGROUP_ROOT;
        /* Killing or freezing it would reach pid 1, or ns itself (which
         * would then never come back to thaw it). */
        if (host && path_at_or_below(host, path))
                return CONTROL_CGROUP_HOST;
        if (self && path_at_or_below(self, path))
                return CONTROL_CGROUP_SELF;
        return CONTROL_CGROUP_OWN;
}

static int pid_cmp(const void *a, const void *b)
{
        pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
        return (x > y) - (x < y);
}

/* Append the pids of dir_fd's cgroup.procs and of every cgroup below it. */
static int subtree_procs(int dir_fd, unsigned depth, pid_t **pids, size_t *n)
{
        _cleanup_free_ char *buf = NULL;
        DIR *d;
        struct dirent *de;
        int r;

        if (depth > SUBTREE_DEPTH_MAX)
                return -ELOOP;
        r = read_file_at(dir_fd, "cgroup.procs", PROCS_FILE_MAX, &buf, NULL);
        if (r < 0)
                return r;
        for (char *p = buf, *end; *p; p = end) {
                end = strchrnul(p, '\n');
                if (*end)
                        *end++ = '\0';
                if (!*p)
                        continue;
                *pids = xreallocarray(*pids, *n + 1, sizeof(pid_t));
                /* A process outside ns' pid namespace shows as 0: it is
                 * kept, as a process that is no member. */
                if (parse_pid(p, &(*pids)[*n]) < 0)
                        (*pids)[*n] = 0;
                (*n)++;
        }

        r = opendir_at(dir_fd, ".", &d);
        if (r < 0)
                return r;
        while (r >= 0 && (de = readdir(d))) {
                _cleanup_close_ int sub = -EBADF;

                if (de->d_type != DT_DIR || streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (sub < 0) {
                        /* removed while we walk: nothing in it any more */
                        if (errno != ENOENT)
                                r = -errno;
                        continue;
                }
                r = subtree_procs(sub, depth + 1, pids, n);
                if (r == -ENOENT)
                        r = 0;
        }
        closedir(d);
        return r;
}

/* Whether pid belongs to the instance: the scan says so, or, for a process
 * born since the scan, its namespaces are the instance's. */
static bool is_member(const Instances *is, const Instance *in, pid_t pid)
{
        const Proc *p = pid > 0 ? scan_find(is->scan, pid) : NULL;
        NsIno tuple[NS_TYPE_MAX];
        char name[16];
        int r;

        if (p)
                return p->instance == (int)(in - is->items);
        if (pid <= 0)
                return false;
        snprintf(name, sizeof(name), "%d", (int)pid);
        r = scan_read_tuple(is->scan->proc_fd, name, is->scan->ns_present, tuple);
        /* One that exited since the cgroup was read is in nobody's way;
         * one we may not read may be anyone's. */
        if (r == -ENOENT || r == -ESRCH)
                return true;
        if (r < 0)
                return false;
        return memcmp(tuple, in->ns, sizeof(tuple)) == 0;
}

static void judge(int root_fd, const Instances *is, const Instance *in, const Cgroups *host,
                  const Cgroups *self, ControlCgroup *c)
{
        const CgroupPath *h, *s;
        _cleanup_close_ int dir = -EBADF;
        int r;

        if (!c->path || !c->path->dir) {
                c->verdict = CONTROL_CGROUP_NONE;
                return;
        }
        h = host ? cgroup_find_hierarchy(host, c->path) : NULL;
        s = self ? cgroup_find_hierarchy(self, c->path) : NULL;
        c->verdict =
                control_cgroup_verdict_paths(c->path->path, h ? h->path : NULL, s ? s->path : NULL);
        if (c->verdict != CONTROL_CGROUP_OWN)
                return;

        /* The paths are not enough: another instance, or a process of the
         * host, may sit in the same cgroup or one below it. */
        dir = cgroup_open_dir(root_fd, c->path);
        r = dir < 0 ? dir : subtree_procs(dir, 0, &c->procs, &c->n_procs);
        if (r < 0) {
                c->verdict = CONTROL_CGROUP_UNREADABLE;
                c->error = r;
                return;
        }
        for (size_t k = 0; k < c->n_procs; k++)
                if (!is_member(is, in, c->procs[k])) {
                        c->verdict = CONTROL_CGROUP_SHARED;
                        c->foreign = c->procs[k];
                        return;
                }
        if (c->n_procs > 1)
                qsort(c->procs, c->n_procs, sizeof(pid_t), pid_cmp);
}

static const CgroupPath *find_freezer(const Cgroups *cg)
{
        for (size_t i = 0; i < cg->n; i++) {
                const char *c = cg->items[i].controllers;
                size_t len = strlen("freezer");

                /* a comma-separated list of controllers, "freezer" among them */
                for (const char *p = c; (p = strstr(p, "freezer")); p += len)
                        if ((p == c || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
                                return &cg->items[i];
        }
        return NULL;
}

static const CgroupPath *find_v2(const Cgroups *cg)
{
        for (size_t i = 0; i < cg->n; i++)
                if (cgroup_is_v2(&cg->items[i]))
                        return &cg->items[i];
        return NULL;
}

int control_cgroups_load(int proc_fd, int root_fd, const Instances *is, const Instance *in,
                         ControlCgroups *ret)
{
        _cleanup_free_ char *mountinfo = NULL;
        Cgroups host = {}, self = {};
        bool have_host, have_self;
        ControlCgroups c = {};
        char path[32];
        int r;

        r = host_root_read_mountinfo(proc_fd, root_fd, &mountinfo);
        if (r < 0)
                return r;
        snprintf(path, sizeof(path), "%d/cgroup", (int)instance_leader(is, in)->pid);
        r = cgroup_load(proc_fd, path, mountinfo, &c.leader);
        if (r < 0)
                return r;
        /* Unreadable ones (another pid namespace's /proc, no pid 1) leave
         * the judgement to the processes of the cgroup. */
        have_host = cgroup_load(proc_fd, "1/cgroup", mountinfo, &host) >= 0;
        have_self = cgroup_load(proc_fd, "self/cgroup", mountinfo, &self) >= 0;

        c.v2.path = find_v2(&c.leader);
        c.freezer.path = find_freezer(&c.leader);
        judge(root_fd, is, in, have_host ? &host : NULL, have_self ? &self : NULL, &c.v2);
        judge(root_fd, is, in, have_host ? &host : NULL, have_self ? &self : NULL, &c.freezer);
        if (have_host)
                cgroups_done(&host);
        if (have_self)
                cgroups_done(&self);
        *ret = c;
        return 0;
}

void control_cgroups_done(ControlCgroups *c)
{
        free(c->v2.procs);
        free(c->freezer.procs);
        cgroups_done(&c->leader);
        *c = (ControlCgroups){};
}

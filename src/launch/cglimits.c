/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "cglimits.h"
#include "cgroup.h"
#include "macro.h"
#include "scan.h"
#include "util.h"

#define LEAF_PREFIX "ns-run-"

static const char *const controller_names[LIMITS_CONTROLLER_MAX] = {
        [LIMITS_MEMORY] = "memory",
        [LIMITS_PIDS] = "pids",
        [LIMITS_CPU] = "cpu",
};

struct Limits {
        bool v2;
        char *leaf[LIMITS_CONTROLLER_MAX]; /* absolute paths; v2: only [0]; NULL: none */
        int cgroup_fd;                     /* v2 leaf */
        int procs_fds[LIMITS_CONTROLLER_MAX];
        size_t n_procs_fds;
        pid_t cleaner;
        int cleaner_fd; /* write end: closing it (or dying) lets the cleaner go */
};

bool cglimits_empty(const LimitsConfig *c)
{
        return c->memory == 0 && c->pids == 0 && c->cpu_millis == 0;
}

static bool wanted(const LimitsConfig *c, LimitsController k)
{
        switch (k) {
        case LIMITS_MEMORY:
                return c->memory > 0;
        case LIMITS_PIDS:
                return c->pids > 0;
        case LIMITS_CPU:
                return c->cpu_millis > 0;
        default:
                return false;
        }
}

int cglimits_parse_size(const char *s, uint64_t *ret)
{
        static const char units[] = "KMGT";
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || !(v > 0) || !(v < 1e30))
                return -EINVAL;
        if (*end) {
                const char *u = strchr(units, *end & ~0x20);
                if (!u || !*u)
                        return -EINVAL;
                for (const char *k = units; k <= u; k++)
                        v *= 1024;
                end++;
                /* "64M", "64MB", "64MiB" */
                if ((end[0] == 'i' && (end[1] == 'B' || end[1] == 'b') && !end[2]) ||
                    ((end[0] == 'B' || end[0] == 'b') && !end[1]))
                        end += strlen(end);
                if (*end)
                        return -EINVAL;
        }
        if (v >= 18446744073709551615.0)
                return -ERANGE;
        *ret = (uint64_t)v;
        return *ret > 0 ? 0 : -EINVAL;
}

int cglimits_parse_cpus(const char *s, uint64_t *ret_millis)
{
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || *end || !(v > 0) || v > 1e6)
                return -EINVAL;
        /* The kernel's floor for a quota is 1 ms per 100 ms period. */
        if (v < 0.01)
                return -ERANGE;
        *ret_millis = (uint64_t)(v * 1000 + 0.5);
        return 0;
}

void cglimits_plan_done(LimitsPlan *p)
{
        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                free(p->parent[k]);
                p->parent[k] = NULL;
        }
}

/* Is name one of the items of a list separated by any of seps? */
static bool list_has(const char *list, size_t len, const char *seps, const char *name)
{
        size_t n = strlen(name);

        for (size_t i = 0; i < len;) {
                size_t j = i;
                while (j < len && !strchr(seps, list[j]))
                        j++;
                if (j - i == n && memcmp(list + i, name, n) == 0)
                        return true;
                i = j + 1;
        }
        return false;
}

/* mountpoint + (path below the mount's root). */
static char *join_mount(const char *mnt, const char *root, const char *path)
{
        size_t rl = strlen(root);

        if (!streq(root, "/")) {
                if (strncmp(path, root, rl) != 0 || (path[rl] && path[rl] != '/'))
                        return NULL;
                path += rl;
        }
        while (*path == '/')
                path++;
        if (!*path)
                return xstrdup(mnt);
        return xasprintf("%s/%s", streq(mnt, "/") ? "" : mnt, path);
}

static char *dirname_of(const char *path)
{
        const char *slash = strrchr(path, '/');

        if (!slash || slash == path)
                return xstrdup("/");
        return xstrndup(path, (size_t)(slash - path));
}

int cglimits_plan(const LimitsConfig *c, const char *self_cgroup, const char *mountinfo,
                  const char *v2_root_controllers, LimitsPlan *ret)
{
        _cleanup_(cgroups_done) Cgroups own = {};
        LimitsPlan p = {};
        bool v2 = v2_root_controllers && *v2_root_controllers;

        if (cgroup_parse(self_cgroup, &own) < 0)
                return -EOPNOTSUPP;
        for (int k = 0; k < LIMITS_CONTROLLER_MAX && v2; k++)
                if (wanted(c, (LimitsController)k) &&
                    !list_has(v2_root_controllers, strlen(v2_root_controllers), " \n",
                              controller_names[k]))
                        v2 = false;

        if (v2) {
                _cleanup_free_ char *root = NULL, *mnt = NULL, *parent = NULL;
                const CgroupPath *self = cgroup_find_controller(&own, NULL);

                if (!self || cgroup_find_mount(mountinfo, NULL, &mnt, &root) < 0)
                        return -EOPNOTSUPP;
                /*
                 * Not below our own cgroup: a cgroup with processes may not
                 * pass controllers to children (the root excepted). A
                 * sibling, in the parent that a delegation hands us.
                 */
                parent = streq(self->path, "/") ? xstrdup(self->path) : dirname_of(self->path);
                for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                        if (!wanted(c, (LimitsController)k))
                                continue;
                        p.parent[k] = join_mount(mnt, root, parent);
                        if (!p.parent[k]) {
                                cglimits_plan_done(&p);
                                return -EOPNOTSUPP;
                        }
                }
                p.v2 = true;
                *ret = p;
                return 0;
        }

        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                _cleanup_free_ char *root = NULL, *mnt = NULL;
                const CgroupPath *self;

                if (!wanted(c, (LimitsController)k))
                        continue;
                self = cgroup_find_controller(&own, controller_names[k]);
                if (self && cgroup_find_mount(mountinfo, controller_names[k], &mnt, &root) == 0)
                        p.parent[k] = join_mount(mnt, root, self->path);
                if (!p.parent[k]) {
                        cglimits_plan_done(&p);
                        return -EOPNOTSUPP;
                }
        }
        *ret = p;
        return 0;
}

static int write_at(int dfd, const char *name, const char *value)
{
        _cleanup_close_ int fd = openat(dfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC | O_NOCTTY);
        ssize_t n = (ssize_t)strlen(value);

        if (fd < 0)
                return -errno;
        if (write(fd, value, (size_t)n) != n)
                return errno ? -errno : -EIO;
        return 0;
}

int cglimits_v2_enable(int parent_fd, const LimitsConfig *c)
{
        char buf[512];
        ssize_t n = read_small_at(parent_fd, "cgroup.subtree_control", buf, sizeof(buf));

        if (n < 0)
                return (int)n;
        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                char add[32];
                int r;

                if (!wanted(c, (LimitsController)k) ||
                    list_has(buf, (size_t)n, " \n", controller_names[k]))
                        continue;
                snprintf(add, sizeof(add), "+%s", controller_names[k]);
                r = write_at(parent_fd, "cgroup.subtree_control", add);
                if (r < 0)
                        return r;
        }
        return 0;
}

int cglimits_write(int leaf_fd, bool v2, const LimitsConfig *c, LimitsController only)
{
        char buf[64];
        int r;

#define ONLY(k) (only == LIMITS_CONTROLLER_INVALID || only == (k))
        if (c->memory && ONLY(LIMITS_MEMORY)) {
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->memory);
                r = write_at(leaf_fd, v2 ? "memory.max" : "memory.limit_in_bytes", buf);
                if (r < 0)
                        return r;
                /* No swapping past the limit either, where swap is accounted. */
                r = v2 ? write_at(leaf_fd, "memory.swap.max", "0")
                       : write_at(leaf_fd, "memory.memsw.limit_in_bytes", buf);
                if (r < 0 && r != -ENOENT)
                        return r;
        }
        if (c->pids && ONLY(LIMITS_PIDS)) {
                snprintf(buf, sizeof(buf), "%llu", (unsigned long long)c->pids);
                r = write_at(leaf_fd, "pids.max", buf);
                if (r < 0)
                        return r;
        }
        if (c->cpu_millis && ONLY(LIMITS_CPU)) {
                /* quota per 100 ms period */
                unsigned long long quota = (unsigned long long)c->cpu_millis * 100;
                if (v2) {
                        snprintf(buf, sizeof(buf), "%llu 100000", quota);
                        r = write_at(leaf_fd, "cpu.max", buf);
                } else {
                        r = write_at(leaf_fd, "cpu.cfs_period_us", "100000");
                        if (r >= 0) {
                                snprintf(buf, sizeof(buf), "%llu", quota);
                                r = write_at(leaf_fd, "cpu.cfs_quota_us", buf);
                        }
                }
                if (r < 0)
                        return r;
        }
#undef ONLY
        return 0;
}

/* rmdir, waiting out the moment the last task takes to leave. */
static int remove_leaf(const char *path, int tries)
{
        struct timespec ts = { 0, 1000000 };

        for (int i = 0;; i++) {
                if (rmdir(path) == 0 || errno == ENOENT)
                        return 0;
                if (errno != EBUSY || i >= tries)
                        return -errno;
                nanosleep(&ts, NULL);
                if (ts.tv_nsec < 64000000)
                        ts.tv_nsec *= 2;
        }
}

/* The pid in a leaf's name, "ns-run-<pid>" as ns run writes it; 0 for
 * any other name. */
static pid_t leaf_pid(const char *name)
{
        pid_t pid;

        if (!startswith(name, LEAF_PREFIX) || !is_canonical_pid(name + strlen(LEAF_PREFIX)) ||
            parse_pid(name + strlen(LEAF_PREFIX), &pid) < 0)
                return 0;
        return pid;
}

/*
 * Whether the ns run that made a leaf at made_usec (wall clock) may still
 * be there: its pid alive, named ns, and started no later than the leaf
 * was made. A pid reused since started after: floored to the clock tick,
 * the owner's start time is never later than its leaf. What cannot be
 * read (EACCES) counts as there.
 */
static bool leaf_owner_alive(int proc_fd, pid_t pid, uint64_t made_usec, uint64_t boot_usec)
{
        char path[32], comm[16], state;
        unsigned long long start;
        long tick = sysconf(_SC_CLK_TCK);
        pid_t ppid;
        int r;

        snprintf(path, sizeof(path), "%d/stat", (int)pid);
        r = proc_read_stat(proc_fd, path, &state, &ppid, &start, comm);
        if (r < 0)
                return r != -ENOENT && r != -ESRCH;
        /* a zombie ns run has ended: what it made is no one's */
        if (state == 'Z' || state == 'X' || !streq(comm, "ns"))
                return false;
        if (tick <= 0)
                tick = 100;
        return boot_usec + (uint64_t)start * 1000000 / (uint64_t)tick <= made_usec;
}

uint64_t cglimits_boot_usec(void)
{
        struct timespec real, boot;

        clock_gettime(CLOCK_REALTIME, &real);
        clock_gettime(CLOCK_BOOTTIME, &boot);
        return (uint64_t)(real.tv_sec - boot.tv_sec) * 1000000 +
               (uint64_t)((real.tv_nsec - boot.tv_nsec) / 1000);
}

int cglimits_sweep(int parent_fd, int proc_fd, uint64_t boot_usec)
{
        DIR *d;
        struct dirent *de;
        int removed = 0, r;

        r = opendir_at(parent_fd, ".", &d);
        if (r < 0)
                return r;
        while ((de = readdir(d))) {
                pid_t pid = leaf_pid(de->d_name);
                struct stat st;

                if (pid <= 0 || (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN) ||
                    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
                    !S_ISDIR(st.st_mode))
                        continue;
                /* a cgroup directory's times are those of its mkdir */
                if (leaf_owner_alive(proc_fd, pid,
                                     (uint64_t)st.st_mtim.tv_sec * 1000000 +
                                             (uint64_t)st.st_mtim.tv_nsec / 1000,
                                     boot_usec))
                        continue;
                /* A leaf that still holds tasks is busy (EBUSY) and stays. */
                if (unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR) == 0)
                        removed++;
        }
        closedir(d);
        return removed;
}

/*
 * The cleaner: a fork of ns run in a session of its own (a ^C or a kill of
 * the process group does not reach it) that waits for ns run to go, however
 * it goes, then removes the leaf once the instance has left it.
 */
static _noreturn_ void cleaner_main(Limits *l, int fd)
{
        char c;

        setsid();
        while (read(fd, &c, 1) < 0 && errno == EINTR)
                ;
        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++)
                if (l->leaf[k])
                        (void)remove_leaf(l->leaf[k], 400); /* about 25 s */
        _exit(0);
}

static int spawn_cleaner(Limits *l)
{
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        pid = fork();
        if (pid < 0) {
                int r = -errno;
                close(p[0]);
                close(p[1]);
                return r;
        }
        if (pid == 0) {
                close(p[1]);
                /* Nothing of ns run's: its terminal, pipes and fds. */
                close_range(0, (unsigned)p[0] - 1, 0);
                close_range((unsigned)p[0] + 1, ~0U, 0);
                cleaner_main(l, p[0]);
        }
        close(p[0]);
        l->cleaner = pid;
        l->cleaner_fd = p[1];
        return 0;
}

int cglimits_create(const LimitsConfig *c, Limits **ret, char **ret_path)
{
        _cleanup_free_ char *self_cgroup = NULL, *mountinfo = NULL, *v2ctl = NULL;
        _cleanup_free_ char *v2root = NULL, *v2mnt = NULL;
        _cleanup_close_ int proc_fd = -EBADF;
        LimitsPlan plan = {};
        int first[LIMITS_CONTROLLER_MAX];
        uint64_t boot_usec = cglimits_boot_usec();
        Limits *l;
        char leaf_name[32];
        int r;

        *ret_path = NULL;
        r = read_file_at(AT_FDCWD, "/proc/self/cgroup", 0, &self_cgroup, NULL);
        if (r >= 0)
                r = read_file_at(AT_FDCWD, "/proc/self/mountinfo", 0, &mountinfo, NULL);
        if (r < 0) {
                *ret_path = xstrdup("/proc/self");
                return r;
        }
        if (cgroup_find_mount(mountinfo, NULL, &v2mnt, &v2root) == 0) {
                _cleanup_free_ char *path = xasprintf("%s/cgroup.controllers", v2mnt);
                (void)read_file_at(AT_FDCWD, path, 4096, &v2ctl, NULL);
        }
        r = cglimits_plan(c, self_cgroup, mountinfo, v2ctl, &plan);
        if (r < 0)
                return r;

        l = xnew(Limits, 1);
        l->v2 = plan.v2;
        l->cgroup_fd = -EBADF;
        l->cleaner_fd = -EBADF;
        snprintf(leaf_name, sizeof(leaf_name), LEAF_PREFIX "%d", (int)getpid());

        /* One leaf per distinct parent: v2 has one, v1 one per hierarchy
         * (controllers mounted together share it). Named before anything
         * is made, so that the cleaner knows them all from the start. */
        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                first[k] = -1;
                if (!plan.parent[k])
                        continue;
                first[k] = k;
                for (int j = 0; j < k; j++)
                        if (plan.parent[j] && streq(plan.parent[j], plan.parent[k])) {
                                first[k] = j;
                                break;
                        }
                if (first[k] == k)
                        l->leaf[k] = xasprintf("%s/%s", plan.parent[k], leaf_name);
        }
        r = spawn_cleaner(l);
        if (r < 0)
                goto fail;
        /* without /proc no leaf is swept: nothing else depends on it */
        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                _cleanup_close_ int parent_fd = -EBADF, leaf_fd = -EBADF;

                if (first[k] < 0)
                        continue;
                if (first[k] == k) {
                        parent_fd = open(plan.parent[k], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        if (parent_fd < 0) {
                                r = -errno;
                                *ret_path = xstrdup(plan.parent[k]);
                                goto fail;
                        }
                        if (plan.v2) {
                                r = cglimits_v2_enable(parent_fd, c);
                                if (r < 0) {
                                        *ret_path = xasprintf("%s/cgroup.subtree_control",
                                                              plan.parent[k]);
                                        goto fail;
                                }
                        }
                        /* What an ns run killed with its cleaner left here;
                         * a stale leaf of our own pid would fail the mkdir. */
                        if (proc_fd >= 0)
                                (void)cglimits_sweep(parent_fd, proc_fd, boot_usec);
                        if (mkdirat(parent_fd, leaf_name, 0755) < 0) {
                                r = -errno;
                                *ret_path = xstrdup(l->leaf[k]);
                                goto fail;
                        }
                }
                leaf_fd = open(l->leaf[first[k]], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (leaf_fd < 0) {
                        r = -errno;
                        *ret_path = xstrdup(l->leaf[first[k]]);
                        goto fail;
                }
                r = cglimits_write(leaf_fd, plan.v2, c,
                                   plan.v2 ? LIMITS_CONTROLLER_INVALID : (LimitsController)k);
                if (r < 0) {
                        *ret_path = xstrdup(l->leaf[first[k]]);
                        goto fail;
                }
                if (plan.v2) {
                        l->cgroup_fd = TAKE_FD(leaf_fd);
                        break;
                }
                if (first[k] == k) {
                        int fd = openat(leaf_fd, "cgroup.procs", O_WRONLY | O_CLOEXEC);
                        if (fd < 0) {
                                r = -errno;
                                *ret_path = xasprintf("%s/cgroup.procs", l->leaf[k]);
                                goto fail;
                        }
                        l->procs_fds[l->n_procs_fds++] = fd;
                }
        }
        cglimits_plan_done(&plan);
        *ret = l;
        return 0;

fail:
        cglimits_plan_done(&plan);
        cglimits_remove(l);
        cglimits_free(l);
        return r;
}

int cglimits_cgroup_fd(const Limits *l)
{
        return l->v2 ? l->cgroup_fd : -1;
}

const int *cglimits_procs_fds(const Limits *l, size_t *ret_n)
{
        *ret_n = l->n_procs_fds;
        return l->procs_fds;
}

int cglimits_remove(Limits *l)
{
        int r = 0;

        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++) {
                int q;

                if (!l->leaf[k])
                        continue;
                q = remove_leaf(l->leaf[k], 12); /* about 250 ms */
                if (q < 0 && r == 0)
                        r = q;
        }
        return r;
}

Limits *cglimits_free(Limits *l)
{
        if (!l)
                return NULL;
        closep(&l->cgroup_fd);
        for (size_t i = 0; i < l->n_procs_fds; i++)
                closep(&l->procs_fds[i]);
        /* The cleaner finds the leaf gone and leaves at once. */
        closep(&l->cleaner_fd);
        if (l->cleaner > 0)
                while (waitpid(l->cleaner, NULL, 0) < 0 && errno == EINTR)
                        ;
        for (int k = 0; k < LIMITS_CONTROLLER_MAX; k++)
                free(l->leaf[k]);
        free(l);
        return NULL;
}

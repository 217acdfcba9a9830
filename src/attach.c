/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/capability.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/lsan_interface.h>
#endif

#include "attach.h"
#include "cgroup.h"
#include "macro.h"
#include "passwd.h"
#include "pty.h"
#include "scan.h"
#include "util.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080 /* Linux 5.6 */
#endif

#define STATUS_MAX (64 * 1024)
#define ENVIRON_MAX (16 * 1024 * 1024)
#define MAP_MAX (64 * 1024)

/* PATH for the command when the leader has none, as docker exec does. */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

extern char **environ;

struct Attach {
        const AttachOptions *opts;
        unsigned keep; /* opts->keep, and what --tools implies */
        pid_t pid;
        int pidfd;      /* -1 before Linux 5.3 */
        int proc_fd;    /* the host's /proc */
        int pid_dir_fd; /* the host's /proc/PID */
        int host_root_fd;
        int root_fd; /* the leader's root, O_PATH */
        int cwd_fd;  /* the leader's working directory, O_PATH */
        int mask;    /* CLONE_NEW* of the namespaces to join */

        ProcCreds target; /* as the host sees it */
        ProcCreds self;   /* ours, as the host sees it */
        bool groups_differ;
        /* The leader's ids as its own user namespace sees them. */
        uid_t want_uid[4];
        gid_t want_gid[4];
        gid_t *want_groups;
        size_t n_want_groups;

        char *environ;
        size_t environ_len;
        struct rlimit rlim[RLIM_NLIMITS];
        bool have_rlim[RLIM_NLIMITS];
        char *lsm_label;

        Cgroups cgroups;
        int *cg_fds;     /* cgroup.procs of each hierarchy to join */
        char **cg_paths; /* for the error messages */
        size_t n_cg;
        char *frozen;
};

/* ------------------------------------------------------------ errors */

_printf_(4, 5) static int fail(AttachError *err, AttachStep step, int r, const char *fmt, ...)
{
        va_list ap;

        if (r > 0)
                r = -r;
        if (r == 0)
                r = -EIO;
        if (err) {
                err->step = step;
                err->error = -r;
                err->detail[0] = '\0';
                if (fmt) {
                        va_start(ap, fmt);
                        vsnprintf(err->detail, sizeof(err->detail), fmt, ap);
                        va_end(ap);
                }
        }
        return r;
}

/* ------------------------------------------------------ pure helpers */

int attach_keep_from_string(const char *s, unsigned *ret, const char **ret_bad, size_t *ret_bad_len)
{
        static const struct {
                const char *name;
                unsigned flag;
        } words[] = {
                { "caps", ATTACH_KEEP_CAPS },   { "cgroup", ATTACH_KEEP_CGROUP },
                { "creds", ATTACH_KEEP_CREDS }, { "lsm", ATTACH_KEEP_LSM },
                { "env", ATTACH_KEEP_ENV },
        };
        unsigned keep = 0;

        for (const char *p = s;;) {
                size_t len = strcspn(p, ",");
                bool found = false;

                for (size_t i = 0; i < ELEMENTSOF(words); i++)
                        if (len == strlen(words[i].name) && strncmp(p, words[i].name, len) == 0) {
                                keep |= words[i].flag;
                                found = true;
                        }
                if (!found) {
                        *ret_bad = p;
                        *ret_bad_len = len;
                        return -EINVAL;
                }
                if (!p[len])
                        break;
                p += len + 1;
        }
        *ret = keep;
        return 0;
}

static int parse_ids4(const char *v, unsigned ret[4])
{
        unsigned long long x[4];
        if (sscanf(v, "%llu %llu %llu %llu", &x[0], &x[1], &x[2], &x[3]) != 4)
                return -EINVAL;
        for (int i = 0; i < 4; i++) {
                if (x[i] > UINT32_MAX)
                        return -ERANGE;
                ret[i] = (unsigned)x[i];
        }
        return 0;
}

int attach_parse_status(const char *status, ProcCreds *ret)
{
        ProcCreds c = {};
        unsigned seen = 0;

        for (const char *line = status; *line;) {
                const char *end = strchrnul(line, '\n');
                _cleanup_free_ char *l = xstrndup(line, (size_t)(end - line));
                char *v = strchr(l, ':');

                line = *end ? end + 1 : end;
                if (!v)
                        continue;
                *v++ = '\0';
                v += strspn(v, " \t");
                if (streq(l, "Uid")) {
                        if (parse_ids4(v, c.uid) < 0)
                                goto bad;
                        seen |= 1;
                } else if (streq(l, "Gid")) {
                        if (parse_ids4(v, c.gid) < 0)
                                goto bad;
                        seen |= 2;
                } else if (streq(l, "Groups")) {
                        for (char *p = v, *save = NULL, *tok; (tok = strtok_r(p, " \t", &save));
                             p = NULL) {
                                unsigned g;
                                if (parse_id(tok, &g) < 0)
                                        goto bad;
                                c.groups = xreallocarray(c.groups, c.n_groups + 1, sizeof(gid_t));
                                c.groups[c.n_groups++] = g;
                        }
                } else if (streq(l, "CapInh") || streq(l, "CapPrm") || streq(l, "CapEff") ||
                           streq(l, "CapBnd") || streq(l, "CapAmb")) {
                        char *e;
                        uint64_t x;

                        errno = 0;
                        x = strtoull(v, &e, 16);
                        if (errno || e == v)
                                goto bad;
                        if (streq(l, "CapInh"))
                                c.cap_inh = x;
                        else if (streq(l, "CapPrm"))
                                c.cap_prm = x;
                        else if (streq(l, "CapEff"))
                                c.cap_eff = x;
                        else if (streq(l, "CapBnd"))
                                c.cap_bnd = x;
                        else
                                c.cap_amb = x;
                        seen |= 4;
                } else if (streq(l, "NoNewPrivs"))
                        c.no_new_privs = v[0] == '1';
        }
        if (seen != 7)
                goto bad;
        *ret = c;
        return 0;
bad:
        free(c.groups);
        return -EINVAL;
}

void proc_creds_done(ProcCreds *c)
{
        free(c->groups);
        c->groups = NULL;
        c->n_groups = 0;
}

int attach_map_id(const char *map, uint32_t outside, uint32_t *ret_inside)
{
        for (const char *line = map; *line;) {
                const char *end = strchrnul(line, '\n');
                unsigned long long in, out, count;

                /* "inside outside count", as read from outside the namespace */
                if (sscanf(line, "%llu %llu %llu", &in, &out, &count) == 3 && outside >= out &&
                    outside - out < count) {
                        *ret_inside = (uint32_t)(in + (outside - out));
                        return 0;
                }
                line = *end ? end + 1 : end;
        }
        return -ENOENT;
}

char *attach_lsm_exec_label(const char *current)
{
        size_t n = strcspn(current, "\n");
        _cleanup_free_ char *label = xstrndup(current, n);
        char *mode;

        /* Drop the trailing NUL bytes some LSMs add. */
        label[strlen(label)] = '\0';
        while (n > 0 && (label[n - 1] == ' ' || label[n - 1] == '\0'))
                label[--n] = '\0';
        if (n == 0 || streq(label, "unconfined") || streq(label, "kernel"))
                return NULL;
        /* AppArmor shows "profile (enforce)"; its exec attribute takes "exec profile". */
        mode = strstr(label, " (");
        if (mode && label[n - 1] == ')') {
                *mode = '\0';
                if (streq(label, "unconfined"))
                        return NULL;
                return xasprintf("exec %s", label);
        }
        return TAKE_PTR(label);
}

void strv_free(char **v)
{
        if (!v)
                return;
        for (char **p = v; *p; p++)
                free(*p);
        free(v);
}

static size_t env_name_len(const char *s)
{
        const char *eq = strchr(s, '=');
        return eq ? (size_t)(eq - s) : strlen(s);
}

static void env_put(char ***env, size_t *n, char *assignment)
{
        size_t len = env_name_len(assignment);

        for (size_t i = 0; i < *n; i++)
                if (env_name_len((*env)[i]) == len && strncmp((*env)[i], assignment, len) == 0) {
                        free((*env)[i]);
                        (*env)[i] = assignment;
                        return;
                }
        *env = xreallocarray(*env, *n + 2, sizeof(char *));
        (*env)[(*n)++] = assignment;
        (*env)[*n] = NULL;
}

char **attach_build_env(const char *base, size_t base_len, char *const *set,
                        char *const *lookup_env)
{
        char **env = xnew(char *, 1);
        size_t n = 0;

        for (size_t off = 0; off < base_len;) {
                const char *s = base + off;
                size_t len = strnlen(s, base_len - off);

                /* an entry without '=' is not a variable: leave it out */
                if (len > 0 && memchr(s, '=', len) && s[0] != '=')
                        env_put(&env, &n, xstrndup(s, len));
                off += len + 1;
        }
        for (; set && *set; set++) {
                const char *s = *set;

                if (strchr(s, '=')) {
                        env_put(&env, &n, xstrdup(s));
                        continue;
                }
                for (char *const *e = lookup_env; e && *e; e++)
                        if (env_name_len(*e) == strlen(s) && strncmp(*e, s, strlen(s)) == 0 &&
                            (*e)[strlen(s)] == '=') {
                                env_put(&env, &n, xstrdup(*e));
                                break;
                        }
        }
        return env;
}

static bool env_has(char **env, const char *name)
{
        size_t len = strlen(name);
        for (; env && *env; env++)
                if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
                        return true;
        return false;
}

/* ----------------------------------------------------------- opening */

static int read_ns_links(int dir_fd, const char *prefix, NsIno ret[NS_TYPE_MAX])
{
        for (int t = 0; t < NS_TYPE_MAX; t++) {
                char path[48], link[64];
                ssize_t k;

                snprintf(path, sizeof(path), "%s%s", prefix, ns_info[t].proc);
                k = readlinkat(dir_fd, path, link, sizeof(link));
                if (k < 0) {
                        if (errno == ENOENT) {
                                ret[t] = 0; /* this kernel has no such namespace */
                                continue;
                        }
                        return -errno;
                }
                if (ns_parse_link(link, (size_t)k, &ret[t]) < 0)
                        return -EIO;
        }
        return 0;
}

static int self_creds(ProcCreds *ret)
{
        ProcCreds c = {};
        int n;

        if (getresuid(&c.uid[0], &c.uid[1], &c.uid[2]) < 0 ||
            getresgid(&c.gid[0], &c.gid[1], &c.gid[2]) < 0)
                return -errno;
        c.uid[3] = (uid_t)setfsuid((uid_t)-1);
        c.gid[3] = (gid_t)setfsgid((gid_t)-1);
        n = getgroups(0, NULL);
        if (n < 0)
                return -errno;
        c.groups = xnew(gid_t, (size_t)n + 1);
        n = getgroups(n, c.groups);
        if (n < 0) {
                free(c.groups);
                return -errno;
        }
        c.n_groups = (size_t)n;
        *ret = c;
        return 0;
}

static bool same_groups(const gid_t *a, size_t na, const gid_t *b, size_t nb)
{
        /* as sets: the kernel sorts them, userspace may not */
        for (size_t i = 0; i < na; i++) {
                bool found = false;
                for (size_t j = 0; j < nb && !found; j++)
                        found = a[i] == b[j];
                if (!found)
                        return false;
        }
        for (size_t j = 0; j < nb; j++) {
                bool found = false;
                for (size_t i = 0; i < na && !found; i++)
                        found = a[i] == b[j];
                if (!found)
                        return false;
        }
        return true;
}

/* The leader's ids as its own user namespace sees them. */
static int translate_ids(Attach *a, AttachError *err)
{
        _cleanup_free_ char *uid_map = NULL, *gid_map = NULL;
        int r;

        if (!(a->mask & ns_info[NS_USER].clone_flag)) {
                memcpy(a->want_uid, a->target.uid, sizeof(a->want_uid));
                memcpy(a->want_gid, a->target.gid, sizeof(a->want_gid));
                a->want_groups = xnew(gid_t, a->target.n_groups + 1);
                if (a->target.n_groups > 0)
                        memcpy(a->want_groups, a->target.groups,
                               a->target.n_groups * sizeof(gid_t));
                a->n_want_groups = a->target.n_groups;
                return 0;
        }
        r = read_file_at(a->pid_dir_fd, "uid_map", MAP_MAX, &uid_map, NULL);
        if (r >= 0)
                r = read_file_at(a->pid_dir_fd, "gid_map", MAP_MAX, &gid_map, NULL);
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "uid_map");
        for (int i = 0; i < 4; i++) {
                uint32_t v;
                if (attach_map_id(uid_map, a->target.uid[i], &v) < 0)
                        return fail(err, ATTACH_STEP_CREDS, EOVERFLOW, "uid %u",
                                    (unsigned)a->target.uid[i]);
                a->want_uid[i] = v;
                if (attach_map_id(gid_map, a->target.gid[i], &v) < 0)
                        return fail(err, ATTACH_STEP_CREDS, EOVERFLOW, "gid %u",
                                    (unsigned)a->target.gid[i]);
                a->want_gid[i] = v;
        }
        /* A supplementary group the namespace does not map cannot be given
         * from inside it; it is kept only when set from outside (below). */
        a->want_groups = xnew(gid_t, a->target.n_groups + 1);
        for (size_t i = 0; i < a->target.n_groups; i++) {
                uint32_t v;
                if (attach_map_id(gid_map, a->target.groups[i], &v) >= 0)
                        a->want_groups[a->n_want_groups++] = v;
        }
        return 0;
}

static int open_cgroups(Attach *a, AttachError *err)
{
        _cleanup_free_ char *mountinfo = NULL;
        Cgroups self = {};
        int r;

        r = read_file_at(a->proc_fd, "self/mountinfo", 0, &mountinfo, NULL);
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "/proc/self/mountinfo");
        r = cgroup_load(a->pid_dir_fd, "cgroup", mountinfo, &a->cgroups);
        if (r == -EINVAL)
                return 0; /* a kernel without cgroups */
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "cgroup");

        /* Step 2's input: refuse to walk into a frozen cgroup. */
        const CgroupPath *fz = cgroup_frozen(a->host_root_fd, &a->cgroups);
        if (fz)
                a->frozen = fz->controllers[0] ? xasprintf("%s:%s", fz->controllers, fz->path)
                                               : xstrdup(fz->path);

        if (a->keep & ATTACH_KEEP_CGROUP)
                return 0;
        r = cgroup_load(a->proc_fd, "self/cgroup", mountinfo, &self);
        if (r < 0)
                return fail(err, ATTACH_STEP_READ, r, "/proc/self/cgroup");

        a->cg_fds = xnew(int, a->cgroups.n);
        a->cg_paths = xnew(char *, a->cgroups.n);
        for (size_t i = 0; i < a->cgroups.n; i++) {
                const CgroupPath *p = &a->cgroups.items[i], *mine = cgroup_find_hierarchy(&self, p);
                int fd;

                if (mine && streq(mine->path, p->path))
                        continue; /* already there */
                if (!p->dir) {
                        /* A hierarchy mounted nowhere (nothing can be done), or a cgroup
                         * outside our cgroup namespace: we cannot reach it. */
                        if (!p->mounted)
                                continue;
                        r = fail(err, ATTACH_STEP_CGROUP, ENOENT, "%s", p->path);
                        goto out;
                }
                fd = cgroup_open_file(a->host_root_fd, p, "cgroup.procs", O_WRONLY);
                if (fd < 0) {
                        r = fail(err, ATTACH_STEP_CGROUP, fd, "%s", p->path);
                        goto out;
                }
                a->cg_fds[a->n_cg] = fd;
                a->cg_paths[a->n_cg++] = xstrdup(p->path);
        }
        r = 0;
out:
        cgroups_done(&self);
        return r;
}

static int verify_alive(Attach *a, AttachError *err)
{
        char buf[32];

        /* While the process lives its pid cannot be reused, so everything
         * read through /proc/PID above was read from it. */
        if (a->pidfd >= 0) {
                if (syscall(SYS_pidfd_send_signal, a->pidfd, 0, NULL, 0) < 0)
                        return fail(err, ATTACH_STEP_VERIFY, errno, NULL);
                return 0;
        }
        /* Before Linux 5.3: /proc/PID of a dead process reads ESRCH. */
        if (read_small_at(a->pid_dir_fd, "stat", buf, sizeof(buf)) < 0)
                return fail(err, ATTACH_STEP_VERIFY, ESRCH, NULL);
        return 0;
}

int attach_open(int proc_fd, pid_t pid, unsigned long long starttime, const AttachOptions *o,
                Attach **ret, AttachError *err)
{
        Attach *a = xnew(Attach, 1);
        NsIno target_ns[NS_TYPE_MAX], self_ns[NS_TYPE_MAX];
        char path[32], stat[1024], state, comm[16];
        _cleanup_free_ char *status = NULL;
        unsigned long long st = 0;
        pid_t ppid;
        int r;

        a->opts = o;
        /* --tools runs host tools as ns: they keep ns' own identity */
        a->keep = o->keep | (o->tools ? ATTACH_KEEP_CAPS | ATTACH_KEEP_CREDS | ATTACH_KEEP_LSM |
                                                ATTACH_KEEP_ENV
                                      : 0);
        a->pid = pid;
        a->pidfd = a->pid_dir_fd = a->root_fd = a->cwd_fd = a->host_root_fd = a->proc_fd = -EBADF;

        a->proc_fd = fcntl(proc_fd, F_DUPFD_CLOEXEC, 3);
        if (a->proc_fd < 0) {
                r = fail(err, ATTACH_STEP_OPEN, errno, NULL);
                goto fail;
        }
        /* Step 1: the pidfd pins what we act on; pidfd_open needs Linux 5.3. */
        a->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        if (a->pidfd < 0 && errno != ENOSYS) {
                r = fail(err, ATTACH_STEP_OPEN, errno, NULL);
                goto fail;
        }
        snprintf(path, sizeof(path), "%d", (int)pid);
        a->pid_dir_fd = openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (a->pid_dir_fd < 0) {
                r = fail(err, ATTACH_STEP_OPEN, errno == ENOENT ? ESRCH : errno, NULL);
                goto fail;
        }
        r = (int)read_small_at(a->pid_dir_fd, "stat", stat, sizeof(stat));
        if (r >= 0)
                r = proc_parse_stat(stat, &state, &ppid, &st, comm);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_OPEN, r == -ENOENT ? -ESRCH : r, NULL);
                goto fail;
        }
        if (state == 'Z' || state == 'X') {
                r = fail(err, ATTACH_STEP_OPEN, ESRCH, NULL);
                goto fail;
        }
        if (starttime != 0 && st != starttime) {
                /* the pid was reused by another process since it was resolved */
                r = fail(err, ATTACH_STEP_VERIFY, ESRCH, NULL);
                goto fail;
        }

        /* Step 3: everything the child needs, read or opened from the host
         * before any namespace is joined. */
        r = read_ns_links(a->pid_dir_fd, "", target_ns);
        if (r >= 0)
                r = read_ns_links(proc_fd, "self/", self_ns);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "ns");
                goto fail;
        }
        for (int t = 0; t < NS_TYPE_MAX; t++)
                /* setns into the user namespace we are in is EINVAL: skip what is shared */
                if (target_ns[t] != 0 && target_ns[t] != self_ns[t])
                        a->mask |= ns_info[t].clone_flag;
        if (o->tools)
                a->mask &= ~ns_info[NS_MNT].clone_flag;

        r = read_file_at(a->pid_dir_fd, "status", STATUS_MAX, &status, NULL);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "status");
                goto fail;
        }
        r = attach_parse_status(status, &a->target);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "status");
                goto fail;
        }
        r = self_creds(&a->self);
        if (r < 0) {
                r = fail(err, ATTACH_STEP_READ, r, "credentials");
                goto fail;
        }
        a->groups_differ = !same_groups(a->target.groups, a->target.n_groups, a->self.groups,
                                        a->self.n_groups);
        if (!(a->keep & ATTACH_KEEP_CREDS)) {
                r = translate_ids(a, err);
                if (r < 0)
                        goto fail;
        }

        if (!(a->keep & ATTACH_KEEP_ENV)) {
                r = read_file_at(a->pid_dir_fd, "environ", ENVIRON_MAX, &a->environ,
                                 &a->environ_len);
                if (r < 0) {
                        r = fail(err, ATTACH_STEP_READ, r, "environ");
                        goto fail;
                }
        }

        for (int i = 0; i < RLIM_NLIMITS; i++)
                /* by pid, but verify_alive() below proves it was this process */
                a->have_rlim[i] = prlimit(pid, (__rlimit_resource_t)i, NULL, &a->rlim[i]) == 0;

        if (!(a->keep & ATTACH_KEEP_LSM)) {
                char label[4096];
                ssize_t k = read_small_at(a->pid_dir_fd, "attr/current", label, sizeof(label));
                /* EINVAL: no LSM that has a current attribute */
                if (k >= 0)
                        a->lsm_label = attach_lsm_exec_label(label);
        }

        a->host_root_fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->host_root_fd < 0) {
                r = fail(err, ATTACH_STEP_READ, errno, "/");
                goto fail;
        }
        r = open_cgroups(a, err);
        if (r < 0)
                goto fail;

        /* Opening these magic links needs ptrace access to the leader. */
        a->root_fd = openat(a->pid_dir_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->root_fd < 0) {
                r = fail(err, ATTACH_STEP_ROOT, errno, NULL);
                goto fail;
        }
        a->cwd_fd = openat(a->pid_dir_fd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (a->cwd_fd < 0) {
                r = fail(err, ATTACH_STEP_CWD, errno, NULL);
                goto fail;
        }

        r = verify_alive(a, err);
        if (r < 0)
                goto fail;
        *ret = a;
        return 0;
fail:
        attach_free(a);
        return r;
}

Attach *attach_free(Attach *a)
{
        if (!a)
                return NULL;
        closep(&a->pidfd);
        closep(&a->proc_fd);
        closep(&a->pid_dir_fd);
        closep(&a->host_root_fd);
        closep(&a->root_fd);
        closep(&a->cwd_fd);
        proc_creds_done(&a->target);
        proc_creds_done(&a->self);
        free(a->want_groups);
        free(a->environ);
        free(a->lsm_label);
        cgroups_done(&a->cgroups);
        for (size_t i = 0; i < a->n_cg; i++) {
                closep(&a->cg_fds[i]);
                free(a->cg_paths[i]);
        }
        free(a->cg_fds);
        free(a->cg_paths);
        free(a->frozen);
        free(a);
        return NULL;
}

const char *attach_frozen(const Attach *a)
{
        return a->frozen;
}

int attach_ns_mask(const Attach *a)
{
        return a->mask;
}

/* ---------------------------------------------------------- messages */

enum {
        MSG_ERROR,    /* child -> parent: an AttachError, then it exits */
        MSG_PTY,      /* child -> parent: the pty master (SCM_RIGHTS) */
        MSG_NEED_PTY, /* child -> parent: no usable devpts inside, give me a slave */
        MSG_SLAVE,    /* parent -> child: a pty slave from the host's devpts */
        MSG_TREE,     /* tools helper -> parent: the container's root as a detached mount */
};

typedef struct Msg {
        int type;
        AttachError err;
} Msg;

static int msg_send(int sock, const Msg *m, int fd)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

        if (fd >= 0) {
                struct cmsghdr *c;
                mh.msg_control = control.buf;
                mh.msg_controllen = sizeof(control.buf);
                c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        while (sendmsg(sock, &mh, MSG_NOSIGNAL) < 0)
                if (errno != EINTR)
                        return -errno;
        return 0;
}

/* Returns 1 with a message, 0 at EOF, or -errno. *ret_fd is -1 when none came. */
static int msg_recv(int sock, Msg *m, int *ret_fd)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
        struct msghdr mh = {
                .msg_iov = &iov,
                .msg_iovlen = 1,
                .msg_control = control.buf,
                .msg_controllen = sizeof(control.buf),
        };
        ssize_t k;

        *ret_fd = -EBADF;
        do
                k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (k < 0 && errno == EINTR);
        if (k < 0)
                return -errno;
        if (k == 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        memcpy(ret_fd, CMSG_DATA(c), sizeof(int));
        if ((size_t)k != sizeof(*m)) {
                closep(ret_fd);
                return -EBADMSG;
        }
        return 1;
}

/* --------------------------------------------------------- namespaces */

/*
 * Join the namespaces of mask. setns() on a pidfd joins them all at once
 * (Linux 5.8), in the order the kernel needs. Before that, and when
 * joining the user namespace first would take away the privilege over a
 * namespace it does not own (an "ip netns" made by root for a
 * user-namespaced container), one /proc/PID/ns/TYPE fd per type, as nsenter
 * does: every type but user first, then user, then what failed before it.
 */
static int join_namespaces(const Attach *a, int mask, AttachError *err)
{
        int fds[NS_TYPE_MAX], r = 0;
        bool pending[NS_TYPE_MAX] = {};

        if (mask == 0)
                return 0;
        if (a->pidfd >= 0) {
                if (setns(a->pidfd, mask) == 0)
                        return 0;
                if (errno != EINVAL && !(errno == EPERM && (mask & ns_info[NS_USER].clone_flag)))
                        return fail(err, ATTACH_STEP_NAMESPACES, errno, "%s", "");
        }

        for (int t = 0; t < NS_TYPE_MAX; t++) {
                fds[t] = -EBADF;
                if (!(mask & ns_info[t].clone_flag))
                        continue;
                fds[t] = openat(a->pid_dir_fd, ns_info[t].proc, O_RDONLY | O_CLOEXEC);
                if (fds[t] < 0) {
                        r = fail(err, ATTACH_STEP_NAMESPACES, errno, "%s", ns_info[t].name);
                        goto out;
                }
                pending[t] = true;
        }
        for (int pass = 0; pass < 2; pass++)
                for (int t = 0; t < NS_TYPE_MAX; t++) {
                        if (!pending[t] || (pass == 0 && t == NS_USER))
                                continue;
                        if (setns(fds[t], ns_info[t].clone_flag) == 0) {
                                pending[t] = false;
                                continue;
                        }
                        /* pass 0 may lack the privilege that the user namespace gives */
                        if (pass == 1 || errno != EPERM) {
                                r = fail(err, ATTACH_STEP_NAMESPACES, errno, "%s", ns_info[t].name);
                                goto out;
                        }
                }
out:
        for (int t = 0; t < NS_TYPE_MAX; t++)
                closep(&fds[t]);
        return r;
}

/*
 * --tools: a detached copy of the container's root mount tree. open_tree()
 * clones only mounts of the caller's own mount namespace, so a helper joins
 * the container's (and, to be allowed to, its user namespace) and sends the
 * tree back.
 */
static int tools_clone_root(const Attach *a, int *ret_tree, AttachError *err)
{
        int pair[2], fd = -EBADF, status, r;
        int mask = attach_ns_mask(a) & ns_info[NS_USER].clone_flag;
        NsIno mnt_target = 0, mnt_self = 0;
        char link[64];
        ssize_t k;
        pid_t pid;
        Msg m = {};

        k = readlinkat(a->pid_dir_fd, ns_info[NS_MNT].proc, link, sizeof(link));
        if (k > 0)
                (void)ns_parse_link(link, (size_t)k, &mnt_target);
        k = readlinkat(a->proc_fd, "self/ns/mnt", link, sizeof(link));
        if (k > 0)
                (void)ns_parse_link(link, (size_t)k, &mnt_self);
        if (mnt_target != mnt_self)
                mask |= ns_info[NS_MNT].clone_flag;
        else
                mask = 0;

        if (mask == 0) {
                fd = (int)syscall(SYS_open_tree, a->root_fd, "",
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          AT_RECURSIVE);
                if (fd < 0)
                        return fail(err, ATTACH_STEP_TOOLS, errno, "/");
                *ret_tree = fd;
                return 0;
        }

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return fail(err, ATTACH_STEP_FORK, errno, NULL);
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pair[0]);
                close(pair[1]);
                return fail(err, ATTACH_STEP_FORK, r, NULL);
        }
        if (pid == 0) {
                AttachError e = {};
                close(pair[0]);
                if (join_namespaces(a, mask, &e) < 0) {
                        m.type = MSG_ERROR;
                        m.err = e;
                        (void)msg_send(pair[1], &m, -EBADF);
                        _exit(1);
                }
                fd = (int)syscall(SYS_open_tree, a->root_fd, "",
                                  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH |
                                          AT_RECURSIVE);
                if (fd < 0) {
                        m.type = MSG_ERROR;
                        fail(&m.err, ATTACH_STEP_TOOLS, errno, "/");
                        (void)msg_send(pair[1], &m, -EBADF);
                        _exit(1);
                }
                m.type = MSG_TREE;
                (void)msg_send(pair[1], &m, fd);
                _exit(0);
        }
        close(pair[1]);
        r = msg_recv(pair[0], &m, &fd);
        close(pair[0]);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        if (r <= 0)
                return fail(err, ATTACH_STEP_TOOLS, r == 0 ? EIO : -r, "/");
        if (m.type == MSG_ERROR) {
                closep(&fd);
                if (err)
                        *err = m.err;
                return -m.err.error;
        }
        if (fd < 0)
                return fail(err, ATTACH_STEP_TOOLS, EIO, "/");
        *ret_tree = fd;
        return 0;
}

/* ------------------------------------------------------------- child */

typedef struct Child {
        Attach *a;
        const AttachStdio *io;
        int sock;
        int tree_fd;     /* --tools */
        int host_dev_fd; /* the host's /dev, for a pty when the container has no devpts */
        bool groups_set; /* the parent gave us the leader's groups already */
} Child;

_noreturn_ _printf_(4, 5) static void child_fail(Child *c, AttachStep step, int r, const char *fmt,
                                                 ...)
{
        Msg m = { .type = MSG_ERROR };
        va_list ap;

        m.err.step = step;
        m.err.error = r < 0 ? -r : r ?: EIO;
        if (fmt) {
                va_start(ap, fmt);
                vsnprintf(m.err.detail, sizeof(m.err.detail), fmt, ap);
                va_end(ap);
        }
        (void)msg_send(c->sock, &m, -EBADF);
        _exit(127);
}

static void child_tools_mounts(Child *c)
{
        const char *at = c->a->opts->tools_at ?: ATTACH_TOOLS_AT_DEFAULT;

        /* A mount namespace of our own, copied from the host's, whose mounts
         * do not propagate back to the host. */
        if (unshare(CLONE_NEWNS) < 0)
                child_fail(c, ATTACH_STEP_TOOLS, errno, "%s", at);
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                child_fail(c, ATTACH_STEP_TOOLS, errno, "/");
        if (!c->a->opts->tools_at) {
                /* A tmpfs at /run/ns, in our namespace only: the mount point
                 * below it is never written to the host's /run. */
                if (mkdir("/run/ns", 0755) < 0 && errno != EEXIST)
                        child_fail(c, ATTACH_STEP_TOOLS, errno, "/run/ns");
                if (mount("tmpfs", "/run/ns", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                          "mode=0755") < 0)
                        child_fail(c, ATTACH_STEP_TOOLS, errno, "/run/ns");
                if (mkdir(at, 0755) < 0 && errno != EEXIST)
                        child_fail(c, ATTACH_STEP_TOOLS, errno, "%s", at);
        }
        if (syscall(SYS_move_mount, c->tree_fd, "", AT_FDCWD, at, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                child_fail(c, ATTACH_STEP_TOOLS, errno, "%s", at);
        closep(&c->tree_fd);
        /* A /proc of the instance's pid namespace, so ps, top and gdb -p
         * see its processes by their own pids. */
        if ((attach_ns_mask(c->a) & ns_info[NS_PID].clone_flag) &&
            mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
                child_fail(c, ATTACH_STEP_TOOLS, errno, "/proc");
        if (chdir(c->a->opts->workdir ?: at) < 0)
                child_fail(c, ATTACH_STEP_CWD, errno, "%s", c->a->opts->workdir ?: at);
}

static void child_root_and_cwd(Child *c)
{
        const AttachOptions *o = c->a->opts;
        char cwd[PATH_MAX];
        long k;

        /* chroot into the leader's root, through the fd opened on the host:
         * no path inside the container is looked up on the way. */
        if (fchdir(c->a->root_fd) < 0 || chroot(".") < 0)
                child_fail(c, ATTACH_STEP_ROOT, errno, NULL);
        if (fchdir(c->a->cwd_fd) < 0)
                child_fail(c, ATTACH_STEP_CWD, errno, NULL);
        if (o->workdir && chdir(o->workdir) < 0)
                child_fail(c, ATTACH_STEP_CWD, errno, "%s", o->workdir);
        /* CVE-2024-21626: a directory outside the root shows as
         * "(unreachable)/..." to the getcwd syscall (glibc's wrapper hides
         * it). Never hand such a directory to the container. */
        k = syscall(SYS_getcwd, cwd, sizeof(cwd));
        if (k < 0 || cwd[0] != '/')
                child_fail(c, ATTACH_STEP_CWD, k < 0 ? errno : EXDEV, "%s", k < 0 ? "" : cwd);
}

static void child_rlimits(Child *c)
{
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                struct rlimit cur, want = c->a->rlim[i];

                if (!c->a->have_rlim[i])
                        continue;
                if (setrlimit((__rlimit_resource_t)i, &want) == 0)
                        continue;
                /* Unprivileged, a hard limit cannot be raised: take what we may. */
                if (errno != EPERM || getrlimit((__rlimit_resource_t)i, &cur) < 0)
                        child_fail(c, ATTACH_STEP_RLIMITS, errno, NULL);
                want.rlim_max = MIN(want.rlim_max, cur.rlim_max);
                want.rlim_cur = MIN(want.rlim_cur, want.rlim_max);
                if (setrlimit((__rlimit_resource_t)i, &want) < 0)
                        child_fail(c, ATTACH_STEP_RLIMITS, errno, NULL);
        }
}

static void child_lsm(Child *c)
{
        _cleanup_close_ int fd = -EBADF;
        const char *label = c->a->lsm_label;
        ssize_t k;

        if (!label)
                return;
        /* The host's /proc: thread-self is this child there too. */
        fd = openat(c->a->proc_fd, "thread-self/attr/exec", O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                child_fail(c, ATTACH_STEP_LSM, errno, "%s", label);
        k = write(fd, label, strlen(label));
        if (k < 0)
                child_fail(c, ATTACH_STEP_LSM, errno, "%s", label);
}

static void child_bounding_set(Child *c)
{
        uint64_t bnd = c->a->target.cap_bnd;

        for (int cap = 0; cap < (int)cap_max_bits() && cap < 64; cap++) {
                if (bnd & (1ULL << cap))
                        continue;
                if (cap_get_bound((cap_value_t)cap) != 1)
                        continue; /* not ours either, or unknown to this kernel */
                if (cap_drop_bound((cap_value_t)cap) < 0)
                        child_fail(c, ATTACH_STEP_CAPS, errno, "bounding set");
        }
}

static void child_caps(Child *c, bool root)
{
        const ProcCreds *t = &c->a->target;
        cap_t caps = cap_init();

        if (!caps)
                oom();
        /* Another user's than the leader's (-u) gets what the kernel gives
         * that user: nothing unless it is root. */
        for (int cap = 0; root && cap < (int)cap_max_bits() && cap < 64; cap++) {
                cap_value_t v = (cap_value_t)cap;
                if (t->cap_prm & (1ULL << cap))
                        cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
                if (t->cap_eff & (1ULL << cap))
                        cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
                if (t->cap_inh & (1ULL << cap))
                        cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
        }
        if (cap_set_proc(caps) < 0) {
                int r = errno;
                cap_free(caps);
                child_fail(c, ATTACH_STEP_CAPS, r, NULL);
        }
        cap_free(caps);
        if (!root || t->cap_amb == 0)
                return;
        for (int cap = 0; cap < (int)cap_max_bits() && cap < 64; cap++)
                if ((t->cap_amb & (1ULL << cap)) && cap_set_ambient((cap_value_t)cap, CAP_SET) < 0)
                        child_fail(c, ATTACH_STEP_CAPS, errno, "ambient");
}

typedef struct ChildUser {
        PasswdEntry pw; /* from the container's etc/passwd; name NULL when none */
        uid_t uid[4];
        gid_t gid[4];
        gid_t *groups;
        size_t n_groups;
        bool set_ids; /* change the ids */
        bool set_groups;
        bool from_spec; /* -u */
} ChildUser;

static void child_find_user(Child *c, ChildUser *u)
{
        const Attach *a = c->a;
        _cleanup_free_ char *passwd = NULL, *group = NULL, *uname = NULL, *gname = NULL;
        unsigned id;

        /* Read through the root fd opened from the host (see passwd.c):
         * never getpwnam(), whose NSS modules would come from the container. */
        if (passwd_read_file(a->root_fd, "etc/passwd", &passwd) < 0)
                passwd = NULL;

        if (a->opts->user) {
                if (user_spec_split(a->opts->user, &uname, &gname) < 0)
                        child_fail(c, ATTACH_STEP_USER, EINVAL, "%s", a->opts->user);
                bool numeric = parse_id(uname, &id) >= 0;

                if (passwd_find(passwd ?: "", numeric ? NULL : uname, numeric ? id : 0, &u->pw) <
                    0) {
                        if (!numeric)
                                child_fail(c, ATTACH_STEP_USER, ENOENT, "%s", uname);
                        /* a bare uid that has no entry, as docker allows: group 0 */
                        u->pw = (PasswdEntry){ .uid = id, .gid = 0 };
                }
                for (int i = 0; i < 4; i++) {
                        u->uid[i] = u->pw.uid;
                        u->gid[i] = u->pw.gid;
                }
                if (passwd_read_file(a->root_fd, "etc/group", &group) < 0)
                        group = NULL;
                if (gname) {
                        gid_t g;
                        if (parse_id(gname, &id) >= 0)
                                g = id;
                        else if (group_find_gid(group ?: "", gname, &g) < 0)
                                child_fail(c, ATTACH_STEP_USER, ENOENT, "group %s", gname);
                        for (int i = 0; i < 4; i++)
                                u->gid[i] = g;
                }
                if (u->pw.name)
                        group_list_for_user(group, u->pw.name, u->gid[0], &u->groups, &u->n_groups);
                else {
                        u->groups = xnew(gid_t, 1);
                        u->groups[0] = u->gid[0];
                        u->n_groups = 1;
                }
                u->set_ids = u->set_groups = u->from_spec = true;
                return;
        }
        if (a->keep & ATTACH_KEEP_CREDS) {
                if (passwd)
                        (void)passwd_find(passwd, NULL, geteuid(), &u->pw);
                return;
        }
        memcpy(u->uid, a->want_uid, sizeof(u->uid));
        memcpy(u->gid, a->want_gid, sizeof(u->gid));
        u->groups = xnew(gid_t, a->n_want_groups + 1);
        if (a->n_want_groups > 0)
                memcpy(u->groups, a->want_groups, a->n_want_groups * sizeof(gid_t));
        u->n_groups = a->n_want_groups;
        u->set_ids = true;
        u->set_groups = !c->groups_set;
        if (passwd)
                (void)passwd_find(passwd, NULL, u->uid[1], &u->pw);
}

static void child_creds(Child *c, ChildUser *u)
{
        if (u->set_groups) {
                int n = getgroups(0, NULL);
                _cleanup_free_ gid_t *cur = xnew(gid_t, n > 0 ? (size_t)n : 1);

                n = n > 0 ? getgroups(n, cur) : n;
                /* Only when they differ: an unprivileged user's namespace
                 * denies setgroups, and there they are the same. */
                if (n < 0 || !same_groups(cur, (size_t)n, u->groups, u->n_groups))
                        if (setgroups(u->n_groups, u->groups) < 0)
                                child_fail(c, ATTACH_STEP_CREDS, errno, "groups");
        }
        if (!u->set_ids)
                return;
        if (setresgid(u->gid[0], u->gid[1], u->gid[2]) < 0)
                child_fail(c, ATTACH_STEP_CREDS, errno, "gid %u", (unsigned)u->gid[1]);
        (void)setfsgid(u->gid[3]);
        /* Keep the permitted set across the uid change; the leader's sets
         * are put in place right after (child_caps). */
        if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                child_fail(c, ATTACH_STEP_CREDS, errno, NULL);
        if (setresuid(u->uid[0], u->uid[1], u->uid[2]) < 0)
                child_fail(c, ATTACH_STEP_CREDS, errno, "uid %u", (unsigned)u->uid[1]);
        (void)setfsuid(u->uid[3]);
        (void)prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

static bool shell_usable(const char *sh)
{
        static const char *const refuse[] = { "/sbin/nologin", "/usr/sbin/nologin", "/bin/false",
                                              "/usr/bin/false" };

        if (!sh || sh[0] != '/')
                return false;
        for (size_t i = 0; i < ELEMENTSOF(refuse); i++)
                if (streq(sh, refuse[i]))
                        return false;
        return access(sh, X_OK) == 0;
}

static void child_stdio(Child *c)
{
        const AttachStdio *io = c->io;
        int master = -EBADF, slave = -EBADF, r;

        if (!io->pty) {
                int tmp[3];

                /* Through fds above 2 first: a source may be one of 0, 1, 2. */
                for (int i = 0; i < 3; i++) {
                        tmp[i] = fcntl(io->fd[i], F_DUPFD_CLOEXEC, 3);
                        if (tmp[i] < 0)
                                child_fail(c, ATTACH_STEP_STDIO, errno, NULL);
                }
                for (int i = 0; i < 3; i++)
                        if (dup2(tmp[i], i) < 0)
                                child_fail(c, ATTACH_STEP_STDIO, errno, NULL);
                return;
        }

        /* A new pty from the container's own devpts, opened with the final
         * credentials so that the slave belongs to the user. */
        r = pty_open_inside(&master, &slave);
        if (r >= 0) {
                Msg m = { .type = MSG_PTY };
                r = msg_send(c->sock, &m, master);
                closep(&master);
                if (r < 0)
                        child_fail(c, ATTACH_STEP_PTY, r, NULL);
        } else {
                /* No devpts we may use inside: one from the host's, still a
                 * new pty and never the host's terminal. */
                Msg m = { .type = MSG_NEED_PTY };
                if (msg_send(c->sock, &m, -EBADF) < 0 || msg_recv(c->sock, &m, &slave) <= 0 ||
                    m.type != MSG_SLAVE || slave < 0)
                        child_fail(c, ATTACH_STEP_PTY, r, NULL);
        }
        r = pty_setup_slave(slave, io->termios, io->winsize);
        if (r < 0)
                child_fail(c, ATTACH_STEP_PTY, r, NULL);
        r = pty_make_controlling(slave);
        if (r < 0)
                child_fail(c, ATTACH_STEP_PTY, r, NULL);
}

static void child_close_fds(Child *c)
{
        int sock = c->sock;

        /* Only the message socket survives, at 3, closed by the exec. */
        if (sock != 3) {
                if (dup3(sock, 3, O_CLOEXEC) < 0)
                        child_fail(c, ATTACH_STEP_EXEC, errno, NULL);
                c->sock = 3;
        }
        if (syscall(SYS_close_range, 4U, ~0U, 0) < 0) {
                /* close_range needs Linux 5.9 */
                struct rlimit rl;
                int max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1 << 20
                                  ? (int)rl.rlim_cur
                                  : 1 << 16;
                for (int fd = 4; fd < max; fd++)
                        close(fd);
        }
}

static void child_signals(void)
{
        sigset_t none;
        struct sigaction sa = { .sa_handler = SIG_DFL };

        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)sigaction(sig, &sa, NULL);
        sigemptyset(&none);
        (void)sigprocmask(SIG_SETMASK, &none, NULL);
}

/* NUL-separated, as /proc/PID/environ. */
static char *env_flatten(char *const *v, size_t *ret_len)
{
        size_t len = 0;
        char *flat;

        for (char *const *p = v; p && *p; p++)
                len += strlen(*p) + 1;
        flat = xmalloc(len + 1);
        len = 0;
        for (char *const *p = v; p && *p; p++) {
                size_t l = strlen(*p) + 1;
                memcpy(flat + len, *p, l);
                len += l;
        }
        *ret_len = len;
        return flat;
}

/* The leader's environment (or ours, with --keep=env), then TERM for the
 * new pty, another user's HOME, USER and LOGNAME (-u), and -e. */
static char **child_env(Child *c, const ChildUser *u)
{
        const Attach *a = c->a;
        _cleanup_free_ char *own = NULL;
        const char *base = a->environ;
        size_t base_len = a->environ_len, n = 0;
        char **set, **env;

        if (a->keep & ATTACH_KEEP_ENV) {
                own = env_flatten(environ, &base_len);
                base = own;
        }
        set = xnew(char *, 6);
        if (c->io->term)
                set[n++] = xasprintf("TERM=%s", c->io->term);
        if (u->from_spec && u->pw.name) {
                set[n++] = xasprintf("HOME=%s", u->pw.home[0] ? u->pw.home : "/");
                set[n++] = xasprintf("USER=%s", u->pw.name);
                set[n++] = xasprintf("LOGNAME=%s", u->pw.name);
        }
        env = attach_build_env(base, base_len, set, NULL);
        strv_free(set);
        if (a->opts->setenv) {
                _cleanup_free_ char *flat = NULL;
                size_t len;
                char **env2;

                flat = env_flatten(env, &len);
                env2 = attach_build_env(flat, len, a->opts->setenv, environ);
                strv_free(env);
                env = env2;
        }
        if (!env_has(env, "PATH")) {
                /* only for looking the command up, as docker exec does */
                for (n = 0; env[n]; n++)
                        ;
                env = xreallocarray(env, n + 2, sizeof(char *));
                env[n] = xstrdup(DEFAULT_PATH);
                env[n + 1] = NULL;
        }
        return env;
}

_noreturn_ static void child_main(Child *c)
{
        Attach *a = c->a;
        const AttachOptions *o = a->opts;
        ChildUser u = {};
        char **env, *shell_argv[2];
        char *const *argv = o->argv;
        bool root;

        /* A session of its own: it has no controlling terminal, so the
         * host's tty cannot be reopened through /dev/tty (TIOCSTI). */
        if (setsid() < 0)
                child_fail(c, ATTACH_STEP_FORK, errno, NULL);

        /* Step 6: the cgroups, through the files opened on the host. */
        for (size_t i = 0; i < a->n_cg; i++) {
                int r = cgroup_join_fd(a->cg_fds[i]);
                if (r < 0)
                        child_fail(c, ATTACH_STEP_CGROUP, r, "%s", a->cg_paths[i]);
                closep(&a->cg_fds[i]);
        }

        /* Step 7. */
        if (o->tools)
                child_tools_mounts(c);
        else {
                child_root_and_cwd(c);
                child_find_user(c, &u);
        }
        child_rlimits(c);
        if (!(a->keep & ATTACH_KEEP_LSM))
                child_lsm(c);
        if (!(a->keep & ATTACH_KEEP_CAPS))
                child_bounding_set(c);
        if (!o->tools)
                child_creds(c, &u);
        root = u.set_ids ? u.uid[1] == 0 : geteuid() == 0;
        if (!(a->keep & ATTACH_KEEP_CAPS)) {
                child_caps(c, !u.from_spec || root);
                if (a->target.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        child_fail(c, ATTACH_STEP_CAPS, errno, "no_new_privs");
        }

        env = child_env(c, &u);

        if (!argv) {
                const char *sh = NULL;

                if (o->tools) {
                        const char *s = getenv("SHELL");
                        sh = shell_usable(s) ? s : "/bin/sh";
                } else
                        sh = u.pw.shell && shell_usable(u.pw.shell) ? u.pw.shell : "/bin/sh";
                shell_argv[0] = (char *)sh;
                shell_argv[1] = NULL;
                argv = shell_argv;
        }

        child_stdio(c);

        /* Die with ns: an entered command does not outlive the session.
         * Set after the credential change, which would clear it. */
        if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) < 0)
                child_fail(c, ATTACH_STEP_EXEC, errno, NULL);
        {
                struct pollfd p = { .fd = c->sock, .events = POLLRDHUP };
                if (poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP)))
                        _exit(127); /* ns is gone already */
        }

        /* Step 8. */
        child_close_fds(c);
        child_signals();
        environ = env;
        execvp(argv[0], argv);
        child_fail(c, ATTACH_STEP_EXEC, errno, "%s", argv[0]);
}

/* ------------------------------------------------------------ parent */

static bool is_stop_signal(int sig)
{
        return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

int attach_spawn(Attach *a, const AttachStdio *io, int sigfd, pid_t *ret_pid, int *ret_pty_master,
                 AttachError *err)
{
        _cleanup_close_ int host_dev_fd = -EBADF, tree_fd = -EBADF, master = -EBADF;
        int pair[2], r, status;
        bool groups_set = false;
        pid_t pid;

        if (io->pty) {
                /* for a pty from the host's devpts when the container has none */
                host_dev_fd = open("/dev", O_PATH | O_DIRECTORY | O_CLOEXEC);
                if (host_dev_fd < 0)
                        return fail(err, ATTACH_STEP_PTY, errno, "/dev");
        }

        /* Step 4: from here on nothing in the container may ptrace this
         * process or open its /proc files (CVE-2016-9962); the child
         * inherits it, until its exec. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                return fail(err, ATTACH_STEP_OPEN, errno, NULL);

        if (a->opts->tools) {
                r = tools_clone_root(a, &tree_fd, err);
                if (r < 0)
                        return r;
        }

        /* Supplementary groups are set from outside when we may: inside a
         * user namespace that denies setgroups they could not be dropped,
         * and groups the namespace does not map could not be given. */
        if (!(a->keep & ATTACH_KEEP_CREDS) && !a->opts->user) {
                if (!a->groups_differ)
                        groups_set = true;
                else if (setgroups(a->target.n_groups, a->target.groups) == 0)
                        groups_set = true;
        }

#if defined(__SANITIZE_ADDRESS__)
        /* Sanitizer builds only: LeakSanitizer's check at exit stops the
         * process with ptrace, which cannot work once it is in another
         * user namespace (it spins). Check now, and not at exit. */
        if (a->mask != 0)
                __lsan_do_leak_check();
#endif

        /* Step 5. */
        r = join_namespaces(a, a->mask, err);
        if (r < 0)
                return r;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return fail(err, ATTACH_STEP_FORK, errno, NULL);

        /* Step 6: fork, for the pid namespace applies to children only. */
        pid = fork();
        if (pid < 0) {
                r = -errno;
                close(pair[0]);
                close(pair[1]);
                return fail(err, ATTACH_STEP_FORK, r, NULL);
        }
        if (pid == 0) {
                Child c = {
                        .a = a,
                        .io = io,
                        .sock = pair[1],
                        .tree_fd = tree_fd,
                        .host_dev_fd = host_dev_fd,
                        .groups_set = groups_set,
                };
                close(pair[0]);
                child_main(&c);
        }
        close(pair[1]);
        closep(&tree_fd);

        /* Wait for the exec (the socket closes), an error, or a pty. */
        for (;;) {
                struct pollfd p[2] = { { .fd = pair[0], .events = POLLIN },
                                       { .fd = sigfd, .events = POLLIN } };
                Msg m;
                int fd;

                if (poll(p, sigfd >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        r = fail(err, ATTACH_STEP_FORK, errno, NULL);
                        goto kill_child;
                }
                if (sigfd >= 0 && (p[1].revents & POLLIN)) {
                        struct signalfd_siginfo si;
                        if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
                            is_stop_signal((int)si.ssi_signo)) {
                                r = fail(err, ATTACH_STEP_INTERRUPTED, EINTR, "%s",
                                         strsignal((int)si.ssi_signo));
                                goto kill_child;
                        }
                        /* SIGCHLD and the like: the caller polls waitpid() itself */
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                r = msg_recv(pair[0], &m, &fd);
                if (r < 0) {
                        r = fail(err, ATTACH_STEP_FORK, r, NULL);
                        goto kill_child;
                }
                if (r == 0)
                        break; /* exec'd, or died: the caller's waitpid() tells */
                if (m.type == MSG_ERROR) {
                        closep(&fd);
                        if (err)
                                *err = m.err;
                        r = -m.err.error;
                        goto kill_child;
                }
                if (m.type == MSG_PTY && fd >= 0) {
                        closep(&master);
                        master = fd;
                } else if (m.type == MSG_NEED_PTY) {
                        int slave = -EBADF;
                        Msg reply = { .type = MSG_SLAVE };

                        closep(&fd);
                        r = pty_open_at(host_dev_fd, &fd, &slave);
                        if (r >= 0) {
                                closep(&master);
                                master = fd;
                                (void)msg_send(pair[0], &reply, slave);
                                closep(&slave);
                        } else
                                (void)msg_send(pair[0], &(Msg){ .type = MSG_ERROR }, -EBADF);
                } else
                        closep(&fd);
        }
        close(pair[0]);
        if (io->pty && master < 0) {
                /* it died before it could hand over its pty */
                *ret_pid = pid;
                *ret_pty_master = -EBADF;
                return 0;
        }
        *ret_pid = pid;
        *ret_pty_master = io->pty ? TAKE_FD(master) : -EBADF;
        return 0;

kill_child:
        close(pair[0]);
        (void)kill(pid, SIGKILL);
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        return r;
}

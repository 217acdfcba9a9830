/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The child of attach_spawn, between the fork and the exec: the cgroups,
 * the leader's root and working directory (or the --tools mounts), rlimits,
 * LSM label, bounding set, credentials, capabilities, environment, stdio,
 * and the exec. Any failure goes to the parent as a MSG_ERROR and the
 * child exits 127.
 */
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <stdarg.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "attach-internal.h"
#include "attach-seccomp.h"
#include "caps.h"
#include "cgroup.h"
#include "macro.h"
#include "passwd.h"
#include "pty.h"
#include "util.h"

/* PATH for the command when the leader has none, as docker exec does. */
#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

extern char **environ;

static bool env_has(char **env, const char *name)
{
        size_t len = strlen(name);
        for (; env && *env; env++)
                if (strncmp(*env, name, len) == 0 && (*env)[len] == '=')
                        return true;
        return false;
}

_noreturn_ _printf_(4, 5) static void child_fail(Child *c, AttachStep step, int r, const char *fmt,
                                                 ...)
{
        Msg m = { .type = MSG_ERROR };
        va_list ap;

        va_start(ap, fmt);
        (void)step_errorv(&m.err, step, r, fmt, ap);
        va_end(ap);
        (void)attach_msg_send(c->sock, &m, -EBADF);
        _exit(127);
}

static void child_tools_mounts(Child *c)
{
        const char *at = c->a->opts->tools_at ?: ATTACH_TOOLS_AT_DEFAULT;

        /* A mount namespace of our own, copied from the host's, whose mounts
         * do not propagate back to the host. */
        if (unshare(ns_info[NS_MNT].clone_flag) < 0)
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

static void child_rlimit(Child *c, int i, struct rlimit want)
{
        struct rlimit cur;

        if (setrlimit((__rlimit_resource_t)i, &want) == 0)
                return;
        /* Unprivileged, a hard limit cannot be raised: take what we may. */
        if (errno != EPERM || getrlimit((__rlimit_resource_t)i, &cur) < 0)
                child_fail(c, ATTACH_STEP_RLIMITS, errno, NULL);
        want.rlim_max = MIN(want.rlim_max, cur.rlim_max);
        want.rlim_cur = MIN(want.rlim_cur, want.rlim_max);
        if (setrlimit((__rlimit_resource_t)i, &want) < 0)
                child_fail(c, ATTACH_STEP_RLIMITS, errno, NULL);
}

/*
 * The leader's limits, while we still may raise a hard one. RLIMIT_NOFILE
 * only rises here: a leader with nofile=4 would leave us no fd for the
 * pty; it is lowered to the leader's right before the exec
 * (child_nofile), which needs no privilege.
 */
static void child_rlimits(Child *c)
{
        for (int i = 0; i < RLIM_NLIMITS; i++) {
                struct rlimit cur, want = c->a->rlim[i];

                if (!c->a->have_rlim[i])
                        continue;
                if (i == RLIMIT_NOFILE) {
                        if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
                                child_fail(c, ATTACH_STEP_RLIMITS, errno, NULL);
                        want.rlim_cur = MAX(want.rlim_cur, cur.rlim_cur);
                        want.rlim_max = MAX(want.rlim_max, cur.rlim_max);
                        want.rlim_cur = MIN(want.rlim_cur, want.rlim_max);
                }
                child_rlimit(c, i, want);
        }
}

static void child_nofile(Child *c)
{
        if (c->a->have_rlim[RLIMIT_NOFILE])
                child_rlimit(c, RLIMIT_NOFILE, c->a->rlim[RLIMIT_NOFILE]);
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

/* Capabilities through the syscalls (caps.c), never libcap: this process
 * is in the instance's mount namespace, where a library would be loaded
 * from the instance's files. */
static void child_bounding_set(Child *c)
{
        int r;

        r = caps_drop_bounding(c->a->target.cap_bnd);
        if (r < 0)
                child_fail(c, ATTACH_STEP_CAPS, r, "bounding set");
}

static void child_caps(Child *c, bool root)
{
        const ProcCreds *t = &c->a->target;
        /* Another user's than the leader's (-u) gets what the kernel gives
         * that user: nothing unless it is root. */
        uint64_t known = root ? caps_all() : 0;
        int r;

        r = caps_set(t->cap_prm & known, t->cap_eff & known, t->cap_inh & known);
        if (r < 0)
                child_fail(c, ATTACH_STEP_CAPS, r, NULL);
        if (!root || t->cap_amb == 0)
                return;
        r = caps_raise_ambient(t->cap_amb & known);
        if (r < 0)
                child_fail(c, ATTACH_STEP_CAPS, r, "ambient");
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
        int r;

        /* Read through the root fd opened from the host (see passwd.c):
         * never getpwnam(), whose NSS modules would come from the container. */
        r = passwd_read_file(a->root_fd, "etc/passwd", &passwd);
        if (r < 0)
                passwd = NULL;

        if (a->opts->user) {
                if (user_spec_split(a->opts->user, &uname, &gname) < 0)
                        child_fail(c, ATTACH_STEP_USER, EINVAL, "%s", a->opts->user);
                bool numeric = parse_id(uname, &id) >= 0;

                if (passwd_find(passwd ?: "", numeric ? NULL : uname, numeric ? id : 0, &u->pw) <
                    0) {
                        /* "no user" would be a lie when the file was not read */
                        if (!numeric && r == -EFBIG)
                                child_fail(c, ATTACH_STEP_USER, EFBIG, "/etc/passwd");
                        if (!numeric)
                                child_fail(c, ATTACH_STEP_USER, ENOENT, "%s", uname);
                        /* a bare uid that has no entry, as docker allows: group 0 */
                        u->pw = (PasswdEntry){ .uid = id, .gid = 0 };
                }
                for (int i = 0; i < 4; i++) {
                        u->uid[i] = u->pw.uid;
                        u->gid[i] = u->pw.gid;
                }
                r = passwd_read_file(a->root_fd, "etc/group", &group);
                if (r < 0)
                        group = NULL;
                if (gname) {
                        gid_t g;
                        if (parse_id(gname, &id) >= 0)
                                g = id;
                        else if (group_find_gid(group ?: "", gname, &g) < 0) {
                                if (r == -EFBIG)
                                        child_fail(c, ATTACH_STEP_USER, EFBIG, "/etc/group");
                                child_fail(c, ATTACH_STEP_USER, ENOENT, "group %s", gname);
                        }
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
                /* A namespace that denies setgroups (a rootless one) keeps
                 * the groups the joiner left: none, or the user's own. */
                if (n < 0 || !attach_same_groups(cur, (size_t)n, u->groups, u->n_groups))
                        if (setgroups(u->n_groups, u->groups) < 0 &&
                            !(errno == EPERM && c->a->setgroups_denied))
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
        /* The uid change made us dumpable again when fs.suid_dumpable is
         * set, while we still hold fds of the host: not until the exec. */
        if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                child_fail(c, ATTACH_STEP_CREDS, errno, NULL);
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

/*
 * ns' own 0, 1 and 2 may be the user's terminal (in pipe mode, the one
 * that is not redirected): never ours to hold, not even until the exec,
 * where a pidfd_getfd on us could take it (TIOCSTI). The command's stdio
 * (pipe mode) is kept above 2, and /dev/null takes 0, 1 and 2.
 */
static void child_hold_stdio(Child *c)
{
        if (!c->io->pty)
                for (int i = 0; i < 3; i++) {
                        /* above 2: a source may be one of 0, 1, 2 */
                        c->stdio_fd[i] = fcntl(c->io->fd[i], F_DUPFD_CLOEXEC, 3);
                        if (c->stdio_fd[i] < 0)
                                child_fail(c, ATTACH_STEP_STDIO, errno, NULL);
                }
        for (int i = 0; i < 3; i++)
                if (dup2(c->null_fd, i) < 0)
                        child_fail(c, ATTACH_STEP_STDIO, errno, NULL);
        closep(&c->null_fd);
}

static void child_stdio(Child *c)
{
        const AttachStdio *io = c->io;
        int master = -EBADF, slave = -EBADF, r;

        if (!io->pty) {
                /* saved above 2 at the start (child_hold_stdio) */
                for (int i = 0; i < 3; i++)
                        if (dup2(c->stdio_fd[i], i) < 0)
                                child_fail(c, ATTACH_STEP_STDIO, errno, NULL);
                return;
        }

        /* A new pty from the container's own devpts, opened with the final
         * credentials so that the slave belongs to the user. */
        r = pty_open_inside(&master, &slave);
        if (r >= 0) {
                Msg m = { .type = MSG_PTY };
                r = attach_msg_send(c->sock, &m, master);
                closep(&master);
                if (r < 0)
                        child_fail(c, ATTACH_STEP_PTY, r, NULL);
        } else {
                /* No devpts we may use inside: one from the host's, still a
                 * new pty and never the host's terminal. */
                Msg m = { .type = MSG_NEED_PTY };
                if (attach_msg_send(c->sock, &m, -EBADF) < 0 ||
                    attach_msg_recv(c->sock, &m, &slave) <= 0 || m.type != MSG_SLAVE || slave < 0)
                        child_fail(c, ATTACH_STEP_PTY, r, NULL);
        }
        r = pty_setup_slave(slave, io->termios, io->winsize);
        if (r < 0)
                child_fail(c, ATTACH_STEP_PTY, r, NULL);
        r = pty_make_controlling(slave);
        if (r < 0)
                child_fail(c, ATTACH_STEP_PTY, r, NULL);
}

/* The leader's seccomp filters (attach-seccomp.c), at the point that
 * a->seccomp->late chooses. */
static void child_seccomp(Child *c, bool late)
{
        size_t failed = 0;
        int r = attach_seccomp_install(c->a->seccomp, late, &failed);

        if (r < 0)
                child_fail(c, ATTACH_STEP_SECCOMP, r, "install %zu", failed + 1);
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

static void close_fds_from(unsigned from, unsigned to)
{
        if (from > to)
                return;
        if (syscall(SYS_close_range, from, to, 0) < 0) {
                /* close_range needs Linux 5.9 */
                struct rlimit rl;
                unsigned max = getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1 << 20
                                       ? (unsigned)rl.rlim_cur
                                       : 1 << 16;
                for (unsigned fd = from; fd <= to && fd < max; fd++)
                        close((int)fd);
        }
}

static int fd_cmp(const void *x, const void *y)
{
        int a = *(const int *)x, b = *(const int *)y;
        return (a > b) - (a < b);
}

/*
 * Before the credential change: every fd but stdio (the host's /dev/null
 * by now), the message socket and the command's own stdio. Whatever the
 * caller had open (ns top's /proc, cgroup and stats files, a host root)
 * is gone before the process may become dumpable and readable from
 * inside; child_close_fds() then narrows it to the socket.
 */
static void child_close_stray_fds(Child *c)
{
        int keep[5];
        size_t n = 0;
        unsigned next = 3;

        keep[n++] = c->sock;
        for (int i = 0; i < 3; i++)
                if (c->stdio_fd[i] >= 0)
                        keep[n++] = c->stdio_fd[i];
        keep[n++] = INT_MAX; /* the end */
        qsort(keep, n, sizeof(keep[0]), fd_cmp);
        for (size_t i = 0; i < n; i++) {
                if (keep[i] < 3)
                        continue;
                if ((unsigned)keep[i] > next)
                        close_fds_from(next, (unsigned)keep[i] - 1);
                if (keep[i] == INT_MAX)
                        break;
                next = (unsigned)keep[i] + 1;
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

_noreturn_ void attach_child_main(Child *c)
{
        Attach *a = c->a;
        const AttachOptions *o = a->opts;
        ChildUser u = {};
        char **env, *shell_argv[2];
        char *const *argv = o->argv;
        bool root;

        child_hold_stdio(c);
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
        /* the host's /proc: needed for the LSM label only */
        closep(&a->proc_fd);
        if (!(a->keep & ATTACH_KEEP_CAPS))
                child_bounding_set(c);
        child_close_stray_fds(c);
        /* Without no_new_privs: while still privileged in the user namespace. */
        child_seccomp(c, false);
        if (!o->tools)
                child_creds(c, &u);
        root = u.set_ids ? u.uid[1] == 0 : geteuid() == 0;
        if (!(a->keep & ATTACH_KEEP_CAPS)) {
                child_caps(c, !u.from_spec || root);
                if (a->target.no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                        child_fail(c, ATTACH_STEP_CAPS, errno, "no_new_privs");
                /* capset is a credential change too (see child_creds) */
                if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
                        child_fail(c, ATTACH_STEP_CAPS, errno, NULL);
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
        child_nofile(c);
        child_signals();
        /* Under no_new_privs: last, so that the filters see only the exec
         * (and, if that fails, the report of it). */
        child_seccomp(c, true);
        environ = env;
        execvp(argv[0], argv);
        child_fail(c, ATTACH_STEP_EXEC, errno, "%s", argv[0]);
}

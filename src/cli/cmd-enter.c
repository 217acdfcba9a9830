/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "attach.h"
#include "commands.h"
#include "lookup.h"
#include "passwd.h"
#include "pty.h"
#include "util.h"

typedef struct EnterOptions {
        AttachOptions attach;
        bool force;
        char **setenv; /* owned vector, NULL-terminated */
        size_t n_setenv;
        const char *id;
} EnterOptions;

static void enter_help(void)
{
        fputs("Usage:\n"
              " ns enter [options] <id> [<command> [<argument>...]]\n"
              "\n"
              "Run a shell or a command inside an instance, with its namespaces, cgroup,\n"
              "credentials, capabilities, environment and a new terminal.\n"
              "\n"
              "<id> is an instance ID or a unique prefix of it, a name, the runtime's\n"
              "container ID or a unique prefix of it, or the host PID of a member.\n"
              "\n"
              "Options:\n"
              " -u, --user <user>[:<group>]  run as this user of the instance (name or id)\n"
              " -w, --workdir <dir>          the working directory inside the instance\n"
              " -e, --env <var>[=<value>]    set a variable (without a value: take ns' own)\n"
              "     --keep <list>            keep ns' own caps,cgroup,creds,lsm,env; seccomp:\n"
              "                                without the instance's seccomp filters\n"
              "     --tools                  run host tools against the instance: join every\n"
              "                                namespace but mnt, its root at /run/ns/root\n"
              "     --at <dir>               where --tools mounts the instance's root\n"
              " -f, --force                  enter even when the instance is frozen\n"
              " -h, --help                   display this help\n"
              "\n"
              "See ns-enter(1).\n",
              stdout);
}

/* "The instance is gone": its leader exited since it was found. */
static int report_gone(const char *id, pid_t leader)
{
        log_error("cannot enter '%s': the instance is gone (its leader, pid %d, exited; see 'ns ls')",
                  id, (int)leader);
        return 1;
}

/* -u USER[:GROUP]: the shape, and ids in range, before anything is opened. */
static int user_spec_check(const char *spec)
{
        _cleanup_free_ char *user = NULL, *group = NULL;
        const char *bad = NULL;
        unsigned id;

        if (user_spec_split(spec, &user, &group) < 0) {
                log_error("invalid user '%s' for -u (use USER, UID, USER:GROUP or UID:GID)", spec);
                return -EINVAL;
        }
        if (parse_id(user, &id) == -ERANGE)
                bad = user;
        else if (group && parse_id(group, &id) == -ERANGE)
                bad = group;
        if (bad) {
                log_error("invalid id '%s' for -u (ids go from 0 to 4294967294)", bad);
                return -ERANGE;
        }
        return 0;
}

/*
 * Resolve the id to the leader to attach to, doing the least work that
 * gives the same answer: a PID of a live process needs no scan; a full
 * instance ID needs namespace links only until one matches; anything else
 * (a name, a prefix) the full scan, grouping and naming.
 */
static int resolve_leader(int proc_fd, const char *id, pid_t *ret_leader,
                          unsigned long long *ret_starttime)
{
        _cleanup_free_ size_t *cand = NULL;
        size_t n_cand = 0;
        Scan *scan = NULL;
        Instances *is;
        pid_t pid;
        ssize_t idx;
        int r, pid_error = 0;

        if (is_canonical_pid(id) && parse_pid(id, &pid) >= 0) {
                pid_error = lookup_leader(proc_fd, pid, ret_leader, ret_starttime);
                if (pid_error >= 0)
                        return 0;
                /* A number that is a live PID is that PID, or an error: never
                 * another instance that happens to be named like it. */
                if (pid_error == -EACCES || pid_error == -EPERM) {
                        log_error("cannot enter '%s': may not read the namespaces of pid %d%s", id,
                                  (int)pid,
                                  geteuid() != 0 ? " (try as root)"
                                                 : " (they are closed even to root here)");
                        return -1;
                }
                if (pid_error != -ESRCH && pid_error != -ENOENT) {
                        log_error("cannot enter '%s': cannot read the namespaces of pid %d: %s", id,
                                  (int)pid, ERRSTR(-pid_error));
                        return -1;
                }
        }
        if (lookup_is_full_id(id) && lookup_by_id(proc_fd, id, &pid) >= 0 &&
            lookup_leader(proc_fd, pid, ret_leader, ret_starttime) >= 0)
                return 0;

        is = load_instances(&scan);
        if (!is)
                return -1;
        idx = instances_resolve(is, id, &cand, &n_cand);
        if (idx == -ENOTUNIQ) {
                log_error(
                        "cannot enter '%s': it matches %zu instances (give more of the ID, or the "
                        "full name):",
                        id, n_cand);
                for (size_t k = 0; k < n_cand; k++)
                        print_candidate(is, cand[k]);
                r = -1;
        } else if (idx < 0 && pid_error == -ESRCH) {
                log_error("cannot enter '%s': process %s has exited (see 'ns ls')", id, id);
                r = -1;
        } else if (idx < 0) {
                log_error("cannot enter '%s': no such instance", id);
                print_known_instances(is);
                report_unreadable(scan);
                r = -1;
        } else {
                Proc *leader = &scan->procs[is->items[idx].leader];

                r = scan_load_stat(scan, leader);
                if (r < 0)
                        (void)report_gone(id, leader->pid);
                else {
                        *ret_leader = leader->pid;
                        *ret_starttime = leader->starttime;
                }
                r = r < 0 ? -1 : 0;
        }
        instances_free(is);
        scan_free(scan);
        return r;
}

/* The leader's seccomp filters could not be copied (attach-seccomp.h). */
static int report_seccomp(const char *id, const AttachError *e)
{
        static const char without[] = "use --keep=seccomp to enter without them";
        const char *d = e->detail;

        if (streq(d, "attach")) {
                log_error("cannot enter '%s': cannot attach to its leader to read its seccomp "
                          "filters: %s (%s)",
                          id, ERRSTR(e->error), without);
                return 1;
        }
        switch (e->error) {
        case EACCES:
        case EPERM:
                if (streq(d, "self"))
                        log_error("cannot enter '%s': ns runs under a seccomp filter of its own, "
                                  "which forbids reading the instance's (%s)",
                                  id, without);
                else if (geteuid() == 0)
                        log_error("cannot enter '%s': its seccomp filters can be read only by the "
                                  "host's root (%s)",
                                  id, without);
                else
                        log_error("cannot enter '%s': its seccomp filters can be read only by root "
                                  "(run as root, or %s)",
                                  id, without);
                return 1;
        case EBUSY:
                log_error(
                        "cannot enter '%s': its leader is traced by pid %s, so its seccomp filters "
                        "cannot be read (%s)",
                        id, d, without);
                return 1;
        case EAGAIN:
                log_error("cannot enter '%s': its cgroup '%s' is frozen, and its seccomp filters "
                          "cannot be read until it is thawed (thaw it, or %s)",
                          id, d, without);
                return 1;
        case EOPNOTSUPP:
                log_error("cannot enter '%s': its seccomp filter %s can hand system calls to a "
                          "supervisor (SECCOMP_RET_USER_NOTIF), which ns cannot copy (%s)",
                          id, d, without);
                return 1;
        case ENOSYS:
                log_error("cannot enter '%s': this kernel cannot read its seccomp filters "
                          "(PTRACE_SECCOMP_GET_FILTER needs Linux 4.4 with "
                          "CONFIG_CHECKPOINT_RESTORE; %s)",
                          id, without);
                return 1;
        case EINVAL:
                if (streq(d, "strict")) {
                        log_error("cannot enter '%s': its leader runs in seccomp strict mode, "
                                  "under which no command can run",
                                  id);
                        return 1;
                }
                break;
        default:
                break;
        }
        if (startswith(d, "install "))
                log_error("cannot enter '%s': cannot install its seccomp filter %s: %s (%s)", id,
                          d + strlen("install "), ERRSTR(e->error), without);
        else
                log_error("cannot enter '%s': cannot read its seccomp filters: %s (%s)", id,
                          ERRSTR(e->error), without);
        return 1;
}

/* One line, "ns: cannot enter '<id>': <reason> (<what to do>)". Returns the exit status. */
static int report(const char *id, pid_t leader, const AttachError *e)
{
        char d[sizeof(e->detail) + 4];
        const char *why = ERRSTR(e->error);
        bool perm = e->error == EPERM || e->error == EACCES;
        bool root = geteuid() == 0;

        /* The detail comes from the instance (a cgroup or user name): no
         * escape sequence of it reaches the terminal, and a cut is shown. */
        snprintf(d, sizeof(d), "%s%s", e->detail,
                 strlen(e->detail) + 1 >= sizeof(e->detail) ? "..." : "");
        str_sanitize(d);

        switch (e->step) {
        case ATTACH_STEP_KERNEL:
                log_error("cannot enter '%s': pid %d is a kernel thread, there is nothing to enter "
                          "(see 'ns ls' for instances)",
                          id, (int)leader);
                return 1;
        case ATTACH_STEP_OPEN:
        case ATTACH_STEP_VERIFY:
                if (e->error == ESRCH) {
                        return report_gone(id, leader);
                }
                break;
        case ATTACH_STEP_READ:
                if (perm) {
                        log_error("cannot enter '%s': may not read /proc/%d/%s%s", id, (int)leader,
                                  d, root ? "" : " (try as root)");
                        return 1;
                }
                if (e->error == ESRCH || e->error == ENOENT) {
                        return report_gone(id, leader);
                }
                break;
        case ATTACH_STEP_NAMESPACES:
                if (perm) {
                        log_error("cannot enter '%s': may not join its %s%snamespace%s%s", id, d,
                                  d[0] ? " " : "", d[0] ? "" : "s", root ? "" : " (try as root)");
                        return 1;
                }
                if (e->error == EINVAL || e->error == ENOSYS) {
                        log_error(
                                "cannot enter '%s': this kernel cannot join its %s%snamespace%s "
                                "(setns needs Linux 3.8, and more for user, pid and time namespaces)",
                                id, d, d[0] ? " " : "", d[0] ? "" : "s");
                        return 1;
                }
                break;
        case ATTACH_STEP_CGROUP:
                if (e->error == ENAMETOOLONG) {
                        log_error("cannot enter '%s': its cgroup is nested deeper than the kernel "
                                  "shows in /proc/%d/cgroup (%d characters), so ns cannot find it "
                                  "(use --keep=cgroup to stay in yours)",
                                  id, (int)leader, PATH_MAX - 1);
                        return 1;
                }
                if (e->error == ENOENT) {
                        log_error(
                                "cannot enter '%s': its cgroup '%s' is outside of what ns can see "
                                "(use --keep=cgroup to stay in yours)",
                                id, d);
                        return 1;
                }
                if (perm) {
                        log_error(
                                "cannot enter '%s': may not join its cgroup '%s' (%suse --keep=cgroup "
                                "to stay in yours)",
                                id, d, root ? "" : "try as root, or ");
                        return 1;
                }
                break;
        case ATTACH_STEP_ROOT:
                if (perm) {
                        log_error("cannot enter '%s': may not open its root directory%s", id,
                                  root ? "" : " (try as root)");
                        return 1;
                }
                break;
        case ATTACH_STEP_CWD:
                if (e->error == EXDEV) {
                        log_error(
                                "cannot enter '%s': its working directory '%s' is outside its root "
                                "(give one with -w)",
                                id, d);
                        return 1;
                }
                if (d[0]) {
                        log_error("cannot enter '%s': cannot change to '%s': %s", id, d, why);
                        return 1;
                }
                break;
        case ATTACH_STEP_USER:
                if (e->error == EFBIG) {
                        log_error("cannot enter '%s': its %s is larger than ns reads (%d MiB) (give "
                                  "-u as UID[:GID])",
                                  id, d, PASSWD_FILE_MAX >> 20);
                        return 1;
                }
                if (e->error == ENOENT) {
                        bool grp = startswith(d, "group ");
                        log_error("cannot enter '%s': no %s '%s' in its /etc/%s (give a number)",
                                  id, grp ? "group" : "user", grp ? d + strlen("group ") : d,
                                  grp ? "group" : "passwd");
                        return 1;
                }
                log_error(
                        "cannot enter '%s': invalid user '%s' (use USER, UID, USER:GROUP or UID:GID)",
                        id, d);
                return 1;
        case ATTACH_STEP_CREDS:
                if (e->error == EOVERFLOW) {
                        log_error("cannot enter '%s': its leader's %s has no mapping in its user "
                                  "namespace (use --keep=creds)",
                                  id, d);
                        return 1;
                }
                /* An id (of -u, the leader's are mapped) its user
                 * namespace does not map */
                if (e->error == EINVAL && (startswith(d, "uid ") || startswith(d, "gid "))) {
                        log_error("cannot enter '%s': its user namespace maps no %s (see "
                                  "/proc/%d/%cid_map for the ids it has)",
                                  id, d, (int)leader, d[0]);
                        return 1;
                }
                log_error("cannot enter '%s': cannot take its %s: %s (%suse --keep=creds)", id,
                          d[0] ? d : "credentials", why, root || !perm ? "" : "try as root, or ");
                return 1;
        case ATTACH_STEP_CAPS:
                log_error("cannot enter '%s': cannot take its leader's %s: %s (%suse --keep=caps)",
                          id, d[0] ? d : "capabilities", why,
                          root || !perm ? "" : "try as root, or ");
                return 1;
        case ATTACH_STEP_SECCOMP:
                return report_seccomp(id, e);
        case ATTACH_STEP_LSM:
                log_error("cannot enter '%s': cannot take its LSM label '%s': %s (use --keep=lsm)",
                          id, d, why);
                return 1;
        case ATTACH_STEP_RLIMITS:
                log_error("cannot enter '%s': cannot take its resource limits: %s", id, why);
                return 1;
        case ATTACH_STEP_STDIO:
                if (streq(d, "pipe") || streq(d, "signals")) {
                        log_error("cannot enter '%s': cannot %s: %s", id,
                                  streq(d, "pipe") ? "make a pipe" : "handle signals", why);
                        return 1;
                }
                break;
        case ATTACH_STEP_RELAY:
                log_error("cannot enter '%s': relaying its terminal failed: %s", id, why);
                return 1;
        case ATTACH_STEP_PTY:
                log_error(
                        "cannot enter '%s': cannot make a terminal inside it: %s (run it with stdin "
                        "not a terminal)",
                        id, why);
                return 1;
        case ATTACH_STEP_TOOLS:
                if (!d[0] && perm) {
                        log_error("cannot enter '%s' with --tools: it has a user namespace of its "
                                  "own, and only root can join its other namespaces from outside "
                                  "it (try as root, or enter without --tools)",
                                  id);
                        return 1;
                }
                if (e->error == ENOENT || e->error == ENOTDIR) {
                        log_error("cannot enter '%s': cannot mount its root at '%s': %s (give an "
                                  "existing directory with --at)",
                                  id, d, e->error == ENOENT ? "no such directory" : "not a directory");
                        return 1;
                }
                log_error("cannot enter '%s': cannot mount its root at '%s': %s (%suse --at DIR)",
                          id, d, why, root ? "" : "try as root, or ");
                return 1;
        case ATTACH_STEP_EXEC:
                log_error("cannot enter '%s': cannot run '%s': %s", id, d, why);
                return e->error == ENOENT ? 127 : 126;
        case ATTACH_STEP_INTERRUPTED:
                log_error("cannot enter '%s': interrupted (%s) before the command started", id, d);
                return 130;
        default:
                break;
        }
        log_error("cannot enter '%s': %s%s%s", id, d[0] ? d : "", d[0] ? ": " : "", why);
        return 1;
}

int cmd_enter(int argc, char **argv)
{
        enum {
                OPT_KEEP = 0x100,
                OPT_TOOLS,
                OPT_AT
        };
        static const struct option options[] = { { "user", required_argument, NULL, 'u' },
                                                 { "workdir", required_argument, NULL, 'w' },
                                                 { "env", required_argument, NULL, 'e' },
                                                 { "keep", required_argument, NULL, OPT_KEEP },
                                                 { "tools", no_argument, NULL, OPT_TOOLS },
                                                 { "at", required_argument, NULL, OPT_AT },
                                                 { "force", no_argument, NULL, 'f' },
                                                 { "help", no_argument, NULL, 'h' },
                                                 {} };
        EnterOptions o = {};
        _cleanup_close_ int proc_fd = -EBADF, root_fd = -EBADF;
        AttachError e = {};
        Attach *a = NULL;
        unsigned long long starttime = 0;
        pid_t leader = 0;
        int c, r, ret = 1, wstatus = 0;

        optind = 0;
        /* '+': the options end at the id, so the command's own are its own */
        opterr = 0;
        while ((c = getopt_long(argc, argv, "+:u:w:e:fh", options, NULL)) >= 0) {
                switch (c) {
                case 'w':
                        if (!optarg[0]) {
                                log_error("-w needs a directory, not an empty string");
                                strv_free(o.setenv);
                                return usage_error("enter");
                        }
                        o.attach.workdir = optarg;
                        break;
                case 'u':
                        if (user_spec_check(optarg) < 0) {
                                strv_free(o.setenv);
                                return usage_error("enter");
                        }
                        o.attach.user = optarg;
                        break;
                case 'e':
                        if (optarg[0] == '=' || !optarg[0]) {
                                log_error("invalid variable '%s' for -e (use VAR=VALUE or VAR)",
                                          optarg);
                                strv_free(o.setenv);
                                return usage_error("enter");
                        }
                        o.setenv = xreallocarray(o.setenv, o.n_setenv + 2, sizeof(char *));
                        o.setenv[o.n_setenv++] = xstrdup(optarg);
                        o.setenv[o.n_setenv] = NULL;
                        break;
                case OPT_KEEP: {
                        const char *bad;
                        size_t bad_len;
                        unsigned keep;
                        if (attach_keep_from_string(optarg, &keep, &bad, &bad_len) < 0) {
                                log_error(
                                        "unknown --keep item '%.*s' (use caps, cgroup, creds, lsm, env, seccomp)",
                                        (int)bad_len, bad);
                                strv_free(o.setenv);
                                return usage_error("enter");
                        }
                        o.attach.keep |= keep;
                        break;
                }
                case OPT_TOOLS:
                        o.attach.tools = true;
                        break;
                case OPT_AT:
                        o.attach.tools_at = optarg;
                        break;
                case 'f':
                        o.force = true;
                        break;
                case 'h':
                        strv_free(o.setenv);
                        enter_help();
                        return 0;
                default:
                        strv_free(o.setenv);
                        return option_error("enter", c, argv);
                }
        }
        o.attach.setenv = o.setenv;
        if (optind >= argc) {
                log_error("no instance given");
                strv_free(o.setenv);
                return usage_error("enter");
        }
        o.id = argv[optind];
        if (optind + 1 < argc)
                o.attach.argv = argv + optind + 1;
        if (o.attach.tools_at && !o.attach.tools) {
                log_error("--at is for --tools");
                strv_free(o.setenv);
                return usage_error("enter");
        }
        if (o.attach.tools && o.attach.user) {
                log_error("--tools runs host tools as yourself: it takes no -u");
                strv_free(o.setenv);
                return usage_error("enter");
        }
        if (o.attach.tools_at && o.attach.tools_at[0] != '/') {
                log_error("--at needs an absolute path, not '%s'", o.attach.tools_at);
                strv_free(o.setenv);
                return usage_error("enter");
        }

        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0) {
                log_error("cannot open '/proc': %s (is procfs mounted?)", ERRSTR(errno));
                goto finish;
        }

        /* Step 1. */
        if (resolve_leader(proc_fd, o.id, &leader, &starttime) < 0)
                goto finish;
        /* Where the leader's cgroups are found (a pod's own root has none of the host's). */
        root_fd = open_host_root(proc_fd);
        if (root_fd < 0)
                goto finish;
        o.attach.host_root_fd = root_fd;
        /* Steps 1 to 3. */
        r = attach_open(proc_fd, leader, starttime, &o.attach, &a, &e);
        /* attach_open keeps copies of what it uses: ours would reach the
         * command until its last step, past the credential change that
         * may make it dumpable (fs.suid_dumpable=1) and its fds readable
         * from inside: the host's /proc and / must be gone by then. */
        closep(&proc_fd);
        closep(&root_fd);
        if (r < 0) {
                ret = report(o.id, leader, &e);
                goto finish;
        }
        if (attach_tools_signalable(a))
                log_warning("uid %u of the host is a uid of '%s' too: its processes of that uid "
                            "can signal the tools (not ptrace them or read their files)",
                            (unsigned)geteuid(), o.id);
        /* Step 2. */
        if (attach_frozen(a)) {
                /* the cgroup's name is the instance's to choose: no escapes */
                _cleanup_free_ char *cg = str_sanitize(xstrdup(attach_frozen(a)));

                if (!o.force) {
                        log_error(
                                "cannot enter '%s': its cgroup '%s' is frozen (thaw it, or use --force "
                                "to try anyway)",
                                o.id, cg);
                        goto finish;
                }
                log_warning("the cgroup '%s' of '%s' is frozen: the command runs once it is thawed",
                            cg, o.id);
        }

        /* Steps 4 to 8, and the relay. This process joins nothing. */
        r = attach_run(a, &wstatus, &e);
        if (r < 0) {
                ret = report(o.id, leader, &e);
                goto finish;
        }
        ret = exit_like(wstatus);

finish:
        attach_free(a);
        strv_free(o.setenv);
        return ret;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <unistd.h>

#include "commands.h"
#include "control.h"
#include "util.h"

#define FREEZE_TIMEOUT_DEFAULT_MS 10000

static void freeze_help(bool freeze)
{
        printf("Usage:\n"
               " ns %s [options] <id>\n"
               "\n"
               "%s\n"
               "\n"
               "<id> is an instance ID or a unique prefix of it, a name, the runtime's\n"
               "container ID or a unique prefix of it, or the host PID of a member.\n"
               "\n"
               "Options:\n"
               " -t, --timeout <secs>  how long to wait for the kernel (default 10)\n"
               " -h, --help            display this help\n"
               "\n"
               "See ns-freeze(1).\n",
               freeze ? "freeze" : "thaw",
               freeze ? "Freeze every process of an instance, through its own cgroup (v2\n"
                        "cgroup.freeze, or the v1 freezer)."
                      : "Thaw an instance that ns freeze (or anything else) froze.");
}

/* SECS, fractions allowed, into milliseconds. */
static int parse_timeout(const char *s, int *ret)
{
        char *end;
        double v;

        errno = 0;
        v = strtod(s, &end);
        if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 86400)
                return -EINVAL;
        *ret = (int)(v * 1000 + 0.5);
        return 0;
}

/* Why the instance has no cgroup of its own, after "it has no cgroup of
 * its own: ". */
static void explain(const Instances *is, const ControlCgroups *c, char *buf, size_t n)
{
        /* v2 when it has one, else the v1 freezer: what freezing would use.
         * On a hybrid host the v2 hierarchy is often empty (every process
         * in its root): then what the v1 freezer says is what tells. */
        bool v2 = c->v2.verdict != CONTROL_CGROUP_NONE &&
                  (c->v2.verdict != CONTROL_CGROUP_ROOT || c->freezer.verdict == CONTROL_CGROUP_NONE);
        const ControlCgroup *g = v2 ? &c->v2 : &c->freezer;
        const char *path = g->path ? g->path->path : "";
        _cleanup_free_ char *p = xasprintf("%s%s", v2 ? "" : "freezer:", path);
        Proc *f;

        str_sanitize(p);
        switch (g->verdict) {
        case CONTROL_CGROUP_ROOT:
                snprintf(buf, n, "it is in the root cgroup, with the whole system");
                break;
        case CONTROL_CGROUP_HOST:
                snprintf(buf, n, "its cgroup '%s' holds the host's init too", p);
                break;
        case CONTROL_CGROUP_SELF:
                snprintf(buf, n, "its cgroup '%s' holds ns itself", p);
                break;
        case CONTROL_CGROUP_SHARED:
                f = scan_find(is->scan, g->foreign);
                if (f)
                        (void)scan_load_stat(is->scan, f);
                snprintf(buf, n, "its cgroup '%s' also holds pid %d%s%s%s, which is not in it", p,
                         (int)g->foreign, f && f->stat_ok ? " (" : "",
                         f && f->stat_ok ? f->comm : "", f && f->stat_ok ? ")" : "");
                break;
        case CONTROL_CGROUP_UNREADABLE:
                snprintf(buf, n, "cannot read the processes of its cgroup '%s': %s", p,
                         ERRSTR(-g->error));
                break;
        default:
                snprintf(buf, n, "no cgroup v2 or v1 freezer of it is mounted where ns can see it");
                break;
        }
        str_sanitize(buf);
}

static int run(bool freeze, int argc, char **argv)
{
        static const struct option options[] = {
                { "timeout", required_argument, NULL, 't' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        const char *cmd = freeze ? "freeze" : "thaw", *id;
        int timeout_ms = FREEZE_TIMEOUT_DEFAULT_MS;
        _cleanup_close_ int root_fd = -EBADF;
        ControlCgroups cg = {};
        ControlFreezeState st = CONTROL_FREEZE_STATE_INVALID;
        Scan *scan = NULL;
        Instances *is;
        ssize_t idx;
        int c, r, ret = 1;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":t:h", options, NULL)) >= 0) {
                switch (c) {
                case 't':
                        if (parse_timeout(optarg, &timeout_ms) < 0) {
                                log_error("invalid timeout '%s' for -t (seconds, such as 5 or "
                                          "0.5)",
                                          optarg);
                                return usage_error(cmd);
                        }
                        break;
                case 'h':
                        freeze_help(freeze);
                        return 0;
                default:
                        return option_error(cmd, c, argv);
                }
        }
        if (optind >= argc) {
                log_error("no instance given");
                return usage_error(cmd);
        }
        if (optind + 1 < argc) {
                log_error("unexpected argument '%s'", argv[optind + 1]);
                return usage_error(cmd);
        }
        id = argv[optind];

        is = load_instances(&scan);
        if (!is)
                return 1;
        root_fd = open_host_root(scan->proc_fd);
        if (root_fd < 0)
                goto finish;
        idx = resolve_or_report(is, id);
        if (idx < 0) {
                report_unreadable(scan);
                goto finish;
        }
        r = control_cgroups_load(scan->proc_fd, root_fd, is, &is->items[idx], &cg);
        if (r < 0) {
                if (r == -ENOENT || r == -ESRCH)
                        log_error("cannot %s '%s': the instance is gone (see 'ns ls')", cmd, id);
                else
                        log_error("cannot %s '%s': cannot read its cgroups: %s", cmd, id,
                                  ERRSTR(-r));
                goto finish;
        }
        r = control_freeze(root_fd, &cg, freeze, timeout_ms, &st);
        if (r == -EBUSY) {
                char why[512];

                explain(is, &cg, why, sizeof(why));
                log_error("cannot %s '%s': it has no cgroup of its own: %s (%s a shared cgroup "
                          "would %s other processes too)",
                          cmd, id, why, freeze ? "freezing" : "thawing",
                          freeze ? "freeze" : "thaw");
        } else if (r == -ETIMEDOUT) {
                const ControlCgroup *t = control_freeze_target(root_fd, &cg);
                _cleanup_free_ char *p = xstrdup(t ? t->path->path : "?");

                str_sanitize(p);
                if (freeze)
                        log_error("cannot freeze '%s': its cgroup '%s' is still %s after %gs (a "
                                  "task may be busy in the kernel; try a longer --timeout, or 'ns "
                                  "thaw %s')",
                                  id, p, control_freeze_state_to_string(st),
                                  timeout_ms / 1000.0, id);
                else
                        log_error("cannot thaw '%s': its cgroup '%s' is still %s after %gs (is a "
                                  "cgroup above it frozen?)",
                                  id, p, control_freeze_state_to_string(st),
                                  timeout_ms / 1000.0);
        } else if (r < 0)
                log_error("cannot %s '%s': %s%s", cmd, id, ERRSTR(-r),
                          (r == -EACCES || r == -EPERM) && geteuid() != 0 ? " (try as root)" : "");
        else
                ret = 0;
        control_cgroups_done(&cg);
finish:
        instances_free(is);
        scan_free(scan);
        return ret;
}

int cmd_freeze(int argc, char **argv)
{
        return run(true, argc, argv);
}

int cmd_thaw(int argc, char **argv)
{
        return run(false, argc, argv);
}

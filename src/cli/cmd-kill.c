/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <unistd.h>

#include "commands.h"
#include "control.h"
#include "util.h"

typedef struct KillOptions {
        int sig;
        bool leader;
        bool force;
        bool verbose;
        bool list;
        const char *id;
} KillOptions;

static void kill_help(void)
{
        fputs("Usage:\n"
              " ns kill [options] <id>\n"
              " ns kill -l [<signal>]\n"
              "\n"
              "Send a signal to every process of an instance, or to its leader.\n"
              "\n"
              "<id> is an instance ID or a unique prefix of it, a name, the runtime's\n"
              "container ID or a unique prefix of it, or the host PID of a member.\n"
              "\n"
              "Options:\n"
              " -s, --signal <signal>  the signal, by name or number (default TERM)\n"
              "     --leader           signal the instance's leader alone\n"
              " -f, --force            allow the host instance: every process of the host\n"
              " -v, --verbose          say what was signalled, and how\n"
              " -l, --list [<signal>]  list the signal names, or turn one into the other\n"
              " -h, --help             display this help\n"
              "\n"
              "See ns-kill(1).\n",
              stdout);
}

/* -l: every name, on lines of at most 72 columns, as kill -l prints them. */
static void list_signals(void)
{
        size_t col = 0;
        char buf[16];

        for (int sig = 1; sig <= signame_max(); sig++) {
                size_t n;

                if (!signame_format(sig, buf))
                        continue;
                n = strlen(buf);
                if (col > 0 && col + 1 + n > 72) {
                        putchar('\n');
                        col = 0;
                }
                printf("%s%s", col > 0 ? " " : "", buf);
                col += (col > 0) + n;
        }
        putchar('\n');
}

/* -l SIGNAL: a number gives its name, a name its number. An exit status
 * past 128 is taken as the signal that ended a command, as the shells do. */
static int convert_signal(const char *s)
{
        char buf[16];
        int sig;

        if (s[0] >= '0' && s[0] <= '9') {
                pid_t n;

                if (parse_pid(s, &n) >= 0 && n > 128 && signame_format(n - 128, buf))
                        sig = n - 128;
                else
                        sig = signame_parse(s);
                if (sig < 0 || !signame_format(sig, buf)) {
                        log_error("unknown signal '%s' (see 'ns kill -l')", s);
                        return 1;
                }
                puts(buf);
                return 0;
        }
        sig = signame_parse(s);
        if (sig < 0) {
                log_error("unknown signal '%s' (see 'ns kill -l')", s);
                return 1;
        }
        printf("%d\n", sig);
        return 0;
}

static int parse_args(int argc, char **argv, KillOptions *o)
{
        enum { OPT_LEADER = 0x100 };
        static const struct option options[] = {
                { "signal", required_argument, NULL, 's' },
                { "leader", no_argument, NULL, OPT_LEADER },
                { "force", no_argument, NULL, 'f' },
                { "verbose", no_argument, NULL, 'v' },
                { "list", no_argument, NULL, 'l' },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":s:fvlh", options, NULL)) >= 0) {
                switch (c) {
                case 's':
                        o->sig = signame_parse(optarg);
                        if (o->sig < 0) {
                                log_error("unknown signal '%s' for -s (see 'ns kill -l')", optarg);
                                return 1;
                        }
                        break;
                case OPT_LEADER:
                        o->leader = true;
                        break;
                case 'f':
                        o->force = true;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case 'l':
                        o->list = true;
                        break;
                case 'h':
                        kill_help();
                        return 0;
                default:
                        return option_error("kill", c, argv);
                }
        }
        if (o->list) {
                if (optind + 1 < argc) {
                        log_error("unexpected argument '%s'", argv[optind + 1]);
                        return usage_error("kill");
                }
                return -1;
        }
        if (optind >= argc) {
                log_error("no instance given");
                return usage_error("kill");
        }
        if (optind + 1 < argc) {
                log_error("unexpected argument '%s'", argv[optind + 1]);
                return usage_error("kill");
        }
        o->id = argv[optind];
        return -1;
}

/* The leader will not act on the signal: say so before it is sent. */
static void warn_ignored(int proc_fd, const Proc *leader, const KillOptions *o)
{
        char name[16], comm[sizeof(leader->comm)];
        pid_t nspid = 0;

        if (control_signal_ignored(proc_fd, leader->pid, o->sig) <= 0)
                return;
        memcpy(comm, leader->comm, sizeof(comm));
        str_sanitize(comm);
        if (!signame_format(o->sig, name))
                snprintf(name, sizeof(name), "%d", o->sig);
        if (proc_read_nspid(proc_fd, leader->pid, &nspid) >= 0 && nspid == 1)
                log_warning("pid %d (%s), the init of '%s', ignores SIG%s: the kernel gives an "
                            "init only the signals it handles (use -s KILL to end it)",
                            (int)leader->pid, comm, o->id, name);
        else
                log_warning("pid %d (%s), the leader of '%s', ignores SIG%s", (int)leader->pid,
                            comm, o->id, name);
}

static int report(const KillOptions *o, const ControlKillResult *res)
{
        char name[16];

        for (size_t k = 0; k < res->n_failures; k++) {
                const ControlKillFailure *f = &res->failures[k];
                int err = -f->error;
                char comm[sizeof(f->comm)];

                memcpy(comm, f->comm, sizeof(comm));
                str_sanitize(comm);
                log_error("cannot signal %d (%s) in '%s': %s%s", (int)f->pid, comm, o->id,
                          ERRSTR(err),
                          (err == EPERM || err == EACCES) && geteuid() != 0 ? " (try as root)" : "");
        }
        if (res->n_failures > 0)
                return 1;
        if (res->n_signalled == 0) {
                log_error("cannot signal '%s': the instance is gone (its processes exited; see "
                          "'ns ls')",
                          o->id);
                return 1;
        }
        if (o->verbose) {
                if (!signame_format(o->sig, name))
                        snprintf(name, sizeof(name), "%d", o->sig);
                if (res->cgroup_kill)
                        printf("killed %zu process%s of '%s' through cgroup.kill of '%s'\n",
                               res->n_signalled, res->n_signalled == 1 ? "" : "es", o->id,
                               res->cgroup);
                else
                        printf("sent SIG%s to %zu process%s of '%s'\n", name, res->n_signalled,
                               res->n_signalled == 1 ? "" : "es", o->id);
                if (res->n_gone > 0)
                        printf("%zu process%s had exited\n", res->n_gone,
                               res->n_gone == 1 ? "" : "es");
        }
        return 0;
}

int cmd_kill(int argc, char **argv)
{
        KillOptions o = { .sig = SIGTERM };
        ControlKillResult res = {};
        _cleanup_close_ int root_fd = -EBADF;
        Scan *scan = NULL;
        Instances *is;
        const Instance *in;
        ssize_t idx;
        int r, ret;

        ret = parse_args(argc, argv, &o);
        if (ret >= 0)
                return ret;
        if (o.list) {
                if (optind < argc)
                        return convert_signal(argv[optind]);
                list_signals();
                return 0;
        }

        is = load_instances(&scan);
        if (!is)
                return 1;
        root_fd = open_host_root(scan->proc_fd);
        if (root_fd < 0) {
                ret = 1;
                goto finish;
        }
        idx = resolve_or_report(is, o.id);
        if (idx < 0) {
                report_unreadable(scan);
                ret = 1;
                goto finish;
        }
        in = &is->items[idx];
        if (in->host && !o.force) {
                log_error("cannot signal '%s': it is the host instance, whose processes are the "
                          "whole system (use --force if that is meant)",
                          o.id);
                ret = 1;
                goto finish;
        }
        if (scan_load_stat(scan, &scan->procs[in->leader]) >= 0)
                warn_ignored(scan->proc_fd, instance_leader(is, in), &o);

        r = control_kill(scan->proc_fd, root_fd, is, in, o.sig, o.leader ? CONTROL_LEADER_ONLY : 0,
                         &res);
        if (r < 0) {
                log_error("cannot signal '%s': %s", o.id, ERRSTR(-r));
                ret = 1;
                goto finish;
        }
        ret = report(&o, &res);
        control_kill_result_done(&res);
finish:
        instances_free(is);
        scan_free(scan);
        return ret;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <stdarg.h>

#include "commands.h"
#include "hostroot.h"
#include "output.h"
#include "util.h"

#ifndef NS_VERSION
#define NS_VERSION "unknown"
#endif

typedef struct Command {
        const char *name;
        /* NULL: run by ns-tables (exec_helper()) */
        int (*run)(int argc, char **argv);
        const char *summary;
} Command;

/*
 * A static ns (meson option static, the default where glibc's static
 * library is installed) starts a millisecond sooner than a dynamic one on
 * a machine where page faults are dear: what ns run and ns enter are
 * measured by. It cannot load a library, and Debian ships libsmartcols
 * and libproc2 as shared libraries only: the commands that print tables
 * are run by ns-tables, the same commands built as a dynamic program.
 */
#ifdef NS_STATIC
#define TABLES(fn) NULL
#else
#define TABLES(fn) fn
#endif

static const Command commands[] = {
        { "ls", TABLES(cmd_ls), "list every instance on the host" },
        { "ps", TABLES(cmd_ps), "list the processes of one instance" },
        { "top", cmd_top, "show every instance live, with resource use and health" },
        { "enter", cmd_enter, "run a shell or command inside an instance" },
        { "run", cmd_run, "start a fresh stateless sandbox" },
        { "kill", cmd_kill, "send a signal to the processes of an instance" },
        { "freeze", cmd_freeze, "freeze every process of an instance" },
        { "thaw", cmd_thaw, "thaw a frozen instance" },
        { "inspect", cmd_inspect, "explain why an instance is stuck" },
        { "images", cmd_images, "list, add and remove the images of ns run --image" },
};

void log_error(const char *fmt, ...)
{
        va_list ap;

        fputs("ns: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

void log_warning(const char *fmt, ...)
{
        va_list ap;

        fputs("ns: warning: ", stderr);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
}

int usage_error(const char *cmd)
{
        if (cmd)
                fprintf(stderr, "Try 'ns %s --help'.\n", cmd);
        else
                fputs("Try 'ns --help'.\n", stderr);
        return 1;
}

const char *errno_str(int err, char buf[static 128])
{
        snprintf(buf, 128, "%s", strerror(err));
        /* "No such file" but not "ENOTSUP"-like words that are all capitals */
        if (isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
                buf[0] = (char)tolower((unsigned char)buf[0]);
        return buf;
}

int exit_like(int wstatus)
{
        if (WIFEXITED(wstatus))
                return WEXITSTATUS(wstatus);
        if (WIFSIGNALED(wstatus)) {
                int sig = WTERMSIG(wstatus);
                struct rlimit no_core = {};
                sigset_t set;

                /* die the same way, without a misleading core of ns itself */
                (void)setrlimit(RLIMIT_CORE, &no_core);
                signal(sig, SIG_DFL);
                sigemptyset(&set);
                sigaddset(&set, sig);
                (void)sigprocmask(SIG_UNBLOCK, &set, NULL);
                raise(sig);
                return 128 + sig;
        }
        return 1;
}

int option_error(const char *cmd, int c, char *const *argv)
{
        _cleanup_free_ char *msg = option_error_message(c, optopt, optind > 0 ? argv[optind - 1] : "");

        log_error("%s", msg);
        return usage_error(cmd);
}

void report_unreadable(const Scan *s)
{
        if (s->n_unreadable == 0)
                return;
        fprintf(stderr, "ns: %zu process%s not shown: may not read %s namespaces%s\n",
                s->n_unreadable, s->n_unreadable == 1 ? "" : "es",
                s->n_unreadable == 1 ? "its" : "their", geteuid() != 0 ? " (try as root)" : "");
}

int open_host_root(int proc_fd)
{
        const char *dir = getenv(HOST_ROOT_ENV);
        int fd, r;

        fd = host_root_open(proc_fd, AT_FDCWD, dir, NULL);
        if (fd < 0) {
                if (dir && dir[0])
                        log_error("cannot open host root '%s': %s", dir, ERRSTR(-fd));
                else
                        log_error("cannot open '/': %s", ERRSTR(-fd));
                return -1;
        }
        /* A pod's own cgroup namespace would hide every cgroup outside the pod. */
        r = host_root_join_cgroupns(proc_fd, fd);
        if (r < 0)
                log_warning("cannot join the host's cgroup namespace: %s (cgroups outside "
                            "this container are not shown)",
                            ERRSTR(-r));
        return fd;
}

Instances *load_instances_with(InstancesLoadFlags flags, Scan **ret_scan)
{
        _cleanup_close_ int proc_fd = -EBADF, root_fd = -EBADF;
        Scan *scan = NULL;
        Instances *is = NULL;
        int r;

        proc_fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (proc_fd < 0) {
                log_error("cannot open '/proc': %s (is procfs mounted?)", ERRSTR(errno));
                return NULL;
        }
        root_fd = open_host_root(proc_fd);
        if (root_fd < 0)
                return NULL;
        r = instances_load(proc_fd, root_fd, flags, &is, &scan);
        if (r < 0) {
                log_error("cannot read '/proc': %s", ERRSTR(-r));
                return NULL;
        }
        *ret_scan = scan;
        return is;
}

Instances *load_instances(Scan **ret_scan)
{
        return load_instances_with(0, ret_scan);
}

#ifndef NS_STATIC
int load_smartcols(Scols *ret)
{
        _cleanup_free_ char *err = NULL;

        if (output_load(ret, &err) < 0) {
                log_error("cannot load libsmartcols.so.1: %s", err);
                return -1;
        }
        return 0;
}
#endif

void print_candidate(const Instances *is, size_t i)
{
        const Instance *in = &is->items[i];

        fprintf(stderr, "  %s  %-20s %-10s pid %d\n", in->id, in->ident.name ?: "-",
                runtime_to_string(in->ident.runtime), (int)instance_leader(is, in)->pid);
}

bool report_closed_pid(const char *prefix, const char *id)
{
        char path[64], buf[64];

        if (!is_canonical_pid(id))
                return false;
        snprintf(path, sizeof(path), "/proc/%s/ns/pid", id);
        if (readlink(path, buf, sizeof(buf)) >= 0 || (errno != EACCES && errno != EPERM))
                return false;
        log_error("%smay not read the namespaces of pid %s%s", prefix, id,
                  geteuid() != 0 ? " (try as root)" : " (they are closed even to root here)");
        return true;
}

ssize_t resolve_or_report(const Instances *is, const char *id)
{
        _cleanup_free_ size_t *cand = NULL;
        size_t n_cand = 0;
        ssize_t r;

        r = instances_resolve(is, id, &cand, &n_cand);
        if (r >= 0)
                return r;
        if (r == -ENOTUNIQ) {
                log_error("'%s' is ambiguous: it matches %zu instances:", id, n_cand);
                for (size_t k = 0; k < n_cand; k++)
                        print_candidate(is, cand[k]);
                fputs("Give more of the ID, or the full name.\n", stderr);
                return -1;
        }
        if (report_closed_pid("", id))
                return -1;
        log_error("no instance '%s'", id);
        print_known_instances(is);
        return -1;
}

void print_known_instances(const Instances *is)
{
        if (is->n > 1) {
                fputs("Instances are:\n", stderr);
                for (size_t i = 0; i < is->n; i++)
                        if (!is->items[i].host)
                                print_candidate(is, i);
                fputs("See 'ns ls'.\n", stderr);
        } else
                fputs("There are no instances besides the host. See 'ns ls -a'.\n", stderr);
}

static void main_usage(FILE *f)
{
        fputs("Usage:\n"
              " ns [--host-root <dir>] <command> [<args>]\n"
              " ns --help | --version\n"
              "\n"
              "See and use every container or sandbox on the host, whatever made it.\n"
              "\n"
              "Commands:\n",
              f);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                fprintf(f, " %-8s %s\n", commands[i].name, commands[i].summary);
        fputs(" help     show the help of a command\n"
              "\n"
              "Options:\n"
              "     --host-root <dir>  read the host's files below <dir> (from a container)\n"
              " -h, --help             display this help\n"
              " -V, --version          display version\n"
              "\n"
              "Run 'ns <command> --help' for the options of a command. See ns(1).\n",
              f);
}

static const Command *command_find(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

int main(int argc, char **argv)
{
        const Command *c;
        char name[32];

        if (argc < 2) {
                main_usage(stderr);
                return 1;
        }
        /*
         * --host-root goes to every command, ns top's separate program and
         * the commands they run alike: through the environment.
         */
        while (argc >= 2 && startswith(argv[1], "--host-root")) {
                const char *v = argv[1] + strlen("--host-root");
                char *prog = argv[0];
                int shift = 1;

                if (*v == '=')
                        v++;
                else if (*v == '\0' && argc >= 3)
                        v = argv[2], shift = 2;
                else if (*v == '\0') {
                        log_error("option '--host-root' requires an argument");
                        return usage_error(NULL);
                } else
                        break;
                if (!*v) {
                        log_error("option '--host-root' requires a directory");
                        return usage_error(NULL);
                }
                if (setenv(HOST_ROOT_ENV, v, 1) < 0) {
                        log_error("cannot set %s: %s", HOST_ROOT_ENV, ERRSTR(errno));
                        return 1;
                }
                argv += shift;
                argc -= shift;
                argv[0] = prog;
        }
        if (argc < 2) {
                main_usage(stderr);
                return 1;
        }
        if (streq(argv[1], "-h") || streq(argv[1], "--help")) {
                main_usage(stdout);
                return 0;
        }
        if (streq(argv[1], "-V") || streq(argv[1], "--version")) {
                printf("ns %s\n", NS_VERSION);
                return 0;
        }
        if (streq(argv[1], "help")) {
                char help[] = "--help", *hargv[] = { NULL, help, NULL };

                if (argc < 3) {
                        main_usage(stdout);
                        return 0;
                }
                c = command_find(argv[2]);
                if (!c) {
                        log_error("unknown command '%s'", argv[2]);
                        return usage_error(NULL);
                }
                if (!c->run) {
                        char *targv[] = { argv[0], argv[2], help, NULL };

                        return exec_helper("ns-tables", argv[2], targv);
                }
                snprintf(name, sizeof(name), "ns %s", c->name);
                hargv[0] = name;
                return c->run(2, hargv);
        }
        if (argv[1][0] == '-') {
                log_error("unknown option '%s'", argv[1]);
                return usage_error(NULL);
        }
        c = command_find(argv[1]);
        if (!c) {
                log_error("unknown command '%s'", argv[1]);
                return usage_error(NULL);
        }
        /* argv as ns was given it, less --host-root (in the environment) */
        if (!c->run)
                return exec_helper("ns-tables", argv[1], argv);
        /* getopt names the program in its messages: "ns ls: unrecognized option" */
        snprintf(name, sizeof(name), "ns %s", c->name);
        argv[1] = name;
        return c->run(argc - 1, argv + 1);
}

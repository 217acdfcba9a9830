/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <getopt.h>

#include "commands.h"
#include "output.h"
#include "usercache.h"
#include "util.h"

enum {
        COL_ID,
        COL_NAME,
        COL_RUNTIME,
        COL_PID,
        COL_NPROCS,
        COL_USER,
        COL_NS,
        COL_COMMAND,
        COL_RUNTIME_ID,
        COL_PPID,
        COL_UID,
        COL_PARENT,
        COL_PRIVATE,
        COL_SHARED,
        COL_USERNS, /* the eight inode columns, in display order */
        COL_MNTNS,
        COL_PIDNS,
        COL_NETNS,
        COL_UTSNS,
        COL_IPCNS,
        COL_CGROUPNS,
        COL_TIMENS,
        COL_MAX,
};

static const ColumnDesc ls_columns[COL_MAX] = {
        [COL_ID] = { "ID", INSTANCE_ID_LEN, 0, SCOLS_JSON_STRING, "instance ID (digest of the namespaces)" },
        [COL_NAME] = { "NAME", 0.15, 0, SCOLS_JSON_STRING, "container, machine or sandbox name" },
        [COL_RUNTIME] = { "RUNTIME", 0.08, 0, SCOLS_JSON_STRING, "what made the instance" },
        [COL_PID] = { "PID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "leader's host PID" },
        [COL_NPROCS] = { "NPROCS", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "number of processes" },
        [COL_USER] = { "USER", 0.08, 0, SCOLS_JSON_STRING, "leader's owner" },
        [COL_NS] = { "NS", NS_TYPE_MAX, 0, SCOLS_JSON_STRING,
                     "namespaces: letter private, * shared, - host's" },
        [COL_COMMAND] = { "COMMAND", 0.3, SCOLS_FL_TRUNC, SCOLS_JSON_STRING, "leader's command line" },
        [COL_RUNTIME_ID] = { "RUNTIME_ID", 0.1, 0, SCOLS_JSON_STRING, "the runtime's container ID" },
        [COL_PPID] = { "PPID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "leader's parent PID" },
        [COL_UID] = { "UID", 5, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "leader's owner UID" },
        [COL_PARENT] = { "PARENT", INSTANCE_ID_LEN, 0, SCOLS_JSON_STRING, "ID of the parent instance" },
        [COL_PRIVATE] = { "PRIVATE", 0.1, 0, SCOLS_JSON_STRING, "private namespace types" },
        [COL_SHARED] = { "SHARED", 0.1, 0, SCOLS_JSON_STRING, "types shared with another instance" },
        [COL_USERNS] = { "USERNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "user namespace inode" },
        [COL_MNTNS] = { "MNTNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "mount namespace inode" },
        [COL_PIDNS] = { "PIDNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "pid namespace inode" },
        [COL_NETNS] = { "NETNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "network namespace inode" },
        [COL_UTSNS] = { "UTSNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "UTS namespace inode" },
        [COL_IPCNS] = { "IPCNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "IPC namespace inode" },
        [COL_CGROUPNS] = { "CGROUPNS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "cgroup namespace inode" },
        [COL_TIMENS] = { "TIMENS", 10, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER, "time namespace inode" },
};

static const int ls_default_columns[] = {
        COL_ID, COL_NAME, COL_RUNTIME, COL_PID, COL_NPROCS, COL_USER, COL_NS, COL_COMMAND,
};

typedef struct LsOptions {
        OutputOpts out;
        bool all;
        bool runtime_set;
        Runtime runtime;
        int *cols;
        size_t n_cols;
} LsOptions;

static void ls_help(void)
{
        fputs("Usage:\n"
              " ns ls [options]\n"
              "\n"
              "List every instance on the host: the processes that share one set of\n"
              "namespaces, whatever made them.\n"
              "\n"
              "Options:\n"
              " -a, --all              include the host instance\n"
              " -J, --json             use JSON output format\n"
              " -r, --raw              use raw output format\n"
              " -n, --noheadings       don't print headings\n"
              " -o, --output <list>    output columns (a list starting with '+' extends the default)\n"
              "     --output-all       output all columns\n"
              " -T, --tree             show nested instances as a tree\n"
              "     --runtime <name>   only instances made by this runtime\n"
              " -H, --list-columns     list the available columns\n"
              "     --list-runtimes    list the runtimes --runtime takes\n"
              " -h, --help             display this help\n"
              "\n"
              "See ns-ls(1).\n",
              stdout);
}

static char *ls_cell(const Instances *is, const Instance *in, int col, UserCache *users)
{
        const Proc *leader = instance_leader(is, in);

        switch (col) {
        case COL_ID:
                return xstrdup(in->id);
        case COL_NAME:
                return xstrdup(in->ident.name ?: "");
        case COL_RUNTIME:
                return xstrdup(runtime_to_string(in->ident.runtime));
        case COL_PID:
                return xasprintf("%d", (int)leader->pid);
        case COL_NPROCS:
                return xasprintf("%zu", in->n_members);
        case COL_USER:
                return xstrdup(user_cache_name(users, in->uid));
        case COL_NS: {
                char letters[NS_TYPE_MAX + 1];
                output_ns_letters(in->share, letters);
                return xstrdup(letters);
        }
        case COL_COMMAND:
                return xstrdup(in->command ?: "");
        case COL_RUNTIME_ID:
                return in->ident.runtime_id ? xstrdup(in->ident.runtime_id) : NULL;
        case COL_PPID:
                return leader->stat_ok ? xasprintf("%d", (int)leader->ppid) : NULL;
        case COL_UID:
                return in->uid != (uid_t)-1 ? xasprintf("%u", (unsigned)in->uid) : NULL;
        case COL_PARENT:
                return in->parent >= 0 ? xstrdup(is->items[in->parent].id) : NULL;
        case COL_PRIVATE:
                return output_ns_names(in->share, NS_SHARE_PRIVATE);
        case COL_SHARED:
                return output_ns_names(in->share, NS_SHARE_OTHER);
        default:
                if (col >= COL_USERNS && col <= COL_TIMENS) {
                        NsIno ino = in->ns[ns_display_order[col - COL_USERNS]];
                        return ino ? xasprintf("%llu", (unsigned long long)ino) : NULL;
                }
                return NULL;
        }
}

static bool ls_shows(const LsOptions *o, int col)
{
        for (size_t i = 0; i < o->n_cols; i++)
                if (o->cols[i] == col)
                        return true;
        return false;
}

static bool ls_shown(const LsOptions *o, const Instance *in)
{
        if (in->host && !o->all)
                return false;
        if (o->runtime_set && in->ident.runtime != o->runtime)
                return false;
        return true;
}

/* The nearest shown ancestor, so a tree stays connected when the host or
 * filtered instances are left out. */
static ssize_t shown_parent(const LsOptions *o, const Instances *is, const Instance *in)
{
        ssize_t p = in->parent;

        while (p >= 0 && !ls_shown(o, &is->items[p]))
                p = is->items[p].parent;
        return p;
}

static void add_line(const LsOptions *o, const Instances *is, const Scols *sc,
                     struct libscols_table *tb, struct libscols_line **lines, UserCache *users,
                     size_t i)
{
        const Instance *in = &is->items[i];
        struct libscols_line *parent = NULL, *ln;

        if (lines[i] || !ls_shown(o, in))
                return;
        if (o->out.tree) {
                ssize_t p = shown_parent(o, is, in);
                if (p >= 0) {
                        add_line(o, is, sc, tb, lines, users, (size_t)p);
                        parent = lines[p];
                }
        }
        ln = sc->table_new_line(tb, parent);
        if (!ln)
                oom();
        for (size_t c = 0; c < o->n_cols; c++) {
                char *data = ls_cell(is, in, o->cols[c], users);
                if (data && sc->line_refer_data(ln, c, data) < 0)
                        oom();
        }
        lines[i] = ln;
}

int cmd_ls(int argc, char **argv)
{
        enum { OPT_RUNTIME = 0x100, OPT_OUTPUT_ALL, OPT_LIST_RUNTIMES };
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "json", no_argument, NULL, 'J' },
                { "raw", no_argument, NULL, 'r' },
                { "noheadings", no_argument, NULL, 'n' },
                { "output", required_argument, NULL, 'o' },
                { "output-all", no_argument, NULL, OPT_OUTPUT_ALL },
                { "tree", no_argument, NULL, 'T' },
                { "runtime", required_argument, NULL, OPT_RUNTIME },
                { "list-columns", no_argument, NULL, 'H' },
                { "list-runtimes", no_argument, NULL, OPT_LIST_RUNTIMES },
                { "help", no_argument, NULL, 'h' },
                {}
        };
        LsOptions o = {};
        UserCache users = {};
        _cleanup_free_ int *cols = NULL;
        const char *output = NULL;
        bool output_all = false, list = false, list_runtimes = false;
        Scan *scan = NULL;
        Instances *is;
        Scols sc;
        struct libscols_table *tb;
        _cleanup_free_ struct libscols_line **lines = NULL;
        int c;

        optind = 0;
        opterr = 0;
        while ((c = getopt_long(argc, argv, ":aJrno:THh", options, NULL)) >= 0) {
                switch (c) {
                case 'a':
                        o.all = true;
                        break;
                case 'J':
                        o.out.json = true;
                        break;
                case 'r':
                        o.out.raw = true;
                        break;
                case 'n':
                        o.out.noheadings = true;
                        break;
                case 'o':
                        output = optarg;
                        break;
                case OPT_OUTPUT_ALL:
                        output_all = true;
                        break;
                case 'T':
                        o.out.tree = true;
                        break;
                case OPT_RUNTIME:
                        o.runtime = runtime_from_string(optarg);
                        if (o.runtime == RUNTIME_INVALID) {
                                log_error("unknown runtime '%s'", optarg);
                                return usage_error("ls");
                        }
                        o.runtime_set = true;
                        break;
                case 'H':
                        list = true;
                        break;
                case OPT_LIST_RUNTIMES:
                        list_runtimes = true;
                        break;
                case 'h':
                        ls_help();
                        return 0;
                default:
                        return option_error("ls", c, argv);
                }
        }
        if (optind < argc) {
                log_error("unexpected argument '%s'", argv[optind]);
                return usage_error("ls");
        }
        if (list) {
                if (load_smartcols(&sc) < 0)
                        return 1;
                return output_list_columns(&sc, ls_columns, COL_MAX, o.out.json) < 0;
        }
        if (list_runtimes) {
                /* from the table, so that a new runtime reaches the
                 * completions, which ask this, with nothing else to edit */
                ColumnDesc runtimes[RUNTIME_MAX];

                for (int r = 0; r < RUNTIME_MAX; r++)
                        runtimes[r] = (ColumnDesc){ .name = runtime_table[r].name,
                                                    .help = runtime_table[r].help };
                if (load_smartcols(&sc) < 0)
                        return 1;
                return output_list_named(&sc, runtimes, RUNTIME_MAX, o.out.json, "runtimes") < 0;
        }

        if (output_all) {
                cols = xnew(int, COL_MAX);
                for (int i = 0; i < COL_MAX; i++)
                        cols[i] = i;
                o.n_cols = COL_MAX;
        } else if (output) {
                const char *bad;
                size_t bad_len;
                if (columns_parse(ls_columns, COL_MAX, output, ls_default_columns,
                                  ELEMENTSOF(ls_default_columns), &cols, &o.n_cols, &bad,
                                  &bad_len) < 0) {
                        log_error("unknown column '%.*s'", (int)bad_len, bad);
                        fputs("Try 'ns ls --list-columns'.\n", stderr);
                        return 1;
                }
        } else {
                cols = xnew(int, ELEMENTSOF(ls_default_columns));
                memcpy(cols, ls_default_columns, sizeof(ls_default_columns));
                o.n_cols = ELEMENTSOF(ls_default_columns);
        }
        o.cols = cols;

        if (load_smartcols(&sc) < 0)
                return 1;
        /* Nesting costs a few syscalls per instance: only when it is shown. */
        is = load_instances_with(o.out.tree || ls_shows(&o, COL_PARENT) ? INSTANCES_LOAD_NEST : 0,
                                 &scan);
        if (!is)
                return 1;
        tb = output_table_new(&sc, ls_columns, o.cols, o.n_cols, &o.out, "instances");
        lines = xnew(struct libscols_line *, is->n);
        for (size_t i = 0; i < is->n; i++)
                add_line(&o, is, &sc, tb, lines, &users, i);
        user_cache_done(&users);

        sc.print_table(tb);
        sc.unref_table(tb);
        report_unreadable(scan);
        instances_free(is);
        scan_free(scan);
        return 0;
}

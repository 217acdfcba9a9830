/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The command layer: the only code that parses argv, prints to the user and
 * chooses the exit status. One file per command. */

#include <stdbool.h>
#include <stdio.h>

#include "instances.h"
#include "macro.h"
#include "output.h"

int cmd_enter(int argc, char **argv);
int cmd_freeze(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_ls(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_thaw(int argc, char **argv);
int cmd_top(int argc, char **argv);

/* The path of a helper program of ns (ns-image, ns-top) into buf: next to
 * the ns binary, else in NS_LIBEXECDIR. -errno when neither runs. */
int libexec_find(const char *prog, char *buf, size_t size);
/* Execute that helper with argv, for 'ns cmd'. Returns 1 when it could
 * not (reported: not installed, or the exec's error). */
int exec_helper(const char *prog, const char *cmd, char **argv);

/* Diagnostics: "ns: <message>" on stderr. */
_printf_(1, 2) void log_error(const char *fmt, ...);
_printf_(1, 2) void log_warning(const char *fmt, ...);

/* Print "Try 'ns <cmd> --help'." after a usage error and return 1. */
int usage_error(const char *cmd);
/* A command's wait status as ours: its exit status, or the signal that
 * killed it raised again (without a core of ns itself); 128+N when the
 * raise returns. enter and run pass their command's status this way. */
int exit_like(int wstatus);

/* strerror(), lowercased as ns' messages are ("no such file or
 * directory"), into buf. ERRSTR(err) gives it a buffer of its own. */
const char *errno_str(int err, char buf[static 128]);
#define ERRSTR(err) errno_str((err), (char[128]){ 0 })
/* What getopt_long() returned for a bad option (with opterr = 0 and a ':'
 * optstring), said in one form for every command; then usage_error(). */
int option_error(const char *cmd, int c, char *const *argv);

/*
 * Scan /proc, group and name instances (instances_load(), with flags for
 * load_instances_with()): what every command that takes an <id> starts
 * with. On failure, reports and returns NULL.
 */
Instances *load_instances(Scan **ret_scan);

/*
 * The host's root as a directory fd, the caller's (hostroot.h): the
 * NS_HOST_ROOT directory (--host-root sets it), else found; joins pid 1's
 * cgroup namespace when that root is another than ns' own. On failure,
 * reports and returns -1.
 */
int open_host_root(int proc_fd);
Instances *load_instances_with(InstancesLoadFlags flags, Scan **ret_scan);

/*
 * Resolve a user-given id, reporting unknown or ambiguous ids (with the
 * candidates) on stderr. Returns the index or -1.
 */
ssize_t resolve_or_report(const Instances *is, const char *id);

/* When id is a live PID whose namespaces we may not read: say so (after
 * prefix) and return true. Such a PID is in no instance we could see. */
bool report_closed_pid(const char *prefix, const char *id);

/* Load libsmartcols for ns ls and ns ps (see output.h). On failure,
 * reports and returns -1. */
int load_smartcols(Scols *ret);

/*
 * The lsns-style options of the commands that print a table (ls, ps),
 * parsed alike for each (table-opts.c): TABLE_OPTIONS go in the command's
 * getopt_long() table and TABLE_OPTSTRING in its optstring.
 */
typedef struct TableOpts {
        OutputOpts out;      /* -J, -r, -n; -T is the command's own */
        const char *columns; /* -o LIST, or NULL */
        bool all_columns;    /* --output-all */
        bool list_columns;   /* -H */
} TableOpts;

#define TABLE_OPT_OUTPUT_ALL 0x1000
#define TABLE_OPTSTRING "Jrno:H"
/* clang-format off */
#define TABLE_OPTIONS                                              \
        { "json", no_argument, NULL, 'J' },                        \
        { "raw", no_argument, NULL, 'r' },                         \
        { "noheadings", no_argument, NULL, 'n' },                  \
        { "output", required_argument, NULL, 'o' },                \
        { "output-all", no_argument, NULL, TABLE_OPT_OUTPUT_ALL }, \
        { "list-columns", no_argument, NULL, 'H' }
/* clang-format on */

/* Take one getopt_long() result: false when it is not a table option. */
bool table_opts_parse(TableOpts *t, int c, const char *arg);

/* -H: print the command's columns. Returns the exit status. */
int table_list_columns(const TableOpts *t, const ColumnSet *set);

/* The columns to show, from -o and --output-all; an unknown name is
 * reported ("Try 'ns ls --list-columns'.") and returns -1. */
int table_columns(const char *cmd, const TableOpts *t, const ColumnSet *set, int **ret_cols,
                  size_t *ret_n);

/* One instance as a line of an error message: ID, name, runtime, leader. */
void print_candidate(const Instances *is, size_t i);

/* After "no instance": what there is instead. */
void print_known_instances(const Instances *is);

/* Note on stderr how many processes could not be read. */
void report_unreadable(const Scan *s);

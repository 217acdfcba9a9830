/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Read a whole (proc or regular) file below dirfd into a NUL-terminated
 * malloc'd buffer. *ret_len excludes the terminator. max caps the size read
 * (0: no cap). Returns 0 or -errno.
 */
int read_file_at(int dirfd, const char *path, size_t max, char **ret, size_t *ret_len);

/* The same from an open fd, up to its end or max bytes (0: no limit):
 * the one read-it-all loop. */
int read_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* Read up to n-1 bytes of a small file into buf, NUL-terminated. Returns the length or -errno. */
ssize_t read_small_at(int dirfd, const char *path, char *buf, size_t n);

/*
 * A process that vanished mid-scan (ENOENT, ESRCH) or that we may not read
 * (EACCES, EPERM) is skipped, never an error: this is the one place that
 * says which errors mean that.
 */
static inline bool proc_error_is_skippable(int r)
{
        return r == -ENOENT || r == -ESRCH || r == -EACCES || r == -EPERM;
}

/* Parse a decimal pid; -EINVAL unless the whole string is a positive pid. */
int parse_pid(const char *s, pid_t *ret);

/* Whether s is a PID as a person writes one: decimal, no leading zero.
 * "007" is not PID 7 to ns enter: it may be an instance ID's prefix. */
bool is_canonical_pid(const char *s);

/* Whether one component of path is "..": "/a/..x" has none. */
bool path_has_dotdot(const char *path);

/*
 * openat() for a path of any length: one longer than PATH_MAX (a deep
 * cgroup, for one) is walked a piece at a time, each piece ending at a
 * '/'. Returns the fd, or -errno.
 */
int openat_long(int dirfd, const char *path, int flags);

/* Open the directory path below dirfd for readdir(). Returns 0, or -errno. */
int opendir_at(int dirfd, const char *path, DIR **ret);

/* Replace control characters (escape sequences, newlines) with '?', in
 * place: s goes to a terminal. Returns s. */
char *str_sanitize(char *s);

/* Turn a NUL-separated command line into a space-separated malloc'd string. */
char *cmdline_to_string(const char *buf, size_t len);

/* Format a size in bytes as "12.3M" into buf. */
const char *format_size(unsigned long long bytes, char *buf, size_t n);

/*
 * What a bad option was, said once for getopt_long() run with opterr = 0:
 * c is what it returned ('?' or ':'), opt its optopt, arg argv[optind - 1].
 * Returns a malloc'd "unknown option '--foo'", "option '-d' requires an
 * argument" or "option '--all' takes no argument".
 */
char *option_error_message(int c, int opt, const char *arg);

/* A function of a library loaded with dlopen(): its name, and where its
 * pointer goes in the caller's struct of function pointers. */
typedef struct DlSymbol {
        const char *name;
        size_t offset;
} DlSymbol;

/*
 * dlopen() a library and resolve all of syms at once into the struct at
 * ret. Returns 0, or -ELIBACC with dlerror()'s message in *ret_error (to
 * free). The library stays loaded until exit.
 */
int dlopen_symbols(const char *soname, const DlSymbol *syms, size_t n, void *ret, char **ret_error);

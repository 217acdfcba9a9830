/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Reads of /proc files that can block, with a deadline. A task in D state
 * can hold the locks that reading its cmdline, environ, maps, stack,
 * syscall or wchan takes (mmap_lock, exec_update_lock), and the reader
 * would then sleep as long as the task does. So these reads run in a
 * helper process that answers through a pipe; when it does not answer in
 * time it is killed (the locks are taken killably) and the next read gets
 * a new helper. The caller is never blocked past the deadline.
 */

#include <stddef.h>
#include <stdint.h>

typedef struct Reader Reader;

/*
 * A reader of files below the /proc at proc_fd (the fd stays the
 * caller's). Each read waits at most timeout_ms; all reads together
 * wait at most budget_ms for helpers that did not answer, after which
 * every further read is refused with -ECANCELED. No process is started
 * before the first read.
 */
int reader_new(int proc_fd, unsigned timeout_ms, unsigned budget_ms, Reader **ret);
Reader *reader_free(Reader *r);

/*
 * Read path (below the /proc fd) whole, up to max bytes, NUL-terminated.
 * Returns 0, the file's own -errno, -ETIMEDOUT when the helper did not
 * answer in time, or -ECANCELED when the budget is spent.
 */
int reader_read(Reader *r, const char *path, size_t max, char **ret, size_t *ret_len);

/*
 * A new budget for the reads to come (a caller that reads now and then,
 * for as long as it runs, gives each round its own), and the helpers
 * killed at a deadline that have exited since are reaped.
 */
void reader_set_budget(Reader *r, unsigned budget_ms);

/* How many reads timed out. */
size_t reader_timeouts(const Reader *r);

/* The time on CLOCK_MONOTONIC, in microseconds. */
uint64_t now_usec(void);

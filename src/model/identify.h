/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The I/O side of naming: reads the few files that tell which runtime made
 * an instance (the leader's cgroup, runtime state and metadata files) and
 * hands their text to the pure matchers of naming.c. The decision is in
 * identify.c, the runtimes' state and metadata files in identify-state.c,
 * what is particular to each runtime in the table of runtime.c. Reading is
 * relative to two directory fds so tests can point it at fixture trees.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "naming.h"
#include "nstype.h"

/* What identify needs to know of one instance, as plain data. */
typedef struct IdentifyInput {
        bool host;                   /* the host instance */
        pid_t leader;
        pid_t leader_ppid;           /* 0 when unknown */
        const char *leader_comm;     /* /proc/PID/comm of the leader, "" when unknown */
        const char *parent_comm;     /* comm of the leader's parent, "" when unknown */
        const char *cmdline;         /* leader's NUL-separated command line, may be NULL */
        size_t cmdline_len;
        const NsIno *ns;             /* [NS_TYPE_MAX], the instance's tuple */
        const NsIno *host_ns;        /* [NS_TYPE_MAX], the host's tuple */
} IdentifyInput;

typedef struct IdentifyContext IdentifyContext;

/*
 * proc_fd: a directory fd of /proc. root_fd: a directory fd of "/" under
 * which /run, /var/lib and the like are read. Both stay owned by the caller.
 * Per-scan caches (runc/crun state, /run/netns, firejail names) live in the
 * context and are read at most once, lazily.
 */
IdentifyContext *identify_context_new(int proc_fd, int root_fd);

/*
 * How a process's command line is read. /proc/PID/cmdline takes the
 * mmap_lock of the process's memory, which a task stuck in D state (a
 * page fault on a dead network file system, say) can hold for as long as
 * it is stuck, and a plain read would wait as long. A caller that must not
 * wait (ns top) gives a function that reads with a deadline; NULL reads
 * directly. read returns 0 with a malloc'd, NUL-terminated buffer and its
 * length, or -errno: -ETIMEDOUT when it gave up waiting.
 */
typedef struct CmdlineSource {
        int (*read)(void *userdata, pid_t pid, char **ret, size_t *ret_len);
        void *userdata;
} CmdlineSource;

/* Read pid's command line (up to 64 KiB) through src, or directly when src is NULL. */
int cmdline_source_read(const CmdlineSource *src, int proc_fd, pid_t pid, char **ret,
                        size_t *ret_len);

/* The command lines identify reads (of a leader's parent) come through src; the
 * context keeps the pointer, which must outlive it. */
void identify_context_set_cmdline_source(IdentifyContext *ctx, const CmdlineSource *src);
IdentifyContext *identify_context_free(IdentifyContext *ctx);

/*
 * Fill *ret for one instance, from the evidence in DESIGN.md's order (the
 * runtime table's): first match wins. Never fails: the fallback is the
 * leader's command.
 */
void identify_instance(IdentifyContext *ctx, const IdentifyInput *in, Identity *ret);

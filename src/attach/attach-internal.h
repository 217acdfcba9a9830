/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by attach.c (the parent's side: everything opened from the host,
 * setns, the fork and the wait), attach-child.c (what the child does before
 * its exec) and attach-parse.c (the pure parsers). Not part of the core's
 * interface. */

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "attach.h"
#include "cgroup.h"
#include "macro.h"

typedef struct AttachSeccomp AttachSeccomp; /* attach-seccomp.h */

struct Attach {
        const AttachOptions *opts;
        unsigned keep; /* opts->keep, and what --tools implies */
        pid_t pid;
        int pidfd;      /* -1 before Linux 5.3 */
        int proc_fd;    /* the host's /proc */
        int pid_dir_fd; /* the host's /proc/PID */
        int host_root_fd;
        int root_fd; /* the leader's root, O_PATH */
        int cwd_fd;  /* the leader's working directory, O_PATH */
        int mask;    /* CLONE_NEW* of the namespaces to join */

        ProcCreds target; /* as the host sees it */
        ProcCreds self;   /* ours, as the host sees it */
        bool groups_differ;
        /* The leader's ids as its own user namespace sees them. */
        uid_t want_uid[4];
        gid_t want_gid[4];
        gid_t *want_groups;
        size_t n_want_groups;

        char *environ;
        size_t environ_len;
        struct rlimit rlim[RLIM_NLIMITS];
        bool have_rlim[RLIM_NLIMITS];
        char *lsm_label;

        bool setgroups_denied; /* the leader's user namespace denies setgroups */
        bool tools_signalable; /* --tools: our uid is one of the instance's own */

        Cgroups cgroups;
        int *cg_fds;     /* cgroup.procs of each hierarchy to join */
        char **cg_paths; /* for the error messages */
        size_t n_cg;
        char *frozen;
        AttachSeccomp *seccomp; /* the leader's filters for the child, or NULL */
};

/* Between the parent and the child, over a SOCK_SEQPACKET pair. */
enum {
        MSG_ERROR,    /* child -> parent: an AttachError, then it exits */
        MSG_PTY,      /* child -> parent: the pty master (SCM_RIGHTS) */
        MSG_NEED_PTY, /* child -> parent: no usable devpts inside, give me a slave */
        MSG_SLAVE,    /* parent -> child: a pty slave from the host's devpts */
        MSG_TREE,     /* tools helper -> parent: the container's root as a detached mount */
        MSG_PID,      /* joiner -> parent: the command's pid */
};

typedef struct Msg {
        int type;
        pid_t pid; /* MSG_PID */
        AttachError err;
} Msg;

/* Returns 0, or -errno. fd, when >= 0, goes along (SCM_RIGHTS). */
int attach_msg_send(int sock, const Msg *m, int fd);
/* Returns 1 with a message, 0 at EOF, or -errno. *ret_fd is -1 when none came. */
int attach_msg_recv(int sock, Msg *m, int *ret_fd);

/* What the joiner and the command need, prepared by attach_spawn before
 * the fork. */
typedef struct Child {
        Attach *a;
        const AttachStdio *io;
        int sock;
        int tree_fd;     /* --tools */
        int host_dev_fd; /* the relay's /dev: the joiner closes it */
        int null_fd;     /* the host's /dev/null, over 0, 1, 2 from the start */
        int stdio_fd[3]; /* pipe mode: the command's stdio, kept above 2 */
        bool groups_set; /* the joiner gave us the leader's groups already */
} Child;

/* The child, after the fork and before the exec: never returns. */
_noreturn_ void attach_child_main(Child *c);

bool attach_same_groups(const gid_t *a, size_t na, const gid_t *b, size_t nb);

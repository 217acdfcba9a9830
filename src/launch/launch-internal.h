/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Shared by launch.c (the caller's side), launch-fs.c (the mount namespace)
 * and reaper.c (pid 1 and the payload). Not part of the core's interface. */

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "launch.h"
#include "macro.h"

/* What pid 1 tells ns run over the status pipe. Each is one write of less
 * than PIPE_BUF bytes, so it arrives whole. */
typedef enum LaunchMsgType {
        LAUNCH_MSG_ERROR,       /* set-up failed: error; pid 1 exits */
        LAUNCH_MSG_READY,       /* namespaces made: the network helper may join them */
        LAUNCH_MSG_EXEC_FAILED, /* the payload could not be executed: error */
        LAUNCH_MSG_EXIT,        /* the payload ended: status */
        LAUNCH_MSG_TYPE_MAX,
        LAUNCH_MSG_TYPE_INVALID = -1,
} LaunchMsgType;

typedef struct LaunchMsg {
        LaunchMsgType type;
        int status;
        LaunchError error;
} LaunchMsg;

/* Everything pid 1 needs, prepared by the caller before clone3. */
typedef struct LaunchChild {
        const LaunchConfig *c;
        int status_fd;    /* write end of the status pipe */
        int go_fd;        /* read end of the go pipe, or -1 when nothing to wait for */
        int parent_pidfd; /* ns run, to catch its death before PR_SET_PDEATHSIG is set */
        uid_t uid;        /* the caller's effective ids */
        gid_t gid;
        const char *cwd; /* the caller's working directory, or NULL */
        bool new_ns[NS_TYPE_MAX];
        /* The payload gets a user namespace of its own below pid 1's, with
         * copies of the mount namespace and of the others it may
         * administer: the mounts pid 1's namespace holds are then locked
         * (MNT_LOCK_READONLY, MNT_LOCKED), whatever the payload's
         * capabilities. See launch_start(). */
        bool nest;
        /* The ids are mapped from outside, by ns run through
         * newuidmap/newgidmap: pid 1 waits on go_fd until they are. */
        bool maps_outside;
        /* The host's root in the host's user namespace (--share=user, uid
         * 0, an identity uid_map): the seccomp filter that also refuses a
         * new user namespace (seccomp-default.h). */
        bool no_userns;
        sigset_t saved_mask; /* the caller's signal mask, restored in the payload */
} LaunchChild;

/* The signals ns run and pid 1 pass on to the payload. */
void launch_forward_sigset(sigset_t *ret);

/* Report a failure to ns run (best effort: the pipe may be gone). */
void launch_send(int fd, const LaunchMsg *m);
void launch_send_error(int fd, LaunchStage stage, int err, const char *path);

/* launch-fs.c: build the instance's file system view. Returns 0 or -errno
 * with *ret_err filled. Runs in pid 1, inside the new namespaces. */
int launch_fs_setup(const LaunchChild *ch, LaunchError *ret_err);

/* launch-overlay.c: mount the root of --image (c->lowerdirs under
 * overlayfs) at target, any existing directory (a layer's too: the layers
 * are held before target is covered). Returns 0 or -errno with *ret_err
 * filled. */
int launch_overlay_setup(const LaunchConfig *c, const char *target, LaunchError *ret_err);

/* ports.c: pasta's -t/-u/-T/-U arguments for the ports (NULL-terminated,
 * malloc'd: free with launch_strv_free). */
char **launch_pasta_port_args(const LaunchPort *p, size_t n);
void launch_strv_free(char **v);

/* ports.c: publish the ports through slirp4netns' API socket. -errno and
 * the index of the port that failed. */
int launch_slirp_add_ports(const char *socket_path, const LaunchPort *p, size_t n,
                           size_t *ret_index);

/* reaper.c: pid 1. Never returns. */
_noreturn_ void reaper_main(const LaunchChild *ch);


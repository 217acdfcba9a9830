/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ns run: start a fresh, stateless, rootless instance. The core of it: the
 * clone3 / mount / seccomp sequence, pid 1 (the reaper) and the wait. It
 * never prints; failures come back as a stage, an errno and a path, which
 * the command layer turns into a message.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nstype.h"
#include "steperror.h"

typedef enum LaunchMountType {
        LAUNCH_MOUNT_MAP,   /* --map SRC DST: read-only bind */
        LAUNCH_MOUNT_VOL,   /* --vol SRC DST: writable bind */
        LAUNCH_MOUNT_TMPFS, /* --tmpfs DST */
        LAUNCH_MOUNT_TYPE_MAX,
        LAUNCH_MOUNT_TYPE_INVALID = -1,
} LaunchMountType;

typedef struct LaunchMount {
        LaunchMountType type;
        const char *src; /* a host path; NULL for tmpfs */
        const char *dst; /* a path inside the instance */
} LaunchMount;

typedef enum LaunchNet {
        LAUNCH_NET_NONE,        /* a private network namespace, loopback only */
        LAUNCH_NET_HOST,        /* the host's network namespace */
        LAUNCH_NET_PASTA,       /* private, connected to the outside by pasta(1) */
        LAUNCH_NET_SLIRP4NETNS, /* private, connected by slirp4netns(1) */
        LAUNCH_NET_MAX,
        LAUNCH_NET_INVALID = -1,
} LaunchNet;

/* -p [IP:]HOSTPORT:PORT[/tcp|/udp]: published through pasta or slirp4netns. */
typedef struct LaunchPort {
        char host_addr[64]; /* "127.0.0.1" unless given */
        unsigned host_port, port;
        bool udp;
} LaunchPort;

typedef struct IdMap IdMap;

typedef struct LaunchConfig {
        char *const *argv;    /* the payload; argv[0] is looked up in $PATH inside */
        const char *rootfs;   /* NULL: the host's / */
        const char *workdir;  /* NULL: the current directory when it exists inside, else / */
        const char *name;     /* --name: shown by ns ls through pid 1's command line */
        const char *hostname; /* NULL: the name, else the host's */
        bool build;           /* the root is writable */
        bool root;            /* map the invoking user to 0 instead of to itself */
        unsigned share;       /* bit (1 << NsType): keep the caller's namespace */
        LaunchNet net;
        const LaunchMount *mounts;
        size_t n_mounts;
        uint64_t cap_keep; /* bit per capability the payload keeps (--cap-add) */
        int cgroup_fd;     /* a cgroup v2 directory to start in (CLONE_INTO_CGROUP), or -1 */
        const int *cgroup_procs_fds; /* cgroup v1: cgroup.procs files to write pid 1 into */
        size_t n_cgroup_procs_fds;

        /* --image: the root is these directories (lowest first) under
         * overlayfs with a tmpfs upper, or read-only with read_only; rootfs
         * is NULL then. */
        const char *const *lowerdirs;
        size_t n_lowerdirs;
        bool read_only;         /* --read-only: no writable upper */
        const char *image_ref;  /* shown by ns ls (IMAGE), NULL when none */
        char *const *envp;      /* the payload's environment; NULL: the caller's */
        bool set_ids;           /* run the payload as uid:gid (inside ids) */
        unsigned uid, gid;
        const IdMap *idmap;     /* NULL: the single-id map as without --image */
        bool time_ns;           /* --time: own time namespace, clocks from zero */
        const LaunchPort *ports;
        size_t n_ports;
} LaunchConfig;

/* Where a launch failed. The command layer names each in its message. */
typedef enum LaunchStage {
        LAUNCH_STAGE_NONE,
        LAUNCH_STAGE_CLONE,      /* clone3: the namespaces could not be made */
        LAUNCH_STAGE_USERNS_MAP, /* writing uid_map / gid_map / setgroups (path) */
        LAUNCH_STAGE_ROOT,       /* making the root read-only, or switching to --rootfs (path) */
        LAUNCH_STAGE_OVERLAY, /* the --image root under overlayfs (path: the kernel's words) */
        LAUNCH_STAGE_MOUNT, /* a mount of the instance's own: /proc, /dev, /tmp, a mask (path) */
        LAUNCH_STAGE_BIND_SOURCE, /* --map/--vol source (path) */
        LAUNCH_STAGE_BIND_TARGET, /* --map/--vol/--tmpfs target (path) */
        LAUNCH_STAGE_NETWORK,     /* loopback, or the pasta/slirp4netns helper (path) */
        LAUNCH_STAGE_PORT,        /* -p: the host side cannot be had (path: "ADDR:PORT/PROTO") */
        LAUNCH_STAGE_HOSTNAME,
        LAUNCH_STAGE_CGROUP,   /* joining the limits' cgroup */
        LAUNCH_STAGE_SECURITY, /* no_new_privs, capabilities, seccomp (path: which) */
        LAUNCH_STAGE_WORKDIR,  /* the working directory (path) */
        LAUNCH_STAGE_EXEC,     /* the payload itself (path: argv[0]) */
        LAUNCH_STAGE_INTERNAL, /* pid 1 lost track of the payload */
        LAUNCH_STAGE_MAX,
        LAUNCH_STAGE_INVALID = -1,
} LaunchStage;

/* step is a LaunchStage; detail is the path or helper concerned, "" when none */
typedef StepError LaunchError;

typedef struct Launch Launch;

/*
 * Start the instance: clone3 pid 1 into new namespaces and return once it
 * runs (it sets itself up and starts the payload on its own). The signals
 * that ns run forwards are blocked in the caller from here until
 * launch_wait() returns. On failure returns -errno and fills *ret_err.
 */
int launch_start(const LaunchConfig *c, Launch **ret, LaunchError *ret_err);

/*
 * Forward the signals sent to this process to the instance and wait for
 * the payload to end. Returns 0 and the payload's wait status (as from
 * waitpid) in *ret_status, or -errno and *ret_err when the set-up inside
 * failed (then the payload never ran). When the payload could not be
 * executed, the return is 0, *ret_status holds exit status 126 or 127 as a
 * shell would give, and ret_err->stage is LAUNCH_STAGE_EXEC.
 */
int launch_wait(Launch *l, int *ret_status, LaunchError *ret_err);

/*
 * Wait until pid 1 has exited, when launch_wait() returned before it had
 * (it returns as soon as the payload's status is known, while Linux tears
 * the instance down). Needed before removing the instance's cgroup.
 * *ret_status (may be NULL) gets pid 1's own wait status.
 */
void launch_reap(Launch *l, int *ret_status);

/* pid 1's host pid. */
pid_t launch_pid(const Launch *l);

Launch *launch_free(Launch *l);

/* Why unprivileged user namespaces are refused here, from /proc/sys. */
typedef enum UsernsBlock {
        USERNS_BLOCK_UNKNOWN,
        USERNS_BLOCK_MAX_ZERO,      /* user.max_user_namespaces = 0 */
        USERNS_BLOCK_MAX_REACHED,   /* user.max_user_namespaces reached */
        USERNS_BLOCK_DEBIAN_SYSCTL, /* kernel.unprivileged_userns_clone = 0 */
        USERNS_BLOCK_APPARMOR,      /* kernel.apparmor_restrict_unprivileged_userns = 1 */
        USERNS_BLOCK_DEPTH,         /* 32 nested user namespaces */
        USERNS_BLOCK_MAX,
        USERNS_BLOCK_INVALID = -1,
} UsernsBlock;

/*
 * Given clone3's errno, tell which setting refused the user namespace,
 * reading the sysctls below proc_sys_fd (an fd of /proc/sys, or of a
 * fixture tree). *ret_value is the value read (the limit for the
 * max_user_namespaces cases).
 */
UsernsBlock launch_userns_block(int proc_sys_fd, int err, long *ret_value);

/* "map", "vol", "tmpfs". */
const char *launch_mount_type_to_string(LaunchMountType t);

/* "none", "host", "pasta", "slirp4netns". */
LaunchNet launch_net_from_string(const char *s);
const char *launch_net_to_string(LaunchNet n);

/*
 * -p [IP:]HOSTPORT:PORT[/tcp|/udp] ("[IPv6]:HOSTPORT:PORT" with brackets):
 * 0, or -EINVAL. The host address is 127.0.0.1 unless given.
 */
int launch_port_parse(const char *spec, LaunchPort *ret);

/* "127.0.0.1:8080/tcp", "[::1]:53/udp". Returns buf. */
const char *launch_port_to_string(const LaunchPort *p, char *buf, size_t size);

/*
 * Whether the host side of every port can be bound now, as the network
 * helper will bind it: 0, or -errno (EADDRINUSE: taken; EACCES: below
 * 1024 for a user) and the index of the first that cannot in *ret_index.
 */
int launch_ports_probe(const LaunchPort *p, size_t n, size_t *ret_index);

/* The helper program a network mode needs ("pasta", "slirp4netns"), or NULL. */
const char *launch_net_helper(LaunchNet n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * What identify.c (the decision), identify-state.c (the runtimes' state
 * and metadata files) and runtime.c (the table's hooks) share. Not for
 * use outside src/model/.
 */

#include <stdbool.h>
#include <sys/types.h>

#include "identify.h"
#include "naming.h"

/* Caps on what is read: a file larger than these is not a metadata file we know. */
#define CGROUP_FILE_MAX (64U * 1024U)
#define METADATA_FILE_MAX (4U * 1024U * 1024U)
#define CONTAINERS_JSON_MAX (64U * 1024U * 1024U)

#define CONTAINERD_TASK_DIR "run/containerd/io.containerd.runtime.v2.task"

/* A runc or crun container's init, from its state file. */
typedef struct PidEntry {
        pid_t pid;
        unsigned long long start; /* 0: unknown */
        Runtime runtime;
        char *id;
} PidEntry;

typedef struct NetnsEntry {
        NsIno ino;
        char *name;
} NetnsEntry;

struct IdentifyContext {
        int proc_fd;
        int root_fd;
        char *hostname;        /* the host's: ours, or pid 1's when ns has a UTS namespace of its own */
        bool host_name_known;  /* hostname decided (identify.c) */
        bool privileged; /* euid 0: may enter UTS namespaces to read their hostname */
        int self_uts_fd; /* opened on first use */

        /* Read once per context, on first need. */
        bool runc_loaded;
        PidEntry *runc;
        size_t n_runc;
        bool netns_loaded;
        NetnsEntry *netns;
        size_t n_netns;
        bool task_ns_loaded;
        char **task_ns;
        size_t n_task_ns;
        bool podman_loaded;
        NamingPair *podman;
        size_t n_podman;
};

/* What the evidence says so far; identify_instance() makes it an Identity. */
struct Found {
        Runtime runtime;
        char *id;
        char *name;
        char *k8s_ns; /* the pod's Kubernetes namespace, or NULL */
};

void found_done(Found *f);

/* --- identify-state.c: reading --- */

/* /proc/PID/<file>, at most max bytes. */
int identify_read_proc(IdentifyContext *ctx, pid_t pid, const char *file, size_t max, char **ret);

/*
 * The name in a metadata file at path below root_fd. Returns 1 when the
 * file exists (*ret_name replaced when it held a name), 0 when it does not.
 */
int identify_metadata_name(IdentifyContext *ctx, const char *path,
                           int (*parse)(const char *, char **), char **ret_name);

/* --- identify-state.c: runtime state, each read at most once per context --- */

/* The runc or crun container whose init is pid (verified by its start time), or NULL. */
const PidEntry *state_runc_lookup(IdentifyContext *ctx, pid_t pid);

/* The "ip netns" name of a network namespace, or NULL. */
const char *state_netns_lookup(IdentifyContext *ctx, NsIno ino);

/* Whether containerd has a task namespace of that name ("k8s.io", "moby", "default"). */
bool state_task_ns_exists(IdentifyContext *ctx, const char *ns);

/* --- identify-state.c: each runtime's metadata, by id; 1 when it has some for the id --- */

int state_docker_name(IdentifyContext *ctx, const char *id, char **ret_name);
/*
 * CRI-O's and containerd's config.json for f->id: the name ("pod/container"
 * for Kubernetes) into f->name when it has one, and the pod's namespace.
 */
int state_crio_name(IdentifyContext *ctx, Found *f);
int state_containerd_name(IdentifyContext *ctx, Found *f);
/* The same for the config.json at path; 1 when it exists. */
int identify_metadata_kube(IdentifyContext *ctx, const char *path, Found *f);
/* conmon's command line, else containers.json. */
void state_podman_name(IdentifyContext *ctx, const IdentifyInput *in, const char *id,
                       char **ret_name);
/* /run/systemd/machines/<name>: machined's own spelling of *name. */
void state_nspawn_name(IdentifyContext *ctx, char **name);
bool state_flatpak_name(IdentifyContext *ctx, pid_t leader, char **ret_name);
bool state_firejail_name(IdentifyContext *ctx, pid_t pid, char **ret_name);

/* --- identify.c: the process tree --- */

/* Whether the leader's (parent false) or its parent's (parent true) comm is comm. */
bool identify_comm_is(const IdentifyInput *in, bool parent, const char *comm);

/*
 * Whether the leader has its cgroup from its parent (a process nested in a
 * container, not the container itself). m: what the leader's cgroup
 * matched, or NULL.
 */
bool identify_cgroup_inherited(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                               const CgroupMatch *m);

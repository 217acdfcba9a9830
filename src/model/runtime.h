/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The runtimes that make instances, as one table indexed by Runtime: for
 * each, its name, how its cgroup paths look and how its state files and
 * processes give its name and id. Adding a runtime is one entry in
 * runtime.c (and, when its files need reading, a hook next to it) plus the
 * fixtures that show it, and its line in ns-ls(1), which test-cli.sh holds
 * to the table. The shell completions ask ns ls --list-runtimes.
 *
 * The order of the enum is DESIGN.md's "Naming" order, and identify walks
 * the table in it: first match wins. RUNTIME_UNKNOWN and RUNTIME_HOST come
 * first because they are what is left and what is certain.
 */

#include <stdbool.h>
#include <stddef.h>

typedef enum Runtime {
        RUNTIME_UNKNOWN,        /* no evidence: shown as "-" */
        RUNTIME_HOST,           /* the host instance itself */
        RUNTIME_PODMAN,
        RUNTIME_DOCKER,
        RUNTIME_CONTAINERD,
        RUNTIME_KUBERNETES,     /* kubepods path, runtime not encoded */
        RUNTIME_CRIO,
        RUNTIME_LXC,
        RUNTIME_NSPAWN,
        RUNTIME_RUNC,
        RUNTIME_CRUN,
        RUNTIME_FLATPAK,
        RUNTIME_SNAP,
        RUNTIME_FIREJAIL,
        RUNTIME_BWRAP,
        RUNTIME_NS,             /* ns run */
        RUNTIME_UNSHARE,
        RUNTIME_NETNS,          /* ip netns exec */
        RUNTIME_GARDEN,
        RUNTIME_KERNEL,         /* a kernel thread with namespaces of its own (kdevtmpfs) */
        RUNTIME_MAX,
        RUNTIME_INVALID = -1,
} Runtime;

/* Which runtime made an instance and what it calls it. */
typedef struct Identity {
        Runtime runtime;
        char *name;       /* malloc'd; never NULL after identify_instance() */
        char *runtime_id; /* malloc'd; the runtime's own container id, or NULL */
        char *image;      /* malloc'd; the image it runs (ns run --image), or NULL */
        char *k8s_namespace; /* malloc'd; a pod's Kubernetes namespace, or NULL */
} Identity;

void identity_done(Identity *id);

/* --- cgroup paths --- */

typedef struct CgroupMatch CgroupMatch;

/*
 * Where in a cgroup path a rule looks. The kinds are tried in this order,
 * each over the whole table, for one path component at a time from the
 * innermost: first what the component itself says, then what its place
 * says, then a bare id.
 */
typedef enum CgroupWhere {
        CGROUP_END,       /* ends a runtime's rules */
        CGROUP_PREFIX,    /* the component is "<text><value>" (".scope" dropped from an id) */
        CGROUP_COLON,     /* "<slice>:<text>:<id>": a systemd path given to a cgroupfs runc */
        CGROUP_UNIT,      /* a unit name that .parse reads (machine-, app-flatpak-, snap.) */
        CGROUP_BELOW,     /* the component right below one named <text> */
        CGROUP_SECOND,    /* the second component, below a first named <text> */
        CGROUP_IN_ROOT,   /* two or more levels below a first component named <text> */
        CGROUP_IN,        /* anywhere below a component containing <text>: runtime unsure */
        CGROUP_ANY,       /* any component: an id, nothing else known */
} CgroupWhere;

/* What the matched part is, and where it goes in the CgroupMatch. */
typedef enum CgroupValue {
        CGROUP_ID_HEX64,   /* 64 hex digits, the id (Docker, podman, CRI-O, containerd) */
        CGROUP_ID_FARGATE, /* "<32 hex>-<decimal>", the id */
        CGROUP_ID_PLAIN,   /* any plain string, the id */
        CGROUP_NAME,       /* any plain string, the name */
} CgroupValue;

typedef struct CgroupRule {
        CgroupWhere where;
        const char *text;
        CgroupValue value;
        bool monitor;      /* a monitor (conmon, lxc monitor), not the payload */
        /* CGROUP_UNIT: the component and the one below it (NULL, 0 when none). */
        bool (*parse)(const char *c, size_t n, const char *child, size_t child_n,
                      CgroupMatch *ret);
} CgroupRule;

/* --- identification hooks (identify-internal.h has the types) --- */

typedef struct IdentifyContext IdentifyContext;
typedef struct IdentifyInput IdentifyInput;
typedef struct Found Found;

typedef struct RuntimeInfo {
        const char *name;          /* shown, and what --runtime takes */
        const char *help;          /* what it is, for ns ls --list-runtimes and completions */
        const CgroupRule *cgroup;  /* NULL, or rules ended by CGROUP_END */
        /*
         * After the cgroup named this runtime: read its own files for the
         * name (and id). Returns 1 when it has metadata for f->id, else 0.
         */
        int (*complete)(IdentifyContext *ctx, const IdentifyInput *in, Found *f);
        /*
         * For an instance whose cgroup names no runtime: its state files or
         * the process tree. Fills *f and returns true on a match.
         */
        bool (*match)(IdentifyContext *ctx, const IdentifyInput *in, const char *cgroup,
                      Found *f);
} RuntimeInfo;

extern const RuntimeInfo runtime_table[RUNTIME_MAX];

/* "docker", "podman", "containerd", "cri-o", "kubernetes", "lxc", "nspawn",
 * "runc", "crun", "flatpak", "snap", "firejail", "bwrap", "ns", "unshare",
 * "netns", "garden", "kernel", "host"; RUNTIME_UNKNOWN is "-". */
const char *runtime_to_string(Runtime r);
Runtime runtime_from_string(const char *s);

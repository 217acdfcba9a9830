/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "nstype.h"
#include "runtime.h"
#include "scan.h"

/*
 * Grouping: the scanned processes by namespace tuple, as instances with a
 * leader and an ID (group.c). Nesting is added by nest.h, names by
 * instances.h, which also loads the whole (scan, group, nest, name).
 */

/* How one namespace of an instance relates to the rest of the host. */
typedef enum NsShare {
        NS_SHARE_UNKNOWN,
        NS_SHARE_HOST,    /* the host's own */
        NS_SHARE_PRIVATE, /* this instance's alone */
        NS_SHARE_OTHER,   /* shared with another, non-host instance */
        NS_SHARE_MAX,
        NS_SHARE_INVALID = -1,
} NsShare;

#define INSTANCE_ID_LEN 12

typedef struct Instance {
        char id[INSTANCE_ID_LEN + 1];
        NsIno ns[NS_TYPE_MAX];
        NsShare share[NS_TYPE_MAX];
        bool host;
        size_t first_member;  /* into Instances.members */
        size_t n_members;
        size_t n_zombies;     /* of the members, zombies (Proc.zombie): NPROCS leaves them out */
        size_t leader;        /* index into scan->procs */
        ssize_t parent;       /* index into Instances.items, -1 for a root; see instances_find_parents() */
        bool identified;
        bool reused;          /* its identity came from a previous load (instances_load_with()) */
        Identity ident;       /* runtime and name, after instances_identify() (instances.h) */
        char *command;        /* leader's command line, after instances_identify() */
        uid_t uid;            /* leader's owner, after instances_identify() */
} Instance;

typedef struct Instances {
        Scan *scan;           /* not owned */
        Instance *items;
        size_t n;
        size_t *members;      /* indices into scan->procs, grouped by instance, by pid */
        ssize_t host;         /* the host instance, -1 when no process has its tuple */
        bool have_parents;
} Instances;

/* The instance ID: a digest of the tuple, as 12 hex digits. */
void instance_id_from_tuple(const NsIno ns[NS_TYPE_MAX], char ret[INSTANCE_ID_LEN + 1]);

/*
 * Group the scanned processes by tuple; find leaders and sharing. Nesting
 * (parent) is left at -1 and the identities empty. Sets each Proc's
 * instance.
 */
Instances *instances_build(Scan *scan);
/* Frees what later stages added too (identities, commands). */
Instances *instances_free(Instances *is);

static inline const Proc *instance_leader(const Instances *is, const Instance *in)
{
        return &is->scan->procs[in->leader];
}

static inline const Proc *instance_member(const Instances *is, const Instance *in, size_t k)
{
        return &is->scan->procs[is->members[in->first_member + k]];
}

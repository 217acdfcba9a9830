/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

/*
 * The one namespace table. The order is the one setns needs when joining
 * one namespace at a time: user first (it grants the capabilities for the
 * rest), mnt last but one so the others are still reachable through /proc,
 * as nsenter does. Nothing else in the tree spells "mnt" or CLONE_NEWNS.
 */
typedef enum NsType {
        NS_USER,
        NS_CGROUP,
        NS_IPC,
        NS_UTS,
        NS_NET,
        NS_PID,
        NS_TIME,
        NS_MNT,
        NS_TYPE_MAX,
        NS_TYPE_INVALID = -1,
} NsType;

typedef struct NsInfo {
        const char *name;  /* the /proc/PID/ns/<name> link and the column name */
        const char *proc;  /* "ns/<name>", relative to /proc/PID */
        int clone_flag;    /* CLONE_NEW* */
        char letter;       /* unshare(1)'s option letter, used in the compact NS column */
} NsInfo;

extern const NsInfo ns_info[NS_TYPE_MAX];

/* The display order of ns ls: user mnt pid net uts ipc cgroup time. */
extern const NsType ns_display_order[NS_TYPE_MAX];

/* An inode number of a namespace; 0 when unknown (unreadable or absent). */
typedef uint64_t NsIno;

NsType ns_type_from_string(const char *s);

/* Parse a readlink() result such as "net:[4026531840]". */
int ns_parse_link(const char *s, size_t n, NsIno *ret);

/*
 * The one reader of namespace links: readlinkat(dirfd, PREFIX "ns/TYPE")
 * and its inode number. prefix is "" for a /proc/PID dirfd, "self/",
 * "thread-self/" or "1234/" for a /proc dirfd. Returns 0, -errno (ENOENT:
 * gone, a zombie, or a type this kernel lacks), or -EIO when the link is
 * not one.
 */
int ns_read_link(int dirfd, const char *prefix, NsType t, NsIno *ret);

/* Open that link (for setns), O_CLOEXEC. Returns the fd or -errno. */
int ns_open_link(int dirfd, const char *prefix, NsType t);

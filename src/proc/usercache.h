/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Host user names by uid, for the USER columns of ns ls and ns top.
 * getpwuid() reads the host's passwd database anew on every call, and a
 * table asks for the same few owners again and again: the answers are
 * remembered. Through NSS, so for ns' own (host) view only: a container's
 * users are read from its files by passwd.h, never through NSS. ns in a
 * container that reads the host through another root (hostroot.h) takes
 * the names from that root's etc/passwd instead: user_cache_set_root().
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

typedef struct UserCache {
        uid_t *uids;
        char **names;
        size_t n;
        bool from_root;    /* names from root_fd's etc/passwd, not NSS */
        int root_fd;       /* borrowed */
        bool loaded;       /* passwd read (or failed to be) */
        char *passwd;      /* its content, NULL when unreadable */
} UserCache;

/*
 * Take names from etc/passwd below root_fd (borrowed: it must outlive the
 * cache's use) instead of NSS. An empty cache ({}) asks NSS.
 */
void user_cache_set_root(UserCache *c, int root_fd);

/*
 * The name of uid: the passwd entry's, its number when there is none, "?"
 * for (uid_t)-1 (an owner not known). Owned by the cache, valid until
 * user_cache_done().
 */
const char *user_cache_name(UserCache *c, uid_t uid);

void user_cache_done(UserCache *c);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Users and groups of a container, from the text of its own etc/passwd and
 * etc/group. Never getpwnam() or NSS: inside a container they would load
 * the container's own, untrusted, libraries into a privileged process.
 */

#include <stddef.h>
#include <sys/types.h>

typedef struct PasswdEntry {
        char *name;
        uid_t uid;
        gid_t gid;
        char *home;  /* "" when the entry has none */
        char *shell; /* "" when the entry has none */
} PasswdEntry;

/*
 * Find a user in the content of a passwd file: by name when name is not
 * NULL, else by uid. Returns 0, or -ENOENT.
 */
int passwd_find(const char *content, const char *name, uid_t uid, PasswdEntry *ret);
void passwd_entry_done(PasswdEntry *e);

/* The gid of a group by name, in the content of a group file. 0 or -ENOENT. */
int group_find_gid(const char *content, const char *name, gid_t *ret);

/*
 * The supplementary groups of a user as initgroups() would make them: the
 * primary group, then every group of the file that lists the user as a
 * member. content may be NULL (no etc/group). *ret is malloc'd.
 */
void group_list_for_user(const char *content, const char *user, gid_t primary, gid_t **ret,
                         size_t *ret_n);

/*
 * Read a small regular file below root_fd ("etc/passwd") as the
 * container's root sees it: absolute symlinks and ".." stay inside root_fd
 * and magic links (/proc/self/fd/N) are refused (openat2, Linux 5.6), so a
 * link planted in the container cannot point us at a host file. Refuses
 * anything that is not a regular file, such as a FIFO that would block.
 */
int passwd_read_file(int root_fd, const char *path, char **ret);

/*
 * Split a user spec as docker exec -u takes it: "name", "uid", "name:group",
 * "uid:gid". *ret_group is NULL when there is no group part.
 */
int user_spec_split(const char *spec, char **ret_user, char **ret_group);

/* Parse a decimal uid or gid (up to 2^32-2); -EINVAL unless the whole string is one. */
int parse_id(const char *s, unsigned *ret);

/* The largest etc/passwd or etc/group that passwd_read_file() reads. */
#define PASSWD_FILE_MAX (16 * 1024 * 1024)

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "group.h"

/*
 * Resolve a user-given id: an instance ID or a unique prefix of it, a NAME,
 * the runtime's own id or a unique prefix of it, or a member's host PID.
 * Returns the instance index, -ENOENT when nothing matches, -ENOTUNIQ when
 * several do; then *ret_candidates (malloc'd, when not NULL)
 * lists them.
 */
ssize_t instances_resolve(const Instances *is, const char *id, size_t **ret_candidates,
                          size_t *ret_n_candidates);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Running work on the store's layers as their owner (userns.c): in a child
 * in a new user namespace with the caller's map, as its root; for root, in
 * a plain child (the image's ids are the host's).
 */

#include <dirent.h>
#include <fcntl.h>
#include <stddef.h>

#include "idmap.h"

/* The map layers are unpacked with: empty (n_uid 0) for root, else
 * idmap_plan() for the caller (its subordinate range, or its own id). */
int userns_plan(IdMap *ret);

/* fn(arg, out) in the child; out (out_size bytes) is copied back. Returns
 * fn's result, or -errno when the namespace could not be made. */
int userns_run(const IdMap *m, int (*fn)(void *arg, void *out), void *arg, void *out,
               size_t out_size);

/* Remove names (below the directory dfd) and all under them, as the layers' owner. */
int userns_rm_rf(const IdMap *m, int dfd, const char *const *names, size_t n);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Unpacking a layer blob of the store into layers/sha256/<hex>/ (unpack.c):
 * whiteouts and opaque directories in overlayfs' form, ownership through
 * the caller's id map, device nodes skipped, paths that leave the layer
 * refused. Shared by import and pull.
 */

#include <stdint.h>

#include "idmap.h"
#include "store-write.h"

typedef struct UnpackResult {
        uint64_t size;            /* bytes of files and links */
        unsigned devices_skipped; /* device nodes and sockets left out */
        unsigned setid_dropped;   /* setuid/setgid bits not kept */
        unsigned unmapped;        /* entries whose owner the map has not: the caller's */
        char detail[256];         /* the entry (or archive error) a failure is about */
} UnpackResult;

/*
 * Unpack the blob digest (in blobs/) with map m (userns_plan()) in tmp/,
 * rename it into layers/, then remove the blob. 0 when the layer is there
 * already (a concurrent import's). -EXDEV for an entry that leaves the
 * layer (a "..", an absolute path, a write through a symlink, a hard link
 * out), -EBADMSG for a broken archive; ret_res->detail names the entry.
 * Nothing is left in tmp/ on failure.
 */
int store_unpack_layer(Store *s, const IdMap *m, const char *digest, UnpackResult *ret_res);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The store's images (refs/) listed, and what none of them uses removed
 * (gc.c): ns images ls, rm and prune.
 */

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "image.h"
#include "store-write.h"

typedef struct StoreEntry {
        char *file;    /* the name below refs/ */
        char *key;     /* image_ref_key() */
        char *display; /* the reference, or the archive's path */
        char digest[IMAGE_DIGEST_SIZE];
        char config[IMAGE_DIGEST_SIZE];
        char **layers; /* NULL when the manifest is missing or broken */
        size_t n_layers;
        uint64_t *layer_sizes;
        uint64_t size; /* the layers' bytes, unpacked */
} StoreEntry;

int store_list(Store *s, StoreEntry **ret, size_t *ret_n);
void store_entries_free(StoreEntry *e, size_t n);

/* The path of a "path:" key, or the key itself (malloc'd). */
char *store_key_display(const char *key);

/* The lock that keeps removals and imports apart: an import holds it
 * shared throughout, rm and prune exclusively. Returns the fd to close. */
int store_import_lock(Store *s, bool exclusive);

typedef struct GcResult {
        unsigned refs, layers, blobs, tmp;
        uint64_t bytes; /* of the layers removed */
} GcResult;

/* Remove the layers and blobs no ref uses (the store's lock must be held
 * exclusively); with prune also the refs of archives rewritten or gone
 * since their import, and what interrupted imports left in tmp/. */
int store_gc(Store *s, const IdMap *m, bool prune, GcResult *ret);

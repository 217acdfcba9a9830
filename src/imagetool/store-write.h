/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Filling the image store (layout in src/image/image.h): the ns-image
 * program's side. Every blob is verified against its digest while it is
 * written, into tmp/, and renamed into blobs/ only when whole and right:
 * an interrupted or corrupted transfer leaves nothing a later run would use.
 * Writers hold the store's lock exclusively around a rename into place and
 * around removals; concurrent pulls of one image each write their own tmp
 * file and the second rename finds the blob already there.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "steperror.h"

typedef struct Store {
        int dir_fd; /* the store's root */
        char *path;
        int lock_fd;
} Store;

/* Open (creating, mode 0700) the store at path. */
int store_open(const char *path, Store *ret);
void store_close(Store *s);

/* The store's lock, exclusively (a rename into place, a removal). */
int store_lock(Store *s);
void store_unlock(Store *s);

/* Is blob "sha256:<hex>" present (verified when it was written)? */
bool store_has_blob(Store *s, const char *digest);
/* Is the layer of blob digest unpacked, whole? */
bool store_has_layer(Store *s, const char *digest);
/* "blobs/sha256/<hex>" (malloc'd), relative to the store. */
char *store_blob_path(const char *digest);

/* Read a (small: manifest, config, index) blob whole. */
int store_read_blob(Store *s, const char *digest, size_t max, char **ret, size_t *ret_len);

typedef struct BlobWriter BlobWriter;

/* Start writing blob digest ("sha256:<hex>"; -EINVAL for another algorithm
 * or a malformed one). expected_size: -1 when unknown. */
int store_blob_begin(Store *s, const char *digest, int64_t expected_size, BlobWriter **ret);
int store_blob_write(BlobWriter *w, const void *buf, size_t n);
/* Bytes written so far. */
uint64_t store_blob_written(const BlobWriter *w);
/* Check the digest (and size), then rename into place: -EBADMSG on a
 * digest mismatch (the data is thrown away), -EMSGSIZE on a size mismatch.
 * Frees w whatever it returns: never abort a writer after committing it. */
int store_blob_commit(BlobWriter *w);
/* The checks of store_blob_commit() without the rename: the blob stays
 * aside (and the writer open) until committed or aborted, so that a
 * caller can verify every blob of an image before it puts any in place.
 * -EBADMSG, -EMSGSIZE; the writer is still to be aborted then. */
int store_blob_verify(BlobWriter *w);
/* Throw away what was written. Also frees. NULL is fine. */
void store_blob_abort(BlobWriter *w);

/* Point refs/<key> (image_ref_key()) at manifest digest, atomically. */
int store_set_ref(Store *s, const char *key, const char *manifest_digest);

/* "sha256:<hex>" of buf (for manifests fetched whole). */
int store_digest_of(const void *buf, size_t n, char ret[72]);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `ns-image import PATH` (import.c): a docker-save archive or an OCI image
 * layout, a directory or a tar of one, into the store.
 */

#include "idmap.h"
#include "image.h"
#include "steperror.h"
#include "store-write.h"

typedef enum ImportStep {
        IMPORT_STEP_SOURCE, /* PATH cannot be read (detail: path) */
        IMPORT_STEP_FORMAT, /* neither format, or a document in it is malformed (detail: member) */
        IMPORT_STEP_DIGEST, /* a blob is not what its digest says (detail: digest) */
        IMPORT_STEP_SIZE,   /* a blob is not the size its descriptor says (detail: digest) */
        IMPORT_STEP_STORE,  /* writing the store (detail: path or digest) */
        IMPORT_STEP_UNPACK, /* a layer cannot be unpacked (detail: "layer D: entry") */
        IMPORT_STEP_UNSAFE, /* a layer's entry leaves the layer (detail: "layer D: entry") */
        IMPORT_STEP_MAX,
        IMPORT_STEP_INVALID = -1,
} ImportStep;

typedef struct ImportResult {
        char manifest_digest[IMAGE_DIGEST_SIZE];
        unsigned devices_skipped, setid_dropped, unmapped; /* summed over the layers */
        unsigned images; /* in a docker-save archive, of which the first is imported */
} ImportResult;

/* Import path with id map m (userns_plan()); refs/ names it last. */
int image_import(Store *s, const char *path, const IdMap *m, ImportResult *ret_res,
                 StepError *ret_err);

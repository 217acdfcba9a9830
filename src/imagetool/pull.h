/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * `ns-image pull REF`: an image from a registry into the store. The
 * manifest (through an index, for the host's platform), the config and
 * every layer are fetched and verified, the layers unpacked as an import
 * unpacks them, and refs/ pointed at the manifest last, so a pull that
 * fails or is interrupted leaves nothing a run would use.
 */

#include <stdbool.h>
#include <stdio.h>

#include "idmap.h"
#include "image.h"
#include "registry.h"
#include "steperror.h"
#include "store-write.h"

typedef struct PullOptions {
        bool insecure;        /* --insecure-registry */
        const char *platform; /* "os/arch[/variant]"; NULL for the host's */
        const IdMap *map;     /* userns_plan(): the map the layers are unpacked with */
        FILE *progress;       /* drawn there when it is a terminal; NULL for none */
} PullOptions;

typedef struct PullResult {
        char manifest_digest[IMAGE_DIGEST_SIZE];
        unsigned devices_skipped, setid_dropped, unmapped; /* summed over the layers unpacked */
} PullResult;

/* Pull ref into s. Returns 0 and what was pulled, or -errno with a
 * RegistryStep in ret_err. The caller holds store_import_lock() shared. */
int image_pull(Store *s, const char *ref, const PullOptions *o, PullResult *ret,
               StepError *ret_err);

/* "cannot pull 'REF': manifest unknown", without the "ns: " (malloc'd). */
char *pull_error_message(const char *ref, const StepError *e);

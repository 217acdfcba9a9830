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

#include "registry.h"
#include "steperror.h"
#include "store-write.h"

typedef struct PullOptions {
        bool insecure;        /* --insecure-registry */
        const char *platform; /* "os/arch[/variant]"; NULL for the host's */
        FILE *progress;       /* drawn there when it is a terminal; NULL for none */
} PullOptions;

/* Pull ref into s. Returns 0 and the manifest digest (malloc'd), or -errno
 * with a RegistryStep in ret_err. */
int image_pull(Store *s, const char *ref, const PullOptions *o, char **ret_digest,
               StepError *ret_err);

/* "cannot pull 'REF': manifest unknown", without the "ns: " (malloc'd). */
char *pull_error_message(const char *ref, const StepError *e);

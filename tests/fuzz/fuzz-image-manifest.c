/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An image manifest (from a registry or an OCI layout) through
 * image_manifest_parse() (src/image/config.c): its digests become paths
 * below the store, so each one must be a well-formed sha256 digest.
 */
#include <string.h>

#include "fuzz.h"
#include "image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *json = fuzz_bytes(data, size);
        ImageManifest m = {};
        int r;

        r = image_manifest_parse(json, size, &m);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EMEDIUMTYPE || r == -ERANGE);
        if (r < 0)
                return 0;
        FUZZ_CHECK(image_digest_valid(m.config_digest));
        FUZZ_CHECK(m.n_layers > 0 && m.n_layers <= IMAGE_LAYERS_MAX);
        for (size_t i = 0; i < m.n_layers; i++)
                FUZZ_CHECK(image_digest_valid(m.layers[i]));
        FUZZ_CHECK(m.layers[m.n_layers] == NULL);
        image_manifest_done(&m);
        return 0;
}

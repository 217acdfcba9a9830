/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * podman's containers.json (storage's list of containers) through
 * naming_podman_containers_all(), as identify.c reads it once per scan, and
 * naming_podman_containers() for one id (src/model/naming-meta.c).
 */
#include "fuzz.h"
#include "naming.h"

static const char id[] = "9b7c4f4d2f0b1e3a5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *json = fuzz_text(data, size);
        NamingPair *pairs = NULL;
        char *name = NULL;
        size_t n = 0;
        int r;

        if (naming_podman_containers_all(json, &pairs, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        FUZZ_CHECK(pairs[i].id && pairs[i].name && pairs[i].name[0] != '\0');
                pairs = naming_pairs_free(pairs, n);
        }
        r = naming_podman_containers(json, id, &name);
        FUZZ_CHECK(r == -EINVAL || r == 0 || r == 1);
        if (r > 0)
                free(name);
        return 0;
}

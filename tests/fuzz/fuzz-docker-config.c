/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Docker's /var/lib/docker/containers/<id>/config.v2.json through
 * naming_docker_config() (src/model/naming-meta.c): the container's name.
 * Much of the file (labels, env, the image's config) comes from whoever
 * made the container.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *json = fuzz_text(data, size);
        char *name = NULL;
        int r;

        r = naming_docker_config(json, &name);
        FUZZ_CHECK(r == -EINVAL || r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name[0] != '\0');
                free(name);
        }
        return 0;
}

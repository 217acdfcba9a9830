/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An OCI bundle's config.json (containerd task, CRI-O userdata) through
 * naming_oci_kube() (src/model/naming-meta.c): the Kubernetes container
 * or pod name and the pod's namespace from its annotations, which the
 * pod's spec sets.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *json = fuzz_text(data, size);
        char *name = NULL, *ns = NULL;
        int r;

        r = naming_oci_kube(json, &name, &ns);
        FUZZ_CHECK(r == -EINVAL || r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name[0] != '\0');
                FUZZ_CHECK(!ns || ns[0] != '\0');
                free(name);
                free(ns);
        } else
                FUZZ_CHECK(!name && !ns);
        return 0;
}

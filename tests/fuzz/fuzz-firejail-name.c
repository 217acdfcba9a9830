/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * firejail's /run/firejail/name/<pid> through naming_firejail_name()
 * (src/model/naming-meta.c): the sandbox's --name.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *content = fuzz_text(data, size);
        char *name = NULL;
        int r;

        r = naming_firejail_name(content, &name);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name[0] != '\0' && !strchr(name, '\n'));
                free(name);
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/root/.flatpak-info through naming_flatpak_info()
 * (src/model/naming-meta.c): the app id. The file is in the sandbox's own
 * root, so the sandboxed app may have replaced it.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *ini = fuzz_text(data, size);
        char *name = NULL;
        int r;

        r = naming_flatpak_info(ini, &name);
        FUZZ_CHECK(r == -EINVAL || r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name[0] != '\0' && !strchr(name, '\n'));
                free(name);
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd-nspawn's /proc/PID/cmdline through naming_nspawn_cmdline()
 * (src/model/naming-meta.c): the machine name from -M, or from the basename
 * of -D or -i.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *cmdline = fuzz_bytes(data, size);
        char *name = NULL;
        int r;

        r = naming_nspawn_cmdline(cmdline, size, &name);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name[0] != '\0');
                free(name);
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bwrap's /proc/PID/cmdline through naming_bwrap_command()
 * (src/model/naming-meta.c): the sandboxed command after bwrap's own
 * options, whose arities the parser knows. Whoever runs bwrap writes the
 * command line.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *cmdline = fuzz_bytes(data, size);
        char *name = NULL;
        int r;

        r = naming_bwrap_command(cmdline, size, &name);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name[0] != '\0');
                free(name);
        }
        return 0;
}

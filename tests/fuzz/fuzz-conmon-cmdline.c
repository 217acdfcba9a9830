/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * conmon's /proc/PID/cmdline through naming_conmon_cmdline()
 * (src/model/naming-meta.c): the container's id (-c) and name (-n). A
 * command line is NUL-separated and (pointer, length): the input's bytes
 * exactly, with both out parameters and with neither.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *cmdline = fuzz_bytes(data, size);
        char *id = NULL, *name = NULL;
        int r;

        r = naming_conmon_cmdline(cmdline, size, &id, &name);
        FUZZ_CHECK(r == 0 || r == 1);
        if (r > 0) {
                FUZZ_CHECK(name && name[0] != '\0');
                free(id);
                free(name);
        }
        FUZZ_CHECK(naming_conmon_cmdline(cmdline, size, NULL, NULL) == r);
        return 0;
}

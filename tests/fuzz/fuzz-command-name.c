/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A leader's /proc/PID/cmdline, which the process may rewrite at will,
 * through the fallback name naming_command_name() and ns run's own mark
 * naming_ns_init() (src/model/naming-meta.c), with the comm values that
 * make each take its other branch.
 */
#include "fuzz.h"
#include "naming.h"

static const char *const comms[] = { "ns-init", "sh", "", NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *cmdline = fuzz_bytes(data, size), *fallback = NULL;

        /* with a comm to fall back on there is always a name */
        fallback = naming_command_name(cmdline, size, "x");
        FUZZ_CHECK(fallback && fallback[0] != '\0');
        for (size_t i = 0; i < ELEMENTSOF(comms); i++) {
                char *name = naming_command_name(cmdline, size, comms[i]);

                if (name) {
                        FUZZ_CHECK(name[0] != '\0');
                        free(name);
                }
                if (naming_ns_init(comms[i], cmdline, size, &name) > 0) {
                        FUZZ_CHECK(streq(comms[i], "ns-init"));
                        free(name);
                }
        }
        return 0;
}

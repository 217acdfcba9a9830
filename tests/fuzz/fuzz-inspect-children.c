/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/task/TID/children through inspect_parse_pid_list(): where
 * ns inspect finds the zombies that the scan cannot see.
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        pid_t *v;
        size_t n;

        if (inspect_parse_pid_list(s, &v, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        FUZZ_CHECK(v[i] > 0);
                free(v);
        }
        return 0;
}

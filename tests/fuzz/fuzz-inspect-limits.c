/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/limits through inspect_parse_limits_nofile(): RLIMIT_NOFILE.
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        uint64_t soft, hard;

        (void)inspect_parse_limits_nofile(s, &soft, &hard);
        return 0;
}

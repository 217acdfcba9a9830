/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/TID/stack through inspect_parse_stack(): the function names that
 * the hints match against.
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        char **v;
        size_t n;

        if (inspect_parse_stack(s, &v, &n) == 0) {
                for (size_t i = 0; i < n; i++)
                        FUZZ_CHECK(v[i][0] && !strchr(v[i], '\n') && !strchr(v[i], '+'));
                strv_free_n(v, n);
        }
        return 0;
}

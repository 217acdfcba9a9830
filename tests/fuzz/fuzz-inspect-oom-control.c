/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * v1 memory.oom_control through inspect_parse_oom_control() and
 * memory.failcnt through inspect_parse_u64().
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        OomControl o;
        uint64_t v;

        (void)inspect_parse_oom_control(s, &o);
        (void)inspect_parse_u64(s, &v);
        return 0;
}

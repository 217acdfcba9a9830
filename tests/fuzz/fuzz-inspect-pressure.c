/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A cgroup's cpu/memory/io.pressure or /proc/pressure files through
 * inspect_parse_pressure().
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        Pressure p;

        if (inspect_parse_pressure(s, &p) == 0)
                FUZZ_CHECK(p.have_some);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/TID/sched through inspect_parse_sched_exec_start(): when the
 * task last ran, for how long it has been in its state.
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        double ms;

        if (inspect_parse_sched_exec_start(s, &ms) == 0)
                FUZZ_CHECK(ms >= 0);
        return 0;
}

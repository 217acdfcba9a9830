/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The freezer's files: v1 freezer.state through
 * inspect_parse_freezer_state(), v2 cgroup.freeze with cgroup.events
 * through inspect_parse_cgroup_freeze() (the input split at its first NUL
 * or newline into the two files).
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        FreezeState st;
        const char *nl = strchr(s, '\n');

        if (inspect_parse_freezer_state(s, &st) == 0)
                FUZZ_CHECK(st >= 0 && st < FREEZE_MAX);
        if (nl && inspect_parse_cgroup_freeze(s, nl + 1, &st) == 0)
                FUZZ_CHECK(st >= 0 && st < FREEZE_MAX);
        if (inspect_parse_cgroup_freeze(NULL, s, &st) == 0)
                FUZZ_CHECK(st != FREEZE_FREEZING);
        return 0;
}

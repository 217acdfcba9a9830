/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/TID/syscall through inspect_parse_syscall() and its formatting
 * with the generated name table.
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        TaskSyscall sc;

        if (inspect_parse_syscall(s, &sc) == 0) {
                _cleanup_free_ char *f = inspect_syscall_format(&sc);
                FUZZ_CHECK(f && f[0]);
                FUZZ_CHECK(sc.state != SYSCALL_IN || sc.nr >= 0);
        }
        return 0;
}

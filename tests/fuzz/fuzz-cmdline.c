/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A leader's /proc/PID/cmdline, which the process may rewrite at will, as
 * the COMMAND column shows it: cmdline_to_string() then str_sanitize()
 * (src/base/util.c), as instances.c and identify.c use them. The exact
 * bytes, as read_file_at() returns them with their length.
 */
#include "fuzz.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *cmdline = fuzz_bytes(data, size);
        _cleanup_free_ char *s = cmdline_to_string(cmdline, size);
        size_t n = strlen(s), trimmed = size;

        /* the arguments joined by spaces: one line, as long as the input
         * without its final NULs */
        while (trimmed > 0 && cmdline[trimmed - 1] == '\0')
                trimmed--;
        FUZZ_CHECK(n == trimmed);
        FUZZ_CHECK(!strchr(s, '\n') && !strchr(s, '\t'));
        /* and nothing a terminal would act on */
        str_sanitize(s);
        FUZZ_CHECK(strlen(s) == n);
        for (size_t i = 0; i < n; i++)
                FUZZ_CHECK((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The leader's /proc/PID/environ, which the process may rewrite at will,
 * through attach_build_env() (src/attach/attach-parse.c): the environment
 * ns enter gives the command, with what --env adds or takes from ns' own.
 * The exact bytes, as read_file_at() returns them with their length.
 */
#include "attach.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static char *const set[] = { (char *)"TERM=dumb", (char *)"HOME", (char *)"NOT_HERE",
                                     NULL };
        static char *const host[] = { (char *)"HOME=/root", (char *)"HOMEX=no", NULL };
        _cleanup_free_ char *base = fuzz_bytes(data, size);
        char **env = attach_build_env(base, size, set, host);
        bool term = false, home = false;
        size_t n = 0;

        for (char **e = env; *e; e++, n++) {
                const char *eq = strchr(*e, '=');

                /* every entry a variable: a name, then '=' */
                FUZZ_CHECK(eq && eq != *e);
                /* each name once: the later value replaced the earlier */
                for (char **f = env; f < e; f++)
                        FUZZ_CHECK(strncmp(*f, *e, (size_t)(eq - *e) + 1) != 0);
                term |= streq(*e, "TERM=dumb");
                home |= streq(*e, "HOME=/root");
                /* a bare name takes that variable of ours, no other */
                FUZZ_CHECK(!streq(*e, "HOMEX=no") || memmem(base, size, "HOMEX=no", 8));
                FUZZ_CHECK(!startswith(*e, "NOT_HERE=") || memmem(base, size, "NOT_HERE=", 9));
        }
        FUZZ_CHECK(term && home);
        /* no more entries than the input has NULs, plus what set adds */
        FUZZ_CHECK(n <= size / 2 + 3);
        strv_free(env);
        return 0;
}

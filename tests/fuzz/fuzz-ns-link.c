/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The target of a /proc/PID/ns/TYPE link, as readlink() returns it (no
 * NUL, its exact length), through ns_parse_link() (src/proc/nstype.c),
 * which every reader of namespace links goes through. The kernel writes
 * it; a fixture tree or a file system mounted over /proc may write
 * anything.
 */
#include <inttypes.h>

#include "fuzz.h"
#include "nstype.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *link = fuzz_bytes(data, size);
        NsIno ino = 0xdeadbeef, again = 0;
        char shown[64];
        int n;

        if (ns_parse_link(link, size, &ino) < 0) {
                FUZZ_CHECK(ino == 0xdeadbeef); /* written only on success */
                return 0;
        }
        /* an inode number, never 0 (that means "unknown" to every caller) */
        FUZZ_CHECK(ino != 0);
        FUZZ_CHECK(size >= 3 && link[size - 1] == ']');
        /* what the kernel would show for it parses to the same number */
        n = snprintf(shown, sizeof(shown), "net:[%" PRIu64 "]", (uint64_t)ino);
        FUZZ_CHECK(n > 0 && (size_t)n < sizeof(shown));
        FUZZ_CHECK(ns_parse_link(shown, (size_t)n, &again) == 0 && again == ino);
        return 0;
}

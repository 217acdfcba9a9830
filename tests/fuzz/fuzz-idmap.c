/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A user namespace's uid_map or gid_map, as read from outside it, through
 * attach_map_id() (src/attach/attach-parse.c): which id inside the
 * namespace ns enter takes for the target's ids. The map is written once by
 * whoever made the namespace, which may be the container itself.
 */
#include "attach.h"
#include "fuzz.h"

static const uint32_t outside[] = { 0,      1,      999,        1000,       65534,
                                    100000, 165536, 0x7fffffff, 0xfffffffe, 0xffffffff };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *map = fuzz_text(data, size);

        for (size_t i = 0; i < ELEMENTSOF(outside); i++) {
                uint32_t inside = 0xdeadbeef, again = 0;

                if (attach_map_id(map, outside[i], &inside) < 0) {
                        FUZZ_CHECK(inside == 0xdeadbeef); /* written only on success */
                        continue;
                }
                /* the same map, the same answer */
                FUZZ_CHECK(attach_map_id(map, outside[i], &again) == 0 && again == inside);
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability names, from the table generated at build time. */
#include <criterion/criterion.h>
#include <errno.h>

#include "caps.h"

Test(caps, names_both_ways)
{
        int v = -1;

        cr_assert_eq(caps_from_name("net_admin", &v), 0);
        cr_assert_eq(v, CAP_NET_ADMIN);
        cr_assert_eq(caps_from_name("CAP_SYS_ADMIN", &v), 0);
        cr_assert_eq(v, CAP_SYS_ADMIN);
        cr_assert_eq(caps_from_name("Cap_Chown", &v), 0);
        cr_assert_eq(v, CAP_CHOWN);
        cr_assert_eq(caps_from_name("21", &v), 0);
        cr_assert_eq(v, 21);
        cr_assert_str_eq(caps_to_name(CAP_KILL), "kill");
        cr_assert_str_eq(caps_to_name(CAP_LAST_CAP), caps_to_name(CAP_LAST_CAP));
        cr_assert_null(caps_to_name(-1));
        cr_assert_null(caps_to_name(64));
}

Test(caps, every_known_capability_has_its_name)
{
        for (int c = 0; c <= CAP_LAST_CAP; c++) {
                const char *n = caps_to_name(c);
                int v = -1;

                cr_assert_not_null(n, "capability %d has no name", c);
                cr_assert_eq(caps_from_name(n, &v), 0, "%s", n);
                cr_assert_eq(v, c, "%s", n);
        }
}

Test(caps, refuses)
{
        int v = 7;

        cr_assert_eq(caps_from_name("bogus", &v), -EINVAL);
        cr_assert_eq(caps_from_name("cap_", &v), -EINVAL);
        cr_assert_eq(caps_from_name("", &v), -EINVAL);
        cr_assert_eq(caps_from_name("64", &v), -EINVAL);
        cr_assert_eq(caps_from_name("12x", &v), -EINVAL);
        cr_assert_eq(v, 7, "written only on success");
}

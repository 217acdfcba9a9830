/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <criterion/criterion.h>

#include "macro.h"
#include "output.h"

static const ColumnDesc desc[] = {
        { "ID", 1, 0, SCOLS_JSON_STRING, "" },
        { "NAME", 1, 0, SCOLS_JSON_STRING, "" },
        { "PID", 1, 0, SCOLS_JSON_NUMBER, "" },
};
static const int defaults[] = { 0, 1 };

Test(columns, parse_list)
{
        _cleanup_free_ int *cols = NULL;
        const char *bad = NULL;
        size_t n = 0, bad_len = 0;

        cr_assert_eq(columns_parse(desc, 3, "pid,ID", defaults, 2, &cols, &n, &bad, &bad_len), 0);
        cr_assert_eq(n, 2);
        cr_assert_eq(cols[0], 2);
        cr_assert_eq(cols[1], 0);
}

Test(columns, plus_extends_defaults)
{
        _cleanup_free_ int *cols = NULL;
        const char *bad = NULL;
        size_t n = 0, bad_len = 0;

        cr_assert_eq(columns_parse(desc, 3, "+PID", defaults, 2, &cols, &n, &bad, &bad_len), 0);
        cr_assert_eq(n, 3);
        cr_assert_eq(cols[2], 2);
}

Test(columns, unknown_name)
{
        int *cols = NULL;
        const char *list = "ID,BOGUS,PID", *bad = NULL;
        size_t n = 0, bad_len = 0;

        cr_assert_eq(columns_parse(desc, 3, list, defaults, 2, &cols, &n, &bad, &bad_len), -EINVAL);
        cr_assert_eq(bad, list + 3);
        cr_assert_eq(bad_len, 5);
        cr_assert_null(cols);
        cr_assert_eq(columns_parse(desc, 3, ",", defaults, 2, &cols, &n, &bad, &bad_len), -EINVAL,
                     "an empty list is an error");
}

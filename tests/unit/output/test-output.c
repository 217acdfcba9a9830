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

/* An instance with its own user, mnt and pid namespaces, the net of
 * another instance, the host's uts, ipc and cgroup, and no time
 * namespace known. */
static const NsShare shares[NS_TYPE_MAX] = {
        [NS_USER] = NS_SHARE_PRIVATE, [NS_MNT] = NS_SHARE_PRIVATE,  [NS_PID] = NS_SHARE_PRIVATE,
        [NS_NET] = NS_SHARE_OTHER,    [NS_UTS] = NS_SHARE_HOST,     [NS_IPC] = NS_SHARE_HOST,
        [NS_CGROUP] = NS_SHARE_HOST,  [NS_TIME] = NS_SHARE_UNKNOWN,
};

Test(ns_column, letters_in_display_order)
{
        char s[NS_TYPE_MAX + 1];

        output_ns_letters(shares, s);
        cr_assert_str_eq(s, "Ump*---?");
}

Test(ns_column, every_letter_is_unshares)
{
        NsShare all[NS_TYPE_MAX];
        char s[NS_TYPE_MAX + 1];

        for (int t = 0; t < NS_TYPE_MAX; t++)
                all[t] = NS_SHARE_PRIVATE;
        output_ns_letters(all, s);
        /* unshare(1): -U -m -p -n -u -i -C -T */
        cr_assert_str_eq(s, "UmpnuiCT");
}

Test(ns_column, names)
{
        NsShare none[NS_TYPE_MAX] = {};
        _cleanup_free_ char *priv = output_ns_names(shares, NS_SHARE_PRIVATE);
        _cleanup_free_ char *other = output_ns_names(shares, NS_SHARE_OTHER);
        _cleanup_free_ char *host = output_ns_names(shares, NS_SHARE_HOST);
        _cleanup_free_ char *empty = output_ns_names(none, NS_SHARE_PRIVATE);
        NsShare all[NS_TYPE_MAX];
        _cleanup_free_ char *every = NULL;

        cr_assert_str_eq(priv, "user,mnt,pid");
        cr_assert_str_eq(other, "net");
        cr_assert_str_eq(host, "uts,ipc,cgroup");
        cr_assert_str_eq(empty, "");
        for (int t = 0; t < NS_TYPE_MAX; t++)
                all[t] = NS_SHARE_OTHER;
        every = output_ns_names(all, NS_SHARE_OTHER);
        cr_assert_str_eq(every, "user,mnt,pid,net,uts,ipc,cgroup,time");
}

static const ColumnSet set = { desc, ELEMENTSOF(desc), defaults, ELEMENTSOF(defaults) };

Test(columns, choose)
{
        _cleanup_free_ int *def = NULL, *all = NULL, *listed = NULL;
        int *none = NULL;
        const char *bad = NULL;
        size_t n = 0, bad_len = 0;

        /* no -o: the defaults */
        cr_assert_eq(columns_choose(&set, NULL, false, &def, &n, &bad, &bad_len), 0);
        cr_assert_eq(n, 2);
        cr_assert(def[0] == 0 && def[1] == 1);
        /* --output-all wins over -o, in table order */
        cr_assert_eq(columns_choose(&set, "PID", true, &all, &n, &bad, &bad_len), 0);
        cr_assert_eq(n, 3);
        cr_assert(all[0] == 0 && all[1] == 1 && all[2] == 2);
        cr_assert_eq(columns_choose(&set, "name", false, &listed, &n, &bad, &bad_len), 0);
        cr_assert_eq(n, 1);
        cr_assert_eq(listed[0], 1);
        cr_assert_eq(columns_choose(&set, "NOPE", false, &none, &n, &bad, &bad_len), -EINVAL);
        cr_assert_eq(bad_len, 4);
        cr_assert_null(none);
}

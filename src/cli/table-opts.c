/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The table options of ns ls and ns ps (commands.h), in one place so that
 * the commands take and report them alike. */
#include <getopt.h>

#include "commands.h"

bool table_opts_parse(TableOpts *t, int c, const char *arg)
{
        switch (c) {
        case 'J':
                t->out.json = true;
                return true;
        case 'r':
                t->out.raw = true;
                return true;
        case 'n':
                t->out.noheadings = true;
                return true;
        case 'o':
                t->columns = arg;
                return true;
        case TABLE_OPT_OUTPUT_ALL:
                t->all_columns = true;
                return true;
        case 'H':
                t->list_columns = true;
                return true;
        default:
                return false;
        }
}

int table_list_columns(const TableOpts *t, const ColumnSet *set)
{
        Scols sc;

        if (load_smartcols(&sc) < 0)
                return 1;
        return output_list_columns(&sc, set->desc, set->n, t->out.json) < 0;
}

int table_columns(const char *cmd, const TableOpts *t, const ColumnSet *set, int **ret_cols,
                  size_t *ret_n)
{
        const char *bad;
        size_t bad_len;

        if (columns_choose(set, t->columns, t->all_columns, ret_cols, ret_n, &bad, &bad_len) < 0) {
                log_error("unknown column '%.*s'", (int)bad_len, bad);
                fprintf(stderr, "Try 'ns %s --list-columns'.\n", cmd);
                return -1;
        }
        return 0;
}

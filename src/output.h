/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsmartcols.h>
#include <stdbool.h>
#include <stddef.h>

/* Column tables and the lsns-style output flags, shared by every command
 * that prints a table. */

typedef struct ColumnDesc {
        const char *name;
        double whint;
        int flags;      /* SCOLS_FL_* */
        int json_type;  /* SCOLS_JSON_* */
        const char *help;
} ColumnDesc;

typedef struct OutputOpts {
        bool json;
        bool raw;
        bool noheadings;
        bool tree;
} OutputOpts;

/*
 * Parse "-o LIST": comma-separated column names (any case); a list that
 * starts with '+' extends the defaults. On an unknown name returns -EINVAL
 * and points *ret_bad at it (inside list).
 */
int columns_parse(const ColumnDesc *desc, size_t n_desc, const char *list, const int *defaults,
                  size_t n_defaults, int **ret_cols, size_t *ret_n, const char **ret_bad,
                  size_t *ret_bad_len);

/* A table with the given columns, set up for the output flags. */
struct libscols_table *output_table_new(const ColumnDesc *desc, const int *cols, size_t n,
                                        const OutputOpts *o, const char *json_name);

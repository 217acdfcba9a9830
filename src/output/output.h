/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libsmartcols.h>
#include <stdbool.h>
#include <stddef.h>

#include "group.h"

/* Column tables and the lsns-style output flags, shared by every command
 * that prints a table. */

/*
 * libsmartcols is loaded with dlopen() by the commands that print a table,
 * so that the others (ns run above all) start without loading and
 * relocating it. These are the functions ns uses, named without "scols_";
 * each pointer has the type of the library's own prototype.
 */
#define SCOLS_FUNCTIONS(X)         \
        X(new_table)               \
        X(unref_table)             \
        X(table_set_name)          \
        X(table_enable_json)       \
        X(table_enable_raw)        \
        X(table_enable_noheadings) \
        X(table_new_column)        \
        X(column_set_json_type)    \
        X(table_new_line)          \
        X(line_refer_data)         \
        X(print_table)

typedef struct Scols {
#define SCOLS_POINTER(f) typeof(scols_##f) *f;
        SCOLS_FUNCTIONS(SCOLS_POINTER)
#undef SCOLS_POINTER
} Scols;

/* Load libsmartcols.so.1 and every function above. Returns 0, or -ELIBACC
 * with the reason in *ret_error (to free). */
int output_load(Scols *ret, char **ret_error);

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

/* The columns of a command's table: all it has, and those shown by default. */
typedef struct ColumnSet {
        const ColumnDesc *desc;
        size_t n;
        const int *defaults;
        size_t n_defaults;
} ColumnSet;

/*
 * The columns to show: every one when all (--output-all), else those of
 * list (-o LIST, as columns_parse()), else the defaults when list is NULL.
 * On an unknown name returns -EINVAL with *ret_bad as columns_parse().
 */
int columns_choose(const ColumnSet *set, const char *list, bool all, int **ret_cols, size_t *ret_n,
                   const char **ret_bad, size_t *ret_bad_len);

/* A table with the given columns, set up for the output flags. */
struct libscols_table *output_table_new(const Scols *sc, const ColumnDesc *desc, const int *cols,
                                        size_t n, const OutputOpts *o, const char *json_name);

/* A new line of the table, under parent (NULL: at the top). */
struct libscols_line *output_line_new(const Scols *sc, struct libscols_table *tb,
                                      struct libscols_line *parent);

/* Give cell i of the line its text: malloc'd, owned by the line from now
 * on; NULL leaves the cell empty. */
void output_cell_set(const Scols *sc, struct libscols_line *ln, size_t i, char *data);

/*
 * -H: the columns a command has, one a line (name, then what it shows), or
 * with json {"columns": [{"name": ..., "description": ...}, ...]}.
 * Returns 0, or -errno from printing.
 */
int output_list_columns(const Scols *sc, const ColumnDesc *desc, size_t n, bool json);

/* The same list of any names and what they are (their help), under
 * json_name in JSON: ns ls --list-runtimes. */
int output_list_named(const Scols *sc, const ColumnDesc *desc, size_t n, bool json,
                      const char *json_name);

/*
 * The NS column of ns ls and ns top: one character per namespace type, in
 * ns_display_order: the type's unshare(1) letter when the instance has it
 * alone, '*' when shared with another instance, '-' the host's, '?' unknown.
 */
void output_ns_letters(const NsShare share[NS_TYPE_MAX], char ret[static NS_TYPE_MAX + 1]);

/* The names of the types whose share is which, in display order and
 * comma-separated ("user,mnt,pid"): the PRIVATE and SHARED columns. */
char *output_ns_names(const NsShare share[NS_TYPE_MAX], NsShare which);

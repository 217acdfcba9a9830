/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <strings.h>

#include "macro.h"
#include "output.h"
#include "util.h"

int output_load(Scols *ret, char **ret_error)
{
#define SCOLS_SYMBOL(f) { "scols_" #f, offsetof(Scols, f) },
        static const DlSymbol syms[] = { SCOLS_FUNCTIONS(SCOLS_SYMBOL) };
#undef SCOLS_SYMBOL

        return dlopen_symbols("libsmartcols.so.1", syms, ELEMENTSOF(syms), ret, ret_error);
}

static int column_lookup(const ColumnDesc *desc, size_t n_desc, const char *name, size_t len)
{
        for (size_t i = 0; i < n_desc; i++)
                if (strlen(desc[i].name) == len && strncasecmp(desc[i].name, name, len) == 0)
                        return (int)i;
        return -1;
}

int columns_parse(const ColumnDesc *desc, size_t n_desc, const char *list, const int *defaults,
                  size_t n_defaults, int **ret_cols, size_t *ret_n, const char **ret_bad,
                  size_t *ret_bad_len)
{
        _cleanup_free_ int *cols = NULL;
        size_t n = 0;
        const char *p = list;

        cols = xnew(int, n_desc + n_defaults + strlen(list) + 1);
        if (*p == '+') {
                memcpy(cols, defaults, n_defaults * sizeof(int));
                n = n_defaults;
                p++;
        }
        while (*p) {
                size_t len = strcspn(p, ",");
                int c;

                if (len > 0) {
                        c = column_lookup(desc, n_desc, p, len);
                        if (c < 0) {
                                *ret_bad = p;
                                *ret_bad_len = len;
                                return -EINVAL;
                        }
                        cols[n++] = c;
                }
                p += len;
                if (*p == ',')
                        p++;
        }
        if (n == 0) {
                *ret_bad = list;
                *ret_bad_len = strlen(list);
                return -EINVAL;
        }
        *ret_cols = TAKE_PTR(cols);
        *ret_n = n;
        return 0;
}

int columns_choose(const ColumnSet *set, const char *list, bool all, int **ret_cols, size_t *ret_n,
                   const char **ret_bad, size_t *ret_bad_len)
{
        size_t n = all ? set->n : set->n_defaults;
        int *cols;

        if (!all && list)
                return columns_parse(set->desc, set->n, list, set->defaults, set->n_defaults,
                                     ret_cols, ret_n, ret_bad, ret_bad_len);
        cols = xnew(int, n);
        for (size_t i = 0; i < n; i++)
                cols[i] = all ? (int)i : set->defaults[i];
        *ret_cols = cols;
        *ret_n = n;
        return 0;
}

struct libscols_table *output_table_new(const Scols *sc, const ColumnDesc *desc, const int *cols,
                                        size_t n, const OutputOpts *o, const char *json_name)
{
        struct libscols_table *tb = sc->new_table();

        if (!tb)
                oom();
        sc->table_enable_json(tb, o->json);
        sc->table_set_name(tb, json_name);
        sc->table_enable_raw(tb, o->raw);
        sc->table_enable_noheadings(tb, o->noheadings);

        for (size_t i = 0; i < n; i++) {
                const ColumnDesc *d = &desc[cols[i]];
                int flags = d->flags;
                struct libscols_column *cl;

                /* the tree hangs from the first column, as in lsns -T */
                if (o->tree && i == 0)
                        flags |= SCOLS_FL_TREE;
                cl = sc->table_new_column(tb, d->name, d->whint, flags);
                if (!cl)
                        oom();
                if (o->json)
                        sc->column_set_json_type(cl, d->json_type);
        }
        return tb;
}

struct libscols_line *output_line_new(const Scols *sc, struct libscols_table *tb,
                                      struct libscols_line *parent)
{
        struct libscols_line *ln = sc->table_new_line(tb, parent);

        if (!ln)
                oom();
        return ln;
}

void output_cell_set(const Scols *sc, struct libscols_line *ln, size_t i, char *data)
{
        if (data && sc->line_refer_data(ln, i, data) < 0)
                oom();
}

int output_list_columns(const Scols *sc, const ColumnDesc *desc, size_t n, bool json)
{
        return output_list_named(sc, desc, n, json, "columns");
}

int output_list_named(const Scols *sc, const ColumnDesc *desc, size_t n, bool json,
                      const char *json_name)
{
        struct libscols_table *tb = sc->new_table();
        struct libscols_column *name, *help;
        int r = 0;

        if (!tb)
                oom();
        sc->table_enable_json(tb, json);
        sc->table_set_name(tb, json_name);
        /* a plain list, as lsns -H prints it: no headings */
        sc->table_enable_noheadings(tb, !json);
        name = sc->table_new_column(tb, "name", 0, json ? 0 : SCOLS_FL_RIGHT);
        help = sc->table_new_column(tb, "description", 0, 0);
        if (!name || !help)
                oom();
        for (size_t i = 0; i < n; i++) {
                struct libscols_line *ln = sc->table_new_line(tb, NULL);

                if (!ln)
                        oom();
                /* the line owns (and frees) what it refers to */
                if (sc->line_refer_data(ln, 0, xstrdup(desc[i].name)) < 0 ||
                    sc->line_refer_data(ln, 1, xstrdup(desc[i].help)) < 0)
                        oom();
        }
        if (sc->print_table(tb) < 0)
                r = -EIO;
        sc->unref_table(tb);
        return r;
}

void output_ns_letters(const NsShare share[NS_TYPE_MAX], char ret[static NS_TYPE_MAX + 1])
{
        for (int k = 0; k < NS_TYPE_MAX; k++) {
                NsType t = ns_display_order[k];

                switch (share[t]) {
                case NS_SHARE_PRIVATE:
                        ret[k] = ns_info[t].letter;
                        break;
                case NS_SHARE_OTHER:
                        ret[k] = '*';
                        break;
                case NS_SHARE_HOST:
                        ret[k] = '-';
                        break;
                default:
                        ret[k] = '?';
                }
        }
        ret[NS_TYPE_MAX] = '\0';
}

char *output_ns_names(const NsShare share[NS_TYPE_MAX], NsShare which)
{
        /* eight names of at most six letters and their commas */
        char buf[64] = "";
        size_t len = 0;

        for (int k = 0; k < NS_TYPE_MAX; k++) {
                NsType t = ns_display_order[k];

                if (share[t] != which)
                        continue;
                len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "," : "",
                                        ns_info[t].name);
        }
        return xstrdup(buf);
}

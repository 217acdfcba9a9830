/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>
#include <langinfo.h>
#include <time.h>
#include <wchar.h>

#include "macro.h"
#include "tui-internal.h"
#include "util.h"

/*
 * Layout and drawing of the instance table: the header (host CPU, memory,
 * load, instances by runtime), the column headings, one line per row, the
 * history panel and the status line. Everything is drawn into stdscr and
 * sent at once by refresh(), which sends only what changed.
 */

enum {
        PAIR_HEADER = 1,
        PAIR_HEADING,
        PAIR_SORTED,
        PAIR_SELECTED,
        PAIR_NEW,
        PAIR_GONE,
        PAIR_WARN,
        PAIR_CPU,
        PAIR_MEM,
        PAIR_MENU,
};

void tui_colors_init(Tui *t)
{
        const char *no_color = getenv("NO_COLOR");
        const char *codeset = nl_langinfo(CODESET);

        t->utf8 = codeset && streq(codeset, "UTF-8");
        /* https://no-color.org: present and not empty means no colour */
        t->color = has_colors() && !(no_color && no_color[0]);
        if (t->color && start_color() == ERR)
                t->color = false;

        if (!t->color) {
                /* Monochrome: the same distinctions by attribute alone. */
                t->attrs[TUI_A_NORMAL] = A_NORMAL;
                t->attrs[TUI_A_HEADER] = A_BOLD;
                t->attrs[TUI_A_HEADING] = A_REVERSE;
                t->attrs[TUI_A_SORTED] = A_REVERSE | A_BOLD | A_UNDERLINE;
                t->attrs[TUI_A_SELECTED] = A_REVERSE;
                t->attrs[TUI_A_NEW] = A_BOLD;
                t->attrs[TUI_A_GONE] = A_DIM;
                t->attrs[TUI_A_WARN] = A_BOLD;
                t->attrs[TUI_A_CPU] = A_NORMAL;
                t->attrs[TUI_A_MEM] = A_NORMAL;
                t->attrs[TUI_A_STATUS] = A_NORMAL;
                t->attrs[TUI_A_MENU] = A_REVERSE;
                return;
        }
        use_default_colors();
        init_pair(PAIR_HEADER, COLOR_CYAN, -1);
        init_pair(PAIR_HEADING, COLOR_BLACK, COLOR_GREEN);
        init_pair(PAIR_SORTED, COLOR_BLACK, COLOR_CYAN);
        init_pair(PAIR_SELECTED, COLOR_BLACK, COLOR_CYAN);
        init_pair(PAIR_NEW, COLOR_GREEN, -1);
        /* grey where the terminal has a bright black, else dim */
        init_pair(PAIR_GONE, COLORS >= 16 ? 8 : COLOR_WHITE, -1);
        init_pair(PAIR_WARN, COLOR_RED, -1);
        init_pair(PAIR_CPU, COLOR_GREEN, -1);
        init_pair(PAIR_MEM, COLOR_MAGENTA, -1);
        init_pair(PAIR_MENU, COLOR_WHITE, COLOR_BLUE);
        t->attrs[TUI_A_NORMAL] = A_NORMAL;
        t->attrs[TUI_A_HEADER] = COLOR_PAIR(PAIR_HEADER) | A_BOLD;
        t->attrs[TUI_A_HEADING] = COLOR_PAIR(PAIR_HEADING);
        t->attrs[TUI_A_SORTED] = COLOR_PAIR(PAIR_SORTED) | A_BOLD;
        t->attrs[TUI_A_SELECTED] = COLOR_PAIR(PAIR_SELECTED);
        t->attrs[TUI_A_NEW] = COLOR_PAIR(PAIR_NEW) | A_BOLD;
        t->attrs[TUI_A_GONE] = COLOR_PAIR(PAIR_GONE) | (COLORS >= 16 ? 0 : A_DIM);
        t->attrs[TUI_A_WARN] = COLOR_PAIR(PAIR_WARN) | A_BOLD;
        t->attrs[TUI_A_CPU] = COLOR_PAIR(PAIR_CPU);
        t->attrs[TUI_A_MEM] = COLOR_PAIR(PAIR_MEM);
        t->attrs[TUI_A_STATUS] = A_NORMAL;
        t->attrs[TUI_A_MENU] = COLOR_PAIR(PAIR_MENU);
}

/*
 * Draw s at (y, x) in at most width columns (counted as the terminal
 * does: wide characters take two), right-aligned when right. Control
 * characters and bytes that are not characters in this locale show as
 * '?'. Returns the columns drawn.
 */
int tui_put(int y, int x, const char *s, int width, bool right)
{
        wchar_t wbuf[512];
        mbstate_t st = {};
        size_t len = strlen(s), n = 0;
        int used = 0;

        if (width <= 0)
                return 0;
        while (len > 0 && n < ELEMENTSOF(wbuf) - 1) {
                wchar_t wc;
                size_t k = mbrtowc(&wc, s, len, &st);
                int w;

                if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
                        wc = L'?';
                        k = 1;
                        memset(&st, 0, sizeof(st));
                }
                w = wcwidth(wc);
                if (w < 0) {
                        wc = L'?';
                        w = 1;
                }
                if (used + w > width)
                        break;
                wbuf[n++] = wc;
                used += w;
                s += k;
                len -= k;
        }
        wbuf[n] = L'\0';
        if (right && used < width)
                x += width - used;
        mvaddnwstr(y, x, wbuf, (int)n);
        return used;
}

/* Fill the rest of line y from x with blanks in the current attribute. */
static void fill_line(int y, int x, int cols)
{
        for (int i = x; i < cols; i++)
                mvaddch(y, i, ' ');
}

const char *tui_row_label(const TopRow *r)
{
        return r->name && r->name[0] ? r->name : r->id;
}

/*
 * The columns of the table, dropped from the least wanted on when the
 * screen is narrow: COMMAND keeps at least a few columns of its own.
 */
static const TopColumn table_columns[] = {
        TOP_COL_ID,     TOP_COL_NAME,   TOP_COL_RUNTIME, TOP_COL_PIDS, TOP_COL_CPU,
        TOP_COL_INVALID /* sparkline */, TOP_COL_MEM,   TOP_COL_MEM_LIM, TOP_COL_NET_RX,
        TOP_COL_NET_TX, TOP_COL_IO_R,   TOP_COL_IO_W,    TOP_COL_HEALTH, TOP_COL_UPTIME,
        TOP_COL_COMMAND,
};
static const TopColumn drop_order[] = {
        TOP_COL_IO_W,   TOP_COL_IO_R,    TOP_COL_NET_TX, TOP_COL_NET_RX, TOP_COL_INVALID,
        TOP_COL_UPTIME, TOP_COL_MEM_LIM, TOP_COL_PIDS,   TOP_COL_RUNTIME, TOP_COL_HEALTH,
};
#define COMMAND_MIN 12

static int text_width(const char *s)
{
        mbstate_t st = {};
        size_t len = strlen(s);
        int w = 0;

        while (len > 0) {
                wchar_t wc;
                size_t k = mbrtowc(&wc, s, len, &st);
                if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
                        k = 1;
                        memset(&st, 0, sizeof(st));
                        wc = L'?';
                }
                w += MAX(wcwidth(wc), 1);
                s += k;
                len -= k;
        }
        return w;
}

/* A column's width: its heading, its own minimum, and for the columns of
 * names the widest value shown (within bounds). */
static int column_width(const Tui *t, TopColumn c)
{
        const TopModel *m = t->m;
        int w, cap;

        if (c == TOP_COL_INVALID)
                return TUI_SPARK_WIDTH;
        w = MAX(top_columns[c].width, (int)strlen(top_columns[c].name));
        switch (c) {
        case TOP_COL_NAME:
                cap = 24;
                break;
        case TOP_COL_RUNTIME:
                cap = 12;
                break;
        case TOP_COL_HEALTH:
                cap = 28;
                break;
        default:
                return w;
        }
        for (size_t v = 0; v < m->n_view; v++) {
                const TopRow *r = &m->rows[m->view[v]];
                char buf[128];
                int vw;

                top_cell(m, r, c, buf, sizeof(buf));
                vw = text_width(buf) + (c == TOP_COL_NAME && m->tree ? 2 * r->depth + 2 : 0);
                w = MAX(w, MIN(vw, cap));
        }
        return w;
}

void tui_layout(Tui *t)
{
        bool shown[ELEMENTSOF(table_columns)];
        int widths[ELEMENTSOF(table_columns)];
        int total = 0, x = 0;

        t->height = LINES;
        t->cols = COLS;
        t->table_y = 3;
        t->status_y = t->height - 1;
        /* The history panel where the table keeps ten rows beside it. */
        t->graph_rows = t->height >= 30 ? 7 : 5;
        if (t->height - t->table_y - 2 - t->graph_rows >= 10)
                t->graph_y = t->status_y - t->graph_rows;
        else {
                t->graph_y = -1;
                t->graph_rows = 0;
        }
        t->table_rows = (t->graph_y >= 0 ? t->graph_y : t->status_y) - t->table_y - 1;
        if (t->table_rows < 0)
                t->table_rows = 0;

        for (size_t i = 0; i < ELEMENTSOF(table_columns); i++) {
                shown[i] = true;
                widths[i] = table_columns[i] == TOP_COL_COMMAND ? COMMAND_MIN
                                                                  : column_width(t, table_columns[i]);
                total += widths[i] + 1;
        }
        for (size_t d = 0; d < ELEMENTSOF(drop_order) && total > t->cols; d++)
                for (size_t i = 0; i < ELEMENTSOF(table_columns); i++)
                        if (table_columns[i] == drop_order[d] && shown[i]) {
                                shown[i] = false;
                                total -= widths[i] + 1;
                        }

        t->n_tcols = 0;
        for (size_t i = 0; i < ELEMENTSOF(table_columns); i++) {
                TuiCol *tc;

                if (!shown[i])
                        continue;
                tc = &t->tcols[t->n_tcols++];
                tc->col = table_columns[i];
                tc->x = x;
                tc->width = tc->col == TOP_COL_COMMAND ? MAX(t->cols - x, 0) : widths[i];
                x += tc->width + 1;
        }
        tui_select(t, t->sel);
        t->dirty = true;
}

/* The table column under screen column x, or TOP_COL_INVALID. */
int tui_column_at(const Tui *t, int x)
{
        for (size_t i = 0; i < t->n_tcols; i++)
                if (x >= t->tcols[i].x && x < t->tcols[i].x + t->tcols[i].width + 1)
                        return t->tcols[i].col;
        return TOP_COL_INVALID;
}

static void format_uptime(double secs, char *buf, size_t size)
{
        unsigned long s = secs > 0 ? (unsigned long)secs : 0;
        unsigned long d = s / 86400, h = s / 3600 % 24, mi = s / 60 % 60;

        if (d > 0)
                snprintf(buf, size, "%lu day%s, %lu:%02lu", d, d == 1 ? "" : "s", h, mi);
        else
                snprintf(buf, size, "%lu:%02lu", h, mi);
}

/* A bar of width cells, filled to frac. */
static void draw_bar(const Tui *t, int y, int x, int width, double frac, int attr)
{
        int full = (int)(frac * width + 0.5);

        if (width < 3)
                return;
        mvaddch(y, x, '[');
        attron(attr);
        for (int i = 0; i < width - 2; i++)
                mvaddch(y, x + 1 + i, i < full - 1 ? '|' : ' ');
        attroff(attr);
        mvaddch(y, x + width - 1, ']');
        (void)t;
}

typedef struct RuntimeCount {
        const char *name;
        size_t n;
} RuntimeCount;

static int runtime_count_cmp(const void *a, const void *b)
{
        const RuntimeCount *x = a, *y = b;

        if (x->n != y->n)
                return x->n < y->n ? 1 : -1;
        return strcmp(x->name, y->name);
}

static void draw_header(Tui *t)
{
        TopModel *m = t->m;
        const HostSample *h = &m->host;
        char buf[512], up[64], a[32], b[32];
        time_t now = time(NULL);
        struct tm tm;
        _cleanup_free_ RuntimeCount *rc = xnew(RuntimeCount, m->n_rows + 1);
        size_t n_rc = 0, n_live = 0;
        int x, bar;
        double mem_frac;
        bool desc;

        localtime_r(&now, &tm);
        format_uptime(h->uptime, up, sizeof(up));
        snprintf(buf, sizeof(buf), "ns top - %02d:%02d:%02d up %s, load average: %.2f %.2f %.2f",
                 tm.tm_hour, tm.tm_min, tm.tm_sec, up, h->load[0], h->load[1], h->load[2]);
        attron(t->attrs[TUI_A_HEADER]);
        x = tui_put(0, 0, buf, t->cols, false);
        attroff(t->attrs[TUI_A_HEADER]);
        desc = m->sort >= 0 && top_columns[m->sort].sort_descending != m->sort_invert;
        snprintf(buf, sizeof(buf), "sort %s %s%s", m->sort >= 0 ? top_columns[m->sort].name : "-",
                 t->utf8 ? (desc ? "▼" : "▲") : (desc ? "v" : "^"), m->tree ? "  tree" : "");
        if (t->cols - x > text_width(buf) + 2)
                tui_put(0, t->cols - text_width(buf), buf, text_width(buf), false);

        /* Line 2: CPU and memory of the host, with bars when there is room. */
        bar = t->cols >= 100 ? 22 : 0;
        attron(t->attrs[TUI_A_HEADER]);
        x = tui_put(1, 0, "CPU", 3, false);
        attroff(t->attrs[TUI_A_HEADER]);
        if (m->have_host_prev)
                snprintf(buf, sizeof(buf), " %5.1f%% of %u CPU%s ", m->host_cpu_pct, h->n_cpus,
                         h->n_cpus == 1 ? "" : "s");
        else
                snprintf(buf, sizeof(buf), "     -  of %u CPU%s ", h->n_cpus, h->n_cpus == 1 ? "" : "s");
        x += tui_put(1, x, buf, t->cols - x, false);
        if (bar) {
                draw_bar(t, 1, x, bar, m->have_host_prev ? m->host_cpu_pct / 100.0 : 0,
                         t->attrs[TUI_A_CPU]);
                x += bar;
        }
        x += 3;
        attron(t->attrs[TUI_A_HEADER]);
        x += tui_put(1, x, "MEM", MAX(t->cols - x, 0), false);
        attroff(t->attrs[TUI_A_HEADER]);
        mem_frac = h->mem_total ? (double)(h->mem_total - MIN(h->mem_available, h->mem_total)) /
                                          (double)h->mem_total
                                : 0;
        snprintf(buf, sizeof(buf), " %s used of %s (%.0f%%) ",
                 format_size(h->mem_total - MIN(h->mem_available, h->mem_total), a, sizeof(a)),
                 format_size(h->mem_total, b, sizeof(b)), mem_frac * 100);
        if (x < t->cols)
                x += tui_put(1, x, buf, t->cols - x, false);
        if (bar && x + bar <= t->cols)
                draw_bar(t, 1, x, bar, mem_frac, t->attrs[TUI_A_MEM]);

        /* Line 3: instances by runtime, most first. */
        for (size_t i = 0; i < m->n_rows; i++) {
                const TopRow *r = &m->rows[i];
                size_t k;

                if (r->state == TOP_ROW_GONE || r->host)
                        continue;
                n_live++;
                for (k = 0; k < n_rc; k++)
                        if (streq(rc[k].name, r->runtime ? r->runtime : "?"))
                                break;
                if (k == n_rc)
                        rc[n_rc++] = (RuntimeCount){ r->runtime ? r->runtime : "?", 0 };
                rc[k].n++;
        }
        qsort(rc, n_rc, sizeof(*rc), runtime_count_cmp);
        attron(t->attrs[TUI_A_HEADER]);
        snprintf(buf, sizeof(buf), "%zu instance%s", n_live, n_live == 1 ? "" : "s");
        x = tui_put(2, 0, buf, t->cols, false);
        attroff(t->attrs[TUI_A_HEADER]);
        for (size_t k = 0; k < n_rc && x < t->cols; k++) {
                snprintf(buf, sizeof(buf), "%s %zu %s", k == 0 ? ":" : ",", rc[k].n, rc[k].name);
                x += tui_put(2, x, buf, t->cols - x, false);
        }
        if (m->filter && m->filter[0] && t->mode != TUI_MODE_FILTER) {
                snprintf(buf, sizeof(buf), "   filter: %s (%zu shown)", m->filter, m->n_view);
                if (x < t->cols)
                        tui_put(2, x, buf, t->cols - x, false);
        }
}

static void draw_headings(Tui *t)
{
        int y = t->table_y;

        attron(t->attrs[TUI_A_HEADING]);
        fill_line(y, 0, t->cols);
        for (size_t i = 0; i < t->n_tcols; i++) {
                const TuiCol *tc = &t->tcols[i];
                bool sorted = tc->col == t->m->sort;
                const char *name = tc->col == TOP_COL_INVALID ? "" : top_columns[tc->col].name;

                if (sorted) {
                        attroff(t->attrs[TUI_A_HEADING]);
                        attron(t->attrs[TUI_A_SORTED]);
                }
                tui_put(y, tc->x, name, tc->width,
                        tc->col != TOP_COL_INVALID && top_columns[tc->col].right);
                if (sorted) {
                        attroff(t->attrs[TUI_A_SORTED]);
                        attron(t->attrs[TUI_A_HEADING]);
                }
        }
        attroff(t->attrs[TUI_A_HEADING]);
}

static void draw_row(Tui *t, const TopRow *r, int y, bool selected)
{
        const TopModel *m = t->m;
        int base = selected                  ? t->attrs[TUI_A_SELECTED]
                   : r->state == TOP_ROW_GONE ? t->attrs[TUI_A_GONE]
                   : r->state == TOP_ROW_NEW  ? t->attrs[TUI_A_NEW]
                                              : t->attrs[TUI_A_NORMAL];

        attron(base);
        fill_line(y, 0, t->cols);
        for (size_t i = 0; i < t->n_tcols; i++) {
                const TuiCol *tc = &t->tcols[i];
                char buf[4096];
                int x = tc->x, w = tc->width;

                if (tc->col == TOP_COL_INVALID) {
                        if (!selected && r->state != TOP_ROW_GONE)
                                attroff(base);
                        tui_draw_spark(t, r, y, x, w);
                        attron(base);
                        continue;
                }
                if (tc->col == TOP_COL_NAME && m->tree && r->depth > 0) {
                        /* nested instances under their parents */
                        int indent = MIN(2 * (r->depth - 1), w / 2);
                        x += indent;
                        w -= indent;
                        x += tui_put(y, x, t->utf8 ? "└ " : "`-", w, false);
                        w -= 2;
                }
                top_cell(m, r, tc->col, buf, sizeof(buf));
                if (tc->col == TOP_COL_HEALTH && buf[0] && !selected && r->state != TOP_ROW_GONE) {
                        attroff(base);
                        attron(t->attrs[TUI_A_WARN]);
                        tui_put(y, x, buf, w, false);
                        attroff(t->attrs[TUI_A_WARN]);
                        attron(base);
                        continue;
                }
                tui_put(y, x, buf, w, top_columns[tc->col].right);
        }
        attroff(base);
}

static void draw_table(Tui *t)
{
        draw_headings(t);
        for (int i = 0; i < t->table_rows; i++) {
                size_t k = t->top + (size_t)i;

                if (k >= t->n_order)
                        break;
                draw_row(t, &t->m->rows[t->order[k]], t->table_y + 1 + i, k == t->sel);
        }
        if (t->n_order == 0 && t->table_rows > 0)
                tui_put(t->table_y + 2, 2,
                        t->m->filter && t->m->filter[0] ? "no instance matches the filter"
                                                        : "no instance",
                        t->cols - 2, false);
}

static void draw_status(Tui *t)
{
        int y = t->status_y;
        char buf[512];

        if (y < 0)
                return;
        move(y, 0);
        clrtoeol();
        if (t->mode == TUI_MODE_FILTER) {
                attron(t->attrs[TUI_A_HEADER]);
                tui_put(y, 0, "Filter:", 7, false);
                attroff(t->attrs[TUI_A_HEADER]);
                snprintf(buf, sizeof(buf), " %s_   (Enter: keep, Esc: cancel; %zu shown)", t->filter,
                         t->m->n_view);
                tui_put(y, 7, buf, t->cols - 7, false);
                return;
        }
        if (t->status[0]) {
                int a = t->status_warn ? t->attrs[TUI_A_WARN] : t->attrs[TUI_A_STATUS];
                attron(a);
                tui_put(y, 0, t->status, t->cols, false);
                attroff(a);
                return;
        }
        if (t->m->n_unreadable > 0 && geteuid() != 0) {
                snprintf(buf, sizeof(buf),
                         "%zu processes or files could not be read (not root): figures are partial   ?: help",
                         t->m->n_unreadable);
                attron(t->attrs[TUI_A_WARN]);
                tui_put(y, 0, buf, t->cols, false);
                attroff(t->attrs[TUI_A_WARN]);
                return;
        }
        tui_put(y, 0,
                t->view == TUI_VIEW_PROCS
                        ? "Esc back  i inspect  e shell  k signal  p freeze/thaw  ? help  q quit"
                : t->view == TUI_VIEW_INSPECT
                        ? "Esc, q back  Up Down PgUp PgDn scroll  i again  e shell  k signal  p freeze/thaw  ? help"
                        : "? help  / filter  < > sort  t tree  Enter processes  i inspect  e shell  "
                          "k signal  p freeze  q quit",
                t->cols, false);
}

static void draw_sort_menu(Tui *t)
{
        int h = (int)t->n_tcols + 2, w = 24;
        int y0 = MAX(t->table_y + 1, 0), x0 = 2;
        size_t k = 0;

        attron(t->attrs[TUI_A_MENU]);
        for (int y = 0; y < h && y0 + y < t->status_y; y++)
                for (int x = 0; x < w; x++)
                        mvaddch(y0 + y, x0 + x, ' ');
        tui_put(y0, x0 + 1, "Sort by (Enter, Esc)", w - 2, false);
        for (size_t i = 0; i < t->n_tcols; i++) {
                const TuiCol *tc = &t->tcols[i];
                int y = y0 + 1 + (int)k;

                if (tc->col == TOP_COL_INVALID)
                        continue;
                if (y >= t->status_y)
                        break;
                if ((int)k == t->menu_sel)
                        attron(A_REVERSE);
                tui_put(y, x0 + 2, top_columns[tc->col].name, w - 4, false);
                if (tc->col == t->m->sort)
                        tui_put(y, x0 + w - 3, "*", 1, false);
                if ((int)k == t->menu_sel)
                        attroff(A_REVERSE);
                k++;
        }
        attroff(t->attrs[TUI_A_MENU]);
}

void tui_draw(Tui *t)
{
        erase();
        if (t->height < 5 || t->cols < 20) {
                tui_put(0, 0, "ns top: the terminal is too small", t->cols, false);
                refresh();
                return;
        }
        draw_header(t);
        if (t->mode == TUI_MODE_HELP) {
                tui_help_draw(t);
                refresh();
                return;
        }
        if (t->view == TUI_VIEW_PROCS)
                tui_procs_draw(t);
        else if (t->view == TUI_VIEW_INSPECT)
                tui_inspect_draw(t);
        else
                draw_table(t);
        /* the report has every line down to the status line */
        if (t->graph_y >= 0 && t->view != TUI_VIEW_INSPECT)
                tui_draw_graphs(t, tui_view_row(t));
        if (t->mode == TUI_MODE_SORT)
                draw_sort_menu(t);
        else if (t->mode == TUI_MODE_SIGNAL || t->mode == TUI_MODE_NO_SHELL)
                tui_action_menu_draw(t);
        draw_status(t);
        refresh();
}

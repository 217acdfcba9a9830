/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>

#include "macro.h"
#include "tui-internal.h"

/*
 * What each key and mouse event does, by mode: the table, the filter
 * prompt, the sort and signal menus, help. The process view has its own
 * keys (procview.c) beyond the ones common to both views.
 */

#define CTRL(c) ((c) & 0x1f)
#define KEY_ESC 27

bool tui_move_key(int ch, const MEVENT *ev, long cur, long n, long page, long *ret)
{
        long target;

        switch (ch) {
        case KEY_UP:
        case CTRL('p'):
                target = cur - 1;
                break;
        case KEY_DOWN:
        case CTRL('n'):
        case 'j':
                target = cur + 1;
                break;
        case KEY_PPAGE:
        case CTRL('b'):
                target = cur - page;
                break;
        case KEY_NPAGE:
        case CTRL('f'):
        case ' ':
                target = cur + page;
                break;
        case KEY_HOME:
        case 'g':
                target = 0;
                break;
        case KEY_END:
        case 'G':
                target = n - 1;
                break;
        case KEY_MOUSE:
                if (ev && (ev->bstate & BUTTON4_PRESSED))
                        target = cur - 3;
                else if (ev && (ev->bstate & BUTTON5_PRESSED))
                        target = cur + 3;
                else
                        return false;
                break;
        default:
                return false;
        }
        *ret = MAX(MIN(target, n - 1), 0L);
        return true;
}

bool tui_back_key(int ch)
{
        return ch == KEY_ESC || ch == KEY_LEFT || ch == KEY_BACKSPACE || ch == 127;
}

/* A key that moves through the rows: the order holds still for a while. */
static void navigate(Tui *t, long delta)
{
        size_t n = t->n_order;
        long target = (long)t->sel + delta;

        t->scroll_usec = tui_now();
        if (n == 0)
                return;
        if (target < 0)
                target = 0;
        if ((size_t)target >= n)
                target = (long)n - 1;
        tui_select(t, (size_t)target);
}

/* The sortable columns on screen, in screen order; returns how many. */
static size_t sortable_columns(const Tui *t, TopColumn ret[TOP_COL_MAX + 1])
{
        size_t n = 0;

        for (size_t i = 0; i < t->n_tcols; i++)
                if (t->tcols[i].col != TOP_COL_INVALID)
                        ret[n++] = t->tcols[i].col;
        return n;
}

static void sort_by(Tui *t, TopColumn col, bool invert)
{
        top_model_set_sort(t->m, col, invert);
        /* asked for: now, whatever the user was scrolling */
        tui_order(t, false);
        t->dirty = true;
}

/* "<" and ">": the sort column to the left or right of the current one. */
static void sort_step(Tui *t, int dir)
{
        TopColumn cols[TOP_COL_MAX + 1];
        size_t n = sortable_columns(t, cols), cur = 0;
        bool found = false;

        if (n == 0)
                return;
        for (size_t i = 0; i < n; i++)
                if (cols[i] == t->m->sort) {
                        cur = i;
                        found = true;
                }
        if (!found)
                cur = dir > 0 ? n - 1 : 0;
        cur = (cur + n + (size_t)(long)dir) % n;
        sort_by(t, cols[cur], false);
}

static void filter_apply(Tui *t)
{
        top_model_set_filter(t->m, t->filter[0] ? t->filter : NULL);
        tui_order(t, false);
        tui_layout(t);
        t->dirty = true;
}

static void filter_key(Tui *t, int ch)
{
        size_t len = strlen(t->filter);

        switch (ch) {
        case KEY_ESC:
                /* cancel: the filter from before "/" */
                snprintf(t->filter, sizeof(t->filter), "%s", t->filter_before ? t->filter_before : "");
                filter_apply(t);
                t->mode = TUI_MODE_NORMAL;
                break;
        case '\n':
        case '\r':
        case KEY_ENTER:
                t->mode = TUI_MODE_NORMAL;
                break;
        case KEY_BACKSPACE:
        case 127:
        case CTRL('h'):
                /* one character, all the bytes of a UTF-8 one */
                while (len > 0 && ((unsigned char)t->filter[len - 1] & 0xc0) == 0x80)
                        len--;
                if (len > 0)
                        len--;
                t->filter[len] = '\0';
                filter_apply(t);
                break;
        case CTRL('u'):
                t->filter[0] = '\0';
                filter_apply(t);
                break;
        default:
                /* printable bytes only; a multibyte character comes byte by byte */
                if (ch < 0x20 || ch > 0xff || ch == 0x7f || len + 1 >= sizeof(t->filter))
                        break;
                t->filter[len] = (char)ch;
                t->filter[len + 1] = '\0';
                filter_apply(t);
                break;
        }
        t->dirty = true;
}

/* A key that moves through a menu of n entries; false when ch is not one. */
static bool menu_move(Tui *t, int ch, int n)
{
        long target;

        if (!tui_move_key(ch, NULL, t->menu_sel, n, n, &target))
                return false;
        t->menu_sel = (int)target;
        t->dirty = true;
        return true;
}

static void sort_menu_key(Tui *t, int ch)
{
        TopColumn cols[TOP_COL_MAX + 1];
        int n = (int)sortable_columns(t, cols);

        if (menu_move(t, ch, n))
                return;
        switch (ch) {
        case '\n':
        case '\r':
        case KEY_ENTER:
                if (t->menu_sel >= 0 && t->menu_sel < n)
                        sort_by(t, cols[t->menu_sel], t->m->sort == cols[t->menu_sel] ? t->m->sort_invert : false);
                t->mode = TUI_MODE_NORMAL;
                break;
        case KEY_ESC:
        case 'q':
        case KEY_F(6):
                t->mode = TUI_MODE_NORMAL;
                break;
        default:
                break;
        }
        t->dirty = true;
}

static void signal_menu_key(Tui *t, int ch)
{
        int n = (int)ELEMENTSOF(tui_signals);

        if (menu_move(t, ch, n))
                return;
        switch (ch) {
        case '\t':
        case 'a':
        case KEY_LEFT:
        case KEY_RIGHT:
                t->sig_all = !t->sig_all;
                break;
        case '\n':
        case '\r':
        case KEY_ENTER:
                t->mode = TUI_MODE_NORMAL;
                tui_action_signal(t, tui_signals[t->menu_sel], t->sig_all);
                break;
        case KEY_ESC:
        case 'q':
                t->mode = TUI_MODE_NORMAL;
                break;
        default:
                if (ch >= '1' && ch < '1' + n)
                        t->menu_sel = ch - '1';
                break;
        }
        t->dirty = true;
}

static void mouse_event(Tui *t)
{
        MEVENT ev;

        long target;

        if (getmouse(&ev) != OK)
                return;
        if (tui_move_key(KEY_MOUSE, &ev, (long)t->sel, (long)t->n_order, 3, &target)) {
                navigate(t, target - (long)t->sel);
                return;
        }
        if (!(ev.bstate & BUTTON1_PRESSED))
                return;
        if (ev.y == t->table_y) {
                int col = tui_column_at(t, ev.x);

                if (col == TOP_COL_INVALID)
                        return;
                /* the sort column again: the other way round */
                if ((TopColumn)col == t->m->sort)
                        sort_by(t, t->m->sort, !t->m->sort_invert);
                else
                        sort_by(t, (TopColumn)col, false);
                return;
        }
        if (ev.y > t->table_y && ev.y <= t->table_y + t->table_rows) {
                size_t k = t->top + (size_t)(ev.y - t->table_y - 1);
                if (k < t->n_order) {
                        t->scroll_usec = tui_now();
                        tui_select(t, k);
                }
        }
}

static void table_key(Tui *t, int ch)
{
        long page = MAX(t->table_rows - 1, 1), target;

        if (tui_move_key(ch, NULL, (long)t->sel, (long)t->n_order, page, &target)) {
                navigate(t, target - (long)t->sel);
                t->dirty = true;
                return;
        }
        switch (ch) {
        case '\n':
        case '\r':
        case KEY_ENTER:
        case KEY_RIGHT:
                if (tui_selected(t)) {
                        snprintf(t->procs_id, sizeof(t->procs_id), "%s", tui_selected(t)->id);
                        t->view = TUI_VIEW_PROCS;
                        t->psel = t->ptop = 0;
                        t->psel_pid = 0;
                        (void)tui_procs_load(t);
                }
                break;
        case '/':
                free(t->filter_before);
                t->filter_before = xstrdup(t->m->filter ? t->m->filter : "");
                snprintf(t->filter, sizeof(t->filter), "%s", t->filter_before);
                t->mode = TUI_MODE_FILTER;
                break;
        case KEY_ESC:
                if (t->m->filter && t->m->filter[0]) {
                        t->filter[0] = '\0';
                        filter_apply(t);
                }
                break;
        case '<':
        case ',':
                sort_step(t, -1);
                break;
        case '>':
        case '.':
                sort_step(t, 1);
                break;
        case KEY_F(6): {
                TopColumn cols[TOP_COL_MAX + 1];
                size_t n = sortable_columns(t, cols);

                t->menu_sel = 0;
                for (size_t i = 0; i < n; i++)
                        if (cols[i] == t->m->sort)
                                t->menu_sel = (int)i;
                t->mode = TUI_MODE_SORT;
                break;
        }
        case 'I':
                sort_by(t, t->m->sort, !t->m->sort_invert);
                break;
        case 't':
                top_model_set_tree(t->m, !t->m->tree);
                tui_order(t, false);
                tui_layout(t);
                break;
        default:
                break;
        }
        t->dirty = true;
}

void tui_key(Tui *t, int ch)
{
        if (ch == KEY_RESIZE) {
                tui_layout(t);
                clearok(curscr, TRUE);
                return;
        }
        switch (t->mode) {
        case TUI_MODE_HELP:
                /* any key closes help */
                t->mode = TUI_MODE_NORMAL;
                t->dirty = true;
                return;
        case TUI_MODE_FILTER:
                filter_key(t, ch);
                return;
        case TUI_MODE_SORT:
                sort_menu_key(t, ch);
                return;
        case TUI_MODE_SIGNAL:
                signal_menu_key(t, ch);
                return;
        case TUI_MODE_NO_SHELL:
                t->mode = TUI_MODE_NORMAL;
                t->dirty = true;
                if (ch == 'E')
                        tui_action_enter(t, true);
                return;
        case TUI_MODE_NORMAL:
                break;
        }

        /* the report is a pager: q leaves it, as in less */
        if (t->view == TUI_VIEW_INSPECT && (ch == 'q' || ch == 'i' || ch == KEY_MOUSE)) {
                tui_inspect_key(t, ch);
                return;
        }
        switch (ch) {
        case 'q':
        case 'Q':
        case KEY_F(10):
                t->quit = true;
                return;
        case '?':
        case 'h':
        case KEY_F(1):
                t->mode = TUI_MODE_HELP;
                t->dirty = true;
                return;
        case CTRL('l'):
                clearok(curscr, TRUE);
                t->dirty = true;
                return;
        case 'e':
                tui_action_enter(t, false);
                return;
        case 'E':
                tui_action_enter(t, true);
                return;
        case 'k':
                if (!tui_selected(t) && t->view == TUI_VIEW_TABLE)
                        return;
                t->menu_sel = 0;
                t->sig_all = false;
                t->mode = TUI_MODE_SIGNAL;
                t->dirty = true;
                return;
        case 'p':
                tui_action_freeze(t);
                return;
        case 'i': {
                TopRow *r = tui_view_row(t);

                if (!r) {
                        tui_status(t, true, "no instance to inspect");
                        return;
                }
                if (t->view == TUI_VIEW_PROCS)
                        tui_procs_clear(t);
                tui_inspect_open(t, r);
                return;
        }
        case KEY_MOUSE:
                if (t->view == TUI_VIEW_TABLE)
                        mouse_event(t);
                else
                        tui_procs_key(t, ch);
                t->dirty = true;
                return;
        default:
                break;
        }
        if (t->view == TUI_VIEW_PROCS)
                tui_procs_key(t, ch);
        else if (t->view == TUI_VIEW_INSPECT)
                tui_inspect_key(t, ch);
        else
                table_key(t, ch);
}

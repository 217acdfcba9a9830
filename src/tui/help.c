/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>

#include "macro.h"
#include "tui-internal.h"

/* "?": every key, and what the row colours mean. Any key closes it. */

static const char *const help_keys[][2] = {
        { "Up Down, Ctrl-P Ctrl-N, j", "move the selection (k is the signal menu)" },
        { "PgUp PgDn, Home End, g G", "by pages, to the first and last row" },
        { "Enter, Right", "the processes of the instance (Esc, Left: back)" },
        { "/", "filter by id, name, runtime or command (Enter: keep, Esc: cancel)" },
        { "Esc", "clear the filter" },
        { "< >, F6", "sort by the column to the left or right; F6: choose from a menu" },
        { "I", "invert the sort order" },
        { "t", "nested instances as a tree under their parents" },
        { "e", "a shell inside the instance (as ns enter)" },
        { "E", "a shell with host tools in the instance (as ns enter --tools)" },
        { "k", "send a signal to the leader or every member (as ns kill)" },
        { "p", "freeze or thaw the instance's cgroup" },
        { "i", "ns inspect of the instance, refreshed (Esc, q: back; i: again now)" },
        { "Ctrl-L", "redraw the screen" },
        { "?, h, F1", "this help" },
        { "q, F10", "quit" },
        { "mouse", "click a row to select, a heading to sort (again: invert); wheel scrolls" },
};

static const char *const help_rows[][2] = {
        { "bold, green", "an instance that just appeared" },
        { "grey", "an instance that exited (kept for a few refreshes)" },
        { "HEALTH", "frozen, nD tasks in D state, nZ zombies, +n oom kills, +n forks refused" },
        { "CPU%", "100% is one core; the bars after it are the last refreshes" },
};

void tui_help_draw(Tui *t)
{
        int y = t->table_y, key_w = 28;

        attron(t->attrs[TUI_A_HEADING]);
        for (int x = 0; x < t->cols; x++)
                mvaddch(y, x, ' ');
        tui_put(y, 1, "ns top keys (any key closes this; see ns-top(1))", t->cols - 1, false);
        attroff(t->attrs[TUI_A_HEADING]);
        y += 2;
        for (size_t i = 0; i < ELEMENTSOF(help_keys) && y < t->status_y; i++, y++) {
                attron(t->attrs[TUI_A_HEADER]);
                tui_put(y, 2, help_keys[i][0], key_w - 2, false);
                attroff(t->attrs[TUI_A_HEADER]);
                tui_put(y, key_w + 1, help_keys[i][1], t->cols - key_w - 1, false);
        }
        y++;
        for (size_t i = 0; i < ELEMENTSOF(help_rows) && y < t->status_y; i++, y++) {
                attron(t->attrs[TUI_A_HEADER]);
                tui_put(y, 2, help_rows[i][0], key_w - 2, false);
                attroff(t->attrs[TUI_A_HEADER]);
                tui_put(y, key_w + 1, help_rows[i][1], t->cols - key_w - 1, false);
        }
}

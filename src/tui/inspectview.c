/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>
#include <stdio.h>

#include "inspect.h"
#include "macro.h"
#include "tui-internal.h"
#include "util.h"

/*
 * The inspect view (i): the report of ns inspect for one instance, as
 * text in a pager that takes the table's place. It is taken again at each
 * refresh of the model, over the model's own scan and sample (no second
 * scan of /proc), and keeps its scroll position. inspect_instance() reads
 * what a D-state task can block through its deadline reader, so a refresh
 * waits at most the report's read budget.
 */


void tui_inspect_clear(Tui *t)
{
        for (size_t i = 0; i < t->n_insp; i++)
                free(t->insp[i]);
        free(t->insp);
        t->insp = NULL;
        t->n_insp = 0;
}

/* The report's text, one malloc'd string a line, control bytes replaced. */
static void split_lines(Tui *t, char *text, size_t len)
{
        size_t n = 0, start = 0;

        for (size_t i = 0; i < len; i++)
                if (text[i] == '\n')
                        n++;
        t->insp = xnew(char *, n + 2);
        for (size_t i = 0; i <= len; i++) {
                if (i < len && text[i] != '\n')
                        continue;
                /* no empty line after the last newline */
                if (i == len && start == len)
                        break;
                text[i] = '\0';
                t->insp[t->n_insp++] = str_sanitize(xstrdup(text + start));
                start = i + 1;
        }
}

int tui_inspect_load(Tui *t)
{
        const Instances *is = t->m->instances;
        const Instance *in = top_model_instance(t->m, t->insp_id);
        InspectReport *rep = NULL;
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f;
        int r;

        tui_inspect_clear(t);
        t->insp_error = 0;
        if (!in) {
                t->insp_error = -ESRCH;
                return -ESRCH;
        }
        r = inspect_instance(t->proc_fd, t->root_fd, is, (size_t)(in - is->items),
                             t->m->snap ? stats_snapshot_find(t->m->snap, t->insp_id) : NULL, NULL,
                             &rep);
        if (r < 0) {
                t->insp_error = r;
                return r;
        }
        f = open_memstream(&text, &len);
        if (!f) {
                inspect_report_free(rep);
                t->insp_error = -errno;
                return t->insp_error;
        }
        r = inspect_write_text(rep, f);
        inspect_report_free(rep);
        if (fclose(f) != 0 && r >= 0)
                r = -errno;
        if (r < 0) {
                t->insp_error = r;
                return r;
        }
        split_lines(t, text, len);
        t->insp_taken = time(NULL);
        t->dirty = true;
        return 0;
}

void tui_inspect_open(Tui *t, const TopRow *r)
{
        snprintf(t->insp_id, sizeof(t->insp_id), "%s", r->id);
        t->view = TUI_VIEW_INSPECT;
        t->insp_top = 0;
        (void)tui_inspect_load(t);
}

/* Lines of report on screen: below the title, down to the status line. */
static int inspect_rows(const Tui *t)
{
        return MAX(t->status_y - t->table_y - 1, 0);
}

static void inspect_scroll(Tui *t, long target)
{
        long last = (long)t->n_insp - inspect_rows(t);

        if (target > last)
                target = last;
        if (target < 0)
                target = 0;
        t->insp_top = (size_t)target;
}

void tui_inspect_draw(Tui *t)
{
        const TopRow *r = top_model_find(t->m, t->insp_id);
        int y = t->table_y, rows = inspect_rows(t);
        char buf[512], eb[64], when[16];
        struct tm tm;

        /* a refresh may have shortened the report */
        inspect_scroll(t, (long)t->insp_top);
        if (t->insp_taken && localtime_r(&t->insp_taken, &tm))
                strftime(when, sizeof(when), "%H:%M:%S", &tm);
        else
                snprintf(when, sizeof(when), "-");
        snprintf(buf, sizeof(buf), "inspect %s (%s) at %s, lines %zu-%zu of %zu   Esc, q: back",
                 r ? tui_row_label(r) : t->insp_id, t->insp_id, when,
                 t->n_insp ? t->insp_top + 1 : 0, MIN(t->insp_top + (size_t)rows, t->n_insp),
                 t->n_insp);
        attron(t->attrs[TUI_A_HEADING]);
        for (int x = 0; x < t->cols; x++)
                mvaddch(y, x, ' ');
        tui_put(y, 0, buf, t->cols, false);
        attroff(t->attrs[TUI_A_HEADING]);

        if (t->insp_error) {
                if (t->insp_error == -ESRCH)
                        snprintf(buf, sizeof(buf), "the instance has exited (Esc: back)");
                else
                        snprintf(buf, sizeof(buf), "cannot inspect '%s': %s", t->insp_id,
                                 tui_errstr(t->insp_error, eb));
                attron(t->attrs[TUI_A_WARN]);
                tui_put(y + 2, 2, buf, t->cols - 2, false);
                attroff(t->attrs[TUI_A_WARN]);
                return;
        }
        for (int i = 0; i < rows && t->insp_top + (size_t)i < t->n_insp; i++) {
                const char *line = t->insp[t->insp_top + (size_t)i];
                /* section titles (not indented) stand out */
                bool title = line[0] && line[0] != ' ';

                if (title)
                        attron(t->attrs[TUI_A_HEADER]);
                tui_put(y + 1 + i, 0, line, t->cols, false);
                if (title)
                        attroff(t->attrs[TUI_A_HEADER]);
        }
}

void tui_inspect_key(Tui *t, int ch)
{
        /* the first line shown moves, and stops where the last line is at the bottom */
        long page = MAX(inspect_rows(t) - 1, 1), target;
        long last = MAX((long)t->n_insp - inspect_rows(t), 0L);
        MEVENT ev;
        bool have_ev = ch == KEY_MOUSE && getmouse(&ev) == OK;

        if (tui_move_key(ch, have_ev ? &ev : NULL, (long)t->insp_top, last + 1, page, &target)) {
                inspect_scroll(t, target);
                t->dirty = true;
                return;
        }
        /* a pager: q leaves it too, as in less */
        if (tui_back_key(ch) || ch == 'q') {
                tui_view_back(t);
                return;
        }
        switch (ch) {
        case '\n':
        case '\r':
        case KEY_ENTER:
                /* as in less: a line further */
                inspect_scroll(t, (long)t->insp_top + 1);
                break;
        case 'i':
                /* now, not at the next refresh */
                (void)tui_inspect_load(t);
                break;
        default:
                break;
        }
        t->dirty = true;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>

#include "hostroot.h"
#include "macro.h"
#include "procinfo.h"
#include "scan.h"
#include "tui-internal.h"
#include "usercache.h"
#include "util.h"

/*
 * The process view (Enter): the processes of one instance with the
 * columns of ns ps (host PID, PID inside, user, state, CPU, RSS, command),
 * as a tree by parent. Reloaded at each refresh from the model's scan; the
 * selection follows its pid.
 */

#define KEY_ESC 27

void tui_procs_clear(Tui *t)
{
        for (size_t i = 0; i < t->n_procs; i++) {
                free(t->procs[i].user);
                free(t->procs[i].command);
        }
        free(t->procs);
        t->procs = NULL;
        t->n_procs = 0;
}

static const Instance *find_instance(const TopModel *m, const char *id)
{
        if (!m->instances)
                return NULL;
        for (size_t i = 0; i < m->instances->n; i++)
                if (streq(m->instances->items[i].id, id))
                        return &m->instances->items[i];
        return NULL;
}

/* Children after their parent, siblings by pid: a depth-first walk. */
static void tree_walk(const TuiProc *in, size_t n, bool *done, size_t i, int depth, TuiProc *out,
                      size_t *n_out)
{
        done[i] = true;
        out[*n_out] = in[i];
        out[*n_out].depth = depth;
        (*n_out)++;
        /* in[] is sorted by pid, so the children come in pid order */
        for (size_t k = 0; k < n; k++)
                if (!done[k] && in[k].ppid == in[i].pid)
                        tree_walk(in, n, done, k, depth + 1, out, n_out);
}

static int by_pid(const void *a, const void *b)
{
        const TuiProc *x = a, *y = b;

        return (x->pid > y->pid) - (x->pid < y->pid);
}

int tui_procs_load(Tui *t)
{
        const Instance *in = find_instance(t->m, t->procs_id);
        _cleanup_free_ pid_t *pids = NULL;
        _cleanup_free_ TuiProc *flat = NULL;
        _cleanup_free_ bool *done = NULL;
        ProcInfo *infos = NULL;
        UserCache users = {};
        size_t n = 0, n_out = 0;
        int r;

        tui_procs_clear(t);
        t->procs_error = 0;
        if (!in) {
                t->procs_error = -ESRCH;
                return -ESRCH;
        }
        pids = xnew(pid_t, in->n_members + 1);
        for (size_t k = 0; k < in->n_members; k++)
                pids[k] = instance_member(t->m->instances, in, k)->pid;
        r = procinfo_load(pids, in->n_members, &infos);
        if (r < 0) {
                t->procs_error = r;
                return r;
        }
        /* libproc2 names users through NSS, ns' own: the host's are below its root */
        if (host_root_differs(t->proc_fd, t->root_fd, 0))
                user_cache_set_root(&users, t->root_fd);
        flat = xnew(TuiProc, in->n_members + 1);
        for (size_t k = 0; k < in->n_members; k++) {
                const ProcInfo *pi = &infos[k];
                TuiProc *p;

                if (pi->pid == 0)
                        continue; /* exited since the scan */
                p = &flat[n++];
                p->pid = pi->pid;
                p->ppid = pi->ppid;
                if (proc_read_nspid(t->proc_fd, pi->pid, &p->nspid) < 0)
                        p->nspid = 0;
                p->user = xstrdup(user_cache_name(&users, pi->pid > 0 ? pi->uid : (uid_t)-1));
                p->state = pi->state;
                p->cpu = pi->cpu;
                p->rss = pi->rss;
                /* the instance chose its command line: no escape sequences */
                p->command = str_sanitize(xstrdup(pi->command ? pi->command : ""));
        }
        procinfo_free(infos, in->n_members);
        user_cache_done(&users);

        qsort(flat, n, sizeof(*flat), by_pid);
        done = xnew(bool, n + 1);
        t->procs = xnew(TuiProc, n + 1);
        for (size_t i = 0; i < n; i++) {
                bool has_parent = false;

                for (size_t k = 0; k < n && !has_parent; k++)
                        has_parent = flat[k].pid == flat[i].ppid;
                if (!has_parent && !done[i])
                        tree_walk(flat, n, done, i, 0, t->procs, &n_out);
        }
        /* a cycle cannot happen in a process tree; whatever is left, flat */
        for (size_t i = 0; i < n; i++)
                if (!done[i])
                        tree_walk(flat, n, done, i, 0, t->procs, &n_out);
        t->n_procs = n_out;

        t->psel = 0;
        for (size_t i = 0; i < t->n_procs; i++)
                if (t->procs[i].pid == t->psel_pid)
                        t->psel = i;
        if (t->n_procs > 0)
                t->psel_pid = t->procs[t->psel].pid;
        t->dirty = true;
        return 0;
}

static const struct {
        const char *name;
        int width;
        bool right;
} pcols[] = {
        { "PID", 7, true }, { "NSPID", 7, true }, { "USER", 10, false }, { "STATE", 5, false },
        { "CPU", 6, true }, { "RSS", 7, true },   { "COMMAND", 0, false },
};

static int procs_rows(const Tui *t)
{
        /* the title and the headings take the first two lines */
        return MAX(t->table_rows - 1, 0);
}

static void procs_select(Tui *t, long target)
{
        int rows = procs_rows(t);

        if (t->n_procs == 0)
                return;
        if (target < 0)
                target = 0;
        if ((size_t)target >= t->n_procs)
                target = (long)t->n_procs - 1;
        t->psel = (size_t)target;
        t->psel_pid = t->procs[t->psel].pid;
        if (t->psel < t->ptop)
                t->ptop = t->psel;
        else if (rows > 0 && t->psel >= t->ptop + (size_t)rows)
                t->ptop = t->psel - (size_t)rows + 1;
}

void tui_procs_draw(Tui *t)
{
        const TopRow *r = top_model_find(t->m, t->procs_id);
        int y = t->table_y, rows = procs_rows(t), x;
        char buf[512], eb[64];

        if (t->psel >= t->ptop + (size_t)MAX(rows, 1))
                procs_select(t, (long)t->psel);
        snprintf(buf, sizeof(buf), "processes of %s (%s, %s): %zu   Esc: back", r ? tui_row_label(r) : t->procs_id,
                 t->procs_id, r && r->runtime ? r->runtime : "?", t->n_procs);
        attron(t->attrs[TUI_A_HEADER]);
        tui_put(y, 0, buf, t->cols, false);
        attroff(t->attrs[TUI_A_HEADER]);

        y++;
        attron(t->attrs[TUI_A_HEADING]);
        for (int i = 0; i < t->cols; i++)
                mvaddch(y, i, ' ');
        x = 0;
        for (size_t c = 0; c < ELEMENTSOF(pcols); c++) {
                int w = pcols[c].width ? pcols[c].width : MAX(t->cols - x, 0);
                tui_put(y, x, pcols[c].name, w, pcols[c].right);
                x += w + 1;
        }
        attroff(t->attrs[TUI_A_HEADING]);

        if (t->procs_error) {
                if (t->procs_error == -ESRCH)
                        snprintf(buf, sizeof(buf), "the instance has exited (Esc: back)");
                else if (t->procs_error == -ELIBACC)
                        snprintf(buf, sizeof(buf),
                                 "cannot load libproc2.so.0: the process view needs it (install libproc2-0)");
                else
                        snprintf(buf, sizeof(buf), "cannot read the processes: %s",
                                 tui_errstr(t->procs_error, eb));
                attron(t->attrs[TUI_A_WARN]);
                tui_put(y + 2, 2, buf, t->cols - 2, false);
                attroff(t->attrs[TUI_A_WARN]);
                return;
        }
        for (int i = 0; i < rows; i++) {
                size_t k = t->ptop + (size_t)i;
                const TuiProc *p;
                int ly = y + 1 + i;
                char cells[7][64];
                bool sel = k == t->psel;

                if (k >= t->n_procs)
                        break;
                p = &t->procs[k];
                snprintf(cells[0], sizeof(cells[0]), "%d", (int)p->pid);
                if (p->nspid > 0)
                        snprintf(cells[1], sizeof(cells[1]), "%d", (int)p->nspid);
                else
                        snprintf(cells[1], sizeof(cells[1]), "-");
                snprintf(cells[2], sizeof(cells[2]), "%s", p->user);
                snprintf(cells[3], sizeof(cells[3]), "%c", p->state);
                snprintf(cells[4], sizeof(cells[4]), "%.1f", p->cpu);
                format_size(p->rss, cells[5], sizeof(cells[5]));
                if (sel) {
                        attron(t->attrs[TUI_A_SELECTED]);
                        for (int c = 0; c < t->cols; c++)
                                mvaddch(ly, c, ' ');
                }
                x = 0;
                for (size_t c = 0; c < ELEMENTSOF(pcols) - 1; c++) {
                        tui_put(ly, x, cells[c], pcols[c].width, pcols[c].right);
                        x += pcols[c].width + 1;
                }
                if (p->depth > 0) {
                        int indent = MIN(2 * (p->depth - 1), (t->cols - x) / 2);
                        x += indent;
                        x += tui_put(ly, x, t->utf8 ? "└─ " : "`- ", MAX(t->cols - x, 0), false);
                }
                if (x < t->cols)
                        tui_put(ly, x, p->command, t->cols - x, false);
                if (sel)
                        attroff(t->attrs[TUI_A_SELECTED]);
        }
}

void tui_procs_key(Tui *t, int ch)
{
        long page = MAX(procs_rows(t) - 1, 1);
        MEVENT ev;

        switch (ch) {
        case KEY_ESC:
        case KEY_LEFT:
        case KEY_BACKSPACE:
        case 127:
                t->view = TUI_VIEW_TABLE;
                tui_procs_clear(t);
                /* back on the instance that was opened */
                tui_order(t, true);
                break;
        case KEY_UP:
        case 'P' & 0x1f:
                procs_select(t, (long)t->psel - 1);
                break;
        case KEY_DOWN:
        case 'N' & 0x1f:
        case 'j':
                procs_select(t, (long)t->psel + 1);
                break;
        case KEY_PPAGE:
                procs_select(t, (long)t->psel - page);
                break;
        case KEY_NPAGE:
        case ' ':
                procs_select(t, (long)t->psel + page);
                break;
        case KEY_HOME:
        case 'g':
                procs_select(t, 0);
                break;
        case KEY_END:
        case 'G':
                procs_select(t, (long)t->n_procs);
                break;
        case KEY_MOUSE:
                if (getmouse(&ev) != OK)
                        break;
                if (ev.bstate & BUTTON4_PRESSED)
                        procs_select(t, (long)t->psel - 3);
                else if (ev.bstate & BUTTON5_PRESSED)
                        procs_select(t, (long)t->psel + 3);
                else if ((ev.bstate & BUTTON1_PRESSED) && ev.y > t->table_y + 1)
                        procs_select(t, (long)t->ptop + (ev.y - t->table_y - 2));
                break;
        default:
                break;
        }
        t->dirty = true;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <curses.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <term.h>
#include <termios.h>
#include <time.h>

#include "macro.h"
#include "reader.h"
#include "tui-internal.h"
#include "tui.h"

/*
 * The loop of the ns top screen: refresh the model every delay seconds,
 * wait for keys in between with poll() (no busy waiting), redraw when
 * something changed. The refresh keeps its own schedule: keys never delay
 * or hasten it.
 */

/* SIGTERM, SIGINT and SIGHUP end the loop through this flag. */
static volatile sig_atomic_t stop_signal;

/*
 * What a fatal signal (a crash) needs to put the terminal back: the modes
 * it had before the screen took it, and the bytes that leave the screen's
 * alternate buffer, show the cursor and stop mouse reports. A signal
 * handler reaches nothing but static storage; this is written once, before
 * the handlers are installed.
 */
static struct {
        struct termios tio;
        bool have_tio;
        char reset[256];
        size_t reset_len;
} crash_restore;

static void on_stop(int sig)
{
        stop_signal = sig;
}

static void on_crash(int sig)
{
        /* Only async-signal-safe calls: tcsetattr, write, raise. */
        if (crash_restore.reset_len > 0)
                (void)!write(STDOUT_FILENO, crash_restore.reset, crash_restore.reset_len);
        if (crash_restore.have_tio)
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &crash_restore.tio);
        /* SA_RESETHAND put the default action back: die of it. */
        raise(sig);
}

static void crash_restore_add(const char *cap)
{
        const char *s = tigetstr((char *)cap);
        size_t n;

        if (!s || s == (char *)-1)
                return;
        n = strlen(s);
        if (crash_restore.reset_len + n >= sizeof(crash_restore.reset))
                return;
        memcpy(crash_restore.reset + crash_restore.reset_len, s, n);
        crash_restore.reset_len += n;
}

static void signals_install(void)
{
        static const int stops[] = { SIGTERM, SIGINT, SIGHUP };
        static const int crashes[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
        struct sigaction sa = { .sa_handler = on_stop };

        /* No SA_RESTART: poll() returns at once with EINTR. Installed
         * before initscr(), which then leaves these signals to us. */
        sigemptyset(&sa.sa_mask);
        for (size_t i = 0; i < ELEMENTSOF(stops); i++)
                sigaction(stops[i], &sa, NULL);
        sa.sa_handler = on_crash;
        sa.sa_flags = SA_RESETHAND;
        for (size_t i = 0; i < ELEMENTSOF(crashes); i++)
                sigaction(crashes[i], &sa, NULL);
}

static void signals_restore(void)
{
        static const int all[] = { SIGTERM, SIGINT, SIGHUP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };

        for (size_t i = 0; i < ELEMENTSOF(all); i++)
                signal(all[i], SIG_DFL);
}

uint64_t tui_now(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000ULL + (uint64_t)ts.tv_nsec / 1000;
}

const char *tui_errstr(int err, char buf[static 64])
{
        snprintf(buf, 64, "%s", strerror(err < 0 ? -err : err));
        /* messages are lowercase: "no such file or directory" */
        if (buf[0] && isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
                buf[0] = (char)tolower((unsigned char)buf[0]);
        return buf;
}

void tui_status(Tui *t, bool warn, const char *fmt, ...)
{
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(t->status, sizeof(t->status), fmt, ap);
        va_end(ap);
        t->status_warn = warn;
        t->status_until = tui_now() + TUI_STATUS_USEC;
        t->dirty = true;
}

TopRow *tui_selected(Tui *t)
{
        if (t->sel >= t->n_order)
                return NULL;
        return &t->m->rows[t->order[t->sel]];
}

TopRow *tui_view_row(Tui *t)
{
        switch (t->view) {
        case TUI_VIEW_PROCS:
                return top_model_find(t->m, t->procs_id);
        case TUI_VIEW_INSPECT:
                return top_model_find(t->m, t->insp_id);
        default:
                return tui_selected(t);
        }
}

void tui_view_back(Tui *t)
{
        t->view = TUI_VIEW_TABLE;
        tui_procs_clear(t);
        tui_inspect_clear(t);
        /* back on the instance whose processes or report were shown */
        tui_order(t, true);
        t->dirty = true;
}

void tui_select(Tui *t, size_t i)
{
        if (t->n_order == 0) {
                t->sel = t->top = 0;
                t->sel_id[0] = '\0';
                return;
        }
        if (i >= t->n_order)
                i = t->n_order - 1;
        t->sel = i;
        snprintf(t->sel_id, sizeof(t->sel_id), "%s", t->m->rows[t->order[i]].id);
        if (t->sel < t->top)
                t->top = t->sel;
        else if (t->table_rows > 0 && t->sel >= t->top + (size_t)t->table_rows)
                t->top = t->sel - (size_t)t->table_rows + 1;
        /* no blank rows at the bottom while there are rows above */
        if (t->table_rows > 0 && t->top + (size_t)t->table_rows > t->n_order)
                t->top = t->n_order > (size_t)t->table_rows ? t->n_order - (size_t)t->table_rows : 0;
        t->dirty = true;
}

/*
 * The rows in the order shown. Without keep, the model's (filtered,
 * sorted) view. With keep, the rows keep the places they had, by id, as
 * long as the view still has them, and rows new to the view come after:
 * so rows do not move under a user who is scrolling. The selection follows
 * its instance by id; when that is gone, it stays at the same place.
 */
void tui_order(Tui *t, bool keep)
{
        TopModel *m = t->m;
        _cleanup_free_ bool *in_view = xnew(bool, m->n_rows + 1);
        _cleanup_free_ bool *placed = xnew(bool, m->n_rows + 1);
        size_t n = 0;
        bool held = false;

        t->order = xreallocarray(t->order, m->n_view + 1, sizeof(size_t));
        for (size_t v = 0; v < m->n_view; v++)
                in_view[m->view[v]] = true;
        if (keep) {
                for (size_t k = 0; k < t->n_order_ids; k++) {
                        TopRow *r = top_model_find(m, t->order_ids[k]);
                        size_t i;

                        if (!r)
                                continue;
                        i = (size_t)(r - m->rows);
                        if (!in_view[i] || placed[i])
                                continue;
                        placed[i] = true;
                        t->order[n++] = i;
                }
        }
        for (size_t v = 0; v < m->n_view; v++) {
                size_t i = m->view[v];
                if (placed[i])
                        continue;
                placed[i] = true;
                t->order[n++] = i;
        }
        t->n_order = n;
        for (size_t k = 0; k < n && k < m->n_view; k++)
                if (t->order[k] != m->view[k])
                        held = true;
        t->order_held = held;

        t->order_ids = xreallocarray(t->order_ids, n + 1, sizeof(*t->order_ids));
        for (size_t k = 0; k < n; k++)
                memcpy(t->order_ids[k], m->rows[t->order[k]].id, sizeof(t->order_ids[k]));
        t->n_order_ids = n;

        for (size_t k = 0; k < n; k++)
                if (t->sel_id[0] && streq(m->rows[t->order[k]].id, t->sel_id)) {
                        tui_select(t, k);
                        return;
                }
        tui_select(t, t->sel);
}

/* One refresh of the model, then the order, the selection and the process view. */
int tui_refresh_model(Tui *t)
{
        int r = top_model_refresh(t->m);

        if (r < 0)
                return r;
        tui_order(t, tui_now() < t->scroll_usec + TUI_HOLD_USEC);
        /* the widths of NAME, RUNTIME and HEALTH follow what they hold */
        tui_layout(t);
        if (t->view == TUI_VIEW_PROCS)
                (void)tui_procs_load(t);
        else if (t->view == TUI_VIEW_INSPECT)
                (void)tui_inspect_load(t);
        t->dirty = true;
        return 0;
}

static void screen_start(Tui *t)
{
        initscr();
        cbreak();
        noecho();
        nonl();
        keypad(stdscr, TRUE);
        nodelay(stdscr, TRUE);
        /* Esc alone closes the filter and menus: do not wait a second for
         * the rest of an escape sequence that is not coming. */
        set_escdelay(25);
        curs_set(0);
        /* Presses, not clicks: a click waits mouseinterval() to tell it
         * from a double click. */
        mouseinterval(0);
        mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED, NULL);
        tui_colors_init(t);

        crash_restore_add("sgr0");
        crash_restore_add("rmkx");
        crash_restore_add("cnorm");
        crash_restore_add("rmcup");
        /* the mouse reports ncurses turned on (xterm's 1000 and 1006) */
        static const char mouse_off[] = "\033[?1006l\033[?1000l";
        if (crash_restore.reset_len + sizeof(mouse_off) < sizeof(crash_restore.reset)) {
                memcpy(crash_restore.reset + crash_restore.reset_len, mouse_off,
                       sizeof(mouse_off) - 1);
                crash_restore.reset_len += sizeof(mouse_off) - 1;
        }
        tui_layout(t);
}

/* Milliseconds until the next thing the loop must do by itself. */
static int loop_timeout(const Tui *t, uint64_t now)
{
        uint64_t next = t->next_refresh;

        if (t->order_held)
                next = MIN(next, t->scroll_usec + TUI_HOLD_USEC);
        if (t->status_until && t->status_until > now)
                next = MIN(next, t->status_until);
        if (t->freeze_pending)
                next = MIN(next, now + 100000); /* watch the freezer every 0.1 s */
        if (next <= now)
                return 0;
        return (int)MIN((next - now + 999) / 1000, 60000ULL);
}

static int loop(Tui *t, uint64_t delay_usec, char *err, size_t err_size)
{
        int r;

        while (!t->quit && !stop_signal) {
                uint64_t now = tui_now();
                struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
                int ch;

                if (now >= t->next_refresh) {
                        r = tui_refresh_model(t);
                        if (r < 0) {
                                char eb[64];
                                snprintf(err, err_size, "cannot refresh: %s", tui_errstr(r, eb));
                                return r;
                        }
                        /* From when this refresh began, not ended: the
                         * period stays the delay however long a scan takes. */
                        t->next_refresh = now + delay_usec;
                }
                if (t->order_held && now >= t->scroll_usec + TUI_HOLD_USEC) {
                        tui_order(t, false);
                        t->dirty = true;
                }
                if (t->freeze_pending)
                        tui_freeze_poll(t);
                if (t->status_until && now >= t->status_until) {
                        t->status_until = 0;
                        t->status[0] = '\0';
                        t->dirty = true;
                }
                if (t->dirty) {
                        tui_draw(t);
                        t->dirty = false;
                }

                r = poll(&pfd, 1, loop_timeout(t, tui_now()));
                if (r < 0 && errno != EINTR) {
                        snprintf(err, err_size, "cannot wait for input: %s",
                                 tui_errstr(errno, (char[64]){ 0 }));
                        return -errno;
                }
                if (r > 0 && (pfd.revents & (POLLHUP | POLLERR | POLLNVAL)) &&
                    !(pfd.revents & POLLIN)) {
                        /* the terminal went away: nobody to show anything to */
                        t->quit = true;
                        break;
                }
                /* After EINTR too: a SIGWINCH comes back from getch() as KEY_RESIZE. */
                while (!t->quit && !stop_signal && (ch = getch()) != ERR)
                        tui_key(t, ch);
        }
        return 0;
}

int tui_run(const TopOptions *o, int proc_fd, int root_fd)
{
        Tui t = { .proc_fd = proc_fd, .root_fd = root_fd, .graph_y = -1 };
        char err[256] = "";
        uint64_t delay_usec;
        int r, sig;

        if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
                fputs("ns: cannot show ns top: it needs a terminal (use -b for text output)\n",
                      stderr);
                return 1;
        }
        r = top_model_new(proc_fd, root_fd, o, &t.m);
        if (r < 0) {
                fprintf(stderr, "ns: cannot read '/proc': %s\n", tui_errstr(r, (char[64]){ 0 }));
                return 1;
        }
        delay_usec = (uint64_t)(o->delay * 1e6);
        if (delay_usec < 100000)
                delay_usec = 100000;

        /*
         * The instances before the screen: an id of -p that names no
         * instance is said on a terminal that is still as it was. The
         * first frame shows them at once, before their first sample; the
         * figures follow with it, and the rates with the second.
         */
        r = top_model_load(t.m);
        if (r < 0) {
                if (r == -ENOENT && t.m->bad_id)
                        fprintf(stderr, "ns: no instance '%s' (see ns ls)\n", t.m->bad_id);
                else if (r == -ENOTUNIQ && t.m->bad_id)
                        fprintf(stderr, "ns: '%s' is ambiguous: it matches several instances (give more of the ID)\n",
                                t.m->bad_id);
                else
                        fprintf(stderr, "ns: cannot read the instances: %s\n", tui_errstr(r, (char[64]){ 0 }));
                top_model_free(t.m);
                return 1;
        }

        if (tcgetattr(STDIN_FILENO, &crash_restore.tio) == 0)
                crash_restore.have_tio = true;
        signals_install();
        if (!setlocale(LC_ALL, ""))
                setlocale(LC_CTYPE, "C.UTF-8");
        screen_start(&t);
        tui_order(&t, false);
        tui_layout(&t);
        tui_draw(&t);
        /* the loop's first turn takes the first sample, and draws again */
        t.next_refresh = 0;
        r = loop(&t, delay_usec, err, sizeof(err));

        /* Every way out goes through here: the terminal as it was. */
        endwin();
        signals_restore();
        tui_procs_clear(&t);
        reader_free(t.cmd_reader);
        tui_inspect_clear(&t);
        tui_actions_done(&t);
        free(t.filter_before);
        free(t.order);
        free(t.order_ids);
        top_model_free(t.m);

        sig = stop_signal;
        if (r < 0) {
                fprintf(stderr, "ns: %s\n", err);
                return 1;
        }
        if (sig) {
                /* Die of the signal that asked us to, for the parent to see. */
                raise(sig);
                return 128 + sig;
        }
        return 0;
}

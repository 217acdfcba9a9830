/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "progress.h"
#include "util.h"

#define REDRAW_NS 100000000ULL /* ten frames a second at most */

typedef struct Line {
        char id[13]; /* the first 12 hex digits, as docker shows them */
        const char *status;
        uint64_t done;
        int64_t total;
        uint64_t started_ns;
} Line;

struct Progress {
        FILE *f;
        Line *lines;
        size_t n;
        bool drawn;
        uint64_t last_ns;
};

static uint64_t now_ns(void)
{
        struct timespec ts;

        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int term_width(FILE *f)
{
        struct winsize ws;

        if (ioctl(fileno(f), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        return 80;
}

Progress *progress_new(FILE *f, char *const *ids, size_t n)
{
        Progress *p;

        if (!isatty(fileno(f)))
                return NULL;
        p = xnew(Progress, 1);
        p->f = f;
        p->n = n;
        p->lines = xnew(Line, n ?: 1);
        for (size_t i = 0; i < n; i++) {
                const char *hex = strchr(ids[i], ':');

                snprintf(p->lines[i].id, sizeof(p->lines[i].id), "%s", hex ? hex + 1 : ids[i]);
                p->lines[i].status = "Waiting";
                p->lines[i].total = -1;
        }
        return p;
}

static void line_format(const Line *l, uint64_t now, char *buf, size_t n)
{
        char done[16], total[16], rate[16];
        double secs = (double)(now - l->started_ns) / 1e9;

        if (l->done == 0 && l->total < 0) {
                snprintf(buf, n, "%s: %s", l->id, l->status);
                return;
        }
        format_size(l->done, done, sizeof(done));
        if (l->total >= 0)
                format_size((unsigned long long)l->total, total, sizeof(total));
        /* a rate only once there is something to divide */
        if (secs > 0.05 && l->done > 0)
                format_size((unsigned long long)((double)l->done / secs), rate, sizeof(rate));
        snprintf(buf, n, "%s: %-13s %7s%s%s%s%s%s", l->id, l->status, done,
                 l->total >= 0 ? " / " : "", l->total >= 0 ? total : "",
                 secs > 0.05 && l->done > 0 ? "  " : "", secs > 0.05 && l->done > 0 ? rate : "",
                 secs > 0.05 && l->done > 0 ? "/s" : "");
}

static void redraw(Progress *p)
{
        uint64_t now = now_ns();
        int width = term_width(p->f);

        /* back to the first line: every line is redrawn, shorter than the
         * terminal so that none wraps and the count stays right */
        if (p->drawn && p->n > 0)
                fprintf(p->f, "\033[%zuA", p->n);
        for (size_t i = 0; i < p->n; i++) {
                char buf[256];

                line_format(&p->lines[i], now, buf, sizeof(buf));
                if (width > 1 && strlen(buf) >= (size_t)width)
                        buf[width - 1] = '\0';
                fprintf(p->f, "\r\033[2K%s\n", buf);
        }
        fflush(p->f);
        p->drawn = true;
        p->last_ns = now;
}

void progress_state(Progress *p, size_t i, const char *status, int64_t total)
{
        if (!p || i >= p->n)
                return;
        p->lines[i].status = status;
        p->lines[i].total = total;
        p->lines[i].done = 0;
        p->lines[i].started_ns = now_ns();
        redraw(p);
}

void progress_bytes(Progress *p, size_t i, uint64_t done)
{
        if (!p || i >= p->n)
                return;
        p->lines[i].done = done;
        if (now_ns() - p->last_ns >= REDRAW_NS)
                redraw(p);
}

void progress_note(Progress *p, const char *fmt, ...)
{
        va_list ap;

        if (!p)
                return;
        va_start(ap, fmt);
        vfprintf(p->f, fmt, ap);
        va_end(ap);
        fputc('\n', p->f);
        fflush(p->f);
        /* the layer lines are above the note now: never redrawn */
        p->drawn = false;
        p->n = 0;
}

Progress *progress_free(Progress *p)
{
        if (!p)
                return NULL;
        free(p->lines);
        free(p);
        return NULL;
}

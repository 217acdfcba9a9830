/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <curses.h>

#include "macro.h"
#include "tui-internal.h"
#include "util.h"

/*
 * Pictures of a row's history (TopRow.cpu_hist, mem_hist): a one-line
 * sparkline of recent CPU in the table, and for the selected instance a
 * panel of CPU and memory over the last TOP_HISTORY refreshes. Eighths of
 * a cell in Unicode block characters; in a locale that is not UTF-8, ASCII
 * with fewer steps.
 */

static const char *const blocks_utf8[9] = { " ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
static const char *const blocks_ascii[9] = { " ", "_", "_", ".", ".", "-", "-", "=", "#" };
/* A sparkline cell is never blank for a sample that exists: 0% is the floor. */
static const char *const spark_ascii[9] = { "_", "_", ".", ".", "-", "-", "=", "*", "#" };

static const char *block(const Tui *t, int eighths, bool spark)
{
        eighths = MAX(0, MIN(8, eighths));
        if (t->utf8)
                return blocks_utf8[spark && eighths == 0 ? 1 : eighths];
        return spark ? spark_ascii[eighths] : blocks_ascii[eighths];
}

/* The sparkline: one cell per sample, newest at the right, 100% (one core) full. */
void tui_draw_spark(const Tui *t, const TopRow *r, int y, int x, int width)
{
        unsigned n = MIN(r->n_hist, (unsigned)width);
        int attr = r->state == TOP_ROW_GONE ? t->attrs[TUI_A_GONE] : t->attrs[TUI_A_CPU];

        attron(attr);
        for (unsigned i = 0; i < n; i++) {
                double v = r->cpu_hist[r->n_hist - n + i];
                int e = (int)(v / 100.0 * 8 + 0.5);

                mvaddstr(y, x + width - (int)n + (int)i, block(t, e, true));
        }
        attroff(attr);
}

/*
 * A bar chart of height rows at (y, x), width cells: the last samples of
 * values[0..n), each over scale, newest at the right.
 */
static void chart(const Tui *t, int y, int x, int width, int height, const double *values,
                  unsigned n, double scale, int attr)
{
        unsigned shown = MIN(n, (unsigned)width);

        if (scale <= 0)
                scale = 1;
        attron(attr);
        for (unsigned i = 0; i < shown; i++) {
                double v = values[n - shown + i] / scale;
                int eighths = (int)(MIN(v, 1.0) * height * 8 + 0.5);
                int cx = x + width - (int)shown + (int)i;

                /* a sample above zero shows at least a sliver */
                if (eighths == 0 && values[n - shown + i] > 0)
                        eighths = 1;
                for (int row = 0; row < height; row++)
                        mvaddstr(y + height - 1 - row, cx, block(t, eighths - row * 8, false));
        }
        attroff(attr);
}

void tui_draw_graphs(Tui *t, const TopRow *r)
{
        double cpu[TOP_HISTORY], mem[TOP_HISTORY];
        double cpu_max = 100, mem_scale = 0;
        int y = t->graph_y, h = t->graph_rows - 1;
        int half = (t->cols - 3) / 2;
        char buf[256], a[32], b[32];

        if (y < 0)
                return;
        attron(t->attrs[TUI_A_HEADING]);
        for (int x = 0; x < t->cols; x++)
                mvaddch(y, x, ' ');
        if (!r) {
                tui_put(y, 1, "history: no instance selected", t->cols - 1, false);
                attroff(t->attrs[TUI_A_HEADING]);
                return;
        }
        for (unsigned i = 0; i < r->n_hist; i++) {
                cpu[i] = r->cpu_hist[i];
                mem[i] = (double)r->mem_hist[i];
                cpu_max = MAX(cpu_max, cpu[i]);
                mem_scale = MAX(mem_scale, mem[i]);
        }
        /* Against its limit when it has one, else against the power of two
         * above its peak: a steady figure then shows as steady, not as a
         * full block. */
        if (r->cur.have & STATS_HAVE_MEM_LIMIT && r->cur.mem_limit > 0)
                mem_scale = (double)r->cur.mem_limit;
        else {
                double p2 = 4096;
                while (p2 < mem_scale * 1.01)
                        p2 *= 2;
                mem_scale = p2;
        }

        if (r->have_rates && r->rates.cpu_pct_of_limit >= 0)
                snprintf(buf, sizeof(buf), "CPU of %s: %.1f%% (%.0f%% of its limit), scale %.0f%%",
                         tui_row_label(r), r->rates.cpu_pct, r->rates.cpu_pct_of_limit, cpu_max);
        else if (r->have_rates)
                snprintf(buf, sizeof(buf), "CPU of %s: %.1f%%, scale %.0f%%", tui_row_label(r),
                         r->rates.cpu_pct, cpu_max);
        else
                snprintf(buf, sizeof(buf), "CPU of %s: -, scale %.0f%%", tui_row_label(r), cpu_max);
        tui_put(y, 1, buf, half, false);
        if (r->cur.have & STATS_HAVE_MEM_LIMIT && r->cur.mem_limit > 0)
                snprintf(buf, sizeof(buf), "MEM %s of its limit %s",
                         format_size(r->cur.mem_bytes, a, sizeof(a)),
                         format_size(r->cur.mem_limit, b, sizeof(b)));
        else
                snprintf(buf, sizeof(buf), "MEM %s, scale %s (no limit)",
                         format_size(r->cur.mem_bytes, a, sizeof(a)),
                         format_size((unsigned long long)mem_scale, b, sizeof(b)));
        tui_put(y, half + 3, buf, t->cols - half - 3, false);
        attroff(t->attrs[TUI_A_HEADING]);

        if (h <= 0)
                return;
        chart(t, y + 1, 1, half - 1, h, cpu, r->n_hist, cpu_max, t->attrs[TUI_A_CPU]);
        for (int row = 0; row < h; row++)
                mvaddstr(y + 1 + row, half + 1, t->utf8 ? "│" : "|");
        chart(t, y + 1, half + 3, t->cols - half - 4, h, mem, r->n_hist, mem_scale,
              t->attrs[TUI_A_MEM]);
}

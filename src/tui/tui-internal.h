/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The state of the ns top screen, one struct passed by pointer between the
 * files of src/tui/: tui.c (the loop, the order of rows and the
 * selection), screen.c (layout and drawing), graph.c (sparklines and the
 * history panel), keys.c (keys, mouse, the filter prompt, menus),
 * procview.c (one instance's processes), inspectview.c (its ns inspect
 * report), help.c and actions.c (shell,
 * signals, freeze).
 */

#include <curses.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "control.h"
#include "top-model.h"

/* How long after a navigation key the rows keep their order. */
#define TUI_HOLD_USEC 1500000ULL
/* How long a message stays in the status line. */
#define TUI_STATUS_USEC 6000000ULL
/* How long a freeze or thaw may take before it is reported as stuck. */
#define TUI_FREEZE_TIMEOUT_USEC 5000000ULL

typedef enum TuiView {
        TUI_VIEW_TABLE, /* one row per instance */
        TUI_VIEW_PROCS, /* the processes of one instance */
        TUI_VIEW_INSPECT, /* the ns inspect report of one instance */
} TuiView;

typedef enum TuiMode {
        TUI_MODE_NORMAL,
        TUI_MODE_FILTER,   /* typing after "/" */
        TUI_MODE_HELP,     /* "?" */
        TUI_MODE_SORT,     /* F6: the sort column menu */
        TUI_MODE_SIGNAL,   /* "k": the signal menu */
        TUI_MODE_NO_SHELL, /* "e" found no shell: offer --tools */
} TuiMode;

/* Colour pairs (or, without colour, the attributes they stand for). */
typedef enum TuiAttr {
        TUI_A_NORMAL,
        TUI_A_HEADER,   /* labels of the header */
        TUI_A_HEADING,  /* the column headings line */
        TUI_A_SORTED,   /* the heading of the sort column */
        TUI_A_SELECTED, /* the selected row */
        TUI_A_NEW,      /* an instance that just appeared */
        TUI_A_GONE,     /* an instance that exited */
        TUI_A_WARN,     /* health flags, warnings */
        TUI_A_CPU,      /* CPU graphs */
        TUI_A_MEM,      /* memory graphs */
        TUI_A_STATUS,   /* the status line */
        TUI_A_MENU,     /* menus and boxes */
        TUI_A_MAX,
} TuiAttr;

/* One process of the process view. */
typedef struct TuiProc {
        pid_t pid, nspid, ppid;
        char *user;
        char state;
        double cpu;
        unsigned long long rss;
        char *comm;
        char *command; /* read when the row is first shown (procview.c); NULL before */
        int depth; /* in the tree by parent */
} TuiProc;

/* A column as laid out on this screen. */
typedef struct TuiCol {
        TopColumn col; /* TOP_COL_INVALID: the sparkline */
        int x, width;
} TuiCol;

#define TUI_SPARK_WIDTH 8
#define TUI_FILTER_MAX 128

typedef struct Tui {
        TopModel *m;
        int proc_fd;
        int root_fd;

        /* The terminal. */
        bool utf8;
        bool color;
        int attrs[TUI_A_MAX];
        int height, cols;

        /* Layout, from tui_layout(). */
        int table_y;    /* the headings line */
        int table_rows; /* rows below it */
        int graph_y;    /* the history panel, or -1 when there is no room */
        int graph_rows;
        int status_y;
        TuiCol tcols[TOP_COL_MAX + 1];
        size_t n_tcols;

        /*
         * The rows in the order shown (indices into m->rows), and their ids
         * as of the last ordering: while the user scrolls, a refresh keeps
         * that order instead of the model's (tui_order()).
         */
        size_t *order;
        size_t n_order;
        char (*order_ids)[INSTANCE_ID_LEN + 1];
        size_t n_order_ids;
        bool order_held;     /* the order differs from the model's sort */
        uint64_t scroll_usec; /* the last navigation key */

        /* The selection, by id, and the first row shown. */
        char sel_id[INSTANCE_ID_LEN + 1];
        size_t sel;
        size_t top;

        TuiMode mode;
        TuiView view;

        /* "/": what is typed, and the filter to go back to on Esc. */
        char filter[TUI_FILTER_MAX];
        char *filter_before;

        /* Menus. */
        int menu_sel;
        char no_shell[128]; /* TUI_MODE_NO_SHELL: the shell that is not there */
        bool sig_all; /* the signal menu: every member, not only the leader */

        /* The process view. */
        char procs_id[INSTANCE_ID_LEN + 1];
        TuiProc *procs;
        size_t n_procs;
        size_t psel, ptop;
        pid_t psel_pid;
        int procs_error; /* -errno of the last load, 0 */
        struct Reader *cmd_reader; /* their command lines, with a deadline (reader.h) */

        /* The inspect view: the report's lines, the first one shown. */
        char insp_id[INSTANCE_ID_LEN + 1];
        char **insp;
        size_t n_insp;
        size_t insp_top;
        int insp_error; /* -errno of the last report, 0 */
        time_t insp_taken;

        /* A pending freeze or thaw (p). */
        bool freeze_pending;
        bool freeze_target; /* true: freezing */
        char freeze_id[INSTANCE_ID_LEN + 1];
        uint64_t freeze_deadline;
        ControlCgroups freeze_cg; /* the cgroups being frozen or thawed */

        /* The status line message, until status_until. */
        char status[256];
        bool status_warn;
        uint64_t status_until;

        uint64_t next_refresh;
        bool dirty; /* redraw at the next turn of the loop */
        bool quit;
} Tui;

/* tui.c */
uint64_t tui_now(void);
TopRow *tui_selected(Tui *t);
/* The instance the view is about: the one whose processes or report are
 * shown, else the selected row; NULL when none. */
TopRow *tui_view_row(Tui *t);
/* From the process view or the report back to the table, on the same selection. */
void tui_view_back(Tui *t);
void tui_order(Tui *t, bool keep);
void tui_select(Tui *t, size_t i);
_printf_(3, 4) void tui_status(Tui *t, bool warn, const char *fmt, ...);
int tui_refresh_model(Tui *t);
const char *tui_errstr(int err, char buf[static 64]);

/* screen.c */
void tui_colors_init(Tui *t);
void tui_layout(Tui *t);
void tui_draw(Tui *t);
int tui_put(int y, int x, const char *s, int width, bool right);
int tui_column_at(const Tui *t, int x);
/* The name a row is known by in messages: its name, else its id. */
const char *tui_row_label(const TopRow *r);

/* graph.c */
void tui_draw_spark(const Tui *t, const TopRow *r, int y, int x, int width);
void tui_draw_graphs(Tui *t, const TopRow *r);

/* keys.c */
void tui_key(Tui *t, int ch);
/*
 * Where a key that moves through a list takes position cur, in a list of
 * n with pages of page rows: arrows, Ctrl-P Ctrl-N j, PgUp PgDn Ctrl-B
 * Ctrl-F Space, Home End g G, and with KEY_MOUSE the wheel in ev (3 rows).
 * *ret is clamped to the list. False when ch is none of them.
 */
bool tui_move_key(int ch, const MEVENT *ev, long cur, long n, long page, long *ret);
/* Esc, Left, Backspace: from the process view or the report back to the table. */
bool tui_back_key(int ch);

/* procview.c */
int tui_procs_load(Tui *t);
void tui_procs_clear(Tui *t);
void tui_procs_draw(Tui *t);
void tui_procs_key(Tui *t, int ch);

/* inspectview.c */
void tui_inspect_open(Tui *t, const TopRow *r);
int tui_inspect_load(Tui *t);
void tui_inspect_clear(Tui *t);
void tui_inspect_draw(Tui *t);
void tui_inspect_key(Tui *t, int ch);

/* help.c */
void tui_help_draw(Tui *t);

/* actions.c */
void tui_action_enter(Tui *t, bool tools);
void tui_action_menu_draw(Tui *t);
void tui_actions_done(Tui *t);
void tui_action_signal(Tui *t, int sig, bool all);
void tui_action_freeze(Tui *t);
void tui_freeze_poll(Tui *t);
extern const int tui_signals[8];

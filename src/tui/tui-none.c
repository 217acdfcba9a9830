/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A build-order bridge, not a feature: src/meson.build builds this file
 * into ns-top only while src/tui/tui.c (the ncurses screen) is not in the
 * tree, so that the batch mode (-b) links and ships before the screen
 * does. Merging the screen removes it.
 */
#include <errno.h>

#include "tui.h"

int tui_run(const TopOptions *o, int proc_fd, int root_fd)
{
        (void)o;
        (void)proc_fd;
        (void)root_fd;
        return -ENOTSUP;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "top-model.h"

/*
 * The screen of ns top: ncurses over a TopModel, refreshed every o->delay
 * seconds until the user quits. proc_fd is the host's /proc, root_fd "/";
 * both stay the caller's. The terminal is put back on every way out,
 * fatal signals included. Prints its own messages (after the screen is
 * gone) and returns the exit status: 0, 1 on an error, 128 + the number
 * of a signal that ended it.
 */
int tui_run(const TopOptions *o, int proc_fd, int root_fd);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdarg.h>

#include "macro.h"

/*
 * What went wrong in a sequence of steps (attach, launch), for the command
 * layer to report once: which step, the errno, and what it was about. The
 * core never prints; this is how it says.
 */
typedef struct StepError {
        int step;         /* the caller's enum: AttachStep, LaunchStage */
        int error;        /* a positive errno */
        char detail[512]; /* the path, name or helper concerned; "" when none */
} StepError;

/*
 * Fill *e (when not NULL) and return -error. error may be given as errno
 * or -errno; 0 is taken as EIO. A NULL fmt leaves the detail empty.
 */
_printf_(4, 5) int step_error(StepError *e, int step, int error, const char *fmt, ...);

/* The same, with a va_list. */
_printf_(4, 0) int step_errorv(StepError *e, int step, int error, const char *fmt, va_list ap);

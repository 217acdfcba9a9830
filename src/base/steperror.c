/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "steperror.h"

int step_errorv(StepError *e, int step, int error, const char *fmt, va_list ap)
{
        if (error < 0)
                error = -error;
        if (error == 0)
                error = EIO;
        if (e) {
                e->step = step;
                e->error = error;
                e->detail[0] = '\0';
                if (fmt)
                        vsnprintf(e->detail, sizeof(e->detail), fmt, ap);
        }
        return -error;
}

int step_error(StepError *e, int step, int error, const char *fmt, ...)
{
        va_list ap;
        int r;

        va_start(ap, fmt);
        r = step_errorv(e, step, error, fmt, ap);
        va_end(ap);
        return r;
}

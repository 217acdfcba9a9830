/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/TID/status through inspect_parse_status() (src/inspect/parse.c):
 * the state, NSpid, signal masks and context switches that ns inspect
 * shows. The Name line is the task's own comm.
 */
#include "fuzz.h"
#include "inspect-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *s = fuzz_text(data, size);
        TaskStatus t;

        if (inspect_parse_status(s, &t) == 0) {
                _cleanup_free_ char *names = inspect_signal_names(t.sig_pnd | t.sig_cgt);
                FUZZ_CHECK(t.state >= 'A' && t.state <= 'z');
                FUZZ_CHECK(t.ns_tid >= 0 && t.tgid >= 0 && t.ppid >= 0);
                FUZZ_CHECK(names != NULL);
        }
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/stat through proc_parse_stat() and proc_parse_stat_full()
 * (src/proc/scan.c), which every reader of it goes through (scan, lookup,
 * identify, attach, ns top's stats). The command
 * name inside is the process's own choice: any bytes, parentheses and
 * blanks included. proc_read_stat() reads at most 1023 bytes into a
 * NUL-terminated buffer: so does this.
 */
#include "fuzz.h"
#include "scan.h"

#define STAT_READ_MAX 1023

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *buf = fuzz_text(data, MIN(size, (size_t)STAT_READ_MAX));
        unsigned long long start = 0;
        char state = 0, comm[16];
        pid_t ppid = 0;

        memset(comm, 'x', sizeof(comm));
        ProcStat st;

        if (proc_parse_stat(buf, &state, &ppid, &start, comm) == 0)
                FUZZ_CHECK(memchr(comm, '\0', sizeof(comm)) != NULL);
        /* the full parse (ns top's) agrees with the short one */
        if (proc_parse_stat_full(buf, &st) == 0) {
                FUZZ_CHECK(memchr(st.comm, '\0', sizeof(st.comm)) != NULL);
                FUZZ_CHECK(st.ppid >= 0);
                FUZZ_CHECK(st.state == state && st.ppid == ppid && st.starttime == start);
        }
        return 0;
}

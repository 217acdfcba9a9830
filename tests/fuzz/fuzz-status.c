/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/status through attach_parse_status() (src/attach/attach-parse.c):
 * the credentials and capability sets that ns enter gives the command. The
 * kernel writes the file, but its "Name:" line is the process's own comm
 * (any bytes but NUL), so a target can shape a line of it. Also its
 * NSpid line through proc_parse_nspid() (src/proc/scan.c), for ns ps.
 */
#include "attach.h"
#include "fuzz.h"
#include "scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *status = fuzz_text(data, size);
        ProcCreds c;
        pid_t nspid;

        if (proc_parse_nspid(status, &nspid) == 0)
                FUZZ_CHECK(nspid > 0);
        if (attach_parse_status(status, &c) < 0)
                return 0;
        FUZZ_CHECK((c.n_groups == 0) == (c.groups == NULL));
        /* (gid_t)-1 means "unchanged" to the set*id calls: never a group */
        for (size_t i = 0; i < c.n_groups; i++)
                FUZZ_CHECK(c.groups[i] != (gid_t)-1);
        proc_creds_done(&c);
        return 0;
}

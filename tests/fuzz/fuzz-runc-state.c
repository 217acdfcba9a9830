/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * runc's /run/runc/<id>/state.json through naming_runc_state() and
 * naming_runc_state_pid() (src/model/naming-meta.c): the init's pid and
 * start time, which tie a container id to a process.
 */
#include "fuzz.h"
#include "naming.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *json = fuzz_text(data, size);
        unsigned long long start = 0;
        pid_t pid = 0, pid2 = 0;
        int r;

        r = naming_runc_state(json, &pid, &start);
        FUZZ_CHECK(r == -EINVAL || r == -ERANGE || r == 0 || r == 1);
        if (r > 0)
                FUZZ_CHECK(pid > 0);
        FUZZ_CHECK(naming_runc_state_pid(json, &pid2) == r);
        FUZZ_CHECK(r <= 0 || pid2 == pid);
        return 0;
}

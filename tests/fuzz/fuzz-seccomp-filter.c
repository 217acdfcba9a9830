/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A seccomp filter of the leader, as PTRACE_SECCOMP_GET_FILTER hands it
 * back, through attach_seccomp_check() (src/attach/attach-seccomp.c):
 * whether ns enter can install it again. The kernel returns the program the
 * container installed; the input is that array of instructions. Also the
 * "Seccomp:" lines of /proc/PID/status, through
 * attach_seccomp_parse_status(), whose "Name:" line the process chooses.
 */
#include <linux/seccomp.h>

#include "attach-seccomp.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        size_t len = size / sizeof(struct sock_filter);
        _cleanup_free_ struct sock_filter *insns = xnew(struct sock_filter, len ? len : 1);
        _cleanup_free_ char *status = fuzz_text(data, size);
        int r, mode = -2, filters = -2;

        memcpy(insns, data, len * sizeof(struct sock_filter));
        r = attach_seccomp_check(insns, len);
        FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EOPNOTSUPP);
        FUZZ_CHECK((r == -EINVAL) == (len == 0 || len > BPF_MAXINSNS));
        /* passed: no return that nobody would answer, none decided at run time */
        for (size_t i = 0; r == 0 && i < len; i++)
                if (BPF_CLASS(insns[i].code) == BPF_RET)
                        FUZZ_CHECK(BPF_RVAL(insns[i].code) == BPF_K &&
                                   (insns[i].k & SECCOMP_RET_ACTION_FULL) !=
                                           SECCOMP_RET_USER_NOTIF);

        attach_seccomp_parse_status(status, &mode, &filters);
        FUZZ_CHECK(mode >= 0 && filters >= -1);
        return 0;
}

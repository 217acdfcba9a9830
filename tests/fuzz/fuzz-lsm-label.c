/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * /proc/PID/attr/current through attach_lsm_exec_label()
 * (src/attach/attach-parse.c): the label ns enter writes to its own
 * attr/exec so that the command runs confined like the leader. The LSM
 * writes the file, but the leader picks its label among those the policy
 * lets it change to (aa_change_profile, setcon). attach.c reads it with
 * read_small_at() into 4096 bytes, NUL-terminated: so does this.
 */
#include "attach.h"
#include "fuzz.h"

#define LABEL_READ_MAX 4095

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *current = fuzz_text(data, MIN(size, (size_t)LABEL_READ_MAX));
        _cleanup_free_ char *label = attach_lsm_exec_label(current);
        size_t first_line = strcspn(current, "\n");
        const char *profile, *mode;

        if (!label)
                return 0;
        /* one line of the file, never empty, nothing for a shell to trip on */
        FUZZ_CHECK(label[0] != '\0');
        FUZZ_CHECK(!strchr(label, '\n'));
        FUZZ_CHECK(strlen(label) <= first_line + strlen("exec "));
        FUZZ_CHECK(!streq(label, "unconfined") && !streq(label, "kernel"));
        if (!startswith(label, "exec ") || startswith(current, "exec "))
                return 0;
        /* AppArmor's "profile (mode)": the profile is all before the last
         * " (", so a profile whose own name holds " (" stays whole */
        profile = label + strlen("exec ");
        FUZZ_CHECK(profile[0] != '\0');
        FUZZ_CHECK(!streq(profile, "unconfined"));
        FUZZ_CHECK(strncmp(current, profile, strlen(profile)) == 0);
        mode = current + strlen(profile);
        FUZZ_CHECK(startswith(mode, " ("));
        FUZZ_CHECK(!memmem(mode + 1, first_line - strlen(profile) - 1, " (", 2));
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A container's own etc/passwd and etc/group, which it writes as it likes,
 * through src/proc/passwd.c as ns enter's child uses it: the user by name
 * and by uid, a group's gid by name, and the supplementary groups of a
 * user. The one input serves as both files.
 */
#include "fuzz.h"
#include "passwd.h"

static const char *const names[] = { "root", "nobody", "daemon", "www-data", "" };
static const uid_t uids[] = { 0, 1, 1000, 65534, (uid_t)-2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *content = fuzz_text(data, size);

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                _cleanup_free_ gid_t *groups = NULL;
                size_t n_groups = 0;
                PasswdEntry e;
                gid_t gid;

                if (passwd_find(content, names[i], 0, &e) == 0) {
                        FUZZ_CHECK(streq(e.name, names[i]));
                        FUZZ_CHECK(e.home && e.shell);
                        passwd_entry_done(&e);
                }
                (void)group_find_gid(content, names[i], &gid);
                group_list_for_user(content, names[i], 100, &groups, &n_groups);
                FUZZ_CHECK(n_groups >= 1 && groups[0] == 100);
        }
        for (size_t i = 0; i < ELEMENTSOF(uids); i++) {
                PasswdEntry e;

                if (passwd_find(content, NULL, uids[i], &e) == 0) {
                        FUZZ_CHECK(e.uid == uids[i]);
                        passwd_entry_done(&e);
                }
        }
        return 0;
}

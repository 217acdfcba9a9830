/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The cgroup-path matchers of src/model/naming.c on the content of
 * /proc/PID/cgroup, as identify.c calls them: the runtime, id and name
 * from the whole file and from one bare path, and the containerd task
 * candidate. Ids and names from a cgroup path are joined into paths below
 * a runtime's state directory, so they must stay one plain component.
 */
#include "fuzz.h"
#include "naming.h"

static void check_match(const CgroupMatch *m)
{
        FUZZ_CHECK(m->runtime >= RUNTIME_UNKNOWN && m->runtime < RUNTIME_MAX);
        FUZZ_CHECK(memchr(m->id, '\0', sizeof(m->id)) && memchr(m->name, '\0', sizeof(m->name)));
        FUZZ_CHECK(m->id[0] == '\0' || fuzz_path_component_ok(m->id));
        FUZZ_CHECK(!strchr(m->name, '/') && !strchr(m->name, '\n'));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        _cleanup_free_ char *content = fuzz_text(data, size), *bytes = fuzz_bytes(data, size);
        _cleanup_free_ char *unit = NULL;
        char *ns = NULL, *id = NULL;
        CgroupMatch m;

        if (naming_match_cgroup(content, &m) > 0)
                check_match(&m);
        if (naming_match_cgroup_path(content, &m) > 0)
                check_match(&m);
        if (naming_cgroup_task_candidate(content, &ns, &id) > 0) {
                FUZZ_CHECK(fuzz_path_component_ok(ns) && fuzz_path_component_ok(id));
                free(ns);
                free(id);
        }
        /* the unit-name unescaping that machine- and flatpak scopes go through, on a range */
        unit = naming_unescape_unit(bytes, size);
        FUZZ_CHECK(strlen(unit) <= size);
        return 0;
}

/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a cgroup path says about who made an instance: the rules of the
 * runtime table (runtime.c) applied to each component of a path. Metadata
 * files and command lines are in naming-meta.c.
 */
#include "naming.h"
#include "macro.h"
#include "naming-internal.h"

static bool is_hex(char c)
{
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_digits(Str a)
{
        if (a.n == 0)
                return false;
        for (size_t i = 0; i < a.n; i++)
                if (a.s[i] < '0' || a.s[i] > '9')
                        return false;
        return true;
}

static bool is_hex_n(Str a, size_t n)
{
        if (a.n != n)
                return false;
        for (size_t i = 0; i < n; i++)
                if (!is_hex(a.s[i]))
                        return false;
        return true;
}

/* Docker, podman, CRI-O, containerd CRI and nerdctl all use 64 hex digits. */
static bool is_container_id(Str a)
{
        return is_hex_n(a, 64);
}

/* Fargate platform 1.4 and later: "<32 hex task id>-<decimal>". */
static bool is_fargate_id(Str a)
{
        if (a.n < 34 || a.s[32] != '-')
                return false;
        return is_hex_n((Str){ a.s, 32 }, 32) && is_digits((Str){ a.s + 33, a.n - 33 });
}

/* Names and ids taken from a path end up in a table: keep them to plain characters. */
static bool is_plain_name(Str a)
{
        if (a.n == 0)
                return false;
        for (size_t i = 0; i < a.n; i++) {
                unsigned char c = (unsigned char)a.s[i];
                if (c <= ' ' || c == 0x7f || c == '/')
                        return false;
        }
        return true;
}

static int unhex(char c)
{
        if (c >= '0' && c <= '9')
                return c - '0';
        if (c >= 'a' && c <= 'f')
                return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
                return c - 'A' + 10;
        return -1;
}

char *naming_unescape_unit(const char *s, size_t n)
{
        char *out = xmalloc(n + 1), *o = out;

        for (size_t i = 0; i < n; i++) {
                if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x') {
                        int hi = unhex(s[i + 2]), lo = unhex(s[i + 3]);

                        /* "\x00" would cut the string short: leave it as written. */
                        if (hi >= 0 && lo >= 0 && (hi | lo) != 0) {
                                *o++ = (char)(hi << 4 | lo);
                                i += 3;
                                continue;
                        }
                }
                *o++ = s[i];
        }
        *o = '\0';
        return out;
}

/* --- cgroup paths --- */

/*
 * How much a match says. Across the lines of a v1 file the strongest
 * evidence wins: a runtime's own marker beats a kubepods path whose runtime
 * is not encoded, which beats a bare 64-hex directory.
 */
typedef enum MatchClass {
        CLASS_NONE,
        CLASS_BARE_ID,
        CLASS_GENERIC,
        CLASS_RUNTIME,
} MatchClass;

#define CGROUP_COMPONENTS_MAX 128

static bool set_field(char *dst, size_t size, Str v)
{
        if (v.n >= size)
                return false;
        memcpy(dst, v.s, v.n);
        dst[v.n] = '\0';
        return true;
}

static bool set_id(CgroupMatch *m, Runtime runtime, Str id)
{
        *m = (CgroupMatch){ .runtime = runtime };
        return set_field(m->id, sizeof(m->id), id);
}

static bool set_name(CgroupMatch *m, Runtime runtime, Str name, bool unescape)
{
        _cleanup_free_ char *u = NULL;

        *m = (CgroupMatch){ .runtime = runtime };
        if (unescape) {
                u = naming_unescape_unit(name.s, name.n);
                name = (Str){ u, strlen(u) };
        }
        return is_plain_name(name) && set_field(m->name, sizeof(m->name), name);
}

/* "<prefix><64hex>" with an optional ".scope": the systemd and cgroupfs forms alike. */
static bool match_prefixed_id(Str c, const char *prefix, Str *ret_id)
{
        Str id;

        if (!str_has_prefix(c, prefix))
                return false;
        id = str_drop_suffix(str_drop_prefix(c, prefix), ".scope");
        if (!is_container_id(id))
                return false;
        *ret_id = id;
        return true;
}

/*
 * The "slice:prefix:name" form: a systemd cgroup path that runc was given
 * while it was not itself told to use systemd, so the literal string became
 * a directory (containerd with SystemdCgroup=false under a systemd kubelet).
 */
static bool match_colon_form(Str c, const char *prefix, Str *ret_id)
{
        const char *a = memchr(c.s, ':', c.n), *b;
        Str id;

        if (!a)
                return false;
        b = memchr(a + 1, ':', (size_t)(c.s + c.n - a - 1));
        if (!b)
                return false;
        id = str_after(c, b);
        if (!str_eq((Str){ a + 1, (size_t)(b - a - 1) }, prefix) || !is_container_id(id))
                return false;
        *ret_id = id;
        return true;
}

/* "app-flatpak-<app id>-<instance>.scope". App ids may hold '-': parse from both ends. */
bool naming_flatpak_unit(const char *cs, size_t cn, _unused_ const char *child, _unused_ size_t child_n,
                         CgroupMatch *m)
{
        Str c = { cs, cn }, mid, app, instance;
        const char *dash;

        if (!str_unwrap(c, "app-flatpak-", ".scope", &mid))
                return false;
        dash = memrchr(mid.s, '-', mid.n);
        if (!dash)
                return false;
        app = str_before(mid, dash);
        instance = str_after(mid, dash);
        /* The instance id (older flatpak: its pid) is a number. */
        if (app.n == 0 || !is_digits(instance))
                return false;
        if (!set_name(m, RUNTIME_FLATPAK, app, true))
                return false;
        return set_field(m->id, sizeof(m->id), instance);
}

static bool is_uuid(Str a)
{
        if (a.n != 36)
                return false;
        for (size_t i = 0; i < 36; i++) {
                bool dash = i == 8 || i == 13 || i == 18 || i == 23;
                if (dash ? a.s[i] != '-' : !is_hex(a.s[i]))
                        return false;
        }
        return true;
}

/*
 * "snap.<snap>.<app>-<uuid>.scope" for an app, "snap.<snap>.<app>.service"
 * for a daemon. App names may contain '-', so the uuid is cut from the end
 * (snapd's SecurityTagFromCgroupPath does the same). The name is what one
 * types to run it: "<snap>" when the app is named after the snap, else
 * "<snap>.<app>".
 */
bool naming_snap_unit(const char *cs, size_t cn, _unused_ const char *child, _unused_ size_t child_n,
                      CgroupMatch *m)
{
        Str c = { cs, cn }, tag, snap, app;
        const char *dot;

        if (str_unwrap(c, "snap.", ".scope", &tag)) {
                if (tag.n > 37 && is_uuid((Str){ tag.s + tag.n - 36, 36 }) &&
                    (tag.s[tag.n - 37] == '-' || tag.s[tag.n - 37] == '.'))
                        tag.n -= 37;
        } else if (!str_unwrap(c, "snap.", ".service", &tag)) {
                return false;
        }
        dot = memchr(tag.s, '.', tag.n);
        if (!dot)
                return false;
        snap = str_before(tag, dot);
        app = str_after(tag, dot);
        if (snap.n == 0 || app.n == 0)
                return false;
        if (snap.n == app.n && memcmp(snap.s, app.s, snap.n) == 0)
                return set_name(m, RUNTIME_SNAP, snap, false);
        return set_name(m, RUNTIME_SNAP, tag, false);
}

/*
 * "machine-<escaped name>.scope" is a machine registered with machined.
 * libvirt registers its VMs and containers the same way as
 * "qemu-<n>-<name>" and "lxc-<pid>-<name>": those are not nspawn's.
 */
bool naming_nspawn_unit(const char *cs, size_t cn, const char *child, size_t child_n,
                        CgroupMatch *m)
{
        static const char *const libvirt[] = { "qemu-", "lxc-" };
        _cleanup_free_ char *name = NULL;
        Str c = { cs, cn }, inner;

        if (!str_unwrap(c, "machine-", ".scope", &inner))
                return false;
        name = naming_unescape_unit(inner.s, inner.n);
        for (size_t i = 0; i < ELEMENTSOF(libvirt); i++) {
                const char *q = name + strlen(libvirt[i]);
                size_t k;

                if (!startswith(name, libvirt[i]))
                        continue;
                k = strspn(q, "0123456789");
                if (k > 0 && q[k] == '-')
                        return false;
        }
        if (!set_name(m, RUNTIME_NSPAWN, (Str){ name, strlen(name) }, false))
                return false;
        /* systemd-nspawn runs itself in ".../supervisor" and the container in ".../payload". */
        m->monitor = child && str_eq((Str){ child, child_n }, "supervisor");
        return true;
}

/*
 * One rule on component i. Returns 1 on a match (*m filled), 0 when the
 * rule does not apply, -1 when it applies but what it found cannot be
 * kept (a name with control characters, one too long): then the
 * component says nothing.
 */
static int match_rule(const CgroupRule *rule, Runtime runtime, const Str *comps, size_t n,
                      size_t i, CgroupMatch *m)
{
        Str c = comps[i], v = c;

        switch (rule->where) {
        case CGROUP_PREFIX:
                if (rule->value == CGROUP_ID_HEX64) {
                        if (!match_prefixed_id(c, rule->text, &v))
                                return 0;
                        break;
                }
                if (!str_has_prefix(c, rule->text) || c.n <= strlen(rule->text))
                        return 0;
                v = str_drop_prefix(c, rule->text);
                break;
        case CGROUP_COLON:
                if (!match_colon_form(c, rule->text, &v))
                        return 0;
                break;
        case CGROUP_UNIT: {
                const char *child = i + 1 < n ? comps[i + 1].s : NULL;
                size_t child_n = i + 1 < n ? comps[i + 1].n : 0;

                return rule->parse(c.s, c.n, child, child_n, m) ? 1 : 0;
        }
        case CGROUP_BELOW:
                if (i == 0 || !str_eq(comps[i - 1], rule->text))
                        return 0;
                break;
        case CGROUP_SECOND:
                if (i != 1 || !str_eq(comps[0], rule->text))
                        return 0;
                break;
        case CGROUP_IN_ROOT:
                if (i < 2 || !str_eq(comps[0], rule->text))
                        return 0;
                break;
        case CGROUP_IN: {
                bool in = false;

                for (size_t j = 0; j < i && !in; j++)
                        in = memmem(comps[j].s, comps[j].n, rule->text, strlen(rule->text)) != NULL;
                if (!in)
                        return 0;
                break;
        }
        case CGROUP_ANY:
                break;
        default:
                return 0;
        }

        switch (rule->value) {
        case CGROUP_ID_HEX64:
                if (!is_container_id(v))
                        return 0;
                break;
        case CGROUP_ID_FARGATE:
                if (!is_fargate_id(v))
                        return 0;
                break;
        case CGROUP_ID_PLAIN:
                if (!is_plain_name(v))
                        return 0;
                break;
        case CGROUP_NAME:
                if (!set_name(m, runtime, v, false))
                        return -1;
                m->monitor = rule->monitor;
                return 1;
        }
        if (!set_id(m, runtime, v))
                return -1;
        m->monitor = rule->monitor;
        return 1;
}

/* The kinds of rule in the order they are tried, and what a match of each says. */
static const struct {
        CgroupWhere first, last;
        MatchClass class;
} match_phases[] = {
        /* What the component itself says: a runtime's own marker. */
        { CGROUP_PREFIX, CGROUP_UNIT, CLASS_RUNTIME },
        /* Where it is: below "docker", "lxc.payload", "garden"; then deep in "/ecs". */
        { CGROUP_BELOW, CGROUP_SECOND, CLASS_RUNTIME },
        { CGROUP_IN_ROOT, CGROUP_IN_ROOT, CLASS_RUNTIME },
        /* Below kubepods: an id whose runtime the path does not encode. */
        { CGROUP_IN, CGROUP_IN, CLASS_GENERIC },
        /* A bare 64-hex directory (a custom cgroup parent): an id, runtime unknown. */
        { CGROUP_ANY, CGROUP_ANY, CLASS_BARE_ID },
};

/*
 * Match one path component, knowing its neighbours, against the runtime
 * table: each phase over every runtime in the table's order, first match
 * wins. Returns the class of the evidence, CLASS_NONE when the component
 * says nothing.
 */
static MatchClass match_component(const Str *comps, size_t n, size_t i, CgroupMatch *m)
{
        for (size_t p = 0; p < ELEMENTSOF(match_phases); p++)
                for (int r = 0; r < RUNTIME_MAX; r++) {
                        const CgroupRule *rule = runtime_table[r].cgroup;

                        for (; rule && rule->where != CGROUP_END; rule++) {
                                int k;

                                if (rule->where < match_phases[p].first ||
                                    rule->where > match_phases[p].last)
                                        continue;
                                k = match_rule(rule, (Runtime)r, comps, n, i, m);
                                if (k < 0)
                                        return CLASS_NONE;
                                if (k > 0)
                                        return match_phases[p].class;
                        }
                }
        return CLASS_NONE;
}

/* *ret_depth: the index of the matching component, the deeper the more specific. */
static MatchClass match_path(const char *path, size_t len, CgroupMatch *ret, size_t *ret_depth)
{
        Str comps[CGROUP_COMPONENTS_MAX];
        size_t n = 0;

        /*
         * "/.." appears when the reader is in another cgroup namespace
         * ("0::/../docker-<id>.scope"): those components say nothing.
         */
        for (size_t i = 0; i < len;) {
                size_t j = i;

                while (j < len && path[j] != '/')
                        j++;
                Str c = { path + i, j - i };
                if (c.n > 0 && !str_eq(c, ".") && !str_eq(c, "..")) {
                        /* Keep the innermost components: the match is looked for from the end. */
                        if (n == CGROUP_COMPONENTS_MAX) {
                                memmove(comps, comps + 1, sizeof(comps) - sizeof(comps[0]));
                                n--;
                        }
                        comps[n++] = c;
                }
                i = j + 1;
        }

        /*
         * The innermost container wins: Docker in Docker, CRI-O in a Docker
         * node, a container below an LXC payload. Sub-cgroups below the
         * container ("/container", "/init.scope", kube-proxy's own) match
         * nothing and are stepped over.
         */
        for (size_t i = n; i > 0; i--) {
                CgroupMatch m;
                MatchClass k = match_component(comps, n, i - 1, &m);

                if (k != CLASS_NONE) {
                        *ret = m;
                        *ret_depth = i - 1;
                        return k;
                }
        }
        return CLASS_NONE;
}

int naming_match_cgroup_path(const char *path, CgroupMatch *ret)
{
        CgroupMatch m;
        size_t depth;

        if (!path || match_path(path, strlen(path), &m, &depth) == CLASS_NONE)
                return 0;
        *ret = m;
        return 1;
}

/* The path of one line of /proc/PID/cgroup: "N:controllers:/path", or a bare path. */
static bool cgroup_line_path(const char *line, size_t n, Str *ret)
{
        const char *a, *b;

        if (n > 0 && line[0] == '/') {
                *ret = (Str){ line, n };
                return true;
        }
        a = memchr(line, ':', n);
        if (!a)
                return false;
        b = memchr(a + 1, ':', (size_t)(line + n - a - 1));
        if (!b)
                return false;
        /* The path itself may hold ':' (the colon form): only the first two split. */
        *ret = (Str){ b + 1, (size_t)(line + n - b - 1) };
        return true;
}

int naming_match_cgroup(const char *content, CgroupMatch *ret)
{
        MatchClass best_class = CLASS_NONE;
        CgroupMatch best = {};
        size_t best_depth = 0;
        const char *p = content;
        Str line;

        if (!content)
                return 0;

        /*
         * On v1 and hybrid hosts the lines disagree: some controllers are at
         * "/", name=systemd may point at the host's docker.service, the v2
         * line at containerd.service, a controller nested runtimes did not
         * delegate at the outer container. The strongest evidence wins, then
         * a payload over a monitor, then the deeper (inner) container; among
         * equals the first line stays.
         */
        while (str_next_line(&p, &line)) {
                CgroupMatch m;
                size_t depth;
                MatchClass k;
                Str path;

                if (!cgroup_line_path(line.s, line.n, &path))
                        continue;
                k = match_path(path.s, path.n, &m, &depth);
                if (k == CLASS_NONE || k < best_class)
                        continue;
                if (k == best_class) {
                        if (m.monitor != best.monitor) {
                                if (m.monitor)
                                        continue;
                        } else if (depth <= best_depth) {
                                continue;
                        }
                }
                best_class = k;
                best = m;
                best_depth = depth;
        }
        if (best_class == CLASS_NONE)
                return 0;
        *ret = best;
        return 1;
}

/*
 * The line that stands for the process as a whole: the v2 line, else v1's
 * name=systemd, else the first. A task's cgroup is the same path in every
 * hierarchy, so one line is enough, and a controller that some unrelated
 * manager moved the process in (a memory limit) is not taken for a task.
 */
static bool cgroup_main_path(const char *content, Str *ret)
{
        Str first = {}, systemd = {};
        bool have_first = false, have_systemd = false;

        const char *p = content;
        Str line, path;

        while (str_next_line(&p, &line)) {
                if (!cgroup_line_path(line.s, line.n, &path))
                        continue;
                if (str_has_prefix(line, "0::")) {
                        *ret = path;
                        return true;
                }
                if (!have_systemd &&
                    memmem(line.s, line.n, ":name=systemd:", strlen(":name=systemd:"))) {
                        systemd = path;
                        have_systemd = true;
                }
                if (!have_first) {
                        first = path;
                        have_first = true;
                }
        }
        if (have_systemd)
                *ret = systemd;
        else if (have_first)
                *ret = first;
        return have_systemd || have_first;
}

int naming_cgroup_task_candidate(const char *content, char **ret_ns, char **ret_id)
{
        const char *slash;
        Str path, ns, id;

        if (!content || !cgroup_main_path(content, &path) || path.n < 2 || path.s[0] != '/')
                return 0;
        path = (Str){ path.s + 1, path.n - 1 };
        slash = memchr(path.s, '/', path.n);
        if (!slash)
                return 0;
        ns = str_before(path, slash);
        id = str_after(path, slash);
        if (!is_plain_name(ns) || !is_plain_name(id) || ns.n >= 256 || id.n >= 256 ||
            str_eq(ns, ".") || str_eq(ns, "..") || str_eq(id, ".") || str_eq(id, ".."))
                return 0;
        /* systemd's own units and slices are never a task. */
        if (str_has_suffix(ns, ".slice") || str_has_suffix(ns, ".service") ||
            str_has_suffix(ns, ".scope") || str_has_suffix(id, ".slice") ||
            str_has_suffix(id, ".service") || str_has_suffix(id, ".scope"))
                return 0;
        *ret_ns = xstrndup(ns.s, ns.n);
        *ret_id = xstrndup(id.s, id.n);
        return 1;
}

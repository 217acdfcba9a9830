/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a runtime's own files and processes say about an instance: metadata
 * files (docker config.v2.json, OCI annotations, containers.json, runc
 * state, .flatpak-info, machined and firejail files) and the command lines
 * of the processes that start instances. The cgroup side is in naming.c.
 */
#include <stdint.h>

#include "json.h"
#include "macro.h"
#include "naming-internal.h"
#include "naming.h"

/* --- metadata files --- */

/*
 * A member of the top level of a metadata document, which must be a JSON
 * object (the runtimes' files all are): -EINVAL when it is none, 0 when it
 * has no such member, else 1, the member's value and the document's end.
 */
static int doc_member(const char *json, const char *key, const char **ret_end,
                      const char **ret_value)
{
        const char *end;

        if (!json)
                return -EINVAL;
        end = json + strlen(json);
        if (!json_is(json, end, '{'))
                return -EINVAL;
        *ret_end = end;
        return json_object_get(json, end, key, ret_value);
}

/* A name is never empty: 1 with s in *ret, or 0 (and s freed) when s is "". */
static int name_take(char *s, char **ret)
{
        if (s[0] == '\0') {
                free(s);
                return 0;
        }
        *ret = s;
        return 1;
}

/* The JSON value at v as a name: 0 when it is no string or an empty one. */
static int name_at(const char *v, const char *end, char **ret)
{
        char *s;
        int r;

        if (*v != '"')
                return 0;
        r = json_get_string(v, end, &s);
        if (r < 0)
                return r;
        return name_take(s, ret);
}

int naming_docker_config(const char *json, char **ret_name)
{
        const char *end, *v;
        char *name;
        int r;

        /* Only the top-level key: NetworkSettings.Service and MountPoints hold decoy "Name"s. */
        r = doc_member(json, "Name", &end, &v);
        if (r <= 0)
                return r;
        r = name_at(v, end, &name);
        if (r <= 0)
                return r;
        /* Docker stores names with a leading '/' (daemon/names.go). */
        if (name[0] == '/')
                memmove(name, name + 1, strlen(name));
        return name_take(name, ret_name);
}

static int annotation(const char *annotations, const char *end, const char *key, char **ret)
{
        char *v = NULL;
        int r;

        r = json_object_get_string(annotations, end, key, &v);
        if (r <= 0)
                return r;
        return name_take(v, ret);
}

/*
 * CRI-O's own name, "k8s_<container>_<pod>_<namespace>_<uid>_<attempt>"
 * ("k8s_POD_<pod>_..." for the infra container): its pod, container (NULL
 * for the infra) and namespace, malloc'd. False when it is not one.
 */
static bool kube_name_split(const char *s, char **ret_pod, char **ret_ctr, char **ret_ns)
{
        const char *f[4];
        size_t n[4];

        if (!startswith(s, "k8s_"))
                return false;
        s += 4;
        for (int k = 0; k < 4; k++) {
                const char *u = strchr(s, '_');
                if (!u || u == s)
                        return false;
                f[k] = s, n[k] = (size_t)(u - s);
                s = u + 1;
        }
        *ret_ctr = n[0] == 3 && memcmp(f[0], "POD", 3) == 0 ? NULL : xstrndup(f[0], n[0]);
        *ret_pod = xstrndup(f[1], n[1]);
        *ret_ns = xstrndup(f[2], n[2]);
        return true;
}

/* "pod/container", or whichever of the two there is; NULL for neither. */
static char *kube_join(char *pod, char *ctr)
{
        if (pod && ctr)
                return xasprintf("%s/%s", pod, ctr);
        if (pod || ctr)
                return xstrdup(pod ?: ctr);
        return NULL;
}

/* The annotations containerd's CRI plugin and CRI-O write (see naming.h). */
static int oci_pick(const char *ann, const char *end, char **ret_name, char **ret_ns)
{
        _cleanup_free_ char *type = NULL, *crio_type = NULL, *ctr = NULL, *pod = NULL,
                            *ns = NULL, *crio_name = NULL;
        bool sandbox;
        int r;

        /* containerd's CRI plugin */
        r = annotation(ann, end, "io.kubernetes.cri.container-type", &type);
        if (r >= 0)
                r = annotation(ann, end, "io.kubernetes.cri.sandbox-name", &pod);
        if (r >= 0)
                r = annotation(ann, end, "io.kubernetes.cri.container-name", &ctr);
        if (r >= 0)
                r = annotation(ann, end, "io.kubernetes.cri.sandbox-namespace", &ns);
        if (r < 0)
                return r;
        sandbox = type && streq(type, "sandbox");

        /* CRI-O copies the kubelet's labels as annotations; its infra container is "POD". */
        if (!pod && !ctr) {
                r = annotation(ann, end, "io.kubernetes.cri-o.ContainerType", &crio_type);
                if (r >= 0)
                        r = annotation(ann, end, "io.kubernetes.container.name", &ctr);
                if (r >= 0)
                        r = annotation(ann, end, "io.kubernetes.pod.name", &pod);
                if (r < 0)
                        return r;
                sandbox = (crio_type && streq(crio_type, "sandbox")) || (ctr && streq(ctr, "POD"));
        }
        if (!ns) {
                r = annotation(ann, end, "io.kubernetes.pod.namespace", &ns);
                if (r < 0)
                        return r;
        }
        /* Older CRI-O has its own name only. */
        if (!pod && !ctr) {
                _cleanup_free_ char *p2 = NULL, *c2 = NULL, *n2 = NULL;

                r = annotation(ann, end, "io.kubernetes.cri-o.Name", &crio_name);
                if (r < 0)
                        return r;
                if (crio_name && kube_name_split(crio_name, &p2, &c2, &n2)) {
                        pod = TAKE_PTR(p2), ctr = TAKE_PTR(c2);
                        sandbox = !ctr;
                        if (!ns)
                                ns = TAKE_PTR(n2);
                }
        }
        /* A sandbox (pause, infra) stands for the pod: the pod's name alone. */
        if (sandbox && pod) {
                free(ctr);
                ctr = NULL;
        }
        *ret_name = kube_join(pod, ctr);
        *ret_ns = TAKE_PTR(ns);
        return *ret_name ? 1 : 0;
}

int naming_oci_kube(const char *json, char **ret_name, char **ret_namespace)
{
        _cleanup_free_ char *name = NULL, *ns = NULL;
        const char *end, *ann;
        int r;

        /* The top-level annotations only: "process" and the like never hold names. */
        r = doc_member(json, "annotations", &end, &ann);
        if (r <= 0)
                return r;
        if (*ann != '{')
                return 0;
        r = oci_pick(ann, end, &name, &ns);
        if (r <= 0)
                return r;
        *ret_name = TAKE_PTR(name);
        if (ret_namespace)
                *ret_namespace = TAKE_PTR(ns);
        return 1;
}

int naming_oci_annotations(const char *json, char **ret_name)
{
        return naming_oci_kube(json, ret_name, NULL);
}

/* Walk containers.json; cb returns >0 to stop. */
static int podman_walk(const char *json,
                       int (*cb)(const char *elem, const char *end, void *userdata), void *userdata)
{
        const char *end, *elem;
        JsonIter it;
        int r;

        if (!json)
                return -EINVAL;
        end = json + strlen(json);
        r = json_iter_array(json, end, &it);
        if (r < 0)
                return r;
        while ((r = json_iter_next(&it, &elem)) > 0) {
                if (*elem != '{')
                        continue;
                r = cb(elem, end, userdata);
                if (r != 0)
                        return r;
        }
        return r;
}

/* names[0] of one entry of containers.json. */
static int podman_entry_name(const char *elem, const char *end, char **ret)
{
        const char *names, *first;
        JsonIter it;
        int r;

        r = json_object_get(elem, end, "names", &names);
        if (r <= 0)
                return r;
        if (json_iter_array(names, end, &it) < 0)
                return 0;
        r = json_iter_next(&it, &first);
        if (r <= 0)
                return r;
        return name_at(first, end, ret);
}

typedef struct PodmanFind {
        const char *id;
        char *name;
} PodmanFind;

static int podman_find_cb(const char *elem, const char *end, void *userdata)
{
        _cleanup_free_ char *id = NULL;
        PodmanFind *f = userdata;
        int r;

        r = json_object_get_string(elem, end, "id", &id);
        if (r <= 0)
                return r;
        if (!streq(id, f->id))
                return 0;
        r = podman_entry_name(elem, end, &f->name);
        /* The id was found: stop, with or without a name. */
        return r < 0 ? r : 1;
}

int naming_podman_containers(const char *json, const char *id, char **ret_name)
{
        PodmanFind f = { .id = id };
        int r;

        if (!id)
                return -EINVAL;
        r = podman_walk(json, podman_find_cb, &f);
        if (r < 0)
                return r;
        if (!f.name)
                return 0;
        *ret_name = f.name;
        return 1;
}

typedef struct PodmanAll {
        NamingPair *pairs;
        size_t n;
} PodmanAll;

static int podman_all_cb(const char *elem, const char *end, void *userdata)
{
        PodmanAll *a = userdata;
        char *id = NULL, *name = NULL;
        int r;

        r = json_object_get_string(elem, end, "id", &id);
        if (r <= 0)
                return r;
        r = podman_entry_name(elem, end, &name);
        if (r <= 0) {
                free(id);
                return r;
        }
        a->pairs = xreallocarray(a->pairs, a->n + 1, sizeof(NamingPair));
        a->pairs[a->n++] = (NamingPair){ id, name };
        return 0;
}

int naming_podman_containers_all(const char *json, NamingPair **ret, size_t *ret_n)
{
        PodmanAll a = {};
        int r;

        r = podman_walk(json, podman_all_cb, &a);
        if (r < 0) {
                naming_pairs_free(a.pairs, a.n);
                return r;
        }
        *ret = a.pairs;
        *ret_n = a.n;
        return 0;
}

NamingPair *naming_pairs_free(NamingPair *pairs, size_t n)
{
        for (size_t i = 0; pairs && i < n; i++) {
                free(pairs[i].id);
                free(pairs[i].name);
        }
        free(pairs);
        return NULL;
}

static Str str_trim(Str a)
{
        while (a.n > 0 && (a.s[0] == ' ' || a.s[0] == '\t'))
                a.s++, a.n--;
        while (a.n > 0 && (a.s[a.n - 1] == ' ' || a.s[a.n - 1] == '\t' || a.s[a.n - 1] == '\r'))
                a.n--;
        return a;
}

/* The text of a one-line file or a key's value as a name, if not empty. */
static int name_from(Str v, char **ret)
{
        if (v.n == 0)
                return 0;
        *ret = xstrndup(v.s, v.n);
        return 1;
}

/* .flatpak-info is a GKeyFile: "[Application]" (or "[Runtime]") then "name=<id>". */
int naming_flatpak_info(const char *ini, char **ret_name)
{
        bool in_section = false, any_section = false;
        const char *p = ini;
        Str line;

        if (!ini)
                return -EINVAL;
        while (str_next_line(&p, &line)) {
                const char *eq;
                Str key, value;

                line = str_trim(line);
                if (line.n == 0 || line.s[0] == '#')
                        continue;
                if (line.s[0] == '[') {
                        any_section = true;
                        in_section = str_eq(line, "[Application]") || str_eq(line, "[Runtime]");
                        continue;
                }
                eq = memchr(line.s, '=', line.n);
                /* Anything but comments, groups and keys means this is not a key file. */
                if (!eq || !any_section)
                        return -EINVAL;
                if (!in_section)
                        continue;
                key = str_trim(str_before(line, eq));
                value = str_trim(str_after(line, eq));
                /* an empty name= does not end the search */
                if (str_eq(key, "name") && name_from(value, ret_name) > 0)
                        return 1;
        }
        return 0;
}

int naming_nspawn_machine(const char *content, char **ret_name)
{
        const char *p = content;
        Str line;

        if (!content)
                return -EINVAL;
        while (str_next_line(&p, &line)) {
                Str v;

                if (!str_has_prefix(line, "NAME="))
                        continue;
                v = str_trim(str_drop_prefix(line, "NAME="));
                if (v.n >= 2 && v.s[0] == '"' && v.s[v.n - 1] == '"')
                        v = (Str){ v.s + 1, v.n - 2 };
                return name_from(v, ret_name);
        }
        return 0;
}

int naming_firejail_name(const char *content, char **ret_name)
{
        Str first;

        if (!content)
                return -EINVAL;
        /* the whole file is the name, on its one line */
        return str_next_line(&content, &first) ? name_from(str_trim(first), ret_name) : 0;
}

static int json_pid_and_start(const char *json, const char *pid_key, const char *start_key,
                              pid_t *ret_pid, unsigned long long *ret_start)
{
        unsigned long long start = 0;
        const char *end, *v;
        long long pid, t;
        int r;

        r = doc_member(json, pid_key, &end, &v);
        if (r <= 0)
                return r;
        r = json_get_integer(v, end, &pid);
        if (r < 0)
                return r;
        /* A stopped container keeps its state file, with pid 0 or its old pid. */
        if (pid <= 0 || pid > INT32_MAX)
                return 0;

        if (start_key && json_object_get(json, end, start_key, &v) > 0) {
                /* Old libcontainer wrote the start time as a string ("3211353"). */
                if (*v == '"')
                        v++;
                if (json_get_integer(v, end, &t) == 0 && t > 0)
                        start = (unsigned long long)t;
        }
        *ret_pid = (pid_t)pid;
        *ret_start = start;
        return 1;
}

int naming_runc_state(const char *json, pid_t *ret_pid, unsigned long long *ret_start)
{
        return json_pid_and_start(json, "init_process_pid", "init_process_start", ret_pid,
                                  ret_start);
}

int naming_crun_status(const char *json, pid_t *ret_pid, unsigned long long *ret_start)
{
        return json_pid_and_start(json, "pid", "process-start-time", ret_pid, ret_start);
}

int naming_runc_state_pid(const char *json, pid_t *ret_pid)
{
        unsigned long long start;
        return naming_runc_state(json, ret_pid, &start);
}

int naming_crun_status_pid(const char *json, pid_t *ret_pid)
{
        unsigned long long start;
        return naming_crun_status(json, ret_pid, &start);
}

/* --- command lines --- */

/* Split a NUL-separated command line into at most max arguments. */
static size_t split_cmdline(const char *cmdline, size_t len, Str *argv, size_t max)
{
        size_t n = 0;

        for (size_t i = 0; cmdline && i < len && n < max;) {
                size_t k = strnlen(cmdline + i, len - i);

                argv[n++] = (Str){ cmdline + i, k };
                i += k + 1;
        }
        return n;
}

static Str str_basename(Str a)
{
        const char *slash;

        while (a.n > 1 && a.s[a.n - 1] == '/')
                a.n--;
        slash = memrchr(a.s, '/', a.n);
        if (slash && (size_t)(slash - a.s) + 1 < a.n)
                return str_after(a, slash);
        return a;
}

/* The value of "-x V", "-xV", "--long V" or "--long=V" at argv[*i]; advances *i past it. */
static bool option_value(const Str *argv, size_t argc, size_t *i, const char *shortopt,
                         const char *longopt, Str *ret)
{
        Str a = argv[*i];
        size_t k;

        if (longopt && str_eq(a, longopt)) {
                if (*i + 1 >= argc)
                        return false;
                *ret = argv[++*i];
                return true;
        }
        k = longopt ? strlen(longopt) : 0;
        if (longopt && a.n > k && memcmp(a.s, longopt, k) == 0 && a.s[k] == '=') {
                *ret = (Str){ a.s + k + 1, a.n - k - 1 };
                return true;
        }
        if (shortopt && str_eq(a, shortopt)) {
                if (*i + 1 >= argc)
                        return false;
                *ret = argv[++*i];
                return true;
        }
        if (shortopt && str_has_prefix(a, shortopt) && a.n > 2) {
                *ret = (Str){ a.s + 2, a.n - 2 };
                return true;
        }
        return false;
}

#define ARGV_MAX 512

int naming_conmon_cmdline(const char *cmdline, size_t len, char **ret_id, char **ret_name)
{
        Str argv[ARGV_MAX], id = {}, name = {}, v;
        size_t argc = split_cmdline(cmdline, len, argv, ARGV_MAX);

        if (argc == 0 || !str_eq(str_basename(argv[0]), "conmon"))
                return 0;
        for (size_t i = 1; i < argc; i++) {
                if (option_value(argv, argc, &i, "-c", "--cid", &v))
                        id = v;
                else if (option_value(argv, argc, &i, "-n", "--name", &v))
                        name = v;
        }
        if (name.n == 0)
                return 0;
        if (ret_id)
                *ret_id = id.n > 0 ? xstrndup(id.s, id.n) : NULL;
        if (ret_name)
                *ret_name = xstrndup(name.s, name.n);
        return 1;
}

/* bwrap's options and how many arguments each takes (bubblewrap 0.11). */
static int bwrap_option_arity(Str a)
{
        static const char *const zero[] = {
                "--unshare-all",        "--share-net",      "--unshare-user",
                "--unshare-user-try",   "--unshare-ipc",    "--unshare-pid",
                "--unshare-net",        "--unshare-uts",    "--unshare-cgroup",
                "--unshare-cgroup-try", "--disable-userns", "--assert-userns-disabled",
                "--clearenv",           "--new-session",    "--die-with-parent",
                "--as-pid-1",           "--level-prefix",
        };
        static const char *const one[] = {
                "--args",        "--argv0",
                "--userns",      "--userns2",
                "--pidns",       "--uid",
                "--gid",         "--hostname",
                "--chdir",       "--unsetenv",
                "--lock-file",   "--sync-fd",
                "--remount-ro",  "--exec-label",
                "--file-label",  "--proc",
                "--dev",         "--tmpfs",
                "--mqueue",      "--dir",
                "--seccomp",     "--add-seccomp-fd",
                "--block-fd",    "--userns-block-fd",
                "--info-fd",     "--json-status-fd",
                "--cap-add",     "--cap-drop",
                "--perms",       "--size",
                "--overlay-src", "--tmp-overlay",
                "--ro-overlay",
        };
        static const char *const two[] = {
                "--setenv",    "--bind",         "--bind-try", "--dev-bind",   "--dev-bind-try",
                "--ro-bind",   "--ro-bind-try",  "--bind-fd",  "--ro-bind-fd", "--file",
                "--bind-data", "--ro-bind-data", "--symlink",  "--chmod",
        };

        for (size_t i = 0; i < ELEMENTSOF(zero); i++)
                if (str_eq(a, zero[i]))
                        return 0;
        for (size_t i = 0; i < ELEMENTSOF(one); i++)
                if (str_eq(a, one[i]))
                        return 1;
        for (size_t i = 0; i < ELEMENTSOF(two); i++)
                if (str_eq(a, two[i]))
                        return 2;
        if (str_eq(a, "--overlay"))
                return 3;
        return -1;
}

int naming_bwrap_command(const char *cmdline, size_t len, char **ret_name)
{
        Str argv[ARGV_MAX], cmd;
        size_t argc = split_cmdline(cmdline, len, argv, ARGV_MAX), i = 1;

        if (argc == 0 || !str_eq(str_basename(argv[0]), "bwrap"))
                return 0;
        while (i < argc) {
                int k;

                if (str_eq(argv[i], "--")) {
                        i++;
                        break;
                }
                if (!str_has_prefix(argv[i], "--"))
                        break;
                /* An option this table does not know: its arity, and so the command, is unknown. */
                k = bwrap_option_arity(argv[i]);
                if (k < 0)
                        return 0;
                i += 1 + (size_t)k;
        }
        /* With --args the command may be in the fd, out of sight. */
        if (i >= argc)
                return 0;
        cmd = str_basename(argv[i]);
        if (cmd.n == 0)
                return 0;
        *ret_name = xstrndup(cmd.s, cmd.n);
        return 1;
}

int naming_nspawn_cmdline(const char *cmdline, size_t len, char **ret_name)
{
        Str argv[ARGV_MAX], machine = {}, dir = {}, v;
        size_t argc = split_cmdline(cmdline, len, argv, ARGV_MAX);

        if (argc == 0 || !str_eq(str_basename(argv[0]), "systemd-nspawn"))
                return 0;
        /* The first occurrence: the container's own command comes last and may reuse -D. */
        for (size_t i = 1; i < argc && machine.n == 0; i++) {
                if (str_eq(argv[i], "--"))
                        break;
                if (option_value(argv, argc, &i, "-M", "--machine", &v))
                        machine = v;
                else if (dir.n == 0 && (option_value(argv, argc, &i, "-D", "--directory", &v) ||
                                        option_value(argv, argc, &i, "-i", "--image", &v)))
                        dir = v;
        }
        if (machine.n == 0 && dir.n > 0) {
                /* nspawn's default machine name: the image's basename without ".raw". */
                machine = str_drop_suffix(str_basename(dir), ".raw");
                if (str_eq(machine, "/"))
                        machine.n = 0;
        }
        if (machine.n == 0)
                return 0;
        *ret_name = xstrndup(machine.s, machine.n);
        return 1;
}

char *naming_command_name(const char *cmdline, size_t len, const char *comm)
{
        Str argv[1], cmd;

        if (split_cmdline(cmdline, len, argv, 1) == 1 && argv[0].n > 0 &&
            !memchr(argv[0].s, ' ', argv[0].n) && argv[0].s[argv[0].n - 1] != '/') {
                cmd = str_basename(argv[0]);
                if (cmd.n > 0)
                        return xstrndup(cmd.s, cmd.n);
        }
        if (comm && comm[0])
                return xstrdup(comm);
        return NULL;
}

int naming_ns_init(const char *comm, const char *cmdline, size_t cmdline_len, char **ret_name)
{
        static const char mark[] = "ns-init"; /* with its NUL */

        if (!comm || !streq(comm, mark))
                return 0;
        if (!cmdline || cmdline_len < sizeof(mark) || memcmp(cmdline, mark, sizeof(mark)) != 0)
                return 0;
        *ret_name = xstrndup(cmdline + sizeof(mark), cmdline_len - sizeof(mark));
        return 1;
}

int naming_ns_init_image(const char *cmdline, size_t cmdline_len, char **ret_image)
{
        static const char mark[] = "ns-init";
        const char *p, *end = cmdline + cmdline_len, *nul;

        if (!cmdline || cmdline_len < sizeof(mark) || memcmp(cmdline, mark, sizeof(mark)) != 0)
                return 0;
        /* past NAME and its NUL */
        p = cmdline + sizeof(mark);
        nul = memchr(p, '\0', (size_t)(end - p));
        if (!nul || nul + 1 >= end || nul[1] == '\0')
                return 0;
        p = nul + 1;
        *ret_image = xstrndup(p, (size_t)(end - p));
        return 1;
}

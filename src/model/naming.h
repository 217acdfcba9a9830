/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * Which runtime made an instance and what it calls it, as pure functions of
 * strings (the content of /proc/PID/cgroup, a metadata file, a command
 * line). No I/O here: identify.c reads the files and calls these, so every
 * matcher is unit-tested on fixture strings.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "runtime.h"

typedef struct CgroupMatch {
        Runtime runtime;
        char id[129];   /* the runtime's own container id, "" when none */
        char name[256]; /* a name readable from the path alone, "" when none */
        bool monitor;   /* a monitor (conmon, nspawn supervisor, lxc monitor), not the payload */
} CgroupMatch;

/*
 * Match the content of /proc/PID/cgroup (v1, v2 or hybrid lines). Returns 1
 * and fills *ret on a match, 0 when nothing in it names a runtime.
 */
int naming_match_cgroup(const char *content, CgroupMatch *ret);

/* The same for one bare cgroup path ("/system.slice/docker-<id>.scope"). */
int naming_match_cgroup_path(const char *path, CgroupMatch *ret);

/*
 * The unit names of the runtime table's CGROUP_UNIT rules: one path
 * component (c, n) and the one below it (child, child_n; NULL, 0 when
 * none). True and *ret filled on a match.
 *   systemd-nspawn: "machine-<escaped name>.scope" (not libvirt's
 *     "qemu-<n>-<name>", "lxc-<pid>-<name>"), a monitor with a
 *     "supervisor" child;
 *   flatpak: "app-flatpak-<app id>-<instance>.scope";
 *   snap: "snap.<snap>.<app>-<uuid>.scope", "snap.<snap>.<app>.service".
 */
bool naming_nspawn_unit(const char *c, size_t n, const char *child, size_t child_n,
                        CgroupMatch *ret);
bool naming_flatpak_unit(const char *c, size_t n, const char *child, size_t child_n,
                         CgroupMatch *ret);
bool naming_snap_unit(const char *c, size_t n, const char *child, size_t child_n,
                      CgroupMatch *ret);

/*
 * Metadata files. Each returns 1 and a malloc'd *ret_name when found, 0 when
 * the document holds no name, -EINVAL when it is not of the expected shape.
 */
int naming_docker_config(const char *json, char **ret_name);         /* config.v2.json top-level "Name" */
int naming_oci_annotations(const char *json, char **ret_name);       /* containerd / CRI-O config.json */
/*
 * The same with Kubernetes' view, from the annotations containerd's CRI
 * plugin (io.kubernetes.cri.*) and CRI-O (io.kubernetes.pod.*,
 * io.kubernetes.container.name, io.kubernetes.cri-o.Name) keep: the name is
 * "pod/container" for a container, the pod's name alone for its sandbox;
 * *ret_namespace (when not NULL) the pod's namespace, or NULL when the
 * annotations do not say.
 */
int naming_oci_kube(const char *json, char **ret_name, char **ret_namespace);
int naming_podman_containers(const char *json, const char *id, char **ret_name); /* containers.json */
int naming_flatpak_info(const char *ini, char **ret_name);           /* .flatpak-info [Application] name */
int naming_nspawn_machine(const char *content, char **ret_name);     /* /run/systemd/machines/<name> NAME= */
int naming_firejail_name(const char *content, char **ret_name);      /* /run/firejail/name/<pid> */
int naming_runc_state_pid(const char *json, pid_t *ret_pid);         /* state.json "init_process_pid" */
int naming_crun_status_pid(const char *json, pid_t *ret_pid);        /* crun status "pid" */

/*
 * containers.json as (id, names[0]) pairs, so that a scan parses the file
 * once however many podman containers it names. Entries without a name are
 * left out.
 */
typedef struct NamingPair {
        char *id;
        char *name;
} NamingPair;

int naming_podman_containers_all(const char *json, NamingPair **ret, size_t *ret_n);
NamingPair *naming_pairs_free(NamingPair *pairs, size_t n);

/*
 * runc state.json / crun status with the init's start time (clock ticks
 * after boot, as in /proc/PID/stat; 0 when the file has none), so a pid
 * that was recycled after the container stopped is not taken for it.
 */
int naming_runc_state(const char *json, pid_t *ret_pid, unsigned long long *ret_start);
int naming_crun_status(const char *json, pid_t *ret_pid, unsigned long long *ret_start);

/*
 * Command lines of the process that started an instance (NUL-separated, as
 * in /proc/PID/cmdline). conmon: "-c <id>" and "-n <name>" (either out
 * param may be NULL); returns 1 when a name was found. bwrap: the basename
 * of the sandboxed command, after bwrap's own options. systemd-nspawn: the
 * machine name (-M), else the basename of its directory or image.
 */
int naming_conmon_cmdline(const char *cmdline, size_t len, char **ret_id, char **ret_name);
int naming_bwrap_command(const char *cmdline, size_t len, char **ret_name);
int naming_nspawn_cmdline(const char *cmdline, size_t len, char **ret_name);

/*
 * containerd without CRI puts a task at "/<namespace>/<id>", with a user
 * chosen id that no pattern recognises. This returns such a two-component
 * path of a cgroup file as a candidate that the caller confirms on disk
 * (the task directory exists). 1 on a candidate, 0 when there is none.
 */
int naming_cgroup_task_candidate(const char *content, char **ret_ns, char **ret_id);

/*
 * The fallback name: the basename of argv[0], or comm when there is no
 * command line or argv[0] is a rewritten process title ("nginx: master").
 * NULL when neither gives anything.
 */
char *naming_command_name(const char *cmdline, size_t len, const char *comm);

/* systemd unit-name unescaping ("\x2d" -> "-"), into a malloc'd string. */
char *naming_unescape_unit(const char *s, size_t n);

/*
 * ns run's pid 1 marks itself: comm "ns-init" and a command line of
 * "ns-init\0NAME\0IMAGE\0" (IMAGE since ns run --image; older ones end
 * after NAME). Returns 1 and the name ("" when unnamed) on a match.
 */
int naming_ns_init(const char *comm, const char *cmdline, size_t cmdline_len, char **ret_name);

/* The IMAGE field of that command line: 1 and the reference, or 0 when
 * there is none (no such field, or empty). */
int naming_ns_init_image(const char *cmdline, size_t cmdline_len, char **ret_image);

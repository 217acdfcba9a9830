/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/capability.h>

/*
 * Capabilities through the syscalls themselves (prctl, capset): no library
 * is loaded, so these are safe in a process that has joined a container's
 * mount namespace, where any library would come from the container's
 * files. A set is a bit per capability, as in /proc/PID/status.
 */

/* Every capability the kernel knows. */
uint64_t caps_all(void);

/* Drop from the bounding set each capability that is not in keep and is
 * still there. Returns 0 or -errno. */
int caps_drop_bounding(uint64_t keep);

/* Set the permitted, effective and inheritable sets. Returns 0 or -errno. */
int caps_set(uint64_t permitted, uint64_t effective, uint64_t inheritable);

/* Raise each capability of set in the ambient set. Returns 0 or -errno. */
int caps_raise_ambient(uint64_t set);

/* Make the ambient set exactly set: clear it, then raise each. Returns 0
 * or -errno. */
int caps_set_ambient(uint64_t set);

/*
 * libcap, for capability names only (ns run --cap-add): it is loaded with
 * dlopen() on the host, before any namespace is joined, and only when a
 * name is given. Each pointer has the type of libcap's own prototype.
 */
typedef struct LibCap {
        typeof(cap_from_name) *from_name;
} LibCap;

/* Load libcap.so.2. Returns 0, or -ELIBACC with the reason in *ret_error
 * (to free). */
int caps_load_libcap(LibCap *ret, char **ret_error);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/capability.h> /* CAP_*: the kernel's numbers, no library */
#include <stdint.h>

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

/* The number of the capability called name: "net_admin", "CAP_NET_ADMIN"
 * or a number. The names are libcap's, taken at build time. Returns 0, or
 * -EINVAL for a name no capability has. */
int caps_from_name(const char *name, int *ret);

/* The name of capability cap ("net_admin"), or NULL. */
const char *caps_to_name(int cap);

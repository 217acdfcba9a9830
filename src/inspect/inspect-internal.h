/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the files of src/inspect/ share and nothing above them sees. */

#include "inspect.h"

/* The cgroup section of r: freezer, pressure, v1 memory extras (inspect-cgroup.c). */
void inspect_read_cgroup(int proc_fd, int root_fd, InspectReport *r);
void inspect_cgroup_done(InspectCgroup *cg);

/* "12 s", "3 min", "2 h": a duration as a person reads it, into buf. */
const char *format_duration(double secs, char *buf, size_t size);

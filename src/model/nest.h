/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "group.h"

/*
 * Nesting: set each instance's parent. An instance with its own user
 * namespace hangs below the holder of the parent user namespace
 * (NS_GET_PARENT, Linux 4.9), else one with its own pid namespace below the
 * holder of the parent pid namespace, else below the instance of its
 * leader's parent process. Costs a few syscalls per instance: only for the
 * callers that show it. Idempotent.
 */
void instances_find_parents(Instances *is);

/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * ns top's rows in the Prometheus text exposition format (version 0.0.4),
 * for `ns top -b --format=prometheus`, the textfile collector of
 * node_exporter and `ns top --listen`: one family per figure, each with
 * its HELP and TYPE lines and one sample per instance, labelled with the
 * instance's id, name, runtime, runtime_id, pod and namespace.
 *
 * Counters are the totals as read (CPU seconds, bytes, OOM kills), never
 * rates or deltas, so one sample is enough; Prometheus takes the rates.
 * A figure that is not known for a row (no cgroup of its own to read it
 * from, a file it may not read) has no sample for that row, and a family
 * with no sample at all is left out. No timestamps: the textfile
 * collector refuses them.
 */

#include <stdio.h>

#include "top-model.h"

/* The Content-Type of the exposition, for an HTTP server. */
#define TOP_PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Write the exposition of rows[0..n) to f; rows that are gone (exited)
 * are left out. Returns 0 or -errno from the stream.
 */
int top_prom_write_rows(const TopRow *const *rows, size_t n, FILE *f);

/* The same over the rows of the model's view. */
int top_write_prometheus(const TopModel *m, FILE *f);

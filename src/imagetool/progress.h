/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/*
 * The pull's progress on a terminal: one line per layer (its short digest,
 * what is happening to it, bytes of the total and the rate), redrawn in
 * place at most ten times a second, as docker pull and skopeo show it.
 * Nothing at all when the stream is not a terminal: progress_new() then
 * returns NULL and every function takes NULL.
 */

#include <stdint.h>
#include <stdio.h>

typedef struct Progress Progress;

/* One line per id ("sha256:..."), in order. NULL when f is not a tty. */
Progress *progress_new(FILE *f, char *const *ids, size_t n);
Progress *progress_free(Progress *p);

/* Line i now says status ("Downloading", "Pull complete"); total is -1
 * when unknown. Resets the line's byte count and rate clock. */
void progress_state(Progress *p, size_t i, const char *status, int64_t total);
/* Bytes done on line i (throttled redraw). */
void progress_bytes(Progress *p, size_t i, uint64_t done);
/* A line under the layers' ("Digest: sha256:..."). */
void progress_note(Progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

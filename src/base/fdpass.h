/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/*
 * One message over a socket, with at most one fd along (SCM_RIGHTS): the
 * one home of fd passing, for attach's and launch's parent-child talk.
 */

/* Send len bytes of buf, and fd when it is >= 0. No SIGPIPE: a peer that
 * is gone is -EPIPE. Returns 0 or -errno. */
int fd_send(int sock, const void *buf, size_t len, int fd);

/* Receive one message into buf (at most len bytes); an fd that came along
 * goes to *ret_fd (O_CLOEXEC), else -1. Returns the bytes received (0 at
 * end of file) or -errno. */
ssize_t fd_recv(int sock, void *buf, size_t len, int *ret_fd);

// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

int hvd_log_mode;

void hvd_log_open(const char *ident, int foreground)
{
	openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	/* Under systemd stderr goes to the journal too: avoid duplicates. */
	hvd_log_mode = (foreground && isatty(STDERR_FILENO)) ? 1 : 0;
}

void hvd_log(int prio, const char *fmt, ...)
{
	va_list ap;

	if (hvd_log_mode < 0)
		return;
	va_start(ap, fmt);
	vsyslog(prio, fmt, ap);
	va_end(ap);
	if (hvd_log_mode > 0) {
		va_start(ap, fmt);
		vfprintf(stderr, fmt, ap);
		va_end(ap);
		fputc('\n', stderr);
	}
}

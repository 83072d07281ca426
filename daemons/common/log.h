/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_LOG_H
#define HVD_LOG_H

#include <syslog.h>

/* 0: syslog only; 1: syslog and stderr; -1: silent (tests, fuzzers). */
extern int hvd_log_mode;

void hvd_log_open(const char *ident, int foreground);
void hvd_log(int prio, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A minimal unit-test harness: each test_*.c file is one program that calls
 * UNIT_RUN() for its cases and returns unit_summary(). A case fails at its
 * first failing CHECK, and the program prints one "N passed, N failed" line.
 */
#ifndef OPENLIS_UNIT_H
#define OPENLIS_UNIT_H

#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed, unit_case_failed;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "  %s:%d: CHECK(%s) failed\n",		\
			__FILE__, __LINE__, #cond);			\
		unit_case_failed = 1;					\
		return;							\
	}								\
} while (0)

#define CHECK_EQ(a, b) do {						\
	long long _a = (long long)(a), _b = (long long)(b);		\
	if (_a != _b) {							\
		fprintf(stderr, "  %s:%d: %s == %lld, expected %s == %lld\n", \
			__FILE__, __LINE__, #a, _a, #b, _b);		\
		unit_case_failed = 1;					\
		return;							\
	}								\
} while (0)

#define UNIT_RUN(fn) do {						\
	unit_case_failed = 0;						\
	fn();								\
	if (unit_case_failed) {						\
		unit_failed++;						\
		printf("FAIL %s\n", #fn);				\
	} else {							\
		unit_passed++;						\
		printf("ok   %s\n", #fn);				\
	}								\
} while (0)

static inline int unit_summary(void)
{
	printf("%d passed, %d failed\n", unit_passed, unit_failed);
	return unit_failed ? 1 : 0;
}

#endif

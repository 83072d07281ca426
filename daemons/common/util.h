/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_UTIL_H
#define HVD_UTIL_H

#include <string.h>

/* Copy a string, truncating to fit; dst is always terminated. */
static inline void hvd_strlcpy(char *dst, const char *src, size_t len)
{
	size_t n = 0;

	if (!len)
		return;
	while (n + 1 < len && src[n]) {
		dst[n] = src[n];
		n++;
	}
	dst[n] = 0;
}

#endif

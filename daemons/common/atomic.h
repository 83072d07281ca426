/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_ATOMIC_H
#define HVD_ATOMIC_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Replace dir/name with exactly buf[0..len) or leave it untouched: the data
 * goes to a temporary file in the same directory, is fsync()ed, renamed over
 * the target, and the directory is fsync()ed. Returns 0 or -errno.
 */
int hvd_atomic_write(const char *dir, const char *name, const void *buf,
		     size_t len, mode_t mode);

/* Write all of buf at the current position; 0 or -errno. */
int hvd_write_all(int fd, const void *buf, size_t len);

/* Remove leftovers "<prefix>.tmp*" of an interrupted hvd_atomic_write. */
void hvd_atomic_cleanup(const char *dir, const char *prefix);

#endif

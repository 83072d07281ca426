// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <unistd.h>

#include "dev.h"
#include "log.h"

int hvd_dev_register(const char *path, const void *reg, size_t len)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		hvd_log(LOG_ERR, "open %s: %m", path);
		return -1;
	}
	if (write(fd, reg, len) != (ssize_t)len) {
		hvd_log(LOG_ERR, "registration with the kernel failed: %m");
		close(fd);
		return -1;
	}
	return fd;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * 6.14 renamed the host template's slave_alloc and slave_configure to
 * sdev_init and sdev_configure, the latter with the queue's limits.
 */
#include <scsi/scsi_host.h>

static int i(struct scsi_device *sdev)
{
	return 0;
}

static int c(struct scsi_device *sdev, struct queue_limits *lim)
{
	return 0;
}

struct scsi_host_template probe_sht = { .sdev_init = i, .sdev_configure = c };

/* SPDX-License-Identifier: GPL-2.0 */
/* Kernel-version shims used by storvsc/. */
#ifndef OPENLIS_STORVSC_COMPAT_H
#define OPENLIS_STORVSC_COMPAT_H

/*
 * The host template's per-device hooks: sdev_init and sdev_configure
 * (with the queue's limits) since 6.14, slave_alloc and slave_configure
 * before. A driver defines stv_sdev_init(sdev) and stv_sdev_configure()
 * with STV_SDEV_CONFIGURE_ARGS, and names them with STV_SDEV_HOOKS.
 */
#ifdef OPENLIS_HAVE_SCSI_SDEV_INIT
#define STV_SDEV_CONFIGURE_ARGS	struct scsi_device *sdev, struct queue_limits *lim
#define STV_SDEV_HOOKS(init, configure) \
	.sdev_init = init, .sdev_configure = configure
#else
#define STV_SDEV_CONFIGURE_ARGS	struct scsi_device *sdev
#define STV_SDEV_HOOKS(init, configure) \
	.slave_alloc = init, .slave_configure = configure
#endif

/* What queuecommand returns: enum scsi_qc_status since 7.x, int before. */
#ifdef OPENLIS_HAVE_SCSI_QC_STATUS
#define STV_QC_RET		enum scsi_qc_status
#else
#define STV_QC_RET		int
#endif

#endif

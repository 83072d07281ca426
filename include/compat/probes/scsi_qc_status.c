// SPDX-License-Identifier: GPL-2.0
/* queuecommand returns enum scsi_qc_status rather than int (7.x). */
#include <scsi/scsi.h>

enum scsi_qc_status probe_qc = SCSI_MLQUEUE_HOST_BUSY;

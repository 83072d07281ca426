/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hv_storvsc: Hyper-V's synthetic SCSI controller. vstor.c speaks VMSTOR
 * on the channels (initialization, sub-channels, the channel callback
 * that checks every host packet through vstor_check.c), scsi.c is the
 * Scsi_Host on top (queues, SRBs, results, rescans, resets), stats.c the
 * counters in debugfs.
 *
 * Locking: stv_dev.sc_lock (a mutex: a channel opens under it) guards
 * the channel table while sub-channels open; after the probe the table
 * only grows, and readers take a channel by index below nr_chans (read
 * once, acquire). The
 * transaction context has its own lock (ol_xact.h), taken inside no
 * other of ours. Counters are atomics and need no lock.
 */
#ifndef OPENLIS_HV_STORVSC_H
#define OPENLIS_HV_STORVSC_H

#include <linux/atomic.h>
#include <linux/hyperv.h>
#include <linux/mutex.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_host.h>

#include <openlis/ol_xact.h>
#include "vstor_check.h"

/* Sub-channels asked for at most (the host may offer fewer). */
#define STV_MAX_SUB		63
#define STV_MAX_CHANS		(STV_MAX_SUB + 1)
/* The largest transfer taken from the host, whatever it offers. */
#define STV_MAX_XFER		(2U << 20)
/* Page numbers kept in a command; a longer list is allocated. */
#define STV_INLINE_PFNS		33
#define STV_RING_SIZE		(128 * 1024)

struct stv_dev;

struct stv_chan {
	struct vmbus_channel *chan;
	struct stv_dev *dev;
	u16 index;
	atomic64_t requests;
	atomic64_t bytes;
	atomic64_t errors;	/* SRBs the host answered with an error */
	atomic64_t bad;		/* host packets dropped as malformed */
	atomic_t inflight;
};

struct stv_dev {
	struct hv_device *hdev;
	struct Scsi_Host *shost;
	struct ol_xact_ctx xact;
	u16 version;		/* negotiated; set before the host is added */
	u32 max_xfer;
	u16 max_sub;		/* sub-channels the host can open */
	u16 want_sub;		/* sub-channels asked for */
	u16 nr_queues;		/* blk-mq queues: channels asked for; fixed once added */
	bool ide;		/* the IDE class: the primary channel alone */
	struct mutex sc_lock;
	u16 nr_chans;		/* sc_lock to write; read with acquire */
	struct stv_chan chans[STV_MAX_CHANS];
	wait_queue_head_t sc_wait;
	atomic_t gen;		/* generations of I/O ids */
	atomic64_t verdicts[VSTOR_NR_VERDICTS];
	bool removing;		/* the driver is going: no rescans */
	bool io_ready;		/* the tag set exists: I/O answers can be looked up */
	struct workqueue_struct *wq;
	struct work_struct scan_work;
	struct dentry *debugfs;
};

/* The part of each scsi_cmnd that is ours (cmd_size). */
struct stv_cmd {
	u64 id;			/* of the SRB in flight; 0 once answered */
	u16 chan;		/* the channel it went on */
	u64 pfns[STV_INLINE_PFNS];
};

static inline struct stv_dev *stv_of(struct Scsi_Host *shost)
{
	return shost_priv(shost);
}

/* vstor.c */
int stv_connect(struct stv_dev *dev);
void stv_disconnect(struct stv_dev *dev);
int stv_reset_bus(struct stv_dev *dev);
void stv_bad(struct stv_chan *c, enum vstor_verdict v, u64 id);
struct stv_chan *stv_chan_get(struct stv_dev *dev, unsigned int i);
unsigned int stv_nr_chans(struct stv_dev *dev);

/* scsi.c */
void stv_io_done(struct stv_chan *c, u32 unique_tag, u64 id,
		 const struct vstor_packet *p, u32 len);
void stv_bus_changed(struct stv_dev *dev);

/* stats.c */
void stv_stats_init(struct stv_dev *dev);
void stv_stats_exit(struct stv_dev *dev);
void stv_stats_module_init(void);
void stv_stats_module_exit(void);

#endif

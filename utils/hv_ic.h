/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hv_utils gives the service modules: opening an IC channel, reading
 * checked packets (version negotiation is answered here), answering them,
 * and the character-device transport to a user-space daemon.
 */
#ifndef OPENLIS_HV_IC_H
#define OPENLIS_HV_IC_H

#include <linux/hyperv.h>
#include <linux/mutex.h>
#include <linux/ratelimit.h>
#include <linux/workqueue.h>
#include <openlis/ic_proto.h>
#include "ic_xact.h"

struct hv_ic {
	const char *name;		/* for the log: "heartbeat" */
	struct hv_device *dev;
	struct vmbus_channel *chan;
	const struct hvic_versions *vers;
	u8 *buf;
	u32 buf_size;
	u32 len;			/* the current packet */
	u64 req_id;
	struct hvic_msg msg;
	u32 fw_ver, srv_ver;		/* negotiated; 0: not yet */
	atomic_t dropped;		/* bad packets not answered */
	atomic_t rejected;		/* bad requests answered with a failure */
};

int hv_ic_init(struct hv_ic *ic, struct hv_device *dev, const char *name,
	       const struct hvic_versions *vers, u32 buf_size);
void hv_ic_free(struct hv_ic *ic);
int hv_ic_open(struct hv_ic *ic, void (*cb)(void *));
void hv_ic_close(struct hv_ic *ic);
int hv_ic_next(struct hv_ic *ic);
void hv_ic_reply(struct hv_ic *ic, u32 status);
void hv_ic_drop(struct hv_ic *ic, enum hvic_verdict v);
void hv_ic_reject(struct hv_ic *ic, enum hvic_verdict v);

/* The daemon transport: a misc device "vmbus/<name>", one opener. */
struct hv_icdev;

struct hv_icdev_ops {
	/* The daemon wrote @len bytes; 0 or a negative errno for write(). */
	int (*on_msg)(void *ctx, const void *msg, size_t len);
	/* The daemon closed the device. */
	void (*on_release)(void *ctx);
};

struct hv_icdev *hv_icdev_create(const char *name,
				 const struct hv_icdev_ops *ops, void *ctx);
void hv_icdev_destroy(struct hv_icdev *d);
int hv_icdev_send(struct hv_icdev *d, const void *msg, size_t len);
void hv_icdev_flush(struct hv_icdev *d);
bool hv_icdev_retract(struct hv_icdev *d);

/*
 * A service whose host requests a user-space daemon answers (KVP, VSS, file
 * copy): one request in flight, forwarded through /dev/vmbus/<devname>,
 * failed to the host when no daemon is there or it does not answer in time.
 * The service module supplies the message formats.
 */
struct hv_icd;

/* What a daemon's write is, as the service's classify() says. */
#define HV_ICD_REGISTER		1
#define HV_ICD_REPLY		2

struct hv_icd_ops {
	const char *devname;		/* "hv_kvp": /dev/vmbus/hv_kvp */
	u16 type;			/* HVIC_TYPE_* of the service's requests */
	u32 max_out;			/* the largest message to the daemon */
	/*
	 * The host request in s->ic.msg. Either build the daemon's message
	 * in @out (*@len bytes) and set *@op and *@timeout (jiffies), or
	 * answer the host itself and leave *@len 0; both return HVIC_OK.
	 * Any other verdict fails the request to the host.
	 */
	enum hvic_verdict (*request)(struct hv_icd *s, void *out, u32 *len,
				     u32 *op, unsigned long *timeout);
	/*
	 * A daemon's write: HV_ICD_REGISTER with the version in *@val,
	 * HV_ICD_REPLY with the operation answered (or HVIC_XACT_ANY_OP) in
	 * *@val, or a negative errno for a malformed one.
	 */
	int (*classify)(struct hv_icd *s, const void *msg, size_t len,
			u32 *val);
	/* The daemon registered with @ver: send it what it expects back. */
	int (*registered)(struct hv_icd *s, u32 ver);
	/* The daemon's reply to the waiting request: answer the host. */
	void (*answer)(struct hv_icd *s, const void *msg, size_t len);
	/* Optional: request @op failed by timeout; @delivered: daemon read it. */
	void (*timed_out)(struct hv_icd *s, u32 op, bool delivered);
	/* Optional: the channel closes for suspend while a daemon is registered. */
	void (*suspend)(struct hv_icd *s);
};

struct hv_icd {
	struct hv_ic ic;
	const struct hv_icd_ops *ops;
	struct hv_icdev *cdev;
	struct mutex lock;		/* all below, and answering the host */
	struct hvic_xact x;
	struct work_struct rx_work;
	struct delayed_work timeout_work;
	struct delayed_work hold_work;
	unsigned int hold_secs;
	unsigned long hold_until;	/* jiffies; 0: negotiate at once */
	u32 timer_gen;			/* the request the timer is armed for */
	u32 bad_msgs;			/* malformed daemon writes refused */
	bool running;			/* the channel is open */
	void *out;			/* ops->max_out bytes */
};

/* The service's hv_driver callbacks: remove, suspend and resume as they are. */
int hv_icd_probe(struct hv_device *dev, const char *name,
		 const struct hvic_versions *vers, u32 buf_size,
		 const struct hv_icd_ops *ops, unsigned int hold_secs);
OL_HV_REMOVE_RET hv_icd_remove(struct hv_device *dev);
int hv_icd_suspend(struct hv_device *dev);
int hv_icd_resume(struct hv_device *dev);
int hv_icd_send(struct hv_icd *s, const void *msg, size_t len, bool owed);

/* A classify() result from ic_proto's reading of a daemon message. */
static inline int hv_icd_kind(enum hvic_dmsg k, u32 *val)
{
	switch (k) {
	case HVIC_DMSG_REGISTER:
		return HV_ICD_REGISTER;
	case HVIC_DMSG_REPLY:
		*val = HVIC_XACT_ANY_OP;
		return HV_ICD_REPLY;
	default:
		return -EINVAL;
	}
}

#endif

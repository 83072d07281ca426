/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What hv_utils gives the service modules: opening an IC channel, reading
 * checked packets (version negotiation is answered here), answering them,
 * and the character-device transport to a user-space daemon.
 */
#ifndef OPENLIS_HV_IC_H
#define OPENLIS_HV_IC_H

#include <linux/hyperv.h>
#include <linux/ratelimit.h>
#include <openlis/ic_proto.h>

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

#endif

/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_VSS_MSG_H
#define HVD_VSS_MSG_H

#include <stddef.h>
#include <time.h>

#include "../common/hv_abi.h"
#include "vss_freeze.h"

struct vss_ctx {
	const struct vss_ops *ops;
	const char *mountinfo;
	int in_handshake;
	uint32_t kernel_version;
	int frozen;
	time_t frozen_at;
	int timeout;		/* seconds before thawing on our own */
	struct vss_state st;
};

void vss_ctx_init(struct vss_ctx *c, const struct vss_ops *ops,
		  const char *mountinfo, int timeout);
void vss_make_register(struct vss_msg *m);
/*
 * Handle len bytes read from the device in buf (at least sizeof(struct
 * vss_msg) of room). Returns 1 when buf holds a reply to write, 0 if none.
 */
int vss_handle(struct vss_ctx *c, void *buf, size_t len);
/* Seconds until the freeze watchdog fires, -1 if not frozen. */
int vss_watchdog_left(const struct vss_ctx *c, time_t now);
/* Thaw everything (watchdog, signal, exit); 0 if all thawed. */
int vss_thaw_now(struct vss_ctx *c, const char *why);
/* Freeze or thaw everything; an HV status. */
uint32_t vss_freeze(struct vss_ctx *c);
uint32_t vss_thaw(struct vss_ctx *c);

#endif

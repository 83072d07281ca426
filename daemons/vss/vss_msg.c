// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "vss_msg.h"
#include "../common/log.h"

void vss_ctx_init(struct vss_ctx *c, const struct vss_ops *ops,
		  const char *mountinfo, int timeout)
{
	memset(c, 0, sizeof(*c));
	c->ops = ops;
	c->mountinfo = mountinfo;
	c->timeout = timeout;
	c->in_handshake = 1;
}

void vss_make_register(struct vss_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->hdr.operation = VSS_REG_V1;
}

uint32_t vss_freeze(struct vss_ctx *c)
{
	static struct vss_mount plan[VSS_MAX_FS];
	FILE *f;
	int n, r;

	if (c->frozen) {
		hvd_log(LOG_WARNING, "FREEZE while frozen: thawing first");
		vss_thaw_now(c, "second FREEZE");
	}
	f = fopen(c->mountinfo, "re");
	if (!f) {
		hvd_log(LOG_ERR, "FREEZE: cannot read %s: %m", c->mountinfo);
		return HVD_E_FAIL;
	}
	n = vss_plan(f, c->ops, plan, VSS_MAX_FS);
	fclose(f);
	if (n < 0) {
		hvd_log(LOG_ERR, "FREEZE: too many file systems");
		return HVD_E_FAIL;
	}
	/* Say it before freezing: logging while frozen could block us. */
	hvd_log(LOG_INFO, "FREEZE: freezing %d file system(s), %s last", n,
		n ? plan[n - 1].dir : "none");
	r = vss_freeze_all(&c->st, plan, n, c->ops);
	if (r) {
		hvd_log(LOG_ERR, "FREEZE failed, everything thawed again: %s",
			c->st.note);
		c->st.note[0] = 0;
		return HVD_E_FAIL;
	}
	c->frozen = 1;
	c->frozen_at = time(NULL);
	return HVD_S_OK;
}

int vss_thaw_now(struct vss_ctx *c, const char *why)
{
	int fails = vss_thaw_all(&c->st, c->ops);

	c->frozen = 0;
	if (c->st.note[0])
		hvd_log(LOG_WARNING, "during the freeze: %s", c->st.note);
	c->st.note[0] = 0;
	if (fails)
		hvd_log(LOG_ERR, "thaw (%s): %d file system(s) failed to thaw",
			why, fails);
	else
		hvd_log(LOG_INFO, "thawed (%s)", why);
	return fails;
}

uint32_t vss_thaw(struct vss_ctx *c)
{
	if (!c->frozen) {
		hvd_log(LOG_INFO, "THAW with nothing frozen");
		return HVD_S_OK;
	}
	return vss_thaw_now(c, "THAW from the host") ? HVD_E_FAIL : HVD_S_OK;
}

int vss_watchdog_left(const struct vss_ctx *c, time_t now)
{
	long left;

	if (!c->frozen)
		return -1;
	left = (long)c->timeout - (long)(now - c->frozen_at);
	return left < 0 ? 0 : (int)left;
}

int vss_handle(struct vss_ctx *c, void *buf, size_t len)
{
	struct vss_msg *m = buf;
	uint8_t op;

	if (c->in_handshake) {
		if (len != sizeof(uint32_t)) {
			hvd_log(LOG_ERR, "version negotiation: %zu bytes refused", len);
			return 0;
		}
		memcpy(&c->kernel_version, buf, sizeof(uint32_t));
		c->in_handshake = 0;
		hvd_log(LOG_INFO, "registered with the kernel, version %u",
			c->kernel_version);
		return 0;
	}
	if (len != sizeof(*m)) {
		hvd_log(LOG_ERR, "VSS message of %zu bytes refused", len);
		if (len < sizeof(*m))
			memset((char *)buf + len, 0, sizeof(*m) - len);
		m->error = HVD_E_FAIL;
		return 1;
	}
	op = m->hdr.operation;
	switch (op) {
	case VSS_FREEZE:
		m->error = vss_freeze(c);
		break;
	case VSS_THAW:
		m->error = vss_thaw(c);
		break;
	case VSS_HOT_BACKUP:
		m->error = HVD_S_OK;
		break;
	default:
		hvd_log(LOG_ERR, "unknown VSS operation %u refused", op);
		m->error = HVD_E_FAIL;
		break;
	}
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a fuzzed /proc/self/mountinfo and a fuzzed message sequence
 * into the VSS logic, with fake freeze/thaw that check every frozen file
 * system is thawed exactly once and never left frozen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../daemons/common/log.c"
#include "../../daemons/vss/vss_freeze.c"
#include "../../daemons/vss/vss_msg.c"

static int frozen[VSS_MAX_FS + 1], nfd;
static uint8_t fail_mask;

static int f_open(const char *d)
{
	(void)d;
	if (nfd >= VSS_MAX_FS)
		return -EMFILE;
	return 1000 + nfd++;
}

static int f_freeze(int fd)
{
	if (fail_mask & (1u << ((fd - 1000) & 7)))
		return -EIO;
	if (frozen[fd - 1000])
		abort();
	frozen[fd - 1000] = 1;
	return 0;
}

static int f_thaw(int fd)
{
	if (!frozen[fd - 1000])
		return -EINVAL;
	frozen[fd - 1000] = 0;
	return 0;
}

static void f_close(int fd)
{
	(void)fd;
}

static const struct vss_ops ops = { f_open, f_freeze, f_thaw, f_close, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[] = "/tmp/fuzzvssmiXXXXXX";
	static int pfd = -1;
	struct vss_ctx c;
	size_t split, i;

	hvd_log_mode = -1;
	if (pfd < 0) {
		pfd = mkstemp(path);
		if (pfd < 0)
			abort();
	}
	if (size < 2)
		return 0;
	fail_mask = data[0];
	split = data[1] < size - 2 ? data[1] : size - 2;
	memset(frozen, 0, sizeof(frozen));
	nfd = 0;
	if (ftruncate(pfd, 0) || pwrite(pfd, data + 2 + split, size - 2 - split, 0) < 0)
		abort();
	vss_ctx_init(&c, &ops, path, 60);
	c.in_handshake = 0;
	for (i = 0; i < split; i++) {
		struct vss_msg m;

		memset(&m, 0, sizeof(m));
		m.hdr.operation = data[2 + i] & 7;
		vss_handle(&c, &m, (data[2 + i] & 0x80) ? 5 : sizeof(m));
		nfd = c.frozen ? nfd : 0;
	}
	if (c.frozen)
		vss_thaw_now(&c, "end");
	for (i = 0; i <= VSS_MAX_FS; i++)
		if (frozen[i])
			abort();
	return 0;
}

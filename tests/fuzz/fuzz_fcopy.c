// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer: a sequence of fcopy messages (each a 2-byte length and its
 * bytes) into the copy logic, confined to a scratch root. After every
 * input, a cancel must leave the root exactly as empty as it began.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../daemons/common/log.c"
#include "../../daemons/fcopy/fcopy_file.c"

static char root[] = "/tmp/fuzzfcpXXXXXX";
static struct fcopy_ctx ctx;

static void wipe(int dfd, int top)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int sub;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
		if (sub >= 0)
			wipe(sub, 0);
		if (unlinkat(dirfd(d), de->d_name, sub >= 0 ? AT_REMOVEDIR : 0))
			(void)top;
	}
	closedir(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static union {
		struct fcopy_start st;
		struct fcopy_data d;
		uint8_t raw[8192];
	} b;
	uint32_t reply;
	size_t pos = 0;

	if (!ctx.s.rootfd) {
		hvd_log_mode = -1;
		if (!mkdtemp(root) || fcopy_ctx_init(&ctx, root))
			abort();
		ctx.in_handshake = 0;
	}
	while (pos + 2 <= size) {
		size_t n = (size_t)data[pos] | ((size_t)data[pos + 1] << 8);

		pos += 2;
		if (n > size - pos)
			n = size - pos;
		if (n > sizeof(b))
			n = sizeof(b);
		memset(&b, 0, sizeof(b));
		memcpy(&b, data + pos, n);
		pos += n;
		/* a START is rarely valid by chance: widen it to full size */
		if (n >= 4 && b.st.hdr.operation == FCP_START && n < sizeof(b.st))
			n = sizeof(b.st);
		fcopy_handle(&ctx, &b, n, &reply);
	}
	fcopy_cancel(&ctx.s);
	if (ctx.s.fd >= 0 || ctx.s.dirfd >= 0 || ctx.s.active)
		abort();
	wipe(fcntl(ctx.s.rootfd, F_DUPFD_CLOEXEC, 3), 1);
	return 0;
}

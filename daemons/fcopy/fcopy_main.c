// SPDX-License-Identifier: GPL-2.0
/* hv_fcopy_daemon: Copy-VMFile over the classic /dev/vmbus/hv_fcopy. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "fcopy_file.h"
#include "../common/dev.h"
#include "../common/log.h"

#define FCOPY_DEV "/dev/vmbus/hv_fcopy"

static void usage(const char *p)
{
	fprintf(stderr, "Usage: %s [-n] [-r DIR]\n"
		"  -n, --no-daemon   stay in the foreground\n"
		"  -r, --root DIR    resolve destination paths inside DIR (default /)\n"
		"  -h, --help        this help\n", p);
}

static int dev_open(void)
{
	uint32_t v = FCP_VERSION_1;

	return hvd_dev_register(FCOPY_DEV, &v, sizeof(v));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "no-daemon", no_argument, NULL, 'n' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static union {
		struct fcopy_start start;
		struct fcopy_data data;
		uint8_t raw[8192];
	} buf;
	const char *root = "/";
	struct fcopy_ctx ctx;
	struct pollfd p[2];
	sigset_t ss;
	int fg = 0, opt, fd, sfd, fails = 0, rc = 0;

	while ((opt = getopt_long(argc, argv, "nr:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			fg = 1;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			usage(argv[0]);
			return 0;
		default:
			usage(argv[0]);
			return 2;
		}
	}
	if (!fg && daemon(0, 0)) {
		perror("daemon");
		return 1;
	}
	hvd_log_open("hv_fcopy_daemon", fg);
	srandom((unsigned int)time(NULL) ^ (unsigned int)getpid());
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC);
	if (fcopy_ctx_init(&ctx, root)) {
		hvd_log(LOG_ERR, "root %s: %m", root);
		return 1;
	}
	fd = dev_open();
	if (fd < 0)
		return 1;
	for (;;) {
		uint32_t reply;
		ssize_t n;

		p[0].fd = fd;
		p[0].events = POLLIN;
		p[1].fd = sfd;
		p[1].events = POLLIN;
		if (poll(p, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			rc = 1;
			break;
		}
		if (p[1].revents)
			break;
		n = read(fd, &buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && !fcopy_handle(&ctx, &buf, (size_t)n, &reply)) {
			if (ctx.in_handshake) {
				rc = 1;
				break;
			}
			continue;
		}
		if (n > 0 && write(fd, &reply, sizeof(reply)) == (ssize_t)sizeof(reply)) {
			fails = 0;
			continue;
		}
		/* reset by the kernel (hibernation): drop the copy, reopen */
		hvd_log(LOG_WARNING, "device %s failed (%s); reopening", FCOPY_DEV,
			n < 0 ? strerror(errno) : "short transfer");
		fcopy_cancel(&ctx.s);
		ctx.in_handshake = 1;
		close(fd);
		if (++fails > 10) {
			rc = 1;
			break;
		}
		sleep(1);
		fd = dev_open();
		if (fd < 0)
			return 1;
	}
	fcopy_session_fini(&ctx.s);
	close(fd);
	return rc;
}

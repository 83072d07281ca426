// SPDX-License-Identifier: GPL-2.0
/* hv_kvp_daemon: Hyper-V key-value pair exchange, the device loop. */
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
#include <unistd.h>

#include "kvp_msg.h"
#include "kvp_net.h"
#include "kvp_pool.h"
#include "../common/dev.h"
#include "../common/log.h"

#define KVP_DEV "/dev/vmbus/hv_kvp"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void usage(const char *p)
{
	fprintf(stderr, "Usage: %s [-n] [-d DIR]\n"
		"  -n, --no-daemon   stay in the foreground\n"
		"  -d, --pool-dir    pool directory (default /var/lib/hyperv)\n"
		"  -h, --help        this help\n", p);
}

static int dev_open(void)
{
	struct kvp_msg m;

	kvp_make_register(&m);
	return hvd_dev_register(KVP_DEV, &m, sizeof(m));
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "no-daemon", no_argument, NULL, 'n' },
		{ "pool-dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static struct kvp_msg m;
	const char *dir = "/var/lib/hyperv";
	struct sigaction sa;
	struct kvp_ctx ctx;
	int fg = 0, opt, fd, fails = 0;

	while ((opt = getopt_long(argc, argv, "nd:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			fg = 1;
			break;
		case 'd':
			dir = optarg;
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
	hvd_log_open("hv_kvp_daemon", fg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if (kvp_pool_init(dir))
		return 1;
	kvp_ctx_init(&ctx, dir, "/etc/os-release", &kvp_net_libnl);
	hvd_log(LOG_INFO, "starting; pools in %s, OS %s %s.%s, kernel %s",
		dir, ctx.os.os_name, ctx.os.os_major, ctx.os.os_minor,
		ctx.os.os_build);

	fd = dev_open();
	if (fd < 0)
		return 1;
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			hvd_log(LOG_ERR, "poll: %m");
			break;
		}
		n = read(fd, &m, sizeof(m));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && !kvp_handle(&ctx, &m, (size_t)n))
			continue;
		if (n > 0 && write(fd, &m, sizeof(m)) == (ssize_t)sizeof(m)) {
			fails = 0;
			continue;
		}
		/*
		 * A failed read or write: the kernel side was reset (for
		 * instance across hibernation). Open the device again.
		 */
		hvd_log(LOG_WARNING, "device %s failed (%s); reopening", KVP_DEV,
			n < 0 ? strerror(errno) : "short transfer");
		close(fd);
		if (++fails > 10) {
			hvd_log(LOG_ERR, "giving up after repeated failures");
			return 1;
		}
		sleep(1);
		fd = dev_open();
		if (fd < 0)
			return 1;
	}
	close(fd);
	hvd_log(LOG_INFO, "stopping");
	return 0;
}

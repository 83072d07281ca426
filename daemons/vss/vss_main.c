// SPDX-License-Identifier: GPL-2.0
/* hv_vss_daemon: freeze and thaw file systems for Hyper-V backups. */
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
#include <unistd.h>

#include "vss_msg.h"
#include "../common/dev.h"
#include "../common/log.h"

#define VSS_DEV "/dev/vmbus/hv_vss"

static void usage(const char *p)
{
	fprintf(stderr, "Usage: %s [-n] [-t SECONDS]\n"
		"  -n, --no-daemon   stay in the foreground\n"
		"  -t, --timeout     thaw on our own after SECONDS frozen (default 120)\n"
		"  -h, --help        this help\n", p);
}

static int dev_open(void)
{
	struct vss_msg m;

	vss_make_register(&m);
	return hvd_dev_register(VSS_DEV, &m, sizeof(m));
}

/* A previous instance may have died with file systems frozen. */
static void thaw_leftovers(struct vss_ctx *c)
{
	static struct vss_mount plan[VSS_MAX_FS];
	FILE *f = fopen(c->mountinfo, "re");
	int n, i, fd;

	if (!f)
		return;
	n = vss_plan(f, c->ops, plan, VSS_MAX_FS);
	fclose(f);
	for (i = 0; i < n; i++) {
		fd = c->ops->open_dir(plan[i].dir);
		if (fd < 0)
			continue;
		if (!c->ops->thaw(fd))
			hvd_log(LOG_WARNING, "%s was left frozen; thawed", plan[i].dir);
		c->ops->close_fd(fd);
	}
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "no-daemon", no_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	union {
		struct vss_msg m;
		uint8_t raw[512];
	} buf;
	struct vss_ctx ctx;
	struct pollfd p[2];
	sigset_t ss;
	int fg = 0, opt, fd, sfd, timeout = 120, fails = 0, rc = 0;

	while ((opt = getopt_long(argc, argv, "nt:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'n':
			fg = 1;
			break;
		case 't':
			timeout = atoi(optarg);
			if (timeout < 1) {
				usage(argv[0]);
				return 2;
			}
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
	hvd_log_open("hv_vss_daemon", fg);
	sigemptyset(&ss);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGHUP);
	sigprocmask(SIG_BLOCK, &ss, NULL);
	sfd = signalfd(-1, &ss, SFD_CLOEXEC);

	vss_ctx_init(&ctx, &vss_sys_ops, "/proc/self/mountinfo", timeout);
	thaw_leftovers(&ctx);
	fd = dev_open();
	if (fd < 0)
		return 1;
	hvd_log(LOG_INFO, "started; thaw watchdog %d s", timeout);

	for (;;) {
		int left = vss_watchdog_left(&ctx, time(NULL)), r;
		ssize_t n;

		p[0].fd = fd;
		p[0].events = POLLIN;
		p[1].fd = sfd;
		p[1].events = POLLIN;
		r = poll(p, 2, left < 0 ? -1 : left * 1000);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			hvd_log(LOG_ERR, "poll: %m");
			rc = 1;
			break;
		}
		if (r == 0) {
			vss_thaw_now(&ctx, "watchdog: no THAW from the host in time");
			continue;
		}
		if (p[1].revents) {
			hvd_log(LOG_INFO, "signal received; stopping");
			break;
		}
		n = read(fd, &buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n > 0 && !vss_handle(&ctx, &buf, (size_t)n)) {
			if (ctx.in_handshake) {
				rc = 1;
				break;
			}
			continue;
		}
		if (n > 0 && write(fd, &buf.m, sizeof(buf.m)) ==
		    (ssize_t)sizeof(buf.m)) {
			fails = 0;
			continue;
		}
		/*
		 * The device was reset (the kernel fakes a THAW across
		 * hibernation and refuses our answer). Thaw and reopen.
		 */
		hvd_log(LOG_WARNING, "device %s failed (%s); reopening", VSS_DEV,
			n < 0 ? strerror(errno) : "short transfer");
		if (ctx.frozen)
			vss_thaw_now(&ctx, "device reset");
		close(fd);
		if (++fails > 10) {
			rc = 1;
			break;
		}
		sleep(1);
		vss_ctx_init(&ctx, &vss_sys_ops, "/proc/self/mountinfo", timeout);
		fd = dev_open();
		if (fd < 0)
			return 1;
	}
	if (ctx.frozen)
		vss_thaw_now(&ctx, "daemon exiting");
	close(fd);
	return rc;
}

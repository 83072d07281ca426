// SPDX-License-Identifier: GPL-2.0-only
/*
 * The few ethtool commands the network scenarios need, for the busybox
 * guest (which has no ethtool): built static by tests/vm/run.py.
 *
 *   ethtool-lite -l IF      channel counts: "max N combined N"
 *   ethtool-lite -L IF N    set the combined channel count
 *   ethtool-lite -k IF      "rx-checksumming on|off", tx, sg, tso
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int fd;
static struct ifreq ifr;

/* One SIOCETHTOOL request on the interface; exits on failure. */
static void ethtool(void *cmd, const char *what)
{
	ifr.ifr_data = cmd;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		fprintf(stderr, "ethtool-lite: %s %s: %s\n", what, ifr.ifr_name,
			strerror(errno));
		exit(1);
	}
}

static void show_offload(unsigned int cmd, const char *name)
{
	struct ethtool_value v = { .cmd = cmd };

	ethtool(&v, name);
	printf("%s %s\n", name, v.data ? "on" : "off");
}

int main(int argc, char **argv)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };

	if (argc < 3 || strlen(argv[2]) >= IFNAMSIZ ||
	    (!strcmp(argv[1], "-L") && argc < 4)) {
		fprintf(stderr, "usage: ethtool-lite -l|-k IF | -L IF N\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) {
		perror("ethtool-lite: socket");
		return 1;
	}
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (!strcmp(argv[1], "-l")) {
		ethtool(&ch, "channels");
		printf("max %u combined %u\n", ch.max_combined,
		       ch.combined_count);
	} else if (!strcmp(argv[1], "-L")) {
		ethtool(&ch, "channels");
		ch.cmd = ETHTOOL_SCHANNELS;
		ch.combined_count = strtoul(argv[3], NULL, 0);
		ethtool(&ch, "set channels");
	} else if (!strcmp(argv[1], "-k")) {
		show_offload(ETHTOOL_GRXCSUM, "rx-checksumming");
		show_offload(ETHTOOL_GTXCSUM, "tx-checksumming");
		show_offload(ETHTOOL_GSG, "scatter-gather");
		show_offload(ETHTOOL_GTSO, "tcp-segmentation-offload");
	} else {
		fprintf(stderr, "ethtool-lite: unknown command %s\n", argv[1]);
		return 2;
	}
	close(fd);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0-only
/*
 * The few ethtool commands the network scenarios need, for the busybox
 * guest (which has no ethtool): built static by tests/vm/run.py.
 *
 *   ethtool-lite -l IF      channel counts: "max N combined N"
 *   ethtool-lite -L IF N    set the combined channel count
 *   ethtool-lite -k IF      "rx-checksumming on|off", tx, sg, tso
 *   ethtool-lite -S IF      the driver's statistics, "name value" a line
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

/*
 * Names and values come in two requests, sized by the count the driver
 * info gave. The kernel writes as many as the driver counts at each
 * request, so this is for a device whose channel count holds still.
 */
static void show_stats(void)
{
	struct ethtool_drvinfo info = { .cmd = ETHTOOL_GDRVINFO };
	struct ethtool_gstrings *names;
	struct ethtool_stats *vals;
	unsigned int i, n;

	ethtool(&info, "driver info");
	n = info.n_stats;
	names = calloc(1, sizeof(*names) + (size_t)n * ETH_GSTRING_LEN);
	vals = calloc(1, sizeof(*vals) + (size_t)n * sizeof(__u64));
	if (!names || !vals) {
		fprintf(stderr, "ethtool-lite: %u statistics: no memory\n", n);
		exit(1);
	}
	names->cmd = ETHTOOL_GSTRINGS;
	names->string_set = ETH_SS_STATS;
	names->len = n;
	ethtool(names, "statistics names");
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	ethtool(vals, "statistics");
	n = names->len < vals->n_stats ? names->len : vals->n_stats;
	for (i = 0; i < n; i++)
		printf("%.*s %llu\n", ETH_GSTRING_LEN,
		       (const char *)names->data + i * ETH_GSTRING_LEN,
		       (unsigned long long)vals->data[i]);
	free(names);
	free(vals);
}

int main(int argc, char **argv)
{
	struct ethtool_channels ch = { .cmd = ETHTOOL_GCHANNELS };

	if (argc < 3 || strlen(argv[2]) >= IFNAMSIZ ||
	    (!strcmp(argv[1], "-L") && argc < 4)) {
		fprintf(stderr, "usage: ethtool-lite -l|-k|-S IF | -L IF N\n");
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
	} else if (!strcmp(argv[1], "-S")) {
		show_stats();
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

// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "kvp_info.h"
#include "../common/util.h"

static void copy(char *dst, size_t len, const char *src)
{
	hvd_strlcpy(dst, src, len);
}

int kvp_os_release_line(const char *line, char *key, size_t klen,
			char *val, size_t vlen)
{
	const char *eq = strchr(line, '=');
	size_t kn, o = 0;
	char quote = 0;
	const char *p;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!eq || *line == '#' || eq == line)
		return 0;
	kn = (size_t)(eq - line);
	if (kn >= klen || !vlen)
		return 0;
	memcpy(key, line, kn);
	key[kn] = 0;
	for (p = eq + 1; *p && *p != '\n'; p++) {
		if (quote && *p == quote) {
			quote = 0;
			continue;
		}
		if (!quote && (*p == '"' || *p == '\'')) {
			quote = *p;
			continue;
		}
		if (*p == '\\' && quote != '\'' && p[1] && p[1] != '\n')
			p++;
		if (o + 1 < vlen)
			val[o++] = *p;
	}
	val[o] = 0;
	return 1;
}

void kvp_os_info_read(struct kvp_os_info *oi, const char *os_release)
{
	struct utsname u;
	char line[1024], k[64], v[512], *dash, *dot;
	FILE *f;

	memset(oi, 0, sizeof(*oi));
	if (!uname(&u)) {
		copy(oi->os_name, sizeof(oi->os_name), u.sysname);
		copy(oi->os_build, sizeof(oi->os_build), u.release);
		copy(oi->os_version, sizeof(oi->os_version), u.release);
		copy(oi->arch, sizeof(oi->arch), u.machine);
	}
	dash = strchr(oi->os_version, '-');
	if (dash)
		*dash = 0;

	f = fopen(os_release, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		if (!kvp_os_release_line(line, k, sizeof(k), v, sizeof(v)))
			continue;
		if (!strcmp(k, "NAME")) {
			copy(oi->os_name, sizeof(oi->os_name), v);
		} else if (!strcmp(k, "VERSION_ID")) {
			dot = strchr(v, '.');
			if (dot) {
				*dot = 0;
				copy(oi->os_minor, sizeof(oi->os_minor), dot + 1);
			}
			copy(oi->os_major, sizeof(oi->os_major), v);
		}
	}
	fclose(f);
}

void kvp_fqdn(char *buf, size_t len)
{
	struct addrinfo hints, *ai = NULL;
	char host[256];

	if (gethostname(host, sizeof(host)))
		host[0] = 0;
	host[sizeof(host) - 1] = 0;
	copy(buf, len, host);
	if (!host[0] || strchr(host, '.'))
		return;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_CANONNAME;
	if (!getaddrinfo(host, NULL, &hints, &ai) && ai && ai->ai_canonname)
		copy(buf, len, ai->ai_canonname);
	if (ai)
		freeaddrinfo(ai);
}

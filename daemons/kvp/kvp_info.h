/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_KVP_INFO_H
#define HVD_KVP_INFO_H

#include <stddef.h>

/* Values of the intrinsic ("auto") pool that describe the guest. */
struct kvp_os_info {
	char os_name[256];	/* os-release NAME, else uname sysname */
	char os_major[64];	/* os-release VERSION_ID up to the first '.' */
	char os_minor[64];	/* the rest of VERSION_ID */
	char os_version[128];	/* kernel release up to the first '-' */
	char os_build[128];	/* full kernel release */
	char arch[64];		/* uname machine */
};

void kvp_os_info_read(struct kvp_os_info *oi, const char *os_release);
/* One os-release line: KEY=value with shell quoting; 1 if parsed. */
int kvp_os_release_line(const char *line, char *key, size_t klen,
			char *val, size_t vlen);
void kvp_fqdn(char *buf, size_t len);

#endif

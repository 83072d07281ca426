/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_FCOPY_FILE_H
#define HVD_FCOPY_FILE_H

#include <limits.h>
#include <stddef.h>

#include "../common/hv_abi.h"

/*
 * The directories one copy may create: one per component of its path, and
 * a component is a byte at least with a slash before the next.
 */
#define FCP_MAX_NEW_DIRS (PATH_MAX / 2)

/*
 * One Copy-VMFile transfer. The data goes to an unnamed (O_TMPFILE) or
 * hidden temporary file in the target directory, and only a complete,
 * fsync()ed file is renamed into place; a cancel, an error or a crash
 * leaves nothing, not even the directories created for it.
 */
struct fcopy_session {
	int rootfd;		/* paths are resolved inside this directory */
	int active;
	int dirfd, fd;
	int overwrite;
	char name[NAME_MAX + 1];
	char tmpname[32];	/* named temporary, when O_TMPFILE is missing */
	unsigned long long size;
	/* Directories created: prefixes of new_path, their lengths deepest last. */
	char new_path[PATH_MAX];
	unsigned short new_dir_len[FCP_MAX_NEW_DIRS];
	int n_new_dirs;
};

struct fcopy_ctx {
	struct fcopy_session s;
	int in_handshake;
	uint32_t kernel_version;
};

int fcopy_session_init(struct fcopy_session *s, const char *root);
void fcopy_session_fini(struct fcopy_session *s);
/* 1 if s is well-formed UTF-8 without control characters. */
int fcopy_utf8_ok(const char *s);
uint32_t fcopy_start(struct fcopy_session *s, const char *path,
		     const char *name, uint32_t flags, uint64_t size);
uint32_t fcopy_write(struct fcopy_session *s, uint64_t off, const void *data,
		     uint32_t len);
uint32_t fcopy_complete(struct fcopy_session *s);
uint32_t fcopy_cancel(struct fcopy_session *s);

int fcopy_ctx_init(struct fcopy_ctx *c, const char *root);
/* Handle len bytes read from the device; 1 if *reply is to be written. */
int fcopy_handle(struct fcopy_ctx *c, const void *buf, size_t len,
		 uint32_t *reply);

#endif

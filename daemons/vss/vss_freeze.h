/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_VSS_FREEZE_H
#define HVD_VSS_FREEZE_H

#include <limits.h>
#include <stdio.h>

struct vss_mount {
	char dir[PATH_MAX];
	char type[64];
	char src[256];
	unsigned int major, minor;
	int ro;
	int depth;		/* number of path components of dir */
};

/* System calls, replaceable by tests and fuzzers. */
struct vss_ops {
	int (*open_dir)(const char *dir);		/* fd or -errno */
	int (*freeze)(int fd);				/* 0 or -errno */
	int (*thaw)(int fd);				/* 0 or -errno */
	void (*close_fd)(int fd);
	/* 1 if block device major:minor sits on a loop device */
	int (*on_loop)(unsigned int major, unsigned int minor);
};

extern const struct vss_ops vss_sys_ops;

#define VSS_MAX_FS 256
#define VSS_NOTE_MAX 2048

struct vss_state {
	int fd[VSS_MAX_FS];
	int n;			/* file systems frozen by us, in freeze order */
	char note[VSS_NOTE_MAX];	/* what to log once thawed */
};

int vss_parse_mountinfo_line(const char *line, struct vss_mount *m);
/* 1 if m is to be frozen; *why says why not otherwise. */
int vss_candidate(const struct vss_mount *m, const struct vss_ops *ops,
		  const char **why);
/*
 * The file systems to freeze, in freeze order: one mount per block device,
 * deepest mount point first, "/" last. Returns the count or -errno.
 */
int vss_plan(FILE *mountinfo, const struct vss_ops *ops,
	     struct vss_mount *out, int max);
/* Freeze all of plan; on any failure thaw what was frozen. 0 or -errno. */
int vss_freeze_all(struct vss_state *s, const struct vss_mount *plan, int n,
		   const struct vss_ops *ops);
/* Thaw in reverse freeze order; returns how many thaws failed. */
int vss_thaw_all(struct vss_state *s, const struct vss_ops *ops);

#endif

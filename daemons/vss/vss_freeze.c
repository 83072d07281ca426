// SPDX-License-Identifier: GPL-2.0
/*
 * Which file systems to freeze for a Hyper-V backup, in which order, and
 * doing it. Order: deepest mount point first and the root file system
 * last; thaw in exactly the reverse order. Every FIFREEZE flushes its own
 * file system, so no freeze needs another one writable, but the daemon and
 * the rest of the system (journald, the shell of an admin) keep working
 * longest, and come back first, with "/" last-frozen and first-thawed.
 * Mount points are opened before anything is frozen. File systems on loop
 * devices are skipped: their backing file may live on a file system frozen
 * earlier, and flushing into it would hang. Read-only, pseudo and network
 * file systems are skipped, and each block device is frozen once however
 * many times it is mounted (bind mounts, btrfs subvolumes).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vss_freeze.h"
#include "../common/util.h"

/* mountinfo escapes space, tab, newline and backslash as \ooo. */
static void unescape(char *s)
{
	char *o = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				      (s[3] - '0'));
			s += 4;
		} else {
			*o++ = *s++;
		}
	}
	*o = 0;
}

static int has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	const char *p = opts;

	while (p && *p) {
		if (!strncmp(p, opt, n) && (p[n] == ',' || !p[n]))
			return 1;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return 0;
}

int vss_parse_mountinfo_line(const char *line, struct vss_mount *m)
{
	char buf[3 * PATH_MAX], *f[32], *save = NULL, *t;
	int nf = 0, sep = -1, i;
	const char *p;

	memset(m, 0, sizeof(*m));
	hvd_strlcpy(buf, line, sizeof(buf));
	for (t = strtok_r(buf, " \n", &save); t && nf < 32;
	     t = strtok_r(NULL, " \n", &save))
		f[nf++] = t;
	/* id parent maj:min root mountpoint opts [optional...] - type src superopts */
	for (i = 6; i < nf; i++)
		if (!strcmp(f[i], "-")) {
			sep = i;
			break;
		}
	if (nf < 6 || sep < 0 || sep + 3 > nf)
		return -EINVAL;
	if (sscanf(f[2], "%u:%u", &m->major, &m->minor) != 2)
		return -EINVAL;
	unescape(f[4]);
	if (f[4][0] != '/')
		return -EINVAL;
	hvd_strlcpy(m->dir, f[4], sizeof(m->dir));
	hvd_strlcpy(m->type, f[sep + 1], sizeof(m->type));
	unescape(f[sep + 2]);
	hvd_strlcpy(m->src, f[sep + 2], sizeof(m->src));
	m->ro = has_opt(f[5], "ro") ||
		(sep + 3 < nf && has_opt(f[sep + 3], "ro"));
	for (p = m->dir; *p; p++)
		if (*p == '/' && p[1])
			m->depth++;
	return 0;
}

static const char *const skip_types[] = {
	"autofs", "binfmt_misc", "bpf", "cgroup", "cgroup2", "configfs",
	"debugfs", "devpts", "devtmpfs", "efivarfs", "fusectl", "hugetlbfs",
	"mqueue", "nfsd", "proc", "pstore", "ramfs", "rpc_pipefs", "securityfs",
	"sysfs", "tmpfs", "tracefs", "overlay", "squashfs", "iso9660", "udf",
	"nfs", "nfs4", "cifs", "smb3", "9p", "virtiofs", "ceph", "nsfs",
	"selinuxfs", "zonefs",
};

int vss_candidate(const struct vss_mount *m, const struct vss_ops *ops,
		  const char **why)
{
	size_t i;

	*why = NULL;
	if (m->ro) {
		*why = "read-only";
		return 0;
	}
	for (i = 0; i < sizeof(skip_types) / sizeof(skip_types[0]); i++)
		if (!strcmp(m->type, skip_types[i])) {
			*why = "pseudo, network or read-only type";
			return 0;
		}
	if (!strncmp(m->type, "fuse", 4)) {
		*why = "FUSE";
		return 0;
	}
	if (m->major == 0 || strncmp(m->src, "/dev/", 5)) {
		*why = "not on a block device";
		return 0;
	}
	if (ops->on_loop && ops->on_loop(m->major, m->minor)) {
		*why = "on a loop device";
		return 0;
	}
	return 1;
}

static int order(const void *a, const void *b)
{
	const struct vss_mount *x = a, *y = b;

	/* deeper first; "/" (depth 0) ends up last */
	if (x->depth != y->depth)
		return y->depth - x->depth;
	return strcmp(x->dir, y->dir);
}

int vss_plan(FILE *mi, const struct vss_ops *ops, struct vss_mount *out,
	     int max)
{
	char line[3 * PATH_MAX];
	struct vss_mount m;
	const char *why;
	int n = 0, i, dup;

	while (fgets(line, sizeof(line), mi)) {
		if (vss_parse_mountinfo_line(line, &m) ||
		    !vss_candidate(&m, ops, &why))
			continue;
		for (dup = 0, i = 0; i < n; i++)
			if (out[i].major == m.major && out[i].minor == m.minor) {
				/* keep the shallowest mount of the device */
				if (m.depth < out[i].depth)
					out[i] = m;
				dup = 1;
				break;
			}
		if (dup)
			continue;
		if (n >= max)
			return -E2BIG;
		out[n++] = m;
	}
	qsort(out, (size_t)n, sizeof(*out), order);
	return n;
}

static void note(struct vss_state *s, const char *a, const char *b,
		 const char *c)
{
	size_t l = strlen(s->note);

	snprintf(s->note + l, sizeof(s->note) - l, "%s%s%s%s", l ? "; " : "",
		 a, b, c);
}

int vss_freeze_all(struct vss_state *s, const struct vss_mount *plan, int n,
		   const struct vss_ops *ops)
{
	int fds[VSS_MAX_FS], i, r, ret = 0;

	s->n = 0;
	s->note[0] = 0;
	if (n > VSS_MAX_FS)
		return -E2BIG;
	/* Open everything first: no path lookups once freezing started. */
	for (i = 0; i < n; i++) {
		fds[i] = ops->open_dir(plan[i].dir);
		if (fds[i] < 0) {
			note(s, "cannot open ", plan[i].dir, ": skipped");
			continue;
		}
	}
	for (i = 0; i < n; i++) {
		if (fds[i] < 0)
			continue;
		r = ops->freeze(fds[i]);
		if (!r) {
			s->fd[s->n++] = fds[i];
			fds[i] = -1;
			continue;
		}
		if (r == -EOPNOTSUPP || r == -ENOTTY) {
			note(s, plan[i].dir, ": cannot be frozen (", "unsupported), skipped");
			continue;
		}
		if (r == -EBUSY) {
			note(s, plan[i].dir, ": already frozen by someone else", "");
			continue;
		}
		note(s, plan[i].dir, ": freeze failed: ", strerror(-r));
		ret = r;
		break;
	}
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			ops->close_fd(fds[i]);
	if (ret)
		vss_thaw_all(s, ops);
	return ret;
}

int vss_thaw_all(struct vss_state *s, const struct vss_ops *ops)
{
	int fails = 0, r;

	while (s->n > 0) {
		int fd = s->fd[--s->n];

		r = ops->thaw(fd);
		/* EINVAL: not frozen any more (thawed by someone else) */
		if (r && r != -EINVAL)
			fails++;
		ops->close_fd(fd);
	}
	return fails;
}

static int sys_open(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

	return fd < 0 ? -errno : fd;
}

static int sys_freeze(int fd)
{
	return ioctl(fd, FIFREEZE, 0) ? -errno : 0;
}

static int sys_thaw(int fd)
{
	return ioctl(fd, FITHAW, 0) ? -errno : 0;
}

static void sys_close(int fd)
{
	close(fd);
}

static int loop_below(const char *sysdir, int depth)
{
	char p[PATH_MAX];
	struct dirent *de;
	int r = 0;
	DIR *d;

	if (depth > 8)
		return 0;
	snprintf(p, sizeof(p), "%s/loop", sysdir);
	if (!access(p, F_OK))
		return 1;
	snprintf(p, sizeof(p), "%s/slaves", sysdir);
	d = opendir(p);
	if (!d)
		return 0;
	while (!r && (de = readdir(d))) {
		char q[PATH_MAX];

		if (de->d_name[0] == '.')
			continue;
		if (snprintf(q, sizeof(q), "%s/%s", p, de->d_name) < (int)sizeof(q))
			r = loop_below(q, depth + 1);
	}
	closedir(d);
	return r;
}

static int sys_on_loop(unsigned int major, unsigned int minor)
{
	char p[64];

	snprintf(p, sizeof(p), "/sys/dev/block/%u:%u", major, minor);
	return loop_below(p, 0);
}

const struct vss_ops vss_sys_ops = {
	.open_dir = sys_open,
	.freeze = sys_freeze,
	.thaw = sys_thaw,
	.close_fd = sys_close,
	.on_loop = sys_on_loop,
};

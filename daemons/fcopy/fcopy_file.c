// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fcopy_file.h"
#include "../common/log.h"
#include "../common/util.h"

int fcopy_utf8_ok(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		unsigned int c = *p, n, i, cp;

		if (c < 0x20 || c == 0x7f)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return 0;
		}
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		p += n + 1;
	}
	return 1;
}

int fcopy_session_init(struct fcopy_session *s, const char *root)
{
	memset(s, 0, sizeof(*s));
	s->dirfd = s->fd = -1;
	s->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return s->rootfd < 0 ? -errno : 0;
}

void fcopy_session_fini(struct fcopy_session *s)
{
	if (s->active)
		fcopy_cancel(s);
	if (s->rootfd >= 0)
		close(s->rootfd);
	s->rootfd = -1;
}

/* A directory inside the root: symlinks are followed but cannot leave it. */
static int open_in_root(int rootfd, const char *rel)
{
	struct open_how how;
	int fd;

	if (!*rel)
		return fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
	fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof(how));
	if (fd >= 0 || errno != ENOSYS)
		return fd;
	/* Kernels before 5.6: walk without following any symlink. */
	{
		char buf[PATH_MAX], *save = NULL, *c;
		int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3), next;

		hvd_strlcpy(buf, rel, sizeof(buf));
		for (c = strtok_r(buf, "/", &save); c && cur >= 0;
		     c = strtok_r(NULL, "/", &save)) {
			next = openat(cur, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
				      O_NOFOLLOW);
			close(cur);
			cur = next;
		}
		return cur;
	}
}

/* Deepest first: each is cut from new_path, which only gets shorter. */
static void remove_new_dirs(struct fcopy_session *s)
{
	while (s->n_new_dirs > 0) {
		s->new_path[s->new_dir_len[--s->n_new_dirs]] = 0;
		unlinkat(s->rootfd, s->new_path, AT_REMOVEDIR);
	}
}

static void reset(struct fcopy_session *s)
{
	if (s->fd >= 0)
		close(s->fd);
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->fd = s->dirfd = -1;
	s->active = 0;
	s->tmpname[0] = 0;
	s->n_new_dirs = 0;
}

/* Validate and normalise path: absolute, no "." or "..", UTF-8. */
static int clean_path(const char *path, char *rel, size_t len)
{
	const char *p = path;
	size_t o = 0;

	if (path[0] != '/' || !fcopy_utf8_ok(path))
		return -1;
	while (*p) {
		const char *e;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		e = strchr(p, '/');
		n = e ? (size_t)(e - p) : strlen(p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.') ||
		    n > NAME_MAX || o + n + 2 > len)
			return -1;
		if (o)
			rel[o++] = '/';
		memcpy(rel + o, p, n);
		o += n;
		p += n;
	}
	rel[o] = 0;
	return 0;
}

static int open_dir(struct fcopy_session *s, const char *rel, int create)
{
	char prefix[PATH_MAX];
	const char *p = rel;
	int fd, parent;

	fd = open_in_root(s->rootfd, rel);
	if (fd >= 0 || errno != ENOENT || !create)
		return fd;
	/* Create what is missing, one component at a time. */
	parent = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 3);
	while (parent >= 0 && *p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - rel) : strlen(rel);
		char comp[NAME_MAX + 1];

		memcpy(prefix, rel, n);
		prefix[n] = 0;
		hvd_strlcpy(comp, p, (size_t)(e ? e - p : (long)strlen(p)) + 1);
		fd = open_in_root(s->rootfd, prefix);
		if (fd < 0 && errno == ENOENT) {
			/* Never create what a cancel could not remove. */
			if (s->n_new_dirs == FCP_MAX_NEW_DIRS) {
				close(parent);
				errno = ENAMETOOLONG;
				return -1;
			}
			if (mkdirat(parent, comp, 0755)) {
				close(parent);
				return -1;
			}
			if (!s->n_new_dirs)
				hvd_strlcpy(s->new_path, rel, sizeof(s->new_path));
			s->new_dir_len[s->n_new_dirs++] = (unsigned short)n;
			fd = open_in_root(s->rootfd, prefix);
		}
		close(parent);
		parent = fd;
		p = e ? e + 1 : p + strlen(p);
	}
	return parent;
}

uint32_t fcopy_start(struct fcopy_session *s, const char *path,
		     const char *name, uint32_t flags, uint64_t size)
{
	char rel[PATH_MAX];
	struct stat st;
	unsigned int i;

	if (s->active) {
		hvd_log(LOG_WARNING, "new copy while one was active: cancelling it");
		fcopy_cancel(s);
	}
	if (!name[0] || strchr(name, '/') || !strcmp(name, ".") ||
	    !strcmp(name, "..") || strlen(name) > NAME_MAX ||
	    !fcopy_utf8_ok(name) || clean_path(path, rel, sizeof(rel))) {
		hvd_log(LOG_ERR, "copy refused: unsafe path '%s' / '%s'", path, name);
		return HVD_INVALIDARG;
	}
	s->dirfd = open_dir(s, rel, !!(flags & FCP_CREATE_PATH));
	if (s->dirfd < 0) {
		hvd_log(LOG_ERR, "copy refused: directory %s: %s", path,
			errno == ENOENT ? "missing (and creation not asked for)" :
			strerror(errno));
		remove_new_dirs(s);
		reset(s);
		return HVD_E_FAIL;
	}
	if (!(flags & FCP_OVERWRITE) &&
	    !fstatat(s->dirfd, name, &st, AT_SYMLINK_NOFOLLOW)) {
		hvd_log(LOG_INFO, "copy refused: %s/%s exists, no overwrite", path, name);
		reset(s);
		return HVD_ERROR_ALREADY_EXISTS;
	}
	s->fd = openat(s->dirfd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
	for (i = 0; s->fd < 0 && i < 100; i++) {
		snprintf(s->tmpname, sizeof(s->tmpname), ".hv_fcopy.%08x",
			 (unsigned int)random());
		s->fd = openat(s->dirfd, s->tmpname,
			       O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			       0600);
	}
	if (s->fd < 0) {
		hvd_log(LOG_ERR, "copy to %s: cannot create a file: %m", path);
		s->tmpname[0] = 0;
		remove_new_dirs(s);
		reset(s);
		return HVD_E_FAIL;
	}
	hvd_strlcpy(s->name, name, sizeof(s->name));
	s->overwrite = !!(flags & FCP_OVERWRITE);
	s->size = size;
	s->active = 1;
	hvd_log(LOG_INFO, "copy to %s/%s (%llu bytes) started", path, name,
		(unsigned long long)size);
	return HVD_S_OK;
}

uint32_t fcopy_write(struct fcopy_session *s, uint64_t off, const void *data,
		     uint32_t len)
{
	const char *p = data;

	if (!s->active) {
		hvd_log(LOG_ERR, "data without a copy in progress refused");
		return HVD_E_FAIL;
	}
	if (len > FCP_FRAGMENT || off > (uint64_t)INT64_MAX - len ||
	    off + len > s->size) {
		hvd_log(LOG_ERR, "copy of %s: fragment at %llu+%u out of range, cancelled",
			s->name, (unsigned long long)off, len);
		fcopy_cancel(s);
		return HVD_E_FAIL;
	}
	while (len) {
		ssize_t n = pwrite(s->fd, p, len, (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;

			hvd_log(LOG_ERR, "copy of %s: write failed: %s; cancelled",
				s->name, strerror(e));
			fcopy_cancel(s);
			return e == ENOSPC || e == EDQUOT ? HVD_ERROR_DISK_FULL :
							     HVD_E_FAIL;
		}
		p += n;
		off += (uint64_t)n;
		len -= (uint32_t)n;
	}
	return HVD_S_OK;
}

static int land(struct fcopy_session *s)
{
	char proc[64], tmp[32];
	unsigned int i;

	if (!s->tmpname[0]) {
		/* give the unnamed file a hidden name first */
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
		for (i = 0; i < 100; i++) {
			snprintf(tmp, sizeof(tmp), ".hv_fcopy.%08x",
				 (unsigned int)random());
			if (!linkat(AT_FDCWD, proc, s->dirfd, tmp, AT_SYMLINK_FOLLOW))
				break;
			if (errno != EEXIST)
				return -1;
		}
		if (i == 100)
			return -1;
		memcpy(s->tmpname, tmp, sizeof(tmp));
	}
	if (s->overwrite)
		return renameat(s->dirfd, s->tmpname, s->dirfd, s->name);
	if (!renameat2(s->dirfd, s->tmpname, s->dirfd, s->name, RENAME_NOREPLACE))
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* no RENAME_NOREPLACE on this file system: link fails if it exists */
	if (linkat(s->dirfd, s->tmpname, s->dirfd, s->name, 0))
		return -1;
	unlinkat(s->dirfd, s->tmpname, 0);
	return 0;
}

uint32_t fcopy_complete(struct fcopy_session *s)
{
	struct stat st;
	int e;

	if (!s->active) {
		hvd_log(LOG_ERR, "COMPLETE without a copy in progress");
		return HVD_E_FAIL;
	}
	if (fstat(s->fd, &st) || (unsigned long long)st.st_size != s->size) {
		hvd_log(LOG_ERR, "copy of %s: %lld bytes received, %llu announced; discarded",
			s->name, (long long)st.st_size, s->size);
		fcopy_cancel(s);
		return HVD_E_FAIL;
	}
	if (fchmod(s->fd, 0644) || fsync(s->fd) || land(s)) {
		e = errno;
		hvd_log(LOG_ERR, "copy of %s: cannot put in place: %s", s->name,
			strerror(e));
		fcopy_cancel(s);
		return e == EEXIST ? HVD_ERROR_ALREADY_EXISTS :
		       e == ENOSPC ? HVD_ERROR_DISK_FULL : HVD_E_FAIL;
	}
	fsync(s->dirfd);
	hvd_log(LOG_INFO, "copy of %s complete", s->name);
	reset(s);
	return HVD_S_OK;
}

uint32_t fcopy_cancel(struct fcopy_session *s)
{
	if (s->active) {
		if (s->tmpname[0])
			unlinkat(s->dirfd, s->tmpname, 0);
		hvd_log(LOG_INFO, "copy of %s cancelled, nothing left", s->name);
	}
	if (s->fd >= 0) {
		close(s->fd);
		s->fd = -1;
	}
	remove_new_dirs(s);
	reset(s);
	return HVD_S_OK;
}

int fcopy_ctx_init(struct fcopy_ctx *c, const char *root)
{
	memset(c, 0, sizeof(*c));
	c->in_handshake = 1;
	return fcopy_session_init(&c->s, root);
}

static void str_field(const void *f, char *out)
{
	/* The kernel hands the UTF-16 names over converted to UTF-8. */
	memcpy(out, f, FCP_PATH_MAX * 2);
	out[FCP_PATH_MAX * 2 - 1] = 0;
}

int fcopy_handle(struct fcopy_ctx *c, const void *buf, size_t len,
		 uint32_t *reply)
{
	const struct fcopy_hdr *h = buf;
	char path[FCP_PATH_MAX * 2], name[FCP_PATH_MAX * 2];

	if (c->in_handshake) {
		if (len != sizeof(uint32_t)) {
			hvd_log(LOG_ERR, "version negotiation: %zu bytes refused", len);
			return 0;
		}
		memcpy(&c->kernel_version, buf, sizeof(uint32_t));
		c->in_handshake = 0;
		hvd_log(LOG_INFO, "registered with the kernel, version %u",
			c->kernel_version);
		return 0;
	}
	if (len < sizeof(h->operation)) {
		hvd_log(LOG_ERR, "fcopy message of %zu bytes refused", len);
		*reply = HVD_E_FAIL;
		return 1;
	}
	switch (h->operation) {
	case FCP_START: {
		const struct fcopy_start *m = buf;

		if (len < sizeof(*m))
			break;
		str_field(m->path_name, path);
		str_field(m->file_name, name);
		*reply = fcopy_start(&c->s, path, name, m->copy_flags, m->file_size);
		return 1;
	}
	case FCP_WRITE: {
		const struct fcopy_data *m = buf;

		if (len < offsetof(struct fcopy_data, data) ||
		    m->size > FCP_FRAGMENT ||
		    len < offsetof(struct fcopy_data, data) + m->size)
			break;
		*reply = fcopy_write(&c->s, m->offset, m->data, m->size);
		return 1;
	}
	case FCP_COMPLETE:
		*reply = fcopy_complete(&c->s);
		return 1;
	case FCP_CANCEL:
		*reply = fcopy_cancel(&c->s);
		return 1;
	default:
		hvd_log(LOG_ERR, "unknown fcopy operation %u refused", h->operation);
		*reply = HVD_E_FAIL;
		return 1;
	}
	hvd_log(LOG_ERR, "fcopy operation %u: malformed message of %zu bytes refused",
		h->operation, len);
	if (c->s.active)
		fcopy_cancel(&c->s);
	*reply = HVD_E_FAIL;
	return 1;
}

// SPDX-License-Identifier: GPL-2.0
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kvp_pool.h"
#include "../common/atomic.h"
#include "../common/log.h"

static int pool_name(int pool, char *name, size_t len)
{
	if (pool < 0 || pool >= KVP_NPOOLS)
		return -EINVAL;
	snprintf(name, len, ".kvp_pool_%d", pool);
	return 0;
}

/*
 * Open the pool file and lock it. A writer of ours may have renamed a new
 * file over the one we opened while we waited for the lock: then the lock
 * is on a dead inode, so start again on the current one.
 */
static int pool_lock(const char *dir, int pool, int excl)
{
	char name[32], path[PATH_MAX];
	struct stat a, b;
	struct flock fl;
	int fd, tries;

	if (pool_name(pool, name, sizeof(name)))
		return -EINVAL;
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;

	for (tries = 0; tries < 100; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		if (flock(fd, excl ? LOCK_EX : LOCK_SH)) {
			int e = errno;

			close(fd);
			return -e;
		}
		memset(&fl, 0, sizeof(fl));
		fl.l_type = excl ? F_WRLCK : F_RDLCK;
		fl.l_whence = SEEK_SET;
		if (fcntl(fd, F_SETLKW, &fl)) {
			int e = errno;

			close(fd);
			return -e;
		}
		if (!fstat(fd, &a) && !stat(path, &b) &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return fd;
		close(fd);
	}
	return -EAGAIN;
}

/* Closing the descriptor drops both kinds of lock. */
static void pool_unlock(int fd)
{
	close(fd);
}

static int pool_read_fd(int fd, int pool, struct kvp_record **recs, int *n)
{
	struct kvp_record *r = NULL;
	size_t have = 0, cap = 0;
	struct stat st;
	int i;

	*recs = NULL;
	*n = 0;
	if (fstat(fd, &st))
		return -errno;
	if (st.st_size % (off_t)sizeof(struct kvp_record))
		hvd_log(LOG_WARNING, "pool %d: %lld trailing bytes ignored", pool,
			(long long)(st.st_size % (off_t)sizeof(struct kvp_record)));
	for (;;) {
		ssize_t got;

		if (have == cap) {
			struct kvp_record *nr;

			if (cap >= KVP_POOL_MAX_RECORDS)
				break;
			cap = cap ? cap * 2 : 16;
			if (cap > KVP_POOL_MAX_RECORDS)
				cap = KVP_POOL_MAX_RECORDS;
			nr = realloc(r, cap * sizeof(*r));
			if (!nr) {
				free(r);
				return -ENOMEM;
			}
			r = nr;
		}
		got = pread(fd, &r[have], sizeof(*r), (off_t)(have * sizeof(*r)));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			free(r);
			return -errno;
		}
		if (got < (ssize_t)sizeof(*r))
			break;
		have++;
	}
	/* Other writers may leave strings unterminated: terminate them. */
	for (i = 0; i < (int)have; i++) {
		r[i].key[KVP_KEY_MAX - 1] = 0;
		r[i].value[KVP_VALUE_MAX - 1] = 0;
	}
	*recs = r;
	*n = (int)have;
	return 0;
}

static int pool_write(const char *dir, int pool, const struct kvp_record *r,
		      int n)
{
	char name[32];
	int ret;

	pool_name(pool, name, sizeof(name));
	ret = hvd_atomic_write(dir, name, r, (size_t)n * sizeof(*r), 0644);
	if (ret)
		hvd_log(LOG_ERR, "pool %d: cannot write %s/%s: %s", pool, dir,
			name, strerror(-ret));
	return ret;
}

int kvp_pool_init(const char *dir)
{
	int i, fd;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		hvd_log(LOG_ERR, "cannot create %s: %m", dir);
		return -errno;
	}
	for (i = 0; i < KVP_NPOOLS; i++) {
		char name[32];

		pool_name(i, name, sizeof(name));
		hvd_atomic_cleanup(dir, name);
		fd = pool_lock(dir, i, 0);
		if (fd < 0) {
			hvd_log(LOG_ERR, "pool %d in %s: %s", i, dir,
				strerror(-fd));
			return fd;
		}
		pool_unlock(fd);
	}
	return 0;
}

int kvp_pool_load(const char *dir, int pool, struct kvp_record **recs, int *n)
{
	int fd = pool_lock(dir, pool, 0), ret;

	if (fd < 0)
		return fd;
	ret = pool_read_fd(fd, pool, recs, n);
	pool_unlock(fd);
	return ret;
}

static int find(const struct kvp_record *r, int n, const char *key)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(r[i].key, key))
			return i;
	return -1;
}

int kvp_pool_set(const char *dir, int pool, const char *key, const char *value)
{
	struct kvp_record *r, *nr;
	int fd, n, i, ret;

	if (!key[0] || strlen(key) >= KVP_KEY_MAX ||
	    strlen(value) >= KVP_VALUE_MAX)
		return -EINVAL;
	fd = pool_lock(dir, pool, 1);
	if (fd < 0)
		return fd;
	ret = pool_read_fd(fd, pool, &r, &n);
	if (ret)
		goto out;
	i = find(r, n, key);
	if (i < 0) {
		if (n >= KVP_POOL_MAX_RECORDS) {
			ret = -ENOSPC;
			goto out_free;
		}
		nr = realloc(r, (size_t)(n + 1) * sizeof(*r));
		if (!nr) {
			ret = -ENOMEM;
			goto out_free;
		}
		r = nr;
		i = n++;
		memset(&r[i], 0, sizeof(r[i]));
		strcpy(r[i].key, key);
	}
	memset(r[i].value, 0, sizeof(r[i].value));
	strcpy(r[i].value, value);
	ret = pool_write(dir, pool, r, n);
out_free:
	free(r);
out:
	pool_unlock(fd);
	return ret;
}

int kvp_pool_get(const char *dir, int pool, const char *key,
		 char value[KVP_VALUE_MAX])
{
	struct kvp_record *r;
	int n, i, ret;

	ret = kvp_pool_load(dir, pool, &r, &n);
	if (ret)
		return ret;
	i = find(r, n, key);
	if (i < 0)
		ret = -ENOENT;
	else
		memcpy(value, r[i].value, KVP_VALUE_MAX);
	free(r);
	return ret;
}

int kvp_pool_delete(const char *dir, int pool, const char *key)
{
	struct kvp_record *r;
	int fd, n, i, ret;

	fd = pool_lock(dir, pool, 1);
	if (fd < 0)
		return fd;
	ret = pool_read_fd(fd, pool, &r, &n);
	if (ret)
		goto out;
	i = find(r, n, key);
	if (i < 0) {
		ret = -ENOENT;
	} else {
		memmove(&r[i], &r[i + 1], (size_t)(n - i - 1) * sizeof(*r));
		ret = pool_write(dir, pool, r, n - 1);
	}
	free(r);
out:
	pool_unlock(fd);
	return ret;
}

int kvp_pool_enum(const char *dir, int pool, unsigned int index,
		  char key[KVP_KEY_MAX], char value[KVP_VALUE_MAX])
{
	struct kvp_record *r;
	int n, ret;

	ret = kvp_pool_load(dir, pool, &r, &n);
	if (ret)
		return ret;
	if (index >= (unsigned int)n) {
		ret = -ENOENT;
	} else {
		memcpy(key, r[index].key, KVP_KEY_MAX);
		memcpy(value, r[index].value, KVP_VALUE_MAX);
	}
	free(r);
	return ret;
}

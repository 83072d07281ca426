/* SPDX-License-Identifier: GPL-2.0 */
#ifndef HVD_KVP_POOL_H
#define HVD_KVP_POOL_H

#include "../common/hv_abi.h"

/*
 * A pool file is an array of fixed-size records, the upstream layout that
 * other tools read: a NUL-padded key of 512 bytes, then a NUL-padded value
 * of 2048 bytes. Every operation re-reads the file, so edits made by other
 * programs (for instance to the guest pool) are seen. Readers take a
 * shared lock and writers an exclusive one, both flock() and fcntl()
 * record locks so either convention of other tools is honoured; a writer
 * replaces the file atomically (temporary file, fsync, rename), so a
 * reader never sees a half-written pool, even after a crash.
 */
struct kvp_record {
	char key[KVP_KEY_MAX];
	char value[KVP_VALUE_MAX];
};

#define KVP_POOL_MAX_RECORDS 4096

int kvp_pool_init(const char *dir);
int kvp_pool_load(const char *dir, int pool, struct kvp_record **recs, int *n);
int kvp_pool_set(const char *dir, int pool, const char *key, const char *value);
int kvp_pool_get(const char *dir, int pool, const char *key,
		 char value[KVP_VALUE_MAX]);
int kvp_pool_delete(const char *dir, int pool, const char *key);
int kvp_pool_enum(const char *dir, int pool, unsigned int index,
		  char key[KVP_KEY_MAX], char value[KVP_VALUE_MAX]);

#endif

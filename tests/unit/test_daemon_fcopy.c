// SPDX-License-Identifier: GPL-2.0
/* hv_fcopy_daemon: atomic landing, overwrite, paths, cancel, messages. */
#define _GNU_SOURCE
#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemons/common/log.c"
#include "../../daemons/fcopy/fcopy_file.c"

static char root[32];
static struct fcopy_session s;

static void setup(void)
{
	strcpy(root, "/tmp/fcptestXXXXXX");
	if (!mkdtemp(root) || fcopy_session_init(&s, root))
		abort();
}

static void teardown(void)
{
	char cmd[96];

	fcopy_session_fini(&s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	if (system(cmd))
		abort();
}

static int entries(const char *rel)
{
	char p[256];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	d = opendir(p);
	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static int read_file(const char *rel, char *buf, size_t len)
{
	char p[256];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, len - 1, f);
	buf[n] = 0;
	fclose(f);
	return (int)n;
}

static void test_copy_lands_atomically(void)
{
	char buf[64];
	struct stat st;
	char p[128];

	setup();
	CHECK_EQ(fcopy_start(&s, "/", "hello.txt", 0, 11), HVD_S_OK);
	CHECK_EQ(fcopy_write(&s, 6, "world", 5), HVD_S_OK);
	/* nothing visible before completion */
	CHECK_EQ(entries(""), 0);
	CHECK_EQ(fcopy_write(&s, 0, "hello ", 6), HVD_S_OK);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	CHECK_EQ(read_file("hello.txt", buf, sizeof(buf)), 11);
	CHECK(!strcmp(buf, "hello world"));
	CHECK_EQ(entries(""), 1);	/* no temporary left */
	snprintf(p, sizeof(p), "%s/hello.txt", root);
	CHECK_EQ(stat(p, &st), 0);
	CHECK_EQ(st.st_mode & 0777, 0644);
	teardown();
}

/*
 * Copy-VMFile takes files far bigger than the VM tests can copy under
 * emulation: offsets and the announced size past 4 GiB, as fragments of
 * FCP_FRAGMENT bytes, land where they belong (the file stays sparse here).
 */
static void test_big_offsets(void)
{
	const uint64_t size = (5ULL << 30) + 3 * FCP_FRAGMENT + 7;
	static const uint64_t at[] = { 0, (1ULL << 32) - 5, 1ULL << 32,
				       (5ULL << 30) + 3 * FCP_FRAGMENT };
	static char frag[FCP_FRAGMENT], got[FCP_FRAGMENT];
	struct stat st;
	char p[128];
	unsigned int i;
	int fd;

	setup();
	CHECK_EQ(fcopy_start(&s, "/", "big.img", 0, size), HVD_S_OK);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		uint32_t len = at[i] + FCP_FRAGMENT <= size ? FCP_FRAGMENT :
							      (uint32_t)(size - at[i]);

		memset(frag, 'a' + i, len);
		CHECK_EQ(fcopy_write(&s, at[i], frag, len), HVD_S_OK);
	}
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	snprintf(p, sizeof(p), "%s/big.img", root);
	CHECK_EQ(stat(p, &st), 0);
	CHECK_EQ((uint64_t)st.st_size, size);
	fd = open(p, O_RDONLY);
	CHECK(fd >= 0);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		CHECK_EQ(pread(fd, got, 1, (off_t)at[i]), 1);
		CHECK_EQ(got[0], 'a' + (int)i);
	}
	/* the fragment at 4 GiB - 5 crossed the boundary, after a hole */
	CHECK_EQ(pread(fd, got, 8, (off_t)(1ULL << 32) - 8), 8);
	CHECK(!memcmp(got, "\0\0\0bbbbb", 8));
	close(fd);

	/* a fragment one byte past the announced end: the copy is dropped */
	CHECK_EQ(fcopy_start(&s, "/", "big2.img", 0, size), HVD_S_OK);
	CHECK_EQ(fcopy_write(&s, size - 1, frag, 2), HVD_E_FAIL);
	CHECK_EQ(entries(""), 1);
	teardown();
}

static void test_overwrite_flag(void)
{
	char buf[64];

	setup();
	CHECK_EQ(fcopy_start(&s, "/", "f", 0, 3), HVD_S_OK);
	fcopy_write(&s, 0, "old", 3);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	CHECK_EQ(fcopy_start(&s, "/", "f", 0, 3), HVD_ERROR_ALREADY_EXISTS);
	CHECK_EQ(fcopy_start(&s, "/", "f", FCP_OVERWRITE, 3), HVD_S_OK);
	fcopy_write(&s, 0, "new", 3);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	read_file("f", buf, sizeof(buf));
	CHECK(!strcmp(buf, "new"));
	teardown();
}

static void test_exists_appears_during_copy(void)
{
	char p[128];
	FILE *f;

	setup();
	CHECK_EQ(fcopy_start(&s, "/", "race", 0, 1), HVD_S_OK);
	fcopy_write(&s, 0, "x", 1);
	snprintf(p, sizeof(p), "%s/race", root);
	f = fopen(p, "w");
	CHECK(f);
	fputs("theirs", f);
	fclose(f);
	CHECK_EQ(fcopy_complete(&s), HVD_ERROR_ALREADY_EXISTS);
	{
		char buf[16];

		read_file("race", buf, sizeof(buf));
		CHECK(!strcmp(buf, "theirs"));
	}
	CHECK_EQ(entries(""), 1);
	teardown();
}

static void test_cancel_leaves_nothing(void)
{
	setup();
	CHECK_EQ(fcopy_start(&s, "/a/b/c", "f", FCP_CREATE_PATH, 4), HVD_S_OK);
	CHECK_EQ(entries("a/b/c"), 0);
	fcopy_write(&s, 0, "data", 4);
	CHECK_EQ(fcopy_cancel(&s), HVD_S_OK);
	CHECK_EQ(entries(""), 0);	/* even the new directories are gone */
	/* a pre-existing directory stays */
	CHECK_EQ(mkdirat(s.rootfd, "keep", 0755), 0);
	CHECK_EQ(fcopy_start(&s, "/keep/new", "f", FCP_CREATE_PATH, 1), HVD_S_OK);
	CHECK_EQ(fcopy_cancel(&s), HVD_S_OK);
	CHECK_EQ(entries("keep"), 0);
	CHECK_EQ(entries(""), 1);
	teardown();
}

/*
 * Issue 24, item 6: a create-path copy deeper than the daemon used to
 * remember (32 directories) must still leave nothing when cancelled, and
 * so must one as deep as the longest path the host can send.
 */
static void cancel_deep(unsigned int depth)
{
	char path[FCP_PATH_MAX * 2];
	unsigned int i;

	for (i = 0; i < depth; i++)
		memcpy(path + 2 * i, "/d", 2);
	path[2 * depth] = 0;
	CHECK_EQ(fcopy_start(&s, path, "f", FCP_CREATE_PATH, 1), HVD_S_OK);
	CHECK_EQ(fcopy_cancel(&s), HVD_S_OK);
	CHECK_EQ(entries(""), 0);
}

static void test_cancel_deep_path_leaves_nothing(void)
{
	setup();
	cancel_deep(40);
	if (!unit_case_failed)
		cancel_deep(FCP_PATH_MAX - 1);
	teardown();
}

static void test_short_file_discarded(void)
{
	setup();
	CHECK_EQ(fcopy_start(&s, "/", "short", 0, 10), HVD_S_OK);
	fcopy_write(&s, 0, "abc", 3);
	CHECK_EQ(fcopy_complete(&s), HVD_E_FAIL);
	CHECK_EQ(entries(""), 0);
	CHECK_EQ(fcopy_start(&s, "/", "big", 0, 2), HVD_S_OK);
	CHECK_EQ(fcopy_write(&s, 0, "abc", 3), HVD_E_FAIL);	/* past size */
	CHECK(!s.active);
	CHECK_EQ(entries(""), 0);
	teardown();
}

static void test_create_path(void)
{
	char buf[8];

	setup();
	CHECK_EQ(fcopy_start(&s, "/x/y", "f", 0, 1), HVD_E_FAIL);
	CHECK_EQ(entries(""), 0);
	CHECK_EQ(fcopy_start(&s, "//x///y/", "f", FCP_CREATE_PATH, 1), HVD_S_OK);
	fcopy_write(&s, 0, "1", 1);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	CHECK_EQ(read_file("x/y/f", buf, sizeof(buf)), 1);
	teardown();
}

static void test_unsafe_paths_refused(void)
{
	char p[128], buf[16];

	setup();
	CHECK_EQ(fcopy_start(&s, "/../etc", "f", FCP_CREATE_PATH, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/a/./b", "f", FCP_CREATE_PATH, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "relative", "f", FCP_CREATE_PATH, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/", "..", 0, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/", "a/b", 0, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/", "", 0, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/", "bad\nname", 0, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/", "\xc3\x28", 0, 1), HVD_INVALIDARG);
	CHECK_EQ(fcopy_start(&s, "/", "\xed\xa0\x80", 0, 1), HVD_INVALIDARG);
	CHECK_EQ(entries(""), 0);

	/* a symlink pointing out of the root resolves inside it */
	CHECK_EQ(symlinkat("/tmp", s.rootfd, "out"), 0);
	CHECK_EQ(fcopy_start(&s, "/out", "f", 0, 1), HVD_E_FAIL);
	CHECK_EQ(symlinkat("../../../..", s.rootfd, "up"), 0);
	CHECK_EQ(fcopy_start(&s, "/up", "escaped", 0, 1), HVD_S_OK);
	fcopy_write(&s, 0, "e", 1);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	CHECK_EQ(read_file("escaped", buf, sizeof(buf)), 1);	/* in root */

	/* a symlink as the target name is replaced, never written through */
	snprintf(p, sizeof(p), "%s/victim", root);
	CHECK_EQ(symlinkat("victim-target", s.rootfd, "link"), 0);
	CHECK_EQ(fcopy_start(&s, "/", "link", 0, 1), HVD_ERROR_ALREADY_EXISTS);
	CHECK_EQ(fcopy_start(&s, "/", "link", FCP_OVERWRITE, 1), HVD_S_OK);
	fcopy_write(&s, 0, "z", 1);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	snprintf(p, sizeof(p), "%s/victim-target", root);
	CHECK(access(p, F_OK) != 0);
	teardown();
}

static void test_non_ascii_names(void)
{
	char buf[8];

	setup();
	/* "Grüße/файл-日本.txt" */
	CHECK_EQ(fcopy_start(&s, "/Gr\xc3\xbc\xc3\x9f" "e", "\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb-"
			     "\xe6\x97\xa5\xe6\x9c\xac.txt", FCP_CREATE_PATH, 2), HVD_S_OK);
	fcopy_write(&s, 0, "ok", 2);
	CHECK_EQ(fcopy_complete(&s), HVD_S_OK);
	CHECK_EQ(read_file("Gr\xc3\xbc\xc3\x9f" "e/\xd1\x84\xd0\xb0\xd0\xb9\xd0\xbb-"
			   "\xe6\x97\xa5\xe6\x9c\xac.txt", buf, sizeof(buf)), 2);
	CHECK(fcopy_utf8_ok("\xf0\x9f\x98\x80"));
	CHECK(!fcopy_utf8_ok("\xc0\xaf"));	/* overlong "/" */
	teardown();
}

static void test_messages(void)
{
	static union {
		struct fcopy_start st;
		struct fcopy_data d;
		uint8_t raw[8192];
	} b;
	struct fcopy_ctx c;
	uint32_t v = 1, reply = 0;
	char buf[8];

	strcpy(root, "/tmp/fcptestXXXXXX");
	CHECK(mkdtemp(root));
	CHECK_EQ(fcopy_ctx_init(&c, root), 0);
	CHECK_EQ(fcopy_handle(&c, &v, 2, &reply), 0);	/* bad negotiation */
	CHECK(c.in_handshake);
	CHECK_EQ(fcopy_handle(&c, &v, 4, &reply), 0);
	CHECK(!c.in_handshake);

	memset(&b, 0, sizeof(b));
	b.st.hdr.operation = FCP_START;
	strcpy((char *)b.st.path_name, "/dir");
	strcpy((char *)b.st.file_name, "m.bin");
	b.st.copy_flags = FCP_CREATE_PATH;
	b.st.file_size = 3;
	CHECK_EQ(fcopy_handle(&c, &b, sizeof(b.st) - 1, &reply), 1);
	CHECK_EQ(reply, HVD_E_FAIL);	/* truncated START */
	CHECK_EQ(fcopy_handle(&c, &b, sizeof(b.st), &reply), 1);
	CHECK_EQ(reply, HVD_S_OK);
	memset(&b, 0, sizeof(b));
	b.d.hdr.operation = FCP_WRITE;
	b.d.size = FCP_FRAGMENT + 1;
	CHECK_EQ(fcopy_handle(&c, &b, sizeof(b.d), &reply), 1);
	CHECK_EQ(reply, HVD_E_FAIL);	/* oversized: refused and cancelled */
	CHECK(!c.s.active);

	memset(&b, 0, sizeof(b));
	b.st.hdr.operation = FCP_START;
	strcpy((char *)b.st.path_name, "/dir");
	strcpy((char *)b.st.file_name, "m.bin");
	b.st.copy_flags = FCP_CREATE_PATH;
	b.st.file_size = 3;
	fcopy_handle(&c, &b, sizeof(b.st), &reply);
	memset(&b, 0, sizeof(b));
	b.d.hdr.operation = FCP_WRITE;
	b.d.size = 3;
	memcpy(b.d.data, "abc", 3);
	CHECK_EQ(fcopy_handle(&c, &b, sizeof(b.d), &reply), 1);
	CHECK_EQ(reply, HVD_S_OK);
	memset(&b, 0, sizeof(b));
	b.st.hdr.operation = FCP_COMPLETE;
	CHECK_EQ(fcopy_handle(&c, &b, sizeof(struct fcopy_hdr), &reply), 1);
	CHECK_EQ(reply, HVD_S_OK);
	CHECK_EQ(read_file("dir/m.bin", buf, sizeof(buf)), 3);
	b.st.hdr.operation = 9;
	fcopy_handle(&c, &b, sizeof(struct fcopy_hdr), &reply);
	CHECK_EQ(reply, HVD_E_FAIL);
	b.st.hdr.operation = FCP_COMPLETE;
	fcopy_handle(&c, &b, sizeof(struct fcopy_hdr), &reply);
	CHECK_EQ(reply, HVD_E_FAIL);	/* nothing in progress */
	s = c.s;
	teardown();
}

int main(void)
{
	hvd_log_mode = -1;
	UNIT_RUN(test_copy_lands_atomically);
	UNIT_RUN(test_big_offsets);
	UNIT_RUN(test_overwrite_flag);
	UNIT_RUN(test_exists_appears_during_copy);
	UNIT_RUN(test_cancel_leaves_nothing);
	UNIT_RUN(test_cancel_deep_path_leaves_nothing);
	UNIT_RUN(test_short_file_discarded);
	UNIT_RUN(test_create_path);
	UNIT_RUN(test_unsafe_paths_refused);
	UNIT_RUN(test_non_ascii_names);
	UNIT_RUN(test_messages);
	return unit_summary();
}

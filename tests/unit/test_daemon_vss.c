// SPDX-License-Identifier: GPL-2.0
/* hv_vss_daemon: mount selection, freeze order, thaw on error, messages. */
#define _GNU_SOURCE
#include "unit.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../daemons/common/log.c"
#include "../../daemons/vss/vss_freeze.c"
#include "../../daemons/vss/vss_msg.c"

#define MI "/tmp/vss_test_mountinfo"

static char opened[16][64];
static int nopen, frozen[16], log_[64], nlog, fail_freeze_at = -1, busy_at = -1;

static int f_open(const char *dir)
{
	if (!strcmp(dir, "/gone"))
		return -ENOENT;
	hvd_strlcpy(opened[nopen], dir, sizeof(opened[0]));
	return 100 + nopen++;
}

static int f_freeze(int fd)
{
	if (fd - 100 == fail_freeze_at)
		return -EIO;
	if (fd - 100 == busy_at)
		return -EBUSY;
	frozen[fd - 100] = 1;
	log_[nlog++] = fd - 100;
	return 0;
}

static int f_thaw(int fd)
{
	if (!frozen[fd - 100])
		return -EINVAL;
	frozen[fd - 100] = 0;
	log_[nlog++] = -(fd - 100) - 1;
	return 0;
}

static void f_close(int fd)
{
	(void)fd;
}

static int f_loop(unsigned int major, unsigned int minor)
{
	(void)minor;
	return major == 7;
}

static const struct vss_ops fake = { f_open, f_freeze, f_thaw, f_close, f_loop };

static void reset(void)
{
	memset(frozen, 0, sizeof(frozen));
	nopen = nlog = 0;
	fail_freeze_at = busy_at = -1;
}

static void write_mi(void)
{
	FILE *f = fopen(MI, "w");

	if (!f)
		abort();
	fputs("21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
	      "22 21 0:5 / /proc rw - proc proc rw\n"
	      "23 21 8:2 / /var rw shared:2 - xfs /dev/sda2 rw,attr2\n"
	      "24 23 8:3 / /var/lib/my\\040data rw - ext4 /dev/sda3 rw\n"
	      "25 21 8:4 / /boot ro - ext4 /dev/sda4 ro\n"
	      "26 21 7:0 / /snap/x rw - ext4 /dev/loop0 rw\n"
	      "27 21 8:2 /sub /srv rw - xfs /dev/sda2 rw\n"
	      "28 21 0:40 / /tmp rw - tmpfs tmpfs rw\n"
	      "29 21 0:41 / /mnt/nfs rw - nfs4 srv:/x rw\n"
	      "30 21 8:5 / /data rw - ext4 /dev/sda5 ro\n"
	      "garbage line\n", f);
	fclose(f);
}

static void test_parse_line(void)
{
	struct vss_mount m;

	CHECK_EQ(vss_parse_mountinfo_line(
		"24 23 8:3 / /var/lib/my\\040data rw,noatime shared:5 master:1 - ext4 /dev/sda3 rw,errors=remount-ro\n",
		&m), 0);
	CHECK(!strcmp(m.dir, "/var/lib/my data"));
	CHECK(!strcmp(m.type, "ext4"));
	CHECK(!strcmp(m.src, "/dev/sda3"));
	CHECK_EQ(m.major, 8);
	CHECK_EQ(m.minor, 3);
	CHECK_EQ(m.ro, 0);	/* errors=remount-ro is not ro */
	CHECK_EQ(m.depth, 3);
	CHECK_EQ(vss_parse_mountinfo_line("1 2 3", &m), -EINVAL);
	CHECK_EQ(vss_parse_mountinfo_line("1 2 x:y / / rw - ext4 /dev/a rw", &m), -EINVAL);
	CHECK_EQ(vss_parse_mountinfo_line("1 2 8:1 / / rw - ext4 /dev/a ro", &m), 0);
	CHECK_EQ(m.ro, 1);
	CHECK_EQ(m.depth, 0);
}

static void test_plan_filters_and_orders(void)
{
	struct vss_mount plan[16];
	FILE *f;
	int n;

	write_mi();
	f = fopen(MI, "r");
	CHECK(f);
	n = vss_plan(f, &fake, plan, 16);
	fclose(f);
	/* sda1 /, sda2 /var (once, though also at /srv), sda3 */
	CHECK_EQ(n, 3);
	CHECK(!strcmp(plan[0].dir, "/var/lib/my data"));
	CHECK(!strcmp(plan[1].dir, "/var"));
	CHECK(!strcmp(plan[2].dir, "/"));
}

static void test_freeze_thaw_reverse_order(void)
{
	struct vss_ctx c;
	struct vss_msg m;

	reset();
	write_mi();
	vss_ctx_init(&c, &fake, MI, 60);
	CHECK_EQ(vss_handle(&c, &(uint32_t){ VSS_REG_V1 }, 4), 0);
	CHECK(!c.in_handshake);
	memset(&m, 0, sizeof(m));
	m.hdr.operation = VSS_FREEZE;
	CHECK_EQ(vss_handle(&c, &m, sizeof(m)), 1);
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK(c.frozen);
	CHECK_EQ(nlog, 3);
	CHECK(!strcmp(opened[log_[2]], "/"));	/* root frozen last */
	memset(&m, 0, sizeof(m));
	m.hdr.operation = VSS_THAW;
	vss_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK_EQ(nlog, 6);
	CHECK_EQ(log_[3], -log_[2] - 1);	/* root thawed first */
	CHECK_EQ(log_[5], -log_[0] - 1);
	CHECK(!c.frozen);
	/* a second THAW is harmless */
	m.hdr.operation = VSS_THAW;
	vss_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
}

static void test_freeze_error_thaws_all(void)
{
	struct vss_ctx c;
	struct vss_msg m;
	int i;

	reset();
	fail_freeze_at = 1;	/* /var */
	write_mi();
	vss_ctx_init(&c, &fake, MI, 60);
	c.in_handshake = 0;
	memset(&m, 0, sizeof(m));
	m.hdr.operation = VSS_FREEZE;
	vss_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_E_FAIL);
	CHECK(!c.frozen);
	for (i = 0; i < 16; i++)
		CHECK(!frozen[i]);
	CHECK_EQ(c.st.n, 0);
}

static void test_busy_skipped_not_thawed(void)
{
	struct vss_state s;
	struct vss_mount plan[2];

	reset();
	memset(plan, 0, sizeof(plan));
	strcpy(plan[0].dir, "/a");
	strcpy(plan[1].dir, "/gone");
	busy_at = 0;
	CHECK_EQ(vss_freeze_all(&s, plan, 2, &fake), 0);
	CHECK_EQ(s.n, 0);
	CHECK(strstr(s.note, "already frozen"));
	CHECK(strstr(s.note, "cannot open /gone"));
}

static void test_watchdog(void)
{
	struct vss_ctx c;

	reset();
	write_mi();
	vss_ctx_init(&c, &fake, MI, 30);
	CHECK_EQ(vss_watchdog_left(&c, 1000), -1);
	CHECK_EQ(vss_freeze(&c), HVD_S_OK);
	c.frozen_at = 1000;
	CHECK_EQ(vss_watchdog_left(&c, 1010), 20);
	CHECK_EQ(vss_watchdog_left(&c, 2000), 0);
	CHECK_EQ(vss_thaw_now(&c, "test"), 0);
	CHECK(!c.frozen);
	CHECK(!frozen[0] && !frozen[1] && !frozen[2]);
}

static void test_bad_messages(void)
{
	struct vss_ctx c;
	uint8_t buf[64];
	struct vss_msg *m = (struct vss_msg *)buf;

	reset();
	vss_ctx_init(&c, &fake, MI, 30);
	CHECK_EQ(vss_handle(&c, buf, 7), 0);	/* bad negotiation */
	CHECK(c.in_handshake);
	c.in_handshake = 0;
	memset(buf, 0, sizeof(buf));
	m->hdr.operation = 42;
	CHECK_EQ(vss_handle(&c, buf, sizeof(*m)), 1);
	CHECK_EQ(m->error, HVD_E_FAIL);
	m->hdr.operation = VSS_FREEZE;
	CHECK_EQ(vss_handle(&c, buf, 5), 1);	/* short: refused, not frozen */
	CHECK_EQ(m->error, HVD_E_FAIL);
	CHECK(!c.frozen);
	m->hdr.operation = VSS_HOT_BACKUP;
	vss_handle(&c, buf, sizeof(*m));
	CHECK_EQ(m->error, HVD_S_OK);
	unlink(MI);
}

int main(void)
{
	hvd_log_mode = -1;
	UNIT_RUN(test_parse_line);
	UNIT_RUN(test_plan_filters_and_orders);
	UNIT_RUN(test_freeze_thaw_reverse_order);
	UNIT_RUN(test_freeze_error_thaws_all);
	UNIT_RUN(test_busy_skipped_not_thawed);
	UNIT_RUN(test_watchdog);
	UNIT_RUN(test_bad_messages);
	return unit_summary();
}

// SPDX-License-Identifier: GPL-2.0
/* hv_kvp_daemon: message handling, pool files, intrinsics, IP config. */
#define _GNU_SOURCE
#include "unit.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../daemons/common/log.c"
#include "../../daemons/common/atomic.c"
#include "../../daemons/kvp/kvp_pool.c"
#include "../../daemons/kvp/kvp_info.c"
#include "../../daemons/kvp/kvp_msg.c"
#include "../../daemons/kvp/kvp_ipconf.c"

static char dir[64];
static struct kvp_msg m;
static uint32_t set_calls;

static int fake_addrs(int family, char *buf, size_t len)
{
	hvd_strlcpy(buf, family == AF_INET ? "10.0.0.5;192.168.1.2" : "fe80::1", len);
	return 0;
}

static uint32_t fake_get(struct kvp_ip_value *ip)
{
	strcpy((char *)ip->ip_addr, "10.0.0.5");
	return HVD_S_OK;
}

static uint32_t fake_set(const struct kvp_ip_value *ip)
{
	(void)ip;
	set_calls++;
	return HVD_S_OK;
}

static const struct kvp_net_ops fake_net = { fake_addrs, fake_get, fake_set };

static void setup(struct kvp_ctx *c)
{
	strcpy(dir, "/tmp/kvptestXXXXXX");
	if (!mkdtemp(dir))
		abort();
	kvp_pool_init(dir);
	kvp_ctx_init(c, dir, "/nonexistent", &fake_net);
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		abort();
}

static void msg_set(int pool, const char *k, const char *v)
{
	memset(&m, 0, sizeof(m));
	m.hdr.operation = KVP_SET;
	m.hdr.pool = (uint8_t)pool;
	strcpy((char *)m.body.set.key, k);
	m.body.set.key_size = (uint32_t)strlen(k) + 1;
	strcpy((char *)m.body.set.value, v);
	m.body.set.value_size = (uint32_t)strlen(v) + 1;
}

/* A GET of the external pool; value_size is the room the driver offers. */
static void msg_get(const char *k, uint32_t value_size)
{
	memset(&m, 0, sizeof(m));
	m.hdr.operation = KVP_GET;
	strcpy((char *)m.body.get.key, k);
	m.body.get.key_size = (uint32_t)strlen(k) + 1;
	m.body.get.value_size = value_size;
}

static void test_abi_sizes(void)
{
	CHECK_EQ(sizeof(struct kvp_msg), 7432);
	CHECK_EQ(offsetof(struct kvp_msg, body.enumerate.data.value), 4 + 4 + 12 + 512);
	CHECK_EQ(sizeof(struct kvp_record), 2560);
}

static void test_register_handshake(void)
{
	struct kvp_ctx c;

	setup(&c);
	kvp_make_register(&m);
	CHECK_EQ(m.hdr.operation, KVP_REG_V1);
	strcpy((char *)m.body.reg.version, "3.1");
	CHECK_EQ(kvp_handle(&c, &m, sizeof(m)), 0);
	CHECK(c.registered);
	CHECK(!strcmp(c.ic_version, "3.1"));
	/* op 4 is GET_IP_INFO, not the legacy registration */
	memset(&m, 0, sizeof(m));
	m.hdr.operation = KVP_GET_IP_INFO;
	strcpy((char *)m.body.ip.adapter_id, "00:15:5D:00:00:01");
	CHECK_EQ(kvp_handle(&c, &m, sizeof(m)), 1);
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK(!strcmp((char *)m.body.ip.ip_addr, "10.0.0.5"));
	CHECK(!strcmp(c.ic_version, "3.1"));
	teardown();
}

static void test_set_get_enum_delete(void)
{
	struct kvp_ctx c;
	struct kvp_record *r;
	int n;

	setup(&c);
	msg_set(KVP_P_EXTERNAL, "alpha", "one");
	CHECK_EQ(kvp_handle(&c, &m, sizeof(m)), 1);
	CHECK_EQ(m.error, HVD_S_OK);
	msg_set(KVP_P_EXTERNAL, "beta", "two");
	kvp_handle(&c, &m, sizeof(m));
	msg_set(KVP_P_EXTERNAL, "alpha", "uno");	/* modify */
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);

	CHECK_EQ(kvp_pool_load(dir, 0, &r, &n), 0);
	CHECK_EQ(n, 2);
	CHECK(!strcmp(r[0].key, "alpha") && !strcmp(r[0].value, "uno"));
	free(r);

	/* openlis's driver offers the value field: answered in place. */
	msg_get("beta", sizeof(m.body.get.value));
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK(!strcmp((char *)m.body.get.value, "two"));
	CHECK_EQ(m.body.get.value_size, 4);
	/*
	 * The in-tree driver offers none and reads the answer at the
	 * enumeration's value, 4 bytes on.
	 */
	msg_get("beta", 0);
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK(!strcmp((char *)m.body.enumerate.data.value, "two"));

	memset(&m, 0, sizeof(m));
	m.hdr.operation = KVP_ENUMERATE;
	m.body.enumerate.index = 1;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK(!strcmp((char *)m.body.enumerate.data.key, "beta"));
	m.hdr.operation = KVP_ENUMERATE;
	m.hdr.pool = 0;
	m.body.enumerate.index = 2;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_CONT);

	memset(&m, 0, sizeof(m));
	m.hdr.operation = KVP_DELETE;
	strcpy((char *)m.body.del.key, "alpha");
	m.body.del.key_size = 6;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	m.hdr.operation = KVP_DELETE;
	m.hdr.pool = 0;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_CONT);	/* already gone */
	CHECK_EQ(kvp_pool_load(dir, 0, &r, &n), 0);
	CHECK_EQ(n, 1);
	CHECK(!strcmp(r[0].key, "beta"));
	free(r);
	teardown();
}

static void test_malformed_refused(void)
{
	struct kvp_ctx c;
	struct kvp_record *r;
	int n;

	setup(&c);
	/* key without terminator filling the field */
	msg_set(KVP_P_EXTERNAL, "k", "v");
	memset(m.body.set.key, 'A', sizeof(m.body.set.key));
	m.body.set.key_size = 0xffffffffu;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_E_FAIL);
	/* empty key */
	msg_set(KVP_P_EXTERNAL, "", "v");
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_E_FAIL);
	/* bad pool */
	msg_set(9, "k", "v");
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_E_FAIL);
	/* unknown op */
	msg_set(0, "k", "v");
	m.hdr.operation = 77;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_E_FAIL);
	/* short read */
	msg_set(0, "k", "v");
	CHECK_EQ(kvp_handle(&c, &m, 10), 1);
	CHECK_EQ(m.error, HVD_E_FAIL);
	/* unterminated IP strings */
	memset(&m, 0, sizeof(m));
	m.hdr.operation = KVP_SET_IP_INFO;
	memset(m.body.ip.gate_way, 'x', sizeof(m.body.ip.gate_way));
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_INVALIDARG);
	CHECK_EQ(set_calls, 0);
	/* nothing was stored, and a good SET still works afterwards */
	CHECK_EQ(kvp_pool_load(dir, 0, &r, &n), 0);
	CHECK_EQ(n, 0);
	free(r);
	msg_set(0, "k", "v");
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	teardown();
}

static void test_value_size_truncated_by_size(void)
{
	struct kvp_ctx c;
	char v[KVP_VALUE_MAX];

	setup(&c);
	msg_set(0, "key", "abcdef");
	m.body.set.value_size = 3;	/* only "abc" is the value */
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_OK);
	CHECK_EQ(kvp_pool_get(dir, 0, "key", v), 0);
	CHECK(!strcmp(v, "abc"));
	teardown();
}

static void test_intrinsics(void)
{
	struct kvp_ctx c;
	int i;

	setup(&c);
	for (i = 0; i < KVP_I_COUNT; i++) {
		memset(&m, 0, sizeof(m));
		m.hdr.operation = KVP_ENUMERATE;
		m.hdr.pool = KVP_P_AUTO;
		m.body.enumerate.index = (uint32_t)i;
		kvp_handle(&c, &m, sizeof(m));
		CHECK_EQ(m.error, HVD_S_OK);
		CHECK(!strcmp((char *)m.body.enumerate.data.key, intrinsic_keys[i]));
	}
	m.hdr.operation = KVP_ENUMERATE;
	m.hdr.pool = KVP_P_AUTO;
	m.body.enumerate.index = 2;
	kvp_handle(&c, &m, sizeof(m));
	CHECK(!strcmp((char *)m.body.enumerate.data.value, "10.0.0.5;192.168.1.2"));
	m.hdr.operation = KVP_ENUMERATE;
	m.hdr.pool = KVP_P_AUTO;
	m.body.enumerate.index = KVP_I_COUNT;
	kvp_handle(&c, &m, sizeof(m));
	CHECK_EQ(m.error, HVD_S_CONT);
	teardown();
}

static void test_os_release(void)
{
	struct kvp_os_info oi;
	char k[64], v[256];
	FILE *f;

	CHECK(kvp_os_release_line("NAME=\"Debian GNU/Linux\"\n", k, sizeof(k), v, sizeof(v)));
	CHECK(!strcmp(k, "NAME") && !strcmp(v, "Debian GNU/Linux"));
	CHECK(kvp_os_release_line("X='a\\b'", k, sizeof(k), v, sizeof(v)));
	CHECK(!strcmp(v, "a\\b"));
	CHECK(!kvp_os_release_line("# comment", k, sizeof(k), v, sizeof(v)));
	CHECK(!kvp_os_release_line("novalue", k, sizeof(k), v, sizeof(v)));
	f = fopen("/tmp/kvp_osr_test", "w");
	CHECK(f);
	fputs("NAME=\"Test OS\"\nVERSION_ID=\"12.7\"\n", f);
	fclose(f);
	kvp_os_info_read(&oi, "/tmp/kvp_osr_test");
	unlink("/tmp/kvp_osr_test");
	CHECK(!strcmp(oi.os_name, "Test OS"));
	CHECK(!strcmp(oi.os_major, "12"));
	CHECK(!strcmp(oi.os_minor, "7"));
	CHECK(!strchr(oi.os_version, '-'));
	CHECK(oi.arch[0]);
}

static void test_pool_file_layout_and_atomicity(void)
{
	struct kvp_ctx c;
	char path[128], v[KVP_VALUE_MAX];
	struct stat st;
	FILE *f;
	int fd;

	setup(&c);
	CHECK_EQ(kvp_pool_set(dir, 1, "a", "1"), 0);
	CHECK_EQ(kvp_pool_set(dir, 1, "b", "2"), 0);
	snprintf(path, sizeof(path), "%s/.kvp_pool_1", dir);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_size, 2 * 2560);
	CHECK_EQ(st.st_mode & 0777, 0644);
	/* A reader holding the old file keeps a complete old version. */
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK_EQ(kvp_pool_set(dir, 1, "c", "3"), 0);
	CHECK_EQ(fstat(fd, &st), 0);
	CHECK_EQ(st.st_size, 2 * 2560);
	close(fd);
	/* An outside writer's record with no terminator is cut, not overread. */
	f = fopen(path, "a");
	CHECK(f);
	{
		static struct kvp_record raw;

		memset(&raw, 'z', sizeof(raw));
		fwrite(&raw, sizeof(raw), 1, f);
		fwrite("junk", 4, 1, f);	/* trailing partial record */
	}
	fclose(f);
	CHECK_EQ(kvp_pool_get(dir, 1, "c", v), 0);
	CHECK(!strcmp(v, "3"));
	CHECK_EQ(kvp_pool_delete(dir, 1, "a"), 0);
	CHECK_EQ(stat(path, &st), 0);
	CHECK_EQ(st.st_size, 3 * 2560);	/* partial record dropped */
	/* no temporary files left behind */
	snprintf(path, sizeof(path), "ls -A %s | grep -c tmp > /dev/null", dir);
	CHECK(system(path) != 0);
	teardown();
}

static void test_stale_temp_cleanup(void)
{
	char path[128];
	struct kvp_ctx c;
	FILE *f;

	setup(&c);
	snprintf(path, sizeof(path), "%s/.kvp_pool_0.tmpABCDEF", dir);
	f = fopen(path, "w");
	CHECK(f);
	fclose(f);
	kvp_pool_init(dir);
	CHECK(access(path, F_OK) != 0);
	teardown();
}

static void test_ipconf_parse_render(void)
{
	struct kvp_ip_value ip;
	struct kvp_ipconf c;
	static char buf[8192];

	memset(&ip, 0, sizeof(ip));
	strcpy((char *)ip.ip_addr, "10.1.2.3;2001:db8::5; 10.1.2.4");
	strcpy((char *)ip.sub_net, "255.255.255.0;64;255.255.0.0");
	strcpy((char *)ip.gate_way, "10.1.2.1;2001:db8::1");
	strcpy((char *)ip.dns_addr, "10.1.2.53;2001:db8::53");
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "00:15:5D:01:02:03", &c), HVD_S_OK);
	CHECK_EQ(c.n4, 2);
	CHECK_EQ(c.n6, 1);
	CHECK_EQ(c.a4[0].plen, 24);
	CHECK_EQ(c.a4[1].plen, 16);
	CHECK_EQ(c.a6[0].plen, 64);
	CHECK(kvp_ipconf_render(&c, KVP_NM_NETWORKMANAGER, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "address1=10.1.2.3/24\n"));
	CHECK(strstr(buf, "method=manual"));
	CHECK(strstr(buf, "dns=10.1.2.53;\n"));
	CHECK(strstr(buf, "interface-name=eth0"));
	CHECK(kvp_ipconf_render(&c, KVP_NM_NETWORKD, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "Address=2001:db8::5/64\n"));
	CHECK(strstr(buf, "Gateway=10.1.2.1\n"));
	CHECK(kvp_ipconf_render(&c, KVP_NM_IFUPDOWN, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "iface eth0 inet static\n\taddress 10.1.2.3/24\n"));
	CHECK(kvp_ipconf_render(&c, KVP_NM_IFUPDOWN, buf, 20) < 0);

	strcpy((char *)ip.sub_net, "255.0.255.0;64;255.255.0.0");
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_INVALIDARG);
	strcpy((char *)ip.sub_net, "255.255.255.0;129;255.255.0.0");
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_INVALIDARG);
	strcpy((char *)ip.sub_net, "255.255.255.0");
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_INVALIDARG);
	strcpy((char *)ip.sub_net, "255.255.255.0;64;255.255.0.0");
	strcpy((char *)ip.gate_way, "not-an-ip");
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_INVALIDARG);
	/* DHCP with no static address is fine; static with none is not */
	memset(&ip, 0, sizeof(ip));
	ip.dhcp_enabled = 1;
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_S_OK);
	kvp_ipconf_render(&c, KVP_NM_NETWORKMANAGER, buf, sizeof(buf));
	CHECK(strstr(buf, "[ipv4]\nmethod=auto"));
	ip.dhcp_enabled = 0;
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_INVALIDARG);
}

static void test_ip_helpers(void)
{
	char b[32] = "", m[INET_ADDRSTRLEN], o[8];
	const char *s = "a;;b ;";

	CHECK_EQ(kvp_mask4_to_plen("255.255.252.0"), 22);
	CHECK_EQ(kvp_mask4_to_plen("0.0.0.0"), 0);
	CHECK_EQ(kvp_mask4_to_plen("255.0.0.255"), -1);
	kvp_plen_to_mask4(20, m, sizeof(m));
	CHECK(!strcmp(m, "255.255.240.0"));
	kvp_plen_to_mask4(0, m, sizeof(m));
	CHECK(!strcmp(m, "0.0.0.0"));
	CHECK_EQ(kvp_list_append(b, sizeof(b), "1.2.3.4"), 0);
	CHECK_EQ(kvp_list_append(b, sizeof(b), "5.6.7.8"), 0);
	CHECK(!strcmp(b, "1.2.3.4;5.6.7.8"));
	CHECK(kvp_list_append(b, sizeof(b), "123456789012345678") < 0);
	CHECK(kvp_list_next(&s, o, sizeof(o)) && !strcmp(o, "a"));
	CHECK(kvp_list_next(&s, o, sizeof(o)) && !strcmp(o, "b"));
	CHECK(!kvp_list_next(&s, o, sizeof(o)));
	CHECK(kvp_mac_equal("00-15-5d-AA-bb-01", "00:15:5D:aa:BB:01"));
	CHECK(!kvp_mac_equal("00:15:5d", "00:15:5d:00"));
}

/* A fake process of that name under @root's /proc. */
static void fake_process(const char *root, const char *pid, const char *comm)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s/proc/%s && printf '%%s\\n' '%s' >%s/proc/%s/comm",
		 root, pid, comm, root, pid);
	CHECK(!system(cmd));
}

static void test_netmgr_detect(void)
{
	char root[] = "/tmp/kvprootXXXXXX", p[128], cmd[400];

	CHECK(mkdtemp(root));
	CHECK_EQ(kvp_netmgr_detect(root), KVP_NM_NONE);
	snprintf(p, sizeof(p), "%s/etc/network", root);
	snprintf(cmd, sizeof(cmd), "mkdir -p %s && touch %s/interfaces", p, p);
	CHECK(!system(cmd));
	CHECK_EQ(kvp_netmgr_detect(root), KVP_NM_IFUPDOWN);
	/*
	 * Debian's systemd creates these on every boot (tmpfiles), networkd
	 * running or not: they must not count, nor another process's name.
	 */
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/run/systemd/netif/links %s/run/NetworkManager",
		 root, root);
	CHECK(!system(cmd));
	fake_process(root, "1", "systemd");
	fake_process(root, "77", "systemd-journal");
	CHECK_EQ(kvp_netmgr_detect(root), KVP_NM_IFUPDOWN);
	fake_process(root, "310", "systemd-network");
	CHECK_EQ(kvp_netmgr_detect(root), KVP_NM_NETWORKD);
	fake_process(root, "420", "NetworkManager");
	CHECK_EQ(kvp_netmgr_detect(root), KVP_NM_NETWORKMANAGER);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	CHECK(!system(cmd));
}

static void test_resolv(void)
{
	char buf[128];
	FILE *f = fopen("/tmp/kvp_resolv_test", "w");

	CHECK(f);
	fputs("# x\nnameserver 1.1.1.1\nsearch a\nnameserver ::1\nnameserver bogus\n", f);
	fclose(f);
	kvp_resolv_dns("/tmp/kvp_resolv_test", buf, sizeof(buf));
	unlink("/tmp/kvp_resolv_test");
	CHECK(!strcmp(buf, "1.1.1.1;::1"));
}

static void test_resolv_render(void)
{
	struct kvp_ip_value ip;
	struct kvp_ipconf c;
	char buf[256];

	memset(&ip, 0, sizeof(ip));
	strcpy((char *)ip.ip_addr, "10.1.2.3");
	strcpy((char *)ip.sub_net, "255.255.255.0");
	strcpy((char *)ip.dns_addr, "10.1.2.53;2001:db8::53");
	CHECK_EQ(kvp_ipconf_parse(&ip, "eth0", "", &c), HVD_S_OK);
	/* The old servers go, whatever their indent; the rest stays in order. */
	CHECK_EQ(kvp_resolv_render("# mine\nnameserver 1.1.1.1\nsearch a b\n"
				   "  nameserver\t9.9.9.9\noptions rotate", &c,
				   buf, sizeof(buf)), 78);
	CHECK(!strcmp(buf, "# mine\nsearch a b\noptions rotate\n"
		      "nameserver 10.1.2.53\nnameserver 2001:db8::53\n"));
	/* A word that only starts like the keyword is not one. */
	CHECK(kvp_resolv_render("nameservers 1.1.1.1\n", &c, buf, sizeof(buf)) > 0);
	CHECK(!strncmp(buf, "nameservers 1.1.1.1\n", 20));
	CHECK(kvp_resolv_render(NULL, &c, buf, sizeof(buf)) > 0);
	CHECK(!strcmp(buf, "nameserver 10.1.2.53\nnameserver 2001:db8::53\n"));
	CHECK_EQ(kvp_resolv_render("search a\n", &c, buf, 20), -ENOSPC);
	CHECK_EQ(kvp_ipconf_mode(KVP_NM_NETWORKMANAGER), 0600u);
	CHECK_EQ(kvp_ipconf_mode(KVP_NM_NETWORKD), 0644u);
	CHECK_EQ(kvp_ipconf_mode(KVP_NM_IFUPDOWN), 0644u);
}

int main(void)
{
	hvd_log_mode = -1;
	UNIT_RUN(test_abi_sizes);
	UNIT_RUN(test_register_handshake);
	UNIT_RUN(test_set_get_enum_delete);
	UNIT_RUN(test_malformed_refused);
	UNIT_RUN(test_value_size_truncated_by_size);
	UNIT_RUN(test_intrinsics);
	UNIT_RUN(test_os_release);
	UNIT_RUN(test_pool_file_layout_and_atomicity);
	UNIT_RUN(test_stale_temp_cleanup);
	UNIT_RUN(test_ipconf_parse_render);
	UNIT_RUN(test_ip_helpers);
	UNIT_RUN(test_netmgr_detect);
	UNIT_RUN(test_resolv);
	UNIT_RUN(test_resolv_render);
	return unit_summary();
}
